// Rotation and sync in chromium: pick an app registration, rotate now with live progress
// through the real steps (propagation delay on), the new secret shown once, the app's secrets
// on a timeline; a sync from pasted .env pairs and a JSON file, plan first, then the result.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TARGET_APP, TENANT, setup } from '../e2e/harness.mjs';
import { launch, shot, signInUi } from './browser.mjs';

let env;
let org;
let b;
let graph;
let store;

before(async () => {
  env = await setup();
  org = await env.newOrg('ui-flows');
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

const row = (name) => b.page.locator('tr', { has: b.page.locator('.name', { hasText: new RegExp(`^${name}$`) }) });

describe('rotation', () => {
  test('pick the app, guard the schedule, rotate with live steps, secret shown once, timeline', async () => {
    await row('graph').getByRole('link', { name: 'Rotate secrets' }).click();
    await b.page.waitForURL(new RegExp(`/azure-client-secrets/${graph.id}$`));
    await b.page.getByText('No rotation yet').waitFor();
    await b.page.getByLabel('App registration', { exact: true }).fill(TARGET_APP.slice(0, 8));
    const apps = b.page.locator('.app-list .app');
    assert.equal(await apps.count(), 1);
    await apps.first().getByRole('radio').check();
    await b.page.getByLabel('Secret lifetime (days)').fill('30');
    await b.page.getByLabel('Rotate every (days)').fill('60');
    await b.page.getByRole('button', { name: 'Create rotation' }).click();
    await b.page.getByText('Rotate more often than the lifetime').waitFor();
    await b.page.getByLabel('Secret lifetime (days)').fill('90');
    await b.page.getByLabel('Rotate every (days)').fill('30');
    assert.equal(await b.page.getByLabel('Rotate automatically').isChecked(), true, 'automatic by default');
    assert.equal(await b.page.getByLabel('At (UTC)').inputValue(), '00:00');
    await b.page.getByLabel('At (UTC)').fill('02:30');
    await b.page.getByRole('button', { name: 'Create rotation' }).click();
    const card = b.page.locator('article.rotation');
    await card.waitFor();
    assert.equal(await card.locator('.rotation-schedule').innerText(), 'Automatic, at 02:30 UTC');
    const [created] = (await env.api('GET', '/api/v1/secret-rotations/azure-client-secret', { token: org.token })).json.rotations;
    assert.deepEqual([created.isAutoRotationEnabled, created.rotateAtUtc], [true, { hours: 2, minutes: 30 }]);
    const before = (await env.admin('GET', `/applications/${TARGET_APP}`)).passwordCredentials.length;

    await env.admin('PUT', '/settings', { secretPropagationSeconds: 3 });
    try {
      await card.getByRole('button', { name: 'Rotate now' }).click();
      // Live: the page shows the step the Worker is on while Azure has not accepted the secret.
      await card.locator('li.step.current', { hasText: 'Waiting for Azure to accept it' }).waitFor({ timeout: 15000 });
      // The page reloads the app's secrets after the run (the run itself reads no more of
      // Graph): slowed down, the outcome must still show only once the card has the new secret.
      await env.admin('POST', '/faults', { service: 'graph', method: 'GET', pathPrefix: '/v1.0/applications', action: { kind: 'delay', ms: 1500 }, count: 1 });
      await card.locator('li.step.done', { hasText: 'Adding a new secret' }).waitFor();
      await shot(b.page, 'rotation-progress');
      await card.getByText('New secret created.').waitFor({ timeout: 60000 });
    } finally {
      await env.admin('PUT', '/settings', { secretPropagationSeconds: 0 });
      await env.admin('DELETE', '/faults');
    }
    for (const step of ["Reading the app's secrets", 'Adding a new secret', 'Waiting for Azure to accept it', 'Publishing it to azconn and its syncs']) {
      await card.locator('li.step.done', { hasText: step }).waitFor();
    }
    const value = await card.getByLabel('New client secret value').inputValue();
    const app = await env.admin('GET', `/applications/${TARGET_APP}`);
    assert.equal(app.passwordCredentials.length, before + 1);
    const added = app.passwordCredentials.find((p) => value.startsWith(p.hint));
    assert.ok(added, 'the shown value is the added secret');
    await card.getByRole('button', { name: 'Copy secret' }).waitFor();
    // The timeline: one bar per secret, the current one named.
    await card.locator('.timeline-svg rect.tl-bar').first().waitFor();
    assert.equal(await card.locator('.timeline-svg rect.tl-bar').count(), app.passwordCredentials.length);
    const table = await card.locator('.secrets-table').innerText();
    assert.match(table, /\(current\)/);
    assert.match(table, /(89|90) days left/, 'the new secret lives 90 days');
    assert.match(await card.locator('.current-secret').innerText(), new RegExp(added.keyId));
    assert.equal(await card.locator('.rotation-status').innerText(), 'active');
    await shot(b.page, 'rotation-done');
    await card.getByRole('button', { name: 'I have stored it' }).click();
    assert.equal(await card.getByLabel('New client secret value').count(), 0);
    // Shown once: a reload shows the hint only.
    await b.page.reload();
    await b.page.locator('article.rotation').waitFor();
    assert.doesNotMatch(await b.page.locator('main').innerText(), new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.deepEqual(b.errors, []);
  });
});

describe('sync', () => {
  const kv = () => env.admin('GET', '/stores/demo/kv');

  test('plan before applying, then the result; re-runs update and delete only what changed', async () => {
    await b.page.goto(`${env.worker.base}/organization/app-connections`);
    await row('store').getByRole('link', { name: 'Sync secrets' }).click();
    await b.page.waitForURL(new RegExp(`/azure-app-configuration/${store.id}$`));
    assert.equal(await b.page.getByLabel('Store endpoint').inputValue(), env.emulator.stores.demo);
    await b.page.getByLabel('Label (optional)').fill('prod');
    await b.page.getByLabel('Key prefix or schema (optional)').fill('ui/');
    await b.page.getByRole('button', { name: 'Create sync' }).click();
    const card = b.page.locator('article.sync');
    await card.waitFor();
    const secrets = card.getByLabel('Secrets (JSON object or NAME=value lines)');
    await secrets.fill('not a pair');
    await card.getByText('Line 1 is not NAME=value.').waitFor();
    await secrets.fill('# app\nDB_URL="postgres://db/app"\nAPI_KEY=k1\n');
    await card.getByText('2 secret(s) read').waitFor();
    await card.getByRole('button', { name: 'Preview plan' }).click();
    await card.getByText('Plan (nothing written yet)').waitFor();
    assert.match(await card.locator('.plan-group.create').innerText(), /Create: 2[\s\S]*ui\/API_KEY[\s\S]*ui\/DB_URL/);
    assert.match(await card.locator('.plan-group.delete').innerText(), /Delete: 0/);
    const listed = JSON.stringify(await kv());
    assert.doesNotMatch(listed, /ui\/DB_URL/, 'the preview wrote nothing');
    await shot(b.page, 'sync-plan');
    await card.getByRole('button', { name: 'Apply' }).click();
    await card.getByText('Sync applied.').waitFor();
    assert.match(await card.locator('.sync-result').innerText(), /2 change\(s\) written/);
    const after1 = JSON.stringify(await kv());
    assert.match(after1, /ui\/DB_URL/);
    assert.match(after1, /postgres:\/\/db\/app/);
    await shot(b.page, 'sync-applied');

    // A JSON file: one value changes, one key goes away.
    await card.getByLabel('Or choose a .json / .env file').setInputFiles({ name: 'secrets.json', mimeType: 'application/json', buffer: Buffer.from('{"DB_URL":"postgres://db/v2"}') });
    await card.getByText('1 secret(s) read').waitFor();
    await card.getByRole('button', { name: 'Preview plan' }).click();
    await card.locator('.plan-group.update', { hasText: 'Update: 1' }).waitFor();
    assert.match(await card.locator('.plan-group.delete').innerText(), /Delete: 1[\s\S]*ui\/API_KEY/);
    assert.match(await card.locator('.plan-group.create').innerText(), /Create: 0/);
    await card.getByRole('button', { name: 'Apply' }).click();
    await card.locator('.sync-result', { hasText: 'deleted ui/API_KEY' }).waitFor();
    const after2 = JSON.stringify(await kv());
    assert.doesNotMatch(after2, /ui\/API_KEY/);
    assert.match(after2, /postgres:\/\/db\/v2/);
    await card.getByRole('button', { name: 'Preview plan' }).click();
    await card.locator('.plan-group.unchanged', { hasText: 'Unchanged: 1' }).waitFor();
    await shot(b.page, 'sync-unchanged');
    assert.deepEqual(b.errors, []);
  });
});

describe('sync conflicts and confirmations', () => {
  let store2;
  let card;
  const kv = async (key) => (await env.admin('GET', '/stores/demo/kv')).items.find((k) => k.label === 'safe' && k.key === key);
  /** The body of the next real (not dry) run the page sends. */
  const nextRun = () => b.page.waitForRequest((r) => r.method() === 'POST' && /\/run$/.test(r.url()) && r.postDataJSON().dryRun === undefined);
  /** The body of an applying run, without the preview's fingerprint it must carry. */
  const applied = async (sent) => {
    const { fingerprint, ...rest } = (await sent).postDataJSON();
    assert.match(fingerprint, /^[A-Za-z0-9_-]{43}$/, 'the run carries its preview\'s fingerprint');
    return rest;
  };

  /** Writes a key straight to the store, as another tool would (as the e2e tests do). */
  async function putKv(key, label, value, tags) {
    const tok = await env.api('POST', `/api/v1/app-connections/azure-app-configuration/${store2.id}/token`, { token: org.token });
    assert.equal(tok.status, 200, tok.text);
    const res = await fetch(`${env.emulator.stores.demo}/kv/${encodeURIComponent(key)}?label=${encodeURIComponent(label)}&api-version=2023-11-01`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tok.json.accessToken}`, 'content-type': 'application/vnd.microsoft.appconfig.kv+json' },
      body: JSON.stringify({ value, tags }),
    });
    assert.equal(res.status, 200, await res.text());
  }

  before(async () => {
    const base = { method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET };
    store2 = (await env.api('POST', '/api/v1/app-connections/azure-app-configuration', { token: org.token, body: { name: 'store2', endpoint: env.emulator.stores.demo, ...base } })).json.appConnection;
    assert.ok(store2);
  });

  test('an unmanaged key shows as a conflict, stays untouched without adopt, is taken over when adopted', async () => {
    await putKv('safe/DB', 'safe', 'by hand', { team: 'pay' });
    await b.page.goto(`${env.worker.base}/organization/app-connections`);
    await row('store2').getByRole('link', { name: 'Sync secrets' }).click();
    await b.page.waitForURL(new RegExp(`/azure-app-configuration/${store2.id}$`));
    await b.page.getByLabel('Label (optional)').fill('safe');
    await b.page.getByLabel('Key prefix or schema (optional)').fill('safe/{{secretKey}}');
    await b.page.getByRole('button', { name: 'Create sync' }).click();
    card = b.page.locator('article.sync');
    await card.waitFor();
    await card.getByLabel('Secrets (JSON object or NAME=value lines)').fill('DB=from-azconn\nAPI=k\n');
    await card.getByText('2 secret(s) read').waitFor();
    await card.getByRole('button', { name: 'Preview plan' }).click();
    const conflicts = card.locator('.plan-group.conflicts');
    await conflicts.waitFor();
    assert.match(await conflicts.innerText(), /Conflicts: 1[\s\S]*safe\/DB exists in the store, not written by azconn/);
    assert.match(await card.locator('.plan-group.create').innerText(), /Create: 1[\s\S]*safe\/API/);
    assert.match(await card.locator('.plan-group.update').innerText(), /Update: 0/);
    assert.equal(await card.getByLabel('Adopt safe/DB').isChecked(), false);
    await shot(b.page, 'sync-conflict');

    // Not adopted: the run leaves the key as it is and says so.
    let sent = nextRun();
    await card.getByRole('button', { name: 'Apply' }).click();
    assert.deepEqual(await applied(sent), { secrets: { DB: 'from-azconn', API: 'k' } });
    await card.locator('.sync-result', { hasText: 'Left alone (not adopted): safe/DB' }).waitFor();
    assert.match(await card.locator('.sync-result').innerText(), /1 change\(s\) written[\s\S]*written safe\/API/);
    let db = await kv('safe/DB');
    assert.equal(db.value, 'by hand');
    assert.deepEqual(db.tags, { team: 'pay' });

    // Adopted: the next run takes it over, keeping its other tags.
    await card.getByRole('button', { name: 'Preview plan' }).click();
    await card.getByLabel('Adopt safe/DB').check();
    sent = nextRun();
    await card.getByRole('button', { name: 'Apply' }).click();
    assert.deepEqual(await applied(sent), { secrets: { DB: 'from-azconn', API: 'k' }, adopt: ['safe/DB'] });
    await card.locator('.sync-result', { hasText: 'written safe/DB' }).waitFor();
    assert.equal(await card.locator('.conflicts-left').count(), 0);
    db = await kv('safe/DB');
    assert.equal(db.value, 'from-azconn');
    assert.equal(db.tags.team, 'pay');
    assert.equal(db.tags['managed-by'], 'azconn');
    await card.getByRole('button', { name: 'Preview plan' }).click();
    await card.locator('.plan-group.unchanged', { hasText: 'Unchanged: 2' }).waitFor();
    assert.equal(await card.locator('.plan-group.conflicts').count(), 0);
    assert.deepEqual(b.errors, []);
  });

  test('a run deleting more than it keeps asks to confirm the number of deletions', async () => {
    assert.ok(card, 'runs after the conflict journey, on its sync');
    await card.getByLabel('Secrets (JSON object or NAME=value lines)').fill('{}');
    await card.getByText('0 secret(s) read').waitFor();
    await card.getByRole('button', { name: 'Preview plan' }).click();
    const confirm = card.getByLabel('Yes, delete 2 key(s) from the store');
    await confirm.waitFor();
    assert.match(await card.locator('.plan-group.delete').innerText(), /Delete: 2/);
    const apply = card.getByRole('button', { name: 'Apply' });
    assert.equal(await apply.isDisabled(), true, 'no run until the deletions are confirmed');
    await shot(b.page, 'sync-confirm-deletes');

    // Another tool rewrites a key after the preview: the run refuses and deletes nothing.
    const edited = await kv('safe/API');
    await putKv('safe/API', 'safe', edited.value, edited.tags);
    await confirm.check();
    let sent = nextRun();
    await apply.click();
    await applied(sent);
    await card.locator('.sync-result', { hasText: /store changed since the preview/i }).waitFor();
    assert.equal((await kv('safe/DB')).value, 'from-azconn', 'nothing deleted');

    // A new preview shows the store as it is now; confirmed, it runs.
    await card.getByRole('button', { name: 'Preview plan' }).click();
    await confirm.waitFor();
    await confirm.check();
    sent = nextRun();
    await apply.click();
    assert.deepEqual(await applied(sent), { secrets: {}, confirmDeletes: 2 });
    await card.locator('.sync-result', { hasText: 'deleted safe/DB' }).waitFor();
    assert.match(await card.locator('.sync-result').innerText(), /deleted safe\/API/);
    assert.equal(await kv('safe/DB'), undefined);
    assert.equal(await kv('safe/API'), undefined);
    assert.deepEqual(b.errors, []);
  });
});
