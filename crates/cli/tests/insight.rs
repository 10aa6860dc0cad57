#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Black-box tests of `sdesk insight` (issue 10, item 5) on a small SQLite archive whose numbers
//! are worked out by hand below.

mod common;

use common::*;
use sdesk_archive::{Archive, ArchiveUrl};
use serde_json::{json, Value};
use std::path::Path;

/// Six connections around November 2026; the comment of each says how it counts.
fn records() -> Vec<Value> {
    vec![
        // Before the period (31 Oct): not counted.
        json!({"id": "r0", "userid": "u1", "username": "Anna", "start_date": "2026-10-31T23:59:59Z",
               "end_date": "2026-11-01T00:30:00Z", "deviceid": "d0"}),
        // 1 Nov, 30 min, Anna, group Kunden, customer by e-mail (lower-cased), Billed.
        json!({"id": "r1", "userid": "u1", "username": "Anna", "groupid": "g1",
               "groupname": "Kunden", "start_date": "2026-11-01T00:00:00Z",
               "end_date": "2026-11-01T00:30:00Z", "billing_state": "Billed",
               "end_customer": {"email": "Joerg@Example.com", "name": "Jörg"}}),
        // 1 Nov 23:00, 2 h (past midnight: all on 1 Nov), Ben, no group, same customer,
        // DoNotBill.
        json!({"id": "r2", "userid": "u2", "username": "Ben", "start_date": "2026-11-01T23:00:00Z",
               "end_date": "2026-11-02T01:00:00Z", "billing_state": "DoNotBill",
               "end_customer": {"email": "joerg@example.com"}}),
        // 2 Nov, running (0 s), Anna, Kunden, customer by device name.
        json!({"id": "r3", "userid": "u1", "username": "Anna", "groupid": "g1",
               "groupname": "Kunden", "start_date": "2026-11-02T08:00:00Z",
               "devicename": "PC-7", "deviceid": "d7"}),
        // 30 Nov, 10 min 30.5 s = 630 s, Anna renamed, customer by device id.
        json!({"id": "r4", "userid": "u1", "username": "Anna Schmidt", "groupid": "g1",
               "groupname": "Kunden", "start_date": "2026-11-30T10:00:00Z",
               "end_date": "2026-11-30T10:10:30.500Z", "deviceid": "d9"}),
        // 1 Dec 00:00: the end of the period is exclusive, not counted.
        json!({"id": "r5", "userid": "u2", "username": "Ben", "start_date": "2026-12-01T00:00:00Z",
               "end_date": "2026-12-01T01:00:00Z", "deviceid": "d9"}),
    ]
}

fn archive_with_records(path: &Path) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let archive = Archive::open(&ArchiveUrl::Sqlite(path.to_path_buf()))
            .await
            .unwrap();
        archive.upsert_json(&records()).await.unwrap();
    });
    format!("sqlite:{}", path.display())
}

fn november() -> Value {
    json!({
        "connections": 4,
        "seconds": 1800 + 7200 + 630,
        "by_day": [
            {"date": "2026-11-01", "connections": 2, "seconds": 9000},
            {"date": "2026-11-02", "connections": 1, "seconds": 0},
            {"date": "2026-11-30", "connections": 1, "seconds": 630},
        ],
        "by_user": [
            {"userid": "u2", "username": "Ben", "connections": 1, "seconds": 7200},
            {"userid": "u1", "username": "Anna Schmidt", "connections": 3, "seconds": 2430},
        ],
        "by_group": [
            {"groupid": null, "groupname": null, "connections": 1, "seconds": 7200},
            {"groupid": "g1", "groupname": "Kunden", "connections": 3, "seconds": 2430},
        ],
        "by_customer": [
            {"customer": "joerg@example.com", "connections": 2, "seconds": 9000},
            {"customer": "d9", "connections": 1, "seconds": 630},
            {"customer": "PC-7", "connections": 1, "seconds": 0},
        ],
    })
}

#[test]
fn insight_json_has_the_hand_computed_numbers_and_item_5s_keys() {
    let dir = tempfile::tempdir().unwrap();
    let url = archive_with_records(&dir.path().join("a.sqlite3"));
    let o = sdesk(
        &[
            "insight",
            "--from",
            "2026-11-01",
            "--to",
            "2026-12-01",
            "--database",
            &url,
            "--json",
        ],
        &[],
    );
    assert!(o.status.success(), "insight: {}", stderr(&o));
    let text = stdout(&o);
    let got: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        got,
        november(),
        "every connection starting in November, whatever its billing state"
    );
    let keys = [
        "\"connections\"",
        "\"seconds\"",
        "\"by_day\"",
        "\"by_user\"",
        "\"by_group\"",
        "\"by_customer\"",
    ];
    let at: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "the keys in item 5's order: {text}"
    );
    // The same archive through the environment's URL, and with RFC 3339 bounds.
    let o = sdesk(
        &[
            "insight",
            "--from",
            "2026-11-01T00:00:00Z",
            "--to",
            "2026-11-01T23:00:00+00:00",
            "--json",
        ],
        &[("SDESK_DATABASE_URL", &url)],
    );
    assert!(o.status.success(), "insight: {}", stderr(&o));
    let got: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (got["connections"].as_u64(), got["seconds"].as_i64()),
        (Some(1), Some(1800)),
        "the end is exclusive: r2 starts exactly at --to"
    );
}

#[test]
fn insight_table_is_short_and_readable() {
    let dir = tempfile::tempdir().unwrap();
    let url = archive_with_records(&dir.path().join("a.sqlite3"));
    let o = sdesk(
        &[
            "insight",
            "--from",
            "2026-11-01",
            "--to",
            "2026-12-01",
            "--database",
            &url,
        ],
        &[],
    );
    assert!(o.status.success(), "insight: {}", stderr(&o));
    let text = stdout(&o);
    // Lines compared with their runs of spaces (the column padding) as one space.
    let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines: Vec<String> = text.lines().map(words).collect();
    for line in [
        "connections: 4",
        "time: 2:40 h (9630 s)",
        "2026-11-01 2 conn. 2:30 h",
        "2026-11-30 1 conn. 0:10 h",
        "Ben (u2) 1 conn. 2:00 h",
        "Anna Schmidt (u1) 3 conn. 0:40 h",
        "(no group) 1 conn. 2:00 h",
        "Kunden (g1) 3 conn. 0:40 h",
        "joerg@example.com 2 conn. 2:30 h",
        "PC-7 1 conn. 0:00 h",
    ] {
        assert!(
            lines.iter().any(|l| l == line),
            "the table has the line {line:?}:\n{text}"
        );
    }
    assert!(
        text.find("Ben (u2)").unwrap() < text.find("Anna Schmidt").unwrap(),
        "most hours first"
    );
}

#[test]
fn insight_refuses_an_empty_period_and_a_bad_date() {
    let dir = tempfile::tempdir().unwrap();
    let url = archive_with_records(&dir.path().join("a.sqlite3"));
    for (from, to, says) in [
        ("2026-12-01", "2026-11-01", "--to must be after --from"),
        ("2026-11-01", "2026-11-01", "--to must be after --from"),
        ("1.11.2026", "2026-12-01", "is not a date"),
    ] {
        let o = sdesk(
            &["insight", "--from", from, "--to", to, "--database", &url],
            &[],
        );
        assert!(!o.status.success(), "{from}..{to} is refused");
        let err = stderr(&o);
        assert!(
            err.starts_with("error: invalid_input: ") && err.contains(says),
            "a clear error: {err}"
        );
    }
}
