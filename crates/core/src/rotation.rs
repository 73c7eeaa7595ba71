//! Zero-downtime client-secret rotation (peers.md "what users consistently ask for" §1;
//! infisical.md §8 and §13.15-16 for what goes wrong otherwise).
//!
//! inspect → [remove orphans] → addPassword (keyId recorded first) → verify (token with the new
//! secret, tolerating AADSTS7000215/700016 propagation delay) → publish (host stores it) →
//! remove old secrets beyond `keepPrevious` → done. If the new secret never works it is removed
//! and the old one stays.
//!
//! The host drives it: persist [`Rotation`] after every call (before sending the request a
//! [`Step::Send`] carries), execute the step, feed the outcome back. A failure at any step leaves
//! a state from which [`Rotation::next`] resumes: an interrupted `addPassword` is detected by its
//! display name, which carries the rotation and connection ids, so no secret is orphaned.

use crate::error::{Code, Error};
use crate::graph::{
    self, AppRef, Graph, GraphError, GraphErrorKind, PasswordCredential, PasswordSpec, SecretText,
};
use crate::http::HttpResponse;
use crate::ids::{Guid, KeyId};
use crate::oauth::token::AccessToken;
use crate::prelude::*;
use serde::{Deserialize, Serialize};

pub mod schedule;

/// Display names of secrets azconn creates start with this.
pub const DISPLAY_NAME_PREFIX: &str = "azconn rotation ";
/// Graph's default lifetime, used as the cap when the tenant's policy is not known.
pub const DEFAULT_MAX_LIFETIME_SECS: i64 = 730 * 86_400;
const MIN_LIFETIME_SECS: i64 = 86_400;
/// Scheduled rotations run at most daily: a shorter interval (or 0, or a negative one) would
/// add a secret on every Cron tick.
pub const MIN_INTERVAL_SECS: i64 = 86_400;
/// Entra codes meaning "this brand-new secret has not propagated yet" (peers.md, Vault #23/#57).
pub const PROPAGATION_CODES: [u32; 2] = [7_000_215, 700_016];

fn default_keep() -> u32 {
    1
}

fn default_verify_budget() -> i64 {
    600
}

/// What to rotate and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationConfig {
    /// The azconn connection the secret belongs to (goes into the display name).
    pub connection_id: String,
    /// This rotation's id, from [`Guid::from_random`].
    pub rotation_id: Guid,
    pub app: AppRef,
    /// Lifetime of the new secret.
    pub lifetime_secs: i64,
    /// The tenant's app-management policy cap, when known; else two years.
    #[serde(default)]
    pub max_lifetime_secs: Option<i64>,
    /// How often rotation runs, when scheduled: the secret must outlive the next run.
    #[serde(default)]
    pub rotation_interval_secs: Option<i64>,
    /// Older secrets kept beside the new one (default 1: the previous one stays valid until the
    /// next rotation, so consumers that have not picked up the new one keep working).
    #[serde(default = "default_keep")]
    pub keep_previous: u32,
    /// Secrets not created by azconn that it may retire (e.g. the connection's original secret).
    #[serde(default)]
    pub also_managed: Vec<KeyId>,
    /// How long to keep retrying verification while the new secret propagates.
    #[serde(default = "default_verify_budget")]
    pub verify_budget_secs: i64,
}

/// The secrets that the runs of the schedule `schedule_id` created (display name `azconn
/// rotation <run> for <schedule_id>`): what revoking a rotation, or the secrets a deleted one
/// left behind, removes.
pub fn created_by(schedule_id: &str, creds: &[PasswordCredential]) -> Vec<KeyId> {
    creds
        .iter()
        .filter(|c| is_created_by(schedule_id, c))
        .map(|c| c.key_id)
        .collect()
}

fn is_created_by(schedule_id: &str, c: &PasswordCredential) -> bool {
    c.display_name.as_deref().is_some_and(|d| {
        d.strip_prefix(DISPLAY_NAME_PREFIX)
            .and_then(|rest| rest.strip_suffix(schedule_id))
            .is_some_and(|rest| rest.ends_with(" for "))
    })
}

