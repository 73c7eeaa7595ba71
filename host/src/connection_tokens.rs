//! A stored connection's access token: the single flight of `token_flight` over a
//! [`TokenStore`] and the platform. The lease holder asks Azure: a delegated connection redeems
//! its refresh token (only the caller that wins the compare-and-swap on the version stores the
//! new tokens; `invalid_grant` turns the connection to needs-reauth, and a dead grant is never
//! redeemed again), an app-only one uses client credentials with its stored credential.

use crate::api_error::{ApiError, not_found};
use crate::config::Config;
use crate::connection_store::TokenStore;
use crate::credentials::{app_credential, stored_credential};
use crate::platform::{Platform, new_id};
use crate::records::{Connection, ConnectionStatus};
use crate::secret_field::Field;
use crate::token_endpoint::{client_credentials, redeem};
use crate::token_flight::{self, LEASE_POLL_MS, Token, TokenSource};
use azconn_core::error::{Code, Error};
use azconn_core::form::Method;
use azconn_core::ids::AuthorityTenant;
use azconn_core::oauth::authorize::{AppConfigurationAudience, delegated_scopes, resource_scope};
use azconn_core::oauth::token::{ClientAuth, Grant, RefreshToken, TokenResponse, token_request};
use std::cell::RefCell;

/// A token for the connection's resource; `prefetched` is the cache as already read (with the
/// connection, in one round trip), used by the first look.
pub async fn token<S: TokenStore, P: Platform>(
    db: &S,
    p: &P,
    cfg: &Config,
    row: &Connection,
    prefetched: Option<Option<Token>>,
) -> Result<Token, ApiError> {
    let holder = new_id(p)?;
    let source = Source {
        db,
        p,
        cfg,
        row,
        prefetched: RefCell::new(prefetched),
    };
    token_flight::acquire(&source, &holder).await
}

struct Source<'a, S, P> {
    db: &'a S,
    p: &'a P,
    cfg: &'a Config,
    row: &'a Connection,
    prefetched: RefCell<Option<Option<Token>>>,
}

pub fn expiry(token: &TokenResponse) -> i64 {
    i64::try_from(token.expires_at).unwrap_or(0)
}

/// The error a connection's status records, e.g. the `reauth-required` of a dead grant.
fn stored_error(row: &Connection) -> Error {
    row.last_error.clone().unwrap_or_else(|| {
        Error::new(
            Code::ReauthRequired,
            "the connection needs to be reconnected to Azure",
        )
    })
}

impl<S: TokenStore, P: Platform> TokenSource for Source<'_, S, P> {
    type Error = ApiError;

    async fn cached(&self) -> Result<Option<Token>, ApiError> {
        let prefetched = self.prefetched.borrow_mut().take();
        match prefetched {
            Some(cached) => Ok(cached),
            None => self.db.cached_token(&self.row.org_id, &self.row.id).await,
        }
    }

    async fn take_lease(&self, holder: &str, now: i64, until: i64) -> Result<bool, ApiError> {
        self.db.take_lease(&self.row.id, holder, now, until).await
    }

    async fn release_lease(&self, holder: &str) -> Result<(), ApiError> {
        self.db.release_lease(&self.row.id, holder).await
    }

    async fn fresh(&self) -> Result<Token, ApiError> {
        // The latest row: a refresh by the previous holder moved its version, which this
        // refresh's compare-and-swap needs.
        let latest = self
            .db
            .connection(&self.row.org_id, self.row.ty, &self.row.id)
            .await?
            .ok_or_else(|| not_found("connection"))?;
        if latest.method == Method::OAuth && latest.status == ConnectionStatus::NeedsReauth {
            return Err(stored_error(&latest).into());
        }
        let token = if latest.method == Method::OAuth {
            refresh(self.db, self.p, self.cfg, &latest).await?
        } else {
            let creds = stored_credential(self.db, &latest).await?;
            let (tenant, client_id, credential, _) = app_credential(&creds, None)?;
            let scope =
                resource_scope(latest.ty, &self.cfg.cloud, AppConfigurationAudience::Cloud)?;
            client_credentials(
                self.p,
                &self.cfg.cloud,
                &tenant,
                &client_id,
                &credential,
                scope,
            )
            .await?
        };
        self.db
            .cache_token(&latest.org_id, &latest.id, &token)
            .await?;
        let expires_at = expiry(&token);
        Ok((token.access_token, expires_at))
    }

    async fn pause(&self) {
        self.p.pause(LEASE_POLL_MS).await;
    }

    fn now(&self) -> i64 {
        self.p.now()
    }
}

