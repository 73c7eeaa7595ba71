// The UI's entry: the layout (header, Organization Settings tabs), the router, the sign-in gate.
import './styles.css';
import { api, ApiFailure } from './api';
import type { SessionView } from './gen/api';
import { h, clear } from './dom';
import { renderSignIn } from './signin';
import { renderConnections } from './connections';
import { renderCallback } from './callback';
import { renderDetail } from './detail';
import { renderAudit } from './audit';
import { loadCore } from './core';

export const CALLBACK_PATH = '/organization/app-connections/azure/oauth/callback';
const CONNECTIONS_PATH = '/organization/app-connections';
const AUDIT_PATH = '/organization/audit-log';

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void route();
}

let session: SessionView | null = null;

function layout(main: HTMLElement): void {
  const app = document.getElementById('app')!;
  const signOut = h('button', { type: 'button', class: 'btn small' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    try {
      await api.signOut();
    } finally {
      session = null;
      navigate('/sign-in');
    }
  });
  clear(
    app,
    h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'brand', href: CONNECTIONS_PATH, 'data-link': true }, 'azconn'),
      session
        ? h(
            'div',
            { class: 'who' },
            h('span', { class: 'org', title: session.organizationId }, 'Organization: ', h('strong', {}, session.organizationName ?? session.organizationId)),
            // A session belongs to one organization (its API token): switching signs in with another token.
            h('a', { class: 'btn small', href: '/sign-in?switch=1', 'data-link': true }, 'Switch organization'),
            signOut,
          )
        : null,
    ),
    main,
    h('div', { id: 'announcer', class: 'sr-only', 'aria-live': 'polite' }),
  );
}

type Tab = 'connections' | 'audit';
const TABS: { tab: Tab; href: string; name: string }[] = [
  { tab: 'connections', href: CONNECTIONS_PATH, name: 'App Connections' },
  { tab: 'audit', href: AUDIT_PATH, name: 'Audit log' },
];

function settingsPage(active: Tab): { main: HTMLElement; content: HTMLElement } {
  const content = h('div', { class: 'tab-panel', id: `tab-${active}`, role: 'tabpanel', 'aria-labelledby': `tab-${active}-label` });
  const main = h(
    'main',
    { id: 'main', class: 'page', tabindex: -1 },
    h('h1', {}, 'Organization Settings'),
    h(
      'nav',
      { class: 'tabs', role: 'tablist', 'aria-label': 'Organization settings' },
      TABS.map((t) =>
        h('a', { id: `tab-${t.tab}-label`, role: 'tab', 'aria-selected': String(t.tab === active), href: t.href, 'data-link': true, class: t.tab === active ? 'tab active' : 'tab' }, t.name),
      ),
    ),
    content,
  );
  return { main, content };
}

async function ensureSession(): Promise<boolean> {
  if (session) return true;
  try {
    session = await api.session();
    return true;
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) return false;
    throw e;
  }
}

export async function route(): Promise<void> {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  if (path === CALLBACK_PATH) {
    const main = h('main', { id: 'main', class: 'page narrow', tabindex: -1 });
    layout(main);
    renderCallback(main);
    return;
  }
  if (path === '/sign-in') {
    const main = h('main', { id: 'main', class: 'page narrow', tabindex: -1 });
    layout(main);
    renderSignIn(main, async () => {
      session = null;
      await ensureSession();
      const back = new URLSearchParams(location.search).get('next');
      navigate(back && back.startsWith('/') && !back.startsWith('//') ? back : CONNECTIONS_PATH, true);
    });
    return;
  }
  let signedIn: boolean;
  try {
    signedIn = await ensureSession();
  } catch (e) {
    const main = h('main', { id: 'main', class: 'page narrow', tabindex: -1 });
    layout(main);
    main.append(h('div', { class: 'alert error', role: 'alert' }, e instanceof Error ? e.message : String(e)));
    return;
  }
  if (!signedIn) {
    navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, true);
    return;
  }
  const { main, content } = settingsPage(path === AUDIT_PATH ? 'audit' : 'connections');
  layout(main);
  if (path === AUDIT_PATH) {
    await renderAudit(content);
    return;
  }
  const detail = path.match(/^\/organization\/app-connections\/(azure-client-secrets|azure-app-configuration)\/([0-9a-f]+)$/);
  if (detail) {
    await renderDetail(content, detail[1] as 'azure-client-secrets' | 'azure-app-configuration', detail[2]!);
    return;
  }
  if (path === CONNECTIONS_PATH || path === '/' || path === '/organization') {
    if (path !== CONNECTIONS_PATH) history.replaceState(null, '', CONNECTIONS_PATH);
    await renderConnections(content);
    return;
  }
  content.append(h('h2', {}, 'Page not found'), h('p', {}, h('a', { href: CONNECTIONS_PATH, 'data-link': true }, 'Go to App Connections')));
}

// Same-origin links marked data-link navigate without a reload.
document.addEventListener('click', (e) => {
  const a = (e.target as Element | null)?.closest?.('a[data-link]');
  if (!(a instanceof HTMLAnchorElement) || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
});
window.addEventListener('popstate', () => void route());
window.addEventListener('azconn:unauthenticated', () => {
  session = null;
  if (location.pathname !== '/sign-in') navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, true);
});

void route();
// Fetch the wasm core while the user reads the page; forms wait for it only if it is not there yet.
window.addEventListener('load', () => void loadCore().catch(() => undefined));
