//! The emulator's mutable world: directory objects, grants, stores, faults and the request log.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;

use crate::faults::Faults;
use crate::jwt::{Certificate, SigningKey};
use crate::seed::{ApplicationSeed, Seed, StoreSeed};
use crate::util::{Clock, parse_iso, random_token};

pub struct Tenant {
    pub id: String,
    pub display_name: String,
    pub domains: Vec<String>,
}

pub struct User {
    pub id: String,
    pub tenant_id: String,
    pub user_principal_name: String,
    pub display_name: String,
}

pub struct Password {
    pub key_id: String,
    pub display_name: Option<String>,
    pub secret_text: String,
    pub start: i64,
    pub end: i64,
    /// When the secret becomes usable at the token endpoint (Entra replication delay).
    pub usable_from: i64,
}

pub struct KeyCredential {
    pub key_id: String,
    pub display_name: Option<String>,
    pub cert: Certificate,
    pub start: i64,
    pub end: i64,
}

pub struct Application {
    pub id: String,
    pub app_id: String,
    pub tenant_id: String,
    pub display_name: String,
    pub service_principal_id: String,
    pub owners: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub passwords: Vec<Password>,
    pub keys: Vec<KeyCredential>,
    pub app_roles: BTreeMap<String, Vec<String>>,
    pub delegated_scopes: BTreeMap<String, Vec<String>>,
    pub max_secret_lifetime_days: Option<i64>,
}

/// An authorization code waiting to be redeemed.
pub struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub user_id: String,
    pub tenant_id: String,
    pub scopes: Vec<String>,
    pub challenge: Option<(String, String)>,
    pub nonce: Option<String>,
    pub expires: i64,
    pub redeemed: bool,
}

/// What a refresh token stands for. Entra does not revoke a refresh token on use.
pub struct Grant {
    pub client_id: String,
    pub user_id: String,
    pub tenant_id: String,
    pub scopes: Vec<String>,
    pub expires: i64,
    pub revoked: bool,
}

/// A sign-in page shown and not yet answered.
pub struct PendingAuth {
    pub tenant_path: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub response_mode: String,
    pub challenge: Option<(String, String)>,
}

#[derive(Clone)]
pub struct KeyValue {
    pub key: String,
    pub label: Option<String>,
    pub value: String,
    pub content_type: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub locked: bool,
    pub etag: String,
    pub last_modified: i64,
}

pub struct AccessKey {
    pub id: String,
    pub secret: Vec<u8>,
    pub read_only: bool,
}

pub struct Store {
    pub name: String,
    pub tenant_id: String,
    pub access_keys: Vec<AccessKey>,
    /// principal object id → role name
    pub roles: Vec<(String, String)>,
    pub kvs: Vec<KeyValue>,
    pub page_size: usize,
    pub sync_sn: u64,
    pub sync_id: String,
    /// `http://127.0.0.1:<port>` once bound, then `https://localhost:<port>` with TLS.
    pub origins: Vec<String>,
}

pub struct World {
    pub tenants: Vec<Tenant>,
    pub users: Vec<User>,
    pub apps: Vec<Application>,
    pub codes: HashMap<String, Code>,
    pub grants: HashMap<String, Grant>,
    pub pending: HashMap<String, PendingAuth>,
    pub stores: Vec<Store>,
    pub secret_propagation_seconds: i64,
    pub graph_audiences: Vec<String>,
    pub faults: Faults,
    pub log: Vec<serde_json::Value>,
    pub log_seq: u64,
    /// Origins of the Entra listeners (plain first, then TLS), filled in once bound.
    pub entra_origins: Vec<String>,
    /// Client secrets removed from their app (`removePassword`), remembered so a store that
    /// holds one shows up in `exposures`.
    pub revoked: Vec<Revoked>,
    /// Every moment a store key-value held a revoked secret: a secret removed while a store held
    /// it, or a revoked secret written into a store. A zero-downtime rotation leaves none.
    pub exposures: Vec<serde_json::Value>,
}

/// A client secret removed from its app.
pub struct Revoked {
    pub app_id: String,
    pub key_id: String,
    pub secret_text: String,
}

impl World {
    /// `removePassword` took `secret_text` off `app_id`: each store key-value holding it now
    /// holds a revoked secret.
    pub fn revoke(&mut self, app_id: &str, key_id: &str, secret_text: &str) {
        for store in &self.stores {
            for kv in store.kvs.iter().filter(|kv| kv.value == secret_text) {
                self.exposures.push(serde_json::json!({
                    "event": "removePassword", "appId": app_id, "keyId": key_id,
                    "store": store.name, "key": kv.key, "label": kv.label,
                }));
            }
        }
        self.revoked.push(Revoked {
            app_id: app_id.to_owned(),
            key_id: key_id.to_owned(),
            secret_text: secret_text.to_owned(),
        });
    }

    /// A key-value was written into `store`: a revoked secret as its value is an exposure.
    pub fn written(&mut self, store: &str, key: &str, label: Option<&str>, value: &str) {
        for r in self.revoked.iter().filter(|r| r.secret_text == value) {
            self.exposures.push(serde_json::json!({
                "event": "put", "appId": r.app_id, "keyId": r.key_id,
                "store": store, "key": key, "label": label,
            }));
        }
    }
}

