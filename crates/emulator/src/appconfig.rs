//! App Configuration data plane for one store (protocols.md §5): key-values, locks, HMAC-SHA256
//! and Entra bearer auth, problem+json errors, Sync-Token, paging.
// Handler helpers return the finished HTTP error response as their `Err`; it is built once per
// failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::bearer::{self, BearerError};
use crate::state::{Emulator, KeyValue, Store};
use crate::util::{
    b64, b64url, b64url_decode, constant_time_eq, guid, http_date, iso_offset, parse_http_date,
    pct_decode, query_pairs, random_token,
};

const API_VERSIONS: &[&str] = &[
    "1.0",
    "2023-10-01",
    "2023-11-01",
    "2024-09-01",
    "2026-04-01",
];
const SKEW_SECONDS: i64 = 15 * 60;
const KV_TYPE: &str = "application/vnd.microsoft.appconfig.kv+json; charset=utf-8";
const KVSET_TYPE: &str = "application/vnd.microsoft.appconfig.kvset+json; charset=utf-8";
const OWNER: &str = "App Configuration Data Owner";
const READER: &str = "App Configuration Data Reader";
const MAX_FILTERS: usize = 5;
const KV_FIELDS: &[&str] = &[
    "key",
    "label",
    "content_type",
    "value",
    "last_modified",
    "tags",
    "locked",
    "etag",
];

pub fn routes(emu: Arc<Emulator>, store: usize) -> Router {
    Router::new().fallback(handle).with_state((emu, store))
}

/// problem+json (REST spec `Error`).
pub fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    name: Option<&str>,
    detail: &str,
) -> Response {
    let mut body =
        json!({"type": kind, "title": title, "detail": detail, "status": status.as_u16()});
    if let Some(n) = name {
        body["name"] = n.into();
    }
    (
        status,
        [(
            header::CONTENT_TYPE,
            "application/problem+json; charset=utf-8",
        )],
        body.to_string(),
    )
        .into_response()
}

pub fn too_many_requests() -> Response {
    let body = json!({"type": "https://azconfig.io/errors/too-many-requests", "title": "Resource utilization has surpassed the assigned quota", "policy": "Total Requests", "status": 429});
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(
            header::CONTENT_TYPE,
            "application/problem+json; charset=utf-8",
        )],
        body.to_string(),
    )
        .into_response()
}

fn invalid_argument(name: &str, detail: &str) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "https://azconfig.io/errors/invalid-argument",
        &format!("Invalid request parameter '{name}'"),
        Some(name),
        detail,
    )
}

fn challenge(error: Option<&str>) -> Response {
    let value = match error {
        Some(desc) => {
            format!("HMAC-SHA256 error=\"invalid_token\" error_description=\"{desc}\", Bearer")
        }
        None => "HMAC-SHA256, Bearer".to_string(),
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, value)],
    )
        .into_response()
}

fn bearer_challenge(desc: &str) -> Response {
    let value =
        format!("HMAC-SHA256, Bearer error=\"invalid_token\", error_description=\"{desc}\"");
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, value)],
    )
        .into_response()
}

