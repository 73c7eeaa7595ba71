// One connection: rotation (Azure Client Secrets) or sync (Azure App Configuration).
import { api, ApiFailure, type ApiErrorObject, type ClientApp, type Connection, type ConnectionType, type Leftover, type LeftoverDeleted, type LeftoverSecret, type PasswordCredential, type Rotation, type RotationDeleted, type RotationPatch, type RotateAtUtc, type RotateResult, type Sync, type SyncConflict, type SyncDeleted, type SyncPatch, type SyncPreview, type SyncRunChoices } from './api';
import type { SyncMode } from 'azconn/full';
import { h, clear, svg, copyButton, announce, isoDate, uid } from './dom';
import { errorBox } from './errors';
import { field, showFieldErrors, type Field } from './fields';
import { choiceFieldset, openModal } from './modal';
import { parseSecrets } from './secrets-file';
import { KEYS_CHOICES, LEFTOVER_CHOICES, METHOD_SHORT, SECRETS_CHOICES, STATUS_NAMES, TYPE_NAMES, appName } from './labels';

export async function renderDetail(root: HTMLElement, type: ConnectionType, id: string): Promise<void> {
  clear(root, h('p', { class: 'muted' }, 'Loading…'));
  let c: Connection;
  try {
    c = (await api.get(type, id)).appConnection;
  } catch (e) {
    clear(root, errorBox(e));
    return;
  }
  clear(
    root,
    h('p', {}, h('a', { href: '/organization/app-connections', 'data-link': true }, '← App Connections')),
    h(
      'div',
      { class: 'section-head' },
      h('div', {}, h('h2', {}, c.name), h('p', { class: 'muted' }, `${TYPE_NAMES[c.type]} · ${METHOD_SHORT[c.method]} · tenant `, h('code', {}, c.tenantId))),
      h('span', { class: `badge ${c.status}` }, STATUS_NAMES[c.status] ?? c.status),
    ),
  );
  const body = h('div', {});
  root.append(body);
  if (type === 'azure-client-secrets') await renderRotations(body, c);
  else await renderSyncs(body, c);
  document.getElementById('main')?.focus();
}

// ---------------------------------------------------------------- rotation

/** The rotation's real steps, in order: the core's step names (crates/core/src/rotation.rs), and
 * the host's `publish-sync`, one per sync the new secret is published to (host/src/rotations.rs). */
const STEPS: [string[], string][] = [
  [['inspect', 'remove-orphan'], "Reading the app's secrets"],
  [['add'], 'Adding a new secret'],
  [['verify', 'wait'], 'Waiting for Azure to accept it'],
  [['publish', 'publish-sync'], 'Publishing it to azconn and its syncs'],
  [['remove-old', 'remove-unverified'], 'Removing the old secret'],
];

