// The Worker never loses or overwrites what it does not own, and refuses clearly instead of
// answering 500 (issue #15, findings 1, 5 and 6, connection side): wrangler dev + local D1 +
// the Azure emulator.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, TARGET_APP, TENANT, setup, signIn } from './harness.mjs';
import { checkAnswer } from './openapi.mjs';

const CS = '/api/v1/app-connections/azure-client-secrets';
const AC = '/api/v1/app-connections/azure-app-configuration';
const MAX_BODY = 1024 * 1024;

let env;
let org;

before(async () => {
  env = await setup();
  org = await env.newOrg('safety');
});

after(async () => {
  await env?.stop();
});

const secretForm = (name, extra = {}) => ({
  name, method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET, ...extra,
});

const create = async (path, body) => {
  const r = await env.api('POST', path, { token: org.token, body });
  assert.equal(r.status, 201, r.text);
  return r.json.appConnection;
};

/** The Azure calls the emulator saw since the last `clearRequests`. */
const clearRequests = () => env.admin('DELETE', '/requests');
const azureCalls = async () => (await env.admin('GET', '/requests')).requests;

const storedFields = async (id) =>
  (await env.d1(`SELECT field FROM secrets WHERE owner_id = '${id}' AND field != 'accessToken' ORDER BY field`)).map((r) => r.field);

/** An OAuth start: the authorize URL and the browser-binding cookie (`name=value`). */
const oauthStart = async (body) => {
  const r = await env.api('POST', `${CS}/oauth/start`, { token: org.token, body: { tenantId: TENANT, ...body } });
  assert.equal(r.status, 200, r.text);
  return { url: r.json.url, cookie: r.headers.get('set-cookie').split(';')[0] };
};
const callback = (url, cookie) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