pub struct Emulator {
    pub clock: Clock,
    pub key: SigningKey,
    pub world: Mutex<World>,
}

impl Emulator {
    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub const WELL_KNOWN_SIGNING_KEY: &str = include_str!("../seed/signing-key.pem");

fn date(field: &str, s: &str) -> Result<i64, String> {
    parse_iso(s).ok_or_else(|| format!("{field}: '{s}' is not an RFC 3339 date-time"))
}

fn application(a: &ApplicationSeed, base: &Path) -> Result<Application, String> {
    let passwords = a
        .password_credentials
        .iter()
        .map(|p| {
            Ok(Password {
                key_id: p.key_id.clone(),
                display_name: p.display_name.clone(),
                secret_text: p.secret_text.clone(),
                start: date("startDateTime", &p.start_date_time)?,
                end: date("endDateTime", &p.end_date_time)?,
                usable_from: 0,
            })
        })
        .collect::<Result<_, String>>()?;
    let keys = a
        .key_credentials
        .iter()
        .map(|k| {
            let pem = match (&k.certificate_pem, &k.certificate_file) {
                (Some(pem), _) => pem.clone(),
                (None, Some(file)) => std::fs::read_to_string(base.join(file))
                    .map_err(|e| format!("certificateFile {file}: {e}"))?,
                (None, None) => {
                    return Err(format!(
                        "keyCredential {}: set certificatePem or certificateFile",
                        k.key_id
                    ));
                }
            };
            Ok(KeyCredential {
                key_id: k.key_id.clone(),
                display_name: k.display_name.clone(),
                cert: Certificate::from_pem(&pem)?,
                start: date("startDateTime", &k.start_date_time)?,
                end: date("endDateTime", &k.end_date_time)?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Application {
        id: a.id.clone(),
        app_id: a.app_id.clone(),
        tenant_id: a.tenant_id.clone(),
        display_name: a.display_name.clone(),
        service_principal_id: a.service_principal_id.clone(),
        owners: a.owners.clone(),
        redirect_uris: a.redirect_uris.clone(),
        passwords,
        keys,
        app_roles: a.app_roles.clone(),
        delegated_scopes: a.delegated_scopes.clone(),
        max_secret_lifetime_days: a.max_secret_lifetime_days,
    })
}

fn store(s: &StoreSeed, now: i64) -> Result<Store, String> {
    let access_keys = s
        .access_keys
        .iter()
        .map(|k| {
            Ok(AccessKey {
                id: k.id.clone(),
                secret: crate::util::b64_decode(&k.secret)
                    .ok_or_else(|| format!("store {}: access key secret is not base64", s.name))?,
                read_only: k.read_only,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Store {
        name: s.name.clone(),
        tenant_id: s.tenant_id.clone(),
        access_keys,
        roles: s
            .role_assignments
            .iter()
            .map(|r| (r.principal_id.clone(), r.role.clone()))
            .collect(),
        kvs: s
            .key_values
            .iter()
            .map(|kv| KeyValue {
                key: kv.key.clone(),
                label: kv.label.clone(),
                value: kv.value.clone(),
                content_type: kv.content_type.clone(),
                tags: kv.tags.clone(),
                locked: kv.locked,
                etag: random_token(24),
                last_modified: now,
            })
            .collect(),
        page_size: s.page_size.max(1),
        sync_sn: 1,
        sync_id: random_token(6),
        origins: Vec::new(),
    })
}

impl World {
    pub fn from_seed(seed: &Seed, base: &Path, now: i64) -> Result<World, String> {
        Ok(World {
            tenants: seed
                .tenants
                .iter()
                .map(|t| Tenant {
                    id: t.id.to_ascii_lowercase(),
                    display_name: t.display_name.clone(),
                    domains: t.domains.clone(),
                })
                .collect(),
            users: seed
                .users
                .iter()
                .map(|u| User {
                    id: u.id.clone(),
                    tenant_id: u.tenant_id.to_ascii_lowercase(),
                    user_principal_name: u.user_principal_name.clone(),
                    display_name: u.display_name.clone(),
                })
                .collect(),
            apps: seed
                .applications
                .iter()
                .map(|a| application(a, base))
                .collect::<Result<_, _>>()?,
            codes: HashMap::new(),
            grants: HashMap::new(),
            pending: HashMap::new(),
            stores: seed
                .stores
                .iter()
                .map(|s| store(s, now))
                .collect::<Result<_, _>>()?,
            secret_propagation_seconds: seed.secret_propagation_seconds,
            graph_audiences: seed.graph_audiences.clone(),
            faults: Faults::new(seed.fault_seed, seed.faults.clone()),
            log: Vec::new(),
            log_seq: 0,
            entra_origins: Vec::new(),
            revoked: Vec::new(),
            exposures: Vec::new(),
        })
    }

    /// Resolves a tenant by GUID or verified domain (case-insensitive, as Entra does).
    pub fn tenant(&self, id_or_domain: &str) -> Option<&Tenant> {
        let wanted = id_or_domain.to_ascii_lowercase();
        self.tenants
            .iter()
            .find(|t| t.id == wanted || t.domains.iter().any(|d| d.to_ascii_lowercase() == wanted))
    }

    pub fn app_by_client_id(&self, client_id: &str) -> Option<&Application> {
        self.apps
            .iter()
            .find(|a| a.app_id.eq_ignore_ascii_case(client_id))
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }
}
