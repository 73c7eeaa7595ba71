//! The TypeScript shapes of the exports' inputs and results, emitted by wasm-bindgen into the
//! generated `.d.ts` beside the functions that name them (`unchecked_param_type` /
//! `unchecked_return_type`). Each shape is what the Rust code reads or what the
//! constructor it calls in packages/azconn/values.js builds (`forms.rs`, `certificates.rs`).

use wasm_bindgen::prelude::*;

/// The shapes every module's exports name (errors listed as data, clouds).
#[wasm_bindgen(typescript_custom_section)]
const SHARED: &'static str = r#"
/** A field error as `validateForm` lists it (an `AzconnError`'s data). */
export interface FieldError {
  code: string;
  message: string;
  field?: string;
  hint?: string;
}
export type CloudName = 'global' | 'us-government' | 'china';
/** Every endpoint of a custom cloud (emulator, proxy, Azure Stack): https unless loopback. */
export interface CustomCloud {
  kind: 'custom';
  authorityHost: string;
  graphRoot: string;
  graphAudience: string;
  armHost: string;
  appConfigurationHosts: string[];
  appConfigurationAudience: string;
}
/** A cloud name (also `public`, `usgov`, `azurechina`), `{kind}`, or a custom cloud. */
export type CloudInput = CloudName | string | { kind: CloudName } | CustomCloud;
"#;

#[cfg(feature = "forms")]
#[wasm_bindgen(typescript_custom_section)]
const FORMS: &'static str = r#"
export interface CloudEndpoints {
  authorityHost: string;
  graphRoot: string;
  graphAudience: string;
  armHost: string;
  appConfigurationHosts: string[];
  appConfigurationAudience: string;
}
export type ConnectionType = 'azure-client-secrets' | 'azure-app-configuration';
export type Method = 'oauth' | 'client-secret' | 'certificate';
export type AppConfigurationAudience = 'cloud' | 'legacy';
/** The add-connection form as typed: missing fields are empty. */
export interface ConnectionFormInput {
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
  cloud?: CloudInput;
}
export interface ValidatedConnection {
  name: string;
  description: string | null;
  connectionType: ConnectionType;
  method: Method;
  cloud: CloudName | 'custom';
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
export interface AdminConsent {
  /** Display only: never trust it for authorization. */
  reportedTenant: string | null;
  scopes: string[];
}
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
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  url: string;
  /** Lower-case names, in the order they must be sent. */
  headers: [string, string][];
  body: string;
}
/** Response headers: name/value pairs, a fetch `Headers`, or a plain object. */
export type HeadersInput = [string, string][] | Headers | Record<string, string> | undefined;
export interface TokenResponse {
  tokenType: 'Bearer';
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Empty when Entra omitted `scope`. */
  scopes: string[];
  expiresIn: number;
  extExpiresIn?: number;
  /** `now + expiresIn`, unix seconds. */
  expiresAt: number;
}
export type ErrorClass =
  | 'invalid-client'
  | 'reauth-required'
  | 'consent-required'
  | 'interaction-required'
  | 'misconfigured'
  | 'retry-later'
  | 'other';
export interface EntraError {
  status: number;
  error: string;
  errorDescription: string | null;
  errorCodes: number[];
  timestamp: string | null;
  traceId: string | null;
  correlationId: string | null;
  errorUri: string | null;
  retryAfter: number | null;
}
export interface EntraErrorReport {
  entra: EntraError;
  class: ErrorClass;
  /** The error azconn reports for it, with the hint. */
  boundary: FieldError;
}
/** Claims for display, NOT verified. */
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
"#;

#[cfg(feature = "certificates")]
#[wasm_bindgen(typescript_custom_section)]
const CERTIFICATES: &'static str = r#"
/** A certificate and its key (PEM or base64 DER, the key possibly encrypted), or a PFX as
 * base64 text or the file's bytes. Secret: the copies in wasm memory are zeroed after loading. */
