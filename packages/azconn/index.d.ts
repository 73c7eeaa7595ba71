// Types of the full entry of `azconn` (Node, workerd, bundlers, 'azconn/full'): the generated
// types of the full module (forms exports, HMAC), the certificate functions, and the server
// functions (Graph, App Configuration, retry, sync, rotation).
import type { CertificateApi } from './certificates.js';

export * from './gen/server/azconn.js';
export type * from './certificates.js';
export * from './server.js';
export { AzconnError } from './values.js';
export declare const call: CertificateApi['call'];
export declare const inspectCertificate: CertificateApi['inspectCertificate'];
export declare const privateKeyPkcs8: CertificateApi['privateKeyPkcs8'];
export declare const assertionSigningInput: CertificateApi['assertionSigningInput'];
export declare const assertionCompact: CertificateApi['assertionCompact'];
