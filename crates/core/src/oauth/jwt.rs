//! Reading a JWT's claims for display. NOTHING here validates anything: no signature, issuer,
//! audience or expiry check. Microsoft says clients must not validate access tokens meant for
//! other resources (protocols.md §1.4); we only show who connected and what was granted.

use crate::base64;
use crate::error::{Code, Error};
use crate::json::Json;
use crate::prelude::*;
use serde::Serialize;

/// Tokens larger than this are not Entra tokens.
const MAX_JWT_LEN: usize = 32 * 1024;

/// Claims of interest for display, as the token states them (unverified).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UnverifiedClaims {
    /// Tenant ID.
    pub tid: Option<String>,
    /// Object ID of the user or service principal.
    pub oid: Option<String>,
    /// `upn`, else `preferred_username`, else `unique_name`.
    pub username: Option<String>,
    /// The client app: `appid` (v1 tokens) or `azp` (v2).
    pub app_id: Option<String>,
    pub aud: Option<String>,
    /// Delegated scopes (`scp`, space-separated in the token).
    pub scopes: Vec<String>,
    /// App roles (`roles`).
    pub roles: Vec<String>,
    pub exp: Option<u64>,
    pub iat: Option<u64>,
}

fn malformed(message: &str) -> Error {
    Error::field("token", Code::MalformedJwt, message.to_owned())
}

fn text(payload: &Json, claim: &str) -> Option<String> {
    payload.get(claim).and_then(Json::as_str).map(str::to_owned)
}

/// A space-separated string (`scp`) or a list of strings (`roles`); other items are skipped.
fn list(payload: &Json, claim: &str) -> Vec<String> {
    match payload.get(claim) {
        Some(Json::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        Some(Json::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Decodes the payload of a compact JWS **without verifying it**. Encrypted tokens (JWE, five
/// parts) and anything else that is not `header.payload.signature` is `MalformedJwt`.
pub fn decode_unverified_claims(token: &str) -> Result<UnverifiedClaims, Error> {
    if token.len() > MAX_JWT_LEN {
        return Err(malformed("the token is too long to be a JWT"));
    }
    let mut parts = token.trim().split('.');
    let (Some(header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("a JWT has three dot-separated parts"));
    };
    let decode = |part: &str| {
        base64::decode_url(part.trim_end_matches('='))
            .ok_or_else(|| malformed("a JWT part is not base64url"))
    };
    Json::parse_bytes(&decode(header)?)
        .ok()
        .filter(Json::is_object)
        .ok_or_else(|| malformed("the JWT header is not a JSON object"))?;
    let payload = decode(payload)?;
    let payload = Json::parse_bytes(&payload)
        .ok()
        .filter(Json::is_object)
        .ok_or_else(|| malformed("the JWT payload is not a JSON object"))?;
    let number = |claim: &str| payload.get(claim).and_then(Json::as_u64);
    Ok(UnverifiedClaims {
        tid: text(&payload, "tid"),
        oid: text(&payload, "oid"),
        username: text(&payload, "upn")
            .or_else(|| text(&payload, "preferred_username"))
            .or_else(|| text(&payload, "unique_name")),
        app_id: text(&payload, "appid").or_else(|| text(&payload, "azp")),
        aud: text(&payload, "aud"),
        scopes: list(&payload, "scp"),
        roles: list(&payload, "roles"),
        exp: number("exp"),
        iat: number("iat"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            base64::encode_url(r#"{"alg":"RS256","typ":"JWT"}"#),
            base64::encode_url(payload)
        )
    }

    #[test]
    fn reads_display_claims() {
        let t = jwt(
            r#"{"aud":"https://graph.microsoft.com","tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","oid":"o","upn":"a@contoso.com","appid":"c","scp":"Application.ReadWrite.All openid","exp":1700003599,"iat":1700000000}"#,
        );
        let c = decode_unverified_claims(&t).unwrap();
        assert_eq!(c.scopes, ["Application.ReadWrite.All", "openid"]);
        assert_eq!(
            (c.username.as_deref(), c.app_id.as_deref(), c.exp),
            (Some("a@contoso.com"), Some("c"), Some(1700003599))
        );
        let app = decode_unverified_claims(&jwt(
            r#"{"azp":"x","preferred_username":"p","roles":["KeyValue.Read"]}"#,
        ))
        .unwrap();
        assert_eq!(
            (app.app_id.as_deref(), app.username.as_deref()),
            (Some("x"), Some("p"))
        );
        assert_eq!(app.roles, ["KeyValue.Read"]);
    }

    #[test]
    fn malformed_tokens() {
        for bad in [
            "",
            "a.b",
            "a.b.c.d.e",
            "###.e30.x",
            &jwt("[1]"),
            &jwt("not json"),
            "e30.e30.sig.x",
        ] {
            let e = decode_unverified_claims(bad).unwrap_err();
            assert_eq!(e.code, Code::MalformedJwt, "{bad}");
        }
        assert_eq!(
            decode_unverified_claims(&format!("e30.e30.{}", "a".repeat(MAX_JWT_LEN)))
                .unwrap_err()
                .code,
            Code::MalformedJwt
        );
    }
}
