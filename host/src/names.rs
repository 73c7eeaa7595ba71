//! Names and descriptions of rotations and syncs: the connection form's rules (a `Slug`, a short
//! one-line description), unique per organization per kind. A create without a name gets one
//! derived from what it acts on (the app's display name; the store, label and prefix), so
//! existing callers keep working and the name still reads as the thing it manages.

use crate::api_error::ApiError;
use crate::connection_fields::name_and_description;
use crate::credentials::form_errors;
use azconn_core::error::{Code, Error};
use azconn_core::form::{NAME_MAX_LEN, Slug};

/// A checked name and description: `name` absent is `None` (derive one), blank description none.
pub fn checked(
    name: Option<&str>,
    description: Option<&str>,
) -> Result<(Option<Slug>, Option<String>), ApiError> {
    match name {
        Some(n) => {
            let (name, description) = name_and_description(n, description).map_err(form_errors)?;
            Ok((Some(name), description))
        }
        None => {
            // Only the description's verdict counts: the name is derived later.
            let (_, description) =
                name_and_description("derived", description).map_err(form_errors)?;
            Ok((None, description))
        }
    }
}

/// The slug `text` reads as: lowercase letters and digits, every other run of characters one
/// hyphen, room left for a suffix; `fallback` when nothing is left.
pub fn derived(text: &str, fallback: &str) -> Result<Slug, Error> {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(NAME_MAX_LEN - SUFFIX_LEN);
    let slug = slug.trim_end_matches('-');
    Slug::parse(if slug.is_empty() { fallback } else { slug })
}

/// `-` and the first 8 characters of the record's id.
const SUFFIX_LEN: usize = 9;

/// A derived name made distinct by the record's id, for when the plain one is taken.
fn suffixed(base: &Slug, id: &str) -> Slug {
    let short: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    Slug::parse(&format!("{}-{}", base.as_str(), short.to_ascii_lowercase()))
        .unwrap_or_else(|_| base.clone())
}

/// The name a create inserts under: the one given, or one derived from what the record acts on.
/// Checking a derived name and inserting are two steps: a concurrent create deriving the same
/// name may take it in between, and the user, who never chose it, must not get a conflict for
/// it. So a derived name moves once to its id-suffixed form when the insert finds it taken; a
/// given name never moves (its conflict is the user's).
#[derive(Debug)]
pub struct Naming {
    name: Slug,
    /// The id-suffixed name, while the derived base is the one tried.
    fallback: Option<Slug>,
}

impl Naming {
    pub fn given(name: Slug) -> Naming {
        Naming {
            name,
            fallback: None,
        }
    }

    /// `base`, or suffixed by the record's `id` when `base` is `taken` already.
    pub fn derived(base: Slug, taken: bool, id: &str) -> Naming {
        let distinct = suffixed(&base, id);
        if taken {
            Naming::given(distinct)
        } else {
            Naming {
                name: base,
                fallback: Some(distinct),
            }
        }
    }

    pub fn name(&self) -> &Slug {
        &self.name
    }

    /// After an insert found the name taken: whether there is another name to insert under
    /// (now [`Naming::name`]).
    pub fn next_after_taken(&mut self) -> bool {
        match self.fallback.take() {
            Some(distinct) => {
                self.name = distinct;
                true
            }
            None => false,
        }
    }
}

/// `409 conflict` on `name`: the organization has a `kind` of that name already.
pub fn taken(kind: &str, name: &str) -> ApiError {
    ApiError::new(
        409,
        Error::field(
            "name",
            Code::Conflict,
            format!("a {kind} named {name} already exists"),
        )
        .with_hint(format!(
            "names are unique per organization: choose another, or rename that {kind} first"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_derived_name_is_the_slug_the_text_reads_as() {
        let name = |t: &str| derived(t, "rotation").expect("slug").as_str().to_owned();
        assert_eq!(
            name("payments-api (rotation target)"),
            "payments-api-rotation-target"
        );
        assert_eq!(name("  Payroll  App!! "), "payroll-app");
        assert_eq!(name("store1 Fm:"), "store1-fm");
        assert_eq!(name("日本"), "rotation");
        let long = name(&"a".repeat(100));
        assert_eq!(long.len(), NAME_MAX_LEN - SUFFIX_LEN);
        let s = suffixed(&Slug::parse(&long).expect("slug"), "0F1E2D3C-4b5a");
        assert_eq!(s.as_str(), format!("{long}-0f1e2d3c"));
    }

    #[test]
    fn only_a_derived_name_moves_when_taken_and_only_once() {
        let slug = |s: &str| Slug::parse(s).expect("slug");
        let mut given = Naming::given(slug("nightly"));
        assert!(!given.next_after_taken());
        assert_eq!(given.name().as_str(), "nightly");
        let mut derived = Naming::derived(slug("payroll"), false, "0f1e2d3c-4b5a");
        assert_eq!(derived.name().as_str(), "payroll");
        assert!(derived.next_after_taken());
        assert_eq!(derived.name().as_str(), "payroll-0f1e2d3c");
        assert!(!derived.next_after_taken(), "once");
        let mut suffixed = Naming::derived(slug("payroll"), true, "0f1e2d3c-4b5a");
        assert_eq!(suffixed.name().as_str(), "payroll-0f1e2d3c");
        assert!(!suffixed.next_after_taken());
    }

    #[test]
    fn a_name_is_optional_but_checked_when_given() {
        let (name, description) = checked(None, Some(" nightly ")).expect("valid");
        assert_eq!((name, description.as_deref()), (None, Some("nightly")));
        let e = checked(Some("Not A Slug"), None).expect_err("refused");
        assert_eq!(e.error.field.as_deref(), Some("name"));
        assert_eq!(e.error.code, Code::InvalidCharacter);
        let e = checked(Some(""), None).expect_err("refused");
        assert_eq!(e.error.code, Code::Required);
        let e = checked(None, Some("line\nbreak")).expect_err("refused");
        assert_eq!(e.error.field.as_deref(), Some("description"));
        assert_eq!(taken("sync", "nightly").status, 409);
    }
}
