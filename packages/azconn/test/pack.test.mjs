// The packed tarball works outside the workspace: `npm pack`, `npm install ./azconn-x.y.z.tgz`
// in a scratch Node project (imported by name), and a scratch Vite project building with it
// (which must pick the browser entry and emit its wasm as an asset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'azconn-pack-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const npm = (args, cwd) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);
const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
const tarball = join(dir, `azconn-${version}.tgz`);

function project(name, files) {
  const at = join(dir, name);
  mkdirSync(at);
  writeFileSync(join(at, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(at, file), text);
  npm(['install', tarball], at);
  return at;
}

test('npm pack holds the entries, their types and the seven wasm builds with their generated types', () => {
  const out = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], pkg));
  const files = out[0].files.map((f) => f.path).sort();
  for (const f of ['browser.js', 'browser.d.ts', 'forms.js', 'forms.d.ts', 'index.d.ts', 'node.js', 'worker.js',
    'web.js', 'bundler.js', 'values.js', 'values.d.ts',
    ...['forms', 'tokens', 'certificates', 'assertion', 'server'].map((f) => `values/${f}.js`),
    ...['browser', 'forms', 'certificates', 'certificates-pfx', 'web', 'server', 'bundler'].flatMap((d) =>
      [`gen/${d}/azconn_bg.wasm`, `gen/${d}/azconn.js`, `gen/${d}/azconn.d.ts`])]) {
    assert.ok(files.includes(f), `${f} missing from the tarball`);
  }
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('scripts/')));
  assert.ok(statSync(tarball).isFile());
});

test('a scratch Node project installs the tarball and uses it by name', () => {
  const at = project('node-app', {
    'main.js': `import { pkceChallenge, validateForm, graphMe, AzconnError } from 'azconn';
      const pkce = pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
      const form = validateForm({ name: 'Bad Name' });
      let code = null;
      try { graphMe({ token: '' }); } catch (e) { code = e instanceof AzconnError ? e.code : 'untyped'; }
      console.log(JSON.stringify({ challenge: pkce.challenge, valid: form.valid, fields: form.errors.map((e) => e.field), code }));`,
  });
  const out = JSON.parse(run(process.execPath, ['main.js'], at));
  assert.equal(out.challenge, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  assert.equal(out.valid, false);
  assert.ok(out.fields.includes('name'));
  assert.ok(out.fields.includes('connectionType'));
  assert.equal(typeof out.code, 'string');
  assert.notEqual(out.code, 'untyped');
});

test('a scratch Vite project builds with the browser entry', () => {
  const at = project('vite-app', {
    'index.html': '<!doctype html><script type="module" src="/main.js"></script>',
    'main.js': `import { authorizeRequest } from 'azconn';
      const r = authorizeRequest({ clientId: '00000000-0000-0000-0000-0000000000aa',
        redirectUri: location.origin + '/callback', connectionType: 'azure-client-secrets' });
      document.body.textContent = r.url;`,
    // The entries instantiate the module with top-level await.
    'vite.config.js': 'export default { build: { target: "esnext" }, logLevel: "error" };',
  });
  run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], at);
  const assets = readdirSync(join(at, 'dist/assets'));
  const wasm = assets.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `assets: ${assets}`);
  const browserWasm = statSync(join(pkg, 'gen/browser/azconn_bg.wasm')).size;
  assert.equal(statSync(join(at, 'dist/assets', wasm[0])).size, browserWasm, 'not the browser build');
  assert.ok(assets.some((f) => f.endsWith('.js')));
});
