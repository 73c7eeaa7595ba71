// The package's `worker` entry in workerd: a small Worker imports `azconn` by name (resolved
// with wrangler's conditions, so the `workerd` export: the speed module instantiated from its
// compiled WebAssembly.Module) and answers every golden vector through the typed exports (the
// tables in typed.mjs), under `wrangler dev` on a free loopback port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typed, server, typedError } from './typed.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = fileURLToPath(new URL('..', import.meta.url));
const vectorsDir = join(root, 'tests/vectors/');
const cases = readdirSync(vectorsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(readFileSync(vectorsDir + f, 'utf8')).cases);

const worker = `import * as azconn from 'azconn';
import { typed, server } from ${JSON.stringify(join(pkg, 'test/typed.mjs'))};

const answer = (fn) => {
  try { return { ok: fn() }; }
  catch (e) { return { error: { name: e.name, code: e.code, field: e.field, message: e.message, hint: e.hint } }; }
};

export default {
  async fetch(request) {
    const cases = await request.json();
    const answers = cases.map((c) => answer(() => (typed[c.op] ?? server[c.op])(azconn, c.input)));
    const credential = azconn.Credential.load(cases.find((c) => c.op === 'cert.inspect').input.credential, 1900000000);
    const jws = await credential.signAssertion({ tenantId: 'contoso.onmicrosoft.com', clientId: '11111111-2222-4333-8444-555555555555', now: 1900000000 });
    credential.free();
    return Response.json({ answers, jws, call: typeof azconn.call });
  },
};
`;

const freePort = () => new Promise((ok, fail) => {
  const s = createServer();
  s.on('error', fail);
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => ok(port));
  });
});

test('the worker entry answers every vector in workerd (wrangler dev)', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'azconn-workerd-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(pkg, join(dir, 'node_modules/azconn'), 'dir');
  writeFileSync(join(dir, 'worker.mjs'), worker);
  writeFileSync(join(dir, 'wrangler.toml'), 'name = "azconn-vectors"\nmain = "worker.mjs"\ncompatibility_date = "2025-09-01"\n');
  const port = await freePort();
  const child = spawn(join(root, 'node_modules/.bin/node'), [join(root, 'node_modules/.bin/wrangler'), 'dev', '--local',
    '--ip', '127.0.0.1', '--port', String(port), '--config', join(dir, 'wrangler.toml')],
  { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' } });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  try {
    const end = Date.now() + 120_000;
    while (!log.includes('Ready on') && child.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    assert.ok(log.includes('Ready on'), `wrangler dev did not start:\n${log}`);
    let res;
    for (let i = 0; i < 100 && !res; i++) {
      try {
        res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(cases.map((c) => ({ op: c.op, input: c.input }))) });
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    assert.equal(res?.status, 200, log);
    const { answers, jws, call } = await res.json();
    assert.equal(call, 'undefined');
    assert.equal(answers.length, cases.length);
    assert.ok(cases.length > 200);
    cases.forEach((c, i) => {
      assert.ok(typed[c.op] || server[c.op], c.op);
      const a = answers[i];
      if (c.expect !== undefined) {
        assert.deepEqual(a.ok, c.expect, `${c.name}: ${JSON.stringify(a.error)}`);
      } else {
        assert.equal(a.error?.name, 'AzconnError', c.name);
        for (const [k, v] of Object.entries(typedError(c))) assert.deepEqual(a.error[k], v, `${c.name}: ${k}`);
      }
    });
    assert.equal(jws.split('.').length, 3);
  } finally {
    await new Promise((r) => {
      if (child.exitCode !== null) return r();
      child.once('exit', r);
      process.kill(-child.pid, 'SIGTERM');
      setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000).unref();
    });
    rmSync(dir, { recursive: true, force: true });
  }
});
