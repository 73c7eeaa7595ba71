//! `/api/v1/app-connections/{type}`: create and update validate live against Azure and store
//! nothing on failure; reads never return a secret.

use super::azure::{AppCredential, client_credentials, execute};
use super::reply::{ApiError, not_found};
use super::runtime::{new_id, now_s};
use super::store::{self, ConnectionRow, n, opt, s, stmt};
use crate::config::Config;
use azconn_core::appconfig::{
    self, AppConfigAuth, AppConfigError, KeyFilter, LabelFilter, ListQuery, Store, SyncTokens,
};
use azconn_core::cert::{Credential, CredentialInput};
use azconn_core::cloud::{Cloud, StoreEndpoint};
use azconn_core::error::{Code, Error};
use azconn_core::form::{self, ConnectionForm, ConnectionType, Credentials, ValidatedForm};
use azconn_core::graph::{self, AppQuery, Granted, Graph, GraphError, Operation, Preflight};
use azconn_core::ids::{ClientId, ClientSecret, TenantId};
use azconn_core::oauth::jwt::decode_unverified_claims;
use azconn_core::oauth::token::{AccessToken, TokenResponse};
use serde_json::{Value, json};
use std::time::Duration;
use worker::{D1Database, Delay};

/// Refresh cached tokens this long before they expire.
const TOKEN_MARGIN_SECS: i64 = 5 * 60;
/// A token lease outlives one acquisition (4 attempts within a 20 s budget) and frees the
/// connection if its holder dies.
const LEASE_SECS: i64 = 30;
/// Waiters re-read the cache this often, for at most the lease's lifetime and a little more.
const LEASE_POLL_MS: u64 = 200;
const LEASE_POLLS: u32 = 175;

pub fn parse_type(segment: &str) -> Option<ConnectionType> {
    match segment {
        "azure-client-secrets" => Some(ConnectionType::AzureClientSecrets),
        "azure-app-configuration" => Some(ConnectionType::AzureAppConfiguration),
        _ => None,
    }
}

pub fn type_str(ty: ConnectionType) -> &'static str {
    match ty {
        ConnectionType::AzureClientSecrets => "azure-client-secrets",
        ConnectionType::AzureAppConfiguration => "azure-app-configuration",
    }
}

/// The resource a connection's tokens are for.
pub fn scope(ty: ConnectionType, cloud: &Cloud) -> String {
    let e = cloud.endpoints();
    match ty {
        ConnectionType::AzureClientSecrets => format!("{}/.default", e.graph_audience),
        ConnectionType::AzureAppConfiguration => {
            format!("{}/.default", e.app_configuration_audience)
        }
    }
}

/// What the live check learned (stored as the connection's non-secret credential info).
pub struct Checked {
    pub info: Value,
    pub token: TokenResponse,
}

/// The probe after a token: Graph `GET /applications?$top=1` plus the permission preflight, or
/// `GET /kv` on the store.
pub async fn probe(
    ty: ConnectionType,
    cloud: &Cloud,
    endpoint: Option<&StoreEndpoint>,
    token: &AccessToken,
    app_only: bool,
) -> Result<Value, Error> {
    let claims = decode_unverified_claims(token.expose())?;
    match ty {
        ConnectionType::AzureClientSecrets => {
            let granted = if app_only {
                Granted::Application {
                    roles: claims.roles.clone(),
                }
            } else {
                Granted::Delegated {
                    scopes: claims.scopes.clone(),
                }
            };
            let via = match graph::preflight(&granted, None) {
                Preflight::Denied { grant, hint } => {
                    return Err(Error::new(
                        Code::PermissionDenied,
                        format!("the connection cannot manage client secrets: it lacks {grant}"),
                    )
                    .with_hint(hint));
                }
                Preflight::Allowed { via } => via,
                Preflight::NeedsOwnershipCheck => "Application.ReadWrite.OwnedBy".to_owned(),
            };
            let g = Graph::new(&cloud.endpoints());
            let req = g.list_applications(
                token,
                &AppQuery {
                    select: vec!["displayName".into()],
                    top: Some(1),
                    filter: None,
                },
            )?;
            let resp = execute(&req).await?;
            if !resp.is_success() {
                return Err(GraphError::parse(&resp).to_error(Operation::ReadApplications));
            }
            g.parse_application_page(&resp)?;
            Ok(json!({ "permission": via, "roles": claims.roles, "scopes": claims.scopes }))
        }
        ConnectionType::AzureAppConfiguration => {
            if let Some(endpoint) = endpoint {
                let store = Store::new(endpoint);
                let req = store.list(&ListQuery {
                    key: KeyFilter::All,
                    label: LabelFilter::All,
                    select: vec!["key".into()],
                })?;
                let req = appconfig::authorize(
                    req,
                    &AppConfigAuth::Bearer(token.clone()),
                    &SyncTokens::default(),
                    super::runtime::now_s(),
                )?;
                let resp = execute(&req).await?;
                if !resp.is_success() {
                    return Err(AppConfigError::parse(&resp).to_error());
                }
                store.parse_list(&resp)?;
            }
            Ok(json!({ "storeProbed": endpoint.is_some() }))
        }
    }
}

