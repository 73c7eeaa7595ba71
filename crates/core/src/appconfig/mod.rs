//! Azure App Configuration data plane: key-values (protocols.md §5; azure-docs
//! `rest-api-key-value.md`, `rest-api-consistency.md`, `rest-api-throttling.md`).
//!
//! Builders return unsigned requests; [`authorize`] adds the `Sync-Token`s and either a bearer
//! token or an HMAC signature ([`AppConfigAuth`]), so both credentials work for every request.

use crate::prelude::*;
pub mod hmac;

use crate::cloud::StoreEndpoint;
use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse, Method, Origin, encode_component};
use crate::link;
use crate::oauth::token::AccessToken;
use alloc::collections::BTreeMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The api-version azconn speaks unless configured otherwise (the JS SDK's default).
pub const DEFAULT_API_VERSION: &str = "2023-11-01";
/// Request media type of a key-value PUT.
pub const KV_MEDIA_TYPE: &str = "application/vnd.microsoft.appconfig.kv+json";
/// Content type of a Key Vault reference, whose value is `{"uri":"..."}`.
pub const KEYVAULT_REF_CONTENT_TYPE: &str =
    "application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8";
/// Key prefix of feature flags, which secret sync never touches.
pub const FEATURE_FLAG_PREFIX: &str = ".appconfig.featureflag/";
/// Combined key + label + value + content type + tags limit (azure-docs `concept-key-value.md`).
pub const MAX_KV_BYTES: usize = 10 * 1024;

/// A key name: any Unicode except `%`, and not `.` or `..` (azure-docs `concept-key-value.md`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
pub struct Key(String);

impl Key {
    pub fn parse(key: &str) -> Result<Key, Error> {
        if key.is_empty() {
            return Err(Error::field("key", Code::Required, "a key is required"));
        }
        if key == "." || key == ".." {
            return Err(Error::field(
                "key",
                Code::NotAllowed,
                "App Configuration does not allow the keys '.' and '..'",
            ));
        }
        if key.contains('%') {
            return Err(Error::field(
                "key",
                Code::InvalidCharacter,
                "App Configuration keys cannot contain '%'",
            ));
        }
        if key.chars().any(char::is_control) {
            return Err(Error::field(
                "key",
                Code::InvalidCharacter,
                "the key contains a control character",
            ));
        }
        if key.len() > MAX_KV_BYTES {
            return Err(Error::field(
                "key",
                Code::TooLong,
                "the key is longer than 10 KB",
            ));
        }
        Ok(Key(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Key {
    type Error = Error;
    fn try_from(s: String) -> Result<Key, Error> {
        Key::parse(&s)
    }
}

impl From<Key> for String {
    fn from(k: Key) -> String {
        k.0
    }
}

/// A label: the null label (JSON `null`) or a named one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string | null"))]
#[serde(try_from = "Option<String>", into = "Option<String>")]
pub enum Label {
    Null,
    Named(String),
}

impl Label {
    pub fn parse(label: Option<&str>) -> Result<Label, Error> {
        match label {
            None => Ok(Label::Null),
            Some("") => Err(
                Error::field("label", Code::Required, "an empty label is ambiguous")
                    .with_hint("use no label (null) instead"),
            ),
            Some(l) if l.chars().any(char::is_control) => Err(Error::field(
                "label",
                Code::InvalidCharacter,
                "the label contains a control character",
            )),
            // Key, label and value share App Configuration's 10 KB per key-value.
            Some(l) if l.len() > MAX_KV_BYTES => Err(Error::field(
                "label",
                Code::TooLong,
                "the label is longer than 10 KB",
            )),
            Some(l) => Ok(Label::Named(l.to_owned())),
        }
    }

    fn as_option(&self) -> Option<&str> {
        match self {
            Label::Null => None,
            Label::Named(l) => Some(l),
        }
    }
}

impl TryFrom<Option<String>> for Label {
    type Error = Error;
    fn try_from(s: Option<String>) -> Result<Label, Error> {
        Label::parse(s.as_deref())
    }
}

impl From<Label> for Option<String> {
    fn from(l: Label) -> Option<String> {
        match l {
            Label::Null => None,
            Label::Named(s) => Some(s),
        }
    }
}

/// How a request authenticates: an Entra token for the store's audience, or an access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppConfigAuth {
    Bearer(AccessToken),
    AccessKey(hmac::AccessKey),
}

/// Adds `Sync-Token` (when any was seen) and the credential. Call last: an HMAC signature
/// covers the final URL and body.
pub fn authorize(
    req: HttpRequest,
    auth: &AppConfigAuth,
    tokens: &SyncTokens,
    now: i64,
) -> Result<HttpRequest, Error> {
    let req = match tokens.header_value() {
        Some(v) => req.with_header("sync-token", v),
        None => req,
    };
    match auth {
        AppConfigAuth::Bearer(t) => {
            Ok(req.with_header("authorization", format!("Bearer {}", t.expose())))
        }
        AppConfigAuth::AccessKey(k) => hmac::sign(req, k, now),
    }
}

/// A write precondition (azure-docs `rest-api-key-value.md`, conditional writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Condition {
    /// Unconditional.
    None,
    /// `If-Match: "{etag}"`: only if unchanged since read.
    IfMatch(String),
    /// `If-Match: *`: update only if it exists.
    IfMatchAny,
    /// `If-None-Match: *`: create only.
    IfNoneMatchAny,
}

impl Condition {
    fn apply(&self, req: HttpRequest) -> Result<HttpRequest, Error> {
        Ok(match self {
            Condition::None => req,
            Condition::IfMatch(etag) => {
                if etag.is_empty() || etag.chars().any(|c| c == '"' || c.is_control()) {
                    return Err(Error::field(
                        "etag",
                        Code::InvalidCharacter,
                        "an ETag is a non-empty value without quotes or control characters",
                    ));
                }
                req.with_header("if-match", format!("\"{etag}\""))
            }
            Condition::IfMatchAny => req.with_header("if-match", "*"),
            Condition::IfNoneMatchAny => req.with_header("if-none-match", "*"),
        })
    }
}

/// What a PUT writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct KvWrite {
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub value: String,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub content_type: Option<String>,
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub tags: BTreeMap<String, String>,
}

/// Key filter of a list request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum KeyFilter {
    All,
    Exact(String),
    Prefix(String),
    /// At most five exact keys.
    AnyOf(Vec<String>),
}

/// Label filter of a list request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum LabelFilter {
    All,
    Exact(Label),
    Prefix(String),
    AnyOf(Vec<Label>),
}

