// Organization Settings → Audit log: who did what to which record, newest first, filtered on the
// server (action, outcome, actor, date range) and paged with the server's cursor ("Load more").
// The filters live in the page's URL, so a filtered view can be reloaded or shared.
import { call } from './api';
import type { AuditEntry, AuditPage } from './gen/api';
import { clear, h, ago, isoDate, announce } from './dom';
import { errorBox } from './errors';

/** The actions the Worker records: the same list as host/src/audit.rs `ACTIONS` (a host test
 * holds the two together). */
const AUDIT_ACTIONS = [
  'connection.create',
  'connection.delete',
  'connection.token',
  'connection.update',
  'connection.validate',
  'encryption.reseal',
  'oauth.callback',
  'oauth.start',
  'organization.create',
  'rotation.create',
  'rotation.delete',
  'rotation.done',
  'rotation.failed',
  'rotation.graph',
  'rotation.leftover.delete',
  'rotation.secret.read',
  'rotation.update',
  'rotation.verify',
  'session.delete',
  'sync.create',
  'sync.delete',
  'sync.preview',
  'sync.run',
  'sync.update',
  'token.create',
  'token.revoke',
] as const;

const PAGE_SIZE = 50;
const FILTERS = ['action', 'outcome', 'actor', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const auditLog = (query: URLSearchParams) => call<AuditPage>('GET', `/audit-log?${query.toString()}`);

/** Local midnight of a `YYYY-MM-DD` day, in unix seconds; `end` gives the day's last second. */
function dayBound(day: string, end: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime() / 1000;
  return end ? start + 86399 : start;
}

/** The server's query for the filters (empty ones left out) and an optional cursor. */
function serverQuery(f: Filters, before: number | null): URLSearchParams {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (f.action) q.set('action', f.action);
  if (f.outcome) q.set('outcome', f.outcome);
  if (f.actor.trim()) q.set('actor', f.actor.trim());
  const since = dayBound(f.from, false);
  const until = dayBound(f.to, true);
  if (since !== null) q.set('since', String(since));
  if (until !== null) q.set('until', String(until));
  if (before !== null) q.set('before', String(before));
  return q;
}

/** A detail value: an error as its code and message, other nested values as JSON. */
function detailValue(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object' && 'message' in x && typeof x.message === 'string') {
    return 'code' in x && typeof x.code === 'string' ? `${x.code}: ${x.message}` : x.message;
  }
  return JSON.stringify(x);
}

/** The detail as `key: value` pairs; anything else as one value. */
function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail === 'object' && !Array.isArray(detail)) {
    return Object.entries(detail)
      .filter(([, x]) => x !== null)
      .map(([k, x]) => `${k}: ${detailValue(x)}`)
      .join(', ');
  }
  return detailValue(detail);
}

