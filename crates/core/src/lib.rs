//! azconn-core: the sans-IO protocol logic of azconn.
//!
//! Nothing in this crate performs I/O, reads a clock or draws randomness: every Azure
//! interaction is a pure `build` function returning an [`http::HttpRequest`] and a pure
//! `parse` function taking an [`http::HttpResponse`]. Time and entropy are inputs.
//!
//! `no_std` with `alloc`: a browser module then carries no std panic and formatting machinery
//! (a panic traps; the forms module is 1.6 KB gz smaller, the certificate module 2.3 KB). Tests,
//! the TypeScript generation (`ts`) and the native signer build with std.
#![forbid(unsafe_code)]
#![cfg_attr(not(any(test, feature = "ts", feature = "native-signer")), no_std)]
extern crate alloc;

/// What the std prelude would give every module: the `alloc` types and macros (also for the
/// `no_std` builds of crates/wasm).
#[doc(hidden)]
pub mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

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