/// Options of `GET /kv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    pub key: KeyFilter,
    pub label: LabelFilter,
    /// `$select` fields (`key`, `label`, `value`, `content_type`, `etag`, `tags`, `locked`,
    /// `last_modified`); empty means all.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub select: Vec<String>,
}

const SELECTABLE: [&str; 8] = [
    "key",
    "label",
    "value",
    "content_type",
    "etag",
    "tags",
    "locked",
    "last_modified",
];

/// `*`, `,` and `\` are filter syntax; a literal one is written `\{char}`.
pub fn escape_filter(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | ',' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn label_filter_value(l: &Label) -> String {
    match l {
        Label::Null => "\0".to_owned(),
        Label::Named(n) => escape_filter(n),
    }
}

fn any_of(n: usize, field: &str) -> Result<(), Error> {
    if n == 0 || n > 5 {
        return Err(Error::field(
            field,
            Code::OutOfRange,
            "a filter lists between 1 and 5 values",
        ));
    }
    Ok(())
}

/// One App Configuration store, addressed by its validated origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    origin: Origin,
    api_version: String,
}

impl Store {
    pub fn new(endpoint: &StoreEndpoint) -> Store {
        Store {
            origin: endpoint.origin().clone(),
            api_version: DEFAULT_API_VERSION.to_owned(),
        }
    }