export interface CredentialInput {
  certificate?: string;
  privateKey?: string;
  privateKeyPassphrase?: string;
  pfx?: string | Uint8Array;
  pfxPassword?: string;
}
/** What the form shows about a certificate (no secrets). Times: RFC 3339 and unix seconds. */
export interface CertificateReport {
  subject: string;
  issuer: string;
  /** Upper-case hex, without leading zero bytes. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  notBeforeUnix: number;
  notAfterUnix: number;
  keyType: 'RSA';
  keySize: number;
  /** Upper-case hex, as the Entra portal shows it. */
  thumbprintSha1: string;
  thumbprintSha256: string;
  x5t: string;
  x5tS256: string;
  /** Graph's `keyCredentials[].customKeyIdentifier` of this certificate (base64 SHA-1). */
  customKeyIdentifier: string;
  /** Certificates given, leaf included. */
  chainLength: number;
  /** Non-fatal findings, e.g. `certificate-expiring-soon`. */
  warnings: FieldError[];
}
export interface AssertionOptions {
  /** `ps256Sha256` (default: PS256 + x5t#S256) or `rs256Sha1` (RS256 + x5t, ADFS). */
  profile?: 'ps256Sha256' | 'rs256Sha1';
  /** Send the chain in `x5c` (subject name + issuer authentication). */
  includeX5c?: boolean;
  /** `exp - iat`: 1 to 600 seconds (default 600). */
  lifetimeSeconds?: number;
}
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
const SERVER: &'static str = r#"
/** A core error as data (a rotation step's failure, beside the state to persist). */
export interface CoreError {
  code: string;
  field?: string;
  message: string;
  hint?: string;
}
export interface GraphParams {
  cloud?: CloudInput;
  /** The Graph access token (secret). */
  token: string;
}
/** An application by object ID or by application (client) ID. */
export type AppRef = { objectId: string } | { appId: string };
export type AppFilter = { appId: string } | { displayNameStartsWith: string };
export interface AppQuery {
  select?: string[];
  top?: number | null;
  filter?: AppFilter | null;
}
export interface PasswordSpec {
  displayName: string;
  /** Unix seconds. */
  startsAt?: number | null;
  /** Unix seconds. */
  endsAt: number;
}
export interface PasswordCredential {
  keyId: string;
  displayName: string | null;
  hint: string | null;
  startsAt: number | null;
  endsAt: number | null;
}
export interface KeyCredential {
  keyId: string;
  displayName: string | null;
  kind: string | null;
  usage: string | null;
  customKeyIdentifier: string | null;
  startsAt: number | null;
  endsAt: number | null;
}
export interface Application {
  id: string;
  appId: string;
  displayName: string | null;
  passwordCredentials: PasswordCredential[] | null;
  keyCredentials: KeyCredential[] | null;
}
export interface Page<T> {
  items: T[];
  nextLink: string | null;
}
/** `secret` is the new secret's text: store it, never log it. */
export interface AddedPassword {
  credential: PasswordCredential;
  secret: string;
}
export interface GraphUser {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
  mail: string | null;
}
export interface GraphOrganization {
  id: string;
  displayName: string | null;
  defaultDomain: string | null;
}
export type GraphErrorKind =
  | 'permissionDenied' | 'notFound' | 'lifetimePolicy' | 'concurrencyConflict'
  | 'throttled' | 'unavailable' | 'unauthorized' | 'other';
export interface GraphError {
  status: number;
  kind: GraphErrorKind;
  code: string;
  message: string;
  innerCodes: string[];
  details: { code: string | null; target: string | null; message: string | null }[];
  requestId: string | null;
  date: string | null;
}
export type Granted = { kind: 'application'; roles: string[] } | { kind: 'delegated'; scopes: string[] };
export type Preflight =
  | { verdict: 'allowed'; via: string }
  | { verdict: 'needsOwnershipCheck' }
  | { verdict: 'denied'; grant: string; hint: string };
