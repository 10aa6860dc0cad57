//! Deserialisers that make the models tolerant of what the real API sends.
//!
//! They are hand-written visitors rather than `#[serde(untagged)]` enums: an untagged enum
//! buffers every value into serde's generic `Content` and builds (and formats) an error for each
//! variant that does not match, which made these few fields the most expensive part of decoding
//! a page of 1,000 connection reports. A visitor accepts each JSON shape directly, and borrows
//! strings from the input where the deserializer allows it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Parses an RFC 3339 timestamp with or without fractional seconds; a timestamp without an
/// offset is taken as UTC (the API documents UTC everywhere).
pub(crate) fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    if let Some(t) = parse_timestamp_fast(s.as_bytes()) {
        return Some(t);
    }
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

/// The shapes the API actually sends, `YYYY-MM-DDTHH:MM:SS` with an optional fraction of 1–9
/// digits and an optional `Z` or `±HH:MM`, parsed by hand. Anything else (leap seconds, a lower
/// case `t`/`z`, a space separator, surrounding blanks, ...) returns `None` and goes through the
/// general parsers of [`parse_timestamp`], which accept exactly the same values this does, so
/// the fast path changes the cost, never the result.
fn parse_timestamp_fast(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let two = |i: usize| two_digits(b[i], b[i + 1]);
    let year = two(0)? * 100 + two(2)?;
    let (month, day) = (two(5)?, two(8)?);
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    if second > 59 {
        // A leap second: chrono folds it into the nanoseconds; let it do so.
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some((b'.', tail)) = rest.split_first() {
        let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        for &c in &tail[..digits] {
            nanos = nanos * 10 + u32::from(c - b'0');
        }
        nanos *= 10u32.pow(9 - digits as u32);
        rest = &tail[digits..];
    }
    let offset_seconds: i64 = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (two_digits(rest[1], rest[2])?, two_digits(rest[4], rest[5])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let magnitude = i64::from(oh * 3600 + om * 60);
            if *sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return None,
    };
    let local = NaiveDate::from_ymd_opt(year as i32, month, day)?
        .and_hms_nano_opt(hour, minute, second, nanos)?;
    Some(
        local
            .checked_sub_signed(TimeDelta::seconds(offset_seconds))?
            .and_utc(),
    )
}

fn two_digits(h: u8, l: u8) -> Option<u32> {
    let (h, l) = (h.wrapping_sub(b'0'), l.wrapping_sub(b'0'));
    (h < 10 && l < 10).then(|| u32::from(h) * 10 + u32::from(l))
}

/// `Option<DateTime<Utc>>` from a string, null, or absent field; an empty string is `None`.
pub(crate) fn opt_timestamp<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    struct OptTimestamp;

    impl<'de> Visitor<'de> for OptTimestamp {
        type Value = Option<DateTime<Utc>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC 3339 timestamp or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_str(self)
        }

        // `visit_borrowed_str` and `visit_string` forward here by default, so the text is
        // parsed where it lies in the input (no `String` per timestamp).
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            if let Some(t) = parse_timestamp_fast(s.as_bytes()) {
                return Ok(Some(t));
            }
            match s.trim() {
                "" => Ok(None),
                t => parse_timestamp(t)
                    .map(Some)
                    .ok_or_else(|| E::custom(format!("invalid timestamp {t:?}"))),
            }
        }
    }

    d.deserialize_option(OptTimestamp)
}

/// A string field that the API may also send as a number (for example `deviceid`).
pub(crate) fn opt_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    struct StringOrNumber;

    impl<'de> Visitor<'de> for StringOrNumber {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, a number or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(s.to_owned()))
        }

        fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
            Ok(Some(s))
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }

        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
    }

    d.deserialize_option(StringOrNumber)
}

/// A number field that may arrive as a string (`"12.50"`) or be absent.
pub(crate) fn opt_f64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct Lenient;

    impl<'de> Visitor<'de> for Lenient {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number, a numeric string or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }

        fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
            Ok(Some(n))
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(n as f64))
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(n as f64))
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            match s.trim() {
                "" => Ok(None),
                t => t
                    .parse()
                    .map(Some)
                    .map_err(|_| E::custom(format!("invalid number {s:?}"))),
            }
        }
    }

    d.deserialize_option(Lenient)
}

/// An API enum sent as a name (any case) or as its integer code: `from_str` gets the text,
/// `from_int` the number.
pub(crate) fn str_or_int<'de, D: Deserializer<'de>, T>(
    d: D,
    from_str: fn(&str) -> T,
    from_int: fn(i64) -> T,
) -> Result<T, D::Error> {
    struct StrOrInt<T> {
        from_str: fn(&str) -> T,
        from_int: fn(i64) -> T,
    }

    impl<T> Visitor<'_> for StrOrInt<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a name or an integer code")
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
            Ok((self.from_str)(s))
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
            Ok((self.from_int)(n))
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
            i64::try_from(n)
                .map(self.from_int)
                .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(n), &self))
        }
    }

    d.deserialize_any(StrOrInt { from_str, from_int })
}

/// Records per page of `GET /reports/connections` at most (the API's documented page size).
const REPORT_PAGE_RECORDS: usize = 1_000;

