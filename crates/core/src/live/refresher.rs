//! The background loop that keeps the session list current.

use super::budget::RequestBudget;
use super::config::{exponential, LiveConfig};
use super::diff::SessionBook;
use super::events::{LiveEvent, LiveStatus, SlowReason};
use super::source::LiveSource;
use crate::client::{RetryPolicy, TeamViewerClient};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::models::{Group, SupportSession, User};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Most pages of one refresh (as in `TeamViewerClient::list_sessions`).
const MAX_PAGES: usize = 1_000;
/// The loop looks at the clock at least this often, so that expiry is found even when the
/// monotonic clock stood still (a suspended machine) or the wall clock jumped.
const CLOCK_RECHECK: Duration = Duration::from_secs(60);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Keeps the list of support sessions current while the user is signed in, and reports every
/// change as a [`LiveEvent`].
///
/// Rules (docs/live.md has the reasoning):
/// - **Intervals.** A refresh (all pages of `GET /sessions` for [`LiveConfig::query`]) every
///   [`LiveConfig::visible_every`] (30 s) while the window is visible, every
///   [`LiveConfig::hidden_every`] (2 min) while hidden ([`Refresher::set_visible`]); groups and
///   users every [`LiveConfig::directory_every`] (30 min), on demand
///   ([`Refresher::refresh_directory`]) and when a session names a group not in the list.
/// - **One chain at a time.** The next refresh is timed from the end of the previous one, so a
///   slow answer delays it; requests never overlap.
/// - **Backoff.** After a failure the next refresh waits [`LiveConfig::error_backoff`]·2ⁿ⁻¹
///   (at most [`LiveConfig::error_backoff_max`], at least the interval) and the status is
///   [`LiveStatus::Offline`]. After a rate limit it waits the server's `Retry-After` (at most
///   [`LiveConfig::max_retry_after`]) or [`LiveConfig::rate_limit_backoff`]·2ⁿ⁻¹ (at most
///   [`LiveConfig::rate_limit_backoff_max`]), and the status is [`LiveStatus::SlowedDown`].
/// - **Budget.** Every request sent (each page, groups, users; manual refreshes too) is
///   counted; at most [`LiveConfig::daily_budget`] (≤ 1,800) in any 24 hours, and background
///   refreshes are paced as the budget fills ([`RequestBudget::pace`]); waiting for it is
///   reported as [`LiveStatus::SlowedDown`] with [`SlowReason::Budget`].
/// - **Manual refresh** ([`Refresher::refresh_now`]) skips the interval and an error backoff,
///   not a rate-limit wait or the budget.
/// - **Expiry** is found by the clock: the loop wakes at the next `valid_until` (and at least
///   once a minute) without sending a request.
/// - **Signed out.** Nothing is sent before [`Refresher::start`] or after
///   [`Refresher::stop`]; `stop` cancels a request in flight and forgets the lists.
///
/// Timestamps in events come from the injected [`Clock`]; waiting uses Tokio's timers, so
/// tests run on a paused clock (use [`crate::clock::TokioClock`] there so both agree).
#[derive(Debug)]
pub struct Refresher {
    inner: Arc<Inner>,
    run: Mutex<Option<Running>>,
}

#[derive(Debug)]
struct Running {
    cancel: CancellationToken,
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<()>,
}

#[derive(Debug, Clone, Copy)]
enum Command {
    RefreshNow,
    Directory,
    /// Visibility changed: recompute the schedule.
    Wake,
}

#[derive(Debug)]
struct Inner {
    source: Arc<dyn LiveSource>,
    config: LiveConfig,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<LiveEvent>,
    visible: AtomicBool,
    state: Mutex<State>,
    budget: Mutex<RequestBudget>,
}

#[derive(Debug)]
struct State {
    book: SessionBook,
    groups: Option<Vec<Group>>,
    users: Option<Vec<User>>,
    status: LiveStatus,
}

