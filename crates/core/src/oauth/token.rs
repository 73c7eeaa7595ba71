//! Token endpoint requests and responses (protocols.md §1.3-1.4; entra-docs
//! `v2-oauth2-auth-code-flow.md`, `v2-oauth2-client-creds-grant-flow.md`).
//!
//! Every request is `POST {authority}/{tenant}/oauth2/v2.0/token` with an
//! `application/x-www-form-urlencoded` body. No `Origin` header is ever set: Entra refuses
//! confidential client credentials in the presence of one (AADSTS9002326).

use super::authorize::RedirectUri;
use super::entra_error::parse_error_response;
use super::pkce::CodeVerifier;
use crate::ascii;
use crate::cloud::Cloud;
use crate::error::{Code, Error, quoted};
use crate::http::{HttpRequest, HttpResponse, Method, form_urlencoded};
use crate::ids::{AuthorityTenant, ClientId, ClientSecret};
use crate::json::Json;
use crate::prelude::*;
use crate::text::{cat, decimal, join, parse_u64};
use alloc::borrow::Cow;
use core::fmt;
use serde::{Deserialize, Serialize};

const FORM: &str = "application/x-www-form-urlencoded";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Authorization codes are ~1-2 KB and refresh tokens a little more; 16 KiB bounds a paste.
const MAX_TOKEN_LEN: usize = 16 * 1024;

macro_rules! opaque_secret {
    ($(#[$doc:meta])* $name:ident, $field:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, Error> {
                check_opaque(input, $field, $what).map(|s| $name(s.to_owned()))
            }

            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self, Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(mut v: $name) -> String {
                core::mem::take(&mut v.0)
            }
        }

        /// Zeroed when dropped: the value is a credential.
        impl Drop for $name {
            fn drop(&mut self) {
                crate::wipe::string(&mut self.0);
            }
        }
    };
}

opaque_secret!(
    /// The `code` from the authorize callback (single use, ~10 minutes).
    AuthorizationCode,
    "code",
    "the authorization code"
);
opaque_secret!(
    /// A refresh token. Entra does not revoke it on use: store the new one each time.
    RefreshToken,
    "refreshToken",
    "the refresh token"
);
opaque_secret!(
    /// A bearer access token. azconn never validates it: it is meant for Graph or App Configuration.
    AccessToken,
    "accessToken",
    "the access token"
);

fn check_opaque<'a>(input: &'a str, field: &str, what: &str) -> Result<&'a str, Error> {
    if input.is_empty() {
        return Err(Error::field(
            field,
            Code::Required,
            cat(&[what, " is required"]),
        ));
    }
    if input.len() > MAX_TOKEN_LEN {
        return Err(Error::field(
            field,
            Code::TooLong,
            cat(&[
                what,
                " is longer than ",
                &decimal(MAX_TOKEN_LEN as u64),
                " bytes",
            ]),
        ));
    }
    if !ascii::all_graphic(input.as_bytes()) {
        return Err(Error::field(
            field,
            Code::InvalidCharacter,
            cat(&[
                what,
                " contains a space, a control or a non-ASCII character",
            ]),
        ));
    }
    Ok(input)
}

/// A signed client-assertion JWT in compact form (`header.payload.signature`, base64url), made
/// elsewhere (the cert/jose modules and the host's signer). Only its shape is checked here.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientAssertion(String);

impl ClientAssertion {
    pub fn parse(input: &str) -> Result<ClientAssertion, Error> {
        const FIELD: &str = "clientAssertion";
        let s = check_opaque(input, FIELD, "the client assertion")?;
        let parts: Vec<&str> = s.split('.').collect();
        let b64url = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if parts.len() != 3 || !parts.iter().all(|p| b64url(p)) {
            return Err(Error::field(
                FIELD,
                Code::MalformedJwt,
                "a client assertion is a compact JWS: three base64url parts joined by dots",
            ));
        }
        Ok(ClientAssertion(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Zeroed when dropped: an assertion is a bearer credential until it expires.
impl Drop for ClientAssertion {
    fn drop(&mut self) {
        crate::wipe::string(&mut self.0);
    }
}

impl fmt::Debug for ClientAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientAssertion(<redacted>)")
    }
}

/// How a confidential client proves itself at the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret=...` in the body (the value, not its ID: AADSTS7000215).
    Secret(ClientSecret),
    /// `client_assertion_type=...jwt-bearer&client_assertion=...` (certificate or federated).
    Assertion(ClientAssertion),
}

impl ClientAuth {
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        match self {
            ClientAuth::Secret(s) => vec![("client_secret", s.expose())],
            ClientAuth::Assertion(a) => vec![
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", a.expose()),
            ],
        }
    }
}

