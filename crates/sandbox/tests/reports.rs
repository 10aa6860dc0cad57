//! Connection reports over HTTP: complete paging, filters, single-record GET/PUT, wire forms
//! and determinism.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use common::*;
use reqwest::{Client, StatusCode};
use sdesk_sandbox::wire::{wire_time, DeviceId, ReportPage, SupportSessionType, WireReport};
use sdesk_sandbox::{generate_reports, Sandbox, SandboxConfig, BILLING_STATES, REPORT_PAGE_SIZE};
use std::collections::HashSet;

/// Pages through `reports/connections?<query>` until `next_offset` is absent.
async fn fetch_all(client: &Client, sandbox: &Sandbox, query: &str) -> Vec<WireReport> {
    let token = sandbox.script_token();
    let mut records = Vec::new();
    let mut offset: Option<String> = None;
    loop {
        let cursor = offset
            .as_ref()
            .map(|id| format!("&offset_id={id}"))
            .unwrap_or_default();
        let page: ReportPage = api_json(
            client,
            sandbox,
            &format!("reports/connections?{query}{cursor}"),
            &token,
        )
        .await;
        assert!(
            page.records.len() <= REPORT_PAGE_SIZE,
            "a page holds at most 1000 records"
        );
        records.extend(page.records);
        match page.next_offset {
            Some(next) => {
                assert!(
                    page.records_remaining > 0,
                    "next_offset only when more follow"
                );
                assert_eq!(
                    Some(next.as_str()),
                    records.last().map(|r| r.id.to_string()).as_deref(),
                    "next_offset is the id of the page's last record"
                );
                offset = Some(next);
            }
            None => {
                assert_eq!(
                    page.records_remaining, 0,
                    "the last page has nothing remaining"
                );
                return records;
            }
        }
    }
}

#[tokio::test]
async fn paging_returns_every_record_once_newest_first() {
    let sandbox = start(config()).await;
    let client = http();
    let first: ReportPage = api_json(
        &client,
        &sandbox,
        "reports/connections",
        &sandbox.script_token(),
    )
    .await;
    assert_eq!(first.records.len(), 1_000, "full first page");
    assert_eq!(first.records_remaining, 1_500, "2500 - 1000 remain");
    let records = fetch_all(&client, &sandbox, "").await;
    assert_eq!(records.len(), 2_500, "every record is served");
    let ids: HashSet<_> = records.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 2_500, "no record is served twice");
    assert!(
        records.windows(2).all(|w| w[0].end_date >= w[1].end_date),
        "records are sorted by end_date descending"
    );
    assert_eq!(
        records,
        generate_reports(42, 2_500, now()),
        "the server serves exactly what generate_reports describes"
    );
    assert_eq!(sandbox.report_count(), 2_500, "report_count matches");
}

#[tokio::test]
async fn filters_match_a_local_scan() {
    let sandbox = start(config()).await;
    let client = http();
    let all = generate_reports(42, 2_500, now());
    let numeric_device = all
        .iter()
        .find_map(|r| match r.deviceid {
            DeviceId::Number(n) => Some(n.to_string()),
            DeviceId::Text(_) => None,
        })
        .unwrap();
    let coded = all.iter().find(|r| r.session_code.is_some()).unwrap();
    let code = coded.session_code.clone().unwrap();
    let user = all[0].userid.clone();
    let device_name = all[0].devicename.clone();
    // A name whose upper case reads back as the same name ("Groß" → "GROSS" does not: the
    // filter compares lower case, as the sandbox documents).
    let username = all
        .iter()
        .map(|r| r.username.clone())
        .find(|n| n.to_uppercase().to_lowercase() == n.to_lowercase())
        .unwrap();
    let from = now() - chrono::Duration::days(10);
    let to = now() - chrono::Duration::days(3);
    let enc =
        |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    type Check = Box<dyn Fn(&WireReport) -> bool>;
    let cases: Vec<(String, Check)> = vec![
        (format!("userid={user}"), {
            let user = user.clone();
            Box::new(move |r| r.userid == user)
        }),
        (
            format!("username={}", enc(&username.to_uppercase())),
            Box::new(move |r| r.username == username),
        ),
        (
            format!("devicename={}", enc(&device_name)),
            Box::new(move |r| r.devicename == device_name),
        ),
        ("groupid=0".to_owned(), Box::new(|r| r.groupid.is_none())),
        (
            format!("deviceid={numeric_device}"),
            Box::new(move |r| r.deviceid.as_text() == numeric_device),
        ),
        (
            "has_code=false".to_owned(),
            Box::new(|r| r.session_code.is_none()),
        ),
        (
            "support_session_type=RemoteSupportActive".to_owned(),
            Box::new(|r| r.support_session_type == SupportSessionType::RemoteSupportActive),
        ),
        (
            "support_session_type=3".to_owned(),
            Box::new(|r| r.support_session_type == SupportSessionType::RemoteSupportActiveSdk),
        ),
        (
            format!("session_code={}", code.replace('-', "")),
            Box::new(move |r| r.session_code.as_deref() == Some(code.as_str())),
        ),
        (
            format!(
                "from_date={}&to_date={}",
                from.format("%Y-%m-%dT%H:%M:%SZ"),
                to.format("%Y-%m-%dT%H:%M:%SZ")
            ),
            Box::new(move |r| r.start_date >= from && r.start_date < to),
        ),
    ];
    for (query, keep) in cases {
        let expected: Vec<WireReport> = all.iter().filter(|r| keep(r)).cloned().collect();
        assert!(
            !expected.is_empty(),
            "{query} should match something in the data"
        );
        assert_eq!(
            fetch_all(&client, &sandbox, &query).await,
            expected,
            "{query} returns exactly the matching records, in order"
        );
    }
}

