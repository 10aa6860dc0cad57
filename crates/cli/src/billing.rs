//! `sdesk billing …`: billing over the connection-log archive (issue 10; rules in
//! docs/billing.md). Offline: the archive is read, nothing is sent.
//!
//! - `report` writes the invoice lines (one per case) of a period as CSV or JSON.
//!
//! The rates come from `--rates FILE`, else from `rates.toml` in the desktop app's config
//! directory (what Settings → Billing saves), else the built-in defaults (said on stderr).

use crate::args::{BillingCommand, BillingPeriodArgs, BillingReportArgs, Cli, DatabaseArg};
use crate::run::parse_time;
use crate::term;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sdesk_archive::{Archive, ArchiveUrl, APP_IDENTIFIER};
use sdesk_core::billing::{
    build_cases, money_text, report_json, write_report_csv, CaseReport, ExclusionReason, Rates,
    RATES_FILE,
};
use sdesk_core::{Error, Result};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Runs one `sdesk billing` subcommand.
pub async fn run(cli: &Cli, command: &BillingCommand) -> Result<()> {
    match command {
        BillingCommand::Report(args) => report(args).await,
        BillingCommand::MarkBilled(args) => crate::billing_mark::run(cli, args).await,
    }
}

/// The archive `--database`/`SDESK_DATABASE_URL` names (blank: the default), else the app's.
fn location(arg: &DatabaseArg) -> Result<ArchiveUrl> {
    match arg.database.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) => ArchiveUrl::parse(raw),
        None => ArchiveUrl::default_location(),
    }
}

/// Where the desktop app keeps its rates: Tauri's `app_config_dir()` (the user's config
/// directory plus the app identifier: `$XDG_CONFIG_HOME/dev.supporterdesk.desk` on Linux,
/// `~/Library/Application Support/…` on macOS, `%APPDATA%\…` on Windows) and [`RATES_FILE`].
pub(crate) fn app_rates_path() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join(APP_IDENTIFIER).join(RATES_FILE))
}

/// The rates of `--rates FILE` (which must exist), else the app's file, else the defaults;
/// which one is said on stderr unless it is the named file.
pub(crate) fn load_rates(arg: Option<&Path>) -> Result<Rates> {
    if let Some(path) = arg {
        return Rates::load(path)?.ok_or_else(|| {
            Error::invalid(
                "--rates",
                format!("{} does not exist", term::line(&path.display().to_string())),
            )
        });
    }
    if let Some(path) = app_rates_path() {
        if let Some(rates) = Rates::load(&path)? {
            eprintln!("rates: {}", term::line(&path.display().to_string()));
            return Ok(rates);
        }
        eprintln!(
            "rates: no {} in the app's config directory ({}); using the default rates \
             (Standard, 90.00 EUR an hour, see docs/billing.md)",
            RATES_FILE,
            term::line(&path.display().to_string())
        );
    } else {
        eprintln!("rates: the user's config directory is unknown; using the default rates");
    }
    Ok(Rates::default())
}

/// `--from` and `--to`, checked: from before to.
pub(crate) fn period(args: &BillingPeriodArgs) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let from = parse_time("--from", &args.from)?;
    let to = parse_time("--to", &args.to)?;
    if to <= from {
        return Err(Error::invalid(
            "--to",
            "must be after --from (the period is from ≤ start < to)",
        ));
    }
    Ok((from, to))
}

/// The rates and the cases of the period, read from the archive. Checks the period and the
/// rates before opening the archive.
pub(crate) async fn period_cases(args: &BillingPeriodArgs) -> Result<(Rates, CaseReport)> {
    let (from, to) = period(args)?;
    let rates = load_rates(args.rates.as_deref())?;
    let archive = Archive::open(&location(&args.database)?).await?;
    let records = archive.billing_records(from, to).await?;
    let report = build_cases(&rates, &records);
    Ok((rates, report))
}

async fn report(args: &BillingReportArgs) -> Result<()> {
    let (_, mut report) = period_cases(&args.period).await?;
    if args.unbilled_only {
        report.cases.retain(|c| c.is_unbilled());
    }
    let cases = &report.cases;
    let mut bytes = Vec::new();
    if args.json {
        let text =
            serde_json::to_string_pretty(&report_json(cases)).map_err(|e| Error::Config {
                message: format!("cannot write JSON: {e}"),
            })?;
        bytes.extend_from_slice(text.as_bytes());
        bytes.push(b'\n');
    } else {
        write_report_csv(cases, &mut bytes)?;
    }
    write_out(&args.out, &bytes, args.json)?;
    eprintln!("{}", summary(&report));
    Ok(())
}

/// Writes the finished report to the file (atomically: replaced whole or not at all) or to
/// standard output (`-`); on a terminal, server text is neutralised ([`term`]).
fn write_out(out: &str, bytes: &[u8], json: bool) -> Result<()> {
    if out != "-" {
        return sdesk_core::fsutil::write_file_atomically(Path::new(out), |w| {
            w.write_all(bytes)?;
            Ok(())
        });
    }
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        if json {
            let text = String::from_utf8_lossy(bytes);
            let mut lock = stdout.lock();
            lock.write_all(term::json(&text).as_bytes())?;
            lock.flush()?;
        } else {
            let mut w = term::TerminalWriter::new(stdout.lock());
            w.write_all(bytes)?;
            drop(w.finish()?);
        }
        return Ok(());
    }
    let mut lock = stdout.lock();
    lock.write_all(bytes)?;
    lock.flush()?;
    Ok(())
}

/// `report: 3 cases (2 unbilled), 5 connections; total 157.50 EUR; excluded: 1 not billable,
/// 2 free, 0 running` (numbers and currency codes only: no server text).
fn summary(report: &CaseReport) -> String {
    let mut totals: BTreeMap<&str, Decimal> = BTreeMap::new();
    for case in &report.cases {
        *totals.entry(case.currency.as_str()).or_default() += case.amount;
    }
    let total = if totals.is_empty() {
        "0.00".to_owned()
    } else {
        totals
            .iter()
            .map(|(currency, t)| format!("{} {currency}", money_text(*t)))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let count = |reason| {
        report
            .excluded
            .iter()
            .filter(|e| e.reason == reason)
            .count()
    };
    format!(
        "report: {} cases ({} unbilled), {} connections; total {total}; excluded: {} not \
         billable, {} free, {} running",
        report.cases.len(),
        report.cases.iter().filter(|c| c.is_unbilled()).count(),
        report
            .cases
            .iter()
            .map(|c| c.connection_ids.len())
            .sum::<usize>(),
        count(ExclusionReason::NotBillable),
        count(ExclusionReason::Free),
        count(ExclusionReason::Running),
    )
}
