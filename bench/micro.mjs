// Node micro-benchmarks: azconn's public typed API (packages/azconn, node entry) beside its peers on
// the same inputs, in the same process, interleaved rounds (lib/stats.mjs). `OPS` says exactly
// what one operation is on each side; the report prints it next to the figures.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from './lib/stats.mjs';
import { profile } from './profile.mjs';
import { spread, sig, table } from './lib/report.mjs';

function vector(root, file, op, name) {
  const doc = JSON.parse(readFileSync(join(root, 'tests/vectors', file), 'utf8'));
  const c = doc.cases.find((x) => x.op === op && (name === undefined || x.name === name) && 'expect' in x);
  if (!c) throw new Error(`no vector ${op} ${name ?? ''} in ${file}`);
  return c.input;
}

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const der = (pem) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

/** Each benchmark: a title, what one op does on each side, and its contenders (azconn first). */
async function benchmarks(root) {
  const azconn = await import(join(root, 'packages/azconn/node.js'));
  const oauth = await import('oauth4webapi');
  const jose = await import('jose');
  const msal = await import('@azure/msal-node');
  const { appConfigKeyCredentialPolicy } = await import(
    join(root, 'node_modules/@azure/app-configuration/dist/esm/appConfigCredential.js'));
  const { createPipelineRequest, createHttpHeaders } = await import('@azure/core-rest-pipeline');

  const TENANT = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
  const CLIENT = '00001111-aaaa-2222-bbbb-3333cccc4444';
  const REDIRECT = 'https://azconn.example.com/organization/app-connections/azure/oauth/callback';
  const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`;
  const SCOPE = 'https://graph.microsoft.com/.default openid offline_access';
  const as = {
    issuer: `${AUTHORITY}/v2.0`,
    authorization_endpoint: `${AUTHORITY}/oauth2/v2.0/authorize`,
    token_endpoint: `${AUTHORITY}/oauth2/v2.0/token`,
  };
  const client = { client_id: CLIENT };

  // msal-node offline: authority and cloud discovery metadata given, so it never fetches them.
  const host = 'login.microsoftonline.com';
  const cca = new msal.ConfidentialClientApplication({
    auth: {
      clientId: CLIENT, authority: AUTHORITY, clientSecret: 'not-used-offline', knownAuthorities: [host],
      authorityMetadata: JSON.stringify({ ...as, end_session_endpoint: `${AUTHORITY}/oauth2/v2.0/logout`, jwks_uri: `${AUTHORITY}/discovery/v2.0/keys` }),
      cloudDiscoveryMetadata: JSON.stringify({ tenant_discovery_endpoint: `${AUTHORITY}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1', metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }] }),
    },
  });
  const msalCrypto = new msal.CryptoProvider();

  // Token responses (Entra v2 shapes from the golden vectors).
  const tokenBody = JSON.stringify({
    token_type: 'Bearer', scope: 'https://graph.microsoft.com/.default', expires_in: 3599, ext_expires_in: 3599,
    access_token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJl',
    refresh_token: '0.AXoA-rt-' + 'x'.repeat(600),
  });
  const errorInput = vector(root, 'entra-errors.json', 'oauth.parseError').response;
  const jsonHeaders = [['content-type', 'application/json; charset=utf-8'], ['cache-control', 'no-store']];
  const responseOf = (status, body) => new Response(body, { status, headers: jsonHeaders });
  /** What a host does with a fetch Response before handing it to the core. */
  const plain = async (res) => ({ status: res.status, headers: [...res.headers], body: await res.text() });
  /** What azconn's parsers take from a fetch Response: status, Headers and the body bytes. */
  const bytesOf = async (res) => new Uint8Array(await res.arrayBuffer());
  const NOW = 1_900_000_000;

  // Certificate credential (RSA 2048) from the jose vectors.
  const assertion = vector(root, 'jose.json', 'jose.assertionSigningInput');
  const { certificate, privateKey } = assertion.credential;
  // Loaded once, as jose's key is imported once: the benchmark measures building and signing.
  const credential = azconn.Credential.load(assertion.credential, NOW);
  /** The credential loaded once in each module the profile binds. */
  const loaded = new Map([[azconn, credential]]);
  const loadedIn = (a) => loaded.get(a) ?? loaded.set(a, a.Credential.load(assertion.credential, NOW)).get(a);
  const joseKey = await jose.importPKCS8(privateKey, 'PS256');
  const thumbprint = createHash('sha256').update(der(certificate)).digest();
  const aud = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;
  const msalAssertion = msal.ClientAssertion.fromCertificateWithSha256Thumbprint(thumbprint.toString('hex'), privateKey);
  const enc = new TextEncoder();

  // App Configuration request (the HMAC golden vector).
  const hmac = vector(root, 'hmac.json', 'appconfig.sign');
  const conn = Object.fromEntries(hmac.connectionString.split(';').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  const sdkPolicy = appConfigKeyCredentialPolicy(conn.Id, conn.Secret);
  const sdkNext = async (request) => request;

  const forms = JSON.parse(readFileSync(join(root, 'tests/vectors/form.json'), 'utf8')).cases;
  const secretForm = forms.find((c) => c.name === 'client secret form').input;
  const certForm = forms.find((c) => c.name === 'certificate form with store endpoint and description').input;
  const invalidForm = forms.find((c) => c.name === 'client secret form with every credential wrong').input;

  const errorBytes = enc.encode(errorInput.body);
  const GUID = '00001111-aaaa-2222-bbbb-3333cccc4444';
  /** The synchronous azconn part of each operation, for the profile (profile.mjs). */
  const profileCases = [
    { name: 'authorizeRequest', fn: (a) => a.authorizeRequest({ tenantId: TENANT, clientId: CLIENT, redirectUri: REDIRECT, connectionType: 'azure-client-secrets' }) },
    { name: 'parseTokenResponse', fn: (a) => a.parseTokenResponse(200, jsonHeaders, tokenBody, NOW) },
    { name: 'parseErrorResponse', fn: (a) => a.parseErrorResponse(errorInput.status, jsonHeaders, errorBytes) },
    { name: 'credential.assertion (loaded once)', fn: (a) => loadedIn(a).assertion({ now: NOW, tenantId: TENANT, clientId: CLIENT }) },
    { name: 'appConfigSign', fn: (a) => a.appConfigSign(hmac.request, hmac.connectionString, hmac.now) },
    { name: 'validateForm (client secret)', fn: (a) => a.validateForm(secretForm) },
    { name: 'clientId (a GUID: the per-call floor)', fn: (a) => a.clientId(GUID) },
  ];

  const benches = [
    {
      id: 'pkce',
      title: 'PKCE pair + authorize URL',
      contenders: [
        {
          name: 'azconn', what: '`authorizeRequest({tenantId, clientId, redirectUri, connectionType})`: 64 random bytes (verifier 32 B, state 16 B, nonce 16 B) from the package pool, refilled by getRandomValues per 1 KiB, S256 challenge and the URL (9 parameters) in wasm; params read as JS properties, the result built by one JS call',
          fn: () => azconn.authorizeRequest({ tenantId: TENANT, clientId: CLIENT, redirectUri: REDIRECT, connectionType: 'azure-client-secrets' }),
        },
        {
          name: 'oauth4webapi', what: '`generateRandomCodeVerifier`, `await calculatePKCECodeChallenge` (WebCrypto digest), `generateRandomState`, `generateRandomNonce`, `new URL` + 9 × `searchParams.set`, `href` (the library has no URL builder: its documented pattern)',
          fn: async () => {
            const verifier = oauth.generateRandomCodeVerifier();
            const challenge = await oauth.calculatePKCECodeChallenge(verifier);
            const url = new URL(as.authorization_endpoint);
            const p = url.searchParams;
            p.set('client_id', CLIENT); p.set('response_type', 'code'); p.set('redirect_uri', REDIRECT);
            p.set('response_mode', 'query'); p.set('scope', SCOPE); p.set('state', oauth.generateRandomState());
            p.set('nonce', oauth.generateRandomNonce()); p.set('code_challenge', challenge); p.set('code_challenge_method', 'S256');
            return { url: url.href, verifier };
          },
        },
        {
          name: 'msal-node', what: '`await CryptoProvider.generatePkceCodes()` + `await getAuthCodeUrl({scopes, redirectUri, codeChallenge, S256, state, responseMode})` on a ConfidentialClientApplication with authority/cloud metadata given (offline; MSAL adds its telemetry parameters)',
          fn: async () => {
            const pkce = await msalCrypto.generatePkceCodes();
            const url = await cca.getAuthCodeUrl({
              scopes: ['https://graph.microsoft.com/.default'], redirectUri: REDIRECT, codeChallenge: pkce.challenge,
              codeChallengeMethod: 'S256', state: msalCrypto.createNewGuid(), responseMode: 'query',
            });
            return { url, verifier: pkce.verifier };
          },
        },
      ],
    },
    {
      id: 'token-ok',
      title: 'Token response parsing (200, from a fetch Response)',
      contenders: [
        {
          name: 'azconn', what: '`new Response(body)`, `await text()`, then `parseTokenResponse(status, headers, text, now)` (typed, `expiresAt`, scopes split; the tokens are slices of the text)',
          fn: async () => {
            const res = responseOf(200, tokenBody);
            return azconn.parseTokenResponse(res.status, res.headers, await res.text(), NOW);
          },
        },
        {
          name: 'oauth4webapi', what: '`new Response(body)`, then `await processRefreshTokenResponse(as, client, response)` (status, content-type, JSON, field checks)',
          fn: async () => oauth.processRefreshTokenResponse(as, client, responseOf(200, tokenBody)),
        },
        {
          name: 'baseline', what: '`new Response(body)` + `await text()` only (the cost both sides share)',
          fn: async () => (await plain(responseOf(200, tokenBody))).body,
        },
      ],
    },
    {
      id: 'token-err',
      title: 'Token error parsing + classification (401 AADSTS7000215, from a fetch Response)',
      contenders: [
        {
          name: 'azconn', what: '`new Response(body)`, `await arrayBuffer()`, then `parseErrorResponse(status, headers, bytes)`: Entra fields, AADSTS class, boundary error with hint',
          fn: async () => {
            const res = responseOf(errorInput.status, errorInput.body);
            return azconn.parseErrorResponse(res.status, res.headers, await bytesOf(res)).class;
          },
        },
        {
          name: 'oauth4webapi', what: '`new Response(body)`, `await processRefreshTokenResponse` throws `ResponseBodyError`; read `error` and `cause.error_codes[0]` (no AADSTS table: less work than azconn)',
          fn: async () => {
            try {
              await oauth.processRefreshTokenResponse(as, client, responseOf(errorInput.status, errorInput.body));
              throw new Error('expected an error');
            } catch (e) {
              if (!(e instanceof oauth.ResponseBodyError)) throw e;
              return `${e.error}:${e.cause.error_codes?.[0]}`;
            }
          },
        },
      ],
    },
    {
      id: 'assertion',
      title: 'Client assertion PS256 (create + sign)',
      contenders: [
        {
          name: 'azconn', what: '`credential.signAssertion({now, tenantId, clientId})` on a `Credential` loaded once: header with the `x5t#S256` taken at load, claims, jti from the package getRandomValues pool, built in wasm; WebCrypto `sign` RSA-PSS with the key the credential imported on first use; compact JWS joined in JS',
          fn: () => credential.signAssertion({ now: NOW, tenantId: TENANT, clientId: CLIENT }),
        },
        {
          name: 'jose', what: '`new SignJWT(claims).setProtectedHeader({alg: PS256, typ, x5t#S256}).setJti(randomUUID())…sign(key)` with a pre-imported CryptoKey and the thumbprint computed once (WebCrypto)',
          fn: () => new jose.SignJWT({})
            .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': b64u(thumbprint) })
            .setAudience(aud).setIssuer(CLIENT).setSubject(CLIENT).setJti(crypto.randomUUID())
            .setNotBefore(NOW).setIssuedAt(NOW).setExpirationTime(NOW + 600)
            .sign(joseKey),
        },
        {
          name: 'msal-node', what: '`ClientAssertion.createJwt(cryptoProvider, clientId, aud)` (fresh JWT; MSAL itself would reuse a cached one): jsonwebtoken with node:crypto, PEM key string parsed per call (not WebCrypto)',
          fn: () => msalAssertion.createJwt(msalCrypto, CLIENT, aud),
        },
      ],
    },
    {
      id: 'hmac',
      title: 'App Configuration HMAC-SHA256 request signing',
      contenders: [
        {
          name: 'azconn', what: '`appConfigSign(request, connectionString, now)` on the PUT of the HMAC vector: the request object read by serde, parses the connection string, hashes the body, signs, returns the request with 3 headers',
          fn: () => azconn.appConfigSign(
            { method: hmac.request.method, url: hmac.request.url, headers: hmac.request.headers, body: hmac.request.body },
            hmac.connectionString, hmac.now),
        },
        {
          name: '@azure/app-configuration', what: '`createPipelineRequest` of the same PUT + the SDK\'s `appConfigKeyCredentialPolicy(id, secret).sendRequest` (node:crypto hash + HMAC, async) with a `next` that returns at once; credential parsed once',
          fn: () => sdkPolicy.sendRequest(createPipelineRequest({
            url: hmac.request.url, method: hmac.request.method, body: hmac.request.body,
            headers: createHttpHeaders(Object.fromEntries(hmac.request.headers)),
          }), sdkNext),
        },
      ],
    },
    {
      id: 'form',
      title: 'Connection form validation (no peer)',
      contenders: [
        { name: 'azconn (client secret form)', what: '`validateForm` of the valid client-secret form', fn: () => azconn.validateForm(secretForm) },
        { name: 'azconn (certificate form)', what: '`validateForm` of the certificate form with endpoint (parses and checks the PEM certificate + key)', fn: () => azconn.validateForm(certForm) },
        { name: 'azconn (every field wrong)', what: '`validateForm` returning every field error', fn: () => azconn.validateForm(invalidForm) },
        { name: 'azconn `clientId` (per-call floor)', what: '`clientId(GUID)`: the smallest operation; what every call pays for the boundary', fn: () => azconn.clientId(GUID) },
      ],
    },
  ];
  return { benches, profileCases };
}

