//! Mark billed (issue 10, item 3): `PUT billing_state: "Billed"` for each connection, one after
//! the other, the archive following each success at once.
//!
//! The rules (also in `docs/billing.md`):
//! - A connection whose archived state is already `Billed` is never sent (nor one the archive
//!   says is `DoNotBill`: marking it would bill what must not be billed); so a run that was
//!   killed or cancelled is simply run again and sends only the rest.
//! - After each `204` the archived record's `billing_state` becomes `Billed` before the next
//!   connection is sent.
//! - A failed connection is listed with its error (and kind) and the run carries on; the caller
//!   retries exactly the failed ones. Only failures that no other connection can escape (not
//!   signed in, session expired, missing permission, IP blocked, this process's daily share of
//!   the allowance used up) stop the run; the connections not tried are listed as such.
//! - When a `PUT` fails in a way that leaves open whether TeamViewer applied it (a timeout, a
//!   broken connection, a 5xx), the report is read back (`GET`, which the client retries): if it
//!   is `Billed`, the connection counts as marked and nothing is sent again. So a lost reply
//!   never makes a retry send the change twice.
//! - Rate limits (`rate_limit_reached`, or 429) are waited out (the server's `Retry-After`, else
//!   a backoff growing into minutes, up to a budget per connection) and the same connection is
//!   sent again (a refused request changed nothing); a cancel ends the wait.
//! - The `PUT`s are paced: at least [`MarkOptions::min_interval`] apart, and at most
//!   [`MARK_DAILY_LIMIT`] in any 24 hours per process (see the constant).
//! - A cancel is honoured between connections (and during a rate-limit wait), never in the
//!   middle of a `PUT` and its archive update.

use crate::client::{RetryPolicy, TeamViewerClient};
use crate::desk::ArchiveStore;
use crate::error::{Error, ErrorKind};
use crate::models::ReportUpdate;
use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The `billing_state` a marked connection gets.
pub const BILLED: &str = "Billed";

/// Most report `PUT`s mark-billed sends in any 24 hours in one process: half of the smallest
/// allowance of a licence that has connection reports at all (Premium: 14,400 calls of one
/// function per 24 hours, TeamViewer's API document 2023-03 p9 and p113), leaving the other
/// half to record edits and end-of-session notes, which use the same function.
pub const MARK_DAILY_LIMIT: usize = 7_200;
/// The window of [`MARK_DAILY_LIMIT`].
const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// Most rate-limit waits for one connection, whatever their length (a server that answers
/// `Retry-After: 0` again and again is not hammered).
const MAX_RATE_LIMIT_WAITS: u32 = 16;

/// Progress after each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkProgress {
    /// Connections handled so far (marked, skipped or failed).
    pub done: usize,
    /// Connections asked for.
    pub total: usize,
    /// Of `done`, failed.
    pub failed: usize,
}

/// A connection that was not marked, with why.
#[derive(Debug)]
pub struct MarkFailure {
    /// The report id.
    pub id: String,
    /// What went wrong (its [`Error::kind`] is what a user interface branches on).
    pub error: Error,
}

/// What a run did. Every id asked for is in exactly one of the lists.
#[derive(Debug, Default)]
pub struct MarkOutcome {
    /// Marked now: TeamViewer has `Billed` (and the archive, if there is one).
    pub marked: Vec<String>,
    /// Not marked; retry exactly these.
    pub failed: Vec<MarkFailure>,
    /// Not sent because the archive already has them `Billed`.
    pub already_billed: Vec<String>,
    /// Not sent because the archive has them `DoNotBill`.
    pub not_billable: Vec<String>,
    /// Not tried: the run was cancelled or stopped by a failure no connection can escape
    /// (`stopped_by`).
    pub not_tried: Vec<String>,
    /// Whether a cancel ended the run.
    pub cancelled: bool,
    /// The kind of the failure that stopped the run early, if one did.
    pub stopped_by: Option<ErrorKind>,
    /// Marked connections whose archive update failed (TeamViewer has them `Billed`; the next
    /// sync brings the archive up to date). Logged, not failed.
    pub archive_errors: usize,
}

impl MarkOutcome {
    /// The ids to send again: the failed ones and those not tried.
    pub fn to_retry(&self) -> Vec<String> {
        self.failed
            .iter()
            .map(|f| f.id.clone())
            .chain(self.not_tried.iter().cloned())
            .collect()
    }
}

/// How a run paces itself and waits out rate limits.
#[derive(Debug, Clone)]
pub struct MarkOptions {
    /// Shortest time between two `PUT`s (default 250 ms: at most 240 a minute).
    pub min_interval: Duration,
    /// Rate-limit waits: [`RetryPolicy::rate_limit_backoff`] without a `Retry-After`, a
    /// `Retry-After` up to `max_retry_after`, and at most `rate_limit_budget` of waiting per
    /// connection (after that it fails with [`ErrorKind::RateLimited`]).
    pub retry: RetryPolicy,
}

impl Default for MarkOptions {
    fn default() -> Self {
        Self {
            min_interval: Duration::from_millis(250),
            retry: RetryPolicy::default(),
        }
    }
}

