// The audit log end to end: keyset paging (every entry exactly once, newest first, with entries
// written between pages), each filter's exact result, each refused query, and organization
// isolation. Entries come from real calls: tokens the admin creates, connections that pass or
// fail Azure's check.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TENANT, setup } from './harness.mjs';

const LOG = '/api/v1/audit-log';
const CS = '/api/v1/app-connections/azure-client-secrets';

let env;
let orgA;
let orgB;
let actorA;
let connection;

const form = (name, clientSecret = AZCONN_SECRET) => ({ name, method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret });

async function newToken(org, name) {
  const r = await env.api('POST', `/api/v1/organizations/${org.id}/tokens`, { token: env.bootstrap, body: { name } });
  assert.equal(r.status, 201, r.text);
  return r.json.token.id;
}

async function log(org, query = '') {
  const r = await env.api('GET', `${LOG}${query ? `?${query}` : ''}`, { token: org.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['entries', 'nextCursor']);
  return r.json;
}

/** Every entry of a query, page by page (`limit` per page), calling `between` after each page. */
async function pages(org, query, limit, between = async () => {}) {
  const seen = [];
  let cursor = null;
  let count = 0;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    if (cursor !== null) params.set('before', String(cursor));
    const page = await log(org, params.toString());
    assert.ok(page.entries.length <= limit);
    if (page.nextCursor !== null) {
      assert.equal(page.entries.length, limit, 'only the last page is short');
      assert.equal(page.nextCursor, page.entries.at(-1).id);
    }
    seen.push(...page.entries);
    cursor = page.nextCursor;
    count += 1;
    await between();
  } while (cursor !== null);
  return { entries: seen, count };
}

/** Everything the organization's log holds (fewer than 200 entries here). */
async function all(org) {
  const page = await log(org, 'limit=200');
  assert.equal(page.nextCursor, null);
  return page.entries;
}

const ids = (entries) => entries.map((e) => e.id);

before(async () => {
  env = await setup();
  orgA = await env.newOrg('audit-a');
  orgB = await env.newOrg('audit-b');
  // Over 50 entries in A, so the default page is full.
  for (let i = 0; i < 55; i++) await newToken(orgA, `a-${i}`);
  for (let i = 0; i < 3; i++) await newToken(orgB, `b-${i}`);
  const defaultToken = (await all(orgA)).find((e) => e.action === 'token.create' && e.detail.name === 'default');
  actorA = `token:${defaultToken.target}`;
  for (const name of ['wrong-1', 'wrong-2']) {
    const r = await env.api('POST', CS, { token: orgA.token, body: form(name, 'azc8Q~thisIsNotTheRightSecretValue.000000') });
    assert.equal(r.status, 422, r.text);
  }
  const r = await env.api('POST', CS, { token: orgA.token, body: form('graph') });
  assert.equal(r.status, 201, r.text);
  connection = r.json.appConnection;
});

after(async () => {
  await env?.stop();
});

describe('paging', () => {
  test('the default page is the newest 50 with a cursor to the rest', async () => {
    const everything = await all(orgA);
    assert.ok(everything.length > 50);
    const page = await log(orgA);
    assert.deepEqual(ids(page.entries), ids(everything.slice(0, 50)));
    assert.equal(page.nextCursor, everything[49].id);
    const rest = await log(orgA, `limit=200&before=${page.nextCursor}`);
    assert.deepEqual(ids(rest.entries), ids(everything.slice(50)));
    assert.equal(rest.nextCursor, null);
  });

  test('every entry exactly once, newest first, while entries are written between pages', async () => {
    const snapshot = await all(orgA);
    let written = 0;
    const { entries, count } = await pages(orgA, '', 7, async () => {
      written += 1;
      await newToken(orgA, `between-${written}`);
    });
    assert.ok(count > 2, 'more than two pages');
    // The pages are exactly the log as it was when the first page was read.
    assert.deepEqual(ids(entries), ids(snapshot));
    for (let i = 1; i < entries.length; i++) assert.ok(entries[i - 1].id > entries[i].id, 'newest first');
    // What was written meanwhile sits above, newest first, none lost.
    const now = await all(orgA);
    assert.equal(now.length, snapshot.length + written);
    assert.deepEqual(ids(now.slice(written)), ids(snapshot));
    assert.deepEqual(
      now.slice(0, written).map((e) => e.detail.name),
      Array.from({ length: written }, (_, i) => `between-${written - i}`),
    );
  });

  test('a page boundary on the last entry ends with a null cursor, not an empty page', async () => {
    const everything = await all(orgA);
    const limit = everything.length;
    const page = await log(orgA, `limit=${limit}`);
    assert.equal(page.entries.length, limit);
    assert.equal(page.nextCursor, null);
    const oldest = everything.at(-1).id;
    const beyond = await log(orgA, `before=${oldest}`);
    assert.deepEqual(beyond, { entries: [], nextCursor: null });
  });

  test('filtered pages hold every match exactly once', async () => {
    const expected = (await all(orgA)).filter((e) => e.action === 'token.create');
    const { entries, count } = await pages(orgA, 'action=token.create', 4);
    assert.ok(count > 2);
    assert.deepEqual(ids(entries), ids(expected));
  });
});

