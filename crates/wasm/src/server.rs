//! The server exports of the full build (Node, workerd, `azconn/full`): Microsoft Graph and App
//! Configuration request builders and response parsers, App Configuration HMAC signing, the
//! retry decision, sync planning and the rotation steps. One export per step; structured
//! inputs are JavaScript objects read by serde (no JSON text), a refusal names the path of the
//! member it concerns (`write.value`, `spec.endsAt`); responses come in as status, headers and
//! body bytes, like the forms parsers'.

use crate::read::{Input, read_cloud, response, wrong_type};
use crate::{Answer, fail, js};
use azconn_core::appconfig::{
    self, AppConfigAuth, AppConfigError, Condition, Key, KvWrite, Label, ListQuery, Store,
    SyncTokens, hmac,
};
use azconn_core::cloud::StoreEndpoint;
use azconn_core::error::{Code, Error};
use azconn_core::graph::{self, AppQuery, AppRef, Granted, Graph, GraphError, PasswordSpec};
use azconn_core::http::{HttpRequest, HttpResponse};
use azconn_core::ids::KeyId;
use azconn_core::oauth::token::AccessToken;
use azconn_core::prelude::*;
use azconn_core::retry::{Outcome, RetryPolicy};
use azconn_core::rotation::{Rotation, RotationConfig, VerifyOutcome};
use azconn_core::sync::{DesiredValue, SyncOp, SyncPlanner, SyncSpec};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// Reads `value` as `T`; a refusal names the failing member's path under `what`.
fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, Error> {
    let de = serde_wasm_bindgen::Deserializer::from(value);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        let message = inner.strip_prefix("Error: ").unwrap_or(&inner).to_owned();
        let mut field = String::from(what);
        if path != "." {
            field.push('.');
            field.push_str(&path);
        }
        // serde reports a missing member at its parent: name the member itself.
        if let Some(name) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            field.push('.');
            field.push_str(name);
            return Error::field(&field, Code::Required, message);
        }
        Error::field(&field, Code::InvalidFormat, message)
    })
}

/// `value` as a plain JavaScript value (objects, arrays, `null` for absent members).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::new(Code::MalformedResponse, e.to_string()))
}

fn answer<T: Serialize>(run: impl FnOnce() -> Result<T, Error>) -> Answer<JsValue> {
    run().and_then(|v| to_js(&v)).map_err(fail)
}

/// A built request that may carry a secret in its body (a key-value's value): its copy in
/// wasm memory is zeroed once the JavaScript value is built.
fn request_answer(run: impl FnOnce() -> Result<HttpRequest, Error>) -> Answer<JsValue> {
    let mut req = run().map_err(fail)?;
    let out = to_js(&req).map_err(fail);
    req.body.zeroize();
    out
}

/// A required member read by serde.
fn member<T: DeserializeOwned>(o: &Input, key: &str) -> Result<T, Error> {
    let v = o.raw(key);
    if v.is_undefined() || v.is_null() {
        return Err(wrong_type(o.field(key), Code::Required, "a value"));
    }
    from_js(v, &o.field(key))
}

/// An optional member read by serde.
fn opt_member<T: DeserializeOwned>(o: &Input, key: &str) -> Result<Option<T>, Error> {
    let v = o.raw(key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    from_js(v, &o.field(key)).map(Some)
}

/// The access token member, its copy zeroed once parsed.
fn token(o: &Input) -> Result<AccessToken, Error> {
    let mut t = o.str("token")?;
    let parsed = AccessToken::parse(&t);
    t.zeroize();
    parsed
}

/// `{cloud?, token, ...}`: the Graph of the cloud, the token and the rest of the params.
fn graph_params(params: JsValue) -> Result<(Graph, AccessToken, Input), Error> {
    let o = Input::object(params, "params", "")?;
    let g = Graph::new(read_cloud(o.raw("cloud"))?.endpoints());
    let t = token(&o)?;
    Ok((g, t, o))
}

/// `GET /applications` with `query` (`select`, `top`, `filter`).
#[wasm_bindgen(js_name = graphListApplications, unchecked_return_type = "HttpRequest")]
pub fn graph_list_applications(
    #[wasm_bindgen(unchecked_param_type = "GraphParams & { query?: AppQuery }")] params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, o) = graph_params(params)?;
        let q: AppQuery = opt_member(&o, "query")?.unwrap_or_default();
        g.list_applications(&t, &q)
    })
}

