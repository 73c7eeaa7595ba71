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

/** A vector's recorded response as the parsers take it: status, headers, body bytes. */
const res = (r) => [r.status, r.headers, body(r.body)];
/** A vector's response input, for the parsers of one response. */
const parse = (fn) => (a, { response }) => a[fn](...res(response));

/** The server exports of the full modules (Graph, App Configuration, retry, sync, rotation). */
export const server = {
  'graph.listApplications': (a, i) => a.graphListApplications(i),
  'graph.nextPage': (a, i) => a.graphNextPage(i),
  'graph.getApplication': (a, i) => a.graphGetApplication(i),
  'graph.getCredentials': (a, i) => a.graphGetCredentials(i),
  'graph.addPassword': (a, i) => a.graphAddPassword(i),
  'graph.removePassword': (a, i) => a.graphRemovePassword(i),
  'graph.listOwners': (a, i) => a.graphListOwners(i),
  'graph.me': (a, i) => a.graphMe(i),
  'graph.organization': (a, i) => a.graphOrganization(i),
  'graph.parseApplicationPage': (a, { response, cloud }) => a.graphParseApplicationPage(...res(response), cloud),
  'graph.parseApplication': parse('graphParseApplication'),
  'graph.parseAddedPassword': parse('graphParseAddedPassword'),
  'graph.parseRemovedPassword': (a, { response }) => a.graphParseRemovedPassword(...res(response)) ?? null,
  'graph.parseOwners': parse('graphParseOwners'),
  'graph.parseMe': parse('graphParseMe'),
  'graph.parseOrganization': parse('graphParseOrganization'),
  'graph.parseError': parse('graphParseError'),
  'graph.preflight': (a, i) => a.graphPreflight(i.granted, i.ownsTarget),
  'appconfig.get': (a, i) => a.appConfigGet(i),
  'appconfig.list': (a, i) => a.appConfigList(i),
  'appconfig.nextPage': (a, i) => a.appConfigNextPage(i),
  'appconfig.put': (a, i) => a.appConfigPut(i),
  'appconfig.delete': (a, i) => a.appConfigDelete(i),
  'appconfig.parseList': (a, { response, ...store }) => a.appConfigParseList(store, ...res(response)),
  'appconfig.parseGet': parse('appConfigParseGet'),
  'appconfig.parsePut': parse('appConfigParsePut'),
  'appconfig.parseDelete': parse('appConfigParseDelete'),
  'appconfig.parseError': parse('appConfigParseError'),
  'appconfig.syncTokens': (a, i) => a.appConfigSyncTokens(i.responses.map((r) => r.headers)) ?? null,
  'appconfig.authorize': (a, i) => a.appConfigAuthorize(i.request, i.token, i.responses?.map((r) => r.headers)),
  'appconfig.sign': (a, i) => a.appConfigSign(i.request, i.connectionString, i.now, i.cloud, i.responses?.map((r) => r.headers)),
  'retry.decide': (a, { response, ...params }) => a.retryDecide(params, ...(response ? res(response) : [])),
  'sync.plan': (a, { pages = [], ...params }) => {
    const planner = new a.SyncPlanner(params);
    try {
      const listRequests = [planner.firstRequest()];
      for (const page of pages) {
        const next = planner.onPage(...res(page));
        if (next) listRequests.push(next);
      }
      const plan = planner.plan();
      return { listRequests, plan, opRequests: plan.ops.map((op) => planner.opRequest(op)) };
    } finally {
      planner.free();
    }
  },
  'rotation.start': (a, i) => a.rotationStart(i.config),
  'rotation.next': (a, i) => a.rotationNext(i.rotation, i.token, i.now, i.cloud),
  'rotation.onResponse': (a, i) => a.rotationOnResponse(i.rotation, ...res(i.response), i.now),
  'rotation.onVerified': (a, i) => a.rotationOnVerified(i.rotation, i.outcome, i.now),
  'rotation.onPublished': (a, i) => a.rotationOnPublished(i.rotation),
};

/** Whether a vector gives a PFX on its own: only the modules with PKCS#12 (the PFX module of
 * `azconn/forms`, browser, full) open it; the default certificate module refuses it. */
export const pfxCase = (c) => {
  const credential = c.input?.credential ?? {};
  return credential.pfx !== undefined && !credential.certificate && !credential.privateKey;
};

/** Whether a vector's op is answered by the certificate module (inspection and PKCS#8). */
export const certificateOp = (op) => /^cert\./.test(op);

/** Whether a vector's op is the client assertion: a server's step, which the browser and full
 * modules carry and the certificate module of `azconn/forms` does not. */
export const assertionOp = (op) => /^jose\./.test(op);

/** Whether a vector's op is a step from the OAuth redirect on (callback parsing, token request
 * and response, Entra errors, JWT display), which the server that redeems the code takes: the
 * browser and full modules carry it, the forms module does not. */
export const tokenOp = (op) => /^(oauth\.(parseCallback|parseAdminConsentCallback|tokenRequest|parseToken|parseError)|jwt\.)/.test(op);

/** Whether a vector's op is answered by the forms module (`azconn/forms` on import). */
export const formsOp = (op) => op in typed && !certificateOp(op) && !assertionOp(op) && !tokenOp(op);

/** Where the tunnel's JSON decoding could only say `input` (and `invalid-format`), the typed
 * API names the field and the precise code. */
const precise = {
  'unknown cloud name': { field: 'cloud' },
  'authorize with an unknown prompt': { field: 'prompt' },
  'custom cloud over http on a public host is refused': { field: 'cloud.authorityHost', code: 'insecure-url' },
  'lifetime above 10 minutes': { field: 'options.lifetimeSeconds' },
  "key '.' is rejected as Azure does": { field: 'key', code: 'not-allowed' },
  'key with % is rejected': { field: 'key', code: 'invalid-character' },
};

/** The error a vector expects from the typed export. */
export const typedError = (c) => c.expectError && { ...c.expectError, ...precise[c.name] };
