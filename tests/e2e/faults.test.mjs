// The fault matrix: every Azure call the Worker makes × every fault the emulator injects.
// Each cell injects one fault on one call, runs the API operation that makes the call, and checks
// the outcome (success after bounded retries, or the exact typed error), the stored state
// (connection status, a resumable rotation, a recorded sync run), that no secret is orphaned in
// Graph, that no key the sync does not own is written or deleted (an unmanaged key and another
// sync's key share its prefix and label), and that a re-run without faults converges. One Worker serves every cell; the Azure
// timeouts are lowered (AZCONN_AZURE_ATTEMPT_TIMEOUT_MS) so timeout cells stay cheap.
// The table is printed and written to test-artifacts/fault-matrix.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AZCONN_APP, AZCONN_SECRET, ROOT, SECOND_APP, TARGET_APP, TENANT, setup, signIn } from './harness.mjs';

const CS = '/api/v1/app-connections/azure-client-secrets';
const AC = '/api/v1/app-connections/azure-app-configuration';
const R = '/api/v1/secret-rotations/azure-client-secret';
const S = '/api/v1/secret-syncs/azure-app-configuration';
const TARGET_OBJECT = 'c3f5d7b9-1e2a-4f4b-8d6c-8eaf2c4e6f81';
const SEED_SECRET_KEY = '1a2b3c4d-5e6f-4708-9a1b-2c3d4e5f6a7b';
const TOKEN_PATH = `/${TENANT}/oauth2/v2.0/token`;
const ATTEMPT_TIMEOUT_MS = 2000;
const MAX_ATTEMPTS = 4;

/** Every fault kind of the emulator. `transient`: one occurrence, then normal service. */
const FAULTS = [
  { id: '429 Retry-After', action: { kind: 'status', status: 429, retryAfterSeconds: 1 }, count: 1, transient: true },
  { id: '429 retry-after-ms', action: { kind: 'status', status: 429, retryAfterMs: 200 }, count: 1, transient: true },
  { id: '500', action: { kind: 'status', status: 500 }, count: 1 },
  { id: '503', action: { kind: 'status', status: 503 }, count: 1, transient: true },
  { id: '503 always', action: { kind: 'status', status: 503 } },
  { id: 'timeout', action: { kind: 'delay', ms: ATTEMPT_TIMEOUT_MS + 500 }, count: 1, transient: true },
  { id: 'drop', action: { kind: 'drop' }, count: 1, transient: true },
  { id: 'lost answer', action: { kind: 'dropResponse' }, count: 1, transient: true },
  { id: 'malformed JSON', action: { kind: 'malformedJson' }, count: 1 },
  { id: 'wrong content type', action: { kind: 'wrongContentType' }, count: 1 },
];

const ENTRA = { fatal: 'retry-later', exhausted: 'retry-later' };
const GRAPH = { fatal: 'unavailable', exhausted: 'unavailable' };
const STORE = { fatal: 'unavailable', exhausted: 'unavailable' };

let env;
let org;
const conns = {};
let rotation;
let sync;
/** Keys under the matrix sync's prefix and label that it does not own: key → {value, etag}. */
let foreign = {};
let cellNo = 0;
const results = new Map();

const api = (method, path, body) => env.api(method, path, { token: org.token, body });
const outcomeOf = (r, okStatus = 200) => (r.status === okStatus ? { ok: true } : { ok: false, code: r.json?.error?.code ?? `http ${r.status}` });

async function validate(path) {
  const r = await api('POST', `${path}/validate`);
  assert.equal(r.status, 200, r.text);
  return r.json.valid ? { ok: true } : { ok: false, code: r.json.error.code };
}

/** The connection's status follows the outcome; a transient fault never asks to reconnect. */
async function checkConnection(path, outcome) {
  const c = (await api('GET', path)).json.appConnection;
  assert.equal(c.status, outcome.ok ? 'active' : 'failing', JSON.stringify(c));
}

async function convergeConnection(path) {
  assert.deepEqual(await validate(path), { ok: true });
  await checkConnection(path, { ok: true });
}

