//! Admin API under `/_emulator` (loopback only, like every listener): read state for assertions,
//! inject faults, read the request log, revoke grants, move the clock.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

use crate::faults::FaultSpec;
use crate::state::{Application, Emulator};
use crate::util::{iso, iso_offset};

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route(
            "/_emulator/health",
            get(|| async { Json(json!({"ok": true})) }),
        )
        .route("/_emulator/applications", get(applications))
        .route("/_emulator/applications/{id}", get(application))
        .route("/_emulator/stores/{name}/kv", get(store_kv))
        .route(
            "/_emulator/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/_emulator/faults/{id}", delete(remove_fault))
        .route("/_emulator/requests", get(requests).delete(clear_requests))
        .route("/_emulator/exposures", get(exposures))
        .route("/_emulator/users/{id}/revoke-grants", post(revoke))
        .route("/_emulator/clock", get(clock).post(advance_clock))
        .route("/_emulator/settings", put(settings))
}

fn bad(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

fn app_state(a: &Application, now: i64) -> Value {
    json!({
        "id": a.id, "appId": a.app_id, "tenantId": a.tenant_id, "displayName": a.display_name,
        "owners": a.owners,
        "passwordCredentials": a.passwords.iter().map(|p| json!({
            "keyId": p.key_id, "displayName": p.display_name,
            "hint": p.secret_text.chars().take(3).collect::<String>(),
            "startDateTime": iso(p.start), "endDateTime": iso(p.end),
            "usableAtTokenEndpoint": p.usable_from <= now && p.start <= now && now < p.end,
        })).collect::<Vec<_>>(),
        "keyCredentials": a.keys.iter().map(|k| json!({
            "keyId": k.key_id, "displayName": k.display_name, "x5t": k.cert.x5t,
            "x5tS256": k.cert.x5t_s256, "startDateTime": iso(k.start), "endDateTime": iso(k.end),
        })).collect::<Vec<_>>(),
    })
}

async fn applications(State(emu): State<Arc<Emulator>>) -> Response {
    let now = emu.clock.now();
    let w = emu.world();
    Json(json!({"value": w.apps.iter().map(|a| app_state(a, now)).collect::<Vec<_>>()}))
        .into_response()
}

async fn application(State(emu): State<Arc<Emulator>>, Path(id): Path<String>) -> Response {
    let now = emu.clock.now();
    let w = emu.world();
    match w
        .apps
        .iter()
        .find(|a| a.id.eq_ignore_ascii_case(&id) || a.app_id.eq_ignore_ascii_case(&id))
    {
        Some(a) => Json(app_state(a, now)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no application '{id}'")})),
        )
            .into_response(),
    }
}

async fn store_kv(State(emu): State<Arc<Emulator>>, Path(name): Path<String>) -> Response {
    let w = emu.world();
    match w.stores.iter().find(|s| s.name == name) {
        Some(s) => Json(json!({"items": s.kvs.iter().map(|kv| json!({
            "key": kv.key, "label": kv.label, "value": kv.value, "content_type": kv.content_type,
            "tags": kv.tags, "locked": kv.locked, "etag": kv.etag, "last_modified": iso_offset(kv.last_modified),
        })).collect::<Vec<_>>()})).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": format!("no store '{name}'")}))).into_response(),
    }
}

async fn faults(State(emu): State<Arc<Emulator>>) -> Response {
    Json(json!({"faults": emu.world().faults.active})).into_response()
}

async fn add_fault(State(emu): State<Arc<Emulator>>, body: axum::body::Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return bad(&format!("invalid fault: {e}")),
    };
    if let Err(e) = spec.validate() {
        return bad(&e);
    }
    let id = emu.world().faults.add(spec);
    (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
}

async fn clear_faults(State(emu): State<Arc<Emulator>>) -> StatusCode {
    emu.world().faults.active.clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(State(emu): State<Arc<Emulator>>, Path(id): Path<u64>) -> StatusCode {
    let mut w = emu.world();
    let before = w.faults.active.len();
    w.faults.active.retain(|f| f.id != id);
    if w.faults.active.len() == before {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::NO_CONTENT
    }
}

async fn requests(State(emu): State<Arc<Emulator>>) -> Response {
    Json(json!({"requests": emu.world().log})).into_response()
}

/// Each moment a store held a revoked client secret (see `World::exposures`); never a value.
async fn exposures(State(emu): State<Arc<Emulator>>) -> Response {
    let w = emu.world();
    Json(json!({"exposures": w.exposures, "revoked": w.revoked.len()})).into_response()
}

async fn clear_requests(State(emu): State<Arc<Emulator>>) -> StatusCode {
    emu.world().log.clear();
    StatusCode::NO_CONTENT
}

async fn revoke(State(emu): State<Arc<Emulator>>, Path(id): Path<String>) -> Response {
    let mut w = emu.world();
    let mut n = 0;
    for g in w
        .grants
        .values_mut()
        .filter(|g| g.user_id == id && !g.revoked)
    {
        g.revoked = true;
        n += 1;
    }
    Json(json!({"revoked": n})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Advance {
    advance_seconds: i64,
}

async fn clock(State(emu): State<Arc<Emulator>>) -> Response {
    Json(json!({"now": emu.clock.now()})).into_response()
}

async fn advance_clock(State(emu): State<Arc<Emulator>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Advance>(&body) {
        Ok(a) if a.advance_seconds >= 0 => {
            emu.clock.advance(a.advance_seconds);
            Json(json!({"now": emu.clock.now()})).into_response()
        }
        Ok(_) => bad("advanceSeconds must not be negative"),
        Err(e) => bad(&format!("expected {{\"advanceSeconds\":N}}: {e}")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    secret_propagation_seconds: Option<i64>,
    #[serde(default)]
    fault_seed: Option<u64>,
}

async fn settings(State(emu): State<Arc<Emulator>>, body: axum::body::Bytes) -> Response {
    let s: Settings = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return bad(&format!("invalid settings: {e}")),
    };
    let mut w = emu.world();
    if let Some(p) = s.secret_propagation_seconds {
        w.secret_propagation_seconds = p.max(0);
    }
    if let Some(seed) = s.fault_seed {
        w.faults.reseed(seed);
    }
    Json(json!({"secretPropagationSeconds": w.secret_propagation_seconds})).into_response()
}
