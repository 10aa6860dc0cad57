#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Paged fetch against fake pagers: completeness, progress, resume after errors, overlapping
//! pages, cancellation (between pages and in flight), the page and record limits, cursors that
//! repeat or are missing. (Hostile servers over HTTP: `hostile_paging.rs`.)
//!
//! Tests live in `mod logs` so that `cargo test -p sdesk-core logs` selects them.

mod logs {
    use async_trait::async_trait;
    use sdesk_core::logs::{
        FetchProgress, FetchStatus, ReportFetch, ReportPager, DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES,
        DEFAULT_MAX_RECORDS,
    };
    use sdesk_core::models::{ConnectionReport, ReportPage, ReportQuery};
    use sdesk_core::{Error, ErrorKind, Result};
    use serde_json::json;
    use std::collections::HashSet;
    use std::sync::Mutex;
    use tokio_util::sync::CancellationToken;

    fn rec(id: String) -> ConnectionReport {
        serde_json::from_value(json!({ "id": id })).unwrap()
    }

    fn data(n: usize) -> Vec<ConnectionReport> {
        (0..n).map(|i| rec(format!("id-{i:05}"))).collect()
    }

    /// A server like the API: `page_size` records after the `offset_id` record, with
    /// `records_remaining` and `next_offset`. Faults are configured per call number (0-based).
    #[derive(Default)]
    struct FakePager {
        data: Vec<ConnectionReport>,
        page_size: usize,
        /// Each page also repeats this many records of the previous page first.
        overlap: usize,
        /// Call numbers that fail with a 503.
        fail_calls: Mutex<HashSet<usize>>,
        /// On this call, cancel `cancel` and never answer.
        hang_call: Mutex<Option<(usize, CancellationToken)>>,
        /// Every `offset_id` received, in order.
        calls: Mutex<Vec<Option<String>>>,
    }

    impl FakePager {
        fn new(n: usize, page_size: usize) -> Self {
            Self {
                data: data(n),
                page_size,
                ..Self::default()
            }
        }

        fn calls(&self) -> Vec<Option<String>> {
            self.calls.lock().unwrap().clone()
        }
    }

    #[async_trait]
    impl ReportPager for FakePager {
        async fn report_page(
            &self,
            _query: &ReportQuery,
            offset_id: Option<&str>,
        ) -> Result<ReportPage> {
            let call = {
                let mut calls = self.calls.lock().unwrap();
                calls.push(offset_id.map(str::to_owned));
                calls.len() - 1
            };
            let hang = {
                let mut h = self.hang_call.lock().unwrap();
                match h.as_ref() {
                    Some((c, _)) if *c == call => h.take().map(|(_, t)| t),
                    _ => None,
                }
            };
            if let Some(token) = hang {
                token.cancel();
                std::future::pending::<()>().await;
            }
            if self.fail_calls.lock().unwrap().remove(&call) {
                return Err(Error::Server {
                    status: 503,
                    message: "try later".into(),
                });
            }
            let start = match offset_id {
                None => 0,
                Some(id) => self.data.iter().position(|r| r.id == id).unwrap() + 1,
            };
            let from = start.saturating_sub(if start > 0 { self.overlap } else { 0 });
            let end = (start + self.page_size).min(self.data.len());
            let records = self.data[from..end].to_vec();
            Ok(ReportPage {
                next_offset: records.last().map(|r| r.id.clone()),
                records_remaining: Some((self.data.len() - end) as u64),
                records,
            })
        }
    }

    fn ids(records: &[ConnectionReport]) -> Vec<String> {
        records.iter().map(|r| r.id.clone()).collect()
    }

    fn assert_all_once(records: &[ConnectionReport], n: usize) {
        assert_eq!(
            ids(records),
            ids(&data(n)),
            "every server record exactly once, in server order"
        );
    }

