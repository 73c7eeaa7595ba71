// Browser entry: the forms exports and the certificate functions in one module, without the
// Graph / App Configuration / sync / rotation code. Types: browser.d.ts.
import init, * as raw from './gen/browser/azconn.js';
import { certificatesApi } from './api.js';

await init({ module_or_path: new URL('./gen/browser/azconn_bg.wasm', import.meta.url) });

export * from './gen/browser/azconn.js';
export { AzconnError } from './values.js';
export const { call, inspectCertificate, privateKeyPkcs8, assertionSigningInput, assertionCompact } = certificatesApi(raw);