async function renderRotations(root: HTMLElement, c: Connection): Promise<void> {
  const notice = h('div', { class: 'notice', 'aria-live': 'polite' });
  const list = h('div', { class: 'rotations' });
  const setup = h('section', { class: 'card' });
  const leftovers = h('div', {});
  const leftoversHeadId = uid('leftovers');
  const leftoversSection = h(
    'section',
    { class: 'leftovers', 'aria-labelledby': leftoversHeadId, hidden: true },
    h('h3', { id: leftoversHeadId }, 'Secrets left by deleted rotations'),
    h('p', { class: 'help' }, 'Rotations deleted with their secrets kept: the secrets they created may still be on the app until they expire.'),
    leftovers,
  );
  root.append(h('h3', {}, 'Client secret rotation'), notice, list, leftoversSection, setup);
  let clients: ClientApp[] = [];
  let next: string | null = null;

  const loadClients = async (more = false) => {
    const r = await api.clients(c.id, more ? next ?? undefined : undefined);
    clients = more ? [...clients, ...r.clients] : r.clients;
    next = r.nextLink;
  };

  // Each rotation card's redraw of its timeline ("The app's secrets"), by the card.
  const timelines = new WeakMap<Element, (failure?: unknown) => void>();
  /**
   * The secrets of the app `appId` changed in Entra ID (a rotation ran, a leftover's secrets
   * were revoked): the app list is read again and the timeline of that app's card (an app has
   * one rotation), and nothing else of it, is redrawn, so a new secret it shows once stays
   * until the user leaves.
   */
  const appSecretsChanged = async (appId: string | undefined) => {
    let failure: unknown;
    try {
      await loadClients();
    } catch (e) {
      failure = e;
    }
    for (const card of list.querySelectorAll<HTMLElement>('article.rotation')) {
      if (card.dataset.appId === appId) timelines.get(card)?.(failure);
    }
  };

  const drawList = async () => {
    let rotations: Rotation[];
    try {
      rotations = (await api.rotations()).rotations.filter((r) => r.connectionId === c.id);
    } catch (e) {
      clear(list, errorBox(e));
      return;
    }
    if (rotations.length === 0) {
      clear(list, h('p', { class: 'muted' }, 'No rotation yet: pick an app registration below.'));
      return;
    }
    clear(list, rotations.map((r) => rotationCard(r)));
  };

  // The leftovers of this connection; the section shows only when there is one (or an error).
  const drawLeftovers = async () => {
    let rows: Leftover[];
    try {
      rows = (await api.leftovers()).leftovers.filter((l) => l.connectionId === c.id);
    } catch (e) {
      leftoversSection.hidden = false;
      clear(leftovers, errorBox(e));
      return;
    }
    leftoversSection.hidden = rows.length === 0;
    clear(leftovers, rows.map((l) => leftoverCard(l)));
  };

  const leftoverCard = (l: Leftover) => {
    const secrets = h('div', { class: 'leftover-secrets', 'aria-live': 'polite' });
    const show = h('button', { type: 'button', class: 'btn' }, 'Show secrets');
    const remove = h('button', { type: 'button', class: 'btn danger' }, 'Remove…');
    show.addEventListener('click', async () => {
      show.disabled = true;
      clear(secrets, h('p', { class: 'muted' }, 'Reading the app’s secrets…'));
      try {
        clear(secrets, leftoverSecrets((await api.leftover(l.id)).secrets));
      } catch (e) {
        clear(secrets, errorBox(e));
      }
      show.disabled = false;
    });
    remove.addEventListener('click', () =>
      openRemoveLeftover(l, async (d) => {
        clear(
          notice,
          h(
            'div',
            { class: 'alert success', role: 'status' },
            `The record of the deleted rotation ${d.leftover.name} is removed. `,
            d.revoked.length
              ? h('span', { class: 'revoked' }, `Revoked in Entra ID: ${d.revoked.join(', ')}.`)
              : d.secrets === 'keep'
                ? 'Its secrets stay in Entra ID until they expire.'
                : 'None of its secrets was still on the app.',
          ),
        );
        await drawLeftovers();
        if (d.revoked.length) await appSecretsChanged(l.target?.appId);
      }),
    );
    return h(
      'article',
      { class: 'card leftover', 'aria-label': `Deleted rotation ${l.name}` },
      h('h4', {}, l.name),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'App'), h('dd', {}, appName(l), ' ', h('code', { class: 'small' }, l.target?.appId ?? '')),
        h('dt', {}, 'Deleted'), h('dd', { class: 'leftover-deleted' }, isoDate(l.deletedAt)),
      ),
      h('div', { class: 'actions left' }, show, remove),
      secrets,
    );
  };

  const rotationCard = (r: Rotation) => {
    const progress = h('ol', { class: 'steps', 'aria-label': 'Rotation progress' });
    const result = h('div', { class: 'rotate-result', 'aria-live': 'polite' });
    const timeline = h('div', { class: 'timeline' });
    const rotate = h('button', { type: 'button', class: 'btn primary', 'data-rotation': r.id }, 'Rotate now');
    const edit = h('button', { type: 'button', class: 'btn' }, 'Edit schedule');
    const remove = h('button', { type: 'button', class: 'btn danger' }, 'Delete rotation');
    const facts = h('div', {});
    const drawFacts = () =>
      clear(
        facts,
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Status'), h('dd', { class: 'rotation-status' }, r.status),
          h('dt', {}, 'Name'), h('dd', { class: 'rotation-name' }, r.name, r.description ? h('span', { class: 'muted' }, ` — ${r.description}`) : null),
          h('dt', {}, 'Lifetime'), h('dd', { class: 'rotation-lifetime' }, `${r.lifetimeDays} days, rotated every ${r.intervalDays} days, ${r.keepPrevious} previous secret(s) kept`),
          h('dt', {}, 'Schedule'), h('dd', { class: 'rotation-schedule' }, r.isAutoRotationEnabled ? `Automatic, at ${clock(r.rotateAtUtc)} UTC` : 'Manual only: automatic rotation is off'),
          h('dt', {}, 'Current secret'), h('dd', { class: 'current-secret' }, r.current.keyId ? `${r.current.hint ?? ''}… (${r.current.keyId}), expires ${r.current.expiresAt ? isoDate(Number(r.current.expiresAt)) : 'never'}` : 'none yet'),
          h('dt', {}, 'Next rotation'), h('dd', {}, r.nextRotationAt ? isoDate(r.nextRotationAt) : '—'),
        ),
        r.lastError ? h('p', { class: 'row-error' }, r.lastError.message, r.lastError.hint ? ` ${r.lastError.hint}` : '') : null,
      );
    drawFacts();
    const card = h(
      'article',
      { class: 'card rotation', 'aria-label': `Rotation of ${appName(r)}`, 'data-app-id': r.target?.appId },
      h('h4', {}, appName(r), ' ', h('code', { class: 'small' }, r.target?.appId ?? '')),
      facts,
      h('div', { class: 'actions left' }, rotate, edit, remove),
      progress,
      result,
      h('h5', {}, "The app's secrets"),
      timeline,
    );
    // A failure to read the app list again shows instead of secrets that may be gone.
    const drawTimeline = (failure?: unknown) => {
      if (failure !== undefined) {
        clear(timeline, errorBox(failure));
        return;
      }
      const app = clients.find((a) => a.appId === r.target?.appId);
      clear(timeline, app ? secretsTimeline(app.passwordCredentials ?? [], r.current.keyId) : h('p', { class: 'muted' }, 'Not in the loaded app list.'));
    };
    drawTimeline();
    timelines.set(card, drawTimeline);
    edit.addEventListener('click', () =>
      openEditRotation(r, (next) => {
        r = next;
        drawFacts();
      }),
    );
    remove.addEventListener('click', () =>
      openDeleteRotation(r, (d) => {
        card.remove();
        clear(
          notice,
          h(
            'div',
            { class: 'alert success', role: 'status' },
            `Rotation of ${appName(d.rotation)} deleted. `,
            d.revoked.length
              ? h('span', { class: 'revoked' }, `Revoked in Entra ID: ${d.revoked.join(', ')}.`)
              : d.secrets === 'keep'
                ? 'The secrets it created stay in Entra ID until they expire.'
                : 'It had created no secret to revoke.',
          ),
        );
        if (!list.querySelector('article')) clear(list, h('p', { class: 'muted' }, 'No rotation yet: pick an app registration below.'));
        if (d.secrets === 'keep') void drawLeftovers();
      }),
    );
    rotate.addEventListener('click', async () => {
      rotate.disabled = true;
      rotate.textContent = 'Rotating…';
      result.replaceChildren();
      const seen = new Set<string>();
      drawSteps(progress, seen, null);
      let polling = true;
      const poll = async () => {
        while (polling) {
          try {
            const cur = (await api.rotation(r.id)).rotation;
            if (polling && cur.step) {
              seen.add(cur.step);
              drawSteps(progress, seen, cur.step);
            }
          } catch {
            /* the final answer reports */
          }
          await new Promise((res) => setTimeout(res, 300));
        }
      };
      void poll();
      let out: RotateResult;
      try {
        out = await api.rotate(r.id);
      } catch (e) {
        polling = false;
        drawSteps(progress, seen, null, true);
        clear(result, errorBox(e));
        r = (await api.rotation(r.id).catch(() => ({ rotation: r }))).rotation;
        drawFacts();
        rotate.disabled = false;
        rotate.textContent = 'Rotate now';
        return;
      }
      polling = false;
      // The card's facts and the app's secrets are current before the outcome shows, so what
      // the outcome names (the new key, the current secret) is on the card when it appears.
      if (out.rotation) r = out.rotation;
      await appSecretsChanged(r.target?.appId);
      drawFacts();
      for (const s of out.steps ?? []) seen.add(s.step);
      drawSteps(progress, seen, null, false, out.secret ? 'done' : 'waiting');
      if (out.secret) {
        const value = out.secret.value;
        const field = h('input', { type: 'text', readonly: true, value, id: uid('new-secret'), class: 'secret-value', 'aria-label': 'New client secret value' });
        const dismiss = h('button', { type: 'button', class: 'btn small' }, 'I have stored it');
        dismiss.addEventListener('click', () => clear(result, h('p', { class: 'muted' }, 'The secret value is no longer shown.')));
        clear(
          result,
          h('div', { class: 'alert success', role: 'status' }, h('strong', {}, 'New secret created. '), 'Copy it now: it is shown only once.'),
          h('div', { class: 'copy-row' }, field, copyButton(() => value, 'Copy secret'), dismiss),
          h('p', { class: 'muted small' }, `Key ID ${out.secret.keyId}${out.secret.expiresAt ? `, expires ${isoDate(out.secret.expiresAt)}` : ''}. ${out.removed?.length ? `Removed ${out.removed.length} old secret(s).` : ''}`),
        );
        announce('Rotation complete. The new secret is shown once.');
      } else {
        clear(result, h('div', { class: 'alert', role: 'status' }, `Azure has not accepted the new secret yet (status: ${out.rotation?.status ?? 'unknown'}). Rotate now again to resume; nothing is lost.`));
      }
      rotate.disabled = false;
      rotate.textContent = 'Rotate now';
    });
    return card;
  };

  const drawSetup = () => {
    const searchId = uid('app-search');
    const search = h('input', { type: 'search', id: searchId, placeholder: 'Filter by name or app ID' });
    const listbox = h('div', { class: 'app-list', role: 'radiogroup', 'aria-label': 'App registrations' });
    const more = h('button', { type: 'button', class: 'btn small' }, 'Load more');
    const lifetime = h('input', { type: 'number', id: 'lifetime', min: 1, max: 730, value: 90, required: true });
    const interval = h('input', { type: 'number', id: 'interval', min: 1, max: 730, value: 30, required: true });
    const auto = h('input', { type: 'checkbox', id: 'auto-rotation', checked: true });
    const at = h('input', { type: 'time', id: 'rotate-at', value: '00:00', step: 60, required: true });
    auto.addEventListener('change', () => (at.disabled = !auto.checked));
    const err = h('div', { class: 'form-error', 'aria-live': 'polite' });
    const create = h('button', { type: 'submit', class: 'btn primary' }, 'Create rotation');
    let selected: string | null = null;
    const drawApps = () => {
      const q = search.value.trim().toLowerCase();
      const shown = clients.filter((a) => !q || (a.displayName ?? '').toLowerCase().includes(q) || a.appId.includes(q));
      clear(
        listbox,
        shown.length === 0 ? h('p', { class: 'muted' }, 'No app registration matches.') : null,
        shown.map((a) => {
          const rid = uid('app');
          const radio = h('input', { type: 'radio', name: 'app', id: rid, value: a.appId, checked: a.appId === selected });
          radio.addEventListener('change', () => (selected = a.appId));
          const secrets = a.passwordCredentials ?? [];
          const expiring = secrets.filter((p) => p.endsAt !== null && p.endsAt * 1000 - Date.now() < 30 * 86400_000).length;
          return h(
            'div',
            { class: 'app' },
            radio,
            h('label', { for: rid }, h('strong', {}, a.displayName ?? a.appId), h('code', { class: 'small' }, a.appId), h('span', { class: 'muted small' }, `${secrets.length} secret(s)${expiring ? `, ${expiring} expiring within 30 days` : ''}`)),
          );
        }),
      );
      more.hidden = !next;
    };
    search.addEventListener('input', drawApps);
    more.addEventListener('click', async () => {
      more.disabled = true;
      try {
        await loadClients(true);
      } catch (e) {
        clear(err, errorBox(e));
      }
      more.disabled = false;
      drawApps();
    });
    const form = h(
      'form',
      { novalidate: true },
      h('h3', {}, 'Set up a rotation'),
      h('label', { for: searchId }, 'App registration'),
      search,
      listbox,
      more,
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'lifetime' }, 'Secret lifetime (days)'), lifetime, h('p', { class: 'help' }, 'How long each new secret is valid in Entra ID.')),
        h('div', { class: 'field' }, h('label', { for: 'interval' }, 'Rotate every (days)'), interval, h('p', { class: 'help' }, 'More than a day shorter than the lifetime, so a secret never expires in use.')),
      ),
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'auto-rotation' }, auto, ' Rotate automatically'), h('p', { class: 'help' }, 'Off: only "Rotate now" rotates.')),
        h('div', { class: 'field' }, h('label', { for: 'rotate-at' }, 'At (UTC)'), at, h('p', { class: 'help' }, 'A scheduled rotation waits for this time of day once the interval has passed.')),
      ),
      err,
      h('div', { class: 'actions left' }, create),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.replaceChildren();
      if (!selected) {
        clear(err, h('p', { role: 'alert', class: 'field-error' }, 'Pick the app registration whose secret rotates.'));
        search.focus();
        return;
      }
      const lt = Number(lifetime.value);
      const iv = Number(interval.value);
      if (!Number.isInteger(lt) || !Number.isInteger(iv) || lt < 1 || iv < 1) {
        clear(err, h('p', { role: 'alert', class: 'field-error' }, 'Lifetime and interval are whole numbers of days.'));
        return;
      }
      if (iv + 1 >= lt) {
        clear(err, h('p', { role: 'alert', class: 'field-error' }, 'Rotate more often than the lifetime (by more than a day), or the secret expires before it is replaced.'));
        interval.focus();
        return;
      }
      const time = /^(\d{2}):(\d{2})$/.exec(at.value);
      if (!time) {
        clear(err, h('p', { role: 'alert', class: 'field-error' }, 'Give the time of day as hours and minutes (UTC).'));
        at.focus();
        return;
      }
      create.disabled = true;
      try {
        await api.createRotation({
          connectionId: c.id,
          appId: selected,
          lifetimeDays: lt,
          intervalDays: iv,
          isAutoRotationEnabled: auto.checked,
          rotateAtUtc: { hours: Number(time[1]), minutes: Number(time[2]) },
        });
        announce('Rotation created');
        await drawList();
      } catch (e2) {
        clear(err, errorBox(e2));
      }
      create.disabled = false;
    });
    clear(setup, form);
    drawApps();
  };

  try {
    await loadClients();
  } catch (e) {
    setup.append(errorBox(e));
  }
  await Promise.all([drawList(), drawLeftovers()]);
  if (!setup.firstChild) drawSetup();
}

