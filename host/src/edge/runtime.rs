//! What the Worker takes from its runtime: the clock and entropy (`crypto.getRandomValues`).

use super::reply::ApiError;
use crate::platform::no_entropy;
pub use crate::platform::{hex, sha256_hex};

pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

pub fn now_s() -> i64 {
    i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX)
}

/// Fills `buf` from the runtime's CSPRNG.
pub fn fill(buf: &mut [u8]) -> Result<(), azconn_core::error::Error> {
    getrandom::fill(buf).map_err(|_| no_entropy())
}

/// Bytes from the runtime's CSPRNG.
pub fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    fill(&mut b)?;
    Ok(b)
}

/// A random identifier (128 bits, hex).
pub fn new_id() -> Result<String, ApiError> {
    Ok(hex(&random::<16>()?))
}
