#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-of-session documentation in the desk over a real archive (SQLite) and a mock API: which
//! sessions become undocumented after a sync, the notification, the ticket line written back
//! with PUT, skip, "required" across a restart, and "off".

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use sdesk_archive::{Archive, ArchiveUrl};
use sdesk_core::auth::MemoryStore;
use sdesk_core::clock::Clock;
use sdesk_core::desk::{
    ArchiveStore, Desk, DeskOptions, DocumentationMode, DocumentationSettings, Mode, Settings,
    DOCUMENTATION_FILE,
};
use sdesk_core::models::ReportQuery;
use sdesk_core::secret::Secret;
use sdesk_core::ErrorKind;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tempfile::TempDir;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The desk's now: records 0..12 ended before it, 12.. after.
#[derive(Debug)]
struct At(DateTime<Utc>);
impl Clock for At {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

fn now() -> DateTime<Utc> {
    base() + Duration::hours(12)
}

/// Records 0..n as the API has them: record 14 has notes, record 16 only blanks (empty).
fn api_records(n: usize) -> Vec<Value> {
    let mut all = records(n);
    for (i, r) in all.iter_mut().enumerate() {
        let o = r.as_object_mut().unwrap();
        match i {
            14 => o.insert("notes".into(), json!("Printer fixed")),
            16 => o.insert("notes".into(), json!("  \n ")),
            _ => None,
        };
    }
    all
}

/// The API: script token, the account `u100` ("Anna Admin", the even records are hers), a
/// report page with `api_records(n)`, PUTs of reports accepted.
async fn api(n: usize) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/account"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"userid": "u100", "name": "Anna Admin", "email": "anna@example.com"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/reports/connections"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"records": api_records(n), "records_remaining": 0})),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex("^/api/v1/reports/connections/.+$"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

struct Setup {
    dir: TempDir,
    archive: Archive,
    server: MockServer,
}

/// An archive that already holds records 0..12 (synced before), an API with 0..20.
async fn setup() -> Setup {
    let dir = TempDir::new().unwrap();
    let archive = Archive::open(&ArchiveUrl::Sqlite(dir.path().join("archive.sqlite3")))
        .await
        .unwrap();
    archive.upsert_json(&records(12)).await.unwrap();
    Setup {
        dir,
        archive,
        server: api(20).await,
    }
}

impl Setup {
    fn settings_path(&self) -> PathBuf {
        self.dir.path().join("config").join("settings.json")
    }

    /// A signed-in desk with documentation `mode`, its settings (and list) in the temp dir.
    async fn desk(&self, mode: DocumentationMode, archive: &Archive) -> Desk {
        self.desk_at(mode, archive, now()).await
    }

    /// [`Setup::desk`] whose clock stands at `at`.
    async fn desk_at(&self, mode: DocumentationMode, archive: &Archive, at: DateTime<Utc>) -> Desk {
        let settings = Settings {
            mode: Mode::Teamviewer,
            client_id: "some-client".into(),
            api_url: self.server.uri(),
            login_url: self.server.uri(),
            documentation: DocumentationSettings { mode },
            ..Settings::default()
        };
        let mut options = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
        options.live = None;
        options.clock = Arc::new(At(at));
        options.settings_path = Some(self.settings_path());
        options.archive = Some(Arc::new(archive.clone()) as Arc<dyn ArchiveStore>);
        let desk = Desk::new(options).await.unwrap();
        desk.sign_in_with_script_token(Secret::new("script-token"))
            .await
            .unwrap();
        desk
    }

    async fn puts(&self) -> Vec<Value> {
        self.server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "PUT")
            .map(|r| {
                let id = r.url.path().rsplit('/').next().unwrap().to_owned();
                json!({"id": id, "body": serde_json::from_slice::<Value>(&r.body).unwrap()})
            })
            .collect()
    }
}

fn listed(desk_state: &sdesk_core::desk::DocumentationState) -> Vec<&str> {
    desk_state.sessions.iter().map(|s| s.id.as_str()).collect()
}

