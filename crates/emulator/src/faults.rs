//! Fault injection (modelled on Dev Proxy's plugins, peers.md "Test peers"): per route, for the
//! next N matching requests or a seeded fraction of them.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// `entra`, `graph`, `store:<name>`, or `*` for every service.
    pub service: String,
    /// Only this HTTP method (any if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Only paths starting with this (decoded path, no query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    pub action: FaultAction,
    /// Apply to the next N matching requests, then remove the fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Apply to each matching request with this probability (drawn from the seeded generator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with this status and the service's own error body (429/500/503...).
    #[serde(rename_all = "camelCase")]
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_seconds: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    /// Wait, then answer normally.
    Delay { ms: u64 },
    /// Close the connection without answering.
    Drop,
    /// Handle the request (its effect happens), then close the connection without the answer:
    /// the client cannot tell whether a non-idempotent call such as addPassword took place.
    DropResponse,
    /// Answer normally but with a truncated JSON body.
    MalformedJson,
    /// Answer normally but with `Content-Type: text/html`.
    WrongContentType,
}

impl FaultSpec {
    pub fn validate(&self) -> Result<(), String> {
        let service_ok = matches!(self.service.as_str(), "*" | "entra" | "graph")
            || self.service.starts_with("store:");
        if !service_ok {
            return Err("service must be 'entra', 'graph', 'store:<name>' or '*'".into());
        }
        if let Some(f) = self.fraction
            && !(0.0..=1.0).contains(&f)
        {
            return Err("fraction must be between 0 and 1".into());
        }
        if self.count == Some(0) {
            return Err("count must be at least 1".into());
        }
        if let FaultAction::Status { status, .. } = self.action
            && !(400..=599).contains(&status)
        {
            return Err("status must be 400-599".into());
        }
        Ok(())
    }

    fn matches(&self, service: &str, method: &str, path: &str) -> bool {
        (self.service == "*" || self.service == service)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ActiveFault {
    pub id: u64,
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// How many more times a `count` fault fires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u32>,
}

pub struct Faults {
    pub active: Vec<ActiveFault>,
    next_id: u64,
    rng: StdRng,
}

impl Faults {
    pub fn new(seed: u64, specs: Vec<FaultSpec>) -> Faults {
        let mut f = Faults {
            active: Vec::new(),
            next_id: 1,
            rng: StdRng::seed_from_u64(seed),
        };
        for s in specs {
            f.add(s);
        }
        f
    }

    pub fn add(&mut self, spec: FaultSpec) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.active.push(ActiveFault {
            id,
            remaining: spec.count,
            spec,
        });
        id
    }

    pub fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }

    /// The fault to apply to this request, if any; consumes one use of a counted fault.
    pub fn take(&mut self, service: &str, method: &str, path: &str) -> Option<FaultAction> {
        let idx = self
            .active
            .iter()
            .position(|f| f.spec.matches(service, method, path))?;
        if let Some(p) = self.active[idx].spec.fraction
            && self.rng.gen_range(0.0..1.0) >= p
        {
            return None;
        }
        let action = self.active[idx].spec.action.clone();
        if let Some(left) = self.active[idx].remaining.as_mut() {
            *left -= 1;
            if *left == 0 {
                self.active.remove(idx);
            }
        }
        Some(action)
    }
}
