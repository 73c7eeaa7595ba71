// Statistics for `make bench`: calibrated, interleaved rounds of operations in one process, and
// latency percentiles. Every figure is reported as a median with its spread (min–max of rounds).

const now = () => process.hrtime.bigint();

/** Median of numbers (copy-sorted). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Percentile (nearest rank) of numbers. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** { median, min, max } of numbers. */
export function summary(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** Runs `fn` `n` times (awaiting each call when it is async); the elapsed nanoseconds. */
async function loop(fn, n, isAsync) {
  const t0 = now();
  if (isAsync) for (let i = 0; i < n; i++) await fn();
  else for (let i = 0; i < n; i++) fn();
  return Number(now() - t0);
}

/**
 * Compares contenders on one operation: each is warmed up, its iteration count calibrated so a
 * round lasts about `roundMs`, then rounds are interleaved (A B C A B C ...) so that load from
 * other processes on the machine falls on every contender alike. Returns, per contender, the
 * ops/s of each round and their median / min / max.
 */
export async function compare(contenders, { rounds = 7, roundMs = 150, warmupMs = 300 } = {}) {
  const state = [];
  for (const c of contenders) {
    const first = c.fn();
    const isAsync = typeof first?.then === 'function';
    if (isAsync) await first;
    // Warm-up (JIT tiers, wasm tier-up), then calibration.
    let n = 1;
    const warmEnd = Date.now() + warmupMs;
    while (Date.now() < warmEnd) { await loop(c.fn, n, isAsync); n = Math.min(n * 2, 1 << 20); }
    let iters = 1;
    for (;;) {
      const ns = await loop(c.fn, iters, isAsync);
      if (ns >= roundMs * 1e6 / 4 || iters >= 1 << 24) {
        iters = Math.max(1, Math.round(iters * (roundMs * 1e6) / Math.max(ns, 1)));
        break;
      }
      iters *= 4;
    }
    state.push({ ...c, isAsync, iters, opsPerSec: [] });
  }
  for (let r = 0; r < rounds; r++) {
    for (const s of state) {
      const ns = await loop(s.fn, s.iters, s.isAsync);
      s.opsPerSec.push(s.iters / (ns / 1e9));
    }
  }
  return state.map((s) => ({ name: s.name, what: s.what, iters: s.iters, ...summary(s.opsPerSec) }));
}
