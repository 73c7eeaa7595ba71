// Sign-in with an organization's API token: POST /sessions sets the HttpOnly session cookie.
import { api, ApiFailure } from './api';
import { h } from './dom';

export function renderSignIn(main: HTMLElement, done: () => Promise<void>): void {
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'token-help token-error',
    spellcheck: 'false',
  });
  const error = h('p', { id: 'token-error', class: 'field-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card', novalidate: true },
    h('h1', {}, 'Sign in to azconn'),
    new URLSearchParams(location.search).has('switch')
      ? h('p', { class: 'muted' }, "Sign in with the other organization's API token; it replaces this browser's current session.")
      : null,
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { id: 'token-help', class: 'help' }, 'An organization API token (azc_…). `make dev` prints one. The token is exchanged for a session cookie and not stored by the browser.'),
    error,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!input.value.trim()) {
      error.textContent = 'Enter an API token.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      await api.signIn(input.value.trim());
      input.value = '';
      await done();
    } catch (err) {
      error.textContent = err instanceof ApiFailure ? `${err.error.message}${err.error.hint ? ` — ${err.error.hint}` : ''}` : String(err);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  main.append(form);
  queueMicrotask(() => input.focus());
}
