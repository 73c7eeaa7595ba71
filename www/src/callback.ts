// The OAuth callback page. Success never reaches the UI here: the Worker redirects to App
// Connections with ?created=<id>. A failure is rendered by the Worker into this shell (message,
// hint, and the typed error as JSON in #error); this view words it per error with a retry
// button. Nothing here waits on anything, so it cannot spin.
import { h, clear } from './dom';
import type { ApiErrorObject } from './api';

// Read before the router replaces the server-rendered content.
const embedded = document.getElementById('error')?.textContent ?? null;

function parse(): ApiErrorObject | null {
  if (!embedded) return null;
  try {
    const v = JSON.parse(embedded) as { error?: ApiErrorObject };
    return v.error ?? null;
  } catch {
    return null;
  }
}

/** What happened, in words, per error class (the message and hint follow verbatim). */
function headline(e: ApiErrorObject): string {
  const m = e.message;
  if (/AADSTS65004|declined|access_denied|consent/i.test(m)) return 'The sign-in was cancelled or consent was declined';
  if (/AADSTS50011|AADSTS500112|redirect/i.test(m)) return 'The redirect URI does not match the app registration';
  if (/AADSTS70008|AADSTS54005|expired/i.test(m)) return 'The sign-in expired before azconn could complete it';
  if (/single use|already completed/i.test(m)) return 'This sign-in was already used';
  if (/another browser/i.test(m)) return 'This sign-in was started in another browser';
  if (e.code === 'not-configured') return 'Azure OAuth is not configured on this deployment';
  if (e.code === 'conflict') return 'A connection with this name already exists';
  return 'Azure sign-in failed';
}

export function renderCallback(main: HTMLElement): void {
  const e = parse();
  // The address carries Entra's answer (a used code, the state): keep it out of history.
  if (location.search) history.replaceState(null, '', location.pathname);
  if (!e) {
    clear(
      main,
      h('h1', {}, 'Nothing to complete here'),
      h('p', {}, 'This address is where Azure sends you back after signing in. Start from App Connections.'),
      h('p', {}, h('a', { class: 'btn primary', href: '/organization/app-connections', 'data-link': true }, 'Go to App Connections')),
    );
    return;
  }
  const retry = h('a', { class: 'btn primary', id: 'retry', href: '/organization/app-connections?retry=oauth', 'data-link': true }, 'Try again');
  clear(
    main,
    h(
      'section',
      { class: 'card callback-error', 'aria-labelledby': 'callback-title' },
      h('p', { class: 'eyebrow' }, 'Azure sign-in failed'),
      h('h1', { id: 'callback-title' }, headline(e)),
      h('p', { class: 'message' }, e.message),
      e.hint ? h('p', { class: 'hint' }, h('strong', {}, 'What to do: '), e.hint) : null,
      h('p', { class: 'muted small' }, `Error code: ${e.code}${e.field ? ` (${e.field})` : ''}. Nothing was stored.`),
      h('div', { class: 'actions' }, h('a', { class: 'btn', href: '/organization/app-connections', 'data-link': true }, 'Back to App Connections'), retry),
    ),
  );
  queueMicrotask(() => retry.focus());
}
