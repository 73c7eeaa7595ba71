// A bounded HTTP load run on loopback: Debian's `wrk` when it is installed (the Makefile installs
// it), otherwise (or with BENCH_DRIVER=node) a Node keep-alive driver with the same report
// (requests/s, p50, p99, errors).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from './stats.mjs';

export function hasWrk() {
  if (process.env.BENCH_DRIVER === 'node') return false;
  try { execFileSync('wrk', ['--version'], { stdio: 'ignore' }); return true; } catch (e) { return e.status === 1; }
}

const luaString = (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** wrk's duration strings ("812.00us", "1.23ms", "2.00s") in milliseconds. */
function ms(text) {
  const m = text.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) throw new Error(`wrk duration ${text}`);
  return Number(m[1]) * { us: 1e-3, ms: 1, s: 1e3, m: 60e3 }[m[2]];
}

function runWrk({ url, method = 'GET', headers = {}, body, seconds, connections }) {
  const dir = mkdtempSync(join(tmpdir(), 'azconn-wrk-'));
  const script = join(dir, 'req.lua');
  writeFileSync(script, [
    `wrk.method = ${luaString(method)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`),
    body !== undefined ? `wrk.body = ${luaString(body)}` : '',
  ].join('\n'));
  const r = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s', '-s', script, url],
    { encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const out = r.stdout;
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const p = (q) => ms(out.match(new RegExp(`\\s${q}%\\s+([\\d.]+\\w+)`))[1]);
  const requests = Number(out.match(/(\d+) requests in/)[1]);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const sockErr = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, x) => a + Number(x), 0) : 0);
  return { rps, p50: p(50), p99: p(99), requests, errors };
}

async function runNode({ url, method = 'GET', headers = {}, body, seconds, connections }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const u = new URL(url);
  const lat = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = () => new Promise((ok) => {
    const t0 = performance.now();
    const req = request({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search, method,
      headers: body !== undefined ? { ...headers, 'content-length': Buffer.byteLength(body) } : headers }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode >= 400) errors++; lat.push(performance.now() - t0); ok(); });
    });
    req.on('error', () => { errors++; ok(); });
    req.end(body);
  });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => { while (performance.now() < end) await one(); }));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { rps: lat.length / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), requests: lat.length, errors };
}

/** One load run: { rps, p50 (ms), p99 (ms), requests, errors }. */
export async function load(spec) {
  return hasWrk() ? runWrk(spec) : runNode(spec);
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux.

/** CPU milliseconds (user + system) of the processes in process group `pgid`, by name. */
export function groupCpu(pgid) {
  const byName = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat;
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // Fields after the name: state(0) ppid(1) pgrp(2) ... utime(11) stime(12).
    if (Number(f[2]) !== pgid) continue;
    byName[name] = (byName[name] ?? 0) + (Number(f[11]) + Number(f[12])) * TICK_MS;
  }
  return byName;
}
