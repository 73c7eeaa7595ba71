//! The connection form's rules for the fields every path can set (name, description): the
//! form create, a PATCH and an OAuth start all go through here, so a description is bounded and
//! free of control characters however it arrives. The rules themselves are the core's
//! (`form::validate`); this only runs them on the two fields.

use azconn_core::error::Error;
use azconn_core::form::{self, ConnectionForm, Slug};

const TEXT_FIELDS: [&str; 2] = ["name", "description"];

/// The checked name and description (blank is none), or every error on those two fields.
pub fn name_and_description(
    name: &str,
    description: Option<&str>,
) -> Result<(Slug, Option<String>), Vec<Error>> {
    let input = ConnectionForm {
        name: name.to_owned(),
        description: description.unwrap_or("").to_owned(),
        ..ConnectionForm::default()
    };
    // The rest of this form is empty and fails; only the text fields' verdicts count.
    let errors = match form::validate(&input) {
        Ok(v) => return Ok((v.name, v.description)),
        Err(errors) => errors,
    };
    let text_errors: Vec<Error> = errors
        .into_iter()
        .filter(|e| e.field.as_deref().is_some_and(|f| TEXT_FIELDS.contains(&f)))
        .collect();
    if !text_errors.is_empty() {
        return Err(text_errors);
    }
    let name = Slug::parse(name).map_err(|e| vec![e])?;
    let description = Some(description.unwrap_or("").trim())
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    Ok((name, description))
}

#[cfg(test)]
mod tests {
    use super::*;
    use azconn_core::error::Code;

    fn refused(name: &str, description: Option<&str>) -> Vec<(String, Code)> {
        name_and_description(name, description)
            .expect_err("refused")
            .into_iter()
            .map(|e| (e.field.unwrap_or_default(), e.code))
            .collect()
    }

    #[test]
    fn a_slug_and_a_short_description_pass_trimmed() {
        let (name, description) =
            name_and_description(" graph ", Some("  rotation of payments  ")).expect("valid");
        assert_eq!(name.as_str(), "graph");
        assert_eq!(description.as_deref(), Some("rotation of payments"));
        let (_, blank) = name_and_description("graph", Some("   ")).expect("valid");
        assert_eq!(blank, None);
    }

    #[test]
    fn the_form_rules_apply_to_both_fields() {
        assert_eq!(
            refused("graph", Some(&"d".repeat(100_000))),
            [("description".into(), Code::TooLong)]
        );
        assert_eq!(
            refused("graph", Some("bell\u{7}")),
            [("description".into(), Code::InvalidCharacter)]
        );
        assert_eq!(
            refused("Bad Name!", None),
            [("name".into(), Code::InvalidCharacter)]
        );
        assert_eq!(
            refused(&"n".repeat(65), Some("line\nbreak")),
            [
                ("name".into(), Code::TooLong),
                ("description".into(), Code::InvalidCharacter)
            ]
        );
        assert_eq!(refused("", None), [("name".into(), Code::Required)]);
    }
}
