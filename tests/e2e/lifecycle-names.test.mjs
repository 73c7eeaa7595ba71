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

describe('derived names under concurrency', () => {
  test('two concurrent nameless creates deriving one name both succeed, with distinct names', async () => {
    for (const round of [1, 2, 3]) {
      const both = await Promise.all([1, 2].map(() => call('POST', S, { connectionId: storeConn.id, label: `race${round}`, keyPrefix: 'R:' })));
      assert.deepEqual(both.map((r) => r.status), [201, 201], both.map((r) => r.text).join(' '));
      // One gets the derived name, the other the same made distinct by its id.
      const [plain, suffixed] = both.map((r) => r.json.sync).sort((a, b) => a.name.length - b.name.length);
      assert.match(plain.name, new RegExp(`-race${round}-r$`));
      assert.equal(suffixed.name, `${plain.name}-${suffixed.id.replace(/[^a-z0-9]/gi, '').slice(0, 8).toLowerCase()}`);
    }
  });
});

describe('status fields', () => {
  test('a rotation shows when it last ran, last succeeded, why it failed and when it runs next', async () => {
    const c = await call('POST', R, { name: 'status', connectionId: graphConn.id, appId: TARGET_APP });
    assert.equal(c.status, 201, c.text);
    const fresh = c.json.rotation;
    assert.deepEqual([fresh.lastAttemptAt, fresh.lastSuccessAt, fresh.lastError], [null, null, null]);
    const start = Math.floor(Date.now() / 1000);
    await env.admin('POST', '/faults', { service: 'graph', method: 'POST', pathPrefix: '/v1.0/applications/', action: { kind: 'status', status: 500 }, count: 1 });
    const failed = await call('POST', `${R}/${fresh.id}/rotate`);
    assert.notEqual(failed.status, 200, failed.text);
    let now = (await call('GET', `${R}/${fresh.id}`)).json.rotation;
    assert.ok(now.lastAttemptAt >= start, JSON.stringify(now));
    assert.equal(now.lastSuccessAt, null);
    assert.equal(now.lastError.code, failed.json.error.code);
    const ok = await call('POST', `${R}/${fresh.id}/rotate`);
    assert.equal(ok.status, 200, ok.text);
    now = ok.json.rotation;
    assert.ok(now.lastSuccessAt >= now.lastAttemptAt - 1 && now.lastAttemptAt >= start, JSON.stringify(now));
    assert.equal(now.lastError, null);
    // 30 days on, then the first midnight UTC (the default `rotateAtUtc`).
    const earliest = now.lastSuccessAt + 30 * 86400;
    assert.equal(now.nextRotationAt, Math.ceil(earliest / 86400) * 86400);
    assert.equal((await call('DELETE', `${R}/${fresh.id}?secrets=revoke`)).status, 200);
  });

  test('a sync shows its last attempt, last success and the last run\'s error', async () => {
    const c = await call('POST', S, { name: 'status-sync', connectionId: storeConn.id, label: 'st', keyPrefix: 'St:' });
    assert.equal(c.status, 201, c.text);
    const id = c.json.sync.id;
    assert.deepEqual([c.json.sync.lastAttemptAt, c.json.sync.lastSuccessAt, c.json.sync.lastError], [null, null, null]);
    const ran = await call('POST', `${S}/${id}/run`, { secrets: { A: '1' } });
    assert.equal(ran.status, 200, ran.text);
    const first = ran.json.sync;
    assert.equal(first.lastAttemptAt, first.lastRun.startedAt);
    assert.equal(first.lastSuccessAt, first.lastRun.finishedAt);
    assert.equal(first.lastError, null);
    await env.admin('POST', '/faults', { service: 'store:demo', method: 'PUT', pathPrefix: '/kv', action: { kind: 'status', status: 500 }, count: 1 });
    const failed = await call('POST', `${S}/${id}/run`, { secrets: { A: '2' } });
    assert.notEqual(failed.status, 200, failed.text);
    const now = (await call('GET', `${S}/${id}`)).json.sync;
    assert.equal(now.lastRun.status, 'failed');
    assert.equal(now.lastAttemptAt, now.lastRun.startedAt);
    assert.equal(now.lastSuccessAt, first.lastSuccessAt, 'the earlier success stays');
    assert.equal(now.lastError.code, failed.json.error.code);
  });
});
