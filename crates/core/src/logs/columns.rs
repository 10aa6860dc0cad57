//! The columns of the connection log (the CSV columns, in CSV order) and how a record's value in
//! each column is rendered as text. The store, the UI rows and the CSV export all use the same
//! rendering, so what the user filters on is what they see and what they export.

use crate::models::ConnectionReport;
use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write as _};
use std::str::FromStr;

/// One column of the connection log. The serde names (snake_case) are exactly the CSV header
/// names, and [`Column::ALL`] is the CSV column order.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// `id`: report id.
    Id,
    /// `start_date`: start of the connection (UTC).
    StartDate,
    /// `end_date`: end of the connection (UTC).
    EndDate,
    /// `duration_seconds`: end − start in whole seconds (computed).
    DurationSeconds,
    /// `userid`: supporter account id.
    Userid,
    /// `username`: supporter name.
    Username,
    /// `deviceid`: TeamViewer ID of the remote device.
    Deviceid,
    /// `devicename`: remote device name.
    Devicename,
    /// `groupid`: group id.
    Groupid,
    /// `groupname`: group name.
    Groupname,
    /// `support_session_type`: the API's name of the connection kind.
    SupportSessionType,
    /// `session_code`: the session code the connection belongs to.
    SessionCode,
    /// `end_customer_name`: the customer's name.
    EndCustomerName,
    /// `end_customer_email`: the customer's e-mail.
    EndCustomerEmail,
    /// `billing_state`: billing state (editable).
    BillingState,
    /// `fee`: fee as a plain decimal.
    Fee,
    /// `currency`: currency of the fee.
    Currency,
    /// `notes`: notes (editable).
    Notes,
    /// `contact_id`: contact id.
    ContactId,
}

/// Number of columns.
pub(crate) const COLUMN_COUNT: usize = 19;

impl Column {
    /// Every column, in CSV order.
    pub const ALL: [Column; COLUMN_COUNT] = [
        Column::Id,
        Column::StartDate,
        Column::EndDate,
        Column::DurationSeconds,
        Column::Userid,
        Column::Username,
        Column::Deviceid,
        Column::Devicename,
        Column::Groupid,
        Column::Groupname,
        Column::SupportSessionType,
        Column::SessionCode,
        Column::EndCustomerName,
        Column::EndCustomerEmail,
        Column::BillingState,
        Column::Fee,
        Column::Currency,
        Column::Notes,
        Column::ContactId,
    ];

    /// The CSV header name (equal to the serde name).
    pub const fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::StartDate => "start_date",
            Column::EndDate => "end_date",
            Column::DurationSeconds => "duration_seconds",
            Column::Userid => "userid",
            Column::Username => "username",
            Column::Deviceid => "deviceid",
            Column::Devicename => "devicename",
            Column::Groupid => "groupid",
            Column::Groupname => "groupname",
            Column::SupportSessionType => "support_session_type",
            Column::SessionCode => "session_code",
            Column::EndCustomerName => "end_customer_name",
            Column::EndCustomerEmail => "end_customer_email",
            Column::BillingState => "billing_state",
            Column::Fee => "fee",
            Column::Currency => "currency",
            Column::Notes => "notes",
            Column::ContactId => "contact_id",
        }
    }

    /// Whether the column holds text that came from the server or a user (searched by the free
    /// text filter, formula-escaped in CSV). The others (`start_date`, `end_date`,
    /// `duration_seconds`, `fee`) are values this program formats itself.
    pub const fn is_text(self) -> bool {
        !matches!(
            self,
            Column::StartDate | Column::EndDate | Column::DurationSeconds | Column::Fee
        )
    }

    /// The column with this CSV/serde name (`"end_customer_name"`), if any.
    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Position in [`Column::ALL`].
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Column {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Column::from_name(s.trim())
            .ok_or_else(|| crate::Error::invalid("column", format!("unknown column {s:?}")))
    }
}

/// A record's value in one column, before rendering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    /// Absent.
    Empty,
    /// Text from the server or a user.
    Text(&'a str),
    /// A timestamp.
    Time(DateTime<Utc>),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
}

