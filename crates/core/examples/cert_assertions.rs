//! Signs client assertions with the native signer and prints them as JSON, for the Node
//! `jose` cross-check (tests/node/cert-assertion.test.mjs). Also prints unsigned assertions and
//! the PKCS#8 key, so the test can sign them with WebCrypto exactly as the Worker does.
//!
//! Usage: `cargo run -p azconn-core --example cert_assertions -- <cert.pem> <key.pem> <now>`
//! or `... -- --pfx=<file.pfx.b64> <password> <now>`

use azconn_core::cert::{Credential, CredentialInput};
use azconn_core::cloud::Cloud;
use azconn_core::ids::{ClientId, TenantId};
use azconn_core::jose::assertion::{self, Claims, Options, Profile};
use azconn_core::native_signer;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, a, b, now] = args.as_slice() else {
        return Err("usage: cert_assertions <cert.pem> <key.pem> <now>".into());
    };
    let now: i64 = now.parse()?;
    let input = if let Some(pfx) = a.strip_prefix("--pfx=") {
        CredentialInput {
            pfx: Some(std::fs::read_to_string(pfx)?),
            pfx_password: Some(b.clone()),
            ..CredentialInput::default()
        }
    } else {
        CredentialInput {
            certificate: Some(std::fs::read_to_string(a)?),
            private_key: Some(std::fs::read_to_string(b)?),
            ..CredentialInput::default()
        }
    };
    let credential = Credential::load(&input, now)?;
    let tenant = TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47")?;
    let client_id = ClientId::parse("11111111-2222-4333-8444-555555555555")?;
    let mut out = Vec::new();
    let mut unsigned_out = Vec::new();
    for (i, profile) in [Profile::Ps256Sha256, Profile::Rs256Sha1]
        .into_iter()
        .enumerate()
    {
        let claims = Claims::new(
            Cloud::Global.endpoints(),
            &tenant,
            client_id,
            now,
            [i as u8; 16],
        );
        let options = Options {
            profile,
            include_x5c: i == 0,
            ..Options::default()
        };
        let unsigned = assertion::prepare(&credential, &claims, &options)?;
        unsigned_out.push(json!({
            "profile": profile,
            "unsigned": unsigned,
            "webCrypto": unsigned.algorithm.web_crypto(),
            "audience": claims.audience,
            "clientId": client_id,
        }));
        let signature = native_signer::sign(
            credential.pkcs8_der(),
            unsigned.algorithm,
            unsigned.signing_input.as_bytes(),
        )?;
        out.push(json!({
            "profile": profile,
            "algorithm": unsigned.algorithm,
            "jws": unsigned.complete(&signature)?,
            "audience": claims.audience,
            "clientId": client_id,
            "jti": claims.jti,
        }));
    }
    let report = credential.report();
    println!(
        "{}",
        json!({
            "x5t": report.x5t,
            "x5tS256": report.x5t_s256,
            "now": now,
            "assertions": out,
            "unsigned": unsigned_out,
            "pkcs8": credential.pkcs8_base64(),
        })
    );
    Ok(())
}
