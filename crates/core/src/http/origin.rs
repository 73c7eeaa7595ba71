//! A strictly parsed origin (`scheme://host[:port]`), the unit every endpoint check works on.
//!
//! Checks are made on the parsed host, never on the raw string, so `https://evil.example/?.azconfig.io`
//! or `https://user@evil.example` cannot pass a suffix test. Hosts must be ASCII (IDNs must be
//! given in punycode): this keeps IDNA tables out of the browser build.

use crate::error::{Code, Error, quoted};
use crate::prelude::*;
use crate::text::{cat, decimal, parse_u64};
use alloc::borrow::Cow;
use core::fmt;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Https,
    Http,
}

impl Scheme {
    fn default_port(self) -> u16 {
        match self {
            Scheme::Https => 443,
            Scheme::Http => 80,
        }
    }
}

/// `scheme://host[:port]`, host lower-cased, default port dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub struct Origin {
    https: bool,
    /// Borrowed for the built-in clouds' static tables, owned when parsed.
    host: Cow<'static, str>,
    port: Option<u16>,
}

const MAX_URL_LEN: usize = 2048;

impl Origin {
    /// Parses an absolute `http(s)` URL that names only an origin: an optional trailing `/` is
    /// allowed; a path, query, fragment or userinfo is not.
    pub fn parse(input: &str) -> Result<Origin, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::new(Code::Required, "a URL is required"));
        }
        if s.len() > MAX_URL_LEN {
            return Err(Error::new(
                Code::TooLong,
                cat(&[
                    "a URL is at most ",
                    &decimal(MAX_URL_LEN as u64),
                    " characters",
                ]),
            ));
        }
        if let Some(c) = s.chars().find(|c| c.is_control() || c.is_whitespace()) {
            return Err(Error::new(
                Code::InvalidCharacter,
                cat(&["the URL contains the character ", &quoted_char(c)]),
            ));
        }
        let (https, rest) = if let Some(rest) = strip_prefix_ci(s, "https://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ci(s, "http://") {
            (false, rest)
        } else {
            return Err(Error::new(
                Code::InvalidFormat,
                "the URL must be absolute and start with https://",
            ));
        };
        let authority_end = rest
            .bytes()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
        // An ASCII byte's index is a char boundary: the checked split never fails (and keeps
        // the slicing panic's formatting out of the browser build).
        let (authority, tail) = rest.split_at_checked(authority_end).unwrap_or((rest, ""));
        if !(tail.is_empty() || tail == "/") {
            return Err(Error::new(
                Code::InvalidFormat,
                "the URL must not have a path, query or fragment: give only https://host",
            ));
        }
        if crate::ascii::has_any(authority, b"@") {
            return Err(Error::new(
                Code::InvalidFormat,
                "the URL must not contain a user name or password",
            ));
        }
        let (host, port) = split_host_port(authority)?;
        let host = parse_host(host)?;
        let scheme = if https { Scheme::Https } else { Scheme::Http };
        let port = port.filter(|p| *p != scheme.default_port());
        Ok(Origin {
            https,
            host: Cow::Owned(host),
            port,
        })
    }

    /// `https://{host}` for a host known to be valid and lower-case (the built-in clouds).
    pub(crate) const fn https(host: &'static str) -> Origin {
        Origin {
            https: true,
            host: Cow::Borrowed(host),
            port: None,
        }
    }

    pub fn scheme(&self) -> Scheme {
        if self.https {
            Scheme::Https
        } else {
            Scheme::Http
        }
    }

    /// The lower-cased host (IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The explicit port, when it is not the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// `host[:port]`, the value of the `Host` header a client sends.
    pub fn authority(&self) -> String {
        match self.port {
            Some(p) => cat(&[&self.host, ":", &decimal(p.into())]),
            None => (*self.host).to_owned(),
        }
    }

    /// `scheme://host[:port]`, as `Display` writes it, without the formatting machinery (see
    /// `text.rs`).
    pub fn to_text(&self) -> String {
        let scheme = if self.https { "https://" } else { "http://" };
        cat(&[scheme, &self.authority()])
    }

    /// `localhost`, `127.0.0.0/8` or `[::1]`: the only hosts allowed over plain http.
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost"
            || self.host == "[::1]"
            || self
                .host
                .strip_prefix("127.")
                .is_some_and(|rest| is_ipv4(&self.host) && !rest.is_empty())
    }

    /// Errors unless the origin is https, or http on a loopback host.
    pub fn require_secure(&self) -> Result<(), Error> {
        if self.https || self.is_loopback() {
            Ok(())
        } else {
            Err(Error::new(
                Code::InsecureUrl,
                cat(&[
                    &self.to_text(),
                    " must use https (plain http is allowed only on loopback)",
                ]),
            ))
        }
    }
}

/// A whitespace or control character as `{c:?}` shows it (`' '`, `'\n'`), via [`quoted`].
fn quoted_char(c: char) -> String {
    let mut buf = [0; 4];
    let inner = quoted(c.encode_utf8(&mut buf));
    let mut out = String::from("'");
    out.push_str(inner.trim_matches('"'));
    out.push('\'');
    out
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl TryFrom<String> for Origin {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        Origin::parse(&s)
    }
}

