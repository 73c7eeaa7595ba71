//! The API's OpenAPI 3.1 document (host/openapi.json), generated from the same types as
//! www/src/gen/api.ts: the test fails when the committed file differs from what the types and
//! [`OPERATIONS`] produce, and `AZCONN_WRITE_TYPES=1` rewrites it (`make types`). The Worker
//! serves the committed file at `GET /api/v1/openapi.json`; the e2e harness validates every
//! answer of the suites against it.

use crate::api::*;
use crate::api_error::ErrorBody;
use crate::routes::PATTERNS;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

/// Schemas of the core's wire types, which derive `ts_rs::TS` but not `JsonSchema` (the core
/// has no schemars feature). Closed string sets come from the core's own TypeScript
/// declaration; the few structs mirror the core's serde shape and are checked by the e2e
/// validation of real answers.
pub mod wire {
    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
    use std::borrow::Cow;
    use ts_rs::TS;

    /// The members of a TypeScript union of string literals (`"a" | "b"`), as ts-rs writes it.
    fn literals<T: TS>() -> Vec<String> {
        T::inline(&ts_rs::Config::new())
            .split(" | ")
            .map(|m| m.trim().trim_matches('"').to_owned())
            .collect()
    }

    macro_rules! literal_union {
        ($($name:ident => $core:ty),* $(,)?) => {$(
            #[doc = concat!("The wire names of `", stringify!($core), "`.")]
            pub struct $name;
            impl JsonSchema for $name {
                fn schema_name() -> Cow<'static, str> {
                    stringify!($name).into()
                }
                fn json_schema(_: &mut SchemaGenerator) -> Schema {
                    json_schema!({"type": "string", "enum": literals::<$core>()})
                }
            }
        )*};
    }

    literal_union! {
        Code => azconn_core::error::Code,
        ConnectionType => azconn_core::form::ConnectionType,
        Method => azconn_core::form::Method,
        SyncMode => azconn_core::sync::SyncMode,
        SkipReason => azconn_core::sync::SkipReason,
        ConflictReason => azconn_core::sync::ConflictReason,
    }

    /// `azconn_core::error::Error`.
    #[derive(JsonSchema)]
    #[allow(dead_code)]
    pub struct FieldError {
        code: Code,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
    }

    /// `azconn_core::sync::Conflict`.
    #[derive(JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct Conflict {
        key: String,
        reason: ConflictReason,
        owner: Option<String>,
    }

    /// `azconn_core::cloud::Cloud`.
    #[derive(JsonSchema)]
    #[serde(tag = "kind", rename_all = "kebab-case")]
    #[allow(dead_code)]
    pub enum Cloud {
        Global,
        UsGovernment,
        China,
        Custom(CloudEndpoints),
    }

    /// `azconn_core::cloud::CloudEndpoints`.
    #[derive(JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct CloudEndpoints {
        authority_host: String,
        graph_root: String,
        graph_audience: String,
        arm_host: String,
        app_configuration_hosts: Vec<String>,
        app_configuration_audience: String,
    }

    /// `azconn_core::graph::Application`.
    #[derive(JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct Application {
        id: String,
        app_id: String,
        display_name: Option<String>,
        password_credentials: Option<Vec<PasswordCredential>>,
        key_credentials: Option<Vec<KeyCredential>>,
    }

    /// `azconn_core::graph::PasswordCredential`.
    #[derive(JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct PasswordCredential {
        key_id: String,
        display_name: Option<String>,
        hint: Option<String>,
        starts_at: Option<i64>,
        ends_at: Option<i64>,
    }

    /// `azconn_core::graph::KeyCredential`.
    #[derive(JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct KeyCredential {
        key_id: String,
        display_name: Option<String>,
        kind: Option<String>,
        usage: Option<String>,
        custom_key_identifier: Option<String>,
        starts_at: Option<i64>,
        ends_at: Option<i64>,
    }
}

/// One operation: its pattern in [`PATTERNS`], what it answers on success, its request body and
/// query parameters, and whether it is served without a caller.
struct Operation {
    pattern: &'static str,
    summary: &'static str,
    status: u16,
    answer: fn(&mut SchemaGenerator) -> Schema,
    request: Option<fn(&mut SchemaGenerator) -> Schema>,
    query: &'static [&'static str],
    public: bool,
}