/// The `records` array of a report page, collected into a vector that has room for a full
/// page from the start: serde's own `Vec` grows from nothing by doubling (JSON gives no length
/// up front), which moves every record of a 1,000-record page several times.
pub(crate) fn page_records<'de, D: Deserializer<'de>, T: de::Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    struct Records<T>(std::marker::PhantomData<T>);

    impl<'de, T: de::Deserialize<'de>> Visitor<'de> for Records<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of records")
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut records = Vec::with_capacity(
                seq.size_hint()
                    .unwrap_or(REPORT_PAGE_RECORDS)
                    .min(REPORT_PAGE_RECORDS),
            );
            while let Some(record) = seq.next_element()? {
                records.push(record);
            }
            Ok(records)
        }
    }

    d.deserialize_seq(Records(std::marker::PhantomData))
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
    use serde::Deserialize;
    use serde_json::json;

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

    /// The general parsers exactly as they were before the fast path existed.
    fn reference(s: &str) -> Option<DateTime<Utc>> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(t.with_timezone(&Utc));
        }
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|fmt| NaiveDateTime::parse_from_str(s, fmt).ok())
            .map(|t| t.and_utc())
    }

    #[test]
    fn fast_path_agrees_with_the_general_parsers() {
        let inputs = [
            "2017-02-03T14:10:50Z",
            "2017-02-03T14:10:50.1Z",
            "2017-02-03T14:10:50.123456789Z",
            "2017-02-03T14:10:50.1234567891Z",
            "2017-02-03T14:10:50.Z",
            "2017-02-03T00:10:50+02:30",
            "2017-02-03T23:10:50-05:00",
            "2017-02-03T23:10:50-00:00",
            "2017-02-03T23:10:50+24:00",
            "2017-02-03T23:10:50+0200",
            "2017-02-03t14:10:50z",
            "2017-02-03 14:10:50",
            " 2017-02-03T14:10:50Z ",
            "2016-12-31T23:59:60Z",
            "2017-02-29T14:10:50Z",
            "2016-02-29T14:10:50Z",
            "2017-13-03T14:10:50Z",
            "2017-02-03T24:00:00Z",
            "2017-02-03T14:60:00Z",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2017-02-03T14:10:50ZZ",
            "2017-02-03T14:10:5",
            "2017-02-03T14:10:50.5",
            "２017-02-03T14:10:50Z",
            "",
        ];
        for input in inputs {
            assert_eq!(
                parse_timestamp(input),
                reference(input),
                "{input:?}: the fast path must not change what parses, or to what"
            );
        }
    }

    #[derive(Debug, Deserialize)]
    struct Tolerant {
        #[serde(default, deserialize_with = "opt_timestamp")]
        at: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "opt_string_or_number")]
        text: Option<String>,
        #[serde(default, deserialize_with = "opt_f64_lenient")]
        number: Option<f64>,
    }

    fn tolerant(v: serde_json::Value) -> Result<Tolerant, String> {
        // Both the borrowing (`from_str`) and the owning (`from_value`) deserializers.
        let text = v.to_string();
        let a = serde_json::from_str::<Tolerant>(&text).map_err(|e| e.to_string());
        let b = serde_json::from_value::<Tolerant>(v).map_err(|e| e.to_string());
        assert_eq!(a.is_ok(), b.is_ok(), "{text}: {a:?} vs {b:?}");
        a
    }

    #[test]
    fn lenient_fields_accept_every_wire_shape() {
        let t = tolerant(json!({})).unwrap();
        assert!(t.at.is_none() && t.text.is_none() && t.number.is_none());
        let t = tolerant(json!({"at": null, "text": null, "number": null})).unwrap();
        assert!(t.at.is_none() && t.text.is_none() && t.number.is_none());
        let t = tolerant(json!({"at": " ", "text": "", "number": " "})).unwrap();
        assert_eq!(
            (t.at, t.text.as_deref(), t.number),
            (None, Some(""), None),
            "blank timestamps and numbers are absent, an empty text stays text"
        );
        let t = tolerant(json!({"at": "2017-02-03T14:10:50Z", "text": 123456789, "number": 12}))
            .unwrap();
        assert_eq!(t.at, parse_timestamp("2017-02-03T14:10:50Z"));
        assert_eq!(t.text.as_deref(), Some("123456789"));
        assert_eq!(t.number, Some(12.0));
        let t = tolerant(json!({"text": -5, "number": "12.50"})).unwrap();
        assert_eq!((t.text.as_deref(), t.number), (Some("-5"), Some(12.5)));
        let t = tolerant(json!({"text": u64::MAX, "number": 1234.56})).unwrap();
        assert_eq!(
            (t.text.as_deref(), t.number),
            (Some("18446744073709551615"), Some(1234.56))
        );
        let t = tolerant(json!({"text": 1.5, "number": " 7 "})).unwrap();
        assert_eq!((t.text.as_deref(), t.number), (Some("1.5"), Some(7.0)));
        let t = tolerant(json!({"text": "a\"b\\u00e4"})).unwrap();
        assert_eq!(t.text.as_deref(), Some("a\"b\\u00e4"), "escapes decoded");
        let t = serde_json::from_str::<Tolerant>(r#"{"text": "\u00e4\n"}"#).unwrap();
        assert_eq!(t.text.as_deref(), Some("ä\n"), "escaped strings are owned");

        for bad in [
            json!({"at": "03.02.2017"}),
            json!({"at": 5}),
            json!({"text": true}),
            json!({"text": {"x": 1}}),
            json!({"number": "twelve"}),
            json!({"number": [1]}),
        ] {
            assert!(tolerant(bad.clone()).is_err(), "{bad} must be refused");
        }
        let e = tolerant(json!({"at": "yesterday"})).unwrap_err();
        assert!(e.contains("invalid timestamp \"yesterday\""), "{e}");
        let e = tolerant(json!({"number": "x1"})).unwrap_err();
        assert!(e.contains("invalid number \"x1\""), "{e}");
    }
}
