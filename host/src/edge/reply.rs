//! The API's answers: the error envelope `{error:{code,message,field?,hint?},errors?}` with
//! its HTTP status, and JSON bodies.

use azconn_core::error::{Code, Error};
use serde::Serialize;
use worker::{Headers, Response};

/// An API error: the HTTP status and the core's boundary error.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub error: Error,
    /// Every field error of a form, when there were several.
    pub errors: Vec<Error>,
    /// Seconds for the `Retry-After` header of a `429`.
    pub retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: u16, error: Error) -> ApiError {
        ApiError {
            status,
            error,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: i64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }
}

pub fn internal(message: impl Into<String>) -> ApiError {
    ApiError::new(500, Error::new(Code::Internal, message))
}

pub fn not_found(what: &str) -> ApiError {
    ApiError::new(404, Error::new(Code::NotFound, format!("{what} not found")))
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> ApiError {
        internal(format!("storage or runtime failure: {e}"))
    }
}

/// The status for a core error reported by an API call.
pub fn status_of(e: &Error) -> u16 {
    match e.code {
        Code::NotConfigured => 503,
        Code::Unauthenticated => 401,
        Code::CrossOrigin => 403,
        Code::Conflict => 409,
        Code::RateLimited => 429,
        Code::Internal => 500,
        Code::NotFound => 404,
        Code::Required
        | Code::TooLong
        | Code::TooShort
        | Code::InvalidFormat
        | Code::InvalidCharacter
        | Code::NotAllowed
        | Code::InsecureUrl
        | Code::HostNotAllowed
        | Code::SecretLooksLikeId
        | Code::OutOfRange
        | Code::WrongField
        | Code::KeyCertMismatch
        | Code::CertificateExpired
        | Code::CertificateNotYetValid
        | Code::CertificateExpiringSoon
        | Code::WeakKey
        | Code::UnsupportedKeyType
        | Code::UnsupportedAlgorithm
        | Code::WrongPassword => 400,
        // Azure refused or failed: the request was well-formed but cannot be honoured.
        _ => 422,
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::new(status_of(&e), e)
    }
}

/// The error envelope of every failed API call (and of the sign-in error page's embedded JSON).
#[derive(Serialize)]
pub struct ErrorBody<'a> {
    pub error: &'a Error,
    #[serde(skip_serializing_if = "<[Error]>::is_empty")]
    pub errors: &'a [Error],
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
