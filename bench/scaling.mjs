// How sync and rotation cost grow, counted in the emulator's request log (crates/emulator admin API).
// Sync: a store holding N managed keys, 1 % of them changed in the source. Three ways to converge:
// - azconn Worker: `POST /secret-syncs/.../run` (the product: list pages + one conditional write per change);
// - azconn npm package from Node: `appConfigList` + a `SyncPlanner` over the pages + `appConfigSign`;
// - naive: one unconditional PUT per key, no listing and no diff (Infisical's code path when values
//   differ), HMAC-signed with the same package, sequential like the other two.
// Lower bound: ceil(N / page size) list requests + the changed keys.
import { num, sig, spread, svgPlot, table } from './lib/report.mjs';
import { summary } from './lib/stats.mjs';
import { groupCpu } from './lib/load.mjs';

const PAGE = 100; // the emulator's default store page size (crates/emulator/README.md), as Azure's.

const pad = (i) => String(i).padStart(5, '0');

export async function scaling(env, { sizes = [100, 1000, 10000], rounds = 3, naiveRounds = (n) => (n >= 10000 ? 1 : 3) } = {}) {
  const h = await import('../tests/e2e/harness.mjs');
  const azconn = await import('../packages/azconn/node.js');
  const cloud = h.cloudOf(env.emulator);
  const endpoint = env.emulator.stores.demo;
  const seed = JSON.parse((await import('node:fs')).readFileSync(`${h.ROOT}/crates/emulator/seed/default.json`, 'utf8'));
  const key = seed.stores.find((s) => s.name === 'demo').accessKeys.find((k) => !k.readOnly);
  const connectionString = `Endpoint=${endpoint};Id=${key.id};Secret=${key.secret}`;

  const send = async (request) => {
    const signed = azconn.appConfigSign(request, connectionString, Math.floor(Date.now() / 1000), cloud);
    let res;
    try {
      res = await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body || undefined });
    } catch (e) {
      throw new Error(`${signed.method} ${signed.url}: ${e.cause?.message ?? e.message}`);
    }
    const response = { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
    if (res.status >= 300) throw new Error(`${signed.method} ${signed.url} -> ${res.status} ${new TextDecoder().decode(response.body).slice(0, 300)}`);
    return response;
  };
  const log = async () => (await env.admin('GET', '/requests')).requests;
  const clearLog = () => env.admin('DELETE', '/requests');
  const count = (reqs, service) => reqs.filter((r) => r.service === service).length;
  const timed = async (fn) => { const t0 = performance.now(); await fn(); return performance.now() - t0; };

  // Keys carry the tags of the sync that owns them (`owner` is its id): only its owner changes them.
  const putAll = (owner, prefix, label, values) => Object.entries(values).map(([name, value]) =>
    azconn.appConfigPut({ cloud, endpoint, key: prefix + name, label, write: { value, tags: { 'managed-by': 'azconn', 'azconn-sync': owner } }, condition: 'none' }));
  /** The naive approach: one PUT per key, sequential. */
  const naive = async (owner, prefix, label, values) => {
    for (const req of putAll(owner, prefix, label, values)) await send(req);
  };
  /** Fills the store before the measured rounds (not measured): 8 PUTs in flight. */
  const populate = async (owner, prefix, label, values) => {
    const reqs = putAll(owner, prefix, label, values);
    await Promise.all(Array.from({ length: 8 }, async () => { while (reqs.length) await send(reqs.pop()); }));
  };
  /** The npm package from Node, acting as sync `owner`: list every page, plan, write; with the time of each phase. */
  const library = async (owner, prefix, label, values) => {
    const t0 = performance.now();
    const desired = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { kind: 'plain', value: v }]));
    const planner = new azconn.SyncPlanner({ cloud, endpoint, spec: { prefix, label, mode: 'overwrite', owner }, desired });
    try {
      let req = planner.firstRequest();
      for (let i = 0; req && i < 10_000; i++) {
        const page = await send(req);
        req = planner.onPage(page.status, page.headers, page.body);
      }
      const t1 = performance.now();
      const opRequests = planner.plan().ops.map((op) => planner.opRequest(op));
      const t2 = performance.now();
      for (const r of opRequests) await send(r);
      return { ops: opRequests.length, listMs: t1 - t0, planMs: t2 - t1, writeMs: performance.now() - t2 };
    } finally {
      planner.free();
    }
  };

  const org = await env.newOrg('bench-scaling');
  const common = { method: 'client-secret', tenantId: h.TENANT, clientId: h.AZCONN_APP, clientSecret: h.AZCONN_SECRET };
  const store = await env.api('POST', '/api/v1/app-connections/azure-app-configuration', { token: org.token, body: { name: 'bench-store', endpoint, ...common } });
  if (store.status !== 201) throw new Error(`store connection: ${store.text}`);

  const results = [];
  for (const n of sizes) {
    process.stderr.write(`scaling: N = ${n}\n`);
    const changed = Math.max(1, Math.round(n / 100));
    const label = 'bench';
    const base = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${pad(i)}`, `value-${pad(i)}-r0`]));
    const roundValues = (r) => {
      const v = { ...base };
      for (let i = 0; i < changed; i++) v[`k${pad(i * 100)}`] = `value-${pad(i * 100)}-r${r}`;
      return v;
    };
    const lower = Math.ceil(n / PAGE) + changed;

    // One prefix per N, filled once (values r0). Each measured round r sets the same 1 % of keys
    // to value r, so every round finds exactly `changed` keys different: Worker rounds 1..R,
    // then npm package rounds R+1..2R, then the naive rounds.
    const prefix = `s${n}:`;
    const sync = await env.api('POST', '/api/v1/secret-syncs/azure-app-configuration', { token: org.token, body: { connectionId: store.json.appConnection.id, label, keyPrefix: prefix } });
    if (sync.status !== 201) throw new Error(`sync: ${sync.text}`);
    const owner = sync.json.sync.id;
    await populate(owner, prefix, label, base);
    const worker = { ms: [], store: [], entra: [], planned: [], cpu: [] };
    for (let r = 1; r <= rounds; r++) {
      await clearLog();
      const cpu0 = groupCpu(env.worker.pid).workerd ?? 0;
      let res;
      const ms = await timed(async () => {
        res = await env.api('POST', `/api/v1/secret-syncs/azure-app-configuration/${sync.json.sync.id}/run`, { token: org.token, body: { secrets: roundValues(r) } });
      });
      if (res.status !== 200 || res.json.sync.lastRun.status !== 'succeeded') throw new Error(`sync run: ${res.text.slice(0, 500)}`);
      const reqs = await log();
      worker.cpu.push((groupCpu(env.worker.pid).workerd ?? 0) - cpu0);
      worker.ms.push(ms); worker.store.push(count(reqs, 'store:demo')); worker.entra.push(count(reqs, 'entra'));
      worker.planned.push(res.json.sync.lastRun.plan.length);
    }
    const lib = { ms: [], store: [], planned: [], listMs: [], planMs: [], writeMs: [] };
    for (let r = rounds + 1; r <= 2 * rounds; r++) {
      await clearLog();
      let out;
      lib.ms.push(await timed(async () => { out = await library(owner, prefix, label, roundValues(r)); }));
      lib.store.push(count(await log(), 'store:demo'));
      lib.planned.push(out.ops); lib.listMs.push(out.listMs); lib.planMs.push(out.planMs); lib.writeMs.push(out.writeMs);
    }
    const nv = { ms: [], store: [] };
    for (let r = 2 * rounds + 1; r <= 2 * rounds + naiveRounds(n); r++) {
      await clearLog();
      nv.ms.push(await timed(() => naive(owner, prefix, label, roundValues(r))));
      nv.store.push(count(await log(), 'store:demo'));
    }
    results.push({
      n, changed, lower,
      worker: { ms: summary(worker.ms), cpu: summary(worker.cpu), store: summary(worker.store), entra: summary(worker.entra), planned: summary(worker.planned) },
      lib: { ms: summary(lib.ms), store: summary(lib.store), planned: summary(lib.planned), listMs: summary(lib.listMs), planMs: summary(lib.planMs), writeMs: summary(lib.writeMs) },
      naive: { ms: summary(nv.ms), store: summary(nv.store) },
    });
  }

  // Rotation: Graph and token calls per "rotate now".
  process.stderr.write('scaling: rotation\n');
  const graph = await env.api('POST', '/api/v1/app-connections/azure-client-secrets', { token: org.token, body: { name: 'bench-graph-rot', ...common } });
  if (graph.status !== 201) throw new Error(`graph connection: ${graph.text}`);
  const rot = await env.api('POST', '/api/v1/secret-rotations/azure-client-secret', { token: org.token, body: { connectionId: graph.json.appConnection.id, appId: h.TARGET_APP, lifetimeDays: 90, intervalDays: 30 } });
  if (rot.status !== 201) throw new Error(`rotation: ${rot.text}`);
  const rotation = { ms: [], graph: [], entra: [], calls: [] };
  for (let r = 0; r < Math.max(rounds, 4); r++) {
    await clearLog();
    let res;
    rotation.ms.push(await timed(async () => { res = await env.api('POST', `/api/v1/secret-rotations/azure-client-secret/${rot.json.rotation.id}/rotate`, { token: org.token }); }));
    if (res.status !== 200) throw new Error(`rotate: ${res.text}`);
    const reqs = await log();
    rotation.graph.push(count(reqs, 'graph'));
    rotation.entra.push(count(reqs, 'entra'));
    rotation.calls.push(reqs.filter((q) => q.service === 'graph' || q.service === 'entra')
      .map((q) => `${q.method} ${q.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{id}')}`));
  }
  return report(results, { ms: summary(rotation.ms), graph: summary(rotation.graph), entra: summary(rotation.entra), calls: rotation.calls });
}

