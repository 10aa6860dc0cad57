#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The desk's insight area over a real archive: the Insight tab's figures for a period come from
//! the archive with no network, are published to subscribers (the shell's `insight` event), and
//! follow a sync that changed the archive.

mod common;

use chrono::Duration;
use common::*;
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::auth::MemoryStore;
use sdesk_core::desk::{Desk, DeskOptions, InsightPeriod, Mode, Settings};
use sdesk_core::secret::Secret;
use sdesk_core::ErrorKind;
use serde_json::json;
use std::sync::Arc;
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn archive_with(dir: &TempDir, n: usize) -> Archive {
    let archive = Archive::open(&ArchiveUrl::Sqlite(dir.path().join("archive.sqlite3")))
        .await
        .unwrap();
    archive.upsert_json(&records(n)).await.unwrap();
    archive
}

async fn desk_on(api: &str, archive: Option<Archive>) -> Desk {
    desk_with_config(api, archive, None).await
}

/// A desk whose settings (and so `rates.toml`) live in `config`.
async fn desk_with_config(
    api: &str,
    archive: Option<Archive>,
    config: Option<&std::path::Path>,
) -> Desk {
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: api.into(),
        login_url: api.into(),
        ..Settings::default()
    };
    let mut options = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
    options.live = None;
    options.archive = archive.map(|a| Arc::new(a) as Arc<dyn sdesk_core::desk::ArchiveStore>);
    options.settings_path = config.map(|dir| dir.join("settings.json"));
    Desk::new(options).await.unwrap()
}

const NOWHERE: &str = "http://127.0.0.1:9";

#[tokio::test]
async fn the_periods_figures_come_from_the_archive_and_are_published() {
    let dir = TempDir::new().unwrap();
    let desk = desk_on(NOWHERE, Some(archive_with(&dir, 48).await)).await;
    let mut heard = desk.subscribe_insight();
    // The second day: records 24..48, 30 minutes each.
    let period = InsightPeriod {
        from: base() + Duration::hours(24),
        to: Some(base() + Duration::hours(48)),
    };
    let state = desk.insight(period).await.expect("computed offline");
    let d = state.dashboard.as_ref().expect("figures for the period");
    assert_eq!(d.connections, 24, "only the period's records count");
    assert_eq!(d.seconds, 24 * 30 * 60);
    assert_eq!(d.average_seconds, Some(1800));
    assert_eq!(
        d.by_user.iter().map(|u| u.connections).sum::<u64>(),
        24,
        "every connection has its supporter"
    );
    assert!(!state.computing && state.error.is_none() && state.archive);
    assert_eq!(state.period, Some(period));
    assert!(
        heard.has_changed().unwrap(),
        "subscribers hear the new figures"
    );
    assert_eq!(
        *heard.borrow_and_update(),
        state,
        "what they hear is the state returned"
    );
    assert_eq!(desk.insight_state(), state);
}

#[tokio::test]
async fn without_an_archive_there_are_no_figures_and_it_says_so() {
    let desk = desk_on(NOWHERE, None).await;
    let state = desk
        .insight(InsightPeriod {
            from: base(),
            to: None,
        })
        .await
        .unwrap();
    assert!(!state.archive, "the UI tells 'no archive yet' from this");
    assert!(state.dashboard.is_none() && state.error.is_none());
}

#[tokio::test]
async fn a_period_that_ends_before_it_starts_is_refused_and_changes_nothing() {
    let dir = TempDir::new().unwrap();
    let desk = desk_on(NOWHERE, Some(archive_with(&dir, 4).await)).await;
    let before = desk.insight_state();
    let err = desk
        .insight(InsightPeriod {
            from: base(),
            to: Some(base() - Duration::hours(1)),
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(desk.insight_state(), before, "the shown figures stay");
}

#[tokio::test]
async fn a_sync_that_brings_records_recomputes_the_open_period() {
    let dir = TempDir::new().unwrap();
    let archive = archive_with(&dir, 4).await;
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/reports/connections"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"records": records(6), "records_remaining": 0})),
        )
        .mount(&server)
        .await;
    let desk = desk_on(&server.uri(), Some(archive)).await;
    desk.sign_in_with_script_token(Secret::new("script-token"))
        .await
        .unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    desk.start_archive_schedule(stop.clone());
    let period = InsightPeriod {
        from: base(),
        to: None,
    };
    let first = desk.insight(period).await.unwrap();
    assert_eq!(first.dashboard.unwrap().connections, 4);
    let mut heard = desk.subscribe_insight();
    desk.sync_archive().await.expect("the sync runs");
    let recomputed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            heard.changed().await.unwrap();
            let s = heard.borrow_and_update().clone();
            if !s.computing {
                return s;
            }
        }
    })
    .await
    .expect("the figures follow the sync without being asked");
    assert_eq!(
        recomputed.dashboard.unwrap().connections,
        6,
        "records 4 and 5 arrived with the sync"
    );
    assert_eq!(
        recomputed.period,
        Some(period),
        "the same period, up to the new now"
    );
    stop.cancel();
}

#[tokio::test]
async fn amounts_use_the_rates_beside_the_settings_and_say_when_they_cannot() {
    let dir = TempDir::new().unwrap();
    let config = TempDir::new().unwrap();
    std::fs::write(
        config.path().join("rates.toml"),
        "merge_within_minutes = 0\n[default]\nname = \"Team\"\nhourly_rate = \"60.00\"\ncurrency = \"CHF\"\n",
    )
    .unwrap();
    let desk = desk_with_config(
        NOWHERE,
        Some(archive_with(&dir, 4).await),
        Some(config.path()),
    )
    .await;
    let period = InsightPeriod {
        from: base(),
        to: Some(base() + Duration::hours(4)),
    };
    let state = desk.insight(period).await.unwrap();
    let amounts = &state.dashboard.as_ref().unwrap().amounts;
    assert_eq!(amounts.len(), 1, "one currency: {amounts:?}");
    assert_eq!(
        (
            amounts[0].currency.as_str(),
            amounts[0].unbilled.to_string()
        ),
        ("CHF", "120.00".to_owned()),
        "4 connections of 30 min at 60 CHF/h, none billed (merging off)"
    );
    assert!(state.rates_error.is_none());

    std::fs::write(
        config.path().join("rates.toml"),
        "[default]\nhourly_rate = 90.5\n",
    )
    .unwrap();
    let state = desk.insight(period).await.unwrap();
    assert_eq!(
        state.rates_error.as_ref().map(|e| e.kind),
        Some(ErrorKind::InvalidInput),
        "a broken rates file is reported, not hidden"
    );
    let d = state
        .dashboard
        .expect("the rest of the figures still shows");
    assert_eq!(d.connections, 4);
    assert_eq!(d.amounts[0].currency, "EUR", "with the default rate");
}
