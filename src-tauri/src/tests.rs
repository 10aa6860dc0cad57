#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Command wiring on Tauri's mock runtime: every command family over real IPC requests, the
//! `{kind, message}` error shape, no token in `auth_status`, the link allow-list, deep-link
//! handling of malformed URLs, the capability. The app runs in sandbox mode against a real
//! simulator on loopback; tokens live in memory (never the real keyring); browser, clipboard and
//! save dialog go through the debug test hooks into a temporary directory.

use crate::{build_app, AppOptions, AppState, TestHooks};
use sdesk_core::auth::{MemoryStore, TokenStore};
use sdesk_core::desk::CallbackOutcome;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewWindow};

struct TestApp {
    app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    store: Arc<MemoryStore>,
    dir: tempfile::TempDir,
}

impl TestApp {
    fn new() -> Self {
        Self::with_dir(tempfile::tempdir().unwrap())
    }

    fn with_dir(dir: tempfile::TempDir) -> Self {
        Self::with_context(dir, mock_context(noop_assets()))
    }

    /// The app on the mock runtime with `context`: [`mock_context`] grants every command (it has
    /// no ACL), the generated context enforces the real capability of tauri.conf.json.
    fn with_context(dir: tempfile::TempDir, context: tauri::Context<MockRuntime>) -> Self {
        let store = Arc::new(MemoryStore::new());
        let options = AppOptions {
            token_store: Some(store.clone()),
            config_dir: Some(dir.path().to_path_buf()),
            data_dir: Some(dir.path().to_path_buf()),
            single_instance: false,
            register_deep_links: false,
            show_fallback: Duration::from_secs(3600),
            log_to_file: false,
            desktop_integration: false,
            test_hooks: TestHooks {
                open_log: Some(dir.path().join("open.log")),
                save_path: Some(dir.path().join("export.csv")),
                clipboard_log: Some(dir.path().join("clipboard.log")),
                notify_log: Some(dir.path().join("notify.log")),
                tray_log: Some(dir.path().join("tray.log")),
                sandbox_offline: Some(dir.path().join("sandbox-offline")),
            },
        };
        let mut app = build_app(mock_builder(), options)
            .build(context)
            .expect("the app builds on the mock runtime");
        // The setup hook (state, deep links, window) runs with the first event-loop iteration;
        // `run_iteration` is deprecated for loops, but one call is the way to reach it without
        // handing the test thread to `run`.
        #[allow(deprecated)]
        app.run_iteration(|_, _| {});
        // The generated context creates the configured "main" window; the mock one has none.
        let webview = match app.get_webview_window("main") {
            Some(window) => window,
            None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .expect("a mock main window"),
        };
        TestApp {
            app,
            webview,
            store,
            dir,
        }
    }

    /// One IPC request as the UI would send it; `Err` is the serialised `IpcError`.
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: tauri::test::INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} must succeed, got {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.invoke(cmd, args) {
            Err(e) => e,
            Ok(v) => panic!("{cmd} must fail, got {v}"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn lines(&self, name: &str) -> Vec<String> {
        read_lines(&self.path(name))
    }

    /// Signs in through the real flow: `sign_in` "opens" the consent page (open log), the
    /// test plays the browser, and the redirect comes back through the deep-link handler.
    fn sign_in(&self) -> Value {
        self.ok("sign_in", json!({}));
        let authorize = self
            .lines("open.log")
            .last()
            .cloned()
            .expect("authorize URL");
        let callback = tauri::async_runtime::block_on(consent(&authorize, "approve"));
        match tauri::async_runtime::block_on(crate::signin::handle_callback(
            self.app.handle(),
            &callback,
        )) {
            CallbackOutcome::SignedIn(_) => {}
            other => panic!("the deep link must complete the sign-in, got {other:?}"),
        }
        self.ok("auth_status", json!({}))
    }
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Plays the browser on the sandbox consent page; returns the redirect target.
async fn consent(authorize: &str, decision: &str) -> String {
    let authorize = url::Url::parse(authorize).unwrap();
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
    let start = html.find(marker).expect("consent form") + marker.len();
    let request = &html[start..start + html[start..].find('"').unwrap()];
    let resp = browser
        .post(authorize.join(sdesk_sandbox::DECISION_PATH).unwrap())
        .form(&[("request", request), ("decision", decision)])
        .send()
        .await
        .unwrap();
    resp.headers()["location"].to_str().unwrap().to_owned()
}

fn assert_ipc_error(e: &Value, kind: &str, why: &str) {
    let obj = e
        .as_object()
        .unwrap_or_else(|| panic!("{why}: not an object: {e}"));
    assert_eq!(
        obj.len(),
        2,
        "{why}: an IpcError has exactly kind and message: {e}"
    );
    assert_eq!(e["kind"], kind, "{why}: {e}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{why}: a readable message: {e}"
    );
}

#[test]
fn auth_commands_are_wired() {
    let t = TestApp::new();
    let info = t.ok("app_info", json!({}));
    assert_eq!(info["name"], "Supporter Desk", "app_info answers");
    assert_eq!(
        t.ok("app_ready", json!({})),
        Value::Null,
        "no startup problem with a fresh config dir"
    );

    let status = t.ok("auth_status", json!({}));
    assert_eq!(status["signedIn"], false, "starts signed out: {status}");
    assert_eq!(status["sandbox"], true, "sandbox mode by default: {status}");

    let pending = t.ok("sign_in", json!({}));
    assert_eq!(
        pending["signInPending"], true,
        "sign_in leaves a sign-in pending"
    );
    let opened = t.lines("open.log");
    assert!(
        opened.len() == 1 && opened[0].contains("/oauth2/authorize?"),
        "sign_in opened the consent page (and nothing else): {opened:?}"
    );
    let cancelled = t.ok("cancel_sign_in", json!({}));
    assert_eq!(cancelled["signInPending"], false, "cancel ends it");

    let bad = t.err("sign_in_with_script_token", json!({ "token": "not-valid" }));
    assert_ipc_error(&bad, "unauthorized", "a wrong script token");

    let status = t.sign_in();
    assert_eq!(status["signedIn"], true, "signed in: {status}");
    assert!(
        status["account"]["name"].is_string(),
        "the account is shown: {status}"
    );
    let out = t.ok("sign_out", json!({}));
    assert_eq!(out["signedIn"], false, "sign_out signs out: {out}");
}

#[test]
fn session_commands_are_wired_and_links_are_checked() {
    let t = TestApp::new();
    assert_ipc_error(
        &t.err("list_groups", json!({})),
        "not_signed_in",
        "nothing works before signing in",
    );
    t.sign_in();
    let groups = t.ok("list_groups", json!({}));
    let group = groups[0]["id"].as_str().expect("a group id").to_owned();

    let bad = t.err(
        "create_session",
        json!({ "form": { "groupId": group, "customerEmail": "jon@" } }),
    );
    assert_ipc_error(&bad, "invalid_input", "a bad e-mail");
    assert!(
        bad["message"].as_str().unwrap().contains("e-mail"),
        "the message names the field: {bad}"
    );

    let created = t.ok(
        "create_session",
        json!({ "form": { "groupId": group, "groupName": null, "description": "Printer",
                          "customerName": "Jon", "customerEmail": "jon@example.com",
                          "waitingMessage": "" } }),
    );
    let code = created["code"].as_str().unwrap().to_owned();
    let open = t.ok("list_sessions", json!({ "state": "open" }));
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == code.as_str()),
        "the new session is listed: {open}"
    );

    t.ok(
        "open_session_link",
        json!({ "code": code, "link": "supporter" }),
    );
    t.ok(
        "open_session_link",
        json!({ "code": code, "link": "invitation" }),
    );
    let opened = t.lines("open.log");
    assert_eq!(
        opened.get(1).map(String::as_str),
        created["supporterLink"].as_str(),
        "the supporter link of the session was opened"
    );
    assert!(
        opened
            .get(2)
            .is_some_and(|m| m.starts_with("mailto:jon@example.com?subject=")),
        "the invitation is a mailto: {opened:?}"
    );

    let unknown = t.err(
        "open_session_link",
        json!({ "code": "s999-999-999", "link": "supporter" }),
    );
    assert_ipc_error(&unknown, "not_found", "an unknown session code");
    // Only the three declared kinds deserialise; anything else fails before the command runs.
    t.err(
        "open_session_link",
        json!({ "code": code, "link": "file:///etc/passwd" }),
    );
    assert_eq!(
        t.lines("open.log").len(),
        3,
        "refused requests opened nothing"
    );

    t.ok(
        "copy_session_link",
        json!({ "code": code, "link": "endCustomer" }),
    );
    assert_eq!(
        t.lines("clipboard.log").first().map(String::as_str),
        created["endCustomerLink"].as_str(),
        "the end-customer link was copied"
    );

    let after = t.ok("close_session", json!({ "code": code }));
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"] != code.as_str()),
        "closed sessions leave the open list"
    );
}