/** The server's field errors of a failed save, or the failure itself when it names no field. */
function errorsOf(e: unknown): ApiErrorObject[] {
  return e instanceof ApiFailure ? (e.errors.length ? e.errors : [e.error]) : [];
}

/** A write refused because the record changed since it was read (the `version` check). */
function isStale(e: unknown): boolean {
  return e instanceof ApiFailure && e.status === 409 && e.error.field === 'version';
}

/** A whole number typed into `f`, or null with the field's error shown. */
function wholeNumber(f: Field, what: string): number | null {
  const v = f.input.value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  f.error.textContent = `Give ${what} as a whole number.`;
  f.input.setAttribute('aria-invalid', 'true');
  return null;
}

/**
 * The save of a settings dialog: sends the changes at the version read; a field error shows on
 * its field; a stale version reloads the record into the form and says why.
 */
async function saveSettings<T extends { version: number }>(opts: {
  fields: Record<string, Field>;
  err: HTMLElement;
  submit: HTMLButtonElement;
  send: () => Promise<T>;
  reload: () => Promise<T>;
  what: string;
  saved: (t: T) => void;
  refill: (t: T) => void;
}): Promise<boolean> {
  opts.submit.disabled = true;
  try {
    opts.saved(await opts.send());
    return true;
  } catch (e) {
    if (isStale(e)) {
      const fresh = await opts.reload().catch(() => null);
      if (fresh) {
        opts.refill(fresh);
        opts.saved(fresh);
      }
      showFieldErrors(opts.fields, []);
      clear(
        opts.err,
        h(
          'div',
          { class: 'alert error stale', role: 'alert' },
          h('strong', {}, `Someone else changed this ${opts.what} since you opened it`),
          h('p', {}, fresh ? 'The form now shows its current settings: make your change again.' : 'Reload the page to see its current settings.'),
        ),
      );
      return false;
    }
    const rest = showFieldErrors(opts.fields, errorsOf(e));
    if (rest.length || !(e instanceof ApiFailure)) clear(opts.err, errorBox(e));
    return false;
  } finally {
    opts.submit.disabled = false;
  }
}

