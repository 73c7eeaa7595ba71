//! The authorize and admin-consent URLs (entra-docs `v2-oauth2-auth-code-flow.md`,
//! `v2-admin-consent.md`; protocols.md §1.2). Parameters are in the order Microsoft's examples
//! use, every value percent-encoded (spaces as `%20`).

use super::pkce::{CodeChallenge, CodeVerifier};
use super::random::{Nonce, State};
use crate::cloud::Cloud;
use crate::error::{Code, Error};
use crate::form::ConnectionType;
use crate::http::{Origin, form_urlencoded};
use crate::ids::{AuthorityTenant, ClientId};
use crate::prelude::*;
use crate::text::{cat, decimal, join};
use core::fmt;
use serde::{Deserialize, Serialize};

/// A redirect URI as registered on the app: absolute, `https` (or `http` on loopback), no
/// fragment (RFC 6749 §3.1.2), at most 256 characters (entra-docs `reply-url.md`). Entra
/// compares it byte for byte (AADSTS50011), so it is kept exactly as given, minus surrounding
/// whitespace.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub struct RedirectUri(String);

/// Entra's limit on a redirect URI's length (entra-docs `reply-url.md`).
pub const REDIRECT_URI_MAX_LEN: usize = 256;

impl RedirectUri {
    pub fn parse(input: &str) -> Result<RedirectUri, Error> {
        const FIELD: &str = "redirectUri";
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::field(
                FIELD,
                Code::Required,
                "the redirect URI is required",
            ));
        }
        if s.len() > REDIRECT_URI_MAX_LEN {
            return Err(Error::field(
                FIELD,
                Code::TooLong,
                cat(&[
                    "Entra accepts redirect URIs of at most ",
                    &decimal(REDIRECT_URI_MAX_LEN as u64),
                    " characters",
                ]),
            ));
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Error::field(
                FIELD,
                Code::InvalidCharacter,
                "the redirect URI contains a space or a control character",
            ));
        }
        if crate::ascii::has_any(s, b"#") {
            return Err(Error::field(
                FIELD,
                Code::InvalidFormat,
                "a redirect URI cannot have a fragment (#...)",
            ));
        }
        // The origin part (`scheme://authority`) is checked strictly; the path and query are
        // the app's own.
        // A byte search: a `&str` pattern would bring the two-way searcher and its slicing
        // panic (about 5 KB gzipped) into the browser build.
        let scheme_end = s.as_bytes().windows(3).position(|w| w == b"://");
        let origin = match scheme_end.and_then(|i| s.get(i + 3..)) {
            Some(rest) => {
                let authority_len = rest
                    .bytes()
                    .position(|b| matches!(b, b'/' | b'?'))
                    .unwrap_or(rest.len());
                s.get(..s.len() - rest.len() + authority_len).unwrap_or(s)
            }
            None => s,
        };
        let origin = Origin::parse(origin).map_err(|e| e.at(FIELD))?;
        origin.require_secure().map_err(|e| e.at(FIELD))?;
        Ok(RedirectUri(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedirectUri({})", self.0)
    }
}

impl TryFrom<String> for RedirectUri {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        RedirectUri::parse(&s)
    }
}

impl From<RedirectUri> for String {
    fn from(r: RedirectUri) -> String {
        r.0
    }
}

/// Which Entra audience App Configuration tokens are requested for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum AppConfigurationAudience {
    /// The cloud's audience, e.g. `https://appconfig.azure.com` (azure-docs `concept-enable-rbac.md`).
    #[default]
    Cloud,
    /// `https://azconfig.io`, the REST spec's audience that Infisical uses; global cloud only.
    Legacy,
}

const LEGACY_APP_CONFIGURATION_AUDIENCE: &str = "https://azconfig.io";

