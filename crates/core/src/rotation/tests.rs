//! The rotation machine against a simulated Graph tenant, with a failure injected at every step.

use super::*;
use crate::cloud::Cloud;
use crate::datetime;
use crate::http::{HttpRequest, Method};
use crate::ids::{ClientId, ObjectId};
use serde_json::{Value, json};

const APP: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const T0: i64 = 1_767_225_600;

fn key(n: u8) -> KeyId {
    KeyId::from(Guid::from_random([n; 16]))
}

/// A tenant with one app: secrets with their creation time; a new secret works for token
/// requests only `propagation` seconds after creation.
struct Tenant {
    creds: Vec<(PasswordCredential, i64)>,
    next: u8,
    propagation: i64,
    /// Makes `addPassword` fail with this response instead.
    add_error: Option<HttpResponse>,
}

impl Tenant {
    fn new() -> Tenant {
        let cred = |k: KeyId, name: &str, start: i64| {
            (
                PasswordCredential {
                    key_id: k,
                    display_name: Some(name.into()),
                    hint: Some("abc".into()),
                    starts_at: Some(start),
                    ends_at: Some(start + 400 * 86_400),
                },
                start,
            )
        };
        Tenant {
            creds: vec![
                cred(key(1), "original", T0 - 300 * 86_400),
                cred(
                    key(2),
                    "azconn rotation 00000000-0000-4000-8000-000000000000 for conn-1",
                    T0 - 30 * 86_400,
                ),
                cred(key(3), "CI pipeline", T0 - 10 * 86_400),
                cred(key(4), "azconn rotation 1 for other-conn", T0 - 20 * 86_400),
            ],
            next: 100,
            propagation: 5,
            add_error: None,
        }
    }

    fn ids(&self) -> Vec<KeyId> {
        self.creds.iter().map(|(c, _)| c.key_id).collect()
    }

    fn handle(&mut self, req: &HttpRequest, now: i64) -> HttpResponse {
        let path = req.url.split("/v1.0").nth(1).unwrap();
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        match req.method {
            Method::Get => {
                let creds: Vec<Value> = self
                    .creds
                    .iter()
                    .map(|(c, _)| {
                        json!({"keyId": c.key_id, "displayName": c.display_name, "hint": c.hint,
                               "startDateTime": c.starts_at.map(datetime::format_rfc3339),
                               "endDateTime": c.ends_at.map(datetime::format_rfc3339), "secretText": null})
                    })
                    .collect();
                HttpResponse::new(
                    200,
                    json!({"id": APP, "appId": "11111111-2222-3333-4444-555555555555", "displayName": "app",
                           "passwordCredentials": creds, "keyCredentials": []})
                    .to_string(),
                )
            }
            Method::Post if path.ends_with("/addPassword") => {
                if let Some(r) = &self.add_error {
                    return r.clone();
                }
                let pc = &body["passwordCredential"];
                let end = datetime::parse_rfc3339(pc["endDateTime"].as_str().unwrap()).unwrap();
                self.next += 1;
                let k = key(self.next);
                self.creds.push((
                    PasswordCredential {
                        key_id: k,
                        display_name: pc["displayName"].as_str().map(str::to_owned),
                        hint: Some("sec".into()),
                        starts_at: Some(now),
                        ends_at: Some(end),
                    },
                    now,
                ));
                HttpResponse::new(
                    200,
                    json!({"keyId": k, "displayName": pc["displayName"], "hint": "sec",
                           "startDateTime": datetime::format_rfc3339(now), "endDateTime": pc["endDateTime"],
                           "secretText": format!("secret-{}", self.next)})
                    .to_string(),
                )
            }
            Method::Post if path.ends_with("/removePassword") => {
                let k = KeyId::parse(body["keyId"].as_str().unwrap()).unwrap();
                let before = self.creds.len();
                self.creds.retain(|(c, _)| c.key_id != k);
                if self.creds.len() < before {
                    HttpResponse::new(204, "")
                } else {
                    // Graph's answer for an unknown keyId (as the emulator models it).
                    HttpResponse::new(
                        400,
                        r#"{"error":{"code":"Request_BadRequest","message":"No password credential found with keyId."}}"#,
                    )
                }
            }
            _ => panic!("unexpected request {req:?}"),
        }
    }

