#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Black-box tests of `sdesk billing mark-billed` against the sandbox over a SQLite archive:
//! a dry run sends nothing, one customer's cases are marked and nothing else, a run through
//! server errors ends with `marked: N connections, F failed` and exit code 2, and running it
//! again marks exactly the rest: at the end every connection of the period's unbilled cases got
//! exactly one successful PUT, and no other connection any.

mod common;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::*;
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::billing::{build_cases, BillingCase, Rates};
use sdesk_core::desk::ArchiveStore;
use sdesk_sandbox::{Faults, PutFaults, SandboxConfig};
use std::collections::HashMap;
use std::process::Output;

const RATES: &str = r#"
merge_within_minutes = 10
[default]
name = "Standard"
hourly_rate = "90.00"
currency = "EUR"
base_fee = "0.00"
minimum_minutes = 15
increment_minutes = 15
free_under_seconds = 60
"#;

fn now() -> DateTime<Utc> {
    "2026-11-20T12:00:00Z".parse().unwrap()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn last_line(o: &Output) -> String {
    stderr(o).trim_end().lines().last().unwrap_or("").to_owned()
}

struct Setup {
    running: Running,
    _dir: tempfile::TempDir,
    url: String,
    rates: String,
    from: String,
    to: String,
}

/// A sandbox with `faults`, an archive synced from it, a rates file, and a period of 7 days in
/// the middle of the 30 days of data.
fn setup(put_faults: Option<PutFaults>) -> Setup {
    let running = Running::start(SandboxConfig {
        records: 300,
        report_days: 30,
        now: Some(now()),
        faults: Faults {
            put_faults,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    });
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!("sqlite:{}", dir.path().join("archive.sqlite3").display());
    let rates = dir.path().join("rates.toml");
    std::fs::write(&rates, RATES).unwrap();
    let o = running.run(&["archive", "sync", "--database", &url]);
    assert!(o.status.success(), "sync: {}", stderr(&o));
    Setup {
        running,
        url,
        rates: rates.display().to_string(),
        from: rfc3339(now() - Duration::days(12)),
        to: rfc3339(now() - Duration::days(5)),
        _dir: dir,
    }
}

impl Setup {
    fn mark(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "billing",
            "mark-billed",
            "--from",
            &self.from,
            "--to",
            &self.to,
            "--rates",
            &self.rates,
            "--database",
            &self.url,
        ];
        args.extend_from_slice(extra);
        self.running.run(&args)
    }

    /// The period's unbilled cases as the library builds them from the archive now.
    fn unbilled_cases(&self) -> Vec<BillingCase> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let archive = Archive::open(&ArchiveUrl::parse(&self.url).unwrap())
                .await
                .unwrap();
            let from = self.from.parse().unwrap();
            let to = self.to.parse().unwrap();
            let records = ArchiveStore::billing_records(&archive, from, to)
                .await
                .unwrap();
            let rates = Rates::from_toml(RATES).unwrap();
            build_cases(&rates, &records)
                .cases
                .into_iter()
                .filter(BillingCase::is_unbilled)
                .collect()
        })
    }

    fn sandbox(&self) -> &sdesk_sandbox::Sandbox {
        self.running.sandbox.as_ref().unwrap()
    }
}

fn ids_of(cases: &[BillingCase]) -> Vec<String> {
    cases
        .iter()
        .flat_map(|c| c.unbilled_ids.iter().cloned())
        .collect()
}

/// The ids of the listing on stdout (the first column).
fn listed(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect()
}

