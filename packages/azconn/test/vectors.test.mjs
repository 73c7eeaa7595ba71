// One vector set, every runtime: each golden vector in tests/vectors answered by the npm
// package in Node, through the typed exports (the tables in typed.mjs map a vector op to its
// export) of every module that carries it: forms, certificates, and the server steps (Graph,
// App Configuration, retry, sync, rotation) of the full Node build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as azconn from '../node.js';
import * as browserRaw from '../gen/browser/azconn.js';
import * as formsRaw from '../gen/forms/azconn.js';
import * as certificatesRaw from '../gen/certificates/azconn.js';
import * as certificatesPfxRaw from '../gen/certificates-pfx/azconn.js';
import { AzconnError } from '../values.js';
import { typed, server, typedError, assertionOp, certificateOp, tokenOp, formsOp, pfxCase } from './typed.mjs';

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
const certificates = load(certificatesRaw, 'certificates');
const certificatesPfx = load(certificatesPfxRaw, 'certificates-pfx');

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

test('every vector has a typed export; every server vector through those of the full Node build', () => {
  assert.ok(cases.length > 200, `only ${cases.length} vectors`);
  assert.deepEqual(cases.filter((c) => !typed[c.op] && !server[c.op]).map((c) => c.op), []);
  const serverCases = cases.filter((c) => server[c.op]);
  assert.ok(serverCases.length > 100, `${serverCases.length} server vectors`);
  for (const c of serverCases) check(c, () => server[c.op](azconn, c.input), typedError(c));
  assert.equal(azconn.call, undefined);
});

test('every forms vector through the typed exports of the Node, forms and browser modules', () => {
  const formsCases = cases.filter((c) => formsOp(c.op));
  assert.ok(formsCases.length > 50, `${formsCases.length} forms vectors`);
  for (const api of [azconn, forms, browser]) {
    for (const c of formsCases) check(c, () => typed[c.op](api, c.input), typedError(c));
  }
});

test('every token vector through the typed exports of the Node and browser modules; forms has none', () => {
  const tokenCases = cases.filter((c) => tokenOp(c.op));
  assert.ok(tokenCases.length > 30, `${tokenCases.length} token vectors`);
  for (const api of [azconn, browser]) {
    for (const c of tokenCases) check(c, () => typed[c.op](api, c.input), typedError(c));
  }
  for (const name of ['parseCallback', 'parseAdminConsentCallback', 'tokenRequest', 'parseTokenResponse', 'parseErrorResponse', 'decodeJwtUnverified']) {
    assert.equal(forms[name], undefined, name);
  }
});

test('every certificate vector through the typed exports of the certificate, browser and Node modules; forms has none', () => {
  const certificateCases = cases.filter((c) => certificateOp(c.op));
  assert.ok(certificateCases.length >= 20, `${certificateCases.length} certificate vectors`);
  for (const api of [certificatesPfx, browser, azconn]) {
    for (const c of certificateCases) check(c, () => typed[c.op](api, c.input), typedError(c));
  }
  // The default certificate module has no PKCS#12: it answers every other vector and refuses
  // a PFX, as text or as bytes, naming the module that opens it.
  for (const c of certificateCases.filter((c) => !pfxCase(c))) check(c, () => typed[c.op](certificates, c.input), typedError(c));
  const pfxCases = certificateCases.filter(pfxCase);
  assert.ok(pfxCases.length >= 3, `${pfxCases.length} PFX vectors`);
  const refusesPfx = (e) =>
    e instanceof AzconnError && e.code === 'unsupported-algorithm' && e.field === 'pfx' &&
    /does not open PFX/.test(e.message) && e.hint.includes('loadCertificates({ pfx: true })');
  for (const c of pfxCases) {
    assert.throws(() => typed[c.op](certificates, c.input), refusesPfx, c.name);
    const bytes = Buffer.from(c.input.credential.pfx, 'base64');
    const credential = { ...c.input.credential, pfx: new Uint8Array(bytes) };
    assert.throws(() => certificates.Credential.load(credential, c.input.now), refusesPfx, `${c.name} (bytes)`);
  }
  for (const c of cases.filter((c) => c.op === 'cert.inspect')) {
    check(c, () => certificatesPfx.inspectCertificate(c.input.credential, c.input.now));
  }
  assert.equal(forms.Credential, undefined);
  assert.equal(forms.inspectCertificate, undefined);
});