    /// The store an access key belongs to.
    pub fn for_access_key(key: &hmac::AccessKey) -> Store {
        Store {
            origin: key.endpoint().clone(),
            api_version: DEFAULT_API_VERSION.to_owned(),
        }
    }

    /// Another api-version (`1.0`, `2023-10-01`, `2024-09-01`...).
    pub fn with_api_version(mut self, version: &str) -> Result<Store, Error> {
        if version.is_empty()
            || !version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(Error::field(
                "apiVersion",
                Code::InvalidFormat,
                "an api-version looks like 2023-11-01",
            ));
        }
        self.api_version = version.to_owned();
        Ok(self)
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    fn kv_url(&self, key: &Key, label: &Label) -> String {
        let mut url = format!("{}/kv/{}?", self.origin, encode_component(key.as_str()));
        if let Some(l) = label.as_option() {
            url.push_str(&format!("label={}&", encode_component(l)));
        }
        url.push_str(&format!(
            "api-version={}",
            encode_component(&self.api_version)
        ));
        url
    }

    /// `GET /kv/{key}?label=...`.
    pub fn get(&self, key: &Key, label: &Label) -> HttpRequest {
        HttpRequest::new(Method::Get, self.kv_url(key, label)).with_header(
            "accept",
            "application/vnd.microsoft.appconfig.kv+json, application/problem+json",
        )
    }

    /// `GET /kv?key=...&label=...&$select=...`.
    pub fn list(&self, query: &ListQuery) -> Result<HttpRequest, Error> {
        let mut params = Vec::new();
        let key = match &query.key {
            KeyFilter::All => None,
            KeyFilter::Exact(k) => Some(escape_filter(k)),
            KeyFilter::Prefix(p) => Some(format!("{}*", escape_filter(p))),
            KeyFilter::AnyOf(ks) => {
                any_of(ks.len(), "key")?;
                Some(
                    ks.iter()
                        .map(|k| escape_filter(k))
                        .collect::<Vec<_>>()
                        .join(","),
                )
            }
        };
        if let Some(k) = key {
            params.push(format!("key={}", encode_component(&k)));
        }
        let label = match &query.label {
            LabelFilter::All => None,
            LabelFilter::Exact(l) => Some(label_filter_value(l)),
            LabelFilter::Prefix(p) => Some(format!("{}*", escape_filter(p))),
            LabelFilter::AnyOf(ls) => {
                any_of(ls.len(), "label")?;
                Some(
                    ls.iter()
                        .map(label_filter_value)
                        .collect::<Vec<_>>()
                        .join(","),
                )
            }
        };
        if let Some(l) = label {
            params.push(format!("label={}", encode_component(&l)));
        }
        if !query.select.is_empty() {
            if let Some(f) = query
                .select
                .iter()
                .find(|f| !SELECTABLE.contains(&f.as_str()))
            {
                return Err(Error::field(
                    "select",
                    Code::NotAllowed,
                    format!("{f:?} is not a key-value field"),
                ));
            }
            params.push(format!(
                "$select={}",
                encode_component(&query.select.join(","))
            ));
        }
        params.push(format!(
            "api-version={}",
            encode_component(&self.api_version)
        ));
        Ok(HttpRequest::new(
            Method::Get,
            format!("{}/kv?{}", self.origin, params.join("&")),
        )
        .with_header(
            "accept",
            "application/vnd.microsoft.appconfig.kvset+json, application/problem+json",
        ))
    }

    /// The next list page, from [`KvPage::next_link`] (already resolved and checked).
    pub fn next_page(&self, next_link: &str) -> Result<HttpRequest, Error> {
        let url = link::resolve(next_link, &self.origin, "nextLink")?;
        Ok(HttpRequest::new(Method::Get, url).with_header(
            "accept",
            "application/vnd.microsoft.appconfig.kvset+json, application/problem+json",
        ))
    }

