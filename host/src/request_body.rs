//! A request body, bounded: a declared `Content-Length` over [`MAX_BODY_BYTES`] is refused
//! before anything is read, and the bytes actually read are counted as they arrive (a chunked
//! or lying body stops at the bound), so no request makes the Worker hold more than that.

use crate::api_error::ApiError;
use azconn_core::error::{Code, Error};
use serde_json::Value;

/// The largest body any route takes: a connection form with a certificate chain and its key,
/// or a sync run with many secrets, fits well below it.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `413`: the body is over the bound, named in the message.
pub fn too_large() -> ApiError {
    ApiError::new(
        413,
        Error::field(
            "body",
            Code::TooLong,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        ),
    )
}

/// Refuses a declared length over the bound (an unreadable header is left to the count).
pub fn check_declared(content_length: Option<&str>) -> Result<(), ApiError> {
    match content_length.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(n) if n > MAX_BODY_BYTES as u64 => Err(too_large()),
        _ => Ok(()),
    }
}

/// The bytes read so far, refusing the chunk that would pass the bound.
#[derive(Default)]
pub struct Body {
    bytes: Vec<u8>,
}

impl Body {
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        if self.bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// The body as JSON; an empty (or blank) body is the empty object.
    pub fn json(self) -> Result<Value, ApiError> {
        let text = String::from_utf8(self.bytes).map_err(|_| {
            ApiError::from(Error::field(
                "body",
                Code::InvalidFormat,
                "the body is not UTF-8 text",
            ))
        })?;
        if text.trim().is_empty() {
            return Ok(Value::Object(serde_json::Map::new()));
        }
        serde_json::from_str(&text).map_err(|e| {
            ApiError::from(Error::field(
                "body",
                Code::InvalidFormat,
                format!("the body is not JSON: {e}"),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_length_over_the_bound_is_413_naming_it() {
        assert!(check_declared(None).is_ok());
        assert!(check_declared(Some("1048576")).is_ok());
        assert!(check_declared(Some("not a number")).is_ok());
        let e = check_declared(Some("104857600")).expect_err("too large");
        assert_eq!(e.status, 413);
        assert_eq!(e.error.field.as_deref(), Some("body"));
        assert_eq!(e.error.code, Code::TooLong);
        assert_eq!(
            e.error.message,
            "the request body is larger than 1048576 bytes"
        );
    }

    #[test]
    fn the_bytes_read_are_counted_up_to_the_bound() {
        let mut body = Body::default();
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..16 {
            body.push(&chunk).expect("within the bound");
        }
        assert_eq!(body.push(b" ").expect_err("over").status, 413);
    }

    #[test]
    fn the_body_reads_as_json_and_blank_is_empty() {
        let mut body = Body::default();
        body.push(br#"{"name":"graph"}"#).expect("push");
        assert_eq!(body.json().expect("json")["name"], "graph");
        assert_eq!(
            Body::default().json().expect("blank"),
            serde_json::json!({})
        );
        let mut bad = Body::default();
        bad.push(b"{").expect("push");
        assert_eq!(
            bad.json().expect_err("not JSON").error.field.as_deref(),
            Some("body")
        );
        let mut binary = Body::default();
        binary.push(&[0xff, 0xfe]).expect("push");
        assert_eq!(
            binary.json().expect_err("not UTF-8").error.code,
            Code::InvalidFormat
        );
    }
}
