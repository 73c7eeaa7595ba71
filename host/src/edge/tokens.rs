//! A connection's access token: the single-flight decisions of `crate::token_flight` over the
//! D1 cache and lease, and Azure over Fetch (the OAuth refresh, or client credentials).

use super::azure::{client_credentials, redeem};
use super::reply::{ApiError, not_found};
use super::runtime::{new_id, now_s};
use super::store::{Field, Secret, Storage};
use crate::config::Config;
use crate::credentials::{app_credential, stored_credential};
use crate::records::{Connection, ConnectionStatus};
use crate::token_flight::{self, LEASE_POLL_MS, Token, TokenSource};
use azconn_core::cloud::Cloud;
use azconn_core::error::{Code, Error};
use azconn_core::form::{ConnectionType, Method};
use azconn_core::ids::AuthorityTenant;
use azconn_core::oauth::authorize::{AppConfigurationAudience, delegated_scopes, resource_scope};
use azconn_core::oauth::token::{
    AccessToken, ClientAuth, Grant, RefreshToken, TokenResponse, token_request,
};
use std::cell::RefCell;
use std::time::Duration;
use worker::Delay;

/// The `.default` scope of a connection type's resource (Graph or App Configuration).
pub fn scope(ty: ConnectionType, cloud: &Cloud) -> Result<String, Error> {
    resource_scope(ty, cloud, AppConfigurationAudience::Cloud)
}

/// A token for the connection's resource (see `token_flight::acquire`).
pub async fn token_for(
    db: &Storage<'_>,
    cfg: &Config,
    row: &Connection,
) -> Result<(AccessToken, i64), ApiError> {
    let holder = new_id()?;
    let source = D1Tokens {
        db,
        cfg,
        row,
        prefetched: RefCell::new(None),
    };
    token_flight::acquire(&source, &holder).await
}

/// [`token_for`] when the cached token was already read (with the connection, in one round
/// trip): the first look at the cache uses it.
pub async fn token_with_cached(
    db: &Storage<'_>,
    cfg: &Config,
    row: &Connection,
    cached: Option<Secret>,
) -> Result<(AccessToken, i64), ApiError> {
    let holder = new_id()?;
    let source = D1Tokens {
        db,
        cfg,
        row,
        prefetched: RefCell::new(Some(cached)),
    };
    token_flight::acquire(&source, &holder).await
}

struct D1Tokens<'a> {
    db: &'a Storage<'a>,
    cfg: &'a Config,
    row: &'a Connection,
    /// The cache as already read, taken by the first look.
    prefetched: RefCell<Option<Option<Secret>>>,
}

fn token_of(cached: Option<Secret>) -> Result<Option<Token>, ApiError> {
    Ok(match cached {
        Some(Secret {
            value,
            expires_at: Some(exp),
        }) => Some((AccessToken::parse(&value)?, exp)),
        _ => None,
    })
}

impl TokenSource for D1Tokens<'_> {
    type Error = ApiError;

    async fn cached(&self) -> Result<Option<Token>, ApiError> {
        let prefetched = self.prefetched.borrow_mut().take();
        let cached = match prefetched {
            Some(cached) => cached,
            None => {
                self.db
                    .secret(&self.row.org_id, &self.row.id, Field::AccessToken)
                    .await?
            }
        };
        token_of(cached)
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
        // A dead grant (invalid_grant: expired, revoked) stays dead until the user reconnects,
        // which sets the status back to active: never redeem it again.
        if latest.method == Method::OAuth && latest.status == ConnectionStatus::NeedsReauth {
            return Err(stored_error(&latest).into());
        }
        let token = if latest.method == Method::OAuth {
            refresh(self.db, self.cfg, &latest).await?
        } else {
            let creds = stored_credential(self.db, &latest).await?;
            let (tenant, client_id, credential, _) = app_credential(&creds, None)?;
            client_credentials(
                &self.cfg.cloud,
                &tenant,
                &client_id,
                &credential,
                scope(latest.ty, &self.cfg.cloud)?,
            )
            .await?
        };
        cache_token(self.db, &latest.org_id, &latest.id, &token).await?;
        let expires_at = expiry(&token);
        Ok((token.access_token, expires_at))
    }

    async fn pause(&self) {
        Delay::from(Duration::from_millis(LEASE_POLL_MS)).await;
    }

    fn now(&self) -> i64 {
        now_s()
    }
}

fn expiry(token: &TokenResponse) -> i64 {
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

/// Caches the access token until its expiry.
pub async fn cache_token(
    db: &Storage<'_>,
    org: &str,
    id: &str,
    token: &TokenResponse,
) -> Result<(), ApiError> {
    db.store_secrets(
        org,
        id,
        &[(
            Field::AccessToken,
            token.access_token.expose(),
            Some(expiry(token)),
        )],
    )
    .await
}

/// Stores a delegated connection's refresh token and its access token together.
pub async fn store_tokens(
    db: &Storage<'_>,
    org: &str,
    id: &str,
    refresh: &RefreshToken,
    token: &TokenResponse,
) -> Result<(), ApiError> {
    db.store_secrets(
        org,
        id,
        &[
            (Field::RefreshToken, refresh.expose(), None),
            (
                Field::AccessToken,
                token.access_token.expose(),
                Some(expiry(token)),
            ),
        ],
    )
    .await
}

/// Redeems the stored refresh token. Only the caller that wins the compare-and-swap on the
/// connection's version stores the new tokens; a loser uses the winner's access token.
/// `invalid_grant` turns the connection to needs-reauth.
async fn refresh(
    db: &Storage<'_>,
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
        })?
        .value;
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
    let token = match redeem(&req).await {
        Ok(t) => t,
        Err(e) if e.code == Code::ReauthRequired => {
            let e = e.with_hint(
                "Reconnect to Azure: POST .../oauth/start with {\"reconnectId\": \"<id>\"} and sign in again",
            );
            db.mark_needs_reauth(&row.id, &e, now_s()).await?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    if db.bump_version(&row.id, row.version).await? {
        let new_rt = match &token.refresh_token {
            Some(t) => t.clone(),
            None => RefreshToken::parse(&rt)?,
        };
        store_tokens(db, &row.org_id, &row.id, &new_rt, &token).await?;
    }
    Ok(token)
}