    fn verify(&self, k: &KeyId, now: i64) -> VerifyOutcome {
        match self.creds.iter().find(|(c, _)| &c.key_id == k) {
            Some((_, created)) if now >= created + self.propagation => VerifyOutcome::Ok,
            _ => VerifyOutcome::Failed {
                error_codes: vec![7_000_215],
                error: "invalid_client".into(),
            },
        }
    }
}

fn config() -> RotationConfig {
    RotationConfig {
        connection_id: "conn-1".into(),
        rotation_id: Guid::from_random([7; 16]),
        app: AppRef::ObjectId(ObjectId::parse(APP).unwrap()),
        lifetime_secs: 180 * 86_400,
        max_lifetime_secs: None,
        rotation_interval_secs: Some(90 * 86_400),
        keep_previous: 1,
        also_managed: vec![key(1)],
        verify_budget_secs: 600,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fail {
    /// The step's outcome is an error (503 for Graph, an unrelated Entra error never happens here).
    ErrorResponse,
    /// The step ran but the host crashed before feeding the outcome back.
    Crash,
    /// The step ran, its answer was lost, and the host sent it again (its retry policy does
    /// that for removals; never for addPassword).
    LostAnswer,
}

#[derive(Debug, PartialEq)]
enum End {
    Done,
    Failed,
    Interrupted,
}

struct Host {
    tenant: Tenant,
    now: i64,
    published: Option<(KeyId, String)>,
    steps: usize,
}

impl Host {
    /// A fresh tenant at `T0`, nothing published yet.
    fn new() -> Host {
        Host {
            tenant: Tenant::new(),
            now: T0,
            published: None,
            steps: 0,
        }
    }
}

/// Drives the machine; the state is persisted and reloaded as JSON around every call.
fn drive(rot: &mut Rotation, host: &mut Host, fail_at: Option<(usize, Fail)>) -> End {
    let g = Graph::new(Cloud::Global.endpoints());
    let tok = AccessToken::parse("tok").unwrap();
    for _ in 0..200 {
        *rot = serde_json::from_str(&serde_json::to_string(rot).unwrap()).unwrap();
        let step = rot.next(&g, &tok, host.now);
        *rot = serde_json::from_str(&serde_json::to_string(rot).unwrap()).unwrap();
        let failing = |n: usize| fail_at.filter(|(at, _)| *at == n).map(|(_, f)| f);
        match step {
            Step::Send { request, purpose } => {
                host.steps += 1;
                let resp = match failing(host.steps) {
                    Some(Fail::Crash) => {
                        host.tenant.handle(&request, host.now);
                        return End::Interrupted;
                    }
                    Some(Fail::ErrorResponse) => HttpResponse::new(503, ""),
                    // A request that may not be resent stops the run; the next one resumes.
                    Some(Fail::LostAnswer) if !purpose.may_resend() => {
                        host.tenant.handle(&request, host.now);
                        return End::Interrupted;
                    }
                    Some(Fail::LostAnswer) => {
                        host.tenant.handle(&request, host.now);
                        host.tenant.handle(&request, host.now)
                    }
                    None => host.tenant.handle(&request, host.now),
                };
                if rot.on_response(&resp, host.now).is_err() {
                    return End::Interrupted;
                }
            }
            Step::VerifyNewSecret { key_id, secret } => {
                host.steps += 1;
                assert!(secret.expose().starts_with("secret-"));
                match failing(host.steps) {
                    Some(Fail::Crash) => return End::Interrupted,
                    Some(Fail::ErrorResponse) => {
                        // A propagation failure: absorbed by the machine as a retry.
                        let o = VerifyOutcome::Failed {
                            error_codes: vec![700_016],
                            error: "unauthorized_client".into(),
                        };
                        rot.on_verified(&o, host.now).unwrap();
                    }
                    None | Some(Fail::LostAnswer) => {
                        let o = host.tenant.verify(&key_id, host.now);
                        let _ = rot.on_verified(&o, host.now);
                    }
                }
            }
            Step::Wait { ms } => host.now += (ms / 1000) as i64,
            Step::Publish { key_id, secret, .. } => {
                host.steps += 1;
                if failing(host.steps).is_some() {
                    return End::Interrupted;
                }
                host.published = Some((key_id, secret.expose().to_owned()));
                rot.on_published().unwrap();
            }
            Step::Done { .. } => return End::Done,
            Step::Failed { .. } => return End::Failed,
        }
    }
    panic!("the rotation did not finish in 200 steps");
}

fn ours(t: &Tenant, c: &RotationConfig) -> Vec<KeyId> {
    t.creds
        .iter()
        .filter(|(p, _)| p.display_name.as_deref() == Some(c.display_name().as_str()))
        .map(|(p, _)| p.key_id)
        .collect()
}

fn tracked(phase: &Phase) -> Option<KeyId> {
    match phase {
        Phase::Verifying { new, .. } | Phase::Publishing { new, .. } => Some(new.key_id),
        Phase::Pruning { new_key_id, .. }
        | Phase::Abandoning { new_key_id, .. }
        | Phase::Done { new_key_id, .. } => Some(*new_key_id),
        _ => None,
    }
}

fn assert_final(host: &Host, rot: &Rotation) {
    let Phase::Done {
        new_key_id,
        removed,
    } = &rot.phase
    else {
        panic!("not done: {:?}", rot.phase)
    };
    // Kept: the previous azconn secret (newest of ours), the unrelated ones, and the new one.
    let mut ids = host.tenant.ids();
    ids.sort_by_key(|k| k.to_string());
    let mut want = vec![key(2), key(3), key(4), *new_key_id];
    want.sort_by_key(|k| k.to_string());
    assert_eq!(ids, want);
    assert_eq!(removed, &vec![key(1)]);
    assert_eq!(ours(&host.tenant, &rot.config), vec![*new_key_id]);
    let (published, value) = host.published.clone().expect("published");
    assert_eq!(published, *new_key_id);
    assert!(value.starts_with("secret-"));
}

#[test]
fn clean_run_step_by_step() {
    let mut rot = Rotation::start(config()).unwrap();
    let mut host = Host::new();
    assert_eq!(drive(&mut rot, &mut host, None), End::Done);
    assert_final(&host, &rot);
    // inspect, add, verify at +0 and +2 (not propagated yet: 5 s), verify at +6, publish,
    // remove the original.
    assert_eq!(host.steps, 7);
    assert_eq!(host.now, T0 + 6);
    let new = tracked(&rot.phase).unwrap();
    let (c, _) = host
        .tenant
        .creds
        .iter()
        .find(|(c, _)| c.key_id == new)
        .unwrap();
    assert_eq!(
        c.display_name.as_deref(),
        Some("azconn rotation 07070707-0707-4707-8707-070707070707 for conn-1")
    );
    assert_eq!(c.ends_at, Some(T0 + 180 * 86_400));
}

#[test]
fn a_failure_at_every_step_resumes_without_orphans_or_losing_the_working_secret() {
    let mut clean = Host::new();
    drive(&mut Rotation::start(config()).unwrap(), &mut clean, None);
    for at in 1..=clean.steps {
        for fail in [Fail::ErrorResponse, Fail::Crash] {
            let mut rot = Rotation::start(config()).unwrap();
            let mut host = Host::new();
            let end = drive(&mut rot, &mut host, Some((at, fail)));
            let ctx = format!("step {at} {fail:?}: {:?}", rot.phase);
            // The exact resumable state each failure leaves (steps of the clean run: 1 read,
            // 2 addPassword, 3-5 verify, 6 publish, 7 remove the original).
            let phase = serde_json::to_value(&rot.phase).unwrap()["phase"].clone();
            let want = match (at, fail) {
                (1, _) | (2, Fail::ErrorResponse) => "inspect",
                (2, Fail::Crash) => "adding",
                (3..=5, Fail::ErrorResponse) => "done",
                (3..=5, Fail::Crash) => "verifying",
                (6, _) => "publishing",
                (7, _) => "pruning",
                _ => unreachable!("{ctx}"),
            };
            assert_eq!(phase, want, "{ctx}");
            if end == End::Interrupted {
                // Every secret this rotation created is tracked, or will be found on resume.
                let created = ours(&host.tenant, &rot.config);
                match &rot.phase {
                    Phase::Inspect | Phase::Adding { .. } => {}
                    p => {
                        assert!(created.iter().all(|k| Some(*k) == tracked(p)), "{ctx}");
                    }
                }
                // Until the new secret is verified and published, the old ones are all there.
                if !matches!(rot.phase, Phase::Pruning { .. } | Phase::Done { .. }) {
                    for k in [key(1), key(2), key(3), key(4)] {
                        assert!(host.tenant.ids().contains(&k), "{ctx}");
                    }
                }
                assert_eq!(drive(&mut rot, &mut host, None), End::Done, "{ctx}");
            }
            assert_final(&host, &rot);
        }
    }
}

#[test]
fn a_removal_whose_answer_was_lost_is_confirmed_by_reading_not_repeated() {
    let mut rot = Rotation::start(config()).unwrap();
    let mut host = Host::new();
    // Step 7 removes the original secret; its retry meets Graph's 400 for an unknown keyId.
    assert_eq!(
        drive(&mut rot, &mut host, Some((7, Fail::LostAnswer))),
        End::Done
    );
    assert_final(&host, &rot);
    assert_eq!(host.steps, 8, "the removal, then one read that confirms it");
}

#[test]
fn a_lost_add_password_answer_is_not_resent_and_the_orphan_is_removed_on_resume() {
    let mut rot = Rotation::start(config()).unwrap();
    let mut host = Host::new();
    // Step 2 is addPassword: its answer is lost, the secret exists with an unknown value.
    assert_eq!(
        drive(&mut rot, &mut host, Some((2, Fail::LostAnswer))),
        End::Interrupted
    );
    assert_eq!(
        ours(&host.tenant, &rot.config).len(),
        1,
        "the orphan exists"
    );
    assert!(matches!(rot.phase, Phase::Adding { .. }));
    assert_eq!(drive(&mut rot, &mut host, None), End::Done);
    assert_final(&host, &rot);
}

#[test]
fn only_add_password_is_never_resent_and_every_step_has_a_progress_name() {
    assert!(!Purpose::AddPassword.may_resend());
    for p in [
        Purpose::ReadCredentials,
        Purpose::RemoveOrphan,
        Purpose::RemoveOld,
        Purpose::RemoveUnverified,
    ] {
        assert!(p.may_resend(), "{p:?}");
    }
    let names: Vec<&str> = [
        Purpose::ReadCredentials,
        Purpose::RemoveOrphan,
        Purpose::AddPassword,
        Purpose::RemoveOld,
        Purpose::RemoveUnverified,
    ]
    .into_iter()
    .map(Purpose::name)
    .collect();
    assert_eq!(
        names,
        [
            "inspect",
            "remove-orphan",
            "add",
            "remove-old",
            "remove-unverified"
        ]
    );
    let g = Graph::new(Cloud::Global.endpoints());
    let mut rot = Rotation::start(config()).unwrap();
    assert_eq!(
        rot.next(&g, &AccessToken::parse("t").unwrap(), T0).name(),
        "inspect"
    );
    assert_eq!(Step::Wait { ms: 1 }.name(), "wait");
    assert_eq!(
        Step::VerifyNewSecret {
            key_id: key(9),
            secret: SecretText::new("s")
        }
        .name(),
        "verify"
    );
    assert_eq!(
        Step::Publish {
            key_id: key(9),
            secret: SecretText::new("s"),
            ends_at: None
        }
        .name(),
        "publish"
    );
    assert_eq!(
        Step::Done {
            new_key_id: key(9),
            removed: vec![]
        }
        .name(),
        "done"
    );
    assert_eq!(
        Step::Failed {
            error: Error::new(Code::RotationFailed, "x")
        }
        .name(),
        "failed"
    );
}

#[test]
fn a_finished_run_restarts_with_the_fresh_run_id_and_an_interrupted_one_resumes() {
    let fresh = Guid::from_random([9; 16]);
    for finished in [
        Phase::Done {
            new_key_id: key(9),
            removed: vec![],
        },
        Phase::Failed {
            error: Error::new(Code::PermissionDenied, "no"),
        },
    ] {
        let rot = Rotation {
            config: config(),
            phase: finished,
        };
        let next = rot.resume_or_restart(fresh).unwrap();
        assert_eq!(next.config.rotation_id, fresh);
        assert_eq!(next.phase, Phase::Inspect);
    }
    let adding = Rotation {
        config: config(),
        phase: Phase::Adding { existing: vec![] },
    };
    let next = adding.resume_or_restart(fresh).unwrap();
    assert_eq!(next.config.rotation_id, config().rotation_id);
    assert_eq!(next.phase, Phase::Adding { existing: vec![] });
    // A restart runs the guards again (a configuration changed since is checked).
    let stale = Rotation {
        config: RotationConfig {
            lifetime_secs: 1,
            ..config()
        },
        phase: Phase::Failed {
            error: Error::new(Code::PermissionDenied, "no"),
        },
    };
    assert_eq!(
        stale.resume_or_restart(fresh).unwrap_err().field.as_deref(),
        Some("lifetimeSecs")
    );
}

#[test]
fn a_token_error_is_read_as_a_verification_outcome_unless_inconclusive() {
    assert_eq!(
        VerifyOutcome::of_token_error(&Error::new(
            Code::TokenRequestFailed,
            "AADSTS7000215: Invalid client secret. AADSTS50011 too"
        )),
        Some(VerifyOutcome::Failed {
            error_codes: vec![7_000_215, 50_011],
            error: "TokenRequestFailed".into(),
        })
    );
    assert_eq!(
        VerifyOutcome::of_token_error(&Error::new(Code::TokenRequestFailed, "AADSTS: nothing")),
        Some(VerifyOutcome::Failed {
            error_codes: vec![],
            error: "TokenRequestFailed".into(),
        })
    );
    for code in [
        Code::RetryLater,
        Code::Unavailable,
        Code::Throttled,
        Code::MalformedResponse,
    ] {
        assert_eq!(
            VerifyOutcome::of_token_error(&Error::new(code, "down")),
            None,
            "{code:?}"
        );
    }
}

#[test]
fn a_removal_refused_while_the_secret_is_still_there_stops_resumable() {
    let mut rot = Rotation::start(config()).unwrap();
    let mut host = Host::new();
    let g = Graph::new(Cloud::Global.endpoints());
    let tok = AccessToken::parse("tok").unwrap();
    // A 503 on the removal: the read shows the secret still there, so the run stops.
    assert_eq!(
        drive(&mut rot, &mut host, Some((7, Fail::ErrorResponse))),
        End::Interrupted
    );
    assert_eq!(host.steps, 8);
    assert!(
        matches!(rot.phase, Phase::Pruning { .. }),
        "{:?}",
        rot.phase
    );
    let Step::Send { request, .. } = rot.next(&g, &tok, host.now) else {
        panic!("a removal")
    };
    assert!(request.url.ends_with("/removePassword"));
    let denied = HttpResponse::new(
        403,
        r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges."}}"#,
    );
    assert_eq!(rot.on_response(&denied, host.now), Ok(()));
    let Step::Send { purpose, request } = rot.next(&g, &tok, host.now) else {
        panic!("a read")
    };
    assert_eq!(purpose, Purpose::ReadCredentials);
    let read = host.tenant.handle(&request, host.now);
    let e = rot.on_response(&read, host.now).unwrap_err();
    assert_eq!(e.code, Code::PermissionDenied);
    assert!(
        matches!(rot.phase, Phase::Pruning { .. }),
        "{:?}",
        rot.phase
    );
    assert_eq!(drive(&mut rot, &mut host, None), End::Done);
    assert_final(&host, &rot);
}

#[test]
fn secret_that_never_propagates_is_removed_and_the_old_ones_kept() {
    let mut rot = Rotation::start(RotationConfig {
        verify_budget_secs: 60,
        ..config()
    })
    .unwrap();
    let mut host = Host {
        tenant: Tenant {
            propagation: 10_000,
            ..Tenant::new()
        },
        now: T0,
        published: None,
        steps: 0,
    };
    assert_eq!(drive(&mut rot, &mut host, None), End::Failed);
    let Phase::Failed { error } = &rot.phase else {
        panic!("{:?}", rot.phase)
    };
    assert_eq!(error.code, Code::RotationFailed);
    assert!(error.message.contains("AADSTS7000215"), "{}", error.message);
    assert_eq!(host.tenant.ids(), vec![key(1), key(2), key(3), key(4)]);
    assert!(host.published.is_none());
    assert!(host.now - T0 <= 60);
}

#[test]
fn a_non_propagation_error_abandons_at_once() {
    let mut rot = Rotation::start(config()).unwrap();
    rot.phase = Phase::Verifying {
        new: NewSecret {
            key_id: key(9),
            secret: SecretText::new("s"),
            ends_at: None,
        },
        existing: vec![],
        since: T0,
        attempts: 0,
        retry_at: T0,
    };
    let o = VerifyOutcome::Failed {
        error_codes: vec![53_003],
        error: "access_denied".into(),
    };
    assert_eq!(
        rot.on_verified(&o, T0).unwrap_err().code,
        Code::RotationFailed
    );
    assert!(matches!(rot.phase, Phase::Abandoning { new_key_id, .. } if new_key_id == key(9)));
}

#[test]
fn tenant_lifetime_policy_fails_without_creating_anything() {
    let mut rot = Rotation::start(config()).unwrap();
    let mut tenant = Tenant::new();
    tenant.add_error = Some(HttpResponse::new(
        400,
        r#"{"error":{"code":"CredentialInvalidLifetimeAsPerAppPolicy","message":"Credential lifetime exceeds the max value allowed as per assigned policy.","details":[{"code":"InvalidKeyEndDate","target":"EndDate"}]}}"#,
    ));
    let mut host = Host {
        tenant,
        now: T0,
        published: None,
        steps: 0,
    };
    assert_eq!(drive(&mut rot, &mut host, None), End::Interrupted);
    assert!(matches!(&rot.phase, Phase::Failed { error } if error.code == Code::LifetimeRejected));
    assert_eq!(host.tenant.ids().len(), 4);
}

#[test]
fn lifetime_guards_run_before_anything_is_created() {
    let cases = [
        (
            RotationConfig {
                lifetime_secs: 3600,
                ..config()
            },
            Code::OutOfRange,
        ),
        (
            RotationConfig {
                lifetime_secs: 800 * 86_400,
                ..config()
            },
            Code::LifetimeRejected,
        ),
        (
            RotationConfig {
                lifetime_secs: 200 * 86_400,
                max_lifetime_secs: Some(180 * 86_400),
                ..config()
            },
            Code::LifetimeRejected,
        ),
        (
            RotationConfig {
                lifetime_secs: 90 * 86_400,
                ..config()
            },
            Code::OutOfRange,
        ),
        (
            RotationConfig {
                connection_id: "a\nb".into(),
                ..config()
            },
            Code::InvalidFormat,
        ),
    ];
    for (c, code) in cases {
        assert_eq!(Rotation::start(c).unwrap_err().code, code);
    }
}

#[test]
fn a_scheduled_interval_is_at_least_a_day_and_shorter_than_the_lifetime() {
    for interval in [0, -86_400, 3600, MIN_INTERVAL_SECS - 1] {
        let e = Rotation::start(RotationConfig {
            rotation_interval_secs: Some(interval),
            ..config()
        })
        .unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("rotationIntervalSecs"), Code::OutOfRange),
            "{interval}"
        );
    }
    // One day, and a lifetime that outlives it and the verification: accepted.
    Rotation::start(RotationConfig {
        rotation_interval_secs: Some(MIN_INTERVAL_SECS),
        lifetime_secs: 2 * 86_400,
        ..config()
    })
    .unwrap();
    // A lifetime equal to the interval would expire as the next run starts.
    let e = Rotation::start(RotationConfig {
        rotation_interval_secs: Some(30 * 86_400),
        lifetime_secs: 30 * 86_400,
        ..config()
    })
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("lifetimeSecs"));
    // Unscheduled (manual only): no interval to check.
    Rotation::start(RotationConfig {
        rotation_interval_secs: None,
        ..config()
    })
    .unwrap();
}

