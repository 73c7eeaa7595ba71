// Issue 15, a rotation's schedule (Infisical's `isAutoRotationEnabled` and `rotateAtUtc`): the
// next run is the first given UTC time of day on or after (last success, or creation) +
// interval; with auto rotation off the Cron Trigger never runs it (a manual run still does);
// PATCH recomputes the next run under the version check; bad input is a 400 naming the member.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AZCONN_APP, AZCONN_SECRET, SECOND_APP, TARGET_APP, TENANT, setup } from './harness.mjs';

const R = '/api/v1/secret-rotations/azure-client-secret';
const DAY = 86400;

let env;
let org;
let graphConn;

before(async () => {
  env = await setup({ secondTarget: true });
  org = await env.newOrg('rotation-schedule');
  const g = await env.api('POST', '/api/v1/app-connections/azure-client-secrets', {
    token: org.token, body: { name: 'graph', method: 'client-secret', tenantId: TENANT, clientId: AZCONN_APP, clientSecret: AZCONN_SECRET },
  });
  assert.equal(g.status, 201, g.text);
  graphConn = g.json.appConnection;
});

after(async () => {
  await env?.stop();
});

const call = (method, path, body) => env.api(method, path, { token: org.token, body });
const get = async (id) => (await call('GET', `${R}/${id}`)).json.rotation;
/** The first `hours:minutes` UTC on or after `base + days`. */
const nextAt = (base, days, hours, minutes) => {
  const earliest = base + days * DAY;
  const at = Math.floor(earliest / DAY) * DAY + hours * 3600 + minutes * 60;
  return at < earliest ? at + DAY : at;
};
const secretsOf = async (appId) => (await env.admin('GET', `/applications/${appId}`)).passwordCredentials.length;
const cron = async () => {
  const res = await fetch(`${env.worker.base}/__scheduled?cron=*/15+*+*+*+*`);
  assert.equal(res.status, 200);
};