/// The next page of a Graph list, after checking `nextLink` stays on the cloud's Graph host.
#[wasm_bindgen(js_name = graphNextPage, unchecked_return_type = "HttpRequest")]
pub fn graph_next_page(
    #[wasm_bindgen(unchecked_param_type = "GraphParams & { nextLink: string }")] params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, o) = graph_params(params)?;
        g.next_page(&t, &o.str("nextLink")?)
    })
}

/// `GET` one application by object ID or app ID, with `select`.
#[wasm_bindgen(js_name = graphGetApplication, unchecked_return_type = "HttpRequest")]
pub fn graph_get_application(
    #[wasm_bindgen(unchecked_param_type = "GraphParams & { app: AppRef; select?: string[] }")]
    params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, o) = graph_params(params)?;
        let select: Vec<String> = opt_member(&o, "select")?.unwrap_or_default();
        g.get_application(&t, &member::<AppRef>(&o, "app")?, &select)
    })
}

/// The application's password and key credentials (metadata only).
#[wasm_bindgen(js_name = graphGetCredentials, unchecked_return_type = "HttpRequest")]
pub fn graph_get_credentials(
    #[wasm_bindgen(unchecked_param_type = "GraphParams & { app: AppRef }")] params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, o) = graph_params(params)?;
        Ok(g.get_credentials(&t, &member(&o, "app")?))
    })
}

/// `POST .../addPassword`: a new client secret with `spec` (display name, validity).
#[wasm_bindgen(js_name = graphAddPassword, unchecked_return_type = "HttpRequest")]
pub fn graph_add_password(
    #[wasm_bindgen(unchecked_param_type = "GraphParams & { app: AppRef; spec: PasswordSpec }")]
    params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, o) = graph_params(params)?;
        let spec: PasswordSpec = member(&o, "spec")?;
        g.add_password(&t, &member(&o, "app")?, &spec)
    })
}

/// `POST .../removePassword` of the secret `keyId`.
#[wasm_bindgen(js_name = graphRemovePassword, unchecked_return_type = "HttpRequest")]
pub fn graph_remove_password(
    #[wasm_bindgen(unchecked_param_type = "GraphParams & { app: AppRef; keyId: string }")]
    params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, o) = graph_params(params)?;
        let key: KeyId = member(&o, "keyId")?;
        Ok(g.remove_password(&t, &member(&o, "app")?, &key))
    })
}

/// The application's owners.
#[wasm_bindgen(js_name = graphListOwners, unchecked_return_type = "HttpRequest")]
pub fn graph_list_owners(
    #[wasm_bindgen(unchecked_param_type = "GraphParams & { app: AppRef }")] params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, o) = graph_params(params)?;
        Ok(g.list_owners(&t, &member(&o, "app")?))
    })
}

/// `GET /me`: who signed in.
#[wasm_bindgen(js_name = graphMe, unchecked_return_type = "HttpRequest")]
pub fn graph_me(
    #[wasm_bindgen(unchecked_param_type = "GraphParams")] params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, _) = graph_params(params)?;
        Ok(g.me(&t))
    })
}

/// `GET /organization`: the tenant's name and default domain.
#[wasm_bindgen(js_name = graphOrganization, unchecked_return_type = "HttpRequest")]
pub fn graph_organization(
    #[wasm_bindgen(unchecked_param_type = "GraphParams")] params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (g, t, _) = graph_params(params)?;
        Ok(g.organization(&t))
    })
}

/// A Graph response, its body copy zeroed after `parse` (it may hold a new secret).
fn parse_graph<T: Serialize>(
    status: u16,
    headers: JsValue,
    body: Vec<u8>,
    parse: impl FnOnce(&HttpResponse) -> Result<T, Error>,
) -> Answer<JsValue> {
    answer(|| {
        let mut r = response(status, headers, body)?;
        let out = parse(&r);
        r.body.zeroize();
        out
    })
}

/// A page of applications and the checked `nextLink`.
#[wasm_bindgen(js_name = graphParseApplicationPage, unchecked_return_type = "Page<Application>")]
pub fn graph_parse_application_page(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
    #[wasm_bindgen(unchecked_param_type = "CloudInput | undefined")] cloud: JsValue,
) -> Answer<JsValue> {
    let g = read_cloud(cloud).map(|c| Graph::new(c.endpoints()));
    let g = g.map_err(fail)?;
    parse_graph(status, headers, body, |r| g.parse_application_page(r))
}

