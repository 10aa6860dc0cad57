//! Billing and insight over the connection-log archive (issue 10): charge rates, cases built from
//! connections, the unbilled worklist, invoice lines, and the insight aggregates. No I/O here: the
//! archive hands over [`BillingRecord`]s (see [`crate::desk::ArchiveStore::billing_records`]) and
//! the callers (desk, CLI) write the results. The rules are in `docs/billing.md`.

mod mark;
mod record;

pub use mark::{
    mark_billed, mark_billed_with, MarkFailure, MarkOptions, MarkOutcome, MarkProgress, BILLED,
    MARK_DAILY_LIMIT,
};
pub use record::{customer_key, BillingRecord};

mod insight;
pub use insight::{insight, CustomerTotal, DayTotal, GroupTotal, Insight, UserTotal};

// perf: insight streamed from archive rows (issue 10, item 8).
mod insight_stream;
pub use insight_stream::{InsightBuilder, InsightRow};

// rates: charge rates, cases, invoice lines (issue 10 items 1, 2, 4).
mod cases;
mod rates;
mod report;

pub use cases::{
    build_cases, price_case, BillingCase, CaseReport, ExcludedConnection, ExclusionReason,
};
pub use rates::{GroupRate, Rate, Rates, RATES_FILE};
pub use report::{money_text, report_json, write_report_csv, write_report_csv_with, REPORT_HEADER};

// worklist: manual merges and splits of cases, kept locally (issue 10 item 3).
mod overrides;
pub use overrides::{
    apply_overrides, AppliedOverrides, CaseOverride, DropReason, DroppedOverride, Overrides,
    OVERRIDES_FILE,
};
pub mod dashboard;
pub use dashboard::{dashboard, Dashboard};