/** "Edit schedule": the rotation's settings, saved at the version read. */
function openEditRotation(r: Rotation, saved: (r: Rotation) => void): void {
  const m = openModal(`Edit the schedule of ${appName(r)}`);
  let read = r;
  const at = h('input', { type: 'time', step: 60 });
  const auto = h('input', { type: 'checkbox' });
  const fields = {
    name: field('Name', h('input', { type: 'text', autocomplete: 'off' })),
    description: field('Description (optional)', h('input', { type: 'text', autocomplete: 'off' })),
    intervalDays: field('Rotate every (days)', h('input', { type: 'number', min: 1, max: 730 }), 'More than a day shorter than the lifetime, so a secret never expires in use.'),
    lifetimeDays: field('Secret lifetime (days)', h('input', { type: 'number', min: 1, max: 730 }), 'How long each new secret is valid in Entra ID.'),
    keepPrevious: field('Previous secrets kept', h('input', { type: 'number', min: 0, max: 10 }), 'How many replaced secrets stay valid after a rotation (0 to 10).'),
    isAutoRotationEnabled: field('Rotate automatically', auto, 'Off: only "Rotate now" rotates.'),
    rotateAtUtc: field('At (UTC)', at, 'A scheduled rotation waits for this time of day once the interval has passed.'),
  };
  auto.addEventListener('change', () => (at.disabled = !auto.checked));
  const fill = (x: Rotation) => {
    read = x;
    fields.name.input.value = x.name;
    fields.description.input.value = x.description ?? '';
    fields.intervalDays.input.value = String(x.intervalDays);
    fields.lifetimeDays.input.value = String(x.lifetimeDays);
    fields.keepPrevious.input.value = String(x.keepPrevious);
    auto.checked = x.isAutoRotationEnabled;
    at.value = clock(x.rotateAtUtc);
    at.disabled = !auto.checked;
  };
  fill(r);
  const err = h('div', { class: 'form-error', 'aria-live': 'polite' });
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Save schedule');
  cancel.addEventListener('click', () => m.close());
  const form = h(
    'form',
    { novalidate: true },
    fields.name.row,
    fields.description.row,
    h('div', { class: 'row' }, fields.intervalDays.row, fields.lifetimeDays.row),
    fields.keepPrevious.row,
    h('div', { class: 'row' }, fields.isAutoRotationEnabled.row, fields.rotateAtUtc.row),
    err,
    h('div', { class: 'actions' }, cancel, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.replaceChildren();
    showFieldErrors(fields, []);
    const interval = wholeNumber(fields.intervalDays, 'the interval in days');
    const lifetime = wholeNumber(fields.lifetimeDays, 'the lifetime in days');
    const keep = wholeNumber(fields.keepPrevious, 'the number of previous secrets');
    const time = /^(\d{2}):(\d{2})$/.exec(at.value);
    if (!time) {
      fields.rotateAtUtc.error.textContent = 'Give the time of day as hours and minutes (UTC).';
      at.setAttribute('aria-invalid', 'true');
    }
    if (interval === null || lifetime === null || keep === null || !time) {
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    // Only what changed: an untouched schedule keeps its next run.
    const patch: RotationPatch = { version: read.version };
    const name = fields.name.input.value.trim();
    const description = fields.description.input.value.trim();
    const rotateAtUtc = { hours: Number(time[1]), minutes: Number(time[2]) };
    if (name !== read.name) patch.name = name;
    if (description !== (read.description ?? '')) patch.description = description;
    if (interval !== read.intervalDays) patch.intervalDays = interval;
    if (lifetime !== read.lifetimeDays) patch.lifetimeDays = lifetime;
    if (keep !== read.keepPrevious) patch.keepPrevious = keep;
    if (auto.checked !== read.isAutoRotationEnabled) patch.isAutoRotationEnabled = auto.checked;
    if (auto.checked && clock(rotateAtUtc) !== clock(read.rotateAtUtc)) patch.rotateAtUtc = rotateAtUtc;
    if (Object.keys(patch).length === 1) {
      m.close();
      return;
    }
    const ok = await saveSettings({
      fields,
      err,
      submit,
      what: 'rotation',
      send: async () => (await api.updateRotation(read.id, patch)).rotation,
      reload: async () => (await api.rotation(read.id)).rotation,
      saved,
      refill: fill,
    });
    if (ok) {
      announce('Schedule saved');
      m.close();
    }
  });
  m.body.append(form);
}

/** A delete that asks first for an explicit choice of what happens to what it made in Azure:
 * the intro, the choice and the button; a refusal stays in the dialog, the outcome is announced. */
function choiceDialog<C extends string, R>(o: {
  title: string;
  intro: string;
  legend: string;
  choices: [C, string][];
  confirm: string;
  send: (choice: C) => Promise<R>;
  outcome: (r: R) => string;
  done: (r: R) => void | Promise<void>;
}): void {
  const m = openModal(o.title);
  const choice = choiceFieldset(o.legend, o.choices);
  const err = h('div', { class: 'form-error', 'aria-live': 'polite' });
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const ok = h('button', { type: 'button', class: 'btn danger' }, o.confirm);
  cancel.addEventListener('click', () => m.close());
  ok.addEventListener('click', async () => {
    ok.disabled = true;
    err.replaceChildren();
    try {
      const r = await o.send(choice.value());
      m.close();
      announce(o.outcome(r));
      await o.done(r);
    } catch (e) {
      clear(err, errorBox(e));
      ok.disabled = false;
    }
  });
  m.body.append(h('p', {}, o.intro), choice.el, err, h('div', { class: 'actions' }, cancel, ok));
  queueMicrotask(() => cancel.focus());
}

/** "Delete rotation": with the explicit choice of what happens to the secrets it created. */
function openDeleteRotation(r: Rotation, deleted: (d: RotationDeleted) => void): void {
  choiceDialog({
    title: `Delete the rotation of ${appName(r)}?`,
    intro: 'azconn stops rotating this app’s client secret and forgets the rotation. Secrets it did not create are never touched.',
    legend: 'The client secrets this rotation created',
    choices: SECRETS_CHOICES,
    confirm: 'Delete rotation',
    send: (secrets) => api.deleteRotation(r.id, secrets),
    outcome: (d) => (d.revoked.length ? `Rotation deleted, ${d.revoked.length} secret(s) revoked` : 'Rotation deleted'),
    done: deleted,
  });
}

/** "Remove…" of a leftover: with the explicit choice of revoking what it left or only forgetting it. */
function openRemoveLeftover(l: Leftover, removed: (d: LeftoverDeleted) => Promise<void>): void {
  choiceDialog({
    title: `Remove the record of the deleted rotation ${l.name}?`,
    intro: `azconn forgets that the rotation ${l.name} of ${appName(l)} left secrets behind. Secrets it did not create are never touched.`,
    legend: 'The client secrets it left on the app',
    choices: LEFTOVER_CHOICES,
    confirm: 'Remove',
    send: (secrets) => api.deleteLeftover(l.id, secrets),
    outcome: (d) => (d.revoked.length ? `Record removed, ${d.revoked.length} secret(s) revoked` : 'Record removed'),
    done: removed,
  });
}

/** The secrets a deleted rotation left that the app still has: key id, hint, expiry. */
function leftoverSecrets(secrets: LeftoverSecret[]): Node {
  if (secrets.length === 0) return h('p', { class: 'muted' }, 'None of its secrets is still on the app.');
  return h(
    'table',
    { class: 'secrets-table' },
    h('caption', { class: 'sr-only' }, 'Secrets still on the app'),
    h('thead', {}, h('tr', {}, ['Key ID', 'Hint', 'Expires'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      secrets.map((s) =>
        h('tr', {}, h('td', { class: 'key-id' }, h('code', {}, s.keyId)), h('td', {}, h('code', {}, `${s.hint ?? ''}…`)), h('td', {}, s.expiresAt === null ? 'never' : isoDate(s.expiresAt))),
      ),
    ),
  );
}

function drawSteps(ol: HTMLElement, seen: Set<string>, current: string | null, failed = false, final?: 'done' | 'waiting'): void {
  const lastSeenIndex = Math.max(-1, ...STEPS.map(([names], i) => (names.some((n) => seen.has(n)) ? i : -1)));
  clear(
    ol,
    STEPS.map(([names, label], i) => {
      const isCurrent = current !== null && names.includes(current);
      let state: string;
      if (final === 'done') state = names.some((n) => seen.has(n)) || i < lastSeenIndex ? 'done' : 'skipped';
      else if (isCurrent) state = failed ? 'failed' : 'current';
      else if (i < lastSeenIndex) state = 'done';
      else if (i === lastSeenIndex) state = failed ? 'failed' : final === 'waiting' ? 'current' : 'current';
      else state = 'pending';
      const mark = { done: '✓', current: '…', failed: '✗', pending: '○', skipped: '–' }[state];
      return h('li', { class: `step ${state}`, 'aria-current': state === 'current' ? 'step' : null }, h('span', { class: 'mark', 'aria-hidden': 'true' }, mark ?? ''), label, h('span', { class: 'sr-only' }, ` (${state})`));
    }),
  );
}

/** The app's secrets as bars from start to end on one time axis; expiring ones stand out. */
function secretsTimeline(creds: PasswordCredential[], currentKeyId: string | null): Node {
  if (creds.length === 0) return h('p', { class: 'muted' }, 'This app has no client secrets.');
  const now = Date.now();
  const time = (s: number | null, d: number) => (s === null ? d : s * 1000);
  const start = Math.min(now, ...creds.map((p) => time(p.startsAt, now)));
  const end = Math.max(now + 86400_000, ...creds.map((p) => time(p.endsAt, now)));
  const W = 640;
  const rowH = 28;
  const left = 170;
  const x = (t: number) => left + ((t - start) / (end - start)) * (W - left - 10);
  const sorted = [...creds].sort((a, b) => time(a.endsAt, Infinity) - time(b.endsAt, Infinity));
  const H = sorted.length * rowH + 30;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'timeline-svg', role: 'img', 'aria-label': `Client secrets of the app by expiry, ${sorted.length} secrets` });
  sorted.forEach((p, i) => {
    const y = i * rowH + 6;
    const s = time(p.startsAt, start);
    const e = time(p.endsAt, end);
    const days = Math.floor((e - now) / 86400_000);
    const cls = e < now ? 'expired' : days < 30 ? 'expiring' : 'ok';
    const name = `${p.displayName ?? 'secret'}${p.keyId === currentKeyId ? ' (current)' : ''}`;
    chart.append(
      svg('text', { x: 0, y: y + 14, class: 'tl-label' }, name.length > 26 ? `${name.slice(0, 25)}…` : name),
      svg('rect', { x: x(s), y, width: Math.max(2, x(e) - x(s)), height: 18, rx: 3, class: `tl-bar ${cls}` }, svg('title', {}, `${name}: ${p.hint ?? ''}… expires ${p.endsAt === null ? 'never' : isoDate(p.endsAt)}`)),
    );
  });
  chart.append(
    svg('line', { x1: x(now), x2: x(now), y1: 0, y2: H - 20, class: 'tl-now' }),
    svg('text', { x: x(now) + 3, y: H - 6, class: 'tl-axis' }, 'now'),
    svg('text', { x: W - 10, y: H - 6, class: 'tl-axis', 'text-anchor': 'end' }, new Date(end).toISOString().slice(0, 10)),
  );
  const table = h(
    'table',
    { class: 'secrets-table' },
    h('caption', { class: 'sr-only' }, 'Client secrets'),
    h('thead', {}, h('tr', {}, ['Secret', 'Hint', 'Expires', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      sorted.map((p) => {
        if (p.endsAt === null) {
          return h('tr', {}, h('td', {}, p.displayName ?? '—', p.keyId === currentKeyId ? ' (current)' : ''), h('td', {}, h('code', {}, `${p.hint ?? ''}…`)), h('td', {}, 'never'), h('td', {}, 'does not expire'));
        }
        const e = p.endsAt * 1000;
        const days = Math.floor((e - now) / 86400_000);
        return h(
          'tr',
          { class: e < now ? 'expired' : days < 30 ? 'expiring' : '' },
          h('td', {}, p.displayName ?? '—', p.keyId === currentKeyId ? ' (current)' : ''),
          h('td', {}, h('code', {}, `${p.hint ?? ''}…`)),
          h('td', {}, isoDate(p.endsAt).slice(0, 10)),
          h('td', {}, e < now ? 'expired' : days < 30 ? `expires in ${days} days` : `${days} days left`),
        );
      }),
    ),
  );
  return h('div', {}, chart, table);
}

// ---------------------------------------------------------------- sync

const MODES: [SyncMode, string][] = [
  ['overwrite', 'Overwrite: the store matches your secrets; keys azconn manages that you removed are deleted.'],
  ['importPreferSource', 'Import, prefer source: write yours; keys only in the store are imported back.'],
  ['importPreferDestination', 'Import, prefer destination: the store wins on conflicts; nothing is overwritten.'],
];

async function renderSyncs(root: HTMLElement, c: Connection): Promise<void> {
  const notice = h('div', { class: 'notice', 'aria-live': 'polite' });
  const list = h('div', { class: 'syncs' });
  const setup = h('section', { class: 'card' });
  root.append(h('h3', {}, 'Secret sync to App Configuration'), notice, list, setup);

  const drawList = async () => {
    let syncs: Sync[];
    try {
      syncs = (await api.syncs()).syncs.filter((s) => s.connectionId === c.id);
    } catch (e) {
      clear(list, errorBox(e));
      return;
    }
    clear(list, syncs.length === 0 ? h('p', { class: 'muted' }, 'No sync yet: set one up below.') : syncs.map(syncCard));
  };

  const syncCard = (s: Sync) => {
    const areaId = uid('secrets');
    const area = h('textarea', { id: areaId, rows: 6, spellcheck: 'false', autocomplete: 'off', placeholder: 'DATABASE_URL=postgres://…\nAPI_KEY=…\n\nor {"DATABASE_URL": "…"}' });
    const file = h('input', { type: 'file', accept: '.json,.env,text/plain', id: uid('secrets-file') });
    const parsedInfo = h('p', { class: 'help', 'aria-live': 'polite' });
    const preview = h('div', { class: 'plan', 'aria-live': 'polite' });
    const previewBtn = h('button', { type: 'button', class: 'btn' }, 'Preview plan');
    const apply = h('button', { type: 'button', class: 'btn primary', disabled: true }, 'Apply');
    const result = h('div', { class: 'sync-result', 'aria-live': 'polite' });
    const edit = h('button', { type: 'button', class: 'btn' }, 'Edit sync');
    const remove = h('button', { type: 'button', class: 'btn danger' }, 'Delete sync');
    const head = h('div', {});
    const drawHead = () =>
      clear(
        head,
        h('h4', {}, keyShape(s), s.label ? ` · label ${s.label}` : ' · no label'),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Name'), h('dd', { class: 'sync-name' }, s.name, s.description ? h('span', { class: 'muted' }, ` — ${s.description}`) : null),
          h('dt', {}, 'Store'), h('dd', {}, h('code', {}, s.endpoint)),
          h('dt', {}, 'Mode'), h('dd', { class: 'sync-mode' }, s.mode),
          h('dt', {}, 'Deletes'), h('dd', { class: 'sync-deletes' }, s.disableSecretDeletion ? 'Never: keys you remove stay in the store' : 'Keys it manages that you remove are deleted'),
        ),
      );
    drawHead();
    let planned: Record<string, string> | null = null;
    let choices: () => SyncRunChoices | null = () => null;
    const current = () => parseSecrets(area.value);
    // A plan was made for the settings it saw: a change of them or of the secrets drops it.
    const onChange = () => {
      planned = null;
      choices = () => null;
      apply.disabled = true;
      preview.replaceChildren();
      const p = current();
      parsedInfo.textContent = p.ok ? `${Object.keys(p.secrets).length} secret(s) read. Values stay in this page until you apply.` : area.value.trim() ? p.error : '';
    };
    area.addEventListener('input', onChange);
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      area.value = await f.text();
      onChange();
    });
    previewBtn.addEventListener('click', async () => {
      const p = current();
      if (!p.ok) {
        parsedInfo.textContent = p.error;
        area.focus();
        return;
      }
      // The previous plan goes at once: its choices must not be taken for the new one's.
      planned = null;
      choices = () => null;
      apply.disabled = true;
      preview.replaceChildren();
      previewBtn.disabled = true;
      previewBtn.textContent = 'Reading the store…';
      try {
        const r = await api.previewSync(s.id, p.secrets);
        planned = p.secrets;
        choices = drawPlan(preview, r.preview, () => {
          apply.disabled = choices() === null;
        });
        apply.disabled = choices() === null;
        if (!apply.disabled) apply.focus();
      } catch (e) {
        clear(preview, errorBox(e));
      }
      previewBtn.disabled = false;
      previewBtn.textContent = 'Preview plan';
    });
    apply.addEventListener('click', async () => {
      const chosen = choices();
      if (!planned || !chosen) return;
      apply.disabled = true;
      apply.textContent = 'Applying…';
      try {
        const r = await api.runSync(s.id, planned, chosen);
        drawRun(result, r.sync);
        announce('Sync applied');
      } catch (e) {
        clear(result, errorBox(e));
      }
      apply.textContent = 'Apply';
      planned = null;
      choices = () => null;
    });
    edit.addEventListener('click', () =>
      openEditSync(s, (next) => {
        s = next;
        drawHead();
        card.setAttribute('aria-label', `Sync ${s.name}`);
        onChange();
      }),
    );
    remove.addEventListener('click', () =>
      openDeleteSync(s, (d) => {
        card.remove();
        clear(
          notice,
          h(
            'div',
            { class: 'alert success', role: 'status' },
            `Sync ${d.sync.name} deleted. `,
            d.removed.length
              ? h('span', { class: 'removed' }, `Removed from the store: ${d.removed.join(', ')}.`)
              : d.keys === 'keep'
                ? 'The keys it wrote stay in the store.'
                : 'It owned no key to remove.',
            d.skipped.length ? h('p', { class: 'muted' }, `Left alone: ${d.skipped.map((k) => `${k.key} (${k.reason})`).join(', ')}`) : null,
          ),
        );
        if (!list.querySelector('article')) clear(list, h('p', { class: 'muted' }, 'No sync yet: set one up below.'));
      }),
    );
    const card = h(
      'article',
      { class: 'card sync', 'aria-label': `Sync ${s.name}` },
      head,
      h('div', { class: 'actions left' }, edit, remove),
      h('label', { for: areaId }, 'Secrets (JSON object or NAME=value lines)'),
      area,
      h('label', { class: 'file-label', for: file.id }, 'Or choose a .json / .env file', file),
      parsedInfo,
      h('div', { class: 'actions left' }, previewBtn, apply),
      preview,
      result,
    );
    if (s.lastRun) drawRun(result, s);
    return card;
  };

  const drawSetup = () => {
    const endpoint = h('input', { id: 'sync-endpoint', type: 'text', value: c.endpoint ?? '', placeholder: 'https://mystore.azconfig.io' });
    const label = h('input', { id: 'sync-label', type: 'text', placeholder: 'e.g. production' });
    const prefix = h('input', { id: 'sync-prefix', type: 'text', placeholder: 'e.g. myapp/ or myapp/{{secretKey}}/v1' });
    const mode = h('fieldset', { class: 'methods' }, h('legend', {}, 'Mode'), MODES.map(([v, line], i) => {
      const id = `mode-${v}`;
      return h('div', { class: 'method' }, h('input', { type: 'radio', name: 'mode', id, value: v, checked: i === 0 }), h('label', { for: id }, line));
    }));
    const err = h('div', { class: 'form-error', 'aria-live': 'polite' });
    const create = h('button', { type: 'submit', class: 'btn primary' }, 'Create sync');
    const form = h(
      'form',
      { novalidate: true },
      h('h3', {}, 'Set up a sync'),
      h('div', { class: 'field' }, h('label', { for: 'sync-endpoint' }, 'Store endpoint'), endpoint, h('p', { class: 'help' }, "Defaults to the connection's store.")),
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'sync-label' }, 'Label (optional)'), label, h('p', { class: 'help' }, 'Keys are written with this label; blank is the null label.')),
        h('div', { class: 'field' }, h('label', { for: 'sync-prefix' }, 'Key prefix or schema (optional)'), prefix, h('p', { class: 'help' }, 'Prepended to every key, or a schema with {{secretKey}} where each name goes; only keys of that shape are managed.')),
      ),
      mode,
      err,
      h('div', { class: 'actions left' }, create),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.replaceChildren();
      create.disabled = true;
      try {
        const checked = form.querySelector<HTMLInputElement>('input[name=mode]:checked')?.value;
        const m = MODES.find(([v]) => v === checked)?.[0] ?? 'overwrite';
        const shape = prefix.value.includes('{{') ? { keySchema: prefix.value } : { keyPrefix: prefix.value };
        await api.createSync({ connectionId: c.id, endpoint: endpoint.value.trim(), label: label.value.trim(), ...shape, mode: m });
        announce('Sync created');
        await drawList();
      } catch (e2) {
        clear(err, errorBox(e2));
      }
      create.disabled = false;
    });
    clear(setup, form);
  };

  await drawList();
  drawSetup();
}