/** The rows of the wasmtime fuel table (sizes.mjs) for the operations measured here. */
const FUEL_OPS = ['oauth.authorize', 'oauth.parseToken', 'oauth.parseError', 'jose.assertionSigningInput', 'appconfig.sign', 'form.validate', 'ids.clientId'];
function fuelRows(fuel) {
  const rows = fuel.split('\n').map((l) => l.split('|').map((c) => c.trim())).filter((c) => FUEL_OPS.includes(c[1]));
  return rows.length ? table(['operation (abi module, wasmtime)', 'golden vector', 'fuel (wasm instructions)'], rows.map((c) => [c[1], c[2], c[3]])) : '';
}

/** Runs every micro-benchmark; returns { markdown, results, summaryRows, ratios }. */
export async function micro(root, { rounds = 7, fuel = '' } = {}) {
  const sections = [];
  const results = [];
  const summaryRows = [];
  /** azconn ÷ fastest peer per operation: median ops/s, and worst–best over rounds. */
  const ratios = [];
  const { benches, profileCases } = await benchmarks(root);
  for (const b of benches) {
    process.stderr.write(`micro: ${b.title}\n`);
    const r = await compare(b.contenders, { rounds });
    results.push({ id: b.id, title: b.title, results: r });
    const az = r[0];
    const peers = r.slice(1).filter((x) => x.name !== 'baseline' && !x.name.startsWith('azconn'));
    const rows = r.map((x) => [
      x.name, spread(x), `${sig(1e9 / x.median)}`,
      x === az || x.name.startsWith('azconn') || x.name === 'baseline' ? '' : `${(az.median / x.median).toFixed(2)} (${(az.min / x.max).toFixed(2)}–${(az.max / x.min).toFixed(2)})`,
    ]);
    sections.push(`### ${b.title}\n\n${table(['contender', 'ops/s median (min–max of rounds)', 'ns/op (median)', 'azconn ÷ peer (worst–best)'], rows)}\n\n` +
      b.contenders.map((c) => `- **${c.name}**: ${c.what}`).join('\n'));
    if (peers.length) {
      const fastest = peers.reduce((a, x) => (x.median > a.median ? x : a));
      const ratio = az.median / fastest.median;
      summaryRows.push([b.title, fastest.name, ratio.toFixed(2), ratio >= 1 ? 'met' : `**missed** by ${((1 - ratio) * 100).toFixed(0)} %`]);
      ratios.push({ operation: b.title, peer: fastest.name, median: ratio, worst: az.min / fastest.max, best: az.max / fastest.min });
    }
  }
  const markdown = [
    `Same process, same inputs; per contender a warm-up (300 ms), a calibrated round of ~150 ms, then ${rounds} rounds interleaved across contenders. Spread = min–max over rounds.`,
    '',
    table(['operation', 'fastest peer', 'azconn ÷ fastest peer (median ops/s)', 'target >= 1.0'], summaryRows),
    '',
    ...sections.flatMap((s) => [s, '']),
    '### Where azconn\'s time goes',
    '',
    await profile(root, profileCases),
    '',
    fuelRows(fuel),
    '',
  ].join('\n');
  return { markdown, results, summaryRows, ratios };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..');
  const { markdown } = await micro(root, { rounds: Number(process.env.ROUNDS ?? 7) });
  console.log(markdown);
}