impl RotationConfig {
    /// `azconn rotation <rotationId> for <connectionId>`.
    pub fn display_name(&self) -> String {
        format!(
            "{DISPLAY_NAME_PREFIX}{} for {}",
            self.rotation_id, self.connection_id
        )
    }

    /// The secrets this rotation created (by display name, any run of it), which deleting it
    /// with revocation removes; never `also_managed` secrets or anyone else's.
    pub fn created(&self, creds: &[PasswordCredential]) -> Vec<KeyId> {
        created_by(&self.connection_id, creds)
    }

    fn is_ours(&self, c: &PasswordCredential) -> bool {
        self.also_managed.contains(&c.key_id) || is_created_by(&self.connection_id, c)
    }

    /// Lifetime guards, run before anything is created (Infisical checks after addPassword and
    /// orphans a secret, infisical.md §8.2).
    fn check(&self) -> Result<(), Error> {
        let id = &self.connection_id;
        if id.trim().is_empty() || id.chars().count() > 64 || id.chars().any(char::is_control) {
            return Err(Error::field(
                "connectionId",
                Code::InvalidFormat,
                "the connection id must be 1-64 characters without control characters",
            ));
        }
        let cap = self.max_lifetime_secs.unwrap_or(DEFAULT_MAX_LIFETIME_SECS);
        if self.lifetime_secs < MIN_LIFETIME_SECS {
            return Err(Error::field(
                "lifetimeSecs",
                Code::OutOfRange,
                "a rotated secret must live at least one day",
            ));
        }
        if self.lifetime_secs > cap {
            return Err(Error::field(
                "lifetimeSecs",
                Code::LifetimeRejected,
                format!("the lifetime exceeds the maximum of {} days", cap / 86_400),
            )
            .with_hint("choose a lifetime within the tenant's credential lifetime policy"));
        }
        // The rule between the two: a secret must still be valid when the next scheduled run
        // replaces it (interval plus the verification budget), so the previous secret that
        // `keepPrevious` keeps never expires while consumers still use it. Entra itself caps the
        // lifetime (two years by default, less under an app-management policy: the cap above).
        if let Some(interval) = self.rotation_interval_secs
            && interval < MIN_INTERVAL_SECS
        {
            return Err(Error::field(
                "rotationIntervalSecs",
                Code::OutOfRange,
                "a scheduled rotation runs at most once a day",
            )
            .with_hint("choose an interval of at least one day"));
        }
        if let Some(interval) = self.rotation_interval_secs
            && self.lifetime_secs <= interval.saturating_add(self.verify_budget_secs.max(0))
        {
            return Err(Error::field(
                "lifetimeSecs",
                Code::OutOfRange,
                "the secret would expire before the next rotation replaces it",
            )
            .with_hint("make the lifetime longer than the rotation interval (twice the interval keeps an overlap)"));
        }
        if self.verify_budget_secs <= 0 {
            return Err(Error::field(
                "verifyBudgetSecs",
                Code::OutOfRange,
                "the verification budget must be positive",
            ));
        }
        Ok(())
    }
}

/// The new secret while it is not yet published. The host must encrypt the persisted state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSecret {
    pub key_id: KeyId,
    pub secret: SecretText,
    pub ends_at: Option<i64>,
}