impl Refresher {
    /// A stopped refresher reading from `source`. The window counts as visible.
    pub fn new(source: Arc<dyn LiveSource>, config: LiveConfig, clock: Arc<dyn Clock>) -> Self {
        let (events, _) = broadcast::channel(config.event_capacity.max(1));
        let budget = RequestBudget::daily(config.daily_budget);
        Self {
            inner: Arc::new(Inner {
                source,
                config,
                clock,
                events,
                visible: AtomicBool::new(true),
                state: Mutex::new(State {
                    book: SessionBook::default(),
                    groups: None,
                    users: None,
                    status: LiveStatus::Stopped,
                }),
                budget: Mutex::new(budget),
            }),
            run: Mutex::new(None),
        }
    }

    /// A refresher reading through `client`, given `RetryPolicy::none()` so that every call is
    /// one request (the refresher counts and backs off itself). A `401` still costs one more
    /// request after the token refresh (see docs/live.md).
    pub fn for_client(
        client: &TeamViewerClient,
        config: LiveConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let client = client.clone().with_retry(RetryPolicy::none());
        Self::new(Arc::new(client), config, clock)
    }

    /// Events from now on. Subscribe before [`start`](Self::start) to see the first refresh.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.inner.events.subscribe()
    }

    /// Starts polling (call it when signed in): a refresh at once, then by the rules. Does
    /// nothing when already running. Must be called within a Tokio runtime.
    pub fn start(&self) {
        let mut run = lock(&self.run);
        if run.as_ref().is_some_and(|r| !r.task.is_finished()) {
            return;
        }
        let cancel = CancellationToken::new();
        let (commands, receiver) = mpsc::unbounded_channel();
        let worker = Worker::new(self.inner.clone(), cancel.clone(), receiver);
        let task = tokio::spawn(worker.run());
        *run = Some(Running {
            cancel,
            commands,
            task,
        });
    }

    /// Stops polling (call it on sign-out): cancels a request in flight, sends nothing more
    /// (when this returns the loop has ended), forgets sessions, groups and users, and reports
    /// [`LiveStatus::Stopped`]. The request budget is kept.
    pub async fn stop(&self) {
        let running = lock(&self.run).take();
        let Some(running) = running else {
            return;
        };
        running.cancel.cancel();
        if let Err(err) = running.task.await {
            tracing::warn!(%err, "the live refresher's task ended abnormally");
        }
        {
            let mut state = lock(&self.inner.state);
            state.book.clear();
            state.groups = None;
            state.users = None;
        }
        self.inner.set_status(LiveStatus::Stopped);
    }

    /// Whether polling runs.
    pub fn is_running(&self) -> bool {
        lock(&self.run)
            .as_ref()
            .is_some_and(|r| !r.task.is_finished())
    }

    /// The window became visible (30-s interval) or hidden (2-min interval). Becoming visible
    /// refreshes at once when the last refresh is older than the visible interval.
    pub fn set_visible(&self, visible: bool) {
        self.inner.visible.store(visible, Ordering::Relaxed);
        self.send(Command::Wake);
    }

    /// Refreshes the sessions now (not blocked by the interval; counted against the budget).
    /// Several calls before it starts make one refresh.
    pub fn refresh_now(&self) {
        self.send(Command::RefreshNow);
    }

    /// Reloads groups and users now.
    pub fn refresh_directory(&self) {
        self.send(Command::Directory);
    }

    fn send(&self, command: Command) {
        if let Some(running) = lock(&self.run).as_ref() {
            // A closed channel means the loop has ended: nothing to tell it.
            let _ = running.commands.send(command);
        }
    }

    /// The sessions as last listed, in the server's order.
    pub fn sessions(&self) -> Vec<SupportSession> {
        lock(&self.inner.state).book.sessions().to_vec()
    }

    /// The sessions whose customer waits (open, `online: true`), in the server's order.
    pub fn waiting(&self) -> Vec<SupportSession> {
        let state = lock(&self.inner.state);
        state
            .book
            .sessions()
            .iter()
            .filter(|s| super::diff::is_waiting(s))
            .cloned()
            .collect()
    }

    /// The groups, once loaded.
    pub fn groups(&self) -> Option<Vec<Group>> {
        lock(&self.inner.state).groups.clone()
    }

    /// The users, once loaded (`None` also when the account may not list users).
    pub fn users(&self) -> Option<Vec<User>> {
        lock(&self.inner.state).users.clone()
    }

    /// The current status.
    pub fn status(&self) -> LiveStatus {
        lock(&self.inner.state).status.clone()
    }

    /// Requests sent in the last 24 hours, and the budget.
    pub fn budget_used(&self) -> (u32, u32) {
        let mut budget = lock(&self.inner.budget);
        (budget.used(Instant::now()), budget.limit())
    }
}

