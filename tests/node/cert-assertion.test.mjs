// Client assertions signed by the Rust core (native signer) verify with `jose` and the
// certificate's public key, for both profiles; header thumbprints match Node's own X509 digest.
// The core's signing input signed with WebCrypto and its PKCS#8 key (the Worker's path) verifies
// too, for a PKCS#1 PEM key and a legacy PFX. Certificates come fresh from tests/certs/gen.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { X509Certificate, createHash } from 'node:crypto';
import { importX509, jwtVerify, decodeProtectedHeader } from 'jose';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

const dir = mkdtempSync(join(tmpdir(), 'azconn-certs-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
run('bash', [join(root, 'tests/certs/gen.sh'), dir]);
const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
const now = Math.floor(Date.now() / 1000);
const example = (...args) =>
  JSON.parse(
    run(process.env.CARGO ?? 'cargo', [
      'run', '-q', '-p', 'azconn-core', '--example', 'cert_assertions', '--', ...args, String(now),
    ]),
  );
const out = example(join(dir, 'chain.pem'), join(dir, 'key-pkcs1.pem'));
const fromPfx = example(`--pfx=${join(dir, 'legacy.pfx.b64')}`, 'pfx pässword');
const der = new X509Certificate(certPem).raw;
const b64url = (buf) => Buffer.from(buf).toString('base64url');

test('both profiles were produced', () => {
  assert.deepEqual(out.assertions.map((a) => [a.profile, a.algorithm]), [
    ['ps256Sha256', 'PS256'],
    ['rs256Sha1', 'RS256'],
  ]);
});

test('thumbprints are base64url of the raw digests Node computes', () => {
  assert.equal(out.x5t, b64url(createHash('sha1').update(der).digest()));
  assert.equal(out.x5tS256, b64url(createHash('sha256').update(der).digest()));
});

for (const a of out.assertions) {
  test(`${a.algorithm} assertion verifies with jose and the certificate's public key`, async () => {
    const key = await importX509(certPem, a.algorithm);
    const { payload, protectedHeader } = await jwtVerify(a.jws, key, {
      algorithms: [a.algorithm],
      audience: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token',
      issuer: a.clientId,
      subject: a.clientId,
      typ: 'JWT',
      currentDate: new Date(now * 1000),
    });
    assert.equal(payload.jti, a.jti);
    assert.equal(payload.nbf, now);
    assert.equal(payload.iat, now);
    assert.equal(payload.exp, now + 600);
    if (a.algorithm === 'PS256') {
      assert.equal(protectedHeader['x5t#S256'], b64url(createHash('sha256').update(der).digest()));
      assert.equal(protectedHeader.x5t, undefined);
      assert.deepEqual(protectedHeader.x5c, [
        der.toString('base64'),
        new X509Certificate(caPem).raw.toString('base64'),
      ]);
    } else {
      assert.equal(protectedHeader.x5t, b64url(createHash('sha1').update(der).digest()));
      assert.equal(protectedHeader['x5t#S256'], undefined);
      assert.equal(protectedHeader.x5c, undefined);
    }
    assert.doesNotMatch(a.jws, /[=+/]/);
  });

  test(`${a.algorithm} assertion does not verify with another certificate`, async () => {
    const other = await importX509(caPem, a.algorithm);
    await assert.rejects(jwtVerify(a.jws, other, { currentDate: new Date(now * 1000) }), {
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
    assert.equal(decodeProtectedHeader(a.jws).typ, 'JWT');
  });
}

for (const [source, data] of [['PKCS#1 PEM', out], ['legacy PFX', fromPfx]]) {
  for (const u of data.unsigned) {
    test(`WebCrypto signs the core's ${u.unsigned.algorithm} signing input (${source} key)`, async () => {
      const key = await crypto.subtle.importKey(
        'pkcs8',
        Buffer.from(data.pkcs8, 'base64'),
        { name: u.webCrypto.name, hash: u.webCrypto.hash },
        false,
        ['sign'],
      );
      const signature = await crypto.subtle.sign(
        u.webCrypto.saltLength ? { name: u.webCrypto.name, saltLength: u.webCrypto.saltLength } : { name: u.webCrypto.name },
        key,
        new TextEncoder().encode(u.unsigned.signingInput),
      );
      assert.equal(signature.byteLength, u.unsigned.signatureLength);
      const jws = `${u.unsigned.signingInput}.${b64url(signature)}`;
      const { payload } = await jwtVerify(jws, await importX509(certPem, u.unsigned.algorithm), {
        algorithms: [u.unsigned.algorithm],
        audience: u.audience,
        issuer: u.clientId,
        subject: u.clientId,
        currentDate: new Date(now * 1000),
      });
      assert.equal(payload.exp - payload.iat, 600);
    });
  }
}