function report(results, rotation) {
  const ms = (s) => spread(s, sig);
  const count = (s) => (s.min === s.max ? String(s.median) : spread(s));
  const rows = results.map((r) => [
    num(r.n), num(r.changed), num(r.lower),
    count(r.worker.store), ms(r.worker.ms),
    count(r.lib.store), ms(r.lib.ms),
    count(r.naive.store), ms(r.naive.ms),
    r.worker.store.max === r.lower && r.lib.store.max === r.lower ? 'met' : `**missed** (+${Math.max(r.worker.store.max, r.lib.store.max) - r.lower})`,
  ]);
  const syncTable = table(['N keys', 'changed (1 %)', 'lower bound ceil(N/100)+changed', 'azconn Worker requests', 'azconn Worker ms', 'azconn npm (Node) requests', 'azconn npm ms', 'naive PUT-per-key requests', 'naive ms', 'requests = lower bound'], rows);
  const sequences = [...new Set(rotation.calls.map((c) => c.join(' → ')))];
  const markdown = [
    'Requests are counted in the emulator\'s request log (store requests only; the Worker\'s cached store token adds no Entra call). ' +
      'Times are wall-clock for the whole run, median (min–max) over rounds; each round changes the same 1 % of keys to a new value. ' +
      'The Worker time includes the API call, D1 reads/writes and decrypting the connection; the Node rows sign each request with the access key (HMAC) from the same package.',
    '',
    syncTable,
    '',
    `Ratio of requests naive ÷ azconn: ${results.map((r) => `N=${num(r.n)}: ${(r.naive.store.median / r.worker.store.median).toFixed(1)}×`).join(', ')}. ` +
      `Time naive ÷ azconn Worker: ${results.map((r) => `N=${num(r.n)}: ${(r.naive.ms.median / r.worker.ms.median).toFixed(1)}×`).join(', ')}.`,
    '',
    'workerd CPU per Worker sync run (ms, median): ' + results.map((r) => `N=${num(r.n)}: ${sig(r.worker.cpu.median)} of ${sig(r.worker.ms.median)} wall`).join('; ') + '.',
    '',
    'Where the npm package\'s sync time goes (median ms per phase): ' + results.map((r) => `N=${num(r.n)}: list + onPage ${sig(r.lib.listMs.median)} (${sig(r.lib.listMs.median / Math.ceil(r.n / PAGE))} per page), plan ${sig(r.lib.planMs.median)}, writes ${sig(r.lib.writeMs.median)}`).join('; ') +
      '. Listing is one request per page of 100 (the per-page cost is the emulator\'s list, a debug build); syncPlan is one call into the package with every page and every desired value.',
    '',
    '![sync requests vs N](sync-requests.svg)',
    '',
    '### Rotation (Worker "rotate now", client-secret connection, keepPrevious 1)',
    '',
    table(['figure', 'median (min–max)'], [
      ['Graph calls per rotation', count(rotation.graph)],
      ['token (Entra) calls per rotation', count(rotation.entra)],
      ['time per rotation, ms', ms(rotation.ms)],
    ]),
    '',
    'Calls per rotation, in order (rotations 1 and 2 keep the previous secrets; from the third on, the oldest azconn secret beyond keepPrevious is removed):',
    '',
    ...sequences.map((s) => `- \`${s}\` (rotations ${rotation.calls.map((c, i) => (c.join(' → ') === s ? i + 1 : null)).filter(Boolean).join(', ')})`),
  ].join('\n');
  const svg = svgPlot({
    title: 'Sync requests vs N keys (1 % changed)', xLabel: 'N keys in the store', yLabel: 'requests per sync',
    series: [
      { name: 'naive: one PUT per key', color: '#d62728', points: results.map((r) => [r.n, r.naive.store.median]) },
      { name: 'azconn Worker', color: '#1f77b4', width: 5, points: results.map((r) => [r.n, r.worker.store.median]) },
      { name: 'lower bound ceil(N/100) + changed', color: '#2ca02c', dash: '6 4', points: results.map((r) => [r.n, r.lower]) },
    ],
  });
  return { markdown, svg, results, rotation };
}

