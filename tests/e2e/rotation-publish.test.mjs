// Issue 15, rotation feeds sync: a sync key whose value is `{kind: "rotation", rotationId}` is
// bound to that rotation, and each new secret is published to it before the old one is revoked,
// so the store never holds a revoked secret. Checked against the emulator: its credential list
// of the app, its key-values, its request log (order) and its exposures (each moment a store held
// a secret already removed from its app).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TARGET_APP, TENANT, setup } from './harness.mjs';

const R = '/api/v1/secret-rotations/azure-client-secret';
const S = '/api/v1/secret-syncs/azure-app-configuration';
const common = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };
const KEY = 'Pub:CLIENT_SECRET';
const LABEL = 'publish';

let env;
let org;
let rotation;
let sync;
let storeConn;

const call = (method, path, body) => env.api(method, path, { token: org.token, body });
const stored = async () => (await env.admin('GET', '/stores/demo/kv')).items.find((k) => k.key === KEY && k.label === LABEL);
const keyIds = async () => (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials.map((p) => p.keyId);
const exposures = async () => (await env.admin('GET', '/exposures')).exposures.filter((e) => e.key === KEY);
const rotate = () => call('POST', `${R}/${rotation.id}/rotate`);

/** The store's value is the current secret, a secret the app still has, and no moment so far had it hold a revoked one. */
async function assertServing(secret) {
  const kv = await stored();
  assert.equal(kv.value, secret.value, 'the store holds the current secret');
  assert.equal(kv.tags['azconn-sync'], sync.id);
  assert.ok((await keyIds()).includes(secret.keyId), 'that secret is in the app');
  assert.deepEqual(await exposures(), [], 'the store never held a revoked secret');
}

before(async () => {
  env = await setup();
  org = await env.newOrg('rotation-publish');
  const g = await env.api('POST', '/api/v1/app-connections/azure-client-secrets', { token: org.token, body: { name: 'graph', ...common } });
  assert.equal(g.status, 201, g.text);
  const s = await env.api('POST', '/api/v1/app-connections/azure-app-configuration', {
    token: org.token, body: { name: 'store', endpoint: env.emulator.stores.demo, ...common },
  });
  assert.equal(s.status, 201, s.text);
  storeConn = s.json.appConnection;
  // keepPrevious 0: each run revokes the previous secret, so the order is what keeps consumers up.
  const r = await call('POST', R, { name: 'published', connectionId: g.json.appConnection.id, appId: TARGET_APP, keepPrevious: 0 });
  assert.equal(r.status, 201, r.text);
  rotation = r.json.rotation;
  const y = await call('POST', S, { connectionId: s.json.appConnection.id, label: LABEL, keyPrefix: 'Pub:' });
  assert.equal(y.status, 201, y.text);
  sync = y.json.sync;
});

after(async () => {
  await env?.stop();
});

describe('rotation publishes to its syncs', () => {
  let current;

  test('a sync key bound to the rotation gets each new secret before the old one is revoked', async () => {
    const first = await rotate();
    assert.equal(first.status, 200, first.text);
    const run = await call('POST', `${S}/${sync.id}/run`, { secrets: { CLIENT_SECRET: { kind: 'rotation', rotationId: rotation.id }, PLAIN: 'p' } });
    assert.equal(run.status, 200, run.text);
    await assertServing(first.json.secret);
    await env.admin('DELETE', '/requests');
    const second = await rotate();
    assert.equal(second.status, 200, second.text);
    const secret = second.json.secret;
    assert.notEqual(secret.keyId, first.json.secret.keyId);
    assert.deepEqual(second.json.removed, [first.json.secret.keyId], 'the old secret is revoked');
    assert.ok(!(await keyIds()).includes(first.json.secret.keyId));
    assert.ok(second.json.steps.some((s) => s.step === 'publish-sync' && s.ok), JSON.stringify(second.json.steps));
    await assertServing(secret);
    // The order the emulator saw: the store's write of the key, then the removal.
    const log = (await env.admin('GET', '/requests')).requests;
    const put = log.findIndex((r) => r.service === 'store:demo' && r.method === 'PUT' && decodeURIComponent(r.path).includes(KEY));
    const removal = log.findIndex((r) => r.service === 'graph' && r.path.endsWith('/removePassword'));
    assert.ok(put >= 0 && removal > put, `put at ${put}, removePassword at ${removal}`);
    assert.equal(log.filter((r) => r.service === 'store:demo' && r.method === 'PUT').length, 1, 'only the bound key is written');
    assert.equal((await env.admin('GET', '/stores/demo/kv')).items.find((k) => k.key === 'Pub:PLAIN' && k.label === LABEL).value, 'p');
    current = secret;
  });

  test('a failed publication keeps the old secret; the next run publishes, then revokes', async () => {
    const fault = await env.admin('POST', '/faults', {
      service: 'store:demo', method: 'GET', pathPrefix: '/kv', action: { kind: 'status', status: 403 },
    });
    const failed = await rotate();
    await env.admin('DELETE', `/faults/${fault.id}`);
    assert.ok(failed.status >= 400, failed.text);
    const r = (await call('GET', `${R}/${rotation.id}`)).json.rotation;
    assert.equal(r.status, 'interrupted', JSON.stringify(r));
    assert.notEqual(r.current.keyId, current.keyId, 'the new secret is already the rotation\'s current one');
    await assertServing(current);
    const resumed = await rotate();
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json.secret.keyId, r.current.keyId, 'the same new secret, published on resume');
    assert.deepEqual(resumed.json.removed, [current.keyId]);
    assert.ok(!(await keyIds()).includes(current.keyId));
    await assertServing(resumed.json.secret);
  });

  test('a run without the rotation value unbinds the key: the next rotation leaves the store alone', async () => {
    const run = await call('POST', `${S}/${sync.id}/run`, { secrets: { CLIENT_SECRET: 'pinned', PLAIN: 'p' } });
    assert.equal(run.status, 200, run.text);
    const next = await rotate();
    assert.equal(next.status, 200, next.text);
    assert.ok(!next.json.steps.some((s) => s.step === 'publish-sync'));
    assert.equal((await stored()).value, 'pinned');
  });

  test('the emulator sees a copy nobody publishes to: the revoke finds the store holding it (the check the tests above rely on)', async () => {
    const { secret } = (await rotate()).json;
    const { accessToken } = (await call('POST', `/api/v1/app-connections/azure-app-configuration/${storeConn.id}/token`)).json;
    const res = await fetch(`${env.emulator.stores.demo}/kv/${encodeURIComponent('Pub:COPY')}?label=${LABEL}&api-version=2023-11-01`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/vnd.microsoft.appconfig.kv+json' },
      body: JSON.stringify({ value: secret.value }),
    });
    assert.equal(res.status, 200, await res.text());
    const next = await rotate();
    assert.equal(next.status, 200, next.text);
    const seen = (await env.admin('GET', '/exposures')).exposures.filter((e) => e.key === 'Pub:COPY');
    assert.deepEqual(seen, [{ event: 'removePassword', appId: TARGET_APP, keyId: secret.keyId, store: 'demo', key: 'Pub:COPY', label: LABEL }]);
    assert.deepEqual(await exposures(), [], 'never the bound key');
  });
});
