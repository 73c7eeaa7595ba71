// Types of the forms entry of `azconn` ('azconn/forms'): the browser entry's functions, with the
// certificate ones behind `loadCertificates()`, which fetches the certificate module on first
// use. The other functions are synchronous; the forms module is instantiated on import.
import type { AssertionParams, CertificateReport, CredentialInput, Json, UnsignedAssertion } from './browser.js';

export type * from './browser.js';
export {
  AzconnError,
  tenantId,
  authorityTenant,
  clientId,
  cloudEndpoints,
  validateForm,
  scopes,
  pkceChallenge,
  authorizeRequest,
  adminConsentRequest,
  parseCallback,
  parseAdminConsentCallback,
  tokenRequest,
  parseTokenResponse,
  parseErrorResponse,
  decodeJwtUnverified,
} from './browser.js';

/** Runs a forms operation by name (ids, cloud, form, oauth, jwt ops; certificate ops: see
 * `loadCertificates().call`), with the JSON shapes of the golden vectors. */
export declare function call(op: string, input: Json): unknown;

/** The certificate functions, synchronous once their module is loaded. */
export interface CertificateApi {
  /** Runs a certificate operation by name (`cert.*`, `jose.*`). */
  call(op: string, input: Json): unknown;
  /** Parses and checks a certificate (and key, or PFX) as pasted: see the browser entry. */
  inspectCertificate(credential: CredentialInput, now: number): CertificateReport;
  /** The private key as base64 PKCS#8 DER, for WebCrypto `importKey('pkcs8')`. Secret. */
  privateKeyPkcs8(credential: CredentialInput, now: number): string;
  /** The client assertion's JWS signing input and WebCrypto algorithm. */
  assertionSigningInput(params: AssertionParams): UnsignedAssertion;
  /** The compact JWS from the signing input and the base64url signature. */
  assertionCompact(unsigned: UnsignedAssertion, signature: string): string;
}

/** Fetches and instantiates the certificate module on first call (later calls share it; a
 * failed load is retried on the next call). Rejects if the module cannot be fetched. */
export declare function loadCertificates(): Promise<CertificateApi>;
