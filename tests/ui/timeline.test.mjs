// The app's secrets on a rotation card stay what Entra ID has, without a reload: the secrets a
// deleted rotation left, revoked from the page ("Remove…"), leave the timeline of the app's live
// rotation, checked against the emulator's credential list; only that part of the card is
// redrawn: a new secret it shows once after "Rotate now" stays shown, and the card of another
// app is left as it was. When the app list cannot be read again, the timeline says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, SECOND_APP, TARGET_APP, TENANT, setup } from '../e2e/harness.mjs';
import { launch, shot, signInUi } from './browser.mjs';

const R = '/api/v1/secret-rotations/azure-client-secret';
const L = `${R}/leftover-secrets`;
const C = '/api/v1/app-connections/azure-client-secrets';

let env;
let org;
let b;
let graph;

before(async () => {
  env = await setup({ secondTarget: true });
  org = await env.newOrg('ui-timeline');
  const base = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };
  graph = (await env.api('POST', C, { token: org.token, body: { name: 'graph', ...base } })).json.appConnection;
  assert.ok(graph);
  b = await launch();
  await signInUi(b.page, env.worker.base, org.token);
});

after(async () => {
  await b?.close();
  await env?.stop();
});

const call = (method, path, body) => env.api(method, path, { token: org.token, body });
const dialog = () => b.page.getByRole('dialog');
const page = () => `${env.worker.base}/organization/app-connections/azure-client-secrets/${graph.id}`;
const card = (name) => b.page.locator('article.rotation', { has: b.page.locator('.rotation-name', { hasText: new RegExp(`^${name}$`) }) });
const leftover = (name) => b.page.getByRole('article', { name: `Deleted rotation ${name}` });
/** The display name of the secrets the rotation `id` created (crates/core/src/rotation.rs). */
const createdBy = (id) => new RegExp(`^azconn rotation \\S+ for ${id}$`);

/** The app's secrets as the card's timeline table lists them: name and hint, sorted. */
const listed = (c) =>
  c.locator('.timeline .secrets-table tbody tr').evaluateAll((rows) =>
    rows.map((tr) => {
      const [name, hint] = tr.querySelectorAll('td');
      return `${name.textContent.replace(/ \(current\)$/, '')} ${hint.textContent}`;
    }).sort());