/// Acquires a token with the form's credential, then probes.
async fn check(form: &ValidatedForm) -> Result<Checked, Error> {
    let (tenant, client_id, credential, mut info) = app_credential(&form.credentials, true)?;
    let token = client_credentials(
        &form.cloud,
        &tenant,
        &client_id,
        &credential,
        scope(form.connection_type, &form.cloud),
    )
    .await?;
    let probed = probe(
        form.connection_type,
        &form.cloud,
        form.endpoint.as_ref(),
        &token.access_token,
        true,
    )
    .await?;
    if let (Some(i), Some(p)) = (info.as_object_mut(), probed.as_object()) {
        i.extend(p.clone());
    }
    Ok(Checked { info, token })
}

fn cert_input(certificate: &str, private_key: &str, passphrase: Option<&str>) -> CredentialInput {
    CredentialInput {
        certificate: Some(certificate.to_owned()),
        private_key: Some(private_key.to_owned()),
        private_key_passphrase: passphrase.map(str::to_owned),
        pfx: None,
        pfx_password: None,
    }
}

/// The app-only credential of validated form credentials, with its non-secret facts.
fn app_credential(
    c: &Credentials,
    _fresh: bool,
) -> Result<(TenantId, ClientId, AppCredential, Value), Error> {
    match c {
        Credentials::ClientSecret {
            tenant,
            client_id,
            client_secret,
        } => Ok((
            tenant.clone(),
            *client_id,
            AppCredential::Secret(client_secret.clone()),
            json!({}),
        )),
        Credentials::Certificate {
            tenant,
            client_id,
            certificate,
            private_key,
            passphrase,
        } => {
            let input = cert_input(
                certificate.expose(),
                private_key.expose(),
                passphrase.as_ref().map(|p| p.expose()),
            );
            let loaded = Credential::load(&input, now_s())?;
            let report = serde_json::to_value(loaded.report()).unwrap_or(Value::Null);
            Ok((
                tenant.clone(),
                *client_id,
                AppCredential::Certificate(input),
                json!({ "certificate": report }),
            ))
        }
        Credentials::OAuth { .. } => Err(Error::field(
            "method",
            Code::NotAllowed,
            "OAuth connections are created by signing in",
        )
        .with_hint("POST .../oauth/start and open the returned URL")),
    }
}

fn form_errors(errors: Vec<Error>) -> ApiError {
    let mut e = ApiError::from(
        errors
            .first()
            .cloned()
            .unwrap_or_else(|| Error::new(Code::InvalidFormat, "the form is invalid")),
    );
    e.errors = errors;
    e
}

/// Secret fields a connection stores, per method.
fn secret_fields(c: &Credentials) -> Vec<(&'static str, String)> {
    match c {
        Credentials::ClientSecret { client_secret, .. } => {
            vec![("clientSecret", client_secret.expose().to_owned())]
        }
        Credentials::Certificate {
            certificate,
            private_key,
            passphrase,
            ..
        } => {
            let mut v = vec![
                ("certificate", certificate.expose().to_owned()),
                ("privateKey", private_key.expose().to_owned()),
            ];
            if let Some(p) = passphrase {
                v.push(("privateKeyPassphrase", p.expose().to_owned()));
            }
            v
        }
        Credentials::OAuth { .. } => Vec::new(),
    }
}

