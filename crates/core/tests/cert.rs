//! Certificate credentials against material `tests/certs/gen.sh` generates with the openssl CLI
//! at test time: every accepted format, every rejected one, thumbprints against
//! `openssl x509 -fingerprint`, and assertions verified with an independent RSA verifier.

use azconn_core::cert::{Credential, CredentialInput};
use azconn_core::cloud::Cloud;
use azconn_core::error::Code;
use azconn_core::ids::{ClientId, TenantId};
use azconn_core::jose::assertion::{self, Algorithm, Claims, Options, Profile};
use azconn_core::{jose, native_signer};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A fixed instant inside every generated certificate's validity (they are created "now").
fn now() -> i64 {
    static NOW: OnceLock<i64> = OnceLock::new();
    *NOW.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    })
}

fn dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("certs-{}", std::process::id()));
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/certs/gen.sh");
        let status = Command::new("bash")
            .arg(script)
            .arg(&out)
            .output()
            .expect("run gen.sh");
        assert!(
            status.status.success(),
            "gen.sh failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        out
    })
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn pair(cert: &str, key: &str) -> CredentialInput {
    CredentialInput {
        certificate: Some(read(cert)),
        private_key: Some(read(key)),
        ..CredentialInput::default()
    }
}

fn pfx(file: &str, password: Option<&str>) -> CredentialInput {
    CredentialInput {
        pfx: Some(read(file)),
        pfx_password: password.map(str::to_owned),
        ..CredentialInput::default()
    }
}

const PASS: &str = "correct horse battery staple";
const PFX_PASS: &str = "pfx pässword";

/// `openssl x509 -fingerprint -<alg>` as upper-case hex without colons.
fn openssl_fingerprint(cert: &str, alg: &str) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", &format!("-{alg}"), "-in"])
        .arg(dir().join(cert))
        .output()
        .expect("openssl");
    let text = String::from_utf8(out.stdout).unwrap();
    text.trim().split_once('=').unwrap().1.replace(':', "")
}

fn openssl_serial(cert: &str) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-serial", "-in"])
        .arg(dir().join(cert))
        .output()
        .expect("openssl");
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .trim_start_matches("serial=")
        .to_owned()
}

fn err(input: &CredentialInput, at: i64) -> (Code, String) {
    let e = Credential::load(input, at).expect_err("must be rejected");
    (e.code, e.field.unwrap_or_default())
}

