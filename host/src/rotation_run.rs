//! The decisions a rotation run makes around the core's state machine: where a run starts,
//! which requests may be resent, and how a verification failure is read. Pure, so they are
//! tested natively; they belong in `core::rotation` (noted for the core's owners) and move
//! there when it offers them.

use azconn_core::error::{Code, Error};
use azconn_core::ids::Guid;
use azconn_core::rotation::{Phase, Purpose, Rotation, Step};

/// The rotation a run drives. A finished run (done or failed) starts the next one with a fresh
/// run id, so the display names of earlier runs' secrets (`azconn rotation <run> for
/// <rotation>`) mark them as previous secrets, not as orphans of this run; an interrupted run
/// resumes where it stopped, with its own id.
pub fn resume_or_restart(rotation: Rotation, fresh_run_id: Guid) -> Result<Rotation, Error> {
    match rotation.phase {
        Phase::Done { .. } | Phase::Failed { .. } => {
            let mut config = rotation.config;
            config.rotation_id = fresh_run_id;
            Rotation::start(config)
        }
        _ => Ok(rotation),
    }
}

/// Whether a request whose answer was lost (timeout, dropped connection) may be sent again.
/// `addPassword` is not idempotent: the first attempt may have created a secret, which the next
/// run finds by its display name and removes.
pub fn resend_unanswered(purpose: &Purpose) -> bool {
    !matches!(purpose, Purpose::AddPassword)
}

/// The progress name of a step (what the UI shows while a run is on it).
pub fn step_name(step: &Step) -> &'static str {
    match step {
        Step::Send { purpose, .. } => match purpose {
            Purpose::ReadCredentials => "inspect",
            Purpose::RemoveOrphan => "remove-orphan",
            Purpose::AddPassword => "add",
            Purpose::RemoveOld => "remove-old",
            Purpose::RemoveUnverified => "remove-unverified",
        },
        Step::VerifyNewSecret { .. } => "verify",
        Step::Wait { .. } => "wait",
        Step::Publish { .. } => "publish",
        Step::Done { .. } => "done",
        Step::Failed { .. } => "failed",
    }
}

/// A token request that failed without Entra judging the credential (outage, throttling, a
/// garbled answer): the verification stops resumable rather than abandon a good secret.
pub fn inconclusive(e: &Error) -> bool {
    matches!(
        e.code,
        Code::RetryLater | Code::Unavailable | Code::Throttled | Code::MalformedResponse
    )
}

/// `AADSTS7000215: ...` → `[7000215]` (the verification tolerates propagation codes).
pub fn aadsts_codes(message: &str) -> Vec<u32> {
    message
        .match_indices("AADSTS")
        .filter_map(|(i, _)| {
            let digits: String = message[i + 6..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use azconn_core::graph::AppRef;
    use azconn_core::ids::{KeyId, ObjectId};
    use azconn_core::rotation::RotationConfig;

    fn started(run: u8) -> Rotation {
        Rotation::start(RotationConfig {
            connection_id: "r1".into(),
            rotation_id: Guid::from_random([run; 16]),
            app: AppRef::ObjectId(
                ObjectId::parse("11111111-2222-4333-8444-555555555555").expect("object id"),
            ),
            lifetime_secs: 90 * 86_400,
            max_lifetime_secs: None,
            rotation_interval_secs: Some(30 * 86_400),
            keep_previous: 1,
            also_managed: Vec::new(),
            verify_budget_secs: 600,
        })
        .expect("rotation")
    }

    #[test]
    fn a_finished_run_restarts_with_the_fresh_run_id() {
        let fresh = Guid::from_random([9; 16]);
        let mut done = started(1);
        done.phase = Phase::Done {
            new_key_id: KeyId::parse("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee").expect("key id"),
            removed: Vec::new(),
        };
        let next = resume_or_restart(done, fresh).expect("restart");
        assert_eq!(next.config.rotation_id, fresh);
        assert!(matches!(next.phase, Phase::Inspect));

        let mut failed = started(1);
        failed.phase = Phase::Failed {
            error: Error::new(Code::PermissionDenied, "no"),
        };
        let next = resume_or_restart(failed, fresh).expect("restart");
        assert_eq!(next.config.rotation_id, fresh);
        assert!(matches!(next.phase, Phase::Inspect));
    }

    #[test]
    fn an_interrupted_run_resumes_with_its_own_id_and_phase() {
        let mut adding = started(1);
        adding.phase = Phase::Adding {
            existing: Vec::new(),
        };
        let next = resume_or_restart(adding, Guid::from_random([9; 16])).expect("resume");
        assert_eq!(next.config.rotation_id, Guid::from_random([1; 16]));
        assert!(matches!(next.phase, Phase::Adding { .. }));
    }

    #[test]
    fn only_add_password_is_never_resent() {
        assert!(!resend_unanswered(&Purpose::AddPassword));
        for p in [
            Purpose::ReadCredentials,
            Purpose::RemoveOrphan,
            Purpose::RemoveOld,
            Purpose::RemoveUnverified,
        ] {
            assert!(resend_unanswered(&p), "{p:?}");
        }
    }

    #[test]
    fn aadsts_codes_are_read_from_a_message() {
        assert_eq!(
            aadsts_codes("AADSTS7000215: Invalid client secret. AADSTS50011 too"),
            vec![7_000_215, 50_011]
        );
        assert!(aadsts_codes("AADSTS: nothing").is_empty());
        assert!(inconclusive(&Error::new(Code::Unavailable, "down")));
        assert!(!inconclusive(&Error::new(
            Code::TokenRequestFailed,
            "bad secret"
        )));
    }
}
