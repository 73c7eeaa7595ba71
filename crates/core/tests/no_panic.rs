//! Property test: every public parser of the form and OAuth modules takes arbitrary text without
//! panicking (errors are values). Inputs mix fully random strings with near-valid shapes, so the
//! parsers' deeper branches are reached too.

use azconn_core::cloud::Cloud;
use azconn_core::form::{self, ConnectionForm, Slug};
use azconn_core::http::HttpResponse;
use azconn_core::oauth::authorize::{Hint, RedirectUri};
use azconn_core::oauth::callback::{parse_admin_consent_callback, parse_callback};
use azconn_core::oauth::entra_error::{EntraError, parse_error_response};
use azconn_core::oauth::jwt::decode_unverified_claims;
use azconn_core::oauth::pkce::CodeVerifier;
use azconn_core::oauth::random::State;
use azconn_core::oauth::token::{
    AuthorizationCode, ClientAssertion, RefreshToken, parse_token_response,
};
use proptest::prelude::*;

/// Random text, or text shaped like what the parsers expect.
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
    fn form_parsers(a in text(), b in text(), c in text(), d in text()) {
        let f = ConnectionForm {
            name: a.clone(),
            description: b.clone(),
            connection_type: "azure-app-configuration".into(),
            method: if c.len() % 2 == 0 { "certificate".into() } else { "client-secret".into() },
            tenant_id: c.clone(),
            client_id: d.clone(),
            client_secret: a.clone(),
            certificate: b.clone(),
            private_key: c.clone(),
            private_key_passphrase: d.clone(),
            endpoint: a.clone(),
            cloud: Cloud::Global,
        };
        let _ = form::validate(&f);
        let _ = form::validate(&ConnectionForm { method: "oauth".into(), connection_type: b.clone(), ..f });
        let _ = Slug::parse(&a);
        let _ = serde_json::from_value::<Cloud>(serde_json::Value::String(b));
    }

    #[test]
    fn oauth_parsers(a in text(), b in text(), status in 0u16..1000, now in any::<u64>()) {
        let _ = RedirectUri::parse(&a);
        let _ = Hint::parse(&a, "loginHint");
        let _ = CodeVerifier::parse(&a);
        let _ = State::parse(&a);
        let _ = ClientAssertion::parse(&a);
        let _ = AuthorizationCode::parse(&a);
        let _ = RefreshToken::parse(&a);
        let _ = decode_unverified_claims(&a);
        let response = HttpResponse::new(status, a.clone()).with_header("retry-after", b.clone());
        let _ = parse_token_response(&response, now);
        if let Ok(e) = parse_error_response(&response) {
            let _ = (e.class(), e.hint(), e.clone().into_error(), e.into_authorize_error());
        }
        let _ = EntraError::from_callback(&a, Some(&b), None).into_authorize_error();
        if let Ok(state) = State::parse(&b) {
            let _ = parse_callback(&a, &state);
            let _ = parse_admin_consent_callback(&a, &state);
        }
        let _ = parse_callback(&a, &State::parse("AQIDBAUGBwgJCgsMDQ4PEA").unwrap());
    }
}
