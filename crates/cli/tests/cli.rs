#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Black-box tests of the `sdesk` binary against the sandbox.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

mod common;

use common::*;

#[test]
fn sandbox_export_writes_every_record_with_the_fixed_header() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let o = sdesk(
        &[
            "--sandbox",
            "reports",
            "export",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "export should succeed: {}", stderr(&o));
    let expected = sdesk_sandbox::SandboxConfig::default().records;
    assert!(
        stderr(&o).contains(&format!("exported {expected} records")),
        "the count goes to stderr: {}",
        stderr(&o)
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.starts_with(HEADER.as_bytes()),
        "the header is fixed so spreadsheets and scripts can rely on it"
    );
    let (_, rows) = read_csv(&bytes, b',');
    assert_eq!(rows.len(), expected, "one row per sandbox record");
    let ids: HashSet<_> = rows.iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(ids.len(), expected, "no record is duplicated");
}

#[test]
fn search_delimiter_and_bom_options() {
    let o = sdesk(
        &[
            "--sandbox",
            "reports",
            "export",
            "--search",
            "MÜLLER",
            "--out",
            "-",
            "--delimiter",
            ";",
            "--bom",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        o.stdout.starts_with(b"\xEF\xBB\xBF"),
        "--bom puts the UTF-8 byte-order mark first"
    );
    let (header, rows) = read_csv(&o.stdout[3..], b';');
    assert_eq!(header.join(","), HEADER, "same columns with ';'");
    assert!(!rows.is_empty(), "the sandbox data contains Müller");
    assert!(
        rows.len() < sdesk_sandbox::SandboxConfig::default().records,
        "--search narrows the export"
    );
    for r in &rows {
        let line = r.iter().collect::<Vec<_>>().join(" ").to_lowercase();
        assert!(
            line.contains("müller"),
            "every exported row matches the search: {line}"
        );
    }
}

#[test]
fn export_under_faults_loses_and_duplicates_nothing() {
    let mut config = sdesk_sandbox::SandboxConfig {
        records: 3_500,
        ..Default::default()
    };
    config.faults.rate_limit_every = Some(3);
    // TeamViewer's answer (403 rate_limit_reached), with a short Retry-After so that the CLI's
    // default waits (tens of seconds without one) don't slow the test down.
    config.faults.retry_after = Some(1);
    config.faults.error_burst = Some((5, 2));
    config.faults.drop_every = Some(7);
    let running = Running::start(config);
    let o = running.run(&["reports", "export", "--out", "-"]);
    assert!(
        o.status.success(),
        "retries absorb every injected fault: {}",
        stderr(&o)
    );
    let (_, rows) = read_csv(&o.stdout, b',');
    let ids: HashSet<_> = rows.iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(rows.len(), 3_500, "no record lost");
    assert_eq!(ids.len(), 3_500, "no record duplicated");
}

#[test]
fn session_create_prints_code_and_three_labelled_links() {
    let o = sdesk(
        &[
            "--sandbox",
            "sessions",
            "create",
            "--group",
            "Support, 2nd level",
            "--description",
            "Drucker",
            "--customer-name",
            "Jörg",
            "--customer-email",
            "joerg@example.com",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for label in [
        "Session code: s",
        "Supporter link: http",
        "WebClient supporter link: http",
        "End-customer link: http",
    ] {
        assert!(text.contains(label), "output has {label:?}: {text}");
    }
}

#[test]
fn session_create_json_uses_api_field_names() {
    let o = sdesk(
        &[
            "--sandbox",
            "sessions",
            "create",
            "--group",
            "Support",
            "--json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for field in [
        "code",
        "supporter_link",
        "webclient_supporter_link",
        "end_customer_link",
    ] {
        assert!(
            v.get(field).is_some(),
            "--json keeps the API name {field}: {v}"
        );
    }
}

#[test]
fn invalid_input_is_one_error_line_and_a_failure_status() {
    let o = sdesk(
        &[
            "--sandbox",
            "sessions",
            "create",
            "--group-id",
            "g1",
            "--customer-email",
            "not-an-address",
        ],
        &[],
    );
    assert!(!o.status.success(), "a bad e-mail must fail");
    let err = stderr(&o);
    assert!(
        err.lines()
            .any(|l| l.starts_with("error: invalid_input: customer e-mail")),
        "one line with kind and field: {err}"
    );
    let o = sdesk(
        &[
            "--sandbox",
            "reports",
            "export",
            "--from",
            "2026-13-01",
            "--out",
            "-",
        ],
        &[],
    );
    assert!(
        stderr(&o).contains("error: invalid_input: --from"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sessions_list_and_close_against_one_sandbox() {
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let o = running.run(&["sessions", "create", "--group", "Support", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let created: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let code = created["code"].as_str().unwrap().to_owned();

    let o = running.run(&["sessions", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let open: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        open.iter().any(|s| s["code"] == code.as_str()),
        "the new session is listed as open"
    );

    let o = running.run(&["sessions", "close", &code]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = running.run(&["sessions", "list", "--state", "closed", "--json"]);
    let closed: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        closed.iter().any(|s| s["code"] == code.as_str()),
        "after close it is listed as closed"
    );
    let o = running.run(&["sessions", "list"]);
    assert!(!stdout(&o).contains(&code), "and no longer as open");
}

#[test]
fn a_wrong_token_is_reported_as_unauthorized() {
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let url = running.sandbox.as_ref().unwrap().base_url().to_string();
    let o = sdesk(
        &["account"],
        &[("SDESK_API_URL", &url), ("SDESK_TOKEN", "1-wrong")],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).starts_with("error: unauthorized:"),
        "a rejected script token is not retried and says so: {}",
        stderr(&o)
    );
}

#[test]
fn license_limit_is_its_own_error_kind() {
    let mut config = sdesk_sandbox::SandboxConfig::default();
    config.faults.license_limit_after = Some(0);
    let running = Running::start(config);
    let o = running.run(&["sessions", "create", "--group", "Support"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).starts_with("error: license_limit:"),
        "{}",
        stderr(&o)
    );
}

/// Keyring tests touch the OS keyring: they run only where CI provides a throw-away one
/// (`SDESK_TEST_REAL_KEYRING=1` under dbus-run-session with gnome-keyring), each with its own
/// keyring service so they never meet the real app's entry.
fn keyring_service(test: &str) -> Option<String> {
    if std::env::var("SDESK_TEST_REAL_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: set SDESK_TEST_REAL_KEYRING=1 to run against a real keyring");
        return None;
    }
    Some(format!(
        "dev.supporterdesk.test.cli.{test}.{}",
        std::process::id()
    ))
}

#[test]
fn script_token_sign_in_is_stored_in_the_keyring_and_used() {
    let Some(service) = keyring_service("script") else {
        return;
    };
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let url = running.sandbox.as_ref().unwrap().base_url().to_string();
    let token = running.sandbox.as_ref().unwrap().script_token();
    let base_env = [
        ("SDESK_API_URL", url.as_str()),
        ("SDESK_KEYRING_SERVICE", service.as_str()),
    ];

    let mut child = Command::new(env!("CARGO_BIN_EXE_sdesk"))
        .args(["sign-in", "--script-token"])
        .env_remove("SDESK_TOKEN")
        .envs(base_env)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{token}").unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "a valid token is accepted: {}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains(&format!(
            "stored in the OS keyring (Secret Service, entry {service})"
        )),
        "the user is told exactly where the token went: {}",
        stderr(&o)
    );

    let o = sdesk(&["status"], &base_env);
    assert!(
        stdout(&o).contains("signed in: script token"),
        "{}",
        stdout(&o)
    );
    assert!(
        !stdout(&o).contains(&token),
        "status never prints the token"
    );
    let o = sdesk(&["account"], &base_env);
    assert!(
        o.status.success(),
        "without SDESK_TOKEN the keyring's token is used: {}",
        stderr(&o)
    );

    let o = sdesk(&["sign-out"], &base_env);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sdesk(&["account"], &base_env);
    assert!(
        stderr(&o).starts_with("error: not_signed_in:"),
        "after sign-out nothing is stored: {}",
        stderr(&o)
    );
}

#[test]
fn a_rejected_script_token_is_not_stored() {
    let Some(service) = keyring_service("badscript") else {
        return;
    };
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let url = running.sandbox.as_ref().unwrap().base_url().to_string();
    let env = [
        ("SDESK_API_URL", url.as_str()),
        ("SDESK_KEYRING_SERVICE", service.as_str()),
        ("SDESK_TOKEN", "1-not-a-token"),
    ];
    let o = sdesk(&["sign-in", "--script-token"], &env);
    assert!(
        stderr(&o).starts_with("error: unauthorized:"),
        "{}",
        stderr(&o)
    );
    let o = sdesk(&["status"], &env[..2]);
    assert!(
        stdout(&o).contains("not signed in"),
        "nothing was stored: {}",
        stdout(&o)
    );
}

#[test]
fn oauth_sign_in_through_the_loopback_redirect() {
    let Some(service) = keyring_service("oauth") else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = sdesk_sandbox::SandboxConfig::default();
    config.clients[0]
        .redirect_uris
        .push(format!("http://127.0.0.1:{port}/oauth/callback"));
    let running = Running::start(config);
    let url = running.sandbox.as_ref().unwrap().base_url().to_string();
    let env = [
        ("SDESK_API_URL", url.as_str()),
        ("SDESK_LOGIN_URL", url.as_str()),
        ("SDESK_KEYRING_SERVICE", service.as_str()),
        ("SDESK_CLIENT_ID", "sandbox-client"),
        ("SDESK_CLIENT_SECRET", "sandbox-secret"),
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_sdesk"))
        .args(["sign-in", "--port", &port.to_string()])
        .env_remove("SDESK_TOKEN")
        .envs(env)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let authorize = loop {
        let mut line = String::new();
        assert!(
            std::io::BufRead::read_line(&mut err, &mut line).unwrap() > 0,
            "sdesk prints the authorize URL before waiting"
        );
        if line.starts_with("http") {
            break line.trim().to_owned();
        }
    };
    // The test plays the browser: consent page, Approve, follow the redirect to the loopback.
    running.rt.block_on(async {
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let html = browser
            .get(&authorize)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let marker = "name=\"request\" value=\"";
        let start = html.find(marker).unwrap() + marker.len();
        let request = &html[start..start + html[start..].find('"').unwrap()];
        let decide = format!("{}oauth2/authorize/decision", url);
        let resp = browser
            .post(decide)
            .form(&[("request", request), ("decision", "approve")])
            .send()
            .await
            .unwrap();
        let location = resp.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(&format!("http://127.0.0.1:{port}/oauth/callback?")));
        let done = browser.get(&location).send().await.unwrap();
        assert!(
            done.status().is_success(),
            "the loopback listener answers the browser"
        );
    });
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(status.success(), "sign-in completes: {rest}");
    assert!(rest.contains("signed in as Sam Supporter"), "{rest}");

    let o = sdesk(&["status"], &env);
    assert!(
        stdout(&o).contains("signed in: TeamViewer account (OAuth)"),
        "{}",
        stdout(&o)
    );
    let o = sdesk(&["sessions", "list"], &env);
    assert!(
        o.status.success(),
        "the stored OAuth token works: {}",
        stderr(&o)
    );
    let o = sdesk(&["sign-out"], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        running.sandbox.as_ref().unwrap().stats().revocations,
        1,
        "sign-out revokes the OAuth token"
    );
}

// ----- a hostile server --------------------------------------------------------------------

/// Server text that tries to take over the terminal: retitle the window (OSC … BEL), clear the
/// screen and home the cursor (CSI), print a fake "All good" on a line of its own, an 8-bit CSI
/// (C1), and a right-to-left override.
const EVIL: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[HAll good\r\n\u{9b}31m\u{202e}txt.exe";

/// Fails when `output` could make a terminal do anything but print text.
fn assert_inert(output: &[u8], what: &str) {
    let text = String::from_utf8_lossy(output);
    for c in text.chars() {
        let dangerous = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !dangerous,
            "{what}: U+{:04X} from the server reached the terminal: {text:?}",
            u32::from(c)
        );
    }
}

/// A loopback HTTP server answering every request from `route(method, path)`; counts requests.
struct Hostile {
    base: String,
    requests: Arc<AtomicUsize>,
}

fn hostile(route: fn(&str, &str) -> (u16, serde_json::Value)) -> Hostile {
    serve(move |method, target| route(method, target.split('?').next().unwrap_or("")))
}

/// [`hostile`] with routes that see the whole request target, query included.
fn serve<R>(route: R) -> Hostile
where
    R: Fn(&str, &str) -> (u16, serde_json::Value) + Copy + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let count = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || answer(stream, route));
        }
    });
    Hostile { base, requests }
}

fn answer(stream: std::net::TcpStream, route: impl Fn(&str, &str) -> (u16, serde_json::Value)) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let (status, json) = route(method, target);
    let body = json.to_string();
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
}

fn evil_session() -> serde_json::Value {
    serde_json::json!({
        "code": format!("s123-456-789{EVIL}"),
        "state": EVIL,
        "description": EVIL,
        "end_customer": { "name": EVIL, "email": "x@example.com" },
        "supporter_link": format!("https://get.teamviewer.com/s123{EVIL}"),
        "webclient_supporter_link": format!("https://login.teamviewer.com/{EVIL}"),
        "end_customer_link": format!("https://get.teamviewer.com/{EVIL}"),
    })
}

fn evil_routes(method: &str, path: &str) -> (u16, serde_json::Value) {
    match (method, path) {
        ("GET", "/api/v1/ping") => (200, serde_json::json!({ "token_valid": true })),
        ("GET", "/api/v1/account") => (
            200,
            serde_json::json!({
                "userid": format!("u1{EVIL}"), "name": EVIL, "email": EVIL, "company_name": EVIL
            }),
        ),
        ("POST", "/api/v1/sessions") => (200, evil_session()),
        ("GET", "/api/v1/sessions") => (200, serde_json::json!({ "sessions": [evil_session()] })),
        ("GET", "/api/v1/reports/connections") => (
            200,
            serde_json::json!({
                "records": [{ "id": "r1", "username": EVIL, "devicename": EVIL }],
                "records_remaining": 0
            }),
        ),
        _ => (
            400,
            serde_json::json!({ "error": "invalid_request", "error_description": EVIL }),
        ),
    }
}

fn against(server: &Hostile, args: &[&str]) -> Output {
    sdesk(
        args,
        &[
            ("SDESK_API_URL", &server.base),
            ("SDESK_TOKEN", "1234-token"),
        ],
    )
}

#[test]
fn server_text_cannot_drive_the_terminal() {
    let server = hostile(evil_routes);
    for args in [
        &["account"][..],
        &["sessions", "create", "--group", "Support"],
        &["sessions", "list"],
        &["sessions", "list", "--state", "all"],
    ] {
        let o = against(&server, args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert_inert(&o.stdout, &format!("stdout of {args:?}"));
        assert_inert(&o.stderr, &format!("stderr of {args:?}"));
        assert!(
            stdout(&o).contains("All good"),
            "{args:?}: the text itself stays visible, so the attempt is seen: {}",
            stdout(&o)
        );
    }
    let o = against(&server, &["sessions", "list"]);
    for row in stdout(&o).lines().skip(1) {
        assert_eq!(
            row.split('\t').count(),
            7,
            "a line break or tab from the server cannot add rows or columns: {row:?}"
        );
    }
}

#[test]
fn server_error_descriptions_cannot_drive_the_terminal() {
    let server = hostile(evil_routes);
    let o = against(&server, &["sessions", "close", "s123-456-789"]);
    assert!(!o.status.success(), "the server refused the request");
    assert_inert(&o.stderr, "the error line");
    let err = stderr(&o);
    assert!(
        err.starts_with("error: api: ") && err.trim_end().lines().count() == 1,
        "one error line, whatever the description contains: {err:?}"
    );
}

#[test]
fn json_output_is_the_exact_value_with_terminal_controls_escaped() {
    let server = hostile(evil_routes);
    let o = against(
        &server,
        &["sessions", "create", "--group", "Support", "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_inert(&o.stdout, "--json output");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["description"], EVIL,
        "a program reading --json gets the server's value unchanged"
    );
}

#[test]
fn csv_data_is_written_as_received_when_it_is_not_shown_on_a_terminal() {
    let server = hostile(evil_routes);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.csv");
    let o = against(
        &server,
        &["reports", "export", "--out", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_inert(&o.stderr, "export's messages");
    let (_, rows) = read_csv(&std::fs::read(&file).unwrap(), b',');
    assert_eq!(
        &rows[0][7], EVIL,
        "a CSV file is data: the device name is kept exactly"
    );
    let o = against(&server, &["reports", "export", "--out", "-"]);
    let (_, rows) = read_csv(&o.stdout, b',');
    assert_eq!(
        &rows[0][7], EVIL,
        "piped CSV (not a terminal) is data too and kept exactly"
    );
}

#[test]
fn plain_http_to_another_machine_is_refused_before_sending() {
    for url in ["http://webapi.teamviewer.com", "http://192.0.2.1:8080"] {
        let o = sdesk(
            &["account"],
            &[("SDESK_API_URL", url), ("SDESK_TOKEN", "1234-token")],
        );
        assert!(!o.status.success(), "{url} must be refused");
        assert!(
            stderr(&o).starts_with("error: invalid_input: API URL: must use https"),
            "the token would cross the network in clear: {}",
            stderr(&o)
        );
    }
    let server = hostile(evil_routes);
    let loopback = server.base.replace("127.0.0.1", "localhost");
    let o = sdesk(
        &["sessions", "list", "--json"],
        &[("SDESK_API_URL", &loopback), ("SDESK_TOKEN", "1234-token")],
    );
    assert!(
        o.status.success(),
        "plain http on this machine (the sandbox) is fine: {}",
        stderr(&o)
    );
}

/// Environment with no reachable Secret Service: the session bus address points nowhere.
fn no_keyring(service: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/sdesk-test-bus".to_owned(),
        ),
        ("SDESK_KEYRING_SERVICE", service.to_owned()),
    ]
}

#[test]
fn sign_in_without_a_keyring_fails_and_says_so() {
    let server = hostile(evil_routes);
    let service = format!(
        "dev.supporterdesk.test.cli.nokeyring.{}",
        std::process::id()
    );
    let mut env = no_keyring(&service);
    env.push(("SDESK_API_URL", server.base.clone()));
    env.push(("SDESK_TOKEN", "1234-secret-script-token".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let o = sdesk(&["sign-in", "--script-token"], &env);
    let err = stderr(&o);
    assert!(
        !o.status.success(),
        "keyring storage was asked for (the default) and failed: the exit status must say so"
    );
    assert!(
        err.starts_with("error: keyring_unavailable:"),
        "the kind names the cause: {err}"
    );
    assert!(
        err.contains("nothing was stored") && err.contains("SDESK_TOKEN"),
        "the message says nothing was stored and how to proceed: {err}"
    );
    assert!(
        !err.contains("signed in with"),
        "no success claim when nothing was stored: {err}"
    );
    assert!(
        !err.contains("1234-secret-script-token"),
        "the token is never printed"
    );

    let mut oauth_env = env.clone();
    oauth_env.retain(|(k, _)| *k != "SDESK_TOKEN");
    oauth_env.push(("SDESK_CLIENT_ID", "client-1"));
    let o = sdesk(&["sign-in", "--port", "0"], &oauth_env);
    assert!(
        stderr(&o).starts_with("error: keyring_unavailable:"),
        "a browser sign-in stops before the browser, not after the user signed in: {}",
        stderr(&o)
    );
    assert!(
        !stderr(&o).contains("http"),
        "no authorize address is printed when the sign-in could not be kept: {}",
        stderr(&o)
    );
}

#[test]
fn a_stored_sign_in_is_only_sent_to_its_own_api() {
    let Some(service) = keyring_service("origin") else {
        return;
    };
    let running = Running::start(sdesk_sandbox::SandboxConfig::default());
    let sandbox_url = running.sandbox.as_ref().unwrap().base_url().to_string();
    let origin = sandbox_url.trim_end_matches('/').to_owned();
    let token = running.sandbox.as_ref().unwrap().script_token();
    let o = sdesk(
        &["sign-in", "--script-token"],
        &[
            ("SDESK_API_URL", &sandbox_url),
            ("SDESK_KEYRING_SERVICE", &service),
            ("SDESK_TOKEN", &token),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // Another API (a server the user pointed --api-url at) must not receive that token.
    let other = hostile(evil_routes);
    let env = [
        ("SDESK_API_URL", other.base.as_str()),
        ("SDESK_KEYRING_SERVICE", service.as_str()),
    ];
    let o = sdesk(&["account"], &env);
    assert!(!o.status.success(), "the stored token is not for this API");
    assert!(
        stderr(&o).starts_with(&format!(
            "error: not_signed_in: signed in to {origin}, not {}; sign in again",
            other.base
        )),
        "the error says where the sign-in belongs: {}",
        stderr(&o)
    );
    assert_eq!(
        other.requests.load(Ordering::SeqCst),
        0,
        "nothing at all was sent to the other API"
    );
    let o = sdesk(&["status"], &env);
    assert!(
        stdout(&o).contains(&format!(
            "not signed in to {} (the stored sign-in is for {origin}",
            other.base
        )),
        "{}",
        stdout(&o)
    );

    let own = [
        ("SDESK_API_URL", sandbox_url.as_str()),
        ("SDESK_KEYRING_SERVICE", service.as_str()),
    ];
    let o = sdesk(&["account"], &own);
    assert!(
        o.status.success(),
        "the sign-in still works for its own API: {}",
        stderr(&o)
    );
    let o = sdesk(&["sign-out"], &own);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// TeamViewer answers a rate limit with 403 `rate_limit_reached`: the CLI waits (here the
/// server's `Retry-After: 1`), says so on stderr, and carries on; it never reports a missing
/// permission.
#[test]
fn a_rate_limit_is_waited_out_and_announced() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().flatten().enumerate() {
            let mut reader = BufReader::new(stream);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
            }
            let (status, extra, body) = if n == 0 {
                (
                    403,
                    "Retry-After: 1\r\n",
                    r#"{"error":"rate_limit_reached","error_description":"too many calls","error_code":2}"#,
                )
            } else {
                (
                    200,
                    "",
                    r#"{"userid":"u1","name":"Ann","email":"ann@example.com"}"#,
                )
            };
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let o = sdesk(
        &["account"],
        &[("SDESK_API_URL", &base), ("SDESK_TOKEN", "1234-token")],
    );
    let err = stderr(&o);
    assert!(
        o.status.success(),
        "a rate limit is waited out, not reported as a failure: {err}"
    );
    assert!(
        err.contains("rate limit") && err.contains("waiting"),
        "the wait is announced on stderr, so a pause never looks like a hang: {err:?}"
    );
    assert!(stdout(&o).contains("Ann"), "{}", stdout(&o));
}

// ----- streamed export ------------------------------------------------------------------

/// The page a report request asks for: 1 without `offset_id`, else the digit after `p`.
fn page_asked(target: &str) -> usize {
    target
        .split_once("offset_id=p")
        .and_then(|(_, rest)| rest.get(..1))
        .and_then(|d| d.parse().ok())
        .unwrap_or(1)
}

/// `n` records of page `page`, ids `p<page>-<i>`, with long notes (so that the CSV of a page
/// fills the writer's buffer and reaches the temporary file) and end dates that rise: not the
/// API's newest-first order.
fn page_records(page: usize, n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("p{page}-{i:03}"),
                "username": if i % 2 == 0 { "Anna Müller" } else { "Bob" },
                "start_date": format!("2026-11-0{page}T10:{:02}:00Z", i % 60),
                "end_date": format!("2026-11-0{page}T11:{:02}:00Z", i % 60),
                "notes": "n".repeat(1_000),
            })
        })
        .collect()
}

/// Three good pages of 300 records, then a fourth whose cursor leads back to page 2: the
/// paging ends in an invalid response after most of the CSV has been written.
fn cycling_pages(method: &str, target: &str) -> (u16, serde_json::Value) {
    if method != "GET" || !target.starts_with("/api/v1/reports/connections") {
        return (404, serde_json::json!({ "error": "not_found" }));
    }
    let page = page_asked(target);
    let next = if page == 4 { 2 } else { page + 1 };
    (
        200,
        serde_json::json!({
            "records": page_records(page, 300),
            "records_remaining": 1_000,
            "next_offset": format!("p{next}"),
        }),
    )
}

/// Three pages of 300 records, then the end.
fn three_pages(method: &str, target: &str) -> (u16, serde_json::Value) {
    if method != "GET" || !target.starts_with("/api/v1/reports/connections") {
        return (404, serde_json::json!({ "error": "not_found" }));
    }
    let page = page_asked(target);
    let mut body = serde_json::json!({
        "records": page_records(page, 300),
        "records_remaining": 300 * (3 - page),
    });
    if page < 3 {
        body["next_offset"] = serde_json::json!(format!("p{}", page + 1));
    }
    (200, body)
}

#[test]
fn an_export_that_fails_midway_leaves_the_target_file_untouched() {
    let server = serve(cycling_pages);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reports.csv");
    std::fs::write(&file, "the previous export\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let o = against(
        &server,
        &["reports", "export", "--out", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "a failed export: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: invalid_response: ") && err.trim_end().lines().count() == 1,
        "one error line of the invalid response: {err:?}"
    );
    assert!(!err.contains("exported"), "no success line: {err:?}");
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        4,
        "all four pages were received (and three written) before the error"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "the previous export\n",
        "the target keeps its content"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "and its mode");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        [file.file_name().unwrap()],
        "no temporary file is left"
    );
}

#[test]
fn a_streamed_export_keeps_the_order_received_with_and_without_search() {
    let server = serve(three_pages);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reports.csv");
    std::fs::write(&file, "old").unwrap();
    let o = against(
        &server,
        &["reports", "export", "--out", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("exported 900 records"),
        "{}",
        stderr(&o)
    );
    let (_, rows) = read_csv(&std::fs::read(&file).unwrap(), b',');
    let ids: Vec<String> = rows.iter().map(|r| r[0].to_owned()).collect();
    let want: Vec<String> = (1..=3)
        .flat_map(|p| (0..300).map(move |i| format!("p{p}-{i:03}")))
        .collect();
    assert_eq!(ids, want, "every record once, in the order received");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "the temporary file became the target"
    );

    let o = against(
        &server,
        &["reports", "export", "--search", "  MÜLLER ", "--out", "-"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("exported 450 records"),
        "{}",
        stderr(&o)
    );
    let (_, rows) = read_csv(&o.stdout, b',');
    let ids: Vec<String> = rows.iter().map(|r| r[0].to_owned()).collect();
    let want: Vec<String> = want.into_iter().step_by(2).collect();
    assert_eq!(
        ids, want,
        "--search keeps the matching records (case-insensitively), in the order received"
    );
}
