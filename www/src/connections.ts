// Organization Settings → App Connections: the list (name, type, method, tenant, status with
// the last validation and its error), search and filters, and per connection validate, edit,
// reconnect, rotate/sync and delete.
import { api, ApiFailure, type Connection, type ConnectionType, type Dependent } from './api';
import { h, append, clear, ago, isoDate, announce } from './dom';
import { errorBox } from './errors';
import { choiceFieldset, confirmDialog, openModal } from './modal';
import { openAddConnection, openEditConnection, resumeRetry } from './form';
import { KEYS_CHOICES, METHOD_SHORT, SECRETS_CHOICES, STATUS_NAMES, TYPE_NAMES, appName } from './labels';

const TYPES: ConnectionType[] = ['azure-client-secrets', 'azure-app-configuration'];

export async function renderConnections(root: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.search);
  let highlight = params.get('created');
  const search = h('input', { type: 'search', id: 'search', placeholder: 'Search by name, tenant or client ID', 'aria-label': 'Search connections' });
  const typeFilter = h(
    'select',
    { id: 'type-filter', 'aria-label': 'Filter by type' },
    h('option', { value: '' }, 'All types'),
    TYPES.map((t) => h('option', { value: t }, TYPE_NAMES[t])),
  );
  const statusFilter = h(
    'select',
    { id: 'status-filter', 'aria-label': 'Filter by status' },
    h('option', { value: '' }, 'Any status'),
    Object.entries(STATUS_NAMES).map(([v, n]) => h('option', { value: v }, n)),
  );
  const add = h('button', { type: 'button', class: 'btn primary', id: 'add-connection' }, 'Add Connection');
  const banner = h('div', { class: 'banner-slot' });
  const listEl = h('div', { class: 'list', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading connections…'));
  clear(
    root,
    h(
      'div',
      { class: 'section-head' },
      h('div', {}, h('h2', {}, 'App Connections'), h('p', { class: 'muted' }, 'Connections let azconn call Azure on your behalf: rotate client secrets, sync secrets to App Configuration.')),
      add,
    ),
    banner,
    h('div', { class: 'filters' }, search, typeFilter, statusFilter),
    listEl,
  );

  let all: Connection[] = [];
  const refresh = async (focusId?: string) => {
    listEl.setAttribute('aria-busy', 'true');
    try {
      const lists = await Promise.all(TYPES.map((t) => api.list(t)));
      all = lists.flatMap((l) => l.appConnections).sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
      draw();
      if (focusId) document.querySelector<HTMLElement>(`[data-connection="${focusId}"]`)?.focus();
    } catch (e) {
      clear(listEl, errorBox(e));
    } finally {
      listEl.setAttribute('aria-busy', 'false');
    }
  };

  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const rows = all.filter(
      (c) =>
        (!typeFilter.value || c.type === typeFilter.value) &&
        (!statusFilter.value || c.status === statusFilter.value) &&
        (!q || [c.name, c.tenantId, c.clientId ?? '', c.description ?? ''].some((v) => v.toLowerCase().includes(q))),
    );
    if (all.length === 0) {
      clear(listEl, h('div', { class: 'empty' }, h('p', {}, 'No app connections yet.'), h('p', { class: 'muted' }, 'Add one to rotate client secrets or sync secrets to Azure App Configuration.')));
      return;
    }
    if (rows.length === 0) {
      clear(listEl, h('p', { class: 'empty' }, 'No connection matches the search.'));
      return;
    }
    clear(
      listEl,
      h(
        'table',
        { class: 'connections' },
        h('caption', { class: 'sr-only' }, 'App connections'),
        h('thead', {}, h('tr', {}, ['Name', 'Type', 'Method', 'Tenant', 'Status', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows.map(row)),
      ),
    );
  };

  const row = (c: Connection) => {
    const tr = h('tr', { 'data-connection': c.id, tabindex: -1, class: c.id === highlight ? 'highlight' : '' });
    const validate = h('button', { type: 'button', class: 'btn small' }, 'Validate');
    validate.addEventListener('click', async () => {
      validate.disabled = true;
      validate.textContent = 'Validating…';
      try {
        const r = await api.validate(c.type, c.id);
        announce(r.valid ? `${c.name} is valid` : `${c.name} failed validation: ${r.error?.message ?? ''}`);
      } catch (e) {
        showBanner(banner, e);
      }
      await refresh(c.id);
    });
    const actions: HTMLElement[] = [validate];
    if (c.method === 'oauth') {
      const reconnect = h('button', { type: 'button', class: `btn small${c.status === 'needs-reauth' ? ' primary' : ''}` }, 'Reconnect');
      reconnect.addEventListener('click', async () => {
        reconnect.disabled = true;
        try {
          const r = await api.oauthStart(c.type, { reconnectId: c.id });
          sessionStorage.setItem('azconn.oauth', JSON.stringify({ reconnectId: c.id, type: c.type }));
          location.assign(r.url);
        } catch (e) {
          reconnect.disabled = false;
          showBanner(banner, e);
        }
      });
      actions.push(reconnect);
    } else {
      const edit = h('button', { type: 'button', class: 'btn small' }, 'Edit');
      edit.addEventListener('click', () => openEditConnection(c, (id) => void refresh(id)));
      actions.push(edit);
    }
    actions.push(
      h(
        'a',
        { class: 'btn small', href: `/organization/app-connections/${c.type}/${c.id}`, 'data-link': true },
        c.type === 'azure-client-secrets' ? 'Rotate secrets' : 'Sync secrets',
      ),
    );
    const del = h('button', { type: 'button', class: 'btn small danger' }, 'Delete');
    const deleted = async () => {
      announce(`${c.name} deleted`);
      await refresh();
      add.focus();
    };
    del.addEventListener('click', async () => {
      const text = 'The connection and its stored credentials are removed from azconn. Nothing changes in Azure.';
      if (!(await confirmDialog(`Delete ${c.name}?`, text, 'Delete connection', leftoversWarning(c)))) return;
      try {
        await api.remove(c.type, c.id);
        await deleted();
      } catch (e) {
        // In use: offer to delete its rotations and syncs too, with an explicit choice each.
        if (e instanceof ApiFailure && e.status === 409 && e.dependents.length > 0) {
          openDeleteWithDependents(c, e.dependents, deleted);
          return;
        }
        showBanner(banner, e);
      }
    });
    actions.push(del);
    const status = h(
      'div',
      { class: 'status' },
      h('span', { class: `badge ${c.status}` }, STATUS_NAMES[c.status] ?? c.status),
      c.lastValidatedAt ? h('span', { class: 'muted small', title: isoDate(c.lastValidatedAt) }, ` validated ${ago(c.lastValidatedAt)}`) : null,
      c.lastError ? h('p', { class: 'row-error' }, c.lastError.message, c.lastError.hint ? h('span', { class: 'hint' }, ` ${c.lastError.hint}`) : null) : null,
    );
    tr.append(
      h('td', { 'data-label': 'Name' }, h('strong', { class: 'name' }, c.name), c.description ? h('div', { class: 'muted small' }, c.description) : null,
        c.createdBy ? h('div', { class: 'muted small' }, `created by ${c.createdBy}`) : null,
        c.id === highlight ? h('span', { class: 'badge new' }, 'New') : null),
      h('td', { 'data-label': 'Type' }, TYPE_NAMES[c.type]),
      h('td', { 'data-label': 'Method' }, METHOD_SHORT[c.method]),
      h('td', { 'data-label': 'Tenant' }, h('code', {}, c.tenantId)),
      h('td', { 'data-label': 'Status' }, status),
      h('td', { 'data-label': 'Actions' }, h('div', { class: 'row-actions' }, actions)),
    );
    return tr;
  };

  add.addEventListener('click', () => openAddConnection((id) => {
    highlight = id;
    void refresh(id);
  }));
  search.addEventListener('input', draw);
  typeFilter.addEventListener('change', draw);
  statusFilter.addEventListener('change', draw);

  await refresh(highlight ?? undefined);
  if (highlight) {
    const c = all.find((x) => x.id === highlight);
    if (c) {
      banner.replaceChildren(h('div', { class: 'alert success', role: 'status' }, `Connected: ${c.name} (${TYPE_NAMES[c.type]}) is ready to use.`));
      announce(`Connection ${c.name} created`);
    }
    history.replaceState(null, '', location.pathname);
  }
  if (params.get('retry') === 'oauth') {
    history.replaceState(null, '', location.pathname);
    resumeRetry((id) => {
      highlight = id;
      void refresh(id);
    });
  }
}

/** The rotations and syncs that use `c`, and the choices deleting them takes. */
function openDeleteWithDependents(c: Connection, dependents: Dependent[], done: () => Promise<void>): void {
  const m = openModal(`${c.name} is in use`);
  const rotations = dependents.some((d) => d.kind === 'rotation');
  const syncs = dependents.some((d) => d.kind === 'sync');
  const secrets = rotations ? choiceFieldset('The client secrets the rotations created', SECRETS_CHOICES) : null;
  const keys = syncs ? choiceFieldset('The keys the syncs own in App Configuration', KEYS_CHOICES) : null;
  const err = h('div', { class: 'form-error', 'aria-live': 'polite' });
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const ok = h('button', { type: 'button', class: 'btn danger' }, `Delete ${c.name} and ${dependents.length} dependent${dependents.length === 1 ? '' : 's'}`);
  cancel.addEventListener('click', () => m.close());
  ok.addEventListener('click', async () => {
    ok.disabled = true;
    err.replaceChildren();
    try {
      await api.remove(c.type, c.id, { secrets: secrets?.value(), keys: keys?.value() });
      m.close();
      await done();
    } catch (e) {
      const stopped = e instanceof ApiFailure && e.deleted.length > 0
        ? h('p', { class: 'muted' }, `Deleted before it stopped: ${e.deleted.map((d) => d.name).join(', ')}. Still in use by: ${e.dependents.map((d) => d.name).join(', ')}.`)
        : null;
      clear(err, errorBox(e), stopped);
      ok.disabled = false;
    }
  });
  append(m.body, [
    h('p', {}, 'These use the connection. Delete them with it, or cancel and keep everything:'),
    h('ul', { class: 'dependents' }, dependents.map((d) => h('li', {}, `${d.kind === 'rotation' ? 'Rotation of' : 'Sync of'} ${d.name}`))),
    secrets?.el,
    // Kept secrets would be listed as leftovers of this connection, which the delete then forgets.
    secrets ? h('p', { class: 'help' }, 'With “Keep”, their secrets stay in Entra ID with no record left in azconn.') : null,
    keys?.el,
    leftoversWarning(c),
    err,
    h('div', { class: 'actions' }, cancel, ok),
  ]);
}

/**
 * What deleting `c` also forgets: the records of secrets its deleted rotations left on their apps
 * ("Secrets left by deleted rotations" on its page). Nothing in azconn could reach those apps
 * afterwards while the secrets stay in Entra ID, so the dialog says so before the user confirms.
 * Loaded when the dialog opens; a failed load does not block the delete, it says it could not check.
 */
function leftoversWarning(c: Connection): HTMLElement | null {
  if (c.type !== 'azure-client-secrets') return null;
  const el = h('div', { class: 'leftovers-warning', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Checking for secrets left by deleted rotations…'));
  const where = 'To revoke them, cancel and use “Remove…” under “Secrets left by deleted rotations” on the connection’s page first.';
  void api.leftovers().then(
    ({ leftovers }) => {
      const mine = leftovers.filter((l) => l.connectionId === c.id);
      el.hidden = mine.length === 0;
      clear(
        el,
        mine.length === 0 ? null : h(
          'div',
          { class: 'alert warning' },
          h('strong', {}, `azconn also forgets ${mine.length} record${mine.length === 1 ? '' : 's'} of secrets left by deleted rotations:`),
          h('ul', { class: 'leftovers-forgotten' }, mine.map((l) => h('li', {}, `Rotation ${l.name} of ${appName(l)}`))),
          h('p', {}, 'Their secrets stay in Entra ID until they expire, and azconn can no longer reach the apps to revoke them. ', where),
        ),
      );
    },
    (e: unknown) =>
      clear(
        el,
        h(
          'div',
          { class: 'alert warning' },
          h('strong', {}, 'Could not check for secrets left by deleted rotations'),
          e instanceof ApiFailure ? ` (${e.error.message})` : null,
          h('p', {}, 'Deleting the connection forgets any there are; their secrets stay in Entra ID. ', where),
        ),
      ),
  );
  return el;
}

function showBanner(slot: HTMLElement, e: unknown): void {
  slot.replaceChildren(errorBox(e));
}
