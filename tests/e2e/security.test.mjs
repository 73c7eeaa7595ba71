// Web security of the Worker: headers, cookies, CORS, CSRF, rate limits, hashed tokens, no open
// redirect, and a store endpoint that can never receive a token for another host.
// Two Workers share one emulator: the loopback one (http, low rate limits) and a "deployed" one
// (SITE_URL https, a CORS allow-list, no OAuth app for App Configuration).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AZCONN_APP, AZCONN_SECRET, TENANT, apiClient, cloudOf, freePort, setup, signIn, startWorker,
} from './harness.mjs';

const CS = '/api/v1/app-connections/azure-client-secrets';
const AC = '/api/v1/app-connections/azure-app-configuration';
const CALLBACK = '/organization/app-connections/azure/oauth/callback';
const SITE = 'https://azconn.example.com';
const ALLOWED = 'https://app.example.com';
const sha256 = (s) => createHash('sha256').update(s).digest('hex');

let env;
let prod;
let redirector;
let prodDir;
let capture;
const captured = [];
let ipSeq = 0;
/** A fresh client address: each test counts in its own IP buckets. */
const newIp = () => `198.51.100.${++ipSeq}`;

/** A server on 127.0.0.1, port 0; resolves with the server and its port. */
function listen(handler) {
  return new Promise((ok) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => ok({ server, port: server.address().port }));
  });
}

before(async () => {
  // Where a redirecting "store" would send the request, and the store that redirects there.
  capture = await listen((req, res) => {
    captured.push({ url: req.url, authorization: req.headers.authorization ?? null });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
  });
  redirector = await listen((req, res) => {
    res.writeHead(307, { location: `http://127.0.0.1:${capture.port}${req.url}` }).end();
  });
  env = await setup({
    vars: (emulator) => ({
      AZCONN_CLOUD: JSON.stringify({
        ...cloudOf(emulator),
        appConfigurationHosts: [...cloudOf(emulator).appConfigurationHosts, `127.0.0.1:${redirector.port}`],
      }),
      AZCONN_RATE_LIMIT_SIGN_IN: '3/3600',
      AZCONN_RATE_LIMIT_OAUTH_START: '3/3600',
      AZCONN_RATE_LIMIT_TOKEN: '4/3600',
    }),
  });
  prodDir = mkdtempSync(join(tmpdir(), 'azconn-e2e-prod-'));
  prod = await startWorker({
    port: await freePort(),
    dir: prodDir,
    vars: {
      SITE_URL: SITE,
      AZCONN_CLOUD: JSON.stringify(cloudOf(env.emulator)),
      AZCONN_ENCRYPTION_KEYS: env.vars.AZCONN_ENCRYPTION_KEYS,
      AZCONN_BOOTSTRAP_TOKEN: env.bootstrap,
      AZCONN_CORS_ORIGINS: ALLOWED,
      INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_ID: AZCONN_APP,
      INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_SECRET: AZCONN_SECRET,
    },
  });
});

after(async () => {
  await prod?.stop();
  if (prodDir) rmSync(prodDir, { recursive: true, force: true });
  await env?.stop();
  redirector?.server.close();
  capture?.server.close();
});

/** A request to the deployed-like Worker. */
const prodApi = apiClient(() => prod.base);

/** An organization on the deployed-like Worker (its own D1). */
async function prodOrg(name) {
  const r = await prodApi('POST', '/api/v1/organizations', { token: env.bootstrap, body: { name } });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.organization.id, token: r.json.token.value };
}

const secretForm = (name, extra = {}) => ({
  name, method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET, ...extra,
});

function assertSecurityHeaders(r, { html = false } = {}) {
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /^default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.match(r.headers.get('content-type'), html ? /^text\/html/ : /^application\/json/);
}

async function signInCookie(token, headers = {}) {
  const r = await env.api('POST', '/api/v1/sessions', { body: { token }, headers: { 'cf-connecting-ip': newIp(), ...headers } });
  assert.equal(r.status, 200, r.text);
  return { cookie: r.headers.get('set-cookie'), value: r.headers.get('set-cookie').split(';')[0] };
}