/// Where the rotation is. Every variant is a resumable point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "phase"
)]
pub enum Phase {
    /// Read the app's secrets (also finds ones an interrupted attempt created).
    Inspect,
    /// Remove secrets of this rotation whose value was lost (interrupted `addPassword`).
    RemoveOrphans {
        existing: Vec<PasswordCredential>,
        orphans: Vec<KeyId>,
    },
    ReadyToAdd {
        existing: Vec<PasswordCredential>,
    },
    /// `addPassword` has been (or is being) sent. Resuming re-inspects.
    Adding {
        existing: Vec<PasswordCredential>,
    },
    Verifying {
        new: NewSecret,
        existing: Vec<PasswordCredential>,
        since: i64,
        attempts: u32,
        retry_at: i64,
    },
    Publishing {
        new: NewSecret,
        existing: Vec<PasswordCredential>,
    },
    Pruning {
        new_key_id: KeyId,
        remove: Vec<KeyId>,
        removed: Vec<KeyId>,
    },
    /// The new secret never worked: remove it, keep the old one.
    Abandoning {
        new_key_id: KeyId,
        error: Error,
    },
    Done {
        new_key_id: KeyId,
        removed: Vec<KeyId>,
    },
    Failed {
        error: Error,
    },
    /// A removal failed: re-read the app's secrets. A secret already gone (a removal whose
    /// answer was lost and was retried: Graph answers 400 for an unknown keyId) counts as
    /// removed and `then` goes on; one still there stops the run with `error`, resumable.
    Recheck {
        then: Box<Phase>,
        error: Error,
    },
}

/// What the host does next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "step"
)]
pub enum Step {
    /// Send this Graph request (with the retry policy) and pass the response to
    /// [`Rotation::on_response`].
    Send {
        purpose: Purpose,
        request: crate::http::HttpRequest,
    },
    /// Acquire a client-credentials token with this secret (oauth module) and pass the
    /// outcome to [`Rotation::on_verified`].
    VerifyNewSecret {
        key_id: KeyId,
        secret: SecretText,
    },
    /// Call [`Rotation::next`] again after this long.
    Wait {
        ms: u64,
    },
    /// Store the secret where its consumers read it, then call [`Rotation::on_published`].
    Publish {
        key_id: KeyId,
        secret: SecretText,
        ends_at: Option<i64>,
    },
    Done {
        new_key_id: KeyId,
        removed: Vec<KeyId>,
    },
    Failed {
        error: Error,
    },
}

/// What a [`Step::Send`] is for (progress display and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    ReadCredentials,
    RemoveOrphan,
    AddPassword,
    RemoveOld,
    RemoveUnverified,
}

impl Purpose {
    /// Whether the request may be sent again when its answer was lost (timeout, dropped
    /// connection). `addPassword` is not idempotent: the first attempt may have created a
    /// secret, which the next run finds by its display name and removes.
    pub fn may_resend(self) -> bool {
        !matches!(self, Purpose::AddPassword)
    }

    /// The progress name of the request (what the UI shows while a run is on it).
    pub fn name(self) -> &'static str {
        match self {
            Purpose::ReadCredentials => "inspect",
            Purpose::RemoveOrphan => "remove-orphan",
            Purpose::AddPassword => "add",
            Purpose::RemoveOld => "remove-old",
            Purpose::RemoveUnverified => "remove-unverified",
        }
    }
}

impl Step {
    /// The progress name of the step (what the UI shows while a run is on it).
    pub fn name(&self) -> &'static str {
        match self {
            Step::Send { purpose, .. } => purpose.name(),
            Step::VerifyNewSecret { .. } => "verify",
            Step::Wait { .. } => "wait",
            Step::Publish { .. } => "publish",
            Step::Done { .. } => "done",
            Step::Failed { .. } => "failed",
        }
    }
}

/// The result of the verification token request, without depending on the oauth module:
/// Entra's `error_codes` and `error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "result"
)]
pub enum VerifyOutcome {
    Ok,
    Failed {
        error_codes: Vec<u32>,
        error: String,
    },
}

impl VerifyOutcome {
    /// How a verification token request that failed with `e` is read. `None` when Entra did not
    /// judge the credential (outage, throttling, a garbled answer): the verification stops
    /// resumable rather than abandon a good secret. Otherwise the AADSTS codes of the message,
    /// which [`Rotation::on_verified`] tolerates while the secret propagates.
    pub fn of_token_error(e: &Error) -> Option<VerifyOutcome> {
        if matches!(
            e.code,
            Code::RetryLater | Code::Unavailable | Code::Throttled | Code::MalformedResponse
        ) {
            return None;
        }
        Some(VerifyOutcome::Failed {
            error_codes: aadsts_codes(&e.message),
            error: format!("{:?}", e.code),
        })
    }
}

