use super::*;
use crate::cloud::Cloud;
use proptest::prelude::*;

fn store() -> Store {
    Store::new(
        &StoreEndpoint::parse("https://my-store.azconfig.io", Cloud::Global.endpoints()).unwrap(),
    )
}

#[test]
fn keys_round_trip_as_one_path_segment() {
    let s = store();
    let key = Key::parse("App:Log/Level?x#y &z").unwrap();
    let req = s.get(&key, &Label::Null);
    assert_eq!(
        req.url,
        "https://my-store.azconfig.io/kv/App%3ALog%2FLevel%3Fx%23y%20%26z?api-version=2023-11-01"
    );
    let segment = req
        .url
        .split("/kv/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    assert_eq!(
        crate::http::decode_component(segment).unwrap(),
        key.as_str()
    );
    for (bad, code) in [
        (".", Code::NotAllowed),
        ("..", Code::NotAllowed),
        ("a%2Fb", Code::InvalidCharacter),
        ("", Code::Required),
        ("a\nb", Code::InvalidCharacter),
    ] {
        assert_eq!(Key::parse(bad).unwrap_err().code, code, "{bad:?}");
    }
}

#[test]
fn labels_are_refused_by_rule() {
    let code = |l: &str| Label::parse(Some(l)).map_err(|e| (e.field, e.code));
    assert_eq!(code(""), Err((Some("label".into()), Code::Required)));
    assert_eq!(
        code("a\u{0}"),
        Err((Some("label".into()), Code::InvalidCharacter))
    );
    assert_eq!(
        code(&"x".repeat(MAX_KV_BYTES + 1)),
        Err((Some("label".into()), Code::TooLong))
    );
    assert_eq!(
        code(&"x".repeat(MAX_KV_BYTES)),
        Ok(Label::Named("x".repeat(MAX_KV_BYTES)))
    );
    // Reserved filter characters are valid in a label: filters escape them.
    assert_eq!(code("prod*,a\\b"), Ok(Label::Named("prod*,a\\b".into())));
    assert_eq!(Label::parse(None), Ok(Label::Null));
}

#[test]
fn sync_tokens_keep_the_highest_sequence_per_id() {
    let mut t = SyncTokens::default();
    assert_eq!(t.header_value(), None);
    t.observe(
        &HttpResponse::new(200, "")
            .with_header("Sync-Token", "jtqGc1I4=MDoyOA==;sn=28, xyz=AAA;sn=3"),
    );
    t.observe(&HttpResponse::new(200, "").with_header("sync-token", "jtqGc1I4=MDoyNw==;sn=27"));
    t.observe(&HttpResponse::new(200, "").with_header("sync-token", "xyz=BBB;sn=4"));
    t.observe(
        &HttpResponse::new(200, "").with_header("sync-token", "broken, =x;sn=1, a=b;sn=x, c=d"),
    );
    assert_eq!(t.header_value().unwrap(), "jtqGc1I4=MDoyOA==,xyz=BBB");
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(serde_json::from_value::<SyncTokens>(json).unwrap(), t);
}

#[test]
fn link_header_forms() {
    assert_eq!(
        next_from_link_header(r#"</kv?after=a&api-version=2023-11-01>; rel="next""#).as_deref(),
        Some("/kv?after=a&api-version=2023-11-01")
    );
    assert_eq!(
        next_from_link_header(r#"<https://x/prev>; rel="prev", <https://x/n>; rel=next"#)
            .as_deref(),
        Some("https://x/n")
    );
    assert_eq!(
        next_from_link_header(r#"<https://x/prev>; rel="prev""#),
        None
    );
    assert_eq!(next_from_link_header("garbage"), None);
}

#[test]
fn bearer_and_access_key_both_authorize() {
    let s = store();
    let req = s.get(&Key::parse("a").unwrap(), &Label::Null);
    let mut tokens = SyncTokens::default();
    tokens.observe(&HttpResponse::new(200, "").with_header("sync-token", "id=v;sn=1"));
    let bearer = AppConfigAuth::Bearer(AccessToken::parse("tok").unwrap());
    let r = authorize(req.clone(), &bearer, &tokens, 0).unwrap();
    assert_eq!(r.header("authorization"), Some("Bearer tok"));
    assert_eq!(r.header("sync-token"), Some("id=v"));
    let key = hmac::AccessKey::parse_connection_string(
        "Endpoint=https://my-store.azconfig.io;Id=i;Secret=YQ==",
        &Cloud::Global,
    )
    .unwrap();
    let r = authorize(req, &AppConfigAuth::AccessKey(key), &tokens, 0).unwrap();
    assert!(
        r.header("authorization")
            .unwrap()
            .starts_with("HMAC-SHA256 Credential=i&")
    );
    assert_eq!(r.header("x-ms-date"), Some("Thu, 01 Jan 1970 00:00:00 GMT"));
}

proptest! {
    #[test]
    fn parsers_never_panic(status in 100u16..600, body in "\\PC{0,200}", link in "\\PC{0,60}", st in "\\PC{0,60}") {
        let resp = HttpResponse::new(status, body).with_header("link", link.clone()).with_header("sync-token", st);
        let s = store();
        let _ = s.parse_list(&resp);
        let _ = parse_get(&resp);
        let _ = parse_put(&resp);
        let _ = parse_delete(&resp);
        let _ = AppConfigError::parse(&resp).to_error();
        let _ = next_from_link_header(&link);
        SyncTokens::default().observe(&resp);
    }

    #[test]
    fn any_valid_key_round_trips(key in "[^%\\p{Cc}]{1,30}") {
        prop_assume!(key != "." && key != "..");
        let k = Key::parse(&key).unwrap();
        let url = store().get(&k, &Label::Null).url;
        let seg = url.trim_start_matches("https://my-store.azconfig.io/kv/").split('?').next().unwrap().to_owned();
        prop_assert!(!seg.contains('/') && !seg.contains('?') && !seg.contains('#'));
        prop_assert_eq!(crate::http::decode_component(&seg).unwrap(), key);
    }
}