    #[tokio::test]
    async fn collects_all_pages_with_monotonic_progress() {
        let pager = FakePager::new(2500, 1000);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut seen: Vec<FetchProgress> = Vec::new();
        let status = fetch
            .run(&pager, &CancellationToken::new(), &mut |p| seen.push(*p))
            .await
            .unwrap();
        assert_eq!(
            status,
            FetchStatus::Complete,
            "the run reached the last page"
        );
        assert!(fetch.is_complete(), "complete after the last page");
        assert_all_once(fetch.records(), 2500);
        let pages: Vec<(u32, u64, u64, bool)> = seen
            .iter()
            .map(|p| (p.pages, p.records, p.records_remaining, p.complete))
            .collect();
        assert_eq!(
            pages,
            [
                (1, 1000, 1500, false),
                (2, 2000, 500, false),
                (3, 2500, 0, true)
            ],
            "one progress event per page, counts rising, the last one complete"
        );
        assert_eq!(
            pager.calls(),
            [None, Some("id-00999".into()), Some("id-01999".into())],
            "the cursor of each page is the id of the last record received"
        );
        assert_eq!(fetch.progress(), seen[2], "progress() is the last event");

        let again = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(
            again,
            FetchStatus::AlreadyComplete,
            "a complete fetch does nothing"
        );
        assert_eq!(pager.calls().len(), 3, "no request after completion");
    }

    #[tokio::test]
    async fn empty_result_is_one_page() {
        let pager = FakePager::new(0, 1000);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut last = FetchProgress::default();
        fetch
            .run(&pager, &CancellationToken::new(), &mut |p| last = *p)
            .await
            .unwrap();
        assert!(
            last.complete && last.records == 0,
            "complete with no records: {last:?}"
        );
        assert_eq!(pager.calls().len(), 1, "one request");
    }

    #[tokio::test]
    async fn resumes_from_the_cursor_after_an_error() {
        let pager = FakePager::new(2500, 1000);
        pager.fail_calls.lock().unwrap().insert(1);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Server,
            "the pager's error is returned"
        );
        assert!(!fetch.is_complete(), "incomplete after an error");
        assert_eq!(
            fetch.records().len(),
            1000,
            "records before the error are kept"
        );
        assert_eq!(fetch.cursor(), Some("id-00999"), "the cursor is kept");

