// Generated from the Rust definitions by `make types` (crates/wasm/src/generated_types.rs): do not edit.

/**
 * Every endpoint azconn needs in one cloud.
 */
export type CloudEndpoints = { 
/**
 * Entra ID authority host, e.g. `https://login.microsoftonline.com`.
 */
authorityHost: Origin, 
/**
 * Graph root; API calls go to `{graph_root}/v1.0/...`.
 */
graphRoot: Origin, 
/**
 * The resource Graph tokens are issued for (`{graph_audience}/.default`).
 */
graphAudience: string, 
/**
 * Azure Resource Manager host.
 */
armHost: Origin, 
/**
 * Hosts that are App Configuration stores.
 */
appConfigurationHosts: Array<HostPattern>, 
/**
 * The Entra audience of App Configuration data-plane tokens (scope = audience + `/.default`).
 */
appConfigurationAudience: string, };

/**
 * The unchecked wire shapes of [`Cloud`]: a name (also `public`, `usgov`, `azurechina`), or
 * the tagged form.
 */
export type CloudInput = string | TaggedCloud;

/**
 * Stable error codes. The UI and API clients branch on these; never rename one.
 */
export type Code = "required" | "too-long" | "too-short" | "invalid-format" | "invalid-character" | "not-allowed" | "insecure-url" | "host-not-allowed" | "secret-looks-like-id" | "out-of-range" | "state-mismatch" | "missing-code" | "authorization-failed" | "token-request-failed" | "malformed-response" | "malformed-jwt" | "reauth-required" | "consent-required" | "retry-later" | "permission-denied" | "not-found" | "lifetime-rejected" | "throttled" | "unavailable" | "unauthorized" | "key-locked" | "precondition-failed" | "invalid-argument" | "azure-error" | "rotation-failed" | "wrong-field" | "key-cert-mismatch" | "certificate-expired" | "certificate-not-yet-valid" | "certificate-expiring-soon" | "weak-key" | "unsupported-key-type" | "unsupported-algorithm" | "wrong-password" | "not-configured" | "unauthenticated" | "cross-origin" | "conflict" | "internal" | "rate-limited" | "method-not-allowed";

/**
 * A typed error: what went wrong, where, and what to do about it.
 */
export type FieldError = { code: Code, field?: string, message: string, hint?: string, };

/**
 * A host pattern for App Configuration stores: `*.azconfig.io` matches `<store>.azconfig.io`
 * (label-boundary, at least one label before the suffix); a plain `host[:port]` matches only
 * itself (for loopback emulators and proxies).
 */
export type HostPattern = string;

/**
 * `scheme://host[:port]`, host lower-cased, default port dropped.
 */
export type Origin = string;

/**
 * A cloud by `{kind}`; a custom one with every endpoint (https unless loopback).
 */
export type TaggedCloud = { "kind": "global" } | { "kind": "us-government" } | { "kind": "china" } | { "kind": "custom" } & CloudEndpoints;
