// Secrets left by deleted rotations (issue #15), in chromium: a rotation deleted with "keep"
// is listed on its connection's page at once; "Show secrets" reads from Graph which of its
// secrets the app still has; "Remove…" revokes them or only forgets the record, checked in the
// emulator's app registration. Deleting the connection warns first that it forgets its leftovers
// (their secrets stay in Entra ID), and still deletes when that check fails.
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
let other;

before(async () => {
  env = await setup({ secondTarget: true });
  org = await env.newOrg('ui-leftovers');
  const base = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };
  graph = (await env.api('POST', C, { token: org.token, body: { name: 'graph', ...base } })).json.appConnection;
  other = (await env.api('POST', C, { token: org.token, body: { name: 'other', ...base } })).json.appConnection;
  assert.ok(graph && other);
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
const section = () => b.page.getByRole('region', { name: 'Secrets left by deleted rotations' });
const leftover = (name) => b.page.getByRole('article', { name: `Deleted rotation ${name}` });
const appSecrets = async (app = TARGET_APP) => (await env.admin('GET', `/applications/${app}`)).passwordCredentials.map((p) => p.keyId).sort();
/** The DELETE the page sends next for the leftover `id`. */
const nextDelete = (id) => b.page.waitForRequest((r) => r.method() === 'DELETE' && new URL(r.url()).pathname === `${L}/${id}`);

/** A rotation of `appId` through `connection` that has rotated once: the secret it created. */
async function rotated(name, connection, appId = TARGET_APP) {
  const c = await call('POST', R, { name, connectionId: connection.id, appId, lifetimeDays: 90, intervalDays: 30 });
  assert.equal(c.status, 201, c.text);
  const r = await call('POST', `${R}/${c.json.rotation.id}/rotate`);
  assert.equal(r.status, 200, r.text);
  return { id: c.json.rotation.id, keyId: r.json.secret.keyId };
}

describe('secrets left by deleted rotations', () => {
  test('delete with "keep" lists it at once; "Show secrets" names its key; remove with "revoke" takes only that key off the app', async () => {
    // A leftover of another connection: never listed on this connection's page.
    const elsewhere = await rotated('elsewhere', other);
    assert.equal((await call('DELETE', `${R}/${elsewhere.id}?secrets=keep`)).status, 200);
    const r = await rotated('left-revoked', graph);
    const before = await appSecrets();
    assert.ok(before.includes(r.keyId) && before.includes(elsewhere.keyId));

    await b.page.goto(page());
    const card = b.page.getByRole('article', { name: /^Rotation of/ });
    await card.waitFor();
    assert.equal(await section().isHidden(), true, 'no leftover of this connection yet: no section');
    await card.getByRole('button', { name: 'Delete rotation' }).click();
    await dialog().getByLabel('Keep them until they expire').check();
    await dialog().getByRole('button', { name: 'Delete rotation' }).click();
    await b.page.locator('.notice', { hasText: 'The secrets it created stay in Entra ID until they expire.' }).waitFor();

    // Listed without a reload, with the app and when it was deleted; the other connection's is not.
    await leftover('left-revoked').waitFor();
    assert.equal(await section().isVisible(), true);
    assert.equal(await section().getByRole('article').count(), 1, 'only the leftover of this connection');
    assert.equal(await leftover('elsewhere').count(), 0);
    const listed = (await call('GET', L)).json.leftovers.find((l) => l.id === r.id);
    assert.ok(listed, 'the API lists it too');
    const text = await leftover('left-revoked').innerText();
    assert.ok(text.includes(TARGET_APP), text);
    assert.ok(text.includes(new Date(listed.deletedAt * 1000).toISOString().slice(0, 10)), text);

    // Its secrets, read from Graph now: exactly the key the rotation created, still on the app.
    await leftover('left-revoked').getByRole('button', { name: 'Show secrets' }).click();
    const keyCells = leftover('left-revoked').locator('.leftover-secrets td.key-id');
    await keyCells.first().waitFor();
    assert.deepEqual(await keyCells.allInnerTexts(), [r.keyId]);
    assert.ok((await appSecrets()).includes(r.keyId));
    await shot(b.page, 'leftover-secrets');

    await leftover('left-revoked').getByRole('button', { name: 'Remove…' }).click();
    await dialog().getByLabel('Revoke them in Entra ID (apps using them stop working)').check();
    await shot(b.page, 'leftover-remove');
    const sent = nextDelete(r.id);
    await dialog().getByRole('button', { name: 'Remove' }).click();
    assert.equal(new URL((await sent).url()).search, '?secrets=revoke');
    await b.page.locator('.notice .revoked', { hasText: `Revoked in Entra ID: ${r.keyId}.` }).waitFor();
    await leftover('left-revoked').waitFor({ state: 'detached' });
    assert.equal(await section().isHidden(), true, 'none left: the section goes');
    assert.deepEqual(await appSecrets(), before.filter((k) => k !== r.keyId), 'only its key left the app');
    assert.deepEqual((await call('GET', L)).json.leftovers.map((l) => l.id), [elsewhere.id]);

    assert.equal((await call('DELETE', `${L}/${elsewhere.id}?secrets=keep`)).status, 200);
    assert.deepEqual(b.errors, []);
  });

  test('"Show secrets" failing in Graph shows the error; remove with "keep" only forgets the record', async () => {
    const r = await rotated('left-kept', graph);
    assert.equal((await call('DELETE', `${R}/${r.id}?secrets=keep`)).status, 200);
    await b.page.goto(page());
    await leftover('left-kept').waitFor();

    await env.admin('POST', '/faults', { service: 'graph', method: 'GET', pathPrefix: '/v1.0/applications', action: { kind: 'status', status: 403 }, count: 1 });
    await leftover('left-kept').getByRole('button', { name: 'Show secrets' }).click();
    await leftover('left-kept').locator('.leftover-secrets [role=alert]').waitFor();
    await env.admin('DELETE', '/faults');
    await leftover('left-kept').getByRole('button', { name: 'Show secrets' }).click();
    const keyCells = leftover('left-kept').locator('.leftover-secrets td.key-id');
    await keyCells.first().waitFor();
    assert.deepEqual(await keyCells.allInnerTexts(), [r.keyId], 'shown again once Graph answers');

    await leftover('left-kept').getByRole('button', { name: 'Remove…' }).click();
    await dialog().getByLabel('Just forget the record: they stay until they expire').check();
    const sent = nextDelete(r.id);
    await dialog().getByRole('button', { name: 'Remove' }).click();
    assert.equal(new URL((await sent).url()).search, '?secrets=keep');
    await b.page.locator('.notice', { hasText: 'Its secrets stay in Entra ID until they expire.' }).waitFor();
    await leftover('left-kept').waitFor({ state: 'detached' });
    assert.equal(await section().isHidden(), true);
    assert.ok((await appSecrets()).includes(r.keyId), 'the key stays on the app');
    assert.deepEqual((await call('GET', L)).json.leftovers, [], 'the record is gone');
    assert.deepEqual(b.errors, []);
  });
});

describe('deleting a connection that has leftovers', () => {
  const list = () => `${env.worker.base}/organization/app-connections`;
  const row = (name) => b.page.locator('tr', { has: b.page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
  const warning = () => dialog().locator('.leftovers-warning');
  const connection = async (name) => {
    const r = await call('POST', C, { name, method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET });
    assert.equal(r.status, 201, r.text);
    return r.json.appConnection;
  };
  /** A rotation deleted with "keep": a leftover of `conn`, and the key it left on the app. */
  const leftBehind = async (name, conn, app) => {
    const r = await rotated(name, conn, app);
    assert.equal((await call('DELETE', `${R}/${r.id}?secrets=keep`)).status, 200);
    return r;
  };
  /** The dialog of the row's Delete, once the leftovers of its connection have been read. */
  const openDelete = async (name) => {
    const read = b.page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === L);
    await row(name).getByRole('button', { name: 'Delete' }).click();
    await dialog().getByText(`Delete ${name}?`).waitFor();
    await read;
  };
  const nextConnectionDelete = (id) => b.page.waitForRequest((r) => r.method() === 'DELETE' && new URL(r.url()).pathname === `${C}/${id}`);

  test('the confirmation names the leftovers it forgets and says their secrets stay; the delete then proceeds and the secrets stay in Entra ID', async () => {
    const doomed = await connection('doomed');
    const pay = await leftBehind('doomed-pay', doomed, TARGET_APP);
    const bill = await leftBehind('doomed-bill', doomed, SECOND_APP);
    const elsewhere = await leftBehind('kept-elsewhere', other, TARGET_APP);
    // Still in use: the in-use dialog warns too, before it deletes the rotation with the connection.
    const live = await call('POST', R, { name: 'doomed-live', connectionId: doomed.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 });
    assert.equal(live.status, 201, live.text);
    const names = (await call('GET', L)).json.leftovers.filter((l) => l.connectionId === doomed.id).map((l) => `Rotation ${l.name} of ${l.target.displayName}`);
    assert.deepEqual(names.toSorted(), ['Rotation doomed-bill of billing-api (second rotation target)', 'Rotation doomed-pay of payments-api (rotation target)']);

    await b.page.goto(list());
    await openDelete('doomed');
    const alert = warning().locator('.alert.warning');
    await alert.waitFor();
    assert.match(await alert.locator('strong').innerText(), /^azconn also forgets 2 records of secrets left by deleted rotations:$/);
    assert.deepEqual(await alert.locator('ul.leftovers-forgotten li').allInnerTexts(), names, 'each of them, in the order the API lists them');
    const text = await alert.innerText();
    assert.match(text, /Their secrets stay in Entra ID until they expire/);
    assert.match(text, /use “Remove…” under “Secrets left by deleted rotations” on the connection’s page first/);
    assert.doesNotMatch(text, /kept-elsewhere/, 'another connection’s leftover is not counted');
    await shot(b.page, 'delete-connection-leftovers');

    await dialog().getByRole('button', { name: 'Delete connection' }).click();
    await dialog().getByText('doomed is in use').waitFor();
    await warning().locator('.alert.warning').waitFor();
    assert.deepEqual(await warning().locator('ul.leftovers-forgotten li').allInnerTexts(), names, 'the in-use dialog says it too');
    const sent = nextConnectionDelete(doomed.id);
    await dialog().getByRole('button', { name: 'Delete doomed and 1 dependent' }).click();
    assert.equal(new URL((await sent).url()).searchParams.get('dependents'), 'delete');
    await row('doomed').waitFor({ state: 'detached' });
    assert.equal((await call('GET', `${C}/${doomed.id}`)).status, 404);
    assert.deepEqual((await call('GET', L)).json.leftovers.map((l) => l.id), [elsewhere.id], 'its records are forgotten, the other connection’s stays');
    assert.ok((await appSecrets(TARGET_APP)).includes(pay.keyId), 'the secret stays on the app');
    assert.ok((await appSecrets(SECOND_APP)).includes(bill.keyId), 'the secret stays on the app');

    assert.equal((await call('DELETE', `${L}/${elsewhere.id}?secrets=revoke`)).status, 200);
    assert.deepEqual(b.errors, []);
  });

  test('no warning for a connection without leftovers; a failed check says so and does not block the delete', async () => {
    const clean = await connection('clean');
    const unchecked = await connection('unchecked');
    await b.page.goto(list());

    await openDelete('clean');
    await warning().waitFor({ state: 'hidden' });
    assert.doesNotMatch(await dialog().innerText(), /forgets|Could not check/);
    let sent = nextConnectionDelete(clean.id);
    await dialog().getByRole('button', { name: 'Delete connection' }).click();
    await sent;
    await row('clean').waitFor({ state: 'detached' });

    const leftoverList = (u) => u.pathname === L;
    await b.page.route(leftoverList, (r) => r.abort('failed'));
    try {
      await row('unchecked').getByRole('button', { name: 'Delete' }).click();
      await warning().getByText('Could not check for secrets left by deleted rotations').waitFor();
      assert.match(await warning().innerText(), /Deleting the connection forgets any there are; their secrets stay in Entra ID\./);
      sent = nextConnectionDelete(unchecked.id);
      await dialog().getByRole('button', { name: 'Delete connection' }).click();
      await sent;
      await row('unchecked').waitFor({ state: 'detached' });
    } finally {
      await b.page.unroute(leftoverList);
    }
    assert.equal((await call('GET', `${C}/${unchecked.id}`)).status, 404);
    assert.deepEqual(b.errors, []);
  });
});
