//! The wasm-bindgen facade of azconn-core behind the npm package `azconn` (packages/azconn).
//!
//! The typed JavaScript API lives in the package's hand-written wrappers (`api.js` + `.d.ts`);
//! this module exports the few primitives they sit on. Every answer is an envelope
//! `{"ok": value}` or `{"error": {code, field?, message, hint?}}` that the wrapper turns into a
//! value or a thrown `AzconnError`, so errors never cross as strings to parse by users.
//! Inputs that may hold secrets are taken by value and zeroed before they are freed.

use azconn_core::error::{Code, Error};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// Runs core operation `op` on `input` (JSON text); answers the JSON envelope.
/// The input buffer (which may hold a client secret, a key or a token) is zeroed after use.
#[wasm_bindgen]
pub fn call(op: &str, mut input: String) -> String {
    let out = envelope(call_json(op, &input));
    input.zeroize();
    out
}

/// HMAC-SHA256 of `message` under `key` (the App Configuration access-key signature,
/// <https://learn.microsoft.com/azure/azure-app-configuration/rest-api-authentication-hmac>).
/// The key copy in wasm memory is zeroed after use.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = hmacSha256)]
pub fn hmac_sha256(mut key: Vec<u8>, message: &[u8]) -> Vec<u8> {
    let mac = azconn_core::appconfig::hmac::hmac_sha256(&key, message);
    key.zeroize();
    mac.to_vec()
}

/// The operations this build answers: the full core, the browser subset (forms and
/// certificates), or one of its two halves (the browser entry's lazily loaded modules).
fn dispatch(op: &str, input: Value) -> Result<Value, Error> {
    #[cfg(feature = "full")]
    return azconn_abi::ops::call(op, input);
    #[cfg(all(not(feature = "full"), feature = "forms", feature = "certificates"))]
    return azconn_abi::ops::call_browser(op, input);
    #[cfg(all(
        not(feature = "full"),
        feature = "forms",
        not(feature = "certificates")
    ))]
    return azconn_abi::ops::call_forms(op, input);
    #[cfg(all(
        not(feature = "full"),
        not(feature = "forms"),
        feature = "certificates"
    ))]
    return azconn_abi::ops::call_certificates(op, input);
}

#[cfg(not(any(feature = "forms", feature = "certificates")))]
compile_error!("enable `full`, `forms` or `certificates`");

/// Parses the input once, then dispatches; never panics on any input.
pub fn call_json(op: &str, input: &str) -> Result<Value, Error> {
    let value: Value = serde_json::from_str(input).map_err(|e| {
        Error::field(
            "input",
            Code::InvalidFormat,
            format!("the input is not JSON: {e}"),
        )
    })?;
    dispatch(op, value)
}

fn envelope(result: Result<Value, Error>) -> String {
    match result {
        Ok(value) => json!({ "ok": value }).to_string(),
        Err(error) => json!({ "error": error }).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_the_same_envelopes_as_the_abi_module() {
        assert_eq!(
            call(
                "ids.clientId",
                "\" 72F988BF-86F1-41AF-91AB-2D7CD011DB47\"".to_owned()
            ),
            r#"{"ok":"72f988bf-86f1-41af-91ab-2d7cd011db47"}"#
        );
        let err: Value = serde_json::from_str(&call("ids.clientId", "{oops".to_owned())).unwrap();
        assert_eq!(err["error"]["field"], "input");
        assert_eq!(err["error"]["code"], "invalid-format");
        let err: Value = serde_json::from_str(&call("nope", "{}".to_owned())).unwrap();
        assert_eq!(err["error"]["code"], "not-allowed");
    }

    #[cfg(feature = "full")]
    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe".to_vec(), b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