describe('finding 1: interleaved connection updates', () => {
  test('two concurrent PATCHes with different credentials: one wins whole, the other is 409 and stores nothing', async () => {
    const c = await create(CS, secretForm('race'));
    // Both live checks wait on Graph, so both updates read version 1 before either commits.
    await env.admin('POST', '/faults', { service: 'graph', action: { kind: 'delay', ms: 1500 }, count: 2 });
    const toCertificate = { method: 'certificate', certificate: env.cert.certificate, privateKey: env.cert.privateKey, description: 'cert' };
    const toSecret = { method: 'client-secret', clientSecret: AZCONN_SECRET, description: 'secret' };
    const [a, b] = await Promise.all([
      env.api('PATCH', `${CS}/${c.id}`, { token: org.token, body: toCertificate }),
      env.api('PATCH', `${CS}/${c.id}`, { token: org.token, body: toSecret }),
    ]);
    await env.admin('DELETE', '/faults');
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.text}\n${b.text}`);
    const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
    assert.equal(loser.json.error.code, 'conflict', loser.text);
    assert.ok(loser.json.requestId, loser.text);
    const stored = (await env.api('GET', `${CS}/${c.id}`, { token: org.token })).json.appConnection;
    assert.equal(stored.method, winner.json.appConnection.method);
    assert.equal(stored.description, winner.json.appConnection.description);
    const [row] = await env.d1(`SELECT version FROM connections WHERE id = '${c.id}'`);
    assert.equal(row.version, 2, 'one update committed');
    // The stored secret fields are exactly the winner's method's.
    assert.deepEqual(await storedFields(c.id),
      stored.method === 'certificate' ? ['certificate', 'privateKey'] : ['clientSecret']);
    const v = await env.api('POST', `${CS}/${c.id}/validate`, { token: org.token });
    assert.equal(v.json.valid, true, v.text);
  });

  test('sequential PATCHes both apply (the version moves each time)', async () => {
    const c = await create(CS, secretForm('sequential'));
    for (const description of ['one', 'two']) {
      const r = await env.api('PATCH', `${CS}/${c.id}`, { token: org.token, body: { description } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.appConnection.description, description);
    }
  });
});

describe('finding 5: clear refusals instead of 500', () => {
  test('a connection a rotation uses cannot be deleted: 409 naming the rotation', async () => {
    const c = await create(CS, secretForm('rotated'));
    const rot = await env.api('POST', '/api/v1/secret-rotations/azure-client-secret', {
      token: org.token, body: { connectionId: c.id, appId: TARGET_APP, lifetimeDays: 90, intervalDays: 30 },
    });
    assert.equal(rot.status, 201, rot.text);
    const r = await env.api('DELETE', `${CS}/${c.id}`, { token: org.token });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, 'conflict');
    assert.match(r.json.error.message, new RegExp(rot.json.rotation.id));
    assert.deepEqual(r.json.dependents, [{ kind: 'rotation', id: rot.json.rotation.id, name: rot.json.rotation.target.displayName }]);
    assert.doesNotMatch(r.text, /FOREIGN|SQLITE|D1_|at .*\.js/i);
    assert.equal((await env.api('GET', `${CS}/${c.id}`, { token: org.token })).status, 200, 'still there');
  });

  test('a connection a sync uses cannot be deleted: 409 naming the sync', async () => {
    const c = await create(AC, secretForm('synced', { endpoint: env.emulator.stores.demo }));
    const s = await env.api('POST', '/api/v1/secret-syncs/azure-app-configuration', {
      token: org.token, body: { connectionId: c.id, keyPrefix: 'Safety:' },
    });
    assert.equal(s.status, 201, s.text);
    const r = await env.api('DELETE', `${AC}/${c.id}`, { token: org.token });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, 'conflict');
    assert.equal(r.json.dependents.length, 1);
    assert.equal(r.json.dependents[0].kind, 'sync');
    assert.equal(r.json.dependents[0].id, s.json.sync.id);
    assert.match(r.json.dependents[0].name, /Safety:/);
    assert.doesNotMatch(r.text, /FOREIGN|SQLITE|D1_/i);
  });

  test('a connection nothing uses is deleted with its secrets', async () => {
    const c = await create(CS, secretForm('unused'));
    const r = await env.api('DELETE', `${CS}/${c.id}`, { token: org.token });
    assert.equal(r.status, 200, r.text);
    assert.equal((await env.api('GET', `${CS}/${c.id}`, { token: org.token })).status, 404);
    assert.deepEqual(await env.d1(`SELECT field FROM secrets WHERE owner_id = '${c.id}'`), []);
  });

  test('renaming or creating with a taken name is 409 on name before any Azure call', async () => {
    await create(CS, secretForm('taken'));
    const other = await create(CS, secretForm('free'));
    await clearRequests();
    const rename = await env.api('PATCH', `${CS}/${other.id}`, { token: org.token, body: { name: 'taken' } });
    assert.equal(rename.status, 409, rename.text);
    assert.equal(rename.json.error.code, 'conflict');
    assert.equal(rename.json.error.field, 'name');
    assert.doesNotMatch(rename.text, /UNIQUE|SQLITE/i);
    const again = await env.api('POST', CS, { token: org.token, body: secretForm('taken') });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.error.field, 'name');
    assert.deepEqual(await azureCalls(), [], 'no Azure call');
    assert.equal((await env.api('GET', `${CS}/${other.id}`, { token: org.token })).json.appConnection.name, 'free');
  });

  test('a connection body names each refused field: types, unknown fields, another method\'s credential', async () => {
    await clearRequests();
    for (const [extra, field, code] of [
      [{ name: 5 }, 'name', 'invalid-format'],
      [{ cloud: 'china' }, 'cloud', 'not-allowed'],
      [{ tenantID: TENANT }, 'tenantID', 'not-allowed'],
      [{ privateKey: env.cert.privateKey }, 'privateKey', 'not-allowed'],
    ]) {
      const r = await env.api('POST', CS, { token: org.token, body: secretForm('strict-form', extra) });
      assert.equal(r.status, 400, r.text);
      assert.deepEqual([r.json.error.field, r.json.error.code], [field, code], JSON.stringify(extra));
    }
    assert.deepEqual(await azureCalls(), [], 'no Azure call');
    assert.equal((await env.api('GET', CS, { token: org.token })).json.appConnections.some((c) => c.name === 'strict-form'), false);
  });

  test('every answer carries a request id; an error body carries the same one', async () => {
    const ok = await env.api('GET', '/api/v1/health');
    assert.match(ok.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
    const missing = await env.api('GET', `${CS}/0123456789abcdef0123456789abcdef`, { token: org.token });
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
    assert.equal(missing.json.requestId, missing.headers.get('x-request-id'));
    const other = await env.api('GET', '/api/v1/health');
    assert.notEqual(other.headers.get('x-request-id'), ok.headers.get('x-request-id'));
  });
});

describe('finding 6: bounded, same rules on every path', () => {
  test('a body over the limit is 413 naming the limit, by Content-Length and by the bytes read', async () => {
    const big = JSON.stringify(secretForm('big', { description: 'x'.repeat(MAX_BODY) }));
    const r = await fetch(env.worker.base + CS, {
      method: 'POST', headers: { authorization: `Bearer ${org.token}`, 'content-type': 'application/json' }, body: big,
    });
    assert.equal(r.status, 413);
    const j = await r.json();
    checkAnswer('POST', CS, 413, j);
    assert.equal(j.error.code, 'too-long');
    assert.equal(j.error.field, 'body');
    assert.match(j.error.message, new RegExp(String(MAX_BODY)));
    // Streamed without a Content-Length: counted while read.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream({
      pull(c) {
        if (sent > MAX_BODY + chunk.length) { c.close(); return; }
        sent += chunk.length;
        c.enqueue(chunk);
      },
    });
    const s = await fetch(env.worker.base + CS, {
      method: 'POST', duplex: 'half', headers: { authorization: `Bearer ${org.token}`, 'content-type': 'application/json' }, body: stream,
    });
    assert.equal(s.status, 413);
    const streamed = await s.json();
    checkAnswer('POST', CS, 413, streamed);
    assert.equal(streamed.error.field, 'body');
    assert.equal((await env.api('GET', CS, { token: org.token })).json.appConnections.some((c) => c.name === 'big'), false);
  });

  test('OAuth start applies the form\'s rules to name and description', async () => {
    for (const [body, field, code] of [
      [{ name: 'ok-name', description: 'd'.repeat(100_000) }, 'description', 'too-long'],
      [{ name: 'ok-name', description: 'line\u0007bell' }, 'description', 'invalid-character'],
      [{ name: 'Bad Name!' }, 'name', 'invalid-character'],
      [{ name: 'n'.repeat(65) }, 'name', 'too-long'],
    ]) {
      const r = await env.api('POST', `${CS}/oauth/start`, { token: org.token, body });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.field, field, r.text);
      assert.equal(r.json.error.code, code, r.text);
    }
  });

  test('reconnectId of a client-secret connection is refused on reconnectId', async () => {
    const c = await create(CS, secretForm('not-oauth'));
    const r = await env.api('POST', `${CS}/oauth/start`, { token: org.token, body: { reconnectId: c.id } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'reconnectId');
    assert.equal(r.json.error.code, 'not-allowed');
    assert.deepEqual(await env.d1(`SELECT id FROM oauth_pending WHERE reconnect_id = '${c.id}'`), []);
  });

  test('the state survives a callback without or with the wrong cookie; the right browser completes', async () => {
    const { url, cookie } = await oauthStart({ name: 'bound' });
    const { callback: cb } = await signIn(url);
    const none = await callback(cb, null);
    assert.equal(none.status, 400);
    assert.match(await none.text(), /another browser/);
    const wrong = await callback(cb, `azconn_oauth=${'0'.repeat(64)}`);
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /another browser/);
    const right = await callback(cb, cookie);
    assert.equal(right.status, 302, await right.text());
    const id = new URL(right.headers.get('location')).searchParams.get('created');
    assert.equal((await env.api('GET', `${CS}/${id}`, { token: org.token })).json.appConnection.name, 'bound');
  });

  test('PATCH of an OAuth connection applies the form\'s rules and its version', async () => {
    const { url, cookie } = await oauthStart({ name: 'delegated' });
    const { callback: cb } = await signIn(url);
    const done = await callback(cb, cookie);
    assert.equal(done.status, 302, await done.text());
    const id = new URL(done.headers.get('location')).searchParams.get('created');
    for (const [body, field, code] of [
      [{ description: 'd'.repeat(100_000) }, 'description', 'too-long'],
      [{ description: 'tab\u0000null' }, 'description', 'invalid-character'],
      [{ name: 'Not A Slug' }, 'name', 'invalid-character'],
    ]) {
      const r = await env.api('PATCH', `${CS}/${id}`, { token: org.token, body });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.field, field, r.text);
      assert.equal(r.json.error.code, code, r.text);
    }
    const ok = await env.api('PATCH', `${CS}/${id}`, { token: org.token, body: { name: 'delegated-2', description: 'fine' } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.appConnection.name, 'delegated-2');
    assert.equal(ok.json.appConnection.description, 'fine');
  });
});
