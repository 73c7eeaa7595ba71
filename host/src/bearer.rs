//! The API token as a request presents it: `Authorization: Bearer <token>` (RFC 6750 §2.1).
//! The scheme is case-insensitive (RFC 9110 §11.1) and its separator one or more spaces
//! (§11.4), so `bearer` and `BEARER` clients are not refused.

/// The token of a Bearer header value, or `None` when the value is another scheme or carries
/// no token.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    let token = rest.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_is_case_insensitive_and_spaces_separate_it() {
        for h in [
            "Bearer azc_1",
            "bearer azc_1",
            "BEARER azc_1",
            "Bearer   azc_1",
            " Bearer azc_1 ",
        ] {
            assert_eq!(bearer_token(h), Some("azc_1"), "{h:?}");
        }
    }

    #[test]
    fn other_schemes_and_empty_or_split_tokens_are_none() {
        for h in [
            "",
            "Bearer",
            "Bearer ",
            "Basic YWJj",
            "Bearerazc_1",
            "Bearer a b",
            "Token azc_1",
        ] {
            assert_eq!(bearer_token(h), None, "{h:?}");
        }
    }
}
