// The App Connections journeys in chromium against wrangler dev + the emulator: sign-in, every
// connection type × method from the settings page to created and listed (OAuth through the
// emulator's sign-in page), live validation hints, the certificate panel, validate / edit /
// delete, search, the static assets' security headers.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AZCONN_APP, AZCONN_SECRET, AZCONN_SECRET_ID, TARGET_APP, TENANT, makeCertificate, setup } from '../e2e/harness.mjs';
import { launch, openForm, shot, signInUi } from './browser.mjs';

let env;
let org;
let b;

before(async () => {
  env = await setup();
  org = await env.newOrg('ui-org');
  b = await launch();
  await signInUi(b.page, env.worker.base, org.token);
});

// A failed journey must not leave its modal over the next one.
afterEach(async () => {
  for (let i = 0; i < 3 && (await b.page.getByRole('dialog').count()) > 0; i++) await b.page.keyboard.press('Escape');
});

after(async () => {
  await b?.close();
  await env?.stop();
});

const dialog = () => b.page.getByRole('dialog');
// A field by its visible label (optional ones end in "(optional)").
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const field = (label) => dialog().getByLabel(new RegExp(`^${esc(label)}( \\(optional\\))?$`));

async function expectListed(name, type, method) {
  const row = b.page.locator('tr', { has: b.page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
  await row.waitFor();
  assert.equal(await row.locator('td[data-label=Type]').innerText(), type);
  assert.equal(await row.locator('td[data-label=Method]').innerText(), method);
  assert.match(await row.locator('td[data-label=Status]').innerText(), /Active/);
  assert.equal(await row.locator('td[data-label=Tenant]').innerText(), TENANT);
  return row;
}

describe('the static UI', () => {
  test('served with a strict CSP and the other security headers; SPA fallback; API still the Worker', async () => {
    for (const path of ['/', '/organization/app-connections', '/sign-in']) {
      const res = await fetch(env.worker.base + path);
      assert.equal(res.status, 200, path);
      assert.match(await res.text(), /<div id="app">/);
      const csp = res.headers.get('content-security-policy');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
    }
    const html = await (await fetch(`${env.worker.base}/`)).text();
    const js = html.match(/src="(\/assets\/index-[^"]+\.js)"/)[1];
    const asset = await fetch(env.worker.base + js);
    assert.equal(asset.headers.get('x-content-type-options'), 'nosniff');
    assert.match(asset.headers.get('cache-control'), /immutable/);
    assert.doesNotMatch(html, /<script>|<script type="module">[^<]/, 'no inline script');
    // The callback's error page is the UI shell rendered by the Worker: the same policy.
    const callback = await fetch(`${env.worker.base}/organization/app-connections/azure/oauth/callback?error=access_denied`);
    assert.equal(callback.status, 400);
    assert.equal(callback.headers.get('content-security-policy'), (await fetch(`${env.worker.base}/`)).headers.get('content-security-policy'));
    assert.equal(callback.headers.get('referrer-policy'), 'no-referrer');
    const api = await fetch(`${env.worker.base}/api/v1/health`);
    assert.deepEqual(await api.json(), { ok: true });
    // The API stays the Worker's (JSON), never the SPA fallback.
    const unknown = await fetch(`${env.worker.base}/api/v1/nope`);
    assert.equal(unknown.status, 401);
    assert.equal((await unknown.json()).error.code, 'unauthenticated');
  });

  test('a wrong token is refused on the sign-in page', async () => {
    const other = await launch();
    try {
      await other.page.goto(`${env.worker.base}/`);
      await other.page.waitForURL(/\/sign-in/);
      await other.page.getByLabel('API token').fill('azc_wrong');
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      await other.page.getByText('unknown API token').waitFor();
      await shot(other.page, 'sign-in-refused');
      assert.deepEqual(other.errors, []);
    } finally {
      await other.close();
    }
  });
});

describe('Azure Client Secrets', () => {
  test('client secret: hints while typing, then created and listed', async () => {
    await openForm(b.page, 'Azure Client Secrets', 'Client Secret');
    await field('Name').fill('Graph Prod');
    await dialog().getByText('lowercase', { exact: false }).first().waitFor();
    await field('Name').fill('graph-secret');
    await field('Tenant ID').fill('contosodemo.onmicrosoft.com');
    await dialog().getByText('A domain works').waitFor();
    await field('Tenant ID').fill(TENANT);
    await field('Client ID').fill(AZCONN_APP);
    // The secret's ID pasted instead of its value: the core says so before any request.
    await field('Client secret value').fill(AZCONN_SECRET_ID);
    await dialog().getByText("this looks like the secret's ID, not its value").waitFor();
    assert.equal(await field('Client secret value').getAttribute('aria-invalid'), 'true');
    await shot(b.page, 'cs-client-secret-hint');
    await field('Client secret value').fill(AZCONN_SECRET);
    await dialog().getByText('Application.ReadWrite.OwnedBy', { exact: false }).first().waitFor();
    await dialog().getByRole('button', { name: 'Create connection' }).click();
    await dialog().waitFor({ state: 'detached' });
    const row = await expectListed('graph-secret', 'Azure Client Secrets', 'Client Secret');
    assert.match(await row.getAttribute('class'), /highlight/);
    await row.getByText('created by API token "default" (UI session)').waitFor();
    await shot(b.page, 'cs-client-secret-created');
    assert.deepEqual(b.errors, []);
  });

  test('certificate: panel shows subject, expiry, thumbprints and key match; a wrong key is named', async () => {
    await openForm(b.page, 'Azure Client Secrets', 'Certificate');
    await field('Name').fill('graph-cert');
    await field('Tenant ID').fill(TENANT);
    await field('Client ID').fill(AZCONN_APP);
    // A file upload for the certificate, a paste for the key.
    await dialog().getByLabel('Choose a file for the certificate').setInputFiles({ name: 'cert.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(env.cert.certificate) });
    const otherDir = join(env.dir, 'other-key');
    mkdirSync(otherDir);
    const other = makeCertificate(otherDir);
    await field('Private key (PEM)').fill(other.privateKey);
    await dialog().locator('#cert-problem').waitFor();
    assert.match(await dialog().locator('#cert-problem').innerText(), /the private key does not belong to the certificate/);
    await field('Private key (PEM)').fill(env.cert.privateKey);
    await dialog().locator('#key-match').waitFor();
    const panel = await dialog().locator('.cert-panel').innerText();
    assert.match(panel, /CN=azconn-e2e/);
    assert.match(panel, /in (29|30) days/);
    assert.match(panel, /SHA-1 thumbprint\s+[0-9A-F]{40}/i);
    assert.match(panel, /SHA-256 thumbprint\s+[0-9A-F]{64}/i);
    assert.match(panel, /private key matches the certificate/);
    await shot(b.page, 'cs-certificate-panel');
    await dialog().getByRole('button', { name: 'Create connection' }).click();
    await dialog().waitFor({ state: 'detached' });
    await expectListed('graph-cert', 'Azure Client Secrets', 'Certificate');
    assert.deepEqual(b.errors, []);
  });

  test('OAuth: redirect URI and permissions shown, Connect to Azure, emulator sign-in, back highlighted', async () => {
    await openForm(b.page, 'Azure Client Secrets', 'OAuth');
    assert.equal(await dialog().locator('#redirect-uri').innerText(), `${env.worker.base}/organization/app-connections/azure/oauth/callback`);
    assert.match(await dialog().locator('.perm-panel').innerText(), /delegated: Application\.ReadWrite\.All/);
    await field('Name').fill('graph-oauth');
    await field('Tenant').fill(TENANT);
    await dialog().getByRole('button', { name: 'Connect to Azure' }).click();
    await b.page.waitForURL((u) => u.href.startsWith(env.emulator.entra));
    await b.page.locator('#app-id').waitFor();
    assert.equal(await b.page.locator('#app-id').innerText(), AZCONN_APP);
    await shot(b.page, 'cs-oauth-emulator-sign-in');
    await b.page.locator('#accept').click();
    await b.page.waitForURL(/\/organization\/app-connections$/);
    await b.page.getByText('Connected: graph-oauth').waitFor();
    const row = await expectListed('graph-oauth', 'Azure Client Secrets', 'OAuth');
    await row.getByText('created by API token "default" (UI session)').waitFor();
    assert.match(await row.getAttribute('class'), /highlight/);
    await row.getByText('New').waitFor();
    await shot(b.page, 'cs-oauth-created');
    assert.deepEqual(b.errors, []);
  });
});

describe('Azure App Configuration', () => {
  test('client secret with the store endpoint: probed, created and listed', async () => {
    await openForm(b.page, 'Azure App Configuration', 'Client Secret');
    await field('Name').fill('store-secret');
    await field('Tenant ID').fill(TENANT);
    await field('Client ID').fill(AZCONN_APP);
    await field('Client secret value').fill(AZCONN_SECRET);
    await field('Store endpoint').fill('ftp://store');
    await dialog().locator('#f-endpoint-error').filter({ hasText: /\S/ }).waitFor();
    await field('Store endpoint').fill(env.emulator.stores.demo);
    await dialog().getByText('App Configuration Data Owner', { exact: false }).first().waitFor();
    await dialog().getByRole('button', { name: 'Create connection' }).click();
    await dialog().waitFor({ state: 'detached' });
    await expectListed('store-secret', 'Azure App Configuration', 'Client Secret');
    await shot(b.page, 'ac-client-secret-created');
  });

  test('certificate: created and listed', async () => {
    await openForm(b.page, 'Azure App Configuration', 'Certificate');
    await field('Name').fill('store-cert');
    await field('Tenant ID').fill(TENANT);
    await field('Client ID').fill(AZCONN_APP);
    await field('Certificate (PEM)').fill(env.cert.certificate);
    await field('Private key (PEM)').fill(env.cert.privateKey);
    await field('Store endpoint').fill(env.emulator.stores.demo);
    await dialog().locator('#key-match').waitFor();
    await dialog().getByRole('button', { name: 'Create connection' }).click();
    await dialog().waitFor({ state: 'detached' });
    await expectListed('store-cert', 'Azure App Configuration', 'Certificate');
    await shot(b.page, 'ac-certificate-created');
  });

  test('OAuth through the emulator sign-in page', async () => {
    await openForm(b.page, 'Azure App Configuration', 'OAuth');
    assert.match(await dialog().locator('.perm-panel').innerText(), /KeyValue\.Read, KeyValue\.Write, KeyValue\.Delete/);
    await field('Name').fill('store-oauth');
    await field('Store endpoint').fill(env.emulator.stores.demo);
    await dialog().getByRole('button', { name: 'Connect to Azure' }).click();
    await b.page.waitForURL((u) => u.href.startsWith(env.emulator.entra));
    await b.page.locator('#accept').click();
    await b.page.waitForURL(/\/organization\/app-connections$/);
    await b.page.getByText('Connected: store-oauth').waitFor();
    await expectListed('store-oauth', 'Azure App Configuration', 'OAuth');
    await shot(b.page, 'ac-oauth-created');
    assert.deepEqual(b.errors, []);
  });
});

describe('managing connections', () => {
  // The list shows the oldest first by `createdAt` (unix seconds), then by name: journeys that
  // finish within one second tie, so the expected order comes from the stored records, not from
  // the order the journeys ran in (which it is whenever they fall in different seconds).
  const uiOrder = async (type) => {
    const list = await env.api('GET', `/api/v1/app-connections/${type}`, { token: org.token });
    return list.json.appConnections.sort((x, y) => x.createdAt - y.createdAt || x.name.localeCompare(y.name)).map((c) => c.name);
  };

  test('search and filters', async () => {
    const stores = await uiOrder('azure-app-configuration');
    assert.deepEqual([...stores].sort(), ['store-cert', 'store-oauth', 'store-secret']);
    const graphs = await uiOrder('azure-client-secrets');
    assert.deepEqual([...graphs].sort(), ['graph-cert', 'graph-oauth', 'graph-secret']);
    await b.page.getByLabel('Search connections').fill('store');
    assert.deepEqual(await b.page.locator('tbody .name').allInnerTexts(), stores);
    await b.page.getByLabel('Search connections').fill('');
    await b.page.getByLabel('Filter by type').selectOption('azure-client-secrets');
    assert.deepEqual(await b.page.locator('tbody .name').allInnerTexts(), graphs);
    await b.page.getByLabel('Search connections').fill('no-such-thing');
    await b.page.getByText('No connection matches the search.').waitFor();
    await b.page.getByLabel('Search connections').fill('');
    await b.page.getByLabel('Filter by type').selectOption('');
    assert.equal(await b.page.locator('tbody tr').count(), 6);
  });

  test('validate now shows the failure with its hint, edit fixes it', async () => {
    // The app's secret is removed in Azure: validation reports it on the row.
    const row = b.page.locator('tr', { has: b.page.locator('.name', { hasText: /^graph-secret$/ }) });
    await env.admin('POST', '/faults', { service: 'entra', pathPrefix: `/${TENANT}/oauth2/v2.0/token`, action: { kind: 'status', status: 400 }, count: 1 });
    await row.getByRole('button', { name: 'Validate' }).click();
    await row.getByText('Failing').waitFor();
    assert.match(await row.locator('.row-error').innerText(), /AADSTS\d+/);
    assert.match(await row.locator('td[data-label=Status]').innerText(), /validated just now/);
    await shot(b.page, 'validate-failing');
    await row.getByRole('button', { name: 'Edit' }).click();
    assert.equal(await field('Name').inputValue(), 'graph-secret');
    assert.equal(await b.page.getByRole('radio', { name: /^OAuth/ }).isDisabled(), true);
    await field('Description').fill('rotates payments');
    await dialog().getByRole('button', { name: 'Save changes' }).click();
    await dialog().waitFor({ state: 'detached' });
    await row.getByText('Active').waitFor();
    await row.getByText('rotates payments').waitFor();
  });

  test('Escape closes a modal and focus returns to the opener; Tab stays inside', async () => {
    const add = b.page.getByRole('button', { name: 'Add Connection' });
    await add.focus();
    await b.page.keyboard.press('Enter');
    await dialog().waitFor();
    for (let i = 0; i < 6; i++) await b.page.keyboard.press('Tab');
    assert.equal(await b.page.evaluate(() => !!document.activeElement?.closest('[role=dialog]')), true);
    await b.page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    assert.equal(await b.page.evaluate(() => document.activeElement?.id), 'add-connection');
  });

  test('delete asks first; cancel keeps, confirm removes', async () => {
    const row = b.page.locator('tr', { has: b.page.locator('.name', { hasText: /^graph-cert$/ }) });
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByText('Delete graph-cert?').waitFor();
    await shot(b.page, 'delete-confirm');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await row.waitFor();
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Delete connection' }).click();
    await row.waitFor({ state: 'detached' });
    const list = await env.api('GET', '/api/v1/app-connections/azure-client-secrets', { token: org.token });
    assert.deepEqual(list.json.appConnections.map((c) => c.name), ['graph-secret', 'graph-oauth']);
  });

  test('deleting a connection in use offers to delete its rotations too, with the choice for their secrets', async () => {
    const api = (method, path, body) => env.api(method, path, { token: org.token, body });
    const conn = (await api('POST', '/api/v1/app-connections/azure-client-secrets', {
      name: 'graph-used', method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET,
    })).json.appConnection;
    const rot = await api('POST', '/api/v1/secret-rotations/azure-client-secret', { connectionId: conn.id, appId: TARGET_APP });
    assert.equal(rot.status, 201, rot.text);
    const ran = await api('POST', `/api/v1/secret-rotations/azure-client-secret/${rot.json.rotation.id}/rotate`);
    assert.equal(ran.status, 200, ran.text);
    await b.page.reload();
    const row = b.page.locator('tr', { has: b.page.locator('.name', { hasText: /^graph-used$/ }) });
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Delete connection' }).click();
    await dialog().getByText('graph-used is in use').waitFor();
    assert.match(await dialog().locator('ul.dependents').innerText(), new RegExp(`Rotation of ${esc(rot.json.rotation.target.displayName)}`));
    assert.equal(await dialog().getByLabel('Revoke them in Entra ID (apps using them stop working)').isChecked(), true, 'the first choice is preselected');
    await dialog().getByLabel('Keep them until they expire').check();
    await shot(b.page, 'delete-with-dependents');
    await dialog().getByRole('button', { name: 'Delete graph-used and 1 dependent' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await api('GET', `/api/v1/secret-rotations/azure-client-secret/${rot.json.rotation.id}`)).status, 404);
    const app = await env.admin('GET', `/applications/${TARGET_APP}`);
    assert.ok(app.passwordCredentials.some((p) => p.keyId === ran.json.secret.keyId), 'kept: the secret stays on the app');
    assert.deepEqual(b.errors, []);
  });

  test('narrow screens get a stacked list', async () => {
    await b.page.setViewportSize({ width: 390, height: 844 });
    await b.page.getByRole('heading', { name: 'App Connections' }).waitFor();
    const display = await b.page.locator('tbody tr').first().evaluate((el) => getComputedStyle(el).display);
    assert.equal(display, 'block');
    await shot(b.page, 'list-mobile');
    await b.page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(b.errors, []);
  });

  test('the form is usable before the wasm arrives, and its arrival shifts nothing', async () => {
    const other = await launch();
    try {
      // The core arrives 1.5 s late.
      await other.page.route('**/*.wasm', async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      });
      await other.page.addInitScript(() => {
        window.__shifts = [];
        new PerformanceObserver((l) => window.__shifts.push(...l.getEntries().map((e) => ({ value: e.value, recent: e.hadRecentInput })))).observe({ type: 'layout-shift', buffered: true });
      });
      await signInUi(other.page, env.worker.base, org.token);
      await openForm(other.page, 'Azure Client Secrets', 'Client Secret');
      const status = other.page.getByRole('dialog').locator('.core-status');
      assert.equal(await status.innerText(), 'Loading the validator…');
      await other.page.getByRole('dialog').locator('#f-name').fill('typed-before-wasm');
      await status.filter({ hasText: 'Fields are checked as you type' }).waitFor();
      // Let the observer deliver the last frames' entries.
      await other.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0)))));
      const shifts = await other.page.evaluate(() => window.__shifts);
      const cls = shifts.filter((s) => !s.recent).reduce((a, s) => a + s.value, 0);
      assert.ok(cls < 0.01, `layout shift ${cls}: ${JSON.stringify(shifts)}`);
      assert.deepEqual(other.errors, []);
    } finally {
      await other.close();
    }
  });

  test('switch organization: another token, another list', async () => {
    const second = await env.newOrg('ui-org-2');
    await b.page.getByRole('link', { name: 'Switch organization' }).click();
    await b.page.getByText("Sign in with the other organization's API token").waitFor();
    await b.page.getByLabel('API token').fill(second.token);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByText('No app connections yet.').waitFor();
    assert.match(await b.page.locator('.org').innerText(), /ui-org-2/);
    await shot(b.page, 'switch-organization');
    await b.page.getByRole('link', { name: 'Switch organization' }).click();
    await b.page.getByLabel('API token').fill(org.token);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.locator('tbody .name', { hasText: 'graph-secret' }).waitFor();
    assert.match(await b.page.locator('.org').innerText(), /ui-org$/);
  });

  test('sign out ends the session: the list asks to sign in again', async () => {
    await b.page.getByRole('button', { name: 'Sign out' }).click();
    await b.page.waitForURL(/\/sign-in/);
    await b.page.goto(`${env.worker.base}/organization/app-connections`);
    await b.page.waitForURL(/\/sign-in\?next=%2Forganization%2Fapp-connections/);
    const r = await b.context.request.get(`${env.worker.base}/api/v1/session`);
    assert.equal(r.status(), 401);
    assert.deepEqual(b.errors, []);
  });
});
