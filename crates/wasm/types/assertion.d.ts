// Generated from the Rust definitions by `make types` (crates/wasm/src/generated_types.rs): do not edit.

/**
 * How to build the assertion.
 */
export type AssertionOptions = { profile?: AssertionProfile, 
/**
 * Send the chain in `x5c`, for subject-name/issuer (SNI) authentication.
 */
includeX5c?: boolean, 
/**
 * `exp - iat`, 1..=600 seconds.
 */
lifetimeSeconds?: number, };

/**
 * Which algorithm and thumbprint header the assertion uses.
 */
export type AssertionProfile = "ps256Sha256" | "rs256Sha1";
