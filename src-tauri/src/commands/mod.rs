//! The IPC commands (docs/ipc.md), one file per area. Each is a thin adapter: arguments in, one
//! call into the core's `Desk` (or the shell's side effects), a DTO or `IpcError` out. All are
//! `async` so that none runs on the main (UI) thread.
//!
//! Checklist for a new command: function here → `generate_handler!` in `lib.rs` → `COMMANDS`
//! in `src-tauri/build.rs` → `allow-…` in the "main" capability of `tauri.conf.json` → types
//! in `sdesk_core::desk` (bindings regenerated) → docs/ipc.md.

pub mod app;
pub mod auth;
pub mod billing;
pub mod desktop;
pub mod documentation;
pub mod insight;
pub mod logs;
pub mod sessions;
pub mod settings;