#[test]
fn every_accepted_format_yields_the_same_credential() {
    let expected_pkcs8 = bytes("key.der");
    let cases = [
        ("PKCS#8 PEM", pair("cert.pem", "key.pem")),
        ("PKCS#1 PEM", pair("cert.pem", "key-pkcs1.pem")),
        (
            "encrypted PKCS#8",
            CredentialInput {
                private_key_passphrase: Some(PASS.into()),
                ..pair("cert.pem", "key-enc.pem")
            },
        ),
        (
            "base64 DER cert + PKCS#8 DER key",
            pair("cert.der.b64", "key.der.b64"),
        ),
        (
            "base64 DER cert + PKCS#1 DER key",
            pair("cert.der.b64", "key-pkcs1.der.b64"),
        ),
        ("chain, leaf first", pair("chain.pem", "key.pem")),
        (
            "chain, leaf last",
            pair("chain-reversed.pem", "key-pkcs1.pem"),
        ),
        (
            "PFX with chain and password",
            pfx("chain.pfx.b64", Some(PFX_PASS)),
        ),
        ("PFX without password", pfx("nopass.pfx.b64", None)),
        (
            "legacy PFX: RC2-40 + 3DES, SHA-1 MAC",
            pfx("legacy.pfx.b64", Some(PFX_PASS)),
        ),
        (
            "legacy PFX without password",
            pfx("legacy-nopass.pfx.b64", Some("")),
        ),
        ("legacy PFX: 3DES only", pfx("3des.pfx.b64", Some(PFX_PASS))),
        (
            "legacy PFX: RC2-128 + 2-key 3DES",
            pfx("rc2-128.pfx.b64", Some(PFX_PASS)),
        ),
        ("PFX without a MAC", pfx("nomac.pfx.b64", Some(PFX_PASS))),
        (
            "legacy PFX without a MAC",
            pfx("nomac-legacy.pfx.b64", Some(PFX_PASS)),
        ),
    ];
    let sha1 = openssl_fingerprint("cert.pem", "sha1");
    let sha256 = openssl_fingerprint("cert.pem", "sha256");
    assert_eq!(sha1.len(), 40);
    for (name, input) in cases {
        let c = Credential::load(&input, now()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = c.report();
        assert_eq!(r.thumbprint_sha1, sha1, "{name}");
        assert_eq!(r.thumbprint_sha256, sha256, "{name}");
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&r.x5t).unwrap(),
            hex(&sha1),
            "{name}"
        );
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&r.x5t_s256).unwrap(),
            hex(&sha256),
            "{name}"
        );
        // RFC 4514 order: the last RDN of the sequence first.
        assert_eq!(
            STANDARD.decode(&r.custom_key_identifier).unwrap(),
            hex(&sha1),
            "{name}"
        );
        assert_eq!(r.subject, "O=azconn,CN=azconn test leaf", "{name}");
        assert_eq!(r.issuer, "CN=azconn test CA", "{name}");
        assert_eq!(r.serial_number, openssl_serial("cert.pem"), "{name}");
        assert_eq!((r.key_type, r.key_size), ("RSA", 2048), "{name}");
        assert!(r.warnings.is_empty(), "{name}");
        assert_eq!(c.leaf_der(), bytes("cert.der"), "{name}");
        assert_eq!(c.pkcs8_der(), expected_pkcs8, "{name}: PKCS#8 DER");
        assert_eq!(
            STANDARD.decode(c.pkcs8_base64()).unwrap(),
            expected_pkcs8,
            "{name}"
        );
        assert!(r.not_before_unix <= now() && now() < r.not_after_unix);
        assert!(!format!("{c:?}").contains(&STANDARD.encode(&expected_pkcs8[..40])));
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn chain_puts_the_leaf_first_whatever_the_order() {
    for file in ["chain.pem", "chain-reversed.pem"] {
        let c = Credential::load(&pair(file, "key.pem"), now()).unwrap();
        assert_eq!(c.chain_der().len(), 2);
        assert_eq!(c.report().chain_length, 2);
        assert_eq!(c.chain_der()[0], bytes("cert.der"), "{file}");
    }
    let c = Credential::load(&pfx("chain.pfx.b64", Some(PFX_PASS)), now()).unwrap();
    assert_eq!(c.chain_der().len(), 2);
}

