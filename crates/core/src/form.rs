//! The add-connection forms as users fill them in, validated in one pass that reports every
//! field error at once (stable `{ field, code, message }` for the UI).
//!
//! Fields a method does not use are ignored (the UI hides them); they never reach the
//! [`ValidatedForm`], whose [`Credentials`] carry exactly one method's values.

use crate::cloud::{Cloud, StoreEndpoint};
use crate::error::{Code, Error};
use crate::ids::{AuthorityTenant, ClientId, ClientSecret, TenantId};
use crate::prelude::*;
use crate::text::{cat, char_count, decimal};
use core::fmt;
use serde::{Deserialize, Serialize};

/// What a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionType {
    /// Microsoft Graph: read app registrations, rotate their client secrets.
    AzureClientSecrets,
    /// An App Configuration store's key-values (secret sync).
    AzureAppConfiguration,
}

impl ConnectionType {
    pub const ALL: [ConnectionType; 2] = [
        ConnectionType::AzureClientSecrets,
        ConnectionType::AzureAppConfiguration,
    ];

    /// The wire name (as serde spells it).
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionType::AzureClientSecrets => "azure-client-secrets",
            ConnectionType::AzureAppConfiguration => "azure-app-configuration",
        }
    }

    /// Parses the wire name; the error names the `connectionType` field.
    pub fn parse(input: &str) -> Result<ConnectionType, Error> {
        parse_choice(
            input,
            "connectionType",
            "azure-client-secrets, azure-app-configuration",
        )
    }
}

/// How a connection authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Delegated: a user signs in (authorization code + PKCE) with azconn's app registration.
    #[serde(rename = "oauth")]
    OAuth,
    /// App-only: the customer's app registration with a client secret.
    ClientSecret,
    /// App-only: the customer's app registration with a certificate (client assertion).
    Certificate,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::OAuth, Method::ClientSecret, Method::Certificate];

    /// The wire name (as serde spells it).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::OAuth => "oauth",
            Method::ClientSecret => "client-secret",
            Method::Certificate => "certificate",
        }
    }

    /// Parses the wire name; the error names the `method` field.
    pub fn parse(input: &str) -> Result<Method, Error> {
        parse_choice(input, "method", "oauth, client-secret, certificate")
    }
}

/// A choice by its wire name, for the enums that list their values in `ALL`.
trait Choice: Copy + 'static {
    const ALL_CHOICES: &'static [Self];
    fn name(self) -> &'static str;
}

