// The table from a golden vector's op (tests/vectors) to the typed export that answers it,
// shared by the Node and Chromium vector tests. Vectors give entropy as hex and response
// bodies as text; the typed exports take bytes, as `crypto.getRandomValues` and
// `response.arrayBuffer()` give them.
const bytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
const body = (text) => new TextEncoder().encode(text);

export const typed = {
  'ids.tenantId': (a, i) => a.tenantId(i),
  'ids.authorityTenant': (a, i) => a.authorityTenant(i),
  'ids.clientId': (a, i) => a.clientId(i),
  'ids.clientSecret': (a, i) => (a.checkClientSecret(i), 'ok'),
  'cloud.endpoints': (a, i) => a.cloudEndpoints(i),
  'form.validate': (a, i) => a.validateForm(i),
  'oauth.scopes': (a, i) => a.scopes(i),
  'oauth.pkceChallenge': (a, i) =>
    i.verifier !== undefined ? a.pkceChallenge(i.verifier) : a.pkceFromEntropy(bytes(i.entropy)),
  'oauth.authorize': (a, i) =>
    a.authorizeRequest({
      ...i,
      entropy: { verifier: bytes(i.entropy.verifier), state: bytes(i.entropy.state), nonce: bytes(i.entropy.nonce) },
    }),
  'oauth.adminConsent': (a, i) => a.adminConsentRequest({ ...i, stateEntropy: bytes(i.stateEntropy) }),
  'oauth.tokenRequest': (a, i) => a.tokenRequest(i),
  'oauth.parseToken': (a, { response: r, now }) => a.parseTokenResponse(r.status, r.headers, body(r.body), now),
  'oauth.parseError': (a, { response: r }) => a.parseErrorResponse(r.status, r.headers, body(r.body)),
  'oauth.parseCallback': (a, i) => ({ code: a.parseCallback(i.query, i.expectedState) }),
  'oauth.parseAdminConsentCallback': (a, i) => a.parseAdminConsentCallback(i.query, i.expectedState),
  'jwt.decodeUnverified': (a, i) => a.decodeJwtUnverified(i),
};

/** Where the tunnel's JSON decoding could only say `input` (and `invalid-format`), the typed
 * API names the field and the precise code. */
const precise = {
  'unknown cloud name': { field: 'cloud' },
  'authorize with an unknown prompt': { field: 'prompt' },
  'custom cloud over http on a public host is refused': { field: 'cloud.authorityHost', code: 'insecure-url' },
};

/** The error a vector expects from the typed export. */
export const typedError = (c) => c.expectError && { ...c.expectError, ...precise[c.name] };
