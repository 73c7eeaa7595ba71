//! The deployment's settings, parsed once per request from the Worker's environment (vars,
//! `wrangler secret put`, `.dev.vars`). A missing or malformed setting becomes an error that
//! names it; per-feature settings (the OAuth apps) fail only where that feature is used.

use crate::keyring::Keyring;
use azconn_core::cloud::Cloud;
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::http::Origin;
use azconn_core::ids::{ClientId, ClientSecret};

/// The path Entra redirects back to, on both legs of the code flow (RFC 9700 §4.1.3).
pub const CALLBACK_PATH: &str = "/organization/app-connections/azure/oauth/callback";

/// azconn's own app registration for one connection type (delegated OAuth sign-in).
#[derive(Debug, Clone)]
pub struct OAuthApp {
    pub client_id: ClientId,
    pub client_secret: ClientSecret,
}

/// How long one Azure call may take: each attempt's timeout and the retry loop's total budget
/// (`core::retry`). Defaults suit Azure; tests lower them so timeouts are cheap to exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AzureLimits {
    /// `AZCONN_AZURE_ATTEMPT_TIMEOUT_MS`: an answer slower than this counts as a timeout.
    pub attempt_timeout_ms: u64,
    /// `AZCONN_AZURE_RETRY_BUDGET_MS`: no retry starts (and no Retry-After is waited for) past it.
    pub retry_budget_ms: u64,
}

impl Default for AzureLimits {
    fn default() -> Self {
        AzureLimits {
            attempt_timeout_ms: 10_000,
            retry_budget_ms: 20_000,
        }
    }
}

