//! The SQL of a local query, for either backend.

use crate::row::search_needle;
use crate::types::{ArchiveQuery, Param};
use sdesk_core::models::ReportSessionType;
use sdesk_core::Result;

/// Which SQL dialect to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// `SELECT record_json FROM reports WHERE … ORDER BY start, id [LIMIT …]` and its parameters
/// (newest start first with [`ArchiveQuery::newest_first`]).
pub(crate) fn select(q: &ArchiveQuery, dialect: Dialect) -> Result<(String, Vec<Param>)> {
    let (conds, mut params) = conditions(q, dialect)?;
    let mut sql = format!("SELECT record_json FROM reports{conds}");
    // Records without a start go last. A period (from or to) cannot hold any, and then the
    // order is plainly the (start_date, id) index's, read forwards or backwards with no sort of
    // the result; SQLite sorts NULL first, PostgreSQL last.
    let dated = q.filter.from_date.is_some() || q.filter.to_date.is_some();
    sql.push_str(match (dialect, q.newest_first, dated) {
        (Dialect::Sqlite, false, true) => " ORDER BY start_date, id",
        (Dialect::Sqlite, false, false) => " ORDER BY start_date IS NULL, start_date, id",
        (Dialect::Postgres, false, _) => " ORDER BY start_date, id",
        // The log view's default order: start descending, none last, ties as loaded (by id).
        (Dialect::Sqlite, true, _) | (Dialect::Postgres, true, true) => {
            " ORDER BY start_date DESC, id"
        }
        (Dialect::Postgres, true, false) => " ORDER BY start_date DESC NULLS LAST, id",
    });
    if q.limit.is_some() || q.offset > 0 {
        let limit = q
            .limit
            .map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let l = bind(Param::Int(limit), &mut params, dialect);
        let o = bind(Param::Int(offset), &mut params, dialect);
        sql.push_str(&format!(" LIMIT {l} OFFSET {o}"));
    }
    Ok((sql, params))
}

/// `SELECT COUNT(*) FROM reports WHERE …` (limit and offset ignored) and its parameters.
pub(crate) fn count(q: &ArchiveQuery, dialect: Dialect) -> Result<(String, Vec<Param>)> {
    let (conds, params) = conditions(q, dialect)?;
    Ok((format!("SELECT COUNT(*) FROM reports{conds}"), params))
}

/// The columns billing and insight read ([`sdesk_core::billing::BillingRecord`]), in the order
/// the backends decode them: nothing else of a record (above all not its JSON) is read.
pub(crate) const BILLING_COLUMNS: [&str; 12] = [
    "id",
    "start_date",
    "end_date",
    "userid",
    "username",
    "groupid",
    "groupname",
    "end_customer_email",
    "end_customer_name",
    "devicename",
    "deviceid",
    "billing_state",
];

/// `SELECT <BILLING_COLUMNS> FROM reports WHERE start_date >= from AND start_date < to` (the
/// two parameters): a range of the `(start_date, id)` index, in no promised order.
pub(crate) fn billing_select(dialect: Dialect) -> String {
    let (from, to) = match dialect {
        Dialect::Sqlite => ("?1", "?2"),
        Dialect::Postgres => ("$1", "$2"),
    };
    format!(
        "SELECT {} FROM reports WHERE start_date >= {from} AND start_date < {to}",
        BILLING_COLUMNS.join(", ")
    )
}

/// Adds `p` to `params`; its placeholder.
fn bind(p: Param, params: &mut Vec<Param>, dialect: Dialect) -> String {
    params.push(p);
    match dialect {
        Dialect::Sqlite => format!("?{}", params.len()),
        Dialect::Postgres => format!("${}", params.len()),
    }
}

/// ` WHERE …` (empty without conditions) for the query's filters, and their parameters.
fn conditions(q: &ArchiveQuery, dialect: Dialect) -> Result<(String, Vec<Param>)> {
    q.filter.validate()?;
    let f = &q.filter;
    let mut params: Vec<Param> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let bind = |p: Param, params: &mut Vec<Param>| bind(p, params, dialect);
    if let Some(t) = f.from_date {
        let p = bind(Param::Time(t), &mut params);
        conds.push(format!("start_date >= {p}"));
    }
    if let Some(t) = f.to_date {
        let p = bind(Param::Time(t), &mut params);
        conds.push(format!("start_date < {p}"));
    }
    let exact = [
        ("userid", &f.userid),
        ("username", &f.username),
        ("deviceid", &f.deviceid),
        ("session_code", &f.session_code),
    ];
    for (column, value) in exact {
        if let Some(v) = trimmed(value) {
            let p = bind(Param::Text(v.to_owned()), &mut params);
            conds.push(format!("{column} = {p}"));
        }
    }
    match trimmed(&f.groupid) {
        Some("0") => conds.push("(groupid IS NULL OR groupid = '')".into()),
        Some(g) => {
            let p = bind(Param::Text(g.to_owned()), &mut params);
            conds.push(format!("groupid = {p}"));
        }
        None => {}
    }
    match trimmed(&f.devicename) {
        Some(d) if d.eq_ignore_ascii_case("unnamed_device") => {
            conds.push("(devicename IS NULL OR devicename = '')".into());
        }
        Some(d) => {
            let p = bind(Param::Text(d.to_owned()), &mut params);
            conds.push(format!("devicename = {p}"));
        }
        None => {}
    }
    match f.has_code {
        Some(true) => conds.push("(session_code IS NOT NULL AND session_code <> '')".into()),
        Some(false) => conds.push("(session_code IS NULL OR session_code = '')".into()),
        None => {}
    }
    if let Some(t) = f.support_session_type {
        let name = ReportSessionType::parse(&t.to_string());
        let p = bind(Param::Text(name.as_str().to_owned()), &mut params);
        conds.push(format!("support_session_type = {p}"));
    }
    if let Some(needle) = q.text.as_deref().and_then(search_needle) {
        let p = bind(Param::Text(needle), &mut params);
        conds.push(match dialect {
            Dialect::Sqlite => format!("instr(search_text, {p}) > 0"),
            Dialect::Postgres => format!("strpos(search_text, {p}) > 0"),
        });
    }
    let sql = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    Ok((sql, params))
}

