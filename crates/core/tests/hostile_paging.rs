#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The API client and the paged fetch against servers that page in strange or hostile ways,
//! over loopback HTTP (wiremock): the count under the document's other name, counts and cursors
//! that contradict each other, cursor cycles, endless paging with fresh ids, a huge count, and
//! the fee under its other name.
//!
//! Every way a fetch ends early must say so: an error of kind `invalid_response` (the server
//! contradicts itself) or `limit_exceeded` (a safety limit), with the records received kept.
//!
//! Tests live in `mod logs` so that `cargo test -p sdesk-core logs` selects them.

mod logs {
    use sdesk_core::client::{
        build_http, parse_api_url, HttpConfig, StaticToken, TeamViewerClient,
    };
    use sdesk_core::logs::{FetchProgress, FetchStatus, ReportFetch};
    use sdesk_core::models::{ConnectionReport, ReportQuery};
    use sdesk_core::{ErrorKind, Result, Secret};
    use serde_json::{json, Value};
    use std::sync::{Arc, Mutex};
    use tokio_util::sync::CancellationToken;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    type Calls = Arc<Mutex<Vec<Option<String>>>>;

    /// Answers `GET /reports/connections` with `page(offset_id)` and notes every `offset_id`.
    struct Pages<F> {
        page: F,
        calls: Calls,
    }

