// Forms entry (`azconn/forms`): what a connection form needs (ids, clouds, validation, the
// start of the sign-in; the redirect and the token steps are a server's, in the other entries),
// instantiated on import; the certificate module (DER, PKCS#8/#12, ciphers: inspection, not the client
// assertion, which a server builds) is fetched only when `loadCertificates()` is first called,
// e.g. when a certificate is pasted.
// Types: forms.d.ts (the generated gen/forms/azconn.d.ts and gen/certificates/azconn.d.ts).
import init from './gen/forms/azconn.js';

await init({ module_or_path: new URL('./gen/forms/azconn_bg.wasm', import.meta.url) });

export * from './gen/forms/azconn.js';
export { AzconnError } from './values.js';

const modules = {};
/** Fetches and instantiates a certificate module once; a failed load can be retried. The
 * default module has no legacy PFX ciphers: a PFX encrypted with 3DES or RC2 (Windows, Key
 * Vault) is refused with `unsupported-algorithm` on `pfx`, and `{ legacyPfx: true }` loads the
 * module that opens it. */
export function loadCertificates({ legacyPfx = false } = {}) {
  const dir = legacyPfx ? 'certificates-legacy' : 'certificates';
  // Static specifiers and URLs, so that bundlers split the modules and copy the wasm files.
  modules[dir] ??= (async () => {
    const [chunk, url] = legacyPfx
      ? [await import('./gen/certificates-legacy/azconn.js'), new URL('./gen/certificates-legacy/azconn_bg.wasm', import.meta.url)]
      : [await import('./gen/certificates/azconn.js'), new URL('./gen/certificates/azconn_bg.wasm', import.meta.url)];
    await chunk.default({ module_or_path: url });
    return { Credential: chunk.Credential, inspectCertificate: chunk.inspectCertificate };
  })().catch((error) => {
    modules[dir] = undefined;
    throw error;
  });
  return modules[dir];
}