/// Redeems the stored refresh token (see the module doc).
async fn refresh<S: TokenStore, P: Platform>(
    db: &S,
    p: &P,
    cfg: &Config,
    row: &Connection,
) -> Result<TokenResponse, ApiError> {
    let app = cfg.oauth_app(row.ty)?;
    let rt = db
        .secret(&row.org_id, &row.id, Field::RefreshToken)
        .await?
        .ok_or_else(|| {
            ApiError::from(Error::new(
                Code::ReauthRequired,
                "no refresh token is stored",
            ))
        })?;
    let req = token_request(
        &cfg.cloud,
        &AuthorityTenant::parse(&row.tenant_id)?,
        &app.client_id,
        &ClientAuth::Secret(app.client_secret.clone()),
        &Grant::RefreshToken {
            refresh_token: RefreshToken::parse(&rt)?,
            scopes: delegated_scopes(row.ty, &cfg.cloud, AppConfigurationAudience::Cloud)?,
        },
    )?;
    let token = match redeem(p, &req).await {
        Ok(t) => t,
        Err(e) if e.code == Code::ReauthRequired => {
            let e = e.with_hint(
                "Reconnect to Azure: POST .../oauth/start with {\"reconnectId\": \"<id>\"} and sign in again",
            );
            db.mark_needs_reauth(&row.id, &e, p.now()).await?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    if db.bump_version(&row.id, row.version).await? {
        let new_rt = match &token.refresh_token {
            Some(t) => t.clone(),
            None => RefreshToken::parse(&rt)?,
        };
        db.store_tokens(&row.org_id, &row.id, &new_rt, &token)
            .await?;
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection_store::ConnectionStore;
    use crate::fakes::{
        APP, FakePlatform, MemoryStore, NOW, SECRET, Service, TENANT, block_on, graph_token, jwt,
        token_response,
    };
    use crate::records::NewConnection;
    use crate::token_flight::TOKEN_MARGIN_SECS;
    use azconn_core::form::ConnectionType;
    use azconn_core::http::HttpResponse;
    use azconn_core::oauth::token::AccessToken;
    use serde_json::json;

    use crate::fakes::oauth_config as config;

    /// A store with one connection of `method` and its stored secrets.
    fn stored(method: Method) -> (MemoryStore, Connection) {
        let db = MemoryStore::default();
        let secrets = match method {
            Method::OAuth => vec![(Field::RefreshToken, "1.AUEB-old-refresh".to_owned())],
            _ => vec![(Field::ClientSecret, SECRET.to_owned())],
        };
        block_on(db.insert(
            &NewConnection {
                id: "c1",
                org_id: "org1",
                ty: ConnectionType::AzureClientSecrets,
                method,
                name: "graph",
                description: None,
                tenant_id: TENANT,
                client_id: Some(APP),
                cloud: "global",
                endpoint: None,
                credential_info: &json!({}),
                created_by: None,
                now: NOW,
            },
            &secrets,
        ))
        .expect("inserted");
        let row = db.row("c1").expect("row");
        (db, row)
    }

    fn refreshed(refresh: Option<&str>) -> HttpResponse {
        let mut body = json!({ "token_type": "Bearer", "expires_in": 3599,
            "access_token": jwt(&json!({ "tid": TENANT, "scp": "Application.ReadWrite.All" })) });
        if let Some(r) = refresh {
            body["refresh_token"] = json!(r);
        }
        HttpResponse::new(200, body.to_string())
    }

    #[test]
    fn an_app_only_connection_gets_client_credentials_with_its_stored_secret_and_caches_it() {
        let (db, row) = stored(Method::ClientSecret);
        let p = FakePlatform::new();
        let (got, exp) = block_on(token(&db, &p, &config(), &row, None)).expect("token");
        assert_eq!(got.expose(), graph_token());
        assert_eq!(exp, NOW + 3599);
        let requests = p.requests.borrow();
        assert_eq!(requests.len(), 1);
        assert!(requests[0].body.contains("grant_type=client_credentials"));
        assert_eq!(
            db.secret_of("c1", Field::AccessToken).as_deref(),
            Some(graph_token().as_str())
        );
        assert!(db.lease.borrow().is_none(), "the lease is released");
        drop(requests);
        // A second call uses the cache.
        block_on(token(&db, &p, &config(), &row, None)).expect("cached");
        assert_eq!(p.requests.borrow().len(), 1);
    }

    #[test]
    fn a_prefetched_cache_far_from_expiry_asks_nothing() {
        let (db, row) = stored(Method::ClientSecret);
        let p = FakePlatform::new();
        let cached = (
            AccessToken::parse("cached").expect("t"),
            NOW + TOKEN_MARGIN_SECS + 60,
        );
        let (t, _) = block_on(token(&db, &p, &config(), &row, Some(Some(cached)))).expect("token");
        assert_eq!(t.expose(), "cached");
        assert!(p.requests.borrow().is_empty());
    }

    #[test]
    fn a_refresh_that_wins_the_version_stores_the_rotated_refresh_token() {
        let (db, row) = stored(Method::OAuth);
        let p = FakePlatform::new();
        p.answer(Service::Token, refreshed(Some("1.AUEB-new-refresh")));
        block_on(token(&db, &p, &config(), &row, None)).expect("token");
        assert!(
            p.requests.borrow()[0]
                .body
                .contains("grant_type=refresh_token")
        );
        assert!(
            p.requests.borrow()[0]
                .body
                .contains("refresh_token=1.AUEB-old-refresh")
        );
        assert_eq!(
            db.secret_of("c1", Field::RefreshToken).as_deref(),
            Some("1.AUEB-new-refresh")
        );
        assert_eq!(db.row("c1").expect("row").version, 2);
    }

    #[test]
    fn a_refresh_that_lost_the_version_keeps_the_winners_tokens() {
        let (db, row) = stored(Method::OAuth);
        db.concurrent_write.set(true);
        let p = FakePlatform::new();
        p.answer(Service::Token, refreshed(Some("1.AUEB-loser-refresh")));
        block_on(token(&db, &p, &config(), &row, None)).expect("token");
        assert_eq!(
            db.secret_of("c1", Field::RefreshToken).as_deref(),
            Some("1.AUEB-old-refresh"),
            "only the winner of the compare-and-swap stores tokens"
        );
    }

    #[test]
    fn invalid_grant_marks_the_connection_and_a_dead_grant_is_never_redeemed_again() {
        let (db, row) = stored(Method::OAuth);
        let p = FakePlatform::new();
        p.answer(
            Service::Token,
            HttpResponse::new(
                400,
                json!({ "error": "invalid_grant", "error_description": "AADSTS700082: The refresh token has expired due to inactivity.", "error_codes": [700082] }).to_string(),
            ),
        );
        let e = block_on(token(&db, &p, &config(), &row, None)).expect_err("dead");
        assert_eq!(e.error.code, Code::ReauthRequired);
        assert!(
            e.error
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("reconnectId"))
        );
        assert_eq!(
            db.row("c1").expect("row").status,
            ConnectionStatus::NeedsReauth
        );
        let again = block_on(token(&db, &p, &config(), &row, None)).expect_err("still dead");
        assert_eq!(again.error.code, Code::ReauthRequired);
        assert_eq!(p.requests.borrow().len(), 1, "no second redemption");
        assert!(db.lease.borrow().is_none());
    }

    #[test]
    fn a_waiter_uses_the_token_the_lease_holder_cached() {
        let (db, row) = stored(Method::ClientSecret);
        *db.lease.borrow_mut() = Some(("other".into(), NOW + 30));
        block_on(db.cache_token("org1", "c1", &{
            let resp = token_response("theirs");
            azconn_core::oauth::token::parse_token_response(&resp, 0).expect("token")
        }))
        .expect("cached");
        // The other holder's token is already near expiry: this caller waits for the lease.
        db.token_expiry.borrow_mut().insert("c1".into(), NOW + 10);
        let p = FakePlatform::new();
        let (t, _) = block_on(token(&db, &p, &config(), &row, None)).expect("token");
        assert!(p.pauses.get() > 0, "it waited");
        assert_eq!(
            t.expose(),
            graph_token(),
            "then took the expired lease and asked"
        );
    }
}