describe('filters', () => {
  test('action: exactly the entries of that action', async () => {
    const everything = await all(orgA);
    const creates = (await log(orgA, 'action=connection.create&limit=200')).entries;
    assert.deepEqual(ids(creates), ids(everything.filter((e) => e.action === 'connection.create')));
    assert.deepEqual(creates.map((e) => [e.detail.name, e.outcome]), [['graph', 'ok'], ['wrong-2', 'failed'], ['wrong-1', 'failed']]);
    const orgCreate = (await log(orgA, 'action=organization.create')).entries;
    assert.deepEqual(orgCreate.map((e) => e.target), [orgA.id]);
    assert.deepEqual(await log(orgA, 'action=sync.run'), { entries: [], nextCursor: null });
  });

  test('outcome: failed and ok split the log', async () => {
    const everything = await all(orgA);
    const failed = (await log(orgA, 'outcome=failed&limit=200')).entries;
    assert.deepEqual(failed.map((e) => e.detail.name), ['wrong-2', 'wrong-1']);
    const ok = (await log(orgA, 'outcome=ok&limit=200')).entries;
    assert.deepEqual(ids(ok), ids(everything.filter((e) => e.outcome === 'ok')));
    assert.equal(ok.length + failed.length, everything.length);
  });

  test('actor: the organization token\'s calls, or the admin\'s', async () => {
    const everything = await all(orgA);
    const mine = (await log(orgA, `actor=${encodeURIComponent(actorA)}&limit=200`)).entries;
    assert.deepEqual(mine.map((e) => e.action), ['connection.create', 'connection.create', 'connection.create']);
    const admin = (await log(orgA, 'actor=admin&limit=200')).entries;
    assert.deepEqual(ids(admin), ids(everything.filter((e) => e.actor === 'admin')));
    assert.equal(admin.length + mine.length, everything.length);
    assert.deepEqual((await log(orgA, 'actor=token%3Anobody')).entries, []);
  });

  test('target: the entries about one record', async () => {
    const forConnection = (await log(orgA, `target=${connection.id}`)).entries;
    assert.deepEqual(forConnection.map((e) => [e.action, e.outcome]), [['connection.create', 'ok']]);
    const token = await newToken(orgA, 'targeted');
    const forToken = (await log(orgA, `target=${token}`)).entries;
    assert.deepEqual(forToken.map((e) => [e.action, e.detail.name]), [['token.create', 'targeted']]);
  });

  test('since and until: inclusive bounds on the entry time', async () => {
    const everything = await all(orgA);
    const times = [...new Set(everything.map((e) => e.at))];
    const newest = Math.max(...times);
    const oldest = Math.min(...times);
    const at = (since, until) => everything.filter((e) => (since === undefined || e.at >= since) && (until === undefined || e.at <= until));
    for (const t of [oldest, newest]) {
      assert.deepEqual(ids((await log(orgA, `since=${t}&limit=200`)).entries), ids(at(t, undefined)));
      assert.deepEqual(ids((await log(orgA, `until=${t}&limit=200`)).entries), ids(at(undefined, t)));
      assert.deepEqual(ids((await log(orgA, `since=${t}&until=${t}&limit=200`)).entries), ids(at(t, t)));
    }
    assert.deepEqual((await log(orgA, `since=${newest + 1}`)).entries, []);
    assert.deepEqual((await log(orgA, `until=${oldest - 1}`)).entries, []);
  });

  test('filters combine', async () => {
    const everything = await all(orgA);
    const failedCreates = (await log(orgA, `action=connection.create&outcome=failed&actor=${encodeURIComponent(actorA)}&since=${everything.at(-1).at}`)).entries;
    assert.deepEqual(failedCreates.map((e) => e.detail.name), ['wrong-2', 'wrong-1']);
    assert.deepEqual((await log(orgA, 'action=token.create&outcome=failed')).entries, []);
  });
});

