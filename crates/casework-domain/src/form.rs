//! Forms: records whose fields a service defines as a JSON Schema, filled in by a given
//! role (or by the person themselves), and optionally scored into bands (e.g. a screening
//! score of 8–15 is "increasing risk").

use crate::text::Code;
use crate::{FieldError, Invalid};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};

/// Who completes a form when it is not a role of the service: the person the case is about.
pub const SUBJECT: &str = "subject";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    pub code: Code,
    pub name: String,
    /// The roles that complete this form, or `subject` for the person themselves. Anyone who
    /// may record the referral or case can enter a form completed on paper or by email,
    /// saying who completed it.
    pub filled_by: Vec<Code>,
    /// The form's fields, as a JSON Schema for its answers (an object).
    pub schema: Value,
    #[serde(default)]
    pub scoring: Option<Scoring>,
    /// The schema compiled at its first check and kept, since compiling costs more than
    /// checking; a loaded definition never changes.
    #[serde(skip)]
    pub compiled: CompiledSchema,
}

/// A form's schema compiled once and shared by every copy of its definition.
#[derive(Clone, Default)]
pub struct CompiledSchema(Arc<OnceLock<Result<jsonschema::Validator, String>>>);

impl CompiledSchema {
    fn validator(&self, schema: &Value) -> Result<&jsonschema::Validator, String> {
        self.0.get_or_init(|| jsonschema::validator_for(schema).map_err(|e| e.to_string())).as_ref().map_err(Clone::clone)
    }
}

/// Two definitions are the same whatever has been compiled so far.
impl PartialEq for CompiledSchema {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for CompiledSchema {}

impl std::fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "CompiledSchema(compiled)" } else { "CompiledSchema(not yet)" })
    }
}

/// A score: the sum of some numeric answers, and the band it falls in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// The answers whose values are added up.
    pub items: Vec<String>,
    /// Bands of the total, each from..=to; they must not overlap.
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub code: Code,
    pub name: String,
    pub from: i64,
    pub to: i64,
}

/// The score of one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub total: i64,
    pub band: Option<Code>,
}

impl FormDefinition {
    /// Problems with the definition itself, reported when the service definition is read.
    pub fn problems(&self) -> Vec<FieldError> {
        let place = format!("forms.{}", self.code);
        let mut problems = Vec::new();
        if self.schema.get("type").and_then(Value::as_str) != Some("object") {
            problems
                .push(FieldError::new(format!("{place}.schema"), "a form's schema must describe an object (type = \"object\")"));
        }
        if let Err(error) = jsonschema::validator_for(&self.schema) {
            problems.push(FieldError::new(format!("{place}.schema"), format!("not a valid JSON Schema: {error}")));
        }
        if self.filled_by.is_empty() {
            problems.push(FieldError::new(format!("{place}.filled_by"), "say which roles (or subject) complete this form"));
        }
        if let Some(scoring) = &self.scoring {
            let properties = self.schema.get("properties").and_then(Value::as_object);
            for item in &scoring.items {
                let kind = properties.and_then(|p| p.get(item)).and_then(|p| p.get("type")).and_then(Value::as_str);
                if !matches!(kind, Some("integer" | "number")) {
                    problems.push(FieldError::new(
                        format!("{place}.scoring.items"),
                        format!("'{item}' is not a numeric field of the form"),
                    ));
                }
            }
            let mut bands: Vec<&Band> = scoring.bands.iter().collect();
            bands.sort_by_key(|b| b.from);
            for band in &bands {
                if band.from > band.to {
                    problems.push(FieldError::new(
                        format!("{place}.scoring.bands"),
                        format!("band '{}' ends before it starts", band.code),
                    ));
                }
            }
            for pair in bands.windows(2) {
                if pair[1].from <= pair[0].to {
                    problems.push(FieldError::new(
                        format!("{place}.scoring.bands"),
                        format!("bands '{}' and '{}' overlap", pair[0].code, pair[1].code),
                    ));
                }
            }
        }
        problems
    }

    /// Checks answers against the form's schema and scores them. Each error names the
    /// answer at fault (`answers/area_3`).
    pub fn check_answers(&self, answers: &Map<String, Value>) -> Result<Option<Score>, Invalid> {
        let instance = Value::Object(answers.clone());
        let validator = self
            .compiled
            .validator(&self.schema)
            .map_err(|e| Invalid::one("form", format!("the form's definition is broken: {e}")))?;
        let mut invalid = Invalid::new();
        for error in validator.iter_errors(&instance) {
            let path = error.instance_path().to_string();
            // A missing answer is the fault of that answer, not of the form as a whole.
            if let jsonschema::error::ValidationErrorKind::Required { property: Value::String(missing) } = error.kind() {
                invalid.push(FieldError::new(format!("answers{path}/{missing}"), "answer this question"));
                continue;
            }
            let field = if path.is_empty() { "answers".to_owned() } else { format!("answers{path}") };
            invalid.push(FieldError::new(field, error.to_string()));
        }
        invalid.into_result()?;
        Ok(self.scoring.as_ref().map(|scoring| {
            let total = scoring.items.iter().filter_map(|item| answers.get(item)).filter_map(Value::as_f64).sum::<f64>();
            // Scores are sums of small whole numbers; rounding only guards against 0.1 + 0.2.
            #[allow(clippy::cast_possible_truncation)]
            let total = total.round() as i64;
            let band = scoring.bands.iter().find(|b| (b.from..=b.to).contains(&total)).map(|b| b.code.clone());
            Score { total, band }
        }))
    }