const appSecrets = async () => (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials;

/** OAuth start + the emulator's sign-in page; the callback is left to the caller. */
async function signInFlow(name) {
  const r = await api('POST', `${CS}/oauth/start`, { name, tenantId: TENANT });
  assert.equal(r.status, 200, r.text);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { callback } = await signIn(r.json.url);
  assert.ok(callback, 'the sign-in page redirected back');
  return { callback, cookie };
}

async function callback({ callback: url, cookie }) {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie } });
  const html = await res.text();
  if (res.status === 302) return { ok: true, id: new URL(res.headers.get('location'), url).searchParams.get('created') };
  const embedded = html.match(/<script type="application\/json" id="error">(.*?)<\/script>/);
  return { ok: false, code: embedded ? JSON.parse(embedded[1]).error.code : `http ${res.status}` };
}

const connectionNames = async () => (await api('GET', CS)).json.appConnections.map((c) => c.name);

/** Rotation cells: the connection's token is cached first, so the verification is the only token call. */
async function prepareRotation() {
  await env.admin('POST', '/clock', { advanceSeconds: 2 });
  assert.equal((await api('POST', `${CS}/${conns.rot.id}/token`)).status, 200);
}

async function rotate() {
  const r = await api('POST', `${R}/${rotation.id}/rotate`);
  return outcomeOf(r);
}

/** After a failure the rotation is resumable (or failed with the new secret removed); nothing untracked. */
async function checkRotation(outcome, _ctx, cell) {
  const st = (await api('GET', `${R}/${rotation.id}`)).json.rotation;
  if (outcome.ok) {
    assert.equal(st.status, 'active', JSON.stringify(st));
  } else {
    assert.ok(['interrupted', 'failed'].includes(st.status), JSON.stringify(st));
    assert.ok(st.lastError, 'the error is recorded');
  }
  // At most the seed secret, the published one and the one this run is adding (tracked by the
  // persisted state: its display name names the run, and resuming removes or publishes it).
  const ids = (await appSecrets()).map((p) => p.keyId);
  assert.ok(ids.includes(SEED_SECRET_KEY), 'a secret azconn did not create is never touched');
  assert.ok(ids.length <= 3, `${cell}: ${ids.length} secrets on the app`);
}

/** Re-run without faults: one azconn secret (keepPrevious 0) besides the seed one, published and readable. */
async function convergeRotation() {
  const st0 = (await api('GET', `${R}/${rotation.id}`)).json.rotation;
  if (st0.status !== 'active') {
    await env.admin('POST', '/clock', { advanceSeconds: 2 });
    const r = await api('POST', `${R}/${rotation.id}/rotate`);
    assert.equal(r.status, 200, r.text);
  }
  const st = (await api('GET', `${R}/${rotation.id}`)).json.rotation;
  assert.equal(st.status, 'active');
  const ids = (await appSecrets()).map((p) => p.keyId).sort();
  assert.deepEqual(ids, [SEED_SECRET_KEY, st.current.keyId].sort(), 'no orphaned secret');
  const secret = await api('POST', `${R}/${rotation.id}/secret`);
  assert.equal(secret.json.keyId, st.current.keyId, 'the published secret is the current one');
}

let desired = {};
const nextDesired = () => { cellNo += 1; desired = { [`K${cellNo}`]: `v${cellNo}` }; return desired; };

async function runSync() {
  const r = await api('POST', `${S}/${sync.id}/run`, { secrets: desired });
  return outcomeOf(r);
}

async function checkSync(outcome) {
  const st = (await api('GET', `${S}/${sync.id}`)).json.sync;
  assert.equal(st.lastRun.status, outcome.ok ? 'succeeded' : 'failed', JSON.stringify(st.lastRun));
  if (!outcome.ok) assert.equal(st.lastRun.result.error.code, outcome.code);
  await checkForeign();
}

const matrixKvs = async () => (await env.admin('GET', '/stores/demo/kv')).items.filter((k) => k.label === 'matrix');

