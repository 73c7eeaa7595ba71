// Rotation and sync end to end, and the Cron Trigger: wrangler dev + local D1 + the emulator.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TARGET_APP, TARGET_SECRET, TENANT, setup } from './harness.mjs';

let env;
let org;
let graphConn;
let storeConn;

before(async () => {
  env = await setup();
  org = await env.newOrg('workflows');
  const common = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };
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

const R = '/api/v1/secret-rotations/azure-client-secret';
const S = '/api/v1/secret-syncs/azure-app-configuration';
const appSecrets = async () => (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials;

describe('rotation', () => {
  let rotation;
  let first;

  test('lifetime shorter than the interval is refused before anything is created', async () => {
    const r = await env.api('POST', R, { token: org.token, body: { connectionId: graphConn.id, appId: TARGET_APP, lifetimeDays: 10, intervalDays: 30 } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'lifetimeDays');
    assert.equal((await appSecrets()).length, 1);
  });

  test('rotate now: new secret verified, returned once, old one kept', async () => {
    const c = await env.api('POST', R, { token: org.token, body: { connectionId: graphConn.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 } });
    assert.equal(c.status, 201, c.text);
    rotation = c.json.rotation;
    assert.equal(rotation.target.appId, TARGET_APP);
    const r = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
    assert.equal(r.status, 200, r.text);
    first = r.json.secret;
    assert.ok(first.value.length > 20);
    assert.equal(r.json.rotation.status, 'active');
    assert.equal(r.json.rotation.current.keyId, first.keyId);
    assert.equal(r.json.rotation.current.hint, first.value.slice(0, 3));
    const creds = await appSecrets();
    assert.deepEqual(creds.map((p) => p.keyId).sort(), ['1a2b3c4d-5e6f-4708-9a1b-2c3d4e5f6a7b', first.keyId].sort());
    // Status never shows the value again.
    const st = await env.api('GET', `${R}/${rotation.id}`, { token: org.token });
    assert.ok(!st.text.includes(first.value));
    // The new secret works against the emulator's token endpoint.
    const t = await fetch(`${env.emulator.entra}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: TARGET_APP, client_secret: first.value, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' }),
    });
    assert.equal(t.status, 200);
  });

  test('a second rotation keeps one previous azconn secret and retires the older one', async () => {
    // Rotations run days apart; secrets created in the same second would tie on startDateTime.
    await env.admin('POST', '/clock', { advanceSeconds: 60 });
    const r = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
    assert.equal(r.status, 200, r.text);
    const ids = (await appSecrets()).map((p) => p.keyId);
    assert.ok(ids.includes(r.json.secret.keyId));
    assert.ok(ids.includes(first.keyId), 'the previous secret stays valid');
    await env.admin('POST', '/clock', { advanceSeconds: 60 });
    const again = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
    assert.equal(again.status, 200, again.text);
    const after = (await appSecrets()).map((p) => p.keyId);
    assert.ok(!after.includes(first.keyId), 'the oldest azconn secret is retired');
    assert.ok(after.includes('1a2b3c4d-5e6f-4708-9a1b-2c3d4e5f6a7b'), 'a secret azconn did not create is never removed');
    const secret = await env.api('POST', `${R}/${rotation.id}/secret`, { token: org.token });
    assert.equal(secret.json.value, again.json.secret.value);
  });

  test('a Graph failure during addPassword leaves a resumable rotation and no untracked secret', async () => {
    const before = (await appSecrets()).length;
    await env.admin('POST', '/faults', { service: 'graph', method: 'POST', pathPrefix: '/v1.0/applications', action: { kind: 'status', status: 500 }, count: 10 });
    const r = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
    assert.notEqual(r.status, 200);
    await env.admin('DELETE', '/faults');
    assert.equal((await appSecrets()).length, before);
    const resumed = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json.rotation.status, 'active');
  });

  test('propagation delay: the new secret is verified after it propagates, the old one keeps working', async () => {
    await env.admin('PUT', '/settings', { secretPropagationSeconds: 3 });
    try {
      const r = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.rotation.status, 'active');
      const verifies = (await env.api('GET', '/api/v1/audit-log?action=rotation.verify&limit=200', { token: org.token })).json.entries
        .filter((e) => e.action === 'rotation.verify' && e.detail.keyId === r.json.secret.keyId);
      assert.ok(verifies.some((e) => e.outcome === 'failed'), 'the first verification met AADSTS7000215');
      assert.equal(verifies[0].outcome, 'ok', 'the last verification succeeded');
      // The secret azconn did not create was never touched.
      assert.ok((await appSecrets()).some((p) => p.keyId === '1a2b3c4d-5e6f-4708-9a1b-2c3d4e5f6a7b'));
    } finally {
      await env.admin('PUT', '/settings', { secretPropagationSeconds: 0 });
    }
  });

  test('a failure while pruning leaves a resumable rotation', async () => {
    await env.admin('POST', '/clock', { advanceSeconds: 60 });
    // Only removePassword fails: addPassword, verification and publication go through.
    await env.admin('POST', '/faults', { service: 'graph', method: 'POST', pathPrefix: `/v1.0/applications/c3f5d7b9-1e2a-4f4b-8d6c-8eaf2c4e6f81/removePassword`, action: { kind: 'status', status: 403 }, count: 1 });
    const r = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'permission-denied');
    const st = await env.api('GET', `${R}/${rotation.id}`, { token: org.token });
    assert.equal(st.json.rotation.status, 'interrupted');
    const newKey = st.json.rotation.current.keyId;
    assert.ok((await appSecrets()).some((p) => p.keyId === newKey), 'the published secret stays');
    const resumed = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json.rotation.current.keyId, newKey, 'resuming finished the same run');
    assert.equal(resumed.json.secret, null, 'the value was already handed out');
    await env.admin('DELETE', '/faults');
  });

  test('one run at a time: a concurrent rotate is refused and sends nothing to Graph', async () => {
    await env.admin('POST', '/clock', { advanceSeconds: 60 });
    // The first run waits for its new secret to propagate, so the second arrives mid-run.
    await env.admin('PUT', '/settings', { secretPropagationSeconds: 3 });
    await env.admin('DELETE', '/requests');
    try {
      const first = env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
      let running;
      for (let i = 0; i < 50; i++) {
        running = await env.api('GET', `${R}/${rotation.id}`, { token: org.token });
        if (running.json.rotation.status === 'running') break;
        await new Promise((ok) => setTimeout(ok, 100));
      }
      assert.equal(running.json.rotation.status, 'running');
      const second = await env.api('POST', `${R}/${rotation.id}/rotate`, { token: org.token });
      assert.equal(second.status, 409, second.text);
      assert.equal(second.json.error.code, 'conflict');
      assert.match(second.json.error.hint, /wait for the run to finish/);
      const done = await first;
      assert.equal(done.status, 200, done.text);
      assert.equal(done.json.rotation.status, 'active');
      const adds = (await env.admin('GET', '/requests')).requests.filter((r) => r.service === 'graph' && r.path.endsWith('/addPassword'));
      assert.equal(adds.length, 1, 'exactly one secret added');
    } finally {
      await env.admin('PUT', '/settings', { secretPropagationSeconds: 0 });
    }
  });

  test('one rotation per app: a second is refused naming the first, before any Graph write', async () => {
    await env.admin('DELETE', '/requests');
    const again = await env.api('POST', R, { token: org.token, body: { connectionId: graphConn.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 } });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.error.code, 'conflict');
    assert.equal(again.json.error.field, 'appId');
    assert.equal(again.json.error.message, `rotation ${rotation.id} already rotates the secrets of app ${TARGET_APP}`);
    const graph = (await env.admin('GET', '/requests')).requests.filter((r) => r.service === 'graph');
    assert.deepEqual(graph.map((r) => r.method), ['GET'], 'only the read that resolves the app');
    assert.deepEqual((await env.api('GET', R, { token: org.token })).json.rotations.map((r) => r.id), [rotation.id]);
  });

  test('the Cron Trigger runs due rotations', async () => {
    // One rotation per app: the earlier one goes first, with the secrets it created.
    const gone = await env.api('DELETE', `${R}/${rotation.id}?secrets=revoke`, { token: org.token });
    assert.equal(gone.status, 200, gone.text);
    // Two concurrent creates of the freed app: the storage's unique index lets exactly one in.
    const both = await Promise.all([1, 2].map(() => env.api('POST', R, { token: org.token, body: { connectionId: graphConn.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 } })));
    assert.deepEqual(both.map((r) => r.status).sort(), [201, 409], both.map((r) => r.text).join(' '));
    const c = both.find((r) => r.status === 201);
    assert.equal(both.find((r) => r.status === 409).json.error.field, 'appId');
    assert.deepEqual((await env.api('GET', R, { token: org.token })).json.rotations.map((r) => r.id), [c.json.rotation.id]);
    // A new rotation is due at once: the next tick gives it its first secret.
    assert.equal(c.json.rotation.nextRotationAt, c.json.rotation.createdAt, c.text);
    const res = await fetch(`${env.worker.base}/__scheduled?cron=*/15+*+*+*+*`);
    assert.equal(res.status, 200);
    const st = await env.api('GET', `${R}/${c.json.rotation.id}`, { token: org.token });
    assert.equal(st.json.rotation.status, 'active', st.text);
    assert.ok(st.json.rotation.current.keyId);
    assert.ok(st.json.rotation.nextRotationAt > Date.now() / 1000 + 29 * 86400);
  });
});

describe('housekeeping', () => {
  const CS = '/api/v1/app-connections/azure-client-secrets';
  const start = async (name) => {
    const r = await env.api('POST', `${CS}/oauth/start`, { token: org.token, body: { name, tenantId: TENANT } });
    assert.equal(r.status, 200, r.text);
  };
  const session = async () => {
    const r = await env.api('POST', '/api/v1/sessions', { body: { token: org.token } });
    assert.equal(r.status, 200, r.text);
    return r.headers.get('set-cookie').split(';')[0];
  };

  test('the Cron Trigger forgets expired sign-ins with their verifiers, and expired sessions', async () => {
    await start('abandoned');
    await session();
    // Past their lifetime: what the clock would do, without waiting for it.
    await env.d1('UPDATE oauth_pending SET expires_at = 1; UPDATE sessions SET expires_at = 1');
    await start('live');
    const live = await session();
    const [{ id: abandoned }] = await env.d1("SELECT id FROM oauth_pending WHERE name = 'abandoned'");
    // One query per look (each `wrangler d1 execute` takes seconds).
    const look = async () => (await env.d1(`SELECT
      (SELECT group_concat(name, ',') FROM (SELECT name FROM oauth_pending ORDER BY name)) AS pending,
      (SELECT group_concat(v, ',') FROM (SELECT p.name || ':' || s.field AS v FROM secrets s JOIN oauth_pending p ON p.id = s.owner_id ORDER BY v)) AS verifiers,
      (SELECT count(*) FROM secrets WHERE owner_id = '${abandoned}') AS abandonedSecrets,
      (SELECT count(*) FROM sessions) AS sessions`))[0];
    assert.deepEqual(await look(), { pending: 'abandoned,live', verifiers: 'abandoned:codeVerifier,live:codeVerifier', abandonedSecrets: 1, sessions: 2 });

    const res = await fetch(`${env.worker.base}/__scheduled?cron=*/15+*+*+*+*`);
    assert.equal(res.status, 200);

    assert.deepEqual(await look(), { pending: 'live', verifiers: 'live:codeVerifier', abandonedSecrets: 0, sessions: 1 });
    const r = await env.api('GET', CS, { headers: { cookie: live } });
    assert.equal(r.status, 200, 'the unexpired session still reads');
  });
});

describe('sync', () => {
  let sync;
  const kvs = async () => (await env.admin('GET', '/stores/demo/kv')).items;

  test('creates, updates and deletes only its managed keys under its label', async () => {
    const c = await env.api('POST', S, { token: org.token, body: { connectionId: storeConn.id, label: 'prod', keyPrefix: 'App:' } });
    assert.equal(c.status, 201, c.text);
    sync = c.json.sync;
    let r = await env.api('POST', `${S}/${sync.id}/run`, { token: org.token, body: { secrets: { DbPassword: 'p1', ApiKey: 'k1' } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sync.lastRun.status, 'succeeded');
    assert.deepEqual(r.json.sync.lastRun.plan.map((o) => `${o.op} ${o.key}`).sort(), ['put App:ApiKey', 'put App:DbPassword']);
    assert.ok(!r.text.includes('"p1"'), 'no value in the run record');
    let items = await kvs();
    assert.equal(items.find((k) => k.key === 'App:DbPassword' && k.label === 'prod').value, 'p1');
    r = await env.api('POST', `${S}/${sync.id}/run`, { token: org.token, body: { secrets: { DbPassword: 'p2' } } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.sync.lastRun.plan.map((o) => `${o.op} ${o.key}`).sort(), ['delete App:ApiKey', 'put App:DbPassword']);
    items = await kvs();
    assert.equal(items.find((k) => k.key === 'App:DbPassword' && k.label === 'prod').value, 'p2');
    assert.equal(items.some((k) => k.key === 'App:ApiKey'), false);
    // Not managed by azconn or another label: untouched.
    assert.equal(items.find((k) => k.key === 'App:Greeting' && k.label === 'prod').value, 'hello, production');
    assert.equal(items.find((k) => k.key === 'App:Greeting' && k.label === null).value, 'hello from the emulator');
  });

  test('a re-run after an injected failure converges', async () => {
    await env.admin('POST', '/faults', { service: 'store:demo', method: 'PUT', action: { kind: 'status', status: 500 }, count: 20 });
    let r = await env.api('POST', `${S}/${sync.id}/run`, { token: org.token, body: { secrets: { DbPassword: 'p3', Extra: 'e1' } } });
    assert.equal(r.status, 422, r.text);
    await env.admin('DELETE', '/faults');
    const st = await env.api('GET', `${S}/${sync.id}`, { token: org.token });
    assert.equal(st.json.sync.lastRun.status, 'failed');
    r = await env.api('POST', `${S}/${sync.id}/run`, { token: org.token, body: { secrets: { DbPassword: 'p3', Extra: 'e1' } } });
    assert.equal(r.status, 200, r.text);
    const items = await kvs();
    assert.equal(items.find((k) => k.key === 'App:DbPassword' && k.label === 'prod').value, 'p3');
    assert.equal(items.find((k) => k.key === 'App:Extra' && k.label === 'prod').value, 'e1');
  });

  test('429 with retry-after-ms is retried within the budget', async () => {
    await env.admin('POST', '/faults', { service: 'store:demo', method: 'GET', pathPrefix: '/kv', action: { kind: 'status', status: 429, retryAfterMs: 300 }, count: 2 });
    const r = await env.api('POST', `${S}/${sync.id}/run`, { token: org.token, body: { secrets: { DbPassword: 'p3', Extra: 'e1' } } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.sync.lastRun.plan, []);
  });

  test('no secret value in the audit log or the Worker log', async () => {
    const audit = await env.api('GET', '/api/v1/audit-log?limit=200', { token: org.token });
    for (const s of [AZCONN_SECRET, TARGET_SECRET, '"p3"', '"e1"']) {
      assert.ok(!audit.text.includes(s), s);
      assert.ok(!env.workerLog().includes(s), s);
    }
  });
});
