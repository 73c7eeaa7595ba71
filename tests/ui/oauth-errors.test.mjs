// The OAuth error journeys in chromium: consent declined, expired code, replayed state, a
// callback in another browser, the page opened under another origin than SITE_URL, and a
// deployment without the OAuth app. Each ends on a worded page with a way forward, never a
// blank or spinning one.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TENANT, setup } from '../e2e/harness.mjs';
import { launch, openForm, shot, signInUi } from './browser.mjs';

let env;
let org;
let b;

before(async () => {
  env = await setup();
  org = await env.newOrg('ui-oauth');
  b = await launch();
  await signInUi(b.page, env.worker.base, org.token);
});

// A failed journey must not leave its modal over the next one.
afterEach(async () => {
  for (let i = 0; i < 3 && (await b.page.getByRole('dialog').count()) > 0; i++) await b.page.keyboard.press('Escape');
  await b.page.goto(`${env.worker.base}/organization/app-connections`);
});

after(async () => {
  await b?.close();
  await env?.stop();
});


async function startOAuth(page, name) {
  await openForm(page, 'Azure Client Secrets', 'OAuth');
  await page.getByRole('dialog').getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('dialog').getByLabel('Tenant (optional)', { exact: true }).fill(TENANT);
  await page.getByRole('dialog').getByRole('button', { name: 'Connect to Azure' }).click();
  await page.waitForURL((u) => u.href.startsWith(env.emulator.entra));
  await page.locator('#accept').waitFor();
}

const count = async () => (await env.api('GET', '/api/v1/app-connections/azure-client-secrets', { token: org.token })).json.appConnections.length;

