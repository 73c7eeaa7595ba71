// The Audit log view in chromium: reached from the Organization Settings tabs, the newest page
// first, "Load more" appends the next page, each filter narrows the table to exactly the
// entries the API has for it, an empty state, and the server's message when it refuses a filter.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TENANT, setup } from '../e2e/harness.mjs';
import { launch, shot, signInUi } from './browser.mjs';

let env;
let org;
let b;

before(async () => {
  env = await setup();
  org = await env.newOrg('ui-audit');
  const other = await env.newOrg('ui-audit-other');
  // 2 + 58 admin entries, then 3 of the organization's token: over one page of 50.
  for (let i = 0; i < 58; i++) {
    const r = await env.api('POST', `/api/v1/organizations/${org.id}/tokens`, { token: env.bootstrap, body: { name: `t-${i}` } });
    assert.equal(r.status, 201, r.text);
  }
  const form = (name, clientSecret) => ({ name, method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret });
  for (const name of ['wrong-1', 'wrong-2']) {
    const r = await env.api('POST', '/api/v1/app-connections/azure-client-secrets', { token: org.token, body: form(name, 'azc8Q~thisIsNotTheRightSecretValue.000000') });
    assert.equal(r.status, 422, r.text);
  }
  const ok = await env.api('POST', '/api/v1/app-connections/azure-client-secrets', { token: org.token, body: form('graph', AZCONN_SECRET) });
  assert.equal(ok.status, 201, ok.text);
  // Another organization's entries must never show.
  const r = await env.api('POST', '/api/v1/app-connections/azure-client-secrets', { token: other.token, body: form('elsewhere', AZCONN_SECRET) });
  assert.equal(r.status, 201, r.text);
  b = await launch();
  await signInUi(b.page, env.worker.base, org.token);
});

after(async () => {
  await b?.close();
  await env?.stop();
});

/** The API's entries for a query (every page), newest first. */
async function expected(query = '') {
  const r = await env.api('GET', `/api/v1/audit-log?limit=200${query ? `&${query}` : ''}`, { token: org.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.nextCursor, null);
  return r.json.entries.map((e) => String(e.id));
}

/** Waits until the table shows exactly these entry ids, in this order. */
async function rowsAre(ids) {
  await b.page.waitForFunction(
    (want) => [...document.querySelectorAll('table.audit tbody tr')].map((r) => r.getAttribute('data-entry')).join(',') === want,
    ids.join(','),
  );
}

const more = () => b.page.getByRole('button', { name: 'Load more' });

describe('audit log', () => {
  test('reached from the settings tabs: the newest 50, then Load more appends the rest', async () => {
    await b.page.getByRole('tab', { name: 'Audit log' }).click();
    await b.page.waitForURL(/\/organization\/audit-log$/);
    await b.page.getByRole('heading', { name: 'Audit log' }).waitFor();
    assert.equal(await b.page.getByRole('tab', { name: 'Audit log' }).getAttribute('aria-selected'), 'true');
    const all = await expected();
    assert.equal(all.length, 63);
    await rowsAre(all.slice(0, 50));
    await shot(b.page, 'audit-log');
    // The newest entry, cell by cell, as the API has it.
    const newest = (await env.api('GET', '/api/v1/audit-log?limit=1', { token: org.token })).json.entries[0];
    const cells = await b.page.locator('table.audit tbody tr').first().locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(1, 5), [newest.actor, 'connection.create', newest.target, 'ok']);
    assert.match(cells[0], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    assert.equal(cells[5], 'method: client-secret, name: graph, type: azure-client-secrets');
    await more().click();
    await rowsAre(all);
    await more().waitFor({ state: 'detached' });
    assert.match(await b.page.locator('#audit-count').innerText(), /^63 entries shown$/);
  });

  test('the outcome filter shows exactly the failed entries, and stays in the URL', async () => {
    await b.page.getByLabel('Outcome').selectOption('failed');
    const failed = await expected('outcome=failed');
    assert.equal(failed.length, 2);
    await rowsAre(failed);
    await b.page.waitForURL(/\?outcome=failed$/);
    const details = await b.page.locator('table.audit tbody td.detail').allInnerTexts();
    assert.deepEqual(details.map((d) => d.match(/name: (wrong-\d)/)?.[1]), ['wrong-2', 'wrong-1']);
    // An error in the detail reads as its code and message.
    assert.match(details[0], /^error: token-request-failed: .*AADSTS7000215.*, method: client-secret, name: wrong-2, type: azure-client-secrets$/);
    await b.page.reload();
    await rowsAre(failed);
    assert.equal(await b.page.getByLabel('Outcome').inputValue(), 'failed');
  });

  test('action and actor narrow to their exact rows, paging included', async () => {
    await b.page.getByRole('button', { name: 'Clear filters' }).click();
    await rowsAre((await expected()).slice(0, 50));
    await b.page.getByLabel('Action').selectOption('connection.create');
    await rowsAre(await expected('action=connection.create'));
    assert.equal(await more().count(), 0);
    await b.page.getByLabel('Action').selectOption('');
    await b.page.getByLabel('Actor').fill('admin');
    await b.page.getByLabel('Actor').press('Enter');
    const admin = await expected('actor=admin');
    assert.equal(admin.length, 60);
    await rowsAre(admin.slice(0, 50));
    await more().click();
    await rowsAre(admin);
    // A narrower filter starts again from its newest page.
    await b.page.getByLabel('Action').selectOption('token.create');
    const tokens = await expected('actor=admin&action=token.create');
    assert.equal(tokens.length, 59);
    await rowsAre(tokens.slice(0, 50));
    await more().click();
    await rowsAre(tokens);
  });

  test('a date range before every entry is the empty state; one from then shows them all', async () => {
    await b.page.getByRole('button', { name: 'Clear filters' }).click();
    await b.page.getByLabel('To date').fill('2020-01-01');
    await b.page.getByText('No entries match the filters.').waitFor();
    assert.equal(await b.page.locator('table.audit').count(), 0);
    await b.page.getByLabel('To date').fill('');
    await b.page.getByLabel('From date').fill('2020-01-01');
    await rowsAre((await expected()).slice(0, 50));
  });

  test("a filter the server refuses shows the server's message", async () => {
    await b.page.getByRole('button', { name: 'Clear filters' }).click();
    await b.page.getByLabel('Actor').fill('x'.repeat(201));
    await b.page.getByLabel('Actor').press('Enter');
    const alert = b.page.getByRole('alert');
    await alert.getByText('actor is longer than 200 characters').waitFor();
    assert.match(await alert.innerText(), /matched exactly, as the entries show it/);
    assert.equal(await b.page.locator('table.audit').count(), 0);
    await shot(b.page, 'audit-log-error');
    await b.page.getByRole('button', { name: 'Clear filters' }).click();
    await rowsAre((await expected()).slice(0, 50));
    assert.deepEqual(b.errors, []);
  });
});
