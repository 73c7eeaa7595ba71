//! Checks the emulator's own access tokens at the resource servers (Graph, App Configuration).

use axum::http::{HeaderMap, header};
use serde_json::Value;

use crate::jwt::Jws;
use crate::state::Emulator;

pub enum BearerError {
    /// No `Authorization: Bearer` header at all.
    Missing,
    /// Present but failing signature, format or audience checks.
    Invalid(&'static str),
    Expired,
}

/// Returns the verified claims of the bearer token if its audience is one of `audiences`.
pub fn verify(
    emu: &Emulator,
    headers: &HeaderMap,
    audiences: &[String],
) -> Result<Value, BearerError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(BearerError::Missing)?;
    let jws = Jws::parse(token).ok_or(BearerError::Invalid("Invalid JWT token."))?;
    if jws.alg() != "RS256" || !jws.verify(&emu.key.public()) {
        return Err(BearerError::Invalid("Invalid signature."));
    }
    if !jws
        .claim_str("aud")
        .is_some_and(|a| audiences.iter().any(|x| x == a))
    {
        return Err(BearerError::Invalid("Invalid audience."));
    }
    if jws.claim_i64("exp").is_none_or(|e| e <= emu.clock.now()) {
        return Err(BearerError::Expired);
    }
    Ok(jws.claims)
}
