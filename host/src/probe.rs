//! The live check after a token: can this connection do its job? Graph `GET
//! /applications?$top=1` plus the permission preflight, or `GET /kv` on the store.

use crate::platform::{Clock, Outbound};
use azconn_core::appconfig::{
    self, AppConfigAuth, AppConfigError, KeyFilter, LabelFilter, ListQuery, Store, SyncTokens,
};
use azconn_core::cloud::{Cloud, StoreEndpoint};
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::graph::{self, AppQuery, Granted, Graph, GraphError, Operation, Preflight};
use azconn_core::oauth::jwt::decode_unverified_claims;
use azconn_core::oauth::token::AccessToken;
use serde_json::{Value, json};

/// Probes with `token`; the facts learned (granted permission, roles, scopes) on success.
pub async fn probe<P: Clock + Outbound>(
    p: &P,
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
            let g = Graph::new(cloud.endpoints());
            let req = g.list_applications(
                token,
                &AppQuery {
                    select: vec!["displayName".into()],
                    top: Some(1),
                    filter: None,
                },
            )?;
            let resp = p.execute(&req).await?;
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
                    p.now(),
                )?;
                let resp = p.execute(&req).await?;
                if !resp.is_success() {
                    return Err(AppConfigError::parse(&resp).to_error());
                }
                store.parse_list(&resp)?;
            }
            Ok(json!({ "storeProbed": endpoint.is_some() }))
        }
    }
}
