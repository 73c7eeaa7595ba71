//! Small shared helpers: the emulator clock, randomness, time formats, base64.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::Rng;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Wall clock plus an offset the admin API can advance, so tests reach expiry without sleeping.
#[derive(Default)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> i64 {
        self.wall() + self.offset.load(Ordering::Relaxed)
    }

    /// The machine's clock, without the offset: what clients sign request dates with.
    pub fn wall(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }

    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}

pub fn guid() -> String {
    let mut b: [u8; 16] = rand::thread_rng().r#gen();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill(&mut b[..]);
    b64url(&b)
}

pub fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

pub fn b64_decode(data: &str) -> Option<Vec<u8>> {
    STANDARD.decode(data).ok()
}

pub fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn b64url_decode(data: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(data).ok()
}

fn datetime(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Graph's ISO 8601 UTC form, e.g. `2026-01-01T00:00:00Z`.
pub fn iso(unix: i64) -> String {
    datetime(unix)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// App Configuration's `last_modified` form, e.g. `2017-12-05T02:41:26+00:00`.
pub fn iso_offset(unix: i64) -> String {
    iso(unix).trim_end_matches('Z').to_string() + "+00:00"
}

/// Entra's timestamp form in error bodies, e.g. `2016-01-09 02:02:12Z`.
pub fn entra_timestamp(unix: i64) -> String {
    iso(unix).replacen('T', " ", 1)
}

pub fn parse_iso(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|d| d.unix_timestamp())
}

pub fn http_date(unix: i64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64))
}

pub fn parse_http_date(s: &str) -> Option<i64> {
    httpdate::parse_http_date(s)
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

/// Percent-decodes a query or path component (`+` stays `+`, as in RFC 3986).
pub fn pct_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Encodes a query value, leaving only RFC 3986 unreserved characters bare.
pub fn pct_encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// Splits a raw query string into decoded pairs, keeping order and repeats.
/// `+` means space only in form bodies, so `form` selects that rule.
pub fn query_pairs(raw: &str, form: bool) -> Option<Vec<(String, String)>> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let fix = |s: &str| {
                if form {
                    s.replace('+', " ")
                } else {
                    s.to_string()
                }
            };
            Some((pct_decode(&fix(k))?, pct_decode(&fix(v))?))
        })
        .collect()
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn query_pairs_decodes_and_keeps_repeats() {
        let q = query_pairs("a=1&tags=x%3D1&tags=y%3D2&b=%00&c=a+b", false).expect("valid");
        assert_eq!(q[1], ("tags".into(), "x=1".into()));
        assert_eq!(q[2], ("tags".into(), "y=2".into()));
        assert_eq!(q[3], ("b".into(), "\0".into()));
        assert_eq!(q[4], ("c".into(), "a+b".into()));
        assert_eq!(query_pairs("c=a+b", true).expect("form")[0].1, "a b");
        assert!(query_pairs("a=%FF", false).is_none());
    }

    #[test]
    fn time_formats() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_offset(1_512_441_686), "2017-12-05T02:41:26+00:00");
        assert_eq!(entra_timestamp(1_452_304_932), "2016-01-09 02:02:12Z");
        assert_eq!(parse_iso("2016-01-09T02:02:12Z"), Some(1_452_304_932));
        assert_eq!(parse_iso("not a date"), None);
        assert_eq!(
            parse_http_date(&http_date(1_452_304_932)),
            Some(1_452_304_932)
        );
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".*") {
            let _ = query_pairs(&s, true);
            let _ = query_pairs(&s, false);
            let _ = parse_iso(&s);
            let _ = parse_http_date(&s);
            let _ = b64url_decode(&s);
            let _ = crate::jwt::Jws::parse(&s);
        }
    }
}
