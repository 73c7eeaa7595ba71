//! Microsoft Graph v1.0 requests for app registrations and their client secrets
//! (protocols.md §4; graph-docs `application-list.md`, `application-get.md`,
//! `application-addpassword.md`, `application-removepassword.md`, `concepts/errors.md`).
//!
//! Every builder takes the bearer token as a parameter and returns an [`HttpRequest`]; every
//! parser takes the [`HttpResponse`] and returns a typed value or an [`Error`] converted from the
//! Graph error body ([`GraphError`]) with a hint naming what to do.

use crate::cloud::CloudEndpoints;
use crate::datetime;
use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse, Method, Origin, encode_component};
use crate::ids::{ClientId, Guid, KeyId, ObjectId};
use crate::link;
use crate::oauth::token::AccessToken;
use crate::prelude::*;
use core::fmt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Graph's documented maximum page size for `GET /applications`.
pub const MAX_TOP: u16 = 999;

/// The Graph API of one cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    root: Origin,
}

/// An application addressed by its object id (`/applications/{id}`) or its client id
/// (`/applications(appId='{appId}')`): rotation works from either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AppRef {
    ObjectId(ObjectId),
    AppId(ClientId),
}

impl AppRef {
    fn path(&self) -> String {
        match self {
            AppRef::ObjectId(id) => format!("/applications/{id}"),
            AppRef::AppId(id) => format!("/applications(appId='{id}')"),
        }
    }
}

/// `$filter` forms azconn uses on `GET /applications`; neither needs `ConsistencyLevel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AppFilter {
    /// `appId eq '{appId}'`: resolve a client id to the object (as Vault/OpenBao do).
    AppId(ClientId),
    /// `startswith(displayName,'{prefix}')` for the app picker.
    DisplayNameStartsWith(String),
}

/// `GET /applications` options. `id` and `appId` are always selected: every parsed
/// [`Application`] needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct AppQuery {
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub select: Vec<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub top: Option<u16>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub filter: Option<AppFilter>,
}

/// Which operation an error came from, so the hint can name the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    ReadApplications,
    WriteCredentials,
    ReadMe,
    ReadOrganization,
}

