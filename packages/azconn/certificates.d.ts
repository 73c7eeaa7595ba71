// Types of the certificate functions (`loadCertificates()` of 'azconn/forms', the browser and
// full entries). They still run through the named-operation tunnel (`call`) of the
// certificate module, so these shapes are written here until the certificate exports are
// typed in crates/wasm like the forms ones.
import type { CloudInput, FieldError } from './gen/forms/azconn.js';

/** JSON as the tunnel takes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A certificate credential: PEM certificate (chain) + PEM key, or a base64 PFX. Secret. */
export interface CredentialInput {
  certificate?: string;
  privateKey?: string;
  privateKeyPassphrase?: string;
  pfx?: string;
  pfxPassword?: string;
}

/** What the form shows about a certificate (no secrets). */
export interface CertificateReport {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  notBeforeUnix: number;
  notAfterUnix: number;
  thumbprintSha1: string;
  thumbprintSha256: string;
  x5t: string;
  x5tS256: string;
  customKeyIdentifier: string;
  keyType: string;
  keySize: number;
  chainLength: number;
  warnings: FieldError[];
}

export interface AssertionParams {
  credential: CredentialInput;
  /** Unix seconds. */
  now: number;
  cloud?: CloudInput;
  tenantId: string;
  clientId: string;
  /** 16 bytes as 32 hex digits (the `jti`); drawn with crypto.getRandomValues when omitted. */
  jtiEntropy?: string;
  options?: { [option: string]: string | boolean | number };
}

/** The JWS signing input of a client assertion, to sign with WebCrypto (or an HSM). */
export interface UnsignedAssertion {
  algorithm: 'RS256' | 'PS256';
  signingInput: string;
  signatureLength: number;
  /** The WebCrypto algorithm parameters for importKey / sign. */
  webCrypto: { [parameter: string]: string | number | { name: string } };
}

/** The certificate functions, synchronous once their module is loaded. */
export interface CertificateApi {
  /** Runs a certificate operation by name (`cert.*`, `jose.*`), with the vectors' JSON shapes. */
  call(op: string, input: Json): unknown;
  /** Parses and checks a certificate (and key, or PFX) as pasted. */
  inspectCertificate(credential: CredentialInput, now: number): CertificateReport;
  /** The private key as base64 PKCS#8 DER, for WebCrypto `importKey('pkcs8')`. Secret. */
  privateKeyPkcs8(credential: CredentialInput, now: number): string;
  /** The client assertion's JWS signing input and WebCrypto algorithm. */
  assertionSigningInput(params: AssertionParams): UnsignedAssertion;
  /** The compact JWS from the signing input and the base64url signature. */
  assertionCompact(unsigned: UnsignedAssertion, signature: string): string;
}
