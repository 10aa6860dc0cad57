//! `sdesk insight --from T --to T [--database URL] [--json]`: where the time went in a period,
//! from the archive (issue 10, item 5). The numbers are `sdesk_core::billing::insight` of the
//! archive's `billing_records`: every connection that starts in the period, whatever its
//! billing state. `--json` prints them whole; without it a short table (the lists cut to their
//! first rows, days summed per month over long periods).

use crate::archive::location;
use crate::args::InsightArgs;
use crate::run::parse_time;
use crate::term;
use chrono::{DateTime, SecondsFormat, Utc};
use sdesk_archive::Archive;
use sdesk_core::billing::Insight;
use sdesk_core::{Error, Result};

/// Rows of a list in the table (all of them are in `--json`).
const TABLE_ROWS: usize = 10;

/// Up to this many days the table lists each day; longer periods are summed per month.
const DAYS_LISTED: usize = 31;

/// Runs `sdesk insight`.
pub async fn run(args: &InsightArgs) -> Result<()> {
    let from = parse_time("--from", &args.from)?;
    let to = parse_time("--to", &args.to)?;
    if from >= to {
        return Err(Error::invalid(
            "--to",
            "the period is empty: --to must be after --from",
        ));
    }
    let archive = Archive::open(&location(&args.database)?).await?;
    // Aggregated as the archive's rows stream in (equal to `insight(&billing_records)`).
    let result = archive.insight(from, to).await?;
    if args.json {
        let text = serde_json::to_string_pretty(&result).map_err(|e| Error::Config {
            message: format!("cannot encode JSON: {e}"),
        })?;
        println!("{}", term::json(&text));
    } else {
        print!("{}", table(&result, from, to));
    }
    Ok(())
}

/// Seconds as hours and minutes, `H:MM h` (minutes rounded down).
fn hours(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    format!("{}:{:02} h", minutes / 60, minutes % 60)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// One row: a label (server text, made safe for the terminal) padded to `width` characters,
/// then the counts.
fn row(out: &mut String, label: &str, width: usize, connections: u64, seconds: i64) {
    let label = term::line(label);
    let pad = width.saturating_sub(label.chars().count());
    out.push_str(&format!(
        "  {label}{:pad$}  {connections:>7} conn.  {:>11}\n",
        "",
        hours(seconds)
    ));
}

/// A list of (label, connections, seconds), cut to `limit` rows with a note of the rest.
fn list(out: &mut String, title: &str, rows: &[(String, u64, i64)], limit: usize) {
    out.push_str(&format!("{title}:\n"));
    if rows.is_empty() {
        out.push_str("  -\n");
        return;
    }
    let shown = &rows[..rows.len().min(limit)];
    let width = shown
        .iter()
        .map(|r| term::line(&r.0).chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for (label, connections, seconds) in shown {
        row(out, label, width, *connections, *seconds);
    }
    if rows.len() > shown.len() {
        out.push_str(&format!(
            "  … and {} more (--json lists all)\n",
            rows.len() - shown.len()
        ));
    }
}

/// A name with its id: `Anna (u1)`; what is missing is said.
fn named(name: Option<&str>, id: Option<&str>, none: &str) -> String {
    match (name, id) {
        (Some(n), Some(i)) => format!("{n} ({i})"),
        (None, Some(i)) => i.to_owned(),
        (Some(n), None) => format!("{n} ({none})"),
        (None, None) => format!("({none})"),
    }
}

/// The short table of `sdesk insight` without `--json`.
fn table(i: &Insight, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let mut out = format!(
        "period:      {} to {} (start in [from, to), UTC)\nconnections: {}\ntime:        {} \
         ({} s)\n\n",
        time(from),
        time(to),
        i.connections,
        hours(i.seconds),
        i.seconds
    );
    if i.by_day.len() <= DAYS_LISTED {
        let days: Vec<_> = i
            .by_day
            .iter()
            .map(|d| (d.date.to_string(), d.connections, d.seconds))
            .collect();
        list(&mut out, "by day", &days, DAYS_LISTED);
    } else {
        let mut months: Vec<(String, u64, i64)> = Vec::new();
        for d in &i.by_day {
            let month = d.date.format("%Y-%m").to_string();
            match months.last_mut() {
                Some(m) if m.0 == month => {
                    m.1 += d.connections;
                    m.2 += d.seconds;
                }
                _ => months.push((month, d.connections, d.seconds)),
            }
        }
        out.push_str(&format!("({} days with connections)\n", i.by_day.len()));
        list(&mut out, "by month", &months, usize::MAX);
    }
    let users: Vec<_> = i
        .by_user
        .iter()
        .map(|u| {
            let label = named(u.username.as_deref(), u.userid.as_deref(), "no user id");
            (label, u.connections, u.seconds)
        })
        .collect();
    list(&mut out, "\nby supporter", &users, TABLE_ROWS);
    let groups: Vec<_> = i
        .by_group
        .iter()
        .map(|g| {
            let label = named(g.groupname.as_deref(), g.groupid.as_deref(), "no group");
            (label, g.connections, g.seconds)
        })
        .collect();
    list(&mut out, "\nby group", &groups, TABLE_ROWS);
    let customers: Vec<_> = i
        .by_customer
        .iter()
        .map(|c| {
            let label = if c.customer.is_empty() {
                "(no customer)".to_owned()
            } else {
                c.customer.clone()
            };
            (label, c.connections, c.seconds)
        })
        .collect();
    list(&mut out, "\nby customer", &customers, TABLE_ROWS);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hours_are_hours_and_minutes() {
        assert_eq!(hours(0), "0:00 h");
        assert_eq!(hours(59), "0:00 h");
        assert_eq!(hours(3_660), "1:01 h");
        assert_eq!(hours(100 * 3_600 + 5 * 60), "100:05 h");
    }
}