impl Drop for Refresher {
    fn drop(&mut self) {
        if let Some(running) = lock(&self.run).take() {
            running.cancel.cancel();
        }
    }
}

impl Inner {
    fn emit(&self, event: LiveEvent) {
        // No subscriber is fine: the state is kept anyway.
        let _ = self.events.send(event);
    }

    fn set_status(&self, status: LiveStatus) {
        lock(&self.state).status = status.clone();
        self.emit(LiveEvent::Status { status });
    }

    fn interval(&self) -> Duration {
        if self.visible.load(Ordering::Relaxed) {
            self.config.visible_every
        } else {
            self.config.hidden_every
        }
    }

    /// The wall-clock time of a Tokio instant.
    fn wall(&self, at: Instant) -> DateTime<Utc> {
        let now = Instant::now();
        let now_wall = self.clock.now();
        let ahead =
            chrono::Duration::from_std(at.saturating_duration_since(now)).unwrap_or_default();
        now_wall + ahead
    }

    fn slowed(&self, reason: SlowReason, until: Instant) {
        let (used, limit) = {
            let mut budget = lock(&self.budget);
            (budget.used(Instant::now()), budget.limit())
        };
        self.set_status(LiveStatus::SlowedDown {
            reason,
            until: self.wall(until),
            used,
            budget: limit,
        });
    }

    /// Waits until the budget allows a request, then counts it.
    async fn take_budget(&self) {
        loop {
            let now = Instant::now();
            let free_at = {
                let mut budget = lock(&self.budget);
                let free_at = budget.free_at(now);
                if free_at.is_none() {
                    budget.record(now);
                }
                free_at
            };
            match free_at {
                None => return,
                Some(at) => {
                    tracing::info!("live refresh: request budget spent, waiting");
                    self.slowed(SlowReason::Budget, at);
                    tokio::time::sleep_until(at).await;
                }
            }
        }
    }

    /// All pages of the configured session list.
    async fn fetch_sessions(&self) -> Result<Vec<SupportSession>> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = HashSet::new();
        for _ in 0..MAX_PAGES {
            self.take_budget().await;
            let page = self
                .source
                .sessions_page(&self.config.query, cursor.as_deref())
                .await?;
            let next = page.next().map(str::to_owned);
            all.extend(page.sessions);
            match next {
                None => return Ok(all),
                Some(next) if !seen.insert(next.clone()) => break,
                Some(next) => cursor = Some(next),
            }
        }
        Err(Error::InvalidResponse {
            message: "the session list's paging cursor repeats or never ends".into(),
        })
    }

    /// Groups (an error is returned), then users (an error is only logged: listing users
    /// needs a permission many accounts lack).
    async fn fetch_directory(&self) -> Result<()> {
        self.take_budget().await;
        let groups = self.source.groups().await?;
        let changed = {
            let mut state = lock(&self.state);
            let changed = state.groups.as_ref() != Some(&groups);
            state.groups = Some(groups.clone());
            changed
        };
        if changed {
            self.emit(LiveEvent::GroupsChanged { groups });
        }
        self.take_budget().await;
        match self.source.users().await {
            Ok(users) => {
                let changed = {
                    let mut state = lock(&self.state);
                    let changed = state.users.as_ref() != Some(&users);
                    state.users = Some(users.clone());
                    changed
                };
                if changed {
                    self.emit(LiveEvent::UsersChanged { users });
                }
            }
            Err(err) => {
                tracing::info!(kind = %err.kind(), "live refresh: users not available");
            }
        }
        Ok(())
    }

    fn check_expiry(&self) {
        let events = lock(&self.state).book.check_expiry(self.clock.now());
        for event in events {
            self.emit(event);
        }
    }

    /// When the loop must look at the clock next: the next expiry, at most a minute away.
    fn clock_wake(&self, now: Instant) -> Instant {
        let wall = self.clock.now();
        let next = lock(&self.state).book.next_expiry(wall);
        let wait = next
            .and_then(|until| (until - wall).to_std().ok())
            .unwrap_or(CLOCK_RECHECK)
            .min(CLOCK_RECHECK);
        now + wait
    }
}

