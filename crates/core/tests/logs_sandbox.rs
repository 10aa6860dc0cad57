#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The paged fetch over real HTTP: against the TeamViewer simulator (`sdesk-sandbox`) with and
//! without faults, and against a wiremock server. The pager here is a deliberately tiny
//! reqwest pager **without retries** (the production client retries; this one doesn't), so
//! every fault surfaces as an error and the test proves that calling `run` again resumes
//! without losing or duplicating a record.
//!
//! Tests live in `mod logs` so that `cargo test -p sdesk-core logs` selects them.

mod logs {
    use async_trait::async_trait;
    use chrono::{DateTime, Utc};
    use sdesk_core::logs::{
        export_csv, CsvOptions, FetchProgress, LogFilter, LogStore, ReportFetch, ReportPager,
    };
    use sdesk_core::models::{ConnectionReport, ReportPage, ReportQuery};
    use sdesk_core::{Error, ErrorKind, Result};
    use sdesk_sandbox::{generate_reports, Faults, Sandbox, SandboxConfig};
    use std::collections::HashSet;
    use std::time::{Duration, Instant};
    use tokio_util::sync::CancellationToken;
    use url::Url;

    /// `GET {origin}api/v1/reports/connections` with a bearer token; no retries.
    struct HttpPager {
        http: reqwest::Client,
        origin: Url,
        token: String,
    }

    impl HttpPager {
        fn new(origin: Url, token: String) -> Self {
            Self {
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .unwrap(),
                origin,
                token,
            }
        }
    }

    #[async_trait]
    impl ReportPager for HttpPager {
        async fn report_page(
            &self,
            query: &ReportQuery,
            offset_id: Option<&str>,
        ) -> Result<ReportPage> {
            let url = self.origin.join("api/v1/reports/connections").unwrap();
            let network = |e: reqwest::Error| Error::Network {
                message: e.to_string(),
            };
            let response = self
                .http
                .get(url)
                .bearer_auth(&self.token)
                .query(&query.to_pairs(offset_id))
                .send()
                .await
                .map_err(network)?;
            let status = response.status().as_u16();
            let body = response.bytes().await.map_err(network)?;
            match status {
                200 => serde_json::from_slice(&body).map_err(|e| Error::Decode {
                    message: e.to_string(),
                    body: String::from_utf8_lossy(&body).chars().take(512).collect(),
                }),
                429 => Err(Error::RateLimited { retry_after: None }),
                403 if body.windows(18).any(|w| w == b"rate_limit_reached") => {
                    Err(Error::RateLimited { retry_after: None })
                }
                500..=599 => Err(Error::Server {
                    status,
                    message: String::from_utf8_lossy(&body).into_owned(),
                }),
                _ => Err(Error::Api {
                    status,
                    error: None,
                    code: None,
                    message: String::from_utf8_lossy(&body).into_owned(),
                }),
            }
        }
    }

    fn fixed_now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-05-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn config(records: usize, faults: Faults) -> SandboxConfig {
        SandboxConfig {
            seed: 7,
            records,
            now: Some(fixed_now()),
            faults,
            ..SandboxConfig::default()
        }
    }

    /// The sandbox's generated data, read the way the client reads the wire.
    fn expected(records: usize) -> Vec<ConnectionReport> {
        generate_reports(7, records, fixed_now())
            .into_iter()
            .map(|w| serde_json::from_value(serde_json::to_value(w).unwrap()).unwrap())
            .collect()
    }

