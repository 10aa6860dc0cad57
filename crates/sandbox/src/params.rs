//! Request parameters from a query string, a form body or a flat JSON object, read by name.
//!
//! Parsed by hand (not with axum's `Query`/`Form` extractors) so that malformed input gets the
//! API's JSON `invalid_request` error instead of axum's plain-text rejection, and unknown
//! parameters are ignored.

use crate::error::ApiError;
use crate::wire::wire_time;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::collections::HashMap;
use url::form_urlencoded;

/// Name → value; a repeated name keeps its last value, and an empty value counts as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    /// From a URL query string (`None` = no query).
    pub(crate) fn from_query(raw: Option<&str>) -> Self {
        Self::from_form(raw.unwrap_or_default().as_bytes())
    }

    /// From an `application/x-www-form-urlencoded` body.
    pub(crate) fn from_form(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .filter(|(_, value)| !value.is_empty())
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    /// From a flat JSON object: strings as they are, numbers and booleans as their JSON text,
    /// `null` as absent. Anything else is `invalid_request`.
    pub(crate) fn from_json(body: &[u8]) -> Result<Self, ApiError> {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
            .map_err(|err| {
                ApiError::invalid_request(format!("body is not a JSON object: {err}"))
            })?;
        let mut params = HashMap::new();
        for (name, value) in object {
            let text = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(text) => text,
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => value.to_string(),
                _ => {
                    return Err(ApiError::invalid_request(format!(
                        "{name} must be a string"
                    )))
                }
            };
            if !text.is_empty() {
                params.insert(name, text);
            }
        }
        Ok(Self(params))
    }

    /// The value of `name`, if present and not empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value of `name` read by `parse`; a value `parse` rejects is `invalid_request`
    /// naming `expected`.
    pub(crate) fn parsed<T>(
        &self,
        name: &str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|text| {
                parse(text).ok_or_else(|| {
                    ApiError::invalid_request(format!("{name} must be {expected}, got {text:?}"))
                })
            })
            .transpose()
    }

    /// A `true`/`false` flag (case-insensitive; `1`/`0` too).
    pub(crate) fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.parsed(name, "true or false", parse_bool)
    }

    /// A timestamp, see [`parse_instant`].
    pub(crate) fn instant(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.parsed(name, "an ISO 8601 timestamp", parse_instant)
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") || text == "1" {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") || text == "0" {
        Some(false)
    } else {
        None
    }
}

/// Reads RFC 3339 (`2024-01-02T03:04:05Z`, any offset, optional fraction), a timestamp without
/// offset (taken as UTC), or a bare date (midnight UTC).
pub(crate) fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    wire_time::parse(text)
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|naive| naive.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .map(|naive| naive.and_utc())
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn query_keeps_last_value_and_drops_empty_ones() {
        let params = Params::from_query(Some("a=1&a=2&b=&c=x%20y+z"));
        assert_eq!(
            params.get("a"),
            Some("2"),
            "a repeated name keeps its last value"
        );
        assert_eq!(params.get("b"), None, "an empty value counts as absent");
        assert_eq!(params.get("c"), Some("x y z"), "values are form-decoded");
    }

    #[test]
    fn json_scalars_become_text() {
        let params =
            Params::from_json(br#"{"grant_type":0,"flag":true,"s":"v","n":null}"#).unwrap();
        assert_eq!(
            params.get("grant_type"),
            Some("0"),
            "numbers keep their JSON text"
        );
        assert_eq!(
            params.get("flag"),
            Some("true"),
            "booleans keep their JSON text"
        );
        assert_eq!(params.get("n"), None, "null is absent");
        assert!(
            Params::from_json(br#"{"a":[1]}"#).is_err(),
            "nested values are rejected"
        );
    }

    #[test]
    fn instants_in_several_forms() {
        for text in [
            "2024-01-02T03:04:05Z",
            "2024-01-02T03:04:05.000Z",
            "2024-01-02T04:04:05+01:00",
            "2024-01-02T03:04:05",
        ] {
            assert_eq!(
                parse_instant(text).map(|t| t.to_rfc3339()),
                Some("2024-01-02T03:04:05+00:00".to_owned()),
                "{text} is the same instant"
            );
        }
        assert!(
            parse_instant("2024-01-02").is_some(),
            "a bare date is midnight UTC"
        );
        assert!(
            parse_instant("yesterday").is_none(),
            "free text is not a date"
        );
    }
}
