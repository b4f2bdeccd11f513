//! Answers to a service's forms, made from the form's own JSON Schema: every required answer,
//! most optional ones, each of its type and within its limits (a choice from an `enum`, a
//! number between `minimum` and `maximum`, text no longer than `maxLength`).

use crate::text;
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Map, Value};

/// Answers to a form whose schema is `schema` (an object schema).
pub fn answers<R: Rng>(rng: &mut R, schema: &Value, topics: &[&str]) -> Map<String, Value> {
    match object(rng, schema, topics) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn object<R: Rng>(rng: &mut R, schema: &Value, topics: &[&str]) -> Value {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut answers = Map::new();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if required.contains(&name.as_str()) || rng.gen_bool(0.7) {
                answers.insert(name.clone(), value(rng, property, topics));
            }
        }
    }
    Value::Object(answers)
}

fn value<R: Rng>(rng: &mut R, schema: &Value, topics: &[&str]) -> Value {
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        return choices.choose(rng).cloned().unwrap_or(Value::Null);
    }
    if let Some(constant) = schema.get("const") {
        return constant.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => {
            let low = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            let high = schema.get("maximum").and_then(Value::as_i64).unwrap_or(low + 10).max(low);
            Value::from(rng.gen_range(low..=high))
        }
        Some("number") => {
            let low = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
            let high = schema.get("maximum").and_then(Value::as_f64).unwrap_or(low + 10.0).max(low);
            Value::from(rng.gen_range(low..=high))
        }
        Some("boolean") => Value::Bool(rng.gen_bool(0.5)),
        Some("array") => Value::Array(Vec::new()),
        Some("object") => object(rng, schema, topics),
        _ => {
            let limit = schema.get("maxLength").and_then(Value::as_u64).and_then(|l| usize::try_from(l).ok()).unwrap_or(500);
            let mut answer = if rng.gen_bool(0.5) {
                text::phrase(rng, topics)
            } else {
                format!("{}: presented as {}", text::phrase(rng, topics), text::feeling(rng))
            };
            if answer.chars().count() > limit {
                answer = answer.chars().take(limit).collect::<String>().trim_end().to_owned();
            }
            Value::String(answer)
        }
    }
}
