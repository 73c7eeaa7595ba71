// Soak: the Worker (wrangler dev + local D1) and the emulator under a bounded mixed workload for
// SOAK_SECONDS (default 300) with a low, seeded rate of injected faults; then the invariants.
// Every organization's sync shares one prefix and label of one store, beside a key written by
// hand: no sync may write or delete a key it does not own.
// Exit status 1 if an invariant fails. Figures go to stdout and test-artifacts/soak.md.
//   SOAK_SECONDS=300 SOAK_ORGS=3 SOAK_CONCURRENCY=6 SOAK_FAULT_RATE=0.03 SOAK_SEED=7
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AZCONN_APP, AZCONN_SECRET, ROOT, TARGET_APP, TENANT, setup, signIn } from '../e2e/harness.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const ORGS = Number(process.env.SOAK_ORGS ?? 3);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 6);
const RATE = Number(process.env.SOAK_FAULT_RATE ?? 0.03);
const SEED = Number(process.env.SOAK_SEED ?? 7);
const CS = '/api/v1/app-connections/azure-client-secrets';
const AC = '/api/v1/app-connections/azure-app-configuration';
const R = '/api/v1/secret-rotations/azure-client-secret';
const S = '/api/v1/secret-syncs/azure-app-configuration';
const TOKEN_PATH = `/${TENANT}/oauth2/v2.0/token`;

/** A small deterministic generator (mulberry32), so a run can be repeated. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const pick = (xs) => xs[Math.floor(random() * xs.length)];

/** Low-rate faults, one kind per route (the emulator applies the first matching fault). */
const FAULTS = [
  { service: 'entra', method: 'POST', pathPrefix: TOKEN_PATH, action: { kind: 'status', status: 503 } },
  { service: 'graph', method: 'GET', action: { kind: 'status', status: 429, retryAfterMs: 200 } },
  { service: 'graph', method: 'POST', action: { kind: 'dropResponse' } },
  { service: 'store:demo', method: 'GET', action: { kind: 'status', status: 429, retryAfterMs: 100 } },
  { service: 'store:demo', method: 'PUT', action: { kind: 'delay', ms: 2500 } },
  { service: 'store:demo', method: 'DELETE', action: { kind: 'drop' } },
].map((f) => ({ ...f, fraction: RATE }));

const stats = { ops: {}, errors: {} };
const count = (op, outcome) => {
  stats.ops[op] = (stats.ops[op] ?? 0) + 1;
  if (outcome !== 'ok') stats.errors[`${op}: ${outcome}`] = (stats.errors[`${op}: ${outcome}`] ?? 0) + 1;
};

/**
 * A sync run as a careful client makes it: a run that would delete more keys than it keeps is
 * refused until confirmed, so on that refusal it previews and repeats with the count to delete.
 */
async function runSync(org, secrets) {
  const run = (extra) => org.api('POST', `${S}/${org.sync}/run`, { secrets, ...extra });
  const first = await run({});
  if (first.status !== 409 || first.json?.error?.field !== 'confirmDeletes') return first;
  const preview = await run({ dryRun: true });
  if (preview.status !== 200) return preview;
  return run({ confirmDeletes: preview.json.preview.confirmDeletes });
}

/** One lock per rotation or sync: the platform runs one operation per record at a time. */
const locks = new Map();
async function exclusive(key, fn) {
  while (locks.has(key)) await locks.get(key);
  let release;
  locks.set(key, new Promise((r) => { release = r; }));
  try { return await fn(); } finally { locks.delete(key); release(); }
}

