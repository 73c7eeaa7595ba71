//! `GET /audit-log`'s query, read once at the boundary into [`AuditQuery`], and the page cut
//! from what storage returns. Paging is keyset on the entry id (`before=<id>`): ids only grow,
//! so entries written between two pages land before the first page and never shift the next
//! one, and no entry is skipped or repeated. Every bad value is a 400 naming its parameter;
//! an unknown or repeated parameter is refused, never ignored.

use crate::api::AuditPage;
use crate::records::AuditEntry;
use azconn_core::error::{Code, Error};
use azconn_core::http::decode_component;

/// Entries per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most entries one page holds.
pub const MAX_LIMIT: u32 = 200;
/// The largest id or time a query takes: D1 numbers are JS numbers, exact up to 2^53 - 1.
pub const MAX_NUMBER: i64 = (1 << 53) - 1;
/// The longest `actor` or `target` filter: ids and `token:<id>` are far shorter.
pub const MAX_TEXT: usize = 200;

/// Every action the Worker records (a test holds this list to the sources).
pub const ACTIONS: &[&str] = &[
    "connection.create",
    "connection.delete",
    "connection.token",
    "connection.update",
    "connection.validate",
    "encryption.reseal",
    "oauth.callback",
    "oauth.start",
    "organization.create",
    "rotation.create",
    "rotation.delete",
    "rotation.done",
    "rotation.failed",
    "rotation.graph",
    "rotation.leftover.delete",
    "rotation.secret.read",
    "rotation.update",
    "rotation.verify",
    "session.delete",
    "sync.create",
    "sync.delete",
    "sync.preview",
    "sync.run",
    "sync.update",
    "token.create",
    "token.revoke",
];

/// The outcomes the Worker records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
        }
    }
}

const PARAMETERS: &[&str] = &[
    "limit", "before", "action", "actor", "target", "outcome", "since", "until",
];

/// One page request: how many, older than which entry, and the filters (all exact matches;
/// `since` and `until` are inclusive unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub limit: u32,
    pub before: Option<i64>,
    pub action: Option<&'static str>,
    pub actor: Option<String>,
    pub target: Option<String>,
    pub outcome: Option<Outcome>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Default for AuditQuery {
    fn default() -> AuditQuery {
        AuditQuery {
            limit: DEFAULT_LIMIT,
            before: None,
            action: None,
            actor: None,
            target: None,
            outcome: None,
            since: None,
            until: None,
        }
    }
}

impl AuditQuery {
    /// Reads the URL's query string (without the `?`; empty for none).
    pub fn parse(query: &str) -> Result<AuditQuery, Error> {
        let mut q = AuditQuery::default();
        let mut seen: Vec<&str> = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = part.split_once('=').unwrap_or((part, ""));
            let name = decode_component(raw_name).map_err(|e| {
                Error::field("query", Code::InvalidFormat, e.message)
                    .with_hint("percent-encode the parameter names")
            })?;
            let Some(&name) = PARAMETERS.iter().find(|p| **p == name) else {
                return Err(Error::field(
                    &name,
                    Code::NotAllowed,
                    format!("{name} is not a parameter of the audit log"),
                )
                .with_hint(format!("the parameters are {}", PARAMETERS.join(", "))));
            };
            if seen.contains(&name) {
                return Err(Error::field(
                    name,
                    Code::NotAllowed,
                    format!("{name} is given more than once"),
                )
                .with_hint(format!("give {name} once")));
            }
            seen.push(name);
            let value = decode_component(raw_value).map_err(|e| {
                Error::field(name, Code::InvalidFormat, e.message)
                    .with_hint("percent-encode the value")
            })?;
            if value.is_empty() {
                return Err(
                    Error::field(name, Code::Required, format!("{name} is empty"))
                        .with_hint(format!("give a value, or leave {name} out for no filter")),
                );
            }
            match name {
                "limit" => {
                    let n = number(name, &value, 1, i64::from(MAX_LIMIT))?;
                    q.limit = u32::try_from(n).unwrap_or(MAX_LIMIT);
                }
                "before" => q.before = Some(number(name, &value, 1, MAX_NUMBER)?),
                "action" => q.action = Some(action(&value)?),
                "actor" => q.actor = Some(text(name, value)?),
                "target" => q.target = Some(text(name, value)?),
                "outcome" => q.outcome = Some(outcome(&value)?),
                "since" => q.since = Some(number(name, &value, 0, MAX_NUMBER)?),
                _ => q.until = Some(number(name, &value, 0, MAX_NUMBER)?),
            }
        }
        if let (Some(since), Some(until)) = (q.since, q.until)
            && since > until
        {
            return Err(Error::field(
                "since",
                Code::OutOfRange,
                format!("since ({since}) is after until ({until})"),
            )
            .with_hint("since and until are unix seconds with since <= until"));
        }
        Ok(q)
    }

    /// The rows to ask storage for: one more than the page, which tells whether another follows.
    pub fn fetch_limit(&self) -> u32 {
        self.limit + 1
    }

    /// The page from at most [`fetch_limit`](Self::fetch_limit) rows, newest first: the cursor
    /// is the last entry's id when more rows matched than the page holds.
    pub fn page(&self, mut rows: Vec<AuditEntry>) -> AuditPage {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = if more {
            rows.last().map(|e| e.id)
        } else {
            None
        };
        AuditPage {
            entries: rows,
            next_cursor,
        }
    }
}

