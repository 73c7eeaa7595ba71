// Issue 15, connections with dependents: `DELETE …/{id}` of a connection in use is 409 naming
// its rotations and syncs; with `?dependents=delete` they are deleted first, each with the
// explicit choice (`secrets=revoke|keep` for rotations, `keys=remove|keep` for syncs), then the
// connection. A dependent that fails stops it: the answer says what was deleted and what was
// not, and the connection stays.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, SECOND_APP, SECOND_OBJECT, TARGET_APP, TENANT, setup } from './harness.mjs';

const CS = '/api/v1/app-connections/azure-client-secrets';
const AC = '/api/v1/app-connections/azure-app-configuration';
const R = '/api/v1/secret-rotations/azure-client-secret';
const S = '/api/v1/secret-syncs/azure-app-configuration';
const common = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };

let env;
let org;

before(async () => {
  env = await setup({ secondTarget: true });
  org = await env.newOrg('connection-dependents');
});

after(async () => {
  await env?.stop();
});

const call = (method, path, body) => env.api(method, path, { token: org.token, body });
const secretsOf = async (appId) => (await env.admin('GET', `/applications/${appId}`)).passwordCredentials.map((p) => p.keyId).sort();
const kvKeys = async () => (await env.admin('GET', '/stores/demo/kv')).items.map((i) => i.key).sort();
const graphConnection = async (name) => {
  const c = await call('POST', CS, { name, ...common });
  assert.equal(c.status, 201, c.text);
  return c.json.appConnection;
};
const storeConnection = async (name) => {
  const c = await call('POST', AC, { name, endpoint: env.emulator.stores.demo, ...common });
  assert.equal(c.status, 201, c.text);
  return c.json.appConnection;
};
/** A rotation of `appId` on `conn`, rotated once: its keyId. */
const rotated = async (conn, appId, name) => {
  const c = await call('POST', R, { name, connectionId: conn.id, appId });
  assert.equal(c.status, 201, c.text);
  const r = await call('POST', `${R}/${c.json.rotation.id}/rotate`);
  assert.equal(r.status, 200, r.text);
  return { id: c.json.rotation.id, keyId: r.json.secret.keyId };
};
const audited = async (action, target) =>
  (await call('GET', `/api/v1/audit-log?action=${action}&target=${target}`)).json.entries;