/// One application.
#[wasm_bindgen(js_name = graphParseApplication, unchecked_return_type = "Application")]
pub fn graph_parse_application(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, graph::parse_application)
}

/// The new secret (`secretText`: store it, never log it) and its metadata.
#[wasm_bindgen(js_name = graphParseAddedPassword, unchecked_return_type = "AddedPassword")]
pub fn graph_parse_added_password(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, graph::parse_added_password)
}

/// Nothing when the secret was removed (204); the Graph error otherwise.
#[wasm_bindgen(js_name = graphParseRemovedPassword)]
pub fn graph_parse_removed_password(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<()> {
    let r = response(status, headers, body).map_err(fail)?;
    graph::parse_removed_password(&r).map_err(fail)
}

/// The owners' object IDs.
#[wasm_bindgen(js_name = graphParseOwners, unchecked_return_type = "string[]")]
pub fn graph_parse_owners(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, graph::parse_owners)
}

/// The signed-in user.
#[wasm_bindgen(js_name = graphParseMe, unchecked_return_type = "GraphUser")]
pub fn graph_parse_me(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, graph::parse_me)
}

/// The tenant.
#[wasm_bindgen(js_name = graphParseOrganization, unchecked_return_type = "GraphOrganization")]
pub fn graph_parse_organization(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, graph::parse_organization)
}

/// A Graph error answer: its code, kind, message, request IDs and `Retry-After`.
#[wasm_bindgen(js_name = graphParseError, unchecked_return_type = "GraphError")]
pub fn graph_parse_error(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, |r| Ok(GraphError::parse(r)))
}

/// Whether the granted permissions suffice for each operation, with a hint when not.
#[wasm_bindgen(js_name = graphPreflight, unchecked_return_type = "Preflight")]
pub fn graph_preflight(
    #[wasm_bindgen(unchecked_param_type = "Granted")] granted: JsValue,
    owns_target: Option<bool>,
) -> Answer<JsValue> {
    answer(|| {
        let granted: Granted = from_js(granted, "granted")?;
        Ok(graph::preflight(&granted, owns_target))
    })
}

/// `{cloud?, endpoint, apiVersion?, ...}`: the store and the rest of the params.
fn store_params(params: JsValue) -> Result<(Store, Input), Error> {
    let o = Input::object(params, "params", "")?;
    let cloud = read_cloud(o.raw("cloud"))?;
    let endpoint = StoreEndpoint::parse(&o.str("endpoint")?, cloud.endpoints())?;
    let store = match o.opt_str("apiVersion")? {
        Some(v) => Store::new(&endpoint).with_api_version(&v)?,
        None => Store::new(&endpoint),
    };
    Ok((store, o))
}

fn key_label(o: &Input) -> Result<(Key, Label), Error> {
    let key = Key::parse(&o.str("key")?)?;
    let label = Label::parse(o.opt_str("label")?.as_deref())?;
    Ok((key, label))
}

fn condition(o: &Input) -> Result<Condition, Error> {
    Ok(opt_member(o, "condition")?.unwrap_or(Condition::None))
}

/// `GET /kv/{key}?label=`.
#[wasm_bindgen(js_name = appConfigGet, unchecked_return_type = "HttpRequest")]
pub fn app_config_get(
    #[wasm_bindgen(unchecked_param_type = "StoreParams & { key: string; label?: string | null }")]
    params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (store, o) = store_params(params)?;
        let (key, label) = key_label(&o)?;
        Ok(store.get(&key, &label))
    })
}

/// `GET /kv?key=&label=&$select=` (filters escaped).
#[wasm_bindgen(js_name = appConfigList, unchecked_return_type = "HttpRequest")]
pub fn app_config_list(
    #[wasm_bindgen(unchecked_param_type = "StoreParams & { query: ListQuery }")] params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (store, o) = store_params(params)?;
        let query: ListQuery = member(&o, "query")?;
        store.list(&query)
    })
}

/// The next page of a list, after checking `nextLink` stays on the store.
#[wasm_bindgen(js_name = appConfigNextPage, unchecked_return_type = "HttpRequest")]
pub fn app_config_next_page(
    #[wasm_bindgen(unchecked_param_type = "StoreParams & { nextLink: string }")] params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (store, o) = store_params(params)?;
        store.next_page(&o.str("nextLink")?)
    })
}

