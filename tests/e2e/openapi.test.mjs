// The API description: the Worker serves host/openapi.json as committed, without a caller, and the
// validator of ./openapi.mjs (which every e2e and UI suite's answers go through) rejects what the
// document does not allow, so a drift between the Worker and the document fails the suites.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { ROOT, setup } from './harness.mjs';
import { answerValidator, checkAnswer } from './openapi.mjs';

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

/** The committed document, read afresh for each check (a check may break its copy). */
const committed = () => JSON.parse(readFileSync(join(ROOT, 'host/openapi.json'), 'utf8'));

/** Why `doc` is not an OpenAPI 3.1 document by the official OAS 3.1 schema (the 2026-08-03 one that
 * @seriousme/openapi-schema-validator carries; it also resolves every local `$ref`), or '' if it is. */
async function documentProblems(doc) {
  const validator = new Validator();
  const { valid, errors } = await validator.validate(doc);
  if (!valid) {
    return typeof errors === 'string' ? errors
      : errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');
  }
  if (validator.version !== '3.1') return `validated as OpenAPI ${validator.version}, not 3.1`;
  return schemaObjectProblems(doc);
}

/** The OAS schema checks only that a Schema Object is an object (its dialect is the document's
 * `jsonSchemaDialect`, 2020-12 here): each one, in components and under paths, against the
 * 2020-12 meta-schema. */
function schemaObjectProblems(doc) {
  const dialect = 'https://json-schema.org/draft/2020-12/schema';
  if (doc.jsonSchemaDialect !== dialect) return `jsonSchemaDialect is ${doc.jsonSchemaDialect}, this check knows ${dialect}`;
  const meta = new Ajv2020();
  const found = Object.entries(doc.components?.schemas ?? {}).map(([name, s]) => [`/components/schemas/${name}`, s]);
  const walk = (node, at) => {
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'schema') found.push([`${at}/schema`, v]);
      else walk(v, `${at}/${k}`);
    }
  };
  walk(doc.paths, '/paths');
  walk(doc.components?.responses, '/components/responses');
  assert.ok(found.length > 0, 'the document has Schema Objects');
  const problems = [];
  for (const [at, schema] of found) {
    if (!meta.validateSchema(schema)) problems.push(`${at} is not a JSON Schema 2020-12 schema: ${meta.errorsText(meta.errors)}`);
  }
  return problems.join('\n');
}

describe('host/openapi.json against the OAS 3.1 schema', () => {
  test('the committed document is a valid OpenAPI 3.1 document', async () => {
    assert.equal(await documentProblems(committed()), '');
  });

  // The first operation's first response: enough to show the schema is applied below `paths`.
  const firstPath = (doc) => Object.values(doc.paths)[0];
  const firstResponse = (doc) => Object.values(Object.values(firstPath(doc)).find((op) => op.responses).responses)[0];

  test('a copy with a response without description, an unknown path item member, a bad version, a dangling $ref or a bad Schema Object is refused', async () => {
    const broken = [
      [(d) => { delete firstResponse(d).description; }, /must have required property 'description'/],
      [(d) => { firstPath(d).summaries = 'x'; }, /^\/paths\/.+ must NOT have unevaluated properties \{"unevaluatedProperty":"summaries"\}/m],
      [(d) => { d.openapi = '3.1'; }, /^\/openapi must match pattern/m],
      [(d) => { d.openapi = '4.0.0'; }, /Cannot find supported swagger\/openapi version/],
      [(d) => { d.components.schemas.Dangling = { $ref: '#/components/schemas/NoSuchSchema' }; }, /Can't resolve #\/components\/schemas\/NoSuchSchema/],
      [(d) => { d.components.schemas.Typo = { type: 'strin' }; }, /^\/components\/schemas\/Typo is not a JSON Schema 2020-12 schema: data\/type must be equal to one of the allowed values/m],
      [(d) => { firstResponse(d).content['application/json'].schema = { required: 'id' }; }, /^\/paths\/.+\/content\/application\/json\/schema is not a JSON Schema 2020-12 schema: data\/required must be array/m],
    ];
    for (const [breakIt, expected] of broken) {
      const doc = committed();
      breakIt(doc);
      assert.match(await documentProblems(doc), expected);
    }
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
