// A dialog's fields laid out as the connection form lays out its own (form.ts): label, input,
// help, and an error line beside the input, where the server's error naming that field shows.
import type { ApiErrorObject } from './api';
import { h, uid } from './dom';

export interface Field {
  row: HTMLElement;
  input: HTMLInputElement;
  error: HTMLElement;
}

export function field(label: string, input: HTMLInputElement, help?: string): Field {
  input.id ||= uid('field');
  const error = h('p', { class: 'field-error', id: `${input.id}-error` });
  const helpEl = help ? h('p', { class: 'help', id: `${input.id}-help` }, help) : null;
  input.setAttribute('aria-describedby', helpEl ? `${helpEl.id} ${error.id}` : error.id);
  // Typing again answers the error: it goes until the next submit says otherwise.
  input.addEventListener('input', () => {
    error.textContent = '';
    input.setAttribute('aria-invalid', 'false');
  });
  const row =
    input.type === 'checkbox'
      ? h('div', { class: 'field' }, h('label', { for: input.id }, input, ` ${label}`), helpEl, error)
      : h('div', { class: 'field' }, h('label', { for: input.id }, label), input, helpEl, error);
  return { row, input, error };
}

/**
 * Shows each error beside the field it names (`rotateAtUtc.hours` on `rotateAtUtc`; several
 * names may share one field), clears the other fields and focuses the first in error.
 * Answers the errors no field shows, for the dialog's own error box.
 */
export function showFieldErrors(fields: Record<string, Field>, errors: ApiErrorObject[]): ApiErrorObject[] {
  const shown = new Map<Field, ApiErrorObject>();
  const rest: ApiErrorObject[] = [];
  for (const e of errors) {
    const f = e.field ? fields[e.field.split('.')[0]!] : undefined;
    if (!f) rest.push(e);
    else if (!shown.has(f)) shown.set(f, e);
  }
  let first: HTMLInputElement | null = null;
  for (const f of new Set(Object.values(fields))) {
    const e = shown.get(f);
    f.error.textContent = e ? `${e.message}${e.hint ? ` — ${e.hint}` : ''}` : '';
    f.input.setAttribute('aria-invalid', e ? 'true' : 'false');
    if (e && !first) first = f.input;
  }
  first?.focus();
  return rest;
}
