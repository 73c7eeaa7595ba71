//! azconn's edge host: a Cloudflare Worker (workers-rs) over the sans-IO core. The Worker
//! executes the core's requests with Fetch, signs with WebCrypto and persists in D1; every
//! protocol decision is the core's.

pub mod api;
pub mod config;
pub mod headers;
pub mod keyring;
pub mod records;
pub mod routes;
pub mod token_flight;

#[cfg(target_arch = "wasm32")]
mod edge;
