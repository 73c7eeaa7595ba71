// The API description: the Worker serves host/openapi.json as committed, without a caller, and the
// harness's validator (which every suite's answers go through) rejects what the document does not
// allow, so a drift between the Worker and the document fails the suites.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, answerValidator, checkAnswer, setup } from './harness.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.stop(); });

describe('GET /api/v1/openapi.json', () => {
  test('is the committed document, public, JSON and cacheable', async () => {
    const r = await env.api('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(r.text, readFileSync(join(ROOT, 'host/openapi.json'), 'utf8'));
    assert.equal(r.json.openapi, '3.1.0');
    assert.ok(r.json.paths['/app-connections/{type}/{id}'].get);
  });
});

describe('the validator every suite uses', () => {
  test('accepts a real answer', async () => {
    const r = await env.api('GET', '/api/v1/health');
    assert.deepEqual(r.json, { ok: true });
  });

  test('rejects a wrong type, a missing member and an unknown member', () => {
    assert.throws(() => checkAnswer('GET', '/api/v1/health', 200, { ok: 'true' }), /data\/ok must be boolean/);
    assert.throws(() => checkAnswer('POST', '/api/v1/organizations/o1/tokens', 201, {}), /must have required property 'token'/);
    assert.throws(
      () => checkAnswer('GET', '/api/v1/health', 200, { ok: true, extra: 1 }),
      /must NOT have unevaluated properties/,
    );
    assert.throws(
      () => checkAnswer('GET', '/api/v1/nothing', 404, { error: { code: 'no-such-code', message: 'x' } }),
      /data\/error\/code must be equal to one of the allowed values/,
    );
  });

  test('rejects a status or a route the document does not have', () => {
    assert.throws(() => checkAnswer('GET', '/api/v1/health', 201, { ok: true }), /the document has no 201 for GET \/health/);
    assert.throws(() => checkAnswer('GET', '/api/v1/nothing', 200, {}), /the document has no GET \/nothing/);
    assert.equal(answerValidator('GET', '/api/v1/app-connections/options', 200).missing, undefined);
  });
});