/// `PUT billing_state: "Billed"` for each of `ids` with the default [`MarkOptions`]; see the
/// module documentation for the rules.
pub async fn mark_billed(
    client: &TeamViewerClient,
    archive: Option<&dyn ArchiveStore>,
    ids: &[String],
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(MarkProgress) + Send),
) -> MarkOutcome {
    mark_billed_with(
        client,
        archive,
        ids,
        cancel,
        progress,
        &MarkOptions::default(),
    )
    .await
}

/// [`mark_billed`] with explicit options.
pub async fn mark_billed_with(
    client: &TeamViewerClient,
    archive: Option<&dyn ArchiveStore>,
    ids: &[String],
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(MarkProgress) + Send),
    options: &MarkOptions,
) -> MarkOutcome {
    let mut outcome = MarkOutcome::default();
    let mut state = MarkProgress {
        done: 0,
        total: ids.len(),
        failed: 0,
    };
    let mut seen = std::collections::HashSet::new();
    let mut last_put: Option<Instant> = None;
    for (index, id) in ids.iter().enumerate() {
        if cancel.is_cancelled() || outcome.stopped_by.is_some() {
            outcome.cancelled = outcome.stopped_by.is_none();
            outcome.not_tried.extend(ids[index..].iter().cloned());
            break;
        }
        if !seen.insert(id.as_str()) {
            // The same id twice: it was handled the first time.
            state.done += 1;
            progress(state);
            continue;
        }
        let step = mark_one(client, archive, id, cancel, options, &mut last_put).await;
        match step {
            Step::Marked { archive_error } => {
                outcome.archive_errors += usize::from(archive_error);
                outcome.marked.push(id.clone());
            }
            Step::AlreadyBilled => outcome.already_billed.push(id.clone()),
            Step::NotBillable => outcome.not_billable.push(id.clone()),
            Step::Cancelled => {
                outcome.cancelled = true;
                outcome.not_tried.extend(ids[index..].iter().cloned());
                break;
            }
            Step::Failed(error) => {
                if stops_the_run(&error) {
                    outcome.stopped_by = Some(error.kind());
                }
                state.failed += 1;
                outcome.failed.push(MarkFailure {
                    id: id.clone(),
                    error,
                });
            }
        }
        state.done += 1;
        progress(state);
    }
    tracing::info!(
        marked = outcome.marked.len(),
        failed = outcome.failed.len(),
        already_billed = outcome.already_billed.len(),
        not_tried = outcome.not_tried.len(),
        "mark billed finished"
    );
    outcome
}

/// What happened to one connection.
enum Step {
    Marked { archive_error: bool },
    AlreadyBilled,
    NotBillable,
    Cancelled,
    Failed(Error),
}

/// Failures that every further connection would meet as well.
fn stops_the_run(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::NotSignedIn
            | ErrorKind::SessionExpired
            | ErrorKind::Unauthorized
            | ErrorKind::Forbidden
            | ErrorKind::Blocked
            | ErrorKind::LimitExceeded
    )
}

/// Failures after which TeamViewer may or may not have applied the `PUT`.
fn outcome_unknown(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Timeout | ErrorKind::Network | ErrorKind::Server
    )
}

async fn mark_one(
    client: &TeamViewerClient,
    archive: Option<&dyn ArchiveStore>,
    id: &str,
    cancel: &CancellationToken,
    options: &MarkOptions,
    last_put: &mut Option<Instant>,
) -> Step {
    let archived = match archive {
        Some(archive) => match archive.record(id).await {
            Ok(record) => record,
            Err(e) => return Step::Failed(e),
        },
        None => None,
    };
    match archived.as_ref().and_then(|r| r.billing_state.as_deref()) {
        Some(BILLED) => return Step::AlreadyBilled,
        Some("DoNotBill") => return Step::NotBillable,
        _ => {}
    }
    let update = ReportUpdate {
        notes: None,
        billing_state: Some(BILLED.to_owned()),
    };
    let mut rate_waited = Duration::ZERO;
    let mut rate_limits: u32 = 0;
    let sent = loop {
        if let Err(e) = pace(options, last_put, cancel).await {
            return match e {
                Error::Cancelled => Step::Cancelled,
                e => Step::Failed(e),
            };
        }
        match client.update_report(id, &update).await {
            Err(Error::RateLimited { retry_after }) => {
                let delay = match rate_limit_wait(options, retry_after, rate_waited, rate_limits) {
                    Some(delay) => delay,
                    None => break Err(Error::RateLimited { retry_after }),
                };
                tracing::warn!(?delay, "TeamViewer's rate limit was reached; waiting");
                rate_limits += 1;
                rate_waited += delay;
                tokio::select! {
                    () = cancel.cancelled() => return Step::Cancelled,
                    () = tokio::time::sleep(delay) => {}
                }
            }
            other => break other,
        }
    };
    let server_record = match sent {
        Ok(()) => None,
        Err(error) if outcome_unknown(&error) => match client.report(id).await {
            Ok(record) if record.billing_state.as_deref() == Some(BILLED) => {
                tracing::info!(kind = %error.kind(), "the update was applied although its answer failed");
                Some(record)
            }
            _ => return Step::Failed(error),
        },
        Err(error) => return Step::Failed(error),
    };
    let archive_error = match archive {
        Some(archive) => {
            let record = server_record.or_else(|| {
                archived.map(|mut r| {
                    r.billing_state = Some(BILLED.to_owned());
                    r
                })
            });
            match record {
                Some(record) => match archive.save(&[record]).await {
                    Ok(()) => false,
                    Err(e) => {
                        tracing::warn!(kind = %e.kind(), "marked record not saved in the archive: {e}");
                        true
                    }
                },
                // Not archived: nothing to update.
                None => false,
            }
        }
        None => false,
    };
    Step::Marked { archive_error }
}