/** Keys owned by `syncId` as key → value. */
const ownedBy = (items, syncId) => Object.fromEntries(items.filter((k) => k.tags?.['azconn-sync'] === syncId).map((k) => [k.key, k.value]));

/** The invariant of every sync cell, failed or not: what the sync does not own is as it was. */
async function checkForeign() {
  const now = Object.fromEntries((await matrixKvs()).filter((k) => k.key in foreign).map((k) => [k.key, { value: k.value, etag: k.etag }]));
  assert.deepEqual(now, foreign, 'no key the sync does not own is written or deleted');
}

async function convergeSync() {
  const st = (await api('GET', `${S}/${sync.id}`)).json.sync;
  if (st.lastRun.status !== 'succeeded') assert.deepEqual(await runSync(), { ok: true });
  const want = Object.fromEntries(Object.entries(desired).map(([k, v]) => [`Fm:${k}`, v]));
  assert.deepEqual(ownedBy(await matrixKvs(), sync.id), want, 'the keys it owns equal the desired state');
  await checkForeign();
}

/** Sync-delete cells: a sync of its own prefix with one key (so the matrix counts one DELETE's attempts), deleted with `keys=remove`. */
async function prepareSyncDelete(ctx) {
  cellNo += 1;
  const r = await api('POST', S, { connectionId: conns.store.id, label: 'matrix', keyPrefix: `Fd${cellNo}:` });
  assert.equal(r.status, 201, r.text);
  ctx.sync = r.json.sync;
  assert.deepEqual(outcomeOf(await api('POST', `${S}/${ctx.sync.id}/run`, { secrets: { A: '1' } })), { ok: true });
}

const deleteSync = async (ctx) => outcomeOf(await api('DELETE', `${S}/${ctx.sync.id}?keys=remove`));

/** A failed delete keeps the sync (so it can be deleted again); its keys are gone only on success. */
async function checkSyncDelete(outcome, ctx) {
  const st = await api('GET', `${S}/${ctx.sync.id}`);
  assert.equal(st.status, outcome.ok ? 404 : 200, st.text);
  if (outcome.ok) assert.deepEqual(ownedBy(await matrixKvs(), ctx.sync.id), {});
  await checkForeign();
}

async function convergeSyncDelete(ctx) {
  if ((await api('GET', `${S}/${ctx.sync.id}`)).status === 200) assert.deepEqual(await deleteSync(ctx), { ok: true });
  assert.deepEqual(ownedBy(await matrixKvs(), ctx.sync.id), {}, 'every key it owned is removed');
  await checkForeign();
}

/** Rotation-delete cells: a rotation of the second app that created one secret, deleted with `secrets=revoke`. */
async function prepareRotationDelete(ctx) {
  for (const r of (await api('GET', R)).json.rotations.filter((x) => x.target.appId === SECOND_APP)) {
    assert.equal((await api('DELETE', `${R}/${r.id}?secrets=keep`)).status, 200);
  }
  const r = await api('POST', R, { connectionId: conns.rot.id, appId: SECOND_APP, keepPrevious: 0 });
  assert.equal(r.status, 201, r.text);
  ctx.rotation = r.json.rotation;
  await env.admin('POST', '/clock', { advanceSeconds: 2 });
  const rot = await api('POST', `${R}/${ctx.rotation.id}/rotate`);
  assert.equal(rot.status, 200, rot.text);
  ctx.keyId = rot.json.secret.keyId;
  ctx.others = (await secondAppSecrets()).filter((id) => id !== ctx.keyId);
}

const secondAppSecrets = async () => (await env.admin('GET', `/applications/${SECOND_APP}`)).passwordCredentials.map((p) => p.keyId);
const deleteRotation = async (ctx) => outcomeOf(await api('DELETE', `${R}/${ctx.rotation.id}?secrets=revoke`));

