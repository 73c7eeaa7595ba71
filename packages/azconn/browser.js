// Browser entry: what connection forms need (validation, clouds, PKCE / authorize URL, callback
// parsing, certificate inspection, token bodies), built without the Graph / App Configuration /
// sync / rotation code. Types: browser.d.ts.
import init, * as raw from './gen/browser/azconn.js';
import { AzconnError, browserApi } from './api.js';

await init({ module_or_path: new URL('./gen/browser/azconn_bg.wasm', import.meta.url) });

export const { call, tenantId, authorityTenant, clientId, cloudEndpoints, validateForm, scopes, pkceChallenge, authorizeRequest, adminConsentRequest, parseCallback, parseAdminConsentCallback, inspectCertificate, privateKeyPkcs8, assertionSigningInput, assertionCompact, tokenRequest, parseTokenResponse, parseErrorResponse, decodeJwtUnverified } = browserApi(raw);
export { AzconnError };
