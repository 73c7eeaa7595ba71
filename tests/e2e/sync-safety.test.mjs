// Issue 15's findings on syncs and rotations, reproduced against wrangler dev + local D1 + the
// emulator: strict request types, interval guards, sync ownership, deletion guards, DELETE routes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, SECOND_APP, TARGET_APP, TENANT, setup } from './harness.mjs';
import { checkAnswer } from './openapi.mjs';

const R = '/api/v1/secret-rotations/azure-client-secret';
const S = '/api/v1/secret-syncs/azure-app-configuration';
const common = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };

let env;
let org;
let graphConn;
let storeConn;

before(async () => {
  env = await setup({ secondTarget: true });
  org = await env.newOrg('sync-safety');
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

const call = (method, path, body, token = org.token) => env.api(method, path, { token, body });
const kvs = async (label) => (await env.admin('GET', '/stores/demo/kv')).items.filter((k) => k.label === label);
const kv = async (label, key) => (await kvs(label)).find((k) => k.key === key);
const storeWrites = async () => (await env.admin('GET', '/requests')).requests
  .filter((r) => r.service === 'store:demo' && (r.method === 'PUT' || r.method === 'DELETE'));

async function newSync(body) {
  const r = await call('POST', S, { connectionId: storeConn.id, ...body });
  assert.equal(r.status, 201, r.text);
  return r.json.sync;
}

/** Writes a key-value straight to the store, as another tool would. */
async function putKv(key, label, value, tags = {}) {
  const { accessToken } = (await call('POST', `/api/v1/app-connections/azure-app-configuration/${storeConn.id}/token`)).json;
  const res = await fetch(`${env.emulator.stores.demo}/kv/${encodeURIComponent(key)}?label=${encodeURIComponent(label)}&api-version=2023-11-01`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/vnd.microsoft.appconfig.kv+json' },
    body: JSON.stringify({ value, tags }),
  });
  assert.equal(res.status, 200, await res.text());
}

describe('finding 2 and 6: strict types at the boundary', () => {
  test('dryRun "true" (a string) is refused and nothing is written', async () => {
    const sync = await newSync({ label: 'strict', keyPrefix: 'Strict:' });
    await env.admin('DELETE', '/requests');
    const r = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1' }, dryRun: 'true' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'dryRun');
    assert.equal(r.json.error.code, 'invalid-format');
    assert.match(r.json.error.message, /JSON boolean/);
    assert.deepEqual(await storeWrites(), []);
    assert.equal(await kv('strict', 'Strict:A'), undefined);
    assert.equal((await call('GET', `${S}/${sync.id}`)).json.sync.lastRun, null, 'no run recorded');
    const preview = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1' }, dryRun: true });
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual(preview.json.preview.create, ['Strict:A']);
    assert.deepEqual(await storeWrites(), []);
  });

  test('an unknown field is refused by name, before anything runs', async () => {
    const sync = await newSync({ label: 'strict2' });
    await env.admin('DELETE', '/requests');
    const r = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1' }, dryrun: true });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'dryrun');
    assert.equal(r.json.error.code, 'not-allowed');
    assert.match(r.json.error.hint, /dryRun/);
    assert.deepEqual(await storeWrites(), []);
    const secrets = await call('POST', `${S}/${sync.id}/run`, { secrets: 'A=1' });
    assert.equal(secrets.status, 400, secrets.text);
    assert.equal(secrets.json.error.field, 'secrets');
  });

  test('a member named twice is refused by its path: no copy wins, nothing runs', async () => {
    const sync = await newSync({ label: 'twice', keyPrefix: 'Twice:' });
    await env.admin('DELETE', '/requests');
    const raw = async (path, text) => {
      const res = await fetch(env.worker.base + path, {
        method: 'POST', headers: { authorization: `Bearer ${org.token}`, 'content-type': 'application/json' }, body: text,
      });
      const json = await res.json();
      checkAnswer('POST', path, res.status, json);
      return { status: res.status, json };
    };
    // A checker that reads the first copy sees a preview; azconn must not run the last one.
    const run = await raw(`${S}/${sync.id}/run`, '{"secrets":{"A":"1"},"dryRun":true,"dryRun":false}');
    assert.equal(run.status, 400);
    assert.deepEqual(run.json.error, { code: 'invalid-format', field: 'dryRun', message: '`dryRun` appears twice in the body', hint: 'send each member once' });
    const nested = await raw(`${S}/${sync.id}/run`, '{"secrets":{"A":"1","A":"2"},"dryRun":true}');
    assert.equal(nested.status, 400);
    assert.equal(nested.json.error.field, 'secrets.A');
    assert.deepEqual(await storeWrites(), []);
    assert.equal((await call('GET', `${S}/${sync.id}`)).json.sync.lastRun, null, 'no run recorded');
    const rotation = await raw(R, `{"connectionId":"${graphConn.id}","appId":"${TARGET_APP}","appId":"${AZCONN_APP}"}`);
    assert.equal(rotation.status, 400);
    assert.equal(rotation.json.error.field, 'appId');
  });

  test('sync mode 1 is refused, not taken as overwrite', async () => {
    const before = (await call('GET', S)).json.syncs.length;
    for (const mode of [1, 'Overwrite', true]) {
      const r = await call('POST', S, { connectionId: storeConn.id, label: 'm', mode });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.field, 'mode');
      assert.match(r.json.error.message, /importPreferSource/);
    }
    const label = await call('POST', S, { connectionId: storeConn.id, label: 7 });
    assert.equal(label.status, 400, label.text);
    assert.equal(label.json.error.field, 'label');
    assert.equal((await call('GET', S)).json.syncs.length, before, 'nothing stored');
  });

  test('rotation numbers and ids in one type only, unknown fields refused', async () => {
    await env.admin('DELETE', '/requests');
    for (const [body, field] of [
      [{ intervalDays: '30' }, 'intervalDays'],
      [{ lifetimeDays: 90.5 }, 'lifetimeDays'],
      [{ keepPrevious: true }, 'keepPrevious'],
      [{ appId: 7 }, 'appId'],
      [{ interval: 30 }, 'interval'],
    ]) {
      const r = await call('POST', R, { connectionId: graphConn.id, appId: TARGET_APP, ...body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field, r.text);
    }
    assert.deepEqual((await env.admin('GET', '/requests')).requests.filter((r) => r.service === 'graph'), []);
  });
});

describe('finding 6: rotation intervals and lifetimes', () => {
  test('an interval of 0, a negative one or under a day is refused before any Graph call', async () => {
    await env.admin('DELETE', '/requests');
    for (const intervalDays of [0, -1, -30]) {
      const r = await call('POST', R, { connectionId: graphConn.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays });
      assert.equal(r.status, 400, `${intervalDays}: ${r.text}`);
      assert.equal(r.json.error.field, 'intervalDays');
      assert.equal(r.json.error.code, 'out-of-range');
    }
    assert.equal((await call('GET', R)).json.rotations.length, 0, 'nothing stored');
  });

  test('a lifetime that does not outlive the interval, or beyond Entra\'s two years, is refused', async () => {
    for (const [body, field, code] of [
      [{ lifetimeDays: 30, intervalDays: 30 }, 'lifetimeDays', 'out-of-range'],
      [{ lifetimeDays: 0, intervalDays: 1 }, 'lifetimeDays', 'out-of-range'],
      [{ lifetimeDays: -5 }, 'lifetimeDays', 'out-of-range'],
      [{ lifetimeDays: 731, intervalDays: 30 }, 'lifetimeDays', 'lifetime-rejected'],
    ]) {
      const r = await call('POST', R, { connectionId: graphConn.id, appId: TARGET_APP, ...body });
      assert.equal(r.status, r.json?.error?.code === 'lifetime-rejected' ? 422 : 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field);
      assert.equal(r.json.error.code, code);
    }
    assert.equal((await call('GET', R)).json.rotations.length, 0, 'nothing stored');
  });
});

describe('findings 3 and 4: a sync writes and deletes only what it owns', () => {
  test('an unmanaged key is a conflict: not overwritten, not deleted, until adopted', async () => {
    await putKv('Own:Db', 'own', 'by hand', { team: 'pay' });
    const sync = await newSync({ label: 'own', keyPrefix: 'Own:' });
    const preview = await call('POST', `${S}/${sync.id}/run`, { secrets: { Db: 'from azconn', Api: 'k' }, dryRun: true });
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual(preview.json.preview.conflicts, [{ key: 'Own:Db', reason: 'unmanaged', owner: null }]);
    assert.deepEqual(preview.json.preview.create, ['Own:Api']);
    assert.deepEqual(preview.json.preview.update, []);
    let r = await call('POST', `${S}/${sync.id}/run`, { secrets: { Db: 'from azconn', Api: 'k' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.sync.lastRun.result.conflicts, [{ key: 'Own:Db', reason: 'unmanaged', owner: null }]);
    assert.deepEqual(r.json.sync.lastRun.plan.map((o) => `${o.op} ${o.key}`), ['put Own:Api']);
    let db = await kv('own', 'Own:Db');
    assert.equal(db.value, 'by hand');
    assert.deepEqual(db.tags, { team: 'pay' });
    assert.deepEqual((await kv('own', 'Own:Api')).tags, { 'managed-by': 'azconn', 'azconn-sync': sync.id });
    // A later run without it does not delete it either (finding 3).
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: { Api: 'k' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.sync.lastRun.plan, []);
    assert.equal((await kv('own', 'Own:Db')).value, 'by hand');
    // Adoption is explicit and by full key; its other tags stay.
    const stray = await call('POST', `${S}/${sync.id}/run`, { secrets: { Api: 'k' }, adopt: ['Own:Db'] });
    assert.equal(stray.status, 400, stray.text);
    assert.equal(stray.json.error.field, 'adopt');
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: { Db: 'from azconn', Api: 'k' }, adopt: ['Own:Db'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.sync.lastRun.result.conflicts, []);
    db = await kv('own', 'Own:Db');
    assert.equal(db.value, 'from azconn');
    assert.deepEqual(db.tags, { team: 'pay', 'managed-by': 'azconn', 'azconn-sync': sync.id });
    // Now it is the sync's own: updated without adopting.
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: { Db: 'v2', Api: 'k' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await kv('own', 'Own:Db')).value, 'v2');
  });

  test('a key tagged by an older azconn (managed-by only) belongs to no sync', async () => {
    await putKv('Old:Key', 'legacy', 'old value', { 'managed-by': 'azconn' });
    const sync = await newSync({ label: 'legacy', keyPrefix: 'Old:' });
    let r = await call('POST', `${S}/${sync.id}/run`, { secrets: { Key: 'new' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.sync.lastRun.result.conflicts, [{ key: 'Old:Key', reason: 'unowned', owner: null }]);
    assert.equal((await kv('legacy', 'Old:Key')).value, 'old value');
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: {} });
    assert.equal(r.status, 200, r.text);
    assert.ok(await kv('legacy', 'Old:Key'), 'not deleted');
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: { Key: 'new' }, adopt: ['Old:Key'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual((await kv('legacy', 'Old:Key')).tags, { 'managed-by': 'azconn', 'azconn-sync': sync.id });
  });

  test('two overlapping syncs on one store stay apart, across organizations too', async () => {
    const broad = await newSync({ label: 'shared', keyPrefix: 'Shared:' });
    const narrow = await newSync({ label: 'shared', keyPrefix: 'Shared:Db:' });
    const other = await env.newOrg('sync-safety-other');
    const oc = await env.api('POST', '/api/v1/app-connections/azure-app-configuration', {
      token: other.token, body: { name: 'store', endpoint: env.emulator.stores.demo, ...common },
    });
    assert.equal(oc.status, 201, oc.text);
    const foreign = await env.api('POST', S, { token: other.token, body: { connectionId: oc.json.appConnection.id, label: 'shared', keyPrefix: 'Shared:' } });
    assert.equal(foreign.status, 201, foreign.text);
    const runAs = (sync, secrets, token = org.token) => env.api('POST', `${S}/${sync.id}/run`, { token, body: { secrets } });
    for (let round = 0; round < 2; round++) {
      for (const [sync, secrets, token] of [
        [broad, { A: 'a' }], [narrow, { Pw: 'p' }], [foreign.json.sync, { Z: 'z' }, other.token],
      ]) {
        const r = await runAs(sync, secrets, token);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.sync.lastRun.plan.filter((o) => o.op === 'delete'), [], `round ${round}: ${r.text}`);
      }
    }
    const items = await kvs('shared');
    assert.deepEqual(items.map((k) => [k.key, k.value, k.tags['azconn-sync']]).sort(), [
      ['Shared:A', 'a', broad.id], ['Shared:Db:Pw', 'p', narrow.id], ['Shared:Z', 'z', foreign.json.sync.id],
    ]);
    // Wanting another sync's key is a conflict naming that sync; its value stays.
    const r = await runAs(broad, { A: 'a', 'Db:Pw': 'stolen' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.sync.lastRun.result.conflicts, [{ key: 'Shared:Db:Pw', reason: 'otherSync', owner: narrow.id }]);
    assert.equal((await kv('shared', 'Shared:Db:Pw')).value, 'p');
  });

  test('a run deleting more than it keeps, or everything, needs confirmDeletes', async () => {
    const sync = await newSync({ label: 'guard', keyPrefix: 'G:' });
    let r = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1', B: '2', C: '3' } });
    assert.equal(r.status, 200, r.text);
    await env.admin('DELETE', '/requests');
    for (const secrets of [{}, { A: '1' }]) {
      r = await call('POST', `${S}/${sync.id}/run`, { secrets });
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.error.field, 'confirmDeletes');
      assert.equal(r.json.error.code, 'conflict');
      assert.match(r.json.error.hint, /confirmDeletes: [23]/);
    }
    assert.deepEqual(await storeWrites(), []);
    assert.equal((await kvs('guard')).length, 3);
    const preview = await call('POST', `${S}/${sync.id}/run`, { secrets: {}, dryRun: true });
    assert.equal(preview.json.preview.confirmDeletes, 3);
    assert.deepEqual(preview.json.preview.delete.sort(), ['G:A', 'G:B', 'G:C']);
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: {}, confirmDeletes: 2 });
    assert.equal(r.status, 409, 'a count that is not the plan\'s does not confirm');
    const typed = await call('POST', `${S}/${sync.id}/run`, { secrets: {}, confirmDeletes: '3' });
    assert.equal(typed.status, 400, typed.text);
    assert.equal(typed.json.error.field, 'confirmDeletes');
    // Deleting one while keeping two needs no confirmation.
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1', B: '2' } });
    assert.equal(r.status, 200, r.text);
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: {}, confirmDeletes: 2 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await kvs('guard'), []);
  });

  test('disableSecretDeletion never deletes', async () => {
    const sync = await newSync({ label: 'nodel', keyPrefix: 'N:', disableSecretDeletion: true });
    assert.equal(sync.disableSecretDeletion, true);
    let r = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1', B: '2' } });
    assert.equal(r.status, 200, r.text);
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: {} });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.sync.lastRun.plan, []);
    assert.equal((await kvs('nodel')).length, 2);
    const bad = await call('POST', S, { connectionId: storeConn.id, disableSecretDeletion: 'yes' });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.field, 'disableSecretDeletion');
  });
});

