//! The API's answers as Worker responses: JSON bodies with their headers, and errors in the
//! envelope of `crate::api_error`.

use crate::api_error::platform_failure;
pub use crate::api_error::{ApiError, ErrorBody, internal, not_found};
use serde::Serialize;
use worker::{Headers, Response};

/// The header that carries every answer's request id (also `requestId` in error bodies and
/// the key of the Worker's log lines).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> ApiError {
        platform_failure(e.to_string())
    }
}

pub fn json<T: Serialize>(status: u16, body: &T) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_json(body)?
        .with_status(status)
        .with_headers(headers))
}

/// The API's OpenAPI document as committed (host/openapi.json, `make types`).
const OPENAPI: &str = include_str!("../../openapi.json");

/// `GET /api/v1/openapi.json`: public (it describes the API, it holds no data) and cacheable
/// for a few minutes, since it changes only with a deployment.
pub fn openapi() -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json; charset=utf-8")?;
    headers.set("cache-control", "public, max-age=300")?;
    Ok(Response::ok(OPENAPI)?.with_headers(headers))
}

/// The error's answer for request `request_id`; a failure (5xx) is logged with its cause.
pub fn error_response(e: &ApiError, request_id: &str) -> worker::Result<Response> {
    if let Some(line) = e.log_line(request_id) {
        worker::console_error!("{line}");
    }
    let mut resp = json(e.status, &ErrorBody::of(e, Some(request_id)))?;
    if let Some(after) = e.retry_after {
        resp.headers_mut().set("retry-after", &after.to_string())?;
    }
    if let Some(allow) = e.allow() {
        resp.headers_mut().set("allow", allow)?;
    }
    Ok(resp)
}
