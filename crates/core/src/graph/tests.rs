use super::*;
use proptest::prelude::*;

fn token() -> AccessToken {
    AccessToken::parse("tok").unwrap()
}

#[test]
fn add_password_always_sends_end_date_and_display_name() {
    let g = Graph::new(crate::cloud::Cloud::UsGovernment.endpoints());
    let app = AppRef::AppId(ClientId::parse("11111111-2222-3333-4444-555555555555").unwrap());
    let req = g
        .add_password(
            &token(),
            &app,
            &PasswordSpec {
                display_name: "azconn rotation r for c".into(),
                starts_at: None,
                ends_at: 1_767_225_600,
            },
        )
        .unwrap();
    assert_eq!(
        req.url,
        "https://graph.microsoft.us/v1.0/applications(appId='11111111-2222-3333-4444-555555555555')/addPassword"
    );
    assert_eq!(
        req.body,
        r#"{"passwordCredential":{"displayName":"azconn rotation r for c","endDateTime":"2026-01-01T00:00:00Z"}}"#
    );
    let bad = PasswordSpec {
        display_name: " ".into(),
        starts_at: None,
        ends_at: 1,
    };
    assert_eq!(
        g.add_password(&token(), &app, &bad).unwrap_err().code,
        Code::Required
    );
}

#[test]
fn error_kinds_from_status_when_body_is_not_json() {
    for (status, code) in [
        (403, Code::PermissionDenied),
        (404, Code::NotFound),
        (429, Code::Throttled),
        (503, Code::Unavailable),
        (401, Code::Unauthorized),
        (400, Code::AzureError),
    ] {
        let e = GraphError::parse(&HttpResponse::new(status, "<html>"));
        assert_eq!(
            e.to_error(Operation::ReadApplications).code,
            code,
            "{status}"
        );
    }
}

#[test]
fn preflight_table() {
    let app = |r: &[&str]| Granted::Application {
        roles: r.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(
        preflight(&app(&["Application.ReadWrite.All"]), None),
        Preflight::Allowed {
            via: "Application.ReadWrite.All".into()
        }
    );
    assert_eq!(
        preflight(&app(&["Application.ReadWrite.OwnedBy"]), None),
        Preflight::NeedsOwnershipCheck
    );
    assert!(matches!(
        preflight(&app(&["Application.ReadWrite.OwnedBy"]), Some(false)),
        Preflight::Denied { .. }
    ));
    assert!(matches!(
        preflight(&app(&["Application.Read.All"]), Some(true)),
        Preflight::Denied { grant, .. } if grant == "Application.ReadWrite.OwnedBy"
    ));
    let del = Granted::Delegated {
        scopes: vec!["User.Read".into()],
    };
    assert!(matches!(preflight(&del, None), Preflight::Denied { .. }));
}

proptest! {
    #[test]
    fn parsers_never_panic(status in 100u16..600, body in "\\PC{0,200}") {
        let resp = HttpResponse::new(status, body);
        let g = Graph::new(crate::cloud::Cloud::Global.endpoints());
        let _ = g.parse_application_page(&resp);
        let _ = parse_application(&resp);
        let _ = parse_added_password(&resp);
        let _ = parse_removed_password(&resp);
        let _ = parse_owners(&resp);
        let _ = parse_me(&resp);
        let _ = parse_organization(&resp);
        let _ = GraphError::parse(&resp);
    }

    #[test]
    fn error_parser_never_panics_on_json_shapes(code in "\\PC{0,20}", depth in 0usize..40) {
        let mut inner = serde_json::json!({"code": code});
        for _ in 0..depth {
            inner = serde_json::json!({"innerError": inner, "code": "x"});
        }
        let body = serde_json::json!({"error": {"code": code, "innerError": inner, "details": [1, {"code": 2}]}});
        let e = GraphError::parse(&HttpResponse::new(400, body.to_string()));
        prop_assert!(e.inner_codes.len() <= 16);
    }
}
