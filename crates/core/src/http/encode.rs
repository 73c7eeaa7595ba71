//! Percent-encoding as RFC 3986 §2 defines it: everything but the unreserved set
//! `ALPHA / DIGIT / "-" / "." / "_" / "~"` is written `%XX` (upper-case hex). Used for query
//! components, form bodies and path segments alike, so what we sign is what goes on the wire.

use crate::error::{Code, Error};
use crate::prelude::*;

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Encodes `s` as one URI component (query name or value, form field, or path segment).
pub fn encode_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xF) as usize] as char);
        }
    }
    out
}

/// `name=value&...` with both sides encoded: a query string or an
/// `application/x-www-form-urlencoded` body.
pub fn form_urlencoded<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_component(name));
        out.push('=');
        out.push_str(&encode_component(value));
    }
    out
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space). Malformed
/// escapes and escapes that do not decode to UTF-8 are errors, never silently kept.
pub fn decode_component(s: &str) -> Result<String, Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| core::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        Error::new(
                            Code::InvalidFormat,
                            crate::text::cat(&[
                                "malformed percent-escape at byte ",
                                &crate::text::decimal(i as u64),
                            ]),
                        )
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| {
        Error::new(
            Code::InvalidFormat,
            "percent-escapes do not decode to UTF-8",
        )
    })
}

/// Splits a query string (with or without the leading `?`) into decoded pairs, in order. A
/// loop, not `collect::<Result<_, _>>()`: its adapter is about 800 bytes of wasm.
pub fn parse_query(query: &str) -> Result<Vec<(String, String)>, Error> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut pairs = Vec::new();
    for part in query.split('&').filter(|part| !part.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((decode_component(name)?, decode_component(value)?));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(
            encode_component("https://graph.microsoft.com/.default openid"),
            "https%3A%2F%2Fgraph.microsoft.com%2F.default%20openid"
        );
        assert_eq!(encode_component("a~b-c_d.e"), "a~b-c_d.e");
        assert_eq!(encode_component("é"), "%C3%A9");
        assert_eq!(encode_component("x+y=z&\r\n"), "x%2By%3Dz%26%0D%0A");
    }

    #[test]
    fn decodes_form_components() {
        assert_eq!(decode_component("a+b%2Bc%7e").unwrap(), "a b+c~");
        assert_eq!(decode_component("%C3%A9").unwrap(), "é");
    }

    #[test]
    fn rejects_malformed_escapes() {
        for bad in ["%", "%4", "%zz", "abc%G1", "%C3"] {
            let e = decode_component(bad).unwrap_err();
            assert_eq!(e.code, Code::InvalidFormat, "{bad}");
        }
    }

    #[test]
    fn parses_queries() {
        assert_eq!(
            parse_query("?code=a%2Fb&state=xyz&&flag").unwrap(),
            vec![
                ("code".into(), "a/b".into()),
                ("state".into(), "xyz".into()),
                ("flag".into(), "".into())
            ]
        );
        assert!(parse_query("").unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips(s in any::<String>()) {
            prop_assert_eq!(decode_component(&encode_component(&s)).unwrap(), s);
        }

        #[test]
        fn decode_never_panics(s in any::<String>()) {
            let _ = decode_component(&s);
            let _ = parse_query(&s);
        }
    }
}
