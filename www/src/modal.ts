// An accessible modal dialog: role=dialog, aria-modal, labelled by its title; focus moves in,
// Tab cycles inside (focus trap), Escape closes, focus returns to the opener.
import { append, h, uid } from './dom';

export interface Modal {
  body: HTMLElement;
  close: () => void;
  setTitle: (t: string) => void;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function openModal(title: string, opts: { onClose?: () => void; wide?: boolean } = {}): Modal {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleEl = h('h2', { id: 'modal-title' }, title);
  const body = h('div', { class: 'modal-body' });
  const closeBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Close' }, '×');
  const dialog = h(
    'div',
    { class: `modal${opts.wide ? ' wide' : ''}`, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'modal-title' },
    h('header', { class: 'modal-head' }, titleEl, closeBtn),
    body,
  );
  const backdrop = h('div', { class: 'backdrop' }, dialog);
  const main = document.getElementById('app');
  main?.setAttribute('inert', '');
  const close = () => {
    backdrop.remove();
    main?.removeAttribute('inert');
    document.removeEventListener('keydown', onKey, true);
    opts.onClose?.();
    opener?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'Tab') {
      const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
      if (items.length === 0) return;
      const first = items[0]!;
      const last = items[items.length - 1]!;
      if (e.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
        e.preventDefault();
        first.focus();
      }
    }
  };
  closeBtn.addEventListener('click', close);
  backdrop.addEventListener('mousedown', (e) => {
    if (e.target === backdrop) close();
  });
  document.addEventListener('keydown', onKey, true);
  document.body.appendChild(backdrop);
  queueMicrotask(() => (dialog.querySelector<HTMLElement>(FOCUSABLE + ':not(.icon-btn)') ?? closeBtn).focus());
  return { body, close, setTitle: (t) => (titleEl.textContent = t) };
}

/** Focuses the first focusable element of the modal body (after re-rendering it). */
export function focusFirst(body: HTMLElement): void {
  body.querySelector<HTMLElement>(FOCUSABLE)?.focus();
}

/** A confirmation dialog; resolves true when confirmed. `extra` goes under the text (what else the
 * action affects, possibly still loading). */
export function confirmDialog(title: string, text: string, confirmLabel: string, extra: Node | null = null): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const m = openModal(title, { onClose: () => !answered && resolve(false) });
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const ok = h('button', { type: 'button', class: 'btn danger' }, confirmLabel);
    cancel.addEventListener('click', () => m.close());
    ok.addEventListener('click', () => {
      answered = true;
      m.close();
      resolve(true);
    });
    append(m.body, [h('p', {}, text), extra, h('div', { class: 'actions' }, cancel, ok)]);
    queueMicrotask(() => cancel.focus());
  });
}

/**
 * An explicit choice between what a deletion does with what it made in Azure (revoke or keep
 * secrets, remove or keep keys): radios under a legend, the first preselected.
 */
export function choiceFieldset<T extends string>(legend: string, options: [T, string][]): { el: HTMLFieldSetElement; value: () => T } {
  const name = uid('choice');
  const radios = options.map(([value, label], i) => {
    const radio = h('input', { type: 'radio', name, id: `${name}-${value}`, value, checked: i === 0 });
    return { value, radio, row: h('div', { class: 'method' }, radio, h('label', { for: radio.id }, label)) };
  });
  return {
    el: h('fieldset', { class: 'methods' }, h('legend', {}, legend), radios.map((r) => r.row)),
    value: () => (radios.find((r) => r.radio.checked) ?? radios[0]!).value,
  };
}