impl Graph {
    pub fn new(cloud: &CloudEndpoints) -> Graph {
        Graph {
            root: cloud.graph_root.clone(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1.0{path}", self.root)
    }

    fn request(&self, method: Method, url: String, token: &AccessToken) -> HttpRequest {
        HttpRequest::new(method, url)
            .with_header("authorization", format!("Bearer {}", token.expose()))
            .with_header("accept", "application/json")
    }

    /// `GET /applications?$select=...&$top=...&$filter=...`.
    pub fn list_applications(
        &self,
        token: &AccessToken,
        query: &AppQuery,
    ) -> Result<HttpRequest, Error> {
        let mut params = vec![format!(
            "$select={}",
            encode_component(&select(&query.select)?)
        )];
        if let Some(top) = query.top {
            if top == 0 || top > MAX_TOP {
                return Err(Error::field(
                    "top",
                    Code::OutOfRange,
                    format!("$top must be between 1 and {MAX_TOP}"),
                ));
            }
            params.push(format!("$top={top}"));
        }
        if let Some(filter) = &query.filter {
            let f = match filter {
                AppFilter::AppId(id) => format!("appId eq '{id}'"),
                AppFilter::DisplayNameStartsWith(p) => {
                    if p.chars().any(char::is_control) {
                        return Err(Error::field(
                            "filter",
                            Code::InvalidCharacter,
                            "the display-name prefix contains a control character",
                        ));
                    }
                    // OData string literals escape a quote by doubling it.
                    format!("startswith(displayName,'{}')", p.replace('\'', "''"))
                }
            };
            params.push(format!("$filter={}", encode_component(&f)));
        }
        Ok(self.request(
            Method::Get,
            self.url(&format!("/applications?{}", params.join("&"))),
            token,
        ))
    }

    /// The next page: `@odata.nextLink` followed verbatim (graph-docs `paging.md`), but only on
    /// this cloud's Graph origin.
    pub fn next_page(&self, token: &AccessToken, next_link: &str) -> Result<HttpRequest, Error> {
        let url = link::same_origin(next_link, &self.root, "@odata.nextLink")?;
        Ok(self.request(Method::Get, url, token))
    }

    /// `GET /applications/{id}` or `GET /applications(appId='...')`, with `$select`.
    pub fn get_application(
        &self,
        token: &AccessToken,
        app: &AppRef,
        fields: &[String],
    ) -> Result<HttpRequest, Error> {
        let url = self.url(&format!(
            "{}?$select={}",
            app.path(),
            encode_component(&select(fields)?)
        ));
        Ok(self.request(Method::Get, url, token))
    }

    /// The application with its `passwordCredentials` and `keyCredentials` (the documented
    /// `$select` form; the credential lists carry no secret values).
    pub fn get_credentials(&self, token: &AccessToken, app: &AppRef) -> HttpRequest {
        let url = self.url(&format!(
            "{}?$select={}",
            app.path(),
            encode_component("id,appId,displayName,passwordCredentials,keyCredentials")
        ));
        self.request(Method::Get, url, token)
    }

    /// `POST .../addPassword` with an explicit `displayName` and `endDateTime`: Graph's default
    /// of two years breaks tenants whose app-management policy caps lifetimes
    /// (`CredentialInvalidLifetimeAsPerAppPolicy`, protocols.md §4).
    pub fn add_password(
        &self,
        token: &AccessToken,
        app: &AppRef,
        spec: &PasswordSpec,
    ) -> Result<HttpRequest, Error> {
        spec.check()?;
        let mut cred = json!({
            "displayName": spec.display_name,
            "endDateTime": datetime::format_rfc3339(spec.ends_at),
        });
        if let Some(start) = spec.starts_at {
            cred["startDateTime"] = json!(datetime::format_rfc3339(start));
        }
        let body = json!({ "passwordCredential": cred }).to_string();
        Ok(self
            .request(
                Method::Post,
                self.url(&format!("{}/addPassword", app.path())),
                token,
            )
            .with_body("application/json", body))
    }

    /// `POST .../removePassword` with `{"keyId": ...}`.
    pub fn remove_password(
        &self,
        token: &AccessToken,
        app: &AppRef,
        key_id: &KeyId,
    ) -> HttpRequest {
        self.request(
            Method::Post,
            self.url(&format!("{}/removePassword", app.path())),
            token,
        )
        .with_body("application/json", json!({ "keyId": key_id }).to_string())
    }

    /// `GET /applications/{id}/owners?$select=id`: is the caller an owner (for `OwnedBy`)?
    pub fn list_owners(&self, token: &AccessToken, app: &AppRef) -> HttpRequest {
        self.request(
            Method::Get,
            self.url(&format!("{}/owners?$select=id", app.path())),
            token,
        )
    }

    /// `GET /me`: who connected (delegated tokens only).
    pub fn me(&self, token: &AccessToken) -> HttpRequest {
        let fields = encode_component("id,displayName,userPrincipalName,mail");
        self.request(
            Method::Get,
            self.url(&format!("/me?$select={fields}")),
            token,
        )
    }

    /// `GET /organization`: which tenant was connected.
    pub fn organization(&self, token: &AccessToken) -> HttpRequest {
        let fields = encode_component("id,displayName,verifiedDomains");
        self.request(
            Method::Get,
            self.url(&format!("/organization?$select={fields}")),
            token,
        )
    }
}

/// `$select` with `id,appId` first; names must be OData identifiers.
fn select(fields: &[String]) -> Result<String, Error> {
    let mut out = vec!["id".to_owned(), "appId".to_owned()];
    for f in fields {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(Error::field(
                "select",
                Code::InvalidFormat,
                format!("{f:?} is not a Graph property name"),
            ));
        }
        if !out.contains(f) {
            out.push(f.clone());
        }
    }
    Ok(out.join(","))
}

/// What `addPassword` is asked to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PasswordSpec {
    pub display_name: String,
    /// Unix seconds; omitted means "now" on Graph's clock.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub starts_at: Option<i64>,
    /// Unix seconds; always sent.
    pub ends_at: i64,
}

impl PasswordSpec {
    fn check(&self) -> Result<(), Error> {
        if self.display_name.trim().is_empty() {
            return Err(Error::field(
                "displayName",
                Code::Required,
                "a display name is required so the secret can be recognized later",
            ));
        }
        if self.display_name.chars().count() > 256
            || self.display_name.chars().any(char::is_control)
        {
            return Err(Error::field(
                "displayName",
                Code::InvalidFormat,
                "the display name must be at most 256 characters without control characters",
            ));
        }
        if self.starts_at.is_some_and(|s| s >= self.ends_at) {
            return Err(Error::field(
                "endsAt",
                Code::OutOfRange,
                "the secret must end after it starts",
            ));
        }
        Ok(())
    }
}

