// App connections end to end: wrangler dev + local D1 + the Azure emulator.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AZCONN_APP, AZCONN_SECRET, AZCONN_SECRET_ID, TARGET_APP, TARGET_SECRET, TENANT, USER, setup, signIn,
} from './harness.mjs';

const CS = '/api/v1/app-connections/azure-client-secrets';
const AC = '/api/v1/app-connections/azure-app-configuration';

let env;
let orgA;
let orgB;
const secrets = [AZCONN_SECRET, TARGET_SECRET];

before(async () => {
  env = await setup();
  orgA = await env.newOrg('org-a');
  orgB = await env.newOrg('org-b');
  secrets.push(env.cert.privateKey.split('\n').slice(1, 3).join(''));
});

after(async () => {
  await env?.stop();
});

const countOf = async (path, token) => (await env.api('GET', path, { token })).json.appConnections.length;

function assertNoSecret(text) {
  for (const s of secrets) assert.ok(!text.includes(s), `a secret leaked: ${s.slice(0, 6)}...`);
}

const base = (name, extra = {}) => ({
  name, method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET, ...extra,
});

describe('client secret connections', () => {
  test('created after a live check, listed without the secret', async () => {
    const r = await env.api('POST', CS, { token: orgA.token, body: base('graph-secret', { description: 'rotation' }) });
    assert.equal(r.status, 201, r.text);
    const c = r.json.appConnection;
    assert.equal(c.method, 'client-secret');
    assert.equal(c.type, 'azure-client-secrets');
    assert.equal(c.status, 'active');
    assert.equal(c.tenantId, TENANT);
    assert.equal(c.clientId, AZCONN_APP);
    assert.equal(c.credential.permission, 'Application.ReadWrite.OwnedBy');
    assertNoSecret(r.text);
    const list = await env.api('GET', CS, { token: orgA.token });
    assert.deepEqual(list.json.appConnections.map((x) => x.name), ['graph-secret']);
    assertNoSecret(list.text);
    const one = await env.api('GET', `${CS}/${c.id}`, { token: orgA.token });
    assert.equal(one.json.appConnection.id, c.id);
  });

  test('a duplicate name is refused', async () => {
    const r = await env.api('POST', CS, { token: orgA.token, body: base('graph-secret') });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'conflict');
    assert.equal(r.json.error.field, 'name');
  });

  test('a wrong secret is AADSTS7000215 on clientSecret, nothing stored', async () => {
    const before = await countOf(CS, orgA.token);
    const r = await env.api('POST', CS, { token: orgA.token, body: base('wrong', { clientSecret: 'azc8Q~thisIsNotTheRightSecretValue.000000' }) });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'token-request-failed');
    assert.equal(r.json.error.field, 'clientSecret');
    assert.match(r.json.error.message, /7000215/);
    assert.match(r.json.error.hint, /Value/);
    assert.equal(await countOf(CS, orgA.token), before);
  });

  test('a secret ID pasted as the secret is refused before any Azure call', async () => {
    await env.admin('DELETE', '/requests');
    const r = await env.api('POST', CS, { token: orgA.token, body: base('pasted-id', { clientSecret: AZCONN_SECRET_ID }) });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, 'secret-looks-like-id');
    assert.equal(r.json.error.field, 'clientSecret');
    const log = await env.admin('GET', '/requests');
    assert.equal(log.requests.length, 0);
  });

  test('an unknown tenant is named', async () => {
    const r = await env.api('POST', CS, { token: orgA.token, body: base('bad-tenant', { tenantId: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9' }) });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'token-request-failed');
    assert.equal(r.json.error.field, 'tenantId');
    assert.match(r.json.error.message, /90002/);
  });

  test('an app without Graph permission is refused with what to grant', async () => {
    const r = await env.api('POST', CS, { token: orgA.token, body: base('no-perm', { clientId: TARGET_APP, clientSecret: TARGET_SECRET }) });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'permission-denied');
    assert.match(r.json.error.hint, /Application\.ReadWrite\.OwnedBy/);
    assert.equal((await env.api('GET', CS, { token: orgA.token })).json.appConnections.some((c) => c.name === 'no-perm'), false);
  });

  test('validate, token (cached), clients', async () => {
    const [c] = (await env.api('GET', CS, { token: orgA.token })).json.appConnections;
    const v = await env.api('POST', `${CS}/${c.id}/validate`, { token: orgA.token });
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.valid, true);
    assert.equal(v.json.appConnection.status, 'active');
    const t1 = await env.api('POST', `${CS}/${c.id}/token`, { token: orgA.token });
    const t2 = await env.api('POST', `${CS}/${c.id}/token`, { token: orgA.token });
    assert.equal(t1.status, 200, t1.text);
    assert.equal(t1.json.accessToken, t2.json.accessToken);
    assert.ok(t1.json.expiresAt > Date.now() / 1000 + 3000);
    // Application.ReadWrite.OwnedBy: the connection sees only the app its service principal owns.
    const clients = await env.api('GET', `${CS}/${c.id}/clients`, { token: orgA.token });
    assert.equal(clients.status, 200, clients.text);
    assert.deepEqual(clients.json.clients.map((a) => a.appId), [TARGET_APP]);
    assert.equal(clients.json.nextLink, null);
    assertNoSecret(clients.text);
  });

  test('update re-checks live and keeps the stored secret when the field is empty', async () => {
    const [c] = (await env.api('GET', CS, { token: orgA.token })).json.appConnections;
    const u = await env.api('PATCH', `${CS}/${c.id}`, { token: orgA.token, body: { description: 'renamed', clientSecret: '' } });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.appConnection.description, 'renamed');
    assert.equal(u.json.appConnection.version, c.version + 1);
    const bad = await env.api('PATCH', `${CS}/${c.id}`, { token: orgA.token, body: { description: 'nope', clientSecret: 'azc8Q~thisIsNotTheRightSecretValue.000000' } });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.json.error.field, 'clientSecret');
    const after = await env.api('GET', `${CS}/${c.id}`, { token: orgA.token });
    assert.equal(after.json.appConnection.description, 'renamed');
    assert.equal((await env.api('POST', `${CS}/${c.id}/validate`, { token: orgA.token })).json.valid, true);
  });

  test('another organization can neither see nor touch it', async () => {
    const [c] = (await env.api('GET', CS, { token: orgA.token })).json.appConnections;
    assert.equal(await countOf(CS, orgB.token), 0);
    for (const [m, p] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/validate'], ['POST', '/token']]) {
      const r = await env.api(m, `${CS}/${c.id}${p}`, { token: orgB.token, body: m === 'GET' ? undefined : {} });
      assert.equal(r.status, 404, `${m} ${p}: ${r.text}`);
    }
    const none = await env.api('GET', CS);
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'unauthenticated');
  });

  test('the Bearer scheme is case-insensitive (RFC 9110); another scheme is 401', async () => {
    for (const scheme of ['bearer', 'BEARER']) {
      const r = await env.api('GET', CS, { headers: { authorization: `${scheme} ${orgA.token}` } });
      assert.equal(r.status, 200, `${scheme}: ${r.text}`);
    }
    const basic = await env.api('GET', CS, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    assert.equal(basic.status, 401, basic.text);
    assert.match(basic.json.error.message, /not `Bearer <token>`/);
  });

  test('a method a path does not take answers 405 with Allow; an unknown path 404', async () => {
    const put = await env.api('PUT', CS, { token: orgA.token, body: {} });
    assert.equal(put.status, 405, put.text);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    assert.deepEqual(put.json.error, { code: 'method-not-allowed', message: 'this path does not take PUT', hint: 'it takes GET, POST' });
    const post = await env.api('POST', `${CS}/c1`, { token: orgA.token, body: {} });
    assert.equal(post.status, 405, post.text);
    assert.equal(post.headers.get('allow'), 'GET, PATCH, DELETE');
    const unknown = await env.api('GET', '/api/v1/nothing', { token: orgA.token });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.headers.get('allow'), null);
  });
});