fn trimmed(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The typed columns of `reports`, in binding order (`id` first); `first_synced_at` and
/// `last_changed_at` follow as the last two parameters.
pub(crate) const COLUMNS: [&str; 28] = [
    "id",
    "userid",
    "username",
    "contact_id",
    "deviceid",
    "devicename",
    "groupid",
    "groupname",
    "support_session_type",
    "start_date",
    "end_date",
    "fee",
    "currency",
    "billing_state",
    "notes",
    "session_code",
    "session_created_at",
    "valid_until",
    "assigned_userid",
    "assigned_at",
    "session_note",
    "custom_api",
    "end_customer_name",
    "end_customer_email",
    "feedback_rating",
    "feedback_comment",
    "search_text",
    "record_json",
];

/// Inserts a row or replaces every column of an existing one except `first_synced_at`.
pub(crate) fn upsert_sql(dialect: Dialect) -> String {
    let n = COLUMNS.len() + 2;
    let marks: Vec<String> = (1..=n)
        .map(|i| match dialect {
            Dialect::Sqlite => format!("?{i}"),
            Dialect::Postgres => format!("${i}"),
        })
        .collect();
    let updates: Vec<String> = COLUMNS[1..]
        .iter()
        .chain(["last_changed_at"].iter())
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO reports ({}, first_synced_at, last_changed_at) VALUES ({}) \
         ON CONFLICT (id) DO UPDATE SET {}",
        COLUMNS.join(", "),
        marks.join(", "),
        updates.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::{TimeZone, Utc};
    use sdesk_core::models::ReportQuery;

    /// SQLite's plan for `sql` over the archive's real schema (every migration applied).
    fn plan(sql: &str, params: &[Param]) -> String {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        for m in [
            include_str!("../migrations/sqlite/0001_archive.sql"),
            include_str!("../migrations/sqlite/0002_reports_rowid.sql"),
        ] {
            c.execute_batch(m).unwrap();
        }
        let values: Vec<rusqlite::types::Value> = params
            .iter()
            .map(|p| match p {
                Param::Text(s) => rusqlite::types::Value::Text(s.clone()),
                Param::Time(t) => rusqlite::types::Value::Text(t.to_rfc3339()),
                Param::Int(i) => rusqlite::types::Value::Integer(*i),
            })
            .collect();
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("; ")
    }

    #[test]
    fn a_period_is_read_in_index_order_without_sorting_its_records() {
        let period = ReportQuery {
            from_date: Some(Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap()),
            to_date: Some(Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()),
            ..ReportQuery::default()
        };
        for newest_first in [false, true] {
            let q = ArchiveQuery {
                filter: period.clone(),
                limit: newest_first.then_some(100),
                newest_first,
                ..ArchiveQuery::default()
            };
            let (sql, params) = select(&q, Dialect::Sqlite).unwrap();
            let plan = plan(&sql, &params);
            assert!(
                plan.contains("reports_by_start") && !plan.contains("TEMP B-TREE FOR ORDER BY"),
                "a period (newest first: {newest_first}) walks the start index instead of \
                 sorting every record of it (tens of thousands, with their JSON): {plan}"
            );
        }
        let (sql, params) = count(
            &ArchiveQuery {
                filter: period,
                ..ArchiveQuery::default()
            },
            Dialect::Sqlite,
        )
        .unwrap();
        assert!(
            plan(&sql, &params).contains("COVERING INDEX reports_by_start"),
            "a period's count reads only the index"
        );
    }

    #[test]
    fn billing_records_are_a_range_of_the_start_index() {
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let sql = billing_select(Dialect::Sqlite);
        assert!(
            !sql.contains("record_json") && !sql.contains('*'),
            "billing reads only its columns, never a record's JSON: {sql}"
        );
        let plan = plan(&sql, &[Param::Time(from), Param::Time(to)]);
        assert!(
            plan.contains("USING INDEX reports_by_start (start_date>? AND start_date<?)")
                && !plan.contains("TEMP B-TREE"),
            "a period is a range of the start index, not a scan of every record: {plan}"
        );
    }
}