#[test]
fn session_detail_commands_are_wired() {
    let t = TestApp::new();
    t.sign_in();
    let groups = t.ok("list_groups", json!({}));
    let group = groups[0]["id"].as_str().expect("a group id").to_owned();
    let created = t.ok(
        "create_session",
        json!({ "form": { "groupId": group, "description": "Printer", "customerName": "Jon" } }),
    );
    let code = created["code"].as_str().unwrap().to_owned();

    let edited = t.ok(
        "edit_session",
        json!({ "code": code, "edit": { "description": "Scanner", "waitingMessage": "Moment" } }),
    );
    assert_eq!(
        (
            edited["description"].as_str(),
            edited["waitingMessage"].as_str()
        ),
        (Some("Scanner"), Some("Moment")),
        "the edit comes back as the API has it: {edited}"
    );
    let bad = t.err(
        "edit_session",
        json!({ "code": code, "edit": { "customerEmail": "jon@" } }),
    );
    assert_ipc_error(&bad, "invalid_input", "a bad e-mail in the edit");

    let users = t.ok("list_users", json!({}));
    let users = users.as_array().expect("a user list");
    let me = created["assignedUserId"]
        .as_str()
        .expect("assigned to the creator");
    let colleague = users
        .iter()
        .filter_map(|u| u["id"].as_str())
        .find(|id| *id != me)
        .expect("a colleague")
        .to_owned();
    let assigned = t.ok(
        "assign_session",
        json!({ "code": code, "userId": colleague }),
    );
    assert_eq!(
        assigned["assignedUserId"].as_str(),
        Some(colleague.as_str()),
        "assigned to the colleague: {assigned}"
    );

    t.ok("copy_invitation_text", json!({ "code": code }));
    let copied = t.lines("clipboard.log").join("\n");
    assert!(
        copied.contains(&code.replace('-', "")) || copied.contains(&code),
        "the invitation text was copied: {copied}"
    );

    t.ok("copy_session_code", json!({ "code": code }));
    let copied = t.lines("clipboard.log");
    assert_eq!(
        copied.last().map(String::as_str),
        Some(code.as_str()),
        "the detail's Copy puts exactly the known session code on the clipboard: {copied:?}"
    );
    let unknown = t.err("copy_session_code", json!({ "code": "s999-999-999" }));
    assert_eq!(
        unknown["kind"], "not_found",
        "a code the API never gave is refused, not copied: {unknown}"
    );

    let outcomes = t.ok("close_sessions", json!({ "codes": [code, "s999-999-999"] }));
    assert_eq!(
        outcomes,
        json!([
            { "code": code, "error": null },
            { "code": "s999-999-999", "error": outcomes[1]["error"].clone() }
        ]),
        "one result per session"
    );
    assert_eq!(
        outcomes[1]["error"]["kind"], "not_found",
        "the unknown one failed with its reason: {outcomes}"
    );
    assert_ipc_error(
        &t.err(
            "open_session_link",
            json!({ "code": code, "link": "supporter" }),
        ),
        "invalid_input",
        "a session closed in bulk has no links",
    );
}

#[test]
fn log_commands_are_wired() {
    let t = TestApp::new();
    t.sign_in();
    let progress = Arc::new(AtomicUsize::new(0));
    {
        let progress = progress.clone();
        t.app.listen_any("logs-progress", move |_| {
            progress.fetch_add(1, Ordering::SeqCst);
        });
    }
    let summary = t.ok(
        "load_logs",
        json!({ "query": { "from": null, "to": null } }),
    );
    assert_eq!(summary["incomplete"], false, "complete: {summary}");
    let total = summary["totals"]["totalRecords"].as_u64().unwrap();
    assert!(total > 0, "records were loaded: {summary}");
    assert!(
        progress.load(Ordering::SeqCst) >= 1,
        "progress events were emitted"
    );

    let page = t.ok(
        "apply_log_view",
        json!({ "view": { "text": "", "columns": [], "sort": { "column": "start_date", "descending": true } }, "offset": 0, "limit": 5 }),
    );
    assert_eq!(
        page["totals"]["count"].as_u64(),
        Some(total),
        "no filter, all rows"
    );
    assert_eq!(page["offset"], 0, "the first window starts where asked");
    let rows = t.ok("log_rows", json!({ "offset": 0, "limit": 5 }));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5, "a window of rows");
    assert_eq!(
        &page["rows"],
        &json!(rows),
        "apply_log_view's rows are the view's first window"
    );
    let id = rows[0]["id"].as_str().unwrap().to_owned();

    let export = t.ok(
        "export_logs",
        json!({ "options": { "delimiter": ";", "bom": true } }),
    );
    assert_eq!(
        export["rows"].as_u64(),
        Some(total),
        "every row in view is exported"
    );
    let csv = std::fs::read(t.path("export.csv")).unwrap();
    assert!(
        csv.starts_with(&[0xEF, 0xBB, 0xBF]) && csv.contains(&b';'),
        "BOM and semicolons as asked"
    );

    t.ok("log_ticket_text", json!({ "id": id }));
    assert!(
        t.lines("clipboard.log")
            .first()
            .is_some_and(|l| l.contains(&id)),
        "the ticket text was copied"
    );
    let row = t.ok(
        "update_log_record",
        json!({ "id": id, "notes": "called back", "billingState": "Billed" }),
    );
    assert_eq!(row["notes"], "called back", "the updated row: {row}");

    t.ok("cancel_logs", json!({}));
    let resumed = t.ok("resume_logs", json!({}));
    assert_eq!(
        resumed["totals"]["totalRecords"].as_u64(),
        Some(total),
        "resuming a complete load changes nothing"
    );
    assert_ipc_error(
        &t.err("log_ticket_text", json!({ "id": "nope" })),
        "not_found",
        "an unknown record",
    );
    assert_ipc_error(
        &t.err("load_logs", json!({ "query": { "userId": "123" } })),
        "invalid_input",
        "an invalid user id",
    );
}