describe('preview and apply are the same plan', () => {
  test('a run with its preview\'s fingerprint refuses when the store changed in between', async () => {
    const sync = await newSync({ label: 'fp', keyPrefix: 'F:' });
    let r = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1', B: '2' } });
    assert.equal(r.status, 200, r.text);
    const secrets = { A: '1', B: '2', C: '3' };
    const preview = async () => {
      const p = await call('POST', `${S}/${sync.id}/run`, { secrets, dryRun: true });
      assert.equal(p.status, 200, p.text);
      assert.match(p.json.preview.fingerprint, /^[A-Za-z0-9_-]{43}$/);
      return p.json.preview;
    };
    const seen = await preview();
    assert.deepEqual(seen.create, ['F:C']);
    assert.equal((await preview()).fingerprint, seen.fingerprint, 'nothing changed in between');

    // Another tool edits B after the preview (same value, new ETag).
    const b = await kv('fp', 'F:B');
    await putKv('F:B', 'fp', '2', b.tags);
    await env.admin('DELETE', '/requests');
    r = await call('POST', `${S}/${sync.id}/run`, { secrets, fingerprint: seen.fingerprint });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.field, 'fingerprint');
    assert.equal(r.json.error.code, 'conflict');
    assert.match(r.json.error.hint, /dryRun: true/);
    assert.deepEqual(await storeWrites(), [], 'nothing written');
    assert.equal(await kv('fp', 'F:C'), undefined);

    const fresh = await preview();
    assert.notEqual(fresh.fingerprint, seen.fingerprint);
    r = await call('POST', `${S}/${sync.id}/run`, { secrets, fingerprint: fresh.fingerprint });
    assert.equal(r.status, 200, r.text);
    assert.equal((await kv('fp', 'F:C')).value, '3');

    for (const [body, status] of [
      [{ secrets, fingerprint: 'not-a-digest' }, 400],
      [{ secrets, fingerprint: fresh.fingerprint, dryRun: true }, 400],
    ]) {
      const bad = await call('POST', `${S}/${sync.id}/run`, body);
      assert.equal(bad.status, status, bad.text);
      assert.equal(bad.json.error.field, 'fingerprint');
    }
  });
});