/// Joins scopes for the `scope` parameter. Empty lists fail (AADSTS28003 on code redemption),
/// and a scope is one token: no spaces or control characters inside.
fn scope_param(scopes: &[String]) -> Result<String, Error> {
    if scopes.is_empty() {
        return Err(Error::field(
            "scopes",
            Code::Required,
            "at least one scope is required (AADSTS28003)",
        ));
    }
    if scopes
        .iter()
        .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(Error::field(
            "scopes",
            Code::InvalidCharacter,
            "each scope is one non-empty token without spaces or control characters",
        ));
    }
    Ok(join(scopes, " "))
}

/// The grant being redeemed, with exactly what each grant needs.
#[derive(Debug, Clone)]
pub enum Grant {
    /// Redeems a code: `redirect_uri` must be byte-identical to the authorize request's
    /// (AADSTS50011/500112) and `code_verifier` the one whose challenge was sent (AADSTS501481).
    AuthorizationCode {
        code: AuthorizationCode,
        redirect_uri: RedirectUri,
        code_verifier: CodeVerifier,
        scopes: Vec<String>,
    },
    RefreshToken {
        refresh_token: RefreshToken,
        scopes: Vec<String>,
    },
    /// App-only token for one resource (`{resource}/.default`).
    ClientCredentials { scope: String },
}

/// The tenant a token request goes to. Client credentials need a real tenant: `/common` and
/// `/consumers` fail with AADSTS9001023, and `organizations` names no directory to act in.
fn grant_tenant_check(grant: &Grant, tenant: &AuthorityTenant) -> Result<(), Error> {
    if matches!(grant, Grant::ClientCredentials { .. }) && tenant.tenant().is_none() {
        return Err(Error::field(
            "tenantId",
            Code::NotAllowed,
            cat(&[
                "client credentials cannot use `",
                &tenant.to_text(),
                "`: give the directory's tenant ID",
            ]),
        )
        .with_hint(
            "use the Directory (tenant) ID GUID from Entra ID > Overview, or a verified domain",
        ));
    }
    Ok(())
}

/// Builds the token request for `grant`. Body fields go in the order of Microsoft's examples:
/// `client_id`, `scope`, the grant's own fields, `grant_type`, then the client credential.
pub fn token_request(
    cloud: &Cloud,
    tenant: &AuthorityTenant,
    client_id: &ClientId,
    auth: &ClientAuth,
    grant: &Grant,
) -> Result<HttpRequest, Error> {
    grant_tenant_check(grant, tenant)?;
    let client_id = client_id.to_text();
    let mut pairs: Vec<(&str, &str)> = vec![("client_id", &client_id)];
    let scope;
    match grant {
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
            scopes,
        } => {
            scope = scope_param(scopes)?;
            pairs.extend([
                ("scope", scope.as_str()),
                ("code", code.expose()),
                ("redirect_uri", redirect_uri.as_str()),
                ("grant_type", "authorization_code"),
                ("code_verifier", code_verifier.expose()),
            ]);
        }
        Grant::RefreshToken {
            refresh_token,
            scopes,
        } => {
            scope = scope_param(scopes)?;
            pairs.extend([
                ("scope", scope.as_str()),
                ("refresh_token", refresh_token.expose()),
                ("grant_type", "refresh_token"),
            ]);
        }
        Grant::ClientCredentials { scope: s } => {
            if !s.ends_with("/.default") || !s.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::field(
                    "scope",
                    Code::InvalidFormat,
                    "client credentials take exactly one `{resource}/.default` scope (AADSTS70011)",
                ));
            }
            pairs.extend([("scope", s.as_str()), ("grant_type", "client_credentials")]);
        }
    }
    pairs.extend(auth.pairs());
    Ok(
        HttpRequest::new(Method::Post, cloud.endpoints().token_endpoint(tenant))
            .with_header("accept", "application/json")
            .with_body(FORM, form_urlencoded(pairs)),
    )
}