/// The `{resource}/.default` scope a connection type needs: Graph for Client Secrets, App
/// Configuration for App Configuration. Client credentials send exactly this scope.
pub fn resource_scope(
    connection_type: ConnectionType,
    cloud: &Cloud,
    audience: AppConfigurationAudience,
) -> Result<String, Error> {
    let endpoints = cloud.endpoints();
    let resource = match (connection_type, audience) {
        (ConnectionType::AzureClientSecrets, _) => &endpoints.graph_audience,
        (ConnectionType::AzureAppConfiguration, AppConfigurationAudience::Cloud) => {
            &endpoints.app_configuration_audience
        }
        (ConnectionType::AzureAppConfiguration, AppConfigurationAudience::Legacy) => {
            if *cloud != Cloud::Global {
                return Err(Error::field(
                    "appConfigurationAudience",
                    Code::NotAllowed,
                    "the legacy https://azconfig.io audience exists only in the global cloud",
                ));
            }
            LEGACY_APP_CONFIGURATION_AUDIENCE
        }
    };
    Ok(cat(&[resource.trim_end_matches('/'), "/.default"]))
}

/// The delegated scopes of the authorization-code flow: the resource's `.default` plus
/// `openid` and `offline_access` (the latter is what yields a refresh token, protocols.md §1.2).
pub fn delegated_scopes(
    connection_type: ConnectionType,
    cloud: &Cloud,
    audience: AppConfigurationAudience,
) -> Result<Vec<String>, Error> {
    Ok(vec![
        resource_scope(connection_type, cloud, audience)?,
        "openid".to_owned(),
        "offline_access".to_owned(),
    ])
}

/// `prompt` values Entra accepts at /authorize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    Login,
    None,
    Consent,
    SelectAccount,
}

impl Prompt {
    pub fn as_str(self) -> &'static str {
        match self {
            Prompt::Login => "login",
            Prompt::None => "none",
            Prompt::Consent => "consent",
            Prompt::SelectAccount => "select_account",
        }
    }
}

/// A `login_hint` or `domain_hint`: free text the user typed, checked for size and controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(transparent)]
pub struct Hint(String);