#[test]
fn every_rejected_input_names_its_field() {
    let with_pass = |p: Option<&str>| CredentialInput {
        private_key_passphrase: p.map(str::to_owned),
        ..pair("cert.pem", "key-enc.pem")
    };
    let cases: Vec<(&str, CredentialInput, (Code, &str))> = vec![
        (
            "mismatched pair",
            pair("cert.pem", "other-key.pem"),
            (Code::KeyCertMismatch, "privateKey"),
        ),
        (
            "EC key (PKCS#8)",
            pair("cert.pem", "ec-key.pem"),
            (Code::UnsupportedKeyType, "privateKey"),
        ),
        (
            "EC key (SEC1)",
            pair("cert.pem", "ec-key-sec1.pem"),
            (Code::UnsupportedKeyType, "privateKey"),
        ),
        (
            "EC certificate",
            pair("ec-cert.pem", "key.pem"),
            (Code::UnsupportedKeyType, "certificate"),
        ),
        (
            "1024-bit RSA",
            pair("rsa1024-cert.pem", "rsa1024-key.pem"),
            (Code::WeakKey, "privateKey"),
        ),
        (
            "expired",
            pair("expired-cert.pem", "key.pem"),
            (Code::CertificateExpired, "certificate"),
        ),
        (
            "not yet valid",
            pair("future-cert.pem", "key.pem"),
            (Code::CertificateNotYetValid, "certificate"),
        ),
        (
            "key in the certificate field",
            pair("key.pem", "key.pem"),
            (Code::WrongField, "certificate"),
        ),
        (
            "DER key in the certificate field",
            pair("key.der.b64", "key.pem"),
            (Code::WrongField, "certificate"),
        ),
        (
            "certificate in the key field",
            pair("cert.pem", "cert.pem"),
            (Code::WrongField, "privateKey"),
        ),
        (
            "DER certificate in the key field",
            pair("cert.pem", "cert.der.b64"),
            (Code::WrongField, "privateKey"),
        ),
        (
            "PFX in the certificate field",
            pair("chain.pfx.b64", "key.pem"),
            (Code::WrongField, "certificate"),
        ),
        (
            "PFX in the key field",
            pair("cert.pem", "chain.pfx.b64"),
            (Code::WrongField, "privateKey"),
        ),
        (
            "CSR in the certificate field",
            pair("leaf.csr", "key.pem"),
            (Code::InvalidFormat, "certificate"),
        ),
        (
            "missing passphrase",
            with_pass(None),
            (Code::Required, "privateKeyPassphrase"),
        ),
        (
            "wrong passphrase",
            with_pass(Some("nope")),
            (Code::WrongPassword, "privateKeyPassphrase"),
        ),
        (
            "legacy PEM encryption",
            pair("cert.pem", "key-legacy-enc.pem"),
            (Code::UnsupportedAlgorithm, "privateKey"),
        ),
        (
            "PFX wrong password",
            pfx("chain.pfx.b64", Some("wrong")),
            (Code::WrongPassword, "pfxPassword"),
        ),
        (
            "PFX missing password",
            pfx("chain.pfx.b64", None),
            (Code::WrongPassword, "pfxPassword"),
        ),
        (
            "RC4 PFX",
            pfx("rc4.pfx.b64", Some(PFX_PASS)),
            (Code::UnsupportedAlgorithm, "pfx"),
        ),
        (
            "PFX without a MAC, wrong password",
            pfx("nomac.pfx.b64", Some("wrong")),
            (Code::WrongPassword, "pfxPassword"),
        ),
        (
            "legacy PFX without a MAC, wrong password",
            pfx("nomac-legacy.pfx.b64", Some("wrong")),
            (Code::WrongPassword, "pfxPassword"),
        ),
        (
            "legacy PFX wrong password",
            pfx("legacy.pfx.b64", Some("wrong")),
            (Code::WrongPassword, "pfxPassword"),
        ),
        (
            "PFX without a key",
            pfx("nokey.pfx.b64", Some(PFX_PASS)),
            (Code::Required, "pfx"),
        ),
        (
            "PEM in the PFX field",
            pfx("cert.pem", None),
            (Code::WrongField, "pfx"),
        ),
        (
            "PFX and a certificate",
            CredentialInput {
                certificate: Some(read("cert.pem")),
                ..pfx("chain.pfx.b64", None)
            },
            (Code::NotAllowed, "pfx"),
        ),
        (
            "nothing",
            CredentialInput::default(),
            (Code::Required, "certificate"),
        ),
        (
            "no key",
            CredentialInput {
                certificate: Some(read("cert.pem")),
                ..CredentialInput::default()
            },
            (Code::Required, "privateKey"),
        ),
    ];
    for (name, input, (code, field)) in cases {
        assert_eq!(err(&input, now()), (code, field.to_owned()), "{name}");
    }
}

#[test]
fn rc4_pfx_error_says_how_to_re_export() {
    let e = Credential::load(&pfx("rc4.pfx.b64", Some(PFX_PASS)), now()).unwrap_err();
    assert!(e.hint.unwrap().contains("openssl pkcs12 -legacy"));
}

