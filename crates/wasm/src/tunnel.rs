//! The operations not yet typed (the server-side Graph, App Configuration, sync, rotation and
//! retry steps of the full build) by name, JSON text in and out. Refusals
//! throw the same `AzconnError` as the typed exports. Inputs that may hold secrets are taken
//! by value and zeroed.

use crate::{Answer, fail};
use azconn_core::error::{Code, Error};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// Runs core operation `op` on `input` (JSON text); answers the value as JSON text.
#[wasm_bindgen]
pub fn call(op: &str, mut input: String) -> Answer<String> {
    let out = call_json(op, &input);
    input.zeroize();
    out.map(|v| v.to_string()).map_err(fail)
}

/// HMAC-SHA256 of `message` under `key` (the App Configuration access-key signature,
/// <https://learn.microsoft.com/azure/azure-app-configuration/rest-api-authentication-hmac>).
/// The key copy in wasm memory is zeroed after use.
#[wasm_bindgen(js_name = hmacSha256)]
pub fn hmac_sha256(mut key: Vec<u8>, message: &[u8]) -> Vec<u8> {
    let mac = azconn_core::appconfig::hmac::hmac_sha256(&key, message);
    key.zeroize();
    mac.to_vec()
}

/// Parses the input once, then dispatches; never panics on any input.
pub fn call_json(op: &str, input: &str) -> Result<Value, Error> {
    let value: Value = serde_json::from_str(input).map_err(|e| {
        Error::field(
            "input",
            Code::InvalidFormat,
            format!("the input is not JSON: {e}"),
        )
    })?;
    azconn_abi::ops::call(op, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_by_name_and_names_the_failing_part() {
        assert_eq!(
            call_json("ids.clientId", "\" 72F988BF-86F1-41AF-91AB-2D7CD011DB47\"").unwrap(),
            "72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
        let err = call_json("ids.clientId", "{oops").unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (Code::InvalidFormat, Some("input"))
        );
        let err = call_json("nope", "{}").unwrap_err();
        assert_eq!(err.code, Code::NotAllowed);
    }

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