#[test]
fn addressing_by_app_id_and_unexpected_calls() {
    let mut rot = Rotation::start(RotationConfig {
        app: AppRef::AppId(ClientId::parse("11111111-2222-3333-4444-555555555555").unwrap()),
        ..config()
    })
    .unwrap();
    let g = Graph::new(Cloud::Global.endpoints());
    let Step::Send { request, purpose } = rot.next(&g, &AccessToken::parse("t").unwrap(), T0)
    else {
        panic!()
    };
    assert_eq!(purpose, Purpose::ReadCredentials);
    assert!(
        request
            .url
            .contains("/applications(appId='11111111-2222-3333-4444-555555555555')?")
    );
    assert_eq!(rot.on_published().unwrap_err().code, Code::NotAllowed);
    assert_eq!(
        rot.on_verified(&VerifyOutcome::Ok, T0).unwrap_err().code,
        Code::NotAllowed
    );
    // Debug of the whole state never shows a secret.
    rot.phase = Phase::Publishing {
        new: NewSecret {
            key_id: key(9),
            secret: SecretText::new("hunter2-secret"),
            ends_at: None,
        },
        existing: vec![],
    };
    assert!(!format!("{rot:?}").contains("hunter2"));
}

proptest::proptest! {
    #[test]
    fn any_response_in_any_phase_never_panics(status in 100u16..600, body in "\\PC{0,120}", which in 0usize..8) {
        let new = NewSecret { key_id: key(9), secret: SecretText::new("s"), ends_at: None };
        let phases = [
            Phase::Inspect,
            Phase::RemoveOrphans { existing: vec![], orphans: vec![key(8)] },
            Phase::ReadyToAdd { existing: vec![] },
            Phase::Adding { existing: vec![] },
            Phase::Verifying { new: new.clone(), existing: vec![], since: T0, attempts: 0, retry_at: T0 },
            Phase::Publishing { new, existing: vec![] },
            Phase::Pruning { new_key_id: key(9), remove: vec![key(1)], removed: vec![] },
            Phase::Abandoning { new_key_id: key(9), error: Error::new(Code::RotationFailed, "x") },
        ];
        let mut rot = Rotation { config: config(), phase: phases[which].clone() };
        let _ = rot.on_response(&HttpResponse::new(status, body), T0);
        let _ = rot.on_verified(&VerifyOutcome::Failed { error_codes: vec![u32::from(status)], error: String::new() }, T0);
        let _ = rot.on_published();
        let g = Graph::new(Cloud::Global.endpoints());
        let _ = rot.next(&g, &AccessToken::parse("t").unwrap(), i64::MAX);
        let _ = rot.on_verified(&VerifyOutcome::Failed { error_codes: vec![7_000_215], error: String::new() }, i64::MAX);
        let _ = rot.next(&g, &AccessToken::parse("t").unwrap(), i64::MIN);
    }
}

