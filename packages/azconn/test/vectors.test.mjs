// One vector set, three runtimes: every golden vector in tests/vectors answered by the npm
// package in Node (full build through `call`; the browser build, and its forms and certificate
// halves, for the ops they answer), and the typed exports checked against the same vectors for
// a representative set of operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as azconn from '../node.js';
import * as browserRaw from '../gen/browser/azconn.js';
import * as formsRaw from '../gen/forms/azconn.js';
import * as certificatesRaw from '../gen/certificates/azconn.js';
import { browserApi, certificatesApi, formsApi } from '../api.js';

const vectorsDir = fileURLToPath(new URL('../../../tests/vectors/', import.meta.url));
const cases = readdirSync(vectorsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) =>
    JSON.parse(readFileSync(vectorsDir + f, 'utf8')).cases.map((c) => ({ ...c, file: f })),
  );
const byOp = (op) => cases.filter((c) => c.op === op);

const load = (raw, dir) => {
  raw.initSync({ module: readFileSync(new URL(`../gen/${dir}/azconn_bg.wasm`, import.meta.url)) });
  return raw;
};
const browser = browserApi(load(browserRaw, 'browser'));
const forms = formsApi(load(formsRaw, 'forms'));
const certificates = certificatesApi(load(certificatesRaw, 'certificates'));
const protocolOp = (op) => /^(graph|appconfig|retry|rotation|sync)\./.test(op);
const certificateOp = (op) => /^(cert|jose)\./.test(op);

/** Runs `fn` and checks its answer (or thrown AzconnError) against the vector. */
function check(c, fn, pick = (v) => v) {
  let answer;
  try {
    answer = fn();
  } catch (e) {
    assert.ok(e instanceof azconn.AzconnError, `${c.name}: ${e}`);
    assert.ok(c.expectError, `${c.name}: unexpected error ${e.code} ${e.field}: ${e.message}`);
    for (const [k, v] of Object.entries(c.expectError)) assert.deepEqual(e[k], v, `${c.name}: ${k}`);
    assert.equal(typeof e.message, 'string');
    return;
  }
  assert.ok(c.expect !== undefined, `${c.name}: expected an error, got ${JSON.stringify(answer)}`);
  assert.deepEqual(answer, pick(c.expect), c.name);
}

test('every vector through call() of the full Node build', () => {
  assert.ok(cases.length > 200, `only ${cases.length} vectors`);
  for (const c of cases) check(c, () => azconn.call(c.op, c.input));
});

test('every forms vector through the browser build; protocol ops are not in it', () => {
  let forms = 0;
  for (const c of cases) {
    if (protocolOp(c.op)) {
      assert.throws(() => browser.call(c.op, c.input), { code: 'not-allowed', field: 'op' });
    } else {
      check(c, () => browser.call(c.op, c.input));
      forms += 1;
    }
  }
  assert.ok(forms > 100);
});

test('the forms and certificate modules split the browser build without overlap', () => {
  let [formsOps, certificateOps] = [0, 0];
  for (const c of cases) {
    if (protocolOp(c.op)) continue;
    const [own, other] = certificateOp(c.op) ? [certificates, forms] : [forms, certificates];
    check(c, () => own.call(c.op, c.input));
    assert.throws(() => other.call(c.op, c.input), { code: 'not-allowed', field: 'op' }, c.name);
    if (own === forms) formsOps += 1;
    else certificateOps += 1;
  }
  assert.ok(formsOps > 100 && certificateOps > 30, `${formsOps} forms, ${certificateOps} certificate vectors`);
  for (const c of byOp('cert.inspect')) {
    check(c, () => certificates.inspectCertificate(c.input.credential, c.input.now));
  }
  for (const c of byOp('form.validate')) check(c, () => forms.validateForm(c.input));
});

test('errors are AzconnError objects with code, field, message and hint', () => {
  assert.throws(() => azconn.clientId('not a guid'), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'AzconnError');
    assert.equal(e.code, 'invalid-format');
    assert.equal(e.field, 'clientId');
    assert.match(e.hint, /Application \(client\) ID/);
    return true;
  });
  assert.throws(() => azconn.call('ids.clientId', undefined), { code: 'invalid-format', field: 'input' });
  assert.throws(() => azconn.clientId('not a guid'), azconn.AzconnError);
});

test('typed exports agree with the vectors', () => {
  for (const c of byOp('oauth.pkceChallenge').filter((c) => c.input.verifier)) {
    check(c, () => azconn.pkceChallenge(c.input.verifier));
  }
  for (const c of byOp('oauth.authorize')) check(c, () => azconn.authorizeRequest(c.input));
  for (const c of byOp('form.validate')) check(c, () => azconn.validateForm(c.input));
  for (const c of byOp('oauth.tokenRequest')) check(c, () => azconn.tokenRequest(c.input));
  for (const c of byOp('oauth.parseToken')) {
    check(c, () => azconn.parseTokenResponse(c.input.response, c.input.now));
  }
  for (const c of byOp('oauth.parseError')) check(c, () => azconn.parseErrorResponse(c.input.response));
  for (const c of byOp('oauth.parseCallback')) {
    check(c, () => azconn.parseCallback(c.input.query, c.input.expectedState), (e) => e.code);
  }
  for (const c of byOp('cert.inspect')) {
    check(c, () => azconn.inspectCertificate(c.input.credential, c.input.now));
  }
  for (const c of byOp('jose.assertionSigningInput')) check(c, () => azconn.assertionSigningInput(c.input));
  for (const c of byOp('cloud.endpoints')) check(c, () => azconn.cloudEndpoints(c.input));
  for (const c of byOp('graph.listApplications')) check(c, () => azconn.graph.listApplications(c.input));
  for (const c of byOp('graph.parseApplication')) {
    check(c, () => azconn.graph.parseApplication(c.input.response));
  }
  for (const c of byOp('appconfig.sign')) check(c, () => azconn.appConfig.sign(c.input));
  for (const c of byOp('appconfig.put')) check(c, () => azconn.appConfig.put(c.input));
  for (const c of byOp('sync.plan')) check(c, () => azconn.syncPlan(c.input));
  for (const c of byOp('rotation.start')) check(c, () => azconn.rotation.start(c.input.config));
  for (const c of byOp('retry.decide')) check(c, () => azconn.retryDecide(c.input));
});

test('authorizeRequest draws fresh entropy with crypto.getRandomValues when none is given', () => {
  const params = {
    clientId: '00000000-0000-0000-0000-0000000000aa',
    redirectUri: 'https://app.example/callback',
    connectionType: 'azure-client-secrets',
  };
  const a = azconn.authorizeRequest(params);
  const b = azconn.authorizeRequest(params);
  assert.notEqual(a.state, b.state);
  assert.notEqual(a.codeVerifier, b.codeVerifier);
  assert.equal(a.codeVerifier.length, 43);
  assert.ok(a.url.includes(`state=${a.state}`));
  const challenge = azconn.pkceChallenge(a.codeVerifier).challenge;
  assert.ok(a.url.includes(`code_challenge=${challenge}`));
  assert.equal(azconn.parseCallback(`code=abc&state=${a.state}`, a.state), 'abc');
});

test('hmacSha256 is RFC 4231 test case 2 and leaves the caller key intact', () => {
  const key = new TextEncoder().encode('Jefe');
  const mac = azconn.hmacSha256(key, new TextEncoder().encode('what do ya want for nothing?'));
  assert.ok(mac instanceof Uint8Array);
  assert.equal(Buffer.from(mac).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  assert.equal(new TextDecoder().decode(key), 'Jefe');
});
