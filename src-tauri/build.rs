//! tauri-build: embeds tauri.conf.json and generates the app's command permissions.
//!
//! Every app command is listed here, which makes them subject to the capability system: the UI
//! may call a command only if the "main" capability in tauri.conf.json grants its
//! `allow-<command>` permission (`sign_in` → `allow-sign-in`). Keep this list, the
//! `generate_handler!` list in src-tauri/src/lib.rs and the capability in step.

const COMMANDS: &[&str] = &[
    "app_info",
    "app_ready",
    "auth_status",
    "sign_in",
    "cancel_sign_in",
    "sign_in_with_script_token",
    "sign_out",
    "list_groups",
    "create_session",
    "list_sessions",
    "close_session",
    "open_session_link",
    "copy_session_link",
    "copy_session_code",
    "live_snapshot",
    "refresh_sessions",
    "edit_session",
    "assign_session",
    "close_sessions",
    "list_users",
    "copy_invitation_text",
    "load_logs",
    "load_archived_logs",
    "archive_sync_status",
    "sync_archive",
    "cancel_archive_sync",
    "archive_problem",
    "rebuild_archive",
    "cancel_logs",
    "resume_logs",
    "apply_log_view",
    "log_rows",
    "export_logs",
    "log_ticket_text",
    "update_log_record",
    "get_settings",
    "save_settings",
    "notification_status",
    "close_window",
    "documentation_state",
    "document_session",
    "skip_documentation",
    "billing_rates",
    "save_billing_rates",
    "billing_worklist",
    "change_billing_cases",
    "reset_billing_case",
    "mark_billed",
    "cancel_mark_billed",
    "export_invoice",
    "insight",
    "insight_state",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )?;
    Ok(())
}
