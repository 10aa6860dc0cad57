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