    impl<F: Fn(Option<&str>) -> Value + Send + Sync> Respond for Pages<F> {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let offset = request
                .url
                .query_pairs()
                .find(|(k, _)| k == "offset_id")
                .map(|(_, v)| v.into_owned());
            self.calls.lock().unwrap().push(offset.clone());
            ResponseTemplate::new(200).set_body_json((self.page)(offset.as_deref()))
        }
    }

    /// A loopback server whose report pages are `page(offset_id)`, the client for it, and the
    /// log of `offset_id`s it received.
    async fn server(
        page: impl Fn(Option<&str>) -> Value + Send + Sync + 'static,
    ) -> (MockServer, TeamViewerClient, Calls) {
        let server = MockServer::start().await;
        let calls = Calls::default();
        Mock::given(method("GET"))
            .and(path("/api/v1/reports/connections"))
            .respond_with(Pages {
                page,
                calls: calls.clone(),
            })
            .mount(&server)
            .await;
        let client = TeamViewerClient::new(
            build_http(&HttpConfig::default()).unwrap(),
            parse_api_url(&server.uri()).unwrap(),
            Arc::new(StaticToken::new(Secret::new("1234-script"))),
        );
        (server, client, calls)
    }

    fn id(i: usize) -> String {
        format!("id-{i:07}")
    }

    fn index(offset: Option<&str>) -> usize {
        offset.map_or(0, |o| {
            o.trim_start_matches("id-").parse::<usize>().unwrap() + 1
        })
    }

    fn record(i: usize) -> Value {
        json!({"id": id(i), "userid": "u1", "username": "Anna",
               "start_date": "2024-03-02T10:00:00Z", "end_date": "2024-03-02T11:00:00Z"})
    }

    /// The page after `offset` of `total` records, 1,000 per page, with the count under `count`
    /// (`None`: no count) and `next_offset` while more remain.
    fn page_of(total: usize, offset: Option<&str>, count: Option<&str>) -> Value {
        let start = index(offset);
        let end = (start + 1_000).min(total);
        let mut page = json!({ "records": (start..end).map(record).collect::<Vec<_>>() });
        if let Some(count) = count {
            page[count] = json!(total - end);
        }
        if end < total {
            page["next_offset"] = json!(id(end - 1));
        }
        page
    }

    fn ids(records: &[ConnectionReport]) -> Vec<String> {
        records.iter().map(|r| r.id.clone()).collect()
    }

    async fn run(fetch: &mut ReportFetch, client: &TeamViewerClient) -> Result<FetchStatus> {
        fetch
            .run(client, &CancellationToken::new(), &mut |_| {})
            .await
    }

    #[tokio::test]
    async fn reports_remaining_keeps_paging_over_3500_records() {
        let (_server, client, calls) =
            server(|o| page_of(3_500, o, Some("reports_remaining"))).await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut remaining = Vec::new();
        let status = fetch
            .run(
                &client,
                &CancellationToken::new(),
                &mut |p: &FetchProgress| {
                    remaining.push(p.records_remaining);
                },
            )
            .await
            .unwrap();
        assert_eq!(status, FetchStatus::Complete);
        assert_eq!(
            ids(fetch.records()),
            (0..3_500).map(id).collect::<Vec<_>>(),
            "all 3,500 records arrive when the count is called reports_remaining, not 1,000"
        );
        assert_eq!(
            remaining,
            [2_500, 1_500, 500, 0],
            "the count is read under its other name"
        );
        assert_eq!(
            *calls.lock().unwrap(),
            [None, Some(id(999)), Some(id(1_999)), Some(id(2_999))],
            "each page once, following next_offset"
        );
    }

    #[tokio::test]
    async fn a_missing_count_with_next_offset_keeps_paging() {
        let (_server, client, _calls) = server(|o| page_of(2_500, o, None)).await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        assert_eq!(
            run(&mut fetch, &client).await.unwrap(),
            FetchStatus::Complete
        );
        assert_eq!(
            fetch.records().len(),
            2_500,
            "no count is not a count of 0: the cursor leads on"
        );
    }

    #[tokio::test]
    async fn a_count_without_next_offset_is_invalid_response_and_keeps_the_records() {
        // The second page says 1,500 remain but names no cursor; a client that guessed one
        // (the last id) or stopped would hide the contradiction.
        let (_server, client, calls) = server(|o| {
            let mut page = page_of(3_500, o, Some("records_remaining"));
            if o == Some(id(999).as_str()) {
                page.as_object_mut().unwrap().remove("next_offset");
            }
            page
        })
        .await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = run(&mut fetch, &client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
        assert!(
            err.to_string().contains("1500 more"),
            "the message says what the server claimed: {err}"
        );
        assert_eq!(
            ids(fetch.records()),
            (0..2_000).map(id).collect::<Vec<_>>(),
            "both pages received are kept"
        );
        assert!(
            !fetch.is_complete(),
            "an incomplete fetch does not say complete"
        );
        assert_eq!(
            fetch.cursor(),
            Some(id(999).as_str()),
            "the cursor stays at the page that could not be followed"
        );
        assert_eq!(calls.lock().unwrap().len(), 2, "no request past it");

        let again = run(&mut fetch, &client).await.unwrap_err();
        assert_eq!(
            again.kind(),
            ErrorKind::InvalidResponse,
            "resuming asks again"
        );
        assert_eq!(fetch.records().len(), 2_000, "without duplicates");
    }

    #[tokio::test]
    async fn an_empty_page_that_says_more_remain_is_invalid_response() {
        let (_server, client, _calls) = server(|o| match o {
            None => json!({"records": [record(0), record(1)], "records_remaining": 5,
                           "next_offset": id(1)}),
            Some(_) => json!({"records": [], "records_remaining": 5, "next_offset": "B"}),
        })
        .await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = run(&mut fetch, &client).await.unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidResponse,
            "5 remain, none sent: not the end: {err}"
        );
        assert_eq!(fetch.records().len(), 2, "the first page is kept");
        assert_eq!(fetch.cursor(), Some(id(1).as_str()));
    }

    #[tokio::test]
    async fn a_count_of_zero_ends_paging_even_with_a_next_offset() {
        // The document defines next_offset as the id of the last record returned, which a
        // last page has too.
        let (_server, client, calls) = server(
            |_| json!({"records": [record(0)], "records_remaining": 0, "next_offset": id(0)}),
        )
        .await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        assert_eq!(
            run(&mut fetch, &client).await.unwrap(),
            FetchStatus::Complete
        );
        assert_eq!(
            calls.lock().unwrap().len(),
            1,
            "no request after the last page"
        );
    }

    #[tokio::test]
    async fn a_cursor_cycle_a_b_a_is_invalid_response() {
        let (_server, client, calls) = server(|o| {
            let (rec, next, remaining) = match o {
                None => (0, "A", 10),
                Some("A") => (1, "B", 9),
                Some("B") => (2, "A", 8),
                Some(other) => panic!("unexpected cursor {other}"),
            };
            json!({"records": [record(rec)], "records_remaining": remaining, "next_offset": next})
        })
        .await;
        // The page limit only backs the test up: the cycle must be found long before it.
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_pages(50);
        let err = run(&mut fetch, &client).await.unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidResponse,
            "A→B→A is a loop, found when A comes back: {err}"
        );
        assert_eq!(
            *calls.lock().unwrap(),
            [None, Some("A".into()), Some("B".into())],
            "three pages, and no look-ahead request for the repeated cursor"
        );
        assert_eq!(
            ids(fetch.records()),
            [id(0), id(1), id(2)],
            "the records received are kept"
        );
        assert_eq!(
            fetch.cursor(),
            Some("B"),
            "the cursor stays before the loop"
        );
    }

    /// Never ends: 1,000 new ids per page, and a count that never reaches 0.
    fn endless(o: Option<&str>) -> Value {
        let start = index(o);
        json!({
            "records": (start..start + 1_000).map(record).collect::<Vec<_>>(),
            "records_remaining": 1_000_000,
            "next_offset": id(start + 999),
        })
    }

    #[tokio::test]
    async fn endless_paging_with_fresh_ids_stops_at_the_record_limit() {
        let (_server, client, calls) = server(endless).await;
        // The page limit only backs the test up: the record limit must end the run first.
        let mut fetch = ReportFetch::new(ReportQuery::default())
            .with_max_pages(100)
            .with_max_records(20_000);
        let err = run(&mut fetch, &client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert!(
            err.to_string().contains("record limit of 20000"),
            "the message names the limit and its value: {err}"
        );
        assert_eq!(
            fetch.records().len(),
            20_000,
            "the records up to the limit are kept"
        );
        assert_eq!(
            calls.lock().unwrap().len(),
            20,
            "no request (look-ahead included) past the limit"
        );
        assert!(!fetch.is_complete());

        // Resumable as after any other error: a higher limit continues at the cursor.
        let mut fetch = fetch.with_max_records(25_000);
        let err = run(&mut fetch, &client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert_eq!(
            ids(fetch.records()),
            (0..25_000).map(id).collect::<Vec<_>>(),
            "continued where it stopped, nothing doubled"
        );
        assert_eq!(calls.lock().unwrap().len(), 25);
    }

    #[tokio::test]
    async fn endless_paging_stops_at_the_byte_limit() {
        let (_server, client, calls) = server(endless).await;
        let limit = 1 << 20;
        let mut fetch = ReportFetch::new(ReportQuery::default())
            .with_max_pages(100)
            .with_max_bytes(limit);
        let err = run(&mut fetch, &client).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert!(
            err.to_string().contains(&format!("byte limit of {limit}")),
            "the message names the limit and its value: {err}"
        );
        let pages = calls.lock().unwrap().len();
        let body = serde_json::to_vec(&endless(None)).unwrap().len() as u64;
        assert!(
            fetch.bytes_received() >= limit && fetch.bytes_received() < limit + 2 * body,
            "stopped once the bodies reached the limit: {} bytes in {pages} pages",
            fetch.bytes_received()
        );
        assert_eq!(
            fetch.records().len(),
            pages * 1_000,
            "every page received is kept"
        );
    }

    #[tokio::test]
    async fn a_huge_records_remaining_does_not_reserve_storage() {
        let (_server, client, _calls) = server(|o| match o {
            None => json!({"records": [record(0)], "records_remaining": u64::MAX,
                           "next_offset": id(0)}),
            Some(_) => json!({"records": [record(1)], "records_remaining": 0}),
        })
        .await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        run(&mut fetch, &client).await.unwrap();
        let records = fetch.take_records();
        assert_eq!(records.len(), 2);
        assert!(
            records.capacity() <= 1_001,
            "a count the server has not backed with records reserves at most a page ahead, \
             not {} records",
            records.capacity()
        );

        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_records(10);
        run(&mut fetch, &client).await.unwrap();
        assert!(
            fetch.take_records().capacity() <= 11,
            "and never beyond the record limit"
        );
    }

    #[tokio::test]
    async fn the_fee_arrives_as_bill_string_and_billing_states_are_kept() {
        let (_server, client, _calls) = server(|_| {
            json!({"records": [
                {"id": "a", "bill": "0.00", "currency": "EUR", "billing_state": "DoNotBill"},
                {"id": "b", "bill": "12.50", "billing_state": "Billed"},
                {"id": "c", "fee": 3, "bill": "9", "billing_state": "Invoiced (custom)"},
                {"id": "d", "fee": "4.75", "billing_state": "Bill"}
            ], "records_remaining": 0})
        })
        .await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        run(&mut fetch, &client).await.unwrap();
        let got: Vec<(Option<f64>, Option<&str>)> = fetch
            .records()
            .iter()
            .map(|r| (r.fee, r.billing_state.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Some(0.0), Some("DoNotBill")),
                (Some(12.5), Some("Billed")),
                (Some(3.0), Some("Invoiced (custom)")),
                (Some(4.75), Some("Bill")),
            ],
            "the document's \"bill\": \"0.00\" is the fee; fee wins over bill; billing states \
             are kept as sent"
        );
    }
}