fn of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// A request body that is any JSON object (the connection forms: checked field by field by the
/// core's form rules, which name each field).
fn form(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "object"})
}

/// The raw OpenAPI document itself.
fn document_schema(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {"openapi": {"const": "3.1.0"}, "paths": {"type": "object"}},
        "required": ["openapi", "paths"],
    })
}

macro_rules! op {
    ($pattern:literal, $summary:literal, $status:literal, $answer:expr $(, request = $req:expr)? $(, query = $q:expr)? $(, public = $p:expr)?) => {
        Operation {
            pattern: $pattern,
            summary: $summary,
            status: $status,
            answer: $answer,
            request: { #[allow(unused_mut, unused_assignments)] let mut r: Option<fn(&mut SchemaGenerator) -> Schema> = None; $(r = Some($req);)? r },
            query: { #[allow(unused_mut, unused_assignments)] let mut q: &'static [&'static str] = &[]; $(q = $q;)? q },
            public: { #[allow(unused_mut, unused_assignments)] let mut p = false; $(p = $p;)? p },
        }
    };
}

/// Every route's answer, in the order of [`PATTERNS`] (a test holds the two together).
const OPERATIONS: &[Operation] = &[
    op!("GET /health", "Liveness", 200, of::<Health>, public = true),
    op!(
        "POST /sessions",
        "Sign in with an API token (sets the session cookie)",
        200,
        of::<SessionCreated>,
        request = form,
        public = true
    ),
    op!(
        "DELETE /sessions",
        "Sign out",
        200,
        of::<SignedOut>,
        public = true
    ),
    op!(
        "POST /organizations",
        "Create an organization (bootstrap admin)",
        201,
        of::<OrganizationCreated>,
        request = form
    ),
    op!(
        "POST /organizations/{id}/tokens",
        "Create an API token (bootstrap admin)",
        201,
        of::<TokenCreated>,
        request = form
    ),
    op!(
        "GET /organizations/{id}/tokens",
        "List API tokens (bootstrap admin)",
        200,
        of::<TokenList>
    ),
    op!(
        "DELETE /organizations/{id}/tokens/{tokenId}",
        "Revoke an API token (bootstrap admin)",
        200,
        of::<TokenRevoked>
    ),
    op!(
        "GET /session",
        "The caller's organization",
        200,
        of::<SessionView>
    ),
    op!(
        "GET /audit-log",
        "One page of the audit log, newest first",
        200,
        of::<AuditPage>,
        query = &[
            "limit", "before", "action", "actor", "target", "outcome", "since", "until"
        ]
    ),
    op!(
        "GET /app-connections/options",
        "Connection types and methods this deployment offers",
        200,
        of::<ConnectionOptions>
    ),
    op!(
        "GET /app-connections/{type}",
        "List connections of a type",
        200,
        of::<ConnectionList>
    ),
    op!(
        "POST /app-connections/{type}",
        "Create a connection (client secret or certificate)",
        201,
        of::<ConnectionBody>,
        request = form
    ),
    op!(
        "POST /app-connections/{type}/oauth/start",
        "Start an OAuth connection",
        200,
        of::<OAuthStarted>,
        request = form
    ),
    op!(
        "GET /app-connections/{type}/{id}",
        "One connection",
        200,
        of::<ConnectionBody>
    ),
    op!(
        "PATCH /app-connections/{type}/{id}",
        "Update a connection",
        200,
        of::<ConnectionBody>,
        request = form
    ),
    op!(
        "DELETE /app-connections/{type}/{id}",
        "Delete a connection (and with a choice, its dependents)",
        200,
        of::<ConnectionDeleted>,
        query = &["dependents", "secrets", "keys"]
    ),
    op!(
        "POST /app-connections/{type}/{id}/validate",
        "Check a connection against Azure",
        200,
        of::<Validation>
    ),
    op!(
        "GET /app-connections/azure-client-secrets/{id}/clients",
        "App registrations the connection can see",
        200,
        of::<Clients>,
        query = &["top", "next"]
    ),
    op!(
        "POST /app-connections/{type}/{id}/token",
        "An access token of the connection",
        200,
        of::<AccessTokenBody>
    ),
    op!(
        "POST /secret-rotations/azure-client-secret",
        "Create a rotation",
        201,
        of::<RotationBody>,
        request = of::<RotationRequest>
    ),
    op!(
        "GET /secret-rotations/azure-client-secret",
        "List rotations (or the one named)",
        200,
        of::<RotationListOrOne>,
        query = &["name"]
    ),
    op!(
        "GET /secret-rotations/azure-client-secret/{id}",
        "One rotation",
        200,
        of::<RotationBody>
    ),
    op!(
        "POST /secret-rotations/azure-client-secret/{id}/rotate",
        "Rotate now",
        200,
        of::<Rotated>
    ),
    op!(
        "POST /secret-rotations/azure-client-secret/{id}/secret",
        "The rotation's current secret",
        200,
        of::<SecretBody>
    ),
    op!(
        "POST /secret-syncs/azure-app-configuration",
        "Create a sync",
        201,
        of::<SyncBody>,
        request = of::<SyncRequest>
    ),
    op!(
        "GET /secret-syncs/azure-app-configuration",
        "List syncs (or the one named)",
        200,
        of::<SyncListOrOne>,
        query = &["name"]
    ),
    op!(
        "GET /secret-syncs/azure-app-configuration/{id}",
        "One sync",
        200,
        of::<SyncBody>
    ),
    op!(
        "POST /secret-syncs/azure-app-configuration/{id}/run",
        "Preview or run a sync",
        200,
        of::<RunAnswer>,
        request = of::<RunRequest>
    ),
    op!(
        "DELETE /secret-rotations/azure-client-secret/{id}",
        "Delete a rotation",
        200,
        of::<RotationDeleted>,
        query = &["secrets"]
    ),
    op!(
        "DELETE /secret-syncs/azure-app-configuration/{id}",
        "Delete a sync",
        200,
        of::<SyncDeleted>,
        query = &["keys"]
    ),
    op!(
        "PATCH /secret-syncs/azure-app-configuration/{id}",
        "Update a sync's settings",
        200,
        of::<SyncBody>,
        request = of::<SyncPatch>
    ),
    op!(
        "PATCH /secret-rotations/azure-client-secret/{id}",
        "Update a rotation's schedule",
        200,
        of::<RotationBody>,
        request = of::<RotationPatch>
    ),
    op!(
        "GET /encryption",
        "Keys at rest: versions in use (bootstrap admin)",
        200,
        of::<EncryptionStatus>
    ),
    op!(
        "POST /encryption/reseal",
        "Re-seal a batch under the newest key (bootstrap admin)",
        200,
        of::<ResealAnswer>,
        request = form
    ),
    op!(
        "GET /openapi.json",
        "This document",
        200,
        document_schema,
        public = true
    ),
    op!(
        "GET /secret-rotations/azure-client-secret/leftover-secrets",
        "Rotations deleted with their secrets kept",
        200,
        of::<LeftoverList>
    ),
    op!(
        "GET /secret-rotations/azure-client-secret/leftover-secrets/{id}",
        "The secrets a deleted rotation left on its app",
        200,
        of::<LeftoverBody>
    ),
    op!(
        "DELETE /secret-rotations/azure-client-secret/leftover-secrets/{id}",
        "Revoke or forget a deleted rotation's secrets",
        200,
        of::<LeftoverDeleted>,
        query = &["secrets"]
    ),
];

/// `GET` of a list with `?name=`: the list, or the one record of that name.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum RotationListOrOne {
    List(RotationList),
    One(Box<RotationBody>),
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum SyncListOrOne {
    List(SyncList),
    One(Box<SyncBody>),
}

/// The error statuses the Worker answers with (`api_error::status_of`, the body limit), each
/// with the envelope. A `405` is for a method the document does not list for the path.
const ERROR_STATUSES: &[u16] = &[400, 401, 403, 404, 409, 422, 500, 503];

/// The routes behind a rate limit (`AZCONN_RATE_LIMIT_*`): they may also answer `429`.
const RATE_LIMITED: &[&str] = &[
    "POST /sessions",
    "POST /app-connections/{type}/oauth/start",
    "POST /app-connections/{type}/{id}/token",
];

/// Closed objects: a member the Rust type does not have is drift, not an extension.
/// `unevaluatedProperties` (not `additionalProperties`) so the members of a `$ref` beside
/// `properties` (a flattened struct, a tagged newtype variant) count as known; such a
/// referenced struct stays open itself, since its container lists the tag beside it.
fn close_objects(schemas: &mut Map<String, Value>) {
    let mut merged = Vec::new();
    for v in schemas.values() {
        merged_refs(v, &mut merged);
    }
    for (name, v) in schemas.iter_mut() {
        if merged.contains(name) {
            if let Some(m) = v.as_object_mut() {
                m.values_mut().for_each(close);
            }
        } else {
            close(v);
        }
    }
}

/// The definitions a schema references beside its own `properties`.
fn merged_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let (Some(Value::String(r)), true) = (m.get("$ref"), m.contains_key("properties"))
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_owned());
            }
            m.values().for_each(|v| merged_refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| merged_refs(v, out)),
        _ => {}
    }
}

