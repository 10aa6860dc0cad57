//! The lean record billing and insight read from the archive: only the fields they need, so that
//! a year of a busy team's connections (1,000,000 records) is read and aggregated in a fraction
//! of a second instead of decoding every record's JSON.

use crate::models::ConnectionReport;
use chrono::{DateTime, Utc};

/// One connection as billing and insight see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRecord {
    /// The report's `id`.
    pub id: String,
    /// When the connection started (records without a start are never in a period).
    pub start: DateTime<Utc>,
    /// When it ended; `None` while it runs (or when the server did not say).
    pub end: Option<DateTime<Utc>>,
    /// The supporter's account id.
    pub userid: Option<String>,
    /// The supporter's name.
    pub username: Option<String>,
    /// The device's group id.
    pub groupid: Option<String>,
    /// The device's group name.
    pub groupname: Option<String>,
    /// The customer key ([`customer_key`]).
    pub customer: String,
    /// The API's `billing_state` as the server sent it (`Bill`, `Billed`, `DoNotBill`, or
    /// missing, which counts as `Bill`).
    pub billing_state: Option<String>,
}

impl BillingRecord {
    /// The record's billing fields, or `None` for a record without a start.
    pub fn from_report(r: &ConnectionReport) -> Option<BillingRecord> {
        let customer = r.end_customer.as_ref();
        Some(BillingRecord {
            id: r.id.clone(),
            start: r.start_date?,
            end: r.end_date,
            userid: r.userid.clone(),
            username: r.username.clone(),
            groupid: r.groupid.clone(),
            groupname: r.groupname.clone(),
            customer: customer_key(
                customer.and_then(|c| c.email.as_deref()),
                customer.and_then(|c| c.name.as_deref()),
                r.devicename.as_deref(),
                r.deviceid.as_deref(),
            ),
            billing_state: r.billing_state.clone(),
        })
    }

    /// Seconds from start to end (0 without an end, or when the end is before the start).
    pub fn seconds(&self) -> i64 {
        self.end
            .map_or(0, |end| (end - self.start).num_seconds().max(0))
    }

    /// Whether the connection is already billed (`Billed`); a missing state counts as `Bill`.
    pub fn is_billed(&self) -> bool {
        self.billing_state.as_deref() == Some("Billed")
    }

    /// Whether the connection must not be billed (`DoNotBill`).
    pub fn is_do_not_bill(&self) -> bool {
        self.billing_state.as_deref() == Some("DoNotBill")
    }
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// The customer a connection belongs to: the end customer's e-mail (lower-cased) if present,
/// else the end customer's name, else the device name, else the device id; empty or
/// blank values count as absent. A record with none of them has the key `""`.
pub fn customer_key(
    email: Option<&str>,
    name: Option<&str>,
    devicename: Option<&str>,
    deviceid: Option<&str>,
) -> String {
    if let Some(email) = present(email) {
        return email.to_lowercase();
    }
    [name, devicename, deviceid]
        .into_iter()
        .find_map(present)
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_key_prefers_email_then_name_then_device() {
        assert_eq!(
            customer_key(
                Some("Joerg@Example.COM"),
                Some("Jörg"),
                Some("pc"),
                Some("1")
            ),
            "joerg@example.com",
            "the e-mail wins and is lower-cased"
        );
        assert_eq!(
            customer_key(Some("  "), Some("Jörg Müller"), Some("pc"), Some("1")),
            "Jörg Müller",
            "a blank e-mail counts as absent; the name is kept as written"
        );
        assert_eq!(customer_key(None, None, Some("pc-7"), Some("1")), "pc-7");
        assert_eq!(customer_key(None, Some(""), None, Some("123")), "123");
        assert_eq!(customer_key(None, None, None, None), "");
    }

    #[test]
    fn unicode_email_is_lower_cased_fully() {
        assert_eq!(
            customer_key(Some("ÄRGER@Müller.de"), None, None, None),
            "ärger@müller.de",
            "lower-casing is Unicode-aware, not ASCII only"
        );
    }
}