/** The same from the emulator's app registration, and its credentials. */
const inEntra = async () => {
  const creds = (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials;
  return { rows: creds.map((p) => `${p.displayName ?? '—'} ${p.hint}…`).sort(), creds };
};

async function create(name, appId) {
  const c = await call('POST', R, { name, connectionId: graph.id, appId, lifetimeDays: 90, intervalDays: 30 });
  assert.equal(c.status, 201, c.text);
  return c.json.rotation.id;
}

/** A rotation of the target app that has rotated once: its id and the key it created. */
async function rotated(name) {
  const id = await create(name, TARGET_APP);
  const r = await call('POST', `${R}/${id}/rotate`);
  assert.equal(r.status, 200, r.text);
  return { id, keyId: r.json.secret.keyId };
}

describe('the app’s secrets on a rotation card', () => {
  test('a leftover revoked from the page leaves the timeline of the app’s live rotation; its new secret stays shown', async () => {
    // An app has one rotation: the leftover's, deleted with its secrets kept, then the live one.
    const gone = await rotated('gone');
    assert.equal((await call('DELETE', `${R}/${gone.id}?secrets=keep`)).status, 200);
    const live = await create('live', TARGET_APP);
    await create('billing', SECOND_APP);
    await b.page.goto(page());
    await card('live').locator('.timeline .secrets-table').waitFor();
    await card('billing').locator('.timeline > *').waitFor();
    let entra = await inEntra();
    assert.ok(entra.creds.some((p) => p.keyId === gone.keyId && createdBy(gone.id).test(p.displayName)));
    assert.deepEqual(await listed(card('live')), entra.rows, 'the card lists what Entra ID has, the leftover’s key included');

    // A new secret, shown once on the live rotation's card.
    await card('live').getByRole('button', { name: 'Rotate now' }).click();
    await card('live').getByText('New secret created.').waitFor({ timeout: 60000 });
    const value = await card('live').getByLabel('New client secret value').inputValue();
    entra = await inEntra();
    assert.ok(entra.creds.some((p) => createdBy(live).test(p.displayName) && value.startsWith(p.hint)), 'the shown value is the live rotation’s new secret');
    assert.deepEqual(await listed(card('live')), entra.rows);

    // What must survive the revoke: this document (no reload) and the other app's timeline.
    await b.page.evaluate(() => { window.__beforeRevoke = true; });
    const billingTimeline = await card('billing').locator('.timeline > *').elementHandle();

    await leftover('gone').getByRole('button', { name: 'Remove…' }).click();
    await dialog().getByLabel('Revoke them in Entra ID (apps using them stop working)').check();
    await dialog().getByRole('button', { name: 'Remove' }).click();
    await b.page.locator('.notice .revoked', { hasText: `Revoked in Entra ID: ${gone.keyId}.` }).waitFor();
    await card('live').locator('.timeline .secrets-table td', { hasText: createdBy(gone.id) }).waitFor({ state: 'detached' });

    entra = await inEntra();
    assert.equal(entra.creds.some((p) => p.keyId === gone.keyId), false, 'revoked in Entra ID');
    assert.deepEqual(await listed(card('live')), entra.rows, 'the card lists what Entra ID has now');
    assert.equal(await card('live').getByLabel('New client secret value').inputValue(), value, 'the new secret is still shown');
    await card('live').getByRole('button', { name: 'Copy secret' }).waitFor();
    assert.equal(await billingTimeline.evaluate((el) => el.isConnected), true, 'the other app’s timeline is not redrawn');
    assert.equal(await b.page.evaluate(() => window.__beforeRevoke), true, 'no reload');
    assert.deepEqual((await call('GET', L)).json.leftovers, []);
    await shot(b.page, 'timeline-after-revoke');
    assert.deepEqual(b.errors, []);
  });

  test('the app list failing to load again after the revoke shows in the timeline, not the secrets as they were', async () => {
    // The app's rotation as the previous test left it goes with its secrets: a fresh start.
    for (const r of (await call('GET', R)).json.rotations.filter((x) => x.target?.appId === TARGET_APP)) {
      assert.equal((await call('DELETE', `${R}/${r.id}?secrets=revoke`)).status, 200);
    }
    const kept = await rotated('kept');
    assert.equal((await call('DELETE', `${R}/${kept.id}?secrets=keep`)).status, 200);
    await create('next', TARGET_APP);
    await b.page.goto(page());
    await card('next').locator('.timeline .secrets-table td', { hasText: createdBy(kept.id) }).waitFor();

    // The page's next read of the app list never reaches the Worker.
    const clients = (url) => url.pathname === `${C}/${graph.id}/clients`;
    await b.page.route(clients, (route) => route.abort());
    try {
      await leftover('kept').getByRole('button', { name: 'Remove…' }).click();
      await dialog().getByLabel('Revoke them in Entra ID (apps using them stop working)').check();
      await dialog().getByRole('button', { name: 'Remove' }).click();
      await b.page.locator('.notice .revoked', { hasText: `Revoked in Entra ID: ${kept.keyId}.` }).waitFor();
      await card('next').locator('.timeline [role=alert]', { hasText: 'azconn cannot be reached' }).waitFor();
    } finally {
      await b.page.unroute(clients);
    }
    assert.equal(await card('next').locator('.timeline .secrets-table').count(), 0, 'no list of secrets that may be gone');
    assert.equal((await inEntra()).creds.some((p) => p.keyId === kept.keyId), false, 'revoked in Entra ID');
    assert.deepEqual(b.errors, []);
  });
});
