// Types of the forms entry of `azconn` ('azconn/forms'): the generated types of the forms
// module, and of the certificate module behind `loadCertificates()`.
import type * as certificates from './gen/certificates/azconn.js';

export * from './gen/forms/azconn.js';
export type { Credential, CredentialInput, CertificateReport } from './gen/certificates/azconn.js';
export { AzconnError } from './values.js';

/** The certificate module's exports: inspection and PKCS#8 (the client assertion is in the
 * browser and full entries). */
export type CertificateApi = Pick<typeof certificates, 'Credential' | 'inspectCertificate'>;

/** Fetches and instantiates the certificate module on first call (later calls share it; a
 * failed load is retried on the next call). Rejects if the module cannot be fetched. The
 * default module reads PEM/DER certificates with PKCS#8, PKCS#1 or encrypted PKCS#8 keys and
 * refuses a PFX with `unsupported-algorithm` on `pfx`; `{ pfx: true }` loads the module that
 * also opens PKCS#12 / .pfx files (every cipher: AES, 3DES, RC2). */
export declare function loadCertificates(options?: { pfx?: boolean }): Promise<CertificateApi>;