struct Access {
    write: bool,
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// HMAC-SHA256 as Microsoft's emulator validates it (protocols.md §5.3).
fn hmac_auth(
    store: &Store,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    body: &[u8],
    params: &str,
    now: i64,
) -> Result<Access, Response> {
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in params.split('&') {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(challenge(Some(
            "[Credential][SignedHeaders][Signature] is required",
        )));
    };
    let names: Vec<String> = signed.split(';').map(|s| s.to_ascii_lowercase()).collect();
    let date_header = if names.iter().any(|n| n == "x-ms-date") {
        "x-ms-date"
    } else {
        "date"
    };
    for required in [date_header, "host", "x-ms-content-sha256"] {
        if !names.iter().any(|n| n == required) {
            let shown = if required == "date" {
                "x-ms-date or Date"
            } else {
                required
            };
            return Err(challenge(Some(&format!(
                "{shown} is required as a signed header"
            ))));
        }
    }
    let mut values = Vec::new();
    for n in &names {
        match header_str(headers, n) {
            Some(v) => values.push(v.to_string()),
            None => {
                return Err(challenge(Some(&format!(
                    "Signed request header '{n}' is not provided"
                ))));
            }
        }
    }
    let Some(date) = header_str(headers, date_header).and_then(parse_http_date) else {
        return Err(challenge(Some("Invalid access token date")));
    };
    if (date - now).abs() > SKEW_SECONDS {
        return Err(challenge(Some("The access token has expired")));
    }
    let Some(key) = store.access_keys.iter().find(|k| k.id == credential) else {
        return Err(challenge(Some("Invalid Credential")));
    };
    let content_hash = b64(&Sha256::digest(body));
    if header_str(headers, "x-ms-content-sha256") != Some(content_hash.as_str()) {
        return Err(challenge(Some("Invalid content hash")));
    }
    let to_sign = format!(
        "{}\n{target}\n{}",
        method.as_str().to_ascii_uppercase(),
        values.join(";")
    );
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key.secret) else {
        return Err(challenge(Some("Invalid Credential")));
    };
    mac.update(to_sign.as_bytes());
    let expected = b64(&mac.finalize().into_bytes());
    if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(challenge(Some("Invalid Signature")));
    }
    Ok(Access {
        write: !key.read_only,
    })
}

fn authenticate(
    emu: &Emulator,
    store: &Store,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Access, Response> {
    let auth = header_str(headers, "authorization").unwrap_or("");
    if let Some(params) = auth.strip_prefix("HMAC-SHA256 ") {
        // Request dates come from the client's real clock, so skew is checked against the wall
        // clock, not the admin-advanced one.
        return hmac_auth(
            store,
            method,
            target,
            headers,
            body,
            params.trim(),
            emu.clock.wall(),
        );
    }
    if !auth.starts_with("Bearer ") {
        return Err(challenge(None));
    }
    let host = header_str(headers, "host").unwrap_or("");
    let mut audiences = vec![
        "https://appconfig.azure.com".to_string(),
        "https://azconfig.io".to_string(),
    ];
    // The store-specific audience must match the Host header exactly (protocols.md §5.4).
    if let Some(origin) = store
        .origins
        .iter()
        .find(|o| o.split_once("://").is_some_and(|(_, h)| h == host))
    {
        audiences.push(origin.clone());
    }
    let claims = bearer::verify(emu, headers, &audiences).map_err(|e| match e {
        BearerError::Expired => bearer_challenge("The access token has expired"),
        _ => bearer_challenge("Authorization token failed validation"),
    })?;
    if claims["tid"].as_str() != Some(store.tenant_id.as_str()) {
        return Err(bearer_challenge(
            "The access token is from the wrong issuer. It must match the AD tenant associated with this store.",
        ));
    }
    let oid = claims["oid"].as_str().unwrap_or("");
    let role = store
        .roles
        .iter()
        .filter(|(p, _)| p == oid)
        .map(|(_, r)| r.as_str())
        .fold(None, |best, r| match (best, r) {
            (_, OWNER) | (Some(OWNER), _) => Some(OWNER),
            (_, READER) => Some(READER),
            (b, _) => b,
        });
    match role {
        Some(OWNER) => Ok(Access { write: true }),
        Some(_) => Ok(Access { write: false }),
        None => Err(problem(
            StatusCode::FORBIDDEN,
            "https://azconfig.io/errors/forbidden",
            "Access to the requested resource is forbidden",
            None,
            "The principal has no App Configuration data-plane role on this store.",
        )),
    }
}

fn kv_json(kv: &KeyValue) -> Map<String, Value> {
    let v = json!({
        "etag": kv.etag, "key": kv.key, "label": kv.label, "content_type": kv.content_type,
        "value": kv.value, "tags": kv.tags, "locked": kv.locked, "last_modified": iso_offset(kv.last_modified),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn kv_response(status: StatusCode, kv: &KeyValue) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, KV_TYPE.to_string()),
            (header::ETAG, format!("\"{}\"", kv.etag)),
            (header::LAST_MODIFIED, http_date(kv.last_modified)),
        ],
        Value::Object(kv_json(kv)).to_string(),
    )
        .into_response()
}

