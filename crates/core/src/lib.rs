//! Supporter Desk core: everything the desktop app and the `sdesk` CLI share, with no Tauri
//! dependency, so that every behaviour is testable headless against the sandbox or a mock server.
//!
//! - [`client`]: the TeamViewer Web API client (one `reqwest::Client`, retries, bearer auth).
//! - [`models`]: wire types tolerant of the real API (string-or-int enums, optional fields).
//! - [`auth`]: OAuth (authorize URL with `state` + PKCE, callback parsing, code exchange,
//!   single-flight refresh, revoke), script tokens and the [`auth::TokenStore`] trait.
//! - [`logs`]: the connection-log engine (paged fetch with progress and cancellation, an
//!   in-memory store with filter/sort/window queries) and CSV export.
//! - [`desk`]: everything the desktop app does (settings, sign-in, sessions and their link
//!   allow-list, the loaded connection log), so that its commands are thin adapters.
//! - [`live`]: the live desk's engine: the session list refreshed in the background within a
//!   hard request budget, every change reported as an event.
//! - [`error`]: the one error enum, with a stable [`error::ErrorKind`] for the UI.

pub mod auth;
pub mod billing;
pub mod client;
pub mod clock;
pub mod desk;
pub mod error;
pub mod fsutil;
pub mod live;
pub mod logs;
pub mod models;
pub mod secret;
mod serde_util;
pub mod xlsx;

pub use error::{Error, ErrorKind, Result};
pub use secret::Secret;

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