/** A store by endpoint (`https://<store>.azconfig.io`). */
export interface StoreParams {
  cloud?: CloudInput;
  endpoint: string;
  apiVersion?: string;
}
export type Condition = 'none' | 'ifMatchAny' | 'ifNoneMatchAny' | { ifMatch: string };
export interface KvWrite {
  value?: string;
  contentType?: string | null;
  tags?: Record<string, string>;
}
export type KeyFilter = 'all' | { exact: string } | { prefix: string } | { anyOf: string[] };
export type LabelFilter = 'all' | { exact: string | null } | { prefix: string } | { anyOf: (string | null)[] };
export interface ListQuery {
  key: KeyFilter;
  label: LabelFilter;
  select?: string[];
}
/** A key-value as App Configuration spells it. */
export interface KeyValue {
  key: string;
  label: string | null;
  value: string | null;
  content_type: string | null;
  etag: string | null;
  last_modified: string | null;
  locked: boolean | null;
  tags: Record<string, string>;
}
export interface KvPage {
  items: KeyValue[];
  nextLink: string | null;
}
export type AppConfigErrorKind =
  | 'invalidArgument' | 'keyLocked' | 'preconditionFailed' | 'tooManyRequests' | 'notFound'
  | 'unauthorized' | 'forbidden' | 'unavailable' | 'other';
export interface AppConfigError {
  status: number;
  kind: AppConfigErrorKind;
  type: string | null;
  title: string | null;
  name: string | null;
  detail: string | null;
  retryAfterMs: number | null;
  wwwAuthenticate: string | null;
}
export interface RetryPolicy {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  budgetMs?: number;
}
export interface RetryParams {
  policy?: RetryPolicy;
  attempt: number;
  elapsedMs?: number;
  /** Unix seconds (for Retry-After dates). */
  now?: number;
  /** A random 32-bit number for jitter, drawn by the host. */
  entropy?: number;
}
export type RetryDecision =
  | { decision: 'retry'; afterMs: number }
  | { decision: 'stop'; reason: 'success' | 'attemptsExhausted' | 'budgetExhausted' }
  | { decision: 'stop'; reason: 'notRetryable'; status: number };
export type DesiredValue =
  | { kind: 'plain'; value: string; contentType?: string | null }
  | { kind: 'keyVaultRef'; uri: string };
export interface SyncSpec {
  prefix?: string;
  label: string | null;
  mode: 'overwrite' | 'importPreferSource' | 'importPreferDestination';
  deleteMissing?: boolean;
  /** The sync's id: the owner tag of every key it writes; it changes only keys carrying it. */
  owner: string;
  /** Full keys (prefix included) this run may take over although another owner holds them. */
  adopt?: string[];
}
export type SyncOp =
  | { op: 'put'; key: string; label: string | null; write: Required<KvWrite>; condition: Condition }
  | { op: 'delete'; key: string; label: string | null; condition: Condition };
export interface SyncPlan {
  ops: SyncOp[];
  imports: Record<string, { value: string; contentType: string | null }>;
  skipped: [string, 'locked' | 'featureFlag'][];
  /** Desired keys another owner holds, left alone. */
  conflicts: { key: string; reason: 'unmanaged' | 'unowned' | 'otherSync'; owner: string | null }[];
  /** Keys this sync owns once the plan is applied. */
  kept: number;
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
  | { phase: 'abandoning'; newKeyId: string; error: CoreError }
  | { phase: 'done'; newKeyId: string; removed: string[] }
  | { phase: 'failed'; error: CoreError }
  | { phase: 'recheck'; then: RotationPhase; error: CoreError };
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
  | { step: 'failed'; error: CoreError };
export interface RotationNext {
  rotation: RotationState;
  step: RotationStepKind;
}
/** The state to persist, and the step's failure beside it. */
export interface RotationStep {
  rotation: RotationState;
  error?: CoreError;
}
export type VerifyOutcome = { result: 'ok' } | { result: 'failed'; errorCodes: number[]; error: string };
"#;