describe('security headers', () => {
  test('every API answer: nosniff, CSP frame-ancestors none, no-referrer, no-store; no HSTS on http', async () => {
    const org = await env.newOrg('headers');
    for (const r of [
      await env.api('GET', '/api/v1/health'),
      await env.api('GET', CS, { token: org.token }),
      await env.api('GET', CS),
      await env.api('GET', '/api/v1/nope', { token: org.token }),
      await env.api('POST', CS, { token: org.token, body: { name: '' } }),
    ]) {
      assertSecurityHeaders(r);
      assert.equal(r.headers.get('strict-transport-security'), null);
    }
  });

  test('HSTS when SITE_URL is https', async () => {
    for (const r of [await prodApi('GET', '/api/v1/health'), await prodApi('GET', CS)]) {
      assertSecurityHeaders(r);
      assert.equal(r.headers.get('strict-transport-security'), 'max-age=63072000; includeSubDomains');
    }
  });

  test('the OAuth callback page: no-referrer (the code never leaks via Referer), no-store, CSP', async () => {
    const r = await env.api('GET', `${CALLBACK}?code=secret-code&state=${'a'.repeat(43)}`);
    assert.equal(r.status, 400);
    assertSecurityHeaders(r, { html: true });
    assert.equal(r.headers.get('location'), null);
  });
});

