//! What the host's use-cases need from the platform they run on, as small traits: the clock,
//! entropy, outbound HTTP, RSA signing and a timer. The Worker implements them over `Date.now`,
//! `crypto.getRandomValues`, Fetch (with the core's retry policy), WebCrypto and `setTimeout`
//! (`edge`);
//! native tests over deterministic in-memory fakes. Storage has its own trait per use-case
//! (`connection_store`).

use azconn_core::error::{Code, Error};
use azconn_core::http::{HttpRequest, HttpResponse};
use azconn_core::jose::assertion::WebCryptoParams;
use sha2::{Digest, Sha256};
use std::future::Future;

/// The wall clock.
pub trait Clock {
    /// Unix seconds.
    fn now(&self) -> i64;
    /// Unix milliseconds (progress timestamps, wait budgets).
    fn now_ms(&self) -> u64;
}

/// A cryptographically secure source of random bytes.
pub trait Entropy {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error>;
}

/// Outbound HTTP to Azure: the answer to `req`, retried as the core's policy says (an
/// interactive call waits a bounded time in total).
pub trait Outbound {
    fn execute(&self, req: &HttpRequest) -> impl Future<Output = Result<HttpResponse, Error>>;
    /// [`Outbound::execute`] for a request that is not idempotent (Graph `addPassword`): a lost
    /// answer is not sent again but reported as `unavailable`, since the first attempt may
    /// have taken effect; the caller's state machine finds out what happened.
    fn execute_at_most_once(
        &self,
        req: &HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, Error>>;
}

/// Signs `input` with a PKCS#8 RSA key, with the algorithm the core chose.
pub trait Signer {
    fn sign(
        &self,
        params: &WebCryptoParams,
        pkcs8: &[u8],
        input: &[u8],
    ) -> impl Future<Output = Result<Vec<u8>, Error>>;
}

/// Waits, e.g. between two looks at a cache another caller fills.
pub trait Timer {
    fn pause(&self, ms: u64) -> impl Future<Output = ()>;
}

/// Everything a use-case that calls Azure needs.
pub trait Platform: Clock + Entropy + Outbound + Signer + Timer {}

impl<T: Clock + Entropy + Outbound + Signer + Timer> Platform for T {}

/// `N` random bytes.
pub fn random<const N: usize>(e: &impl Entropy) -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    e.fill(&mut b)?;
    Ok(b)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 (hex) that identifies a stored token, session or state.
pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// A random identifier (128 bits, hex).
pub fn new_id(e: &impl Entropy) -> Result<String, Error> {
    Ok(hex(&random::<16>(e)?))
}

/// The error of a platform without randomness (never expected; never a weak fallback).
pub fn no_entropy() -> Error {
    Error::new(Code::Internal, "no randomness available")
}
