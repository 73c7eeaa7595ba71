//! The plain ABI of azconn (see ABI.md): three exports, JSON in linear memory, no imports.
//!
//! This crate is the one place where azconn speaks JSON text: [`ops`] maps an operation name and
//! its JSON input onto the core's typed functions, [`call_json`] wraps the answer in the
//! `{"ok"}` / `{"error"}` envelope, and the `exports` feature adds the `extern "C"` functions a
//! runtime without bindings calls. Entropy and time are inputs of the operations that need them,
//! so the module needs nothing from its host: wasmtime, wazero, wasmtime-py or a browser can run
//! it as is.

use azconn_core::error::{Code, Error};
use serde_json::{Value, json};

#[cfg(feature = "exports")]
mod exports;
pub mod ops;

/// The safe core of `azconn_call`: bytes in, JSON text out. Never panics on any input.
pub fn call_json(op: &[u8], input: &[u8]) -> String {
    let result = std::str::from_utf8(op)
        .map_err(|_| {
            Error::field(
                "op",
                Code::InvalidCharacter,
                "the operation name is not UTF-8",
            )
        })
        .and_then(|op| {
            let input: Value = serde_json::from_slice(input).map_err(|e| {
                Error::field(
                    "input",
                    Code::InvalidFormat,
                    format!("the input is not JSON: {e}"),
                )
            })?;
            ops::call(op, input)
        });
    match result {
        Ok(value) => json!({ "ok": value }).to_string(),
        Err(error) => json!({ "error": error }).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_ok_and_error_envelopes() {
        assert_eq!(
            call_json(
                b"ids.clientId",
                br#"" 72F988BF-86F1-41AF-91AB-2D7CD011DB47""#
            ),
            r#"{"ok":"72f988bf-86f1-41af-91ab-2d7cd011db47"}"#
        );
        let err: Value = serde_json::from_str(&call_json(b"nope", b"{}")).unwrap();
        assert_eq!(err["error"]["code"], "not-allowed");
        assert_eq!(err["error"]["field"], "op");
        let err: Value = serde_json::from_str(&call_json(b"ids.clientId", b"{oops")).unwrap();
        assert_eq!(err["error"]["field"], "input");
        let err: Value = serde_json::from_str(&call_json(&[0xff], b"1")).unwrap();
        assert_eq!(err["error"]["code"], "invalid-character");
    }
}
