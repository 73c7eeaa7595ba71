//! Delegated connections (RFC 9700): the OAuth start and the callback, over storage
//! ([`SignInStore`]) and the platform, so every branch runs in native tests.
//!
//! The state (256 bits) is stored hashed, lives 10 minutes and is single use; it is bound to
//! the browser by an HttpOnly SameSite=Lax cookie, checked before the state is spent (a
//! callback from another browser leaves the sign-in usable by the right one); the PKCE verifier
//! is encrypted at rest; the same redirect URI is used on both legs; the code is redeemed here
//! with the client secret.

use crate::api::{OAuthStartRequest, OAuthStarted, given};
use crate::api_error::{ApiError, not_found};
use crate::config::{CALLBACK_PATH, Config};
use crate::connection_fields::name_and_description;
use crate::connection_store::{AuditEvent, SignInStore};
use crate::connections::Caller;
use crate::credentials::form_errors;
use crate::platform::{Platform, hex, new_id, random, sha256_hex};
use crate::probe::probe;
use crate::records::{NewConnection, NewSignIn, PendingSignIn};
use crate::sign_in;
use crate::token_endpoint::redeem;
use azconn_core::cloud::StoreEndpoint;
use azconn_core::error::{Code, Error};
use azconn_core::form::{ConnectionType, Method};
use azconn_core::http::parse_query;
use azconn_core::ids::AuthorityTenant;
use azconn_core::oauth::authorize::{
    AppConfigurationAudience, AuthorizeEntropy, AuthorizeParams, RedirectUri, authorize_url,
    delegated_scopes,
};
use azconn_core::oauth::callback::parse_callback;
use azconn_core::oauth::jwt::decode_unverified_claims;
use azconn_core::oauth::pkce::CodeVerifier;
use azconn_core::oauth::random::State;
use azconn_core::oauth::token::{ClientAuth, Grant, token_request};
use serde_json::json;

pub const BROWSER_COOKIE: &str = "azconn_oauth";
pub const PENDING_LIFETIME_SECS: i64 = 10 * 60;

/// The browser-binding cookie (`max_age` 0 clears it), scoped to the callback.
pub fn browser_cookie(cfg: &Config, value: &str, max_age: i64) -> String {
    format!(
        "{BROWSER_COOKIE}={value}; Path={CALLBACK_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        if cfg.secure_cookies() { "; Secure" } else { "" }
    )
}

/// `POST /api/v1/app-connections/{type}/oauth/start` `{name, description?, tenantId?,
/// endpoint?, reconnectId?}` → `{url}` and the browser-binding cookie (`Set-Cookie` value).
pub async fn start<S: SignInStore, P: Platform>(
    db: &S,
    p: &P,
    cfg: &Config,
    caller: &Caller<'_>,
    ty: ConnectionType,
    body: &OAuthStartRequest,
) -> Result<(OAuthStarted, String), ApiError> {
    let app = cfg.oauth_app(ty)?;
    let reconnect = match given(&body.reconnect_id) {
        Some(id) => {
            let r = db
                .connection(caller.org, ty, id)
                .await?
                .ok_or_else(|| not_found("connection"))?;
            if r.method != Method::OAuth {
                return Err(Error::field(
                    "reconnectId",
                    Code::NotAllowed,
                    format!(
                        "{} is a {} connection: only an OAuth connection is reconnected by signing in",
                        r.name,
                        r.method.as_str()
                    ),
                )
                .with_hint("change its credential with PATCH on the connection instead")
                .into());
            }
            Some(r)
        }
        None => None,
    };
    // The form's rules, as for a connection made with a form (a reconnect keeps its name).
    let (name, description) = name_and_description(
        reconnect
            .as_ref()
            .map_or(given(&body.name).unwrap_or(""), |r| r.name.as_str()),
        given(&body.description),
    )
    .map_err(form_errors)?;
    let name = name.as_str().to_owned();
    let tenant = match (&reconnect, given(&body.tenant_id)) {
        (Some(r), _) => AuthorityTenant::parse(&r.tenant_id)?,
        (None, Some(t)) => AuthorityTenant::parse(t).map_err(|e| e.at("tenantId"))?,
        (None, None) => AuthorityTenant::Organizations,
    };
    let endpoint = match (&reconnect, given(&body.endpoint)) {
        (Some(r), _) => r.endpoint.clone(),
        (None, Some(e)) => Some(StoreEndpoint::parse(e, cfg.cloud.endpoints())?.to_string()),
        (None, None) => None,
    };
    let params = AuthorizeParams {
        cloud: cfg.cloud.clone(),
        tenant: tenant.clone(),
        client_id: app.client_id,
        redirect_uri: RedirectUri::parse(&cfg.redirect_uri())?,
        connection_type: ty,
        audience: AppConfigurationAudience::Cloud,
        prompt: None,
        login_hint: None,
        domain_hint: None,
    };
    let request = authorize_url(
        &params,
        &AuthorizeEntropy {
            verifier: random::<32>(p)?,
            state: random::<32>(p)?.to_vec(),
            nonce: random::<16>(p)?.to_vec(),
        },
    )?;
    let browser = hex(&random::<32>(p)?);
    let id = new_id(p)?;
    let now = p.now();
    db.insert_sign_in(
        &NewSignIn {
            id: &id,
            state_hash: &sha256_hex(request.state.as_str()),
            browser_hash: &sha256_hex(&browser),
            org_id: caller.org,
            ty,
            name: &name,
            description: description.as_deref(),
            tenant: &tenant.to_string(),
            endpoint: endpoint.as_deref(),
            reconnect_id: reconnect.as_ref().map(|r| r.id.as_str()),
            created_by: caller.label,
            now,
            expires_at: now + PENDING_LIFETIME_SECS,
        },
        request.code_verifier.expose(),
        AuditEvent {
            org: caller.org,
            actor: caller.actor,
            action: "oauth.start",
            target: reconnect.as_ref().map(|r| r.id.as_str()),
            outcome: "ok",
            detail: json!({ "type": ty, "name": name }),
        },
    )
    .await?;
    Ok((
        OAuthStarted {
            url: request.url,
            redirect_uri: cfg.redirect_uri(),
            expires_in: PENDING_LIFETIME_SECS,
        },
        browser_cookie(cfg, &browser, PENDING_LIFETIME_SECS),
    ))
}

