// Issue 15, "secrets left by deleted rotations are listed so a user can remove them": a rotation
// deleted with `secrets=keep` is listed under `leftover-secrets`; reading one shows which of its
// secrets the app still has (from the emulator's Graph, never another secret of the app), and
// deleting it revokes them (`secrets=revoke`) or only forgets the leftover (`secrets=keep`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TARGET_APP, TENANT, setup } from './harness.mjs';

const CS = '/api/v1/app-connections/azure-client-secrets';
const R = '/api/v1/secret-rotations/azure-client-secret';
const L = `${R}/leftover-secrets`;
const common = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };

let env;
let org;
let other;

before(async () => {
  env = await setup();
  org = await env.newOrg('rotation-leftovers');
  other = await env.newOrg('rotation-leftovers-other');
});

after(async () => {
  await env?.stop();
});

const call = (method, path, body) => env.api(method, path, { token: org.token, body });
const secretsOf = async () => (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials.map((p) => p.keyId).sort();
const connection = async (name) => {
  const c = await call('POST', CS, { name, ...common });
  assert.equal(c.status, 201, c.text);
  return c.json.appConnection;
};
/** A rotation of the target app rotated `runs` times, then deleted with `secrets=keep`. */
const keptRotation = async (conn, name, runs) => {
  const c = await call('POST', R, { name, connectionId: conn.id, appId: TARGET_APP, keepPrevious: 2 });
  assert.equal(c.status, 201, c.text);
  const keys = [];
  for (let i = 0; i < runs; i++) {
    const r = await call('POST', `${R}/${c.json.rotation.id}/rotate`);
    assert.equal(r.status, 200, r.text);
    keys.push(r.json.secret.keyId);
  }
  const d = await call('DELETE', `${R}/${c.json.rotation.id}?secrets=keep`);
  assert.equal(d.status, 200, d.text);
  assert.deepEqual(d.json.revoked, []);
  return { rotation: c.json.rotation, keys: keys.sort() };
};

describe('secrets left by deleted rotations', () => {
  test('listed after a delete with keep, read from the app, then revoked: only its own secrets', async () => {
    const original = await secretsOf();
    const conn = await connection('leftovers-graph');
    const { rotation, keys } = await keptRotation(conn, 'left-behind', 2);
    assert.deepEqual(await secretsOf(), [...original, ...keys].sort(), 'keep left both on the app');

    const list = await call('GET', L);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.json.leftovers.map((l) => [l.id, l.name, l.connectionId, l.target.appId]),
      [[rotation.id, 'left-behind', conn.id, TARGET_APP]],
    );
    assert.equal(typeof list.json.leftovers[0].deletedAt, 'number');
    const theirs = await env.api('GET', L, { token: other.token });
    assert.deepEqual(theirs.json.leftovers, [], 'another organization sees none');
    assert.equal((await env.api('GET', `${L}/${rotation.id}`, { token: other.token })).status, 404);
    assert.equal((await env.api('DELETE', `${L}/${rotation.id}?secrets=revoke`, { token: other.token })).status, 404);

    const one = await call('GET', `${L}/${rotation.id}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.leftover.id, rotation.id);
    assert.deepEqual(one.json.secrets.map((x) => x.keyId).sort(), keys);
    assert.ok(one.json.secrets.every((x) => typeof x.hint === 'string' && !('value' in x)), one.text);
    assert.doesNotMatch(one.text, /secretText|"value"/);

    const missing = await call('DELETE', `${L}/${rotation.id}`);
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.json.error.field, 'secrets');
    const revoked = await call('DELETE', `${L}/${rotation.id}?secrets=revoke`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(revoked.json.revoked.slice().sort(), keys);
    assert.equal(revoked.json.secrets, 'revoke');
    assert.deepEqual(await secretsOf(), original, 'its secrets are gone, every other one stays');
    assert.deepEqual((await call('GET', L)).json.leftovers, []);
    assert.equal((await call('GET', `${L}/${rotation.id}`)).status, 404);
    assert.equal((await call('DELETE', `${L}/${rotation.id}?secrets=revoke`)).status, 404);
    const audit = await call('GET', `/api/v1/audit-log?action=rotation.leftover.delete&target=${rotation.id}`);
    assert.deepEqual(
      audit.json.entries.map((e) => [e.outcome, e.detail.secrets, e.detail.revoked.slice().sort()]),
      [['ok', 'revoke', keys]],
    );
    await call('DELETE', `${CS}/${conn.id}`);
  });

  test('keep only forgets the leftover; its secret stays on the app', async () => {
    const conn = await connection('leftovers-forget');
    const { rotation, keys } = await keptRotation(conn, 'forgotten', 1);
    const before = await secretsOf();
    const forgot = await call('DELETE', `${L}/${rotation.id}?secrets=keep`);
    assert.equal(forgot.status, 200, forgot.text);
    assert.deepEqual(forgot.json.revoked, []);
    assert.deepEqual(await secretsOf(), before);
    assert.ok(before.includes(keys[0]));
    assert.deepEqual((await call('GET', L)).json.leftovers, []);
    await call('DELETE', `${CS}/${conn.id}`);
  });

  test('deleting the connection forgets its leftovers (nothing could reach the app any more)', async () => {
    const conn = await connection('leftovers-conn-gone');
    const { rotation } = await keptRotation(conn, 'orphaned', 1);
    assert.deepEqual((await call('GET', L)).json.leftovers.map((l) => l.id), [rotation.id]);
    const gone = await call('DELETE', `${CS}/${conn.id}`);
    assert.equal(gone.status, 200, gone.text);
    assert.deepEqual((await call('GET', L)).json.leftovers, []);
  });
});