/// An optional duration setting in milliseconds within `range`.
fn millis(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, Error> {
    let Some(v) = non_empty(get, name) else {
        return Ok(default);
    };
    v.parse::<u64>()
        .ok()
        .filter(|ms| range.contains(ms))
        .ok_or_else(|| {
            not_configured(
                name,
                format!(
                    "{name} must be a number of milliseconds from {} to {}",
                    range.start(),
                    range.end()
                ),
            )
        })
}

#[derive(Debug, Clone)]
pub struct Config {
    pub site_url: Origin,
    pub cloud: Cloud,
    pub keyring: Keyring,
    /// Creates organizations and their API tokens; unset disables the admin routes.
    pub bootstrap_token: Option<String>,
    pub azure_limits: AzureLimits,
    client_secrets_app: Result<OAuthApp, Error>,
    app_configuration_app: Result<OAuthApp, Error>,
}

fn not_configured(setting: &str, message: String) -> Error {
    Error::field(setting, Code::NotConfigured, message)
}

fn non_empty(get: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn required(get: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<String, Error> {
    non_empty(get, name)
        .ok_or_else(|| not_configured(name, format!("azconn is not configured: set {name}")))
}

/// The OAuth app of one type: its own settings, else the shared legacy ones.
fn oauth_app(
    get: &dyn Fn(&str) -> Option<String>,
    infix: &str,
    what: &str,
) -> Result<OAuthApp, Error> {
    let id_name = format!("INF_APP_CONNECTION_AZURE_{infix}_CLIENT_ID");
    let secret_name = format!("INF_APP_CONNECTION_AZURE_{infix}_CLIENT_SECRET");
    let (id, secret, id_setting, secret_setting) =
        match (non_empty(get, &id_name), non_empty(get, &secret_name)) {
            (Some(id), secret) => (Some(id), secret, id_name.clone(), secret_name.clone()),
            (None, _) => (
                non_empty(get, "INF_APP_CONNECTION_AZURE_CLIENT_ID"),
                non_empty(get, "INF_APP_CONNECTION_AZURE_CLIENT_SECRET"),
                id_name.clone(),
                "INF_APP_CONNECTION_AZURE_CLIENT_SECRET".to_owned(),
            ),
        };
    let unconfigured = |setting: &str| {
        not_configured(
            setting,
            format!("Azure OAuth for {what} is not configured: set {setting}"),
        )
    };
    let id = id.ok_or_else(|| unconfigured(&id_setting))?;
    let secret = secret.ok_or_else(|| unconfigured(&secret_setting))?;
    Ok(OAuthApp {
        client_id: ClientId::parse(&id).map_err(|e| {
            not_configured(
                &id_setting,
                format!("{id_setting} is not a client ID: {}", e.message),
            )
        })?,
        client_secret: ClientSecret::parse(&secret).map_err(|e| {
            not_configured(
                &secret_setting,
                format!("{secret_setting} is not a client secret: {}", e.message),
            )
        })?,
    })
}

impl Config {
    /// Parses every setting; `get` reads one environment binding.
    pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let site = required(get, "SITE_URL")?;
        let site_url = Origin::parse(site.trim_end_matches('/')).map_err(|e| {
            not_configured(
                "SITE_URL",
                format!(
                    "SITE_URL must be an origin like https://azconn.example.com: {}",
                    e.message
                ),
            )
        })?;
        site_url.require_secure().map_err(|e| {
            not_configured("SITE_URL", format!("SITE_URL is not secure: {}", e.message))
        })?;
        let cloud = match non_empty(get, "AZCONN_CLOUD") {
            None => Cloud::Global,
            Some(v) if v.starts_with('{') => serde_json::from_str(&v).map_err(|e| {
                not_configured(
                    "AZCONN_CLOUD",
                    format!("AZCONN_CLOUD is not a valid custom cloud: {e}"),
                )
            })?,
            Some(v) => Cloud::from_name(&v).map_err(|e| {
                not_configured("AZCONN_CLOUD", format!("AZCONN_CLOUD: {}", e.message))
            })?,
        };
        let keyring = Keyring::parse(&required(get, "AZCONN_ENCRYPTION_KEYS")?)?;
        let defaults = AzureLimits::default();
        let azure_limits = AzureLimits {
            attempt_timeout_ms: millis(
                get,
                "AZCONN_AZURE_ATTEMPT_TIMEOUT_MS",
                defaults.attempt_timeout_ms,
                100..=60_000,
            )?,
            retry_budget_ms: millis(
                get,
                "AZCONN_AZURE_RETRY_BUDGET_MS",
                defaults.retry_budget_ms,
                100..=300_000,
            )?,
        };
        Ok(Config {
            site_url,
            cloud,
            keyring,
            bootstrap_token: non_empty(get, "AZCONN_BOOTSTRAP_TOKEN"),
            azure_limits,
            client_secrets_app: oauth_app(get, "CLIENT_SECRETS", "Client Secrets"),
            app_configuration_app: oauth_app(get, "APP_CONFIGURATION", "App Configuration"),
        })
    }

    /// azconn's app registration for OAuth connections of `ty`, or why there is none.
    pub fn oauth_app(&self, ty: ConnectionType) -> Result<&OAuthApp, Error> {
        match ty {
            ConnectionType::AzureClientSecrets => self.client_secrets_app.as_ref(),
            ConnectionType::AzureAppConfiguration => self.app_configuration_app.as_ref(),
        }
        .map_err(Clone::clone)
    }

    /// `SITE_URL` + the callback path: the one redirect URI of both legs.
    pub fn redirect_uri(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.site_url)
    }

    /// Cookies are `Secure` except on loopback, where dev runs on plain http.
    pub fn secure_cookies(&self) -> bool {
        !self.site_url.is_loopback()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const KEYS: &str = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const APP: &str = "6a1f0c2e-3b4d-4c5e-8f70-91a2b3c4d5e6";
    const SECRET: &str = "azc8Q~emulatorDemoSecret.DoNotUseInProd01";

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, Error> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::parse(&|k| map.get(k).cloned())
    }

    #[test]
    fn missing_site_url_names_the_setting() {
        let e = parse(&[("AZCONN_ENCRYPTION_KEYS", KEYS)]).unwrap_err();
        assert_eq!(e.code, Code::NotConfigured);
        assert_eq!(e.field.as_deref(), Some("SITE_URL"));
        assert_eq!(e.message, "azconn is not configured: set SITE_URL");
    }

    #[test]
    fn plain_http_site_is_refused_unless_loopback() {
        let e = parse(&[
            ("SITE_URL", "http://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
        ])
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("SITE_URL"));
        let c = parse(&[
            ("SITE_URL", "http://127.0.0.1:8787/"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
        ])
        .unwrap();
        assert_eq!(
            c.redirect_uri(),
            "http://127.0.0.1:8787/organization/app-connections/azure/oauth/callback"
        );
        assert!(!c.secure_cookies());
    }

    #[test]
    fn unconfigured_oauth_app_names_the_setting_per_type() {
        let c = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
            ("INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_ID", APP),
            (
                "INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_SECRET",
                SECRET,
            ),
        ])
        .unwrap();
        assert!(c.oauth_app(ConnectionType::AzureClientSecrets).is_ok());
        let e = c
            .oauth_app(ConnectionType::AzureAppConfiguration)
            .unwrap_err();
        assert_eq!(
            e.message,
            "Azure OAuth for App Configuration is not configured: set INF_APP_CONNECTION_AZURE_APP_CONFIGURATION_CLIENT_ID"
        );
    }

    #[test]
    fn azure_limits_default_and_are_checked() {
        let base = [
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
        ];
        assert_eq!(parse(&base).unwrap().azure_limits, AzureLimits::default());
        let c = parse(&[
            base[0],
            base[1],
            ("AZCONN_AZURE_ATTEMPT_TIMEOUT_MS", "800"),
            ("AZCONN_AZURE_RETRY_BUDGET_MS", "5000"),
        ])
        .unwrap();
        assert_eq!(
            c.azure_limits,
            AzureLimits {
                attempt_timeout_ms: 800,
                retry_budget_ms: 5000
            }
        );
        for (name, bad) in [
            ("AZCONN_AZURE_ATTEMPT_TIMEOUT_MS", "0"),
            ("AZCONN_AZURE_ATTEMPT_TIMEOUT_MS", "ten"),
            ("AZCONN_AZURE_RETRY_BUDGET_MS", "300001"),
        ] {
            let e = parse(&[base[0], base[1], (name, bad)]).unwrap_err();
            assert_eq!(e.code, Code::NotConfigured);
            assert_eq!(e.field.as_deref(), Some(name));
        }
    }

    #[test]
    fn legacy_shared_app_is_the_fallback() {
        let c = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
            ("INF_APP_CONNECTION_AZURE_CLIENT_ID", APP),
        ])
        .unwrap();
        let e = c
            .oauth_app(ConnectionType::AzureAppConfiguration)
            .unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("INF_APP_CONNECTION_AZURE_CLIENT_SECRET")
        );
        let c = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
            ("INF_APP_CONNECTION_AZURE_CLIENT_ID", APP),
            ("INF_APP_CONNECTION_AZURE_CLIENT_SECRET", SECRET),
        ])
        .unwrap();
        let app = c.oauth_app(ConnectionType::AzureAppConfiguration).unwrap();
        assert_eq!(app.client_id.to_string(), APP);
    }

    #[test]
    fn malformed_cloud_and_client_id_are_named() {
        let e = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
            ("AZCONN_CLOUD", "mars"),
        ])
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("AZCONN_CLOUD"));
        let c = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
            (
                "INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_ID",
                "not-a-guid",
            ),
            (
                "INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_SECRET",
                SECRET,
            ),
        ])
        .unwrap();
        let e = c.oauth_app(ConnectionType::AzureClientSecrets).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("INF_APP_CONNECTION_AZURE_CLIENT_SECRETS_CLIENT_ID")
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(site in ".{0,60}", cloud in ".{0,80}", keys in ".{0,80}", id in ".{0,40}", secret in ".{0,40}") {
            if let Ok(c) = parse(&[
                ("SITE_URL", &site),
                ("AZCONN_CLOUD", &cloud),
                ("AZCONN_ENCRYPTION_KEYS", &keys),
                ("INF_APP_CONNECTION_AZURE_CLIENT_ID", &id),
                ("INF_APP_CONNECTION_AZURE_CLIENT_SECRET", &secret),
            ]) {
                let _ = c.oauth_app(ConnectionType::AzureClientSecrets);
                let _ = c.redirect_uri();
            }
        }
    }
}
