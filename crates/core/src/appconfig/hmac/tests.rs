use super::*;
use crate::cloud::CloudEndpoints;
use crate::http::Method;

/// base64 of the ASCII bytes `azconn-test-access-key-secret!!`.
const SECRET: &str = "YXpjb25uLXRlc3QtYWNjZXNzLWtleS1zZWNyZXQhIQ==";

fn custom_cloud() -> Cloud {
    let mut e: CloudEndpoints = Cloud::Global.endpoints().clone();
    e.app_configuration_hosts = vec![HostPattern::parse("*.azconfig.io").unwrap()].into();
    Cloud::custom(e).unwrap()
}

#[test]
fn empty_body_hash_is_the_documented_constant() {
    assert_eq!(
        content_sha256(""),
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
}

#[test]
fn hmac_matches_rfc_4231() {
    // RFC 4231 §4.3 (test case 2) and §4.7 (test case 6, key longer than a block).
    let hex = |b: [u8; 32]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    assert_eq!(
        hex(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(
        hex(hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        )),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

/// Expected values computed independently with Python's standard library:
/// `h = b64(sha256(body))`; `sts = f"{method}\n{target}\n{date};{host};{h}"`;
/// `b64(hmac.new(b64decode(SECRET), sts.encode(), hashlib.sha256).digest())`.
#[test]
fn signs_the_exact_request_target() {
    let key = AccessKey::parse_connection_string(
        &format!("Endpoint=https://my-store.azconfig.io;Id=id-l0-s0:abc;Secret={SECRET}"),
        &Cloud::Global,
    )
    .unwrap();
    let req = HttpRequest::new(
        Method::Put,
        "https://my-store.azconfig.io/kv/App%3ALog%2FLevel%3F%23?label=prod&api-version=2023-11-01",
    )
    .with_body(
        "application/vnd.microsoft.appconfig.kv+json",
        r#"{"value":"v"}"#,
    );
    let signed = sign(req, &key, 1_767_225_600).unwrap();
    assert_eq!(
        signed.header("x-ms-date"),
        Some("Thu, 01 Jan 2026 00:00:00 GMT")
    );
    assert_eq!(
        signed.header("x-ms-content-sha256"),
        Some("3rjsB0jRrbjW7rx9dxK1kkzGWIHAB06H7zA7vVd704M=")
    );
    assert_eq!(
        signed.header("authorization"),
        Some(
            "HMAC-SHA256 Credential=id-l0-s0:abc&SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=msnfDgKNvCSn94qTMty3AYly/VrPpp/ITAQqXFejl74="
        )
    );
    assert!(!format!("{key:?}").contains(SECRET));
}

#[test]
fn emulator_on_loopback_signs_host_with_port() {
    let key = AccessKey::parse_connection_string(
        &format!("endpoint=http://127.0.0.1:8483/;ID=emu;secret={SECRET}"),
        &custom_cloud(),
    )
    .unwrap();
    let req = HttpRequest::new(
        Method::Get,
        "http://127.0.0.1:8483/kv?key=a%2A&api-version=2023-11-01",
    );
    let signed = sign(req, &key, 1_767_225_600).unwrap();
    assert_eq!(
        signed.header("x-ms-content-sha256"),
        Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    );
    assert_eq!(
        signed.header("authorization"),
        Some(
            "HMAC-SHA256 Credential=emu&SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=mMXLwIv6WdRlN5BMvfWYQxhmbr0oyDvRBPymyhuEmuU="
        )
    );
    // The key never signs for another origin.
    let other = HttpRequest::new(Method::Get, "http://127.0.0.1:9999/kv");
    assert_eq!(sign(other, &key, 0).unwrap_err().code, Code::HostNotAllowed);
}

#[test]
fn connection_string_errors_are_precise() {
    let cases = [
        ("", Code::Required),
        ("Endpoint=https://s.azconfig.io;Id=a", Code::Required),
        (
            "Endpoint=https://s.azconfig.io;Id=a;Secret=!!!",
            Code::InvalidFormat,
        ),
        (
            "Endpoint=https://s.azconfig.io;Id=a;Id=b;Secret=YQ==",
            Code::InvalidFormat,
        ),
        (
            "Endpoint=https://s.azconfig.io;Id=a;Secret=YQ==;Extra=1",
            Code::InvalidFormat,
        ),
        (
            "Endpoint=https://s.azconfig.io;Id;Secret=YQ==",
            Code::InvalidFormat,
        ),
        (
            "Endpoint=https://s.azconfig.io;Id=a b;Secret=YQ==",
            Code::InvalidCharacter,
        ),
        (
            "Endpoint=https://evil.example;Id=a;Secret=YQ==",
            Code::HostNotAllowed,
        ),
        (
            "Endpoint=http://s.azconfig.io;Id=a;Secret=YQ==",
            Code::InsecureUrl,
        ),
        // Loopback is only for custom clouds (the emulator).
        (
            "Endpoint=http://127.0.0.1:8483;Id=a;Secret=YQ==",
            Code::HostNotAllowed,
        ),
    ];
    for (input, code) in cases {
        let e = AccessKey::parse_connection_string(input, &Cloud::Global).unwrap_err();
        assert_eq!(e.code, code, "{input}");
        assert_eq!(e.field.as_deref(), Some("connectionString"), "{input}");
        assert!(!e.message.contains("YQ=="), "{input}");
    }
    assert_eq!(
        AccessKey::parse_connection_string(
            "Endpoint=https://s.azconfig.azure.us;Id=a;Secret=YQ==",
            &Cloud::UsGovernment
        )
        .unwrap()
        .endpoint()
        .to_string(),
        "https://s.azconfig.azure.us"
    );
}

proptest::proptest! {
    #[test]
    fn connection_string_parser_never_panics(s in "\\PC{0,120}") {
        let _ = AccessKey::parse_connection_string(&s, &Cloud::Global);
        let _ = AccessKey::parse_connection_string(&s, &custom_cloud());
    }
}
