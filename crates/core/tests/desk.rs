#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The desktop app's behaviour (`sdesk_core::desk`) against the TeamViewer simulator: sign-in
//! through the consent page (deep link and loopback), script tokens, sessions and the link
//! allow-list, the connection log (load, cancel, resume, view, export, edit), settings files.

use sdesk_core::auth::{MemoryStore, TokenStore, CLIENT_SECRET_NAME};
use sdesk_core::client::RetryPolicy;
use sdesk_core::desk::{
    ApiWaitEvent, ApiWaitReason, CallbackOutcome, Desk, DeskOptions, ExportOptions, LinkKind,
    LogQuery, LogView, Mode, NewSessionForm, RedirectMode, SessionListState, Settings,
    SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
};
use sdesk_core::error::CallbackRejection;
use sdesk_core::logs::{Column, ColumnFilter, FetchProgress};
use sdesk_core::{Error, ErrorKind, Secret};
use sdesk_sandbox::{Faults, OAuthClient, Sandbox, SandboxConfig};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig::default()).await
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(2),
        rate_limit_delay: Duration::from_millis(5),
        rate_limit_max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn options(sb: &Sandbox, settings: Settings) -> DeskOptions {
    let mut o = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
    o.sandbox_origin = Some(sb.base_url());
    o.retry = fast_retry();
    o
}

async fn sandbox_desk(sb: &Sandbox) -> Desk {
    Desk::new(options(sb, Settings::default())).await.unwrap()
}