#[test]
fn created_lists_only_the_secrets_of_this_rotation() {
    let c = config();
    let cred = |id: &str, name: Option<&str>| PasswordCredential {
        key_id: KeyId::parse(id).unwrap(),
        display_name: name.map(str::to_owned),
        hint: None,
        starts_at: None,
        ends_at: None,
    };
    let ours_earlier_run = format!("{DISPLAY_NAME_PREFIX}aaaa for {}", c.connection_id);
    let creds = [
        cred(
            "11111111-1111-4111-8111-111111111111",
            Some(&c.display_name()),
        ),
        cred(
            "22222222-2222-4222-8222-222222222222",
            Some(&ours_earlier_run),
        ),
        cred(
            "33333333-3333-4333-8333-333333333333",
            Some("azconn rotation x for another"),
        ),
        cred("44444444-4444-4444-8444-444444444444", Some("by hand")),
        cred("55555555-5555-4555-8555-555555555555", None),
    ];
    let created: Vec<String> = c.created(&creds).iter().map(ToString::to_string).collect();
    assert_eq!(
        created,
        [
            "11111111-1111-4111-8111-111111111111",
            "22222222-2222-4222-8222-222222222222"
        ]
    );
    let with_managed = RotationConfig {
        also_managed: vec![KeyId::parse("44444444-4444-4444-8444-444444444444").unwrap()],
        ..config()
    };
    assert_eq!(
        with_managed.created(&creds).len(),
        2,
        "also_managed is not created"
    );
}

