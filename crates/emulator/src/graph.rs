//! Microsoft Graph v1.0: the application calls azconn makes, plus /me and /organization
//! (protocols.md §4).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::Rng;
use serde_json::{Map, Value, json};
use std::sync::Arc;

use crate::bearer::{self, BearerError};
use crate::entra;
use crate::state::{Application, Emulator, Password, World};
use crate::util::{b64url, b64url_decode, guid, iso, parse_iso, query_pairs};

const READ: &[&str] = &[
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Application.ReadWrite.OwnedBy",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE_ALL: &[&str] = &["Application.ReadWrite.All", "Directory.ReadWrite.All"];
const OWNED_BY: &str = "Application.ReadWrite.OwnedBy";
const MAX_TOP: usize = 999;
const DEFAULT_TOP: usize = 100;
const TWO_YEARS: i64 = 2 * 365 * 24 * 3600;

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/v1.0/{entity}", get(get_entity))
        .route(
            "/v1.0/{entity}/{second}",
            get(get_application).post(post_action),
        )
        .route("/v1.0/{entity}/{second}/{action}", post(post_action_by_id))
}

/// Graph's OData error (protocols.md §4 "Errors").
pub fn error(emu: &Emulator, status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {
        "code": code, "message": message,
        "innerError": {"date": iso(emu.clock.now()), "request-id": guid(), "client-request-id": guid()},
    }});
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ok(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

struct Caller {
    tenant_id: String,
    object_id: String,
    app_only: bool,
    permissions: Vec<String>,
}

impl Caller {
    fn has_any(&self, wanted: &[&str]) -> bool {
        self.permissions
            .iter()
            .any(|p| wanted.contains(&p.as_str()))
    }

    fn can_read(&self, app: &Application) -> bool {
        app.tenant_id == self.tenant_id
            && (self.has_any(&READ[..2]) || self.has_any(&READ[3..]) || self.owns(app))
    }

    fn owns(&self, app: &Application) -> bool {
        self.app_only && self.has_any(&[OWNED_BY]) && app.owners.contains(&self.object_id)
    }

    fn can_write(&self, app: &Application) -> bool {
        app.tenant_id == self.tenant_id && (self.has_any(WRITE_ALL) || self.owns(app))
    }
}

type Fail = Box<Response>;

fn caller(emu: &Emulator, headers: &HeaderMap) -> Result<Caller, Fail> {
    let audiences = emu.world().graph_audiences.clone();
    let claims = bearer::verify(emu, headers, &audiences).map_err(|e| {
        let msg = match e {
            BearerError::Missing => "Access token is empty.",
            BearerError::Invalid(why) => {
                if why == "Invalid audience." {
                    "Access token validation failure. Invalid audience."
                } else {
                    "Access token validation failure."
                }
            }
            BearerError::Expired => "Lifetime validation failed, the token is expired.",
        };
        Box::new(error(
            emu,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            msg,
        ))
    })?;
    let app_only = claims["idtyp"] == "app";
    let permissions = if app_only {
        claims["roles"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        claims["scp"]
            .as_str()
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    Ok(Caller {
        tenant_id: claims["tid"].as_str().unwrap_or("").to_string(),
        object_id: claims["oid"].as_str().unwrap_or("").to_string(),
        app_only,
        permissions,
    })
}

fn denied(emu: &Emulator) -> Fail {
    Box::new(error(
        emu,
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    ))
}

fn not_found(emu: &Emulator, id: &str) -> Fail {
    Box::new(error(
        emu,
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    ))
}

fn bad_request(emu: &Emulator, code: &str, message: &str) -> Fail {
    Box::new(error(emu, StatusCode::BAD_REQUEST, code, message))
}

fn application_json(app: &Application) -> Map<String, Value> {
    let passwords: Vec<Value> = app
        .passwords
        .iter()
        .map(|p| json!({
            "customKeyIdentifier": null, "displayName": p.display_name, "endDateTime": iso(p.end),
            "hint": p.secret_text.chars().take(3).collect::<String>(), "keyId": p.key_id,
            "secretText": null, "startDateTime": iso(p.start),
        }))
        .collect();
    let keys: Vec<Value> = app
        .keys
        .iter()
        .map(|k| json!({
            "customKeyIdentifier": k.cert.sha1_hex, "displayName": k.display_name, "endDateTime": iso(k.end),
            "key": null, "keyId": k.key_id, "startDateTime": iso(k.start),
            "type": "AsymmetricX509Cert", "usage": "Verify",
        }))
        .collect();
    let v = json!({
        "id": app.id, "appId": app.app_id, "displayName": app.display_name,
        "signInAudience": "AzureADMyOrg", "passwordCredentials": passwords, "keyCredentials": keys,
        "web": {"redirectUris": app.redirect_uris},
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn select(
    emu: &Emulator,
    mut obj: Map<String, Value>,
    select: Option<&str>,
) -> Result<Value, Fail> {
    let Some(list) = select else {
        return Ok(Value::Object(obj));
    };
    let mut out = Map::new();
    for field in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let v = obj.remove(field).ok_or_else(|| bad_request(emu, "Request_BadRequest", &format!("Could not find a property named '{field}' on type 'microsoft.graph.application'.")))?;
        out.insert(field.to_string(), v);
    }
    Ok(Value::Object(out))
}

/// `applications(appId='…')` → the appId.
fn app_id_key(segment: &str) -> Option<&str> {
    segment
        .strip_prefix("applications(appId='")
        .or_else(|| segment.strip_prefix("applications(appId=\""))?
        .strip_suffix("')")
        .or_else(|| {
            segment
                .strip_prefix("applications(appId=\"")?
                .strip_suffix("\")")
        })
}

fn find<'a>(w: &'a World, by_app_id: bool, key: &str) -> Option<&'a Application> {
    w.apps.iter().find(|a| {
        if by_app_id {
            a.app_id.eq_ignore_ascii_case(key)
        } else {
            a.id.eq_ignore_ascii_case(key)
        }
    })
}

fn respond(r: Result<Response, Fail>) -> Response {
    r.unwrap_or_else(|e| *e)
}

async fn get_entity(
    State(emu): State<Arc<Emulator>>,
    Path(entity): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    respond(get_entity_inner(
        &emu,
        &entity,
        &headers,
        q.as_deref().unwrap_or(""),
    ))
}

fn get_entity_inner(
    emu: &Emulator,
    entity: &str,
    headers: &HeaderMap,
    raw: &str,
) -> Result<Response, Fail> {
    let c = caller(emu, headers)?;
    let q = query_pairs(raw, true).ok_or_else(|| {
        bad_request(
            emu,
            "BadRequest",
            "The query string is not properly encoded.",
        )
    })?;
    let get = |n: &str| q.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let w = emu.world();
    let base = entra::request_origin(&w, headers);
    match entity {
        "applications" => {
            if !c.has_any(READ) {
                return Err(denied(emu));
            }
            let top = match get("$top") {
                None => DEFAULT_TOP,
                Some(t) => t.parse::<usize>().ok().filter(|n| (1..=MAX_TOP).contains(n)).ok_or_else(|| bad_request(emu, "Request_BadRequest", &format!("Invalid page size specified: '{t}'. Must be between 1 and {MAX_TOP} inclusive.")))?,
            };
            let skip = match get("$skiptoken") {
                None => 0,
                Some(t) => b64url_decode(t)
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| s.strip_prefix("emu:").and_then(|n| n.parse().ok()))
                    .ok_or_else(|| {
                        bad_request(
                            emu,
                            "Request_BadRequest",
                            "The specified page token value has expired or is invalid.",
                        )
                    })?,
            };
            let filter = get("$filter")
                .map(parse_filter)
                .transpose()
                .map_err(|m| bad_request(emu, "Request_UnsupportedQuery", &m))?;
            let visible: Vec<&Application> = w
                .apps
                .iter()
                .filter(|a| c.can_read(a))
                .filter(|a| match &filter {
                    None => true,
                    Some((field, value)) if field == "appId" => {
                        a.app_id.eq_ignore_ascii_case(value)
                    }
                    Some((_, value)) => a.display_name == *value,
                })
                .collect();
            let page: Vec<Value> = visible
                .iter()
                .skip(skip)
                .take(top)
                .map(|a| select(emu, application_json(a), get("$select")))
                .collect::<Result<_, _>>()?;
            let mut body = json!({"@odata.context": format!("{base}/v1.0/$metadata#applications"), "value": page});
            if skip + top < visible.len() {
                let kept: Vec<String> = raw
                    .split('&')
                    .filter(|p| {
                        !p.is_empty()
                            && !p.starts_with("$skiptoken=")
                            && !p.starts_with("%24skiptoken=")
                    })
                    .map(String::from)
                    .collect();
                let token = b64url(format!("emu:{}", skip + top).as_bytes());
                let sep = if kept.is_empty() {
                    String::new()
                } else {
                    format!("{}&", kept.join("&"))
                };
                body["@odata.nextLink"] =
                    format!("{base}/v1.0/applications?{sep}$skiptoken={token}").into();
            }
            Ok(ok(StatusCode::OK, body))
        }
        "me" => {
            if c.app_only {
                return Err(bad_request(
                    emu,
                    "BadRequest",
                    "/me request is only valid with delegated authentication flow.",
                ));
            }
            let u = w
                .user(&c.object_id)
                .ok_or_else(|| not_found(emu, &c.object_id))?;
            Ok(ok(
                StatusCode::OK,
                json!({
                    "@odata.context": format!("{base}/v1.0/$metadata#users/$entity"),
                    "id": u.id, "displayName": u.display_name, "userPrincipalName": u.user_principal_name,
                    "mail": u.user_principal_name,
                }),
            ))
        }
        "organization" => {
            let t = w
                .tenant(&c.tenant_id)
                .ok_or_else(|| not_found(emu, &c.tenant_id))?;
            let domains: Vec<Value> = t.domains.iter().enumerate().map(|(i, d)| json!({
                "capabilities": "Email, OfficeCommunicationsOnline", "isDefault": i == 0, "isInitial": i == 0, "name": d, "type": "Managed",
            })).collect();
            Ok(ok(
                StatusCode::OK,
                json!({
                    "@odata.context": format!("{base}/v1.0/$metadata#organization"),
                    "value": [{"id": t.id, "displayName": t.display_name, "verifiedDomains": domains}],
                }),
            ))
        }
        other => match app_id_key(other) {
            Some(app_id) => one_application(emu, &c, &w, true, app_id, get("$select")),
            None => Err(bad_request(
                emu,
                "BadRequest",
                &format!("Resource not found for the segment '{other}'."),
            )),
        },
    }
}

fn one_application(
    emu: &Emulator,
    c: &Caller,
    w: &World,
    by_app_id: bool,
    key: &str,
    sel: Option<&str>,
) -> Result<Response, Fail> {
    let app = find(w, by_app_id, key)
        .filter(|a| a.tenant_id == c.tenant_id)
        .ok_or_else(|| not_found(emu, key))?;
    if !c.can_read(app) {
        return Err(denied(emu));
    }
    Ok(ok(StatusCode::OK, select(emu, application_json(app), sel)?))
}

/// Supports the filters azconn sends: `appId eq '…'` and `displayName eq '…'`.
fn parse_filter(f: &str) -> Result<(String, String), String> {
    let parts: Vec<&str> = f.trim().splitn(3, ' ').collect();
    if let [field, op, value] = parts[..]
        && op.eq_ignore_ascii_case("eq")
        && (field == "appId" || field == "displayName")
        && let Some(v) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\''))
    {
        return Ok((field.to_string(), v.replace("''", "'")));
    }
    Err(format!(
        "Unsupported or invalid query filter clause specified: '{f}'."
    ))
}