fn parse_form(body: &Value, ty: ConnectionType, cfg: &Config) -> Result<ConnectionForm, ApiError> {
    let mut body = body.clone();
    if let Some(o) = body.as_object_mut() {
        // The deployment decides the cloud and the path decides the type.
        o.remove("cloud");
        o.insert("connectionType".into(), json!(type_str(ty)));
    }
    let mut form: ConnectionForm = serde_json::from_value(body).map_err(|e| {
        ApiError::from(Error::field(
            "body",
            Code::InvalidFormat,
            format!("the body is not a connection form: {e}"),
        ))
    })?;
    form.cloud = cfg.cloud.clone();
    Ok(form)
}

pub async fn create(
    db: &D1Database,
    cfg: &Config,
    org: &str,
    actor: &str,
    ty: ConnectionType,
    body: &Value,
) -> Result<(u16, Value), ApiError> {
    let form = parse_form(body, ty, cfg)?;
    let valid = form::validate(&form).map_err(form_errors)?;
    let name = valid.name.as_str().to_owned();
    let exists = stmt(
        db,
        "SELECT id FROM connections WHERE org_id = ?1 AND type = ?2 AND name = ?3",
        &[s(org), s(type_str(ty)), s(&name)],
    )?
    .first::<Value>(None)
    .await?;
    if exists.is_some() {
        return Err(ApiError::new(
            409,
            Error::field(
                "name",
                Code::Conflict,
                format!("a connection named {name} already exists"),
            ),
        ));
    }
    let method = serde_json::to_value(valid.credentials.method())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let checked = match check(&valid).await {
        Ok(c) => c,
        Err(e) => {
            store::audit(
                db,
                Some(org),
                actor,
                "connection.create",
                None,
                "failed",
                &json!({ "type": type_str(ty), "method": method, "name": name, "error": e }),
            )
            .await?;
            return Err(e.into());
        }
    };
    let id = new_id()?;
    let (tenant, client_id) = match &valid.credentials {
        Credentials::ClientSecret {
            tenant, client_id, ..
        }
        | Credentials::Certificate {
            tenant, client_id, ..
        } => (tenant.to_string(), Some(client_id.to_string())),
        Credentials::OAuth { tenant } => (tenant.to_string(), None),
    };
    let now = now_s();
    let endpoint = valid.endpoint.as_ref().map(ToString::to_string);
    let created_by = store::actor_label(db, actor).await?;
    let mut batch = vec![stmt(
        db,
        "INSERT INTO connections (id, org_id, type, method, name, description, tenant_id, client_id, cloud, endpoint, credential_info, status, last_validated_at, version, created_at, updated_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'active', ?12, 1, ?12, ?12, ?13)",
        &[
            s(&id),
            s(org),
            s(type_str(ty)),
            s(&method),
            s(&name),
            opt(valid.description.as_deref()),
            s(&tenant),
            opt(client_id.as_deref()),
            s(valid.cloud.name()),
            opt(endpoint.as_deref()),
            s(&checked.info.to_string()),
            n(now),
            s(&created_by),
        ],
    )?];
    for (field, value) in secret_fields(&valid.credentials) {
        batch.push(store::put_secret(
            db,
            &cfg.keyring,
            org,
            &id,
            field,
            &value,
            None,
        )?);
    }
    db.batch(batch).await?;
    cache_token(db, cfg, org, &id, &checked.token).await?;
    store::audit(
        db,
        Some(org),
        actor,
        "connection.create",
        Some(&id),
        "ok",
        &json!({ "type": type_str(ty), "method": method, "name": name }),
    )
    .await?;
    let row = store::connection(db, org, type_str(ty), &id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    Ok((201, json!({ "appConnection": row.view() })))
}

async fn cache_token(
    db: &D1Database,
    cfg: &Config,
    org: &str,
    id: &str,
    token: &TokenResponse,
) -> Result<(), ApiError> {
    let expires = i64::try_from(token.expires_at).unwrap_or(0);
    store::put_secret(
        db,
        &cfg.keyring,
        org,
        id,
        "accessToken",
        token.access_token.expose(),
        Some(expires),
    )?
    .run()
    .await?;
    Ok(())
}

/// The stored credential of an app-only connection, decrypted.
async fn stored_credential(
    db: &D1Database,
    cfg: &Config,
    row: &ConnectionRow,
) -> Result<Credentials, ApiError> {
    let get = |field: &'static str| async move {
        store::get_secret(db, &cfg.keyring, &row.org_id, &row.id, field)
            .await
            .map(|v| v.map(|(s, _)| s))
    };
    let tenant = TenantId::parse(&row.tenant_id)?;
    let client_id = ClientId::parse(row.client_id.as_deref().unwrap_or(""))?;
    let missing = || ApiError::from(Error::new(Code::Internal, "a stored credential is missing"));
    match row.method.as_str() {
        "client-secret" => Ok(Credentials::ClientSecret {
            tenant,
            client_id,
            client_secret: ClientSecret::parse(&get("clientSecret").await?.ok_or_else(missing)?)?,
        }),
        "certificate" => {
            let certificate = get("certificate").await?.ok_or_else(missing)?;
            let private_key = get("privateKey").await?.ok_or_else(missing)?;
            let passphrase = get("privateKeyPassphrase").await?;
            let form = ConnectionForm {
                name: row.name.clone(),
                connection_type: row.ty.clone(),
                method: "certificate".into(),
                tenant_id: row.tenant_id.clone(),
                client_id: row.client_id.clone().unwrap_or_default(),
                certificate,
                private_key,
                private_key_passphrase: passphrase.unwrap_or_default(),
                ..ConnectionForm::default()
            };
            let v = form::validate(&form).map_err(form_errors)?;
            Ok(v.credentials)
        }
        _ => Err(ApiError::from(Error::field(
            "method",
            Code::NotAllowed,
            "this operation needs an app-only (client secret or certificate) connection",
        ))),
    }
}

