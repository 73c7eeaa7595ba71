// Issue 15, lifecycle of rotations and syncs: names (unique per organization per kind, 409 on
// `name` before any Azure call), descriptions, lookup by name, renames through PATCH.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, SECOND_APP, TARGET_APP, TENANT, setup } from './harness.mjs';

const R = '/api/v1/secret-rotations/azure-client-secret';
const S = '/api/v1/secret-syncs/azure-app-configuration';
const common = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };

let env;
let org;
let graphConn;
let storeConn;

before(async () => {
  env = await setup({ secondTarget: true });
  org = await env.newOrg('lifecycle-names');
  const g = await env.api('POST', '/api/v1/app-connections/azure-client-secrets', { token: org.token, body: { name: 'graph', ...common } });
  assert.equal(g.status, 201, g.text);
  graphConn = g.json.appConnection;
  const s = await env.api('POST', '/api/v1/app-connections/azure-app-configuration', {
    token: org.token, body: { name: 'store', endpoint: env.emulator.stores.demo, ...common },
  });
  assert.equal(s.status, 201, s.text);
  storeConn = s.json.appConnection;
});

after(async () => {
  await env?.stop();
});

const call = (method, path, body) => env.api(method, path, { token: org.token, body });
const azureCalls = async () => (await env.admin('GET', '/requests')).requests.filter((r) => r.service === 'graph' || r.service === 'entra');

describe('rotation names', () => {
  let named;

  test('a named rotation shows its name and description and is found by name', async () => {
    const c = await call('POST', R, { name: 'payments', description: ' rotates payments ', connectionId: graphConn.id, appId: TARGET_APP });
    assert.equal(c.status, 201, c.text);
    named = c.json.rotation;
    assert.equal(named.name, 'payments');
    assert.equal(named.description, 'rotates payments');
    const found = await call('GET', `${R}?name=payments`);
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json.rotation.id, named.id);
    const missing = await call('GET', `${R}?name=nothing`);
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.json.error.code, 'not-found');
    assert.deepEqual((await call('GET', R)).json.rotations.map((r) => r.name), ['payments']);
  });

  test('a taken or malformed name is refused before any Azure call', async () => {
    await env.admin('DELETE', '/requests');
    for (const [name, status, code] of [['payments', 409, 'conflict'], ['Payments App', 400, 'invalid-character'], ['', 400, 'required']]) {
      const r = await call('POST', R, { name, connectionId: graphConn.id, appId: SECOND_APP });
      assert.equal(r.status, status, `${name}: ${r.text}`);
      assert.equal(r.json.error.field, 'name');
      assert.equal(r.json.error.code, code);
    }
    const d = await call('POST', R, { description: 'x'.repeat(257), connectionId: graphConn.id, appId: SECOND_APP });
    assert.equal(d.status, 400, d.text);
    assert.equal(d.json.error.field, 'description');
    assert.deepEqual(await azureCalls(), []);
    assert.equal((await call('GET', R)).json.rotations.length, 1, 'nothing stored');
  });

  test('without a name, a rotation is named for its app', async () => {
    const c = await call('POST', R, { connectionId: graphConn.id, appId: SECOND_APP });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.rotation.name, 'billing-api-second-rotation-target');
    assert.equal(c.json.rotation.description, null);
    assert.equal((await call('DELETE', `${R}/${c.json.rotation.id}?secrets=keep`)).status, 200);
  });

  test('PATCH renames at the version read; a taken name is 409 with nothing written', async () => {
    const other = await call('POST', R, { name: 'other', connectionId: graphConn.id, appId: SECOND_APP });
    assert.equal(other.status, 201, other.text);
    const taken = await call('PATCH', `${R}/${named.id}`, { version: 1, name: 'other', keepPrevious: 2 });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.json.error.field, 'name');
    assert.equal(taken.json.error.message, 'a rotation named other already exists');
    let now = (await call('GET', `${R}/${named.id}`)).json.rotation;
    assert.deepEqual([now.version, now.name, now.keepPrevious], [1, 'payments', 1]);
    const renamed = await call('PATCH', `${R}/${named.id}`, { version: 1, name: 'payments-main', description: '' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual([renamed.json.rotation.version, renamed.json.rotation.name, renamed.json.rotation.description], [2, 'payments-main', null]);
    const stale = await call('PATCH', `${R}/${named.id}`, { version: 1, name: 'payments-2' });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.error.field, 'version');
    now = (await call('GET', `${R}?name=payments-main`)).json.rotation;
    assert.equal(now.id, named.id);
    assert.equal((await call('GET', `${R}?name=payments`)).status, 404, 'the old name is free');
    for (const id of [named.id, other.json.rotation.id]) assert.equal((await call('DELETE', `${R}/${id}?secrets=keep`)).status, 200);
  });
});

describe('sync names', () => {
  test('named, found by name, unique even for two concurrent creates, renamed by PATCH', async () => {
    const c = await call('POST', S, { name: 'nightly', description: 'nightly push', connectionId: storeConn.id, label: 'n1', keyPrefix: 'N:' });
    assert.equal(c.status, 201, c.text);
    const sync = c.json.sync;
    assert.deepEqual([sync.name, sync.description], ['nightly', 'nightly push']);
    const found = await call('GET', `${S}?name=nightly`);
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json.sync.id, sync.id);
    assert.equal((await call('GET', `${S}?name=nothing`)).status, 404);
    const again = await call('POST', S, { name: 'nightly', connectionId: storeConn.id, label: 'n2' });
    assert.equal(again.status, 409, again.text);
    assert.deepEqual([again.json.error.code, again.json.error.field], ['conflict', 'name']);
    const both = await Promise.all([1, 2].map((i) => call('POST', S, { name: 'raced', connectionId: storeConn.id, label: `r${i}` })));
    assert.deepEqual(both.map((r) => r.status).sort(), [201, 409], both.map((r) => r.text).join(' '));
    assert.equal(both.find((r) => r.status === 409).json.error.field, 'name');
    const derived = await call('POST', S, { connectionId: storeConn.id, label: 'n3', keyPrefix: 'D:' });
    assert.equal(derived.status, 201, derived.text);
    assert.match(derived.json.sync.name, /^[a-z0-9]+(-[a-z0-9]+)*-n3-d$/);
    const taken = await call('PATCH', `${S}/${derived.json.sync.id}`, { version: 1, name: 'nightly', keyPrefix: 'X:' });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.json.error.field, 'name');
    assert.equal((await call('GET', `${S}/${derived.json.sync.id}`)).json.sync.keyPrefix, 'D:', 'nothing written');
    const renamed = await call('PATCH', `${S}/${derived.json.sync.id}`, { version: 1, name: 'daily', description: 'daily push' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual([renamed.json.sync.name, renamed.json.sync.description, renamed.json.sync.version], ['daily', 'daily push', 2]);
    const names = (await call('GET', S)).json.syncs.map((s) => s.name).sort();
    assert.deepEqual(names, ['daily', 'nightly', 'raced']);
  });
});
