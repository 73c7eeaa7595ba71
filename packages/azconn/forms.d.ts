// Types of the forms entry of `azconn` ('azconn/forms'): the generated types of the forms
// module, and the certificate functions behind `loadCertificates()`.
import type { CertificateApi } from './certificates.js';

export * from './gen/forms/azconn.js';
export type * from './certificates.js';
export { AzconnError } from './values.js';

/** Fetches and instantiates the certificate module on first call (later calls share it; a
 * failed load is retried on the next call). Rejects if the module cannot be fetched. */
export declare function loadCertificates(): Promise<CertificateApi>;
