//! A service's forms as page fields: each answer of a form's JSON Schema becomes a GOV.UK
//! field (text, long text, number, date or a choice), and what comes back from the page
//! becomes answers of the right JSON type for the form's own checks.

use casework_domain::form::FormDefinition;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The control a field is shown with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Text,
    LongText,
    Number,
    Date,
    Choice,
}

/// One field of a page form.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The element id, also the anchor the error summary links to.
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub value: String,
    pub error: Option<String>,
    pub control: Control,
    /// Value and label of each choice.
    pub options: Vec<(String, String)>,
    pub required: bool,
}

impl FieldView {
    pub fn text(id: &str, name: &str, label: &str, value: String, error: Option<String>) -> FieldView {
        FieldView {
            id: id.to_owned(),
            name: name.to_owned(),
            label: label.to_owned(),
            hint: None,
            value,
            error,
            control: Control::Text,
            options: Vec::new(),
            required: true,
        }
    }

    pub fn is(&self, control: &str) -> bool {
        let own = match self.control {
            Control::Text => "text",
            Control::LongText => "long-text",
            Control::Number => "number",
            Control::Date => "date",
            Control::Choice => "choice",
        };
        own == control
    }
}

/// A form of the service as a group of page fields.
#[derive(Debug, Clone)]
pub struct FormView {
    pub code: String,
    pub name: String,
    pub fields: Vec<FieldView>,
}

/// Where a form's answers live among the page's fields: `form.<code>.<answer>`.
fn field_name(form: &FormDefinition, key: &str) -> String {
    format!("form.{}.{key}", form.code)
}

/// The element id of an answer's field, which error messages link to.
pub fn field_id(form: &str, key: &str) -> String {
    format!("form-{form}-{key}")
}

fn properties(form: &FormDefinition) -> Vec<(&String, &Value)> {
    form.schema.get("properties").and_then(Value::as_object).map(|p| p.iter().collect()).unwrap_or_default()
}

fn required(form: &FormDefinition) -> Vec<&str> {
    form.schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Turns `snake_case` answer names into labels when the schema gives no title.
fn label_of(key: &str, spec: &Value) -> String {
    spec.get("title").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| {
        let words = key.replace('_', " ");
        let mut chars = words.chars();
        chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
    })
}

/// The page fields of a form, filled with what was sent (after an error) and each field's
/// error, keyed by field id.
pub fn form_view(form: &FormDefinition, values: &BTreeMap<String, String>, errors: &[(String, String)]) -> FormView {
    let required = required(form);
    let fields = properties(form)
        .into_iter()
        .map(|(key, spec)| {
            let id = field_id(form.code.as_str(), key);
            let kind = spec.get("type").and_then(Value::as_str).unwrap_or("string");
            let choices: Vec<(String, String)> = spec
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| e.iter().map(value_text).map(|v| (v.clone(), v.replace(['-', '_'], " "))).collect())
                .unwrap_or_default();
            let (control, options) = if !choices.is_empty() {
                (Control::Choice, choices)
            } else if kind == "boolean" {
                (Control::Choice, vec![("true".to_owned(), "Yes".to_owned()), ("false".to_owned(), "No".to_owned())])
            } else if kind == "integer" || kind == "number" {
                (Control::Number, Vec::new())
            } else if spec.get("format").and_then(Value::as_str) == Some("date") {
                (Control::Date, Vec::new())
            } else if spec.get("maxLength").and_then(Value::as_u64).is_some_and(|m| m <= 200) {
                (Control::Text, Vec::new())
            } else {
                (Control::LongText, Vec::new())
            };
            let hint = match (spec.get("minimum").and_then(Value::as_i64), spec.get("maximum").and_then(Value::as_i64)) {
                (Some(low), Some(high)) => Some(format!("A number from {low} to {high}")),
                _ if control == Control::Date => Some("For example, 2027-01-31".to_owned()),
                _ => spec.get("description").and_then(Value::as_str).map(str::to_owned),
            };
            FieldView {
                error: errors.iter().find(|(anchor, _)| *anchor == id).map(|(_, message)| message.clone()),
                value: values.get(&field_name(form, key)).cloned().unwrap_or_default(),
                name: field_name(form, key),
                label: label_of(key, spec),
                hint,
                required: required.contains(&key.as_str()),
                control,
                options,
                id,
            }
        })
        .collect();
    FormView { code: form.code.to_string(), name: form.name.clone(), fields }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The answers given on the page for a form, typed as its schema says; empty fields are left
/// out so the form's own checks can say what is missing. A number that does not read as one
/// is kept as text, and the schema check then names the field.
pub fn answers(form: &FormDefinition, values: &BTreeMap<String, String>) -> Map<String, Value> {
    properties(form)
        .into_iter()
        .filter_map(|(key, spec)| {
            let given = values.get(&field_name(form, key)).map(|v| v.trim()).filter(|v| !v.is_empty())?;
            let kind = spec.get("type").and_then(Value::as_str).unwrap_or("string");
            let typed = match kind {
                "integer" => given.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(given.to_owned())),
                "number" => given.parse::<f64>().map(Value::from).unwrap_or_else(|_| Value::String(given.to_owned())),
                "boolean" => match given {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    other => Value::String(other.to_owned()),
                },
                _ => Value::String(given.to_owned()),
            };
            Some((key.clone(), typed))
        })
        .collect()
}

/// Turns a field path from a form error (`answers/q1`, `forms/0/answers/q1`) into the id of
/// the field on the page.
pub fn anchor_of(form: &str, path: &str) -> String {
    match path.split('/').skip_while(|p| *p != "answers").nth(1) {
        Some(key) if !key.is_empty() => field_id(form, key),
        _ => format!("form-{form}"),
    }
}
