//! azconn's edge host: a Cloudflare Worker (workers-rs) over the sans-IO core. The Worker
//! executes the core's requests with Fetch, signs with WebCrypto and persists in D1.
//!
//! The modules here compile and are tested natively: the API's routes and bodies, the audit
//! log's query, the stored records, the configuration and keyring, and the use-cases:
//! connections (create, validate, update, delete), the OAuth start and callback, token single
//! flight, rotation and sync runs.
//! They are written over small traits for what the platform provides (`platform`: clock,
//! entropy, outbound HTTP, signing; `connection_store`, `oauth_flow::SignInStore`,
//! `token_flight::TokenSource`, `rotation_store`, `sync_store`: storage) and tested with
//! in-memory fakes (`fakes`). `edge` exists only on wasm32: the D1, Fetch and WebCrypto
//! adapters and the entry points.

pub mod api;
pub mod api_error;
#[cfg(test)]
mod api_types;
pub mod audit;
pub mod bearer;
pub mod config;
pub mod connection_fields;
pub mod connection_store;
pub mod connection_tokens;
pub mod connections;
pub mod credentials;
#[cfg(test)]
mod fakes;
pub mod headers;
pub mod keyring;
pub mod keys_at_rest;
pub mod limits;
pub mod names;
pub mod oauth_flow;
#[cfg(test)]
mod openapi;
pub mod platform;
pub mod probe;
pub mod records;
pub mod request_body;
pub mod rotation_store;
pub mod rotations;
pub mod routes;
pub mod secret_field;
pub mod sign_in;
pub mod sync_store;
pub mod syncs;
pub mod token_endpoint;
pub mod token_flight;

#[cfg(target_arch = "wasm32")]
mod edge;