/// The cached token while it is more than five minutes from expiry.
async fn cached_token(
    db: &D1Database,
    cfg: &Config,
    row: &ConnectionRow,
) -> Result<Option<(AccessToken, i64)>, ApiError> {
    match store::get_secret(db, &cfg.keyring, &row.org_id, &row.id, "accessToken").await? {
        Some((t, Some(exp))) if exp - TOKEN_MARGIN_SECS > now_s() => {
            Ok(Some((AccessToken::parse(&t)?, exp)))
        }
        _ => Ok(None),
    }
}

/// Takes the connection's token lease unless another caller holds an unexpired one.
async fn take_lease(db: &D1Database, id: &str, holder: &str) -> Result<bool, ApiError> {
    let now = now_s();
    Ok(stmt(
        db,
        "INSERT INTO token_leases (connection_id, holder, expires_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (connection_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE token_leases.expires_at <= ?4
         RETURNING holder",
        &[s(id), s(holder), n(now + LEASE_SECS), n(now)],
    )?
    .first::<Value>(None)
    .await?
    .is_some())
}

async fn release_lease(db: &D1Database, id: &str, holder: &str) -> Result<(), ApiError> {
    stmt(
        db,
        "DELETE FROM token_leases WHERE connection_id = ?1 AND holder = ?2",
        &[s(id), s(holder)],
    )?
    .run()
    .await?;
    Ok(())
}

/// A new token from Azure: the OAuth refresh, or client credentials.
async fn fresh_token(
    db: &D1Database,
    cfg: &Config,
    row: &ConnectionRow,
    ty: ConnectionType,
) -> Result<(AccessToken, i64), ApiError> {
    let token = if row.method == "oauth" {
        super::oauth::refresh(db, cfg, row, ty).await?
    } else {
        let creds = stored_credential(db, cfg, row).await?;
        let (tenant, client_id, credential, _) = app_credential(&creds, false)?;
        client_credentials(
            &cfg.cloud,
            &tenant,
            &client_id,
            &credential,
            scope(ty, &cfg.cloud),
        )
        .await
        .map_err(ApiError::from)?
    };
    cache_token(db, cfg, &row.org_id, &row.id, &token).await?;
    Ok((
        token.access_token,
        i64::try_from(token.expires_at).unwrap_or(0),
    ))
}

/// The error a connection's status records, e.g. the `reauth-required` of a dead grant.
fn stored_error(row: &ConnectionRow) -> Error {
    row.last_error
        .as_deref()
        .and_then(|e| serde_json::from_str::<Error>(e).ok())
        .unwrap_or_else(|| {
            Error::new(
                Code::ReauthRequired,
                "the connection needs to be reconnected to Azure",
            )
        })
}