impl Choice for ConnectionType {
    const ALL_CHOICES: &'static [Self] = &ConnectionType::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Choice for Method {
    const ALL_CHOICES: &'static [Self] = &Method::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// The raw form. Every field is text as typed; missing fields are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ConnectionFormInput"))]
#[serde(default, rename_all = "camelCase")]
pub struct ConnectionForm {
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub name: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub description: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub connection_type: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub method: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub tenant_id: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub client_id: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub client_secret: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub certificate: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub private_key: String,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub private_key_passphrase: String,
    /// App Configuration store endpoint, optional: in Infisical the store belongs to a sync
    /// destination, but when given here the connection check can probe it. Validated on the
    /// parsed host against the cloud (never `endsWith(".azconfig.io")`).
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub endpoint: String,
    /// A cloud name (`global`, `us-government`, `china`) or a custom cloud object.
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::cloud::CloudInput>", optional))]
    pub cloud: Cloud,
}

/// A connection name: 1-64 characters, lowercase letters, digits and single hyphens, not
/// starting or ending with a hyphen: exactly the strings Infisical's `slugify` leaves unchanged
/// (infisical.md §3.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

pub const NAME_MAX_LEN: usize = 64;
pub const DESCRIPTION_MAX_LEN: usize = 256;
/// Certificate and private-key PEM fields: a chain of a few certificates fits easily.
pub const PEM_MAX_LEN: usize = 64 * 1024;
pub const PASSPHRASE_MAX_LEN: usize = 1024;

impl Slug {
    pub fn parse(input: &str) -> Result<Slug, Error> {
        const FIELD: &str = "name";
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::field(FIELD, Code::Required, "the name is required"));
        }
        if char_count(s) > NAME_MAX_LEN {
            return Err(Error::field(
                FIELD,
                Code::TooLong,
                cat(&[
                    "the name is at most ",
                    &decimal(NAME_MAX_LEN as u64),
                    " characters",
                ]),
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(Error::field(
                FIELD,
                Code::InvalidCharacter,
                "the name can only contain lowercase letters, numbers and hyphens",
            )
            .with_hint(cat(&["for example `", &suggest_slug(s), "`"])));
        }
        if s.starts_with('-') || s.ends_with('-') || s.as_bytes().windows(2).any(|w| w == b"--") {
            return Err(Error::field(
                FIELD,
                Code::InvalidFormat,
                "the name cannot start or end with a hyphen or contain two in a row",
            )
            .with_hint(cat(&["for example `", &suggest_slug(s), "`"])));
        }
        Ok(Slug(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What `slugify` would make of `s`, as a hint.
fn suggest_slug(s: &str) -> String {
    let mut out = String::new();
    // ASCII case folding: only ASCII letters survive the filter below anyway.
    for c in s.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed: String = out
        .trim_end_matches('-')
        .chars()
        .take(NAME_MAX_LEN)
        .collect();
    if trimmed.is_empty() {
        "my-connection".to_owned()
    } else {
        trimmed.trim_end_matches('-').to_owned()
    }
}

/// PEM text held for the certificate parser (a later issue). Only presence, size and
/// characters are checked here; line breaks are PEM structure and allowed.
#[derive(Clone, PartialEq, Eq)]
pub struct Pem(String);

impl Pem {
    fn parse(input: &str, field: &str, what: &str) -> Result<Pem, Error> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::field(
                field,
                Code::Required,
                cat(&["the ", what, " is required"]),
            ));
        }
        if s.len() > PEM_MAX_LEN {
            return Err(Error::field(
                field,
                Code::TooLong,
                cat(&[
                    "the ",
                    what,
                    " is larger than ",
                    &decimal((PEM_MAX_LEN / 1024) as u64),
                    " KiB",
                ]),
            ));
        }
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, '\r' | '\n' | '\t'))
        {
            return Err(Error::field(
                field,
                Code::InvalidCharacter,
                cat(&[
                    "the ",
                    what,
                    " contains a control character; paste the PEM text",
                ]),
            ));
        }
        Ok(Pem(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Zeroed when dropped: the PEM may be a private key.
impl Drop for Pem {
    fn drop(&mut self) {
        crate::wipe::string(&mut self.0);
    }
}

impl fmt::Debug for Pem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pem(<{} bytes>)", self.0.len())
    }
}

/// A private-key passphrase. Never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(String);

impl Passphrase {
    fn parse(input: &str) -> Result<Passphrase, Error> {
        const FIELD: &str = "privateKeyPassphrase";
        if input.len() > PASSPHRASE_MAX_LEN {
            return Err(Error::field(
                FIELD,
                Code::TooLong,
                cat(&[
                    "the passphrase is at most ",
                    &decimal(PASSPHRASE_MAX_LEN as u64),
                    " bytes",
                ]),
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(Error::field(
                FIELD,
                Code::InvalidCharacter,
                "the passphrase contains a control character",
            ));
        }
        Ok(Passphrase(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Zeroed when dropped.
impl Drop for Passphrase {
    fn drop(&mut self) {
        crate::wipe::string(&mut self.0);
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// Exactly one method's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// The tenant to sign in to; `organizations` when the form leaves it empty (work or school
    /// accounts of any tenant: Graph app management and App Configuration need one).
    OAuth { tenant: AuthorityTenant },
    ClientSecret {
        tenant: TenantId,
        client_id: ClientId,
        client_secret: ClientSecret,
    },
    Certificate {
        tenant: TenantId,
        client_id: ClientId,
        certificate: Pem,
        private_key: Pem,
        passphrase: Option<Passphrase>,
    },
}

impl Credentials {
    pub fn method(&self) -> Method {
        match self {
            Credentials::OAuth { .. } => Method::OAuth,
            Credentials::ClientSecret { .. } => Method::ClientSecret,
            Credentials::Certificate { .. } => Method::Certificate,
        }
    }

    /// The tenant the connection signs in to, as stored and shown.
    pub fn tenant(&self) -> String {
        match self {
            Credentials::OAuth { tenant } => tenant.to_text(),
            Credentials::ClientSecret { tenant, .. } | Credentials::Certificate { tenant, .. } => {
                tenant.to_text()
            }
        }
    }

    /// The app registration that authenticates; none for OAuth (azconn's own app signs in).
    pub fn client_id(&self) -> Option<&ClientId> {
        match self {
            Credentials::OAuth { .. } => None,
            Credentials::ClientSecret { client_id, .. }
            | Credentials::Certificate { client_id, .. } => Some(client_id),
        }
    }
}

/// A form that passed validation: typed values only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedForm {
    pub name: Slug,
    pub description: Option<String>,
    pub connection_type: ConnectionType,
    pub cloud: Cloud,
    /// Only for `azure-app-configuration`, and only when given.
    pub endpoint: Option<StoreEndpoint>,
    pub credentials: Credentials,
}

fn parse_choice<T: Choice>(input: &str, field: &str, allowed: &str) -> Result<T, Error> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Error::field(
            field,
            Code::Required,
            cat(&["choose one of ", allowed]),
        ));
    }
    T::ALL_CHOICES
        .iter()
        .copied()
        .find(|c| c.name() == s)
        .ok_or_else(|| {
            Error::field(
                field,
                Code::InvalidFormat,
                cat(&["expected one of ", allowed]),
            )
        })
}

fn description(input: &str) -> Result<Option<String>, Error> {
    const FIELD: &str = "description";
    let s = input.trim();
    if char_count(s) > DESCRIPTION_MAX_LEN {
        return Err(Error::field(
            FIELD,
            Code::TooLong,
            cat(&[
                "the description is at most ",
                &decimal(DESCRIPTION_MAX_LEN as u64),
                " characters",
            ]),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::field(
            FIELD,
            Code::InvalidCharacter,
            "the description contains a line break or control character",
        ));
    }
    Ok((!s.is_empty()).then(|| s.to_owned()))
}

/// Collects every error instead of stopping at the first.
#[derive(Default)]
struct Errors(Vec<Error>);

impl Errors {
    fn check<T>(&mut self, r: Result<T, Error>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
}

/// Validates the whole form, returning every field error at once.
pub fn validate(form: &ConnectionForm) -> Result<ValidatedForm, Vec<Error>> {
    let mut errors = Errors::default();
    let name = errors.check(Slug::parse(&form.name));
    let description = errors.check(description(&form.description));
    let connection_type = errors.check(ConnectionType::parse(&form.connection_type));
    let method = errors.check(Method::parse(&form.method));
    let endpoints = form.cloud.endpoints();
    let endpoint = match connection_type {
        Some(ConnectionType::AzureAppConfiguration) if !form.endpoint.trim().is_empty() => errors
            .check(StoreEndpoint::parse(&form.endpoint, endpoints))
            .map(Some),
        _ => Some(None),
    };
    let credentials = method.and_then(|m| credentials(m, form, &mut errors));
    match (name, description, connection_type, endpoint, credentials) {
        (
            Some(name),
            Some(description),
            Some(connection_type),
            Some(endpoint),
            Some(credentials),
        ) if errors.0.is_empty() => Ok(ValidatedForm {
            name,
            description,
            connection_type,
            cloud: form.cloud.clone(),
            endpoint,
            credentials,
        }),
        _ => Err(errors.0),
    }
}

fn credentials(method: Method, form: &ConnectionForm, errors: &mut Errors) -> Option<Credentials> {
    if method == Method::OAuth {
        let tenant = if form.tenant_id.trim().is_empty() {
            Some(AuthorityTenant::Organizations)
        } else {
            errors.check(AuthorityTenant::parse(&form.tenant_id))
        };
        return tenant.map(|tenant| Credentials::OAuth { tenant });
    }
    let tenant = errors.check(TenantId::parse(&form.tenant_id));
    let client_id = errors.check(ClientId::parse(&form.client_id));
    match method {
        Method::ClientSecret => {
            let secret = errors.check(ClientSecret::parse(&form.client_secret));
            Some(Credentials::ClientSecret {
                tenant: tenant?,
                client_id: client_id?,
                client_secret: secret?,
            })
        }
        _ => {
            let certificate =
                errors.check(Pem::parse(&form.certificate, "certificate", "certificate"));
            let private_key =
                errors.check(Pem::parse(&form.private_key, "privateKey", "private key"));
            let passphrase = if form.private_key_passphrase.is_empty() {
                Some(None)
            } else {
                errors
                    .check(Passphrase::parse(&form.private_key_passphrase))
                    .map(Some)
            };
            Some(Credentials::Certificate {
                tenant: tenant?,
                client_id: client_id?,
                certificate: certificate?,
                private_key: private_key?,
                passphrase: passphrase?,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    fn form(method: &str) -> ConnectionForm {
        ConnectionForm {
            name: "prod-graph".into(),
            connection_type: "azure-client-secrets".into(),
            method: method.into(),
            tenant_id: G.into(),
            client_id: G.into(),
            client_secret: "abc~DEF.ghi_123".into(),
            certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".into(),
            private_key: "-----BEGIN PRIVATE KEY-----\r\nMIIE\r\n-----END PRIVATE KEY-----".into(),
            ..Default::default()
        }
    }

    fn codes(r: Result<ValidatedForm, Vec<Error>>) -> Vec<(String, Code)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field.unwrap_or_default(), e.code))
            .collect()
    }

    #[test]
    fn each_method_gives_its_credentials() {
        let v = validate(&form("oauth")).unwrap();
        assert_eq!(
            v.credentials,
            Credentials::OAuth {
                tenant: AuthorityTenant::parse(G).unwrap()
            }
        );
        let mut f = form("oauth");
        f.tenant_id = " ".into();
        assert_eq!(
            validate(&f).unwrap().credentials,
            Credentials::OAuth {
                tenant: AuthorityTenant::Organizations
            }
        );
        assert_eq!(
            validate(&form("client-secret"))
                .unwrap()
                .credentials
                .method(),
            Method::ClientSecret
        );
        let cert = validate(&form("certificate")).unwrap();
        let shown = format!("{cert:?}");
        assert!(
            !shown.contains("MIIE") && !shown.contains("abc~DEF"),
            "{shown}"
        );
    }

    #[test]
    fn all_errors_at_once() {
        let f = ConnectionForm {
            name: "Prod Graph".into(),
            description: "line\r\nbreak".into(),
            connection_type: "azure-key-vault".into(),
            method: "client-secret".into(),
            tenant_id: "common".into(),
            client_id: "my-app".into(),
            client_secret: G.into(),
            ..Default::default()
        };
        assert_eq!(
            codes(validate(&f)),
            vec![
                ("name".into(), Code::InvalidCharacter),
                ("description".into(), Code::InvalidCharacter),
                ("connectionType".into(), Code::InvalidFormat),
                ("tenantId".into(), Code::NotAllowed),
                ("clientId".into(), Code::InvalidFormat),
                ("clientSecret".into(), Code::SecretLooksLikeId),
            ]
        );
        assert_eq!(
            codes(validate(&ConnectionForm::default())),
            vec![
                ("name".into(), Code::Required),
                ("connectionType".into(), Code::Required),
                ("method".into(), Code::Required)
            ]
        );
    }

    #[test]
    fn name_rules() {
        assert_eq!(Slug::parse(" my-conn-2 ").unwrap().as_str(), "my-conn-2");
        assert!(Slug::parse(&"a".repeat(64)).is_ok());
        for (bad, code) in [
            ("", Code::Required),
            (&"a".repeat(65)[..], Code::TooLong),
            ("My_Conn", Code::InvalidCharacter),
            ("ünï", Code::InvalidCharacter),
            ("a\r\nb", Code::InvalidCharacter),
            ("-a", Code::InvalidFormat),
            ("a-", Code::InvalidFormat),
            ("a--b", Code::InvalidFormat),
        ] {
            assert_eq!(Slug::parse(bad).unwrap_err().code, code, "{bad:?}");
        }
        assert_eq!(
            Slug::parse("My Graph!").unwrap_err().hint.as_deref(),
            Some("for example `my-graph`")
        );
    }

    #[test]
    fn description_and_pem_limits() {
        let mut f = form("certificate");
        f.description = "é".repeat(256);
        assert!(validate(&f).is_ok());
        f.description = "é".repeat(257);
        f.certificate = "x".repeat(PEM_MAX_LEN + 1);
        f.private_key = "".into();
        f.private_key_passphrase = "a\u{0}".into();
        assert_eq!(
            codes(validate(&f)),
            vec![
                ("description".into(), Code::TooLong),
                ("certificate".into(), Code::TooLong),
                ("privateKey".into(), Code::Required),
                ("privateKeyPassphrase".into(), Code::InvalidCharacter),
            ]
        );
        f.certificate = "ab\u{1b}[31m".into();
        assert!(codes(validate(&f)).contains(&("certificate".into(), Code::InvalidCharacter)));
    }

    #[test]
    fn store_endpoint_only_for_app_configuration() {
        let mut f = form("client-secret");
        f.connection_type = "azure-app-configuration".into();
        f.endpoint = "https://evil.example/?.azconfig.io".into();
        assert_eq!(
            codes(validate(&f)),
            vec![("endpoint".into(), Code::InvalidFormat)]
        );
        f.endpoint = "https://demo.azconfig.io".into();
        assert_eq!(
            validate(&f).unwrap().endpoint.unwrap().to_string(),
            "https://demo.azconfig.io"
        );
        f.cloud = Cloud::China;
        assert_eq!(
            codes(validate(&f)),
            vec![("endpoint".into(), Code::HostNotAllowed)]
        );
        f.endpoint = "".into();
        assert_eq!(validate(&f).unwrap().endpoint, None);
    }

    #[test]
    fn tenant_with_a_path_is_rejected() {
        let mut f = form("client-secret");
        f.tenant_id = "contoso.onmicrosoft.com/oauth2/v2.0".into();
        assert_eq!(
            codes(validate(&f)),
            vec![("tenantId".into(), Code::InvalidCharacter)]
        );
        f.method = "oauth".into();
        assert_eq!(
            codes(validate(&f)),
            vec![("tenantId".into(), Code::InvalidCharacter)]
        );
    }

    #[test]
    fn form_json_shape() {
        let f: ConnectionForm = serde_json::from_value(serde_json::json!({
            "name": "x", "connectionType": "azure-app-configuration", "method": "oauth", "cloud": "us-government"
        }))
        .unwrap();
        assert_eq!(f.cloud, Cloud::UsGovernment);
        assert_eq!(
            validate(&f).unwrap().connection_type,
            ConnectionType::AzureAppConfiguration
        );
    }
}