impl From<Origin> for String {
    fn from(o: Origin) -> String {
        o.to_text()
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), Error> {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let (h, rest) = authority
                    .split_at_checked(end + 1)
                    .unwrap_or((authority, ""));
                (h, rest.strip_prefix(':'))
            }
            None => return Err(Error::new(Code::InvalidFormat, "unterminated IPv6 address")),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => Some(
            Some(p)
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| parse_u64(p).and_then(|n| u16::try_from(n).ok()))
                .filter(|p| *p != 0)
                .ok_or_else(|| {
                    Error::new(Code::InvalidFormat, cat(&["invalid port ", &quoted(p)]))
                })?,
        ),
    };
    Ok((host, port))
}

/// Validates a host: DNS name (LDH labels), dotted IPv4 or bracketed IPv6. Returns it lower-cased.
pub(crate) fn parse_host(host: &str) -> Result<String, Error> {
    if host.is_empty() {
        return Err(Error::new(Code::InvalidFormat, "the URL has no host"));
    }
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').unwrap_or(inner);
        let ok = !inner.is_empty()
            && crate::ascii::has_any(inner, b":")
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        return if ok {
            Ok(host.to_ascii_lowercase())
        } else {
            Err(Error::new(
                Code::InvalidFormat,
                cat(&["invalid IPv6 host ", &quoted(host)]),
            ))
        };
    }
    if !host.is_ascii() {
        return Err(Error::new(
            Code::InvalidCharacter,
            "the host must be ASCII: write an internationalized name in punycode (xn--...)",
        ));
    }
    let host = host.to_ascii_lowercase();
    if is_dns_name(&host) {
        Ok(host)
    } else {
        Err(Error::new(
            Code::InvalidFormat,
            cat(&["invalid host ", &quoted(&host)]),
        ))
    }
}

/// RFC 1123 host name: 1-63 character LDH labels, no leading or trailing hyphen, at most 253.
pub(crate) fn is_dns_name(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn is_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && parse_u64(p).is_some_and(|n| n <= 255))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_origins() {
        let o = Origin::parse("HTTPS://Login.MicrosoftOnline.com/").unwrap();
        assert_eq!(o.to_string(), "https://login.microsoftonline.com");
        assert_eq!(o.authority(), "login.microsoftonline.com");
        let o = Origin::parse("http://127.0.0.1:8787").unwrap();
        assert_eq!(o.authority(), "127.0.0.1:8787");
        assert!(o.is_loopback());
        assert_eq!(Origin::parse("https://a.example:443").unwrap().port(), None);
        assert_eq!(
            Origin::parse("http://[::1]:9000").unwrap().to_string(),
            "http://[::1]:9000"
        );
    }

    #[test]
    fn rejects_what_is_not_a_bare_origin() {
        let cases = [
            ("", Code::Required),
            ("login.microsoftonline.com", Code::InvalidFormat),
            ("ftp://x.example", Code::InvalidFormat),
            ("https://evil.example/?.azconfig.io", Code::InvalidFormat),
            ("https://evil.example#.azconfig.io", Code::InvalidFormat),
            ("https://x.azconfig.io/kv", Code::InvalidFormat),
            ("https://user@x.azconfig.io", Code::InvalidFormat),
            ("https://x.azconfig.io:0", Code::InvalidFormat),
            ("https://x.azconfig.io:99999", Code::InvalidFormat),
            ("https://x.azconfig.io:", Code::InvalidFormat),
            ("https://x.azconfig.io:+443", Code::InvalidFormat),
            ("https://-x.example", Code::InvalidFormat),
            ("https://x..example", Code::InvalidFormat),
            ("https://x_y.example", Code::InvalidFormat),
            ("https://bücher.example", Code::InvalidCharacter),
            ("https://x.example\r\nHost: evil", Code::InvalidCharacter),
            ("https://[::1", Code::InvalidFormat),
        ];
        for (input, code) in cases {
            assert_eq!(Origin::parse(input).unwrap_err().code, code, "{input:?}");
        }
        let long = format!("https://{}.example", "a".repeat(3000));
        assert_eq!(Origin::parse(&long).unwrap_err().code, Code::TooLong);
    }

    #[test]
    fn http_only_on_loopback() {
        for ok in [
            "https://a.example",
            "http://localhost:1",
            "http://127.9.9.9",
            "http://[::1]",
        ] {
            Origin::parse(ok).unwrap().require_secure().unwrap();
        }
        for bad in [
            "http://a.example",
            "http://127.0.0.1.evil.example",
            "http://10.0.0.1",
        ] {
            let e = Origin::parse(bad).unwrap().require_secure().unwrap_err();
            assert_eq!(e.code, Code::InsecureUrl, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = Origin::parse(&s);
        }

        #[test]
        fn display_reparses_to_itself(host in "[a-z][a-z0-9]{0,10}(\\.[a-z0-9]{1,8}){0,3}", port in 1u16..) {
            let o = Origin::parse(&format!("https://{host}:{port}")).unwrap();
            prop_assert_eq!(Origin::parse(&o.to_string()).unwrap(), o);
        }
    }
}