/// `AADSTS7000215: ...` → `[7000215]`.
fn aadsts_codes(message: &str) -> Vec<u32> {
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

/// A rotation in progress: its configuration and phase, serializable as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rotation {
    pub config: RotationConfig,
    pub phase: Phase,
}

fn unexpected(what: &str) -> Error {
    Error::new(
        Code::NotAllowed,
        format!("the rotation is not waiting for {what}"),
    )
}

impl Rotation {
    /// Checks the lifetime guards; nothing is created before they pass.
    pub fn start(config: RotationConfig) -> Result<Rotation, Error> {
        config.check()?;
        Ok(Rotation {
            config,
            phase: Phase::Inspect,
        })
    }

    /// The rotation a run drives. A finished run (done or failed) starts the next one with
    /// `fresh_run_id`, so the display names of earlier runs' secrets (`azconn rotation <run> for
    /// <rotation>`) mark them as previous secrets, not as orphans of this run; an interrupted
    /// run resumes where it stopped, with its own id.
    pub fn resume_or_restart(self, fresh_run_id: Guid) -> Result<Rotation, Error> {
        match self.phase {
            Phase::Done { .. } | Phase::Failed { .. } => {
                let mut config = self.config;
                config.rotation_id = fresh_run_id;
                Rotation::start(config)
            }
            _ => Ok(self),
        }
    }

    /// The next step. May change the phase (e.g. to `Adding` when it emits `addPassword`):
    /// persist the state before executing the step.
    pub fn next(&mut self, graph: &Graph, token: &AccessToken, now: i64) -> Step {
        let app = self.config.app;
        let send = |purpose, request| Step::Send { purpose, request };
        match &mut self.phase {
            Phase::Inspect => send(Purpose::ReadCredentials, graph.get_credentials(token, &app)),
            Phase::Adding { .. } => {
                // Interrupted add: the secret may exist without us knowing its value.
                self.phase = Phase::Inspect;
                send(Purpose::ReadCredentials, graph.get_credentials(token, &app))
            }
            Phase::RemoveOrphans { orphans, .. } => match orphans.first() {
                Some(k) => send(Purpose::RemoveOrphan, graph.remove_password(token, &app, k)),
                None => {
                    self.phase = Phase::Inspect;
                    send(Purpose::ReadCredentials, graph.get_credentials(token, &app))
                }
            },
            Phase::ReadyToAdd { existing } => {
                let spec = PasswordSpec {
                    display_name: self.config.display_name(),
                    starts_at: None,
                    ends_at: now.saturating_add(self.config.lifetime_secs),
                };
                match self
                    .config
                    .check()
                    .and_then(|()| graph.add_password(token, &app, &spec))
                {
                    Ok(request) => {
                        self.phase = Phase::Adding {
                            existing: core::mem::take(existing),
                        };
                        send(Purpose::AddPassword, request)
                    }
                    Err(error) => {
                        self.phase = Phase::Failed {
                            error: error.clone(),
                        };
                        Step::Failed { error }
                    }
                }
            }
            Phase::Verifying { new, retry_at, .. } => {
                if now < *retry_at {
                    Step::Wait {
                        ms: u64::try_from(retry_at.saturating_sub(now))
                            .unwrap_or(0)
                            .saturating_mul(1000),
                    }
                } else {
                    Step::VerifyNewSecret {
                        key_id: new.key_id,
                        secret: new.secret.clone(),
                    }
                }
            }
            Phase::Publishing { new, .. } => Step::Publish {
                key_id: new.key_id,
                secret: new.secret.clone(),
                ends_at: new.ends_at,
            },
            Phase::Pruning {
                new_key_id,
                remove,
                removed,
            } => match remove.first() {
                Some(k) => send(Purpose::RemoveOld, graph.remove_password(token, &app, k)),
                None => {
                    let (new_key_id, removed) = (*new_key_id, core::mem::take(removed));
                    self.phase = Phase::Done {
                        new_key_id,
                        removed: removed.clone(),
                    };
                    Step::Done {
                        new_key_id,
                        removed,
                    }
                }
            },
            Phase::Abandoning { new_key_id, .. } => send(
                Purpose::RemoveUnverified,
                graph.remove_password(token, &app, new_key_id),
            ),
            Phase::Done {
                new_key_id,
                removed,
            } => Step::Done {
                new_key_id: *new_key_id,
                removed: removed.clone(),
            },
            Phase::Failed { error } => Step::Failed {
                error: error.clone(),
            },
            Phase::Recheck { .. } => {
                send(Purpose::ReadCredentials, graph.get_credentials(token, &app))
            }
        }
    }