/** A sync's key shape as one text: its prefix, or its whole schema when it has a suffix. */
function shapeText(s: Sync): string {
  return s.keySchema === `${s.keyPrefix}{{secretKey}}` ? s.keyPrefix : s.keySchema;
}

/** "Edit sync": its settings, saved at the version read. */
function openEditSync(s: Sync, saved: (s: Sync) => void): void {
  const m = openModal(`Edit the sync ${s.name}`);
  let read = s;
  const shape = field('Key prefix or schema', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), 'Prepended to every key, or a schema with {{secretKey}} where each name goes; only keys of that shape are managed.');
  const fields: Record<string, Field> = {
    name: field('Name', h('input', { type: 'text', autocomplete: 'off' })),
    description: field('Description (optional)', h('input', { type: 'text', autocomplete: 'off' })),
    label: field('Label (optional)', h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }), 'Keys are written with this label; blank is the null label.'),
    keyPrefix: shape,
    keySchema: shape,
    disableSecretDeletion: field('Never delete keys from the store', h('input', { type: 'checkbox' }), 'On: a run writes and updates, and keys you remove from your secrets stay in the store.'),
  };
  const modeName = uid('mode');
  const modes = MODES.map(([v, line]) => ({ v, radio: h('input', { type: 'radio', name: modeName, id: `${modeName}-${v}`, value: v }), line }));
  const fill = (x: Sync) => {
    read = x;
    fields.name!.input.value = x.name;
    fields.description!.input.value = x.description ?? '';
    fields.label!.input.value = x.label ?? '';
    shape.input.value = shapeText(x);
    fields.disableSecretDeletion!.input.checked = x.disableSecretDeletion;
    for (const { v, radio } of modes) radio.checked = v === x.mode;
  };
  fill(s);
  const err = h('div', { class: 'form-error', 'aria-live': 'polite' });
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Save sync');
  cancel.addEventListener('click', () => m.close());
  const form = h(
    'form',
    { novalidate: true },
    fields.name!.row,
    fields.description!.row,
    h('div', { class: 'row' }, fields.label!.row, shape.row),
    h('fieldset', { class: 'methods' }, h('legend', {}, 'Mode'), modes.map(({ radio, line }) => h('div', { class: 'method' }, radio, h('label', { for: radio.id }, line)))),
    fields.disableSecretDeletion!.row,
    err,
    h('div', { class: 'actions' }, cancel, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.replaceChildren();
    showFieldErrors(fields, []);
    // Only what changed; a new key shape is sent whole (a prefix alone would keep a suffix).
    const patch: SyncPatch = { version: read.version };
    const name = fields.name!.input.value.trim();
    const description = fields.description!.input.value.trim();
    const label = fields.label!.input.value.trim();
    const keys = shape.input.value.trim();
    const mode = modes.find(({ radio }) => radio.checked)?.v ?? read.mode;
    const noDeletes = fields.disableSecretDeletion!.input.checked;
    if (name !== read.name) patch.name = name;
    if (description !== (read.description ?? '')) patch.description = description;
    if (label !== (read.label ?? '')) patch.label = label;
    if (keys !== shapeText(read)) patch.keySchema = keys.includes('{{') ? keys : `${keys}{{secretKey}}`;
    if (mode !== read.mode) patch.mode = mode;
    if (noDeletes !== read.disableSecretDeletion) patch.disableSecretDeletion = noDeletes;
    if (Object.keys(patch).length === 1) {
      m.close();
      return;
    }
    const ok = await saveSettings({
      fields,
      err,
      submit,
      what: 'sync',
      send: async () => (await api.updateSync(read.id, patch)).sync,
      reload: async () => (await api.sync(read.id)).sync,
      saved,
      refill: fill,
    });
    if (ok) {
      announce('Sync saved');
      m.close();
    }
  });
  m.body.append(form);
}

