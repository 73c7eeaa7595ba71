//! Rate-limit answers: which buckets a request counts in, and whether the counted windows let
//! it through (`429 rate-limited` with `Retry-After` otherwise). The counting itself is one D1
//! statement per bucket (`edge::store`).

use crate::api_error::ApiError;
use crate::config::RateLimit;
use crate::records::Window;
use azconn_core::error::{Code, Error};

/// The route's IP and token buckets for a client (`token` is an ID, or the hash of a presented
/// value: never a raw token).
pub fn buckets(route: &str, ip: &str, token: &str) -> [String; 2] {
    [format!("{route}:ip:{ip}"), format!("{route}:token:{token}")]
}

/// The refusal (`429 rate-limited` with the longest `Retry-After`) when any counted window is
/// over the limit.
pub fn refusal(limit: RateLimit, windows: &[Window], now: i64) -> Option<ApiError> {
    let retry_after = windows
        .iter()
        .filter_map(|w| limit.retry_after(w.count, w.window_start, now))
        .max();
    retry_after.map(|after| {
        ApiError::new(
            429,
            Error::new(
                Code::RateLimited,
                format!(
                    "too many requests: at most {} per {} s from one client or token",
                    limit.limit, limit.window_secs
                ),
            )
            .with_hint(format!("retry after {after} s")),
        )
        .with_retry_after(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: RateLimit = RateLimit {
        limit: 2,
        window_secs: 60,
    };

    fn window(count: i64, window_start: i64) -> Window {
        Window {
            count,
            window_start,
        }
    }

    #[test]
    fn within_the_limit_passes() {
        assert!(refusal(LIMIT, &[window(2, 100), window(1, 130)], 140).is_none());
    }

    #[test]
    fn over_the_limit_answers_429_with_the_longest_wait() {
        let e = refusal(LIMIT, &[window(3, 100), window(5, 130)], 140).expect("limited");
        assert_eq!(e.status, 429);
        assert_eq!(e.error.code, Code::RateLimited);
        assert_eq!(e.retry_after, Some(50));
        assert_eq!(e.error.hint.as_deref(), Some("retry after 50 s"));
    }

    #[test]
    fn buckets_keep_ip_and_token_apart() {
        assert_eq!(
            buckets("token", "203.0.113.9", "token:t1"),
            [
                "token:ip:203.0.113.9".to_owned(),
                "token:token:token:t1".to_owned()
            ]
        );
    }
}
