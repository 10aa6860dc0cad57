#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `billing::mark_billed` against the TeamViewer simulator without an archive: rate limits (in
//! TeamViewer's documented form) are waited out and announced, a lost reply is read back rather
//! than sent twice, a blocked address stops the run with the rest listed, a cancel ends a
//! rate-limit wait, and one bad id does not stop the others. (With the archive:
//! crates/archive/tests/mark_billed.rs.)
//!
//! Tests live in `mod billing` so that `cargo test -p sdesk-core billing` selects them.

mod billing {
    use chrono::{DateTime, Utc};
    use sdesk_core::billing::{
        mark_billed, mark_billed_with, MarkOptions, MarkOutcome, MarkProgress,
    };
    use sdesk_core::client::{
        build_http, parse_api_url, HttpConfig, RetryPolicy, StaticToken, TeamViewerClient,
    };
    use sdesk_core::desk::ArchiveStore;
    use sdesk_core::{ErrorKind, Secret};
    use sdesk_sandbox::{generate_reports, Faults, PutFaults, Sandbox, SandboxConfig};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use tokio_util::sync::CancellationToken;

    const RECORDS: usize = 30;

    fn now() -> DateTime<Utc> {
        "2026-11-20T12:00:00Z".parse().unwrap()
    }

    /// All report ids of the sandbox, in served order.
    fn ids() -> Vec<String> {
        generate_reports(42, RECORDS, now())
            .into_iter()
            .map(|r| r.id.to_string())
            .collect()
    }

    async fn sandbox(faults: Faults) -> Sandbox {
        Sandbox::start(
            SandboxConfig {
                records: RECORDS,
                now: Some(now()),
                faults,
                ..SandboxConfig::default()
            },
            ([127, 0, 0, 1], 0).into(),
        )
        .await
        .unwrap()
    }

    fn client(sb: &Sandbox) -> TeamViewerClient {
        let http = build_http(&HttpConfig {
            request_timeout: Duration::from_millis(300),
            ..HttpConfig::default()
        })
        .unwrap();
        TeamViewerClient::new(
            http,
            parse_api_url(sb.base_url().as_str()).unwrap(),
            Arc::new(StaticToken::new(Secret::new(sb.script_token()))),
        )
        .with_retry(RetryPolicy {
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        })
    }

    fn options() -> MarkOptions {
        MarkOptions {
            min_interval: Duration::ZERO,
            retry: RetryPolicy {
                rate_limit_delay: Duration::from_millis(4),
                rate_limit_max_delay: Duration::from_millis(40),
                ..RetryPolicy::default()
            },
        }
    }

    async fn mark(
        sb: &Sandbox,
        ids: &[String],
        cancel: &CancellationToken,
    ) -> (MarkOutcome, Vec<MarkProgress>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let outcome = mark_billed_with(
            &client(sb),
            None,
            ids,
            cancel,
            &mut move |p| log.lock().unwrap().push(p),
            &options(),
        )
        .await;
        let seen = seen.lock().unwrap().clone();
        (outcome, seen)
    }

    fn assert_each_put_once(sb: &Sandbox, ids: &[String]) {
        let counts = sb.report_update_counts();
        for id in ids {
            assert_eq!(counts.get(id), Some(&1), "{id}: one successful PUT");
            assert_eq!(
                sb.report(id).unwrap().billing_state.as_deref(),
                Some("Billed"),
                "{id} is Billed at the server"
            );
        }
        assert_eq!(counts.len(), ids.len(), "no other report was updated");
    }

    #[tokio::test]
    async fn documented_rate_limits_are_waited_out_and_announced() {
        // TeamViewer's own form: 403 rate_limit_reached, no Retry-After.
        let sb = sandbox(Faults {
            put_faults: Some(PutFaults {
                seed: 1,
                rate_limit_percent: 40,
                ..PutFaults::default()
            }),
            ..Faults::default()
        })
        .await;
        let ids = ids();
        let (outcome, seen) = mark(&sb, &ids, &CancellationToken::new()).await;
        assert_eq!(outcome.marked, ids, "every connection marked, in order");
        assert!(outcome.failed.is_empty(), "a rate limit is not a failure");
        assert!(sb.stats().rate_limited > 0, "the run met rate limits");
        let waits = seen.iter().filter(|p| p.waiting.is_some()).count();
        assert_eq!(
            waits as u64,
            sb.stats().rate_limited,
            "each rate-limit wait is announced through the progress"
        );
        let after_each: Vec<usize> = seen
            .iter()
            .filter(|p| p.waiting.is_none())
            .map(|p| p.done)
            .collect();
        assert_eq!(
            after_each,
            (1..=ids.len()).collect::<Vec<_>>(),
            "progress after each connection"
        );
        assert_each_put_once(&sb, &ids);
    }

    #[tokio::test]
    async fn a_lost_reply_is_read_back_and_not_sent_again() {
        let sb = sandbox(Faults {
            put_faults: Some(PutFaults {
                seed: 2,
                lost_reply_percent: 100,
                lost_reply_delay: Duration::from_secs(1),
                ..PutFaults::default()
            }),
            ..Faults::default()
        })
        .await;
        let ids: Vec<String> = ids().into_iter().take(4).collect();
        let (outcome, _) = mark(&sb, &ids, &CancellationToken::new()).await;
        assert_eq!(
            outcome.marked, ids,
            "every PUT timed out, but each was applied: the read-back finds them Billed"
        );
        assert!(outcome.failed.is_empty());
        assert_each_put_once(&sb, &ids);
    }

