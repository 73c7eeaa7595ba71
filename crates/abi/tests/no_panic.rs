//! Property test: the JSON adapter takes any JSON (or none) for every op a form page uses and
//! answers an envelope, never a panic.

use azconn_abi::{call_json, ops};
use proptest::prelude::*;

/// Random text, or text shaped like what the ops expect.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9\\-]{0,70}",
        "https?://[a-z0-9.\\-@:/?#%\\[\\]]{0,40}",
        "[A-Za-z0-9_\\-]{0,20}\\.[A-Za-z0-9_\\-=]{0,40}\\.[A-Za-z0-9_\\-]{0,10}",
        "(code|state|error|error_description)=[^&]{0,20}(&(code|state|error)=[%A-Za-z0-9+]{0,20}){0,3}",
        "\\{\"(error|token_type|expires_in|access_token|error_codes)\":(\"[^\"]{0,10}\"|-?[0-9]{1,20}|\\[[0-9,]{0,20}\\]|null)\\}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ops_take_any_json_string(op in prop::sample::select(vec![
        "form.validate", "oauth.scopes", "oauth.pkceChallenge", "oauth.authorize", "oauth.adminConsent",
        "oauth.tokenRequest", "oauth.parseToken", "oauth.parseError", "oauth.parseCallback", "oauth.parseAdminConsentCallback", "jwt.decodeUnverified",
    ]), a in text()) {
        let _ = ops::call(op, serde_json::Value::String(a.clone()));
        if let Ok(v) = serde_json::from_str(&a) {
            let _ = ops::call(op, v);
        }
        let out: serde_json::Value = serde_json::from_str(&call_json(op.as_bytes(), a.as_bytes())).unwrap();
        prop_assert!(out.get("ok").is_some() != out.get("error").is_some());
    }
}
