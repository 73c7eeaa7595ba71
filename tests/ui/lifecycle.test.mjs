// Editing and deleting rotations and syncs in chromium: the settings dialogs save only what
// changed at the version read (a field error shows on its field, a stale version reloads the
// form), and a delete does what the explicit choice says, checked in the emulator: the secrets
// a rotation created revoked in Entra ID or kept, the keys a sync owns removed or kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TARGET_APP, TENANT, setup } from '../e2e/harness.mjs';
import { launch, shot, signInUi } from './browser.mjs';

const R = '/api/v1/secret-rotations/azure-client-secret';
const S = '/api/v1/secret-syncs/azure-app-configuration';

let env;
let org;
let b;
let graph;
let store;

before(async () => {
  env = await setup();
  org = await env.newOrg('ui-lifecycle');
  const base = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };
  graph = (await env.api('POST', '/api/v1/app-connections/azure-client-secrets', { token: org.token, body: { name: 'graph', ...base } })).json.appConnection;
  store = (await env.api('POST', '/api/v1/app-connections/azure-app-configuration', { token: org.token, body: { name: 'store', endpoint: env.emulator.stores.demo, ...base } })).json.appConnection;
  assert.ok(graph && store);
  b = await launch();
  await signInUi(b.page, env.worker.base, org.token);
});

after(async () => {
  await b?.close();
  await env?.stop();
});

const call = (method, path, body) => env.api(method, path, { token: org.token, body });

const dialog = () => b.page.getByRole('dialog');
/** The field of the open dialog whose input has `label`: its input and its error line. */
const dialogField = (label) => {
  const row = dialog().locator('.field', { has: b.page.getByLabel(label, { exact: true }) });
  return { input: row.getByLabel(label, { exact: true }), error: row.locator('.field-error') };
};
/** The JSON body of the next request the page sends with `method` to a path ending in `id`. */
const nextRequest = (method, id) => b.page.waitForRequest((r) => r.method() === method && new URL(r.url()).pathname.endsWith(`/${id}`));