describe('OAuth failures', () => {
  test('consent declined: worded, with the hint, and Try again reopens the filled form', async () => {
    await startOAuth(b.page, 'declined-conn');
    await b.page.locator('#cancel').click();
    await b.page.waitForURL((u) => u.pathname.endsWith('/oauth/callback'));
    const h1 = b.page.getByRole('heading', { level: 1 });
    assert.equal(await h1.innerText(), 'The sign-in was cancelled or consent was declined');
    assert.match(await b.page.locator('.callback-error .message').innerText(), /65004/);
    assert.match(await b.page.locator('.callback-error').innerText(), /What to do:/);
    await shot(b.page, 'oauth-declined');
    await b.page.getByRole('link', { name: 'Try again' }).click();
    await b.page.getByRole('dialog').waitFor();
    assert.equal(await b.page.getByRole('dialog').getByLabel('Name', { exact: true }).inputValue(), 'declined-conn');
    assert.equal(await b.page.getByRole('radio', { name: /^OAuth/ }).isChecked(), true);
    await b.page.keyboard.press('Escape');
    assert.equal(await count(), 0);
    assert.deepEqual(b.errors, []);
  });

  test('an expired authorization code', async () => {
    await startOAuth(b.page, 'expired-conn');
    // Between Entra's answer and the callback, ten minutes pass (the emulator's clock): the
    // code has expired when the Worker redeems it. (A redirect cannot be routed itself, so the
    // sign-in POST is fetched here and its 302 handed to the page.)
    const AUTHORIZE = (url) => url.href.startsWith(env.emulator.entra) && url.pathname.endsWith('/oauth2/v2.0/authorize');
    await b.page.route(AUTHORIZE, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch({ maxRedirects: 0 });
      await env.admin('POST', '/clock', { advanceSeconds: 700 });
      await route.fulfill({ response });
    });
    try {
      await b.page.locator('#accept').click();
      await b.page.getByRole('heading', { name: 'The sign-in expired before azconn could complete it' }).waitFor();
      assert.match(await b.page.locator('.callback-error .message').innerText(), /AADSTS\d+/);
      assert.equal(new URL(b.page.url()).search, '', 'the used code is dropped from the address');
      await shot(b.page, 'oauth-expired-code');
    } finally {
      await b.page.unroute(AUTHORIZE);
    }
    assert.equal(await count(), 0);
  });

  test('a replayed callback (state is single use)', async () => {
    let callbackUrl;
    b.page.on('request', (r) => {
      if (r.url().includes('/oauth/callback?')) callbackUrl ??= r.url();
    });
    await startOAuth(b.page, 'once-conn');
    await b.page.locator('#accept').click();
    await b.page.getByText('Connected: once-conn').waitFor();
    assert.ok(callbackUrl);
    const res = await b.page.goto(callbackUrl);
    assert.equal(res.status(), 400);
    await b.page.getByRole('heading', { name: 'This sign-in was already used' }).waitFor();
    assert.match(await b.page.locator('.callback-error').innerText(), /single use/);
    await shot(b.page, 'oauth-replayed');
    assert.equal(await count(), 1);
  });

  test('the callback in another browser', async () => {
    let authorizeUrl;
    await openForm(b.page, 'Azure Client Secrets', 'OAuth');
    await b.page.getByRole('dialog').getByLabel('Name', { exact: true }).fill('elsewhere-conn');
    await b.page.route(`${env.emulator.entra}/**`, async (route) => {
      authorizeUrl = route.request().url();
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>held</p>' });
    });
    await b.page.getByRole('dialog').getByRole('button', { name: 'Connect to Azure' }).click();
    await b.page.getByText('held').waitFor();
    await b.page.unroute(`${env.emulator.entra}/**`);
    const other = await launch();
    try {
      await other.page.goto(authorizeUrl);
      await other.page.locator('#accept').click();
      await other.page.waitForURL((u) => u.pathname.endsWith('/oauth/callback'));
      await other.page.getByRole('heading', { name: 'This sign-in was started in another browser' }).waitFor();
      await other.page.getByRole('link', { name: 'Try again' }).waitFor();
      await shot(other.page, 'oauth-other-browser');
      assert.deepEqual(other.errors, []);
    } finally {
      await other.close();
    }
    assert.equal(await count(), 1);
    await b.page.goto(`${env.worker.base}/organization/app-connections`);
  });

  test('opened under another address than SITE_URL: sign-in refused, naming the address to use', async () => {
    // Azure would send the sign-in back to SITE_URL, where this page's cookies are not; the
    // Worker refuses a browser sign-in from any other origin (login CSRF) and says where to go.
    const other = await launch();
    try {
      const localhost = env.worker.base.replace('127.0.0.1', 'localhost');
      await other.page.goto(`${localhost}/sign-in`);
      await other.page.getByLabel('API token').fill(org.token);
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      const error = other.page.locator('#token-error');
      await error.filter({ hasText: /\S/ }).waitFor();
      assert.match(await error.innerText(), new RegExp(`open azconn at ${env.worker.base.replace(/[.]/g, '\\.')} \\(SITE_URL\\)`));
      assert.match(other.page.url(), /\/sign-in$/);
      await shot(other.page, 'oauth-origin-mismatch');
    } finally {
      await other.close();
    }
  });

  test('a deployment without the OAuth app says so on the method, before any redirect', async () => {
    // Only Client Secrets has its own app; without the legacy shared one App Configuration has none.
    delete env.vars.INF_APP_CONNECTION_AZURE_CLIENT_ID;
    delete env.vars.INF_APP_CONNECTION_AZURE_CLIENT_SECRET;
    await env.restart();
    await b.page.goto(`${env.worker.base}/organization/app-connections`);
    await openForm(b.page, 'Azure App Configuration', 'Client Secret');
    const reason = b.page.locator('#method-oauth-reason');
    assert.match(await reason.innerText(), /not configured: set INF_APP_CONNECTION_AZURE_APP_CONFIGURATION_CLIENT_ID/);
    await b.page.getByRole('radio', { name: /^OAuth/ }).check();
    assert.equal(await b.page.getByRole('button', { name: 'Connect to Azure' }).isDisabled(), true);
    await shot(b.page, 'oauth-not-configured');
    await b.page.keyboard.press('Escape');
    // Client Secrets still has its own app.
    await openForm(b.page, 'Azure Client Secrets', 'OAuth');
    assert.equal(await b.page.locator('#method-oauth-reason').count(), 0);
    assert.equal(await b.page.getByRole('button', { name: 'Connect to Azure' }).isDisabled(), false);
    assert.deepEqual(b.errors, []);
  });
});
