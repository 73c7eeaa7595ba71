// Generated from the Rust definitions by `make types` (crates/wasm/src/generated_types.rs): do not edit.

/**
 * Which Entra audience App Configuration tokens are requested for.
 */
export type AppConfigurationAudience = "cloud" | "legacy";

/**
 * A named public cloud, or a custom one. Deserializes from a name (`"us-government"`) or the
 * tagged form (`{"kind":"custom",...}`); a custom cloud always goes through [`Cloud::custom`],
 * so JSON cannot smuggle in an `http` endpoint on a non-loopback host.
 */
export type Cloud = { "kind": "global" } | { "kind": "us-government" } | { "kind": "china" } | { "kind": "custom" } & CloudEndpoints;

/**
 * The raw form. Every field is text as typed; missing fields are empty.
 */
export type ConnectionFormInput = { name?: string, description?: string, connectionType?: string, method?: string, tenantId?: string, clientId?: string, clientSecret?: string, certificate?: string, privateKey?: string, privateKeyPassphrase?: string, 
/**
 * App Configuration store endpoint, optional: in Infisical the store belongs to a sync
 * destination, but when given here the connection check can probe it. Validated on the
 * parsed host against the cloud (never `endsWith(".azconfig.io")`).
 */
endpoint?: string, 
/**
 * A cloud name (`global`, `us-government`, `china`) or a custom cloud object.
 */
cloud?: CloudInput, };

/**
 * What a connection talks to.
 */
export type ConnectionType = "azure-client-secrets" | "azure-app-configuration";

/**
 * How a connection authenticates.
 */
export type Method = "oauth" | "client-secret" | "certificate";
