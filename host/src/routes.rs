//! The API surface as one table: every route the Worker serves under `/api/v1`, parsed from
//! the method and path before any handler runs. host/README.md documents exactly these
//! patterns (a test holds the two together).

use crate::api_error::{ApiError, not_found};
use crate::records::from_wire_name;
use azconn_core::form::ConnectionType;

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    const ALL: [Method; 4] = [Method::Get, Method::Post, Method::Patch, Method::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn parse(method: &str) -> Option<Method> {
        match method {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
}

/// One API route with its path parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    Health,
    CreateSession,
    DeleteSession,
    CreateOrganization,
    CreateToken { org: &'a str },
    ListTokens { org: &'a str },
    RevokeToken { org: &'a str, token: &'a str },
    Session,
    AuditLog,
    ConnectionOptions,
    ListConnections { ty: ConnectionType },
    CreateConnection { ty: ConnectionType },
    OAuthStart { ty: ConnectionType },
    GetConnection { ty: ConnectionType, id: &'a str },
    UpdateConnection { ty: ConnectionType, id: &'a str },
    DeleteConnection { ty: ConnectionType, id: &'a str },
    ValidateConnection { ty: ConnectionType, id: &'a str },
    ListClients { id: &'a str },
    ConnectionToken { ty: ConnectionType, id: &'a str },
    CreateRotation,
    ListRotations,
    GetRotation { id: &'a str },
    Rotate { id: &'a str },
    RotationSecret { id: &'a str },
    CreateSync,
    ListSyncs,
    GetSync { id: &'a str },
    RunSync { id: &'a str },
    DeleteRotation { id: &'a str },
    DeleteSync { id: &'a str },
    UpdateSync { id: &'a str },
    UpdateRotation { id: &'a str },
    EncryptionStatus,
    Reseal,
    OpenApi,
    ListLeftovers,
    GetLeftover { id: &'a str },
    DeleteLeftover { id: &'a str },
}

/// Why a request matched no route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    Route,
    /// `/app-connections/{type}` with a type azconn does not have.
    ConnectionType,
    /// The path is served with these methods only (RFC 9110 §15.5.6: a `405` with `Allow`).
    Method(Vec<Method>),
}

impl Unmatched {
    /// The API's answer for a request with `method` that matched no route.
    pub fn error(&self, method: &str) -> ApiError {
        match self {
            Unmatched::Route => not_found("route"),
            Unmatched::ConnectionType => not_found("connection type"),
            Unmatched::Method(allow) => ApiError::method_not_allowed(
                method,
                &allow.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            ),
        }
    }
}

const ROTATIONS: &str = "secret-rotations";
const ROTATION_KIND: &str = "azure-client-secret";
/// Rotations deleted with their secrets kept (not a rotation id: ids are GUIDs).
const LEFTOVERS: &str = "leftover-secrets";
const SYNCS: &str = "secret-syncs";
const SYNC_KIND: &str = "azure-app-configuration";

/// Every route's documented pattern (`METHOD /path` under `/api/v1`), one per [`Route`].
pub const PATTERNS: &[&str] = &[
    "GET /health",
    "POST /sessions",
    "DELETE /sessions",
    "POST /organizations",
    "POST /organizations/{id}/tokens",
    "GET /organizations/{id}/tokens",
    "DELETE /organizations/{id}/tokens/{tokenId}",
    "GET /session",
    "GET /audit-log",
    "GET /app-connections/options",
    "GET /app-connections/{type}",
    "POST /app-connections/{type}",
    "POST /app-connections/{type}/oauth/start",
    "GET /app-connections/{type}/{id}",
    "PATCH /app-connections/{type}/{id}",
    "DELETE /app-connections/{type}/{id}",
    "POST /app-connections/{type}/{id}/validate",
    "GET /app-connections/azure-client-secrets/{id}/clients",
    "POST /app-connections/{type}/{id}/token",
    "POST /secret-rotations/azure-client-secret",
    "GET /secret-rotations/azure-client-secret",
    "GET /secret-rotations/azure-client-secret/{id}",
    "POST /secret-rotations/azure-client-secret/{id}/rotate",
    "POST /secret-rotations/azure-client-secret/{id}/secret",
    "POST /secret-syncs/azure-app-configuration",
    "GET /secret-syncs/azure-app-configuration",
    "GET /secret-syncs/azure-app-configuration/{id}",
    "POST /secret-syncs/azure-app-configuration/{id}/run",
    "DELETE /secret-rotations/azure-client-secret/{id}",
    "DELETE /secret-syncs/azure-app-configuration/{id}",
    "PATCH /secret-syncs/azure-app-configuration/{id}",
    "PATCH /secret-rotations/azure-client-secret/{id}",
    "GET /encryption",
    "POST /encryption/reseal",
    "GET /openapi.json",
    "GET /secret-rotations/azure-client-secret/leftover-secrets",
    "GET /secret-rotations/azure-client-secret/leftover-secrets/{id}",
    "DELETE /secret-rotations/azure-client-secret/leftover-secrets/{id}",
];

impl<'a> Route<'a> {
    /// The route for a request's method name and path; a path served with other methods only
    /// is [`Unmatched::Method`] with the methods it takes.
    pub fn resolve(method: &str, path: &'a str) -> Result<Route<'a>, Unmatched> {
        if let Some(found @ (Ok(_) | Err(Unmatched::ConnectionType))) =
            Method::parse(method).map(|m| Route::parse(m, path))
        {
            return found;
        }
        let allow: Vec<Method> = Method::ALL
            .into_iter()
            .filter(|m| Route::parse(*m, path).is_ok())
            .collect();
        Err(if allow.is_empty() {
            Unmatched::Route
        } else {
            Unmatched::Method(allow)
        })
    }

    /// The route for `method` and `path` (the full path, `/api/v1/...`).
    pub fn parse(method: Method, path: &'a str) -> Result<Route<'a>, Unmatched> {
        use Method::{Delete, Get, Patch, Post};
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let Some(rest) = segs.strip_prefix(&["api", "v1"]) else {
            return Err(Unmatched::Route);
        };
        let route = match (method, rest) {
            (Get, ["health"]) => Route::Health,
            (Post, ["sessions"]) => Route::CreateSession,
            (Delete, ["sessions"]) => Route::DeleteSession,
            (Post, ["organizations"]) => Route::CreateOrganization,
            (Post, ["organizations", org, "tokens"]) => Route::CreateToken { org },
            (Get, ["organizations", org, "tokens"]) => Route::ListTokens { org },
            (Delete, ["organizations", org, "tokens", token]) => Route::RevokeToken { org, token },
            (Get, ["session"]) => Route::Session,
            (Get, ["audit-log"]) => Route::AuditLog,
            (Get, ["app-connections", "options"]) => Route::ConnectionOptions,
            (m, ["app-connections", ty, tail @ ..]) => {
                let ty: ConnectionType = from_wire_name(ty).ok_or(Unmatched::ConnectionType)?;
                match (m, tail) {
                    (Get, []) => Route::ListConnections { ty },
                    (Post, []) => Route::CreateConnection { ty },
                    (Post, ["oauth", "start"]) => Route::OAuthStart { ty },
                    (Get, [id]) => Route::GetConnection { ty, id },
                    (Patch, [id]) => Route::UpdateConnection { ty, id },
                    (Delete, [id]) => Route::DeleteConnection { ty, id },
                    (Post, [id, "validate"]) => Route::ValidateConnection { ty, id },
                    (Get, [id, "clients"]) if ty == ConnectionType::AzureClientSecrets => {
                        Route::ListClients { id }
                    }
                    (Post, [id, "token"]) => Route::ConnectionToken { ty, id },
                    _ => return Err(Unmatched::Route),
                }
            }
            (Post, [ROTATIONS, ROTATION_KIND]) => Route::CreateRotation,
            (Get, [ROTATIONS, ROTATION_KIND]) => Route::ListRotations,
            (Get, [ROTATIONS, ROTATION_KIND, LEFTOVERS]) => Route::ListLeftovers,
            (Get, [ROTATIONS, ROTATION_KIND, LEFTOVERS, id]) => Route::GetLeftover { id },
            (Delete, [ROTATIONS, ROTATION_KIND, LEFTOVERS, id]) => Route::DeleteLeftover { id },
            (Get, [ROTATIONS, ROTATION_KIND, id]) => Route::GetRotation { id },
            (Post, [ROTATIONS, ROTATION_KIND, id, "rotate"]) => Route::Rotate { id },
            (Post, [ROTATIONS, ROTATION_KIND, id, "secret"]) => Route::RotationSecret { id },
            (Post, [SYNCS, SYNC_KIND]) => Route::CreateSync,
            (Get, [SYNCS, SYNC_KIND]) => Route::ListSyncs,
            (Get, [SYNCS, SYNC_KIND, id]) => Route::GetSync { id },
            (Post, [SYNCS, SYNC_KIND, id, "run"]) => Route::RunSync { id },
            (Delete, [ROTATIONS, ROTATION_KIND, id]) => Route::DeleteRotation { id },
            (Delete, [SYNCS, SYNC_KIND, id]) => Route::DeleteSync { id },
            (Patch, [SYNCS, SYNC_KIND, id]) => Route::UpdateSync { id },
            (Patch, [ROTATIONS, ROTATION_KIND, id]) => Route::UpdateRotation { id },
            (Get, ["encryption"]) => Route::EncryptionStatus,
            (Post, ["encryption", "reseal"]) => Route::Reseal,
            (Get, ["openapi.json"]) => Route::OpenApi,
            _ => return Err(Unmatched::Route),
        };
        Ok(route)
    }

    /// Served without a caller identity (sign-in, sign-out, health, the API's OpenAPI document).
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Route::Health | Route::CreateSession | Route::DeleteSession | Route::OpenApi
        )
    }

    /// The documented pattern this route answers (an entry of [`PATTERNS`]).
    pub fn pattern(&self) -> &'static str {
        let i = match self {
            Route::Health => 0,
            Route::CreateSession => 1,
            Route::DeleteSession => 2,
            Route::CreateOrganization => 3,
            Route::CreateToken { .. } => 4,
            Route::ListTokens { .. } => 5,
            Route::RevokeToken { .. } => 6,
            Route::Session => 7,
            Route::AuditLog => 8,
            Route::ConnectionOptions => 9,
            Route::ListConnections { .. } => 10,
            Route::CreateConnection { .. } => 11,
            Route::OAuthStart { .. } => 12,
            Route::GetConnection { .. } => 13,
            Route::UpdateConnection { .. } => 14,
            Route::DeleteConnection { .. } => 15,
            Route::ValidateConnection { .. } => 16,
            Route::ListClients { .. } => 17,
            Route::ConnectionToken { .. } => 18,
            Route::CreateRotation => 19,
            Route::ListRotations => 20,
            Route::GetRotation { .. } => 21,
            Route::Rotate { .. } => 22,
            Route::RotationSecret { .. } => 23,
            Route::CreateSync => 24,
            Route::ListSyncs => 25,
            Route::GetSync { .. } => 26,
            Route::RunSync { .. } => 27,
            Route::DeleteRotation { .. } => 28,
            Route::DeleteSync { .. } => 29,
            Route::UpdateSync { .. } => 30,
            Route::UpdateRotation { .. } => 31,
            Route::EncryptionStatus => 32,
            Route::Reseal => 33,
            Route::OpenApi => 34,
            Route::ListLeftovers => 35,
            Route::GetLeftover { .. } => 36,
            Route::DeleteLeftover { .. } => 37,
        };
        PATTERNS[i]
    }
}

/// A concrete request for a documented pattern: `{type}` becomes a connection type, other
/// parameters sample ids.
fn sample(pattern: &str) -> Option<(Method, String)> {
    let (method, path) = pattern.split_once(' ')?;
    let path = path
        .replace("{type}", "azure-client-secrets")
        .replace("{tokenId}", "t1")
        .replace("{id}", "x1");
    Some((Method::parse(method)?, format!("/api/v1{path}")))
}

/// `METHOD /path` of every route row in a README's API table (the first cell, up to a query).
pub fn documented(readme: &str) -> Vec<String> {
    readme
        .lines()
        .filter_map(|line| {
            let cell = line.strip_prefix("| `")?;
            let (route, _) = cell.split_once('`')?;
            let (method, path) = route.split_once(' ')?;
            Method::parse(method)?;
            let path = path.split('?').next().unwrap_or(path);
            path.starts_with('/')
                .then(|| format!("{method} {path}"))
                .filter(|_| !path.starts_with("/organization/"))
        })
        .collect()
}

/// Every documented route that the table does not serve, and every served pattern the README
/// does not document.
pub fn undocumented_or_unserved(readme: &str) -> (Vec<String>, Vec<&'static str>) {
    let docs = documented(readme);
    let unserved = docs
        .iter()
        .filter(|d| {
            sample(d).is_none_or(|(m, path)| {
                Route::parse(m, &path).map(|r| r.pattern()) != Ok(d.as_str())
            })
        })
        .cloned()
        .collect();
    let undocumented = PATTERNS
        .iter()
        .copied()
        .filter(|p| !docs.iter().any(|d| d == p))
        .collect();
    (unserved, undocumented)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_parses_back_to_its_own_route() {
        for p in PATTERNS {
            let (m, path) = sample(p).expect("pattern");
            let route = Route::parse(m, &path).unwrap_or_else(|e| panic!("{p}: {e:?}"));
            assert_eq!(route.pattern(), *p);
        }
    }

    #[test]
    fn the_readme_documents_every_route_and_only_served_ones() {
        let readme = include_str!("../README.md");
        let (unserved, undocumented) = undocumented_or_unserved(readme);
        assert!(
            unserved.is_empty(),
            "documented but not served: {unserved:?}"
        );
        assert!(
            undocumented.is_empty(),
            "served but not documented: {undocumented:?}"
        );
        assert_eq!(documented(readme).len(), PATTERNS.len());
    }

    #[test]
    fn a_missing_or_extra_row_is_reported() {
        let readme = "| `GET /health` | ok |\n| `GET /nothing` | ? |\n";
        let (unserved, undocumented) = undocumented_or_unserved(readme);
        assert_eq!(unserved, vec!["GET /nothing".to_owned()]);
        assert!(undocumented.contains(&"POST /sessions"));
        assert!(!undocumented.contains(&"GET /health"));
    }

    #[test]
    fn paths_bind_their_parameters_and_types() {
        assert_eq!(
            Route::parse(
                Method::Post,
                "/api/v1/app-connections/azure-app-configuration/c1/token"
            ),
            Ok(Route::ConnectionToken {
                ty: ConnectionType::AzureAppConfiguration,
                id: "c1"
            })
        );
        assert_eq!(
            Route::parse(Method::Delete, "/api/v1/organizations/o1/tokens/t9"),
            Ok(Route::RevokeToken {
                org: "o1",
                token: "t9"
            })
        );
        assert_eq!(
            Route::parse(Method::Get, "/api/v1/app-connections/options"),
            Ok(Route::ConnectionOptions)
        );
    }

    #[test]
    fn unknown_types_routes_and_methods_are_told_apart() {
        assert_eq!(
            Route::parse(Method::Get, "/api/v1/app-connections/azure-key-vault"),
            Err(Unmatched::ConnectionType)
        );
        // Clients are Graph app registrations: only Client Secrets connections have them.
        assert_eq!(
            Route::parse(
                Method::Get,
                "/api/v1/app-connections/azure-app-configuration/c1/clients"
            ),
            Err(Unmatched::Route)
        );
        assert_eq!(
            Route::parse(Method::Patch, "/api/v1/health"),
            Err(Unmatched::Route)
        );
        assert_eq!(
            Route::parse(Method::Get, "/v1/health"),
            Err(Unmatched::Route)
        );
        assert!(Route::parse(Method::Get, "/api/v1/health").is_ok_and(|r| r.is_public()));
        assert!(Route::parse(Method::Get, "/api/v1/session").is_ok_and(|r| !r.is_public()));
    }

    #[test]
    fn a_served_path_with_another_method_lists_the_methods_it_takes() {
        let cs = "/api/v1/app-connections/azure-client-secrets";
        assert_eq!(
            Route::resolve("PUT", cs),
            Err(Unmatched::Method(vec![Method::Get, Method::Post]))
        );
        assert_eq!(
            Route::resolve("POST", &format!("{cs}/c1")),
            Err(Unmatched::Method(vec![
                Method::Get,
                Method::Patch,
                Method::Delete
            ]))
        );
        assert_eq!(
            Route::resolve("HEAD", "/api/v1/health"),
            Err(Unmatched::Method(vec![Method::Get]))
        );
        assert_eq!(
            Route::resolve("GET", "/api/v1/nothing"),
            Err(Unmatched::Route)
        );
        assert_eq!(
            Route::resolve("PUT", "/api/v1/app-connections/azure-key-vault"),
            Err(Unmatched::Route)
        );
        assert_eq!(
            Route::resolve("GET", "/api/v1/app-connections/azure-key-vault"),
            Err(Unmatched::ConnectionType)
        );
        assert_eq!(
            Route::resolve("DELETE", &format!("{cs}/c1")),
            Ok(Route::DeleteConnection {
                ty: ConnectionType::AzureClientSecrets,
                id: "c1"
            })
        );
    }

    #[test]
    fn a_405_names_the_method_and_allows_the_others() {
        let e = Unmatched::Method(vec![Method::Get, Method::Post]).error("PUT");
        assert_eq!(e.status, 405);
        assert_eq!(e.error.code, azconn_core::error::Code::MethodNotAllowed);
        assert_eq!(e.error.message, "this path does not take PUT");
        assert_eq!(e.error.hint.as_deref(), Some("it takes GET, POST"));
        assert_eq!(e.allow(), Some("GET, POST"));
        assert_eq!(Unmatched::Route.error("GET").status, 404);
        assert_eq!(Unmatched::Route.error("GET").allow(), None);
    }
}
