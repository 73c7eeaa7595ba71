//! The API's errors: the envelope `{error:{code,message,field?,hint?},errors?,dependents?,
//! deleted?,requestId}` and the HTTP status each core error code answers with. A failure inside the
//! platform (storage, runtime) keeps its cause for the log only: the caller gets a fixed message
//! and the request id that finds the log line.

use crate::records::{Rotation, Sync};
use azconn_core::error::{Code, Error};
use serde::Serialize;

/// An API error: the HTTP status and the core's boundary error.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub error: Error,
    /// Seconds for the `Retry-After` header of a `429`.
    pub retry_after: Option<u32>,
    /// What few errors carry, boxed so every `Result` stays small.
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Default)]
struct Extra {
    /// Every field error of a form, when there were several.
    errors: Vec<Error>,
    /// What keeps a record from being deleted (a `409 conflict`), or still uses it after a
    /// delete with its dependents stopped.
    dependents: Vec<Dependent>,
    /// What a delete with its dependents removed before it stopped.
    deleted: Vec<Dependent>,
    /// The platform's own words for a failure (D1's text, a runtime error): logged with the
    /// request id, never answered.
    cause: Option<String>,
    /// The `Allow` header of a `405` (RFC 9110 §10.2.1): the methods the path takes.
    allow: Option<String>,
}

/// A record that uses another one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct Dependent {
    pub kind: DependentKind,
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum DependentKind {
    Rotation,
    Sync,
}

impl Dependent {
    /// A rotation, named by its target app.
    pub fn rotation(r: &Rotation) -> Dependent {
        let name = r.target.as_ref().map_or_else(
            || "an unknown app".to_owned(),
            |t| t.display_name.clone().unwrap_or_else(|| t.app_id.clone()),
        );
        Dependent {
            kind: DependentKind::Rotation,
            id: r.id.clone(),
            name,
        }
    }

    /// A sync, named by the keys it writes: prefix, label and store.
    pub fn sync(x: &Sync) -> Dependent {
        let label = x
            .label
            .as_deref()
            .map(|l| format!(" label {l}"))
            .unwrap_or_default();
        Dependent {
            kind: DependentKind::Sync,
            id: x.id.clone(),
            name: format!("{}*{label} in {}", x.key_prefix, x.endpoint),
        }
    }
}

impl ApiError {
    pub fn new(status: u16, error: Error) -> ApiError {
        ApiError {
            status,
            error,
            retry_after: None,
            extra: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: i64) -> ApiError {
        self.retry_after = Some(u32::try_from(seconds.max(0)).unwrap_or(u32::MAX));
        self
    }

    fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// Every field error of a form, the headline included.
    pub fn with_errors(mut self, errors: Vec<Error>) -> ApiError {
        self.extra().errors = errors;
        self
    }

    /// A `405`: the methods the path takes go in its `Allow` header and hint.
    pub fn method_not_allowed(method: &str, allow: &[&str]) -> ApiError {
        let allow = allow.join(", ");
        let mut e = ApiError::from(
            Error::new(
                Code::MethodNotAllowed,
                format!("this path does not take {method}"),
            )
            .with_hint(format!("it takes {allow}")),
        );
        e.extra().allow = Some(allow);
        e
    }

    pub fn allow(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|x| x.allow.as_deref())
    }

    pub fn errors(&self) -> &[Error] {
        self.extra.as_ref().map_or(&[], |x| &x.errors)
    }

    pub fn dependents(&self) -> &[Dependent] {
        self.extra.as_ref().map_or(&[], |x| &x.dependents)
    }

    /// The records that use the one the request is about, listed in the envelope.
    pub fn with_dependents(mut self, dependents: Vec<Dependent>) -> ApiError {
        self.extra().dependents = dependents;
        self
    }

    pub fn deleted(&self) -> &[Dependent] {
        self.extra.as_ref().map_or(&[], |x| &x.deleted)
    }

    /// The records already deleted when the request stopped, listed in the envelope.
    pub fn with_deleted(mut self, deleted: Vec<Dependent>) -> ApiError {
        self.extra().deleted = deleted;
        self
    }

    pub fn cause(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|x| x.cause.as_deref())
    }

    /// The log line of a failure the operator must see (5xx): status, code and the cause, under
    /// the request id. Causes are platform messages and never carry request values.
    pub fn log_line(&self, request_id: &str) -> Option<String> {
        (self.status >= 500).then(|| {
            format!(
                "request {request_id}: {} {}: {}",
                self.status,
                self.error.code.as_str(),
                self.cause().unwrap_or(&self.error.message)
            )
        })
    }
}

pub fn internal(message: impl Into<String>) -> ApiError {
    ApiError::new(500, Error::new(Code::Internal, message))
}

