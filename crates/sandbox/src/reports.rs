//! Connection reports: `GET /reports/connections` with the filters of §6.1 and `offset_id`
//! paging, `GET`/`PUT /reports/connections/{id}`.

use crate::api::json_response;
use crate::auth::Authorized;
use crate::desk::undash;
use crate::error::{ApiError, ErrorKind};
use crate::paging;
use crate::params::Params;
use crate::state::{read, write, AppState};
use crate::stats::Counter;
use crate::wire::{ReportPage, ReportUpdate, SupportSessionType, WireReport};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// Records per page (§6.2).
pub(crate) const REPORT_PAGE_SIZE: usize = 1_000;

/// The values of `billing_state` (doc 2023-03, p48 and p51), spelled exactly so.
pub const BILLING_STATES: [&str; 3] = ["Bill", "Billed", "DoNotBill"];

/// The reports of a run, in served order, with an id → position index for `offset_id`.
///
/// The first `withheld` records (the newest: served order is end date descending) have not
/// reached the API yet: no request sees them until [`ReportStore::release`] lets them in, as
/// reports of sessions that end after a client's sync appear at the front of the real API's
/// list.
#[derive(Debug)]
pub(crate) struct ReportStore {
    records: Vec<WireReport>,
    index: HashMap<Uuid, usize>,
    withheld: usize,
    /// Successful `PUT`s per report.
    updates: HashMap<Uuid, u32>,
}

impl ReportStore {
    /// `records` must already be in served order ([`crate::generate_reports`] returns them so);
    /// the first `withheld` of them stay invisible until released.
    pub(crate) fn new(records: Vec<WireReport>, withheld: usize) -> Self {
        let index = records
            .iter()
            .enumerate()
            .map(|(position, record)| (record.id, position))
            .collect();
        let withheld = withheld.min(records.len());
        Self {
            records,
            index,
            withheld,
            updates: HashMap::new(),
        }
    }

    /// Successful `PUT`s per report id (reports never updated are absent).
    pub(crate) fn update_counts(&self) -> HashMap<String, u32> {
        self.updates
            .iter()
            .map(|(id, &n)| (id.to_string(), n))
            .collect()
    }

    /// Any record by id, visible or withheld.
    pub(crate) fn get(&self, id: &str) -> Option<&WireReport> {
        let id = Uuid::parse_str(id).ok()?;
        self.index.get(&id).map(|&position| &self.records[position])
    }

    /// Records visible to the API.
    pub(crate) fn len(&self) -> usize {
        self.records.len() - self.withheld
    }

    /// Records still withheld.
    pub(crate) fn withheld(&self) -> usize {
        self.withheld
    }

    /// Makes the oldest `count` withheld records visible (all of them when fewer are left) and
    /// returns how many were released.
    pub(crate) fn release(&mut self, count: usize) -> usize {
        let released = count.min(self.withheld);
        self.withheld -= released;
        released
    }

    /// Position of a visible record.
    fn position(&self, id: &str) -> Option<usize> {
        let id = Uuid::parse_str(id).ok()?;
        self.index
            .get(&id)
            .copied()
            .filter(|&position| position >= self.withheld)
    }

    /// Up to 1000 matching records after the record `offset_id`, and how many match after them.
    fn page(
        &self,
        filter: &ReportFilter,
        offset_id: Option<&str>,
    ) -> Result<(Vec<&WireReport>, usize), ApiError> {
        let start = match offset_id {
            Some(id) => self
                .position(id)
                .map(|position| position + 1)
                .ok_or_else(|| {
                    ApiError::invalid_request(format!("offset_id {id:?} is not a known record"))
                })?,
            None => self.withheld,
        };
        Ok(paging::page(
            &self.records,
            start,
            REPORT_PAGE_SIZE,
            filter.is_empty(),
            |record| filter.matches(record),
        ))
    }

    /// Position of the record with this id, else `404 not_found`.
    fn existing(&self, id: &str) -> Result<usize, ApiError> {
        self.position(id)
            .ok_or_else(|| ApiError::not_found(format!("no connection report with id {id}")))
    }

    fn record(&self, id: &str) -> Result<&WireReport, ApiError> {
        self.existing(id).map(|position| &self.records[position])
    }

    /// Applies a `PUT` after checking all of it, so a refused update changes nothing.
    ///
    /// `billing_state` must be one of [`BILLING_STATES`] (case-sensitive), else
    /// `400 invalid_request`; `null`, `""` or an absent field leave it unchanged (the document
    /// names no way to clear it). `notes`: absent leaves them, `null` clears them.
    fn update(&mut self, id: &str, update: ReportUpdate) -> Result<(), ApiError> {
        let position = self.existing(id)?;
        let billing_state = match update.billing_state.flatten() {
            Some(state) if state.is_empty() => None,
            Some(state) if BILLING_STATES.contains(&state.as_str()) => Some(state),
            Some(state) => {
                return Err(ApiError::invalid_request(format!(
                    "billing_state must be Bill, Billed or DoNotBill, got {state:?}"
                )))
            }
            None => None,
        };
        let record = &mut self.records[position];
        if let Some(notes) = update.notes {
            record.notes = notes;
        }
        if billing_state.is_some() {
            record.billing_state = billing_state;
        }
        *self.updates.entry(record.id).or_default() += 1;
        Ok(())
    }
}