describe('refusals', () => {
  const cases = [
    ['limit=0', 'limit', 'out-of-range', /limit is 1 to 200/],
    ['limit=201', 'limit', 'out-of-range', /limit is 1 to 200/],
    ['limit=ten', 'limit', 'invalid-format', /limit is 1 to 200/],
    ['limit=-5', 'limit', 'invalid-format', /limit is 1 to 200/],
    ['before=0', 'before', 'out-of-range', /nextCursor/],
    ['before=x1', 'before', 'invalid-format', /nextCursor/],
    ['action=connection.created', 'action', 'not-allowed', /connection\.create, /],
    ['action=', 'action', 'required', /leave action out/],
    ['outcome=success', 'outcome', 'not-allowed', /ok or failed/],
    ['actor=a%0Ab', 'actor', 'invalid-character', /matched exactly/],
    [`target=${'t'.repeat(201)}`, 'target', 'too-long', /matched exactly/],
    ['target=%FF', 'target', 'invalid-format', /percent-encode/],
    ['since=yesterday', 'since', 'invalid-format', /unix seconds/],
    ['until=1.5', 'until', 'invalid-format', /unix seconds/],
    ['since=10&until=9', 'since', 'out-of-range', /since <= until/],
    ['page=2', 'page', 'not-allowed', /the parameters are limit, before, action, actor, target, outcome, since, until/],
    ['limit=5&limit=6', 'limit', 'not-allowed', /give limit once/],
  ];
  for (const [query, field, code, hint] of cases) {
    test(`${query.slice(0, 40)} → 400 on ${field}`, async () => {
      const r = await env.api('GET', `${LOG}?${query}`, { token: orgA.token });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.field, field);
      assert.equal(r.json.error.code, code);
      assert.match(r.json.error.hint, hint);
      assert.ok(r.json.requestId);
    });
  }

  test('the admin token has no audit log of its own; no caller, no log', async () => {
    const admin = await env.api('GET', LOG, { token: env.bootstrap });
    assert.equal(admin.status, 403, admin.text);
    const anonymous = await env.api('GET', LOG);
    assert.equal(anonymous.status, 401, anonymous.text);
  });
});

describe('isolation', () => {
  test("another organization's entries are never visible, whatever the query", async () => {
    const a = await all(orgA);
    const b = await all(orgB);
    assert.equal(b.length, 5, 'organization.create + 4 token.create');
    assert.deepEqual(b.map((e) => e.action), ['token.create', 'token.create', 'token.create', 'token.create', 'organization.create']);
    const aIds = new Set(ids(a));
    assert.ok(b.every((e) => !aIds.has(e.id)));
    // A's records, actors and cursors find nothing of A from B.
    assert.deepEqual((await log(orgB, `target=${connection.id}`)).entries, []);
    assert.deepEqual((await log(orgB, `target=${orgA.id}`)).entries, []);
    assert.deepEqual((await log(orgB, `actor=${encodeURIComponent(actorA)}`)).entries, []);
    assert.deepEqual((await log(orgB, 'action=connection.create')).entries, []);
    const paged = await pages(orgB, '', 2);
    assert.deepEqual(ids(paged.entries), ids(b));
    const fromA = await log(orgB, `before=${a[0].id + 1}&limit=200`);
    assert.deepEqual(ids(fromA.entries), ids(b));
  });
});
