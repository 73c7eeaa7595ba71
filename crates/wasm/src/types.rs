//! The TypeScript shapes of the exports' inputs and results, emitted by wasm-bindgen into the
//! generated `.d.ts` beside the functions that name them (`unchecked_param_type` /
//! `unchecked_return_type`). The shapes of core types are generated from their Rust definitions
//! (ts-rs: crates/wasm/types/*.d.ts, `make types`, checked by `generated_types.rs`). The rest
//! below have no Rust type of their own: the parameter objects `forms.rs`, `tokens.rs`, `certificates.rs`
//! and `server.rs` read member by member, the results packages/azconn/values.js builds from
//! several core values, and the rotation types (core `rotation`, not yet derived).

use wasm_bindgen::prelude::*;

/// The shapes every module's exports name (errors listed as data, clouds).
#[wasm_bindgen(typescript_custom_section)]
const SHARED: &'static str = include_str!("../types/shared.d.ts");

#[cfg(feature = "forms")]
#[wasm_bindgen(typescript_custom_section)]
const FORMS_GENERATED: &'static str = include_str!("../types/forms.d.ts");

#[cfg(feature = "forms")]
#[wasm_bindgen(typescript_custom_section)]
const FORMS: &'static str = r#"
/** The add-connection form as typed: missing fields are empty. */
export interface ValidatedConnection {
  name: string;
  description: string | null;
  connectionType: ConnectionType;
  method: Method;
  cloud: TaggedCloud['kind'];
  tenantId: string;
  clientId: string | null;
  endpoint: string | null;
}
export type FormValidation =
  | { valid: true; connection: ValidatedConnection }
  | { valid: false; errors: FieldError[] };
export interface ScopesParams {
  cloud?: CloudInput;
  connectionType: ConnectionType;
  appConfigurationAudience?: AppConfigurationAudience;
}
export interface Scopes {
  resourceScope: string;
  delegatedScopes: string[];
}
export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}
export interface AuthorizeEntropy {
  /** 32 bytes. */
  verifier: Uint8Array;
  /** 16-64 bytes. */
  state: Uint8Array;
  /** 16-64 bytes. */
  nonce: Uint8Array;
}
export interface AuthorizeParams {
  cloud?: CloudInput;
  /** Empty or absent: `organizations`. */
  tenantId?: string;
  clientId: string;
  redirectUri: string;
  connectionType: ConnectionType;
  appConfigurationAudience?: AppConfigurationAudience;
  prompt?: 'login' | 'none' | 'consent' | 'select_account';
  loginHint?: string;
  domainHint?: string;
  /** Drawn from `crypto.getRandomValues` when absent. */
  entropy?: AuthorizeEntropy;
}
/** Keep everything but `url` server side, bound to the browser session, single use. */
export interface AuthorizeRequest {
  url: string;
  codeVerifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
  tenant: string;
  scopes: string[];
}
export interface AdminConsentParams {
  cloud?: CloudInput;
  tenantId: string;
  clientId: string;
  redirectUri: string;
  connectionType: ConnectionType;
  appConfigurationAudience?: AppConfigurationAudience;
  /** 16-64 bytes; drawn from `crypto.getRandomValues` when absent. */
  stateEntropy?: Uint8Array;
}
export interface AdminConsentRequest {
  url: string;
  state: string;
}
"#;

#[cfg(feature = "tokens")]
#[wasm_bindgen(typescript_custom_section)]
const TOKENS_GENERATED: &'static str = include_str!("../types/tokens.d.ts");

#[cfg(feature = "tokens")]
#[wasm_bindgen(typescript_custom_section)]
const TOKENS: &'static str = r#"
export type Grant =
  | { type: 'authorization_code'; code: string; redirectUri: string; codeVerifier: string; scopes: string[] }
  | { type: 'refresh_token'; refreshToken: string; scopes: string[] }
  | { type: 'client_credentials'; scope: string };
/** Exactly one of `clientSecret` and `clientAssertion`. */
export interface TokenRequestParams {
  cloud?: CloudInput;
  tenantId?: string;
  clientId: string;
  clientSecret?: string;
  clientAssertion?: string;
  grant: Grant;
}
/** Response headers: name/value pairs, a fetch `Headers`, or a plain object. */
export type HeadersInput = [string, string][] | Headers | Record<string, string> | undefined;
export interface EntraErrorReport {
  entra: EntraError;
  class: ErrorClass;
  /** The error azconn reports for it, with the hint. */
  boundary: FieldError;
}
"#;

#[cfg(feature = "certificates")]
#[wasm_bindgen(typescript_custom_section)]
const CERTIFICATES_GENERATED: &'static str = include_str!("../types/certificates.d.ts");