impl Hint {
    pub fn parse(input: &str, field: &str) -> Result<Hint, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::field(
                field,
                Code::Required,
                "the hint is empty; leave it out instead",
            ));
        }
        if crate::text::char_count(s) > 256 {
            return Err(Error::field(
                field,
                Code::TooLong,
                "a hint is at most 256 characters",
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(Error::field(
                field,
                Code::InvalidCharacter,
                "the hint contains a control character",
            ));
        }
        Ok(Hint(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the authorize URL is built from (all values already parsed).
#[derive(Debug, Clone)]
pub struct AuthorizeParams {
    pub cloud: Cloud,
    pub tenant: AuthorityTenant,
    pub client_id: ClientId,
    pub redirect_uri: RedirectUri,
    pub connection_type: ConnectionType,
    pub audience: AppConfigurationAudience,
    pub prompt: Option<Prompt>,
    pub login_hint: Option<Hint>,
    pub domain_hint: Option<Hint>,
}

/// Entropy the caller drew for one authorization request.
#[derive(Clone)]
pub struct AuthorizeEntropy {
    pub verifier: [u8; 32],
    pub state: Vec<u8>,
    pub nonce: Vec<u8>,
}

/// The URL to send the browser to, and what the caller must keep (server side, bound to the
/// browser session, single use) to finish the flow: the verifier for redemption, the state for
/// the callback, the nonce for the id_token, and the exact redirect URI, tenant and scopes.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub url: String,
    pub code_verifier: CodeVerifier,
    pub state: State,
    pub nonce: Nonce,
    pub redirect_uri: RedirectUri,
    pub tenant: AuthorityTenant,
    pub scopes: Vec<String>,
}

/// Builds `GET {authority}/{tenant}/oauth2/v2.0/authorize?...` with `response_type=code`,
/// `response_mode=query` and an `S256` PKCE challenge.
pub fn authorize_url(
    params: &AuthorizeParams,
    entropy: &AuthorizeEntropy,
) -> Result<AuthorizeRequest, Error> {
    let code_verifier = CodeVerifier::from_random(&entropy.verifier);
    let state = State::from_random(&entropy.state)?;
    let nonce = Nonce::from_random(&entropy.nonce)?;
    let scopes = delegated_scopes(params.connection_type, &params.cloud, params.audience)?;
    let challenge: CodeChallenge = code_verifier.challenge();
    let client_id = params.client_id.to_text();
    let scope = join(&scopes, " ");
    let mut query = vec![
        ("client_id", client_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", params.redirect_uri.as_str()),
        ("response_mode", "query"),
        ("scope", scope.as_str()),
        ("state", state.as_str()),
        ("nonce", nonce.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", CodeChallenge::METHOD),
    ];
    if let Some(p) = params.prompt {
        query.push(("prompt", p.as_str()));
    }
    if let Some(h) = &params.login_hint {
        query.push(("login_hint", h.as_str()));
    }
    if let Some(h) = &params.domain_hint {
        query.push(("domain_hint", h.as_str()));
    }
    let url = cat(&[
        &params.cloud.endpoints().authorize_endpoint(&params.tenant),
        "?",
        &form_urlencoded(query),
    ]);
    Ok(AuthorizeRequest {
        url,
        code_verifier,
        state,
        nonce,
        redirect_uri: params.redirect_uri.clone(),
        tenant: params.tenant.clone(),
        scopes,
    })
}

/// `GET {authority}/{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state`
/// (entra-docs `v2-admin-consent.md`): an administrator grants the app's permissions for the
/// whole tenant. `common` and `consumers` are refused; a tenant or `organizations` is required.
/// The `tenant` echoed on the callback must never be trusted for authorization.
pub fn admin_consent_url(
    cloud: &Cloud,
    tenant: &AuthorityTenant,
    client_id: &ClientId,
    redirect_uri: &RedirectUri,
    scope: &str,
    state: &State,
) -> Result<String, Error> {
    if matches!(tenant, AuthorityTenant::Common | AuthorityTenant::Consumers) {
        return Err(Error::field(
            "tenantId",
            Code::NotAllowed,
            cat(&["admin consent cannot use `", &tenant.to_text(), "`"]),
        )
        .with_hint("give the customer's tenant ID, or `organizations`"));
    }
    let client_id = client_id.to_text();
    Ok(cat(&[
        &cloud.endpoints().authority_host.to_text(),
        "/",
        &tenant.to_text(),
        "/v2.0/adminconsent?",
        &form_urlencoded([
            ("client_id", client_id.as_str()),
            ("scope", scope),
            ("redirect_uri", redirect_uri.as_str()),
            ("state", state.as_str()),
        ]),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(cloud: Cloud, connection_type: ConnectionType) -> AuthorizeParams {
        AuthorizeParams {
            cloud,
            tenant: AuthorityTenant::Organizations,
            client_id: ClientId::parse("00001111-aaaa-2222-bbbb-3333cccc4444").unwrap(),
            redirect_uri: RedirectUri::parse("http://localhost/myapp/").unwrap(),
            connection_type,
            audience: AppConfigurationAudience::Cloud,
            prompt: None,
            login_hint: None,
            domain_hint: None,
        }
    }

    fn entropy() -> AuthorizeEntropy {
        AuthorizeEntropy {
            verifier: [0; 32],
            state: vec![1; 16],
            nonce: vec![2; 16],
        }
    }

    #[test]
    fn graph_authorize_url_is_exact() {
        let mut p = params(Cloud::Global, ConnectionType::AzureClientSecrets);
        p.prompt = Some(Prompt::SelectAccount);
        p.login_hint = Some(Hint::parse("admin@contoso.com", "loginHint").unwrap());
        let r = authorize_url(&p, &entropy()).unwrap();
        assert_eq!(
            r.url,
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?\
             client_id=00001111-aaaa-2222-bbbb-3333cccc4444&response_type=code\
             &redirect_uri=http%3A%2F%2Flocalhost%2Fmyapp%2F&response_mode=query\
             &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default%20openid%20offline_access\
             &state=AQEBAQEBAQEBAQEBAQEBAQ&nonce=AgICAgICAgICAgICAgICAg\
             &code_challenge=DwBzhbb51LfusnSGBa_hqYSgo7-j8BTQnip4TOnlzRo&code_challenge_method=S256\
             &prompt=select_account&login_hint=admin%40contoso.com"
        );
        assert_eq!(
            r.code_verifier.challenge().as_str(),
            "DwBzhbb51LfusnSGBa_hqYSgo7-j8BTQnip4TOnlzRo"
        );
    }

    #[test]
    fn app_configuration_scopes_per_cloud() {
        let s = |c: Cloud, a| resource_scope(ConnectionType::AzureAppConfiguration, &c, a);
        assert_eq!(
            s(Cloud::Global, AppConfigurationAudience::Cloud).unwrap(),
            "https://appconfig.azure.com/.default"
        );
        assert_eq!(
            s(Cloud::Global, AppConfigurationAudience::Legacy).unwrap(),
            "https://azconfig.io/.default"
        );
        assert_eq!(
            s(Cloud::China, AppConfigurationAudience::Cloud).unwrap(),
            "https://appconfig.azure.cn/.default"
        );
        assert_eq!(
            s(Cloud::UsGovernment, AppConfigurationAudience::Legacy)
                .unwrap_err()
                .code,
            Code::NotAllowed
        );
        assert_eq!(
            resource_scope(
                ConnectionType::AzureClientSecrets,
                &Cloud::UsGovernment,
                AppConfigurationAudience::Legacy
            )
            .unwrap(),
            "https://graph.microsoft.us/.default"
        );
    }

    #[test]
    fn redirect_uri_rules() {
        for ok in [
            "https://app.example/cb?x=1",
            "http://127.0.0.1:8787/callback",
            "http://localhost",
        ] {
            assert_eq!(RedirectUri::parse(ok).unwrap().as_str(), ok);
        }
        for (bad, code) in [
            ("", Code::Required),
            ("http://app.example/cb", Code::InsecureUrl),
            ("https://app.example/cb#x", Code::InvalidFormat),
            ("https://user@app.example/cb", Code::InvalidFormat),
            ("https://app.example/c b", Code::InvalidCharacter),
            ("https://app.example/cb\r\nX: y", Code::InvalidCharacter),
            ("app.example/cb", Code::InvalidFormat),
            ("javascript:alert(1)", Code::InvalidFormat),
        ] {
            let e = RedirectUri::parse(bad).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (code, Some("redirectUri")),
                "{bad}"
            );
        }
        let long = format!("https://app.example/{}", "a".repeat(250));
        assert_eq!(RedirectUri::parse(&long).unwrap_err().code, Code::TooLong);
    }

    #[test]
    fn hints_are_checked() {
        assert_eq!(
            Hint::parse("a\nb", "loginHint").unwrap_err().code,
            Code::InvalidCharacter
        );
        assert_eq!(
            Hint::parse(" ", "domainHint").unwrap_err().code,
            Code::Required
        );
        assert_eq!(
            Hint::parse(&"a".repeat(257), "domainHint")
                .unwrap_err()
                .code,
            Code::TooLong
        );
    }

    #[test]
    fn admin_consent_never_common() {
        let p = params(Cloud::Global, ConnectionType::AzureClientSecrets);
        let state = State::from_random(&[3; 16]).unwrap();
        let url = admin_consent_url(
            &Cloud::Global,
            &AuthorityTenant::parse("contoso.onmicrosoft.com").unwrap(),
            &p.client_id,
            &p.redirect_uri,
            "https://graph.microsoft.com/.default",
            &state,
        )
        .unwrap();
        assert_eq!(
            url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent?\
             client_id=00001111-aaaa-2222-bbbb-3333cccc4444\
             &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default\
             &redirect_uri=http%3A%2F%2Flocalhost%2Fmyapp%2F&state=AwMDAwMDAwMDAwMDAwMDAw"
        );
        let e = admin_consent_url(
            &Cloud::Global,
            &AuthorityTenant::Common,
            &p.client_id,
            &p.redirect_uri,
            "x",
            &state,
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::NotAllowed, Some("tenantId"))
        );
    }
}
