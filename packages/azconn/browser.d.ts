// Types of the browser entry of `azconn` (`import ... from 'azconn'` in a browser, or
// 'azconn/browser'): what connection forms need. Server entries (index.d.ts) add the rest.
// Every function is synchronous; the module is instantiated when the entry is imported.

/** Stable error codes of the core (crates/core/src/error.rs); branch on these. */
export type ErrorCode = string;

/** A typed error from the core. Thrown by every function of this package. */
export declare class AzconnError extends Error {
  readonly name: 'AzconnError';
  /** Stable machine code, e.g. `required`, `invalid-format`, `state-mismatch`. */
  readonly code: ErrorCode;
  /** The input field or protocol element concerned (`clientId`, `entropy.state`...), if any. */
  readonly field: string | null;
  /** What to do about it, when known. */
  readonly hint: string | null;
}

/** The plain error object the core produces (`AzconnError` carries the same fields). */
export interface ErrorObject {
  code: ErrorCode;
  field?: string;
  message: string;
  hint?: string;
}

/** A national cloud by name, or a custom cloud (validated: https unless loopback). */
export type Cloud = 'global' | 'us-government' | 'china' | CustomCloud;

export interface CustomCloud {
  kind: 'custom';
  authorityHost: string;
  graphRoot: string;
  graphAudience: string;
  armHost?: string;
  appConfigurationHosts?: string[];
  appConfigurationAudience?: string;
}

/** The endpoints of a cloud, as data. */
export interface CloudEndpoints {
  [endpoint: string]: string | string[] | HostPattern[] | null;
}
export interface HostPattern {
  [part: string]: string;
}

export type ConnectionType = 'azure-client-secrets' | 'azure-app-configuration';
export type Method = 'oauth' | 'client-secret' | 'certificate';
export type AppConfigurationAudience = 'global' | 'cloud';

/** The connection form exactly as typed by the user; every field may be blank. */
export interface ConnectionForm {
  name?: string;
  description?: string;
  connectionType?: string;
  method?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  certificate?: string;
  privateKey?: string;
  privateKeyPassphrase?: string;
  endpoint?: string;
  cloud?: Cloud;
}

/** The normalized connection of a valid form (no secrets). */
export interface ValidConnection {
  name: string;
  description: string | null;
  connectionType: ConnectionType;
  method: Method;
  cloud: string;
  tenantId: string;
  clientId: string | null;
  endpoint: string | null;
}

/** All field errors at once, or the normalized connection. */
export type FormValidation =
  | { valid: true; connection: ValidConnection }
  | { valid: false; errors: ErrorObject[] };

/** An HTTP request to send as is: lower-case header names in order, body text. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: [name: string, value: string][];
  body: string;
}

/** An HTTP response as received. */
export interface HttpResponse {
  status: number;
  headers: [name: string, value: string][];
  body: string;
}

export interface PkceChallenge {
  verifier: string;
  challenge: string;
  method: 'S256';
}

/** Entropy as hex, drawn by the host. Omit it to draw it with crypto.getRandomValues. */
export interface AuthorizeEntropy {
  /** 32 bytes (64 hex digits). */
  verifier: string;
  /** At least 16 bytes. */
  state: string;
  /** At least 16 bytes. */
  nonce: string;
}

export interface AuthorizeParams {
  cloud?: Cloud;
  /** Tenant GUID or domain; blank means `organizations`. */
  tenantId?: string;
  clientId: string;
  redirectUri: string;
  connectionType: ConnectionType;
  appConfigurationAudience?: AppConfigurationAudience;
  prompt?: 'login' | 'none' | 'consent' | 'select_account';
  loginHint?: string;
  domainHint?: string;
  entropy?: AuthorizeEntropy;
}

/** The URL to open, and what to keep (server side or in session storage) until the callback. */
export interface AuthorizeRequest {
  url: string;
  /** Secret: send it with the authorization code, never log it. */
  codeVerifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
  tenant: string;
  scopes: string[];
}

export interface AdminConsentParams {
  cloud?: Cloud;
  tenantId: string;
  clientId: string;
  redirectUri: string;
  connectionType: ConnectionType;
  appConfigurationAudience?: AppConfigurationAudience;
  /** 16+ bytes as hex; drawn with crypto.getRandomValues when omitted. */
  stateEntropy?: string;
}

export interface AdminConsentCallback {
  reportedTenant: string | null;
  scopes: string[];
}

export interface ScopesParams {
  cloud?: Cloud;
  connectionType: ConnectionType;
  appConfigurationAudience?: AppConfigurationAudience;
}

