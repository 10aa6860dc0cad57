//! Billing commands: charge rates, the unbilled worklist, manual merges and splits, Mark billed
//! and invoice exports. Each is one call into the desk's billing area.

use crate::desktop::{choose_export_path, emit, SaveAs};
use crate::error::IpcResult;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sdesk_core::billing::CaseOverride;
use sdesk_core::desk::{
    events, BillingWorklist, Desk, InvoiceExport, InvoiceFormat, MarkBilledProgress,
    MarkBilledResult, RatesForm, RatesView,
};
use tauri::{AppHandle, Runtime, State};

/// The charge rates in use (Settings → Billing), with the rates file's problem if any.
#[tauri::command]
pub async fn billing_rates(state: State<'_, AppState>) -> IpcResult<RatesView> {
    Ok(state.desk.billing_rates())
}

/// Saves the charge rates to `rates.toml`; the worklist is priced again (`billing-worklist`).
#[tauri::command]
pub async fn save_billing_rates(
    state: State<'_, AppState>,
    rates: RatesForm,
) -> IpcResult<RatesView> {
    Ok(state.desk.save_billing_rates(&rates).await?)
}

/// Opens the unbilled worklist of `from` ≤ start < `to` (default: last calendar month); later
/// changes arrive as `billing-worklist`.
#[tauri::command]
pub async fn billing_worklist(
    state: State<'_, AppState>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> IpcResult<BillingWorklist> {
    Ok(state.desk.billing_worklist(from, to).await?)
}

/// Merges or splits cases by hand (kept locally).
#[tauri::command]
pub async fn change_billing_cases(
    state: State<'_, AppState>,
    change: CaseOverride,
) -> IpcResult<BillingWorklist> {
    Ok(state.desk.change_billing_cases(change).await?)
}

/// Undoes the manual merges and splits of one case.
#[tauri::command]
pub async fn reset_billing_case(
    state: State<'_, AppState>,
    key: String,
) -> IpcResult<Option<BillingWorklist>> {
    Ok(state.desk.reset_billing_case(&key).await?)
}

/// Marks connections billed; progress arrives as `billing-mark-progress`.
#[tauri::command]
pub async fn mark_billed<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> IpcResult<MarkBilledResult> {
    let desk: &Desk = &state.desk;
    Ok(desk
        .mark_billed(&ids, &mut |p: MarkBilledProgress| {
            emit(&app, events::BILLING_MARK_PROGRESS, p);
        })
        .await?)
}

/// Stops a running Mark billed.
#[tauri::command]
pub async fn cancel_mark_billed(state: State<'_, AppState>) -> IpcResult<()> {
    state.desk.cancel_mark_billed();
    Ok(())
}

/// Asks for a file (save dialog) and writes the invoice lines of the period shown, of one
/// customer or all; `null` when cancelled.
#[tauri::command]
pub async fn export_invoice<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    customer: Option<String>,
    format: InvoiceFormat,
) -> IpcResult<Option<InvoiceExport>> {
    let (filter, ext) = match format {
        InvoiceFormat::Csv => ("CSV", "csv"),
        InvoiceFormat::Xlsx => ("Excel", "xlsx"),
    };
    let name = state.desk.invoice_file_name(customer.as_deref(), format);
    let save = SaveAs {
        title: "Export invoice lines",
        file_name: &name,
        filter,
        extension: ext,
    };
    let Some(path) = choose_export_path(&app, save).await else {
        return Ok(None);
    };
    Ok(Some(
        state
            .desk
            .export_invoice(&path, customer.as_deref(), format)
            .await?,
    ))
}
