// Results of the steps from the OAuth redirect on (crates/wasm tokens.rs, and the requests of
// server.rs), built by one call each.
import { pairs, words } from '../values.js';

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