fn close(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let is_struct = m.contains_key("properties")
                && !m.contains_key("additionalProperties")
                && !m.contains_key("unevaluatedProperties");
            if is_struct {
                m.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            m.values_mut().for_each(close);
        }
        Value::Array(a) => a.iter_mut().for_each(close),
        _ => {}
    }
}

fn parameters(path: &str, query: &[&str]) -> Vec<Value> {
    let mut out: Vec<Value> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = if name == "type" {
                json!({"$ref": "#/components/schemas/ConnectionType"})
            } else {
                json!({"type": "string"})
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect();
    out.extend(query.iter().map(
        |q| json!({"name": q, "in": "query", "required": false, "schema": {"type": "string"}}),
    ));
    out
}

fn document() -> Value {
    let settings = SchemaSettings::draft2020_12()
        .for_serialize()
        .with(|s| s.definitions_path = "/components/schemas".into());
    let mut g = SchemaGenerator::new(settings);
    let error = g.subschema_for::<ErrorBody<'static>>();
    g.subschema_for::<wire::ConnectionType>();
    let mut paths = Map::new();
    for op in OPERATIONS {
        let (method, path) = op.pattern.split_once(' ').unwrap_or_default();
        let mut responses = Map::new();
        responses.insert(
            op.status.to_string(),
            json!({"description": op.summary, "content": {"application/json": {"schema": (op.answer)(&mut g)}}}),
        );
        let too_large = op.request.map(|_| 413);
        let limited = RATE_LIMITED.contains(&op.pattern).then_some(429);
        for s in ERROR_STATUSES
            .iter()
            .copied()
            .chain(too_large)
            .chain(limited)
        {
            responses.insert(
                s.to_string(),
                json!({"$ref": "#/components/responses/Error"}),
            );
        }
        let mut o = json!({
            "summary": op.summary,
            "operationId": op.pattern,
            "parameters": parameters(path, op.query),
            "responses": responses,
        });
        if let Some(request) = op.request {
            o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": request(&mut g)}}});
        }
        if op.public {
            o["security"] = json!([]);
        }
        let item = paths.entry(path.to_owned()).or_insert_with(|| json!({}));
        item[method.to_ascii_lowercase()] = o;
    }
    let mut schemas = g.take_definitions(true);
    close_objects(&mut schemas);
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "azconn",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The azconn Worker's API. Generated from host/src/api.rs by `make types` (host/src/openapi.rs): do not edit.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiToken": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {"Error": {
                "description": "The error envelope: the status says which kind, `error.code` which error.",
                "content": {"application/json": {"schema": error}},
            }},
            "securitySchemes": {
                "apiToken": {"type": "http", "scheme": "bearer", "description": "An organization's API token, or the bootstrap admin token"},
                "session": {"type": "apiKey", "in": "cookie", "name": "azconn_session", "description": "A UI session (POST /sessions)"},
            },
        },
    })
}