export async function renderAudit(root: HTMLElement): Promise<void> {
  const initial = new URLSearchParams(location.search);
  const action = h(
    'select',
    { id: 'audit-action', 'aria-label': 'Action' },
    h('option', { value: '' }, 'All actions'),
    AUDIT_ACTIONS.map((a) => h('option', { value: a }, a)),
  );
  const outcome = h(
    'select',
    { id: 'audit-outcome', 'aria-label': 'Outcome' },
    h('option', { value: '' }, 'Any outcome'),
    h('option', { value: 'ok' }, 'Succeeded'),
    h('option', { value: 'failed' }, 'Failed'),
  );
  const actor = h('input', { type: 'search', id: 'audit-actor', placeholder: 'Actor, e.g. token:… or admin', 'aria-label': 'Actor' });
  const from = h('input', { type: 'date', id: 'audit-from', 'aria-label': 'From date' });
  const to = h('input', { type: 'date', id: 'audit-to', 'aria-label': 'To date' });
  const inputs = { action, outcome, actor, from, to };
  for (const k of FILTERS) inputs[k].value = initial.get(k) ?? '';
  const apply = h('button', { type: 'submit', class: 'btn' }, 'Apply filters');
  const reset = h('button', { type: 'button', class: 'btn' }, 'Clear filters');
  const form = h('form', { class: 'filters audit-filters', role: 'search', 'aria-label': 'Filter the audit log' }, action, outcome, actor,
    h('span', { class: 'date-range' }, from, h('span', { class: 'muted' }, ' to '), to), apply, reset);
  const status = h('p', { class: 'muted small', id: 'audit-count', 'aria-live': 'polite' });
  const listEl = h('div', { class: 'list', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading the audit log…'));
  const more = h('button', { type: 'button', class: 'btn', id: 'audit-more' }, 'Load more');
  const moreSlot = h('div', { class: 'actions left' });
  clear(
    root,
    h('div', { class: 'section-head' }, h('div', {}, h('h2', {}, 'Audit log'),
      h('p', { class: 'muted' }, 'Every change to connections, rotations, syncs and tokens, and every Azure call azconn made, newest first. Secret values are never recorded.'))),
    form,
    status,
    listEl,
    moreSlot,
  );

  const current = (): Filters => ({ action: action.value, outcome: outcome.value, actor: actor.value, from: from.value, to: to.value });
  let filters = current();
  let shown: AuditEntry[] = [];
  let cursor: number | null = null;
  // Only the newest request draws: an older answer arriving late is dropped.
  let generation = 0;

  const tbody = h('tbody', {});
  const table = h(
    'table',
    { class: 'audit' },
    h('caption', { class: 'sr-only' }, 'Audit log entries'),
    h('thead', {}, h('tr', {}, ['Time', 'Actor', 'Action', 'Target', 'Outcome', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody,
  );

  const row = (e: AuditEntry) =>
    h(
      'tr',
      { 'data-entry': e.id },
      h('td', { 'data-label': 'Time' }, h('time', { datetime: new Date(e.at * 1000).toISOString(), title: ago(e.at) }, isoDate(e.at))),
      h('td', { 'data-label': 'Actor' }, h('code', {}, e.actor)),
      h('td', { 'data-label': 'Action' }, e.action),
      h('td', { 'data-label': 'Target' }, e.target ? h('code', {}, e.target) : h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': 'Outcome' }, h('span', { class: `badge ${e.outcome === 'ok' ? 'active' : 'failing'}` }, e.outcome === 'ok' ? 'ok' : e.outcome)),
      h('td', { 'data-label': 'Detail', class: 'detail' }, detailText(e.detail)),
    );

  const filtered = () => FILTERS.some((k) => filters[k].trim() !== '');

  const draw = () => {
    if (shown.length === 0) {
      clear(
        listEl,
        filtered()
          ? h('div', { class: 'empty' }, h('p', {}, 'No entries match the filters.'), h('p', { class: 'muted' }, 'Widen the date range or clear a filter.'))
          : h('div', { class: 'empty' }, h('p', {}, 'No audit entries yet.'), h('p', { class: 'muted' }, 'Changes to connections, rotations and syncs show up here.')),
      );
    } else if (!listEl.contains(table)) {
      clear(listEl, table);
    }
    status.textContent = shown.length === 0 ? '' : `${shown.length} entr${shown.length === 1 ? 'y' : 'ies'} shown${cursor === null ? '' : ', more available'}`;
    clear(moreSlot, cursor === null ? null : more);
  };

  const load = async (append: boolean) => {
    const mine = ++generation;
    listEl.setAttribute('aria-busy', 'true');
    more.disabled = true;
    try {
      const page = await auditLog(serverQuery(filters, append ? cursor : null));
      if (mine !== generation) return;
      if (!append) {
        shown = [];
        tbody.replaceChildren();
      }
      shown.push(...page.entries);
      tbody.append(...page.entries.map(row));
      cursor = page.nextCursor;
      draw();
      if (append) announce(`${page.entries.length} more entries loaded`);
    } catch (e) {
      if (mine !== generation) return;
      if (append) {
        // The entries shown stay; the button retries the same page.
        clear(moreSlot, errorBox(e), more);
        return;
      }
      shown = [];
      cursor = null;
      tbody.replaceChildren();
      clear(listEl, errorBox(e));
      clear(moreSlot);
      status.textContent = '';
    } finally {
      if (mine === generation) {
        listEl.setAttribute('aria-busy', 'false');
        more.disabled = false;
      }
    }
  };

  const refilter = () => {
    filters = current();
    const q = new URLSearchParams();
    for (const k of FILTERS) if (filters[k].trim()) q.set(k, filters[k].trim());
    const search = q.toString();
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
    void load(false);
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    refilter();
  });
  for (const el of [action, outcome, from, to]) el.addEventListener('change', refilter);
  reset.addEventListener('click', () => {
    for (const k of FILTERS) inputs[k].value = '';
    refilter();
  });
  more.addEventListener('click', () => void load(true));

  await load(false);
}