/// `PUT /kv/{key}` with the value, content type and tags, under `condition`.
#[wasm_bindgen(js_name = appConfigPut, unchecked_return_type = "HttpRequest")]
pub fn app_config_put(
    #[wasm_bindgen(
        unchecked_param_type = "StoreParams & { key: string; label?: string | null; write: KvWrite; condition?: Condition }"
    )]
    params: JsValue,
) -> Answer<JsValue> {
    request_answer(|| {
        let (store, o) = store_params(params)?;
        let (key, label) = key_label(&o)?;
        let mut write: KvWrite = member(&o, "write")?;
        let req = store.put(&key, &label, &write, &condition(&o)?);
        write.value.zeroize();
        req
    })
}

/// `DELETE /kv/{key}` under `condition`.
#[wasm_bindgen(js_name = appConfigDelete, unchecked_return_type = "HttpRequest")]
pub fn app_config_delete(
    #[wasm_bindgen(
        unchecked_param_type = "StoreParams & { key: string; label?: string | null; condition?: Condition }"
    )]
    params: JsValue,
) -> Answer<JsValue> {
    answer(|| {
        let (store, o) = store_params(params)?;
        let (key, label) = key_label(&o)?;
        store.delete(&key, &label, &condition(&o)?)
    })
}

/// A list page: the key-values and the checked `nextLink`.
#[wasm_bindgen(js_name = appConfigParseList, unchecked_return_type = "KvPage")]
pub fn app_config_parse_list(
    #[wasm_bindgen(unchecked_param_type = "StoreParams")] params: JsValue,
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    let store = store_params(params).map_err(fail)?.0;
    parse_graph(status, headers, body, |r| store.parse_list(r))
}

/// The key-value, or `null` for 404.
#[wasm_bindgen(js_name = appConfigParseGet, unchecked_return_type = "KeyValue | null")]
pub fn app_config_parse_get(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, appconfig::parse_get)
}

/// The written key-value (with its new etag).
#[wasm_bindgen(js_name = appConfigParsePut, unchecked_return_type = "KeyValue")]
pub fn app_config_parse_put(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, appconfig::parse_put)
}

/// The deleted key-value, or `null` when there was none (204).
#[wasm_bindgen(js_name = appConfigParseDelete, unchecked_return_type = "KeyValue | null")]
pub fn app_config_parse_delete(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, appconfig::parse_delete)
}

/// An App Configuration error answer (problem+json): kind, type, title, detail.
#[wasm_bindgen(js_name = appConfigParseError, unchecked_return_type = "AppConfigError")]
pub fn app_config_parse_error(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    parse_graph(status, headers, body, |r| Ok(AppConfigError::parse(r)))
}

/// The `Sync-Token` values of earlier responses (their headers), merged by id, highest `sn`.
fn sync_tokens(responses: JsValue) -> Result<SyncTokens, Error> {
    let mut tokens = SyncTokens::default();
    if responses.is_undefined() || responses.is_null() {
        return Ok(tokens);
    }
    let n = js::length(&responses).ok_or_else(|| {
        wrong_type(
            "responses".to_owned(),
            Code::InvalidFormat,
            "a list of response headers",
        )
    })?;
    for i in 0..n {
        let r = response(200, js::at(&responses, i), Vec::new())
            .map_err(|e| e.at(&format!("responses.{i}")))?;
        tokens.observe(&r);
    }
    Ok(tokens)
}

/// The `Sync-Token` header value to send after the given responses (their headers), if any.
#[wasm_bindgen(js_name = appConfigSyncTokens)]
pub fn app_config_sync_tokens(
    #[wasm_bindgen(unchecked_param_type = "HeadersInput[]")] responses: JsValue,
) -> Answer<Option<String>> {
    sync_tokens(responses)
        .map(|t| t.header_value())
        .map_err(fail)
}

/// A built request with the bearer token and the `Sync-Token` of earlier responses.
#[wasm_bindgen(js_name = appConfigAuthorize, unchecked_return_type = "HttpRequest")]
pub fn app_config_authorize(
    #[wasm_bindgen(unchecked_param_type = "HttpRequest")] request: JsValue,
    mut token: String,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput[] | undefined")] responses: JsValue,
) -> Answer<JsValue> {
    let auth = AccessToken::parse(&token).map(AppConfigAuth::Bearer);
    token.zeroize();
    request_answer(|| {
        let req: HttpRequest = from_js(request, "request")?;
        appconfig::authorize(req, &auth?, &sync_tokens(responses)?, 0)
    })
}