#[test]
fn settings_commands_are_wired() {
    let t = TestApp::new();
    let s = t.ok("get_settings", json!({}));
    assert_eq!(s["mode"], "sandbox", "defaults: {s}");
    assert_eq!(s["hasClientSecret"], false, "no secret yet: {s}");

    let mut invalid = s.clone();
    invalid["mode"] = json!("teamviewer");
    assert_ipc_error(
        &t.err(
            "save_settings",
            json!({ "settings": invalid, "clientSecret": null }),
        ),
        "invalid_input",
        "TeamViewer mode without a client ID",
    );

    let mut german = s.clone();
    german["language"] = json!("de");
    let saved = t.ok(
        "save_settings",
        json!({ "settings": german, "clientSecret": "s3cret" }),
    );
    assert_eq!(saved["language"], "de", "saved: {saved}");
    assert_eq!(
        saved["hasClientSecret"], true,
        "the secret is stored: {saved}"
    );
    let file = std::fs::read_to_string(t.path("settings.json")).unwrap();
    assert!(
        file.contains("\"language\": \"de\"") && !file.contains("s3cret"),
        "the settings file has the settings, never the secret: {file}"
    );
    assert!(
        t.store
            .load_secret(sdesk_core::auth::CLIENT_SECRET_NAME)
            .unwrap()
            .is_some(),
        "the secret went to the token store"
    );
}

#[test]
fn auth_status_never_contains_a_token() {
    let t = TestApp::new();
    let origin = t
        .app
        .state::<AppState>()
        .desk
        .sandbox_origin()
        .expect("sandbox running");
    // TeamViewer mode against the simulator, so the tokens land in the injected store where
    // the test can read them.
    let settings = json!({
        "mode": "teamviewer", "clientId": "sandbox-client", "redirectMode": "deepLink",
        "loopbackPort": 47813, "apiUrl": origin.as_str(), "loginUrl": origin.as_str(),
        "language": "en"
    });
    t.ok(
        "save_settings",
        json!({ "settings": settings, "clientSecret": "sandbox-secret" }),
    );
    let status = t.sign_in();
    assert_eq!(status["sandbox"], false, "TeamViewer mode: {status}");
    let tokens = t.store.load().unwrap().expect("tokens stored");
    let text = status.to_string();
    assert!(
        !text.contains(tokens.access_token.expose()),
        "the access token must never reach the UI: {text}"
    );
    let refresh = tokens.refresh_token.expect("a refresh token");
    assert!(
        !text.contains(refresh.expose()),
        "the refresh token must never reach the UI: {text}"
    );
    assert!(
        !text.contains("sandbox-secret"),
        "nor the client secret: {text}"
    );
}

#[test]
fn deep_link_handler_ignores_malformed_urls() {
    let t = TestApp::new();
    let failures = Arc::new(AtomicUsize::new(0));
    {
        let failures = failures.clone();
        t.app.listen_any("sign-in-failed", move |_| {
            failures.fetch_add(1, Ordering::SeqCst);
        });
    }
    t.ok("sign_in", json!({}));
    for url in [
        "",
        "not a url",
        "dev.supporterdesk:",
        "dev.supporterdesk://evil.example/oauth/callback?code=x&state=y",
        "dev.supporterdesk:/oauth/callback?code=x",
        "dev.supporterdesk:/oauth/callback?code=x&state=forged",
        "https://evil.example/oauth/callback?code=x&state=y",
        "javascript:alert(1)",
    ] {
        let outcome =
            tauri::async_runtime::block_on(crate::signin::handle_callback(t.app.handle(), url));
        assert!(
            matches!(outcome, CallbackOutcome::Ignored(_)),
            "{url:?} must be ignored, got {outcome:?}"
        );
    }
    let status = t.ok("auth_status", json!({}));
    assert_eq!(
        status["signInPending"], true,
        "malformed links must not end the real sign-in: {status}"
    );
    assert_eq!(
        failures.load(Ordering::SeqCst),
        0,
        "ignored links are not reported to the UI"
    );
    assert_eq!(
        t.lines("open.log").len(),
        1,
        "deep links never open anything"
    );
}

#[test]
fn a_damaged_settings_file_starts_with_defaults_and_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("settings.json"), b"{ not json").unwrap();
    let t = TestApp::with_dir(dir);
    let notice = t.ok("app_ready", json!({}));
    assert_ipc_error(&notice, "config", "the startup notice");
    assert_eq!(
        t.ok("get_settings", json!({}))["mode"],
        "sandbox",
        "the defaults are used"
    );
}

/// The core permissions the web UI needs, one line per use (see `ui_tauri_call_sites`):
/// `listen` (ui/src/api.ts `on`) for `auth-changed`, `sign-in-failed` and `logs-progress`, and
/// `unlisten`, which the `UnlistenFn` that `listen` returns calls. Nothing else: the UI imports
/// no window, webview, app, path, menu, tray or image API (the window is shown and themed from
/// Rust, the theme follows `prefers-color-scheme` in CSS), emits no events, and the page has no
/// `data-tauri-drag-region`. Left out on purpose: `core:webview:allow-internal-toggle-devtools`
/// (part of `core:default`; the Ctrl+Shift+I hotkey of debug builds — the context menu's
/// "Inspect Element" still opens the dev tools there).
const CORE_PERMISSIONS: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

/// The app commands of `src-tauri/build.rs`.
fn build_rs_commands() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let build = std::fs::read_to_string(root.join("src-tauri/build.rs")).unwrap();
    let list = &build[build.find("COMMANDS").unwrap()..];
    let list = &list[..list.find("];").unwrap()];
    let commands: Vec<String> = list
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert!(
        commands.len() >= 20,
        "the command list was read: {commands:?}"
    );
    commands
}

#[test]
fn the_capability_grants_exactly_the_app_commands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let commands = build_rs_commands();

    let conf: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tauri.conf.json")).unwrap())
            .unwrap();
    let caps = conf["app"]["security"]["capabilities"].as_array().unwrap();
    assert_eq!(caps.len(), 1, "one capability");
    assert_eq!(
        caps[0]["windows"],
        json!(["main"]),
        "for the main window only"
    );
    assert!(
        caps[0].get("webviews").is_none() && caps[0].get("remote").is_none(),
        "no other webviews and no remote origins: {}",
        caps[0]
    );
    assert!(
        !root.join("capabilities").exists() && !root.join("src-tauri/capabilities").exists(),
        "the capability lives in tauri.conf.json only; a capabilities/ directory would add more"
    );
    let granted: Vec<String> = caps[0]["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    let mut expected: Vec<String> = commands
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    expected.extend(CORE_PERMISSIONS.iter().map(|p| (*p).to_owned()));
    let (mut a, mut b) = (granted.clone(), expected);
    a.sort();
    b.sort();
    assert_eq!(
        a, b,
        "the capability grants exactly the app's commands plus the event permissions the UI \
         uses: no core:default (window, webview, app, path, menu, tray and image APIs the page \
         does not use), no plugin permission (no opener:default, no dialog/clipboard JS)"
    );

    let t = TestApp::new();
    for cmd in &commands {
        let answer = t.invoke(cmd, json!({}));
        if let Err(e) = &answer {
            let text = e.to_string();
            assert!(
                !text.contains("not found") || text.contains("\"kind\""),
                "{cmd} from build.rs must be registered in generate_handler!: {text}"
            );
        }
    }
}

