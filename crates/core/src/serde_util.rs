//! Deserialisers that make the models tolerant of what the real API sends.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Parses an RFC 3339 timestamp with or without fractional seconds; a timestamp without an
/// offset is taken as UTC (the API documents UTC everywhere).
pub(crate) fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc());
        }
    }
    None
}

/// `Option<DateTime<Utc>>` from a string, null, or absent field; an empty string is `None`.
pub(crate) fn opt_timestamp<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => parse_timestamp(s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}"))),
    }
}

/// A string field that the API may also send as a number (for example `deviceid`).
pub(crate) fn opt_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        I(i64),
        U(u64),
        F(f64),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::S(s)) => Some(s),
        Some(Raw::I(i)) => Some(i.to_string()),
        Some(Raw::U(u)) => Some(u.to_string()),
        Some(Raw::F(f)) => Some(f.to_string()),
    })
}

/// A number field that may arrive as a string (`"12.50"`) or be absent.
pub(crate) fn opt_f64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        F(f64),
        S(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::F(f)) => Ok(Some(f)),
        Some(Raw::S(s)) if s.trim().is_empty() => Ok(None),
        Some(Raw::S(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("invalid number {s:?}"))),
    }
}

/// A string or an integer, as used by the API's enums.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum StrOrInt {
    Str(String),
    Int(i64),
}

/// Serialises `Option<DateTime<Utc>>` as `YYYY-MM-DDTHH:MM:SSZ`, the API's own format.
pub(crate) mod api_time {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::Serializer;

    pub(crate) fn serialize<S: Serializer>(
        t: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_fraction_or_offset() {
        let cases = [
            ("2017-02-03T14:10:50Z", "2017-02-03T14:10:50+00:00"),
            ("2017-02-03T14:10:50.123Z", "2017-02-03T14:10:50.123+00:00"),
            ("2017-02-03T16:10:50+02:00", "2017-02-03T14:10:50+00:00"),
            ("2017-02-03T14:10:50", "2017-02-03T14:10:50+00:00"),
            ("2017-02-03T14:10:50.5", "2017-02-03T14:10:50.500+00:00"),
        ];
        for (input, want) in cases {
            let got = parse_timestamp(input).map(|t| t.to_rfc3339());
            assert_eq!(
                got.as_deref(),
                Some(want),
                "{input} is a timestamp the API may send and must parse as UTC"
            );
        }
        assert!(
            parse_timestamp("03.02.2017").is_none(),
            "garbage must not parse"
        );
    }
}
