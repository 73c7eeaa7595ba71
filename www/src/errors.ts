// How a failure reads in the page: as one line of text, or as the alert box that forms, dialogs
// and lists show it in (the server's message, and its hint when it gives one).
import { ApiFailure } from './api';
import { h } from './dom';

/** A thrown value as one line: its message and hint when it has them (the server's error
 * object, the core's errors), else the value itself. */
export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e) {
    const x = e as { message: string; hint?: string | null };
    return `${x.message}${x.hint ? ` — ${x.hint}` : ''}`;
  }
  return String(e);
}

/** The alert for a failure: an API error's message in bold with its hint below; anything else
 * as its text. */
export function errorBox(e: unknown): HTMLElement {
  if (e instanceof ApiFailure) {
    return h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, e.error.message), e.error.hint ? h('p', { class: 'hint' }, e.error.hint) : null);
  }
  return h('div', { class: 'alert error', role: 'alert' }, errorText(e));
}