/// A parsed successful token response. `Debug` redacts every token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    #[cfg_attr(feature = "ts", ts(type = "\"Bearer\""))]
    pub token_type: String,
    pub access_token: AccessToken,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub refresh_token: Option<RefreshToken>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub id_token: Option<IdToken>,
    /// Granted scopes; empty when Entra omitted `scope` ("the token is for the scopes requested").
    pub scopes: Vec<String>,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub ext_expires_in: Option<u64>,
    /// `now + expires_in`, unix seconds.
    pub expires_at: u64,
}

/// An OIDC id_token as received (not validated here).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(transparent)]
pub struct IdToken(String);

/// Zeroed when dropped: the value is a credential.
impl Drop for IdToken {
    fn drop(&mut self) {
        crate::wipe::string(&mut self.0);
    }
}

impl IdToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdToken(<redacted>)")
    }
}

fn malformed(status: u16, what: &str) -> Error {
    Error::new(
        Code::MalformedResponse,
        cat(&[
            "token endpoint answered HTTP ",
            &decimal(status.into()),
            " with ",
            what,
        ]),
    )
}

/// A JSON object's members.
type Members<'a> = Vec<(Cow<'a, str>, Json<'a>)>;

/// Takes member `key` out of an object's members (keys are unique: the reader refuses repeats).
fn take<'a>(members: &mut Members<'a>, key: &str) -> Option<Json<'a>> {
    let at = members.iter().position(|(k, _)| k == key)?;
    Some(members.swap_remove(at).1)
}

/// A member that must be a string when present (`null` counts as absent).
fn text<'a>(
    members: &mut Members<'a>,
    key: &str,
    status: u16,
) -> Result<Option<Cow<'a, str>>, Error> {
    match take(members, key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(
            status,
            "a body that is not a JSON token response",
        )),
    }
}

/// A number, or a numeric string as v1/legacy endpoints send (protocols.md §1.4).
fn seconds(members: &mut Members<'_>, field: &str, status: u16) -> Result<Option<u64>, Error> {
    match take(members, field) {
        None | Some(Json::Null) => Ok(None),
        Some(n @ Json::Number(_)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| malformed(status, &cat(&["a negative or fractional `", field, "`"]))),
        Some(Json::String(s)) => parse_u64(s.trim())
            .map(Some)
            .ok_or_else(|| malformed(status, &cat(&["a non-numeric `", field, "`"]))),
        Some(_) => Err(malformed(
            status,
            &cat(&["a `", field, "` that is not a number"]),
        )),
    }
}

/// A successful token response's members as its body writes them, checked as
/// [`parse_token_response`] checks them: borrowed from the body where written without escapes.
/// A host that builds its own value from them (the wasm facade) reads them here without copying
/// the tokens; copies made for escaped members are zeroed when dropped.
pub struct TokenFields<'a> {
    pub access_token: Cow<'a, str>,
    pub refresh_token: Option<Cow<'a, str>>,
    pub id_token: Option<Cow<'a, str>>,
    /// `scope` as written (space-separated), when given.
    pub scope: Option<Cow<'a, str>>,
    pub expires_in: u64,
    pub ext_expires_in: Option<u64>,
}

impl Drop for TokenFields<'_> {
    fn drop(&mut self) {
        for s in [
            Some(&mut self.access_token),
            self.refresh_token.as_mut(),
            self.id_token.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            if let Cow::Owned(s) = s {
                crate::wipe::string(s);
            }
        }
    }
}

impl TokenFields<'_> {
    /// The granted scopes; empty when Entra omitted `scope`.
    pub fn scopes(&self) -> Vec<String> {
        self.scope
            .as_deref()
            .map(ascii::split_whitespace)
            .unwrap_or_default()
    }

    /// The typed response; `now` is the host's clock in unix seconds.
    pub fn to_response(&self, now: u64) -> TokenResponse {
        TokenResponse {
            token_type: "Bearer".to_owned(),
            access_token: AccessToken(self.access_token.to_string()),
            refresh_token: self
                .refresh_token
                .as_deref()
                .map(|t| RefreshToken(t.to_owned())),
            id_token: self.id_token.as_deref().map(|t| IdToken(t.to_owned())),
            scopes: self.scopes(),
            expires_in: self.expires_in,
            ext_expires_in: self.ext_expires_in,
            expires_at: now.saturating_add(self.expires_in),
        }
    }
}