/// The wait before sending the same connection again after a rate limit, or `None` when the
/// budget (or the cap of waits) is spent or the server's `Retry-After` is beyond the cap.
fn rate_limit_wait(
    options: &MarkOptions,
    retry_after: Option<Duration>,
    waited: Duration,
    rate_limits: u32,
) -> Option<Duration> {
    if rate_limits >= MAX_RATE_LIMIT_WAITS {
        return None;
    }
    let delay = match retry_after {
        Some(d) if d <= options.retry.max_retry_after => d,
        Some(_) => return None,
        None => options.retry.rate_limit_backoff(rate_limits),
    };
    (waited.saturating_add(delay) <= options.retry.rate_limit_budget).then_some(delay)
}

/// Waits until the next `PUT` may go: `min_interval` after the last one, and within the
/// process's [`MARK_DAILY_LIMIT`] (counted here, as the request is about to be sent).
async fn pace(
    options: &MarkOptions,
    last_put: &mut Option<Instant>,
    cancel: &CancellationToken,
) -> Result<(), Error> {
    if let Some(last) = *last_put {
        let at = last + options.min_interval;
        tokio::select! {
            () = cancel.cancelled() => return Err(Error::Cancelled),
            () = tokio::time::sleep_until(at) => {}
        }
    }
    let now = Instant::now();
    take_daily_slot(now)?;
    *last_put = Some(now);
    Ok(())
}

/// The `PUT`s of the last 24 hours in this process.
fn daily_window() -> &'static Mutex<VecDeque<Instant>> {
    static WINDOW: OnceLock<Mutex<VecDeque<Instant>>> = OnceLock::new();
    WINDOW.get_or_init(|| Mutex::new(VecDeque::new()))
}

/// Counts one `PUT` at `now`, or [`Error::LimitExceeded`] when [`MARK_DAILY_LIMIT`] were sent
/// in the last 24 hours.
fn take_daily_slot(now: Instant) -> Result<(), Error> {
    let mut sent = daily_window()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    while sent
        .front()
        .is_some_and(|&first| now.saturating_duration_since(first) >= DAY)
    {
        sent.pop_front();
    }
    if sent.len() >= MARK_DAILY_LIMIT {
        return Err(Error::LimitExceeded {
            message: format!(
                "{MARK_DAILY_LIMIT} connections were marked billed in the last 24 hours, this \
                 program's share of TeamViewer's daily allowance; try again later"
            ),
        });
    }
    sent.push_back(now);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_waits_honour_retry_after_and_the_budget() {
        let options = MarkOptions::default();
        assert_eq!(
            rate_limit_wait(&options, Some(Duration::from_secs(3)), Duration::ZERO, 0),
            Some(Duration::from_secs(3)),
            "the server's Retry-After is the wait"
        );
        assert_eq!(
            rate_limit_wait(&options, Some(Duration::from_secs(3600)), Duration::ZERO, 0),
            None,
            "a Retry-After beyond the cap fails the connection instead of freezing the run"
        );
        assert_eq!(
            rate_limit_wait(
                &options,
                Some(Duration::from_secs(60)),
                options.retry.rate_limit_budget,
                1
            ),
            None,
            "no wait beyond the budget per connection"
        );
        assert_eq!(
            rate_limit_wait(&options, Some(Duration::ZERO), Duration::ZERO, 16),
            None,
            "at most 16 waits, even of zero seconds"
        );
        let backoff = rate_limit_wait(&options, None, Duration::ZERO, 0).unwrap_or_default();
        assert!(
            backoff >= options.retry.rate_limit_delay / 2
                && backoff <= options.retry.rate_limit_delay,
            "without Retry-After the client's rate-limit backoff applies: {backoff:?}"
        );
    }

    #[test]
    fn only_escapeless_failures_stop_the_run() {
        assert!(stops_the_run(&Error::SessionExpired));
        assert!(stops_the_run(&Error::Blocked {
            message: String::new()
        }));
        assert!(
            !stops_the_run(&Error::Timeout),
            "a timeout concerns one connection; the run carries on"
        );
        assert!(!stops_the_run(&Error::NotFound {
            message: String::new()
        }));
        assert!(outcome_unknown(&Error::Timeout) && !outcome_unknown(&Error::Cancelled));
    }
}
