//! What the Worker takes from its runtime: the clock, entropy (`crypto.getRandomValues`) and
//! the hashes that identify stored tokens.

use super::reply::{ApiError, internal};
use sha2::{Digest, Sha256};

pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

pub fn now_s() -> i64 {
    i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX)
}

/// Bytes from the runtime's CSPRNG (`crypto.getRandomValues`).
pub fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| internal("no randomness available"))?;
    Ok(b)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random identifier (128 bits, hex).
pub fn new_id() -> Result<String, ApiError> {
    Ok(hex(&random::<16>()?))
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}
