// Full entry for bundlers with WebAssembly ESM integration (wasm-bindgen --target bundler).
// Types: index.d.ts.
import * as raw from './gen/bundler/azconn.js';
import { AzconnError, fullApi } from './api.js';

export const { call, tenantId, authorityTenant, clientId, cloudEndpoints, validateForm, scopes, pkceChallenge, authorizeRequest, adminConsentRequest, parseCallback, parseAdminConsentCallback, inspectCertificate, privateKeyPkcs8, assertionSigningInput, assertionCompact, tokenRequest, parseTokenResponse, parseErrorResponse, decodeJwtUnverified, graph, appConfig, hmacSha256, retryDecide, syncPlan, rotation } = fullApi(raw);
export { AzconnError };