        let mut events = Vec::new();
        fetch
            .run(&pager, &CancellationToken::new(), &mut |p| events.push(*p))
            .await
            .unwrap();
        assert_eq!(
            pager.calls(),
            [
                None,
                Some("id-00999".into()),
                Some("id-00999".into()),
                Some("id-01999".into())
            ],
            "the second run resumes at the failed page, not at the start"
        );
        assert_all_once(fetch.records(), 2500);
        assert_eq!(
            events.first().map(|p| p.pages),
            Some(2),
            "page counts continue across runs"
        );
    }

    #[tokio::test]
    async fn overlapping_pages_add_no_duplicates() {
        let mut pager = FakePager::new(2500, 1000);
        pager.overlap = 3;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut last = FetchProgress::default();
        fetch
            .run(&pager, &CancellationToken::new(), &mut |p| last = *p)
            .await
            .unwrap();
        assert_all_once(fetch.records(), 2500);
        assert_eq!(last.records, 2500, "progress counts distinct records");
    }

    #[tokio::test]
    async fn cancel_between_pages_keeps_partial_records_and_resumes() {
        let pager = FakePager::new(2500, 1000);
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
        assert!(
            matches!(err, Error::Cancelled),
            "cancellation is Err(Cancelled): {err:?}"
        );
        assert_eq!(pager.calls().len(), 1, "no further request after cancel");
        assert_eq!(fetch.records().len(), 1000, "the first page is kept");
        assert!(!fetch.is_complete(), "a cancelled fetch is incomplete");
        assert!(!fetch.progress().complete, "and its progress says so");

        let status = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(status, FetchStatus::Complete, "a later run completes");
        assert_eq!(
            pager.calls()[1],
            Some("id-00999".into()),
            "the later run continues from the cursor"
        );
        assert_all_once(fetch.records(), 2500);
    }

    #[tokio::test]
    async fn cancel_interrupts_the_request_in_flight() {
        let pager = FakePager::new(2500, 1000);
        let cancel = CancellationToken::new();
        *pager.hang_call.lock().unwrap() = Some((1, cancel.clone()));
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let result = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            fetch.run(&pager, &cancel, &mut |_| {}),
        )
        .await
        .expect("a request that never answers must not delay the cancellation");
        assert!(
            matches!(result, Err(Error::Cancelled)),
            "Err(Cancelled): {result:?}"
        );
        assert_eq!(
            fetch.records().len(),
            1000,
            "records of earlier pages are kept"
        );
        assert!(!fetch.is_complete(), "incomplete");

        fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();
        assert_all_once(fetch.records(), 2500);
    }

    #[tokio::test]
    async fn already_cancelled_token_sends_nothing() {
        let pager = FakePager::new(10, 5);
        let cancel = CancellationToken::new();
        cancel.cancel();
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let r = fetch.run(&pager, &cancel, &mut |_| {}).await;
        assert!(
            matches!(r, Err(Error::Cancelled)),
            "cancelled before the first page"
        );
        assert!(pager.calls().is_empty(), "no request was sent");
    }

    /// A server that never ends: every page has a new cursor.
    struct EndlessPager {
        calls: Mutex<u32>,
    }

    #[async_trait]
    impl ReportPager for EndlessPager {
        async fn report_page(&self, _: &ReportQuery, _: Option<&str>) -> Result<ReportPage> {
            let n = {
                let mut c = self.calls.lock().unwrap();
                *c += 1;
                *c
            };
            Ok(ReportPage {
                records: vec![rec(format!("loop-{n}"))],
                records_remaining: Some(1),
                next_offset: Some(format!("loop-{n}")),
            })
        }
    }

    #[tokio::test]
    async fn page_cap_stops_a_looping_server() {
        assert_eq!(DEFAULT_MAX_PAGES, 10_000, "the documented default cap");
        let fetch = ReportFetch::new(ReportQuery::default());
        assert_eq!(
            (fetch.max_records(), fetch.max_bytes()),
            (DEFAULT_MAX_RECORDS, DEFAULT_MAX_BYTES),
            "the documented default limits"
        );
        assert_eq!(
            (DEFAULT_MAX_RECORDS, DEFAULT_MAX_BYTES),
            (2_000_000, 2 << 30),
            "twice a million-record account; 2 GiB"
        );
        let pager = EndlessPager {
            calls: Mutex::new(0),
        };
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_pages(5);
        let err = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::LimitExceeded,
            "a safety limit, not a broken answer"
        );
        assert!(
            err.to_string().contains("page limit of 5"),
            "the message names the limit and its value: {err}"
        );
        assert_eq!(
            *pager.calls.lock().unwrap(),
            5,
            "exactly max_pages requests"
        );
        assert_eq!(fetch.records().len(), 5, "what was received is kept");
        assert!(!fetch.is_complete(), "not complete");
        let again = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await;
        assert!(again.is_err(), "running again does not lift the cap");
        assert_eq!(*pager.calls.lock().unwrap(), 5, "and sends nothing");
    }

    /// A server that answers the same page with the same cursor forever.
    struct StuckPager;

    #[async_trait]
    impl ReportPager for StuckPager {
        async fn report_page(&self, _: &ReportQuery, _: Option<&str>) -> Result<ReportPage> {
            Ok(ReportPage {
                records: vec![rec("same".into())],
                records_remaining: Some(10),
                next_offset: Some("same".into()),
            })
        }
    }

    #[tokio::test]
    async fn repeated_cursor_is_detected_at_once() {
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = fetch
            .run(&StuckPager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidResponse,
            "a cursor that does not move is an inconsistent answer"
        );
        assert_eq!(
            fetch.progress().pages,
            2,
            "found on the second page, not the 10,000th"
        );
        assert_eq!(
            fetch.records().len(),
            1,
            "no duplicate of the repeated record"
        );
    }

    /// Serves pages from a script: the page after `offset_id` is `script[offset_id]`.
    struct ScriptPager {
        pages: Vec<(Option<&'static str>, ReportPage)>,
        calls: Mutex<Vec<Option<String>>>,
    }

    impl ScriptPager {
        fn new(pages: Vec<(Option<&'static str>, ReportPage)>) -> Self {
            Self {
                pages,
                calls: Mutex::default(),
            }
        }
    }

    #[async_trait]
    impl ReportPager for ScriptPager {
        async fn report_page(
            &self,
            _: &ReportQuery,
            offset_id: Option<&str>,
        ) -> Result<ReportPage> {
            self.calls
                .lock()
                .unwrap()
                .push(offset_id.map(str::to_owned));
            let (_, page) = self
                .pages
                .iter()
                .find(|(at, _)| *at == offset_id)
                .expect("a scripted cursor");
            Ok(page.clone())
        }
    }

    fn page(ids: &[&str], remaining: Option<u64>, next: Option<&str>) -> ReportPage {
        ReportPage {
            records: ids.iter().map(|id| rec((*id).to_owned())).collect(),
            records_remaining: remaining,
            next_offset: next.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn a_cursor_cycle_is_detected_when_it_comes_back() {
        let pager = ScriptPager::new(vec![
            (None, page(&["a1"], Some(10), Some("A"))),
            (Some("A"), page(&["b1"], Some(9), Some("B"))),
            (Some("B"), page(&["c1"], Some(8), Some("A"))),
        ]);
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_pages(50);
        let err = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidResponse,
            "A→B→A is a loop as much as A→A: {err}"
        );
        assert_eq!(
            pager.calls.lock().unwrap().len(),
            3,
            "found when A comes back, not at the page limit"
        );
        assert_eq!(
            ids(fetch.records()),
            ["a1", "b1", "c1"],
            "the records received are kept"
        );
        assert_eq!(
            fetch.cursor(),
            Some("B"),
            "the cursor stays before the loop"
        );
        assert!(!fetch.is_complete());
    }

    #[tokio::test]
    async fn pages_that_contradict_themselves_end_the_run_with_invalid_response() {
        // (second page, why)
        let cases = [
            (
                page(&["b1"], Some(5), None),
                "more remain but there is no cursor",
            ),
            (
                page(&[], Some(5), Some("B")),
                "more remain but none were sent",
            ),
        ];
        for (second, why) in cases {
            let pager = ScriptPager::new(vec![
                (None, page(&["a1", "a2"], Some(6), Some("A"))),
                (Some("A"), second),
            ]);
            let mut fetch = ReportFetch::new(ReportQuery::default());
            let err = fetch
                .run(&pager, &CancellationToken::new(), &mut |_| {})
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{why}: {err}");
            assert!(!fetch.is_complete(), "{why}: never complete");
            assert_eq!(
                fetch.cursor(),
                Some("A"),
                "{why}: a later run asks for the same page again"
            );
            assert!(
                fetch.records().len() >= 2,
                "{why}: the records before are kept"
            );
        }
    }

    #[tokio::test]
    async fn a_page_without_a_count_follows_its_cursor() {
        let pager = ScriptPager::new(vec![
            (None, page(&["a1"], None, Some("A"))),
            (Some("A"), page(&["b1"], None, Some("B"))),
            (Some("B"), page(&["c1"], None, None)),
        ]);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let status = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(status, FetchStatus::Complete);
        assert_eq!(
            ids(fetch.records()),
            ["a1", "b1", "c1"],
            "no count is not a count of 0: paging goes on while there is a cursor"
        );
    }

    #[tokio::test]
    async fn the_record_limit_stops_a_run_and_a_higher_limit_resumes_it() {
        let pager = FakePager::new(100, 10);
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_records(35);
        let err = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert!(
            err.to_string().contains("record limit of 35"),
            "the message names the limit and its value: {err}"
        );
        assert_eq!(
            fetch.records().len(),
            40,
            "the page that reached the limit is stored whole"
        );
        assert_eq!(pager.calls().len(), 4, "no request after the limit");
        assert!(!fetch.is_complete());

        let again = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(again.kind(), ErrorKind::LimitExceeded, "the limit holds");
        assert_eq!(pager.calls().len(), 4, "and sends nothing");

        let mut fetch = fetch.with_max_records(1_000);
        fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();
        assert_all_once(fetch.records(), 100);
        assert_eq!(
            pager.calls()[4],
            Some("id-00039".into()),
            "a higher limit resumes at the cursor"
        );
    }

    #[tokio::test]
    async fn a_last_page_that_reaches_the_record_limit_is_complete() {
        let pager = FakePager::new(30, 10);
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_records(30);
        let status = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(
            status,
            FetchStatus::Complete,
            "the limit only stops requests for more"
        );
        assert_all_once(fetch.records(), 30);
    }

    #[tokio::test]
    async fn take_records_then_resume_yields_only_new_records() {
        let pager = FakePager::new(30, 10);
        pager.fail_calls.lock().unwrap().insert(2);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        assert!(fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .is_err());
        let first = fetch.take_records();
        assert_eq!(first.len(), 20, "two pages before the error");
        fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();
        let rest = fetch.take_records();
        let mut all = first;
        all.extend(rest);
        assert_all_once(&all, 30);
        assert_eq!(
            fetch.progress().records,
            30,
            "progress counts taken records too"
        );
    }

    #[tokio::test]
    async fn invalid_query_is_refused_before_any_request() {
        let pager = FakePager::new(10, 5);
        let query = ReportQuery {
            userid: Some("123".into()),
            ..ReportQuery::default()
        };
        let err = ReportFetch::new(query)
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidInput,
            "a user id must start with u"
        );
        assert!(pager.calls().is_empty(), "nothing was sent");
    }

    /// What a draining run reported, in order: the sizes of the batches handed over and the
    /// page counts of the progress events.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Drained {
        Records(usize),
        Progress(u32),
    }

    /// Runs `fetch` draining into `into`; `fail_at` makes the sink fail on that call (0-based).
    async fn drain(
        fetch: &mut ReportFetch,
        pager: &FakePager,
        into: &mut Vec<ConnectionReport>,
        fail_at: Option<usize>,
    ) -> (Result<FetchStatus>, Vec<Drained>) {
        let events = Mutex::new(Vec::new());
        let mut calls = 0;
        let status = fetch
            .run_draining(
                pager,
                &CancellationToken::new(),
                &mut |p| events.lock().unwrap().push(Drained::Progress(p.pages)),
                &mut |records| {
                    events.lock().unwrap().push(Drained::Records(records.len()));
                    calls += 1;
                    if Some(calls - 1) == fail_at {
                        return Err(Error::Io(std::io::Error::other("disk full")));
                    }
                    into.extend(records);
                    Ok(())
                },
            )
            .await;
        (status, events.into_inner().unwrap())
    }

    #[tokio::test]
    async fn draining_hands_over_each_page_in_order_and_nothing_twice() {
        let mut pager = FakePager::new(2500, 1000);
        pager.overlap = 3;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut got = Vec::new();
        let (status, events) = drain(&mut fetch, &pager, &mut got, None).await;
        assert_eq!(status.unwrap(), FetchStatus::Complete);
        assert_eq!(
            events,
            [
                Drained::Records(1000),
                Drained::Progress(1),
                Drained::Records(1000),
                Drained::Progress(2),
                Drained::Records(500),
                Drained::Progress(3),
            ],
            "each page's new records (not the 3 it repeats) right after it is stored, before \
             its progress event"
        );
        assert_all_once(&got, 2500);
        assert!(fetch.records().is_empty(), "the fetch keeps nothing");
        assert_eq!(fetch.progress().records, 2500, "but counts everything");
    }

    #[tokio::test]
    async fn draining_yields_what_run_yields_also_across_resumes() {
        let pager = FakePager::new(3500, 1000);
        let mut whole = ReportFetch::new(ReportQuery::default());
        whole
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();

        // A run that fails on its second page keeps 1000 records; the draining run after it
        // hands those over first, then resumes at the failed page.
        let pager = FakePager::new(3500, 1000);
        pager.fail_calls.lock().unwrap().insert(1);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        pager.fail_calls.lock().unwrap().insert(3);
        let mut got = Vec::new();
        let (status, events) = drain(&mut fetch, &pager, &mut got, None).await;
        assert_eq!(status.unwrap_err().kind(), ErrorKind::Server);
        assert_eq!(
            events,
            [
                Drained::Records(1000),
                Drained::Records(1000),
                Drained::Progress(2),
            ],
            "held records first, then the resumed page"
        );
        let (status, _) = drain(&mut fetch, &pager, &mut got, None).await;
        assert_eq!(status.unwrap(), FetchStatus::Complete);
        assert_eq!(
            ids(&got),
            ids(whole.records()),
            "the same records in the same order as one `run`"
        );
        let (status, events) = drain(&mut fetch, &pager, &mut got, None).await;
        assert_eq!(status.unwrap(), FetchStatus::AlreadyComplete);
        assert_eq!(events, [Drained::Progress(4)], "nothing handed over again");
    }

    #[tokio::test]
    async fn an_error_from_the_sink_ends_the_run_with_that_error() {
        let pager = FakePager::new(3500, 1000);
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut got = Vec::new();
        let (status, events) = drain(&mut fetch, &pager, &mut got, Some(1)).await;
        let err = status.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "the sink's error: {err}");
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(
            events,
            [
                Drained::Records(1000),
                Drained::Progress(1),
                Drained::Records(1000)
            ],
            "no progress event for the page the sink refused"
        );
        assert_eq!(pager.calls().len(), 2, "no request after the sink's error");
        assert_eq!(
            fetch.cursor(),
            Some("id-01999"),
            "the refused page was stored: the cursor is past it"
        );
        assert!(!fetch.is_complete());
        let (status, _) = drain(&mut fetch, &pager, &mut got, None).await;
        assert_eq!(status.unwrap(), FetchStatus::Complete);
        assert_eq!(
            got.len(),
            2500,
            "a resume hands over only the pages after the refused one"
        );
    }

    #[tokio::test]
    async fn draining_keeps_the_limits() {
        let pager = FakePager::new(5000, 1000);
        let mut fetch = ReportFetch::new(ReportQuery::default()).with_max_records(1500);
        let mut got = Vec::new();
        let (status, _) = drain(&mut fetch, &pager, &mut got, None).await;
        let err = status.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert_eq!(
            got.len(),
            2000,
            "the page that reached the limit is handed over whole"
        );
        assert_eq!(pager.calls().len(), 2, "no request past the limit");
    }

    #[test]
    fn draining_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let pager = FakePager::new(1, 1);
        let cancel = CancellationToken::new();
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut cb = |_: &FetchProgress| {};
        let mut sink = |_: Vec<ConnectionReport>| Ok(());
        let fut = fetch.run_draining(&pager, &cancel, &mut cb, &mut sink);
        assert_send(&fut);
    }

    #[test]
    fn progress_serialises_as_camel_case_event() {
        let p = FetchProgress {
            pages: 2,
            records: 2000,
            records_remaining: 500,
            complete: false,
            in_view: 100,
        };
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            json!({"pages": 2, "records": 2000, "recordsRemaining": 500, "complete": false, "inView": 100}),
            "the app forwards this as an event; the UI reads camelCase"
        );
    }

    #[test]
    fn fetch_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let pager = FakePager::new(1, 1);
        let cancel = CancellationToken::new();
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut cb = |_: &FetchProgress| {};
        let fut = fetch.run(&pager, &cancel, &mut cb);
        assert_send(&fut);
    }
}
