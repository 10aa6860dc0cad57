//! Billing and insight over the connection-log archive (issue 10): charge rates, cases built from
//! connections, the unbilled worklist, invoice lines, and the insight aggregates. No I/O here: the
//! archive hands over [`BillingRecord`]s (see [`crate::desk::ArchiveStore::billing_records`]) and
//! the callers (desk, CLI) write the results. The rules are in `docs/billing.md`.

mod record;

pub use record::{customer_key, BillingRecord};

pub mod dashboard;
pub use dashboard::{dashboard, Dashboard};
