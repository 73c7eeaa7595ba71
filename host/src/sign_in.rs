//! The checks an OAuth callback makes on the pending sign-in its `state` names, before any
//! code is redeemed (RFC 9700 §4.7: single use, short-lived, bound to the browser). Pure: the
//! edge looks the sign-in up, claims it and hashes the browser cookie.

use crate::records::PendingSignIn;
use azconn_core::error::{Code, Error};
use azconn_core::oauth::random::constant_time_eq;

/// Every refusal is a `state-mismatch` on `state` with the same way out.
pub fn refused(message: &str) -> Error {
    Error::field("state", Code::StateMismatch, message)
        .with_hint("start the connection again from this browser")
}

pub const ALREADY_USED: &str = "this sign-in was already completed (a state is single use)";

/// The pending sign-in, if it can still complete at `now`.
pub fn usable(pending: Option<PendingSignIn>, now: i64) -> Result<PendingSignIn, Error> {
    let pending = pending.ok_or_else(|| refused("this sign-in is unknown"))?;
    if pending.used_at.is_some() {
        return Err(refused(ALREADY_USED));
    }
    if pending.expires_at <= now {
        return Err(refused("this sign-in expired (10 minutes)"));
    }
    Ok(pending)
}

/// Whether the callback comes from the browser that started the sign-in: the SHA-256 (hex) of
/// its `azconn_oauth` cookie, compared in constant time with the stored one.
pub fn same_browser(pending: &PendingSignIn, cookie_hash: Option<&str>) -> Result<(), Error> {
    match cookie_hash {
        Some(h) if constant_time_eq(h, &pending.browser_hash) => Ok(()),
        _ => Err(refused("this sign-in was started in another browser")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use azconn_core::form::ConnectionType;

    fn pending(used_at: Option<i64>, expires_at: i64) -> PendingSignIn {
        PendingSignIn {
            id: "p1".into(),
            browser_hash: "ab".repeat(32),
            org_id: "o1".into(),
            ty: ConnectionType::AzureClientSecrets,
            name: "graph".into(),
            description: None,
            tenant: "organizations".into(),
            endpoint: None,
            reconnect_id: None,
            expires_at,
            used_at,
            created_by: None,
        }
    }

    #[test]
    fn an_unused_unexpired_sign_in_is_usable() {
        assert_eq!(
            usable(Some(pending(None, 101)), 100).expect("usable").id,
            "p1"
        );
    }

    #[test]
    fn unknown_used_and_expired_sign_ins_are_refused_on_the_state() {
        for (p, message) in [
            (None, "this sign-in is unknown"),
            (Some(pending(Some(50), 200)), ALREADY_USED),
            (
                Some(pending(None, 100)),
                "this sign-in expired (10 minutes)",
            ),
        ] {
            let e = usable(p, 100).expect_err("refused");
            assert_eq!(e.code, Code::StateMismatch);
            assert_eq!(e.field.as_deref(), Some("state"));
            assert_eq!(e.message, message);
            assert!(e.hint.is_some());
        }
    }

    #[test]
    fn only_the_starting_browser_completes() {
        let p = pending(None, 200);
        assert!(same_browser(&p, Some(&"ab".repeat(32))).is_ok());
        for other in [None, Some(""), Some("cd")] {
            let e = same_browser(&p, other).expect_err("other browser");
            assert_eq!(e.message, "this sign-in was started in another browser");
        }
    }
}