/// Reads the token endpoint's answer into its members. Non-2xx answers become the typed Entra
/// error (see [`super::entra_error`]).
pub fn parse_token_fields(response: &HttpResponse) -> Result<TokenFields<'_>, Error> {
    let status = response.status;
    if !response.is_success() {
        return Err(parse_error_response(response)?.into_error());
    }
    let Ok(Json::Object(mut members)) = Json::parse(&response.body) else {
        return Err(malformed(
            status,
            "a body that is not a JSON token response",
        ));
    };
    let m = &mut members;
    let token_type =
        text(m, "token_type", status)?.ok_or_else(|| malformed(status, "no `token_type`"))?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(malformed(
            status,
            &cat(&["token_type ", &quoted(&token_type), " (expected Bearer)"]),
        ));
    }
    let access_token =
        text(m, "access_token", status)?.ok_or_else(|| malformed(status, "no `access_token`"))?;
    check_opaque(&access_token, "accessToken", "the access token")
        .map_err(|_| malformed(status, "an unusable `access_token`"))?;
    let refresh_token = text(m, "refresh_token", status)?;
    if let Some(t) = &refresh_token {
        check_opaque(t, "refreshToken", "the refresh token")
            .map_err(|_| malformed(status, "an unusable `refresh_token`"))?;
    }
    let id_token = text(m, "id_token", status)?;
    let scope = text(m, "scope", status)?;
    let expires_in =
        seconds(m, "expires_in", status)?.ok_or_else(|| malformed(status, "no `expires_in`"))?;
    Ok(TokenFields {
        access_token,
        refresh_token,
        id_token,
        scope,
        expires_in,
        ext_expires_in: seconds(m, "ext_expires_in", status)?,
    })
}

