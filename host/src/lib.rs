//! azconn's edge host: a Cloudflare Worker (workers-rs) over the sans-IO core. The Worker
//! executes the core's requests with Fetch, signs with WebCrypto and persists in D1.
//!
//! The modules here compile and are tested natively: the API's routes and bodies, the stored
//! records, the configuration and keyring, and the host's decisions (token single-flight over a
//! `TokenSource` trait, a rotation run's start, the OAuth callback's checks). `edge` exists
//! only on wasm32: the D1, Fetch and WebCrypto adapters and the handlers that join them.

pub mod api;
pub mod api_error;
pub mod config;
pub mod connection_fields;
pub mod headers;
pub mod keyring;
pub mod limits;
pub mod records;
pub mod request_body;
pub mod rotation_run;
pub mod routes;
pub mod sign_in;
pub mod token_flight;

#[cfg(target_arch = "wasm32")]
mod edge;
