//! The security headers every Worker response carries, decided here as data so they are tested
//! natively: MDN/OWASP secure headers, HSTS (RFC 6797) only when the site is https, and a
//! Content-Security-Policy that forbids framing (`frame-ancestors 'none'`, CSP Level 3).

/// What a response's body is: the callback's HTML page is the UI shell and may load the site's
/// own scripts, styles and images; an API answer loads nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Html,
    Data,
}

/// Two years, the HSTS preload list's minimum; subdomains included.
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

const CSP_DATA: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// The callback's HTML page is the UI shell (its error view runs the UI's own scripts), so it
/// carries the UI's policy: the same string as `www/public/_headers` (tests/ui compares them).
const CSP_HTML: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'";

/// The headers to add to a response (the Worker keeps a value a handler already set).
/// `Referrer-Policy: no-referrer` everywhere: the OAuth callback URL carries the code, which must
/// not leak to the next page's Referer (RFC 9700 §4.2.4). `Cache-Control: no-store`: API answers
/// and the callback hold secrets or one-time values.
pub fn security_headers(https_site: bool, body: BodyKind) -> Vec<(&'static str, &'static str)> {
    let mut h = vec![
        ("x-content-type-options", "nosniff"),
        (
            "content-security-policy",
            match body {
                BodyKind::Html => CSP_HTML,
                BodyKind::Data => CSP_DATA,
            },
        ),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cache-control", "no-store"),
    ];
    if https_site {
        h.push(("strict-transport-security", HSTS));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(h: &[(&str, &str)], name: &str) -> Option<String> {
        h.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn hsts_only_on_an_https_site() {
        assert_eq!(
            get(
                &security_headers(true, BodyKind::Data),
                "strict-transport-security"
            )
            .as_deref(),
            Some("max-age=63072000; includeSubDomains")
        );
        assert_eq!(
            get(
                &security_headers(false, BodyKind::Data),
                "strict-transport-security"
            ),
            None
        );
    }

    #[test]
    fn every_kind_forbids_framing_sniffing_and_referrers() {
        for kind in [BodyKind::Html, BodyKind::Data] {
            let h = security_headers(false, kind);
            let csp = get(&h, "content-security-policy").unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            assert!(csp.starts_with("default-src 'none'"), "{csp}");
            assert!(!csp.contains("unsafe-inline"), "{csp}");
            assert_eq!(
                get(&h, "x-content-type-options").as_deref(),
                Some("nosniff")
            );
            assert_eq!(get(&h, "referrer-policy").as_deref(), Some("no-referrer"));
            assert_eq!(get(&h, "cache-control").as_deref(), Some("no-store"));
        }
        assert!(
            !get(
                &security_headers(false, BodyKind::Data),
                "content-security-policy"
            )
            .unwrap()
            .contains("'self'")
        );
    }
}