fn rendered() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

#[test]
fn committed_openapi_document_is_generated() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let text = rendered();
    if std::env::var_os("AZCONN_WRITE_TYPES").is_some() {
        std::fs::write(path, &text).expect("write host/openapi.json");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "host/openapi.json differs from host/src/api.rs: run `make types`"
    );
}

#[test]
fn every_route_is_one_operation_in_the_route_tables_order() {
    let ops: Vec<&str> = OPERATIONS.iter().map(|o| o.pattern).collect();
    assert_eq!(ops, PATTERNS);
    let doc = document();
    let count: usize = doc["paths"]
        .as_object()
        .map(|p| {
            p.values()
                .map(|i| i.as_object().map_or(0, |m| m.len()))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(count, PATTERNS.len());
}

#[test]
fn public_routes_are_the_ones_served_without_a_caller() {
    use crate::routes::{Method, Route};
    for op in OPERATIONS {
        let (m, path) = op.pattern.split_once(' ').unwrap_or_default();
        let path = format!("/api/v1{}", path.replace("{type}", "azure-client-secrets"));
        let route = Route::parse(Method::parse(m).expect("method"), &path).expect("route");
        assert_eq!(route.is_public(), op.public, "{}", op.pattern);
    }
}

#[test]
fn the_document_carries_serde_shapes_and_the_error_envelope() {
    let doc = document();
    let s = &doc["components"]["schemas"];
    // rename_all = camelCase, and closed.
    assert!(s["ConnectionView"]["properties"]["tenantId"].is_object());
    assert_eq!(s["ConnectionView"]["unevaluatedProperties"], false);
    // skip_serializing_if: present but not required.
    let reason_required = s["MethodOption"]["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x == "reason"));
    assert!(!reason_required);
    // The core's closed sets come from its declarations.
    let codes = s["Code"]["enum"].as_array().expect("Code enum");
    assert!(codes.iter().any(|c| c == "not-found"));
    assert!(codes.iter().any(|c| c == "conflict"));
    assert_eq!(
        s["ConnectionType"]["enum"],
        json!(["azure-client-secrets", "azure-app-configuration"])
    );
    let get = &doc["paths"]["/app-connections/{type}/{id}"]["get"];
    assert_eq!(
        get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ConnectionBody"
    );
    assert_eq!(
        get["responses"]["404"]["$ref"],
        "#/components/responses/Error"
    );
    // A body limit only where there is a body, a rate limit only where there is one.
    assert!(get["responses"]["413"].is_null() && get["responses"]["429"].is_null());
    let token = &doc["paths"]["/app-connections/{type}/{id}/token"]["post"];
    assert!(token["responses"]["429"].is_object());
    let envelope =
        &doc["components"]["responses"]["Error"]["content"]["application/json"]["schema"];
    assert_eq!(envelope["$ref"], "#/components/schemas/ErrorBody");
    assert_eq!(doc["paths"]["/health"]["get"]["security"], json!([]));
}

/// The member names of a ts-rs object type (`{ a: T, b?: U, }`), each with whether it is optional.
fn ts_members<T: ts_rs::TS>() -> Vec<(String, bool)> {
    let mut text = T::inline(&ts_rs::Config::new());
    // Doc comments (`/** … */`) sit between members.
    while let Some((start, end)) = text
        .find("/**")
        .and_then(|a| text[a..].find("*/").map(|b| (a, a + b + 2)))
    {
        text.replace_range(start..end, "");
    }
    let body = text.trim().trim_start_matches('{').trim_end_matches('}');
    let mut members: Vec<(String, bool)> = body
        .split(',')
        .filter_map(|m| m.split_once(':'))
        .map(|(name, _)| {
            let name = name.trim();
            (name.trim_end_matches('?').to_owned(), name.ends_with('?'))
        })
        .collect();
    members.sort();
    members
}

/// The mirror's members as its schema has them, each with whether it is optional.
fn schema_members(schema: &Value) -> Vec<(String, bool)> {
    let required = |n: &str| {
        schema["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == n))
    };
    let mut members: Vec<(String, bool)> = schema["properties"]
        .as_object()
        .map(|p| p.keys().map(|k| (k.clone(), !required(k))).collect())
        .unwrap_or_default();
    members.sort();
    members
}

#[test]
fn the_core_mirrors_have_the_core_types_members() {
    use azconn_core::{cloud, error, graph, sync};
    let doc = document();
    let s = &doc["components"]["schemas"];
    for (name, members) in [
        ("FieldError", ts_members::<error::Error>()),
        ("Conflict", ts_members::<sync::Conflict>()),
        ("CloudEndpoints", ts_members::<cloud::CloudEndpoints>()),
        ("Application", ts_members::<graph::Application>()),
        (
            "PasswordCredential",
            ts_members::<graph::PasswordCredential>(),
        ),
        ("KeyCredential", ts_members::<graph::KeyCredential>()),
    ] {
        assert!(!members.is_empty(), "{name}");
        assert_eq!(schema_members(&s[name]), members, "{name}");
    }
}
