// The table from a golden vector's op (tests/vectors) to the typed export that answers it,
// shared by the Node and Chromium vector tests. Vectors give entropy as hex and response
// bodies as text; the typed exports take bytes, as `crypto.getRandomValues` and
// `response.arrayBuffer()` give them.
const bytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
const body = (text) => new TextEncoder().encode(text);
const base64 = (b) => btoa(String.fromCharCode(...b));
const base64url = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** Loads a credential, runs `fn` on it, and frees it (its key zeroed in wasm memory). */
const withCredential = (a, { credential, now }, fn) => {
  const loaded = a.Credential.load(credential, now);
  try {
    return fn(loaded);
  } finally {
    loaded.free();
  }
};

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
  'cert.inspect': (a, i) => withCredential(a, i, (c) => c.report()),
  'cert.privateKeyPkcs8': (a, i) => withCredential(a, i, (c) => ({ pkcs8: base64(c.privateKeyPkcs8()) })),
  'jose.assertionSigningInput': (a, { credential, now, ...params }) =>
    withCredential(a, { credential, now }, (c) => c.assertion({ ...params, now, jtiEntropy: bytes(params.jtiEntropy) })),
  'jose.assertionCompact': (a, { signature, ...unsigned }) => a.completeAssertion(unsigned, base64url(signature)),
};

/** The vector only the modules with the legacy PFX ciphers (3DES, RC2) open. */
export const legacyPfxCase = 'legacy passwordless PFX (RC2-40 certs, 3DES key, SHA-1 MAC), as Key Vault and Windows export';

/** Whether a vector's op is answered by the certificate module. */
export const certificateOp = (op) => /^(cert|jose)\./.test(op);

/** Where the tunnel's JSON decoding could only say `input` (and `invalid-format`), the typed
 * API names the field and the precise code. */
const precise = {
  'unknown cloud name': { field: 'cloud' },
  'authorize with an unknown prompt': { field: 'prompt' },
  'custom cloud over http on a public host is refused': { field: 'cloud.authorityHost', code: 'insecure-url' },
  'lifetime above 10 minutes': { field: 'options.lifetimeSeconds' },
};

/** The error a vector expects from the typed export. */
export const typedError = (c) => c.expectError && { ...c.expectError, ...precise[c.name] };