/// An app registration (only the properties azconn reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: ObjectId,
    pub app_id: ClientId,
    pub display_name: Option<String>,
    /// Present when selected.
    pub password_credentials: Option<Vec<PasswordCredential>>,
    pub key_credentials: Option<Vec<KeyCredential>>,
}

/// A client secret's metadata (graph-docs `resources/passwordcredential.md`); never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    pub key_id: KeyId,
    pub display_name: Option<String>,
    /// The first three characters of the secret.
    pub hint: Option<String>,
    /// Unix seconds.
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

/// A certificate credential's metadata (graph-docs `resources/keycredential.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KeyCredential {
    pub key_id: KeyId,
    pub display_name: Option<String>,
    /// `AsymmetricX509Cert`, ...
    pub kind: Option<String>,
    /// `Verify` or `Sign`.
    pub usage: Option<String>,
    /// base64 of the certificate thumbprint, as Graph gives it.
    pub custom_key_identifier: Option<String>,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

/// A newly created secret's value (`secretText`, returned only by `addPassword`). Serializable
/// because rotation state must carry it until it is published; the host encrypts that state.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(value: impl Into<String>) -> SecretText {
        SecretText(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The value leaves memory with its last copy (wasm linear memory is never returned).
impl Drop for SecretText {
    fn drop(&mut self) {
        crate::wipe::string(&mut self.0);
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(<redacted>)")
    }
}

/// The `addPassword` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AddedPassword {
    pub credential: PasswordCredential,
    pub secret: SecretText,
}

/// One page of `GET /applications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `@odata.nextLink`, already checked to stay on the Graph origin.
    pub next_link: Option<String>,
}

/// The signed-in user (`GET /me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "GraphUser"))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
}

/// The tenant (`GET /organization`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "GraphOrganization"))]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub display_name: Option<String>,
    pub default_domain: Option<String>,
}

fn malformed(what: &str) -> Error {
    Error::new(
        Code::MalformedResponse,
        format!("Graph returned a malformed {what}"),
    )
}

fn body_json(resp: &HttpResponse, what: &str) -> Result<Value, Error> {
    serde_json::from_str(&resp.body).map_err(|_| malformed(what))
}

fn opt_str(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn guid_field(v: &Value, name: &str, what: &str) -> Result<Guid, Error> {
    v.get(name)
        .and_then(Value::as_str)
        .and_then(Guid::parse)
        .ok_or_else(|| malformed(what))
}

fn date_field(v: &Value, name: &str, what: &str) -> Result<Option<i64>, Error> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => datetime::parse_rfc3339(s)
            .map(Some)
            .ok_or_else(|| malformed(what)),
        Some(_) => Err(malformed(what)),
    }
}

fn password_credential(v: &Value) -> Result<PasswordCredential, Error> {
    const W: &str = "passwordCredential";
    Ok(PasswordCredential {
        key_id: guid_field(v, "keyId", W)?.into(),
        display_name: opt_str(v, "displayName"),
        hint: opt_str(v, "hint"),
        starts_at: date_field(v, "startDateTime", W)?,
        ends_at: date_field(v, "endDateTime", W)?,
    })
}

fn key_credential(v: &Value) -> Result<KeyCredential, Error> {
    const W: &str = "keyCredential";
    Ok(KeyCredential {
        key_id: guid_field(v, "keyId", W)?.into(),
        display_name: opt_str(v, "displayName"),
        kind: opt_str(v, "type"),
        usage: opt_str(v, "usage"),
        custom_key_identifier: opt_str(v, "customKeyIdentifier"),
        starts_at: date_field(v, "startDateTime", W)?,
        ends_at: date_field(v, "endDateTime", W)?,
    })
}

fn list_of<T>(
    v: &Value,
    name: &str,
    f: fn(&Value) -> Result<T, Error>,
) -> Result<Option<Vec<T>>, Error> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a.iter().map(f).collect::<Result<_, _>>().map(Some),
        Some(_) => Err(malformed(name)),
    }
}

