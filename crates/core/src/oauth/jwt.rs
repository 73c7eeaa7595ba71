//! Reading a JWT's claims for display. NOTHING here validates anything: no signature, issuer,
//! audience or expiry check. Microsoft says clients must not validate access tokens meant for
//! other resources (protocols.md §1.4); we only show who connected and what was granted.

use crate::error::{Code, Error};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Tokens larger than this are not Entra tokens.
const MAX_JWT_LEN: usize = 32 * 1024;

/// Claims of interest for display, as the token states them (unverified).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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

#[derive(Deserialize)]
struct Raw {
    tid: Option<Value>,
    oid: Option<Value>,
    upn: Option<Value>,
    preferred_username: Option<Value>,
    unique_name: Option<Value>,
    appid: Option<Value>,
    azp: Option<Value>,
    aud: Option<Value>,
    scp: Option<Value>,
    roles: Option<Value>,
    exp: Option<Value>,
    iat: Option<Value>,
}

fn malformed(message: &str) -> Error {
    Error::field("token", Code::MalformedJwt, message.to_owned())
}

fn text(v: Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn number(v: Option<Value>) -> Option<u64> {
    v.and_then(|v| v.as_u64())
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
        URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .map_err(|_| malformed("a JWT part is not base64url"))
    };
    serde_json::from_slice::<serde_json::Map<String, Value>>(&decode(header)?)
        .map_err(|_| malformed("the JWT header is not a JSON object"))?;
    let raw: Raw = serde_json::from_slice(&decode(payload)?)
        .map_err(|_| malformed("the JWT payload is not a JSON object"))?;
    let list = |v: Option<Value>| match v {
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        Some(Value::Array(a)) => a
            .into_iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    Ok(UnverifiedClaims {
        tid: text(raw.tid),
        oid: text(raw.oid),
        username: text(raw.upn)
            .or(text(raw.preferred_username))
            .or(text(raw.unique_name)),
        app_id: text(raw.appid).or(text(raw.azp)),
        aud: text(raw.aud),
        scopes: list(raw.scp),
        roles: list(raw.roles),
        exp: number(raw.exp),
        iat: number(raw.iat),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload)
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
