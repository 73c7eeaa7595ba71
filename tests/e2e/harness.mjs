// Starts the Azure emulator and `wrangler dev` (fresh local D1) for one e2e test file, and stops
// both by process group. Loopback only, free ports, bounded waits.
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkAnswer } from './openapi.mjs';

const execFileAsync = promisify(execFile);

export const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler');
const EMULATOR = join(ROOT, 'target/debug/azconn-emulator');

export const TENANT = '8c3a7e51-2f64-4b0e-9d1a-6f5e2c4b7a10';
export const AZCONN_APP = '6a1f0c2e-3b4d-4c5e-8f70-91a2b3c4d5e6';
export const AZCONN_SECRET = 'azc8Q~emulatorDemoSecret.DoNotUseInProd01';
export const AZCONN_SECRET_ID = '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
export const TARGET_APP = '7b2e1d3f-4c5e-4d6f-9a81-a2b3c4d5e6f7';
export const TARGET_SECRET = 'pay8Q~emulatorTargetSecret.DoNotUseInProd1';
/** A second app azconn's service principal owns, for suites that need two rotations in one
 * organization (one rotation per app): seeded only when `setup({ secondTarget: true })`. */
export const SECOND_APP = '8d3f2e4a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
export const SECOND_OBJECT = 'd4a6e8c0-2f3b-4a5c-9e7d-0fb1c2d3e4f5';
export const USER = '4f1d2c3b-5a69-4e7f-8b0c-1d2e3f4a5b6c';

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check, what, ms = 90_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = check();
    if (v) return v;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A self-signed RSA 2048 certificate and its PKCS#8 key (openssl CLI). */
export function makeCertificate(dir) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '30', '-subj', '/CN=azconn-e2e'], { stdio: 'ignore' });
  return { certificate: readFileSync(cert, 'utf8'), privateKey: readFileSync(key, 'utf8') };
}

/** The default seed, with the Worker's redirect URI and the test certificate on the azconn app. */
export function writeSeed(dir, { workerPort, certificate, secondTarget = false }) {
  const seed = JSON.parse(readFileSync(join(ROOT, 'crates/emulator/seed/default.json'), 'utf8'));
  seed.listen = '127.0.0.1:0';
  seed.signingKeyFile = join(ROOT, 'crates/emulator/seed/signing-key.pem');
  const app = seed.applications.find((a) => a.appId === AZCONN_APP);
  app.redirectUris = [`http://127.0.0.1:${workerPort}/organization/app-connections/azure/oauth/callback`];
  app.keyCredentials = [{
    keyId: '5d4c3b2a-1f0e-4d9c-8b7a-695847362514', displayName: 'e2e', certificatePem: certificate,
    startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2099-01-01T00:00:00Z',
  }];
  if (secondTarget) {
    seed.applications.push({
      id: SECOND_OBJECT, appId: SECOND_APP, tenantId: app.tenantId, displayName: 'billing-api (second rotation target)',
      servicePrincipalId: 'a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d', owners: [app.servicePrincipalId],
      passwordCredentials: [], appRoles: {}, delegatedScopes: {},
    });
  }
  for (const s of seed.stores) s.listen = '127.0.0.1:0';
  const path = join(dir, 'seed.json');
  writeFileSync(path, JSON.stringify(seed));
  return path;
}

function startProcess(cmd, args, opts) {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => { out.stdout += d; });
  child.stderr.on('data', (d) => { out.stderr += d; });
  return { child, out };
}

function stopGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', r);
    try { process.kill(-child.pid, 'SIGTERM'); } catch { r(); }
    setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000).unref();
  });
}

export async function startEmulator(seedPath) {
  const { child, out } = startProcess(EMULATOR, ['--seed', seedPath]);
  const line = await waitFor(() => out.stdout.split('\n').find((l) => l.startsWith('{')), 'the emulator ready line', 30_000);
  const ready = JSON.parse(line);
  return { ...ready, out, stop: () => stopGroup(child) };
}

/** The emulator as a custom cloud. */
export function cloudOf(emulator) {
  const store = new URL(emulator.stores.demo);
  return {
    kind: 'custom', authorityHost: emulator.entra, graphRoot: emulator.graph,
    graphAudience: 'https://graph.microsoft.com', armHost: emulator.entra,
    appConfigurationHosts: [store.host], appConfigurationAudience: 'https://appconfig.azure.com',
  };
}