/// The query filters of §6.1. Text filters compare whole values; `username` and `devicename`
/// ignore case (the real API's matching rules are unknown). `from_date` and `to_date` both
/// filter on `start_date`: from inclusive, to exclusive; a bare date `YYYY-MM-DD` is 00:00Z.
#[derive(Debug, Clone, Default, PartialEq)]
struct ReportFilter {
    username: Option<String>,
    userid: Option<String>,
    /// `Some(None)`: `groupid=0`, devices in no group.
    groupid: Option<Option<String>>,
    devicename: Option<String>,
    deviceid: Option<String>,
    /// Reports that start at or after this instant (inclusive).
    from_date: Option<DateTime<Utc>>,
    /// Reports that start before this instant (exclusive). Like `from_date` it filters on
    /// `start_date`, not `end_date` (doc 2023-03, p47).
    to_date: Option<DateTime<Utc>>,
    has_code: Option<bool>,
    /// Without dashes, lower-case.
    session_code: Option<String>,
    support_session_type: Option<SupportSessionType>,
}

impl ReportFilter {
    fn from_params(params: &Params) -> Result<Self, ApiError> {
        let text = |name: &str| params.get(name).map(str::to_owned);
        Ok(Self {
            username: params.get("username").map(str::to_lowercase),
            userid: text("userid"),
            groupid: text("groupid").map(|id| (id != "0").then_some(id)),
            devicename: params.get("devicename").map(str::to_lowercase),
            deviceid: text("deviceid"),
            from_date: params.instant("from_date")?,
            to_date: params.instant("to_date")?,
            has_code: params.flag("has_code")?,
            session_code: params.get("session_code").map(undash),
            support_session_type: params.parsed(
                "support_session_type",
                "1, 2, 3 or a type name",
                SupportSessionType::parse,
            )?,
        })
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn matches(&self, record: &WireReport) -> bool {
        fn check<T>(filter: &Option<T>, test: impl FnOnce(&T) -> bool) -> bool {
            filter.as_ref().is_none_or(test)
        }
        check(&self.username, |name| {
            record.username.to_lowercase() == *name
        }) && check(&self.userid, |id| record.userid == *id)
            && check(&self.groupid, |id| record.groupid == *id)
            && check(&self.devicename, |name| {
                record.devicename.to_lowercase() == *name
            })
            && check(&self.deviceid, |id| record.deviceid.as_text() == *id)
            && check(&self.from_date, |from| record.start_date >= *from)
            && check(&self.to_date, |to| record.start_date < *to)
            && check(&self.has_code, |has| record.session_code.is_some() == *has)
            && check(&self.session_code, |code| {
                record
                    .session_code
                    .as_deref()
                    .is_some_and(|own| undash(own) == *code)
            })
            && check(&self.support_session_type, |kind| {
                record.support_session_type == *kind
            })
    }
}

/// `GET /api/v1/reports/connections`.
pub(crate) async fn list(
    State(state): State<AppState>,
    _auth: Authorized,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::from_query(query.as_deref());
    let filter = ReportFilter::from_params(&params)?;
    let store = read(&state.reports);
    let (records, records_remaining) = store.page(&filter, params.get("offset_id"))?;
    let next_offset = match records.last() {
        Some(last) if records_remaining > 0 => Some(last.id.to_string()),
        _ => None,
    };
    let page = ReportPage {
        records,
        records_remaining,
        next_offset,
    };
    let faults = &state.config.faults;
    if !faults.reports_remaining_field && !faults.fee_as_bill_string {
        return Ok(json_response(&page));
    }
    let mut value = to_value(&page)?;
    if let Some(object) = value.as_object_mut() {
        if faults.reports_remaining_field {
            rename(object, "records_remaining", "reports_remaining");
        }
        if faults.fee_as_bill_string {
            if let Some(serde_json::Value::Array(records)) = object.get_mut("records") {
                records.iter_mut().for_each(fee_as_bill);
            }
        }
    }
    Ok(json_response(&value))
}

/// `value` as JSON, else `500 internal_error`.
fn to_value(value: &impl serde::Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|err| {
        ApiError::new(
            ErrorKind::InternalError,
            format!("could not encode the response: {err}"),
        )
    })
}

/// Moves `object[from]` to `object[to]` (the document names the page count both ways).
fn rename(object: &mut serde_json::Map<String, serde_json::Value>, from: &str, to: &str) {
    if let Some(value) = object.remove(from) {
        object.insert(to.to_owned(), value);
    }
}

