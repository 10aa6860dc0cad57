#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Black-box tests of the `sdesk` binary against the sandbox.

use std::collections::HashSet;
use std::process::{Command, Output};

const HEADER: &str = "id,start_date,end_date,duration_seconds,userid,username,deviceid,devicename,groupid,groupname,support_session_type,session_code,end_customer_name,end_customer_email,billing_state,fee,currency,notes,contact_id";

fn sdesk(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sdesk"));
    cmd.args(args)
        .env_remove("SDESK_TOKEN")
        .env_remove("SDESK_API_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("sdesk runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn read_csv(bytes: &[u8], delimiter: u8) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(bytes);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r.records().collect::<Result<Vec<_>, _>>().unwrap();
    (header, rows)
}

/// A sandbox in this test process, for commands that must see each other's effects.
struct Running {
    sandbox: Option<sdesk_sandbox::Sandbox>,
    rt: tokio::runtime::Runtime,
}

impl Running {
    fn start(config: sdesk_sandbox::SandboxConfig) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let sandbox = rt
            .block_on(sdesk_sandbox::Sandbox::start(
                config,
                ([127, 0, 0, 1], 0).into(),
            ))
            .unwrap();
        Self {
            sandbox: Some(sandbox),
            rt,
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let s = self.sandbox.as_ref().unwrap();
        vec![
            ("SDESK_API_URL", s.base_url().to_string()),
            ("SDESK_TOKEN", s.script_token()),
        ]
    }

    fn run(&self, args: &[&str]) -> Output {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        sdesk(args, &env)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

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
    // The 429 variant: the client retries 429; TeamViewer's own answer is 403.
    config.faults.rate_limit_reply = sdesk_sandbox::RateLimitReply::TooManyRequests;
    config.faults.retry_after = None;
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
