// The functions of the full entry that still run through the full module's named-operation
// tunnel (`call(op, json)`): Graph, App Configuration, retry, sync and rotation. Everything
// else is a typed export of the generated glue, re-exported by each entry as it is. A refusal
// is thrown by the wasm module itself as an AzconnError (values.js).

/** The full entry's tunnel functions over a full module's `call`. */
export function serverApi(raw) {
  const call = (op, input) => JSON.parse(raw.call(op, JSON.stringify(input ?? null)));
  const op = (name) => (input) => call(name, input);
  return {
    call,
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
