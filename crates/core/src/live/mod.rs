//! The live desk's headless engine: the session list kept current in the background, within a
//! hard request budget, with every change reported as an event. No Tauri.
//!
//! - [`Refresher`]: polls `GET /sessions` (all pages) every 30 s while the window is visible,
//!   every 2 min while hidden, one request chain at a time, backing off after errors and rate
//!   limits; groups and users every 30 min, on demand, and when a session names an unknown
//!   group. `start` on sign-in, `stop` on sign-out (which cancels a request in flight).
//! - [`LiveEvent`]: added/changed/removed sessions, customers waiting or gone, expiry (found by
//!   the clock alone), group and user lists, and [`LiveStatus`] (refreshing, ok, offline,
//!   slowed down). Sent on a `tokio::sync::broadcast` channel, so the app shell, a tray count
//!   and notifications can each subscribe; a lagging receiver re-reads the state.
//! - [`RequestBudget`]: at most [`HARD_DAILY_BUDGET`] (1,800) requests in any 24 hours,
//!   whatever the settings.
//!
//! The rules, the budget arithmetic and the reading of `online` are in docs/live.md.

mod budget;
mod config;
mod diff;
mod events;
mod refresher;
mod source;

pub use budget::{RequestBudget, BUDGET_WINDOW, HARD_DAILY_BUDGET};
pub use config::LiveConfig;
pub use diff::is_waiting;
pub use events::{LiveEvent, LiveStatus, SlowReason};
pub use refresher::Refresher;
pub use source::LiveSource;