/// Plays the browser: opens the authorize URL, presses a button, returns the redirect target.
async fn consent(authorize: &url::Url, decision: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = browser
        .get(authorize.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"request\" value=\"";
    let start = html
        .find(marker)
        .expect("the consent form has a request id")
        + marker.len();
    let request = &html[start..start + html[start..].find('"').unwrap()];
    let resp = browser
        .post(authorize.join(sdesk_sandbox::DECISION_PATH).unwrap())
        .form(&[("request", request), ("decision", decision)])
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_redirection(),
        "the decision redirects back to the app"
    );
    resp.headers()["location"].to_str().unwrap().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn sandbox_client_constants_match_the_simulator() {
    assert_eq!(
        SANDBOX_CLIENT_ID,
        sdesk_sandbox::DEFAULT_CLIENT_ID,
        "the desk signs in with the sandbox's default OAuth app"
    );
    assert_eq!(
        SANDBOX_CLIENT_SECRET,
        sdesk_sandbox::DEFAULT_CLIENT_SECRET,
        "and its secret"
    );
}

#[tokio::test]
async fn deep_link_sign_in_through_the_consent_page() {
    let sb = sandbox().await;
    let desk = sandbox_desk(&sb).await;
    let before = desk.status().await.unwrap();
    assert!(
        !before.signed_in && before.sandbox && before.oauth_configured,
        "sandbox mode starts signed out with the sandbox OAuth app: {before:?}"
    );

    let start = desk.begin_sign_in().await.unwrap();
    assert!(
        desk.status().await.unwrap().sign_in_pending,
        "begin leaves a sign-in pending"
    );
    let callback = consent(&start.authorize_url, "approve").await;
    assert!(
        callback.starts_with("dev.supporterdesk:/oauth/callback?"),
        "deep-link redirect by default: {}",
        sdesk_core::auth::redact_url(&callback)
    );

    let forged = callback.replace("state=", "state=x");
    assert!(
        matches!(
            desk.complete_sign_in(&forged).await,
            CallbackOutcome::Ignored(Error::CallbackRejected {
                reason: CallbackRejection::StateMismatch
            })
        ),
        "a forged state is ignored"
    );
    assert!(
        matches!(
            desk.complete_sign_in("dev.supporterdesk:not-a-callback")
                .await,
            CallbackOutcome::Ignored(_)
        ),
        "a malformed deep link is ignored"
    );
    assert!(
        desk.status().await.unwrap().sign_in_pending,
        "ignored callbacks must not end the real sign-in"
    );

    let status = match desk.complete_sign_in(&callback).await {
        CallbackOutcome::SignedIn(s) => s,
        other => panic!("the real callback signs in, got {other:?}"),
    };
    assert!(
        status.signed_in && !status.sign_in_pending,
        "signed in: {status:?}"
    );
    assert_eq!(
        status.kind,
        Some(sdesk_core::auth::TokenKind::OAuth),
        "OAuth sign-in"
    );
    assert!(
        !status.memory_only,
        "memoryOnly flags a failing keyring, not sandbox mode (the badge says Sandbox)"
    );
    let account = status.account.clone().expect("the account is read");
    assert!(
        account.userid.starts_with('u'),
        "a TeamViewer user id: {account:?}"
    );
    let json = serde_json::to_string(&status).unwrap();
    let code = callback
        .split("code=")
        .nth(1)
        .unwrap_or("")
        .split('&')
        .next()
        .unwrap_or("");
    assert!(
        !code.is_empty() && !json.contains(code),
        "the status never carries the code: {json}"
    );
    assert!(
        !json.to_lowercase().contains("token\":\"") && !json.contains("access"),
        "the status never carries a token: {json}"
    );

    assert!(
        matches!(
            desk.complete_sign_in(&callback).await,
            CallbackOutcome::Ignored(Error::CallbackRejected {
                reason: CallbackRejection::NotPending
            })
        ),
        "a replayed callback is ignored (nothing pending), not reported as a failure"
    );
    let out = desk.sign_out().await.unwrap();
    assert!(
        !out.signed_in && out.account.is_none(),
        "signed out: {out:?}"
    );
}

#[tokio::test]
async fn deny_ends_the_sign_in_as_a_failure() {
    let sb = sandbox().await;
    let desk = sandbox_desk(&sb).await;
    let start = desk.begin_sign_in().await.unwrap();
    let callback = consent(&start.authorize_url, "deny").await;
    assert!(
        matches!(
            desk.complete_sign_in(&callback).await,
            CallbackOutcome::Failed(Error::CallbackRejected {
                reason: CallbackRejection::Denied
            })
        ),
        "a denial with our state ends the sign-in and is reported"
    );
    assert!(
        !desk.status().await.unwrap().sign_in_pending,
        "nothing is pending after a denial"
    );
}

#[tokio::test]
async fn loopback_sign_in_is_served_by_the_watcher() {
    let port = free_port();
    let sb = sandbox_with(SandboxConfig {
        clients: vec![OAuthClient {
            redirect_uris: vec![format!("http://127.0.0.1:{port}/oauth/callback")],
            ..OAuthClient::default()
        }],
        ..SandboxConfig::default()
    })
    .await;
    let settings = Settings {
        redirect_mode: RedirectMode::Loopback,
        loopback_port: port,
        ..Settings::default()
    };
    let desk = Arc::new(Desk::new(options(&sb, settings)).await.unwrap());
    let start = desk.begin_sign_in().await.unwrap();
    let watcher = {
        let desk = Arc::clone(&desk);
        tokio::spawn(async move { desk.watch_sign_in(start.watch).await })
    };
    let callback = consent(&start.authorize_url, "approve").await;
    assert!(
        callback.starts_with(&format!("http://127.0.0.1:{port}/oauth/callback?")),
        "the loopback redirect"
    );
    // A stray request first: the listener must keep waiting for the real one.
    let stray = reqwest::get(format!(
        "http://127.0.0.1:{port}/oauth/callback?code=x&state=y"
    ))
    .await
    .unwrap();
    assert_eq!(stray.status(), 200, "the listener answers every callback");
    let page = reqwest::get(&callback).await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "the browser gets the 'you can close this tab' page"
    );
    match tokio::time::timeout(Duration::from_secs(10), watcher).await {
        Ok(Ok(Some(CallbackOutcome::SignedIn(s)))) => {
            assert!(s.signed_in, "the loopback callback signed in")
        }
        other => panic!("the watcher must report the sign-in, got {other:?}"),
    }
}

#[tokio::test]
async fn the_watcher_reports_expiry_and_stops_on_cancel() {
    let sb = sandbox().await;
    let mut o = options(&sb, Settings::default());
    o.sign_in_window = Duration::from_millis(150);
    let desk = Desk::new(o).await.unwrap();

    let start = desk.begin_sign_in().await.unwrap();
    match desk.watch_sign_in(start.watch).await {
        Some(CallbackOutcome::Failed(Error::CallbackRejected {
            reason: CallbackRejection::Expired,
        })) => {}
        other => panic!("an unanswered sign-in expires, got {other:?}"),
    }
    assert!(
        !desk.status().await.unwrap().sign_in_pending,
        "an expired sign-in is no longer pending"
    );

    let start = desk.begin_sign_in().await.unwrap();
    assert!(desk.cancel_sign_in(), "a pending sign-in is cancelled");
    assert!(
        desk.watch_sign_in(start.watch).await.is_none(),
        "a cancelled sign-in's watcher ends silently"
    );
}

