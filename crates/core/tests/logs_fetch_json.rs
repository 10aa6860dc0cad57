#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The paged fetch with a pager that delivers JSON bodies (`PageBody::Json`, as the API client
//! does): the look-ahead request for the next page goes out while a page is decoded, and none
//! of the fetch's guarantees change: order, exactly-once, resume after errors (also errors of
//! the look-ahead request and of decoding), cancellation, the page, record and byte limits (no
//! unused look-ahead at a limit), the repeated cursor, pages that contradict themselves.
//!
//! Tests live in `mod logs` so that `cargo test -p sdesk-core logs` selects them.

mod logs {
    use async_trait::async_trait;
    use sdesk_core::logs::{FetchStatus, PageBody, ReportFetch, ReportPager};
    use sdesk_core::models::{ConnectionReport, ReportPage, ReportQuery};
    use sdesk_core::{Error, ErrorKind, Result};
    use serde_json::json;
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex};
    use tokio_util::sync::CancellationToken;

    /// What happened, in order: requests (with their cursor) and stored pages (progress events).
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Event {
        Request(Option<String>),
        Stored(u32),
    }

    type Log = Arc<Mutex<Vec<Event>>>;

    fn record(i: usize) -> serde_json::Value {
        json!({
            "id": format!("id-{i:05}"), "userid": "u1", "username": "Anna", "deviceid": 123456789,
            "support_session_type": 2, "start_date": "2024-03-02T10:00:00Z",
            "end_date": "2024-03-02T11:02:03.5Z", "fee": "12.50", "notes": null,
            "unknown_field": {"x": [1, 2]}
        })
    }

    /// Like the API: JSON pages of `page_size` records after the `offset_id` record.
    struct JsonPager {
        total: usize,
        page_size: usize,
        log: Log,
        /// Call numbers (0-based) that fail with a 503.
        fail_calls: Mutex<HashSet<usize>>,
        /// Call numbers whose body is broken in the middle (its end still names the cursor).
        broken_calls: Mutex<HashSet<usize>>,
        calls: Mutex<usize>,
    }

    impl JsonPager {
        fn new(total: usize, page_size: usize, log: &Log) -> Self {
            Self {
                total,
                page_size,
                log: log.clone(),
                fail_calls: Mutex::default(),
                broken_calls: Mutex::default(),
                calls: Mutex::new(0),
            }
        }

        fn body(&self, offset_id: Option<&str>) -> String {
            let start = offset_id.map_or(0, |id| {
                id.trim_start_matches("id-").parse::<usize>().unwrap() + 1
            });
            let end = (start + self.page_size).min(self.total);
            let records: Vec<_> = (start..end).map(record).collect();
            let mut page = json!({ "records": records, "records_remaining": self.total - end });
            if end < self.total {
                page["next_offset"] = json!(format!("id-{:05}", end - 1));
            }
            page.to_string()
        }
    }

    #[async_trait]
    impl ReportPager for JsonPager {
        async fn report_page(&self, _: &ReportQuery, _: Option<&str>) -> Result<ReportPage> {
            unreachable!("the fetch asks for bodies")
        }

        async fn report_page_body(
            &self,
            _query: &ReportQuery,
            offset_id: Option<&str>,
        ) -> Result<PageBody> {
            let call = {
                let mut calls = self.calls.lock().unwrap();
                *calls += 1;
                *calls - 1
            };
            self.log
                .lock()
                .unwrap()
                .push(Event::Request(offset_id.map(str::to_owned)));
            if self.fail_calls.lock().unwrap().remove(&call) {
                return Err(Error::Server {
                    status: 503,
                    message: "try later".into(),
                });
            }
            let mut body = self.body(offset_id);
            if self.broken_calls.lock().unwrap().remove(&call) {
                body = body.replacen("\"userid\"", "\"userid\" 1", 1);
            }
            Ok(PageBody::Json(body.into_bytes()))
        }
    }

    fn ids(records: &[ConnectionReport]) -> Vec<String> {
        records.iter().map(|r| r.id.clone()).collect()
    }

    fn expected(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("id-{i:05}")).collect()
    }

    async fn run(
        fetch: &mut ReportFetch,
        pager: &JsonPager,
        log: &Log,
        cancel: &CancellationToken,
    ) -> Result<FetchStatus> {
        let log = log.clone();
        fetch
            .run(pager, cancel, &mut |p| {
                log.lock().unwrap().push(Event::Stored(p.pages));
            })
            .await
    }

    fn requests(log: &Log) -> Vec<Option<String>> {
        log.lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                Event::Request(c) => Some(c.clone()),
                Event::Stored(_) => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn the_next_page_is_requested_before_the_current_one_is_stored() {
        let log = Log::default();
        let pager = JsonPager::new(250, 100, &log);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let status = run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(status, FetchStatus::Complete);
        assert_eq!(
            ids(fetch.records()),
            expected(250),
            "every record once, in order"
        );
        let r = fetch.records()[0].clone();
        assert_eq!(
            (r.deviceid.as_deref(), r.fee, r.duration_seconds()),
            (Some("123456789"), Some(12.5), Some(3723)),
            "the tolerant decoding applies to JSON pages"
        );
        assert_eq!(
            *log.lock().unwrap(),
            [
                Event::Request(None),
                Event::Request(Some("id-00099".into())),
                Event::Stored(1),
                Event::Request(Some("id-00199".into())),
                Event::Stored(2),
                Event::Stored(3),
            ],
            "each request goes out while the page before it is decoded; pages are stored in order"
        );
    }

    #[tokio::test]
    async fn draining_json_pages_keeps_the_look_ahead_and_the_order() {
        let log = Log::default();
        let pager = JsonPager::new(3500, 1000, &log);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut got = Vec::new();
        let status = fetch
            .run_draining(
                &pager,
                &CancellationToken::new(),
                &mut |p| log.lock().unwrap().push(Event::Stored(p.pages)),
                &mut |records| {
                    got.push(ids(&records));
                    Ok(())
                },
            )
            .await
            .unwrap();
        assert_eq!(status, FetchStatus::Complete);
        let sizes: Vec<usize> = got.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1000, 1000, 1000, 500], "one batch per page");
        assert_eq!(got.concat(), expected(3500), "in order, each once");
        let events = log.lock().unwrap().clone();
        assert_eq!(
            &events[..3],
            [
                Event::Request(None),
                Event::Request(Some("id-00999".into())),
                Event::Stored(1)
            ],
            "the next page is requested while the first one is decoded"
        );
    }

    #[tokio::test]
    async fn a_sink_error_drops_the_look_ahead_answer() {
        let log = Log::default();
        let pager = JsonPager::new(3500, 1000, &log);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = fetch
            .run_draining(&pager, &CancellationToken::new(), &mut |_| {}, &mut |_| {
                Err(Error::Cancelled)
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Cancelled, "the sink's error: {err}");
        assert_eq!(fetch.progress().pages, 1, "the first page only");
        assert_eq!(
            fetch.cursor(),
            Some("id-00999"),
            "the look-ahead's answer is not stored"
        );
    }

    #[tokio::test]
    async fn a_failed_look_ahead_request_keeps_the_page_before_it_and_resumes_there() {
        let log = Log::default();
        let pager = JsonPager::new(250, 100, &log);
        pager.fail_calls.lock().unwrap().insert(1);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server, "the request's error");
        assert_eq!(
            ids(fetch.records()),
            expected(100),
            "the first page is stored"
        );
        assert_eq!(fetch.cursor(), Some("id-00099"), "the cursor is after it");
        run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(ids(fetch.records()), expected(250));
        assert_eq!(
            requests(&log),
            [
                None,
                Some("id-00099".into()),
                Some("id-00099".into()),
                Some("id-00199".into())
            ],
            "the second run starts with the page that failed"
        );
    }

    #[tokio::test]
    async fn a_page_that_does_not_decode_is_not_stored_and_its_look_ahead_is_dropped() {
        let log = Log::default();
        let pager = JsonPager::new(250, 100, &log);
        pager.broken_calls.lock().unwrap().insert(1);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
        assert_eq!(ids(fetch.records()), expected(100), "only the first page");
        assert_eq!(
            fetch.cursor(),
            Some("id-00099"),
            "the broken page is requested again"
        );
        run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(
            ids(fetch.records()),
            expected(250),
            "nothing lost or doubled"
        );
        assert_eq!(
            requests(&log),
            [
                None,
                Some("id-00099".into()),
                Some("id-00199".into()),
                Some("id-00099".into()),
                Some("id-00199".into())
            ],
            "the look-ahead of the broken page was sent, and its answer not used"
        );
    }

    #[tokio::test]
    async fn cancelling_while_the_next_page_is_on_its_way_keeps_the_stored_pages() {
        let log = Log::default();
        let pager = JsonPager::new(250, 100, &log);
        let cancel = CancellationToken::new();
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = fetch
            .run(&pager, &cancel, &mut |p| {
                if p.pages == 1 {
                    cancel.cancel();
                }
            })
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Cancelled), "{err:?}");
        assert_eq!(
            ids(fetch.records()),
            expected(100),
            "the stored page is kept"
        );
        assert!(!fetch.is_complete());
        run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(ids(fetch.records()), expected(250), "a later run completes");
    }

    #[tokio::test]
    async fn the_page_cap_counts_look_ahead_requests() {
        let log = Log::default();
        let pager = JsonPager::new(10_000, 10, &log);
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_pages(5);
        let err = run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert_eq!(requests(&log).len(), 5, "exactly max_pages requests");
        assert_eq!(fetch.records().len(), 50, "all five pages stored");
    }

    #[tokio::test]
    async fn the_record_limit_sends_no_request_past_it() {
        let log = Log::default();
        let pager = JsonPager::new(10_000, 100, &log);
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_records(2_450);
        let err = run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert!(err.to_string().contains("record limit of 2450"), "{err}");
        assert_eq!(
            requests(&log).len(),
            25,
            "the 25th page reaches the limit; no look-ahead request goes out after it"
        );
        assert_eq!(fetch.records().len(), 2_500, "all 25 pages stored");
        assert_eq!(fetch.cursor(), Some("id-02499"), "resumable after them");
    }

    #[tokio::test]
    async fn the_byte_limit_counts_bodies_and_sends_no_request_past_it() {
        let log = Log::default();
        let pager = JsonPager::new(10_000, 10, &log);
        let three: usize = [None, Some("id-00009"), Some("id-00019")]
            .iter()
            .map(|at| pager.body(*at).len())
            .sum();
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_bytes(three as u64);
        let err = run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert!(
            err.to_string().contains(&format!("byte limit of {three}")),
            "the message names the limit and its value: {err}"
        );
        assert_eq!(fetch.bytes_received(), three as u64, "every body counted");
        assert_eq!(
            requests(&log).len(),
            3,
            "three bodies reach the limit; no look-ahead request goes out after the third"
        );
        assert_eq!(fetch.records().len(), 30, "the records are kept");
    }

    /// Answers every request with the same page and the same cursor.
    struct StuckJson(Mutex<usize>);

    #[async_trait]
    impl ReportPager for StuckJson {
        async fn report_page(&self, _: &ReportQuery, _: Option<&str>) -> Result<ReportPage> {
            unreachable!("the fetch asks for bodies")
        }

        async fn report_page_body(&self, _: &ReportQuery, _: Option<&str>) -> Result<PageBody> {
            *self.0.lock().unwrap() += 1;
            let body = json!({"records": [{"id": "same"}], "records_remaining": 10,
                              "next_offset": "same"});
            Ok(PageBody::Json(body.to_string().into_bytes()))
        }
    }

    #[tokio::test]
    async fn a_repeated_cursor_is_found_without_an_extra_request() {
        let pager = StuckJson(Mutex::new(0));
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
        assert_eq!(fetch.progress().pages, 2, "found on the second page");
        assert_eq!(
            *pager.0.lock().unwrap(),
            2,
            "no look-ahead past a repeated cursor"
        );
        assert_eq!(fetch.records().len(), 1);
    }

    #[tokio::test]
    async fn a_repeated_cursor_still_hands_over_its_page_when_draining() {
        let pager = StuckJson(Mutex::new(0));
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut got = Vec::new();
        let err = fetch
            .run_draining(
                &pager,
                &CancellationToken::new(),
                &mut |_| {},
                &mut |records| {
                    got.extend(ids(&records));
                    Ok(())
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
        assert_eq!(got, ["same"], "the record once; `run` would keep it too");
        assert!(fetch.records().is_empty());
    }

    /// One page whose records are empty although it claims more (a look-ahead the decoded page
    /// does not confirm), then nothing.
    struct EmptyButMore(Mutex<Vec<Option<String>>>);

    #[async_trait]
    impl ReportPager for EmptyButMore {
        async fn report_page(&self, _: &ReportQuery, _: Option<&str>) -> Result<ReportPage> {
            unreachable!("the fetch asks for bodies")
        }

        async fn report_page_body(
            &self,
            _: &ReportQuery,
            offset_id: Option<&str>,
        ) -> Result<PageBody> {
            self.0.lock().unwrap().push(offset_id.map(str::to_owned));
            let body = r#"{"records":[],"extra":[1],"records_remaining":5,"next_offset":"x"}"#;
            Ok(PageBody::Json(body.as_bytes().to_vec()))
        }
    }

    #[tokio::test]
    async fn a_look_ahead_the_page_does_not_confirm_is_not_used() {
        let pager = EmptyButMore(Mutex::default());
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidResponse,
            "an empty page that says more remain is not the last page: {err}"
        );
        assert_eq!(
            *pager.0.lock().unwrap(),
            [None, Some("x".to_owned())],
            "the look-ahead went out on the cursor read from the body"
        );
        assert!(fetch.records().is_empty());
        assert!(!fetch.is_complete());
        assert_eq!(fetch.cursor(), None, "the look-ahead's answer was not used");
    }

    #[tokio::test]
    async fn large_pages_are_decoded_off_the_task_with_the_same_result() {
        let log = Log::default();
        let pager = JsonPager::new(3_000, 1_000, &log);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        run(&mut fetch, &pager, &log, &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(ids(fetch.records()), expected(3_000));
        assert_eq!(fetch.progress().records, 3_000);
    }
}
