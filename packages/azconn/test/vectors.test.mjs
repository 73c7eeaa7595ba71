// One vector set, every runtime: each golden vector in tests/vectors answered by the npm
// package in Node. The forms ops go through the typed exports (the table below maps a vector
// op to its export) of the full Node build, the forms module and the browser module; the ops
// not yet typed (certificates, Graph, App Configuration, retry, sync, rotation) through the
// named-operation tunnel of the modules that carry them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as azconn from '../node.js';
import * as browserRaw from '../gen/browser/azconn.js';
import * as formsRaw from '../gen/forms/azconn.js';
import * as certificatesRaw from '../gen/certificates/azconn.js';
import { certificatesApi } from '../api.js';
import { AzconnError } from '../values.js';
import { typed, typedError } from './typed.mjs';

const vectorsDir = fileURLToPath(new URL('../../../tests/vectors/', import.meta.url));
const cases = readdirSync(vectorsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) =>
    JSON.parse(readFileSync(vectorsDir + f, 'utf8')).cases.map((c) => ({ ...c, file: f })),
  );

const load = (raw, dir) => {
  raw.initSync({ module: readFileSync(new URL(`../gen/${dir}/azconn_bg.wasm`, import.meta.url)) });
  return raw;
};
const browser = load(browserRaw, 'browser');
const forms = load(formsRaw, 'forms');
const certificates = certificatesApi(load(certificatesRaw, 'certificates'));
const browserCertificates = certificatesApi(browser);
const certificateOp = (op) => /^(cert|jose)\./.test(op);

/** Runs `fn` and checks its answer (or thrown AzconnError) against the vector (`expectError`:
 * the typed API's more precise error where it has one). */
function check(c, fn, expectError = c.expectError) {
  let answer;
  try {
    answer = fn();
  } catch (e) {
    assert.ok(e instanceof AzconnError, `${c.name}: ${e}`);
    assert.ok(c.expectError, `${c.name}: unexpected error ${e.code} ${e.field}: ${e.message}`);
    for (const [k, v] of Object.entries(expectError)) {
      assert.deepEqual(e[k], v, `${c.name}: ${k}`);
    }
    assert.equal(typeof e.message, 'string');
    return;
  }
  assert.ok(c.expect !== undefined, `${c.name}: expected an error, got ${JSON.stringify(answer)}`);
  assert.deepEqual(answer, c.expect, c.name);
}

test('every vector through call() of the full Node build', () => {
  assert.ok(cases.length > 200, `only ${cases.length} vectors`);
  for (const c of cases) check(c, () => azconn.call(c.op, c.input));
});

test('every forms vector through the typed exports of the Node, forms and browser modules', () => {
  const formsCases = cases.filter((c) => typed[c.op]);
  assert.ok(formsCases.length > 100, `${formsCases.length} forms vectors`);
  for (const api of [azconn, forms, browser]) {
    for (const c of formsCases) check(c, () => typed[c.op](api, c.input), typedError(c));
  }
});

test('every certificate vector through the certificate and browser modules; forms has none', () => {
  const certificateCases = cases.filter((c) => certificateOp(c.op));
  assert.ok(certificateCases.length > 30);
  for (const c of certificateCases) {
    check(c, () => certificates.call(c.op, c.input));
    check(c, () => browserCertificates.call(c.op, c.input));
  }
  assert.equal(forms.call, undefined);
  for (const c of cases.filter((c) => c.op === 'cert.inspect')) {
    check(c, () => certificates.inspectCertificate(c.input.credential, c.input.now));
  }
});

test('the certificate module answers no forms or server op', () => {
  for (const c of cases.filter((c) => !certificateOp(c.op))) {
    assert.throws(() => certificates.call(c.op, c.input), { code: 'not-allowed', field: 'op' }, c.name);
  }
});

