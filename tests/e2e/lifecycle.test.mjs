// Sessions and tokens end to end (sign-out, revocation), the token single-flight, rotation
// through an OAuth connection, and feature flags left alone by a sync.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TARGET_APP, TENANT, USER, setup, signIn } from './harness.mjs';

const CS = '/api/v1/app-connections/azure-client-secrets';
const AC = '/api/v1/app-connections/azure-app-configuration';

let env;
let org;

before(async () => {
  env = await setup();
  org = await env.newOrg('lifecycle');
});

after(async () => {
  await env?.stop();
});

async function signInCookie(token) {
  const r = await env.api('POST', '/api/v1/sessions', { body: { token } });
  assert.equal(r.status, 200, r.text);
  return r.headers.get('set-cookie').split(';')[0];
}

describe('sign-out', () => {
  test('DELETE /sessions revokes the session server-side and clears the cookie', async () => {
    const cookie = await signInCookie(org.token);
    assert.equal((await env.api('GET', CS, { headers: { cookie } })).status, 200);
    // A cross-site sign-out is refused like any cookie-authenticated write.
    const forged = await env.api('DELETE', '/api/v1/sessions', { headers: { cookie, origin: 'https://evil.example' } });
    assert.equal(forged.status, 403);
    assert.equal((await env.api('GET', CS, { headers: { cookie } })).status, 200);
    const out = await env.api('DELETE', '/api/v1/sessions', { headers: { cookie, origin: env.vars.SITE_URL } });
    assert.equal(out.status, 200, out.text);
    assert.deepEqual(out.json, { signedOut: true });
    assert.match(out.headers.get('set-cookie'), /^azconn_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/);
    // The old cookie value no longer works, even if it was copied.
    const after = await env.api('GET', CS, { headers: { cookie } });
    assert.equal(after.status, 401);
    assert.equal(after.json.error.code, 'unauthenticated');
    const again = await env.api('DELETE', '/api/v1/sessions', { headers: { cookie, origin: env.vars.SITE_URL } });
    assert.deepEqual(again.json, { signedOut: false });
  });
});

describe('API tokens', () => {
  test('listed without values, revoked by the admin with every session made from them', async () => {
    const created = await env.api('POST', `/api/v1/organizations/${org.id}/tokens`, { token: env.bootstrap, body: { name: 'ci' } });
    assert.equal(created.status, 201, created.text);
    const ci = created.json.token;
    const cookie = await signInCookie(ci.value);
    assert.equal((await env.api('GET', CS, { token: ci.value })).status, 200);
    const list = await env.api('GET', `/api/v1/organizations/${org.id}/tokens`, { token: env.bootstrap });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.tokens.map((t) => t.name).sort(), ['ci', 'default']);
    const listed = list.json.tokens.find((t) => t.id === ci.id);
    assert.deepEqual(Object.keys(listed).sort(), ['createdAt', 'id', 'lastUsedAt', 'name']);
    assert.ok(listed.lastUsedAt >= listed.createdAt);
    assert.ok(!list.text.includes(ci.value) && !list.text.includes(org.token));
    // Only the admin lists or revokes.
    assert.equal((await env.api('GET', `/api/v1/organizations/${org.id}/tokens`, { token: org.token })).status, 403);
    assert.equal((await env.api('DELETE', `/api/v1/organizations/${org.id}/tokens/${ci.id}`, { token: org.token })).status, 403);
    const other = await env.newOrg('other');
    assert.equal((await env.api('DELETE', `/api/v1/organizations/${other.id}/tokens/${ci.id}`, { token: env.bootstrap })).status, 404);
    const revoked = await env.api('DELETE', `/api/v1/organizations/${org.id}/tokens/${ci.id}`, { token: env.bootstrap });
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(revoked.json, { token: { id: ci.id, name: 'ci' } });
    assert.equal((await env.api('GET', CS, { token: ci.value })).status, 401);
    assert.equal((await env.api('GET', CS, { headers: { cookie } })).status, 401);
    assert.equal((await env.api('GET', CS, { token: org.token })).status, 200);
    assert.equal((await env.api('DELETE', `/api/v1/organizations/${org.id}/tokens/${ci.id}`, { token: env.bootstrap })).status, 404);
    const audit = await env.api('GET', '/api/v1/audit-log?action=token.revoke', { token: org.token });
    assert.ok(audit.json.entries.some((e) => e.action === 'token.revoke' && e.target === ci.id));
  });
});