#[test]
fn a_dry_run_lists_the_connections_and_sends_nothing() {
    let s = setup(None);
    let expected = ids_of(&s.unbilled_cases());
    assert!(expected.len() > 20, "the period has unbilled cases");
    let before = s.sandbox().stats().api_requests;
    // Signed out: a dry run needs no sign-in.
    let o = sdesk(
        &[
            "billing",
            "mark-billed",
            "--from",
            &s.from,
            "--to",
            &s.to,
            "--rates",
            &s.rates,
            "--database",
            &s.url,
            "--dry-run",
        ],
        &[("SDESK_API_URL", "http://127.0.0.1:1")],
    );
    assert!(o.status.success(), "dry run: {}", stderr(&o));
    assert_eq!(
        listed(&o),
        expected,
        "the listing is the cases' unbilled connections"
    );
    assert!(
        stderr(&o).contains(&format!("{} connections", expected.len())),
        "the count is said: {}",
        stderr(&o)
    );
    assert_eq!(last_line(&o), "dry run: nothing was sent");
    assert_eq!(
        s.sandbox().stats().api_requests,
        before,
        "a dry run sends no request at all"
    );
    assert!(s.sandbox().report_update_counts().is_empty(), "no PUT");
}

#[test]
fn one_customer_then_the_rest_through_server_errors_each_put_once() {
    let s = setup(Some(PutFaults {
        seed: 5,
        server_error_percent: 25,
        ..PutFaults::default()
    }));
    let cases = s.unbilled_cases();
    let all = ids_of(&cases);
    // The customer with the most unbilled connections, typed in upper case.
    let mut per_customer: HashMap<&str, usize> = HashMap::new();
    for c in &cases {
        *per_customer.entry(&c.customer).or_default() += c.unbilled_ids.len();
    }
    let (customer, _) = per_customer
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k)))
        .unwrap();
    let customer = (*customer).to_owned();
    let customer_ids: Vec<String> = ids_of(
        &cases
            .iter()
            .filter(|c| c.customer == customer)
            .cloned()
            .collect::<Vec<_>>(),
    );

    // Until nothing fails: one customer first, then the whole period.
    let mut runs = Vec::new();
    loop {
        let upper = customer.to_uppercase();
        let o = s.mark(&["--customer", &upper]);
        runs.push(o);
        let o = runs.last().unwrap();
        let line = last_line(o);
        assert!(
            line.starts_with("marked: "),
            "ends with the summary: {line}"
        );
        let updated = s.sandbox().report_update_counts();
        assert!(
            updated.keys().all(|id| customer_ids.contains(id)),
            "only the customer's connections are sent"
        );
        if o.status.success() {
            break;
        }
        assert_eq!(
            o.status.code(),
            Some(2),
            "failures exit with 2: {}",
            stderr(o)
        );
        assert!(runs.len() < 12, "the customer's connections get marked");
    }
    let mut saw_failure = runs.iter().any(|o| o.status.code() == Some(2));
    let mut rounds = 0;
    loop {
        rounds += 1;
        let o = s.mark(&[]);
        let err = stderr(&o);
        let line = last_line(&o);
        if o.status.success() {
            assert!(line.ends_with(", 0 failed"), "{line}");
            break;
        }
        saw_failure = true;
        assert_eq!(o.status.code(), Some(2), "{err}");
        let failed: usize = line
            .strip_prefix("marked: ")
            .and_then(|l| l.split(", ").nth(1))
            .and_then(|f| f.strip_suffix(" failed"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("summary line: {line}"));
        assert!(failed > 0, "exit 2 means something failed: {line}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("failed: ")).count(),
            failed,
            "each failure is listed with its id and kind: {err}"
        );
        assert!(
            err.contains(": server: "),
            "the failures are the injected server errors: {err}"
        );
        assert!(rounds < 12, "the rest gets marked");
    }
    assert!(saw_failure, "the faults made some run fail");
    let counts = s.sandbox().report_update_counts();
    for id in &all {
        assert_eq!(counts.get(id), Some(&1), "{id}: exactly one successful PUT");
    }
    assert_eq!(
        counts.len(),
        all.len(),
        "no PUT outside the period's unbilled cases (billed, DoNotBill, free, other periods)"
    );
    assert!(
        s.unbilled_cases().is_empty(),
        "the archive has every case of the period billed"
    );
    let o = s.mark(&[]);
    assert!(o.status.success());
    assert_eq!(last_line(&o), "marked: 0 connections, 0 failed");
}
