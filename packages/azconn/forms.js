// Forms entry (`azconn/forms`): what a connection form needs (ids, clouds, validation, the
// start of the sign-in; the redirect and the token steps are a server's, in the other entries),
// instantiated on import; the certificate module (PEM/DER, PKCS#8, PKCS#1, encrypted PKCS#8:
// inspection, not the client assertion, which a server builds) is fetched only when
// `loadCertificates()` is first called, e.g. when a certificate is pasted; the PFX module only
// for a PFX.
// Types: forms.d.ts (the generated gen/forms/azconn.d.ts and gen/certificates/azconn.d.ts).
import init from './gen/forms/azconn.js';

await init({ module_or_path: new URL('./gen/forms/azconn_bg.wasm', import.meta.url) });

export * from './gen/forms/azconn.js';
export { AzconnError } from './values.js';

const modules = {};
/** Fetches and instantiates a certificate module once; a failed load can be retried. The
 * default module reads PEM/DER certificates and PKCS#8, PKCS#1 and encrypted PKCS#8 keys, and
 * refuses a PFX with `unsupported-algorithm` on `pfx`; `{ pfx: true }` loads the module that
 * also opens PKCS#12 / .pfx files (every cipher: AES, 3DES, RC2). */
export function loadCertificates({ pfx = false } = {}) {
  const dir = pfx ? 'certificates-pfx' : 'certificates';
  // Static specifiers and URLs, so that bundlers split the modules and copy the wasm files.
  modules[dir] ??= (async () => {
    const [chunk, url] = pfx
      ? [await import('./gen/certificates-pfx/azconn.js'), new URL('./gen/certificates-pfx/azconn_bg.wasm', import.meta.url)]
      : [await import('./gen/certificates/azconn.js'), new URL('./gen/certificates/azconn_bg.wasm', import.meta.url)];
    await chunk.default({ module_or_path: url });
    return { Credential: chunk.Credential, inspectCertificate: chunk.inspectCertificate };
  })().catch((error) => {
    modules[dir] = undefined;
    throw error;
  });
  return modules[dir];
}