#[test]
fn validity_is_checked_against_the_given_now() {
    let input = pair("cert.pem", "key.pem");
    let r = Credential::load(&input, now()).unwrap().report().clone();
    assert_eq!(
        err(&input, r.not_after_unix + 1),
        (Code::CertificateExpired, "certificate".into())
    );
    assert_eq!(
        err(&input, r.not_before_unix - 1),
        (Code::CertificateNotYetValid, "certificate".into())
    );
    // The last second of validity is still valid, with the expiry warning.
    let last = Credential::load(&input, r.not_after_unix).unwrap();
    assert_eq!(
        last.report().warnings[0].code,
        Code::CertificateExpiringSoon
    );
    let w = Credential::load(&input, r.not_after_unix - 30 * 86_400).unwrap();
    assert_eq!(w.report().warnings.len(), 1);
    let ok = Credential::load(&input, r.not_after_unix - 30 * 86_400 - 1).unwrap();
    assert!(ok.report().warnings.is_empty());
}

#[test]
fn expiring_soon_is_a_warning_not_an_error() {
    let c = Credential::load(&pair("soon-cert.pem", "key.pem"), now()).unwrap();
    let w = &c.report().warnings;
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].code, Code::CertificateExpiringSoon);
    assert_eq!(w[0].field.as_deref(), Some("certificate"));
    assert!(
        w[0].message.starts_with("the certificate expires in "),
        "{}",
        w[0].message
    );
}

#[test]
fn malformed_text_is_rejected_precisely() {
    let cert = read("cert.pem");
    let key = read("key.pem");
    let with_cert = |c: &str| CredentialInput {
        certificate: Some(c.to_owned()),
        private_key: Some(key.clone()),
        ..CredentialInput::default()
    };
    let truncated_pem = &cert[..cert.len() / 2];
    let e = Credential::load(&with_cert(truncated_pem), now()).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::InvalidFormat, Some("certificate"))
    );
    assert!(
        e.message.contains("no matching END CERTIFICATE"),
        "{}",
        e.message
    );

    let b64 = read("cert.der.b64");
    let e = Credential::load(&with_cert(&b64[..400]), now()).unwrap_err();
    assert_eq!(e.message, "the certificate is truncated");
    let e = Credential::load(&with_cert(&b64[..401]), now()).unwrap_err();
    assert_eq!(e.message, "the base64 text is truncated");
    let e = Credential::load(&with_cert("hello world!"), now()).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::InvalidFormat, Some("certificate"))
    );

    let damaged = cert.replacen("MII", "M!I", 1);
    let e = Credential::load(&with_cert(&damaged), now()).unwrap_err();
    assert_eq!(
        e.message,
        "the base64 inside the BEGIN CERTIFICATE block is damaged"
    );

    let huge = "A".repeat(azconn_core::cert::MAX_CERTIFICATE_CHARS + 1);
    let e = Credential::load(&with_cert(&huge), now()).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::TooLong, Some("certificate"))
    );

    let pfx_b64 = read("chain.pfx.b64");
    let mut input = pfx("chain.pfx.b64", Some(PFX_PASS));
    input.pfx = Some(pfx_b64[..pfx_b64.len() / 2].to_owned());
    let e = Credential::load(&input, now()).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::InvalidFormat, Some("pfx"))
    );
}

fn claims(profile_index: u8) -> Claims {
    Claims::new(
        Cloud::Global.endpoints(),
        &TenantId::parse("contoso.onmicrosoft.com").unwrap(),
        ClientId::parse("11111111-2222-4333-8444-555555555555").unwrap(),
        1_700_000_000,
        [profile_index; 16],
    )
}

fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Signs with the native signer and verifies with `rsa`'s verifier and the certificate's own
/// SubjectPublicKeyInfo (not the key we signed with), for both profiles.
#[test]
fn signed_assertions_verify_independently() {
    let credential = Credential::load(&pair("chain.pem", "key-pkcs1.pem"), now()).unwrap();
    let cert_spki = cert_spki_der(credential.leaf_der());
    let public = rsa::RsaPublicKey::from_public_key_der(&cert_spki).unwrap();
    let sha1 = hex(&openssl_fingerprint("cert.pem", "sha1"));
    let sha256 = hex(&openssl_fingerprint("cert.pem", "sha256"));
    for (i, profile) in [Profile::Ps256Sha256, Profile::Rs256Sha1]
        .into_iter()
        .enumerate()
    {
        let options = Options {
            profile,
            include_x5c: true,
            lifetime_seconds: 300,
        };
        let unsigned = assertion::prepare(&credential, &claims(i as u8), &options).unwrap();
        assert_eq!(unsigned.signature_length, 256);
        let sig = native_signer::sign(
            credential.pkcs8_der(),
            unsigned.algorithm,
            unsigned.signing_input.as_bytes(),
        )
        .unwrap();
        let jws = unsigned.complete(&sig).unwrap();
        // The compact JWS is what the token request builder takes as `client_assertion`.
        let for_token = azconn_core::oauth::token::ClientAssertion::parse(&jws).unwrap();
        assert_eq!(for_token.expose(), jws);
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert!(!jws.contains('='));
        let signed = parts[..2].join(".");
        let tampered = signed.replace("eyJ", "eyK");
        let header = decode_part(parts[0]);
        let payload = decode_part(parts[1]);
        let x5c: Vec<Value> = credential
            .chain_der()
            .iter()
            .map(|d| json!(STANDARD.encode(d)))
            .collect();
        match profile {
            Profile::Ps256Sha256 => {
                assert_eq!(
                    header,
                    json!({"alg":"PS256","typ":"JWT","x5t#S256": URL_SAFE_NO_PAD.encode(&sha256),"x5c": x5c})
                );
                let sig = rsa::pss::Signature::try_from(sig.as_slice()).unwrap();
                let verifier = rsa::pss::VerifyingKey::<sha2::Sha256>::new(public.clone());
                verifier.verify(signed.as_bytes(), &sig).unwrap();
                assert!(verifier.verify(tampered.as_bytes(), &sig).is_err());
            }
            Profile::Rs256Sha1 => {
                assert_eq!(
                    header,
                    json!({"alg":"RS256","typ":"JWT","x5t": URL_SAFE_NO_PAD.encode(&sha1),"x5c": x5c})
                );
                let sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
                let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public.clone());
                verifier.verify(signed.as_bytes(), &sig).unwrap();
                assert!(verifier.verify(tampered.as_bytes(), &sig).is_err());
            }
        }
        let jti = if i == 0 {
            "00000000-0000-4000-8000-000000000000"
        } else {
            "01010101-0101-4101-8101-010101010101"
        };
        assert_eq!(
            payload,
            json!({
                "aud": "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
                "iss": "11111111-2222-4333-8444-555555555555",
                "sub": "11111111-2222-4333-8444-555555555555",
                "jti": jti, "nbf": 1_700_000_000, "iat": 1_700_000_000, "exp": 1_700_000_300
            })
        );
    }
}

fn cert_spki_der(cert_der: &[u8]) -> Vec<u8> {
    use der::{Decode, Encode};
    let cert = x509_cert::Certificate::from_der(cert_der).unwrap();
    cert.tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap()
}

#[test]
fn signature_of_the_wrong_length_is_refused() {
    let credential = Credential::load(&pair("cert.pem", "key.pem"), now()).unwrap();
    let unsigned = assertion::prepare(&credential, &claims(0), &Options::default()).unwrap();
    let e = unsigned.complete(&[0u8; 255]).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::InvalidFormat, Some("signature"))
    );
    let e = assertion::prepare(
        &credential,
        &claims(0),
        &Options {
            lifetime_seconds: 601,
            ..Options::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::OutOfRange, Some("lifetimeSeconds"))
    );
    assert_eq!(unsigned.algorithm, Algorithm::Ps256);
}

