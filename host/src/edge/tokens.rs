//! A connection's access token in the Worker: `crate::connection_tokens` over D1 (`store`),
//! Fetch, WebCrypto and `setTimeout` (`azure::Edge`).

use super::azure::Edge;
use super::reply::ApiError;
use super::store::{Field, Secret, Storage};
use crate::config::Config;
use crate::connection_store::TokenStore;
use crate::connection_tokens::{self, expiry};
use crate::records::Connection;
use crate::token_flight::Token;
use azconn_core::error::Error;
use azconn_core::oauth::token::{AccessToken, RefreshToken, TokenResponse};

/// A token for the connection's resource (see `connection_tokens::token`).
pub async fn token_for(
    db: &Storage<'_>,
    cfg: &Config,
    row: &Connection,
) -> Result<(AccessToken, i64), ApiError> {
    connection_tokens::token(db, &Edge, cfg, row, None).await
}

/// [`token_for`] when the cached token was already read (with the connection, in one round
/// trip): the first look at the cache uses it.
pub async fn token_with_cached(
    db: &Storage<'_>,
    cfg: &Config,
    row: &Connection,
    cached: Option<Secret>,
) -> Result<(AccessToken, i64), ApiError> {
    connection_tokens::token(db, &Edge, cfg, row, Some(token_of(cached)?)).await
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

impl TokenStore for Storage<'_> {
    async fn cached_token(&self, org: &str, id: &str) -> Result<Option<Token>, ApiError> {
        token_of(self.secret(org, id, Field::AccessToken).await?)
    }

    async fn take_lease(
        &self,
        connection: &str,
        holder: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, ApiError> {
        Storage::take_lease(self, connection, holder, now, until).await
    }

    async fn release_lease(&self, connection: &str, holder: &str) -> Result<(), ApiError> {
        Storage::release_lease(self, connection, holder).await
    }

    async fn mark_needs_reauth(&self, id: &str, e: &Error, now: i64) -> Result<(), ApiError> {
        Storage::mark_needs_reauth(self, id, e, now).await
    }

    async fn bump_version(&self, id: &str, version: i64) -> Result<bool, ApiError> {
        Storage::bump_version(self, id, version).await
    }
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