describe('rotation schedule', () => {
  test('by default a rotation is automatic at midnight UTC, its first run due at once (its first secret on the next tick)', async () => {
    const c = await call('POST', R, { name: 'defaults', connectionId: graphConn.id, appId: TARGET_APP, intervalDays: 30 });
    assert.equal(c.status, 201, c.text);
    const r = c.json.rotation;
    assert.equal(r.isAutoRotationEnabled, true);
    assert.deepEqual(r.rotateAtUtc, { hours: 0, minutes: 0 });
    assert.equal(r.nextRotationAt, r.createdAt);
    assert.equal((await call('DELETE', `${R}/${r.id}?secrets=keep`)).status, 200);
  });

  test('with auto rotation off the Cron Trigger skips it, a manual run still rotates, and nothing is scheduled', async () => {
    const off = await call('POST', R, {
      name: 'manual', connectionId: graphConn.id, appId: TARGET_APP, isAutoRotationEnabled: false, rotateAtUtc: { hours: 14, minutes: 5 },
    });
    assert.equal(off.status, 201, off.text);
    assert.equal(off.json.rotation.isAutoRotationEnabled, false);
    assert.deepEqual(off.json.rotation.rotateAtUtc, { hours: 14, minutes: 5 });
    assert.equal(off.json.rotation.nextRotationAt, null);
    const on = await call('POST', R, { name: 'scheduled', connectionId: graphConn.id, appId: SECOND_APP, rotateAtUtc: { hours: 14, minutes: 5 } });
    assert.equal(on.status, 201, on.text);
    assert.equal(on.json.rotation.nextRotationAt, on.json.rotation.createdAt, 'due at once');
    // Both overdue in storage: what the clock would do, without waiting for it.
    await env.d1(`UPDATE rotations SET next_rotation_at = 1 WHERE id IN ('${off.json.rotation.id}', '${on.json.rotation.id}')`);
    const [offBefore, onBefore] = [await secretsOf(TARGET_APP), await secretsOf(SECOND_APP)];
    await cron();
    const skipped = await get(off.json.rotation.id);
    assert.equal(skipped.status, 'pending', JSON.stringify(skipped));
    assert.equal(skipped.lastAttemptAt, null, 'the cron never started it');
    assert.equal(skipped.nextRotationAt, null);
    assert.equal(await secretsOf(TARGET_APP), offBefore, 'no secret added to its app');
    const ran = await get(on.json.rotation.id);
    assert.equal(ran.status, 'active', JSON.stringify(ran));
    assert.equal(await secretsOf(SECOND_APP), onBefore + 1);
    assert.equal(ran.nextRotationAt, nextAt(ran.lastSuccessAt, 30, 14, 5));
    // Manual: rotates, and still schedules nothing.
    const manual = await call('POST', `${R}/${off.json.rotation.id}/rotate`);
    assert.equal(manual.status, 200, manual.text);
    assert.equal(manual.json.rotation.status, 'active');
    assert.equal(manual.json.rotation.nextRotationAt, null);
    assert.equal(await secretsOf(TARGET_APP), offBefore + 1);
    const [{ next }] = await env.d1(`SELECT next_rotation_at AS next FROM rotations WHERE id = '${off.json.rotation.id}'`);
    assert.equal(next, null);
    for (const r of [off, on]) assert.equal((await call('DELETE', `${R}/${r.json.rotation.id}?secrets=revoke`)).status, 200);
  });

  test('PATCH turns auto rotation off and on and moves the time of day, recomputing the next run under the version check', async () => {
    const c = await call('POST', R, { name: 'patched', connectionId: graphConn.id, appId: TARGET_APP });
    assert.equal(c.status, 201, c.text);
    const id = c.json.rotation.id;
    const ran = await call('POST', `${R}/${id}/rotate`);
    assert.equal(ran.status, 200, ran.text);
    const lastSuccessAt = ran.json.rotation.lastSuccessAt;
    let r = await call('PATCH', `${R}/${id}`, { version: 1, rotateAtUtc: { hours: 2, minutes: 30 } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.rotation.rotateAtUtc, { hours: 2, minutes: 30 });
    assert.equal(r.json.rotation.nextRotationAt, nextAt(lastSuccessAt, 30, 2, 30));
    r = await call('PATCH', `${R}/${id}`, { version: 2, isAutoRotationEnabled: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.rotation.isAutoRotationEnabled, false);
    assert.equal(r.json.rotation.nextRotationAt, null);
    assert.equal((await get(id)).nextRotationAt, null);
    // A stale version: 409 on `version`, nothing of it stored.
    const before = await get(id);
    const stale = await call('PATCH', `${R}/${id}`, { version: 2, isAutoRotationEnabled: true, rotateAtUtc: { hours: 9, minutes: 0 } });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.json.error.field, 'version');
    assert.deepEqual(await get(id), before);
    r = await call('PATCH', `${R}/${id}`, { version: 3, isAutoRotationEnabled: true, intervalDays: 7, lifetimeDays: 30 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.rotation.isAutoRotationEnabled, true);
    assert.equal(r.json.rotation.nextRotationAt, nextAt(lastSuccessAt, 7, 2, 30));
    // Another setting leaves the next run where it is.
    r = await call('PATCH', `${R}/${id}`, { version: 4, description: 'weekly at 02:30' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.rotation.nextRotationAt, nextAt(lastSuccessAt, 7, 2, 30));
    const audited = (await call('GET', `/api/v1/audit-log?action=rotation.update&target=${id}`)).json.entries;
    assert.deepEqual(audited.map((e) => e.detail.isAutoRotationEnabled), [true, true, false, true], 'newest first');
    assert.equal((await call('DELETE', `${R}/${id}?secrets=revoke`)).status, 200);
  });

  test('bad schedule input is a 400 naming the field or member, and nothing is created or changed', async () => {
    await env.admin('DELETE', '/requests');
    const cases = [
      [{ isAutoRotationEnabled: 'true' }, 'isAutoRotationEnabled', 'invalid-format'],
      [{ isAutoRotationEnabled: 1 }, 'isAutoRotationEnabled', 'invalid-format'],
      [{ rotateAtUtc: '02:00' }, 'rotateAtUtc', 'invalid-format'],
      [{ rotateAtUtc: { hours: 24, minutes: 0 } }, 'rotateAtUtc.hours', 'out-of-range'],
      [{ rotateAtUtc: { hours: 0, minutes: 60 } }, 'rotateAtUtc.minutes', 'out-of-range'],
      [{ rotateAtUtc: { hours: '2', minutes: 0 } }, 'rotateAtUtc.hours', 'invalid-format'],
      [{ rotateAtUtc: { hours: 2 } }, 'rotateAtUtc.minutes', 'required'],
      [{ rotateAtUtc: { hours: 2, minutes: 0, seconds: 0 } }, 'rotateAtUtc.seconds', 'not-allowed'],
      [{ lifetimeDays: 31, intervalDays: 30 }, 'lifetimeDays', 'out-of-range'],
    ];
    for (const [extra, field, code] of cases) {
      const r = await call('POST', R, { connectionId: graphConn.id, appId: TARGET_APP, ...extra });
      assert.equal(r.status, 400, `${JSON.stringify(extra)}: ${r.text}`);
      assert.deepEqual([r.json.error.field, r.json.error.code], [field, code], JSON.stringify(extra));
    }
    assert.deepEqual((await call('GET', R)).json.rotations, []);
    const graph = (await env.admin('GET', '/requests')).requests.filter((q) => q.service === 'graph');
    assert.deepEqual(graph, [], 'refused before any Graph call');
    const c = await call('POST', R, { name: 'checked', connectionId: graphConn.id, appId: TARGET_APP });
    assert.equal(c.status, 201, c.text);
    const before = c.json.rotation;
    for (const [extra, field, code] of cases) {
      const r = await call('PATCH', `${R}/${before.id}`, { version: 1, ...extra });
      assert.equal(r.status, 400, `${JSON.stringify(extra)}: ${r.text}`);
      assert.deepEqual([r.json.error.field, r.json.error.code], [field, code], JSON.stringify(extra));
    }
    assert.deepEqual(await get(before.id), before, 'nothing changed');
    assert.equal((await call('DELETE', `${R}/${before.id}?secrets=keep`)).status, 200);
  });
});
