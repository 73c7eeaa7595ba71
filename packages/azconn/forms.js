// Forms entry (`azconn/forms`): what a connection form needs (ids, clouds, validation, OAuth),
// instantiated on import; the certificate module (DER, PKCS#8/#12, ciphers) is fetched only
// when `loadCertificates()` is first called, e.g. when a certificate is pasted.
// Types: forms.d.ts (the generated gen/forms/azconn.d.ts and gen/certificates/azconn.d.ts).
import init from './gen/forms/azconn.js';

await init({ module_or_path: new URL('./gen/forms/azconn_bg.wasm', import.meta.url) });

export * from './gen/forms/azconn.js';
export { AzconnError } from './values.js';

let certificates;
/** Fetches and instantiates the certificate module once; a failed load can be retried. */
export function loadCertificates() {
  certificates ??= (async () => {
    const chunk = await import('./gen/certificates/azconn.js');
    await chunk.default({
      module_or_path: new URL('./gen/certificates/azconn_bg.wasm', import.meta.url),
    });
    return { Credential: chunk.Credential, inspectCertificate: chunk.inspectCertificate, completeAssertion: chunk.completeAssertion };
  })().catch((error) => {
    certificates = undefined;
    throw error;
  });
  return certificates;
}
