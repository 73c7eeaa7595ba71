// The JavaScript side of crates/wasm, imported by every generated glue (`raw_module`
// "../../values.js"): each result is built by one call here (one boundary crossing instead of
// one per property), input properties are read without JSON, and every refusal is the one
// AzconnError class of the package, whichever wasm module (forms, certificates, full) threw.

/** A refusal from the core: branch on `code`, show `message` and `hint`; `field` names the input. */
export class AzconnError extends Error {
  constructor(code, message, field, hint) {
    super(message);
    this.name = 'AzconnError';
    this.code = code;
    this.field = field ?? null;
    this.hint = hint ?? null;
  }
}

export const fail = (code, message, field, hint) => new AzconnError(code, message, field, hint);

/** `o[k]` for objects, undefined for anything else. */
export const prop = (o, k) => (o !== null && typeof o === 'object' ? o[k] : undefined);
export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An array of strings as one text joined by `\n`; null for anything else. */
export function lines(v) {
  if (!Array.isArray(v)) return null;
  for (const s of v) if (typeof s !== 'string' || s.includes('\n')) return null;
  return v.join('\n');
}

/** Response headers (array of pairs, Headers, or a plain object) as `name\nvalue\n...`. */
export function headerLines(h) {
  if (h === undefined || h === null) return '';
  const pairs = Array.isArray(h) ? h : typeof h.entries === 'function' ? [...h.entries()] : Object.entries(h);
  let s = '';
  for (const p of pairs) {
    if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'string') return null;
    if (/[\r\n]/.test(p[0] + p[1])) return null;
    s += p[0] + '\n' + p[1] + '\n';
  }
  return s;
}

/** A string's length in UTF-16 units; undefined for anything else. */
export const textLength = (v) => (typeof v === 'string' ? v.length : undefined);
const utf8 = new TextEncoder();
/** Writes `text` as UTF-8 into wasm memory at `ptr` (room for `capacity` bytes): the bytes written,
 * or undefined when it did not fit. */
export function encodeUtf8(text, memory, ptr, capacity) {
  const { read, written } = utf8.encodeInto(text, new Uint8Array(memory.buffer, ptr, capacity));
  return read === text.length ? written : undefined;
}

/** CSPRNG bytes drawn from a pool refilled by `crypto.getRandomValues` (as Node's `randomUUID`
 * does): one call into the platform per 1 KiB instead of per draw, which costs microseconds in
 * Node. Bytes handed out are zeroed in the pool at once. */
const pool = new Uint8Array(1024);
let poolAt = pool.length;
export function randomBytes(n) {
  if (n > pool.length) return crypto.getRandomValues(new Uint8Array(n));
  if (poolAt + n > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + n);
  pool.fill(0, poolAt, (poolAt += n));
  return out;
}

/** A space-separated list (`split(' ')` costs a quarter of a microsecond even for one word). */
function words(s) {
  if (!s) return [];
  let j = s.indexOf(' ');
  if (j < 0) return [s];
  const out = [];
  let i = 0;
  do {
    out.push(s.slice(i, j));
    i = j + 1;
    j = s.indexOf(' ', i);
  } while (j >= 0);
  out.push(s.slice(i));
  return out;
}
const split = (s) => (s ? s.split('\n') : []);
const pairs = (s) => {
  const a = split(s);
  const out = [];
  for (let i = 0; i + 1 < a.length; i += 2) out.push([a[i], a[i + 1]]);
  return out;
};

export const list = () => [];
export const push = (a, v) => {
  a.push(v);
};

export function errorObject(code, message, field, hint) {
  const e = { code, message };
  if (field !== undefined) e.field = field;
  if (hint !== undefined) e.hint = hint;
  return e;
}

export const cloudEndpoints = (authorityHost, graphRoot, graphAudience, armHost, hosts, appConfigurationAudience) => ({
  authorityHost,
  graphRoot,
  graphAudience,
  armHost,
  appConfigurationHosts: split(hosts),
  appConfigurationAudience,
});

export const invalidForm = (errors) => ({ valid: false, errors });
export const validForm = (name, description, connectionType, method, cloud, tenantId, clientId, endpoint) => ({
  valid: true,
  connection: {
    name,
    description: description ?? null,
    connectionType,
    method,
    cloud,
    tenantId,
    clientId: clientId ?? null,
    endpoint: endpoint ?? null,
  },
});