    #[tokio::test]
    async fn a_blocked_address_stops_the_run_and_lists_the_rest() {
        let sb = sandbox(Faults {
            blocked_every: Some(3),
            ..Faults::default()
        })
        .await;
        let ids = ids();
        let (outcome, _) = mark(&sb, &ids, &CancellationToken::new()).await;
        assert_eq!(outcome.marked, ids[..2], "the first two went through");
        assert_eq!(outcome.failed.len(), 1);
        assert_eq!(outcome.failed[0].id, ids[2]);
        assert_eq!(outcome.failed[0].error.kind(), ErrorKind::Blocked);
        assert_eq!(outcome.stopped_by, Some(ErrorKind::Blocked));
        assert!(!outcome.cancelled);
        assert_eq!(
            outcome.not_tried,
            ids[3..],
            "no further request into a block"
        );
        assert_eq!(
            outcome.to_retry(),
            ids[2..],
            "to retry: the failed one and the rest"
        );
        assert_eq!(sb.stats().api_requests, 3, "nothing sent after the block");
    }

    #[tokio::test]
    async fn a_cancel_ends_a_rate_limit_wait() {
        let sb = sandbox(Faults {
            retry_after: Some(120),
            put_faults: Some(PutFaults {
                seed: 3,
                rate_limit_percent: 100,
                ..PutFaults::default()
            }),
            ..Faults::default()
        })
        .await;
        let ids = ids();
        let cancel = CancellationToken::new();
        let canceller = cancel.clone();
        let outcome = mark_billed_with(
            &client(&sb),
            None,
            &ids,
            &cancel,
            &mut move |p| {
                if p.waiting == Some(Duration::from_secs(120)) {
                    canceller.cancel();
                }
            },
            &options(),
        )
        .await;
        assert!(outcome.cancelled, "the wait ended with the cancel");
        assert!(outcome.marked.is_empty() && outcome.failed.is_empty());
        assert_eq!(
            outcome.not_tried, ids,
            "nothing was marked; all can be sent again"
        );
        assert_eq!(
            sb.stats().api_requests,
            1,
            "one refused PUT, nothing after it"
        );
    }

    #[tokio::test]
    async fn an_unknown_id_fails_alone_and_a_repeated_id_is_sent_once() {
        let sb = sandbox(Faults::default()).await;
        let mut ids: Vec<String> = ids().into_iter().take(3).collect();
        let unknown = "00000000-0000-4000-8000-000000000000".to_owned();
        let asked = vec![
            ids[0].clone(),
            unknown.clone(),
            ids[1].clone(),
            ids[0].clone(),
            ids[2].clone(),
        ];
        let (outcome, seen) = mark(&sb, &asked, &CancellationToken::new()).await;
        assert_eq!(outcome.failed.len(), 1);
        assert_eq!(outcome.failed[0].id, unknown);
        assert_eq!(outcome.failed[0].error.kind(), ErrorKind::NotFound);
        assert_eq!(
            outcome.marked, ids,
            "the others are marked, the repeated one once"
        );
        assert_eq!(
            seen.last().map(|p| (p.done, p.total, p.failed)),
            Some((5, 5, 1))
        );
        ids.sort();
        let mut updated: Vec<String> = sb.report_update_counts().into_keys().collect();
        updated.sort();
        assert_eq!(updated, ids);
        assert_each_put_once(&sb, &ids);
    }

    #[tokio::test]
    async fn a_cancel_lists_each_id_not_yet_done_once() {
        let sb = sandbox(Faults::default()).await;
        let ids: Vec<String> = ids().into_iter().take(3).collect();
        // a, b, a, c, c: cancelled after the second connection (b).
        let asked = vec![
            ids[0].clone(),
            ids[1].clone(),
            ids[0].clone(),
            ids[2].clone(),
            ids[2].clone(),
        ];
        let cancel = CancellationToken::new();
        let canceller = cancel.clone();
        let outcome = mark_billed_with(
            &client(&sb),
            None,
            &asked,
            &cancel,
            &mut move |p| {
                if p.done == 2 {
                    canceller.cancel();
                }
            },
            &options(),
        )
        .await;
        assert!(outcome.cancelled);
        assert_eq!(outcome.marked, ids[..2]);
        assert_eq!(
            outcome.not_tried,
            ids[2..],
            "the marked a is not listed again, c once"
        );
    }

    #[test]
    fn a_run_is_a_send_future_the_desk_can_spawn() {
        fn is_send<T: Send>(_: &T) {}
        let client = TeamViewerClient::new(
            build_http(&HttpConfig::default()).unwrap(),
            parse_api_url("http://127.0.0.1:1").unwrap(),
            Arc::new(StaticToken::new(Secret::new("t".to_owned()))),
        );
        let archive: Option<&dyn ArchiveStore> = None;
        let cancel = CancellationToken::new();
        let ids = ids();
        let mut progress = |_: MarkProgress| {};
        // Never polled: this only has to compile.
        let run = mark_billed(&client, archive, &ids, &cancel, &mut progress);
        is_send(&run);
    }
}