/// Every `@tauri-apps/*` import and every `__TAURI` / `data-tauri-*` use in the UI sources (not
/// its tests), as `(file, what)`.
fn ui_tauri_call_sites() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut files = vec![root.join("index.html")];
    walk(&root.join("src"), &mut files);
    let mut sites = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let is_source = name.ends_with(".ts") || name.ends_with(".html");
        if !is_source || name.ends_with(".test.ts") || name.ends_with(".gen.ts") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Imports may span lines: take each `import { … } from "…"` statement whole. Any other
        // mention of a Tauri package (dynamic `import()`, `import * as`, a re-export) is listed
        // verbatim, so it cannot slip through.
        for statement in text.split(';') {
            let statement = statement.trim().replace('\'', "\"");
            if !statement.contains("@tauri-apps/") {
                continue;
            }
            let import = statement
                .strip_prefix("import {")
                .and_then(|rest| rest.split_once("} from \"@tauri-apps/"));
            match import {
                Some((names, module)) if !module.contains(['(', '{', ' ', '\n']) => {
                    let module = format!("@tauri-apps/{}", module.trim_end_matches('"'));
                    for n in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        sites.push((name.clone(), format!("{module}#{n}")));
                    }
                }
                _ => sites.push((name.clone(), statement.clone())),
            }
        }
        // The global API, raw IPC, plugin commands through `invoke`, drag regions.
        for marker in ["__TAURI", "ipc.localhost", "plugin:", "data-tauri-"] {
            if text.contains(marker) {
                sites.push((name.clone(), marker.to_owned()));
            }
        }
    }
    sites
}

#[test]
fn the_ui_calls_only_what_the_capability_grants() {
    let sites = ui_tauri_call_sites();
    let mut used: Vec<&str> = sites.iter().map(|(_, what)| what.as_str()).collect();
    used.sort();
    used.dedup();
    // What each use needs: `invoke` of app commands needs their `allow-<command>` (checked
    // above); `listen` and its `UnlistenFn` need CORE_PERMISSIONS. Anything new here (a window
    // or webview API, a plugin's JS, the global `__TAURI__`, a drag region) needs its permission
    // in tauri.conf.json and in CORE_PERMISSIONS, or the real app denies it.
    assert_eq!(
        used,
        [
            "@tauri-apps/api/core#invoke",
            "@tauri-apps/api/event#listen",
            "@tauri-apps/api/event#type UnlistenFn",
        ],
        "the UI's Tauri call sites changed ({sites:?}): grant what they need in the capability \
         and update CORE_PERMISSIONS"
    );
}

#[test]
fn the_real_capability_allows_the_ui_and_denies_the_rest() {
    // The context tauri-build generates from tauri.conf.json, with its resolved ACL (the mock
    // context has none and allows everything).
    let context = tauri::generate_context!(test = true, assets = noop_assets());
    let t = TestApp::with_context(tempfile::tempdir().unwrap(), context);
    let denied = |e: &Value| {
        let text = e.to_string();
        text.contains("not allowed") || text.contains("denied")
    };

    let listen = t.invoke(
        "plugin:event|listen",
        json!({ "event": "auth-changed", "target": { "kind": "Any" }, "handler": 7 }),
    );
    assert!(
        listen.is_ok(),
        "the UI listens to auth-changed, sign-in-failed and logs-progress: {listen:?}"
    );
    let id = listen.unwrap_or_default();
    let unlisten = t.invoke(
        "plugin:event|unlisten",
        json!({ "event": "auth-changed", "eventId": id }),
    );
    assert!(
        unlisten.is_ok(),
        "the UnlistenFn that listen returns must work: {unlisten:?}"
    );

    for (cmd, args) in [
        (
            "plugin:event|emit",
            json!({ "event": "auth-changed", "payload": null }),
        ),
        ("plugin:app|version", json!({})),
        ("plugin:app|name", json!({})),
        ("plugin:path|resolve_directory", json!({ "directory": 8 })),
        ("plugin:window|show", json!({ "label": "main" })),
        ("plugin:window|theme", json!({ "label": "main" })),
        (
            "plugin:window|set_title",
            json!({ "label": "main", "value": "x" }),
        ),
        ("plugin:webview|get_all_webviews", json!({})),
        ("plugin:webview|internal_toggle_devtools", json!({})),
        ("plugin:image|from_path", json!({ "path": "/etc/passwd" })),
        ("plugin:tray|new", json!({ "options": {} })),
        ("plugin:menu|new", json!({ "kind": "Menu", "options": {} })),
        (
            "plugin:opener|open_url",
            json!({ "url": "https://evil.example/" }),
        ),
        (
            "plugin:clipboard-manager|write_text",
            json!({ "text": "x" }),
        ),
        ("plugin:dialog|message", json!({ "message": "x" })),
    ] {
        let answer = t.invoke(cmd, args);
        assert!(
            answer.as_ref().err().is_some_and(denied),
            "{cmd} is not used by the UI and must be denied by the capability, got {answer:?}"
        );
    }
    assert!(
        t.lines("open.log").is_empty() && t.lines("clipboard.log").is_empty(),
        "nothing was opened or copied"
    );

    // Last: with empty arguments most fail on a missing argument, `sign_in` opens a page.
    for cmd in build_rs_commands() {
        if let Err(e) = t.invoke(&cmd, json!({})) {
            assert!(
                !denied(&e),
                "the UI's command {cmd} must be permitted by the capability: {e}"
            );
        }
    }
}

#[test]
fn the_identifier_is_the_keyring_service_and_not_a_macos_bundle_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let conf: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tauri.conf.json")).unwrap())
            .unwrap();
    let identifier = conf["identifier"].as_str().unwrap();
    assert_eq!(
        identifier,
        sdesk_core::auth::KEYRING_SERVICE,
        "the app and the CLI find the same keyring entries under the app's identifier"
    );
    assert!(
        !identifier.ends_with(".app"),
        "an identifier ending in .app clashes with macOS bundle names (tauri build warns)"
    );
}

/// A stand-in TeamViewer API on loopback: `/ping` accepts any token, `/account` answers, and
/// `GET /groups` answers, except the first time after [`RateLimitedApi::armed`] is set: then
/// it is refused with TeamViewer's rate-limit answer (403 `rate_limit_reached`,
/// `Retry-After: 1` so the test waits one second).
/// The API of [`rate_limited_api`]: its origin, how many group lists it was asked for, and the
/// switch that makes the next group list a rate limit.
struct RateLimitedApi {
    origin: String,
    groups_asked: Arc<std::sync::atomic::AtomicUsize>,
    armed: Arc<std::sync::atomic::AtomicBool>,
}