/** "Delete sync": with the explicit choice of what happens to the keys it owns. */
function openDeleteSync(s: Sync, deleted: (d: SyncDeleted) => void): void {
  choiceDialog({
    title: `Delete the sync ${s.name}?`,
    intro: 'azconn forgets the sync. Keys it does not own are never touched.',
    legend: 'The keys this sync owns in App Configuration',
    choices: KEYS_CHOICES,
    confirm: 'Delete sync',
    send: (keys) => api.deleteSync(s.id, keys),
    outcome: (d) => (d.removed.length ? `Sync deleted, ${d.removed.length} key(s) removed` : 'Sync deleted'),
    done: deleted,
  });
}

/** Why a conflicting key is left alone, in words. */
function conflictReason(c: SyncConflict): string {
  switch (c.reason) {
    case 'unmanaged':
      return 'exists in the store, not written by azconn';
    case 'unowned':
      return 'tagged by an older azconn, owned by no sync';
    case 'otherSync':
      return `owned by another sync (${c.owner ?? 'unknown'})`;
  }
}

/**
 * Draws the plan with a per-conflict "adopt" checkbox and, when the run deletes more than it
 * keeps, the confirmation the Worker requires. Returns the user's choices, or null while a
 * needed confirmation is unchecked; `onChange` fires on every toggle.
 */