/** A failed delete keeps the rotation; a secret it did not create is never removed. */
async function checkRotationDelete(outcome, ctx) {
  const st = await api('GET', `${R}/${ctx.rotation.id}`);
  assert.equal(st.status, outcome.ok ? 404 : 200, st.text);
  const ids = await secondAppSecrets();
  for (const id of ctx.others) assert.ok(ids.includes(id), `secret ${id} of someone else kept`);
  if (outcome.ok) assert.ok(!ids.includes(ctx.keyId), 'its secret is revoked');
}

async function convergeRotationDelete(ctx) {
  if ((await api('GET', `${R}/${ctx.rotation.id}`)).status === 200) assert.deepEqual(await deleteRotation(ctx), { ok: true });
  assert.deepEqual((await secondAppSecrets()).sort(), [...ctx.others].sort(), 'only its own secret is gone');
}

/**
 * Every Azure call of host/src/edge: how to make it fault (`match`), the operation that makes it,
 * the state checks, and where the expected outcome differs from the rule (`except`, with why).
 */
const CALLS = [
  {
    id: 'Entra token: client secret', match: { service: 'entra', method: 'POST', pathPrefix: TOKEN_PATH }, codes: ENTRA,
    run: () => validate(`${CS}/${conns.cc.id}`),
    check: (o) => checkConnection(`${CS}/${conns.cc.id}`, o),
    converge: () => convergeConnection(`${CS}/${conns.cc.id}`),
  },
  {
    id: 'Entra token: certificate', match: { service: 'entra', method: 'POST', pathPrefix: TOKEN_PATH }, codes: ENTRA,
    run: () => validate(`${CS}/${conns.cert.id}`),
    check: (o) => checkConnection(`${CS}/${conns.cert.id}`, o),
    converge: () => convergeConnection(`${CS}/${conns.cert.id}`),
  },
  {
    id: 'Entra token: refresh', match: { service: 'entra', method: 'POST', pathPrefix: TOKEN_PATH }, codes: ENTRA,
    run: () => validate(`${CS}/${conns.oauth.id}`),
    check: (o) => checkConnection(`${CS}/${conns.oauth.id}`, o),
    converge: () => convergeConnection(`${CS}/${conns.oauth.id}`),
  },
  {
    id: 'Entra token: authorization code', match: { service: 'entra', method: 'POST', pathPrefix: TOKEN_PATH }, codes: ENTRA,
    except: {
      'lost answer': {
        outcome: 'reauth-required',
        why: 'Entra redeemed the code but the answer was lost; a code is single use (AADSTS54005 on the retry), so the user signs in again. Nothing is stored.',
      },
    },
    prepare: async (ctx) => { ctx.name = `oauth-cell-${++cellNo}`; ctx.flow = await signInFlow(ctx.name); },
    run: (ctx) => callback(ctx.flow),
    check: async (o, ctx) => assert.equal((await connectionNames()).includes(ctx.name), o.ok, 'a connection exists only on success'),
    converge: async (ctx) => {
      if ((await connectionNames()).includes(ctx.name)) return;
      const again = await callback(await signInFlow(ctx.name));
      assert.equal(again.ok, true, JSON.stringify(again));
    },
  },
  {
    id: 'Graph: list applications (probe)', match: { service: 'graph', method: 'GET', pathPrefix: '/v1.0/applications' }, codes: GRAPH,
    run: () => validate(`${CS}/${conns.cc.id}`),
    check: (o) => checkConnection(`${CS}/${conns.cc.id}`, o),
    converge: () => convergeConnection(`${CS}/${conns.cc.id}`),
  },
  {
    id: 'Graph: list applications (clients)', match: { service: 'graph', method: 'GET', pathPrefix: '/v1.0/applications' }, codes: GRAPH,
    run: async () => outcomeOf(await api('GET', `${CS}/${conns.cc.id}/clients`)),
    check: async () => {},
    converge: async () => {
      const r = await api('GET', `${CS}/${conns.cc.id}/clients`);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.clients.some((c) => c.appId === TARGET_APP));
    },
  },
  {
    id: 'Graph: get application (rotation create)', match: { service: 'graph', method: 'GET', pathPrefix: '/v1.0/applications(' }, codes: GRAPH,
    prepare: async (ctx) => {
      // One rotation per app: the matrix creates rotations of the second app (TARGET_APP has the
      // rotation the other cells run), and the previous cell's one goes first (never run).
      for (const r of (await api('GET', R)).json.rotations.filter((x) => x.target.appId === SECOND_APP)) {
        assert.equal((await api('DELETE', `${R}/${r.id}?secrets=keep`)).status, 200);
      }
      ctx.before = (await api('GET', R)).json.rotations.length;
    },
    run: async () => outcomeOf(await api('POST', R, { connectionId: conns.rot.id, appId: SECOND_APP, keepPrevious: 0 }), 201),
    check: async (o, ctx) => assert.equal((await api('GET', R)).json.rotations.length, ctx.before + (o.ok ? 1 : 0), 'a rotation is stored only on success'),
    converge: async (ctx) => {
      const now = (await api('GET', R)).json.rotations.length;
      if (now === ctx.before) assert.equal((await api('POST', R, { connectionId: conns.rot.id, appId: SECOND_APP, keepPrevious: 0 })).status, 201);
    },
  },
  {
    id: 'Graph: read credentials (rotation)', match: { service: 'graph', method: 'GET', pathPrefix: `/v1.0/applications/${TARGET_OBJECT}` }, codes: GRAPH,
    prepare: prepareRotation, run: rotate, check: checkRotation, converge: convergeRotation,
  },
  {
    id: 'Graph: addPassword', match: { service: 'graph', method: 'POST', pathPrefix: `/v1.0/applications/${TARGET_OBJECT}/addPassword` }, codes: GRAPH,
    except: Object.fromEntries(['timeout', 'drop', 'lost answer'].map((f) => [f, {
      outcome: 'unavailable',
      attempts: 1,
      why: 'not idempotent: an unanswered addPassword is not resent (it may have created a secret); the rotation stops resumable and the next run removes that secret by its run display name, then adds again.',
    }])),
    prepare: prepareRotation, run: rotate, check: checkRotation, converge: convergeRotation,
  },
  {
    id: 'Entra token: verify new secret', match: { service: 'entra', method: 'POST', pathPrefix: TOKEN_PATH },
    codes: ENTRA,
    prepare: prepareRotation, run: rotate, check: checkRotation, converge: convergeRotation,
  },
  {
    id: 'Graph: removePassword', match: { service: 'graph', method: 'POST', pathPrefix: `/v1.0/applications/${TARGET_OBJECT}/removePassword` }, codes: GRAPH,
    except: {
      'malformed JSON': { outcome: 'ok', why: 'removePassword answers 204 No Content: there is no body to parse.' },
    },
    prepare: prepareRotation, run: rotate, check: checkRotation, converge: convergeRotation,
  },
  {
    id: 'Graph: removePassword (rotation delete, revoke)', match: { service: 'graph', method: 'POST', pathPrefix: '/v1.0/applications/' }, codes: GRAPH,
    except: {
      'malformed JSON': { outcome: 'ok', why: 'removePassword answers 204 No Content: there is no body to parse.' },
    },
    prepare: prepareRotationDelete, run: deleteRotation, check: checkRotationDelete, converge: convergeRotationDelete,
  },
  {
    id: 'App Configuration: list (probe)', match: { service: 'store:demo', method: 'GET', pathPrefix: '/kv' }, codes: STORE,
    run: () => validate(`${AC}/${conns.store.id}`),
    check: (o) => checkConnection(`${AC}/${conns.store.id}`, o),
    converge: () => convergeConnection(`${AC}/${conns.store.id}`),
  },
  {
    id: 'App Configuration: list (sync)', match: { service: 'store:demo', method: 'GET', pathPrefix: '/kv' }, codes: STORE,
    prepare: nextDesired, run: runSync, check: checkSync, converge: convergeSync,
  },
  {
    id: 'App Configuration: put', match: { service: 'store:demo', method: 'PUT', pathPrefix: '/kv' }, codes: STORE,
    except: {
      'lost answer': {
        outcome: 'precondition-failed',
        why: 'the write is conditional (If-None-Match: * / If-Match): the replay of an applied write gets 412, since azconn cannot tell its own write from another writer\'s. The run is recorded failed; the re-run sees the value in place and converges.',
      },
    },
    prepare: nextDesired, run: runSync, check: checkSync, converge: convergeSync,
  },
  {
    id: 'App Configuration: delete', match: { service: 'store:demo', method: 'DELETE', pathPrefix: '/kv' }, codes: STORE,
    prepare: nextDesired, run: runSync, check: checkSync, converge: convergeSync,
  },
  {
    id: 'App Configuration: list (sync delete)', match: { service: 'store:demo', method: 'GET', pathPrefix: '/kv' }, codes: STORE,
    prepare: prepareSyncDelete, run: deleteSync, check: checkSyncDelete, converge: convergeSyncDelete,
  },
  {
    id: 'App Configuration: delete (sync delete, remove)', match: { service: 'store:demo', method: 'DELETE', pathPrefix: '/kv' }, codes: STORE,
    prepare: prepareSyncDelete, run: deleteSync, check: checkSyncDelete, converge: convergeSyncDelete,
  },
];