    async fn start(records: usize, faults: Faults) -> (Sandbox, HttpPager) {
        let sandbox = Sandbox::start(config(records, faults), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let pager = HttpPager::new(sandbox.base_url(), sandbox.script_token());
        (sandbox, pager)
    }

    #[tokio::test]
    async fn fetches_every_sandbox_record_exactly_as_generated() {
        let (sandbox, pager) = start(2_500, Faults::default()).await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut events: Vec<FetchProgress> = Vec::new();
        fetch
            .run(&pager, &CancellationToken::new(), &mut |p| events.push(*p))
            .await
            .unwrap();
        assert!(fetch.is_complete(), "complete");
        assert_eq!(
            fetch.records(),
            expected(2_500).as_slice(),
            "every record, field for field, in the server's order"
        );
        assert_eq!(
            events.iter().map(|p| p.records).collect::<Vec<_>>(),
            [1000, 2000, 2500],
            "1000 records per page"
        );
        assert_eq!(
            events
                .iter()
                .map(|p| p.records_remaining)
                .collect::<Vec<_>>(),
            [1500, 500, 0],
            "records_remaining from the server"
        );

        let mut store = LogStore::from_records(fetch.take_records());
        let totals = store.apply(&LogFilter::default(), None);
        assert_eq!(totals.count, 2_500, "the store holds every fetched record");
        let mut csv = Vec::new();
        let rows = export_csv(store.view(), &mut csv, &CsvOptions::default()).unwrap();
        assert_eq!(rows, 2_500, "and exports them all");
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn resuming_after_faults_loses_and_duplicates_nothing() {
        let faults = Faults {
            rate_limit_every: Some(3),
            error_burst: Some((5, 2)),
            drop_every: Some(4),
            ..Faults::default()
        };
        let (sandbox, pager) = start(2_500, faults).await;
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let mut kinds = Vec::new();
        let mut attempts = 0;
        loop {
            attempts += 1;
            assert!(attempts < 50, "the fetch must make progress between faults");
            match fetch
                .run(&pager, &CancellationToken::new(), &mut |_| {})
                .await
            {
                Ok(_) => break,
                Err(e) => kinds.push(e.kind()),
            }
        }
        for kind in [
            ErrorKind::RateLimited,
            ErrorKind::Server,
            ErrorKind::Network,
        ] {
            assert!(
                kinds.contains(&kind),
                "the sandbox injected a {kind} fault that the run survived: {kinds:?}"
            );
        }
        let got = fetch.records();
        let unique: HashSet<&str> = got.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(unique.len(), got.len(), "no duplicates");
        assert_eq!(
            got,
            expected(2_500).as_slice(),
            "no record lost, changed or reordered"
        );
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn cancel_interrupts_a_slow_request() {
        let faults = Faults {
            latency: Some(Duration::from_secs(20)),
            ..Faults::default()
        };
        let (sandbox, pager) = start(100, faults).await;
        let cancel = CancellationToken::new();
        let canceller = {
            let cancel = cancel.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                cancel.cancel();
            })
        };
        let started = Instant::now();
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let r = fetch.run(&pager, &cancel, &mut |_| {}).await;
        assert!(matches!(r, Err(Error::Cancelled)), "cancelled: {r:?}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "cancel does not wait for the 20 s response ({:?})",
            started.elapsed()
        );
        assert!(!fetch.is_complete(), "a cancelled fetch is incomplete");
        canceller.await.unwrap();
        drop(sandbox);
    }

    #[tokio::test]
    async fn wiremock_pages_with_a_server_error_in_between() {
        use wiremock::matchers::{method, path, query_param, query_param_is_missing};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let server = MockServer::start().await;
        let record = |id: &str| serde_json::json!({"id": id, "username": "Jörg"});
        Mock::given(method("GET"))
            .and(path("/api/v1/reports/connections"))
            .and(query_param_is_missing("offset_id"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "records": [record("a"), record("b")], "records_remaining": 2, "next_offset": "b"
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(query_param("offset_id", "b"))
            .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(query_param("offset_id", "b"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                // The server repeats "b" at the start of the next page.
                "records": [record("b"), record("c"), record("d")], "records_remaining": 0
            })))
            .with_priority(2)
            .mount(&server)
            .await;

        let origin = Url::parse(&server.uri()).unwrap();
        let pager = HttpPager::new(origin, "t".into());
        let mut fetch = ReportFetch::new(ReportQuery::default());
        let err = fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Server,
            "the 503 surfaces (no retries here)"
        );
        fetch
            .run(&pager, &CancellationToken::new(), &mut |_| {})
            .await
            .unwrap();
        let ids: Vec<&str> = fetch.records().iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["a", "b", "c", "d"],
            "resumed at b, the repeated b kept once"
        );
        let offsets: Vec<Option<String>> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| {
                r.url
                    .query_pairs()
                    .find(|(k, _)| k == "offset_id")
                    .map(|(_, v)| v.into_owned())
            })
            .collect();
        assert_eq!(
            offsets,
            [None, Some("b".into()), Some("b".into())],
            "first page, failed second page, resumed second page"
        );
    }
}