/// RFC 7515 Appendix A.2: the RS256 example reproduces byte for byte, signing input and
/// signature, through `jose::signing_input` and the native signer.
#[test]
fn rfc7515_appendix_a2_reproduces() {
    let b = |s: &str| URL_SAFE_NO_PAD.decode(s).unwrap();
    let n = b(
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
    );
    let e = b("AQAB");
    let d = b(
        "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
    );
    let p = b(
        "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
    );
    let q = b(
        "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
    );
    let u = rsa::BigUint::from_bytes_be;
    let key = rsa::RsaPrivateKey::from_components(u(&n), u(&e), u(&d), vec![u(&p), u(&q)]).unwrap();
    let pkcs8 = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&key).unwrap();

    let payload =
        b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
    let input = jose::signing_input(br#"{"alg":"RS256"}"#, payload);
    assert_eq!(
        input,
        "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    );
    let signature =
        native_signer::sign(pkcs8.as_bytes(), Algorithm::Rs256, input.as_bytes()).unwrap();
    assert_eq!(
        jose::compact(&input, &signature),
        "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn load_any(input: &CredentialInput) {
        let _ = Credential::load(input, now());
    }

    fn mutate(mut data: Vec<u8>, edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
        for &(i, v) in edits {
            if !data.is_empty() {
                let at = i % data.len();
                data[at] ^= v;
            }
        }
        let keep = data.len().saturating_sub(cut % 8);
        data.truncate(keep);
        data
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            let b64 = STANDARD.encode(&data);
            let text = String::from_utf8_lossy(&data).into_owned();
            for value in [b64.clone(), text.clone(), format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----")] {
                load_any(&CredentialInput { certificate: Some(value.clone()), private_key: Some(read("key.pem")), ..Default::default() });
                load_any(&CredentialInput { certificate: Some(read("cert.pem")), private_key: Some(value.clone()), private_key_passphrase: Some("x".into()), ..Default::default() });
                load_any(&CredentialInput { pfx: Some(value), pfx_password: Some("x".into()), ..Default::default() });
            }
        }

        #[test]
        fn mutated_der_never_panics(edits in proptest::collection::vec((any::<usize>(), 1u8..), 1..4), cut in any::<usize>()) {
            for (file, field) in [("cert.der", 0), ("key.der", 1), ("key-pkcs1.der", 1), ("chain.pfx", 2), ("nopass.pfx", 2), ("legacy.pfx", 2), ("nomac.pfx", 2), ("nomac-legacy.pfx", 2)] {
                let b64 = STANDARD.encode(mutate(bytes(file), &edits, cut));
                let input = match field {
                    0 => CredentialInput { certificate: Some(b64), private_key: Some(read("key.pem")), ..Default::default() },
                    1 => CredentialInput { certificate: Some(read("cert.pem")), private_key: Some(b64), ..Default::default() },
                    _ => CredentialInput { pfx: Some(b64), pfx_password: Some(PFX_PASS.into()), ..Default::default() },
                };
                load_any(&input);
            }
        }

        #[test]
        fn mutated_pem_never_panics(edits in proptest::collection::vec((any::<usize>(), 1u8..128), 1..4), cut in any::<usize>()) {
            for (file, is_key) in [("chain.pem", false), ("key.pem", true), ("key-pkcs1.pem", true), ("key-enc.pem", true)] {
                let text = String::from_utf8_lossy(&mutate(read(file).into_bytes(), &edits, cut)).into_owned();
                let input = if is_key {
                    CredentialInput { certificate: Some(read("cert.pem")), private_key: Some(text), private_key_passphrase: Some(PASS.into()), ..Default::default() }
                } else {
                    CredentialInput { certificate: Some(text), private_key: Some(read("key.pem")), ..Default::default() }
                };
                load_any(&input);
            }
        }
    }
}

/// A credential is loaded once and then signs any number of assertions: the handle's method and
/// the free function agree, and the header carries the thumbprint taken at load.
#[test]
fn a_loaded_credential_builds_every_assertion_without_reloading() {
    let credential = Credential::load(&pair("cert.pem", "key.pem"), now()).unwrap();
    let report = credential.report().clone();
    for i in 0..3u8 {
        let unsigned = credential
            .assertion(&claims(i), &Options::default())
            .unwrap();
        assert_eq!(
            unsigned,
            assertion::prepare(&credential, &claims(i), &Options::default()).unwrap()
        );
        let header = decode_part(unsigned.signing_input.split('.').next().unwrap());
        assert_eq!(
            header,
            json!({"alg": "PS256", "typ": "JWT", "x5t#S256": report.x5t_s256})
        );
    }
    assert_eq!(credential.report(), &report);
}