/// An instant as a query value: RFC 3339 as the sandbox writes it, form-encoded.
fn wire(at: DateTime<Utc>) -> String {
    url::form_urlencoded::byte_serialize(wire_time::format(&at).as_bytes()).collect()
}

/// Doc 2023-03 p47: `from_date` and `to_date` both filter on `start_date`; `from_date` is
/// included, `to_date` excluded, and a date without a time means 00:00:00Z.
#[tokio::test]
async fn from_and_to_date_both_filter_on_the_start_date() {
    let sandbox = start(config()).await;
    let client = http();
    let all = generate_reports(42, 2_500, now());
    let ids = |records: &[WireReport]| records.iter().map(|r| r.id).collect::<HashSet<_>>();

    // A long connection, and a `to_date` between its start and its end.
    let long = all
        .iter()
        .find(|r| r.end_date - r.start_date > chrono::Duration::minutes(60))
        .expect("the data has connections longer than an hour");
    let to = long.start_date + chrono::Duration::minutes(30);
    let before_to = fetch_all(&client, &sandbox, &format!("to_date={}", wire(to))).await;
    assert!(
        ids(&before_to).contains(&long.id),
        "a connection that starts before to_date is included even though it ends after it: \
         to_date filters on start_date, not end_date"
    );
    assert_eq!(
        before_to,
        all.iter()
            .filter(|r| r.start_date < to)
            .cloned()
            .collect::<Vec<_>>(),
        "to_date keeps exactly the connections that start before it"
    );

    // Boundaries: a connection starting exactly at from_date is in, exactly at to_date is out.
    let at = wire(long.start_date);
    let exact_from = fetch_all(&client, &sandbox, &format!("from_date={at}")).await;
    assert!(
        ids(&exact_from).contains(&long.id),
        "from_date is inclusive: a start equal to it matches"
    );
    let exact_to = fetch_all(&client, &sandbox, &format!("to_date={at}")).await;
    assert!(
        !ids(&exact_to).contains(&long.id),
        "to_date is exclusive: a start equal to it does not match"
    );

    // Whole days: from the first day 00:00Z to the day after the last day 00:00Z.
    let crossing = all
        .iter()
        .find(|r| r.start_date.date_naive() != r.end_date.date_naive())
        .expect("some connection runs past midnight UTC");
    let day = crossing.start_date.date_naive();
    let next = day.succ_opt().unwrap();
    let query = format!("from_date={day}&to_date={next}");
    let midnight = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let (lo, hi) = (midnight(day), midnight(next));
    let on_day = fetch_all(&client, &sandbox, &query).await;
    assert_eq!(
        on_day,
        all.iter()
            .filter(|r| r.start_date >= lo && r.start_date < hi)
            .cloned()
            .collect::<Vec<_>>(),
        "{query}: bare dates are 00:00Z and select the connections that start on {day}"
    );
    assert!(
        ids(&on_day).contains(&crossing.id),
        "{query}: a connection that starts on {day} and ends the next day belongs to {day}"
    );
}

#[tokio::test]
async fn bad_report_queries_are_invalid_requests() {
    let sandbox = start(config()).await;
    let client = http();
    for query in [
        "offset_id=00000000-0000-0000-0000-000000000000",
        "offset_id=not-a-uuid",
        "has_code=perhaps",
        "from_date=last-tuesday",
        "support_session_type=Teleport",
    ] {
        let (status, body) = error_of(
            api_get(
                &client,
                &sandbox,
                &format!("reports/connections?{query}"),
                &sandbox.script_token(),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body.error.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{query} must be refused"
        );
    }
    let unauthenticated = client
        .get(url(&sandbox, "api/v1/reports/connections"))
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(unauthenticated).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_token"),
        "reports need a bearer token"
    );
}