fn state_error(message: &str) -> ApiError {
    ApiError::new(400, sign_in::refused(message))
}

fn refused(e: Error) -> ApiError {
    ApiError::new(400, e)
}

/// `GET …/oauth/callback?{query}` with the browser's `azconn_oauth` cookie: the connection id
/// it created or reconnected. The sign-in is looked up by its state, checked (unused,
/// unexpired, the same browser), only then claimed, and the outcome audited.
pub async fn complete<S: SignInStore, P: Platform>(
    db: &S,
    p: &P,
    cfg: &Config,
    query: &str,
    browser_cookie: Option<&str>,
) -> Result<String, ApiError> {
    let pairs = parse_query(query)?;
    let state = pairs
        .iter()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| state_error("the callback carries no state"))?;
    let now = p.now();
    let found = db.sign_in_by_state(&sha256_hex(&state)).await?;
    let pending = sign_in::usable(found, now).map_err(refused)?;
    // The browser check comes first: a callback from another browser must not spend the state
    // of the one that started the sign-in.
    let browser = browser_cookie.filter(|c| !c.is_empty());
    sign_in::same_browser(&pending, browser.map(sha256_hex).as_deref()).map_err(refused)?;
    // Single use: claim the row before anything is redeemed.
    if !db.claim_sign_in(&pending.id, now).await? {
        return Err(state_error(sign_in::ALREADY_USED));
    }
    let result = redeem_and_store(db, p, cfg, &pending, query, &state).await;
    db.audit(AuditEvent {
        org: &pending.org_id,
        actor: "oauth-callback",
        action: "oauth.callback",
        target: result.as_ref().ok().map(String::as_str),
        outcome: if result.is_ok() { "ok" } else { "failed" },
        detail: json!({ "type": pending.ty, "name": pending.name, "error": result.as_ref().err().map(|e| &e.error) }),
    })
    .await?;
    result
}