    /// May a form be recorded as completed by `completer` (a role code, or `subject`)?
    pub fn completed_by_allowed(&self, completer: &Code) -> bool {
        self.filled_by.contains(completer)
    }
}

/// Which forms make a referral valid: any one complete set will do (e.g. Form 1 and Form 2,
/// or Form E and Form 2). No sets means every referral is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralRules {
    #[serde(default)]
    pub valid_when: Vec<Vec<Code>>,
    /// The sources referrals may come from (any source if empty).
    #[serde(default)]
    pub sources: Vec<crate::referral::ReferralSource>,
}

/// Whether a referral's forms make it valid, and what each way of becoming valid still lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validity {
    pub valid: bool,
    /// For each set of forms that would make it valid, the forms still missing.
    pub missing: Vec<Vec<Code>>,
}

impl ReferralRules {
    pub fn validity<'a>(&self, submitted: impl IntoIterator<Item = &'a Code> + Clone) -> Validity {
        if self.valid_when.is_empty() {
            return Validity { valid: true, missing: Vec::new() };
        }
        let missing: Vec<Vec<Code>> = self
            .valid_when
            .iter()
            .map(|set| set.iter().filter(|form| !submitted.clone().into_iter().any(|s| s == *form)).cloned().collect())
            .collect();
        Validity { valid: missing.iter().any(Vec::is_empty), missing }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn screening() -> FormDefinition {
        FormDefinition {
            code: code("screening"),
            name: "Screening".into(),
            filled_by: vec![code("practitioner")],
            schema: json!({
                "type": "object",
                "required": ["q1", "q2"],
                "properties": {
                    "q1": { "type": "integer", "minimum": 0, "maximum": 4 },
                    "q2": { "type": "integer", "minimum": 0, "maximum": 4 },
                    "comment": { "type": "string", "maxLength": 20 }
                },
                "additionalProperties": false
            }),
            scoring: Some(Scoring {
                items: vec!["q1".into(), "q2".into()],
                bands: vec![
                    Band { code: code("low"), name: "Low".into(), from: 0, to: 3 },
                    Band { code: code("high"), name: "High".into(), from: 4, to: 8 },
                ],
            }),
            compiled: CompiledSchema::default(),
        }
    }

    #[test]
    fn a_schema_is_compiled_at_its_first_check_once_for_every_copy() {
        let form = screening();
        let copy = form.clone();
        assert_eq!(format!("{:?}", copy.compiled), "CompiledSchema(not yet)");
        let answers = json!({ "q1": 1, "q2": 4 }).as_object().unwrap().clone();
        assert_eq!(form.check_answers(&answers).unwrap().unwrap().total, 5);
        assert_eq!(format!("{:?}", copy.compiled), "CompiledSchema(compiled)", "the copy shares the compiled schema");
        assert_eq!(copy.check_answers(&answers).unwrap().unwrap().total, 5);
        assert_eq!(form, copy);
    }

    #[test]
    fn answers_are_checked_and_scored_into_bands() {
        let form = screening();
        assert!(form.problems().is_empty(), "{:?}", form.problems());
        let answers = json!({ "q1": 3, "q2": 2 }).as_object().unwrap().clone();
        assert_eq!(form.check_answers(&answers).unwrap(), Some(Score { total: 5, band: Some(code("high")) }));
        let bad = json!({ "q1": 9, "comment": 7, "extra": true }).as_object().unwrap().clone();
        let errors = form.check_answers(&bad).unwrap_err();
        let mut fields: Vec<&str> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields, ["answers", "answers/comment", "answers/q1", "answers/q2"], "a missing answer is named: {errors}");
    }

    #[test]
    fn broken_definitions_are_reported() {
        let mut form = screening();
        form.schema = json!({ "type": "array", "minItems": "three" });
        form.scoring.as_mut().unwrap().bands[1].from = 2;
        form.scoring.as_mut().unwrap().items.push("comment".into());
        let problems: Vec<String> = form.problems().iter().map(|p| p.message.clone()).collect();
        assert_eq!(problems.len(), 6, "{problems:?}");
    }

    #[test]
    fn a_referral_is_valid_when_any_set_is_complete() {
        let rules = ReferralRules {
            valid_when: vec![vec![code("form-1"), code("form-2")], vec![code("form-e"), code("form-2")]],
            sources: Vec::new(),
        };
        let only_one = [code("form-1")];
        let validity = rules.validity(only_one.iter());
        assert!(!validity.valid);
        assert_eq!(validity.missing, vec![vec![code("form-2")], vec![code("form-e"), code("form-2")]]);
        assert!(rules.validity([code("form-e"), code("form-2")].iter()).valid);
        assert!(ReferralRules::default().validity([].iter()).valid);
    }
}
