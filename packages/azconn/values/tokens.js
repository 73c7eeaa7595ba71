// The steps from the OAuth redirect on (crates/wasm tokens.rs, and the requests of server.rs):
// how a response's headers and body text reach wasm, and the results, built by one call each.
// Here rather than in values.js, which a form page loads whole.
import { split, utf8, words } from '../values.js';

/** Response headers (array of pairs, Headers, or a plain object) as `name\nvalue\n...`. */
export function headerLines(h) {
  if (h === undefined || h === null) return '';
  // Not an object: refused (a string's entries would be its characters).
  if (typeof h !== 'object') return null;
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
/** Writes `text` as UTF-8 into wasm memory at `ptr` (room for `capacity` bytes): the bytes written,
 * or undefined when it did not fit. */
export function encodeUtf8(text, memory, ptr, capacity) {
  const { read, written } = utf8.encodeInto(text, new Uint8Array(memory.buffer, ptr, capacity));
  return read === text.length ? written : undefined;
}

/** `name\nvalue\n...` as pairs. */
export const pairs = (s) => {
  const a = split(s);
  const out = [];
  for (let i = 0; i + 1 < a.length; i += 2) out.push([a[i], a[i + 1]]);
  return out;
};

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