/// `"fee": 12.5` → `"bill": "12.50"` (`null` stays `null`), as in the document's example (p50).
fn fee_as_bill(record: &mut serde_json::Value) {
    let Some(object) = record.as_object_mut() else {
        return;
    };
    let bill = match object.remove("fee") {
        Some(serde_json::Value::Number(fee)) => fee
            .as_f64()
            .map_or(serde_json::Value::Null, |fee| format!("{fee:.2}").into()),
        _ => serde_json::Value::Null,
    };
    object.insert("bill".to_owned(), bill);
}

/// `GET /api/v1/reports/connections/{id}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    _auth: Authorized,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let store = read(&state.reports);
    let record = store.record(&id)?;
    if !state.config.faults.fee_as_bill_string {
        return Ok(json_response(record));
    }
    let mut value = to_value(record)?;
    fee_as_bill(&mut value);
    Ok(json_response(&value))
}

/// `PUT /api/v1/reports/connections/{id}` with `{notes, billing_state}` → `204`; a
/// `billing_state` other than `Bill`, `Billed` or `DoNotBill` is `400 invalid_request`.
pub(crate) async fn update(
    State(state): State<AppState>,
    _auth: Authorized,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let update: ReportUpdate = serde_json::from_slice(&body)
        .map_err(|err| ApiError::invalid_request(format!("invalid report update: {err}")))?;
    write(&state.reports).update(&id, update)?;
    state.stats.bump(Counter::ReportUpdates);
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;

    fn store() -> ReportStore {
        let now = Utc.with_ymd_and_hms(2024, 5, 17, 12, 0, 0).unwrap();
        ReportStore::new(crate::generate_reports(3, 2_100, now), 0)
    }

    fn all_pages(store: &ReportStore, filter: &ReportFilter) -> Vec<Uuid> {
        let mut ids = Vec::new();
        let mut offset: Option<String> = None;
        loop {
            let (page, remaining) = store.page(filter, offset.as_deref()).unwrap();
            ids.extend(page.iter().map(|record| record.id));
            match page.last() {
                Some(last) if remaining > 0 => offset = Some(last.id.to_string()),
                _ => return ids,
            }
        }
    }

    #[test]
    fn paging_with_a_filter_visits_each_match_once() {
        let store = store();
        let filter = ReportFilter {
            has_code: Some(true),
            ..ReportFilter::default()
        };
        let expected: Vec<Uuid> = store
            .records
            .iter()
            .filter(|r| r.session_code.is_some())
            .map(|r| r.id)
            .collect();
        assert!(
            expected.len() > REPORT_PAGE_SIZE,
            "the filter spans several pages"
        );
        assert_eq!(
            all_pages(&store, &filter),
            expected,
            "filtered paging returns the matches in order, each once"
        );
    }

    #[test]
    fn withheld_records_appear_at_the_front_when_released() {
        let now = Utc.with_ymd_and_hms(2024, 5, 17, 12, 0, 0).unwrap();
        let all = crate::generate_reports(3, 2_100, now);
        let mut store = ReportStore::new(all.clone(), 300);
        let everything = ReportFilter::default();
        let visible = all_pages(&store, &everything);
        assert_eq!(store.len(), 1_800, "300 of 2,100 are withheld");
        assert_eq!(
            visible,
            all[300..].iter().map(|r| r.id).collect::<Vec<_>>(),
            "the newest 300 (first in served order) are invisible"
        );
        let hidden = all[0].id.to_string();
        assert!(store.record(&hidden).is_err(), "a withheld record is 404");
        assert!(
            store.page(&everything, Some(&hidden)).is_err(),
            "a withheld id is no paging cursor"
        );
        let (first, remaining) = store.page(&everything, None).unwrap();
        let cursor = first.last().unwrap().id.to_string();
        assert_eq!(remaining, 800, "the count ignores withheld records");
        assert_eq!(store.release(100), 100, "100 released");
        let (second, after_it) = store.page(&everything, Some(&cursor)).unwrap();
        assert_eq!(
            (second.len(), after_it),
            (800, 0),
            "records released during a run are ahead of its cursor, as with the real API"
        );
        assert_eq!(
            all_pages(&store, &everything),
            all[200..].iter().map(|r| r.id).collect::<Vec<_>>(),
            "a new run sees the released records first"
        );
        assert_eq!(store.release(1_000), 200, "only what is left");
        assert_eq!((store.len(), store.withheld()), (2_100, 0));
    }

    #[test]
    fn group_zero_means_no_group() {
        let params = Params::from_query(Some("groupid=0"));
        let filter = ReportFilter::from_params(&params).unwrap();
        assert_eq!(
            filter.groupid,
            Some(None),
            "groupid=0 is the no-group filter"
        );
        let store = store();
        assert!(
            all_pages(&store, &filter).iter().all(|id| store
                .record(&id.to_string())
                .unwrap()
                .groupid
                .is_none()),
            "only records without a group match"
        );
    }

    #[test]
    fn malformed_filters_are_invalid_requests() {
        for query in [
            "has_code=maybe",
            "from_date=yesterday",
            "support_session_type=9",
        ] {
            assert!(
                ReportFilter::from_params(&Params::from_query(Some(query))).is_err(),
                "{query} must be rejected"
            );
        }
    }
}
