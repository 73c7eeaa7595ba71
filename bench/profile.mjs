// Where azconn's time goes, per operation: the same wasm module as the package's Node entry (the
// speed build of gen/server), bound with wasm-bindgen --keep-debug (function names kept; not
// wasm-opt'ed) and sampled with V8's CPU profiler in this process. Self time is grouped by function
// name into: the boundary (strings and bytes crossing JS<->wasm, the result builders of values.js,
// number and string formatting), allocation, the core's own work (its JSON reader included), and
// the rest (JS glue, GC, the loop). Diagnostics only: if the package internals change so this
// cannot bind, the section says so and the bench goes on.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from './lib/report.mjs';

const CATEGORIES = [
  ['boundary', /serde|::fmt|fmt::|to_string|Display|Formatter|write_str|write_all|itoa|ryu|passStringToWasm|getStringFromWasm|decodeText|decodeUTF8|encodeString|encodeUtf8|encodeInto|stringify|^parse$|__wbg_|__wbindgen|externref/],
  ['allocation', /dlmalloc|alloc::|RawVec|__rdl|__rust_(alloc|dealloc|realloc)|memcpy|memmove|memset|::drop|Drop|to_vec|clone/i],
  ['core work', /azconn|sha2|sha1|digest|hmac|base64|der::|x509|pkcs|spki|url::|idna|memcmp|str::|core::/],
  ['GC', /garbage collector/],
];
/** The category of a frame; the package's result constructors (values.js, values/*.js) and
 * wasm-bindgen's glue (string passing) are the boundary. */
function category({ functionName, url }) {
  if (/\/azconn\.js$|\/values(\/[a-z]+)?\.js$|node:internal\/encoding/.test(url)) return 'boundary';
  if (/node:inspector|profile\.mjs$/.test(url)) return null; // the profiler itself
  return CATEGORIES.find(([, re]) => re.test(functionName))?.[0] ?? 'JS glue / other';
}

function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const cats = {};
  let total = 0;
  for (const n of profile.nodes) {
    const t = dt.get(n.id) ?? 0;
    const c = category(n.callFrame);
    if (n.callFrame.functionName === '(idle)' || c === null) continue;
    total += t;
    cats[c] = (cats[c] ?? 0) + t;
  }
  // Inclusive time of the core's functions (outermost frames of each name counted once per path).
  const incl = {};
  const walk = (n, seen) => {
    let t = dt.get(n.id) ?? 0;
    const name = n.callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '');
    const isCore = /^azconn_core::/.test(name) && !seen.has(name);
    const next = isCore ? new Set(seen).add(name) : seen;
    for (const c of n.children ?? []) t += walk(byId.get(c), next);
    if (isCore) incl[name] = (incl[name] ?? 0) + t;
    return t;
  };
  walk(profile.nodes[0], new Set());
  const top = Object.entries(incl).sort((a, b) => b[1] - a[1]).slice(0, 3)
    .map(([k, v]) => `${k.replace(/^azconn_core::/, '')} ${((v / total) * 100).toFixed(0)} %`);
  return { cats, total, top };
}

export async function profile(root, cases) {
  const wasm = join(root, 'target/wasm32-unknown-unknown/speed/azconn_wasm.wasm');
  const dir = mkdtempSync(join(tmpdir(), 'azconn-prof-'));
  try {
    if (!existsSync(wasm)) throw new Error(`${wasm} is missing (make pkg builds it)`);
    // The glue imports ../../values.js and ../../values/*.js: lay the profile build out like the
    // package's gen/.
    const out = join(dir, 'gen', 'profile');
    cpSync(join(root, 'packages/azconn/values.js'), join(dir, 'values.js'));
    cpSync(join(root, 'packages/azconn/values'), join(dir, 'values'), { recursive: true });
    const r = spawnSync('wasm-bindgen', ['--target', 'web', '--keep-debug', '--out-name', 'azconn', '--out-dir', out, wasm], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`wasm-bindgen: ${r.stderr}`);
    const raw = await import(join(out, 'azconn.js'));
    raw.initSync({ module: readFileSync(join(out, 'azconn_bg.wasm')) });
    const api = raw;
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    const rows = [];
    for (const c of cases) {
      const fn = () => c.fn(api);
      const warm = Date.now() + 300;
      while (Date.now() < warm) fn();
      await session.post('Profiler.start');
      const end = performance.now() + 1000;
      let n = 0;
      while (performance.now() < end) { fn(); n++; }
      const { profile: p } = await session.post('Profiler.stop');
      const s = summarize(p);
      const pct = (k) => `${(((s.cats[k] ?? 0) / s.total) * 100).toFixed(0)} %`;
      rows.push([c.name, (1e6 / n).toFixed(1), pct('boundary'), pct('allocation'), pct('core work'), pct('JS glue / other'), pct('GC'), s.top.join('; ') || '—']);
    }
    session.disconnect();
    return [
      'V8 CPU profile (50 µs sampling, 1 s per operation) of the Node entry\'s module (speed build) with function names kept (wasm-bindgen --keep-debug, no wasm-opt), called through the package\'s own binding. Self time grouped by function name.',
      '',
      table(['operation (sync part only)', 'µs/op while profiled', 'boundary', 'allocation', 'core work', 'JS glue / other', 'GC', 'top core functions (inclusive)'], rows),
    ].join('\n');
  } catch (e) {
    return `Profile unavailable: ${e.message}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
