//! Plain HTTP values: what every builder returns and every parser takes.
//!
//! The hosts (Worker, Node, wasmtime, native tests) turn these into real requests. Bodies are
//! text: every Azure API azconn speaks uses JSON or `application/x-www-form-urlencoded`.

use crate::prelude::*;
mod encode;
mod origin;

pub use encode::{decode_component, encode_component, form_urlencoded, parse_query};
pub(crate) use origin::parse_host as origin_host;
pub use origin::{Origin, Scheme};

use core::fmt;
use serde::{Deserialize, Serialize};

/// The HTTP methods azconn's requests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "HttpMethod"))]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request to execute, exactly as it must go on the wire.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    /// Header names in lower case, in the order they must be sent.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpRequest {
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        HttpRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// Adds a header; `name` is stored in lower case.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    pub fn with_body(mut self, content_type: &str, body: impl Into<String>) -> Self {
        self.body = body.into();
        self.with_header("content-type", content_type)
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Debug output never shows credentials: the values of `authorization`, `cookie` and
/// `x-ms-*-secret`-like headers and the whole body (which may hold a client secret, a code,
/// a refresh token or an assertion) are replaced by their length.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// A response as received; the host fills it in and hands it to a parser.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Every value of header `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Responses may carry tokens and secrets (token endpoint, addPassword): the body is not shown.
impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

const SENSITIVE_HEADERS: [&str; 3] = ["authorization", "cookie", "set-cookie"];

struct RedactedHeaders<'a>(&'a [(String, String)]);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in self.0 {
            if SENSITIVE_HEADERS
                .iter()
                .any(|s| name.eq_ignore_ascii_case(s))
            {
                list.entry(&(name, format_args!("<redacted {} bytes>", value.len())));
            } else {
                list.entry(&(name, value));
            }
        }
        list.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lookup_is_case_insensitive() {
        let r = HttpResponse::new(200, "")
            .with_header("Retry-After", "5")
            .with_header("Link", "<a>")
            .with_header("link", "<b>");
        assert_eq!(r.header("retry-after"), Some("5"));
        assert_eq!(r.header_values("LINK").collect::<Vec<_>>(), ["<a>", "<b>"]);
        assert_eq!(r.header("missing"), None);
    }

    #[test]
    fn debug_never_shows_credentials() {
        let req = HttpRequest::new(Method::Post, "https://login.example/token")
            .with_header("Authorization", "Bearer eyJsecret")
            .with_body("application/x-www-form-urlencoded", "client_secret=s3cr3t");
        let shown = format!("{req:?}");
        assert!(!shown.contains("eyJsecret"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("content-type"));
        let resp = HttpResponse::new(200, r#"{"access_token":"tok"}"#)
            .with_header("Set-Cookie", "sid=abc");
        let shown = format!("{resp:?}");
        assert!(
            !shown.contains("tok\"") && !shown.contains("sid=abc"),
            "{shown}"
        );
    }
}
