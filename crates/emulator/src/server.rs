//! Listeners (plain and TLS), the per-request fault and logging layer, and the admin-only guard.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::faults::FaultAction;
use crate::state::Emulator;
use crate::{appconfig, entra, graph};

/// Per-connection handle: lets a handler drop its own connection (the `drop` fault) and see the peer.
#[derive(Clone)]
pub struct ConnCtl {
    kill: Arc<Notify>,
}

/// Accepts connections forever, serving `app` over HTTP/1.1, optionally inside TLS.
pub async fn serve(listener: TcpListener, app: Router, tls: Option<TlsAcceptor>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let ctl = ConnCtl { kill: kill.clone() };
            let svc = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ctl.clone());
                    app.clone().oneshot(req.map(Body::new))
                },
            );
            let http = hyper::server::conn::http1::Builder::new();
            match tls {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        let conn = http.serve_connection(TokioIo::new(stream), svc);
                        tokio::select! { _ = conn => {}, _ = kill.notified() => {} }
                    }
                }
                None => {
                    let conn = http.serve_connection(TokioIo::new(stream), svc);
                    tokio::select! { _ = conn => {}, _ = kill.notified() => {} }
                }
            }
        });
    }
}

/// Which emulated service a path on the main listener belongs to.
fn classify(path: &str) -> &'static str {
    if path.starts_with("/_emulator") {
        "admin"
    } else if path.starts_with("/v1.0") {
        "graph"
    } else {
        "entra"
    }
}

const LOGGED_HEADERS: &[&str] = &[
    "host",
    "content-type",
    "origin",
    "x-ms-date",
    "x-ms-content-sha256",
    "x-ms-client-request-id",
    "client-request-id",
    "sync-token",
    "if-match",
    "if-none-match",
    "user-agent",
];
const LOGGED_RESPONSE_HEADERS: &[&str] = &[
    "content-type",
    "retry-after",
    "retry-after-ms",
    "www-authenticate",
    "etag",
    "location",
];
const SECRET_QUERY_PARAMS: &[&str] =
    &["code", "client_secret", "client_assertion", "refresh_token"];

fn selected(headers: &HeaderMap, names: &[&str]) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for name in names {
        if let Some(v) = headers.get(*name).and_then(|v| v.to_str().ok()) {
            out.insert((*name).into(), Value::String(v.into()));
        }
    }
    out
}

fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if SECRET_QUERY_PARAMS.contains(&k) => format!("{k}=[redacted]"),
            _ => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Logs every request and applies the first matching fault.
pub async fn observe(
    State((emu, base)): State<(Arc<Emulator>, String)>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let service = if base == "main" {
        classify(&path).to_string()
    } else {
        base
    };
    if service == "admin" {
        // The admin API is the tests' own channel: neither faulted nor logged.
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let mut entry = json!({
        "service": service,
        "method": method,
        "path": path,
        "query": req.uri().query().map(redact_query),
    });
    let mut headers = selected(req.headers(), LOGGED_HEADERS);
    if let Some(auth) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let scheme = auth.split(' ').next().unwrap_or("");
        headers.insert(
            "authorization".into(),
            format!("{scheme} [redacted]").into(),
        );
    }
    entry["headers"] = Value::Object(headers);
    let fault = emu.world().faults.take(&service, &method, &path);
    let ctl = req.extensions().get::<ConnCtl>().cloned();
    let response = match &fault {
        Some(FaultAction::Drop) => {
            entry["fault"] = "drop".into();
            record(&emu, entry);
            if let Some(ctl) = ctl {
                ctl.kill.notify_one();
            }
            return std::future::pending().await;
        }
        Some(FaultAction::DropResponse) => {
            let handled = next.run(req).await;
            entry["fault"] = "dropResponse".into();
            entry["status"] = handled.status().as_u16().into();
            record(&emu, entry);
            if let Some(ctl) = ctl {
                ctl.kill.notify_one();
            }
            return std::future::pending().await;
        }
        Some(FaultAction::Status {
            status,
            retry_after_seconds,
            retry_after_ms,
        }) => fault_response(
            &emu,
            &service,
            *status,
            *retry_after_seconds,
            *retry_after_ms,
        ),
        Some(FaultAction::Delay { ms }) => {
            // Logged on arrival: a client that times out and retries must see every attempt,
            // and the delayed answer may never be written.
            entry["fault"] = "delay".into();
            record(&emu, entry);
            tokio::time::sleep(std::time::Duration::from_millis(*ms)).await;
            return next.run(req).await;
        }
        Some(FaultAction::MalformedJson) => {
            let (mut parts, _) = next.run(req).await.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            Response::from_parts(parts, Body::from("{\"value\":[{\"id\":"))
        }
        Some(FaultAction::WrongContentType) => {
            let mut r = next.run(req).await;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        None => next.run(req).await,
    };
    if let Some(f) = &fault {
        entry["fault"] = serde_json::to_value(f).unwrap_or(Value::Null)["kind"].clone();
    }
    entry["status"] = response.status().as_u16().into();
    entry["responseHeaders"] = Value::Object(selected(response.headers(), LOGGED_RESPONSE_HEADERS));
    record(&emu, entry);
    response
}

fn record(emu: &Emulator, mut entry: Value) {
    let mut w = emu.world();
    w.log_seq += 1;
    entry["seq"] = w.log_seq.into();
    w.log.push(entry);
    if w.log.len() > 10_000 {
        w.log.remove(0);
    }
}

fn fault_response(
    emu: &Emulator,
    service: &str,
    status: u16,
    retry_s: Option<u64>,
    retry_ms: Option<u64>,
) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let throttled = status == 429;
    let mut response = if service.starts_with("store:") {
        let retry_ms = retry_ms.or(throttled.then_some(1000));
        let mut r = if throttled {
            appconfig::too_many_requests()
        } else {
            appconfig::problem(
                code,
                "https://azconfig.io/errors/internal-error",
                "Service unavailable",
                None,
                "The service is temporarily unavailable.",
            )
        };
        if let Some(ms) = retry_ms {
            r.headers_mut()
                .insert("retry-after-ms", HeaderValue::from(ms));
        }
        r
    } else if service == "graph" {
        let (c, m) = match status {
            429 => ("TooManyRequests", "Too many requests."),
            503 => ("ServiceNotAvailable", "Service unavailable."),
            _ => ("InternalServerError", "An internal server error occurred."),
        };
        graph::error(emu, code, c, m)
    } else {
        let (error, aadsts, msg) = match status {
            429 => (
                "temporarily_unavailable",
                90055,
                "The tenant is throttled. Try again later.",
            ),
            503 => (
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again.",
            ),
            _ => (
                "server_error",
                90033,
                "A transient error has occurred. Please try again.",
            ),
        };
        entra::error(emu, code, error, aadsts, msg)
    };
    let retry_s = retry_s.or((throttled && !service.starts_with("store:")).then_some(1));
    if let Some(s) = retry_s {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    if let Some(ms) = retry_ms
        && !service.starts_with("store:")
    {
        response
            .headers_mut()
            .insert("retry-after-ms", HeaderValue::from(ms));
    }
    response.into_response()
}