fn application(v: &Value) -> Result<Application, Error> {
    const W: &str = "application";
    Ok(Application {
        id: guid_field(v, "id", W)?.into(),
        app_id: guid_field(v, "appId", W)?.into(),
        display_name: opt_str(v, "displayName"),
        password_credentials: list_of(v, "passwordCredentials", password_credential)?,
        key_credentials: list_of(v, "keyCredentials", key_credential)?,
    })
}

fn success(resp: &HttpResponse, op: Operation) -> Result<(), Error> {
    if resp.is_success() {
        Ok(())
    } else {
        Err(GraphError::parse(resp).to_error(op))
    }
}

fn value_array<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, Error> {
    v.get("value")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(what))
}

impl Graph {
    /// A `GET /applications` page; the next link is checked against this Graph's origin.
    pub fn parse_application_page(&self, resp: &HttpResponse) -> Result<Page<Application>, Error> {
        success(resp, Operation::ReadApplications)?;
        let v = body_json(resp, "application list")?;
        let items = value_array(&v, "application list")?
            .iter()
            .map(application)
            .collect::<Result<_, _>>()?;
        let next_link = match v.get("@odata.nextLink") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(link::same_origin(s, &self.root, "@odata.nextLink")?),
            Some(_) => return Err(malformed("@odata.nextLink")),
        };
        Ok(Page { items, next_link })
    }
}

/// `GET /applications/{id}` (or by appId).
pub fn parse_application(resp: &HttpResponse) -> Result<Application, Error> {
    success(resp, Operation::ReadApplications)?;
    application(&body_json(resp, "application")?)
}

/// `addPassword`: the credential and its `secretText`, which must both be present.
pub fn parse_added_password(resp: &HttpResponse) -> Result<AddedPassword, Error> {
    success(resp, Operation::WriteCredentials)?;
    let v = body_json(resp, "passwordCredential")?;
    let credential = password_credential(&v)?;
    let secret = match v.get("secretText").and_then(Value::as_str) {
        Some(s) if !s.is_empty() => SecretText::new(s),
        _ => return Err(malformed("passwordCredential (no secretText)")),
    };
    Ok(AddedPassword { credential, secret })
}

/// `removePassword`: `204`. A `404`/`Request_ResourceNotFound` is reported as
/// [`Code::NotFound`]; callers removing a secret treat it as already gone.
pub fn parse_removed_password(resp: &HttpResponse) -> Result<(), Error> {
    success(resp, Operation::WriteCredentials)
}

/// `GET .../owners?$select=id`: the owners' object ids.
pub fn parse_owners(resp: &HttpResponse) -> Result<Vec<Guid>, Error> {
    success(resp, Operation::ReadApplications)?;
    let v = body_json(resp, "owner list")?;
    value_array(&v, "owner list")?
        .iter()
        .map(|o| guid_field(o, "id", "owner list"))
        .collect()
}

pub fn parse_me(resp: &HttpResponse) -> Result<User, Error> {
    success(resp, Operation::ReadMe)?;
    let v = body_json(resp, "user")?;
    Ok(User {
        id: opt_str(&v, "id").ok_or_else(|| malformed("user"))?,
        display_name: opt_str(&v, "displayName"),
        user_principal_name: opt_str(&v, "userPrincipalName"),
        mail: opt_str(&v, "mail"),
    })
}

pub fn parse_organization(resp: &HttpResponse) -> Result<Organization, Error> {
    success(resp, Operation::ReadOrganization)?;
    let v = body_json(resp, "organization")?;
    let org = value_array(&v, "organization")?
        .first()
        .ok_or_else(|| malformed("organization (empty)"))?;
    let default_domain = org
        .get("verifiedDomains")
        .and_then(Value::as_array)
        .and_then(|ds| {
            ds.iter()
                .find(|d| d.get("isDefault").and_then(Value::as_bool) == Some(true))
        })
        .and_then(|d| opt_str(d, "name"));
    Ok(Organization {
        id: opt_str(org, "id").ok_or_else(|| malformed("organization"))?,
        display_name: opt_str(org, "displayName"),
        default_domain,
    })
}

/// What a Graph error means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum GraphErrorKind {
    /// `Authorization_RequestDenied` or any 403.
    PermissionDenied,
    /// `Request_ResourceNotFound` or any 404.
    NotFound,
    /// `CredentialInvalidLifetimeAsPerAppPolicy`: the tenant caps secret lifetimes.
    LifetimePolicy,
    /// "Error due to concurrent requests being made to the tenant": wait and retry.
    ConcurrencyConflict,
    /// 429.
    Throttled,
    /// 500/503/504.
    Unavailable,
    /// 401 (`InvalidAuthenticationToken`, expired or wrong-audience token).
    Unauthorized,
    Other,
}

