//! One retry policy for Graph, Entra and App Configuration (protocols.md §4 throttling, §5.5):
//! 429/503/504, timeouts and Graph's "concurrent requests" conflict are retried with bounded
//! exponential backoff and jitter, honouring `retry-after-ms` (App Configuration) and
//! `Retry-After` in seconds or as an HTTP-date (Graph, Entra; RFC 9110 §10.2.3), within a total
//! budget of attempts and time. Everything else is never retried.
//!
//! Sans-IO: the host reports each outcome and sleeps for what [`RetryPolicy::decide`] says.

use crate::datetime;
use crate::graph::GraphError;
use crate::http::HttpResponse;
use serde::{Deserialize, Serialize};

/// Limits of the retry loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct RetryPolicy {
    /// Attempts in total, the first included.
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub max_attempts: u32,
    /// The first backoff; doubles per attempt.
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub base_delay_ms: u64,
    /// Cap of one computed backoff.
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub max_delay_ms: u64,
    /// Total time from the first attempt after which no retry is started; a server-advertised
    /// delay that would end past it stops the loop too.
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub budget_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay_ms: 500,
            max_delay_ms: 30_000,
            budget_ms: 120_000,
        }
    }
}

/// What happened to an attempt.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    Response(&'a HttpResponse),
    /// No response in time (or the connection failed).
    Timeout,
}

/// Why the loop ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RetryStop"))]
#[serde(rename_all = "camelCase", tag = "reason")]
pub enum Stop {
    /// Not an error: hand the response to its parser.
    Success,
    /// An error retrying cannot fix; the parser turns it into a typed error.
    NotRetryable {
        status: u16,
    },
    AttemptsExhausted,
    BudgetExhausted,
}

/// The decision after one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RetryDecision"))]
#[serde(rename_all = "camelCase", tag = "decision")]
pub enum Decision {
    Retry {
        #[serde(rename = "afterMs")]
        after_ms: u64,
    },
    Stop(Stop),
}

/// Is this response worth retrying?
pub fn is_retryable(resp: &HttpResponse) -> bool {
    match resp.status {
        429 | 503 | 504 => true,
        400 | 409 => GraphError::parse(resp).is_retryable(),
        _ => false,
    }
}

/// The server's requested delay: `retry-after-ms`, else `Retry-After` seconds or HTTP-date.
pub fn server_delay_ms(resp: &HttpResponse, now: i64) -> Option<u64> {
    if let Some(ms) = resp
        .header("retry-after-ms")
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Some(ms);
    }
    let v = resp.header("retry-after")?.trim();
    match v.parse::<u64>() {
        Ok(secs) => Some(secs.saturating_mul(1000)),
        Err(_) => datetime::parse_http_date(v).map(|at| {
            u64::try_from(at.saturating_sub(now))
                .unwrap_or(0)
                .saturating_mul(1000)
        }),
    }
}

impl RetryPolicy {
    /// `attempt` is the number of attempts made so far (1 after the first), `elapsed_ms` the
    /// time since the first one started, `now` unix seconds (for HTTP-date `Retry-After`),
    /// `entropy` any random bits (jitter).
    pub fn decide(
        &self,
        attempt: u32,
        elapsed_ms: u64,
        outcome: Outcome<'_>,
        now: i64,
        entropy: u32,
    ) -> Decision {
        let server = match outcome {
            Outcome::Response(r) if r.status < 400 => return Decision::Stop(Stop::Success),
            Outcome::Response(r) if !is_retryable(r) => {
                return Decision::Stop(Stop::NotRetryable { status: r.status });
            }
            Outcome::Response(r) => server_delay_ms(r, now),
            Outcome::Timeout => None,
        };
        if attempt >= self.max_attempts {
            return Decision::Stop(Stop::AttemptsExhausted);
        }
        let after_ms = server.unwrap_or_else(|| self.backoff_ms(attempt, entropy));
        if elapsed_ms.saturating_add(after_ms) > self.budget_ms {
            return Decision::Stop(Stop::BudgetExhausted);
        }
        Decision::Retry { after_ms }
    }

    /// "Equal jitter": half the exponential delay fixed, half drawn from `entropy`, so retries
    /// from many clients spread out but never collapse to zero.
    pub fn backoff_ms(&self, attempt: u32, entropy: u32) -> u64 {
        let exp = self
            .base_delay_ms
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(32))
            .min(self.max_delay_ms);
        let half = exp / 2;
        half + u64::from(entropy) % (exp - half + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_ms(1, 0), 250);
        assert_eq!(p.backoff_ms(1, 250), 500);
        assert_eq!(p.backoff_ms(1, 251), 250);
        assert_eq!(p.backoff_ms(3, 0), 1000);
        assert_eq!(
            p.backoff_ms(20, u32::MAX),
            15_000 + u64::from(u32::MAX) % 15_001
        );
        assert_eq!(p.backoff_ms(u32::MAX, 0), 15_000);
    }

    #[test]
    fn far_retry_after_dates_saturate_and_stop() {
        let resp =
            HttpResponse::new(503, "").with_header("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT");
        assert_eq!(server_delay_ms(&resp, i64::MIN), Some(u64::MAX));
        let d = RetryPolicy::default().decide(1, 0, Outcome::Response(&resp), 0, 0);
        assert_eq!(d, Decision::Stop(Stop::BudgetExhausted));
    }

    proptest! {
        #[test]
        fn never_retries_past_the_limits(attempt in 0u32..20, elapsed in 0u64..300_000, status in 100u16..600,
                                         ra in "\\PC{0,30}", entropy: u32, now in 0i64..4_000_000_000) {
            let p = RetryPolicy::default();
            let resp = HttpResponse::new(status, "").with_header("retry-after", ra);
            match p.decide(attempt, elapsed, Outcome::Response(&resp), now, entropy) {
                Decision::Retry { after_ms } => {
                    prop_assert!(attempt < p.max_attempts);
                    prop_assert!(elapsed + after_ms <= p.budget_ms);
                    prop_assert!(matches!(status, 429 | 503 | 504));
                }
                Decision::Stop(_) => {}
            }
        }
    }
}