async fn redeem_and_store<S: SignInStore, P: Platform>(
    db: &S,
    p: &P,
    cfg: &Config,
    pending: &PendingSignIn,
    query: &str,
    state: &str,
) -> Result<String, ApiError> {
    let ty = pending.ty;
    let code = parse_callback(query, &State::parse(state)?)?;
    let app = cfg.oauth_app(ty)?;
    let verifier = db
        .secret(
            &pending.org_id,
            &pending.id,
            crate::secret_field::Field::CodeVerifier,
        )
        .await?
        .ok_or_else(|| state_error("the sign-in's verifier is gone"))?;
    db.drop_verifier(&pending.id).await?;
    let tenant = AuthorityTenant::parse(&pending.tenant)?;
    let req = token_request(
        &cfg.cloud,
        &tenant,
        &app.client_id,
        &ClientAuth::Secret(app.client_secret.clone()),
        &Grant::AuthorizationCode {
            code,
            redirect_uri: RedirectUri::parse(&cfg.redirect_uri())?,
            code_verifier: CodeVerifier::parse(&verifier)?,
            scopes: delegated_scopes(ty, &cfg.cloud, AppConfigurationAudience::Cloud)?,
        },
    )?;
    let token = redeem(p, &req).await?;
    let refresh = token.refresh_token.clone().ok_or_else(|| {
        ApiError::from(
            Error::new(
                Code::MalformedResponse,
                "Entra ID returned no refresh token",
            )
            .with_hint("the offline_access scope must be granted"),
        )
    })?;
    let claims = decode_unverified_claims(token.access_token.expose())?;
    let tid = claims.tid.clone().ok_or_else(|| {
        ApiError::from(Error::new(
            Code::MalformedJwt,
            "the access token carries no tenant (tid)",
        ))
    })?;
    let endpoint = pending
        .endpoint
        .as_deref()
        .map(|e| StoreEndpoint::parse(e, cfg.cloud.endpoints()))
        .transpose()?;
    let info = probe(
        p,
        ty,
        &cfg.cloud,
        endpoint.as_ref(),
        &token.access_token,
        false,
    )
    .await?;
    let info = json!({ "user": claims.username, "probe": info });
    let now = p.now();
    let id = match &pending.reconnect_id {
        Some(id) => {
            db.reconnect(&pending.org_id, id, &tid, &info, now).await?;
            id.clone()
        }
        None => {
            let id = new_id(p)?;
            db.insert(
                &NewConnection {
                    id: &id,
                    org_id: &pending.org_id,
                    ty,
                    method: Method::OAuth,
                    name: &pending.name,
                    description: pending.description.as_deref(),
                    tenant_id: &tid,
                    client_id: Some(&app.client_id.to_string()),
                    cloud: cfg.cloud.name(),
                    endpoint: pending.endpoint.as_deref(),
                    credential_info: &info,
                    created_by: pending.created_by.as_deref(),
                    now,
                },
                &[],
            )
            .await?;
            id
        }
    };
    db.store_tokens(&pending.org_id, &id, &refresh, &token)
        .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fakes::{
        APP, FakePlatform, MemoryStore, NOW, SECRET, Service, TENANT, block_on, jwt,
    };
    use crate::secret_field::Field;
    use azconn_core::http::HttpResponse;
    use serde_json::Value;

    const ORG: &str = "org1";
    const USER_TOKEN_SCOPES: &str = "Application.ReadWrite.All";

    use crate::fakes::oauth_config as config;

    fn caller() -> Caller<'static> {
        Caller {
            org: ORG,
            actor: "token1",
            label: "API token \"default\"",
        }
    }

    fn request(body: Value) -> OAuthStartRequest {
        serde_json::from_value(body).expect("request")
    }

    /// The user's delegated token and refresh token, as Entra answers a code redemption.
    fn redeemed() -> HttpResponse {
        let access =
            jwt(&json!({ "tid": TENANT, "scp": USER_TOKEN_SCOPES, "upn": "ada@contoso.example" }));
        HttpResponse::new(
            200,
            json!({ "token_type": "Bearer", "expires_in": 3599, "access_token": access,
                    "refresh_token": "1.AUEB-refresh-token-value" })
            .to_string(),
        )
    }

    /// The `state` of an authorize URL.
    fn state_of(url: &str) -> String {
        let query = url.split_once('?').map(|(_, q)| q).expect("query");
        parse_query(query)
            .expect("pairs")
            .into_iter()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v)
            .expect("state")
    }

    /// A started sign-in: the store, the platform, the callback query Entra would send and the
    /// browser cookie's value.
    fn started(body: Value) -> (MemoryStore, FakePlatform, String, String) {
        let db = MemoryStore::default();
        let p = FakePlatform::new();
        let (started, cookie) = block_on(start(
            &db,
            &p,
            &config(),
            &caller(),
            ConnectionType::AzureClientSecrets,
            &request(body),
        ))
        .expect("started");
        let state = state_of(&started.url);
        let value = cookie
            .strip_prefix("azconn_oauth=")
            .and_then(|c| c.split(';').next())
            .expect("cookie")
            .to_owned();
        let query = format!("code=0.AUEB-code&state={state}&session_state=s");
        (db, p, query, value)
    }

    #[test]
    fn start_stores_only_hashes_and_the_verifier_and_binds_the_browser() {
        let (db, _, query, cookie) = started(json!({ "name": "graph-oauth", "tenantId": TENANT }));
        let sign_ins = db.sign_ins.borrow();
        let (state_hash, pending) = &sign_ins[0];
        assert_eq!(pending.name, "graph-oauth");
        assert_eq!(pending.expires_at, NOW + PENDING_LIFETIME_SECS);
        assert_eq!(pending.browser_hash, sha256_hex(&cookie));
        assert_eq!(state_hash.len(), 64);
        assert!(!query.contains(state_hash.as_str()));
        assert_eq!(db.fields(&pending.id), ["codeVerifier"]);
        assert_eq!(db.actions(), [("oauth.start".to_owned(), "ok".to_owned())]);
        assert!(
            browser_cookie(&config(), &cookie, 600).ends_with("HttpOnly; SameSite=Lax; Secure")
        );
    }

    #[test]
    fn start_applies_the_form_rules_and_refuses_reconnecting_an_app_only_connection() {
        let db = MemoryStore::default();
        let p = FakePlatform::new();
        let cfg = config();
        for (body, field, code) in [
            (
                json!({ "name": "ok", "description": "d".repeat(100_000) }),
                "description",
                Code::TooLong,
            ),
            (
                json!({ "name": "ok", "description": "bell\u{7}" }),
                "description",
                Code::InvalidCharacter,
            ),
            (
                json!({ "name": "Bad Name" }),
                "name",
                Code::InvalidCharacter,
            ),
            (
                json!({ "name": "ok", "tenantId": "not a tenant" }),
                "tenantId",
                Code::InvalidCharacter,
            ),
        ] {
            let e = block_on(start(
                &db,
                &p,
                &cfg,
                &caller(),
                ConnectionType::AzureClientSecrets,
                &request(body.clone()),
            ))
            .expect_err("refused");
            assert_eq!(e.error.field.as_deref(), Some(field), "{body}");
            assert_eq!(e.error.code, code, "{body}");
        }
        let made = block_on(crate::connections::create(
            &db,
            &p,
            &cfg,
            &caller(),
            ConnectionType::AzureClientSecrets,
            &json!({ "name": "app-only", "method": "client-secret", "tenantId": TENANT, "clientId": APP, "clientSecret": SECRET }),
        ))
        .expect("created");
        let e = block_on(start(
            &db,
            &p,
            &cfg,
            &caller(),
            ConnectionType::AzureClientSecrets,
            &request(json!({ "reconnectId": made.app_connection.id })),
        ))
        .expect_err("not OAuth");
        assert_eq!(e.error.field.as_deref(), Some("reconnectId"));
        assert_eq!(e.error.code, Code::NotAllowed);
        assert!(db.sign_ins.borrow().is_empty());
    }

    #[test]
    fn the_callback_redeems_once_and_creates_the_delegated_connection() {
        let (db, p, query, cookie) = started(json!({ "name": "graph-oauth" }));
        p.answer(Service::Token, redeemed());
        let id = block_on(complete(&db, &p, &config(), &query, Some(&cookie))).expect("completed");
        let requests = p.requests.borrow();
        assert_eq!(requests.len(), 2, "the code redemption, then the probe");
        assert!(
            requests[0]
                .url
                .ends_with("/organizations/oauth2/v2.0/token")
        );
        assert!(requests[0].body.contains("grant_type=authorization_code"));
        assert!(requests[0].body.contains("code_verifier="));
        let row = db.row(&id).expect("connection");
        assert_eq!(row.method, Method::OAuth);
        assert_eq!(
            row.tenant_id, TENANT,
            "the tenant comes from the token's tid"
        );
        assert_eq!(row.name, "graph-oauth");
        assert_eq!(db.fields(&id), ["accessToken", "refreshToken"]);
        assert_eq!(
            db.secret_of(&id, Field::RefreshToken).as_deref(),
            Some("1.AUEB-refresh-token-value")
        );
        let pending_id = db.sign_ins.borrow()[0].1.id.clone();
        assert!(db.fields(&pending_id).is_empty(), "the verifier is gone");
        drop(requests);
        let replay =
            block_on(complete(&db, &p, &config(), &query, Some(&cookie))).expect_err("replay");
        assert_eq!(replay.error.message, sign_in::ALREADY_USED);
        assert_eq!(db.connections.borrow().len(), 1);
        assert_eq!(
            db.actions(),
            [
                ("oauth.start".to_owned(), "ok".to_owned()),
                ("oauth.callback".to_owned(), "ok".to_owned())
            ]
        );
    }

    #[test]
    fn another_browser_does_not_spend_the_state() {
        let (db, p, query, cookie) = started(json!({ "name": "bound" }));
        for other in [None, Some(""), Some("0000")] {
            let e =
                block_on(complete(&db, &p, &config(), &query, other)).expect_err("other browser");
            assert_eq!(e.error.code, Code::StateMismatch);
            assert_eq!(
                e.error.message,
                "this sign-in was started in another browser"
            );
        }
        assert!(db.sign_ins.borrow()[0].1.used_at.is_none(), "still usable");
        assert!(p.requests.borrow().is_empty(), "nothing redeemed");
        p.answer(Service::Token, redeemed());
        block_on(complete(&db, &p, &config(), &query, Some(&cookie)))
            .expect("the right browser completes");
    }

    #[test]
    fn unknown_and_expired_states_are_refused_before_anything_is_redeemed() {
        let (db, p, query, cookie) = started(json!({ "name": "late" }));
        let unknown = block_on(complete(
            &db,
            &p,
            &config(),
            "code=c&state=AAAA",
            Some(&cookie),
        ))
        .expect_err("unknown");
        assert_eq!(unknown.error.message, "this sign-in is unknown");
        let none =
            block_on(complete(&db, &p, &config(), "code=c", Some(&cookie))).expect_err("no state");
        assert_eq!(none.error.message, "the callback carries no state");
        p.now.set(NOW + PENDING_LIFETIME_SECS);
        let late =
            block_on(complete(&db, &p, &config(), &query, Some(&cookie))).expect_err("expired");
        assert_eq!(late.error.message, "this sign-in expired (10 minutes)");
        assert!(p.requests.borrow().is_empty());
    }

    #[test]
    fn an_entra_refusal_or_a_grant_without_refresh_token_creates_nothing_and_is_audited() {
        let invalid_grant = HttpResponse::new(
            400,
            json!({ "error": "invalid_grant", "error_description": "AADSTS70008: The provided authorization code or refresh token has expired.", "error_codes": [70008] }).to_string(),
        );
        let no_refresh = HttpResponse::new(
            200,
            json!({ "token_type": "Bearer", "expires_in": 3599, "access_token": jwt(&json!({ "tid": TENANT, "scp": USER_TOKEN_SCOPES })) }).to_string(),
        );
        for (resp, code) in [
            (invalid_grant, None),
            (no_refresh, Some(Code::MalformedResponse)),
        ] {
            let (db, p, query, cookie) = started(json!({ "name": "refused" }));
            p.answer(Service::Token, resp);
            let e =
                block_on(complete(&db, &p, &config(), &query, Some(&cookie))).expect_err("refused");
            if let Some(code) = code {
                assert_eq!(e.error.code, code);
            }
            assert!(
                e.error.message.contains("AADSTS70008") || code.is_some(),
                "{:?}",
                e.error
            );
            assert!(db.connections.borrow().is_empty());
            assert_eq!(
                db.actions().last().expect("audited"),
                &("oauth.callback".to_owned(), "failed".to_owned())
            );
            let audited = db.audit.borrow().last().expect("entry").detail.to_string();
            assert!(
                !audited.contains("refresh-token-value") && !audited.contains("0.AUEB-code"),
                "{audited}"
            );
        }
    }

    #[test]
    fn a_reconnect_keeps_the_connection_and_takes_the_new_tenant() {
        let db = MemoryStore::default();
        let p = FakePlatform::new();
        let cfg = config();
        let (query, cookie) = {
            let (first_db, first_p, query, cookie) = started(json!({ "name": "delegated" }));
            first_p.answer(Service::Token, redeemed());
            let id = block_on(complete(&first_db, &first_p, &cfg, &query, Some(&cookie)))
                .expect("created");
            db.connections
                .borrow_mut()
                .push(first_db.row(&id).expect("row"));
            let (started, cookie) = block_on(start(
                &db,
                &p,
                &cfg,
                &caller(),
                ConnectionType::AzureClientSecrets,
                &request(json!({ "reconnectId": id })),
            ))
            .expect("reconnect started");
            let state = state_of(&started.url);
            let value = cookie
                .split(';')
                .next()
                .and_then(|c| c.strip_prefix("azconn_oauth="))
                .expect("cookie")
                .to_owned();
            (format!("code=c2&state={state}"), value)
        };
        p.answer(Service::Token, redeemed());
        let id = block_on(complete(&db, &p, &cfg, &query, Some(&cookie))).expect("reconnected");
        assert_eq!(
            db.reconnects.borrow().as_slice(),
            [(id.clone(), TENANT.to_owned())]
        );
        assert_eq!(db.connections.borrow().len(), 1);
    }
}