#[tokio::test]
async fn single_record_get_and_put_persist() {
    let sandbox = start(config()).await;
    let client = http();
    let token = sandbox.script_token();
    let record = generate_reports(42, 2_500, now()).remove(1_234);
    let path = format!("reports/connections/{}", record.id);
    let fetched: WireReport = api_json(&client, &sandbox, &path, &token).await;
    assert_eq!(fetched, record, "GET by id returns the record");
    let notes = "Kunde: \"Müller, Anna\"\r\n=SUM(A1)";
    let put = client
        .put(url(&sandbox, &format!("api/v1/{path}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"notes": notes, "billing_state": "Billed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT, "PUT answers 204");
    let updated: WireReport = api_json(&client, &sandbox, &path, &token).await;
    assert_eq!(
        (updated.notes.as_deref(), updated.billing_state.as_deref()),
        (Some(notes), Some("Billed")),
        "notes and billing_state are persisted verbatim"
    );
    let listed = fetch_all(&client, &sandbox, &format!("userid={}", record.userid)).await;
    assert!(
        listed
            .iter()
            .any(|r| r.id == record.id && r.notes.as_deref() == Some(notes)),
        "the list shows the update too"
    );
    let clear = client
        .put(url(&sandbox, &format!("api/v1/{path}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"notes": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        clear.status(),
        StatusCode::NO_CONTENT,
        "clearing answers 204"
    );
    let cleared: WireReport = api_json(&client, &sandbox, &path, &token).await;
    assert_eq!(
        (cleared.notes, cleared.billing_state.as_deref()),
        (None, Some("Billed")),
        "null clears notes; an absent billing_state stays"
    );
    let (status, body) = error_of(
        api_get(
            &client,
            &sandbox,
            "reports/connections/6f1c0a52-0000-4000-8000-000000000000",
            &token,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::NOT_FOUND, "not_found"),
        "unknown ids are 404"
    );
    assert_eq!(sandbox.stats().report_updates, 2, "two updates counted");
}

/// Doc 2023-03 p48/p51: `billing_state` is `Bill`, `Billed` or `DoNotBill`. The sandbox serves
/// only these, accepts them on `PUT`, and refuses anything else with `400 invalid_request`
/// (without applying the rest of that body); `""` and `null` leave the state as it is.
#[tokio::test]
async fn billing_state_is_bill_billed_or_do_not_bill() {
    let sandbox = start(config()).await;
    let client = http();
    let token = sandbox.script_token();
    let served = fetch_all(&client, &sandbox, "").await;
    let states: HashSet<Option<&str>> = served.iter().map(|r| r.billing_state.as_deref()).collect();
    assert_eq!(
        states,
        HashSet::from([None, Some("Bill"), Some("Billed"), Some("DoNotBill")]),
        "served billing states are exactly the documented three (or null), each of them used"
    );
    assert_eq!(
        BILLING_STATES,
        ["Bill", "Billed", "DoNotBill"],
        "the exported list"
    );

    let record = &served[7];
    let path = format!("api/v1/reports/connections/{}", record.id);
    let put = |body: serde_json::Value| {
        let request = client
            .put(url(&sandbox, &path))
            .bearer_auth(&token)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let state_now = || async {
        let r: WireReport = api_json(
            &client,
            &sandbox,
            &format!("reports/connections/{}", record.id),
            &token,
        )
        .await;
        (r.billing_state, r.notes)
    };
    for state in BILLING_STATES {
        let response = put(serde_json::json!({ "billing_state": state })).await;
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "{state} is a documented billing state"
        );
        assert_eq!(
            state_now().await.0.as_deref(),
            Some(state),
            "{state} is stored as sent"
        );
    }
    let before = state_now().await;
    for bad in ["Not billed", "billed", "DONOTBILL", "Paid"] {
        let (status, body) = error_of(
            put(serde_json::json!({ "billing_state": bad, "notes": "must not be applied" })).await,
        )
        .await;
        assert_eq!(
            (status, body.error.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{bad:?} is not Bill, Billed or DoNotBill"
        );
        assert_eq!(
            state_now().await,
            before,
            "a refused PUT ({bad:?}) changes nothing, not even the notes"
        );
    }
    for keep in [serde_json::json!(""), serde_json::Value::Null] {
        let response = put(serde_json::json!({ "billing_state": keep, "notes": "kept" })).await;
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "billing_state {keep} is accepted"
        );
        assert_eq!(
            state_now().await,
            (before.0.clone(), Some("kept".to_owned())),
            "billing_state {keep} leaves the state unchanged; the notes are written"
        );
    }
}

#[tokio::test]
async fn wire_forms_vary_to_test_client_tolerance() {
    let sandbox = start(config()).await;
    let client = http();
    let page: serde_json::Value = api_json(
        &client,
        &sandbox,
        "reports/connections",
        &sandbox.script_token(),
    )
    .await;
    let records = page["records"].as_array().unwrap();
    let any = |test: &dyn Fn(&serde_json::Value) -> bool| records.iter().any(test);
    assert!(
        any(&|r| r["end_date"].as_str().unwrap().contains('.')),
        "some timestamps carry fractional seconds"
    );
    assert!(
        records
            .iter()
            .all(|r| r["end_date"].as_str().unwrap().ends_with('Z')),
        "timestamps are UTC with Z"
    );
    assert!(
        any(&|r| r["deviceid"].is_number()),
        "some deviceids are numbers"
    );
    assert!(
        any(&|r| r["deviceid"].is_string()),
        "some deviceids are strings"
    );
    assert!(
        any(&|r| r.get("notes").is_some_and(|n| n.is_null())),
        "some optional fields are null"
    );
    assert!(
        any(&|r| r.get("session_code").is_none()),
        "some optional fields are absent"
    );
    assert!(
        records.iter().all(|r| r["support_session_type"].is_u64()),
        "support_session_type is an int on the wire"
    );
}

#[tokio::test]
async fn same_seed_serves_the_same_data() {
    let small = SandboxConfig {
        records: 300,
        ..config()
    };
    let (one, two) = (start(small.clone()).await, start(small).await);
    let other = start(SandboxConfig {
        seed: 43,
        records: 300,
        ..config()
    })
    .await;
    let client = http();
    let one_records = fetch_all(&client, &one, "").await;
    assert_eq!(
        one_records,
        fetch_all(&client, &two, "").await,
        "same seed, count and now give identical reports"
    );
    assert_ne!(
        one_records,
        fetch_all(&client, &other, "").await,
        "another seed gives other reports"
    );
    assert_eq!(
        one.script_token(),
        two.script_token(),
        "script token follows the seed"
    );
    assert_ne!(
        one.script_token(),
        other.script_token(),
        "and differs between seeds"
    );
    one.shutdown().await;
    two.shutdown().await;
    other.shutdown().await;
}

#[tokio::test]
async fn withheld_reports_appear_when_released() {
    let full = SandboxConfig {
        records: 1_500,
        ..config()
    };
    let all = sdesk_sandbox::generate_reports(full.seed, 1_500, now());
    let sandbox = start(SandboxConfig {
        withheld_records: 200,
        ..full
    })
    .await;
    let client = http();
    assert_eq!(
        (sandbox.report_count(), sandbox.withheld_records()),
        (1_300, 200)
    );
    let before = fetch_all(&client, &sandbox, "").await;
    assert_eq!(
        before.as_slice(),
        &all[200..],
        "the newest 200 are not served yet"
    );
    let token = sandbox.script_token();
    let hidden = api_get(
        &client,
        &sandbox,
        &format!("reports/connections/{}", all[0].id),
        &token,
    )
    .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "nor found by id");
    assert_eq!(sandbox.release_records(150), 150);
    let after = fetch_all(&client, &sandbox, "").await;
    assert_eq!(
        after.as_slice(),
        &all[50..],
        "the 150 released come first, the same reports as without withholding"
    );
    assert_eq!(sandbox.release_records(500), 50, "only what is left");
    assert_eq!(fetch_all(&client, &sandbox, "").await, all);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn report_days_sets_the_span_the_server_serves() {
    let sandbox = start(SandboxConfig {
        records: 1_200,
        report_days: 2_000,
        ..config()
    })
    .await;
    let served = fetch_all(&http(), &sandbox, "").await;
    assert_eq!(
        served,
        sdesk_sandbox::generate_reports_over(config().seed, 1_200, now(), 2_000),
        "the server serves the records of the configured span"
    );
    let oldest = served
        .iter()
        .map(|r| r.end_date)
        .min()
        .expect("records have end dates");
    assert!(
        oldest < now() - chrono::Duration::days(90),
        "a 2,000-day span reaches further back than the default 90 days (oldest end {oldest})"
    );
    sandbox.shutdown().await;
}
