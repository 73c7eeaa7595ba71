// Results of the forms exports (crates/wasm forms.rs), built by one call each.
import { split, words } from '../values.js';

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
