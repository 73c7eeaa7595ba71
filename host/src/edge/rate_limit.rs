//! Rate limits on sign-in, the OAuth start and the token endpoint, per client IP and per token,
//! counted in D1 (the Workers rate-limit binding has no workers-rs API): a fixed window per
//! bucket, anchored at its first request, answered `429` with `Retry-After`.

use super::auth::TOKEN_ACTOR;
use super::reply::ApiError;
use super::runtime::{now_s, sha256_hex};
use super::store::Storage;
use crate::config::RateLimit;
use crate::limits;
use worker::Request;

/// The client's address: `CF-Connecting-IP`, which Cloudflare sets on every request (and
/// `wrangler dev` sets to the peer on loopback). Without it every such client shares one bucket.
pub fn client_ip(req: &Request) -> Result<String, ApiError> {
    Ok(req
        .headers()
        .get("cf-connecting-ip")?
        .map(|ip| ip.trim().to_owned())
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "unknown".to_owned()))
}

/// Who a limit counts: the client IP and the token (an ID, or the hash of a presented value:
/// never a raw token in D1).
pub struct Client<'a> {
    pub ip: &'a str,
    pub token: &'a str,
}

impl Client<'_> {
    /// A presented token value as a bucket key.
    pub fn token_key(value: &str) -> String {
        sha256_hex(value)
    }
}

/// Counts this request in the route's IP and token buckets; `429 rate-limited` with
/// `Retry-After` when either is over its limit.
/// The route's IP and token buckets for this client.
pub fn buckets(route: &str, client: &Client<'_>) -> [String; 2] {
    limits::buckets(route, client.ip, client.token)
}

/// The route's IP bucket and its API-token bucket up to the token's id, which the storage
/// appends when it checks the token in the same round trip (`Storage::*_of_token`).
pub fn token_buckets(route: &str, ip: &str) -> [String; 2] {
    limits::buckets(route, ip, TOKEN_ACTOR)
}

pub async fn check(
    db: &Storage<'_>,
    route: &str,
    limit: RateLimit,
    client: &Client<'_>,
) -> Result<(), ApiError> {
    let now = now_s();
    let windows = db
        .count_request(&buckets(route, client), now, i64::from(limit.window_secs))
        .await?;
    match limits::refusal(limit, &windows, now) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Drops windows that ended more than a day ago (Cron Trigger).
pub async fn sweep(db: &Storage<'_>) -> Result<(), ApiError> {
    db.sweep_rate_limits(now_s() - 86_400).await
}