/// A decimal integer in `min..=max` (digits only: no sign, space or exponent).
fn number(name: &str, value: &str, min: i64, max: i64) -> Result<i64, Error> {
    let range = || {
        Error::field(
            name,
            Code::OutOfRange,
            format!("{name} is {value}, outside {min}..={max}"),
        )
        .with_hint(hint(name))
    };
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::field(
            name,
            Code::InvalidFormat,
            format!("{name} is not a whole number"),
        )
        .with_hint(hint(name)));
    }
    let n: i64 = value.parse().map_err(|_| range())?;
    if n < min || n > max {
        return Err(range());
    }
    Ok(n)
}

fn hint(name: &str) -> String {
    match name {
        "limit" => format!("limit is 1 to {MAX_LIMIT} entries (default {DEFAULT_LIMIT})"),
        "before" => "before is the nextCursor of the previous page".to_owned(),
        _ => format!("{name} is unix seconds, e.g. 1767225600"),
    }
}

fn action(value: &str) -> Result<&'static str, Error> {
    ACTIONS
        .iter()
        .copied()
        .find(|a| *a == value)
        .ok_or_else(|| {
            Error::field(
                "action",
                Code::NotAllowed,
                format!("{value} is not an action azconn records"),
            )
            .with_hint(format!("the actions are {}", ACTIONS.join(", ")))
        })
}

fn outcome(value: &str) -> Result<Outcome, Error> {
    match value {
        "ok" => Ok(Outcome::Ok),
        "failed" => Ok(Outcome::Failed),
        _ => Err(Error::field(
            "outcome",
            Code::NotAllowed,
            format!("{value} is not an outcome azconn records"),
        )
        .with_hint("outcome is ok or failed")),
    }
}