/** A sync's keys as its card titles them: the prefix, or the whole schema when it has a suffix. */
function keyShape(s: Sync): string {
  if (s.keySchema !== `${s.keyPrefix}{{secretKey}}`) return `Key schema ${s.keySchema}`;
  return s.keyPrefix ? `Prefix ${s.keyPrefix}` : 'No prefix';
}

function drawPlan(el: HTMLElement, p: SyncPreview, onChange: () => void): () => SyncRunChoices | null {
  const group = (title: string, keys: string[], cls: string) =>
    h('div', { class: `plan-group ${cls}` }, h('h5', {}, `${title}: ${keys.length}`), keys.length ? h('ul', {}, keys.map((k) => h('li', {}, h('code', {}, k)))) : null);
  const adopts = p.conflicts.map((c) => {
    const box = h('input', { type: 'checkbox', id: uid('adopt'), value: c.key });
    box.addEventListener('change', onChange);
    return { c, box };
  });
  const confirm = p.confirmDeletes === null ? null : h('input', { type: 'checkbox', id: uid('confirm-deletes') });
  confirm?.addEventListener('change', onChange);
  clear(
    el,
    h('h4', {}, 'Plan (nothing written yet)'),
    h(
      'div',
      { class: 'plan-grid' },
      group('Create', p.create, 'create'),
      group('Update', p.update, 'update'),
      group('Delete', p.delete, 'delete'),
      group('Unchanged', p.unchanged, 'unchanged'),
    ),
    adopts.length
      ? h(
          'div',
          { class: 'plan-group conflicts' },
          h('h5', {}, `Conflicts: ${adopts.length}`),
          h('p', { class: 'help' }, 'These keys are not this sync\'s: they stay as they are unless you adopt them.'),
          h('ul', {}, adopts.map(({ c, box }) =>
            h('li', { class: 'conflict' }, h('code', {}, c.key), ` ${conflictReason(c)} `, box, h('label', { for: box.id }, `Adopt ${c.key}`)))),
        )
      : null,
    confirm
      ? h(
          'div',
          { class: 'alert error confirm-deletes' },
          confirm,
          h('label', { for: confirm.id }, `Yes, delete ${p.confirmDeletes} key(s) from the store`),
          h('p', { class: 'help' }, 'This run deletes more keys than it keeps.'),
        )
      : null,
    p.skipped.length ? h('p', { class: 'muted' }, `Left alone: ${p.skipped.map((s) => `${s.key} (${s.reason})`).join(', ')}`) : null,
    p.imported.length ? h('p', { class: 'muted' }, `Imported back from the store: ${p.imported.join(', ')}`) : null,
  );
  return () => {
    if (confirm && !confirm.checked) return null;
    return {
      adopt: adopts.filter(({ box }) => box.checked).map(({ c }) => c.key),
      confirmDeletes: confirm ? p.confirmDeletes : null,
      fingerprint: p.fingerprint,
    };
  };
}