/// A built request signed with an access key (HMAC-SHA256) at `now` (unix seconds), with the
/// `Sync-Token` of earlier responses. The connection string's copy is zeroed.
#[wasm_bindgen(js_name = appConfigSign, unchecked_return_type = "HttpRequest")]
pub fn app_config_sign(
    #[wasm_bindgen(unchecked_param_type = "HttpRequest")] request: JsValue,
    mut connection_string: String,
    now: f64,
    #[wasm_bindgen(unchecked_param_type = "CloudInput | undefined")] cloud: JsValue,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput[] | undefined")] responses: JsValue,
) -> Answer<JsValue> {
    let key = read_cloud(cloud)
        .and_then(|c| hmac::AccessKey::parse_connection_string(&connection_string, &c));
    connection_string.zeroize();
    request_answer(|| {
        let req: HttpRequest = from_js(request, "request")?;
        let auth = AppConfigAuth::AccessKey(key?);
        appconfig::authorize(req, &auth, &sync_tokens(responses)?, now as i64)
    })
}

/// HMAC-SHA256 of `message` under `key` (the App Configuration access-key signature,
/// <https://learn.microsoft.com/azure/azure-app-configuration/rest-api-authentication-hmac>).
/// The key copy in wasm memory is zeroed after use.
#[wasm_bindgen(js_name = hmacSha256)]
pub fn hmac_sha256(mut key: Vec<u8>, message: &[u8]) -> Vec<u8> {
    let mac = hmac::hmac_sha256(&key, message);
    key.zeroize();
    mac.to_vec()
}

/// Whether and when to retry after a response (`status` absent: the attempt timed out) on
/// attempt `attempt`, honouring `Retry-After` / `retry-after-ms`, within the policy's budget.
/// The body tells a Graph concurrency conflict (retried) from a locked key (not).
#[wasm_bindgen(js_name = retryDecide, unchecked_return_type = "RetryDecision")]
pub fn retry_decide(
    #[wasm_bindgen(unchecked_param_type = "RetryParams")] params: JsValue,
    status: Option<u16>,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Option<Vec<u8>>,
) -> Answer<JsValue> {
    answer(|| {
        let o = Input::object(params, "params", "")?;
        let policy: RetryPolicy = opt_member(&o, "policy")?.unwrap_or_default();
        let attempt: u32 = member(&o, "attempt")?;
        let elapsed_ms: u64 = opt_member(&o, "elapsedMs")?.unwrap_or(0);
        let now: i64 = opt_member(&o, "now")?.unwrap_or(0);
        let entropy: u32 = opt_member(&o, "entropy")?.unwrap_or(0);
        let mut r = match status {
            Some(s) => Some(response(s, headers, body.unwrap_or_default())?),
            None => None,
        };
        let outcome = match &r {
            Some(r) => Outcome::Response(r),
            None => Outcome::Timeout,
        };
        let decision = policy.decide(attempt, elapsed_ms, outcome, now, entropy);
        if let Some(r) = r.as_mut() {
            r.body.zeroize();
        }
        Ok(decision)
    })
}

/// A secret sync being planned: list the store's key-values under the prefix (first request,
/// then each page's next), then the plan of writes and deletes that makes the store match.
#[wasm_bindgen(js_name = SyncPlanner)]
pub struct JsSyncPlanner {
    store: Store,
    inner: SyncPlanner,
}

#[wasm_bindgen(js_class = SyncPlanner)]
impl JsSyncPlanner {
    /// Validates every key and value up front; `desired` maps secret names to values.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(
            unchecked_param_type = "StoreParams & { spec: SyncSpec; desired: Record<string, DesiredValue> }"
        )]
        params: JsValue,
    ) -> Answer<JsSyncPlanner> {
        let run = || -> Result<JsSyncPlanner, Error> {
            let (store, o) = store_params(params)?;
            let spec: SyncSpec = member(&o, "spec")?;
            let desired: BTreeMap<String, DesiredValue> = member(&o, "desired")?;
            let inner = SyncPlanner::new(store.clone(), spec, &desired)?;
            Ok(JsSyncPlanner { store, inner })
        };
        run().map_err(fail)
    }

    /// The first list request.
    #[wasm_bindgen(js_name = firstRequest, unchecked_return_type = "HttpRequest")]
    pub fn first_request(&self) -> Answer<JsValue> {
        answer(|| self.inner.first_request())
    }

    /// Takes a list page; answers the next page's request, or `null` when listing is done.
    #[wasm_bindgen(js_name = onPage, unchecked_return_type = "HttpRequest | null")]
    pub fn on_page(
        &mut self,
        status: u16,
        #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
        body: Vec<u8>,
    ) -> Answer<JsValue> {
        answer(|| {
            let mut r = response(status, headers, body)?;
            let next = self.inner.on_page(&r);
            r.body.zeroize();
            next
        })
    }

    /// The plan: ops (writes and deletes, each with its condition), imports and skips.
    #[wasm_bindgen(unchecked_return_type = "SyncPlan")]
    pub fn plan(&self) -> Answer<JsValue> {
        answer(|| self.inner.plan())
    }

    /// The request that carries out one op of the plan.
    #[wasm_bindgen(js_name = opRequest, unchecked_return_type = "HttpRequest")]
    pub fn op_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SyncOp")] op: JsValue,
    ) -> Answer<JsValue> {
        request_answer(|| from_js::<SyncOp>(op, "op")?.request(&self.store))
    }
}

