//! The API's answers as Worker responses: JSON bodies with their headers, and errors in the
//! envelope of `crate::api_error`.

pub use crate::api_error::{ApiError, ErrorBody, internal, not_found};
use serde::Serialize;
use worker::{Headers, Response};

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> ApiError {
        internal(format!("storage or runtime failure: {e}"))
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

pub fn error_response(e: &ApiError) -> worker::Result<Response> {
    let mut resp = json(
        e.status,
        &ErrorBody {
            error: &e.error,
            errors: &e.errors,
        },
    )?;
    if let Some(after) = e.retry_after {
        resp.headers_mut().set("retry-after", &after.to_string())?;
    }
    Ok(resp)
}
