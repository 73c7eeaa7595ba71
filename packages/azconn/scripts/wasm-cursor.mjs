// A cursor over a wasm binary (WebAssembly core specification, binary format §5): what
// minify-names.mjs reads the import section with, and `make bench` the name section.

export class WasmCursor {
  /** Starts after the magic number and version (§5.5.16). */
  constructor(bytes, at = 8) {
    this.bytes = bytes;
    this.at = at;
  }

  get done() {
    return this.at >= this.bytes.length;
  }

  byte() {
    return this.bytes[this.at++];
  }

  /** An unsigned LEB128 integer (§5.2.2). */
  uleb() {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      if (b === undefined) throw new Error('wasm: a number runs past the end of the module');
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return n;
    }
  }

  /** A name: its length in bytes, then its UTF-8 (§5.2.4). */
  name() {
    const len = this.uleb();
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + len));
    this.at += len;
    return s;
  }
}