/// Why the session refresh waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backoff {
    Error,
    RateLimit,
}

/// The loop's own state.
#[derive(Debug)]
struct Worker {
    inner: Arc<Inner>,
    cancel: CancellationToken,
    commands: mpsc::UnboundedReceiver<Command>,
    /// End of the last session refresh.
    last_end: Option<Instant>,
    /// Set after a failed refresh: no background refresh before it.
    backoff: Option<(Instant, Backoff)>,
    failures: u32,
    rate_limits: u32,
    first_failure: Option<DateTime<Utc>>,
    last_ok: Option<DateTime<Utc>>,
    manual: bool,
    directory_due: Instant,
    directory_failures: u32,
    /// Groups whose absence from the group list already caused a reload.
    asked_for: HashSet<String>,
    /// The paced refresh time last announced as "slowed down".
    announced: Option<Instant>,
}

impl Worker {
    fn new(
        inner: Arc<Inner>,
        cancel: CancellationToken,
        commands: mpsc::UnboundedReceiver<Command>,
    ) -> Self {
        Self {
            inner,
            cancel,
            commands,
            last_end: None,
            backoff: None,
            failures: 0,
            rate_limits: 0,
            first_failure: None,
            last_ok: None,
            manual: false,
            directory_due: Instant::now(),
            directory_failures: 0,
            asked_for: HashSet::new(),
            announced: None,
        }
    }

    /// When the next background session refresh is due (announcing a budget pace).
    fn next_sessions(&mut self, now: Instant) -> Instant {
        if let Some((until, _)) = self.backoff {
            return until;
        }
        let Some(last) = self.last_end else {
            return now;
        };
        let interval = self.inner.interval();
        let pace = lock(&self.inner.budget).pace(now);
        let next = last + interval.max(pace);
        if pace > interval && next > now && self.announced != Some(next) {
            self.announced = Some(next);
            self.inner.slowed(SlowReason::Budget, next);
        }
        next
    }

    fn in_rate_limit_wait(&self, now: Instant) -> bool {
        matches!(self.backoff, Some((until, Backoff::RateLimit)) if until > now)
    }

    async fn run(mut self) {
        loop {
            let now = Instant::now();
            self.inner.check_expiry();
            let manual = self.manual && !self.in_rate_limit_wait(now);
            let next_sessions = self.next_sessions(now);
            if manual || now >= next_sessions {
                self.manual = false;
                if !self.refresh_sessions(manual).await {
                    return;
                }
                continue;
            }
            let next_directory = match self.backoff {
                Some((until, Backoff::RateLimit)) => self.directory_due.max(until),
                _ => self.directory_due,
            };
            if now >= next_directory {
                if !self.refresh_directory().await {
                    return;
                }
                continue;
            }
            let wake = next_sessions
                .min(next_directory)
                .min(self.inner.clock_wake(now));
            tokio::select! {
                () = self.cancel.cancelled() => return,
                () = tokio::time::sleep_until(wake) => {}
                command = self.commands.recv() => match command {
                    Some(Command::RefreshNow) => self.manual = true,
                    Some(Command::Directory) => self.directory_due = Instant::now(),
                    Some(Command::Wake) => {}
                    None => return,
                },
            }
        }
    }

    /// Takes the commands that arrived so far: this refresh answers every `refresh_now`.
    fn drain_commands(&mut self) {
        while let Ok(command) = self.commands.try_recv() {
            match command {
                Command::RefreshNow | Command::Wake => {}
                Command::Directory => self.directory_due = Instant::now(),
            }
        }
    }

