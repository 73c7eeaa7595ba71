// Keys at rest end to end: secrets stored under key version 1, the Worker restarted with 1 and 2,
// the re-seal sweep (API batches and the Cron Trigger) run until nothing is left under 1, then
// the Worker restarted with only 2: every connection, refresh token, pending PKCE verifier and
// rotated secret still opens. Removing version 1 before the sweep answers a clear error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TARGET_APP, TENANT, setup, signIn } from './harness.mjs';

const CS = '/api/v1/app-connections/azure-client-secrets';
const AC = '/api/v1/app-connections/azure-app-configuration';
const R = '/api/v1/secret-rotations/azure-client-secret';
const ENC = '/api/v1/encryption';

const key = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');

let env;
let orgA;
let orgB;
let v1;
const v2 = `2:${key()}`;
const conns = {};
let rotation;
let rotated;
let pending;
const secrets = [AZCONN_SECRET];

before(async () => {
  env = await setup();
  v1 = env.vars.AZCONN_ENCRYPTION_KEYS;
  orgA = await env.newOrg('rekey-a');
  orgB = await env.newOrg('rekey-b');
  secrets.push(env.cert.privateKey.split('\n').slice(1, 3).join(''), v1.slice(2), v2.slice(2));
});

after(async () => {
  await env?.stop();
});

function assertNoSecret(text) {
  for (const s of secrets) assert.ok(!text.includes(s), `a secret leaked: ${s.slice(0, 6)}...`);
}

/** Restarts the Worker (same port and local D1) with this keyring. */
async function withKeys(keys) {
  env.vars.AZCONN_ENCRYPTION_KEYS = keys;
  await env.restart();
}

const admin = (method, path, body) => env.api(method, path, { token: env.bootstrap, body });
const versions = async () => (await env.d1('SELECT key_version, COUNT(*) AS n FROM secrets GROUP BY key_version ORDER BY key_version'))
  .map((r) => [r.key_version, r.n]);

async function startOAuth(name) {
  const r = await env.api('POST', `${CS}/oauth/start`, { token: orgA.token, body: { name, tenantId: TENANT } });
  assert.equal(r.status, 200, r.text);
  return { url: r.json.url, cookie: r.headers.get('set-cookie').split(';')[0] };
}

async function finishOAuth({ url, cookie }) {
  const { callback } = await signIn(url);
  const res = await fetch(callback, { redirect: 'manual', headers: { cookie } });
  assert.equal(res.status, 302, await res.text());
  return new URL(res.headers.get('location')).searchParams.get('created');
}

