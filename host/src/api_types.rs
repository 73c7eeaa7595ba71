//! The API's TypeScript declarations for the UI (www/src/gen/api.ts), generated from the
//! response and request bodies in `api`: the test fails when the committed file differs from what these
//! types produce, and `AZCONN_WRITE_TYPES=1` rewrites it (`make types`).

use crate::api::{
    AccessTokenBody, AuditPage, Clients, ConnectionBody, ConnectionDeleted, ConnectionList,
    ConnectionOptions, EncryptionStatus, Health, LeftoverBody, LeftoverDeleted, LeftoverList,
    OAuthStarted, OrganizationCreated, PreviewBody, ResealAnswer, Rotated, RotationBody,
    RotationDeleted, RotationList, RotationPatch, RotationRequest, RunAnswer, RunRequest,
    SecretBody, SessionCreated, SessionView, SignedOut, SyncBody, SyncDeleted, SyncList, SyncPatch,
    SyncRequest, TokenCreated, TokenList, TokenRevoked, Validation,
};
use crate::api_error::ErrorBody;
use azconn_core::ts::Declarations;

const HEADER: &str =
    "// Generated from host/src/api.rs by `make types` (host/src/api_types.rs): do not edit.\n";

fn declarations() -> String {
    // The core's types come from the package that ships them (type-only: nothing is bundled).
    let mut d = Declarations::importing_core_from("azconn/full");
    d.add::<Health>()
        .add::<OrganizationCreated>()
        .add::<TokenCreated>()
        .add::<TokenList>()
        .add::<TokenRevoked>()
        .add::<SessionCreated>()
        .add::<SignedOut>()
        .add::<SessionView>()
        .add::<AuditPage>()
        .add::<ConnectionOptions>()
        .add::<ConnectionBody>()
        .add::<ConnectionList>()
        .add::<ConnectionDeleted>()
        .add::<Validation>()
        .add::<Clients>()
        .add::<AccessTokenBody>()
        .add::<OAuthStarted>()
        .add::<RotationBody>()
        .add::<RotationList>()
        .add::<Rotated>()
        .add::<SecretBody>()
        .add::<SyncBody>()
        .add::<SyncList>()
        .add::<PreviewBody>()
        .add::<RunAnswer>()
        .add::<RotationDeleted>()
        .add::<SyncDeleted>()
        .add::<LeftoverList>()
        .add::<LeftoverBody>()
        .add::<LeftoverDeleted>()
        .add::<RotationRequest>()
        .add::<RotationPatch>()
        .add::<SyncRequest>()
        .add::<SyncPatch>()
        .add::<RunRequest>()
        .add::<EncryptionStatus>()
        .add::<ResealAnswer>()
        .add::<ErrorBody<'static>>();
    d.render(HEADER)
}

#[test]
fn committed_api_types_are_generated() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/src/gen/api.ts");
    let text = declarations();
    if std::env::var_os("AZCONN_WRITE_TYPES").is_some() {
        std::fs::write(path, &text).expect("write www/src/gen/api.ts");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "www/src/gen/api.ts differs from host/src/api.rs: run `make types`"
    );
}
