#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Writes the TypeScript types of every value that crosses the app's IPC into ONE file,
//! `ui/src/bindings.gen.ts` (run with `--features ts`; `scripts/check-bindings.sh` fails when
//! the committed file differs from a fresh run).
//!
//! The order below is fixed, so the output is deterministic. `u64`/`i64` become `number`, not
//! ts-rs's default `bigint`: Tauri's IPC is JSON, and `JSON.parse` yields numbers (all our
//! counts and durations are far below 2^53).

use sdesk_core::auth::TokenKind;
use sdesk_core::billing::dashboard::{
    CurrencyAmounts, Dashboard, DurationBucket, OtherCustomers, PeriodTotal,
};
use sdesk_core::billing::{CaseOverride, DropReason, DroppedOverride};
use sdesk_core::billing::{CustomerTotal, GroupTotal, UserTotal};
use sdesk_core::desk::{
    events, AccountDto, ApiWait, ApiWaitOver, ApiWaitReason, AppInfo, ArchiveProblem,
    ArchiveRebuilt, ArchiveSettings, ArchiveSyncStatus, AuthStatus, CloseAction, CloseOutcome,
    CopyLink, Delimiter, DesktopEvent, DesktopSettings, DocumentationMode, DocumentationSettings,
    DocumentationState, ExportFormat, ExportOptions, ExportResult, GroupDto, InsightPeriod,
    InsightState, Language, LiveSettings, LiveSnapshot, LiveUpdate, LogPage, LogQuery, LogSummary,
    LogView, Mode, NewSessionForm, NotificationState, OpenLink, RedirectMode, SessionDto,
    SessionEdit, SessionListState, Settings, SettingsView, SyncState, UndocumentedSession, UserDto,
};
use sdesk_core::desk::{
    BillingWorklist, CaseConnection, ExcludedReason, GroupRateForm, InvoiceExport, InvoiceFormat,
    MarkBilledFailure, MarkBilledProgress, MarkBilledResult, MoneyTotal, RateForm, RatesForm,
    RatesView, WorklistCase, WorklistCustomer, WorklistExcluded,
};
use sdesk_core::error::{ErrorKind, ErrorReport};
use sdesk_core::live::{LiveStatus, SlowReason};
use sdesk_core::logs::{
    Column, ColumnFilter, FetchProgress, LogChoices, LogRow, Sort, TimeDisplay, TimePart, Totals,
};
use std::path::PathBuf;
use ts_rs::{Config, TS};

fn decl<T: TS>(cfg: &Config, out: &mut String) {
    out.push_str("export ");
    out.push_str(&T::decl(cfg));
    out.push_str("\n\n");
}