describe('options as Infisical names them', () => {
  test('a key schema puts each name inside {{secretKey}}; keys of another shape are not the sync\'s', async () => {
    await putKv('KS/A', 'ks', 'by hand');
    const sync = await newSync({ label: 'ks', keySchema: 'KS/{{secretKey}}/v1' });
    assert.equal(sync.keyPrefix, 'KS/');
    assert.equal(sync.keySchema, 'KS/{{secretKey}}/v1');
    let r = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1', B: '2' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual((await kvs('ks')).map((k) => [k.key, k.value]).sort(), [['KS/A', 'by hand'], ['KS/A/v1', '1'], ['KS/B/v1', '2']]);
    r = await call('POST', `${S}/${sync.id}/run`, { secrets: { A: '1' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await kv('ks', 'KS/B/v1'), undefined, 'its own key, no longer desired');
    assert.equal((await kv('ks', 'KS/A')).value, 'by hand', 'another shape: never touched');
    for (const [body, code] of [
      [{ keySchema: 'KS/' }, 'invalid-format'],
      [{ keySchema: '{{environment}}/{{secretKey}}' }, 'not-allowed'],
      [{ keySchema: 'a b/{{secretKey}}' }, 'invalid-character'],
      [{ keySchema: 'KS/{{secretKey}}', keyPrefix: 'KS/' }, 'not-allowed'],
    ]) {
      const bad = await call('POST', S, { connectionId: storeConn.id, ...body });
      assert.equal(bad.status, 400, bad.text);
      assert.deepEqual([bad.json.error.field, bad.json.error.code], ['keySchema', code], JSON.stringify(body));
    }
    const moved = await call('PATCH', `${S}/${sync.id}`, { version: sync.version, keySchema: 'KS/{{secretKey}}' });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json.sync.keySchema, 'KS/{{secretKey}}');
  });
  test('initialSyncBehavior is the mode under Infisical\'s name: on create, on PATCH, in the answer', async () => {
    const sync = await newSync({ label: 'isb', initialSyncBehavior: 'import-prioritize-source' });
    assert.deepEqual([sync.mode, sync.initialSyncBehavior], ['importPreferSource', 'import-prioritize-source']);
    const patched = await call('PATCH', `${S}/${sync.id}`, { version: 1, initialSyncBehavior: 'import-prioritize-destination' });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(
      [patched.json.sync.mode, patched.json.sync.initialSyncBehavior, patched.json.sync.version],
      ['importPreferDestination', 'import-prioritize-destination', 2],
    );
    const read = (await call('GET', `${S}/${sync.id}`)).json.sync;
    assert.deepEqual([read.mode, read.initialSyncBehavior], ['importPreferDestination', 'import-prioritize-destination']);
    // Both names, saying the same thing.
    const both = await call('PATCH', `${S}/${sync.id}`, { version: 2, mode: 'overwrite', initialSyncBehavior: 'overwrite-destination' });
    assert.equal(both.status, 200, both.text);
    assert.deepEqual([both.json.sync.mode, both.json.sync.initialSyncBehavior], ['overwrite', 'overwrite-destination']);
    const count = (await call('GET', S)).json.syncs.length;
    for (const [body, code] of [
      [{ initialSyncBehavior: 'overwrite' }, 'invalid-format'],
      [{ initialSyncBehavior: 1 }, 'invalid-format'],
      [{ initialSyncBehavior: true }, 'invalid-format'],
      [{ mode: 'overwrite', initialSyncBehavior: 'import-prioritize-source' }, 'not-allowed'],
    ]) {
      for (const r of [
        await call('POST', S, { connectionId: storeConn.id, label: 'isb2', ...body }),
        await call('PATCH', `${S}/${sync.id}`, { version: 3, ...body }),
      ]) {
        assert.equal(r.status, 400, r.text);
        assert.deepEqual([r.json.error.field, r.json.error.code], ['initialSyncBehavior', code], JSON.stringify(body));
        if (code === 'invalid-format') {
          assert.match(r.json.error.message, /overwrite-destination, import-prioritize-source, import-prioritize-destination/);
        } else {
          assert.equal(r.json.error.hint, 'mode overwrite is initialSyncBehavior overwrite-destination');
        }
      }
    }
    assert.equal((await call('GET', S)).json.syncs.length, count, 'nothing created');
    assert.equal((await call('GET', `${S}/${sync.id}`)).json.sync.version, 3, 'nothing written');
    // The audit log records the mode, under its one name.
    const audit = async (action) => (await call('GET', `/api/v1/audit-log?action=${action}&target=${sync.id}`)).json.entries;
    assert.deepEqual((await audit('sync.create')).map((e) => e.detail.mode), ['importPreferSource']);
    assert.deepEqual((await audit('sync.update')).map((e) => e.detail.mode).sort(), ['importPreferDestination', 'overwrite']);
  });
});

describe('a rotation\'s secret synced by reference', () => {
  test('{kind: "rotation"} writes the rotation\'s current secret; the value never passes through the caller', async () => {
    const rot = await call('POST', R, { connectionId: graphConn.id, appId: SECOND_APP, keepPrevious: 0 });
    assert.equal(rot.status, 201, rot.text);
    const id = rot.json.rotation.id;
    const sync = await newSync({ label: 'byref', keyPrefix: 'Ref:' });
    const secrets = { CLIENT_SECRET: { kind: 'rotation', rotationId: id } };
    let r = await call('POST', `${S}/${sync.id}/run`, { secrets });
    assert.equal(r.status, 404, 'not rotated yet');
    assert.equal(r.json.error.field, 'secrets.CLIENT_SECRET.rotationId');
    assert.equal((await call('POST', `${R}/${id}/rotate`)).status, 200);
    r = await call('POST', `${S}/${sync.id}/run`, { secrets });
    assert.equal(r.status, 200, r.text);
    const current = (await call('POST', `${R}/${id}/secret`)).json;
    assert.equal((await kv('byref', 'Ref:CLIENT_SECRET')).value, current.value);
    assert.ok(!r.text.includes(current.value), 'the answer never holds the value');
    const audit = await call('GET', `/api/v1/audit-log?target=${sync.id}`);
    assert.ok(!audit.text.includes(current.value), 'nor does the audit log');

    const stranger = await env.newOrg('byref-stranger');
    const theirs = await env.api('POST', '/api/v1/app-connections/azure-app-configuration', {
      token: stranger.token, body: { name: 'store', endpoint: env.emulator.stores.demo, ...common },
    });
    const theirSync = await env.api('POST', S, { token: stranger.token, body: { connectionId: theirs.json.appConnection.id, label: 'byref-x' } });
    const steal = await env.api('POST', `${S}/${theirSync.json.sync.id}/run`, { token: stranger.token, body: { secrets } });
    assert.equal(steal.status, 404, 'another organization\'s rotation is not found');
    assert.deepEqual(await kvs('byref-x'), []);
    assert.equal((await call('DELETE', `${R}/${id}?secrets=revoke`)).status, 200);
  });
});

describe('finding 5: rotations and syncs can be deleted, with an explicit choice', () => {
  const appSecrets = async () => (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials;

  test('a sync delete removes only its own keys, or keeps them', async () => {
    await putKv('Del:Hand', 'del', 'by hand');
    const removing = await newSync({ label: 'del', keyPrefix: 'Del:' });
    const keeping = await newSync({ label: 'del', keyPrefix: 'Del:K:' });
    assert.equal((await call('POST', `${S}/${removing.id}/run`, { secrets: { A: '1', B: '2' } })).status, 200);
    assert.equal((await call('POST', `${S}/${keeping.id}/run`, { secrets: { C: '3' } })).status, 200);
    const missing = await call('DELETE', `${S}/${removing.id}`);
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.json.error.field, 'keys');
    const wrong = await call('DELETE', `${S}/${removing.id}?keys=all`);
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal(wrong.json.error.field, 'keys');
    let r = await call('DELETE', `${S}/${removing.id}?keys=remove`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.removed.sort(), ['Del:A', 'Del:B']);
    assert.equal(r.json.keys, 'remove');
    assert.deepEqual((await kvs('del')).map((k) => k.key).sort(), ['Del:Hand', 'Del:K:C']);
    assert.equal((await call('GET', `${S}/${removing.id}`)).status, 404);
    r = await call('DELETE', `${S}/${keeping.id}?keys=keep`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.removed, []);
    assert.deepEqual((await kvs('del')).map((k) => k.key).sort(), ['Del:Hand', 'Del:K:C']);
    assert.equal((await call('GET', S)).json.syncs.some((s) => s.id === keeping.id), false);
  });

  test('a rotation delete revokes only the secrets it created, or keeps them', async () => {
    const before = (await appSecrets()).map((c) => c.keyId);
    // One rotation per app: the second rotation rotates a second app, and the revoke of the
    // first must leave both apps' other secrets alone.
    const create = async (appId) => {
      const c = await call('POST', R, { connectionId: graphConn.id, appId, lifetimeDays: 90, intervalDays: 30 });
      assert.equal(c.status, 201, c.text);
      const rot = await call('POST', `${R}/${c.json.rotation.id}/rotate`);
      assert.equal(rot.status, 200, rot.text);
      return { id: c.json.rotation.id, keyId: rot.json.secret.keyId };
    };
    const revoked = await create(TARGET_APP);
    const kept = await create(SECOND_APP);
    const secondSecrets = async () => (await env.admin('GET', `/applications/${SECOND_APP}`)).passwordCredentials.map((c) => c.keyId);
    const missing = await call('DELETE', `${R}/${revoked.id}`);
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.json.error.field, 'secrets');
    let r = await call('DELETE', `${R}/${revoked.id}?secrets=revoke`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.revoked, [revoked.keyId]);
    let ids = (await appSecrets()).map((c) => c.keyId);
    assert.ok(!ids.includes(revoked.keyId), 'revoked');
    assert.ok((await secondSecrets()).includes(kept.keyId), 'another rotation\'s secret stays');
    for (const id of before) assert.ok(ids.includes(id), `pre-existing secret ${id} stays`);
    assert.equal((await call('GET', `${R}/${revoked.id}`)).status, 404);
    r = await call('DELETE', `${R}/${kept.id}?secrets=keep`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.revoked, []);
    assert.ok((await secondSecrets()).includes(kept.keyId), 'kept');
    assert.equal((await call('GET', R)).json.rotations.length, 0);
  });
});