#[tokio::test]
async fn after_a_sync_the_supporters_new_sessions_with_empty_notes_are_undocumented() {
    let s = setup().await;
    let desk = s.desk(DocumentationMode::Ask, &s.archive).await;
    assert!(
        desk.documentation().await.sessions.is_empty(),
        "before the sync: the archived sessions ended before documentation was on"
    );
    let mut notices = desk.subscribe_documentation_notices();
    desk.sync_archive().await.unwrap();
    let state = desk.documentation().await;
    assert_eq!(
        listed(&state),
        ["rec-00012", "rec-00016", "rec-00018"],
        "Anna's (u100, even) new sessions without notes, oldest first: 14 has notes, 16 only \
         blanks, the odd ones are Ben's, 0..12 ended before documentation was on: {state:?}"
    );
    assert_eq!(state.mode, DocumentationMode::Ask);
    let first = &state.sessions[0];
    assert_eq!(
        first.customer, "Jörg Kunde",
        "the end customer's name (record 12 has one)"
    );
    assert_eq!(
        state.sessions[1].customer, "PC-2",
        "else the device name (record 16)"
    );
    assert_eq!(first.seconds, 1800);
    let notice = notices.try_recv().expect("one notification for the sync");
    assert_eq!(notice.title, "Document 3 sessions");
    assert_eq!(notice.id, "rec-00012", "a click opens the oldest");
    assert!(
        notices.try_recv().is_err(),
        "one notification per sync, not one per session"
    );

    desk.sync_archive().await.unwrap();
    assert!(
        notices.try_recv().is_err(),
        "a sync that brings nothing new announces nothing again"
    );
    assert_eq!(listed(&desk.documentation().await).len(), 3);
}

#[tokio::test]
async fn documenting_writes_the_notes_with_the_ticket_line_through_put_and_the_archive() {
    let s = setup().await;
    let desk = s.desk(DocumentationMode::Ask, &s.archive).await;
    desk.sync_archive().await.unwrap();
    let err = desk
        .document_session("rec-00012", "  ", "")
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidInput,
        "nothing to write: {err}"
    );
    assert!(s.puts().await.is_empty(), "nothing was sent for it");

    let state = desk
        .document_session("rec-00012", "Reset the password\n", " T-42 ")
        .await
        .unwrap();
    assert_eq!(
        listed(&state),
        ["rec-00016", "rec-00018"],
        "it left the list"
    );
    assert_eq!(
        s.puts().await,
        [json!({"id": "rec-00012", "body": {"notes": "Reset the password\nTicket: T-42"}})],
        "one PUT with the notes and the ticket line, the billing state untouched"
    );
    let archived = s
        .archive
        .records(&ReportQuery {
            userid: Some("u100".into()),
            ..ReportQuery::default()
        })
        .await
        .unwrap();
    let record = archived.iter().find(|r| r.id == "rec-00012").unwrap();
    assert_eq!(
        record.notes.as_deref(),
        Some("Reset the password\nTicket: T-42"),
        "the archive (and so the log view) has the notes"
    );
    // The API has the notes now (the mock's list does not follow PUTs by itself).
    let mut after = api_records(20);
    after[12]
        .as_object_mut()
        .unwrap()
        .insert("notes".into(), json!("Reset the password\nTicket: T-42"));
    Mock::given(method("GET"))
        .and(path("/api/v1/reports/connections"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"records": after, "records_remaining": 0})),
        )
        .with_priority(1)
        .mount(&s.server)
        .await;
    desk.sync_archive().await.unwrap();
    assert_eq!(
        listed(&desk.documentation().await),
        ["rec-00016", "rec-00018"],
        "it does not come back with the next sync"
    );
    let err = desk
        .document_session("rec-00012", "again", "")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "no longer listed: {err}");
}

#[tokio::test]
async fn skip_drops_a_session_for_good_in_ask_mode() {
    let s = setup().await;
    let desk = s.desk(DocumentationMode::Ask, &s.archive).await;
    desk.sync_archive().await.unwrap();
    let state = desk.skip_documentation("rec-00016").await.unwrap();
    assert_eq!(listed(&state), ["rec-00012", "rec-00018"]);
    desk.sync_archive().await.unwrap();
    assert_eq!(
        listed(&desk.documentation().await),
        ["rec-00012", "rec-00018"],
        "a skipped session is not asked about again"
    );
    assert!(s.puts().await.is_empty(), "skipping writes nothing");
}

