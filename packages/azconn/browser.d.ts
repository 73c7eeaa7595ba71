// Types of the browser entry of `azconn`: the generated forms types and the certificate functions.
import type { CertificateApi } from './certificates.js';

export * from './gen/browser/azconn.js';
export type * from './certificates.js';
export { AzconnError } from './values.js';
export declare const call: CertificateApi['call'];
export declare const inspectCertificate: CertificateApi['inspectCertificate'];
export declare const privateKeyPkcs8: CertificateApi['privateKeyPkcs8'];
export declare const assertionSigningInput: CertificateApi['assertionSigningInput'];
export declare const assertionCompact: CertificateApi['assertionCompact'];