/** The rule: transient faults are retried to success; the rest end in the service's typed error. */
function expected(call, fault) {
  const e = call.except?.[fault.id];
  if (e) return { outcome: e.outcome, attempts: e.attempts };
  if (fault.transient) return { outcome: 'ok', attempts: 2 };
  if (fault.id === '500') return { outcome: call.codes.fatal, attempts: 1 };
  if (fault.id === '503 always') return { outcome: call.codes.exhausted, attempts: MAX_ATTEMPTS };
  if (fault.id === 'malformed JSON') return { outcome: call.codes.malformed ?? 'malformed-response', attempts: 1 };
  // The body is still the service's JSON: the content type alone is not a reason to fail.
  return { outcome: 'ok', attempts: 1 };
}

const matches = (m, q) => q.service === m.service && q.method === m.method && q.path.startsWith(m.pathPrefix);

before(async () => {
  env = await setup({ secondTarget: true, vars: { AZCONN_AZURE_ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS), AZCONN_AZURE_RETRY_BUDGET_MS: '6000' } });
  org = await env.newOrg('faults');
  const common = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };
  const create = async (path, body) => {
    const r = await api('POST', path, body);
    assert.equal(r.status, 201, r.text);
    return r.json.appConnection;
  };
  conns.cc = await create(CS, { name: 'cc', ...common });
  conns.rot = await create(CS, { name: 'rot', ...common });
  conns.cert = await create(CS, { name: 'cert', method: 'certificate', tenantId: TENANT, clientId: AZCONN_APP, ...env.cert });
  conns.store = await create(AC, { name: 'store', endpoint: env.emulator.stores.demo, ...common });
  const flow = await callback(await signInFlow('oauth'));
  assert.equal(flow.ok, true, JSON.stringify(flow));
  conns.oauth = { id: flow.id };
  const r = await api('POST', R, { connectionId: conns.rot.id, appId: TARGET_APP, keepPrevious: 0 });
  assert.equal(r.status, 201, r.text);
  rotation = r.json.rotation;
  assert.equal((await rotate()).ok, true);
  const s = await api('POST', S, { connectionId: conns.store.id, label: 'matrix', keyPrefix: 'Fm:' });
  assert.equal(s.status, 201, s.text);
  sync = s.json.sync;
  // Beside the matrix sync's keys: another sync's key and one written by hand, under the same
  // prefix and label. No cell may write or delete them.
  const other = await api('POST', S, { connectionId: conns.store.id, name: 'other', label: 'matrix', keyPrefix: 'Fm:O' });
  assert.equal(other.status, 201, other.text);
  assert.equal((await api('POST', `${S}/${other.json.sync.id}/run`, { secrets: { THER: 'theirs' } })).status, 200);
  const { accessToken } = (await api('POST', `${AC}/${conns.store.id}/token`)).json;
  const put = await fetch(`${env.emulator.stores.demo}/kv/Fm%3Ahand?label=matrix&api-version=2023-11-01`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/vnd.microsoft.appconfig.kv+json' },
    body: JSON.stringify({ value: 'by hand' }),
  });
  assert.equal(put.status, 200, await put.text());
  foreign = Object.fromEntries((await matrixKvs()).filter((k) => ['Fm:OTHER', 'Fm:hand'].includes(k.key)).map((k) => [k.key, { value: k.value, etag: k.etag }]));
  assert.deepEqual(Object.keys(foreign).sort(), ['Fm:OTHER', 'Fm:hand']);
  nextDesired();
  assert.deepEqual(await runSync(), { ok: true });
});

