// Full entry for browsers and other web-standard runtimes (`azconn/full`). Types: index.d.ts.
import init, * as raw from './gen/web/azconn.js';
import { AzconnError, fullApi } from './api.js';

await init({ module_or_path: new URL('./gen/web/azconn_bg.wasm', import.meta.url) });

export const { call, tenantId, authorityTenant, clientId, cloudEndpoints, validateForm, scopes, pkceChallenge, authorizeRequest, adminConsentRequest, parseCallback, parseAdminConsentCallback, inspectCertificate, privateKeyPkcs8, assertionSigningInput, assertionCompact, tokenRequest, parseTokenResponse, parseErrorResponse, decodeJwtUnverified, graph, appConfig, hmacSha256, retryDecide, syncPlan, rotation } = fullApi(raw);
export { AzconnError };
