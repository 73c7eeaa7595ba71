//! App Configuration access-key authentication: HMAC-SHA256 request signing (protocols.md §5.3;
//! azure-docs `rest-api-authentication-hmac.md`).
//!
//! `String-To-Sign = METHOD \n path_and_query \n x-ms-date;host;x-ms-content-sha256 values`,
//! signed with the base64-decoded `Secret`. The path and query are taken from the request URL
//! exactly as it goes on the wire, so what is signed is what the store sees.

use crate::base64;
use crate::cloud::{Cloud, HostPattern, StoreEndpoint};
use crate::datetime;
use crate::error::{Code, Error};
use crate::http::{HttpRequest, Origin};
use crate::link;
use crate::prelude::*;
use core::fmt;
use sha2::{Digest, Sha256};

/// The headers signed, in this order (no whitespace: the service rejects it).
pub const SIGNED_HEADERS: &str = "x-ms-date;host;x-ms-content-sha256";

/// An access key from a store's connection string. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    endpoint: Origin,
    id: String,
    secret: Vec<u8>,
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("endpoint", &self.endpoint)
            .field("id", &self.id)
            .field("secret", &format_args!("<redacted>"))
            .finish()
    }
}

const FIELD: &str = "connectionString";

fn bad(code: Code, message: impl Into<String>) -> Error {
    Error::field(FIELD, code, message).with_hint(
        "copy the whole connection string from the store's Access settings: Endpoint=https://<store>.azconfig.io;Id=<id>;Secret=<secret>",
    )
}

impl AccessKey {
    /// Parses `Endpoint=...;Id=...;Secret=...` (names case-insensitive, any order). The endpoint
    /// must be a store of `cloud`; with a custom cloud a loopback origin (the local emulator)
    /// is accepted too.
    pub fn parse_connection_string(input: &str, cloud: &Cloud) -> Result<AccessKey, Error> {
        let (mut endpoint, mut id, mut secret) = (None, None, None);
        for part in input.trim().split(';').filter(|p| !p.trim().is_empty()) {
            let Some((name, value)) = part.split_once('=') else {
                return Err(bad(
                    Code::InvalidFormat,
                    "each part of the connection string must be Name=Value",
                ));
            };
            let slot = match name.trim().to_ascii_lowercase().as_str() {
                "endpoint" => &mut endpoint,
                "id" => &mut id,
                "secret" => &mut secret,
                _ => {
                    return Err(bad(
                        Code::InvalidFormat,
                        "a connection string has only Endpoint, Id and Secret",
                    ));
                }
            };
            if slot.replace(value.trim()).is_some() {
                return Err(bad(
                    Code::InvalidFormat,
                    format!("{} appears twice in the connection string", name.trim()),
                ));
            }
        }
        let (Some(endpoint), Some(id), Some(secret)) = (endpoint, id, secret) else {
            return Err(bad(
                Code::Required,
                "the connection string needs Endpoint, Id and Secret",
            ));
        };
        let endpoint = store_origin(endpoint, cloud)?;
        if id.is_empty()
            || id
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '&')
        {
            return Err(bad(
                Code::InvalidCharacter,
                "the Id must be non-empty without spaces, control characters or '&'",
            ));
        }
        let secret = base64::decode(secret)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad(Code::InvalidFormat, "the Secret is not base64"))?;
        Ok(AccessKey {
            endpoint,
            id: id.to_owned(),
            secret,
        })
    }

    /// The store this key belongs to.
    pub fn endpoint(&self) -> &Origin {
        &self.endpoint
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

fn store_origin(endpoint: &str, cloud: &Cloud) -> Result<Origin, Error> {
    let endpoints = cloud.endpoints();
    match StoreEndpoint::parse(endpoint, endpoints) {
        Ok(store) => Ok(store.origin().clone()),
        Err(e) => match (cloud, Origin::parse(endpoint)) {
            (Cloud::Custom(_), Ok(origin)) if origin.is_loopback() => {
                // Emulator: accept the loopback origin as its own single-host pattern.
                let mut with_loopback = endpoints.clone();
                with_loopback
                    .app_configuration_hosts
                    .to_mut()
                    .push(HostPattern::parse(&origin.authority())?);
                StoreEndpoint::parse(endpoint, &with_loopback).map(|s| s.origin().clone())
            }
            _ => Err(e.at(FIELD)),
        },
    }
}

/// `base64(SHA-256(body))`, sent even for an empty body.
pub fn content_sha256(body: &str) -> String {
    base64::encode(Sha256::digest(body.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104 with SHA-256, 64-byte blocks).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The request target (`/kv/a?api-version=...`) of an absolute URL.
fn request_target(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let rest = url.get(after_scheme..).unwrap_or("");
    match rest.find(['/', '?']) {
        Some(i) => rest.get(i..).unwrap_or("/"),
        None => "/",
    }
}

/// The string the signature covers.
pub fn string_to_sign(method: &str, target: &str, date: &str, host: &str, hash: &str) -> String {
    format!("{method}\n{target}\n{date};{host};{hash}")
}

/// Signs `req` for the key's store at `now` (unix seconds): adds `x-ms-date`,
/// `x-ms-content-sha256` and `authorization`. The `Host` the signature covers is the store's
/// `host[:port]`, which HTTP clients send from the URL. Refuses to sign for another origin.
pub fn sign(req: HttpRequest, key: &AccessKey, now: i64) -> Result<HttpRequest, Error> {
    link::same_origin(&req.url, &key.endpoint, "url")?;
    let date = datetime::format_http_date(now);
    let hash = content_sha256(&req.body);
    let host = key.endpoint.authority();
    let sts = string_to_sign(
        req.method.as_str(),
        request_target(&req.url),
        &date,
        &host,
        &hash,
    );
    let signature = base64::encode(hmac_sha256(&key.secret, sts.as_bytes()));
    let authorization = format!(
        "HMAC-SHA256 Credential={}&SignedHeaders={SIGNED_HEADERS}&Signature={signature}",
        key.id
    );
    Ok(req
        .with_header("x-ms-date", date)
        .with_header("x-ms-content-sha256", hash)
        .with_header("authorization", authorization))
}

#[cfg(test)]
mod tests;