/// A token for the connection's resource: the cached one until five minutes before expiry.
/// Single-flight per connection: the caller holding the D1 lease asks Azure (so one refresh
/// token is redeemed once); the others wait for the token it caches.
pub async fn token_for(
    db: &D1Database,
    cfg: &Config,
    row: &ConnectionRow,
    ty: ConnectionType,
) -> Result<(AccessToken, i64), ApiError> {
    if let Some(t) = cached_token(db, cfg, row).await? {
        return Ok(t);
    }
    let holder = new_id()?;
    for _ in 0..LEASE_POLLS {
        if take_lease(db, &row.id, &holder).await? {
            let result = async {
                // A holder that just finished may have cached a token; its refresh also moved
                // the row's version, which the refresh's compare-and-swap needs.
                if let Some(t) = cached_token(db, cfg, row).await? {
                    return Ok(t);
                }
                let latest = store::connection(db, &row.org_id, &row.ty, &row.id)
                    .await?
                    .ok_or_else(|| not_found("connection"))?;
                // A dead grant (invalid_grant: expired, revoked) stays dead until the user
                // reconnects, which sets the status back to active: never redeem it again.
                if latest.method == "oauth" && latest.status == "needs-reauth" {
                    return Err(stored_error(&latest).into());
                }
                fresh_token(db, cfg, &latest, ty).await
            }
            .await;
            release_lease(db, &row.id, &holder).await?;
            return result;
        }
        Delay::from(Duration::from_millis(LEASE_POLL_MS)).await;
        if let Some(t) = cached_token(db, cfg, row).await? {
            return Ok(t);
        }
    }
    Err(ApiError::from(
        Error::new(
            Code::RetryLater,
            "another request is still acquiring this connection's token",
        )
        .with_hint("try again in a few seconds"),
    ))
}