describe('cookies', () => {
  test('session cookie: HttpOnly, SameSite=Lax, no Secure on loopback; Secure on https', async () => {
    const org = await env.newOrg('cookies');
    const { cookie } = await signInCookie(org.token);
    assert.match(cookie, /^azconn_session=[^;]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    const r = await prodApi('POST', '/api/v1/sessions', { body: { token: (await prodOrg('cookies')).token } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('set-cookie'), /; HttpOnly; SameSite=Lax; Secure$/);
  });

  test('OAuth browser-binding cookie: HttpOnly, SameSite=Lax, callback path; Secure on https', async () => {
    const org = await env.newOrg('oauth-cookie');
    const r = await env.api('POST', `${CS}/oauth/start`, { token: org.token, body: { name: 'c1' }, headers: { 'cf-connecting-ip': newIp() } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('set-cookie'), new RegExp(`^azconn_oauth=[0-9a-f]{64}; Path=${CALLBACK}; Max-Age=600; HttpOnly; SameSite=Lax$`));
    const p = await prodApi('POST', `${CS}/oauth/start`, { token: (await prodOrg('oauth-cookie')).token, body: { name: 'c1' } });
    assert.equal(p.status, 200, p.text);
    assert.match(p.headers.get('set-cookie'), /; HttpOnly; SameSite=Lax; Secure$/);
    assert.equal(p.json.redirectUri, `${SITE}${CALLBACK}`);
  });
});

describe('CORS', () => {
  test('closed by default: preflight refused, no Access-Control-Allow-Origin', async () => {
    const org = await env.newOrg('cors');
    const pre = await env.api('OPTIONS', CS, { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 403);
    assert.equal(pre.json.error.code, 'cross-origin');
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const same = await env.api('OPTIONS', CS, { headers: { origin: env.vars.SITE_URL, 'access-control-request-method': 'POST' } });
    assert.equal(same.status, 403);
    const get = await env.api('GET', CS, { token: org.token, headers: { origin: 'https://evil.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });

  test('an allow-listed origin gets CORS for Bearer calls, never credentials', async () => {
    const org = await prodOrg('cors-allowed');
    const pre = await prodApi('OPTIONS', CS, { headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization, content-type');
    assert.equal(pre.headers.get('access-control-allow-credentials'), null);
    const other = await prodApi('OPTIONS', CS, { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const get = await prodApi('GET', CS, { token: org.token, headers: { origin: ALLOWED } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(get.headers.get('vary'), /Origin/);
    assert.equal(get.headers.get('access-control-allow-credentials'), null);
    const evil = await prodApi('GET', CS, { token: org.token, headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });
});

describe('CSRF on cookie-authenticated writes', () => {
  let session;
  before(async () => {
    const org = await env.newOrg('csrf');
    session = (await signInCookie(org.token)).value;
  });
  const write = (headers) => env.api('POST', CS, { body: { name: '' }, headers: { cookie: session, ...headers } });

  test('refused without Origin, with Origin null, from another origin, and cross-site by Fetch Metadata', async () => {
    for (const headers of [
      {},
      { origin: 'null' },
      { origin: 'https://evil.example' },
      { origin: env.vars.SITE_URL.replace('127.0.0.1', 'localhost') },
      { origin: env.vars.SITE_URL, 'sec-fetch-site': 'cross-site' },
      { origin: env.vars.SITE_URL, 'sec-fetch-site': 'same-site' },
    ]) {
      const r = await write(headers);
      assert.equal(r.status, 403, JSON.stringify(headers));
      assert.equal(r.json.error.code, 'cross-origin');
    }
  });

  test('allowed from the site itself; reads need no Origin', async () => {
    const r = await write({ origin: env.vars.SITE_URL, 'sec-fetch-site': 'same-origin' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'name');
    const noFetchMetadata = await write({ origin: env.vars.SITE_URL });
    assert.equal(noFetchMetadata.status, 400, noFetchMetadata.text);
    const read = await env.api('GET', CS, { headers: { cookie: session } });
    assert.equal(read.status, 200);
  });

  test('sign-in from another site is refused (no login CSRF)', async () => {
    const org = await env.newOrg('login-csrf');
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }]) {
      const r = await env.api('POST', '/api/v1/sessions', { body: { token: org.token }, headers: { 'cf-connecting-ip': newIp(), ...headers } });
      assert.equal(r.status, 403, JSON.stringify(headers));
      assert.equal(r.json.error.code, 'cross-origin');
      assert.equal(r.headers.get('set-cookie'), null);
    }
    await signInCookie(org.token, { origin: env.vars.SITE_URL, 'sec-fetch-site': 'same-origin' });
  });
});

describe('rate limits', () => {
  function assertLimited(r) {
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.error.code, 'rate-limited');
    const after = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(after) && after >= 1 && after <= 3600, `Retry-After ${after}`);
    assertSecurityHeaders(r);
  }

  test('sign-in per IP: the fourth attempt within the window is 429; another IP is not limited', async () => {
    const ip = newIp();
    for (let i = 0; i < 3; i++) {
      const r = await env.api('POST', '/api/v1/sessions', { body: { token: `azc_wrong${i}` }, headers: { 'cf-connecting-ip': ip } });
      assert.equal(r.status, 401, r.text);
    }
    assertLimited(await env.api('POST', '/api/v1/sessions', { body: { token: 'azc_wrong3' }, headers: { 'cf-connecting-ip': ip } }));
    const other = await env.api('POST', '/api/v1/sessions', { body: { token: 'azc_wrong3' }, headers: { 'cf-connecting-ip': newIp() } });
    assert.equal(other.status, 401);
  });

  test('sign-in per token: one token tried from many IPs', async () => {
    const org = await env.newOrg('signin-token');
    for (let i = 0; i < 3; i++) await signInCookie(org.token);
    assertLimited(await env.api('POST', '/api/v1/sessions', { body: { token: org.token }, headers: { 'cf-connecting-ip': newIp() } }));
  });

  test('OAuth start per token and per IP', async () => {
    const a = await env.newOrg('start-a');
    const b = await env.newOrg('start-b');
    const start = (org, ip) => env.api('POST', `${CS}/oauth/start`, { token: org.token, body: { name: 'x' }, headers: { 'cf-connecting-ip': ip } });
    for (let i = 0; i < 3; i++) assert.equal((await start(a, newIp())).status, 200);
    assertLimited(await start(a, newIp()));
    const ip = newIp();
    for (let i = 0; i < 3; i++) {
      const org = await env.newOrg(`start-ip-${i}`);
      assert.equal((await start(org, ip)).status, 200);
    }
    assertLimited(await start(b, ip));
  });

  test('token endpoint per token and per IP', async () => {
    const a = await env.newOrg('token-a');
    const b = await env.newOrg('token-b');
    const conn = async (org) => {
      const r = await env.api('POST', CS, { token: org.token, body: secretForm('graph') });
      assert.equal(r.status, 201, r.text);
      return r.json.appConnection.id;
    };
    const ca = await conn(a);
    const cb = await conn(b);
    const token = (org, id, ip) => env.api('POST', `${CS}/${id}/token`, { token: org.token, headers: { 'cf-connecting-ip': ip } });
    for (let i = 0; i < 4; i++) assert.equal((await token(a, ca, newIp())).status, 200);
    assertLimited(await token(a, ca, newIp()));
    const ip = newIp();
    for (let i = 0; i < 4; i++) assert.equal((await token(b, cb, ip)).status, i < 4 ? 200 : 429);
    const c = await env.newOrg('token-c');
    const cc = await conn(c);
    assertLimited(await token(c, cc, ip));
    assert.equal((await token(c, cc, newIp())).status, 200);
  });
});

describe('tokens at rest', () => {
  test('API tokens and sessions are stored as SHA-256 only; the bootstrap token is not accepted by prefix or case', async () => {
    const org = await env.newOrg('hashed');
    const { value } = await signInCookie(org.token);
    const session = value.split('=')[1];
    for (const wrong of [env.bootstrap.slice(0, -1), env.bootstrap.toUpperCase(), `${env.bootstrap}x`]) {
      const r = await env.api('POST', '/api/v1/organizations', { token: wrong, body: { name: 'nope' } });
      assert.equal(r.status, 401);
    }
    const tokens = await env.d1('SELECT * FROM api_tokens');
    const sessions = await env.d1('SELECT * FROM sessions');
    const dump = JSON.stringify(tokens) + JSON.stringify(sessions);
    assert.ok(!dump.includes(org.token), 'an API token is stored in clear');
    assert.ok(!dump.includes(session), 'a session is stored in clear');
    assert.ok(tokens.some((t) => t.token_hash === sha256(org.token)));
    assert.ok(sessions.some((s) => s.id_hash === sha256(session)));
  });
});

describe('no open redirect after the OAuth callback', () => {
  test('a completed sign-in goes to the fixed page whatever the callback carries', async () => {
    const org = await env.newOrg('redirect');
    const start = await env.api('POST', `${CS}/oauth/start`, { token: org.token, body: { name: 'via-oauth' }, headers: { 'cf-connecting-ip': newIp() } });
    assert.equal(start.status, 200, start.text);
    const browser = start.headers.get('set-cookie').split(';')[0];
    const { callback } = await signIn(start.json.url);
    const crafted = new URL(callback);
    for (const [k, v] of [['redirect_uri', 'https://evil.example/'], ['returnUrl', 'https://evil.example/x'], ['next', '//evil.example'], ['redirect', '/\\evil.example']]) {
      crafted.searchParams.set(k, v);
    }
    const r = await fetch(crafted, { redirect: 'manual', headers: { cookie: browser } });
    assert.equal(r.status, 302, await r.text());
    const location = r.headers.get('location');
    assert.match(location, new RegExp(`^${env.vars.SITE_URL}/organization/app-connections\\?created=[0-9a-f]{32}$`));
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  test('crafted state or parameters never redirect', async () => {
    for (const q of [
      'state=https%3A%2F%2Fevil.example&code=x',
      `state=${'b'.repeat(43)}&code=x&redirect_uri=https%3A%2F%2Fevil.example`,
      'error=access_denied&state=x&error_uri=https%3A%2F%2Fevil.example',
      'returnUrl=https%3A%2F%2Fevil.example',
    ]) {
      const r = await env.api('GET', `${CALLBACK}?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.headers.get('location'), null, q);
      assert.ok(!r.text.includes('evil.example'), q);
    }
  });
});

describe('App Configuration endpoints cannot receive a token for another host', () => {
  test('an endpoint outside the cloud\'s App Configuration hosts is refused before any Azure call', async () => {
    const org = await env.newOrg('endpoints');
    await env.admin('DELETE', '/requests');
    for (const endpoint of [
      'https://evil.example',
      env.emulator.entra,
      `${env.emulator.stores.demo}.evil.example`,
      `http://user@${new URL(env.emulator.stores.demo).host}`,
      `${env.emulator.stores.demo}/path`,
    ]) {
      const r = await env.api('POST', AC, { token: org.token, body: secretForm('store', { endpoint }) });
      assert.equal(r.status, 400, `${endpoint}: ${r.text}`);
      assert.equal(r.json.error.field, 'endpoint', endpoint);
      // Each start counts against its token's rate limit: one organization per attempt.
      const starter = await env.newOrg('endpoint-start');
      const s = await env.api('POST', `${AC}/oauth/start`, { token: starter.token, body: { name: 'store', endpoint }, headers: { 'cf-connecting-ip': newIp() } });
      assert.equal(s.status, 400, `${endpoint}: ${s.text}`);
    }
    assert.equal((await env.admin('GET', '/requests')).requests.length, 0);
    const host = (await env.api('POST', AC, { token: org.token, body: secretForm('store', { endpoint: 'https://evil.example' }) })).json.error;
    assert.equal(host.code, 'host-not-allowed');
    // A sync cannot point an existing connection elsewhere either.
    const c = await env.api('POST', AC, { token: org.token, body: secretForm('good', { endpoint: env.emulator.stores.demo }) });
    assert.equal(c.status, 201, c.text);
    const sync = await env.api('POST', '/api/v1/secret-syncs/azure-app-configuration', {
      token: org.token, body: { connectionId: c.json.appConnection.id, endpoint: 'https://evil.example', label: 'x' },
    });
    assert.equal(sync.status, 400, sync.text);
    assert.equal(sync.json.error.code, 'host-not-allowed');
  });

  test('a store that redirects does not get the token replayed to the redirect target', async () => {
    const org = await env.newOrg('redirecting-store');
    const r = await env.api('POST', AC, { token: org.token, body: secretForm('redirecting', { endpoint: `http://127.0.0.1:${redirector.port}` }) });
    assert.notEqual(r.status, 201, r.text);
    assert.deepEqual(captured, [], 'the redirect was followed');
    assert.equal((await env.api('GET', AC, { token: org.token })).json.appConnections.length, 0);
  });
});

describe('Graph tokens stay on Graph', () => {
  test('a nextLink on another host is refused before the token is sent', async () => {
    const org = await env.newOrg('next-link');
    const c = await env.api('POST', CS, { token: org.token, body: secretForm('graph') });
    assert.equal(c.status, 201, c.text);
    for (const next of [
      `http://127.0.0.1:${capture.port}/v1.0/applications?$skiptoken=x`,
      `http://127.0.0.1:${redirector.port}/v1.0/applications`,
      'https://evil.example/v1.0/applications',
      '//evil.example/v1.0/applications',
    ]) {
      const r = await env.api('GET', `${CS}/${c.json.appConnection.id}/clients?next=${encodeURIComponent(next)}`, { token: org.token });
      assert.equal(r.status, 400, `${next}: ${r.text}`);
    }
    assert.deepEqual(captured, []);
  });
});

describe('not configured', () => {
  test('OAuth for App Configuration unset: 503 naming the setting; client-secret connections still work', async () => {
    const org = await prodOrg('unconfigured');
    const r = await prodApi('POST', `${AC}/oauth/start`, { token: org.token, body: { name: 'store' } });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'not-configured');
    assert.equal(r.json.error.field, 'INF_APP_CONNECTION_AZURE_APP_CONFIGURATION_CLIENT_ID');
    assert.equal(r.json.error.message, 'Azure OAuth for App Configuration is not configured: set INF_APP_CONNECTION_AZURE_APP_CONFIGURATION_CLIENT_ID');
    assert.equal(r.headers.get('set-cookie'), null);
    const c = await prodApi('POST', AC, { token: org.token, body: secretForm('store', { endpoint: env.emulator.stores.demo }) });
    assert.equal(c.status, 201, c.text);
    const t = await prodApi('POST', `${AC}/${c.json.appConnection.id}/token`, { token: org.token });
    assert.equal(t.status, 200, t.text);
  });
});