export interface Scopes {
  resourceScope: string;
  delegatedScopes: string[];
}

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
  warnings: ErrorObject[];
}

export interface AssertionParams {
  credential: CredentialInput;
  /** Unix seconds. */
  now: number;
  cloud?: Cloud;
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

export type Grant =
  | {
      type: 'authorization_code';
      code: string;
      redirectUri: string;
      codeVerifier: string;
      scopes: string[];
    }
  | { type: 'refresh_token'; refreshToken: string; scopes: string[] }
  | { type: 'client_credentials'; scope: string };

export interface TokenRequestParams {
  cloud?: Cloud;
  tenantId?: string;
  clientId: string;
  /** Exactly one of clientSecret and clientAssertion. */
  clientSecret?: string;
  clientAssertion?: string;
  grant: Grant;
}

/** A parsed token response. Tokens are secrets. */
export interface TokenResponse {
  tokenType: 'Bearer';
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  scopes: string[];
  expiresIn: number;
  extExpiresIn: number | null;
  /** Unix seconds: now + expiresIn. */
  expiresAt: number;
}

/** An Entra error response, classified, with the boundary error (code, message, hint). */
export interface EntraErrorResponse {
  entra: {
    status: number;
    error: string;
    errorDescription: string | null;
    errorCodes: number[];
    [detail: string]: string | number | number[] | null;
  };
  class: string;
  boundary: ErrorObject;
}

/** Claims of a JWT, decoded without verifying it (for display only). */
export interface UnverifiedClaims {
  tid: string | null;
  oid: string | null;
  username: string | null;
  appId: string | null;
  aud: string | null;
  scopes: string[];
  roles: string[];
  exp: number | null;
  iat: number | null;
}

/** JSON values accepted by `call`. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Runs any core operation by name (the golden-vector interface, same as the abi module). */
export declare function call(op: string, input: Json): unknown;
/** Normalizes a tenant ID (GUID or verified domain). */
export declare function tenantId(input: string): string;
/** Normalizes an authority tenant (GUID, domain, `organizations`, `common`). */
export declare function authorityTenant(input: string): string;
/** Normalizes a client (application) ID. */
export declare function clientId(input: string): string;
/** The endpoints of a cloud. */
export declare function cloudEndpoints(cloud: Cloud): CloudEndpoints;
/** Validates a connection form: every field error at once, or the normalized connection. */
export declare function validateForm(form: ConnectionForm): FormValidation;
/** The resource (`.default`) and delegated scopes of a connection type in a cloud. */
export declare function scopes(params: ScopesParams): Scopes;
/** The S256 challenge of a PKCE code verifier (RFC 7636). */
export declare function pkceChallenge(verifier: string): PkceChallenge;
/** The authorization URL (code flow + PKCE) and the verifier, state and nonce to keep. */
export declare function authorizeRequest(params: AuthorizeParams): AuthorizeRequest;
/** The admin-consent URL and its state. */
export declare function adminConsentRequest(params: AdminConsentParams): { url: string; state: string };
/** The authorization code of a redirect's query string, after checking the state. */
export declare function parseCallback(query: string, expectedState: string): string;
/** The result of an admin-consent redirect, after checking the state. */
export declare function parseAdminConsentCallback(query: string, expectedState: string): AdminConsentCallback;
/** Loads and checks a certificate credential at `now` (unix seconds); reports no secrets. */
export declare function inspectCertificate(credential: CredentialInput, now: number): CertificateReport;
/** The credential's private key as base64 PKCS#8 DER, for WebCrypto importKey. Secret. */
export declare function privateKeyPkcs8(credential: CredentialInput, now: number): string;
/** The client assertion to sign (RFC 7523 / Entra certificate credentials). */
export declare function assertionSigningInput(params: AssertionParams): UnsignedAssertion;
/** The compact client assertion from its signing input and the base64url signature. */
export declare function assertionCompact(unsigned: UnsignedAssertion, signature: string): string;
/** The token endpoint request of a grant. */
export declare function tokenRequest(params: TokenRequestParams): HttpRequest;
/** Parses a token endpoint response at `now` (unix seconds). */
export declare function parseTokenResponse(response: HttpResponse, now: number): TokenResponse;
/** Parses an Entra error response, with a hint for the known AADSTS codes. */
export declare function parseErrorResponse(response: HttpResponse): EntraErrorResponse;
/** Decodes a JWT's claims without verifying it: for display, never for authorization. */
export declare function decodeJwtUnverified(jwt: string): UnverifiedClaims;