impl Cell<'_> {
    /// Appends the display text (the same text the CSV holds, before formula escaping).
    pub(crate) fn write_display(&self, out: &mut String) {
        match *self {
            Cell::Empty => {}
            Cell::Text(s) => out.push_str(s),
            Cell::Time(t) => push_timestamp(out, &t),
            Cell::Int(n) => out.push_str(IntText::new(n).as_str()),
            // `Display` of f64 never uses an exponent: 1e21 prints all digits, 1e-7 as 0.0000001.
            Cell::Float(f) if f.is_finite() => {
                let _ = write!(out, "{f}");
            }
            Cell::Float(_) => {}
        }
    }

    /// The display text as a new string.
    pub(crate) fn display(&self) -> String {
        let mut s = String::new();
        self.write_display(&mut s);
        s
    }
}

fn text(v: &Option<String>) -> Cell<'_> {
    match v.as_deref() {
        Some(s) => Cell::Text(s),
        None => Cell::Empty,
    }
}

/// The value of `record` in `column`.
#[inline(always)]
pub(crate) fn cell(record: &ConnectionReport, column: Column) -> Cell<'_> {
    let customer = record.end_customer.as_ref();
    match column {
        Column::Id => Cell::Text(&record.id),
        Column::StartDate => record.start_date.map_or(Cell::Empty, Cell::Time),
        Column::EndDate => record.end_date.map_or(Cell::Empty, Cell::Time),
        Column::DurationSeconds => record.duration_seconds().map_or(Cell::Empty, Cell::Int),
        Column::Userid => text(&record.userid),
        Column::Username => text(&record.username),
        Column::Deviceid => text(&record.deviceid),
        Column::Devicename => text(&record.devicename),
        Column::Groupid => text(&record.groupid),
        Column::Groupname => text(&record.groupname),
        Column::SupportSessionType => record
            .support_session_type
            .as_ref()
            .map_or(Cell::Empty, |t| Cell::Text(t.as_str())),
        Column::SessionCode => text(&record.session_code),
        Column::EndCustomerName => customer.map_or(Cell::Empty, |c| text(&c.name)),
        Column::EndCustomerEmail => customer.map_or(Cell::Empty, |c| text(&c.email)),
        Column::BillingState => text(&record.billing_state),
        Column::Fee => record.fee.map_or(Cell::Empty, Cell::Float),
        Column::Currency => text(&record.currency),
        Column::Notes => text(&record.notes),
        Column::ContactId => text(&record.contact_id),
    }
}

/// The display text of `record` in `column`: timestamps as `YYYY-MM-DDTHH:MM:SSZ`, the fee as
/// a plain decimal, absent values as the empty string. This is the CSV value before formula
/// escaping.
pub fn column_text(record: &ConnectionReport, column: Column) -> String {
    cell(record, column).display()
}

/// Appends `t` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, no fractions).
pub(crate) fn push_timestamp(out: &mut String, t: &DateTime<Utc>) {
    match timestamp_digits(t) {
        Some(text) => out.push_str(std::str::from_utf8(&text).unwrap_or_default()),
        None => {
            let _ = write!(out, "{}", t.format("%Y-%m-%dT%H:%M:%SZ"));
        }
    }
}

/// `"00"`, `"01"`, … `"99"`: two decimal digits per table lookup.
const DIGIT_PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// The two decimal digits of `v % 100`.
#[inline(always)]
fn digit_pair(v: u32) -> [u8; 2] {
    let i = (v % 100) as usize * 2;
    [DIGIT_PAIRS[i], DIGIT_PAIRS[i + 1]]
}

/// `t` as the 20 ASCII bytes `YYYY-MM-DDTHH:MM:SSZ`, formatted by hand (the formatting
/// machinery of `write!` dominated the CSV export); `None` for years outside 0–9999, which
/// need chrono's formatting.
#[inline]
pub(crate) fn timestamp_digits(t: &DateTime<Utc>) -> Option<[u8; 20]> {
    // `naive_utc` is the stored value; `date_naive`/`hour` would add the (zero) offset first.
    let utc = t.naive_utc();
    let date = utc.date();
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let seconds = utc.time().num_seconds_from_midnight();
    let [y0, y1] = digit_pair(year / 100);
    let [y2, y3] = digit_pair(year);
    let [m0, m1] = digit_pair(date.month());
    let [d0, d1] = digit_pair(date.day());
    let [h0, h1] = digit_pair(seconds / 3600);
    let [i0, i1] = digit_pair(seconds / 60 % 60);
    let [s0, s1] = digit_pair(seconds % 60);
    Some([
        y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', i0, i1, b':', s0, s1, b'Z',
    ])
}

