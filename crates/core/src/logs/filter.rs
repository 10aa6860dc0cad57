//! What the user filters and sorts the loaded connection log by. These types cross from the UI
//! (camelCase JSON) and are applied by [`super::LogStore::apply`].

use super::columns::Column;
use super::times::TimeDisplay;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A filter on the loaded records. Every part that is set must match (AND); an empty filter
/// matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LogFilter {
    /// Free text: every word (whitespace-separated; a `"quoted phrase"` is one word) must occur
    /// as a case-insensitive (Unicode lowercase) substring somewhere in the record's text columns
    /// (see [`Column::is_text`]), each anywhere; blank means no free-text filter.
    pub text: Option<String>,
    /// Per-column filters (see [`ColumnFilter`]). Blank values are ignored.
    pub columns: Vec<ColumnFilter>,
    /// Only records whose `start_date` is at or after this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Only records whose `start_date` is before this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// How the view shows dates: column filters on `start_date` and `end_date` match that text
    /// (`29.11.2026, 14:02` in local time). Without one (or with an unusable one) they match
    /// the RFC 3339 UTC text the CSV holds.
    pub times: Option<TimeDisplay>,
}

impl LogFilter {
    /// A filter with only free text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }

    /// Adds a per-column filter.
    pub fn with_column(mut self, column: Column, value: impl Into<String>) -> Self {
        self.columns.push(ColumnFilter {
            column,
            value: value.into(),
            exact: false,
        });
        self
    }

    /// Adds an exact-value filter (a pick list's choice).
    pub fn with_exact(mut self, column: Column, value: impl Into<String>) -> Self {
        self.columns.push(ColumnFilter {
            column,
            value: value.into(),
            exact: true,
        });
        self
    }

    /// Whether the filter restricts anything.
    pub fn is_empty(&self) -> bool {
        self.text.as_deref().is_none_or(|t| t.trim().is_empty())
            && self.columns.iter().all(|c| c.value.trim().is_empty())
            && self.from.is_none()
            && self.to.is_none()
    }
}

/// A filter on one column. By default every word of `value` must occur in the column's display
/// text (as shown; for dates see [`LogFilter::times`]), case-insensitively; with `exact` the display text must equal
/// `value` (case-insensitively), as a pick list of the loaded values means it ("Billed" is not
/// "Not billed"). On the duration column the value is a comparison (`>1h`, `<10m`, `>=3600`,
/// `10m-1h`; see [`super::query::parse_duration_test`]); one that can't be read filters nothing
/// and is reported in [`super::LogStore::unreadable`].
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnFilter {
    /// The column.
    pub column: Column,
    /// The text its display value must contain (or equal, with `exact`).
    pub value: String,
    /// Whether the display value must equal `value` (a pick list's choice).
    #[serde(default)]
    pub exact: bool,
}

/// A sort order. Missing values come last in both directions; ties are broken by `id`
/// (ascending), so the order is total and repeatable.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sort {
    /// The column.
    pub column: Column,
    /// Descending instead of ascending.
    #[serde(default)]
    pub descending: bool,
}

impl Sort {
    /// Ascending by `column`.
    pub fn asc(column: Column) -> Self {
        Self {
            column,
            descending: false,
        }
    }

    /// Descending by `column`.
    pub fn desc(column: Column) -> Self {
        Self {
            column,
            descending: true,
        }
    }
}