describe('certificate connections', () => {
  test('Client Secrets with a certificate', async () => {
    const r = await env.api('POST', CS, {
      token: orgA.token,
      body: { name: 'graph-cert', method: 'certificate', tenantId: TENANT, clientId: AZCONN_APP, ...env.cert },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.appConnection.method, 'certificate');
    assert.ok(r.json.appConnection.credential.certificate);
    assertNoSecret(r.text);
  });

  test('App Configuration with a certificate, probing the store', async () => {
    const r = await env.api('POST', AC, {
      token: orgA.token,
      body: { name: 'store-cert', method: 'certificate', tenantId: TENANT, clientId: AZCONN_APP, endpoint: env.emulator.stores.demo, ...env.cert },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.appConnection.credential.storeProbed, true);
    assertNoSecret(r.text);
  });
});

describe('App Configuration with a client secret', () => {
  test('created with a store probe', async () => {
    const r = await env.api('POST', AC, { token: orgA.token, body: base('store-secret', { endpoint: env.emulator.stores.demo }) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.appConnection.endpoint, env.emulator.stores.demo);
    assert.equal(r.json.appConnection.credential.storeProbed, true);
  });

  test('an app without a role on the store is refused, nothing stored', async () => {
    const before = await countOf(AC, orgA.token);
    const r = await env.api('POST', AC, {
      token: orgA.token,
      body: base('store-no-role', { clientId: TARGET_APP, clientSecret: TARGET_SECRET, endpoint: env.emulator.stores.demo }),
    });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'permission-denied');
    assert.equal(await countOf(AC, orgA.token), before);
  });
});

describe('OAuth', () => {
  const start = async (name, body = {}) => {
    const r = await env.api('POST', `${CS}/oauth/start`, { token: orgA.token, body: { name, tenantId: TENANT, ...body } });
    assert.equal(r.status, 200, r.text);
    const cookie = r.headers.get('set-cookie');
    assert.match(cookie, /^azconn_oauth=[0-9a-f]{64}; Path=\/organization\/app-connections\/azure\/oauth\/callback; Max-Age=600; HttpOnly; SameSite=Lax$/);
    return { url: r.json.url, cookie: cookie.split(';')[0] };
  };
  const callback = (url, cookie) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

  test('sign in through the emulator creates the connection', async () => {
    const { url, cookie } = await start('graph-oauth');
    const u = new URL(url);
    assert.equal(u.searchParams.get('redirect_uri'), `${env.worker.base}/organization/app-connections/azure/oauth/callback`);
    assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(Buffer.from(u.searchParams.get('state'), 'base64url').length, 32);
    const { callback: cb } = await signIn(url);
    assert.ok(cb.startsWith(env.worker.base), cb);
    await env.admin('DELETE', '/requests');
    const res = await callback(cb, cookie);
    const redeemed = (await env.admin('GET', '/requests')).requests.filter((q) => q.path.endsWith('/oauth2/v2.0/token'));
    assert.equal(redeemed.length, 1);
    assert.equal(redeemed[0].status, 200);
    assert.equal(redeemed[0].headers.origin, undefined, 'no Origin on the code redemption');
    assert.equal(res.status, 302, await res.text());
    const loc = new URL(res.headers.get('location'));
    assert.equal(loc.pathname, '/organization/app-connections');
    const id = loc.searchParams.get('created');
    const c = await env.api('GET', `${CS}/${id}`, { token: orgA.token });
    assert.equal(c.json.appConnection.method, 'oauth');
    assert.equal(c.json.appConnection.tenantId, TENANT);
    // A replayed state is refused and creates nothing.
    const replay = await callback(cb, cookie);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /single use/);
    // Delegated Application.ReadWrite.All sees every app: two pages of one.
    const p1 = await env.api('GET', `${CS}/${id}/clients?top=1`, { token: orgA.token });
    assert.equal(p1.status, 200, p1.text);
    assert.equal(p1.json.clients.length, 1);
    assert.ok(p1.json.nextLink, p1.text);
    const p2 = await env.api('GET', `${CS}/${id}/clients?next=${encodeURIComponent(p1.json.nextLink)}`, { token: orgA.token });
    assert.equal(p2.status, 200, p2.text);
    assert.notEqual(p2.json.clients[0].appId, p1.json.clients[0].appId);
    // The refresh path: drop the cached token by validating.
    const v = await env.api('POST', `${CS}/${id}/validate`, { token: orgA.token });
    assert.equal(v.json.valid, true, v.text);
  });

  test('App Configuration through the sign-in page, probing the store as the user', async () => {
    const r = await env.api('POST', `${AC}/oauth/start`, { token: orgA.token, body: { name: 'store-oauth', endpoint: env.emulator.stores.demo } });
    assert.equal(r.status, 200, r.text);
    assert.equal(new URL(r.json.url).pathname, '/organizations/oauth2/v2.0/authorize');
    assert.match(new URL(r.json.url).searchParams.get('scope'), /^https:\/\/appconfig\.azure\.com\/\.default openid offline_access$/);
    const cookie = r.headers.get('set-cookie').split(';')[0];
    const { callback: cb } = await signIn(r.json.url);
    const res = await callback(cb, cookie);
    assert.equal(res.status, 302, await res.text());
    const id = new URL(res.headers.get('location')).searchParams.get('created');
    const c = await env.api('GET', `${AC}/${id}`, { token: orgA.token });
    assert.equal(c.json.appConnection.method, 'oauth');
    assert.equal(c.json.appConnection.tenantId, TENANT, 'the tenant comes from the token (tid), not from /organizations');
    assert.equal(c.json.appConnection.credential.probe.storeProbed, true);
    const t = await env.api('POST', `${AC}/${id}/token`, { token: orgA.token });
    assert.equal(t.status, 200, t.text);
  });

  test('a state from another browser (no cookie) is refused', async () => {
    const before = await countOf(CS, orgA.token);
    const { url } = await start('other-browser');
    const { callback: cb } = await signIn(url);
    const res = await callback(cb, null);
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /another browser/);
    const embedded = JSON.parse(html.match(/<script type="application\/json" id="error">(.*?)<\/script>/)[1]);
    assert.equal(embedded.error.code, 'state-mismatch');
    assert.equal(embedded.error.field, 'state');
    assert.equal(await countOf(CS, orgA.token), before);
  });

  test('an expired code shows Entra\'s error with the hint', async () => {
    const before = await countOf(CS, orgA.token);
    const { url, cookie } = await start('expired-code');
    const { callback: cb } = await signIn(url);
    await env.admin('POST', '/clock', { advanceSeconds: 700 });
    const res = await callback(cb, cookie);
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /Azure sign-in failed/);
    assert.match(html, /AADSTS\d+/);
    assert.equal(await countOf(CS, orgA.token), before);
  });

  test('a declined sign-in shows the error, nothing stored', async () => {
    const before = await countOf(CS, orgA.token);
    const { url, cookie } = await start('declined');
    const { callback: cb } = await signIn(url, { accept: false });
    const res = await callback(cb, cookie);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /65004/);
    assert.equal(await countOf(CS, orgA.token), before);
  });

  test('a redirect URI the app does not list stops at Entra (AADSTS50011)', async () => {
    const { url } = await start('redirect-mismatch');
    const u = new URL(url);
    u.searchParams.set('redirect_uri', 'http://127.0.0.1:1/organization/app-connections/azure/oauth/callback');
    const { page } = await signIn(u.toString());
    assert.match(page, /50011/);
  });
});

