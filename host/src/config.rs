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

/// A fixed window anchored at a client's first request: at most `limit` requests per
/// `window_secs`, counted per client IP and per token (see `edge::rate_limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub window_secs: u32,
}

impl RateLimit {
    /// `"<requests>/<seconds>"`, e.g. `10/60`; both at least 1.
    pub fn parse(setting: &str, value: &str) -> Result<RateLimit, Error> {
        let malformed = || {
            not_configured(
                setting,
                format!("{setting} must be <requests>/<seconds> with both at least 1, e.g. 10/60"),
            )
        };
        let (limit, window) = value.split_once('/').ok_or_else(malformed)?;
        let limit: u32 = limit.trim().parse().map_err(|_| malformed())?;
        let window_secs: u32 = window.trim().parse().map_err(|_| malformed())?;
        if limit == 0 || window_secs == 0 {
            return Err(malformed());
        }
        Ok(RateLimit { limit, window_secs })
    }

    /// Whether the `count`-th request of a window is over the limit, and if so the seconds until
    /// the window that started at `window_start` ends (`Retry-After`, at least 1).
    pub fn retry_after(&self, count: i64, window_start: i64, now: i64) -> Option<i64> {
        (count > i64::from(self.limit))
            .then(|| (window_start + i64::from(self.window_secs) - now).max(1))
    }
}

/// The routes that are rate limited, each per client IP and per token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /api/v1/sessions` (`AZCONN_RATE_LIMIT_SIGN_IN`, default 10/60).
    pub sign_in: RateLimit,
    /// `POST .../oauth/start` (`AZCONN_RATE_LIMIT_OAUTH_START`, default 20/60).
    pub oauth_start: RateLimit,
    /// `POST .../{id}/token` (`AZCONN_RATE_LIMIT_TOKEN`, default 120/60).
    pub token: RateLimit,
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
    pub rate_limits: RateLimits,
    /// Origins allowed to call the API cross-origin with a Bearer token (`AZCONN_CORS_ORIGINS`,
    /// comma-separated); empty: CORS is closed.
    pub cors_origins: Vec<Origin>,
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
        let limit = |name: &str, default: RateLimit| {
            non_empty(get, name).map_or(Ok(default), |v| RateLimit::parse(name, &v))
        };
        let rate_limits = RateLimits {
            sign_in: limit(
                "AZCONN_RATE_LIMIT_SIGN_IN",
                RateLimit {
                    limit: 10,
                    window_secs: 60,
                },
            )?,
            oauth_start: limit(
                "AZCONN_RATE_LIMIT_OAUTH_START",
                RateLimit {
                    limit: 20,
                    window_secs: 60,
                },
            )?,
            token: limit(
                "AZCONN_RATE_LIMIT_TOKEN",
                RateLimit {
                    limit: 120,
                    window_secs: 60,
                },
            )?,
        };
        let cors_origins = non_empty(get, "AZCONN_CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(|o| {
                        Origin::parse(o).map_err(|e| {
                            not_configured(
                                "AZCONN_CORS_ORIGINS",
                                format!(
                                    "AZCONN_CORS_ORIGINS must list origins like https://app.example.com: {o:?}: {}",
                                    e.message
                                ),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
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
            rate_limits,
            cors_origins,
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

    /// Whether `origin` (a request's `Origin` header) may call the API cross-origin.
    pub fn cors_allows(&self, origin: &str) -> bool {
        Origin::parse(origin).is_ok_and(|o| self.cors_origins.contains(&o))
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

    #[test]
    fn rate_limits_default_and_parse() {
        let c = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
            ("AZCONN_RATE_LIMIT_TOKEN", " 5 / 30 "),
        ])
        .unwrap();
        assert_eq!(
            c.rate_limits.sign_in,
            RateLimit {
                limit: 10,
                window_secs: 60
            }
        );
        assert_eq!(
            c.rate_limits.token,
            RateLimit {
                limit: 5,
                window_secs: 30
            }
        );
        for bad in ["0/60", "10/0", "10", "ten/60", "10/-1", "/"] {
            let e = parse(&[
                ("SITE_URL", "https://azconn.example.com"),
                ("AZCONN_ENCRYPTION_KEYS", KEYS),
                ("AZCONN_RATE_LIMIT_SIGN_IN", bad),
            ])
            .unwrap_err();
            assert_eq!(e.code, Code::NotConfigured, "{bad}");
            assert_eq!(
                e.field.as_deref(),
                Some("AZCONN_RATE_LIMIT_SIGN_IN"),
                "{bad}"
            );
        }
    }

    #[test]
    fn retry_after_counts_down_to_the_window_end() {
        let l = RateLimit {
            limit: 3,
            window_secs: 60,
        };
        assert_eq!(l.retry_after(3, 1000, 1010), None);
        assert_eq!(l.retry_after(4, 1000, 1010), Some(50));
        assert_eq!(l.retry_after(4, 1000, 1060), Some(1));
    }

    #[test]
    fn cors_is_closed_unless_listed() {
        let c = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
        ])
        .unwrap();
        assert!(!c.cors_allows("https://azconn.example.com"));
        let c = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
            (
                "AZCONN_CORS_ORIGINS",
                "https://app.example.com, https://ops.example.com:8443",
            ),
        ])
        .unwrap();
        assert!(c.cors_allows("https://app.example.com"));
        assert!(c.cors_allows("https://ops.example.com:8443"));
        assert!(!c.cors_allows("https://ops.example.com"));
        assert!(!c.cors_allows("null"));
        assert!(!c.cors_allows("https://app.example.com.evil.example"));
        let e = parse(&[
            ("SITE_URL", "https://azconn.example.com"),
            ("AZCONN_ENCRYPTION_KEYS", KEYS),
            ("AZCONN_CORS_ORIGINS", "https://app.example.com/path"),
        ])
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("AZCONN_CORS_ORIGINS"));
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
                ("AZCONN_RATE_LIMIT_TOKEN", &id),
                ("AZCONN_CORS_ORIGINS", &secret),
            ]) {
                let _ = c.oauth_app(ConnectionType::AzureClientSecrets);
                let _ = c.redirect_uri();
            }
        }
    }
}