/// The decimal text of an `i64`, formatted by hand into a stack buffer (no formatting
/// machinery, no allocation).
pub(crate) struct IntText {
    buf: [u8; 20],
    start: usize,
}

impl IntText {
    #[inline]
    pub(crate) fn new(n: i64) -> Self {
        let mut buf = [b'0'; 20];
        let mut start = buf.len();
        let mut v = n.unsigned_abs();
        while v >= 100 {
            start -= 2;
            let [hi, lo] = digit_pair((v % 100) as u32);
            buf[start] = hi;
            buf[start + 1] = lo;
            v /= 100;
        }
        if v >= 10 {
            start -= 2;
            let [hi, lo] = digit_pair(v as u32);
            buf[start] = hi;
            buf[start + 1] = lo;
        } else {
            start -= 1;
            buf[start] = b'0' + v as u8;
        }
        if n < 0 {
            start -= 1;
            buf[start] = b'-';
        }
        Self { buf, start }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

/// `t` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), the format of the CSV and of the rows.
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    let mut s = String::with_capacity(20);
    push_timestamp(&mut s, t);
    s
}

/// A duration in seconds as `h:mm:ss` (`0:05:07`, `27:00:00`); negative values get a `-`.
pub fn format_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    format!("{sign}{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_from_name() {
        for c in Column::ALL {
            let json = serde_json::to_string(&c).unwrap_or_default();
            assert_eq!(
                json,
                format!("\"{}\"", c.name()),
                "serde names must equal the CSV header names so the UI and the file agree"
            );
            assert_eq!(
                Column::from_name(c.name()),
                Some(c),
                "from_name inverts name"
            );
            assert_eq!(Column::ALL[c.index()], c, "index is the position in ALL");
        }
    }

    #[test]
    fn durations_and_timestamps_format_as_documented() {
        assert_eq!(
            format_duration(307),
            "0:05:07",
            "minutes and seconds are padded"
        );
        assert_eq!(
            format_duration(97_200),
            "27:00:00",
            "hours are not wrapped at 24"
        );
        assert_eq!(
            format_duration(-5),
            "-0:00:05",
            "negative durations keep a sign"
        );
        let t = DateTime::parse_from_rfc3339("2017-02-03T14:10:50.987Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(
            format_timestamp(&t),
            "2017-02-03T14:10:50Z",
            "fractions are dropped, UTC with Z"
        );
    }

    #[test]
    fn hand_formatting_matches_the_formatting_machinery() {
        for n in [
            0,
            7,
            -7,
            10,
            99,
            100,
            101,
            999,
            3722,
            -3722,
            99_999,
            1_000_000,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(IntText::new(n).as_str(), n.to_string(), "{n}");
        }
        for text in [
            "0000-01-01T00:00:00Z",
            "0999-12-31T23:59:59.999Z",
            "1970-01-01T00:00:00Z",
            "2016-02-29T12:34:56.5Z",
            "2016-12-31T23:59:60Z",
            "9999-12-31T23:59:59Z",
        ] {
            let t = DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default();
            // The formatting this replaced (a leap second prints as :59, as it always did).
            let reference = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
            assert_eq!(format_timestamp(&t), reference, "{text}");
        }
        let far = DateTime::<Utc>::MAX_UTC;
        assert_eq!(
            format_timestamp(&far),
            far.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "years beyond 9999 use chrono's own formatting"
        );
    }

    #[test]
    fn fee_never_uses_an_exponent() {
        for (f, want) in [
            (12.5, "12.5"),
            (1e21, "1000000000000000000000"),
            (1e-7, "0.0000001"),
        ] {
            assert_eq!(
                Cell::Float(f).display(),
                want,
                "{f} must print as a plain decimal"
            );
        }
        assert_eq!(
            Cell::Float(f64::NAN).display(),
            "",
            "non-finite fees are left empty"
        );
    }
}
