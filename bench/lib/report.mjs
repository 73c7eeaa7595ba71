// Report helpers for `make bench`: Markdown tables, number formats, the machine's details and a
// dependency-free SVG line plot.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem, release, platform } from 'node:os';

/** A Markdown table from a header row and rows of cells. */
export function table(head, rows, align) {
  const a = align ?? head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [`| ${head.join(' | ')} |`, `|${a.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** 1234567 -> "1,234,567"; small numbers keep `digits` significant decimals. */
export function num(x, digits = 0) {
  if (!Number.isFinite(x)) return String(x);
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Three significant figures, with thousands separators. */
export function sig(x) {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return num(Math.round(x));
  return Number(x.toPrecision(3)).toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/** "median (min–max)". */
export const spread = (s, f = sig) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

function tryRun(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.error ? 'n/a' : r.stdout.trim();
}

/** The short hash of the checked-out commit. */
export const commit = (root) => tryRun('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);

/** The machine and toolchain a run happened on, and the load when it started. */
export function machine(root) {
  const c = cpus();
  return table(['what', 'value'], [
    ['CPU', `${c[0]?.model ?? 'unknown'} × ${c.length}`],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', `${platform()} ${release()}`],
    ['Node', process.version],
    ['rustc', tryRun('rustc', ['--version'])],
    ['wrk', tryRun('wrk', ['--version']).split('\n')[0] || 'n/a'],
    ['commit', commit(root)],
    ['load average at start (1/5/15 min)', loadavg().map((l) => l.toFixed(2)).join(' / ')],
    ['date', new Date().toISOString()],
  ], ['---', '---']);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A log-log line plot: `series` = [{ name, color, points: [[x, y], ...] }]. Returns SVG text.
 */
export function svgPlot({ title, xLabel, yLabel, series, width = 640, height = 400 }) {
  const m = { l: 70, r: 20, t: 40, b: 50 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => y > 0);
  const lx = [Math.floor(Math.log10(Math.min(...xs))), Math.ceil(Math.log10(Math.max(...xs)))];
  const ly = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  if (lx[0] === lx[1]) lx[1]++;
  if (ly[0] === ly[1]) ly[1]++;
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const X = (x) => m.l + ((Math.log10(x) - lx[0]) / (lx[1] - lx[0])) * w;
  const Y = (y) => m.t + h - ((Math.log10(Math.max(y, 10 ** ly[0])) - ly[0]) / (ly[1] - ly[0])) * h;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`];
  for (let e = lx[0]; e <= lx[1]; e++) {
    out.push(`<line x1="${X(10 ** e)}" x2="${X(10 ** e)}" y1="${m.t}" y2="${m.t + h}" stroke="#ddd"/>`,
      `<text x="${X(10 ** e)}" y="${m.t + h + 16}" text-anchor="middle">${num(10 ** e)}</text>`);
  }
  for (let e = ly[0]; e <= ly[1]; e++) {
    out.push(`<line x1="${m.l}" x2="${m.l + w}" y1="${Y(10 ** e)}" y2="${Y(10 ** e)}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${Y(10 ** e) + 4}" text-anchor="end">${num(10 ** e)}</text>`);
  }
  out.push(`<text x="${m.l + w / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${m.t + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    `<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  series.forEach((s, i) => {
    const pts = s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    for (const [x, y] of s.points) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: N=${x}, ${y}`)}</title></circle>`);
    const ly0 = m.t + 16 + i * 18;
    out.push(`<line x1="${m.l + 12}" x2="${m.l + 36}" y1="${ly0 - 4}" y2="${ly0 - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      `<text x="${m.l + 42}" y="${ly0}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