/// One entry of the Graph error's `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GraphErrorDetail {
    pub code: Option<String>,
    pub target: Option<String>,
    pub message: Option<String>,
}

/// A parsed Graph error (OData v4: `error.code`, nested `innerError`s, `details`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GraphError {
    pub status: u16,
    pub kind: GraphErrorKind,
    /// `error.code`; empty when the body was not a Graph error.
    pub code: String,
    pub message: String,
    /// Codes of the nested `innerError`s, outermost first.
    pub inner_codes: Vec<String>,
    pub details: Vec<GraphErrorDetail>,
    pub request_id: Option<String>,
    pub date: Option<String>,
}

impl GraphError {
    /// Never fails: an unparseable body still yields a typed error from the status.
    pub fn parse(resp: &HttpResponse) -> GraphError {
        let v: Value = serde_json::from_str(&resp.body).unwrap_or(Value::Null);
        let err = v.get("error").unwrap_or(&Value::Null);
        let code = opt_str(err, "code").unwrap_or_default();
        let message = opt_str(err, "message").unwrap_or_default();
        let mut inner_codes = Vec::new();
        let (mut request_id, mut date) = (None, None);
        let mut inner = err.get("innerError").or_else(|| err.get("innererror"));
        // Bounded walk: nesting deeper than 16 levels is not Graph.
        for _ in 0..16 {
            let Some(i) = inner.filter(|i| i.is_object()) else {
                break;
            };
            if let Some(c) = opt_str(i, "code") {
                inner_codes.push(c);
            }
            request_id = request_id.or_else(|| opt_str(i, "request-id"));
            date = date.or_else(|| opt_str(i, "date"));
            inner = i.get("innerError").or_else(|| i.get("innererror"));
        }
        let details = err
            .get("details")
            .and_then(Value::as_array)
            .map(|ds| {
                ds.iter()
                    .map(|d| GraphErrorDetail {
                        code: opt_str(d, "code"),
                        target: opt_str(d, "target"),
                        message: opt_str(d, "message"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let request_id = request_id.or_else(|| resp.header("request-id").map(str::to_owned));
        let has = |c: &str| code == c || inner_codes.iter().any(|i| i == c);
        let kind = if has("CredentialInvalidLifetimeAsPerAppPolicy") {
            GraphErrorKind::LifetimePolicy
        } else if has("Authorization_RequestDenied") || resp.status == 403 {
            GraphErrorKind::PermissionDenied
        } else if has("Request_ResourceNotFound") || resp.status == 404 {
            GraphErrorKind::NotFound
        } else if resp.status == 429 {
            GraphErrorKind::Throttled
        } else if message.contains("concurrent requests") {
            // The one message-based rule: Graph gives this conflict no stable code
            // (infisical.md §8.3), and misreading it only costs a bounded retry.
            GraphErrorKind::ConcurrencyConflict
        } else if matches!(resp.status, 500 | 502 | 503 | 504) {
            GraphErrorKind::Unavailable
        } else if resp.status == 401 {
            GraphErrorKind::Unauthorized
        } else {
            GraphErrorKind::Other
        };
        GraphError {
            status: resp.status,
            kind,
            code,
            message,
            inner_codes,
            details,
            request_id,
            date,
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            GraphErrorKind::ConcurrencyConflict
                | GraphErrorKind::Throttled
                | GraphErrorKind::Unavailable
        )
    }

    /// The boundary error, with a hint for the operation that failed.
    pub fn to_error(&self, op: Operation) -> Error {
        let code_text = if self.code.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            self.code.clone()
        };
        let mut message = format!("Microsoft Graph answered {code_text}");
        if !self.message.is_empty() {
            message.push_str(": ");
            message.push_str(&self.message);
        }
        if let Some(id) = &self.request_id {
            message.push_str(&format!(" (request-id {id})"));
        }
        let (code, hint) = match self.kind {
            GraphErrorKind::PermissionDenied => (Code::PermissionDenied, permission_hint(op)),
            GraphErrorKind::NotFound => (
                Code::NotFound,
                "check the application's Object ID (not its client ID) and that it is in the connected tenant".to_owned(),
            ),
            GraphErrorKind::LifetimePolicy => (
                Code::LifetimeRejected,
                "the tenant's app-management policy caps client-secret lifetimes: choose a shorter lifetime (ask an admin for the policy's maximum)".to_owned(),
            ),
            GraphErrorKind::ConcurrencyConflict | GraphErrorKind::Unavailable => (
                Code::Unavailable,
                "a transient Graph failure: retry after a short wait".to_owned(),
            ),
            GraphErrorKind::Throttled => (
                Code::Throttled,
                "Graph is throttling this app: retry after the Retry-After delay".to_owned(),
            ),
            GraphErrorKind::Unauthorized => (
                Code::Unauthorized,
                "the Graph token is expired or was issued for another audience: acquire a new one for https://graph.microsoft.com/.default".to_owned(),
            ),
            GraphErrorKind::Other => (
                Code::AzureError,
                "see the Graph error code in the message".to_owned(),
            ),
        };
        Error::new(code, message).with_hint(hint)
    }
}

fn permission_hint(op: Operation) -> String {
    match op {
        Operation::ReadApplications => "grant Microsoft Graph Application.Read.All (or Application.ReadWrite.OwnedBy with ownership of the app) and grant admin consent",
        Operation::WriteCredentials => "grant Microsoft Graph Application.ReadWrite.OwnedBy and make the connection's service principal an owner of the app, or grant Application.ReadWrite.All; then grant admin consent",
        Operation::ReadMe => "grant the delegated Microsoft Graph permission User.Read",
        Operation::ReadOrganization => "grant Microsoft Graph User.Read (delegated) or Organization.Read.All (application)",
    }
    .to_owned()
}

/// The permissions a token carries: `roles` for app-only tokens, `scp` (space-separated in the
/// JWT, given here as a list) for delegated ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Granted {
    Application { roles: Vec<String> },
    Delegated { scopes: Vec<String> },
}

/// Can this token rotate the target app's secrets? Decided before trying (infisical.md §13.13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "verdict")]
pub enum Preflight {
    /// Rotation can work; `via` names the permission that allows it.
    Allowed { via: String },
    /// `Application.ReadWrite.OwnedBy` is granted but ownership is unknown: check
    /// [`Graph::list_owners`] for the caller's object id, then call [`preflight`] again.
    NeedsOwnershipCheck,
    /// Rotation cannot work: what to grant.
    Denied { grant: String, hint: String },
}

/// Permission preflight (graph-docs `application-addpassword.md` permissions table).
/// `owns_target` is whether the caller's service principal owns the app, when known.
pub fn preflight(granted: &Granted, owns_target: Option<bool>) -> Preflight {
    const ALL: &str = "Application.ReadWrite.All";
    const OWNED_BY: &str = "Application.ReadWrite.OwnedBy";
    let has = |list: &[String], p: &str| list.iter().any(|r| r.eq_ignore_ascii_case(p));
    match granted {
        Granted::Application { roles } if has(roles, ALL) => Preflight::Allowed { via: ALL.into() },
        Granted::Application { roles } if has(roles, OWNED_BY) => match owns_target {
            Some(true) => Preflight::Allowed {
                via: OWNED_BY.into(),
            },
            None => Preflight::NeedsOwnershipCheck,
            Some(false) => Preflight::Denied {
                grant: "ownership of the target app".into(),
                hint: "Application.ReadWrite.OwnedBy only covers apps the connection's service principal owns: add it as an owner of the app (Owners blade), or grant Application.ReadWrite.All".into(),
            },
        },
        Granted::Application { .. } => Preflight::Denied {
            grant: OWNED_BY.into(),
            hint: "add the Microsoft Graph application permission Application.ReadWrite.OwnedBy (least privilege; then make the service principal an owner of the app) or Application.ReadWrite.All, and grant admin consent".into(),
        },
        // Delegated: Application.ReadWrite.All only ("higher privileged: not available").
        Granted::Delegated { scopes } if has(scopes, ALL) => Preflight::Allowed { via: ALL.into() },
        Granted::Delegated { .. } => Preflight::Denied {
            grant: ALL.into(),
            hint: "sign in again consenting to the delegated Microsoft Graph permission Application.ReadWrite.All; the user must also own the app or hold an application-administrator role".into(),
        },
    }
}

#[cfg(test)]
mod tests;