test('every assertion vector through the typed exports of the browser and Node modules; the certificate modules have none', () => {
  const assertionCases = cases.filter((c) => assertionOp(c.op));
  assert.ok(assertionCases.length >= 8, `${assertionCases.length} assertion vectors`);
  for (const api of [browser, azconn]) {
    for (const c of assertionCases) check(c, () => typed[c.op](api, c.input), typedError(c));
  }
  for (const api of [certificates, certificatesPfx]) {
    assert.equal(api.completeAssertion, undefined);
    for (const name of ['assertion', 'signAssertion']) assert.equal(api.Credential.prototype[name], undefined, name);
  }
});

test('the certificate and browser modules carry no tunnel and no forms exports beyond what they need', () => {
  assert.equal(certificates.call, undefined);
  assert.equal(certificates.validateForm, undefined);
  assert.equal(browser.call, undefined);
});

const vector = (op, name) => cases.find((c) => c.op === op && c.name === name).input;
const pem = vector('cert.inspect', 'PKCS#8 PEM key with its certificate');
const pfx = vector('cert.inspect', 'PFX (OpenSSL 3 default: AES-256-CBC, HMAC-SHA256 MAC)');
const claims = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '11111111-2222-4333-8444-555555555555', now: pem.now };

test('a Credential of the PFX module loads a PFX from its bytes as from its base64 text', () => {
  const der = Uint8Array.from(atob(pfx.credential.pfx), (c) => c.charCodeAt(0));
  const fromBytes = certificatesPfx.Credential.load({ pfx: der, pfxPassword: 'vector pfx' }, pfx.now);
  const fromText = certificatesPfx.Credential.load(pfx.credential, pfx.now);
  assert.deepEqual(fromBytes.report(), fromText.report());
  assert.deepEqual(fromBytes.privateKeyPkcs8(), fromText.privateKeyPkcs8());
  fromBytes.free();
  fromText.free();
  assert.throws(() => certificatesPfx.Credential.load({ pfx: der, pfxPassword: 'nope' }, pfx.now), { code: 'wrong-password', field: 'pfxPassword' });
  // Both modules refuse a PFX given with a certificate before anything else.
  for (const api of [certificates, certificatesPfx]) {
    assert.throws(() => api.Credential.load({ pfx: der, certificate: pem.credential.certificate }, pfx.now), { code: 'not-allowed', field: 'pfx' });
  }
});

test('Credential refuses malformed input naming the field', () => {
  const { Credential } = certificates;
  const refusals = [
    [() => Credential.load('pem', 0), 'credential', 'invalid-format'],
    [() => Credential.load({ certificate: 5 }, 0), 'certificate', 'invalid-format'],
    [() => Credential.load(pem.credential, -1), 'now', 'invalid-format'],
    [() => Credential.load({ pfx: 'MII', pfxPassword: 7 }, 0), 'pfxPassword', 'invalid-format'],
  ];
  for (const [fn, field, code] of refusals) assert.throws(fn, (e) => e instanceof AzconnError && e.field === field && e.code === code, field);
  // The assertion's parameters, in a module that builds assertions.
  const c = browser.Credential.load(pem.credential, pem.now);
  const bad = [
    [{ ...claims, now: undefined }, 'now', 'required'],
    [{ ...claims, jtiEntropy: 'ab' }, 'jtiEntropy', 'invalid-format'],
    [{ ...claims, options: { profile: 'HS256' } }, 'options.profile', 'invalid-format'],
    [{ ...claims, options: { includeX5c: 'yes' } }, 'options.includeX5c', 'invalid-format'],
    [{ ...claims, options: { lifetimeSeconds: 1.5 } }, 'options.lifetimeSeconds', 'invalid-format'],
    [{ ...claims, cloud: { kind: 'mars' } }, 'cloud.kind', 'invalid-format'],
  ];
  for (const [params, field, code] of bad) assert.throws(() => c.assertion(params), (e) => e.field === field && e.code === code, field);
  assert.throws(() => browser.completeAssertion({ algorithm: 'HS256', signingInput: 'a.b', signatureLength: 1 }, new Uint8Array(1)), { field: 'algorithm' });
  assert.throws(() => browser.completeAssertion({ algorithm: 'PS256', signingInput: 'a.b', signatureLength: -1 }, new Uint8Array(1)), { field: 'signatureLength' });
  c.free();
});