#[tokio::test]
async fn script_token_is_validated_before_it_is_stored() {
    let sb = sandbox().await;
    let desk = sandbox_desk(&sb).await;
    let bad = desk
        .sign_in_with_script_token(Secret::new("wrong"))
        .await
        .err()
        .map(|e| e.kind());
    assert_eq!(
        bad,
        Some(ErrorKind::Unauthorized),
        "an invalid token is refused by /ping"
    );
    assert_eq!(
        desk.sign_in_with_script_token(Secret::new("  "))
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "an empty token is refused without a request"
    );
    let ok = desk
        .sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    assert!(
        ok.signed_in && ok.kind == Some(sdesk_core::auth::TokenKind::Script),
        "signed in with the script token: {ok:?}"
    );
    assert!(ok.account.is_some(), "the account is shown");
}

async fn signed_in(sb: &Sandbox, settings: Settings) -> Desk {
    let desk = Desk::new(options(sb, settings)).await.unwrap();
    desk.sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    desk
}

#[tokio::test]
async fn sessions_create_list_close_and_links() {
    let sb = sandbox().await;
    let desk = signed_in(&sb, Settings::default()).await;
    let groups = desk.groups().await.unwrap();
    assert!(!groups.is_empty(), "the sandbox has groups");

    let bad = NewSessionForm {
        group_id: Some(groups[0].id.clone()),
        customer_email: "jon@".into(),
        ..NewSessionForm::default()
    };
    assert_eq!(
        desk.create_session(&bad).await.err().map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "a bad e-mail is invalid_input and nothing is created"
    );

    let form = NewSessionForm {
        group_id: Some(groups[0].id.clone()),
        description: "Printer & scanner".into(),
        customer_name: "Jörg Müller".into(),
        customer_email: "joerg@example.com".into(),
        ..NewSessionForm::default()
    };
    let created = desk.create_session(&form).await.unwrap();
    assert!(
        created.is_open && created.supporter_link.is_some(),
        "{created:?}"
    );

    let open = desk.list_sessions(SessionListState::Open).await.unwrap();
    assert!(
        open.iter().any(|s| s.code == created.code),
        "the new session is listed"
    );
    let times: Vec<_> = open.iter().map(|s| s.created_at).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "sessions are listed newest first");

    let supporter = desk.link_for(&created.code, LinkKind::Supporter).unwrap();
    assert!(
        supporter.as_str().starts_with(sb.base_url().as_str()),
        "in sandbox mode the sandbox's own links may be opened: {supporter:?}"
    );
    assert_eq!(
        Some(supporter.as_str()),
        created.supporter_link.as_deref(),
        "an already normalised link is opened exactly as the API sent it"
    );
    let invitation = desk.link_for(&created.code, LinkKind::Invitation).unwrap();
    let invitation = invitation.as_str();
    assert!(
        invitation.starts_with("mailto:joerg@example.com?subject="),
        "the invitation goes to the customer: {invitation}"
    );
    let customer_link = created.end_customer_link.clone().unwrap();
    let encoded = customer_link.replace(':', "%3A").replace('/', "%2F");
    assert!(
        invitation.contains(&encoded),
        "the body carries the percent-encoded end-customer link: {invitation}"
    );
    assert_eq!(
        desk.link_for("s000-000-000", LinkKind::Supporter)
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::NotFound),
        "a session the desk has not seen is refused"
    );

    let after = desk.close_session(&created.code).await.unwrap();
    assert!(
        after.iter().all(|s| s.code != created.code),
        "a closed session leaves the open list"
    );
    assert_eq!(
        desk.link_for(&created.code, LinkKind::Supporter)
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "a closed session's links are refused"
    );
}

