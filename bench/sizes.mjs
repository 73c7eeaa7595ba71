// Sizes: gzipped sizes (gzip -9) of azconn's entries beside peers bundled in the same run with
// esbuild --bundle --minify, the biggest functions of the forms module (its name section, from
// the named copy build.sh keeps), and the wasmtime fuel per abi operation (deterministic).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WasmCursor } from '../packages/azconn/scripts/wasm-cursor.mjs';
import { table } from './lib/report.mjs';

export function sizes(root) {
  const pkg = join(root, 'packages/azconn');
  const tmp = mkdtempSync(join(tmpdir(), 'azconn-bench-'));
  const esbuild = join(root, 'node_modules/.bin/esbuild');

  function run(cmd, args, options = {}) {
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'buffer', maxBuffer: 64 << 20, ...options });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
    return r.stdout;
  }
  const gzip = (file) => run('gzip', ['-9c', file]).length;
  const bytes = (file) => statSync(file).size;

  /** esbuild --bundle --minify of `source` (ESM, browser); .wasm files stay separate assets. */
  function bundle(name, source) {
    const entry = join(tmp, `${name}.mjs`);
    const out = join(tmp, `${name}.out.js`);
    writeFileSync(entry, source);
    run(esbuild, [entry, '--bundle', '--minify', '--format=esm', '--platform=browser',
      '--target=es2022', '--loader:.wasm=file', `--outfile=${out}`, '--log-level=error'],
    { env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
    return out;
  }

  const rows = [];
  function entry(label, js, wasm) {
    const raw = bytes(js) + (wasm ? bytes(wasm) : 0);
    const gz = gzip(js) + (wasm ? gzip(wasm) : 0);
    rows.push({ label, raw, gz, detail: wasm ? `wasm ${gzip(wasm)} + JS ${gzip(js)}` : 'JS' });
    return gz;
  }

  const browser = entry('azconn browser entry (wasm + JS glue)',
    bundle('browser', `export * from ${JSON.stringify(join(pkg, 'browser.js'))};`),
    join(pkg, 'gen/browser/azconn_bg.wasm'));
  // azconn/forms: the forms module on import, the certificate module (and its glue, which
  // esbuild splits into its own chunk) only on loadCertificates().
  const formsDir = join(tmp, 'forms');
  run(esbuild, [join(pkg, 'forms.js'), '--bundle', '--minify', '--splitting', '--format=esm',
    '--platform=browser', '--target=es2022', '--loader:.wasm=file', `--outdir=${formsDir}`,
    '--entry-names=[name]', '--chunk-names=chunk-[hash]', '--log-level=error']);
  const formsJs = join(formsDir, 'forms.js');
  const text = (chunk) => readFileSync(join(formsDir, chunk), 'utf8');
  /** `chunk` and every chunk it imports statically, transitively (what loads with it). */
  const withImports = (chunk, into = new Set()) => {
    if (into.has(chunk)) return into;
    into.add(chunk);
    for (const m of text(chunk).matchAll(/(?:from|import)\s*"\.\/(chunk-[^"(]+)"/g)) withImports(m[1], into);
    return into;
  };
  /** The chunks in `set` as one file, for one gzip (what a browser fetches for them). */
  const joined = (name, set) => {
    const file = join(formsDir, name);
    writeFileSync(file, Buffer.concat([...set].map((c) => readFileSync(join(formsDir, c)))));
    return file;
  };
  // What forms.js imports statically loads with it; a dynamic import's chunk (a certificate
  // module's glue) and what it imports beyond that, only on loadCertificates().
  const initial = withImports('forms.js');
  const formsInitial = entry('azconn/forms on import (forms wasm + JS)', joined('initial.js', initial),
    join(pkg, 'gen/forms/azconn_bg.wasm'));
  const onDemandJs = [...text('forms.js').matchAll(/import\("\.\/(chunk-[^"]+)"\)/g)].map((m, k) =>
    joined(`on-demand-${k}.js`, [...withImports(m[1])].filter((c) => !initial.has(c))));
  // The two certificate glues (default and PFX module) are chunks of the same size within a
  // few bytes; each module is counted with one of them (and the chunks both import).
  const [certificatesJs, pfxJs = certificatesJs] = onDemandJs;
  const onDemandRow = (label, wasm, js) => {
    const gz = gzip(wasm) + gzip(js);
    rows.push({ label, raw: bytes(wasm) + bytes(js), gz, detail: `wasm ${gzip(wasm)} + JS ${gzip(js)}` });
    return gz;
  };
  const onDemand = onDemandRow('azconn/forms loadCertificates() certificates on demand (certificate wasm + JS chunk: PEM/DER, PKCS#8, PKCS#1, encrypted PKCS#8; no PFX)',
    join(pkg, 'gen/certificates/azconn_bg.wasm'), certificatesJs);
  onDemandRow('azconn/forms loadCertificates({pfx: true}) PFX module instead (PKCS#12 with AES, 3DES, RC2)',
    join(pkg, 'gen/certificates-pfx/azconn_bg.wasm'), pfxJs);
  const full = entry('azconn full entry (web build: wasm + JS glue)',
    bundle('full', `export * from ${JSON.stringify(join(pkg, 'web.js'))};`),
    join(pkg, 'gen/web/azconn_bg.wasm'));
  const server = join(pkg, 'gen/server/azconn_bg.wasm');
  rows.push({ label: 'azconn server module (Node / workerd, speed profile: opt-level 3, wasm-opt -O3)', raw: bytes(server), gz: gzip(server), detail: 'wasm' });
  const abi = process.env.AZCONN_ABI_WASM ?? join(root, 'target/azconn_abi.wasm');
  rows.push({ label: 'azconn abi module (wasm-opt -Oz, no glue)', raw: bytes(abi), gz: gzip(abi), detail: 'wasm' });
  const worker = join(root, 'host/build/index.js');
  if (existsSync(worker)) {
    const wasm = join(root, 'host/build/index_bg.wasm');
    entry('azconn Worker bundle', worker, existsSync(wasm) ? wasm : undefined);
  }
  const msal = entry('@azure/msal-browser (PublicClientApplication)',
    bundle('msal', `export { PublicClientApplication } from '@azure/msal-browser';`));
  const oauth4 = entry('oauth4webapi (whole)', bundle('oauth4webapi', `export * from 'oauth4webapi';`));
  const jose = entry('jose (whole)', bundle('jose', `export * from 'jose';`));
  rmSync(tmp, { recursive: true, force: true });

  const kb = (n) => (n / 1024).toFixed(1);
  const ratio = (a, b) => (a / b).toFixed(2);
  const fuel = run(process.env.CARGO ?? 'cargo', ['run', '-q', '-p', 'azconn-abi-conformance', '--bin', 'fuel']).toString().trimEnd();
  const markdown = [
    'Sizes are deterministic for a given build (no spread). Peers bundled with esbuild --bundle --minify in the same run.',
    '',
    table(['artifact', 'bytes', 'gzip -9', 'KB gz', 'parts (gz bytes)'],
      rows.map((r) => [r.label, r.raw, r.gz, kb(r.gz), r.detail]), ['---', '---:', '---:', '---:', '---']),
    '',
    `Targets: browser entry <= 40 KB gz (${kb(browser)} KB: ${browser <= 40 * 1024 ? 'met' : `**missed** by ${kb(browser - 40 * 1024)} KB`}; ` +
      `azconn/forms <= 30 KB gz on import (${kb(formsInitial)} KB: ${formsInitial <= 30 * 1024 ? 'met' : `**missed** by ${kb(formsInitial - 30 * 1024)} KB`}), ` +
      `certificates <= 25 KB gz more (${kb(onDemand)} KB: ${onDemand <= 25 * 1024 ? 'met' : `**missed** by ${kb(onDemand - 25 * 1024)} KB`}), ` +
      `full entry <= 120 KB gz (${kb(full)} KB: ${full <= 120 * 1024 ? 'met' : `**missed** by ${kb(full - 120 * 1024)} KB`}).`,
    '',
    `Ratios: browser entry / msal-browser = ${ratio(browser, msal)}; ` +
      `browser entry / (oauth4webapi + jose) = ${ratio(browser, oauth4 + jose)}; ` +
      `full entry / msal-browser = ${ratio(full, msal)}.`,
    '',
    '### Where the forms module\'s bytes go (biggest functions, name section of the -Oz build)',
    '',
    topFunctions(join(root, 'target/azconn-sizes/forms.wasm')),
    '',
    '### Where the certificate module\'s bytes go (loadCertificates(), name section of the -Oz build)',
    '',
    topFunctions(join(root, 'target/azconn-sizes/certificates.wasm')),
    '',
    '### wasmtime fuel per abi operation (first passing golden vector of each op; deterministic)',
    '',
    fuel,
  ].join('\n');
  return { markdown, rows, browser, formsInitial, onDemand, full, msal, fuel };
}

/** The biggest function bodies of a wasm module by its name section, grouped by crate too. */
export function topFunctions(file, n = 15) {
  if (!existsSync(file)) return `(${file} missing: make pkg keeps it)`;
  const r = new WasmCursor(readFileSync(file));
  let imported = 0;
  const bodies = [];
  const names = new Map();
  let data = 0;
  while (!r.done) {
    const id = r.byte();
    const size = r.uleb();
    const end = r.at + size;
    if (id === 2) {
      for (let k = r.uleb(); k > 0; k--) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) { r.uleb(); imported++; }
        else if (kind === 1) { r.byte(); const f = r.byte(); r.uleb(); if (f & 1) r.uleb(); }
        else if (kind === 2) { const f = r.byte(); r.uleb(); if (f & 1) r.uleb(); }
        else if (kind === 3) r.at += 2;
        else if (kind === 4) { r.byte(); r.uleb(); }
      }
    } else if (id === 10) {
      for (let k = r.uleb(); k > 0; k--) {
        const start = r.at;
        const len = r.uleb();
        r.at += len;
        bodies.push(r.at - start);
      }
    } else if (id === 11) data = size;
    else if (id === 0 && r.name() === 'name') {
      while (r.at < end) {
        const sub = r.byte();
        const subEnd = r.uleb() + r.at;
        if (sub === 1) for (let k = r.uleb(); k > 0; k--) { const idx = r.uleb(); names.set(idx, r.name()); }
        r.at = subEnd;
      }
    }
    r.at = end;
  }
  const fns = bodies.map((size, k) => ({ size, name: names.get(k + imported) ?? `func ${k + imported}` }));
  const code = fns.reduce((a, f) => a + f.size, 0);
  const crate = (nm) => {
    const legacy = /^_ZN(?:\d+_\$LT\$)?(\d+)([a-z_0-9]+)/.exec(nm);
    if (legacy) return legacy[2].slice(0, Number(legacy[1]));
    const v0 = /^_R\w*?Cs\w+?_(\d+)([a-z_0-9]+)/.exec(nm);
    if (v0) return v0[2].slice(0, Number(v0[1]));
    return /^[a-zA-Z]+_[0-9a-f]{16}$/.test(nm) ? 'exports (inlined shims)' : 'other';
  };
  const byCrate = new Map();
  for (const f of fns) byCrate.set(crate(f.name), (byCrate.get(crate(f.name)) ?? 0) + f.size);
  return [
    `Code ${code} B in ${fns.length} functions, data ${data} B.`,
    '',
    table(['crate', 'code bytes'], [...byCrate].sort((x, y) => y[1] - x[1]).slice(0, 10), ['---', '---:']),
    '',
    table(['function', 'bytes'], fns.sort((x, y) => y.size - x.size).slice(0, n).map((f) => [`\`${f.name.slice(0, 90)}\``, f.size]), ['---', '---:']),
  ].join('\n');
}