describe('OAuth Client Secrets connection', () => {
  let conn;

  test('connect through the emulator\'s sign-in page', async () => {
    const start = await env.api('POST', `${CS}/oauth/start`, { token: org.token, body: { name: 'delegated', tenantId: TENANT } });
    assert.equal(start.status, 200, start.text);
    const { callback } = await signIn(start.json.url);
    const r = await fetch(callback, { redirect: 'manual', headers: { cookie: start.headers.get('set-cookie').split(';')[0] } });
    assert.equal(r.status, 302, await r.text());
    const id = new URL(r.headers.get('location')).searchParams.get('created');
    conn = (await env.api('GET', `${CS}/${id}`, { token: org.token })).json.appConnection;
    assert.equal(conn.method, 'oauth');
  });

  test('concurrent token requests redeem the refresh token once (single-flight)', async () => {
    // Expire the cached access token: every caller now needs a refresh.
    await env.d1(`UPDATE secrets SET expires_at = 0 WHERE owner_id = '${conn.id}' AND field = 'accessToken'`);
    await env.admin('DELETE', '/requests');
    const answers = await Promise.all(Array.from({ length: 6 }, () => env.api('POST', `${CS}/${conn.id}/token`, { token: org.token })));
    for (const a of answers) assert.equal(a.status, 200, a.text);
    assert.equal(new Set(answers.map((a) => a.json.accessToken)).size, 1, 'every caller got the one refreshed token');
    const tokenCalls = (await env.admin('GET', '/requests')).requests
      .filter((r) => r.service === 'entra' && r.method === 'POST' && r.path.endsWith('/oauth2/v2.0/token'));
    assert.equal(tokenCalls.length, 1);
    assert.deepEqual(await env.d1('SELECT * FROM token_leases'), [], 'the lease is released');
  });

  test('rotation through the OAuth connection', async () => {
    const c = await env.api('POST', '/api/v1/secret-rotations/azure-client-secret', {
      token: org.token, body: { connectionId: conn.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 },
    });
    assert.equal(c.status, 201, c.text);
    const r = await env.api('POST', `/api/v1/secret-rotations/azure-client-secret/${c.json.rotation.id}/rotate`, { token: org.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.rotation.status, 'active');
    const app = await env.admin('GET', `/applications/${TARGET_APP}`);
    assert.ok(app.passwordCredentials.some((p) => p.keyId === r.json.secret.keyId));
  });
});

describe('a dead grant under concurrency', () => {
  test('concurrent callers of a revoked OAuth connection redeem the refresh token once', async () => {
    const start = await env.api('POST', `${CS}/oauth/start`, { token: org.token, body: { name: 'revoked', tenantId: TENANT } });
    const { callback } = await signIn(start.json.url);
    const r = await fetch(callback, { redirect: 'manual', headers: { cookie: start.headers.get('set-cookie').split(';')[0] } });
    assert.equal(r.status, 302, await r.text());
    const id = new URL(r.headers.get('location')).searchParams.get('created');
    await env.admin('POST', `/users/${USER}/revoke-grants`);
    await env.d1(`UPDATE secrets SET expires_at = 0 WHERE owner_id = '${id}' AND field = 'accessToken'`);
    await env.admin('DELETE', '/requests');
    const answers = await Promise.all(Array.from({ length: 4 }, () => env.api('POST', `${CS}/${id}/token`, { token: org.token })));
    for (const a of answers) {
      assert.equal(a.status, 422, a.text);
      assert.equal(a.json.error.code, 'reauth-required');
    }
    const tokenCalls = (await env.admin('GET', '/requests')).requests
      .filter((q) => q.service === 'entra' && q.method === 'POST' && q.path.endsWith('/oauth2/v2.0/token'));
    assert.equal(tokenCalls.length, 1);
    assert.equal((await env.api('GET', `${CS}/${id}`, { token: org.token })).json.appConnection.status, 'needs-reauth');
  });
});

describe('sync and feature flags', () => {
  test('a sync over the whole label leaves .appconfig.featureflag/* untouched, even when tagged managed', async () => {
    const c = await env.api('POST', AC, {
      token: org.token,
      body: { name: 'store', method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET, endpoint: env.emulator.stores.demo },
    });
    assert.equal(c.status, 201, c.text);
    const { accessToken } = (await env.api('POST', `${AC}/${c.json.appConnection.id}/token`, { token: org.token })).json;
    const flag = {
      value: JSON.stringify({ id: 'Beta', enabled: true, conditions: { client_filters: [] } }),
      content_type: 'application/vnd.microsoft.appconfig.ff+json;charset=utf-8',
      tags: { 'managed-by': 'azconn' },
    };
    const put = await fetch(`${env.emulator.stores.demo}/kv/${encodeURIComponent('.appconfig.featureflag/Beta')}?label=flags&api-version=2023-11-01`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/vnd.microsoft.appconfig.kv+json' },
      body: JSON.stringify(flag),
    });
    assert.equal(put.status, 200, await put.text());
    const s = await env.api('POST', '/api/v1/secret-syncs/azure-app-configuration', {
      token: org.token, body: { connectionId: c.json.appConnection.id, label: 'flags' },
    });
    assert.equal(s.status, 201, s.text);
    const run = await env.api('POST', `/api/v1/secret-syncs/azure-app-configuration/${s.json.sync.id}/run`, { token: org.token, body: { secrets: { Db: 'v1' } } });
    assert.equal(run.status, 200, run.text);
    assert.deepEqual(run.json.sync.lastRun.plan.map((o) => `${o.op} ${o.key}`), ['put Db']);
    const items = (await env.admin('GET', '/stores/demo/kv')).items.filter((k) => k.label === 'flags');
    const kept = items.find((k) => k.key === '.appconfig.featureflag/Beta');
    assert.ok(kept, 'the feature flag was deleted');
    assert.equal(kept.value, flag.value);
    // A secret named like a flag is refused, not written.
    const bad = await env.api('POST', `/api/v1/secret-syncs/azure-app-configuration/${s.json.sync.id}/run`, {
      token: org.token, body: { secrets: { '.appconfig.featureflag/Beta': 'x' } },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.code, 'not-allowed');
  });
});