/** `hh:mm` of a time of day. */
function clock(t: RotateAtUtc): string {
  return `${String(t.hours).padStart(2, '0')}:${String(t.minutes).padStart(2, '0')}`;
}

function drawRun(el: HTMLElement, s: Sync): void {
  const run = s.lastRun;
  if (!run) return;
  const result = run.result;
  const applied = result?.applied ?? [];
  const conflicts = result && 'conflicts' in result ? result.conflicts : [];
  const error = result && 'error' in result ? result.error : null;
  clear(
    el,
    h(
      'div',
      { class: `alert ${run.status === 'succeeded' ? 'success' : 'error'}`, role: 'status' },
      h('strong', {}, run.status === 'succeeded' ? 'Sync applied. ' : 'Sync failed. '),
      `${applied.length} change(s) written${run.finishedAt ? ` at ${isoDate(run.finishedAt)}` : ''}.`,
      error ? h('p', {}, error.message, error.hint ? ` ${error.hint}` : '') : null,
    ),
    applied.length ? h('ul', { class: 'applied' }, applied.map((a) => h('li', {}, `${a.op === 'delete' ? 'deleted' : 'written'} `, h('code', {}, a.key)))) : null,
    conflicts.length ? h('p', { class: 'muted conflicts-left' }, `Left alone (not adopted): ${conflicts.map((c) => `${c.key} (${conflictReason(c)})`).join(', ')}`) : null,
  );
}