export async function startWorker({ port, vars, dir }) {
  const persist = join(dir, 'state');
  const envFile = join(dir, 'worker.env');
  writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', AZCONN_SKIP_BUILD: '1' };
  execFileSync(NODE, [WRANGLER, 'd1', 'migrations', 'apply', 'azconn', '--local', '--persist-to', persist],
    { cwd: ROOT, env, stdio: 'ignore' });
  const { child, out } = startProcess(NODE, [WRANGLER, 'dev', '--local', '--ip', '127.0.0.1', '--port', String(port),
    '--persist-to', persist, '--env-file', envFile, '--test-scheduled'], { cwd: ROOT, env });
  await waitFor(() => out.stdout.includes('Ready on') || child.exitCode !== null, 'wrangler dev');
  if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${out.stdout}\n${out.stderr}`);
  const base = `http://127.0.0.1:${port}`;
  // The first request compiles the module: wait until the Worker answers.
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/api/v1/health`)).ok) break; } catch { /* starting */ }
    await sleep(200);
  }
  return { base, pid: child.pid, log: () => out.stdout + out.stderr, stop: () => stopGroup(child) };
}

/** A JSON client of the Worker at `base()` (a function: a restarted Worker has a new address).
 * Redirects are returned, not followed; `json` is null when the body is not JSON. Every JSON
 * answer under `/api/v1` is validated against host/openapi.json (a mismatch throws). */
export function apiClient(base) {
  return async (method, path, { token, body, headers = {} } = {}) => {
    const res = await fetch(base() + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    if (path.startsWith('/api/v1/') && (res.headers.get('content-type') || '').startsWith('application/json')) {
      checkAnswer(method, path, res.status, json);
    }
    return { status: res.status, json, text, headers: res.headers };
  };
}

/** Everything one test file needs: emulator + Worker + an API client. `vars` (an object, or a
 * function of the started emulator) override or, set to `undefined`, remove the Worker's settings. */
export async function setup({ vars: overrides = {}, secondTarget = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'azconn-e2e-'));
  const port = await freePort();
  const cert = makeCertificate(dir);
  const emulator = await startEmulator(writeSeed(dir, { workerPort: port, certificate: cert.certificate, secondTarget }));
  const bootstrap = 'boot-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  const vars = {
    SITE_URL: `http://127.0.0.1:${port}`,
    AZCONN_CLOUD: JSON.stringify(cloudOf(emulator)),
    AZCONN_ENCRYPTION_KEYS: '1:' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    AZCONN_BOOTSTRAP_TOKEN: bootstrap,
    INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_ID: AZCONN_APP,
    INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_SECRET: AZCONN_SECRET,
    INF_APP_CONNECTION_AZURE_CLIENT_ID: AZCONN_APP,
    INF_APP_CONNECTION_AZURE_CLIENT_SECRET: AZCONN_SECRET,
    // Rate limits high enough for every suite; tests/e2e/security.test.mjs sets low ones.
    AZCONN_RATE_LIMIT_SIGN_IN: '10000/60',
    AZCONN_RATE_LIMIT_OAUTH_START: '10000/60',
    AZCONN_RATE_LIMIT_TOKEN: '10000/60',
  };
  for (const [k, v] of Object.entries(typeof overrides === 'function' ? overrides(emulator) : overrides)) {
    if (v === undefined) delete vars[k];
    else vars[k] = v;
  }
  let worker;
  try {
    worker = await startWorker({ port, vars, dir });
  } catch (e) {
    await emulator.stop();
    throw e;
  }
  const logs = [];
  /** Stops `wrangler dev` and starts it again on the same port and local D1. */
  const restart = async () => {
    logs.push(worker.log());
    await worker.stop();
    worker = await startWorker({ port, vars, dir });
  };
  const api = apiClient(() => worker.base);
  const newOrg = async (name) => {
    const r = await api('POST', '/api/v1/organizations', { token: bootstrap, body: { name } });
    if (r.status !== 201) throw new Error(`cannot create an organization: ${r.text}`);
    return { id: r.json.organization.id, token: r.json.token.value };
  };
  const admin = async (method, path, body) => {
    const res = await fetch(emulator.admin + path, {
      method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  };
  /** Runs SQL on the Worker's local D1 (`wrangler d1 execute`): the rows of the statement.
   * Asynchronous, so idle keep-alive sockets the Worker closes meanwhile are noticed. */
  const d1 = async (sql) => {
    const { stdout } = await execFileAsync(NODE, [WRANGLER, 'd1', 'execute', 'azconn', '--local', '--persist-to', join(dir, 'state'),
      '--json', '--command', sql], {
      cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', AZCONN_SKIP_BUILD: '1' }, encoding: 'utf8',
    });
    return JSON.parse(stdout)[0].results;
  };
  return {
    dir, emulator, api, newOrg, admin, cert, vars, bootstrap, restart, d1,
    get worker() { return worker; },
    /** Every wrangler log of this file, restarts included. */
    workerLog: () => logs.join('') + worker.log(),
    /** Stops both servers and removes the directory (local D1, the Worker's secrets file). */
    stop: async () => {
      await worker.stop();
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Follows the emulator's sign-in page like a browser: returns the callback URL it redirects to. */
export async function signIn(authorizeUrl, { accept = true } = {}) {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  const action = html.match(/<form method="post" action="([^"]+)"/);
  const requestId = html.match(/name="request_id" value="([^"]+)"/);
  if (!action || !requestId) return { page: html, status: page.status };
  const target = new URL(action[1], authorizeUrl);
  const res = await fetch(target, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request_id: requestId[1], user: USER, action: accept ? 'accept' : 'cancel' }),
  });
  return { callback: res.headers.get('location'), status: res.status };
}
