// The functions of azconn that still run through a wasm module's named-operation tunnel
// (`call(op, json)`): certificates, and the full entry's Graph, App Configuration, retry, sync
// and rotation steps. The typed exports of the generated glue are re-exported by each entry
// as they are. A refusal is thrown by the wasm module itself as an AzconnError (values.js).

const hex = (bytes) => {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
};

/** Fresh entropy from the platform CSPRNG, as hex for the tunnel. */
const random = (n) => hex(crypto.getRandomValues(new Uint8Array(n)));

const caller = (raw) => (op, input) => JSON.parse(raw.call(op, JSON.stringify(input ?? null)));

/** The certificate functions (inspection, PKCS#8, client assertion) over a module's `call`. */
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

/** The full entry's tunnel functions over a full module's `call`. */
export function serverApi(raw) {
  const call = caller(raw);
  const op = (name) => (input) => call(name, input);
  return {
    ...certificatesApi(raw),
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