/// A storage or runtime failure: the answer says only that, the cause goes to the log.
pub fn platform_failure(cause: impl Into<String>) -> ApiError {
    let mut e = ApiError::new(
        500,
        Error::new(Code::Internal, "azconn could not complete the request")
            .with_hint("try again; if it persists, give the operator this answer's request id"),
    );
    e.extra().cause = Some(cause.into());
    e
}

/// `rotation r1 (payroll), sync s1 (App:* in https://…)`: records as messages name them.
pub fn named(dependents: &[Dependent]) -> String {
    dependents
        .iter()
        .map(|d| {
            let kind = match d.kind {
                DependentKind::Rotation => "rotation",
                DependentKind::Sync => "sync",
            };
            format!("{kind} {} ({})", d.id, d.name)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `409 conflict`: the connection is used by `dependents`, named in the message and listed.
pub fn in_use(what: &str, dependents: Vec<Dependent>) -> ApiError {
    ApiError::new(
        409,
        Error::new(
            Code::Conflict,
            format!("the {what} is used by {}", named(&dependents)),
        )
        .with_hint("delete those first, then this (or delete it with ?dependents=delete)"),
    )
    .with_dependents(dependents)
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
        Code::MethodNotAllowed => 405,
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
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody<'a> {
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::FieldError"))]
    pub error: &'a Error,
    #[serde(skip_serializing_if = "<[Error]>::is_empty")]
    #[cfg_attr(test, ts(as = "Option<Vec<Error>>", optional))]
    #[cfg_attr(test, schemars(with = "Vec<crate::openapi::wire::FieldError>"))]
    pub errors: &'a [Error],
    #[serde(skip_serializing_if = "<[Dependent]>::is_empty")]
    #[cfg_attr(test, ts(as = "Option<Vec<Dependent>>", optional))]
    pub dependents: &'a [Dependent],
    #[serde(skip_serializing_if = "<[Dependent]>::is_empty")]
    #[cfg_attr(test, ts(as = "Option<Vec<Dependent>>", optional))]
    pub deleted: &'a [Dependent],
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub request_id: Option<&'a str>,
}

impl<'a> ErrorBody<'a> {
    /// The envelope of `e` as answered for request `request_id` (never its cause).
    pub fn of(e: &'a ApiError, request_id: Option<&'a str>) -> ErrorBody<'a> {
        ErrorBody {
            error: &e.error,
            errors: e.errors(),
            dependents: e.dependents(),
            deleted: e.deleted(),
            request_id,
        }
    }
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
        let one =
            serde_json::to_value(ErrorBody::of(&ApiError::from(e.clone()), None)).expect("json");
        assert_eq!(
            one,
            serde_json::json!({ "error": { "code": "required", "field": "name", "message": "give a name" } })
        );
        let two = [
            e.clone(),
            Error::field("tenantId", Code::Required, "give a tenant"),
        ];
        let several = ApiError::from(e.clone()).with_errors(two.to_vec());
        let many = serde_json::to_value(ErrorBody::of(&several, Some("r1"))).expect("json");
        assert_eq!(many["errors"].as_array().map(Vec::len), Some(2));
        assert_eq!(many["requestId"], "r1");
    }

    #[test]
    fn a_platform_failure_answers_a_fixed_message_and_logs_its_cause() {
        let e = platform_failure("D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT");
        let body = serde_json::to_string(&ErrorBody::of(&e, Some("abc"))).expect("json");
        assert_eq!(e.status, 500);
        assert!(!body.contains("FOREIGN"), "{body}");
        assert!(!body.contains("D1"), "{body}");
        assert!(body.contains("\"requestId\":\"abc\""), "{body}");
        assert_eq!(
            e.log_line("abc").as_deref(),
            Some(
                "request abc: 500 internal: D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT"
            )
        );
    }

    #[test]
    fn refusals_are_not_logged_as_failures() {
        assert_eq!(not_found("connection").log_line("abc"), None);
    }

    #[test]
    fn a_record_in_use_is_a_conflict_naming_each_dependent() {
        let e = in_use(
            "connection",
            vec![
                Dependent {
                    kind: DependentKind::Rotation,
                    id: "r1".into(),
                    name: "payments-api".into(),
                },
                Dependent {
                    kind: DependentKind::Sync,
                    id: "s1".into(),
                    name: "store App:".into(),
                },
            ],
        );
        assert_eq!(e.status, 409);
        assert_eq!(e.error.code, Code::Conflict);
        assert_eq!(
            e.error.message,
            "the connection is used by rotation r1 (payments-api), sync s1 (store App:)"
        );
        let body = serde_json::to_value(ErrorBody::of(&e, Some("x"))).expect("json");
        assert_eq!(
            body["dependents"],
            serde_json::json!([
                { "kind": "rotation", "id": "r1", "name": "payments-api" },
                { "kind": "sync", "id": "s1", "name": "store App:" }
            ])
        );
    }
}