    /// `PUT /kv/{key}?label=...` with `{"value","content_type","tags"}`; refuses key-values
    /// over the 10 KB limit before sending.
    pub fn put(
        &self,
        key: &Key,
        label: &Label,
        write: &KvWrite,
        condition: &Condition,
    ) -> Result<HttpRequest, Error> {
        let size = key.as_str().len()
            + label.as_option().map_or(0, str::len)
            + write.value.len()
            + write.content_type.as_deref().map_or(0, str::len)
            + write
                .tags
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        if size > MAX_KV_BYTES {
            return Err(Error::field(
                "value",
                Code::TooLong,
                format!("key, label, value, content type and tags total {size} bytes; App Configuration allows 10 KB"),
            )
            .with_hint("store large values in Key Vault and sync a Key Vault reference"));
        }
        let mut body = json!({ "value": write.value });
        if let Some(ct) = &write.content_type {
            body["content_type"] = json!(ct);
        }
        if !write.tags.is_empty() {
            body["tags"] = json!(write.tags);
        }
        let req = HttpRequest::new(Method::Put, self.kv_url(key, label)).with_header(
            "accept",
            "application/vnd.microsoft.appconfig.kv+json, application/problem+json",
        );
        condition
            .apply(req)
            .map(|r| r.with_body(KV_MEDIA_TYPE, body.to_string()))
    }

    /// `DELETE /kv/{key}?label=...`.
    pub fn delete(
        &self,
        key: &Key,
        label: &Label,
        condition: &Condition,
    ) -> Result<HttpRequest, Error> {
        condition.apply(
            HttpRequest::new(Method::Delete, self.kv_url(key, label)).with_header(
                "accept",
                "application/vnd.microsoft.appconfig.kv+json, application/problem+json",
            ),
        )
    }

    /// A list page: items and the next link (`@nextLink`, else `Link: <...>; rel="next"`),
    /// relative or absolute, accepted only on this store's origin.
    pub fn parse_list(&self, resp: &HttpResponse) -> Result<KvPage, Error> {
        success(resp)?;
        let v: Value = serde_json::from_str(&resp.body).map_err(|_| malformed("key-value list"))?;
        let items = v
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("key-value list"))?
            .iter()
            .map(key_value)
            .collect::<Result<Vec<_>, _>>()?;
        let link = match v.get("@nextLink") {
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) => resp.header_values("link").find_map(next_from_link_header),
            Some(_) => return Err(malformed("@nextLink")),
        };
        let next_link = link
            .map(|l| link::resolve(&l, &self.origin, "nextLink"))
            .transpose()?;
        Ok(KvPage { items, next_link })
    }
}

/// The `rel="next"` target of a `Link` header value (RFC 8288), if any.
fn next_from_link_header(value: &str) -> Option<String> {
    let mut rest = value;
    loop {
        let start = rest.find('<')?;
        let end = start + rest.get(start..)?.find('>')?;
        let target = rest.get(start + 1..end)?;
        let after = rest.get(end + 1..)?;
        let params_end = after.find('<').unwrap_or(after.len());
        let params = after.get(..params_end)?;
        let is_next = params.split(';').any(|p| {
            p.trim().split_once('=').is_some_and(|(n, v)| {
                n.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split(' ')
                        .any(|r| r.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return Some(target.to_owned());
        }
        rest = after.get(params_end..)?;
    }
}

/// A key-value as App Configuration returns it (field names as Azure spells them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyValue {
    pub key: String,
    pub label: Option<String>,
    pub value: Option<String>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub locked: Option<bool>,
    /// Tags with a null value are dropped.
    pub tags: BTreeMap<String, String>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct KvPage {
    pub items: Vec<KeyValue>,
    /// Absolute, on the store's origin.
    pub next_link: Option<String>,
}

fn malformed(what: &str) -> Error {
    Error::new(
        Code::MalformedResponse,
        format!("App Configuration returned a malformed {what}"),
    )
}

fn key_value(v: &Value) -> Result<KeyValue, Error> {
    let s = |name: &str| -> Result<Option<String>, Error> {
        match v.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(malformed("key-value")),
        }
    };
    let tags = match v.get("tags") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(m)) => m
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
            .collect(),
        Some(_) => return Err(malformed("key-value")),
    };
    Ok(KeyValue {
        key: s("key")?.ok_or_else(|| malformed("key-value (no key)"))?,
        label: s("label")?,
        value: s("value")?,
        content_type: s("content_type")?,
        etag: s("etag")?,
        last_modified: s("last_modified")?,
        locked: match v.get("locked") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(malformed("key-value")),
        },
        tags,
    })
}