async fn get_application(
    State(emu): State<Arc<Emulator>>,
    Path((entity, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    respond((|| {
        let c = caller(&emu, &headers)?;
        if entity != "applications" {
            return Err(bad_request(
                &emu,
                "BadRequest",
                &format!("Resource not found for the segment '{entity}'."),
            ));
        }
        let q = query_pairs(q.as_deref().unwrap_or(""), true).unwrap_or_default();
        let sel = q
            .iter()
            .find(|(k, _)| k == "$select")
            .map(|(_, v)| v.as_str());
        let w = emu.world();
        one_application(&emu, &c, &w, false, &id, sel)
    })())
}

async fn post_action(
    State(emu): State<Arc<Emulator>>,
    Path((entity, action)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(match app_id_key(&entity) {
        Some(app_id) => action_inner(&emu, true, app_id, &action, &headers, &body),
        None => Err(bad_request(
            &emu,
            "BadRequest",
            &format!("Resource not found for the segment '{entity}'."),
        )),
    })
}

async fn post_action_by_id(
    State(emu): State<Arc<Emulator>>,
    Path((entity, id, action)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(if entity == "applications" {
        action_inner(&emu, false, &id, &action, &headers, &body)
    } else {
        Err(bad_request(
            &emu,
            "BadRequest",
            &format!("Resource not found for the segment '{entity}'."),
        ))
    })
}

/// Entra-style secret: 40 characters, `Q~` after the first four, as the portal's look.
fn new_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-";
    let mut rng = rand::thread_rng();
    let mut pick = |n: usize, set: &[u8]| -> String {
        (0..n)
            .map(|_| set[rng.gen_range(0..set.len())] as char)
            .collect()
    };
    let head = pick(3, &ALPHABET[..62]);
    let digit = pick(1, &ALPHABET[52..62]);
    let tail = pick(34, ALPHABET);
    format!("{head}{digit}Q~{tail}")
}

fn action_inner(
    emu: &Emulator,
    by_app_id: bool,
    key: &str,
    action: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Fail> {
    let c = caller(emu, headers)?;
    if action != "addPassword" && action != "removePassword" {
        return Err(bad_request(
            emu,
            "BadRequest",
            &format!("Resource not found for the segment '{action}'."),
        ));
    }
    let json_ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    let parsed: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|_| bad_request(emu, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."))?
    };
    if !body.is_empty() && !json_ok {
        return Err(Box::new(error(
            emu,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BadRequest",
            "A supported MIME type could not be found that matches the content type of the response.",
        )));
    }
    let now = emu.clock.now();
    let mut w = emu.world();
    let propagation = w.secret_propagation_seconds;
    let base = entra::request_origin(&w, headers);
    let app = w
        .apps
        .iter_mut()
        .find(|a| {
            if by_app_id {
                a.app_id.eq_ignore_ascii_case(key)
            } else {
                a.id.eq_ignore_ascii_case(key)
            }
        })
        .filter(|a| a.tenant_id == c.tenant_id)
        .ok_or_else(|| not_found(emu, key))?;
    if !c.can_write(app) {
        return Err(denied(emu));
    }
    if action == "removePassword" {
        let key_id = parsed["keyId"].as_str().ok_or_else(|| {
            bad_request(
                emu,
                "Request_BadRequest",
                "The request body must contain 'keyId'.",
            )
        })?;
        let Some(at) = app
            .passwords
            .iter()
            .position(|p| p.key_id.eq_ignore_ascii_case(key_id))
        else {
            return Err(bad_request(
                emu,
                "Request_BadRequest",
                &format!("No password credential found with keyId '{key_id}'."),
            ));
        };
        let removed = app.passwords.remove(at);
        let app_id = app.app_id.clone();
        w.revoke(&app_id, &removed.key_id, &removed.secret_text);
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let pc = &parsed["passwordCredential"];
    let date = |name: &str, default: i64| -> Result<i64, Fail> {
        match pc[name].as_str() {
            None => Ok(default),
            Some(s) => parse_iso(s).ok_or_else(|| {
                bad_request(
                    emu,
                    "BadRequest",
                    &format!("Invalid value for '{name}': '{s}'."),
                )
            }),
        }
    };
    let start = date("startDateTime", now)?;
    let end = date("endDateTime", start + TWO_YEARS)?;
    if end <= start {
        return Err(bad_request(
            emu,
            "Request_BadRequest",
            "endDateTime must be after startDateTime.",
        ));
    }
    if let Some(days) = app.max_secret_lifetime_days
        && end - start > days * 24 * 3600
    {
        let body = json!({"error": {
            "code": "CredentialInvalidLifetimeAsPerAppPolicy",
            "message": "Credential lifetime exceeds the max value allowed as per assigned policy.",
            "details": [{"code": "InvalidKeyEndDate", "target": "EndDate"}],
            "innerError": {"date": iso(now), "request-id": guid(), "client-request-id": guid()},
        }});
        return Err(Box::new(
            (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response(),
        ));
    }
    let secret = new_secret();
    let password = Password {
        key_id: guid(),
        display_name: pc["displayName"].as_str().map(String::from),
        secret_text: secret.clone(),
        start,
        end,
        usable_from: now + propagation,
    };
    let out = json!({
        "@odata.context": format!("{base}/v1.0/$metadata#microsoft.graph.passwordCredential"),
        "customKeyIdentifier": null, "displayName": password.display_name, "endDateTime": iso(end),
        "hint": secret.chars().take(3).collect::<String>(), "keyId": password.key_id,
        "secretText": secret, "startDateTime": iso(start),
    });
    app.passwords.push(password);
    Ok(ok(StatusCode::OK, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn filters_and_app_id_keys() {
        assert_eq!(
            parse_filter("appId eq 'abc'"),
            Ok(("appId".into(), "abc".into()))
        );
        assert_eq!(
            parse_filter("displayName eq 'O''Brien app'"),
            Ok(("displayName".into(), "O'Brien app".into()))
        );
        assert!(parse_filter("appId ne 'abc'").is_err());
        assert!(parse_filter("appId eq abc").is_err());
        assert_eq!(app_id_key("applications(appId='x-1')"), Some("x-1"));
        assert_eq!(app_id_key("applications(appId=\"x-1\")"), Some("x-1"));
        assert_eq!(app_id_key("applications"), None);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".*") {
            let _ = parse_filter(&s);
            let _ = app_id_key(&s);
        }
    }
}