/// Parses the token endpoint's answer. Non-2xx answers become the typed Entra error
/// (see [`super::entra_error`]); `now` is the host's clock in unix seconds.
pub fn parse_token_response(response: &HttpResponse, now: u64) -> Result<TokenResponse, Error> {
    parse_token_fields(response).map(|f| f.to_response(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = "00001111-aaaa-2222-bbbb-3333cccc4444";

    fn client() -> ClientId {
        ClientId::parse(CLIENT).unwrap()
    }

    fn secret() -> ClientAuth {
        ClientAuth::Secret(ClientSecret::parse("sampleCredentia1s~+/=").unwrap())
    }

    #[test]
    fn authorization_code_body_is_exact() {
        let grant = Grant::AuthorizationCode {
            code: AuthorizationCode::parse("OAAABAAAAiL9Kn2Z27Uu").unwrap(),
            redirect_uri: RedirectUri::parse("http://localhost/myapp/").unwrap(),
            code_verifier: CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                .unwrap(),
            scopes: vec![
                "https://graph.microsoft.com/.default".into(),
                "openid".into(),
                "offline_access".into(),
            ],
        };
        let tenant = AuthorityTenant::Organizations;
        let req = token_request(&Cloud::Global, &tenant, &client(), &secret(), &grant).unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
        );
        assert_eq!(
            req.headers,
            vec![
                ("accept".to_string(), "application/json".to_string()),
                ("content-type".into(), FORM.into())
            ]
        );
        assert_eq!(
            req.body,
            "client_id=00001111-aaaa-2222-bbbb-3333cccc4444\
             &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default%20openid%20offline_access\
             &code=OAAABAAAAiL9Kn2Z27Uu&redirect_uri=http%3A%2F%2Flocalhost%2Fmyapp%2F\
             &grant_type=authorization_code&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\
             &client_secret=sampleCredentia1s~%2B%2F%3D"
        );
        assert!(req.header("origin").is_none());
    }

    #[test]
    fn client_credentials_with_assertion() {
        let tenant = AuthorityTenant::parse("contoso.onmicrosoft.com").unwrap();
        let auth = ClientAuth::Assertion(ClientAssertion::parse("eyJh.eyJp.c2ln").unwrap());
        let grant = Grant::ClientCredentials {
            scope: "https://appconfig.azure.com/.default".into(),
        };
        let req = token_request(&Cloud::Global, &tenant, &client(), &auth, &grant).unwrap();
        assert_eq!(
            req.body,
            "client_id=00001111-aaaa-2222-bbbb-3333cccc4444&scope=https%3A%2F%2Fappconfig.azure.com%2F.default\
             &grant_type=client_credentials\
             &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
             &client_assertion=eyJh.eyJp.c2ln"
        );
        for t in [AuthorityTenant::Common, AuthorityTenant::Organizations] {
            let e = token_request(&Cloud::Global, &t, &client(), &auth, &grant).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (Code::NotAllowed, Some("tenantId"))
            );
        }
        let two = Grant::ClientCredentials {
            scope: "https://graph.microsoft.com/.default openid".into(),
        };
        assert_eq!(
            token_request(&Cloud::Global, &tenant, &client(), &auth, &two)
                .unwrap_err()
                .code,
            Code::InvalidFormat
        );
    }

    #[test]
    fn refresh_body() {
        let grant = Grant::RefreshToken {
            refresh_token: RefreshToken::parse("0.AAAA-rt").unwrap(),
            scopes: vec!["https://graph.microsoft.com/.default".into()],
        };
        let req = token_request(
            &Cloud::UsGovernment,
            &AuthorityTenant::Common,
            &client(),
            &secret(),
            &grant,
        )
        .unwrap();
        assert_eq!(
            req.url,
            "https://login.microsoftonline.us/common/oauth2/v2.0/token"
        );
        assert_eq!(
            req.body,
            "client_id=00001111-aaaa-2222-bbbb-3333cccc4444&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default\
             &refresh_token=0.AAAA-rt&grant_type=refresh_token&client_secret=sampleCredentia1s~%2B%2F%3D"
        );
    }

    #[test]
    fn scopes_are_checked() {
        let grant = |scopes: Vec<String>| Grant::RefreshToken {
            refresh_token: RefreshToken::parse("rt").unwrap(),
            scopes,
        };
        let t = AuthorityTenant::Organizations;
        let e =
            token_request(&Cloud::Global, &t, &client(), &secret(), &grant(vec![])).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::Required, Some("scopes"))
        );
        for bad in ["", "a b", "openid\r\n"] {
            let e = token_request(
                &Cloud::Global,
                &t,
                &client(),
                &secret(),
                &grant(vec![bad.into()]),
            )
            .unwrap_err();
            assert_eq!(e.code, Code::InvalidCharacter, "{bad:?}");
        }
    }

    #[test]
    fn assertion_and_opaque_shapes() {
        for bad in ["", "a.b", "a.b.c.d", "a..c", "a.b+.c", "a.b.c\n"] {
            assert!(ClientAssertion::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            AuthorizationCode::parse("a b").unwrap_err().code,
            Code::InvalidCharacter
        );
        assert_eq!(RefreshToken::parse("").unwrap_err().code, Code::Required);
        assert_eq!(
            RefreshToken::parse(&"a".repeat(MAX_TOKEN_LEN + 1))
                .unwrap_err()
                .code,
            Code::TooLong
        );
    }

    #[test]
    fn parses_numbers_and_numeric_strings() {
        let ok = HttpResponse::new(
            200,
            r#"{"token_type":"Bearer","expires_in":"3599","ext_expires_in":3599,"access_token":"eyJ0eXAi","scope":"https://graph.microsoft.com/.default"}"#,
        );
        let t = parse_token_response(&ok, 1_700_000_000).unwrap();
        assert_eq!(
            (t.expires_in, t.ext_expires_in, t.expires_at),
            (3599, Some(3599), 1_700_003_599)
        );
        assert_eq!(t.refresh_token, None);
        assert_eq!(t.scopes, ["https://graph.microsoft.com/.default"]);
        let shown = format!("{t:?}");
        assert!(!shown.contains("eyJ0eXAi"), "{shown}");
    }

    #[test]
    fn malformed_token_responses() {
        for body in [
            "",
            "<html>502 Bad Gateway</html>",
            r#"{"token_type":"Bearer","access_token":"x"}"#,
            r#"{"token_type":"mac","expires_in":1,"access_token":"x"}"#,
            r#"{"token_type":"Bearer","expires_in":-1,"access_token":"x"}"#,
            r#"{"token_type":"Bearer","expires_in":"soon","access_token":"x"}"#,
            r#"{"token_type":"Bearer","expires_in":1}"#,
            r#"{"token_type":"Bearer","expires_in":1,"access_token":"a b"}"#,
            r#"[]"#,
        ] {
            let e = parse_token_response(&HttpResponse::new(200, body), 0).unwrap_err();
            assert_eq!(e.code, Code::MalformedResponse, "{body}");
        }
    }
}