#[tokio::test]
async fn sandbox_links_are_refused_outside_sandbox_mode() {
    let sb = sandbox().await;
    // TeamViewer mode, pointed at the simulator: its links are on a loopback origin, which only
    // sandbox mode may open.
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: sb.base_url().to_string(),
        login_url: sb.base_url().to_string(),
        ..Settings::default()
    };
    let desk = signed_in(&sb, settings).await;
    let open = desk.list_sessions(SessionListState::Open).await.unwrap();
    let code = &open.first().expect("the sandbox has open sessions").code;
    for kind in [
        LinkKind::Supporter,
        LinkKind::WebClient,
        LinkKind::EndCustomer,
        LinkKind::Invitation,
    ] {
        assert_eq!(
            desk.link_for(code, kind).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidInput),
            "{kind:?}: a loopback link must not be opened in TeamViewer mode"
        );
    }
}

/// A desk in TeamViewer mode, signed in with a script token, whose API is `server` answering
/// `GET /sessions` with `sessions` (hostile link values, as a tester would send them).
async fn desk_on_hostile_api(server: &MockServer, sessions: serde_json::Value) -> Desk {
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sessions": sessions })))
        .mount(server)
        .await;
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: server.uri(),
        login_url: server.uri(),
        ..Settings::default()
    };
    let mut options = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
    options.retry = fast_retry();
    // The background list would send requests of its own to the mocks these tests count.
    options.live = None;
    let desk = Desk::new(options).await.unwrap();
    desk.sign_in_with_script_token(Secret::new("script-token"))
        .await
        .unwrap();
    let listed = desk.list_sessions(SessionListState::Open).await.unwrap();
    assert!(!listed.is_empty(), "the hostile sessions were listed");
    desk
}

fn hostile_session(code: &str, link: &str, email: Option<&str>) -> serde_json::Value {
    json!({
        "code": code,
        "state": "open",
        "supporter_link": link,
        "webclient_supporter_link": link,
        "end_customer_link": link,
        "end_customer": { "name": "Eve", "email": email },
    })
}

