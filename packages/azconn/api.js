// The typed JavaScript API of azconn over the wasm module's primitives (`call`, `hmacSha256`).
// Every entry (browser, forms, web, node, worker, bundler) binds the same functions to its own
// glue. Types and documentation: index.d.ts (full), browser.d.ts (browser), forms.d.ts (forms).

/** A typed error from the core: branch on `code` (stable), show `message` and `hint`. */
export class AzconnError extends Error {
  constructor(error) {
    super(error.message);
    this.name = 'AzconnError';
    this.code = error.code;
    this.field = error.field ?? null;
    this.hint = error.hint ?? null;
  }
}

const hex = (bytes) => {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
};

/** Fresh entropy from the platform CSPRNG, as hex for the core (which draws none itself). */
const random = (n) => hex(crypto.getRandomValues(new Uint8Array(n)));

/** The envelope protocol of a wasm module's `call`: a value, or a thrown `AzconnError`. */
function caller(raw) {
  return (op, input) => {
    const out = JSON.parse(raw.call(op, JSON.stringify(input ?? null)));
    if (out.error !== undefined) throw new AzconnError(out.error);
    return out.ok;
  };
}

/** Binds the forms API (ids, clouds, validation, OAuth; no certificates) to a module's `call`. */
export function formsApi(raw) {
  const call = caller(raw);
  return {
    call,
    tenantId: (input) => call('ids.tenantId', input),
    authorityTenant: (input) => call('ids.authorityTenant', input),
    clientId: (input) => call('ids.clientId', input),
    cloudEndpoints: (cloud) => call('cloud.endpoints', cloud),
    validateForm: (form) => call('form.validate', form),
    scopes: (input) => call('oauth.scopes', input),
    pkceChallenge: (verifier) => call('oauth.pkceChallenge', { verifier }),
    authorizeRequest: (params) =>
      call('oauth.authorize', {
        ...params,
        entropy: params.entropy ?? { verifier: random(32), state: random(16), nonce: random(16) },
      }),
    adminConsentRequest: (params) =>
      call('oauth.adminConsent', { ...params, stateEntropy: params.stateEntropy ?? random(16) }),
    parseCallback: (query, expectedState) => call('oauth.parseCallback', { query, expectedState }).code,
    parseAdminConsentCallback: (query, expectedState) =>
      call('oauth.parseAdminConsentCallback', { query, expectedState }),
    tokenRequest: (params) => call('oauth.tokenRequest', params),
    parseTokenResponse: (response, now) => call('oauth.parseToken', { response, now }),
    parseErrorResponse: (response) => call('oauth.parseError', { response }),
    decodeJwtUnverified: (jwt) => call('jwt.decodeUnverified', jwt),
  };
}

/** Binds the certificate API (inspection, PKCS#8, client assertion) to a module's `call`. */
export function certificatesApi(raw) {
  const call = caller(raw);
  return {
    call,
    inspectCertificate: (credential, now) => call('cert.inspect', { credential, now }),
    privateKeyPkcs8: (credential, now) => call('cert.privateKeyPkcs8', { credential, now }).pkcs8,
    assertionSigningInput: (params) =>
      call('jose.assertionSigningInput', { ...params, jtiEntropy: params.jtiEntropy ?? random(16) }),
    assertionCompact: (unsigned, signature) =>
      call('jose.assertionCompact', {
        algorithm: unsigned.algorithm,
        signingInput: unsigned.signingInput,
        signatureLength: unsigned.signatureLength,
        signature,
      }),
  };
}

/** Binds the browser API (forms and certificates) to one module that answers both. */
export function browserApi(raw) {
  return { ...certificatesApi(raw), ...formsApi(raw) };
}

/** Binds the full API (server entries) to a full wasm module. */
export function fullApi(raw) {
  const browser = browserApi(raw);
  const { call } = browser;
  const op = (name) => (input) => call(name, input);
  return {
    ...browser,
    graph: {
      listApplications: op('graph.listApplications'),
      nextPage: op('graph.nextPage'),
      getApplication: op('graph.getApplication'),
      getCredentials: op('graph.getCredentials'),
      addPassword: op('graph.addPassword'),
      removePassword: op('graph.removePassword'),
      listOwners: op('graph.listOwners'),
      me: op('graph.me'),
      organization: op('graph.organization'),
      parseApplicationPage: (response) => call('graph.parseApplicationPage', { response }),
      parseApplication: (response) => call('graph.parseApplication', { response }),
      parseAddedPassword: (response) => call('graph.parseAddedPassword', { response }),
      parseRemovedPassword: (response) => call('graph.parseRemovedPassword', { response }),
      parseOwners: (response) => call('graph.parseOwners', { response }),
      parseMe: (response) => call('graph.parseMe', { response }),
      parseOrganization: (response) => call('graph.parseOrganization', { response }),
      parseError: (response) => call('graph.parseError', { response }),
      preflight: (granted, ownsTarget) => call('graph.preflight', { granted, ownsTarget }),
    },
    appConfig: {
      get: op('appconfig.get'),
      list: op('appconfig.list'),
      nextPage: op('appconfig.nextPage'),
      put: op('appconfig.put'),
      delete: op('appconfig.delete'),
      authorize: op('appconfig.authorize'),
      sign: op('appconfig.sign'),
      syncTokens: (responses) => call('appconfig.syncTokens', { responses }),
      parseList: op('appconfig.parseList'),
      parseGet: (response) => call('appconfig.parseGet', { response }),
      parsePut: (response) => call('appconfig.parsePut', { response }),
      parseDelete: (response) => call('appconfig.parseDelete', { response }),
      parseError: (response) => call('appconfig.parseError', { response }),
    },
    hmacSha256: (key, message) => raw.hmacSha256(key, message),
    retryDecide: op('retry.decide'),
    syncPlan: op('sync.plan'),
    rotation: {
      start: (config) => call('rotation.start', { config }),
      next: (rotation, token, now) => call('rotation.next', { rotation, token, now }),
      onResponse: (rotation, response, now) => call('rotation.onResponse', { rotation, response, now }),
      onVerified: (rotation, outcome, now) => call('rotation.onVerified', { rotation, outcome, now }),
      onPublished: (rotation) => call('rotation.onPublished', { rotation }),
    },
  };
}