/// Publication comes before every removal of an old secret: until the host reports the new
/// secret published (to every consumer it feeds), each call and each resume of the persisted
/// state asks to publish again and no `removePassword` of an old secret is emitted.
#[test]
fn no_old_secret_is_removed_before_the_new_one_is_published() {
    let g = Graph::new(Cloud::Global.endpoints());
    let tok = AccessToken::parse("tok").unwrap();
    let mut rot = Rotation::start(RotationConfig {
        keep_previous: 0,
        ..config()
    })
    .unwrap();
    let mut host = Host::new();
    let before = host.tenant.ids();
    let new_key = loop {
        match rot.next(&g, &tok, host.now) {
            Step::Send { request, purpose } => {
                assert_ne!(purpose, Purpose::RemoveOld, "a removal before publication");
                let resp = host.tenant.handle(&request, host.now);
                rot.on_response(&resp, host.now).unwrap();
            }
            Step::VerifyNewSecret { key_id, .. } => {
                let o = host.tenant.verify(&key_id, host.now);
                rot.on_verified(&o, host.now).unwrap();
            }
            Step::Wait { ms } => host.now += (ms / 1000) as i64,
            Step::Publish { key_id, .. } => break key_id,
            other => panic!("unexpected {other:?}"),
        }
    };
    // Publication failed (the host does not call on_published): the same step again, within
    // the run and after the state is persisted and a later run resumes it.
    for _ in 0..3 {
        assert!(
            matches!(rot.next(&g, &tok, host.now), Step::Publish { key_id, .. } if key_id == new_key)
        );
        rot = serde_json::from_str::<Rotation>(&serde_json::to_string(&rot).unwrap())
            .unwrap()
            .resume_or_restart(Guid::from_random([7; 16]))
            .unwrap();
    }
    for k in &before {
        assert!(
            host.tenant.ids().contains(k),
            "an old secret went before publication"
        );
    }
    rot.on_published().unwrap();
    let Step::Send { purpose, .. } = rot.next(&g, &tok, host.now) else {
        panic!("expected a removal after publication")
    };
    assert_eq!(purpose, Purpose::RemoveOld);
}

#[test]
fn created_by_needs_the_whole_schedule_id_after_for() {
    let cred = |id: &str, name: &str| PasswordCredential {
        key_id: KeyId::parse(id).unwrap(),
        display_name: Some(name.to_owned()),
        hint: None,
        starts_at: None,
        ends_at: None,
    };
    let creds = [
        cred(
            "11111111-1111-4111-8111-111111111111",
            "azconn rotation r1 for s2",
        ),
        cred(
            "22222222-2222-4222-8222-222222222222",
            "azconn rotation r1 for xs2",
        ),
        cred(
            "33333333-3333-4333-8333-333333333333",
            "azconn rotation for s2",
        ),
        cred("44444444-4444-4444-8444-444444444444", "rotation r1 for s2"),
    ];
    let found: Vec<String> = created_by("s2", &creds)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found, ["11111111-1111-4111-8111-111111111111"]);
}
