// The web builds in Debian chromium (playwright-core, headless): every golden vector, the forms
// ops through the typed exports of the forms and browser entries (the table in typed.mjs), the
// token steps through those of the browser entry (the forms entry has none), the
// certificate ops through the typed exports of the browser entry and of the module the forms
// entry fetches only when asked, the protocol ops through the full web entry. Served from 127.0.0.1 on an
// ephemeral port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { typedError, formsOp, certificateOp, pfxCase } from './typed.mjs';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const vectorsDir = fileURLToPath(new URL('../../../tests/vectors/', import.meta.url));
const all = readdirSync(vectorsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(readFileSync(vectorsDir + f, 'utf8')).cases);
const sample = all;

const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const page = `<!doctype html><script type="module">
  const browser = await import('/browser.js');
  const full = await import('/web.js');
  const forms = await import('/forms.js');
  const { typed, server, formsOp } = await import('/test/typed.mjs');
  const answer = (fn) => {
    try { return { ok: fn() }; }
    catch (e) { return { error: { name: e.name, code: e.code, field: e.field, message: e.message, hint: e.hint } }; }
  };
  window.run = (cases, entry) => cases.map((c) => entry === 'forms' && !formsOp(c.op) ? null
    : answer(() => typed[c.op] ? typed[c.op](entry === 'forms' ? forms : browser, c.input) : server[c.op](full, c.input)));
  window.runCertificates = async (cases, pfx) => {
    const api = await forms.loadCertificates({ pfx });
    return cases.map((c) => answer(() => typed[c.op](api, c.input)));
  };
  window.ready = true;
</script>`;

test('the browser and full web entries answer the vectors in chromium', async () => {
  const requested = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    requested.push(path);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const file = normalize(join(pkg, path));
    if (!file.startsWith(pkg)) return res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A fresh profile (playwright passes it as --user-data-dir).
  const profile = mkdtempSync(join(tmpdir(), 'azconn-chromium-'));
  let browser;
  try {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      timeout: 30000,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.ready === true, null, { timeout: 20000 });
    assert.deepEqual(errors, []);
    const cases = sample.map((c) => ({ op: c.op, input: c.input }));
    for (const entry of ['browser', 'forms']) {
      const answers = await tab.evaluate(([cs, entry]) => window.run(cs, entry), [cases, entry]);
      assert.equal(answers.length, sample.length);
      sample.forEach((c, i) => {
        const a = answers[i];
        if (entry === 'forms' && !formsOp(c.op)) return;
        if (c.expect !== undefined) {
          assert.deepEqual(a.ok, c.expect, `${c.name}: ${JSON.stringify(a.error)}`);
        } else {
          assert.equal(a.error?.name, 'AzconnError', c.name);
          const expected = typedError(c);
          for (const [k, v] of Object.entries(expected)) assert.deepEqual(a.error[k], v, `${c.name}: ${k}`);
        }
      });
    }
    // The browser entry does not contain the server code.
    const browserExports = await tab.evaluate(async () => Object.keys(await import('/browser.js')));
    assert.ok(browserExports.includes('Credential') && browserExports.includes('validateForm'));
    assert.ok(!browserExports.includes('call'));
    // The forms entry starts the sign-in; the steps from the redirect on are the server's.
    const formsExports = await tab.evaluate(async () => Object.keys(await import('/forms.js')));
    assert.ok(formsExports.includes('authorizeRequest') && formsExports.includes('adminConsentRequest'));
    assert.ok(browserExports.includes('parseCallback') && browserExports.includes('parseAdminConsentCallback'));
    for (const name of ['parseCallback', 'parseAdminConsentCallback', 'tokenRequest', 'parseTokenResponse', 'parseErrorResponse', 'decodeJwtUnverified']) {
      assert.ok(!formsExports.includes(name), name);
    }

    // The forms entry: the certificate module is fetched on the first loadCertificates() only;
    // the PFX module only when asked for, and it alone opens a PFX.
    const certificateWasm = '/gen/certificates/azconn_bg.wasm';
    const pfxWasm = '/gen/certificates-pfx/azconn_bg.wasm';
    const certificateCases = sample.filter((c) => certificateOp(c.op));
    assert.ok(certificateCases.length >= 6);
    const run = (cases, pfx = false) =>
      tab.evaluate(([cs, pfx]) => window.runCertificates(cs, pfx), [cases.map((c) => ({ op: c.op, input: c.input })), pfx]);
    const expectAnswers = (cases, answers) => cases.forEach((c, i) => {
      const a = answers[i];
      if (c.expect !== undefined) assert.deepEqual(a.ok, c.expect, `${c.name}: ${JSON.stringify(a.error)}`);
      else for (const [k, v] of Object.entries(typedError(c))) assert.deepEqual(a.error[k], v, `${c.name}: ${k}`);
    });
    assert.ok(requested.includes('/gen/forms/azconn_bg.wasm'));
    assert.ok(!requested.includes(certificateWasm), 'fetched before loadCertificates()');
    const pemCases = certificateCases.filter((c) => !pfxCase(c));
    const pfxCases = certificateCases.filter(pfxCase);
    expectAnswers(pemCases, await run(pemCases));
    expectAnswers(pemCases, await run(pemCases));
    assert.equal(requested.filter((p) => p === certificateWasm).length, 1);
    assert.ok(!requested.includes(pfxWasm), 'PFX module fetched unasked');
    for (const refused of await run(pfxCases)) {
      assert.equal(refused.error.code, 'unsupported-algorithm');
      assert.equal(refused.error.field, 'pfx');
      assert.match(refused.error.hint, /loadCertificates\(\{ pfx: true \}\)/);
    }
    expectAnswers(certificateCases, await run(certificateCases, true));
    assert.equal(requested.filter((p) => p === pfxWasm).length, 1);

    // The certificate module of the forms entry inspects; the client assertion is a server's step.
    const certificateApi = await tab.evaluate(async () => {
      const api = await (await import('/forms.js')).loadCertificates();
      return { exports: Object.keys(api), methods: Object.getOwnPropertyNames(api.Credential.prototype) };
    });
    assert.deepEqual(certificateApi.exports.sort(), ['Credential', 'inspectCertificate']);
    assert.ok(certificateApi.methods.includes('report') && !certificateApi.methods.includes('assertion') && !certificateApi.methods.includes('signAssertion'));

    // A Credential of the browser entry, loaded once, signs with the browser's WebCrypto; the JWS
    // verifies in Node.
    const pem = all.find((c) => c.name === 'PKCS#8 PEM key with its certificate').input;
    const params = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '11111111-2222-4333-8444-555555555555', now: pem.now };
    const jws = await tab.evaluate(async ([credential, params]) => {
      const { Credential } = await import('/browser.js');
      const c = Credential.load(credential, params.now);
      try { return await c.signAssertion(params); } finally { c.free(); }
    }, [pem.credential, params]);
    const [h, p, sig] = jws.split('.');
    const { createPublicKey, verify, constants } = await import('node:crypto');
    const key = createPublicKey(pem.credential.certificate);
    assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(sig, 'base64url')));
  } finally {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  }
});
