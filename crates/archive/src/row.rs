//! One archived record: the typed columns the queries use, and the full JSON.

use chrono::{DateTime, NaiveDateTime, Utc};
use sdesk_core::logs::{column_text, Column};
use sdesk_core::models::ConnectionReport;
use sdesk_core::{Error, Result};
use serde_json::Value;

/// A connection report as stored: typed columns plus `json`, the record as the API sent it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub id: String,
    pub userid: Option<String>,
    pub username: Option<String>,
    pub contact_id: Option<String>,
    pub deviceid: Option<String>,
    pub devicename: Option<String>,
    pub groupid: Option<String>,
    pub groupname: Option<String>,
    pub support_session_type: Option<String>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    pub fee: Option<f64>,
    pub currency: Option<String>,
    pub billing_state: Option<String>,
    pub notes: Option<String>,
    pub session_code: Option<String>,
    pub session_created_at: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub assigned_userid: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub session_note: Option<String>,
    pub custom_api: Option<String>,
    pub end_customer_name: Option<String>,
    pub end_customer_email: Option<String>,
    pub feedback_rating: Option<i64>,
    pub feedback_comment: Option<String>,
    pub search_text: String,
    /// The record's JSON, keys sorted.
    pub json: String,
    /// The same, parsed: what "changed" is decided on.
    pub value: Value,
}

/// Separates the fields inside `search_text`, so a search never matches across two fields.
const SEP: char = '\u{1f}';

impl Row {
    /// The row of `record`, whose wire JSON is `raw` (fields the model does not type yet, such
    /// as `assigned_userid`, are read from `raw`).
    pub fn new(record: &ConnectionReport, raw: Value) -> Result<Row> {
        let text = |key: &str| {
            raw.get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .filter(|s| !s.is_empty())
        };
        let time = |key: &str| raw.get(key).and_then(Value::as_str).and_then(parse_time);
        let mut search_text = String::new();
        for column in Column::ALL.into_iter().filter(|c| c.is_text()) {
            push_search(&mut search_text, &column_text(record, column));
        }
        let comment = record
            .feedback
            .as_ref()
            .and_then(|f| f.user_comment.as_ref());
        for extra in [
            record.session_note.as_ref(),
            record.custom_api.as_ref(),
            comment,
        ]
        .into_iter()
        .flatten()
        {
            push_search(&mut search_text, extra);
        }
        let session_created_at = time("session_created_at");
        let valid_until = time("valid_until");
        let assigned_userid = text("assigned_userid");
        let assigned_at = time("assigned_at");
        // The typed fields are read; `raw` itself becomes the stored JSON (no copy).
        let value = canonical(raw);
        let json = serde_json::to_string(&value).map_err(|e| Error::Decode {
            message: format!("cannot store report {}: {e}", record.id),
            body: String::new(),
        })?;
        Ok(Row {
            id: record.id.clone(),
            userid: record.userid.clone(),
            username: record.username.clone(),
            contact_id: record.contact_id.clone(),
            deviceid: record.deviceid.clone(),
            devicename: record.devicename.clone(),
            groupid: record.groupid.clone(),
            groupname: record.groupname.clone(),
            support_session_type: record
                .support_session_type
                .as_ref()
                .map(|t| t.as_str().to_owned()),
            start_date: record.start_date,
            end_date: record.end_date,
            fee: record.fee,
            currency: record.currency.clone(),
            billing_state: record.billing_state.clone(),
            notes: record.notes.clone(),
            session_code: record.session_code.clone(),
            session_created_at,
            valid_until,
            assigned_userid,
            assigned_at,
            session_note: record.session_note.clone(),
            custom_api: record.custom_api.clone(),
            end_customer_name: record.end_customer.as_ref().and_then(|c| c.name.clone()),
            end_customer_email: record.end_customer.as_ref().and_then(|c| c.email.clone()),
            feedback_rating: record.feedback.as_ref().and_then(|f| f.session_rating),
            feedback_comment: record
                .feedback
                .as_ref()
                .and_then(|f| f.user_comment.clone()),
            search_text,
            json,
            value,
        })
    }

    /// Whether the stored JSON `old` has this row's content. The stored text is the same
    /// canonical serialisation (keys sorted) as `json`, so equal text is the common answer and
    /// needs no parsing; a different text is parsed and compared as JSON, so that a mere
    /// difference of formatting (an archive written by an older version) never counts as a
    /// change.
    pub fn same_content(&self, old: &str) -> bool {
        old == self.json || serde_json::from_str::<Value>(old).is_ok_and(|v| v == self.value)
    }

    /// The row of a record that has no wire JSON (an import, a test's fake pager): the JSON is
    /// the model's own serialisation.
    pub fn from_record(record: &ConnectionReport) -> Result<Row> {
        let raw = serde_json::to_value(record).map_err(|e| Error::Decode {
            message: format!("cannot store report {}: {e}", record.id),
            body: String::new(),
        })?;
        Self::new(record, raw)
    }
}

fn push_search(out: &mut String, text: &str) {
    let t = text.trim();
    if t.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(SEP);
    }
    out.push_str(&t.to_lowercase().replace(SEP, " "));
}

/// The needle of a free-text search: trimmed and lowercased like `search_text`; `None` if blank.
pub(crate) fn search_needle(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_lowercase().replace(SEP, " "))
}