describe('settings changes are version-checked', () => {
  test('PATCH a sync: checked like create, the loser of two writes at one version gets 409', async () => {
    const sync = await newSync({ label: 'p1', keyPrefix: 'P:' });
    assert.equal(sync.version, 1);
    const noVersion = await call('PATCH', `${S}/${sync.id}`, { mode: 'importPreferSource' });
    assert.equal(noVersion.status, 400, noVersion.text);
    assert.equal(noVersion.json.error.field, 'version');
    const badMode = await call('PATCH', `${S}/${sync.id}`, { version: 1, mode: 2 });
    assert.equal(badMode.status, 400, badMode.text);
    assert.equal(badMode.json.error.field, 'mode');
    const [a, b] = await Promise.all([
      call('PATCH', `${S}/${sync.id}`, { version: 1, keyPrefix: 'A:' }),
      call('PATCH', `${S}/${sync.id}`, { version: 1, keyPrefix: 'B:', disableSecretDeletion: true }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.text} ${b.text}`);
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    assert.equal(lost.json.error.field, 'version');
    assert.equal(lost.json.error.code, 'conflict');
    const now = (await call('GET', `${S}/${sync.id}`)).json.sync;
    assert.equal(now.version, 2);
    assert.equal(now.keyPrefix, won.json.sync.keyPrefix);
    assert.equal(now.disableSecretDeletion, won === b, 'nothing of the loser stored');
    const label = await call('PATCH', `${S}/${sync.id}`, { version: 2, label: '', mode: 'importPreferDestination' });
    assert.equal(label.status, 200, label.text);
    assert.equal(label.json.sync.label, null);
    assert.equal(label.json.sync.mode, 'importPreferDestination');
  });

  test('PATCH a rotation: guards as on create, version-checked, the new schedule used by runs', async () => {
    const c = await call('POST', R, { connectionId: graphConn.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 });
    assert.equal(c.status, 201, c.text);
    const id = c.json.rotation.id;
    assert.equal(c.json.rotation.version, 1);
    for (const [body, field] of [
      [{ version: 1, intervalDays: 0 }, 'intervalDays'],
      [{ version: 1, lifetimeDays: 20 }, 'lifetimeDays'],
      [{ version: 1, keepPrevious: 11 }, 'keepPrevious'],
      [{ version: '1', intervalDays: 7 }, 'version'],
      [{ intervalDays: 7 }, 'version'],
    ]) {
      const r = await call('PATCH', `${R}/${id}`, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field);
    }
    const [a, b] = await Promise.all([
      call('PATCH', `${R}/${id}`, { version: 1, intervalDays: 7, lifetimeDays: 30 }),
      call('PATCH', `${R}/${id}`, { version: 1, intervalDays: 14, lifetimeDays: 60 }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.text} ${b.text}`);
    const won = a.status === 200 ? a : b;
    const now = (await call('GET', `${R}/${id}`)).json.rotation;
    assert.equal(now.version, 2);
    assert.equal(now.intervalDays, won.json.rotation.intervalDays);
    assert.equal(now.lifetimeDays, won.json.rotation.lifetimeDays);
    // A run uses the stored state the PATCH wrote: the new secret lives the new lifetime.
    const rot = await call('POST', `${R}/${id}/rotate`);
    assert.equal(rot.status, 200, rot.text);
    const days = (rot.json.secret.expiresAt - Date.now() / 1000) / 86400;
    assert.ok(Math.abs(days - now.lifetimeDays) < 1, `${days} days`);
    assert.equal((await call('DELETE', `${R}/${id}?secrets=revoke`)).status, 200);
  });
});