export const scopes = (resourceScope, delegated) => ({ resourceScope, delegatedScopes: words(delegated) });
export const pkce = (verifier, challenge) => ({ verifier, challenge, method: 'S256' });
export const authorizeRequest = (url, codeVerifier, state, nonce, redirectUri, tenant, scopes) => ({
  url,
  codeVerifier,
  state,
  nonce,
  redirectUri,
  tenant,
  scopes: words(scopes),
});
export const adminConsentRequest = (url, state) => ({ url, state });
export const adminConsent = (reportedTenant, scopes) => ({ reportedTenant: reportedTenant ?? null, scopes: words(scopes) });
export const httpRequest = (method, url, headers, body) => ({ method, url, headers: pairs(headers), body });

/** A token response whose strings are slices of `source` (the body text, or one text from wasm). */
export function tokenResponse(source, accessStart, accessEnd, refreshStart, refreshEnd, idStart, idEnd, scopeStart, scopeEnd,
  expiresIn, extExpiresIn, expiresAt) {
  const t = {
    tokenType: 'Bearer',
    accessToken: source.slice(accessStart, accessEnd),
    scopes: words(source.slice(scopeStart, scopeEnd)),
    expiresIn,
    expiresAt,
  };
  if (refreshStart !== undefined) t.refreshToken = source.slice(refreshStart, refreshEnd);
  if (idStart !== undefined) t.idToken = source.slice(idStart, idEnd);
  if (extExpiresIn !== undefined) t.extExpiresIn = extExpiresIn;
  return t;
}

export const entraError = (status, error, errorDescription, errorCodes, timestamp, traceId, correlationId, errorUri, retryAfter) => ({
  status,
  error,
  errorDescription: errorDescription ?? null,
  errorCodes: Array.from(errorCodes),
  timestamp: timestamp ?? null,
  traceId: traceId ?? null,
  correlationId: correlationId ?? null,
  errorUri: errorUri ?? null,
  retryAfter: retryAfter ?? null,
});
export const entraErrorReport = (entra, errorClass, boundary) => ({ entra, class: errorClass, boundary });

export const claims = (tid, oid, username, appId, aud, scopes, roles, exp, iat) => ({
  tid: tid ?? null,
  oid: oid ?? null,
  username: username ?? null,
  appId: appId ?? null,
  aud: aud ?? null,
  scopes: words(scopes),
  roles,
  exp: exp ?? null,
  iat: iat ?? null,
});

/** A Uint8Array's bytes; null for anything else. */
export const bytesOf = (v) => (v instanceof Uint8Array ? v : null);

export function certificateReport(subject, issuer, serialNumber, notBefore, notAfter, notBeforeUnix, notAfterUnix, keySize,
  thumbprintSha1, thumbprintSha256, x5t, x5tS256, customKeyIdentifier, chainLength, warnings) {
  return {
    subject, issuer, serialNumber, notBefore, notAfter, notBeforeUnix, notAfterUnix, keyType: 'RSA', keySize,
    thumbprintSha1, thumbprintSha256, x5t, x5tS256, customKeyIdentifier, chainLength, warnings,
  };
}

export function unsignedAssertion(algorithm, signingInput, signatureLength, name, hash, saltLength) {
  const webCrypto = { name, hash };
  if (saltLength !== undefined) webCrypto.saltLength = saltLength;
  return { algorithm, signingInput, signatureLength, webCrypto };
}

/** A non-extractable signing key; WebCrypto copies `pkcs8` (a view of wasm memory) during the call. */
export const importSigningKey = (pkcs8, name) =>
  crypto.subtle.importKey('pkcs8', pkcs8, { name, hash: 'SHA-256' }, false, ['sign']);

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Two base64url characters per 12 bits: a third of the cost of `btoa` over a binary string. */
const PAIRS = Array.from({ length: 4096 }, (_, i) => B64U[i >> 6] + B64U[i & 63]);
const base64url = (b) => {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += PAIRS[n >> 12] + PAIRS[n & 4095];
  }
  if (i + 1 === b.length) s += PAIRS[b[i] << 4];
  else if (i + 2 === b.length) {
    const n = (b[i] << 10) | (b[i + 1] << 2);
    s += PAIRS[n >> 6] + B64U[n & 63];
  }
  return s;
};

/** The compact JWS: the signing input, a dot, and the base64url WebCrypto signature. */
export async function signJws(key, name, saltLength, signingInput) {
  const params = saltLength === undefined ? { name } : { name, saltLength };
  const signature = await crypto.subtle.sign(params, await key, utf8.encode(signingInput));
  return signingInput + '.' + base64url(new Uint8Array(signature));
}

/** An array's length; undefined for anything else. */
export const length = (v) => (Array.isArray(v) ? v.length : undefined);
export const at = (a, i) => a[i];
export const rotationNext = (rotation, step) => ({ rotation, step });
export const rotationStep = (rotation, error) => (error === undefined ? { rotation } : { rotation, error });