#[tokio::test]
async fn hostile_links_from_the_api_are_never_opened() {
    let server = MockServer::start().await;
    let hostile = [
        "mailto:x@y?attach=/etc/passwd",
        "mailto:?attach=/etc/passwd&body=x",
        "https://get.teamviewer.com\\@evil.example/",
        " https://get.teamviewer.com/v15/s1",
        "\u{1}https://get.teamviewer.com/v15/s1",
        "https://get.teamviewer.com/v15/s1\nhttps://evil.example/",
        "https://get.team\tviewer.com/v15/s1",
        "https://@get.teamviewer.com/v15/s1",
        "https://user:pw@get.teamviewer.com/v15/s1",
        "tvcontrol1://control?device=123456789",
        "teamviewer10://control?device=1",
        "file:///etc/passwd",
    ];
    let sessions: Vec<_> = hostile
        .iter()
        .enumerate()
        .map(|(i, link)| {
            hostile_session(&format!("s100-000-{i:03}"), link, Some("joerg@example.com"))
        })
        .collect();
    let desk = desk_on_hostile_api(&server, json!(sessions)).await;
    for (i, link) in hostile.iter().enumerate() {
        let code = format!("s100-000-{i:03}");
        for kind in [
            LinkKind::Supporter,
            LinkKind::WebClient,
            LinkKind::EndCustomer,
            LinkKind::Invitation,
        ] {
            let got = desk.link_for(&code, kind);
            assert_eq!(
                got.as_ref().err().map(Error::kind),
                Some(ErrorKind::InvalidInput),
                "{kind:?} of a session whose API link is {link:?} must be refused (an invitation \
                 needs a checked end-customer link), got {got:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_desk_hands_out_the_parsed_link_and_composes_its_own_mailto() {
    let server = MockServer::start().await;
    let sessions = json!([
        hostile_session(
            "s200-000-001",
            "https://GET.TeamViewer.com:443/v15/s200000001",
            Some("x@y.example?attach=/etc/passwd")
        ),
        hostile_session(
            "s200-000-002",
            "https://get.teamviewer.com/v15/s200000002",
            Some("joerg@example.com")
        ),
    ]);
    let desk = desk_on_hostile_api(&server, sessions).await;

    let supporter = desk.link_for("s200-000-001", LinkKind::Supporter).unwrap();
    assert_eq!(
        supporter.as_str(),
        "https://get.teamviewer.com/v15/s200000001",
        "the opener gets the parsed URL's serialisation, not the server's raw text"
    );
    let invitation = desk.link_for("s200-000-001", LinkKind::Invitation).unwrap();
    assert!(
        invitation.as_str().starts_with("mailto:?subject="),
        "an address with header fields is not used as the recipient: {invitation:?}"
    );
    let fields: Vec<String> = invitation
        .url()
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(
        fields,
        ["subject", "body"],
        "the app's own mailto carries a subject and a body, nothing else: {invitation:?}"
    );

    let invitation = desk.link_for("s200-000-002", LinkKind::Invitation).unwrap();
    assert!(
        invitation
            .as_str()
            .starts_with("mailto:joerg@example.com?subject=Remote%20support"),
        "a plain address is the recipient: {invitation:?}"
    );
    assert!(
        invitation
            .as_str()
            .contains("https%3A%2F%2Fget.teamviewer.com%2Fv15%2Fs200000002"),
        "the body carries the checked end-customer link: {invitation:?}"
    );
}

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
        }],
        sort: Some(sdesk_core::logs::Sort::asc(Column::StartDate)),
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

#[test]
fn settings_files_missing_roundtrip_corrupt_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("settings.json");
    assert_eq!(
        Settings::load(&path).unwrap(),
        Settings::default(),
        "a missing file gives the defaults"
    );
    let s = Settings {
        mode: Mode::Teamviewer,
        client_id: "  my-client ".into(),
        redirect_mode: RedirectMode::Loopback,
        loopback_port: 50000,
        language: sdesk_core::desk::Language::De,
        ..Settings::default()
    };
    s.save(&path).unwrap();
    let back = Settings::load(&path).unwrap();
    assert_eq!(back.client_id, "my-client", "text fields are trimmed");
    assert_eq!(
        back.loopback_port, 50000,
        "values survive a save/load round trip"
    );
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "the atomic save leaves no temporary file: {leftovers:?}"
    );

    std::fs::write(&path, b"{\"mode\": \"sandbox\", \"apiUrl\": ").unwrap();
    assert_eq!(
        Settings::load(&path).err().map(|e| e.kind()),
        Some(ErrorKind::Config),
        "a damaged file is a config error, not a panic"
    );
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(
        Settings::load(&path).err().map(|e| e.kind()),
        Some(ErrorKind::Config),
        "binary garbage is a config error"
    );
    std::fs::write(&path, br#"{"mode":"teamviewer","clientId":""}"#).unwrap();
    assert_eq!(
        Settings::load(&path).err().map(|e| e.kind()),
        Some(ErrorKind::Config),
        "TeamViewer mode without a client ID is refused on load"
    );
    std::fs::write(&path, br#"{"loopbackPort": 50001, "future": true}"#).unwrap();
    assert_eq!(
        Settings::load(&path).unwrap().loopback_port,
        50001,
        "missing fields take defaults, unknown fields are ignored"
    );
    let invalid = Settings {
        loopback_port: 22,
        ..Settings::default()
    };
    assert_eq!(
        invalid.save(&path).err().map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "invalid settings are not saved"
    );
}

#[tokio::test]
async fn apply_settings_saves_and_keeps_the_secret_in_the_store() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let mut o = options(&sb, Settings::default());
    o.store = store.clone();
    o.settings_path = Some(dir.path().join("settings.json"));
    let desk = Desk::new(o).await.unwrap();

    let to_tv = Settings {
        mode: Mode::Teamviewer,
        ..Settings::default()
    };
    assert_eq!(
        desk.apply_settings(to_tv.clone(), None)
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "TeamViewer mode needs a client ID"
    );
    let view = desk
        .apply_settings(
            Settings {
                client_id: "cid".into(),
                ..to_tv
            },
            Some(Secret::new("s3cret")),
        )
        .await
        .unwrap();
    assert!(
        view.has_client_secret && view.settings.mode == Mode::Teamviewer,
        "{view:?}"
    );
    assert_eq!(
        store
            .load_secret(CLIENT_SECRET_NAME)
            .unwrap()
            .map(|s| s.expose().to_owned()),
        Some("s3cret".into()),
        "the secret is in the token store"
    );
    let file = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
    assert!(
        file.contains("\"clientId\": \"cid\"") && !file.contains("s3cret"),
        "the file has the settings but never the secret: {file}"
    );
    let status = desk.status().await.unwrap();
    assert!(
        !status.sandbox && status.oauth_configured,
        "TeamViewer mode with a client: {status:?}"
    );

    let view = desk
        .apply_settings(Settings::default(), Some(Secret::new("")))
        .await
        .unwrap();
    assert!(
        !view.has_client_secret && view.settings.mode == Mode::Sandbox,
        "an empty secret deletes it: {view:?}"
    );
    assert!(desk.status().await.unwrap().sandbox, "back in sandbox mode");
}