/// One term of a key or label filter.
enum Term {
    Any,
    Exact(Option<String>),
    Prefix(String),
}

impl Term {
    fn matches(&self, v: Option<&str>) -> bool {
        match self {
            Term::Any => true,
            Term::Exact(e) => e.as_deref() == v,
            Term::Prefix(p) => v.is_some_and(|v| v.starts_with(p.as_str())),
        }
    }
}

/// Parses `a,b\,c,pre*` with `\` escapes for `*`, `,` and `\` (protocols.md §5.1 "Filters").
fn parse_filter(name: &str, raw: &str, is_label: bool) -> Result<Vec<Term>, Response> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut prefix = false;
    let mut chars = raw.chars().peekable();
    let push = |current: &mut String, prefix: &mut bool, terms: &mut Vec<Term>| {
        let t = if *prefix && current.is_empty() {
            Term::Any
        } else if *prefix {
            Term::Prefix(std::mem::take(current))
        } else if is_label && (current.is_empty() || current == "\0") {
            current.clear();
            Term::Exact(None)
        } else {
            Term::Exact(Some(std::mem::take(current)))
        };
        *prefix = false;
        terms.push(t);
    };
    while let Some(c) = chars.next() {
        if prefix && c != ',' {
            return Err(invalid_argument(
                name,
                "A wildcard '*' is only allowed at the end of a filter term.",
            ));
        }
        match c {
            '\\' => match chars.next() {
                Some(e @ ('*' | ',' | '\\')) => current.push(e),
                _ => {
                    return Err(invalid_argument(
                        name,
                        "Invalid escape sequence: only '\\*', '\\,' and '\\\\' are allowed.",
                    ));
                }
            },
            '*' => prefix = true,
            ',' => push(&mut current, &mut prefix, &mut terms),
            c => current.push(c),
        }
    }
    push(&mut current, &mut prefix, &mut terms);
    // "Exact matching: up to 5 values; wildcard matching: a single expression" (SDK filter docs).
    if terms.len() > 1 && terms.iter().any(|t| !matches!(t, Term::Exact(_))) {
        return Err(invalid_argument(
            name,
            "A wildcard filter can't be combined with other values.",
        ));
    }
    if terms.len() > MAX_FILTERS {
        return Err(invalid_argument(
            name,
            &format!("At most {MAX_FILTERS} comma-separated values are allowed."),
        ));
    }
    Ok(terms)
}

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key != "." && key != ".." && !key.contains('%')
}

fn valid_label(label: &Option<String>) -> bool {
    label
        .as_deref()
        .is_none_or(|l| !l.contains(['*', ',', '\\']))
}

/// The etag a conditional header names, or `*`.
fn etag_of(h: &HeaderMap, name: &str) -> Option<String> {
    header_str(h, name).map(|v| {
        v.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    })
}

fn precondition(headers: &HeaderMap, current: Option<&KeyValue>) -> bool {
    if let Some(m) = etag_of(headers, "if-match") {
        match current {
            None => return false,
            Some(kv) if m != "*" && m != kv.etag => return false,
            _ => {}
        }
    }
    if let Some(m) = etag_of(headers, "if-none-match")
        && let Some(kv) = current
        && (m == "*" || m == kv.etag)
    {
        return false;
    }
    true
}

async fn handle(State((emu, idx)): State<(Arc<Emulator>, usize)>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, 10 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "https://azconfig.io/errors/invalid-argument",
                "Request body too large",
                None,
                "The request body is too large.",
            );
        }
    };
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let mut response = dispatch(&emu, idx, &parts.method, &target, &parts.headers, &body);
    let mut w = emu.world();
    if let Some(store) = w.stores.get_mut(idx) {
        let token = format!(
            "{}={};sn={}",
            store.sync_id,
            b64(store.sync_sn.to_string().as_bytes()),
            store.sync_sn
        );
        if let Ok(v) = HeaderValue::from_str(&token) {
            response.headers_mut().insert("sync-token", v);
        }
    }
    if let Ok(v) = HeaderValue::from_str(&guid()) {
        response.headers_mut().insert("x-ms-request-id", v);
    }
    if header_str(&parts.headers, "x-ms-return-client-request-id") == Some("true")
        && let Some(id) = parts.headers.get("x-ms-client-request-id")
    {
        response
            .headers_mut()
            .insert("x-ms-client-request-id", id.clone());
    }
    response
}

