//! The exports' TypeScript shapes, generated from the core's types (ts-rs) into
//! crates/wasm/types/*.d.ts, which `types.rs` hands to wasm-bindgen for each build's `.d.ts`:
//! the test fails when a committed file differs from what the Rust definitions produce, and
//! `AZCONN_WRITE_TYPES=1` rewrites them (`make types`).

use azconn_core::appconfig::{AppConfigError, Condition, KeyValue, KvPage, KvWrite, ListQuery};
use azconn_core::cert::{CertificateReport, CredentialInput};
use azconn_core::cloud::{Cloud, CloudEndpoints, CloudInput};
use azconn_core::error::Error;
use azconn_core::form::{ConnectionForm, ConnectionType, Method};
use azconn_core::graph::{
    AddedPassword, AppQuery, AppRef, Application, Granted, GraphError, Organization, Page,
    PasswordSpec, Preflight, User,
};
use azconn_core::http::HttpRequest;
use azconn_core::jose::assertion::Options;
use azconn_core::oauth::authorize::AppConfigurationAudience;
use azconn_core::oauth::callback::AdminConsent;
use azconn_core::oauth::entra_error::{EntraError, ErrorClass};
use azconn_core::oauth::jwt::UnverifiedClaims;
use azconn_core::oauth::token::TokenResponse;
use azconn_core::prelude::*;
use azconn_core::retry::{Decision, RetryPolicy};
use azconn_core::sync::{DesiredValue, Plan, SyncOp, SyncSpec};
use azconn_core::ts::Declarations;

const HEADER: &str = "// Generated from the Rust definitions by `make types` (crates/wasm/src/generated_types.rs): do not edit.\n";

/// Every module's shapes (errors as data, clouds); then what forms, the token steps, certificates,
/// the client assertion and the full build add, none restating another file's.
fn files() -> Vec<(&'static str, String)> {
    let mut shared = Declarations::default();
    shared.add::<Error>().add::<CloudInput>();
    let mut forms = shared.after();
    forms
        .add::<CloudEndpoints>()
        .add::<Cloud>()
        .add::<ConnectionType>()
        .add::<Method>()
        .add::<AppConfigurationAudience>()
        .add::<ConnectionForm>();
    let mut tokens = forms.after();
    tokens
        .add::<AdminConsent>()
        .add::<HttpRequest>()
        .add::<TokenResponse>()
        .add::<ErrorClass>()
        .add::<EntraError>()
        .add::<UnverifiedClaims>();
    let mut certificates = tokens.after();
    certificates
        .add::<CredentialInput>()
        .add::<CertificateReport>();
    let mut assertion = certificates.after();
    assertion.add::<Options>();
    let mut server = assertion.after();
    server
        .add::<AppRef>()
        .add::<AppQuery>()
        .add::<PasswordSpec>()
        .add::<Application>()
        .add::<Page<Application>>()
        .add::<AddedPassword>()
        .add::<User>()
        .add::<Organization>()
        .add::<GraphError>()
        .add::<Granted>()
        .add::<Preflight>()
        .add::<Condition>()
        .add::<KvWrite>()
        .add::<ListQuery>()
        .add::<KeyValue>()
        .add::<KvPage>()
        .add::<AppConfigError>()
        .add::<DesiredValue>()
        .add::<SyncSpec>()
        .add::<SyncOp>()
        .add::<Plan>()
        .add::<RetryPolicy>()
        .add::<Decision>();
    vec![
        ("shared", shared.render(HEADER)),
        ("forms", forms.render(HEADER)),
        ("tokens", tokens.render(HEADER)),
        ("certificates", certificates.render(HEADER)),
        ("assertion", assertion.render(HEADER)),
        ("server", server.render(HEADER)),
    ]
}

#[test]
fn committed_types_are_generated() {
    let write = std::env::var_os("AZCONN_WRITE_TYPES").is_some();
    for (name, text) in files() {
        let path = format!("{}/types/{name}.d.ts", env!("CARGO_MANIFEST_DIR"));
        if write {
            std::fs::write(&path, &text).expect("write crates/wasm/types");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "crates/wasm/types/{name}.d.ts differs from the Rust definitions: run `make types`"
        );
    }
}