after(async () => {
  await env?.admin('DELETE', '/faults').catch(() => {});
  await env?.stop();
  if (results.size === 0) return;
  const cols = FAULTS.map((f) => f.id);
  const lines = [
    '# Fault matrix',
    '',
    'Azure call × injected fault → outcome of the API operation (`ok` or the typed error code) and the',
    `attempts the emulator saw (\`·n\`, at most ${MAX_ATTEMPTS}). Every cell also checked the stored state and that a re-run`,
    'without faults converges with no orphaned secret. ✗ marks a cell that differs from the expectation.',
    `Attempt timeout ${ATTEMPT_TIMEOUT_MS} ms ("timeout" delays the answer ${ATTEMPT_TIMEOUT_MS + 500} ms); "lost answer" = the request is applied and the connection dropped.`,
    '',
    `| call | ${cols.join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`,
  ];
  for (const call of CALLS) {
    const row = cols.map((c) => results.get(`${call.id}|${c}`) ?? '');
    if (row.every((c) => c === '')) continue;
    lines.push(`| ${call.id} | ${row.join(' | ')} |`);
  }
  const notes = CALLS.flatMap((c) => Object.entries(c.except ?? {}).map(([f, e]) => `- ${c.id} × ${f}: ${e.why}`));
  lines.push('', 'Expected exceptions to "transient → ok; 500 → the service\'s error; malformed → malformed-response":', '', ...[...new Set(notes)]);
  const md = lines.join('\n') + '\n';
  console.log(md);
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(join(ROOT, 'test-artifacts/fault-matrix.md'), md);
});