const env = await setup({
  vars: { AZCONN_AZURE_ATTEMPT_TIMEOUT_MS: '2000', AZCONN_AZURE_RETRY_BUDGET_MS: '8000' },
});
let failed = false;
try {
  const orgs = [];
  const common = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };
  for (let i = 0; i < ORGS; i++) {
    const org = await env.newOrg(`soak-${i}`);
    const api = (method, path, body) => env.api(method, path, { token: org.token, body });
    const cs = await api('POST', CS, { name: 'graph', ...common });
    assert.equal(cs.status, 201, cs.text);
    const ac = await api('POST', AC, { name: 'store', endpoint: env.emulator.stores.demo, ...common });
    assert.equal(ac.status, 201, ac.text);
    const rot = await api('POST', R, { connectionId: cs.json.appConnection.id, appId: TARGET_APP, keepPrevious: 1 });
    assert.equal(rot.status, 201, rot.text);
    const sync = await api('POST', S, { connectionId: ac.json.appConnection.id, label: 'soak', keyPrefix: 'Soak:' });
    assert.equal(sync.status, 201, sync.text);
    orgs.push({
      ...org, api, index: i,
      connections: [{ path: `${CS}/${cs.json.appConnection.id}` }, { path: `${AC}/${ac.json.appConnection.id}` }],
      rotation: rot.json.rotation.id, sync: sync.json.sync.id, desired: null, oauth: 0,
    });
  }
  const soakKvs = async () => (await env.admin('GET', '/stores/demo/kv')).items.filter((k) => k.label === 'soak');
  const { accessToken } = (await orgs[0].api('POST', `${orgs[0].connections[1].path}/token`)).json;
  const hand = await fetch(`${env.emulator.stores.demo}/kv/Soak%3Ahand?label=soak&api-version=2023-11-01`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/vnd.microsoft.appconfig.kv+json' },
    body: JSON.stringify({ value: 'by hand' }),
  });
  assert.equal(hand.status, 200, await hand.text());
  const handWritten = (await soakKvs()).find((k) => k.key === 'Soak:hand');
  await env.admin('PUT', '/settings', { faultSeed: SEED });
  for (const f of FAULTS) await env.admin('POST', '/faults', f);

  const outcome = (r, ok = 200) => (r.status === ok ? 'ok' : (r.json?.error?.code ?? `http ${r.status}`));
  const OPS = {
    validate: async (org) => {
      const r = await org.api('POST', `${pick(org.connections).path}/validate`);
      return r.status === 200 ? (r.json.valid ? 'ok' : r.json.error.code) : outcome(r);
    },
    token: async (org) => outcome(await org.api('POST', `${pick(org.connections).path}/token`)),
    oauth: async (org) => {
      const name = `oauth-${org.index}-${++org.oauth}`;
      const r = await org.api('POST', `${CS}/oauth/start`, { name, tenantId: TENANT });
      if (r.status !== 200) return outcome(r);
      const cookie = r.headers.get('set-cookie').split(';')[0];
      const { callback } = await signIn(r.json.url);
      if (!callback) return 'sign-in page';
      const res = await fetch(callback, { redirect: 'manual', headers: { cookie } });
      const html = await res.text();
      if (res.status === 302) {
        const id = new URL(res.headers.get('location'), callback).searchParams.get('created');
        org.connections.push({ path: `${CS}/${id}` });
        return 'ok';
      }
      const m = html.match(/<script type="application\/json" id="error">(.*?)<\/script>/);
      return m ? JSON.parse(m[1]).error.code : `http ${res.status}`;
    },
    rotate: (org) => exclusive(org.rotation, async () => {
      await env.admin('POST', '/clock', { advanceSeconds: 1 });
      return outcome(await org.api('POST', `${R}/${org.rotation}/rotate`));
    }),
    sync: (org) => exclusive(org.sync, async () => {
      const n = 1 + Math.floor(random() * 4);
      const desired = {};
      for (let k = 0; k < n; k++) desired[`O${org.index}K${Math.floor(random() * 6)}`] = `v${Math.floor(random() * 1000)}`;
      org.desired = desired;
      return outcome(await runSync(org, desired));
    }),
  };
  const WEIGHTS = [['validate', 3], ['token', 3], ['oauth', 1], ['rotate', 1.5], ['sync', 1.5]];
  const total = WEIGHTS.reduce((a, [, w]) => a + w, 0);
  const chooseOp = () => {
    let x = random() * total;
    for (const [op, w] of WEIGHTS) { x -= w; if (x < 0) return op; }
    return 'validate';
  };

  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) {
      const op = chooseOp();
      const org = pick(orgs);
      let result;
      try { result = await OPS[op](org); } catch (e) { result = `driver: ${e.message.split('\n')[0]}`; }
      count(op, result);
    }
  }));
  const elapsed = (Date.now() - started) / 1000;
  const injected = (await env.admin('GET', '/requests')).requests.filter((q) => q.fault).length;
  await env.admin('DELETE', '/faults');

  // Invariants, without faults.
  const invariants = [];
  const check = async (name, fn) => {
    try { await fn(); invariants.push([name, 'holds']); } catch (e) { failed = true; invariants.push([name, `FAILS: ${e.message.split('\n')[0]}`]); }
  };
  await check('every connection readable and decryptable (token + live validation)', async () => {
    for (const org of orgs) {
      for (const c of org.connections) {
        const g = await org.api('GET', c.path);
        assert.equal(g.status, 200, g.text);
        const t = await org.api('POST', `${c.path}/token`);
        assert.equal(t.status, 200, `${c.path}: ${t.text}`);
        const v = await org.api('POST', `${c.path}/validate`);
        assert.equal(v.json.valid, true, `${c.path}: ${v.text}`);
      }
    }
  });
  await check('every rotation finished or resumable (resumed here), no orphaned secret', async () => {
    for (const org of orgs) {
      let st = (await org.api('GET', `${R}/${org.rotation}`)).json.rotation;
      assert.ok(['pending', 'active', 'interrupted', 'failed', 'waiting'].includes(st.status), st.status);
      if (st.status !== 'active') {
        await env.admin('POST', '/clock', { advanceSeconds: 1 });
        const r = await org.api('POST', `${R}/${org.rotation}/rotate`);
        assert.equal(r.status, 200, `resume ${org.rotation}: ${r.text}`);
        st = r.json.rotation;
      }
      assert.equal(st.status, 'active');
      const secret = await org.api('POST', `${R}/${org.rotation}/secret`);
      assert.equal(secret.json.keyId, st.current.keyId);
    }
    const creds = (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials;
    const known = new Set(orgs.map((o) => o.rotation));
    for (const p of creds.filter((c) => (c.displayName ?? '').startsWith('azconn rotation '))) {
      const owner = p.displayName.split(' for ')[1];
      assert.ok(known.has(owner), `secret ${p.keyId} belongs to no rotation`);
    }
    for (const org of orgs) {
      const mine = creds.filter((c) => (c.displayName ?? '').endsWith(` for ${org.rotation}`));
      assert.ok(mine.length <= 2, `rotation ${org.rotation} has ${mine.length} secrets (keepPrevious 1)`);
    }
  });
  await check('every sync\'s keys equal its desired state; no key written or deleted that the sync does not own', async () => {
    for (const org of orgs) {
      const st = (await org.api('GET', `${S}/${org.sync}`)).json.sync;
      if (org.desired && st.lastRun?.status !== 'succeeded') {
        const r = await runSync(org, org.desired);
        assert.equal(r.status, 200, r.text);
      }
    }
    const items = await soakKvs();
    for (const org of orgs) {
      const owned = items.filter((k) => k.tags?.['azconn-sync'] === org.sync);
      const want = Object.fromEntries(Object.entries(org.desired ?? {}).map(([k, v]) => [`Soak:${k}`, v]));
      assert.deepEqual(Object.fromEntries(owned.map((k) => [k.key, k.value])), want, `org ${org.index}`);
    }
    const now = items.find((k) => k.key === 'Soak:hand');
    assert.deepEqual({ value: now?.value, etag: now?.etag }, { value: handWritten.value, etag: handWritten.etag }, 'the key written by hand is untouched');
    const owners = new Set(orgs.map((o) => o.sync));
    const strays = items.filter((k) => k.key !== 'Soak:hand' && !owners.has(k.tags?.['azconn-sync'])).map((k) => k.key);
    assert.deepEqual(strays, [], 'every other key has its sync as owner');
  });
  await check('no cross-organization access', async () => {
    for (const a of orgs) {
      for (const b of orgs) {
        if (a === b) continue;
        for (const c of b.connections.slice(0, 2)) assert.equal((await a.api('GET', c.path)).status, 404, c.path);
        assert.equal((await a.api('GET', `${R}/${b.rotation}`)).status, 404);
        assert.equal((await a.api('POST', `${R}/${b.rotation}/secret`)).status, 404);
        assert.equal((await a.api('GET', `${S}/${b.sync}`)).status, 404);
      }
      const listed = (await a.api('GET', CS)).json.appConnections.map((c) => `${CS}/${c.id}`);
      const own = new Set(a.connections.map((c) => c.path));
      assert.ok(listed.every((p) => own.has(p)), 'the list shows only its own connections');
    }
  });

  const ops = Object.values(stats.ops).reduce((a, b) => a + b, 0);
  const errors = Object.values(stats.errors).reduce((a, b) => a + b, 0);
  const lines = [
    '# Soak', '',
    `${SECONDS} s, ${ORGS} organizations, ${CONCURRENCY} concurrent clients, fault rate ${RATE} per route (seed ${SEED}).`, '',
    `- operations: ${ops} in ${elapsed.toFixed(1)} s = ${(ops / elapsed).toFixed(1)} op/s`,
    `- faults injected by the emulator: ${injected}`,
    `- operations ending in a typed error: ${errors} (${((100 * errors) / Math.max(ops, 1)).toFixed(1)} %)`, '',
    '| operation | count |', '|---|---|', ...Object.entries(stats.ops).map(([k, v]) => `| ${k} | ${v} |`), '',
    '| operation: error code | count |', '|---|---|', ...Object.entries(stats.errors).sort().map(([k, v]) => `| ${k} | ${v} |`), '',
    '| invariant | result |', '|---|---|', ...invariants.map(([k, v]) => `| ${k} | ${v} |`),
  ];
  const md = lines.join('\n') + '\n';
  console.log(md);
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(join(ROOT, 'test-artifacts/soak.md'), md);
  if (Object.keys(stats.errors).some((k) => k.includes('driver:') || k.includes(': internal'))) {
    failed = true;
    console.error('untyped failures (driver exceptions or internal errors) occurred');
  }
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await env.stop();
}
process.exit(failed ? 1 : 0);