describe('sessions', () => {
  test('a session cookie reads; its writes need the site Origin', async () => {
    const login = await env.api('POST', '/api/v1/sessions', { body: { token: orgA.token } });
    assert.equal(login.status, 200, login.text);
    const setCookie = login.headers.get('set-cookie');
    assert.match(setCookie, /^azconn_session=azc_[0-9a-f]{64}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0];
    const list = await env.api('GET', CS, { headers: { cookie } });
    assert.equal(list.status, 200);
    const body = base('from-session', { clientSecret: 'azc8Q~thisIsNotTheRightSecretValue.000000' });
    const foreign = await env.api('POST', CS, { headers: { cookie, origin: 'https://evil.example' }, body });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.error.code, 'cross-origin');
    const none = await env.api('POST', CS, { headers: { cookie }, body });
    assert.equal(none.status, 403);
    const same = await env.api('POST', CS, { headers: { cookie, origin: env.worker.base }, body });
    assert.equal(same.json.error.code, 'token-request-failed', 'reached the live check');
  });
});

describe('faults and restarts', () => {
  test('503 then success is retried; malformed JSON is a typed error', async () => {
    await env.admin('POST', '/faults', { service: 'entra', pathPrefix: `/${TENANT}/oauth2/v2.0/token`, action: { kind: 'status', status: 503 }, count: 1 });
    const ok = await env.api('POST', CS, { token: orgB.token, body: base('after-503') });
    assert.equal(ok.status, 201, ok.text);
    // A dropped connection and an answer slower than the 10 s attempt timeout are retried.
    await env.admin('POST', '/faults', { service: 'graph', action: { kind: 'drop' }, count: 1 });
    await env.admin('POST', '/faults', { service: 'entra', pathPrefix: `/${TENANT}/oauth2/v2.0/token`, action: { kind: 'delay', ms: 12000 }, count: 1 });
    const slow = await env.api('POST', CS, { token: orgB.token, body: base('after-timeout') });
    assert.equal(slow.status, 201, slow.text);
    const left = await env.admin('GET', '/faults');
    assert.ok(!JSON.stringify(left).includes('"drop"') && !JSON.stringify(left).includes('"delay"'), JSON.stringify(left));
    await env.admin('POST', '/faults', { service: 'graph', action: { kind: 'malformedJson' }, count: 1 });
    const bad = await env.api('POST', CS, { token: orgB.token, body: base('malformed') });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.json.error.code, 'malformed-response');
    await env.admin('DELETE', '/faults');
  });

  test('an OAuth sign-in survives a restart of wrangler dev', async () => {
    const r = await env.api('POST', `${CS}/oauth/start`, { token: orgB.token, body: { name: 'across-restart', tenantId: TENANT } });
    assert.equal(r.status, 200, r.text);
    const cookie = r.headers.get('set-cookie').split(';')[0];
    const { callback: cb } = await signIn(r.json.url);
    await env.restart();
    const res = await fetch(cb, { redirect: 'manual', headers: { cookie } });
    assert.equal(res.status, 302, await res.text());
    const id = new URL(res.headers.get('location')).searchParams.get('created');
    const c = await env.api('GET', `${CS}/${id}`, { token: orgB.token });
    assert.equal(c.json.appConnection.name, 'across-restart');
    // Revoked grants: the refresh fails with invalid_grant and the connection needs reauth.
    await env.admin('POST', `/users/${USER}/revoke-grants`);
    const v = await env.api('POST', `${CS}/${id}/validate`, { token: orgB.token });
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.valid, false);
    assert.equal(v.json.error.code, 'reauth-required');
    assert.match(v.json.error.hint, /Reconnect to Azure/);
    assert.equal(v.json.appConnection.status, 'needs-reauth');
  });
});

describe('no secret anywhere', () => {
  test('audit log and wrangler log', async () => {
    const audit = await env.api('GET', '/api/v1/audit-log?limit=200', { token: orgA.token });
    assert.equal(audit.status, 200);
    assert.ok(audit.json.entries.length > 5);
    assert.ok(audit.json.entries.some((e) => e.action === 'connection.create' && e.outcome === 'failed'));
    assertNoSecret(audit.text);
    assertNoSecret(env.workerLog());
  });
});