describe('fault matrix', () => {
  for (const call of CALLS) {
    test(call.id, async () => {
      const failures = [];
      for (const fault of FAULTS) {
        const ctx = {};
        const want = expected(call, fault);
        const cell = `${call.id} × ${fault.id}`;
        await call.prepare?.(ctx);
        await env.admin('DELETE', '/requests');
        await env.admin('POST', '/faults', { ...call.match, action: fault.action, ...(fault.count ? { count: fault.count } : {}) });
        let outcome;
        try {
          outcome = await call.run(ctx);
        } finally {
          await env.admin('DELETE', '/faults');
        }
        const attempts = (await env.admin('GET', '/requests')).requests.filter((q) => matches(call.match, q)).length;
        const got = outcome.ok ? 'ok' : outcome.code;
        const same = got === want.outcome && (want.attempts === undefined || attempts === want.attempts);
        results.set(`${call.id}|${fault.id}`, `${same ? '' : '✗ '}${got}·${attempts}`);
        // Every check runs even if an earlier one failed, so one run shows every problem.
        const checks = [
          () => assert.ok(attempts <= MAX_ATTEMPTS, `${attempts} attempts`),
          () => assert.equal(got, want.outcome, 'outcome'),
          () => want.attempts === undefined || assert.equal(attempts, want.attempts, 'attempts'),
          () => call.check(outcome, ctx, cell),
          () => call.converge(ctx),
        ];
        for (const check of checks) {
          try {
            await check();
          } catch (e) {
            failures.push(`${cell}: ${e.message}`);
          }
        }
      }
      assert.deepEqual(failures, []);
    });
  }
});
