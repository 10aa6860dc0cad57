#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The desk's connection-log area against the simulator: load, cancel, resume, view, export,
//! ticket text, edit.

mod common;

use common::*;

#[tokio::test]
async fn logs_load_view_export_ticket_and_edit() {
    let sb = sandbox_with(SandboxConfig {
        records: 2_600,
        ..SandboxConfig::default()
    })
    .await;
    let desk = signed_in(&sb, Settings::default()).await;
    let mut events: Vec<FetchProgress> = Vec::new();
    let summary = desk
        .load_logs(&LogQuery::default(), &mut |p| events.push(*p))
        .await
        .unwrap();
    assert!(
        !summary.incomplete && summary.error.is_none(),
        "complete: {summary:?}"
    );
    assert_eq!(summary.totals.total_records, 2_600, "every record loaded");
    assert_eq!(events.len(), 3, "one progress report per page");

    let view = LogView {
        text: String::new(),
        columns: vec![ColumnFilter {
            column: Column::SupportSessionType,
            value: "RemoteSupportActive".into(),
            exact: false,
        }],
        sort: Some(sdesk_core::logs::Sort::asc(Column::StartDate)),
        times: None,
    };
    let page = desk.apply_log_view(&view, 0, 10);
    let totals = page.totals;
    assert!(
        totals.count > 0 && totals.count < 2_600,
        "the column filter narrows the view: {totals:?}"
    );
    assert_eq!(
        (page.offset, page.rows.len()),
        (0, 10),
        "the view's first window comes with the totals"
    );
    let rows = desk.log_rows(0, 10);
    assert_eq!(rows, page.rows, "log_rows pages through the same view");
    let tail = desk.apply_log_view(&view, totals.count - 3, 10);
    assert_eq!(
        (tail.offset, tail.rows.len()),
        (totals.count - 3, 3),
        "a window at the end of the view is cut short, not padded"
    );
    assert_eq!(
        desk.apply_log_view(&view, totals.count + 5, 10).rows.len(),
        0,
        "a window past the end is empty (the view shrank under the table)"
    );
    assert!(
        rows.windows(2).all(|w| w[0].start_date <= w[1].start_date),
        "sorted by start date"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("view.csv");
    let result = desk
        .export_view(&path, ExportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        result.rows as usize, totals.count,
        "exactly the rows in view are exported"
    );
    let mut reader = csv::Reader::from_path(&path).unwrap();
    assert_eq!(
        reader.records().count(),
        totals.count,
        "the file holds the rows in view"
    );
    let ids_in_view: Vec<String> = desk
        .log_rows(0, totals.count)
        .into_iter()
        .map(|r| r.id)
        .collect();
    let xlsx = dir.path().join("view.xlsx");
    let result = desk
        .export_view(
            &xlsx,
            ExportOptions {
                format: ExportFormat::Xlsx,
                ..ExportOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(result.rows as usize, totals.count, "XLSX: the rows in view");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, sdesk_core::logs::XLSX_SHEET).unwrap();
    let ids_in_file: Vec<String> = sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(
        ids_in_file, ids_in_view,
        "the XLSX holds exactly the rows in view, in the view's order"
    );

    let id = rows[0].id.clone();
    let ticket = desk.ticket_text(&id).unwrap();
    assert!(ticket.contains(&id), "the ticket text names the record");
    assert_eq!(
        desk.ticket_text("nope").err().map(|e| e.kind()),
        Some(ErrorKind::NotFound),
        "unknown ids are not_found"
    );

    let row = desk
        .update_log_record(&id, "called back", "Billed")
        .await
        .unwrap();
    assert_eq!(
        (row.notes.as_str(), row.billing_state.as_str()),
        ("called back", "Billed"),
        "the updated row is returned"
    );
    assert!(
        desk.ticket_text(&id).unwrap().contains("called back"),
        "the store has the new notes"
    );
}

#[tokio::test]
async fn logs_cancel_keeps_partial_rows_and_resume_completes() {
    let sb = sandbox_with(SandboxConfig {
        records: 5_000,
        faults: Faults {
            latency: Some(Duration::from_millis(30)),
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let desk = signed_in(&sb, Settings::default()).await;
    let summary = desk
        .load_logs(&LogQuery::default(), &mut |p| {
            if p.pages == 2 {
                desk.cancel_logs();
            }
        })
        .await
        .unwrap();
    assert!(summary.incomplete, "a cancelled load is incomplete");
    assert_eq!(
        summary.error.as_ref().map(|e| e.kind),
        Some(ErrorKind::Cancelled),
        "and says why"
    );
    assert_eq!(
        summary.totals.total_records, 2_000,
        "the two pages received are kept"
    );
    assert_eq!(
        desk.log_rows(0, 5_000).len(),
        2_000,
        "partial rows are visible"
    );

    let resumed = desk.resume_logs(&mut |_| {}).await.unwrap();
    assert!(
        !resumed.incomplete && resumed.error.is_none(),
        "resume completes: {resumed:?}"
    );
    assert_eq!(
        resumed.totals.total_records, 5_000,
        "nothing lost or duplicated"
    );
    let again = desk.resume_logs(&mut |_| {}).await.unwrap();
    assert_eq!(
        again.totals.total_records, 5_000,
        "resuming a complete load changes nothing"
    );

    let bad = LogQuery {
        user_id: Some("123".into()),
        ..LogQuery::default()
    };
    assert_eq!(
        desk.load_logs(&bad, &mut |_| {})
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "an invalid query is refused before anything is requested"
    );
}
