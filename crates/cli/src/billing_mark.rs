//! `sdesk billing mark-billed`: marks the connections of a period's unbilled cases billed at
//! TeamViewer (`sdesk_core::billing::mark_billed`), reading the cases from the archive.
//!
//! The connections are those of the period's cases (`build_cases` under the rates) that are not
//! `Billed` yet, optionally of one customer. Listed on stdout first (`--dry-run` stops there:
//! no sign-in, no request), then sent one by one; failures are listed on stderr as they are
//! known, and the run ends with `marked: N connections, F failed` on stderr. Exit code 2 when
//! anything failed or was not tried (Ctrl-C): running the same command again sends only those,
//! since the archive already knows the others are billed.

use crate::archive::location;
use crate::args::{Cli, MarkBilledArgs};
use crate::billing::{load_rates, period};
use crate::run::{cancel_on_ctrl_c, connect, Progress};
use crate::term;
use chrono::SecondsFormat;
use sdesk_archive::Archive;
use sdesk_core::billing::{build_cases, mark_billed, BillingCase};
use sdesk_core::desk::ArchiveStore;
use sdesk_core::Result;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when a run ended with failed or untried connections (the process exits with 2).
static SOME_FAILED: AtomicBool = AtomicBool::new(false);

/// Whether `mark-billed` left connections failed or untried.
pub fn some_failed() -> bool {
    SOME_FAILED.load(Ordering::Relaxed)
}

/// Runs `sdesk billing mark-billed`.
pub async fn run(cli: &Cli, args: &MarkBilledArgs) -> Result<()> {
    // As `billing report` reads them (crate::billing), but the archive stays open: it is
    // updated after each connection marked.
    let (from, to) = period(&args.period)?;
    let rates = load_rates(args.period.rates.as_deref())?;
    let archive = Archive::open(&location(&args.period.database)?).await?;
    let records = ArchiveStore::billing_records(&archive, from, to).await?;
    let report = build_cases(&rates, &records);
    let customer = args.customer.as_deref().map(str::trim);
    let cases: Vec<&BillingCase> = report
        .cases
        .iter()
        .filter(|c| c.is_unbilled())
        .filter(|c| customer.is_none_or(|key| same_customer(&c.customer, key)))
        .collect();
    if let (Some(key), true) = (customer, cases.is_empty()) {
        eprintln!(
            "sdesk: no unbilled case of customer {} in the period",
            term::line(key)
        );
    }
    let ids: Vec<String> = cases
        .iter()
        .flat_map(|c| c.unbilled_ids.iter().cloned())
        .collect();
    list(&cases);
    eprintln!(
        "{} connections in {} unbilled cases to mark",
        ids.len(),
        cases.len()
    );
    if args.dry_run {
        eprintln!("dry run: nothing was sent");
        return Ok(());
    }
    if ids.is_empty() {
        eprintln!("marked: 0 connections, 0 failed");
        return Ok(());
    }
    let (client, sandbox) = connect(cli).await?;
    let progress = Progress::new("marking billed…");
    let (cancel, ctrl_c) = cancel_on_ctrl_c();
    let outcome = mark_billed(
        &client,
        Some(&archive as &dyn ArchiveStore),
        &ids,
        &cancel,
        &mut |p| match p.waiting {
            // Announced like the client's own waits: a long pause never looks like a hang.
            Some(delay) => progress.println(&format!(
                "sdesk: TeamViewer's rate limit was reached; waiting {} s before sending again",
                delay.as_secs().max(1)
            )),
            None => progress.set_message(format!(
                "marked {} of {} ({} failed)",
                p.done - p.failed,
                p.total,
                p.failed
            )),
        },
    )
    .await;
    ctrl_c.abort();
    progress.finish();
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    for failure in &outcome.failed {
        eprintln!(
            "failed: {}: {}: {}",
            term::line(&failure.id),
            failure.error.kind(),
            term::line(&failure.error.to_string())
        );
    }
    if !outcome.already_billed.is_empty() || !outcome.not_billable.is_empty() {
        eprintln!(
            "skipped: {} already billed, {} not billable (the archive says so)",
            outcome.already_billed.len(),
            outcome.not_billable.len()
        );
    }
    if outcome.archive_errors > 0 {
        eprintln!(
            "sdesk: {} marked connections could not be updated in the archive; the next \
             `archive sync` brings them up to date",
            outcome.archive_errors
        );
    }
    if !outcome.not_tried.is_empty() {
        let why = match outcome.stopped_by {
            Some(kind) => format!("stopped after a {kind} error"),
            None => "cancelled".to_owned(),
        };
        eprintln!(
            "{why}: {} connections not tried; run the same command again to mark them",
            outcome.not_tried.len()
        );
    }
    eprintln!(
        "marked: {} connections, {} failed",
        outcome.marked.len(),
        outcome.failed.len()
    );
    if !outcome.failed.is_empty() || !outcome.not_tried.is_empty() {
        SOME_FAILED.store(true, Ordering::Relaxed);
    }
    Ok(())
}

/// Prints each connection to mark: `id<TAB>customer<TAB>case start`, case by case.
fn list(cases: &[&BillingCase]) {
    for case in cases {
        let start = case.start.to_rfc3339_opts(SecondsFormat::Secs, true);
        for id in &case.unbilled_ids {
            println!(
                "{}\t{}\t{start}",
                term::line(id),
                term::line(&case.customer)
            );
        }
    }
}

/// Whether a case's customer key is the one asked for: equal, or equal ignoring case (an
/// e-mail key is lower-cased; a typed one may not be).
fn same_customer(case: &str, asked: &str) -> bool {
    case == asked || case.to_lowercase() == asked.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_key_matches_ignoring_case() {
        assert!(same_customer("anna@example.com", "Anna@Example.com"));
        assert!(same_customer("Jörg Kunde", "jörg kunde"));
        assert!(!same_customer("anna@example.com", "anna@example.org"));
    }
}