    /// Feeds the response to the last [`Step::Send`]. On error the phase stays resumable and
    /// the typed error is returned (retry it with [`crate::retry`] or report it).
    pub fn on_response(&mut self, resp: &HttpResponse, now: i64) -> Result<(), Error> {
        match &mut self.phase {
            Phase::Inspect => {
                let app = graph::parse_application(resp)?;
                let creds = app.password_credentials.unwrap_or_default();
                let ours = self.config.display_name();
                let (orphans, existing): (Vec<_>, Vec<_>) = creds
                    .into_iter()
                    .partition(|c| c.display_name.as_deref() == Some(ours.as_str()));
                self.phase = if orphans.is_empty() {
                    Phase::ReadyToAdd { existing }
                } else {
                    Phase::RemoveOrphans {
                        existing,
                        orphans: orphans.into_iter().map(|c| c.key_id).collect(),
                    }
                };
                Ok(())
            }
            Phase::Adding { existing } => match graph::parse_added_password(resp) {
                Ok(added) => {
                    self.phase = Phase::Verifying {
                        new: NewSecret {
                            key_id: added.credential.key_id,
                            secret: added.secret,
                            ends_at: added.credential.ends_at,
                        },
                        existing: core::mem::take(existing),
                        since: now,
                        attempts: 0,
                        retry_at: now,
                    };
                    Ok(())
                }
                Err(error) => {
                    // A definite refusal created nothing; anything else may have: re-inspect.
                    let ge = GraphError::parse(resp);
                    self.phase = if resp.status >= 400 && resp.status < 500 && !ge.is_retryable() {
                        Phase::Failed {
                            error: error.clone(),
                        }
                    } else {
                        Phase::Inspect
                    };
                    Err(error)
                }
            },
            Phase::RemoveOrphans { .. } | Phase::Pruning { .. } | Phase::Abandoning { .. } => {
                if let Err(error) = removed_or_gone(resp) {
                    let then = core::mem::replace(&mut self.phase, Phase::Inspect);
                    self.phase = Phase::Recheck {
                        then: Box::new(then),
                        error,
                    };
                    return Ok(());
                }
                self.on_removed()
            }
            Phase::Recheck { then, error } => {
                let present: Vec<KeyId> = graph::parse_application(resp)?
                    .password_credentials
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| c.key_id)
                    .collect();
                let error = error.clone();
                let then = core::mem::replace(then.as_mut(), Phase::Inspect);
                let pending = match &then {
                    Phase::RemoveOrphans { orphans: keys, .. }
                    | Phase::Pruning { remove: keys, .. } => keys.first().copied(),
                    Phase::Abandoning { new_key_id, .. } => Some(*new_key_id),
                    _ => None,
                };
                self.phase = then;
                match pending {
                    Some(k) if present.contains(&k) => Err(error),
                    Some(_) => self.on_removed(),
                    None => Ok(()),
                }
            }
            _ => Err(unexpected("a Graph response")),
        }
    }

    /// Feeds the verification outcome. Propagation errors are retried with backoff (2 s
    /// doubling to 64 s) within `verifyBudgetSecs`; any other failure abandons the new secret.
    pub fn on_verified(&mut self, outcome: &VerifyOutcome, now: i64) -> Result<(), Error> {
        let Phase::Verifying {
            new,
            existing,
            since,
            attempts,
            retry_at,
        } = &mut self.phase
        else {
            return Err(unexpected("a verification outcome"));
        };
        match outcome {
            VerifyOutcome::Ok => {
                self.phase = Phase::Publishing {
                    new: new.clone(),
                    existing: core::mem::take(existing),
                };
                Ok(())
            }
            VerifyOutcome::Failed { error_codes, error } => {
                let propagating = error_codes.iter().any(|c| PROPAGATION_CODES.contains(c));
                let delay = 2i64 << (*attempts).min(5);
                if propagating
                    && now.saturating_add(delay).saturating_sub(*since)
                        <= self.config.verify_budget_secs
                {
                    *attempts += 1;
                    *retry_at = now.saturating_add(delay);
                    return Ok(());
                }
                let codes: Vec<String> = error_codes.iter().map(|c| format!("AADSTS{c}")).collect();
                let err = Error::new(
                    Code::RotationFailed,
                    format!(
                        "the new secret {} could not acquire a token ({error} {}); it is being removed and the current secret kept",
                        new.key_id,
                        codes.join(",")
                    ),
                )
                .with_hint(if propagating {
                    "Entra did not accept the new secret within the verification window; run the rotation again later"
                } else {
                    "check the connection's tenant, client ID and Conditional Access policies"
                });
                self.phase = Phase::Abandoning {
                    new_key_id: new.key_id,
                    error: err.clone(),
                };
                Err(err)
            }
        }
    }

    /// The first pending removal of the current phase is done (or the secret was gone).
    fn on_removed(&mut self) -> Result<(), Error> {
        match &mut self.phase {
            Phase::RemoveOrphans { existing, orphans } => {
                if !orphans.is_empty() {
                    orphans.remove(0);
                }
                if orphans.is_empty() {
                    self.phase = Phase::ReadyToAdd {
                        existing: core::mem::take(existing),
                    };
                }
                Ok(())
            }
            Phase::Pruning {
                remove, removed, ..
            } => {
                if !remove.is_empty() {
                    removed.push(remove.remove(0));
                }
                Ok(())
            }
            Phase::Abandoning { error, .. } => {
                self.phase = Phase::Failed {
                    error: error.clone(),
                };
                Ok(())
            }
            _ => Err(unexpected("a removal")),
        }
    }

    /// The host stored the new secret: decide which old secrets to remove and forget the value.
    pub fn on_published(&mut self) -> Result<(), Error> {
        let Phase::Publishing { new, existing } = &self.phase else {
            return Err(unexpected("publication"));
        };
        let mut candidates: Vec<&PasswordCredential> = existing
            .iter()
            .filter(|c| c.key_id != new.key_id && self.config.is_ours(c))
            .collect();
        // Newest first; unknown start dates count as oldest.
        candidates.sort_by_key(|c| core::cmp::Reverse(c.starts_at.unwrap_or(i64::MIN)));
        let remove = candidates
            .iter()
            .skip(self.config.keep_previous as usize)
            .map(|c| c.key_id)
            .collect();
        self.phase = Phase::Pruning {
            new_key_id: new.key_id,
            remove,
            removed: Vec::new(),
        };
        Ok(())
    }
}

/// `removePassword` succeeded, or the secret was already gone. Graph answers a removal of a
/// secret that is no longer there with a 400 rather than a 404, so on an error re-read the
/// application's credentials before calling the removal failed.
pub fn removed_or_gone(resp: &HttpResponse) -> Result<(), Error> {
    match graph::parse_removed_password(resp) {
        Err(_) if GraphError::parse(resp).kind == GraphErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests;