fn generate() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// generated — do not edit. Source: the Rust IPC types (crates/core, feature `ts`).\n\
         // Regenerate: cargo test -p sdesk-core --features ts --test bindings\n\
         // Check:      scripts/check-bindings.sh\n\n",
    );
    // Errors: every command rejects with an IpcError.
    decl::<ErrorKind>(&cfg, &mut out);
    decl::<ErrorReport>(&cfg, &mut out);
    out.push_str(
        "/** What every command rejects with: a stable `kind` to branch on, a readable message. */\n\
         export type IpcError = ErrorReport;\n\n",
    );
    // auth
    decl::<TokenKind>(&cfg, &mut out);
    decl::<AccountDto>(&cfg, &mut out);
    decl::<AuthStatus>(&cfg, &mut out);
    // sessions
    decl::<GroupDto>(&cfg, &mut out);
    decl::<NewSessionForm>(&cfg, &mut out);
    decl::<SessionDto>(&cfg, &mut out);
    decl::<SessionListState>(&cfg, &mut out);
    decl::<OpenLink>(&cfg, &mut out);
    decl::<CopyLink>(&cfg, &mut out);
    decl::<SessionEdit>(&cfg, &mut out);
    decl::<UserDto>(&cfg, &mut out);
    decl::<CloseOutcome>(&cfg, &mut out);
    // logs
    decl::<Column>(&cfg, &mut out);
    decl::<ColumnFilter>(&cfg, &mut out);
    decl::<Sort>(&cfg, &mut out);
    decl::<TimePart>(&cfg, &mut out);
    decl::<TimeDisplay>(&cfg, &mut out);
    decl::<LogQuery>(&cfg, &mut out);
    decl::<LogView>(&cfg, &mut out);
    decl::<LogRow>(&cfg, &mut out);
    decl::<Totals>(&cfg, &mut out);
    decl::<LogChoices>(&cfg, &mut out);
    decl::<LogPage>(&cfg, &mut out);
    decl::<FetchProgress>(&cfg, &mut out);
    decl::<LogSummary>(&cfg, &mut out);
    decl::<Delimiter>(&cfg, &mut out);
    decl::<ExportFormat>(&cfg, &mut out);
    decl::<ExportOptions>(&cfg, &mut out);
    decl::<ExportResult>(&cfg, &mut out);
    // settings and app
    decl::<Mode>(&cfg, &mut out);
    decl::<RedirectMode>(&cfg, &mut out);
    decl::<Language>(&cfg, &mut out);
    decl::<CloseAction>(&cfg, &mut out);
    decl::<DesktopSettings>(&cfg, &mut out);
    decl::<ArchiveSettings>(&cfg, &mut out);
    decl::<ArchiveProblem>(&cfg, &mut out);
    decl::<ArchiveRebuilt>(&cfg, &mut out);
    decl::<LiveSettings>(&cfg, &mut out);
    decl::<SyncState>(&cfg, &mut out);
    decl::<ArchiveSyncStatus>(&cfg, &mut out);
    decl::<NotificationState>(&cfg, &mut out);
    decl::<DesktopEvent>(&cfg, &mut out);
    decl::<DocumentationMode>(&cfg, &mut out);
    decl::<DocumentationSettings>(&cfg, &mut out);
    decl::<Settings>(&cfg, &mut out);
    decl::<SettingsView>(&cfg, &mut out);
    decl::<AppInfo>(&cfg, &mut out);
    // Waits before retries (events).
    decl::<ApiWaitReason>(&cfg, &mut out);
    decl::<ApiWait>(&cfg, &mut out);
    decl::<ApiWaitOver>(&cfg, &mut out);
    // The live session list (event `live`, command `live_snapshot`).
    decl::<SlowReason>(&cfg, &mut out);
    decl::<LiveStatus>(&cfg, &mut out);
    decl::<LiveSnapshot>(&cfg, &mut out);
    decl::<LiveUpdate>(&cfg, &mut out);
    // End-of-session documentation (event `documentation`, its commands).
    decl::<UndocumentedSession>(&cfg, &mut out);
    decl::<DocumentationState>(&cfg, &mut out);
    // Billing: rates, the unbilled worklist, manual changes, Mark billed, invoice export.
    decl::<RateForm>(&cfg, &mut out);
    decl::<GroupRateForm>(&cfg, &mut out);
    decl::<RatesForm>(&cfg, &mut out);
    decl::<RatesView>(&cfg, &mut out);
    decl::<CaseConnection>(&cfg, &mut out);
    decl::<WorklistCase>(&cfg, &mut out);
    decl::<MoneyTotal>(&cfg, &mut out);
    decl::<WorklistCustomer>(&cfg, &mut out);
    decl::<ExcludedReason>(&cfg, &mut out);
    decl::<WorklistExcluded>(&cfg, &mut out);
    decl::<CaseOverride>(&cfg, &mut out);
    decl::<DropReason>(&cfg, &mut out);
    decl::<DroppedOverride>(&cfg, &mut out);
    decl::<BillingWorklist>(&cfg, &mut out);
    decl::<MarkBilledProgress>(&cfg, &mut out);
    decl::<MarkBilledFailure>(&cfg, &mut out);
    decl::<MarkBilledResult>(&cfg, &mut out);
    decl::<InvoiceFormat>(&cfg, &mut out);
    decl::<InvoiceExport>(&cfg, &mut out);
    // insight
    decl::<PeriodTotal>(&cfg, &mut out);
    decl::<UserTotal>(&cfg, &mut out);
    decl::<GroupTotal>(&cfg, &mut out);
    decl::<CustomerTotal>(&cfg, &mut out);
    decl::<OtherCustomers>(&cfg, &mut out);
    decl::<CurrencyAmounts>(&cfg, &mut out);
    decl::<DurationBucket>(&cfg, &mut out);
    decl::<Dashboard>(&cfg, &mut out);
    decl::<InsightPeriod>(&cfg, &mut out);
    decl::<InsightState>(&cfg, &mut out);
    // Event names (Rust → UI).
    out.push_str("/** Event names and their payloads (Rust → UI). */\n");
    out.push_str("export const EVENTS = {\n");
    for (name, payload) in events::ALL {
        out.push_str(&format!("  {:?}: {:?},\n", camel(name), name));
        let _ = payload;
    }
    out.push_str("} as const;\n\n");
    out.push_str("export type EventPayloads = {\n");
    for (name, payload) in events::ALL {
        out.push_str(&format!("  {name:?}: {payload},\n"));
    }
    out.push_str("};\n");
    out
}

/// `auth-changed` → `authChanged`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn write_ui_bindings() {
    let text = generate();
    assert!(
        !text.contains("bigint"),
        "every integer on the IPC is a JSON number, never a bigint"
    );
    for must in [
        "export type IpcError",
        "export type AuthStatus",
        "export type LogRow",
        "\"invalid_input\"",
    ] {
        assert!(text.contains(must), "the bindings must declare {must}");
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.gen.ts");
    // Only rewrite on change, so a dev server watching ui/ does not reload for nothing.
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(
        generate(),
        text,
        "the generated file must be deterministic (same bytes on every run)"
    );
}
