//! Ops for the protocol layer (graph, appconfig, retry, rotation, sync): each deserializes its
//! typed input, runs one builder or parser, and serializes the result.

use super::{from_input, to_output};
use azconn_core::appconfig::{
    self, AppConfigAuth, Condition, Key, KvWrite, Label, ListQuery, Store, SyncTokens, hmac,
};
use azconn_core::cloud::{Cloud, StoreEndpoint};
use azconn_core::error::Error;
use azconn_core::graph::{self, AppQuery, AppRef, Granted, Graph, PasswordSpec};
use azconn_core::http::HttpRequest;
use azconn_core::http::HttpResponse;
use azconn_core::ids::KeyId;
use azconn_core::oauth::token::AccessToken;
use azconn_core::retry::{Outcome, RetryPolicy};
use azconn_core::rotation::{Rotation, RotationConfig, VerifyOutcome};
use azconn_core::sync::{DesiredValue, SyncPlanner, SyncSpec};
use serde::Deserialize;
use serde_json::Value;
use serde_json::json;
use std::collections::BTreeMap;

pub(super) fn handles(op: &str) -> bool {
    ["graph.", "appconfig.", "retry.", "rotation.", "sync."]
        .iter()
        .any(|p| op.starts_with(p))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphInput {
    #[serde(default = "global")]
    cloud: Cloud,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    query: AppQuery,
    #[serde(default)]
    next_link: Option<String>,
    #[serde(default)]
    app: Option<AppRef>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    spec: Option<PasswordSpec>,
    #[serde(default)]
    key_id: Option<KeyId>,
    #[serde(default)]
    response: Option<HttpResponse>,
    #[serde(default)]
    granted: Option<Granted>,
    #[serde(default)]
    owns_target: Option<bool>,
}

fn global() -> Cloud {
    Cloud::Global
}

fn need<T>(v: Option<T>, field: &str) -> Result<T, Error> {
    v.ok_or_else(|| {
        Error::field(
            field,
            azconn_core::error::Code::Required,
            format!("input.{field} is required"),
        )
    })
}

pub(super) fn call(op: &str, input: Value) -> Result<Value, Error> {
    if op == "retry.decide" {
        let i: RetryInput = from_input(input)?;
        let outcome = match &i.response {
            Some(r) => Outcome::Response(r),
            None => Outcome::Timeout,
        };
        return to_output(
            &i.policy
                .decide(i.attempt, i.elapsed_ms, outcome, i.now, i.entropy),
        );
    }
    if op == "sync.plan" {
        return sync_plan(input);
    }
    if op.starts_with("rotation.") {
        return rotation_call(op, input);
    }
    if op.starts_with("appconfig.") {
        return appconfig_call(op, input);
    }
    let i: GraphInput = from_input(input)?;
    let g = Graph::new(i.cloud.endpoints());
    let token = || AccessToken::parse(i.token.as_deref().unwrap_or_default());
    let app = || need(i.app, "app");
    let resp = || need(i.response.clone(), "response");
    match op {
        "graph.listApplications" => to_output(&g.list_applications(&token()?, &i.query)?),
        "graph.nextPage" => {
            to_output(&g.next_page(&token()?, &need(i.next_link.clone(), "nextLink")?)?)
        }
        "graph.getApplication" => to_output(&g.get_application(&token()?, &app()?, &i.select)?),
        "graph.getCredentials" => to_output(&g.get_credentials(&token()?, &app()?)),
        "graph.addPassword" => {
            to_output(&g.add_password(&token()?, &app()?, &need(i.spec.clone(), "spec")?)?)
        }
        "graph.removePassword" => {
            to_output(&g.remove_password(&token()?, &app()?, &need(i.key_id, "keyId")?))
        }
        "graph.listOwners" => to_output(&g.list_owners(&token()?, &app()?)),
        "graph.me" => to_output(&g.me(&token()?)),
        "graph.organization" => to_output(&g.organization(&token()?)),
        "graph.parseApplicationPage" => to_output(&g.parse_application_page(&resp()?)?),
        "graph.parseApplication" => to_output(&graph::parse_application(&resp()?)?),
        "graph.parseAddedPassword" => to_output(&graph::parse_added_password(&resp()?)?),
        "graph.parseRemovedPassword" => to_output(&graph::parse_removed_password(&resp()?)?),
        "graph.parseOwners" => to_output(&graph::parse_owners(&resp()?)?),
        "graph.parseMe" => to_output(&graph::parse_me(&resp()?)?),
        "graph.parseOrganization" => to_output(&graph::parse_organization(&resp()?)?),
        "graph.parseError" => to_output(&graph::GraphError::parse(&resp()?)),
        "graph.preflight" => to_output(&graph::preflight(
            &need(i.granted.clone(), "granted")?,
            i.owns_target,
        )),
        _ => Err(unknown(op)),
    }
}

fn unknown(op: &str) -> Error {
    Error::field(
        "op",
        azconn_core::error::Code::NotAllowed,
        format!("unknown operation {op:?}"),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppConfigInput {
    #[serde(default = "global")]
    cloud: Cloud,
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    key: Option<Key>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    query: Option<ListQuery>,
    #[serde(default)]
    next_link: Option<String>,
    #[serde(default)]
    write: Option<KvWrite>,
    #[serde(default = "no_condition")]
    condition: Condition,
    #[serde(default)]
    response: Option<HttpResponse>,
    #[serde(default)]
    responses: Vec<HttpResponse>,
    #[serde(default)]
    request: Option<HttpRequest>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    connection_string: Option<String>,
    #[serde(default)]
    now: i64,
}

fn no_condition() -> Condition {
    Condition::None
}

fn appconfig_call(op: &str, input: Value) -> Result<Value, Error> {
    let i: AppConfigInput = from_input(input)?;
    let store = || -> Result<Store, Error> {
        let endpoint = StoreEndpoint::parse(
            i.endpoint.as_deref().unwrap_or_default(),
            i.cloud.endpoints(),
        )?;
        match &i.api_version {
            Some(v) => Store::new(&endpoint).with_api_version(v),
            None => Ok(Store::new(&endpoint)),
        }
    };
    let key = || need(i.key.clone(), "key");
    let label = || Label::parse(i.label.as_deref());
    let resp = || need(i.response.clone(), "response");
    let tokens = || {
        let mut t = SyncTokens::default();
        for r in &i.responses {
            t.observe(r);
        }
        t
    };
    match op {
        "appconfig.get" => to_output(&store()?.get(&key()?, &label()?)),
        "appconfig.list" => to_output(&store()?.list(&need(i.query.clone(), "query")?)?),
        "appconfig.nextPage" => {
            to_output(&store()?.next_page(&need(i.next_link.clone(), "nextLink")?)?)
        }
        "appconfig.put" => to_output(&store()?.put(
            &key()?,
            &label()?,
            &need(i.write.clone(), "write")?,
            &i.condition,
        )?),
        "appconfig.delete" => to_output(&store()?.delete(&key()?, &label()?, &i.condition)?),
        "appconfig.parseList" => to_output(&store()?.parse_list(&resp()?)?),
        "appconfig.parseGet" => to_output(&appconfig::parse_get(&resp()?)?),
        "appconfig.parsePut" => to_output(&appconfig::parse_put(&resp()?)?),
        "appconfig.parseDelete" => to_output(&appconfig::parse_delete(&resp()?)?),
        "appconfig.parseError" => to_output(&appconfig::AppConfigError::parse(&resp()?)),
        "appconfig.syncTokens" => to_output(&tokens().header_value()),
        "appconfig.authorize" | "appconfig.sign" => {
            let auth = match (&i.token, &i.connection_string) {
                (Some(t), None) => AppConfigAuth::Bearer(AccessToken::parse(t)?),
                (None, Some(cs)) => AppConfigAuth::AccessKey(
                    hmac::AccessKey::parse_connection_string(cs, &i.cloud)?,
                ),
                _ => {
                    return Err(Error::field(
                        "auth",
                        azconn_core::error::Code::Required,
                        "give exactly one of token and connectionString",
                    ));
                }
            };
            let req = need(i.request.clone(), "request")?;
            to_output(&appconfig::authorize(req, &auth, &tokens(), i.now)?)
        }
        _ => Err(unknown(op)),
    }
}

/// `response` absent means the attempt timed out.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetryInput {
    #[serde(default)]
    policy: RetryPolicy,
    attempt: u32,
    #[serde(default)]
    elapsed_ms: u64,
    #[serde(default)]
    response: Option<HttpResponse>,
    #[serde(default)]
    now: i64,
    #[serde(default)]
    entropy: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RotationInput {
    #[serde(default = "global")]
    cloud: Cloud,
    #[serde(default)]
    config: Option<RotationConfig>,
    #[serde(default)]
    rotation: Option<Rotation>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    response: Option<HttpResponse>,
    #[serde(default)]
    outcome: Option<VerifyOutcome>,
    #[serde(default)]
    now: i64,
}

/// State-changing ops return `{"rotation": <new state>, ...}`; a step failure is reported as
/// `"error"` beside the state to persist, not as an op error.
fn rotation_call(op: &str, input: Value) -> Result<Value, Error> {
    let i: RotationInput = from_input(input)?;
    if op == "rotation.start" {
        return to_output(&Rotation::start(need(i.config, "config")?)?);
    }
    let mut rot = need(i.rotation, "rotation")?;
    let result = match op {
        "rotation.next" => {
            let g = Graph::new(i.cloud.endpoints());
            let token = AccessToken::parse(i.token.as_deref().unwrap_or_default())?;
            let step = rot.next(&g, &token, i.now);
            return Ok(json!({ "rotation": to_output(&rot)?, "step": to_output(&step)? }));
        }
        "rotation.onResponse" => rot.on_response(&need(i.response, "response")?, i.now),
        "rotation.onVerified" => rot.on_verified(&need(i.outcome, "outcome")?, i.now),
        "rotation.onPublished" => rot.on_published(),
        _ => return Err(unknown(op)),
    };
    let mut out = json!({ "rotation": to_output(&rot)? });
    if let Err(e) = result {
        out["error"] = to_output(&e)?;
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyncInput {
    #[serde(default = "global")]
    cloud: Cloud,
    endpoint: String,
    spec: SyncSpec,
    desired: BTreeMap<String, DesiredValue>,
    /// The list responses, in order.
    pages: Vec<HttpResponse>,
}

/// Plans a sync from recorded list pages: the list requests made, the plan, and each op's
/// request.
fn sync_plan(input: Value) -> Result<Value, Error> {
    let i: SyncInput = from_input(input)?;
    let store = Store::new(&StoreEndpoint::parse(&i.endpoint, i.cloud.endpoints())?);
    let mut planner = SyncPlanner::new(store.clone(), i.spec, &i.desired)?;
    let mut list_requests = vec![planner.first_request()?];
    for page in &i.pages {
        if let Some(next) = planner.on_page(page)? {
            list_requests.push(next);
        }
    }
    let plan = planner.plan()?;
    let op_requests = plan
        .ops
        .iter()
        .map(|op| op.request(&store))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "listRequests": to_output(&list_requests)?,
        "plan": to_output(&plan)?,
        "opRequests": to_output(&op_requests)?,
    }))
}
