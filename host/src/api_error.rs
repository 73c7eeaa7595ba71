//! The API's errors: the envelope `{error:{code,message,field?,hint?},errors?}` and the HTTP
//! status each core error code answers with.

use azconn_core::error::{Code, Error};
use serde::Serialize;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_codes_answer_with_their_status() {
        for (code, status) in [
            (Code::NotConfigured, 503),
            (Code::Unauthenticated, 401),
            (Code::CrossOrigin, 403),
            (Code::Conflict, 409),
            (Code::RateLimited, 429),
            (Code::NotFound, 404),
            (Code::Required, 400),
            (Code::WrongPassword, 400),
            (Code::TokenRequestFailed, 422),
            (Code::ReauthRequired, 422),
            (Code::Internal, 500),
        ] {
            assert_eq!(
                ApiError::from(Error::new(code, "m")).status,
                status,
                "{code:?}"
            );
        }
    }

    #[test]
    fn the_envelope_lists_every_form_error_only_when_there_are_several() {
        let e = Error::field("name", Code::Required, "give a name");
        let one = serde_json::to_value(ErrorBody {
            error: &e,
            errors: &[],
        })
        .expect("json");
        assert_eq!(
            one,
            serde_json::json!({ "error": { "code": "required", "field": "name", "message": "give a name" } })
        );
        let two = [
            e.clone(),
            Error::field("tenantId", Code::Required, "give a tenant"),
        ];
        let many = serde_json::to_value(ErrorBody {
            error: &e,
            errors: &two,
        })
        .expect("json");
        assert_eq!(many["errors"].as_array().map(Vec::len), Some(2));
    }
}
