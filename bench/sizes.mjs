// Sizes: gzipped sizes (gzip -9) of azconn's entries beside peers bundled in the same run with
// esbuild --bundle --minify, and the wasmtime fuel per abi operation (deterministic).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const full = entry('azconn full entry (web build: wasm + JS glue)',
    bundle('full', `export * from ${JSON.stringify(join(pkg, 'web.js'))};`),
    join(pkg, 'gen/web/azconn_bg.wasm'));
  const abi = join(root, 'target/wasm32-unknown-unknown/release/azconn_abi.wasm');
  rows.push({ label: 'azconn abi module (no glue)', raw: bytes(abi), gz: gzip(abi), detail: 'wasm' });
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
    `Targets: browser entry <= 40 KB gz (${kb(browser)} KB: ${browser <= 40 * 1024 ? 'met' : `**missed** by ${kb(browser - 40 * 1024)} KB`}), ` +
      `full entry <= 120 KB gz (${kb(full)} KB: ${full <= 120 * 1024 ? 'met' : `**missed** by ${kb(full - 120 * 1024)} KB`}).`,
    '',
    `Ratios: browser entry / msal-browser = ${ratio(browser, msal)}; ` +
      `browser entry / (oauth4webapi + jose) = ${ratio(browser, oauth4 + jose)}; ` +
      `full entry / msal-browser = ${ratio(full, msal)}.`,
    '',
    '### wasmtime fuel per abi operation (first passing golden vector of each op; deterministic)',
    '',
    fuel,
  ].join('\n');
  return { markdown, browser, full, msal, fuel };
}
