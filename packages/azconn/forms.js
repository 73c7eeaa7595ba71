// Forms entry (`azconn/forms`): the browser entry split in two wasm modules. The forms module
// (ids, clouds, validation, OAuth) is instantiated on import; the certificate module (DER,
// PKCS#8/#12, ciphers: most of the browser entry's bytes) is fetched only when
// `loadCertificates()` is first called, e.g. when a certificate is pasted. Types: forms.d.ts.
import init, * as raw from './gen/forms/azconn.js';
import { AzconnError, certificatesApi, formsApi } from './api.js';

await init({ module_or_path: new URL('./gen/forms/azconn_bg.wasm', import.meta.url) });

export const { call, tenantId, authorityTenant, clientId, cloudEndpoints, validateForm, scopes, pkceChallenge, authorizeRequest, adminConsentRequest, parseCallback, parseAdminConsentCallback, tokenRequest, parseTokenResponse, parseErrorResponse, decodeJwtUnverified } = formsApi(raw);
export { AzconnError };

let certificates;
/** Fetches and instantiates the certificate module once; a failed load can be retried. */
export function loadCertificates() {
  certificates ??= (async () => {
    const chunk = await import('./gen/certificates/azconn.js');
    await chunk.default({
      module_or_path: new URL('./gen/certificates/azconn_bg.wasm', import.meta.url),
    });
    return certificatesApi(chunk);
  })().catch((error) => {
    certificates = undefined;
    throw error;
  });
  return certificates;
}
