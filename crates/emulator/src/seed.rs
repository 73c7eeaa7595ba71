//! The seed file: tenants, users, app registrations, stores and start-up faults (schema in README.md).

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::faults::FaultSpec;

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// Main listener (Entra, Graph, admin). `127.0.0.1:0` picks a free port.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Optional TLS listener serving the same routes as `listen` (MSAL only accepts https authorities).
    #[serde(default)]
    pub tls: Option<TlsSeed>,
    /// PEM (PKCS#8) RSA key the emulator signs tokens with; the committed well-known key if absent.
    #[serde(default)]
    pub signing_key_file: Option<String>,
    /// How long a secret added by addPassword is refused with AADSTS7000215 (Entra replication delay).
    #[serde(default)]
    pub secret_propagation_seconds: i64,
    /// Seed of the random generator deciding fractional faults, so runs are reproducible.
    #[serde(default)]
    pub fault_seed: u64,
    /// Resource identifiers accepted as the Graph audience.
    #[serde(default = "default_graph_audiences")]
    pub graph_audiences: Vec<String>,
    pub tenants: Vec<TenantSeed>,
    #[serde(default)]
    pub users: Vec<UserSeed>,
    #[serde(default)]
    pub applications: Vec<ApplicationSeed>,
    #[serde(default)]
    pub stores: Vec<StoreSeed>,
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TlsSeed {
    pub listen: String,
    pub cert_file: String,
    pub key_file: String,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantSeed {
    pub id: String,
    pub display_name: String,
    /// Verified domains; the first one is the default (and initial) domain.
    pub domains: Vec<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSeed {
    pub id: String,
    pub tenant_id: String,
    pub user_principal_name: String,
    pub display_name: String,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationSeed {
    /// Object id of the application (Graph `id`).
    pub id: String,
    pub app_id: String,
    pub tenant_id: String,
    pub display_name: String,
    /// Object id of the app's service principal in its home tenant (`oid` of its app-only tokens).
    pub service_principal_id: String,
    /// Object ids (service principals or users) that own this application.
    #[serde(default)]
    pub owners: Vec<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub password_credentials: Vec<PasswordSeed>,
    #[serde(default)]
    pub key_credentials: Vec<KeySeed>,
    /// Application permissions granted (admin-consented), per resource identifier.
    #[serde(default)]
    pub app_roles: BTreeMap<String, Vec<String>>,
    /// Delegated permissions consented, per resource identifier.
    #[serde(default)]
    pub delegated_scopes: BTreeMap<String, Vec<String>>,
    /// Tenant app-management policy: longest secret lifetime addPassword accepts.
    #[serde(default)]
    pub max_secret_lifetime_days: Option<i64>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordSeed {
    pub key_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    pub secret_text: String,
    pub start_date_time: String,
    pub end_date_time: String,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeySeed {
    pub key_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// PEM certificate inline, or `certificateFile` (relative to the seed file).
    #[serde(default)]
    pub certificate_pem: Option<String>,
    #[serde(default)]
    pub certificate_file: Option<String>,
    pub start_date_time: String,
    pub end_date_time: String,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoreSeed {
    pub name: String,
    /// The tenant whose tokens the store accepts.
    pub tenant_id: String,
    #[serde(default = "default_listen")]
    pub listen: String,
    #[serde(default)]
    pub access_keys: Vec<AccessKeySeed>,
    #[serde(default)]
    pub role_assignments: Vec<RoleAssignmentSeed>,
    #[serde(default)]
    pub key_values: Vec<KeyValueSeed>,
    /// Items per list page (Azure uses 100).
    #[serde(default = "default_page_size")]
    pub page_size: usize,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessKeySeed {
    pub id: String,
    /// Base64 secret, as in the connection string `Secret=`.
    pub secret: String,
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleAssignmentSeed {
    /// Object id of a user or service principal.
    pub principal_id: String,
    /// `App Configuration Data Owner` or `App Configuration Data Reader`.
    pub role: String,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyValueSeed {
    pub key: String,
    #[serde(default)]
    pub label: Option<String>,
    pub value: String,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub locked: bool,
}

fn default_listen() -> String {
    "127.0.0.1:0".into()
}

fn default_page_size() -> usize {
    100
}

fn default_graph_audiences() -> Vec<String> {
    vec![
        "https://graph.microsoft.com".into(),
        "00000003-0000-0000-c000-000000000000".into(),
    ]
}