#[tokio::test]
async fn memory_only_is_flagged_when_the_keyring_was_unavailable() {
    let sb = sandbox().await;
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: sb.base_url().to_string(),
        login_url: sb.base_url().to_string(),
        ..Settings::default()
    };
    let mut o = options(&sb, settings);
    o.store = Arc::new(MemoryStore::fallback());
    let desk = Desk::new(o).await.unwrap();
    let status = desk
        .sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    assert!(
        status.memory_only && !status.keyring_available,
        "a sign-in kept in the memory fallback store is flagged: {status:?}"
    );
}

/// A desk in TeamViewer mode on `server` (which must answer `/ping`), signed in with a script
/// token, whose listener collects the wait events.
async fn desk_with_wait_listener(
    server: &MockServer,
) -> (Desk, Arc<std::sync::Mutex<Vec<ApiWaitEvent>>>) {
    Mock::given(method("GET"))
        .and(path("/api/v1/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "token_valid": true })))
        .mount(server)
        .await;
    let settings = Settings {
        mode: Mode::Teamviewer,
        client_id: "some-client".into(),
        api_url: server.uri(),
        login_url: server.uri(),
        ..Settings::default()
    };
    let mut options = DeskOptions::new(settings, Arc::new(MemoryStore::new()));
    options.retry = fast_retry();
    // The background list would send requests of its own to the mocks these tests count.
    options.live = None;
    let desk = Desk::new(options).await.unwrap();
    desk.sign_in_with_script_token(Secret::new("script-token"))
        .await
        .unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    desk.set_wait_listener(Some(Arc::new(move |e| sink.lock().unwrap().push(e))));
    (desk, seen)
}

#[tokio::test]
async fn a_rate_limit_wait_is_told_to_the_listener_and_ended_when_the_answer_arrives() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error": "rate_limit_reached",
            "error_description": "Too many calls to a single function with the same access token",
            "error_code": 5
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "groups": [{ "id": "g1", "name": "Support" }] })),
        )
        .mount(&server)
        .await;
    let (desk, seen) = desk_with_wait_listener(&server).await;
    let groups = desk.groups().await.unwrap();
    assert_eq!(groups.len(), 1, "the retry after the wait got the groups");
    let events = seen.lock().unwrap().clone();
    let [ApiWaitEvent::Waiting(wait), ApiWaitEvent::Over(over)] = events.as_slice() else {
        panic!("one wait, then its end when the answer arrived, got {events:?}");
    };
    assert_eq!(
        (wait.reason, wait.attempt, wait.status),
        (ApiWaitReason::RateLimit, 2, None),
        "a rate limit before the second attempt: {wait:?}"
    );
    assert!(
        wait.seconds >= 1,
        "a short rate-limit wait still shows a second to count down: {wait:?}"
    );
    assert_eq!(over.call, wait.call, "the end names the call that waited");

    // The next call that waits gets a number of its own.
    seen.lock().unwrap().clear();
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sessions": [] })))
        .mount(&server)
        .await;
    desk.list_sessions(SessionListState::Open).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        &[],
        "a call that did not wait tells nothing"
    );
}

#[tokio::test]
async fn short_server_waits_are_not_shown_and_a_stopped_listener_hears_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sessions": [] })))
        .mount(&server)
        .await;
    let (desk, seen) = desk_with_wait_listener(&server).await;
    desk.list_sessions(SessionListState::Open).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        &[],
        "a 503 retried after milliseconds is below the 2 s worth showing"
    );
    let sessions_requests = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/v1/sessions")
        .count();
    assert_eq!(sessions_requests, 2, "the 503 was retried once");
    desk.set_wait_listener(None);
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "groups": [] })))
        .mount(&server)
        .await;
    desk.groups().await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        &[],
        "after set_wait_listener(None) nothing is told"
    );
}