    /// One refresh of the sessions; `false` when cancelled.
    async fn refresh_sessions(&mut self, manual: bool) -> bool {
        self.drain_commands();
        self.inner.set_status(LiveStatus::Refreshing { manual });
        let inner = self.inner.clone();
        let result = tokio::select! {
            () = self.cancel.cancelled() => return false,
            result = inner.fetch_sessions() => result,
        };
        let end = Instant::now();
        self.last_end = Some(end);
        let wall = self.inner.clock.now();
        match result {
            Ok(sessions) => self.succeeded(sessions, wall),
            Err(Error::RateLimited { retry_after }) => {
                self.rate_limits += 1;
                let config = &self.inner.config;
                let wait = match retry_after {
                    Some(after) => after.min(config.max_retry_after),
                    None => exponential(
                        config.rate_limit_backoff,
                        config.rate_limit_backoff_max,
                        self.rate_limits,
                    ),
                }
                .max(self.inner.interval());
                tracing::warn!(wait_secs = wait.as_secs(), "live refresh: rate limited");
                self.backoff = Some((end + wait, Backoff::RateLimit));
                self.inner.slowed(SlowReason::RateLimited, end + wait);
            }
            Err(err) => {
                self.failures += 1;
                let config = &self.inner.config;
                let wait = exponential(
                    config.error_backoff,
                    config.error_backoff_max,
                    self.failures,
                )
                .max(self.inner.interval());
                tracing::info!(kind = %err.kind(), wait_secs = wait.as_secs(), "live refresh failed");
                self.backoff = Some((end + wait, Backoff::Error));
                let since = *self.first_failure.get_or_insert(wall);
                self.inner.set_status(LiveStatus::Offline {
                    since,
                    last_ok: self.last_ok,
                    kind: err.kind(),
                    message: err.to_string(),
                    retry_at: self.inner.wall(end + wait),
                });
            }
        }
        true
    }

    fn succeeded(&mut self, sessions: Vec<SupportSession>, wall: DateTime<Utc>) {
        self.failures = 0;
        self.rate_limits = 0;
        self.backoff = None;
        self.first_failure = None;
        self.last_ok = Some(wall);
        let (events, unknown) = {
            let mut state = lock(&self.inner.state);
            let events = state.book.apply(sessions, wall);
            let unknown: Vec<String> = match &state.groups {
                // Not loaded yet: the first directory refresh is due anyway.
                None => Vec::new(),
                Some(groups) => state
                    .book
                    .sessions()
                    .iter()
                    .filter_map(|s| {
                        let known = match (&s.groupid, &s.groupname) {
                            (Some(id), _) => groups.iter().any(|g| g.id == *id),
                            (None, Some(name)) => groups.iter().any(|g| g.name == *name),
                            (None, None) => true,
                        };
                        (!known).then(|| s.groupid.clone().or_else(|| s.groupname.clone()))
                    })
                    .flatten()
                    .collect(),
            };
            (events, unknown)
        };
        for event in events {
            self.inner.emit(event);
        }
        for group in unknown {
            if self.asked_for.insert(group.clone()) {
                self.inner.emit(LiveEvent::UnknownGroup { group });
                self.directory_due = Instant::now();
            }
        }
        self.inner.set_status(LiveStatus::Ok { at: wall });
    }

    /// One refresh of groups and users; `false` when cancelled.
    async fn refresh_directory(&mut self) -> bool {
        let inner = self.inner.clone();
        let result = tokio::select! {
            () = self.cancel.cancelled() => return false,
            result = inner.fetch_directory() => result,
        };
        let config = &self.inner.config;
        let now = Instant::now();
        match result {
            Ok(()) => {
                self.directory_failures = 0;
                self.directory_due = now + config.directory_every;
            }
            Err(err) => {
                self.directory_failures += 1;
                let backoff = exponential(
                    config.error_backoff,
                    config.directory_every,
                    self.directory_failures,
                );
                let wait = match err {
                    Error::RateLimited {
                        retry_after: Some(after),
                    } => backoff.max(after.min(config.max_retry_after)),
                    Error::RateLimited { retry_after: None } => backoff.max(exponential(
                        config.rate_limit_backoff,
                        config.rate_limit_backoff_max,
                        self.directory_failures,
                    )),
                    _ => backoff,
                };
                tracing::info!(kind = %err.kind(), "live refresh: group list failed");
                self.directory_due = now + wait;
            }
        }
        true
    }
}