fn dispatch(
    emu: &Emulator,
    idx: usize,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let now = emu.clock.now();
    let (path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let access = {
        let w = emu.world();
        let Some(store) = w.stores.get(idx) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        match authenticate(emu, store, method, target, headers, body) {
            Ok(a) => a,
            Err(r) => return r,
        }
    };
    let Some(query) = query_pairs(raw_query, false) else {
        return invalid_argument("query", "The query string is not properly percent-encoded.");
    };
    let get = |n: &str| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    match get("api-version") {
        None => return invalid_argument("api-version", "The 'api-version' parameter is required."),
        Some(v) if !API_VERSIONS.contains(&v.as_str()) => {
            return invalid_argument(
                "api-version",
                &format!("The HTTP resource does not support the API version '{v}'."),
            );
        }
        _ => {}
    }
    if path == "/kv" || path == "/kv/" {
        return match *method {
            Method::GET | Method::HEAD => list(emu, idx, &query, raw_query, headers),
            _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
        };
    }
    let (lock_route, encoded_key) = if let Some(k) = path.strip_prefix("/kv/") {
        (false, k)
    } else if let Some(k) = path.strip_prefix("/locks/") {
        (true, k)
    } else {
        return problem(
            StatusCode::NOT_FOUND,
            "https://azconfig.io/errors/not-found",
            "Not Found",
            None,
            "The requested resource does not exist.",
        );
    };
    let Some(key) = pct_decode(encoded_key) else {
        return invalid_argument("key", "The key is not valid percent-encoded UTF-8.");
    };
    let label = get("label").filter(|l| !l.is_empty() && l != "\0");
    if !valid_key(&key) {
        return invalid_argument(
            "key",
            "A key can contain any unicode character except '%', and can't be '.' or '..'.",
        );
    }
    if !valid_label(&label) {
        return invalid_argument("label", "A label can't contain '*', ',' or '\\' unescaped.");
    }
    let is_write = *method != Method::GET && *method != Method::HEAD;
    if is_write && !access.write {
        return problem(
            StatusCode::FORBIDDEN,
            "https://azconfig.io/errors/forbidden",
            "Access to the requested resource is forbidden",
            None,
            "The credential only allows reads.",
        );
    }
    let mut w = emu.world();
    let Some(store) = w.stores.get_mut(idx) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let pos = store
        .kvs
        .iter()
        .position(|kv| kv.key == key && kv.label == label);
    let current = pos.and_then(|p| store.kvs.get(p));
    let locked = || {
        problem(
            StatusCode::CONFLICT,
            "https://azconfig.io/errors/key-locked",
            &format!("Modifying key '{key}' is not allowed"),
            Some(&key),
            "The key is read-only. To allow modification unlock it first.",
        )
    };
    match (method.clone(), lock_route) {
        (Method::GET, false) => match current {
            None => StatusCode::NOT_FOUND.into_response(),
            Some(kv) => {
                if let Some(m) = etag_of(headers, "if-none-match")
                    && (m == "*" || m == kv.etag)
                {
                    return (
                        StatusCode::NOT_MODIFIED,
                        [(header::ETAG, format!("\"{}\"", kv.etag))],
                    )
                        .into_response();
                }
                if let Some(m) = etag_of(headers, "if-match")
                    && m != "*"
                    && m != kv.etag
                {
                    return StatusCode::PRECONDITION_FAILED.into_response();
                }
                kv_response(StatusCode::OK, kv)
            }
        },
        (Method::PUT, false) => {
            let ct = header_str(headers, "content-type")
                .unwrap_or("")
                .to_ascii_lowercase();
            if !(ct.starts_with("application/vnd.microsoft.appconfig.kv+json")
                || ct.starts_with("application/json"))
            {
                return problem(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "https://azconfig.io/errors/invalid-argument",
                    "Unsupported Media Type",
                    None,
                    "Content-Type must be application/vnd.microsoft.appconfig.kv+json.",
                );
            }
            let Ok(Value::Object(input)) = serde_json::from_slice::<Value>(body) else {
                return invalid_argument("body", "The request body must be a JSON object.");
            };
            if current.is_some_and(|kv| kv.locked) {
                return locked();
            }
            if !precondition(headers, current) {
                return StatusCode::PRECONDITION_FAILED.into_response();
            }
            let tags: BTreeMap<String, String> = match input.get("tags") {
                None | Some(Value::Null) => BTreeMap::new(),
                Some(Value::Object(t)) => match t
                    .iter()
                    .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect::<Option<_>>()
                {
                    Some(t) => t,
                    None => return invalid_argument("tags", "Tag values must be strings."),
                },
                Some(_) => return invalid_argument("tags", "tags must be an object."),
            };
            let str_field = |n: &str| input.get(n).and_then(|v| v.as_str()).map(String::from);
            let kv = KeyValue {
                key: key.clone(),
                label: label.clone(),
                value: str_field("value").unwrap_or_default(),
                content_type: str_field("content_type"),
                tags,
                locked: false,
                etag: random_token(24),
                last_modified: now,
            };
            let size = kv.key.len()
                + kv.value.len()
                + kv.content_type.as_deref().map_or(0, str::len)
                + kv.label.as_deref().map_or(0, str::len)
                + kv.tags
                    .iter()
                    .map(|(a, b)| a.len() + b.len())
                    .sum::<usize>();
            if size > 10 * 1024 {
                return problem(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "https://azconfig.io/errors/kv-too-large",
                    "The key-value is too large",
                    Some(&key),
                    "Key, value and attributes together must not exceed 10 KB.",
                );
            }
            store.sync_sn += 1;
            let response = kv_response(StatusCode::OK, &kv);
            let (name, value) = (store.name.clone(), kv.value.clone());
            match pos {
                Some(p) => store.kvs[p] = kv,
                None => store.kvs.push(kv),
            }
            w.written(&name, &key, label.as_deref(), &value);
            response
        }
        (Method::DELETE, false) => {
            let Some(p) = pos else {
                return StatusCode::NO_CONTENT.into_response();
            };
            if store.kvs[p].locked {
                return locked();
            }
            if !precondition(headers, Some(&store.kvs[p])) {
                return StatusCode::PRECONDITION_FAILED.into_response();
            }
            let kv = store.kvs.remove(p);
            store.sync_sn += 1;
            kv_response(StatusCode::OK, &kv)
        }
        (m @ (Method::PUT | Method::DELETE), true) => {
            let Some(p) = pos else {
                return StatusCode::NOT_FOUND.into_response();
            };
            if !precondition(headers, Some(&store.kvs[p])) {
                return StatusCode::PRECONDITION_FAILED.into_response();
            }
            let kv = &mut store.kvs[p];
            kv.locked = m == Method::PUT;
            kv.etag = random_token(24);
            kv.last_modified = now;
            store.sync_sn += 1;
            kv_response(StatusCode::OK, &store.kvs[p])
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

fn list(
    emu: &Emulator,
    idx: usize,
    query: &[(String, String)],
    raw_query: &str,
    headers: &HeaderMap,
) -> Response {
    let get = |n: &str| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let keys = match get("key")
        .map(|k| parse_filter("key", &k, false))
        .transpose()
    {
        Ok(k) => k.unwrap_or_else(|| vec![Term::Any]),
        Err(r) => return r,
    };
    let labels = match get("label")
        .map(|l| parse_filter("label", &l, true))
        .transpose()
    {
        Ok(l) => l.unwrap_or_else(|| vec![Term::Any]),
        Err(r) => return r,
    };
    let mut tags = Vec::new();
    for (_, t) in query.iter().filter(|(k, _)| k == "tags") {
        let Some((n, v)) = t.split_once('=') else {
            return invalid_argument("tags", "A tags filter must be 'name=value'.");
        };
        tags.push((n.to_string(), (v != "\0").then(|| v.to_string())));
    }
    if tags.len() > MAX_FILTERS {
        return invalid_argument(
            "tags",
            &format!("At most {MAX_FILTERS} tags filters are allowed."),
        );
    }
    let fields: Option<Vec<String>> = match get("$select") {
        None => None,
        Some(s) => {
            let f: Vec<String> = s
                .split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect();
            if let Some(bad) = f.iter().find(|x| !KV_FIELDS.contains(&x.as_str())) {
                return invalid_argument("$select", &format!("Unknown field '{bad}'."));
            }
            Some(f)
        }
    };
    let skip = match get("after") {
        None => 0,
        Some(a) => match b64url_decode(&a)
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse::<usize>().ok())
        {
            Some(n) => n,
            None => return invalid_argument("after", "The continuation token is not valid."),
        },
    };
    let w = emu.world();
    let Some(store) = w.stores.get(idx) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut matching: Vec<&KeyValue> = store
        .kvs
        .iter()
        .filter(|kv| keys.iter().any(|t| t.matches(Some(&kv.key))))
        .filter(|kv| labels.iter().any(|t| t.matches(kv.label.as_deref())))
        .filter(|kv| {
            tags.iter()
                .all(|(n, v)| kv.tags.get(n).map(String::as_str) == v.as_deref())
        })
        .collect();
    matching.sort_by(|a, b| (&a.key, &a.label).cmp(&(&b.key, &b.label)));
    let items: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(store.page_size)
        .map(|kv| {
            let mut m = kv_json(kv);
            if let Some(f) = &fields {
                m.retain(|k, _| f.contains(k));
            }
            Value::Object(m)
        })
        .collect();
    let mut body = json!({"items": items});
    let mut response_headers = vec![(header::CONTENT_TYPE, KVSET_TYPE.to_string())];
    if skip + store.page_size < matching.len() {
        let kept: Vec<&str> = raw_query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("after="))
            .collect();
        let next = format!(
            "/kv?{}&after={}",
            kept.join("&"),
            b64url((skip + store.page_size).to_string().as_bytes())
        );
        response_headers.push((header::LINK, format!("<{next}>; rel=\"next\"")));
        body["@nextLink"] = next.into();
    }
    let etag = b64url(&Sha256::digest(body.to_string().as_bytes())[..16]);
    if etag_of(headers, "if-none-match").is_some_and(|m| m == etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, format!("\"{etag}\""))],
        )
            .into_response();
    }
    response_headers.push((header::ETAG, format!("\"{etag}\"")));
    let mut r = (StatusCode::OK, body.to_string()).into_response();
    for (k, v) in response_headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(raw: &str, label: bool) -> Vec<String> {
        parse_filter("key", raw, label)
            .unwrap_or_else(|_| panic!("{raw} should parse"))
            .iter()
            .map(|t| match t {
                Term::Any => "ANY".to_string(),
                Term::Exact(None) => "NULL".to_string(),
                Term::Exact(Some(s)) => format!("={s}"),
                Term::Prefix(p) => format!("{p}*"),
            })
            .collect()
    }

    #[test]
    fn filters_with_escapes() {
        assert_eq!(terms("*", false), ["ANY"]);
        assert_eq!(terms("abc*", false), ["abc*"]);
        assert_eq!(terms(r"a\*b", false), ["=a*b"]);
        assert_eq!(terms(r"a\,b,c", false), ["=a,b", "=c"]);
        assert_eq!(terms(r"a\\", false), [r"=a\"]);
        assert_eq!(terms("\0", true), ["NULL"]);
        assert_eq!(terms("", true), ["NULL"]);
        assert!(parse_filter("key", "a*b", false).is_err());
        assert!(parse_filter("key", r"a\b", false).is_err());
        assert!(parse_filter("key", "a,b,c,d,e,f", false).is_err());
        assert_eq!(terms("a,b,c,d,e", false).len(), 5);
        assert!(parse_filter("key", "a*,b", false).is_err());
    }

    proptest! {
        #[test]
        fn filter_parser_never_panics(s in ".*", label in any::<bool>()) {
            let _ = parse_filter("key", &s, label);
        }
    }
}