/// `raw` with every object's keys sorted (recursively), whatever map type serde_json uses.
fn canonical(raw: Value) -> Value {
    match raw {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// An API timestamp: RFC 3339, or without an offset (then UTC).
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

/// A time as the SQLite schema stores it ([`sqlite_time`]'s `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`),
/// read field by field: a billing read parses two per record, and the general RFC 3339 parser
/// was a visible share of reading 1,000,000. Any other text goes to [`parse_time`].
pub(crate) fn parse_stored_time(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let fixed = b.len() == 30
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[29] == b'Z';
    if !fixed {
        return parse_time(s);
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date =
        chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    let nanos = num(20..29)?;
    if nanos >= 1_000_000_000 {
        return parse_time(s);
    }
    Some(
        date.and_hms_nano_opt(num(11..13)?, num(14..16)?, num(17..19)?, nanos)?
            .and_utc(),
    )
}

/// The fixed-width UTC text the SQLite schema stores (text order = time order).
///
/// Written field by field (a sync writes four per record; chrono's format string parser was a
/// visible share of a first sync); years outside 0–9999 and leap seconds keep chrono's own
/// spelling.
pub(crate) fn sqlite_time(t: &DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    if !(0..=9999).contains(&t.year()) || t.nanosecond() >= 1_000_000_000 {
        return t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sqlite_time_is_the_fixed_width_text_chrono_would_write() {
        for text in [
            "2026-11-29T20:41:34Z",
            "2026-01-02T03:04:05.000000001Z",
            "1999-12-31T23:59:59.999Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.123456789Z",
        ] {
            let t = parse_time(text).unwrap();
            assert_eq!(
                sqlite_time(&t),
                t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string(),
                "{text}: the stored text must not change (its order is the time order)"
            );
        }
        // A leap second (nanoseconds ≥ 1e9) keeps chrono's spelling too.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        assert_eq!(
            sqlite_time(&leap),
            leap.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
        );
    }

    fn report(raw: &Value) -> ConnectionReport {
        serde_json::from_value(raw.clone()).unwrap()
    }

    #[test]
    fn row_keeps_fields_the_model_does_not_type() {
        let raw = json!({
            "id": "r1", "start_date": "2024-01-02T03:04:05Z", "assigned_userid": "u7",
            "assigned_at": "2024-01-02T03:00:00Z", "valid_until": "2024-01-03T03:00:00Z",
            "session_created_at": "2024-01-02T02:59:00Z", "brand_new": {"z": 1, "a": 2},
            "end_customer": {"name": "Jörg", "email": "j@example.com"},
            "feedback": {"session_rating": 4, "user_comment": "Quick HELP"},
            "session_note": "Printer", "custom_api": "ticket-77"
        });
        let row = Row::new(&report(&raw), raw.clone()).unwrap();
        assert_eq!(
            row.assigned_userid.as_deref(),
            Some("u7"),
            "from the raw JSON"
        );
        assert!(row.assigned_at.is_some() && row.valid_until.is_some());
        assert!(row.session_created_at.is_some());
        assert_eq!(
            row.value, raw,
            "the full JSON is kept, unknown fields included"
        );
        assert!(
            row.json.find("\"a\"").unwrap() < row.json.find("\"z\"").unwrap(),
            "keys are stored sorted: {}",
            row.json
        );
        assert_eq!(row.end_customer_name.as_deref(), Some("Jörg"));
        assert_eq!(row.feedback_rating, Some(4));
        for needle in ["jörg", "quick help", "printer", "ticket-77"] {
            assert!(
                row.search_text.contains(needle),
                "{needle} is searchable: {:?}",
                row.search_text
            );
        }
    }

    #[test]
    fn same_content_compares_json_not_formatting() {
        let raw = json!({"id": "r1", "notes": "a", "start_date": "2024-01-02T03:04:05Z"});
        let row = Row::new(&report(&raw), raw.clone()).unwrap();
        assert!(
            row.same_content(&row.json),
            "the stored text of the row itself"
        );
        assert!(
            row.same_content(
                "{ \"start_date\": \"2024-01-02T03:04:05Z\", \"notes\": \"a\", \"id\": \"r1\" }"
            ),
            "other key order and spacing is the same content"
        );
        assert!(
            !row.same_content(r#"{"id":"r1","notes":"b","start_date":"2024-01-02T03:04:05Z"}"#),
            "a changed field is a change"
        );
        assert!(
            !row.same_content("not json"),
            "unreadable stored text is a change"
        );
    }

    #[test]
    fn stored_times_parse_as_the_general_parser_parses_them() {
        for text in [
            "2026-11-29T20:41:34.000000000Z",
            "2026-01-02T03:04:05.000000001Z",
            "1999-12-31T23:59:59.999000000Z",
            "0001-01-01T00:00:00.000000000Z",
            "9999-12-31T23:59:59.123456789Z",
            "2024-02-29T12:00:00.500000000Z",
            // Not the stored form: the general parser's answer (or none).
            "2024-02-30T12:00:00.000000000Z",
            "2024-01-02T03:04:05Z",
            "2024-01-02T03:04:05+02:00",
            "2024-01-02T03:04:05.5",
            "2024-01-02T03:04:6x.000000000Z",
            "",
        ] {
            assert_eq!(
                parse_stored_time(text),
                parse_time(text),
                "{text:?}: the fast path must agree with parse_time"
            );
        }
        let t = parse_time("2026-11-29T20:41:34.25Z").unwrap();
        assert_eq!(parse_stored_time(&sqlite_time(&t)), Some(t), "round trip");
    }

    #[test]
    fn sqlite_time_sorts_as_text() {
        let a = parse_time("2024-01-02T03:04:05Z").unwrap();
        let b = parse_time("2024-01-02T03:04:05.5Z").unwrap();
        let c = parse_time("2024-01-02T03:04:06").unwrap();
        assert!(sqlite_time(&a) < sqlite_time(&b) && sqlite_time(&b) < sqlite_time(&c));
        assert_eq!(sqlite_time(&a).len(), sqlite_time(&b).len(), "fixed width");
    }
}
