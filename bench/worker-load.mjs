// The Worker under load: `wrangler dev` (local D1) + the emulator from tests/e2e/harness.mjs,
// driven from a second process (wrk, or the Node driver) on loopback. Per endpoint: warm-up, then
// rounds; requests/s, p50 and p99 with their spread, and the CPU time workerd spent per request
// (from /proc: utime + stime of the workerd processes in wrangler's process group). The emulator
// is measured alone the same way, so the Worker's own cost is visible.
import { groupCpu, hasWrk, load } from './lib/load.mjs';
import { summary } from './lib/stats.mjs';
import { spread, sig, table } from './lib/report.mjs';

export async function workerLoad(env, { rounds = 3, seconds = 4, connections = 4 } = {}) {
  const { TENANT, AZCONN_APP, AZCONN_SECRET } = await import('../tests/e2e/harness.mjs');
  const org = await env.newOrg('bench-load');
  const conn = await env.api('POST', '/api/v1/app-connections/azure-client-secrets', {
    token: org.token, body: { name: 'bench-graph', method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET },
  });
  if (conn.status !== 201) throw new Error(`cannot create the bench connection: ${conn.text}`);
  const id = conn.json.appConnection.id;
  const auth = { authorization: `Bearer ${org.token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const base = env.worker.base;
  // Prime the token cache.
  const first = await env.api('POST', `/api/v1/app-connections/azure-client-secrets/${id}/token`, { token: org.token });
  if (first.status !== 200) throw new Error(`token endpoint: ${first.text}`);

  // The emulator alone: its token endpoint (client credentials) and a store read (bearer).
  const tokenUrl = `${env.emulator.entra}/${TENANT}/oauth2/v2.0/token`;
  const ccBody = new URLSearchParams({ grant_type: 'client_credentials', client_id: AZCONN_APP, client_secret: AZCONN_SECRET, scope: `${env.emulator.stores.demo}/.default` }).toString();
  const storeToken = (await (await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: ccBody })).json()).access_token;

  const endpoints = [
    { name: 'Worker: GET health (floor)', what: 'routing only: no D1, no auth; the cost of wrangler dev + workerd per request', url: `${base}/api/v1/health`, worker: true },
    { name: 'Worker: POST oauth/start', what: '2 D1 round trips: API token check with the rate-limit count, then one batch (pending sign-in, encrypted PKCE verifier, audit record); authorize URL + PKCE in the core, cookie', d1: 2, url: `${base}/api/v1/app-connections/azure-client-secrets/oauth/start`, method: 'POST', headers: json, body: JSON.stringify({ name: 'bench-oauth', tenantId: TENANT }), worker: true },
    { name: 'Worker: GET connection list', what: '1 D1 round trip: API token check and list query in one batch, then the JSON body', d1: 1, url: `${base}/api/v1/app-connections/azure-client-secrets`, headers: auth, worker: true },
    { name: 'Worker: POST token (cached)', what: '2 D1 round trips: API token check, rate-limit count, connection and cached access token in one batch (decrypted with AES-GCM), then the audit record; no call to Entra', d1: 2, url: `${base}/api/v1/app-connections/azure-client-secrets/${id}/token`, method: 'POST', headers: auth, worker: true },
    { name: 'emulator: POST token (client credentials)', what: 'the emulator alone (debug build, as the e2e tests run it): secret check + RS256-signed JWT (the `rsa` crate unoptimized)', url: tokenUrl, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: ccBody },
    { name: 'emulator: GET store /kv/{key}', what: 'the emulator alone (debug build): bearer JWT check + one key-value', url: `${env.emulator.stores.demo}/kv/App%3AGreeting?api-version=2023-11-01`, headers: { authorization: `Bearer ${storeToken}` } },
  ];
  const rows = [];
  const results = [];
  const pgid = env.worker.pid;
  for (const e of endpoints) {
    process.stderr.write(`load: ${e.name}\n`);
    await load({ ...e, seconds: 1, connections }); // warm-up
    const runs = [];
    for (let r = 0; r < rounds; r++) {
      const before = e.worker ? groupCpu(pgid) : null;
      const res = await load({ ...e, seconds, connections });
      if (e.worker) {
        const after = groupCpu(pgid);
        res.cpuMs = ((after.workerd ?? 0) - (before.workerd ?? 0)) / Math.max(res.requests, 1);
      }
      runs.push(res);
    }
    const errors = runs.reduce((a, r) => a + r.errors, 0);
    const s = {
      rps: summary(runs.map((r) => r.rps)), p50: summary(runs.map((r) => r.p50)), p99: summary(runs.map((r) => r.p99)),
      cpu: e.worker ? summary(runs.map((r) => r.cpuMs)) : null, requests: runs.reduce((a, r) => a + r.requests, 0), errors,
    };
    results.push({ name: e.name, d1: e.d1, floor: e.name.endsWith('(floor)'), ...s });
    rows.push([e.name, spread(s.rps), spread(s.p50), spread(s.p99), s.cpu ? spread(s.cpu, (x) => x.toFixed(2)) : '—', `${s.requests} / ${errors}`]);
  }
  const markdown = [
    `Driver: ${hasWrk() ? '`wrk -t1`' : 'Node keep-alive driver (wrk not installed)'}, ${connections} connections, ${rounds} rounds of ${seconds} s after a 1 s warm-up, loopback. ` +
      'Driver, wrangler/workerd and the emulator share the same cores (and other engineers\' builds): absolute figures are a floor, compare rows of one run. ' +
      'workerd CPU = (utime + stime of the workerd processes) / requests over each round (10 ms tick resolution, so it is an average).',
    '',
    table(['endpoint', 'requests/s median (min–max)', 'p50 ms', 'p99 ms', 'workerd CPU ms/request', 'requests / errors'], rows),
    '',
    ...endpoints.map((e) => `- **${e.name}**: ${e.what}`),
  ].join('\n');
  return { markdown, results };
}