#[tokio::test]
async fn required_keeps_the_list_across_a_restart_and_refuses_skip() {
    let s = setup().await;
    let desk = s.desk(DocumentationMode::Required, &s.archive).await;
    desk.sync_archive().await.unwrap();
    assert_eq!(listed(&desk.documentation().await).len(), 3);
    let err = desk.skip_documentation("rec-00016").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "required: {err}");
    desk.document_session("rec-00018", "", "INC-7")
        .await
        .unwrap();
    drop(desk);
    assert!(
        s.settings_path()
            .with_file_name(DOCUMENTATION_FILE)
            .is_file(),
        "the list is kept beside the settings"
    );

    // A restart ten days later: a new desk on the same files, signed in again; no sync yet.
    // (Without the kept file the list would start then and be empty.)
    let reopened = Archive::open(s.archive.url()).await.unwrap();
    let desk = s
        .desk_at(
            DocumentationMode::Required,
            &reopened,
            now() + Duration::days(10),
        )
        .await;
    let state = desk.documentation().await;
    assert_eq!(
        listed(&state),
        ["rec-00012", "rec-00016"],
        "the undocumented sessions are still there after a restart: {state:?}"
    );
    assert_eq!(state.mode, DocumentationMode::Required);
}

#[tokio::test]
async fn off_lists_nothing_and_writes_nothing() {
    let s = setup().await;
    let desk = s.desk(DocumentationMode::Off, &s.archive).await;
    let mut notices = desk.subscribe_documentation_notices();
    desk.sync_archive().await.unwrap();
    let state = desk.documentation().await;
    assert!(state.sessions.is_empty(), "off: {state:?}");
    assert_eq!(state.mode, DocumentationMode::Off);
    assert!(notices.try_recv().is_err(), "no notification");
    assert!(
        !s.settings_path()
            .with_file_name(DOCUMENTATION_FILE)
            .exists(),
        "no list file"
    );
    let err = desk
        .document_session("rec-00012", "x", "")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn switching_on_later_asks_only_about_sessions_that_end_afterwards() {
    let s = setup().await;
    let desk = s.desk(DocumentationMode::Off, &s.archive).await;
    desk.sync_archive().await.unwrap();
    let mut settings = desk.settings();
    settings.documentation.mode = DocumentationMode::Ask;
    desk.apply_settings(settings, None).await.unwrap();
    // The desk's clock stands at base + 12 h: records 12.. end after it.
    assert_eq!(
        listed(&desk.documentation().await),
        ["rec-00012", "rec-00016", "rec-00018"],
        "switched on at the desk's now: the sessions that ended after it"
    );
    let mut settings = desk.settings();
    settings.documentation.mode = DocumentationMode::Off;
    desk.apply_settings(settings, None).await.unwrap();
    let state = desk.documentation().await;
    assert!(state.sessions.is_empty(), "switched off: {state:?}");
}

#[tokio::test]
async fn a_session_documented_while_offline_is_pending_and_not_listed_again() {
    let s = setup().await;
    let desk = s.desk(DocumentationMode::Ask, &s.archive).await;
    desk.sync_archive().await.unwrap();
    let uri = s.server.uri();
    // The API goes away.
    let Setup {
        dir: _dir,
        archive,
        server,
    } = s;
    drop(server);
    let state = desk
        .document_session("rec-00012", "Called back", "")
        .await
        .expect("kept as a pending edit, not refused");
    assert_eq!(listed(&state), ["rec-00016", "rec-00018"]);
    let pending = archive.pending_edits().await.unwrap();
    assert_eq!(pending.len(), 1, "{pending:?} ({uri})");
    assert_eq!(pending[0].notes.as_deref(), Some("Called back"));
    assert_eq!(
        pending[0].billing_state, None,
        "the billing state is not part of the edit"
    );
    assert_eq!(desk.archive_sync_status().pending_edits, 1);
    assert_eq!(
        listed(&desk.documentation().await),
        ["rec-00016", "rec-00018"],
        "a look at the archive does not list it again while its notes wait to be sent"
    );
}

#[tokio::test]
async fn a_background_sync_lists_and_announces_too() {
    let s = setup().await;
    let desk = s.desk(DocumentationMode::Required, &s.archive).await;
    let mut notices = desk.subscribe_documentation_notices();
    let mut list = desk.subscribe_documentation();
    let stop = tokio_util::sync::CancellationToken::new();
    // The schedule's first run comes about 5 s after this (real time).
    desk.start_archive_schedule(stop.clone());
    let notice = tokio::time::timeout(std::time::Duration::from_secs(60), notices.recv())
        .await
        .expect("the background run ends within a minute")
        .expect("a notification for the background sync");
    assert_eq!(notice.title, "Document 3 sessions", "{notice:?}");
    let state = list.borrow_and_update().clone();
    assert_eq!(
        listed(&state),
        ["rec-00012", "rec-00016", "rec-00018"],
        "the list followed the background run: {state:?}"
    );
    stop.cancel();
}