fn single(resp: &HttpResponse) -> Result<KeyValue, Error> {
    let v: Value = serde_json::from_str(&resp.body).map_err(|_| malformed("key-value"))?;
    let mut kv = key_value(&v)?;
    if kv.etag.is_none() {
        kv.etag = resp.header("etag").map(|e| e.trim_matches('"').to_owned());
    }
    Ok(kv)
}

fn success(resp: &HttpResponse) -> Result<(), Error> {
    if resp.is_success() {
        Ok(())
    } else {
        Err(AppConfigError::parse(resp).to_error())
    }
}

/// `GET /kv/{key}`: `None` on 404.
pub fn parse_get(resp: &HttpResponse) -> Result<Option<KeyValue>, Error> {
    if resp.status == 404 {
        return Ok(None);
    }
    success(resp)?;
    single(resp).map(Some)
}

/// `PUT /kv/{key}`: the stored key-value with its new etag.
pub fn parse_put(resp: &HttpResponse) -> Result<KeyValue, Error> {
    success(resp)?;
    single(resp)
}

/// `DELETE /kv/{key}`: the deleted key-value (200), or `None` when it did not exist (204).
pub fn parse_delete(resp: &HttpResponse) -> Result<Option<KeyValue>, Error> {
    success(resp)?;
    if resp.status == 204 {
        return Ok(None);
    }
    single(resp).map(Some)
}

/// The `Sync-Token`s a client has seen, per id, keeping the highest sequence number
/// (azure-docs `rest-api-consistency.md`): sent back on every request so reads see the writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncTokens {
    tokens: BTreeMap<String, SyncToken>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SyncToken {
    value: String,
    sn: u64,
}

/// Stores have a handful of replicas; more distinct ids than this is not App Configuration.
const MAX_SYNC_TOKENS: usize = 32;

impl SyncTokens {
    /// Records every `Sync-Token` of a response (`id=value;sn=n`, comma-separated). Malformed
    /// tokens are skipped: a bad header must not fail an otherwise good response.
    pub fn observe(&mut self, resp: &HttpResponse) {
        for header in resp.header_values("sync-token") {
            for token in header.split(',') {
                let mut parts = token.trim().split(';');
                let Some((id, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                    continue;
                };
                let sn = parts.find_map(|p| {
                    p.trim()
                        .strip_prefix("sn=")
                        .and_then(|n| n.parse::<u64>().ok())
                });
                let ok = |s: &str| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_graphic() && b != b',' && b != b';')
                };
                let (Some(sn), true, true) = (sn, ok(id), ok(value)) else {
                    continue;
                };
                match self.tokens.get(id) {
                    Some(t) if t.sn >= sn => {}
                    None if self.tokens.len() >= MAX_SYNC_TOKENS => {}
                    _ => {
                        self.tokens.insert(
                            id.to_owned(),
                            SyncToken {
                                value: value.to_owned(),
                                sn,
                            },
                        );
                    }
                }
            }
        }
    }

    /// `id=value[,id2=value2]`, or `None` before any token was seen.
    pub fn header_value(&self) -> Option<String> {
        if self.tokens.is_empty() {
            return None;
        }
        Some(
            self.tokens
                .iter()
                .map(|(id, t)| format!("{id}={}", t.value))
                .collect::<Vec<_>>()
                .join(","),
        )
    }
}

/// What an App Configuration error means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AppConfigErrorKind {
    InvalidArgument,
    KeyLocked,
    PreconditionFailed,
    TooManyRequests,
    NotFound,
    Unauthorized,
    Forbidden,
    Unavailable,
    Other,
}

