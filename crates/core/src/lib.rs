//! azconn-core: the sans-IO protocol logic of azconn.
//!
//! Nothing in this crate performs I/O, reads a clock or draws randomness: every Azure
//! interaction is a pure `build` function returning an [`http::HttpRequest`] and a pure
//! `parse` function taking an [`http::HttpResponse`]. Time and entropy are inputs.
#![forbid(unsafe_code)]

pub mod appconfig;
mod ascii;
pub mod base64;
pub mod cert;
pub mod cloud;
pub mod datetime;
pub mod error;
pub mod form;
pub mod graph;
pub mod http;
pub mod ids;
pub mod jose;
pub mod json;
mod link;
#[cfg(feature = "native-signer")]
pub mod native_signer;
pub mod oauth;
pub mod retry;
pub mod rotation;
pub(crate) mod sha1;
pub mod sync;
pub mod text;
#[cfg(feature = "ts")]
pub mod ts;
pub mod wipe;
