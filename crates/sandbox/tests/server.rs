//! Server-level behaviour: the binary, ping semantics, unknown routes, shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::StatusCode;
use sdesk_sandbox::wire::PingResponse;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the sandbox process when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_its_coordinates_and_serves() {
    let child = Command::new(env!("CARGO_BIN_EXE_sdesk-sandbox"))
        .args(["--port", "0", "--records", "40", "--seed", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut base = None;
    let mut token = None;
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("Sandbox listening on ") {
            base = Some(rest.to_owned());
        }
        if let Some(rest) = line.strip_prefix("Script token: ") {
            token = Some(rest.to_owned());
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let (base, token) = (
        base.expect("the base URL is printed"),
        token.expect("the script token is printed"),
    );
    assert!(
        base.starts_with("http://127.0.0.1:"),
        "the binary listens on loopback: {base}"
    );
    let ping: PingResponse = http()
        .get(format!("{base}api/v1/ping"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(ping.token_valid, "the printed script token works");
}

#[tokio::test]
async fn ping_answers_200_false_for_bad_tokens() {
    let sandbox = start(config()).await;
    let client = http();
    let ping: PingResponse = api_json(&client, &sandbox, "ping", "1234-nope").await;
    assert!(
        !ping.token_valid,
        "an unknown token is reported, not rejected"
    );
    let anonymous: PingResponse = client
        .get(url(&sandbox, "api/v1/ping"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!anonymous.token_valid, "no token is not a valid token");
    let ping: PingResponse = api_json(&client, &sandbox, "ping", &sandbox.script_token()).await;
    assert!(ping.token_valid, "the script token is valid");
}

#[tokio::test]
async fn unknown_routes_and_the_index() {
    let sandbox = start(config()).await;
    let client = http();
    let (status, body) =
        error_of(api_get(&client, &sandbox, "devices", &sandbox.script_token()).await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::NOT_FOUND, "not_found"),
        "unknown API paths get the JSON error body"
    );
    let index = client.get(url(&sandbox, "")).send().await.unwrap();
    assert_eq!(
        index.status(),
        StatusCode::OK,
        "the origin serves an index page"
    );
    assert!(
        index.text().await.unwrap().contains("api/v1"),
        "the index names the API base"
    );
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sandbox = start(config()).await;
    let target = url(&sandbox, "api/v1/ping");
    sandbox.shutdown().await;
    let result = reqwest::Client::new().get(target).send().await;
    assert!(
        result.is_err(),
        "after shutdown nothing listens on the port"
    );
}

/// Doc 2023-03 p111-112: `invalid_request` → 400, `invalid_token` → 401, `internal_error` →
/// 500, each as JSON with `error`, `error_description` and `error_code`. A 503 (not among the
/// document's statuses) comes from in front of the API: HTML, never an `internal_error`.
#[tokio::test]
async fn error_categories_have_their_documented_statuses_and_fields() {
    let sandbox = start(sdesk_sandbox::SandboxConfig {
        faults: sdesk_sandbox::Faults {
            error_burst: Some((4, 2)),
            ..sdesk_sandbox::Faults::default()
        },
        ..config()
    })
    .await;
    let client = http();
    let token = sandbox.script_token();
    let mut answers = vec![
        (
            "invalid_request",
            api_get(
                &client,
                &sandbox,
                "reports/connections?has_code=perhaps",
                &token,
            )
            .await,
        ),
        (
            "invalid_token",
            api_get(&client, &sandbox, "account", "1234-not-a-token").await,
        ),
        ("ok", api_get(&client, &sandbox, "account", &token).await),
    ];
    // Requests 4 and 5 are the burst: 503 first, then 500.
    let unavailable = api_get(&client, &sandbox, "account", &token).await;
    answers.push((
        "internal_error",
        api_get(&client, &sandbox, "account", &token).await,
    ));
    for (category, response) in answers {
        let status = response.status();
        let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let body: serde_json::Value = response.json().await.unwrap();
        let expected = match category {
            "invalid_request" => StatusCode::BAD_REQUEST,
            "invalid_token" => StatusCode::UNAUTHORIZED,
            "internal_error" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => continue,
        };
        assert_eq!(status, expected, "{category} has its documented status");
        assert!(
            content_type.starts_with("application/json"),
            "{category} is JSON: {content_type}"
        );
        let mut keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["error", "error_code", "error_description"],
            "{category}: the documented fields ({body})"
        );
        assert_eq!(body["error"], category, "{category}: the error value");
        assert!(
            body["error_description"].is_string() && body["error_code"].is_i64(),
            "{category}: a text and a number ({body})"
        );
    }
    assert_eq!(
        unavailable.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "the burst starts with a 503"
    );
    let text = unavailable.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err() && text.contains("503"),
        "a 503 is a proxy's HTML page, not an API internal_error (which is always 500): {text}"
    );
}
