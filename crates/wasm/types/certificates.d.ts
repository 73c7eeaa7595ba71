// Generated from the Rust definitions by `make types` (crates/wasm/src/generated_types.rs): do not edit.

/**
 * What the UI shows about a loaded credential. Times are RFC 3339 and unix seconds.
 */
export type CertificateReport = { subject: string, issuer: string, 
/**
 * Upper-case hex, without leading zero bytes.
 */
serialNumber: string, notBefore: string, notAfter: string, notBeforeUnix: number, notAfterUnix: number, 
/**
 * Always `RSA`: other key types are rejected.
 */
keyType: string, keySize: number, thumbprintSha1: string, thumbprintSha256: string, x5t: string, x5tS256: string, 
/**
 * The Graph `keyCredentials[].customKeyIdentifier` of this certificate (base64 SHA-1).
 */
customKeyIdentifier: string, 
/**
 * Certificates given, leaf included.
 */
chainLength: number, 
/**
 * Non-fatal findings, e.g. `certificate-expiring-soon`.
 */
warnings: Array<FieldError>, };

/**
 * What the user gave: a certificate and a key, or a PFX. Field names are the form's.
 */
export type CredentialInput = { certificate?: string, privateKey?: string, privateKeyPassphrase?: string, pfx?: string | Uint8Array, pfxPassword?: string, };