describe('delete a connection with its dependents', () => {
  test('without the flag still 409; a missing, unknown or repeated parameter is 400 and nothing is deleted', async () => {
    const conn = await graphConnection('graph-refused');
    const rot = await rotated(conn, TARGET_APP, 'refused');
    const before = await secretsOf(TARGET_APP);
    const plain = await call('DELETE', `${CS}/${conn.id}`);
    assert.equal(plain.status, 409, plain.text);
    assert.deepEqual(plain.json.dependents.map((d) => [d.kind, d.id]), [['rotation', rot.id]]);
    assert.match(plain.json.error.hint, /dependents=delete/);
    for (const [query, field, code] of [
      ['dependents=delete', 'secrets', 'required'],
      ['dependents=delete&keys=remove', 'secrets', 'required'],
      ['dependents=delete&secrets=revoke&force=1', 'force', 'not-allowed'],
      ['dependents=delete&secrets=revoke&secrets=keep', 'secrets', 'not-allowed'],
      ['dependents=cascade&secrets=revoke', 'dependents', 'invalid-format'],
      ['dependents=delete&secrets=all', 'secrets', 'invalid-format'],
      ['secrets=revoke', 'secrets', 'not-allowed'],
    ]) {
      const r = await call('DELETE', `${CS}/${conn.id}?${query}`);
      assert.equal(r.status, 400, `${query}: ${r.text}`);
      assert.deepEqual([r.json.error.field, r.json.error.code], [field, code], query);
    }
    const missing = await call('DELETE', `${CS}/${conn.id}?dependents=delete`);
    const app = (await call('GET', `${R}/${rot.id}`)).json.rotation.target.displayName;
    assert.equal(missing.json.error.message, `the connection is used by rotation ${rot.id} (${app}): choose what happens to the secrets its rotations created on their apps`);
    assert.deepEqual(missing.json.dependents.map((d) => d.id), [rot.id]);
    assert.equal((await call('GET', `${R}/${rot.id}`)).status, 200, 'the rotation stays');
    assert.equal((await call('GET', `${CS}/${conn.id}`)).status, 200, 'the connection stays');
    assert.deepEqual(await secretsOf(TARGET_APP), before);
    // Cleanup for the next tests: the app is free again.
    const gone = await call('DELETE', `${CS}/${conn.id}?dependents=delete&secrets=revoke`);
    assert.equal(gone.status, 200, gone.text);
  });

  test('secrets=revoke removes what each rotation created, secrets=keep leaves it; then the connection goes', async () => {
    const original = await secretsOf(TARGET_APP);
    for (const secrets of ['revoke', 'keep']) {
      const conn = await graphConnection(`graph-${secrets}`);
      const rot = await rotated(conn, TARGET_APP, `rot-${secrets}`);
      const r = await call('DELETE', `${CS}/${conn.id}?dependents=delete&secrets=${secrets}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.appConnection.id, conn.id);
      assert.deepEqual(r.json.syncs, []);
      assert.deepEqual(r.json.rotations.map((x) => [x.rotation.id, x.secrets]), [[rot.id, secrets]]);
      if (secrets === 'revoke') {
        assert.deepEqual(r.json.rotations[0].revoked, [rot.keyId]);
        assert.deepEqual(await secretsOf(TARGET_APP), original, 'its secret is removed from the app');
      } else {
        assert.deepEqual(r.json.rotations[0].revoked, []);
        assert.deepEqual(await secretsOf(TARGET_APP), [...original, rot.keyId].sort(), 'its secret stays on the app');
      }
      assert.equal((await call('GET', `${R}/${rot.id}`)).status, 404);
      assert.equal((await call('GET', `${CS}/${conn.id}`)).status, 404);
      assert.equal((await audited('rotation.delete', rot.id)).length, 1);
      const [entry] = await audited('connection.delete', conn.id);
      assert.deepEqual([entry.outcome, entry.detail.rotations, entry.detail.syncs], ['ok', [rot.id], []]);
    }
  });

  test('keys=remove deletes the keys each sync owns, keys=keep leaves them; then the connection goes', async () => {
    for (const keys of ['remove', 'keep']) {
      const conn = await storeConnection(`store-${keys}`);
      const c = await call('POST', S, { connectionId: conn.id, keyPrefix: `Dep${keys}:` });
      assert.equal(c.status, 201, c.text);
      const run = await call('POST', `${S}/${c.json.sync.id}/run`, { secrets: { A: '1', B: '2' } });
      assert.equal(run.status, 200, run.text);
      const missing = await call('DELETE', `${AC}/${conn.id}?dependents=delete&secrets=revoke`);
      assert.equal(missing.status, 400, missing.text);
      assert.equal(missing.json.error.field, 'keys');
      assert.deepEqual(missing.json.dependents.map((d) => d.id), [c.json.sync.id]);
      const r = await call('DELETE', `${AC}/${conn.id}?dependents=delete&keys=${keys}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.rotations, []);
      assert.deepEqual(r.json.syncs.map((x) => [x.sync.id, x.keys]), [[c.json.sync.id, keys]]);
      const mine = (await kvKeys()).filter((k) => k.startsWith(`Dep${keys}:`));
      if (keys === 'remove') {
        assert.deepEqual(r.json.syncs[0].removed.sort(), [`Dep${keys}:A`, `Dep${keys}:B`]);
        assert.deepEqual(mine, []);
      } else {
        assert.deepEqual(r.json.syncs[0].removed, []);
        assert.deepEqual(mine, [`Dep${keys}:A`, `Dep${keys}:B`]);
      }
      assert.equal((await call('GET', `${S}/${c.json.sync.id}`)).status, 404);
      assert.equal((await call('GET', `${AC}/${conn.id}`)).status, 404);
      assert.equal((await audited('sync.delete', c.json.sync.id)).length, 1);
      const [entry] = await audited('connection.delete', conn.id);
      assert.deepEqual([entry.outcome, entry.detail.syncs], ['ok', [c.json.sync.id]]);
    }
  });

  test('a dependent that fails midway stops the delete: what was deleted and what was not, the connection stays', async () => {
    const conn = await graphConnection('graph-midway');
    const first = await rotated(conn, TARGET_APP, 'first');
    const second = await rotated(conn, SECOND_APP, 'second');
    // Graph refuses to read the second app's secrets (its revocation's first call).
    await env.admin('POST', '/faults', { service: 'graph', method: 'GET', pathPrefix: `/v1.0/applications/${SECOND_OBJECT}`, action: { kind: 'status', status: 403 } });
    let r;
    try {
      r = await call('DELETE', `${CS}/${conn.id}?dependents=delete&secrets=revoke`);
    } finally {
      await env.admin('DELETE', '/faults');
    }
    assert.ok(r.status >= 400, r.text);
    assert.match(r.json.error.message, new RegExp(`^could not delete rotation ${second.id} \\(`));
    assert.match(r.json.error.hint, new RegExp(`deleted before it: rotation ${first.id} .*the connection stays, still used by rotation ${second.id}`));
    assert.deepEqual(r.json.deleted.map((d) => d.id), [first.id]);
    assert.deepEqual(r.json.dependents.map((d) => d.id), [second.id]);
    assert.doesNotMatch(r.text, /SQLITE|D1_|at .*\.js/i);
    assert.equal((await call('GET', `${R}/${first.id}`)).status, 404);
    assert.ok(!(await secretsOf(TARGET_APP)).includes(first.keyId), 'the first one\'s secret was revoked');
    assert.equal((await call('GET', `${R}/${second.id}`)).status, 200, 'the second stays');
    assert.ok((await secretsOf(SECOND_APP)).includes(second.keyId), 'with its secret');
    assert.equal((await call('GET', `${CS}/${conn.id}`)).status, 200, 'the connection stays');
    const [failed] = await audited('connection.delete', conn.id);
    assert.equal(failed.outcome, 'failed');
    assert.deepEqual([failed.detail.deleted.map((d) => d.id), failed.detail.remaining.map((d) => d.id)], [[first.id], [second.id]]);
    // Repeated once Graph answers: the rest goes, then the connection.
    const again = await call('DELETE', `${CS}/${conn.id}?dependents=delete&secrets=revoke`);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.json.rotations.map((x) => x.rotation.id), [second.id]);
    assert.ok(!(await secretsOf(SECOND_APP)).includes(second.keyId));
    assert.equal((await call('GET', `${CS}/${conn.id}`)).status, 404);
  });
});