/// Health check: a fresh token and the probe; the status follows the outcome.
pub async fn validate(
    db: &D1Database,
    cfg: &Config,
    actor: &str,
    row: &ConnectionRow,
    ty: ConnectionType,
) -> Result<Value, ApiError> {
    // Drop the cached token: the check must prove the credential still works.
    stmt(
        db,
        "DELETE FROM secrets WHERE owner_id = ?1 AND field = 'accessToken'",
        &[s(&row.id)],
    )?
    .run()
    .await?;
    let endpoint = row
        .endpoint
        .as_deref()
        .map(|e| StoreEndpoint::parse(e, &cfg.cloud.endpoints()))
        .transpose()?;
    let outcome = async {
        let (token, _) = token_for(db, cfg, row, ty).await?;
        probe(
            ty,
            &cfg.cloud,
            endpoint.as_ref(),
            &token,
            row.method != "oauth",
        )
        .await
        .map_err(ApiError::from)
    }
    .await;
    let now = now_s();
    let (status, last_error) = match &outcome {
        Ok(_) => ("active", None),
        Err(e) if e.error.code == Code::ReauthRequired => {
            ("needs-reauth", Some(json!(e.error).to_string()))
        }
        Err(e) => ("failing", Some(json!(e.error).to_string())),
    };
    stmt(
        db,
        "UPDATE connections SET status = ?1, last_error = ?2, last_validated_at = ?3, updated_at = ?3 WHERE id = ?4",
        &[s(status), opt(last_error.as_deref()), n(now), s(&row.id)],
    )?
    .run()
    .await?;
    store::audit(
        db,
        Some(&row.org_id),
        actor,
        "connection.validate",
        Some(&row.id),
        if outcome.is_ok() { "ok" } else { "failed" },
        &json!({ "status": status, "error": outcome.as_ref().err().map(|e| &e.error) }),
    )
    .await?;
    let row = store::connection(db, &row.org_id, &row.ty, &row.id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    Ok(json!({
        "valid": outcome.is_ok(),
        "error": outcome.as_ref().err().map(|e| &e.error),
        "appConnection": row.view(),
    }))
}

/// Re-validates with the changed fields (empty secret fields keep the stored ones) and replaces
/// the connection only if the check passes.
pub async fn update(
    db: &D1Database,
    cfg: &Config,
    actor: &str,
    row: &ConnectionRow,
    ty: ConnectionType,
    body: &Value,
) -> Result<Value, ApiError> {
    if row.method == "oauth" {
        let description = body.get("description").and_then(Value::as_str);
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&row.name);
        let name = form::Slug::parse(name)?;
        stmt(
            db,
            "UPDATE connections SET name = ?1, description = ?2, version = version + 1, updated_at = ?3 WHERE id = ?4",
            &[s(name.as_str()), opt(description.or(row.description.as_deref())), n(now_s()), s(&row.id)],
        )?
        .run()
        .await?;
    } else {
        let mut merged = json!({
            "name": row.name, "description": row.description.clone().unwrap_or_default(),
            "method": row.method, "tenantId": row.tenant_id, "clientId": row.client_id,
            "endpoint": row.endpoint.clone().unwrap_or_default(),
        });
        if let (Some(m), Some(b)) = (merged.as_object_mut(), body.as_object()) {
            for (k, v) in b {
                m.insert(k.clone(), v.clone());
            }
        }
        let method_changed = merged.get("method").and_then(Value::as_str) != Some(&row.method);
        if !method_changed {
            let stored = stored_credential(db, cfg, row).await?;
            for (field, value) in secret_fields(&stored) {
                let empty = merged
                    .get(field)
                    .and_then(Value::as_str)
                    .is_none_or(|v| v.trim().is_empty());
                if empty && let Some(m) = merged.as_object_mut() {
                    m.insert(field.into(), json!(value));
                }
            }
        }
        let form = parse_form(&merged, ty, cfg)?;
        let valid = form::validate(&form).map_err(form_errors)?;
        let checked = match check(&valid).await {
            Ok(c) => c,
            Err(e) => {
                store::audit(
                    db,
                    Some(&row.org_id),
                    actor,
                    "connection.update",
                    Some(&row.id),
                    "failed",
                    &json!({ "error": e }),
                )
                .await?;
                return Err(e.into());
            }
        };
        let method = serde_json::to_value(valid.credentials.method())
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let (tenant, client_id) = match &valid.credentials {
            Credentials::ClientSecret {
                tenant, client_id, ..
            }
            | Credentials::Certificate {
                tenant, client_id, ..
            } => (tenant.to_string(), client_id.to_string()),
            Credentials::OAuth { tenant } => (tenant.to_string(), String::new()),
        };
        let now = now_s();
        let mut batch = vec![
            stmt(
                db,
                "UPDATE connections SET name = ?1, description = ?2, method = ?3, tenant_id = ?4, client_id = ?5, endpoint = ?6, credential_info = ?7, status = 'active', last_error = NULL, last_validated_at = ?8, updated_at = ?8, version = version + 1 WHERE id = ?9 AND version = ?10",
                &[
                    s(valid.name.as_str()),
                    opt(valid.description.as_deref()),
                    s(&method),
                    s(&tenant),
                    s(&client_id),
                    opt(valid.endpoint.as_ref().map(ToString::to_string).as_deref()),
                    s(&checked.info.to_string()),
                    n(now),
                    s(&row.id),
                    n(row.version),
                ],
            )?,
            stmt(db, "DELETE FROM secrets WHERE owner_id = ?1", &[s(&row.id)])?,
        ];
        for (field, value) in secret_fields(&valid.credentials) {
            batch.push(store::put_secret(
                db,
                &cfg.keyring,
                &row.org_id,
                &row.id,
                field,
                &value,
                None,
            )?);
        }
        db.batch(batch).await?;
        store::audit(
            db,
            Some(&row.org_id),
            actor,
            "connection.update",
            Some(&row.id),
            "ok",
            &json!({ "method": method }),
        )
        .await?;
    }
    let row = store::connection(db, &row.org_id, &row.ty, &row.id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    Ok(json!({ "appConnection": row.view() }))
}

/// The app registrations the connection can see, one Graph page at a time.
pub async fn clients(
    db: &D1Database,
    cfg: &Config,
    row: &ConnectionRow,
    top: Option<u16>,
    next: Option<&str>,
) -> Result<Value, ApiError> {
    let (token, _) = token_for(db, cfg, row, ConnectionType::AzureClientSecrets).await?;
    let g = Graph::new(&cfg.cloud.endpoints());
    let req = match next {
        Some(link) => g.next_page(&token, link)?,
        None => g.list_applications(
            &token,
            &AppQuery {
                select: vec!["displayName".into(), "passwordCredentials".into()],
                top: Some(top.unwrap_or(100)),
                filter: None,
            },
        )?,
    };
    let resp = execute(&req).await?;
    if !resp.is_success() {
        return Err(GraphError::parse(&resp)
            .to_error(Operation::ReadApplications)
            .into());
    }
    let page = g.parse_application_page(&resp)?;
    Ok(json!({ "clients": page.items, "nextLink": page.next_link }))
}
