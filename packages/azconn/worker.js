// Full entry for Cloudflare Workers (workerd): wrangler's bundler imports .wasm files as a
// compiled WebAssembly.Module, so the module is instantiated synchronously. Types: index.d.ts.
import { initSync } from './gen/web/azconn.js';
import * as raw from './gen/web/azconn.js';
import module from './gen/web/azconn_bg.wasm';
import { AzconnError, fullApi } from './api.js';

initSync({ module });

export const { call, tenantId, authorityTenant, clientId, cloudEndpoints, validateForm, scopes, pkceChallenge, authorizeRequest, adminConsentRequest, parseCallback, parseAdminConsentCallback, inspectCertificate, privateKeyPkcs8, assertionSigningInput, assertionCompact, tokenRequest, parseTokenResponse, parseErrorResponse, decodeJwtUnverified, graph, appConfig, hmacSha256, retryDecide, syncPlan, rotation } = fullApi(raw);
export { AzconnError };
