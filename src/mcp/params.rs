//! A tool call's arguments, read with clear errors: an unknown argument, a
//! wrong type or a missing required one is named in the message.

use rmcp::model::JsonObject;
use serde_json::Value;

use crate::core::store::Scope;

pub struct Params<'a> {
    arguments: &'a JsonObject,
}

impl<'a> Params<'a> {
    /// The arguments of a call to a tool taking `known` ones.
    pub fn new(arguments: &'a JsonObject, known: &[&str]) -> Result<Params<'a>, String> {
        if let Some(unknown) = arguments.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!(
                "unknown argument {unknown:?}; this tool takes {}",
                known.join(", ")
            ));
        }
        Ok(Params { arguments })
    }

    pub fn text(&self, name: &str) -> Result<Option<&'a str>, String> {
        match self.arguments.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(format!("{name} must be a string, not {other}")),
        }
    }

    pub fn required_text(&self, name: &str) -> Result<&'a str, String> {
        self.text(name)?
            .ok_or_else(|| format!("{name} is required"))
    }

    pub fn number(&self, name: &str) -> Result<Option<u64>, String> {
        match self.arguments.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("{name} must be a whole number ≥ 0, not {value}")),
        }
    }

    /// A count such as `limit`: `default` when left out, at most `max`.
    pub fn limit(&self, name: &str, default: usize, max: usize) -> Result<usize, String> {
        match self.number(name)? {
            None => Ok(default),
            Some(0) => Err(format!("{name} must be at least 1")),
            Some(n) => Ok((n as usize).min(max)),
        }
    }

    pub fn texts(&self, name: &str) -> Result<Vec<String>, String> {
        match self.arguments.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("{name} must list strings, not {item}"))
                })
                .collect(),
            Some(other) => Err(format!("{name} must be a list of strings, not {other}")),
        }
    }

    /// `stream`, else `category`, else the whole store.
    pub fn scope(&self) -> Result<Scope, String> {
        match (self.text("stream")?, self.text("category")?) {
            (Some(_), Some(_)) => Err("give stream or category, not both".into()),
            (Some(stream), None) => Ok(Scope::Stream(stream.to_string())),
            (None, Some(category)) => Ok(Scope::Category(category.to_string())),
            (None, None) => Ok(Scope::All),
        }
    }
}