test('a loaded Credential signs assertions with WebCrypto that verify with its certificate', async () => {
  for (const api of [browser, azconn]) {
    const c = api.Credential.load(pem.credential, pem.now);
    const a = c.assertion(claims);
    const b = c.assertion(claims);
    assert.notEqual(a.signingInput, b.signingInput, 'a fresh jti per assertion');
    for (const options of [undefined, { profile: 'rs256Sha1', includeX5c: true }]) {
      const params = { ...claims, options };
      const unsigned = c.assertion({ ...params, jtiEntropy: new Uint8Array(16) });
      const jws = await c.signAssertion({ ...params, jtiEntropy: new Uint8Array(16) });
      const [h, p, sig] = jws.split('.');
      assert.equal(`${h}.${p}`, unsigned.signingInput);
      const der = (text) => Uint8Array.from(atob(text.replace(/-----[^-]+-----|\s/g, '')), (ch) => ch.charCodeAt(0));
      const { X509Certificate } = await import('node:crypto');
      const publicKey = new X509Certificate(der(pem.credential.certificate)).publicKey.export({ type: 'spki', format: 'der' });
      const key = await crypto.subtle.importKey('spki', publicKey, { name: unsigned.webCrypto.name, hash: 'SHA-256' }, false, ['verify']);
      const signature = Uint8Array.from(atob(sig.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0));
      assert.equal(signature.length, unsigned.signatureLength);
      assert.ok(await crypto.subtle.verify(unsigned.webCrypto, key, signature, new TextEncoder().encode(unsigned.signingInput)), unsigned.algorithm);
      assert.equal(api.completeAssertion(unsigned, signature), jws);
    }
    const pkcs8 = c.privateKeyPkcs8();
    assert.equal(pkcs8[0], 0x30);
    c.free();
    assert.throws(() => c.report(), /null pointer|freed|moved/);
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
    [() => browser.tokenRequest({ clientId: base.clientId, clientSecret: 'x~y', grant: { type: 'refresh_token', refreshToken: 'rt', scopes: 'a' } }), 'grant.scopes', 'invalid-format'],
    [() => browser.tokenRequest({ clientId: base.clientId, clientSecret: 'x~y' }), 'grant', 'required'],
    [() => browser.parseTokenResponse(400, [['a']], new Uint8Array(), 0), 'headers', 'invalid-format'],
    [() => browser.parseTokenResponse(200, [], new Uint8Array([0xff]), 0), 'body', 'malformed-response'],
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
  assert.equal(browser.parseCallback(`code=abc&state=${a.state}`, a.state), 'abc');
  const consent = forms.adminConsentRequest({ ...params, tenantId: 'contoso.onmicrosoft.com' });
  assert.equal(consent.state.length, 22);
  assert.ok(consent.url.endsWith(`state=${consent.state}`));
});

test('parseTokenResponse answers a text body exactly as its bytes', () => {
  const cases = JSON.parse(readFileSync(new URL('../../../tests/vectors/oauth.json', import.meta.url), 'utf8')).cases
    .filter((c) => c.op === 'oauth.parseToken');
  const bodies = [
    ...cases.map((c) => c.input.response),
    // Escapes, non-ASCII text and scopes that split differently at whitespace and at spaces.
    { status: 200, headers: [], body: '{"token_type":"bearer","access_token":"a\\/b","refresh_token":"r\\u0041","id_token":"é😀","scope":" x\\ty  z ","expires_in":"60","ext_expires_in":null}' },
    { status: 200, headers: [], body: '{"token_type":"Bearer","access_token":"at","scope":"é f","expires_in":1}' },
    { status: 200, headers: [], body: '{"token_type":"Bearer","access_token":"a t","expires_in":1}' },
    { status: 400, headers: [['content-type', 'application/json']], body: '{"error":"invalid_grant","error_codes":[70000]}' },
  ];
  assert.ok(cases.length > 0);
  const answer = (fn) => {
    try {
      return fn();
    } catch (e) {
      return { code: e.code, field: e.field, message: e.message, hint: e.hint };
    }
  };
  for (const r of bodies) {
    const text = answer(() => browser.parseTokenResponse(r.status, r.headers, r.body, 100));
    assert.deepEqual(text, answer(() => browser.parseTokenResponse(r.status, r.headers, new TextEncoder().encode(r.body), 100)), r.body);
    assert.deepEqual(answer(() => azconn.parseTokenResponse(r.status, r.headers, r.body, 100)), text, r.body);
  }
  assert.throws(() => browser.parseTokenResponse(200, [], 5, 0), (e) => e instanceof AzconnError && e.field === 'body' && e.code === 'invalid-format');
  // Bytes that are not UTF-8 are refused by both builds; a text body is UTF-8 by construction
  // (a lone surrogate reads as U+FFFD, as TextEncoder writes it) and reaches the JSON reader.
  for (const m of [browser, azconn]) {
    assert.throws(() => m.parseTokenResponse(200, [], new Uint8Array([0x7b, 0xff, 0x7d]), 0),
      (e) => e instanceof AzconnError && e.field === 'body' && e.code === 'malformed-response' && e.message.includes('not UTF-8'));
    const lone = answer(() => m.parseTokenResponse(200, [], '{"token_type":"Bearer","access_token":"at","scope":"\ud800","expires_in":1}', 0));
    assert.deepEqual(lone.scopes, ['\ufffd']);
    for (const headers of [[['retry-after']], 'retry-after: 1', 5, true]) {
      assert.throws(() => m.parseTokenResponse(400, headers, '{"error":"invalid_grant"}', 0),
        (e) => e instanceof AzconnError && e.field === 'headers' && e.code === 'invalid-format', String(headers));
      assert.throws(() => m.parseErrorResponse(400, headers, new TextEncoder().encode('{"error":"invalid_grant"}')),
        (e) => e instanceof AzconnError && e.field === 'headers' && e.code === 'invalid-format', String(headers));
    }
  }
});

test('response parsers take a fetch Response body as bytes and its Headers', () => {
  const body = new TextEncoder().encode('{"error":"temporarily_unavailable","error_codes":[]}');
  const report = browser.parseErrorResponse(503, new Headers({ 'Retry-After': '7' }), body);
  assert.equal(report.entra.retryAfter, 7);
  assert.equal(report.class, 'retry-later');
  assert.equal(browser.parseErrorResponse(503, { 'retry-after': '3' }, body).entra.retryAfter, 3);
});

test('server inputs of the wrong shape are refused naming the member', () => {
  const store = { endpoint: 'https://s.azconfig.io' };
  const refusals = [
    [() => azconn.appConfigPut({ ...store, key: 'k', write: { value: 5 } }), 'write.value', 'invalid-format'],
    [() => azconn.appConfigPut({ ...store, key: 'k' }), 'write', 'required'],
    [() => azconn.appConfigList({ ...store, query: { key: 'all' } }), 'query.label', 'required'],
    [() => azconn.graphAddPassword({ token: 't', app: { objectId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }, spec: { displayName: 'x', endsAt: 'soon' } }), 'spec.endsAt', 'invalid-format'],
    [() => azconn.graphGetApplication({ token: 't', app: { name: 'x' } }), 'app', 'invalid-format'],
    [() => azconn.rotationStart({ connectionId: 'c' }), 'config.rotationId', 'required'],
    [() => azconn.retryDecide({}), 'attempt', 'required'],
    [() => new azconn.SyncPlanner({ ...store, spec: { label: null, mode: 'sideways' }, desired: {} }), 'spec.mode', 'invalid-format'],
  ];
  for (const [fn, field, code] of refusals) {
    assert.throws(fn, (e) => e instanceof AzconnError && e.field === field && e.code === code, `${field}: ${(() => { try { fn(); } catch (e) { return `${e.code} ${e.field} ${e.message}`; } })()}`);
  }
});

test('hmacSha256 is RFC 4231 test case 2 and leaves the caller key intact', () => {
  const key = new TextEncoder().encode('Jefe');
  const mac = azconn.hmacSha256(key, new TextEncoder().encode('what do ya want for nothing?'));
  assert.ok(mac instanceof Uint8Array);
  assert.equal(Buffer.from(mac).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  assert.equal(new TextDecoder().decode(key), 'Jefe');
});