fn text(name: &str, value: String) -> Result<String, Error> {
    if value.chars().count() > MAX_TEXT {
        return Err(Error::field(
            name,
            Code::TooLong,
            format!("{name} is longer than {MAX_TEXT} characters"),
        )
        .with_hint(format!("{name} is matched exactly, as the entries show it")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::field(
            name,
            Code::InvalidCharacter,
            format!("{name} contains a control character"),
        )
        .with_hint(format!("{name} is matched exactly, as the entries show it")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: &str) -> Error {
        AuditQuery::parse(query).expect_err(query)
    }

    fn entry(id: i64) -> AuditEntry {
        AuditEntry {
            id,
            at: 1,
            actor: "admin".to_owned(),
            action: "token.create".to_owned(),
            target: None,
            outcome: "ok".to_owned(),
            detail: None,
        }
    }

    #[test]
    fn no_query_is_the_newest_fifty_unfiltered() {
        assert_eq!(AuditQuery::parse("").expect("empty"), AuditQuery::default());
        assert_eq!(
            AuditQuery::parse("&&").expect("blank parts"),
            AuditQuery::default()
        );
        assert_eq!(AuditQuery::default().limit, 50);
    }

    #[test]
    fn every_parameter_is_read() {
        let q = AuditQuery::parse(
            "limit=200&before=41&action=sync.run&actor=token%3Aab12&target=s+1&outcome=failed&since=0&until=1767225600",
        )
        .expect("all");
        assert_eq!(
            q,
            AuditQuery {
                limit: 200,
                before: Some(41),
                action: Some("sync.run"),
                actor: Some("token:ab12".to_owned()),
                target: Some("s 1".to_owned()),
                outcome: Some(Outcome::Failed),
                since: Some(0),
                until: Some(1_767_225_600),
            }
        );
        assert_eq!(q.fetch_limit(), 201);
        assert_eq!(
            AuditQuery::parse("outcome=ok&limit=1&since=5&until=5")
                .expect("bounds")
                .outcome,
            Some(Outcome::Ok)
        );
        assert_eq!(Outcome::Ok.as_str(), "ok");
        assert_eq!(Outcome::Failed.as_str(), "failed");
    }

    #[test]
    fn limit_is_one_to_two_hundred_digits_only() {
        for (query, code) in [
            ("limit=0", Code::OutOfRange),
            ("limit=201", Code::OutOfRange),
            ("limit=99999999999999999999", Code::OutOfRange),
            ("limit=-1", Code::InvalidFormat),
            ("limit=+5", Code::InvalidFormat),
            ("limit=5.0", Code::InvalidFormat),
            ("limit=%205", Code::InvalidFormat),
            ("limit=1e2", Code::InvalidFormat),
            ("limit=ten", Code::InvalidFormat),
        ] {
            let e = refused(query);
            assert_eq!(
                (e.field.as_deref(), e.code),
                (Some("limit"), code),
                "{query}"
            );
            assert_eq!(
                e.hint.as_deref(),
                Some("limit is 1 to 200 entries (default 50)")
            );
        }
        assert_eq!(
            refused("limit=201").message,
            "limit is 201, outside 1..=200"
        );
    }

    #[test]
    fn before_is_a_positive_id() {
        for query in ["before=0", "before=9007199254740992"] {
            let e = refused(query);
            assert_eq!(
                (e.field.as_deref(), e.code),
                (Some("before"), Code::OutOfRange)
            );
        }
        let e = refused("before=abc");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("before"), Code::InvalidFormat)
        );
        assert_eq!(
            e.hint.as_deref(),
            Some("before is the nextCursor of the previous page")
        );
        assert_eq!(
            AuditQuery::parse("before=9007199254740991")
                .expect("max")
                .before,
            Some(MAX_NUMBER)
        );
    }

    #[test]
    fn action_is_one_that_is_recorded() {
        for a in ACTIONS {
            assert_eq!(
                AuditQuery::parse(&format!("action={a}")).expect(a).action,
                Some(*a)
            );
        }
        let e = refused("action=connection.");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("action"), Code::NotAllowed)
        );
        assert_eq!(e.message, "connection. is not an action azconn records");
        assert!(e.hint.expect("hint").contains("connection.create, "));
        // Exact: no prefix, no case folding.
        assert!(AuditQuery::parse("action=Sync.Run").is_err());
    }

    #[test]
    fn outcome_is_ok_or_failed() {
        for v in ["success", "OK", "failure"] {
            let e = refused(&format!("outcome={v}"));
            assert_eq!(
                (e.field.as_deref(), e.code),
                (Some("outcome"), Code::NotAllowed)
            );
            assert_eq!(e.hint.as_deref(), Some("outcome is ok or failed"));
        }
    }

    #[test]
    fn actor_and_target_are_bounded_text() {
        let long = "a".repeat(201);
        for name in ["actor", "target"] {
            let e = refused(&format!("{name}={long}"));
            assert_eq!((e.field.as_deref(), e.code), (Some(name), Code::TooLong));
            let e = refused(&format!("{name}=a%0Ab"));
            assert_eq!(
                (e.field.as_deref(), e.code),
                (Some(name), Code::InvalidCharacter)
            );
            let ok = "é".repeat(200);
            assert!(AuditQuery::parse(&format!("{name}={ok}")).is_ok());
        }
    }

    #[test]
    fn since_and_until_are_ordered_unix_seconds() {
        for name in ["since", "until"] {
            let e = refused(&format!("{name}=2026-01-01"));
            assert_eq!(
                (e.field.as_deref(), e.code),
                (Some(name), Code::InvalidFormat)
            );
            assert_eq!(
                e.hint,
                Some(format!("{name} is unix seconds, e.g. 1767225600"))
            );
            let e = refused(&format!("{name}=9007199254740992"));
            assert_eq!((e.field.as_deref(), e.code), (Some(name), Code::OutOfRange));
        }
        let e = refused("until=9&since=10");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("since"), Code::OutOfRange)
        );
        assert_eq!(e.message, "since (10) is after until (9)");
    }

    #[test]
    fn unknown_repeated_empty_and_malformed_parameters_are_refused() {
        let e = refused("limit=5&page=2");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("page"), Code::NotAllowed)
        );
        assert_eq!(e.message, "page is not a parameter of the audit log");
        assert_eq!(
            e.hint.as_deref(),
            Some("the parameters are limit, before, action, actor, target, outcome, since, until")
        );
        let e = refused("Limit=5");
        assert_eq!(e.field.as_deref(), Some("Limit"));
        let e = refused("actor=a&actor=b");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("actor"), Code::NotAllowed)
        );
        assert_eq!(e.message, "actor is given more than once");
        for query in ["actor=", "actor", "outcome="] {
            let e = refused(query);
            assert_eq!(e.code, Code::Required, "{query}");
        }
        let e = refused("target=%zz");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("target"), Code::InvalidFormat)
        );
        let e = refused("target=%FF");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("target"), Code::InvalidFormat)
        );
        let e = refused("%zz=1");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("query"), Code::InvalidFormat)
        );
        // Each refusal is a 400.
        assert_eq!(
            crate::api_error::ApiError::from(refused("limit=0")).status,
            400
        );
    }

    #[test]
    fn a_page_holds_the_limit_and_points_past_its_last_entry() {
        let q = AuditQuery::parse("limit=2").expect("limit");
        let full = q.page(vec![entry(9), entry(7), entry(4)]);
        assert_eq!(
            full.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            [9, 7]
        );
        assert_eq!(full.next_cursor, Some(7));
        let last = q.page(vec![entry(9), entry(7)]);
        assert_eq!((last.entries.len(), last.next_cursor), (2, None));
        let empty = q.page(Vec::new());
        assert_eq!((empty.entries.len(), empty.next_cursor), (0, None));
    }

    /// Every action literal the sources record (`"<area>.<verb>"` as an audit call's action) is
    /// in [`ACTIONS`], so the filter offers all of them and a new one cannot be missed.
    #[test]
    fn the_actions_are_the_ones_the_sources_record() {
        let mut found = std::collections::BTreeSet::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut pending = vec![std::path::PathBuf::from(dir)];
        while let Some(path) = pending.pop() {
            for entry in std::fs::read_dir(&path).expect("src") {
                let p = entry.expect("entry").path();
                if p.is_dir() {
                    pending.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("audit.rs") {
                    let text = std::fs::read_to_string(&p).expect("source");
                    found.extend(action_literals(&text));
                }
            }
        }
        let listed: std::collections::BTreeSet<String> =
            ACTIONS.iter().map(|a| (*a).to_owned()).collect();
        assert_eq!(found, listed);
    }

    /// The UI's action filter offers exactly these (its list is typed out in TypeScript).
    #[test]
    fn the_ui_offers_the_same_actions() {
        let ui = include_str!("../../www/src/audit.ts").replace('\'', "\"");
        let offered: Vec<String> = action_literals(&ui);
        assert_eq!(offered, ACTIONS);
    }

    /// String literals shaped as an action (`area.verb`, an area that audits) in `text`.
    fn action_literals(text: &str) -> Vec<String> {
        const AREAS: &[&str] = &[
            "connection.",
            "encryption.",
            "oauth.",
            "organization.",
            "rotation.",
            "session.",
            "sync.",
            "token.",
        ];
        let mut out = Vec::new();
        for (i, _) in text.match_indices('"') {
            let rest = &text[i + 1..];
            if !AREAS.iter().any(|a| rest.starts_with(a)) {
                continue;
            }
            let len = rest
                .bytes()
                .take_while(|b| b.is_ascii_lowercase() || *b == b'.')
                .count();
            let word = &rest[..len];
            if rest[len..].starts_with('"') && !word.ends_with('.') {
                out.push(word.to_owned());
            }
        }
        out
    }
}