test('errors are AzconnError objects with code, field, message and hint', () => {
  for (const api of [azconn, forms]) {
    assert.throws(() => api.clientId('not a guid'), (e) => {
      assert.ok(e instanceof Error && e instanceof AzconnError && e instanceof azconn.AzconnError);
      assert.equal(e.name, 'AzconnError');
      assert.equal(e.code, 'invalid-format');
      assert.equal(e.field, 'clientId');
      assert.match(e.hint, /Application \(client\) ID/);
      return true;
    });
  }
  assert.throws(() => azconn.call('ids.clientId', undefined), { code: 'invalid-format', field: 'input' });
});

test('malformed structured input is refused naming its field', () => {
  const base = {
    clientId: '00000000-0000-0000-0000-0000000000aa',
    redirectUri: 'https://app.example/callback',
    connectionType: 'azure-client-secrets',
  };
  const refusals = [
    [() => forms.validateForm('form'), 'form', 'invalid-format'],
    [() => forms.validateForm({ name: 5 }), 'name', 'invalid-format'],
    [() => forms.validateForm({ cloud: { kind: 'custom', authorityHost: 'https://login.example' } }), 'cloud.graphRoot', 'required'],
    [() => forms.validateForm({ cloud: { kind: 'mars' } }), 'cloud.kind', 'invalid-format'],
    [() => forms.authorizeRequest({ ...base, entropy: { verifier: 'ab', state: new Uint8Array(16), nonce: new Uint8Array(16) } }), 'entropy.verifier', 'invalid-format'],
    [() => forms.authorizeRequest({ ...base, clientId: undefined }), 'clientId', 'required'],
    [() => forms.tokenRequest({ clientId: base.clientId, clientSecret: 'x~y', grant: { type: 'refresh_token', refreshToken: 'rt', scopes: 'a' } }), 'grant.scopes', 'invalid-format'],
    [() => forms.tokenRequest({ clientId: base.clientId, clientSecret: 'x~y' }), 'grant', 'required'],
    [() => forms.parseTokenResponse(400, [['a']], new Uint8Array(), 0), 'headers', 'invalid-format'],
    [() => forms.parseTokenResponse(200, [], new Uint8Array([0xff]), 0), 'body', 'malformed-response'],
  ];
  for (const [fn, field, code] of refusals) assert.throws(fn, (e) => e instanceof AzconnError && e.field === field && e.code === code, field);
});

test('authorizeRequest and adminConsentRequest draw fresh entropy with crypto.getRandomValues', () => {
  const params = {
    clientId: '00000000-0000-0000-0000-0000000000aa',
    redirectUri: 'https://app.example/callback',
    connectionType: 'azure-client-secrets',
  };
  const a = forms.authorizeRequest(params);
  const b = forms.authorizeRequest(params);
  assert.notEqual(a.state, b.state);
  assert.notEqual(a.codeVerifier, b.codeVerifier);
  assert.equal(a.codeVerifier.length, 43);
  assert.ok(a.url.includes(`state=${a.state}`));
  assert.ok(a.url.includes(`code_challenge=${forms.pkceChallenge(a.codeVerifier).challenge}`));
  assert.equal(forms.parseCallback(`code=abc&state=${a.state}`, a.state), 'abc');
  const consent = forms.adminConsentRequest({ ...params, tenantId: 'contoso.onmicrosoft.com' });
  assert.equal(consent.state.length, 22);
  assert.ok(consent.url.endsWith(`state=${consent.state}`));
});

test('response parsers take a fetch Response body as bytes and its Headers', () => {
  const body = new TextEncoder().encode('{"error":"temporarily_unavailable","error_codes":[]}');
  const report = forms.parseErrorResponse(503, new Headers({ 'Retry-After': '7' }), body);
  assert.equal(report.entra.retryAfter, 7);
  assert.equal(report.class, 'retry-later');
  assert.equal(forms.parseErrorResponse(503, { 'retry-after': '3' }, body).entra.retryAfter, 3);
});

test('hmacSha256 is RFC 4231 test case 2 and leaves the caller key intact', () => {
  const key = new TextEncoder().encode('Jefe');
  const mac = azconn.hmacSha256(key, new TextEncoder().encode('what do ya want for nothing?'));
  assert.ok(mac instanceof Uint8Array);
  assert.equal(Buffer.from(mac).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  assert.equal(new TextDecoder().decode(key), 'Jefe');
});