/// A new rotation state from its config: persist it as is and hand it back to each step.
#[wasm_bindgen(js_name = rotationStart, unchecked_return_type = "RotationState")]
pub fn rotation_start(
    #[wasm_bindgen(unchecked_param_type = "RotationConfig")] config: JsValue,
) -> Answer<JsValue> {
    answer(|| Rotation::start(from_js::<RotationConfig>(config, "config")?))
}

/// The next step (the Graph request to send, or that the rotation waits or is done) and the
/// state to persist before sending it.
#[wasm_bindgen(js_name = rotationNext, unchecked_return_type = "RotationNext")]
pub fn rotation_next(
    #[wasm_bindgen(unchecked_param_type = "RotationState")] rotation: JsValue,
    mut token: String,
    now: f64,
    #[wasm_bindgen(unchecked_param_type = "CloudInput | undefined")] cloud: JsValue,
) -> Answer<JsValue> {
    let t = AccessToken::parse(&token);
    token.zeroize();
    let run = || -> Result<JsValue, Error> {
        let mut rot: Rotation = from_js(rotation, "rotation")?;
        let g = Graph::new(read_cloud(cloud)?.endpoints());
        let step = rot.next(&g, &t?, now as i64);
        Ok(js::rotation_next(to_js(&rot)?, to_js(&step)?))
    };
    run().map_err(fail)
}

/// The new state, and the step's error beside it (not thrown: the state must be persisted).
fn rotation_step(
    rotation: JsValue,
    step: impl FnOnce(&mut Rotation) -> Result<(), Error>,
) -> Answer<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let mut rot: Rotation = from_js(rotation, "rotation")?;
        let error = match step(&mut rot) {
            Ok(()) => JsValue::UNDEFINED,
            Err(e) => to_js(&e)?,
        };
        Ok(js::rotation_step(to_js(&rot)?, error))
    };
    run().map_err(fail)
}

/// Feeds the Graph response of the last step; its body copy (the new secret) is zeroed.
#[wasm_bindgen(js_name = rotationOnResponse, unchecked_return_type = "RotationStep")]
pub fn rotation_on_response(
    #[wasm_bindgen(unchecked_param_type = "RotationState")] rotation: JsValue,
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
    now: f64,
) -> Answer<JsValue> {
    let mut r = response(status, headers, body).map_err(fail)?;
    let out = rotation_step(rotation, |rot| rot.on_response(&r, now as i64));
    r.body.zeroize();
    out
}

/// Reports whether the new secret signed in (`'ok'` or the failure).
#[wasm_bindgen(js_name = rotationOnVerified, unchecked_return_type = "RotationStep")]
pub fn rotation_on_verified(
    #[wasm_bindgen(unchecked_param_type = "RotationState")] rotation: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyOutcome")] outcome: JsValue,
    now: f64,
) -> Answer<JsValue> {
    let outcome: Result<VerifyOutcome, Error> = from_js(outcome, "outcome");
    let outcome = outcome.map_err(fail)?;
    rotation_step(rotation, |rot| rot.on_verified(&outcome, now as i64))
}

/// Reports that the new secret was published to its consumers.
#[wasm_bindgen(js_name = rotationOnPublished, unchecked_return_type = "RotationStep")]
pub fn rotation_on_published(
    #[wasm_bindgen(unchecked_param_type = "RotationState")] rotation: JsValue,
) -> Answer<JsValue> {
    rotation_step(rotation, Rotation::on_published)
}