fn rate_limited_api() -> RateLimitedApi {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let groups_asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (asked, armed_for_server) = (groups_asked.clone(), armed.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // The headers end with an empty line; these GETs have no body.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("");
            let (status, extra, body) = if path.starts_with("/api/v1/ping") {
                ("200 OK", "", r#"{"token_valid":true}"#.to_owned())
            } else if path.starts_with("/api/v1/account") {
                (
                    "200 OK",
                    "",
                    r#"{"userid":"u1","name":"Ann","email":"ann@example.com"}"#.to_owned(),
                )
            } else if path.starts_with("/api/v1/groups") {
                asked.fetch_add(1, Ordering::SeqCst);
                // Only the first group list after the test armed it is refused: the live
                // session list of the desk also reads the groups once after sign-in.
                if armed_for_server.swap(false, Ordering::SeqCst) {
                    (
                        "403 Forbidden",
                        "Retry-After: 1\r\n",
                        r#"{"error":"rate_limit_reached","error_description":"Too many calls","error_code":5}"#
                            .to_owned(),
                    )
                } else {
                    (
                        "200 OK",
                        "",
                        r#"{"groups":[{"id":"g1","name":"Support"}]}"#.to_owned(),
                    )
                }
            } else {
                ("404 Not Found", "", "{}".to_owned())
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    RateLimitedApi {
        origin,
        groups_asked,
        armed,
    }
}

#[test]
fn a_rate_limit_wait_reaches_the_window_as_events() {
    use std::sync::atomic::Ordering;
    let t = TestApp::new();
    let server = rate_limited_api();
    let api = server.origin.clone();
    let mut settings = t.ok("get_settings", json!({}));
    settings["mode"] = json!("teamviewer");
    settings["clientId"] = json!("some-client");
    settings["apiUrl"] = json!(api);
    settings["loginUrl"] = json!(api);
    t.ok(
        "save_settings",
        json!({ "settings": settings, "clientSecret": null }),
    );
    t.ok(
        "sign_in_with_script_token",
        json!({ "token": "script-token" }),
    );

    let seen = Arc::new(std::sync::Mutex::new(Vec::<(String, Value)>::new()));
    for name in [
        sdesk_core::desk::events::API_WAIT,
        sdesk_core::desk::events::API_WAIT_OVER,
    ] {
        let seen = seen.clone();
        t.webview.listen(name, move |event| {
            let payload = serde_json::from_str(event.payload()).unwrap();
            seen.lock().unwrap().push((name.to_owned(), payload));
        });
    }
    // The live list's own first read of the groups (right after sign-in) goes by first, so the
    // refused answer is the one this call gets.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while server.groups_asked.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.armed.store(true, Ordering::SeqCst);
    let groups = t.ok("list_groups", json!({}));
    assert_eq!(
        groups.as_array().map(Vec::len),
        Some(1),
        "the retry after the wait got the groups: {groups}"
    );
    let seen = seen.lock().unwrap().clone();
    let [(first, wait), (second, over)] = seen.as_slice() else {
        panic!("the window hears one wait and its end, got {seen:?}");
    };
    assert_eq!(
        (first.as_str(), second.as_str()),
        ("api-wait", "api-wait-over"),
        "the wait is told before the call ends"
    );
    assert_eq!(wait["reason"], "rate_limit", "a rate limit: {wait}");
    assert_eq!(wait["seconds"], 1, "the server's Retry-After: {wait}");
    assert_eq!(wait["attempt"], 2, "the first retry follows: {wait}");
    assert!(
        wait["until"].as_str().is_some_and(|u| u.ends_with('Z')),
        "until is an RFC 3339 instant: {wait}"
    );
    assert_eq!(
        over["call"], wait["call"],
        "the end names the call that waited"
    );
}

/// Waits up to 10 s for `done` to hold on what the window heard.
fn wait_for(seen: &Arc<std::sync::Mutex<Vec<Value>>>, done: impl Fn(&[Value]) -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if done(&seen.lock().unwrap()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn the_live_list_reaches_the_window_as_events() {
    let t = TestApp::new();
    let seen = Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    {
        let seen = seen.clone();
        t.webview
            .listen(sdesk_core::desk::events::LIVE, move |event| {
                let payload = serde_json::from_str(event.payload()).unwrap();
                seen.lock().unwrap().push(payload);
            });
    }
    let stopped = t.ok("live_snapshot", json!({}));
    assert_eq!(
        stopped,
        json!({ "sessions": [], "waiting": [], "groups": null, "status": { "state": "stopped" } }),
        "nothing is polled while signed out"
    );
    t.sign_in();
    assert!(
        wait_for(&seen, |s| s
            .iter()
            .any(|e| e["type"] == "status" && e["status"]["state"] == "ok")),
        "the first refresh reaches the window: {:?}",
        seen.lock().unwrap()
    );
    let snapshot = t.ok("live_snapshot", json!({}));
    let listed = snapshot["sessions"].as_array().unwrap().len();
    let added = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "session_added")
        .count();
    assert!(listed > 0, "the sandbox has open sessions: {snapshot}");
    assert_eq!(added, listed, "every listed session was announced");

    let groups = t.ok("list_groups", json!({}));
    let created = t.ok(
        "create_session",
        json!({ "form": { "groupId": groups[0]["id"], "groupName": null, "description": "",
                          "customerName": "Jon", "customerEmail": "", "waitingMessage": "" } }),
    );
    let code = created["code"].clone();
    assert!(
        wait_for(&seen, |s| s.iter().any(
            |e| e["type"] == "session_added" && e["session"]["code"] == code
        )),
        "a created session reaches the window without a list command"
    );
    t.ok("refresh_sessions", json!({}));
    t.ok("sign_out", json!({}));
    assert!(
        wait_for(&seen, |s| s.last().is_some_and(
            |e| e["type"] == "status" && e["status"]["state"] == "stopped"
        )),
        "a sign-out stops the list and says so"
    );
}

/// Sign-in truth: a token revoked at the server is noticed by the live list in the background
/// (no command), and the window hears `auth-changed` saying "sign in again".
#[test]
fn a_token_revoked_in_the_sandbox_reaches_the_window_as_sign_in_again() {
    let t = TestApp::new();
    let heard = Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    {
        let heard = heard.clone();
        t.webview
            .listen(sdesk_core::desk::events::AUTH_CHANGED, move |event| {
                let payload = serde_json::from_str(event.payload()).unwrap();
                heard.lock().unwrap().push(payload);
            });
    }
    let status = t.sign_in();
    assert_eq!(status["signedIn"], true, "signed in: {status}");
    assert_eq!(
        status["signInAgain"], false,
        "nothing to repeat yet: {status}"
    );
    let authorize = t.lines("open.log").last().cloned().unwrap();
    let origin = url::Url::parse(&authorize).unwrap();
    let revoked = tauri::async_runtime::block_on(async {
        reqwest::Client::new()
            .post(origin.join("/sandbox/revoke-all").unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert_eq!(revoked.trim(), "1", "the sandbox revoked the app's sign-in");
    heard.lock().unwrap().clear();
    // The Refresh button only asks the background list to refresh; its answer is not awaited.
    t.ok("refresh_sessions", json!({}));
    assert!(
        wait_for(&heard, |h| h
            .iter()
            .any(|s| s["signedIn"] == false && s["signInAgain"] == true)),
        "the lost sign-in reaches the window as an event: {:?}",
        heard.lock().unwrap()
    );
    let status = t.ok("auth_status", json!({}));
    assert_eq!(
        (
            &status["signedIn"],
            &status["signInAgain"],
            &status["account"]
        ),
        (&json!(false), &json!(true), &Value::Null),
        "the status agrees: {status}"
    );
}

/// An archive in the data directory with `n` records starting on 2025-03-01, one per hour.
fn archive_in(dir: &std::path::Path, n: usize) {
    tauri::async_runtime::block_on(async {
        let url = sdesk_archive::ArchiveUrl::default_in(dir);
        let archive = sdesk_archive::Archive::open(&url).await.unwrap();
        let records: Vec<Value> = (0..n)
            .map(|i| {
                json!({
                    "id": format!("rec-{i:03}"),
                    "userid": "u1",
                    "username": "Anna",
                    "start_date": format!("2025-03-01T{:02}:00:00Z", i % 24),
                    "end_date": format!("2025-03-01T{:02}:30:00Z", i % 24),
                })
            })
            .collect();
        archive.upsert_json(&records).await.unwrap();
    });
}

#[test]
fn launch_reads_the_archive_in_the_data_directory_without_signing_in() {
    let dir = tempfile::tempdir().unwrap();
    archive_in(dir.path(), 12);
    let t = TestApp::with_dir(dir);
    assert_eq!(
        t.ok("app_ready", json!({})),
        Value::Null,
        "a good archive is no startup problem"
    );
    let summary = t.ok(
        "load_archived_logs",
        json!({ "query": { "from": "2025-03-01T00:00:00Z", "to": "2025-03-02T00:00:00Z" } }),
    );
    assert_eq!(
        summary["totals"]["totalRecords"], 12,
        "the archived period is in the log view with no sign-in and no network: {summary}"
    );
}

#[test]
fn a_damaged_archive_is_a_startup_notice_and_the_app_runs_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let file = sdesk_archive::ArchiveUrl::default_in(dir.path());
    let sdesk_archive::ArchiveUrl::Sqlite(path) = file else {
        unreachable!()
    };
    std::fs::write(&path, vec![7u8; 4096]).unwrap();
    let t = TestApp::with_dir(dir);
    let notice = t.ok("app_ready", json!({}));
    assert_eq!(notice["kind"], "database", "the UI is told why: {notice}");
    let err = t.err("load_archived_logs", json!({ "query": {} }));
    assert_eq!(err["kind"], "config", "no archive in this run: {err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        vec![7u8; 4096],
        "the damaged file is left as it was"
    );
}

/// Waiting customers on the desktop: the tray follows the live list's waiting set (the test
/// hook records each change), the first list after a sign-in announces nobody (it is the
/// baseline), a sign-out empties the tray, and the notification switch reaches
/// `notification_status` and the window.
#[test]
fn the_tray_follows_the_waiting_customers_and_the_notification_switch() {
    let t = TestApp::new();
    let desktop_events = Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    {
        let seen = desktop_events.clone();
        t.webview
            .listen(sdesk_core::desk::events::DESKTOP, move |event| {
                seen.lock()
                    .unwrap()
                    .push(serde_json::from_str(event.payload()).unwrap());
            });
    }
    let tray = |t: &TestApp| t.lines("tray.log");
    assert_eq!(
        tray(&t).first().map(String::as_str),
        Some("count=0 | Show Supporter Desk | New session | Nobody waiting | Quit"),
        "the tray is drawn at start, empty while signed out: {:?}",
        tray(&t)
    );
    t.sign_in();
    let loaded = (0..500).find_map(|_| {
        let snapshot = t.ok("live_snapshot", json!({}));
        if snapshot["status"]["state"] == "ok" {
            return Some(snapshot);
        }
        std::thread::sleep(Duration::from_millis(20));
        None
    });
    let snapshot = loaded.expect("the first refresh after the sign-in finishes");
    let waiting = snapshot["waiting"].as_array().unwrap().len();
    assert!(
        waiting > 0,
        "the sandbox starts with customers online: {snapshot}"
    );
    let want = format!("count={waiting} |");
    assert!(
        (0..500).any(|_| {
            let done = tray(&t).last().is_some_and(|l| l.starts_with(&want));
            if !done {
                std::thread::sleep(Duration::from_millis(20));
            }
            done
        }),
        "the tray counts the {waiting} waiting customers: {:?}",
        tray(&t)
    );
    let last = tray(&t).last().cloned().unwrap();
    for session in snapshot["waiting"].as_array().unwrap() {
        let code = session["code"].as_str().unwrap();
        assert!(
            last.contains(code),
            "each waiting customer has a menu entry naming the session: {last}"
        );
    }
    assert!(
        t.lines("notify.log").is_empty(),
        "customers already waiting at the first list are not announced: {:?}",
        t.lines("notify.log")
    );

    assert_eq!(
        t.ok("notification_status", json!({})),
        json!({ "state": "allowed" }),
        "notifications are on by default"
    );
    let mut settings = t.ok("get_settings", json!({}));
    assert_eq!(
        settings["desktop"],
        json!({ "notifications": true, "closeAction": "ask", "startAtLogin": false,
                "startMinimised": false }),
        "the desktop defaults"
    );
    settings["desktop"]["notifications"] = json!(false);
    let saved = t.ok(
        "save_settings",
        json!({ "settings": settings, "clientSecret": null }),
    );
    assert_eq!(saved["desktop"]["notifications"], false, "saved: {saved}");
    assert_eq!(
        t.ok("notification_status", json!({})),
        json!({ "state": "off" }),
        "switched off in Settings"
    );
    assert!(
        desktop_events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e == &json!({ "type": "notifications", "state": { "state": "off" } })),
        "the window hears the switch: {:?}",
        desktop_events.lock().unwrap()
    );
    assert!(
        t.ok("auth_status", json!({}))["signedIn"] == true,
        "the desktop settings do not sign out"
    );

    t.ok("sign_out", json!({}));
    assert!(
        (0..500).any(|_| {
            let done = tray(&t).last().is_some_and(|l| l.starts_with("count=0 |"));
            if !done {
                std::thread::sleep(Duration::from_millis(20));
            }
            done
        }),
        "after the sign-out nobody is counted: {:?}",
        tray(&t)
    );
}

// ----- the archive's sync commands -------------------------------------------------------------

/// Every `event` payload the main window hears, in order.
fn heard(t: &TestApp, event: &str) -> Arc<std::sync::Mutex<Vec<Value>>> {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let sink = seen.clone();
    t.webview.listen(event.to_owned(), move |e| {
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(e.payload()).unwrap());
    });
    seen
}

/// The archive file `TestApp` opened in its data directory.
fn archive_file(dir: &Path) -> PathBuf {
    match sdesk_archive::ArchiveUrl::default_in(dir) {
        sdesk_archive::ArchiveUrl::Sqlite(path) => path,
        other => panic!("the app's archive is a SQLite file, got {other:?}"),
    }
}

/// Records in the app's archive, read through a second handle on the file.
fn archived_records(dir: &Path) -> u64 {
    tauri::async_runtime::block_on(async {
        let url = sdesk_archive::ArchiveUrl::default_in(dir);
        let archive = sdesk_archive::Archive::open(&url).await.unwrap();
        archive.stats().await.unwrap().records
    })
}

/// Connection reports the sandbox serves: 2,500 (its default; SDESK_SANDBOX_RECORDS is unset in
/// tests).
fn sandbox_records() -> u64 {
    sdesk_sandbox::SandboxConfig::default().records as u64
}

#[test]
fn archive_sync_commands_are_wired() {
    let t = TestApp::new();
    let events = heard(&t, sdesk_core::desk::events::ARCHIVE_SYNC);
    let status = t.ok("archive_sync_status", json!({}));
    let mut keys: Vec<&str> = status
        .as_object()
        .expect("the status is an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "budgetExhausted",
            "error",
            "lastNew",
            "lastSync",
            "lastUpdated",
            "pendingEdits",
            "pendingIds",
            "received",
            "remaining",
            "state",
            "total"
        ],
        "the ArchiveSyncStatus shape of docs/ipc.md, camelCase: {status}"
    );
    assert_eq!(
        (&status["state"], &status["lastSync"], &status["total"]),
        (&json!("idle"), &Value::Null, &json!(0)),
        "a new archive in the data directory, never synced: {status}"
    );
    assert_eq!(status["pendingIds"], json!([]), "{status}");
    assert_eq!(status["error"], Value::Null, "{status}");
    assert_ipc_error(
        &t.err("sync_archive", json!({})),
        "not_signed_in",
        "no sync without a sign-in",
    );

    t.sign_in();
    let done = t.ok("sync_archive", json!({}));
    assert_eq!(
        done["state"], "idle",
        "the run is over when it answers: {done}"
    );
    assert_eq!(done["error"], Value::Null, "the run ended well: {done}");
    assert_eq!(
        done["total"].as_u64(),
        Some(sandbox_records()),
        "the archive holds every report of the sandbox: {done}"
    );
    assert!(done["lastSync"].is_string(), "the last sync time: {done}");
    assert_eq!(
        archived_records(t.dir.path()),
        sandbox_records(),
        "the records are in the archive file in the data directory"
    );
    // The same reports the sandbox serves: its newest page, read with its own script token.
    let state = t.app.state::<AppState>();
    let origin = state.desk.sandbox_origin().expect("sandbox running");
    let token = tauri::async_runtime::block_on(state.sandbox_script_token()).unwrap();
    let page: Value = tauri::async_runtime::block_on(async {
        reqwest::Client::new()
            .get(origin.join("api/v1/reports/connections").unwrap())
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let ids: Vec<String> = page["records"]
        .as_array()
        .expect("a page of reports")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!ids.is_empty(), "the sandbox serves reports: {page}");
    let missing = tauri::async_runtime::block_on(async {
        let url = sdesk_archive::ArchiveUrl::default_in(t.dir.path());
        let archive = sdesk_archive::Archive::open(&url).await.unwrap();
        let mut missing = Vec::new();
        for id in &ids {
            if archive.raw_record(id).await.unwrap().is_none() {
                missing.push(id.clone());
            }
        }
        missing
    });
    assert!(
        missing.is_empty(),
        "every report of the sandbox's first page is archived; missing: {missing:?}"
    );

    assert!(
        wait_for(&events, |e| {
            let syncing = e.iter().position(|s| s["state"] == "syncing");
            let idle = e.iter().rposition(|s| {
                s["state"] == "idle" && s["total"].as_u64() == Some(sandbox_records())
            });
            matches!((syncing, idle), (Some(a), Some(b)) if a < b)
        }),
        "the window hears `archive-sync`: syncing, then idle with the new total: {:?}",
        events.lock().unwrap()
    );
}

/// A run waiting for the archive (another program holds its write lock) is cancelled: it ends
/// with `cancelled`, the archived records are all still there, the file is sound, and the next
/// sync runs normally.
#[test]
fn insight_commands_are_wired_and_emit_the_state() {
    let t = TestApp::new();
    let events = heard(&t, sdesk_core::desk::events::INSIGHT);
    let before = t.ok("insight_state", json!({}));
    assert_eq!(
        (&before["period"], &before["dashboard"], &before["archive"]),
        (&Value::Null, &Value::Null, &json!(true)),
        "nothing asked yet; the app opened an archive: {before}"
    );
    assert_ipc_error(
        &t.err(
            "insight",
            json!({"period": {"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}}),
        ),
        "invalid_input",
        "a period that ends before it starts",
    );
    t.sign_in();
    t.ok("sync_archive", json!({}));
    // Every archived report: the sandbox's history lies within these years.
    let state = t.ok(
        "insight",
        json!({"period": {"from": "2000-01-01T00:00:00Z", "to": null}}),
    );
    let d = &state["dashboard"];
    assert_eq!(
        d["connections"].as_u64(),
        Some(sandbox_records()),
        "every archived connection is counted: {}",
        d["connections"]
    );
    for key in [
        "byDay",
        "byWeek",
        "byUser",
        "byGroup",
        "topCustomers",
        "durations",
        "amounts",
    ] {
        assert!(
            d[key].is_array(),
            "the Dashboard shape of docs/ipc.md has {key}"
        );
    }
    let connections = d["connections"].clone();
    assert!(
        wait_for(&events, |e| e.iter().any(|s| s["dashboard"]["connections"]
            == connections
            && s["computing"] == false)),
        "the window hears `insight` with the figures (the UI's store is fed by it): {:?}",
        events.lock().unwrap()
    );
}

#[test]
fn cancel_archive_sync_ends_a_run_and_keeps_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    // No background run in between: the test starts every run itself.
    std::fs::write(
        dir.path().join("settings.json"),
        r#"{ "archive": { "autoSync": false } }"#,
    )
    .unwrap();
    let t = TestApp::with_dir(dir);
    t.sign_in();
    let first = t.ok("sync_archive", json!({}));
    assert_eq!(first["total"].as_u64(), Some(sandbox_records()), "{first}");

    let events = heard(&t, sdesk_core::desk::events::ARCHIVE_SYNC);
    let file = archive_file(t.dir.path());
    let other = rusqlite::Connection::open(&file).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let webview = t.webview.clone();
    let run = std::thread::spawn(move || {
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: "sync_archive".into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(json!({})),
                headers: Default::default(),
                invoke_key: tauri::test::INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while t.ok("archive_sync_status", json!({}))["state"] != "syncing" {
        assert!(
            std::time::Instant::now() < deadline,
            "the second run never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The run waits for the write lock: it cannot end before the cancel.
    t.ok("cancel_archive_sync", json!({}));
    other.execute_batch("ROLLBACK").unwrap();
    let outcome = run.join().unwrap();
    let err = outcome.expect_err("a cancelled run answers with an error");
    assert_ipc_error(&err, "cancelled", "the run ends as cancelled");

    let status = t.ok("archive_sync_status", json!({}));
    assert_eq!(status["state"], "idle", "{status}");
    assert_eq!(
        status["error"]["kind"], "cancelled",
        "the status says why the run stopped: {status}"
    );
    assert_eq!(
        archived_records(t.dir.path()),
        sandbox_records(),
        "every archived record is still there"
    );
    let check: String = other
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "the archive file is sound");
    assert!(
        wait_for(&events, |e| e.iter().any(
            |s| s["state"] == "idle" && s["error"]["kind"] == "cancelled"
        )),
        "the window hears the cancelled end: {:?}",
        events.lock().unwrap()
    );

    let again = t.ok("sync_archive", json!({}));
    assert_eq!(
        again["error"],
        Value::Null,
        "the next run ends well: {again}"
    );
    assert_eq!(
        again["total"].as_u64(),
        Some(sandbox_records()),
        "no record twice, none lost: {again}"
    );
}

/// Whether the sandbox at `origin` answers at all (any HTTP status).
fn answers(origin: &url::Url) -> bool {
    tauri::async_runtime::block_on(async {
        reqwest::Client::new()
            .get(origin.join("api/v1/ping").unwrap())
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_ok()
    })
}

/// The E2E tests' offline switch (debug builds): a switch file present at launch keeps the
/// sandbox off the network; removing it brings the sandbox back at the same origin, where its
/// script token signs in; the file again takes it off.
#[test]
fn the_offline_switch_takes_the_sandbox_off_the_network_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let switch = dir.path().join("sandbox-offline");
    std::fs::write(&switch, "").unwrap();
    let t = TestApp::with_dir(dir);
    let state = t.app.state::<AppState>();
    let origin = state
        .desk
        .sandbox_origin()
        .expect("the desk keeps the sandbox origin");
    assert!(
        !answers(&origin),
        "offline from launch: nothing answers at {origin}"
    );

    std::fs::remove_file(&switch).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !answers(&origin) {
        assert!(
            std::time::Instant::now() < deadline,
            "the sandbox never came back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        state.desk.sandbox_origin().as_ref(),
        Some(&origin),
        "back at the same origin"
    );
    let token = tauri::async_runtime::block_on(state.sandbox_script_token()).unwrap();
    let status = t.ok("sign_in_with_script_token", json!({ "token": token }));
    assert_eq!(
        status["signedIn"], true,
        "the sandbox's script token signs in: {status}"
    );

    std::fs::write(&switch, "").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while answers(&origin) {
        assert!(
            std::time::Instant::now() < deadline,
            "the sandbox never went off"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        t.ok("auth_status", json!({}))["signedIn"],
        true,
        "the sign-in is kept while the sandbox is away"
    );
}

// ----- end-of-session documentation ------------------------------------------------------------

#[test]
fn documentation_commands_events_and_notification_are_wired() {
    let dir = tempfile::tempdir().unwrap();
    // Documentation has been on for years: the sandbox's reports of the last 90 days (the
    // list's horizon) count.
    std::fs::write(
        dir.path().join(sdesk_core::desk::DOCUMENTATION_FILE),
        json!({ "since": "2020-01-01T00:00:00Z" }).to_string(),
    )
    .unwrap();
    let t = TestApp::with_dir(dir);
    let events = heard(&t, sdesk_core::desk::events::DOCUMENTATION);
    let desktop = heard(&t, sdesk_core::desk::events::DESKTOP);
    let before = t.ok("documentation_state", json!({}));
    assert_eq!(
        before,
        json!({"mode": "ask", "sessions": []}),
        "signed out: nothing to document; the default mode is ask"
    );

    t.sign_in();
    t.ok("sync_archive", json!({}));
    let state = t.ok("documentation_state", json!({}));
    let sessions = state["sessions"].as_array().expect("a list").clone();
    assert!(
        sessions.len() >= 2,
        "the sandbox account's recent sessions without notes are listed: {state}"
    );
    let first = &sessions[0];
    let mut keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "customer",
            "devicename",
            "end",
            "id",
            "seconds",
            "sessionCode",
            "start"
        ],
        "the UndocumentedSession shape of docs/ipc.md: {first}"
    );
    assert!(
        wait_for(&events, |e| e
            .iter()
            .any(|s| s["sessions"].as_array().is_some_and(|l| !l.is_empty()))),
        "the window hears `documentation` with the list: {:?}",
        events.lock().unwrap()
    );
    let notified = || {
        t.lines("notify.log")
            .into_iter()
            .filter(|l| l.ends_with(&format!("doc:{}", sessions[0]["id"].as_str().unwrap())))
            .collect::<Vec<_>>()
    };
    for _ in 0..100 {
        if !notified().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let lines = notified();
    assert_eq!(
        lines.len(),
        1,
        "one notification for the sync, opening the oldest: {:?}",
        t.lines("notify.log")
    );
    assert!(
        lines[0].starts_with(&format!("Document {} sessions | With ", sessions.len())),
        "{lines:?}"
    );

    assert_ipc_error(
        &t.err(
            "document_session",
            json!({"id": first["id"], "notes": " ", "ticket": ""}),
        ),
        "invalid_input",
        "nothing to write is refused",
    );
    let id = first["id"].as_str().unwrap().to_owned();
    let after = t.ok(
        "document_session",
        json!({"id": id, "notes": "Reset the printer", "ticket": "T-9"}),
    );
    assert!(
        !after["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == json!(id)),
        "documented, it left the list: {after}"
    );
    // The sandbox has the notes (read with its own script token).
    let state = t.app.state::<AppState>();
    let origin = state.desk.sandbox_origin().expect("sandbox running");
    let token = tauri::async_runtime::block_on(state.sandbox_script_token()).unwrap();
    let record: Value = tauri::async_runtime::block_on(async {
        reqwest::Client::new()
            .get(
                origin
                    .join(&format!("api/v1/reports/connections/{id}"))
                    .unwrap(),
            )
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(
        record["notes"], "Reset the printer\nTicket: T-9",
        "the PUT reached TeamViewer (the sandbox): {record}"
    );
    let second = sessions[1]["id"].clone();
    let skipped = t.ok("skip_documentation", json!({"id": second}));
    assert!(
        !skipped["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == second),
        "skipped: {skipped}"
    );

    crate::waiting::document_session(t.app.handle(), "r-1".into());
    assert!(
        wait_for(&desktop, |e| e
            .iter()
            .any(|d| *d == json!({"type": "documentSession", "id": "r-1"}))),
        "a click on the notification asks the window for the prompt: {:?}",
        desktop.lock().unwrap()
    );
}

/// The billing commands over the app's archive and the sandbox: rates saved beside the
/// settings, the worklist of a period (also as `billing-worklist`), a manual merge, Mark billed
/// with `billing-mark-progress`, and an invoice export through the save dialog's hook.
#[test]
fn billing_commands_are_wired() {
    let t = TestApp::new();
    let worklists = heard(&t, sdesk_core::desk::events::BILLING_WORKLIST);
    let progress = heard(&t, sdesk_core::desk::events::BILLING_MARK_PROGRESS);
    let view = t.ok("billing_rates", json!({}));
    assert_eq!(view["problem"], Value::Null, "no rates file yet: {view}");
    assert_eq!(view["fromFile"], json!(false), "{view}");
    let mut rates = view["rates"].clone();
    rates["default"]["hourlyRate"] = json!("100.00");
    let saved = t.ok("save_billing_rates", json!({ "rates": rates }));
    assert_eq!(saved["rates"]["default"]["hourlyRate"], "100.00", "{saved}");
    let file = std::fs::read_to_string(t.path(sdesk_core::billing::RATES_FILE))
        .expect("rates.toml is written in the config directory, beside settings.json");
    assert!(file.contains("\"100.00\""), "{file}");
    let mut bad = rates.clone();
    bad["default"]["baseFee"] = json!("-1");
    assert_ipc_error(
        &t.err("save_billing_rates", json!({ "rates": bad })),
        "invalid_input",
        "a negative base fee is refused",
    );

    t.sign_in();
    t.ok("sync_archive", json!({}));
    let w = t.ok(
        "billing_worklist",
        json!({ "from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z" }),
    );
    assert_eq!(w["archive"], json!(true), "{w}");
    assert_eq!(
        w["connections"].as_u64(),
        Some(sandbox_records()),
        "every archived connection is in the period"
    );
    let customers = w["customers"].as_array().expect("customers").clone();
    assert!(!customers.is_empty(), "the sandbox has unbilled work");
    assert!(
        wait_for(&worklists, |e| !e.is_empty()),
        "the window hears `billing-worklist`"
    );
    // The customer with the fewest unbilled connections is marked billed.
    let unbilled = |c: &Value| -> Vec<String> {
        c["cases"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|k| k["unbilledIds"].as_array().unwrap().clone())
            .map(|id| id.as_str().unwrap().to_owned())
            .collect()
    };
    let chosen = customers
        .iter()
        .min_by_key(|c| unbilled(c).len())
        .unwrap()
        .clone();
    let ids = unbilled(&chosen);
    let result = t.ok("mark_billed", json!({ "ids": ids }));
    assert_eq!(
        result["marked"].as_array().map(Vec::len),
        Some(ids.len()),
        "{result}"
    );
    assert_eq!(result["failed"], json!([]), "{result}");
    assert!(
        wait_for(&progress, |e| e.iter().any(
            |p| p["done"] == p["total"] && p["total"].as_u64() == Some(ids.len() as u64)
        )),
        "the window hears the progress: {:?}",
        progress.lock().unwrap()
    );
    assert!(
        wait_for(&worklists, |e| e.last().is_some_and(|w| w["customers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["customer"] != chosen["customer"]))),
        "the marked customer leaves the worklist"
    );
    assert_ipc_error(
        &t.err("mark_billed", json!({ "ids": ids })),
        "invalid_input",
        "billed connections are not sent again",
    );
    t.ok("cancel_mark_billed", json!({}));

    let export = t.ok(
        "export_invoice",
        json!({ "customer": chosen["customer"], "format": "xlsx" }),
    );
    assert!(export["rows"].as_u64().unwrap() >= 1, "{export}");
    let bytes = std::fs::read(t.path("export.csv")).unwrap();
    assert!(
        bytes.starts_with(b"PK"),
        "an XLSX workbook (a zip) is written where the save dialog pointed"
    );
    assert_ipc_error(
        &t.err(
            "change_billing_cases",
            json!({ "change": { "op": "split", "before": "no-such-id" } }),
        ),
        "invalid_input",
        "a change that matches no case is refused",
    );
    let reset = t.ok("reset_billing_case", json!({ "key": "no-such-id" }));
    assert!(reset.is_object(), "the worklist after an undo: {reset}");
}