describe('re-keying the secrets at rest', () => {
  test('secrets of every kind are stored under key version 1', async () => {
    const create = async (path, token, body) => {
      const r = await env.api('POST', path, { token, body: { tenantId: TENANT, clientId: AZCONN_APP, ...body } });
      assert.equal(r.status, 201, r.text);
      return r.json.appConnection;
    };
    conns.secret = await create(CS, orgA.token, { name: 'graph-secret', method: 'client-secret', clientSecret: AZCONN_SECRET });
    conns.cert = await create(CS, orgA.token, { name: 'graph-cert', method: 'certificate', ...env.cert });
    conns.store = await create(AC, orgA.token, { name: 'store-secret', method: 'client-secret', clientSecret: AZCONN_SECRET, endpoint: env.emulator.stores.demo });
    conns.other = await create(CS, orgB.token, { name: 'other-org', method: 'client-secret', clientSecret: AZCONN_SECRET });
    conns.oauth = { id: await finishOAuth(await startOAuth('graph-oauth')) };
    // Cached access tokens and the OAuth refresh token.
    for (const [path, c] of [[CS, conns.secret], [CS, conns.cert], [AC, conns.store], [CS, conns.oauth]]) {
      const t = await env.api('POST', `${path}/${c.id}/token`, { token: orgA.token });
      assert.equal(t.status, 200, t.text);
    }
    // A rotation's state and its current secret.
    const c = await env.api('POST', R, { token: orgA.token, body: { connectionId: conns.secret.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 } });
    assert.equal(c.status, 201, c.text);
    rotation = c.json.rotation;
    const r = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: orgA.token });
    assert.equal(r.status, 200, r.text);
    rotated = r.json.secret;
    secrets.push(rotated.value);
    // A sign-in started now and finished after the re-key: its PKCE verifier is sealed too.
    pending = await startOAuth('graph-oauth-late');

    const rows = await versions();
    assert.equal(rows.length, 1);
    assert.equal(rows[0][0], 1);
    const s = await admin('GET', ENC);
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.json, {
      currentVersion: 1, keyVersions: [1], byVersion: { 1: rows[0][1] }, remaining: 0, missingVersions: [], unusedVersions: [],
    });
  });

  test('only the bootstrap admin token sees or sweeps the keyring', async () => {
    for (const [m, p] of [['GET', ENC], ['POST', `${ENC}/reseal`]]) {
      const org = await env.api(m, p, { token: orgA.token, body: m === 'POST' ? {} : undefined });
      assert.equal(org.status, 403, org.text);
      assert.equal(org.json.error.code, 'not-allowed');
      assert.equal((await env.api(m, p)).status, 401);
    }
    const bad = await admin('POST', `${ENC}/reseal`, { limit: 0 });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.field, 'limit');
    const typed = await admin('POST', `${ENC}/reseal`, { limit: '5' });
    assert.equal(typed.status, 400, typed.text);
  });

  test('version 1 removed before the sweep: a clear error naming the missing version', async () => {
    await withKeys(v2);
    const expectMissing = (e) => {
      assert.equal(e.code, 'not-configured');
      assert.equal(e.field, 'AZCONN_ENCRYPTION_KEYS');
      assert.equal(e.message, 'a stored secret cannot be decrypted: key version 1 is not in the keyring');
      assert.match(e.hint, /AZCONN_ENCRYPTION_KEYS/);
    };
    const t = await env.api('POST', `${CS}/${conns.secret.id}/token`, { token: orgA.token });
    assert.equal(t.status, 503, t.text);
    expectMissing(t.json.error);
    assert.ok(t.json.requestId);
    assert.doesNotMatch(t.text, /D1|stack|\.rs:|wasm/);
    const secret = await env.api('POST', `${R}/${rotation.id}/secret`, { token: orgA.token });
    assert.equal(secret.status, 503, secret.text);
    expectMissing(secret.json.error);
    // A key missing from the deployment is not the connection's fault: validate answers it and
    // leaves the connection's status as it was.
    const v = await env.api('POST', `${CS}/${conns.cert.id}/validate`, { token: orgA.token });
    assert.equal(v.status, 503, v.text);
    expectMissing(v.json.error);
    const cert = await env.api('GET', `${CS}/${conns.cert.id}`, { token: orgA.token });
    assert.equal(cert.status, 200, cert.text);
    assert.equal(cert.json.appConnection.status, 'active');
    const s = await admin('GET', ENC);
    assert.equal(s.json.currentVersion, 2);
    assert.deepEqual(s.json.missingVersions, [1]);
    assert.equal(s.json.remaining, 0);
    // The sweep cannot open what it has no key for: it touches nothing and says why.
    const before = await versions();
    const sweep = await admin('POST', `${ENC}/reseal`, {});
    assert.equal(sweep.status, 200, sweep.text);
    assert.equal(sweep.json.resealed, 0);
    assert.deepEqual(sweep.json.missingVersions, [1]);
    assert.deepEqual(await versions(), before);
  });

  test('with versions 1 and 2 the sweep moves everything to 2, resumably', async () => {
    await withKeys(`${v1},${v2}`);
    const start = await admin('GET', ENC);
    assert.equal(start.json.currentVersion, 2);
    assert.deepEqual(start.json.keyVersions, [1, 2]);
    assert.deepEqual(start.json.missingVersions, []);
    const total = start.json.byVersion[1];
    assert.ok(total >= 10, start.text);
    assert.equal(start.json.remaining, total);
    // Two API batches of 3, as an operator interrupted after each would see them.
    let remaining = total;
    for (let i = 0; i < 2; i++) {
      const r = await admin('POST', `${ENC}/reseal`, { limit: 3 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.resealed, 3);
      assert.deepEqual(r.json.failed, []);
      assert.equal(r.json.remaining, remaining - 3);
      remaining = r.json.remaining;
      assertNoSecret(r.text);
    }
    // The Cron Trigger advances the sweep too (50 values a tick: the rest here).
    const tick = await fetch(`${env.worker.base}/__scheduled?cron=*/15+*+*+*+*`);
    assert.equal(tick.status, 200);
    const last = await admin('POST', `${ENC}/reseal`, {});
    assert.equal(last.status, 200, last.text);
    assert.equal(last.json.resealed, 0);
    assert.equal(last.json.remaining, 0);
    assert.equal(last.json.byVersion[1], undefined);
    assert.deepEqual(last.json.unusedVersions, [1]);
    assert.deepEqual((await versions()).map(([v]) => v), [2]);
    assertNoSecret(last.text);
    // Each organization's audit log has the counts, never a value.
    const log = await env.api('GET', '/api/v1/audit-log?action=encryption.reseal', { token: orgA.token });
    assert.equal(log.status, 200, log.text);
    const actors = log.json.entries.map((e) => e.actor).sort();
    assert.ok(actors.includes('admin') && actors.includes('scheduler'), log.text);
    for (const e of log.json.entries) assert.deepEqual(Object.keys(e.detail).sort(), ['keyVersion', 'resealed']);
    const sumA = log.json.entries.reduce((n, e) => n + e.detail.resealed, 0);
    const logB = await env.api('GET', '/api/v1/audit-log?action=encryption.reseal', { token: orgB.token });
    const sumB = logB.json.entries.reduce((n, e) => n + e.detail.resealed, 0);
    assert.ok(sumB >= 1, logB.text);
    assert.equal(sumA + sumB, total);
  });

  test('with only version 2 every secret still opens', async () => {
    await withKeys(v2);
    const s = await admin('GET', ENC);
    assert.deepEqual(s.json.keyVersions, [2]);
    assert.equal(s.json.byVersion[1], undefined);
    assert.deepEqual(s.json.missingVersions, []);
    assert.equal(s.json.remaining, 0);
    for (const [path, c, token] of [[CS, conns.secret, orgA.token], [CS, conns.cert, orgA.token], [AC, conns.store, orgA.token],
      [CS, conns.oauth, orgA.token], [CS, conns.other, orgB.token]]) {
      // Validating drops the cached token: the stored credential or refresh token is used.
      const v = await env.api('POST', `${path}/${c.id}/validate`, { token });
      assert.equal(v.status, 200, v.text);
      assert.equal(v.json.valid, true, `${c.id}: ${v.text}`);
      assert.equal(v.json.appConnection.status, 'active');
      const t = await env.api('POST', `${path}/${c.id}/token`, { token });
      assert.equal(t.status, 200, t.text);
    }
    const secret = await env.api('POST', `${R}/${rotation.id}/secret`, { token: orgA.token });
    assert.equal(secret.status, 200, secret.text);
    assert.equal(secret.json.value, rotated.value);
    // The sign-in started under version 1 completes: its verifier was re-sealed.
    const id = await finishOAuth(pending);
    const c = await env.api('GET', `${CS}/${id}`, { token: orgA.token });
    assert.equal(c.json.appConnection.method, 'oauth');
    assertNoSecret(env.workerLog());
  });
});
