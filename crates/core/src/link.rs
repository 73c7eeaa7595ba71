//! Server-provided links (`@odata.nextLink`, App Configuration `@nextLink` and `Link: rel="next"`)
//! are followed verbatim, but only on the origin the request went to: a bearer token or an HMAC
//! signature must never be sent to a host a response body chose.

use crate::error::{Code, Error};
use crate::http::Origin;
use crate::prelude::*;

/// The origin of an absolute `http(s)` URL, when it has one.
fn url_origin(url: &str) -> Option<Origin> {
    let scheme_end = url.find("://")? + 3;
    let rest = url.get(scheme_end..)?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Origin::parse(url.get(..scheme_end + end)?).ok()
}

/// Accepts `url` as a next-page link only if it is absolute, on `origin`, and holds no
/// whitespace or control characters; `field` names the link in the error.
pub(crate) fn same_origin(url: &str, origin: &Origin, field: &str) -> Result<String, Error> {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::field(
            field,
            Code::InvalidCharacter,
            "the next-page link contains whitespace or a control character",
        ));
    }
    match url_origin(url) {
        Some(o) if &o == origin => Ok(url.to_owned()),
        Some(o) => Err(Error::field(
            field,
            Code::HostNotAllowed,
            format!("the next-page link points to {o}, not {origin}; it is not followed"),
        )),
        None => Err(Error::field(
            field,
            Code::InvalidFormat,
            "the next-page link is not an absolute http(s) URL",
        )),
    }
}

/// Resolves a link that may be origin-relative (`/kv?after=...`) against `origin`, then applies
/// [`same_origin`].
pub(crate) fn resolve(url: &str, origin: &Origin, field: &str) -> Result<String, Error> {
    if url.starts_with('/') && !url.starts_with("//") {
        same_origin(&format!("{origin}{url}"), origin, field)
    } else {
        same_origin(url, origin, field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_links_are_followed() {
        let o = Origin::parse("https://graph.microsoft.com").unwrap();
        let f = "nextLink";
        let ok = "https://graph.microsoft.com/v1.0/applications?$skiptoken=X";
        assert_eq!(same_origin(ok, &o, f).unwrap(), ok);
        assert_eq!(
            same_origin("https://GRAPH.microsoft.com:443/v1.0/x", &o, f).unwrap(),
            "https://GRAPH.microsoft.com:443/v1.0/x"
        );
        for (bad, code) in [
            ("https://evil.example/v1.0/x", Code::HostNotAllowed),
            (
                "https://graph.microsoft.com.evil.example/x",
                Code::HostNotAllowed,
            ),
            ("http://graph.microsoft.com/x", Code::HostNotAllowed),
            ("https://user@graph.microsoft.com/x", Code::InvalidFormat),
            ("/v1.0/x", Code::InvalidFormat),
            (
                "https://graph.microsoft.com/x\r\nHost: a",
                Code::InvalidCharacter,
            ),
        ] {
            assert_eq!(same_origin(bad, &o, f).unwrap_err().code, code, "{bad}");
        }
        assert_eq!(
            resolve("/kv?after=a", &o, f).unwrap(),
            "https://graph.microsoft.com/kv?after=a"
        );
        assert_eq!(
            resolve("//evil.example/kv", &o, f).unwrap_err().code,
            Code::InvalidFormat
        );
    }
}
