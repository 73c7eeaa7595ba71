// scripts/minify-names.mjs on a small module in wasm-bindgen 0.2.130's shapes: the renaming it
// applies, and the refusals that stop the build when the glue is not what it expects. (The
// package's real modules are renamed by every build; the other tests run them.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = new URL('../scripts/minify-names.mjs', import.meta.url).pathname;

const glue = `import * as import1 from "../../values.js"
export function run(input) {
    const ret = wasm.run(input);
    return ret;
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_fail_0123456789abcdef: function(arg0) {
            return new Error(arg0);
        },
    };
    return {
        __proto__: null,
        "./azconn_bg.js": import0,
        "../../values.js": import1,
    };
}
function init(instance) {
    wasm = instance.exports;
    return new Uint8Array(wasm.memory.buffer);
}
`;
const types = `    export function run(input: string): string;
    export interface InitOutput {
        readonly memory: WebAssembly.Memory;
        readonly run: (a: any) => any;
    }
`;
const bgTypes = 'export const memory: WebAssembly.Memory;\nexport const run: (a: any) => any;\n';
const mapping = {
  imports: [['./azconn_bg.js', '__wbg_fail_0123456789abcdef', 'a'], ['../../values.js', 'prop', 'b']],
  exports: [['memory', 'c'], ['run', 'd']],
};

/** A wasm header and import section: function imports (module, name), or another kind. */
function wasm(imports) {
  const name = (s) => [s.length, ...new TextEncoder().encode(s)];
  const body = [imports.length, ...imports.flatMap(([m, n, kind = 0]) => [...name(m), ...name(n), kind, 0])];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, body.length, ...body]);
}

function run({ js = glue, map = JSON.stringify(mapping), module = wasm([['a', 'a'], ['a', 'b']]) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'azconn-minify-'));
  try {
    writeFileSync(join(dir, 'azconn.js'), js);
    writeFileSync(join(dir, 'azconn.d.ts'), types);
    writeFileSync(join(dir, 'azconn_bg.wasm.d.ts'), bgTypes);
    writeFileSync(join(dir, 'azconn_bg.wasm'), module);
    writeFileSync(join(dir, 'names.json'), map);
    const p = spawnSync(process.execPath, [script, join(dir, 'names.json'), dir], { encoding: 'utf8' });
    const read = (f) => readFileSync(join(dir, f), 'utf8');
    return { status: p.status, stderr: p.stderr, js: read('azconn.js'), types: read('azconn.d.ts'), bgTypes: read('azconn_bg.wasm.d.ts') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('minify-names renames the exports, the imports object and the raw export types', () => {
  const out = run();
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.js, /const ret = wasm\.d\(input\);/);
  assert.match(out.js, /new Uint8Array\(wasm\.c\.buffer\)/);
  assert.match(out.js, /^ {8}a: function\(arg0\) \{$/m);
  assert.doesNotMatch(out.js, /__wbg_fail_0123456789abcdef|"\.\/azconn_bg\.js"/);
  assert.ok(out.js.includes('    return {\n        __proto__: null,\n        "a": {\n            ...import0,\n            b: import1.prop,\n        },\n    };'), out.js);
  assert.ok(out.types.includes('        readonly c: WebAssembly.Memory;\n        readonly d: (a: any) => any;'), out.types);
  assert.ok(out.types.includes('export function run(input: string): string;'), 'the exported function keeps its name');
  assert.equal(out.bgTypes, 'export const c: WebAssembly.Memory;\nexport const d: (a: any) => any;\n');
});

test('minify-names stops the build on glue it does not understand', () => {
  const refused = (input, message) => {
    const out = run(input);
    assert.equal(out.status, 1, `expected a refusal: ${message}`);
    assert.match(out.stderr, message);
  };
  refused({ js: glue.replace('wasm.run(input)', 'wasm.other(input)') }, /uses wasm\.other, which the module does not export/);
  refused({ js: glue.replace('__wbg_fail_0123456789abcdef: function', '__wbg_fail_0123456789abcdef : function') }, /renamed 0 of the glue's 1 imports/);
  refused({ js: glue.replace('"../../values.js": import1,\n', '') }, /imports object is not where/);
  refused({ js: glue.replace('import * as import1 from "../../values.js"\n', '') }, /no namespace import of \.\.\/\.\.\/values\.js/);
  refused({ module: wasm([['a', 'a']]) }, /the minified module has no import b/);
  refused({ module: wasm([['a', 'a'], ['a', 'b', 2]]) }, /import a\.b is not a function/);
  const cut = wasm([['a', 'a'], ['a', 'b']]);
  cut[cut.length - 1] = 0x80;
  refused({ module: cut }, /azconn_bg\.wasm: wasm: a number runs past the end of the module/);
  refused({ map: JSON.stringify({ ...mapping, exports: [['run', 'd']] }) }, /uses wasm\.memory, which the module does not export/);
});

test('minify-names refuses a mapping that is not wasm-opt\'s JSON', () => {
  for (const [map, message] of [
    ['{"imports": [', /is not the JSON mapping wasm-opt prints/],
    ['{"imports": []}', /has no imports and exports lists/],
    ['null', /has no imports and exports lists/],
  ]) {
    const out = run({ map });
    assert.equal(out.status, 1, map);
    assert.match(out.stderr, message);
  }
});