/// An `application/problem+json` error (`type`, `title`, `name`, `detail`, `status`) with the
/// retry and challenge headers that matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppConfigError {
    pub status: u16,
    pub kind: AppConfigErrorKind,
    #[serde(rename = "type")]
    pub type_uri: Option<String>,
    pub title: Option<String>,
    pub name: Option<String>,
    pub detail: Option<String>,
    pub retry_after_ms: Option<u64>,
    pub www_authenticate: Option<String>,
}

impl AppConfigError {
    /// Never fails: without a problem body the status decides.
    pub fn parse(resp: &HttpResponse) -> AppConfigError {
        let v: Value = serde_json::from_str(&resp.body).unwrap_or(Value::Null);
        let s = |n: &str| v.get(n).and_then(Value::as_str).map(str::to_owned);
        let type_uri = s("type");
        let t = type_uri
            .as_deref()
            .and_then(|t| t.rsplit('/').next())
            .unwrap_or("");
        let kind = match (t, resp.status) {
            ("invalid-argument", _) | (_, 400) => AppConfigErrorKind::InvalidArgument,
            ("key-locked", _) | (_, 409) => AppConfigErrorKind::KeyLocked,
            ("too-many-requests", _) | (_, 429) => AppConfigErrorKind::TooManyRequests,
            (_, 412) => AppConfigErrorKind::PreconditionFailed,
            (_, 404) => AppConfigErrorKind::NotFound,
            (_, 401) => AppConfigErrorKind::Unauthorized,
            (_, 403) => AppConfigErrorKind::Forbidden,
            (_, 500 | 502 | 503 | 504) => AppConfigErrorKind::Unavailable,
            _ => AppConfigErrorKind::Other,
        };
        AppConfigError {
            status: resp.status,
            kind,
            title: s("title"),
            name: s("name"),
            detail: s("detail"),
            type_uri,
            retry_after_ms: resp
                .header("retry-after-ms")
                .and_then(|v| v.trim().parse().ok()),
            www_authenticate: resp.header("www-authenticate").map(str::to_owned),
        }
    }

    pub fn to_error(&self) -> Error {
        let mut message = format!("App Configuration answered {}", self.status);
        for part in [&self.title, &self.detail].into_iter().flatten() {
            message.push_str(": ");
            message.push_str(part);
        }
        let (code, hint) = match self.kind {
            AppConfigErrorKind::InvalidArgument => (Code::InvalidArgument, "check the request parameter the message names".to_owned()),
            AppConfigErrorKind::KeyLocked => (Code::KeyLocked, "the key-value is locked (read-only) in the store: unlock it or exclude it from the sync".to_owned()),
            AppConfigErrorKind::PreconditionFailed => (Code::PreconditionFailed, "the key-value changed since it was read: run the sync again".to_owned()),
            AppConfigErrorKind::TooManyRequests => (Code::Throttled, "the store's request quota is exhausted: retry after retry-after-ms".to_owned()),
            AppConfigErrorKind::NotFound => (Code::NotFound, "the key-value does not exist".to_owned()),
            AppConfigErrorKind::Unauthorized => (Code::Unauthorized, "the token must be issued for the store's cloud audience (e.g. https://appconfig.azure.com), or the access key is wrong or the clock is off by more than 15 minutes".to_owned()),
            AppConfigErrorKind::Forbidden => (Code::PermissionDenied, "assign the App Configuration Data Owner role on the store (role assignments take up to 15 minutes); access keys need local auth enabled".to_owned()),
            AppConfigErrorKind::Unavailable => (Code::Unavailable, "a transient store failure: retry".to_owned()),
            AppConfigErrorKind::Other => (Code::AzureError, "see the message".to_owned()),
        };
        let mut e = Error::new(code, message).with_hint(hint);
        if self.kind == AppConfigErrorKind::InvalidArgument
            && let Some(n) = &self.name
        {
            e = e.at(n);
        }
        e
    }
}

#[cfg(test)]
mod tests;