#[cfg(feature = "assertion")]
#[wasm_bindgen(typescript_custom_section)]
const ASSERTION_GENERATED: &'static str = include_str!("../types/assertion.d.ts");

#[cfg(feature = "assertion")]
#[wasm_bindgen(typescript_custom_section)]
const ASSERTION: &'static str = r#"
export interface AssertionParams {
  cloud?: CloudInput;
  /** A tenant ID or verified domain (not `common` / `organizations`). */
  tenantId: string;
  clientId: string;
  /** Unix seconds: `nbf` and `iat`. */
  now: number;
  /** 16 bytes for the `jti`; drawn from `crypto.getRandomValues` when absent. */
  jtiEntropy?: Uint8Array;
  options?: AssertionOptions;
}
/** A client assertion waiting for its signature: sign the UTF-8 bytes of `signingInput`. */
export interface UnsignedAssertion {
  algorithm: 'PS256' | 'RS256';
  signingInput: string;
  /** An RSA signature is exactly the modulus length in bytes. */
  signatureLength: number;
  /** `importKey("pkcs8", der, {name, hash}, false, ["sign"])`, then `sign(webCrypto, key, input)`. */
  webCrypto: { name: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5'; hash: 'SHA-256'; saltLength?: number };
}
"#;

#[cfg(feature = "full")]
#[wasm_bindgen(typescript_custom_section)]
const SERVER_GENERATED: &'static str = include_str!("../types/server.d.ts");

#[cfg(feature = "full")]
#[wasm_bindgen(typescript_custom_section)]
const SERVER: &'static str = r#"
/** A core error as data (a rotation step's failure, beside the state to persist). */
export interface GraphParams {
  cloud?: CloudInput;
  /** The Graph access token (secret). */
  token: string;
}
/** A store by endpoint (`https://<store>.azconfig.io`). */
export interface StoreParams {
  cloud?: CloudInput;
  endpoint: string;
  apiVersion?: string;
}
/** A key-value as App Configuration spells it. */
export interface RetryParams {
  policy?: RetryPolicy;
  attempt: number;
  elapsedMs?: number;
  /** Unix seconds (for Retry-After dates). */
  now?: number;
  /** A random 32-bit number for jitter, drawn by the host. */
  entropy?: number;
}
export interface RotationConfig {
  connectionId: string;
  rotationId: string;
  app: AppRef;
  lifetimeSecs: number;
  maxLifetimeSecs?: number | null;
  rotationIntervalSecs?: number | null;
  keepPrevious?: number;
  alsoManaged?: string[];
  verifyBudgetSecs?: number;
}
/** The new secret: `secret` is its text (store it encrypted, never log it). */
export interface NewSecret {
  keyId: string;
  secret: string;
  endsAt: number | null;
}
export type RotationPhase =
  | { phase: 'inspect' }
  | { phase: 'removeOrphans'; existing: PasswordCredential[]; orphans: string[] }
  | { phase: 'readyToAdd'; existing: PasswordCredential[] }
  | { phase: 'adding'; existing: PasswordCredential[] }
  | { phase: 'verifying'; new: NewSecret; existing: PasswordCredential[]; since: number; attempts: number; retryAt: number }
  | { phase: 'publishing'; new: NewSecret; existing: PasswordCredential[] }
  | { phase: 'pruning'; newKeyId: string; remove: string[]; removed: string[] }
  | { phase: 'abandoning'; newKeyId: string; error: FieldError }
  | { phase: 'done'; newKeyId: string; removed: string[] }
  | { phase: 'failed'; error: FieldError }
  | { phase: 'recheck'; then: RotationPhase; error: FieldError };
/** Persisted rotation state: store it as is (encrypted: it may hold the new secret) and hand
 * it back to the next step. */
export interface RotationState {
  config: RotationConfig;
  phase: RotationPhase;
}
export type RotationStepKind =
  | { step: 'send'; purpose: 'readCredentials' | 'removeOrphan' | 'addPassword' | 'removeOld' | 'removeUnverified'; request: HttpRequest }
  | { step: 'verifyNewSecret'; keyId: string; secret: string }
  | { step: 'wait'; ms: number }
  | { step: 'publish'; keyId: string; secret: string; endsAt: number | null }
  | { step: 'done'; newKeyId: string; removed: string[] }
  | { step: 'failed'; error: FieldError };
export interface RotationNext {
  rotation: RotationState;
  step: RotationStepKind;
}
/** The state to persist, and the step's failure beside it. */
export interface RotationStep {
  rotation: RotationState;
  error?: FieldError;
}
export type VerifyOutcome = { result: 'ok' } | { result: 'failed'; errorCodes: number[]; error: string };
"#;