describe('rotation', () => {
  let rotation;
  const page = () => `${env.worker.base}/organization/app-connections/azure-client-secrets/${graph.id}`;
  const get = async (id) => (await call('GET', `${R}/${id}`)).json.rotation;
  const appSecrets = async () => (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials.map((p) => p.keyId);
  /** A rotation of the target app that has rotated once: the secret it created. */
  const rotated = async (name) => {
    const c = await call('POST', R, { name, connectionId: graph.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 });
    assert.equal(c.status, 201, c.text);
    const r = await call('POST', `${R}/${c.json.rotation.id}/rotate`);
    assert.equal(r.status, 200, r.text);
    return { id: c.json.rotation.id, keyId: r.json.secret.keyId };
  };

  test('edit the schedule: only the changes are sent at the version read, and the API then has them', async () => {
    const c = await call('POST', R, { name: 'payments', connectionId: graph.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 });
    assert.equal(c.status, 201, c.text);
    rotation = c.json.rotation;
    await b.page.goto(page());
    const card = b.page.locator('article.rotation');
    await card.waitFor();
    await card.getByRole('button', { name: 'Edit schedule' }).click();
    await dialog().getByRole('heading', { name: /^Edit the schedule of/ }).waitFor();
    const interval = dialogField('Rotate every (days)');
    assert.equal(await interval.input.inputValue(), '30', 'the form starts from the rotation as read');
    assert.equal(await dialogField('Rotate automatically').input.isChecked(), true);

    // A value the server refuses: its error shows on that field, nothing is written.
    await interval.input.fill('0');
    let sent = nextRequest('PATCH', rotation.id);
    await dialog().getByRole('button', { name: 'Save schedule' }).click();
    assert.deepEqual((await sent).postDataJSON(), { version: 1, intervalDays: 0 });
    await interval.error.filter({ hasText: /\S/ }).waitFor();
    assert.match(await interval.error.innerText(), /interval/i);
    assert.equal(await interval.input.getAttribute('aria-invalid'), 'true');
    assert.equal(await interval.input.evaluate((el) => el === document.activeElement), true, 'the field in error has the focus');
    assert.equal(await dialogField('Secret lifetime (days)').error.innerText(), '');
    assert.deepEqual(await get(rotation.id), rotation, 'nothing changed');
    await shot(b.page, 'rotation-edit-field-error');

    await interval.input.fill('14');
    assert.equal(await interval.error.innerText(), '', 'typing again clears the error');
    await dialogField('Secret lifetime (days)').input.fill('45');
    await dialogField('Previous secrets kept').input.fill('2');
    await dialogField('At (UTC)').input.fill('03:15');
    await dialogField('Description (optional)').input.fill('every two weeks');
    sent = nextRequest('PATCH', rotation.id);
    await dialog().getByRole('button', { name: 'Save schedule' }).click();
    assert.deepEqual((await sent).postDataJSON(), {
      version: 1, description: 'every two weeks', intervalDays: 14, lifetimeDays: 45, keepPrevious: 2, rotateAtUtc: { hours: 3, minutes: 15 },
    });
    await dialog().waitFor({ state: 'detached' });
    await card.locator('.rotation-schedule', { hasText: 'Automatic, at 03:15 UTC' }).waitFor();
    assert.equal(await card.locator('.rotation-lifetime').innerText(), '45 days, rotated every 14 days, 2 previous secret(s) kept');
    let now = await get(rotation.id);
    assert.deepEqual(
      [now.version, now.name, now.description, now.intervalDays, now.lifetimeDays, now.keepPrevious, now.isAutoRotationEnabled, now.rotateAtUtc],
      [2, 'payments', 'every two weeks', 14, 45, 2, true, { hours: 3, minutes: 15 }],
    );
    assert.ok(now.nextRotationAt > 0);

    // Automatic rotation off: manual only, no next run.
    await card.getByRole('button', { name: 'Edit schedule' }).click();
    await dialogField('Rotate automatically').input.uncheck();
    assert.equal(await dialogField('At (UTC)').input.isDisabled(), true);
    sent = nextRequest('PATCH', rotation.id);
    await dialog().getByRole('button', { name: 'Save schedule' }).click();
    assert.deepEqual((await sent).postDataJSON(), { version: 2, isAutoRotationEnabled: false });
    await card.locator('.rotation-schedule', { hasText: 'Manual only' }).waitFor();
    now = await get(rotation.id);
    assert.deepEqual([now.version, now.isAutoRotationEnabled, now.nextRotationAt], [3, false, null]);
    assert.deepEqual(b.errors, []);
  });

  test('a change made elsewhere since the dialog opened: 409, the form reloads and says so, then saves', async () => {
    const card = b.page.locator('article.rotation');
    await card.getByRole('button', { name: 'Edit schedule' }).click();
    const interval = dialogField('Rotate every (days)');
    assert.equal(await interval.input.inputValue(), '14');
    const elsewhere = await call('PATCH', `${R}/${rotation.id}`, { version: 3, description: 'changed elsewhere' });
    assert.equal(elsewhere.status, 200, elsewhere.text);
    await interval.input.fill('20');
    await dialog().getByRole('button', { name: 'Save schedule' }).click();
    await dialog().locator('.stale', { hasText: 'Someone else changed this rotation since you opened it' }).waitFor();
    assert.equal(await dialogField('Description (optional)').input.inputValue(), 'changed elsewhere', 'the form shows the rotation as it is now');
    assert.equal(await interval.input.inputValue(), '14');
    assert.equal((await get(rotation.id)).intervalDays, 14, 'the stale write changed nothing');
    await shot(b.page, 'rotation-edit-stale');
    await interval.input.fill('20');
    const sent = nextRequest('PATCH', rotation.id);
    await dialog().getByRole('button', { name: 'Save schedule' }).click();
    assert.deepEqual((await sent).postDataJSON(), { version: 4, intervalDays: 20 });
    await dialog().waitFor({ state: 'detached' });
    await card.locator('.rotation-lifetime', { hasText: 'rotated every 20 days' }).waitFor();
    const now = await get(rotation.id);
    assert.deepEqual([now.version, now.intervalDays, now.description], [5, 20, 'changed elsewhere']);
    assert.equal((await call('DELETE', `${R}/${rotation.id}?secrets=keep`)).status, 200);
    assert.deepEqual(b.errors, []);
  });

  test('delete with "revoke": the secret it created is gone from the app, the page names it', async () => {
    const before = await appSecrets();
    const r = await rotated('revoking');
    await b.page.goto(page());
    const card = b.page.getByRole('article', { name: /^Rotation of/ });
    await card.waitFor();
    await card.getByRole('button', { name: 'Delete rotation' }).click();
    await dialog().getByLabel('Revoke them in Entra ID (apps using them stop working)').check();
    await shot(b.page, 'rotation-delete');
    const sent = nextRequest('DELETE', r.id);
    await dialog().getByRole('button', { name: 'Delete rotation' }).click();
    assert.equal(new URL((await sent).url()).search, '?secrets=revoke');
    await b.page.locator('.notice .revoked', { hasText: `Revoked in Entra ID: ${r.keyId}.` }).waitFor();
    assert.equal(await card.count(), 0, 'the card goes');
    await b.page.getByText('No rotation yet').waitFor();
    const after = await appSecrets();
    assert.ok(!after.includes(r.keyId), 'revoked in the emulator');
    assert.deepEqual(after.sort(), before.sort(), 'the secrets it did not create stay');
    assert.equal((await call('GET', `${R}/${r.id}`)).status, 404);
    assert.deepEqual(b.errors, []);
  });

  test('delete with "keep": the secret it created stays in the app', async () => {
    const r = await rotated('keeping');
    await b.page.goto(page());
    const card = b.page.getByRole('article', { name: /^Rotation of/ });
    await card.waitFor();
    await card.getByRole('button', { name: 'Delete rotation' }).click();
    await dialog().getByLabel('Keep them until they expire').check();
    const sent = nextRequest('DELETE', r.id);
    await dialog().getByRole('button', { name: 'Delete rotation' }).click();
    assert.equal(new URL((await sent).url()).search, '?secrets=keep');
    await b.page.locator('.notice', { hasText: 'The secrets it created stay in Entra ID until they expire.' }).waitFor();
    assert.equal(await card.count(), 0);
    assert.ok((await appSecrets()).includes(r.keyId), 'kept in the emulator');
    assert.equal((await call('GET', `${R}/${r.id}`)).status, 404);
    assert.deepEqual(b.errors, []);
  });
});

describe('sync', () => {
  const page = () => `${env.worker.base}/organization/app-connections/azure-app-configuration/${store.id}`;
  const keys = async (label) => (await env.admin('GET', '/stores/demo/kv')).items.filter((k) => k.label === label).map((k) => k.key).sort();
  const card = (name) => b.page.getByRole('article', { name: `Sync ${name}` });
  /** A sync that has written `secrets` under `label` and `keyPrefix`. */
  const ran = async (name, label, keyPrefix, secrets) => {
    const c = await call('POST', S, { name, connectionId: store.id, label, keyPrefix });
    assert.equal(c.status, 201, c.text);
    const r = await call('POST', `${S}/${c.json.sync.id}/run`, { secrets });
    assert.equal(r.status, 200, r.text);
    return r.json.sync;
  };

  /** Writes a key straight to the store, as another tool would (as the e2e tests do). */
  async function putKv(key, label, value) {
    const tok = await call('POST', `/api/v1/app-connections/azure-app-configuration/${store.id}/token`);
    assert.equal(tok.status, 200, tok.text);
    const res = await fetch(`${env.emulator.stores.demo}/kv/${encodeURIComponent(key)}?label=${encodeURIComponent(label)}&api-version=2023-11-01`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tok.json.accessToken}`, 'content-type': 'application/vnd.microsoft.appconfig.kv+json' },
      body: JSON.stringify({ value }),
    });
    assert.equal(res.status, 200, await res.text());
  }

  test('edit a sync: a refused key shape shows on its field; mode, label and deletions persist', async () => {
    const s = await ran('editing', 'ed', 'ed/', { A: '1' });
    await b.page.goto(page());
    await card('editing').waitFor();
    await card('editing').getByRole('button', { name: 'Edit sync' }).click();
    const shape = dialogField('Key prefix or schema');
    assert.equal(await shape.input.inputValue(), 'ed/');
    await shape.input.fill('ed dir/');
    let sent = nextRequest('PATCH', s.id);
    await dialog().getByRole('button', { name: 'Save sync' }).click();
    assert.deepEqual((await sent).postDataJSON(), { version: 1, keySchema: 'ed dir/{{secretKey}}' });
    await shape.error.filter({ hasText: /\S/ }).waitFor();
    assert.equal(await shape.input.getAttribute('aria-invalid'), 'true');
    assert.equal((await call('GET', `${S}/${s.id}`)).json.sync.version, 1, 'nothing written');
    await shot(b.page, 'sync-edit-field-error');

    await shape.input.fill('ed/');
    await dialogField('Label (optional)').input.fill('staging');
    await dialog().getByLabel(/^Import, prefer source/).check();
    await dialogField('Never delete keys from the store').input.check();
    sent = nextRequest('PATCH', s.id);
    await dialog().getByRole('button', { name: 'Save sync' }).click();
    assert.deepEqual((await sent).postDataJSON(), { version: 1, label: 'staging', mode: 'importPreferSource', disableSecretDeletion: true });
    await dialog().waitFor({ state: 'detached' });
    await card('editing').locator('.sync-mode', { hasText: 'importPreferSource' }).waitFor();
    assert.match(await card('editing').locator('h4').innerText(), /label staging/);
    assert.match(await card('editing').locator('.sync-deletes').innerText(), /^Never/);
    const now = (await call('GET', `${S}/${s.id}`)).json.sync;
    assert.deepEqual(
      [now.version, now.label, now.mode, now.disableSecretDeletion, now.keyPrefix],
      [2, 'staging', 'importPreferSource', true, 'ed/'],
    );
    assert.equal((await call('DELETE', `${S}/${s.id}?keys=remove`)).status, 200);
    assert.deepEqual(b.errors, []);
  });

  test('delete with "remove": the keys it owns leave the store, a key it does not own stays', async () => {
    await putKv('rm/Hand', 'del', 'by hand');
    const s = await ran('removing', 'del', 'rm/', { A: '1', B: '2' });
    assert.deepEqual(await keys('del'), ['rm/A', 'rm/B', 'rm/Hand']);
    await b.page.goto(page());
    await card('removing').getByRole('button', { name: 'Delete sync' }).click();
    await dialog().getByLabel('Remove them from the store').check();
    await shot(b.page, 'sync-delete');
    const sent = nextRequest('DELETE', s.id);
    await dialog().getByRole('button', { name: 'Delete sync' }).click();
    assert.equal(new URL((await sent).url()).search, '?keys=remove');
    await b.page.locator('.notice .removed', { hasText: 'Removed from the store: rm/A, rm/B.' }).waitFor();
    assert.equal(await card('removing').count(), 0);
    assert.deepEqual(await keys('del'), ['rm/Hand']);
    assert.equal((await call('GET', `${S}/${s.id}`)).status, 404);
    assert.deepEqual(b.errors, []);
  });

  test('delete with "keep": the keys it wrote stay in the store', async () => {
    const s = await ran('keeping', 'kept', 'kp/', { C: '3' });
    await b.page.goto(page());
    await card('keeping').getByRole('button', { name: 'Delete sync' }).click();
    await dialog().getByLabel('Keep them in the store').check();
    const sent = nextRequest('DELETE', s.id);
    await dialog().getByRole('button', { name: 'Delete sync' }).click();
    assert.equal(new URL((await sent).url()).search, '?keys=keep');
    await b.page.locator('.notice', { hasText: 'The keys it wrote stay in the store.' }).waitFor();
    assert.equal(await card('keeping').count(), 0);
    assert.deepEqual(await keys('kept'), ['kp/C']);
    assert.equal((await call('GET', `${S}/${s.id}`)).status, 404);
    assert.deepEqual(b.errors, []);
  });
});
