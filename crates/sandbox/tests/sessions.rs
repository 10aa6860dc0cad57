//! Support sessions, groups, users and the link pages over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Client, Response, StatusCode};
use sdesk_sandbox::wire::{
    GroupList, SessionPage, SessionState, UserList, WireAccount, WireSession,
};
use sdesk_sandbox::{Sandbox, SandboxConfig, SESSION_PAGE_SIZE};
use serde_json::{json, Value};
use std::collections::HashSet;

async fn post_session(client: &Client, sandbox: &Sandbox, body: &Value) -> Response {
    client
        .post(url(sandbox, "api/v1/sessions"))
        .bearer_auth(sandbox.script_token())
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn put_session(client: &Client, sandbox: &Sandbox, code: &str, body: &Value) -> Response {
    client
        .put(url(sandbox, &format!("api/v1/sessions/{code}")))
        .bearer_auth(sandbox.script_token())
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Pages through `sessions?<query>` with `offset`.
async fn list_all(client: &Client, sandbox: &Sandbox, query: &str) -> Vec<WireSession> {
    let mut sessions = Vec::new();
    let mut offset = String::new();
    loop {
        let page: SessionPage = api_json(
            client,
            sandbox,
            &format!("sessions?full_list=true&{query}{offset}"),
            &sandbox.script_token(),
        )
        .await;
        assert!(
            page.sessions.len() <= SESSION_PAGE_SIZE,
            "at most 1,000 per page"
        );
        sessions.extend(page.sessions);
        match page.next_offset {
            Some(next) => offset = format!("&offset={next}"),
            None => {
                assert_eq!(page.sessions_remaining, 0, "last page: nothing remains");
                return sessions;
            }
        }
    }
}

#[tokio::test]
async fn create_with_a_new_group_name() {
    let sandbox = start(config()).await;
    let client = http();
    let response = post_session(
        &client,
        &sandbox,
        &json!({
            "groupname": "Neue Gruppe, Süd",
            "description": "Drucker, \"HP\"\nStock 2",
            "end_customer": {"name": "Ola Nordmann", "email": "ola@example.org"},
            "waiting_message": "Bitte warten",
            "custom_api": "{\"ticket\":1}"
        }),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "POST /sessions answers 200"
    );
    let raw: Value = response.json().await.unwrap();
    assert!(
        raw.get("online").is_none() && raw.get("closed_at").is_none(),
        "online/closed_at are GET-only fields"
    );
    let session: WireSession = serde_json::from_value(raw).unwrap();
    let code = &session.code;
    assert!(
        code.len() == 12 && code.starts_with('s') && code.matches('-').count() == 2,
        "code looks like s123-456-789: {code}"
    );
    assert_eq!(session.state, SessionState::Open, "a new session is open");
    assert_eq!(
        session.valid_until - session.created_at,
        chrono::Duration::hours(24),
        "valid for 24 h by default"
    );
    let account: WireAccount =
        api_json(&client, &sandbox, "account", &sandbox.script_token()).await;
    assert_eq!(
        session.assigned_userid, account.userid,
        "assigned to the account's user by default"
    );
    let base = sandbox.base_url().to_string();
    let undashed = code.replace('-', "");
    assert!(
        session
            .supporter_link
            .starts_with(&format!("{base}sandbox/join/{undashed}-")),
        "supporter link points at the sandbox: {}",
        session.supporter_link
    );
    assert_eq!(
        session.end_customer_link,
        format!("{base}sandbox/join/{undashed}"),
        "customer link is the code without dashes"
    );
    assert!(
        session.webclient_supporter_link.starts_with(&format!(
            "{base}sandbox/webclient?sessioncode={undashed}&servicequeuetoken="
        )) && session
            .webclient_supporter_link
            .ends_with("&lang=en&displayName=Sam+Supporter"),
        "webclient link carries code, token, lang and the url-encoded name: {}",
        session.webclient_supporter_link
    );
    for link in [
        &session.supporter_link,
        &session.webclient_supporter_link,
        &session.end_customer_link,
    ] {
        let page = client.get(link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{link} is served");
        assert!(
            page.text().await.unwrap().contains("Simulated"),
            "{link} says what it simulates"
        );
    }
    let groups: GroupList = api_json(&client, &sandbox, "groups", &sandbox.script_token()).await;
    assert!(
        groups
            .groups
            .iter()
            .any(|g| g.name == "Neue Gruppe, Süd" && g.id == session.groupid),
        "an unknown groupname creates the group"
    );
    assert_eq!(sandbox.stats().sessions_created, 1, "one session counted");
}

#[tokio::test]
async fn get_accepts_dashed_and_undashed_codes() {
    let sandbox = start(config()).await;
    let client = http();
    let created: WireSession = post_session(&client, &sandbox, &json!({"groupname": "X"}))
        .await
        .json()
        .await
        .unwrap();
    for code in [created.code.clone(), created.code.replace('-', "")] {
        let fetched: WireSession = api_json(
            &client,
            &sandbox,
            &format!("sessions/{code}"),
            &sandbox.script_token(),
        )
        .await;
        assert_eq!(fetched.code, created.code, "{code} finds the session");
        let liveness = fetched.liveness.expect("GET includes online and closed_at");
        assert!(
            !liveness.online && liveness.closed_at.is_none(),
            "a new session is offline and not closed"
        );
    }
    let (status, body) = error_of(
        api_get(
            &client,
            &sandbox,
            "sessions/s000-000-000",
            &sandbox.script_token(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::NOT_FOUND, "not_found"),
        "unknown codes are 404 not_found"
    );
}

#[tokio::test]
async fn invalid_bodies_are_rejected_without_side_effects() {
    let sandbox = start(config()).await;
    let client = http();
    let before = list_all(&client, &sandbox, "").await.len();
    let groups_before: GroupList =
        api_json(&client, &sandbox, "groups", &sandbox.script_token()).await;
    let long = "x".repeat(4_001);
    let cases = [
        ("no group", json!({"description": "d"})),
        ("groupid pattern", json!({"groupid": "group1"})),
        ("unknown groupid", json!({"groupid": "g1"})),
        (
            "assigned_userid pattern",
            json!({"groupname": "New A", "assigned_userid": "x1"}),
        ),
        (
            "description too long",
            json!({"groupname": "New B", "description": long}),
        ),
        (
            "customer name too long",
            json!({"groupname": "New C", "end_customer": {"name": "n".repeat(101)}}),
        ),
        (
            "customer email",
            json!({"groupname": "New D", "end_customer": {"email": "not an address"}}),
        ),
        (
            "wrong type",
            json!({"groupname": "New E", "description": 5}),
        ),
    ];
    for (name, body) in cases {
        let (status, error) = error_of(post_session(&client, &sandbox, &body).await).await;
        assert_eq!(
            (status, error.error.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{name} must be refused"
        );
    }
    let not_json = client
        .post(url(&sandbox, "api/v1/sessions"))
        .bearer_auth(sandbox.script_token())
        .body("groupname=x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        not_json.status(),
        StatusCode::BAD_REQUEST,
        "a non-JSON body is refused"
    );
    assert_eq!(
        list_all(&client, &sandbox, "").await.len(),
        before,
        "no session was created by a refused request"
    );
    let groups_after: GroupList =
        api_json(&client, &sandbox, "groups", &sandbox.script_token()).await;
    assert_eq!(
        groups_after, groups_before,
        "no group was created by a refused request"
    );
}

#[tokio::test]
async fn put_closes_and_never_reopens() {
    let sandbox = start(config()).await;
    let client = http();
    for state in [json!("closed"), json!("CLOSED"), json!(1)] {
        let created: WireSession = post_session(&client, &sandbox, &json!({"groupname": "X"}))
            .await
            .json()
            .await
            .unwrap();
        let response =
            put_session(&client, &sandbox, &created.code, &json!({"state": state})).await;
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "close with {state} answers 204"
        );
        let closed: WireSession = api_json(
            &client,
            &sandbox,
            &format!("sessions/{}", created.code),
            &sandbox.script_token(),
        )
        .await;
        assert_eq!(
            closed.state,
            SessionState::Closed,
            "{state} closes the session"
        );
        assert!(
            closed.liveness.unwrap().closed_at.is_some(),
            "closing sets closed_at"
        );
        let (status, _) = error_of(
            put_session(&client, &sandbox, &created.code, &json!({"state": "open"})).await,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "a closed session stays closed"
        );
    }
    let created: WireSession = post_session(&client, &sandbox, &json!({"groupname": "X"}))
        .await
        .json()
        .await
        .unwrap();
    let response = put_session(
        &client,
        &sandbox,
        &created.code,
        &json!({"description": "updated", "end_customer": {"name": "Neu"}}),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "field update answers 204"
    );
    let updated: WireSession = api_json(
        &client,
        &sandbox,
        &format!("sessions/{}", created.code),
        &sandbox.script_token(),
    )
    .await;
    assert_eq!(
        (updated.description.as_deref(), updated.state),
        (Some("updated"), SessionState::Open),
        "PUT changes the given fields and leaves the state alone"
    );
}

/// Doc 2023-03 p40: at most 1,000 sessions per request, sorted by `created_at`, newest first.
#[tokio::test]
async fn list_pages_up_to_1000_newest_created_first() {
    let sandbox = start(SandboxConfig {
        sessions: 1_100,
        ..config()
    })
    .await;
    let client = http();
    assert_eq!(SESSION_PAGE_SIZE, 1_000, "the documented page size");
    let first: SessionPage = api_json(
        &client,
        &sandbox,
        "sessions?state=open,closed",
        &sandbox.script_token(),
    )
    .await;
    assert_eq!(
        first.sessions.len(),
        1_000,
        "a full page holds 1,000 sessions, not fewer"
    );
    assert_eq!(first.sessions_remaining, 100, "1,100 - 1,000 remain");
    assert_eq!(
        first.next_offset.as_deref(),
        first.sessions.last().map(|s| s.code.as_str()),
        "next_offset is the last code of the page"
    );
    let all = list_all(&client, &sandbox, "state=open,closed").await;
    assert_eq!(all.len(), 1_100, "every session is listed");
    let codes: HashSet<_> = all.iter().map(|s| s.code.clone()).collect();
    assert_eq!(codes.len(), 1_100, "no session is listed twice");
    assert!(
        all.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest created_at first, across pages"
    );
    assert!(
        all.iter()
            .all(|s| s.valid_until - s.created_at == chrono::Duration::hours(24)),
        "valid_until is 24 h after created_at unless given (doc p42)"
    );
}

/// Doc 2023-03 p40: `state` is `open` or `closed`, combinable with a comma; without it only
/// open sessions are listed.
#[tokio::test]
async fn state_is_open_by_default_closed_or_both() {
    let sandbox = start(SandboxConfig {
        sessions: 120,
        ..config()
    })
    .await;
    let client = http();
    let both = list_all(&client, &sandbox, "state=open,closed").await;
    assert_eq!(both.len(), 120, "open,closed lists every session");
    let open = list_all(&client, &sandbox, "state=OPEN").await;
    let closed = list_all(&client, &sandbox, "state=closed").await;
    assert!(
        !open.is_empty() && !closed.is_empty(),
        "generated sessions include both states"
    );
    assert!(
        open.iter().all(|s| s.state == SessionState::Open)
            && closed.iter().all(|s| s.state == SessionState::Closed),
        "a single state filters, case-insensitively"
    );
    assert_eq!(open.len() + closed.len(), 120, "open + closed = all");
    assert_eq!(
        list_all(&client, &sandbox, "").await,
        open,
        "without state only open sessions are listed (the documented default)"
    );
    assert_eq!(
        list_all(&client, &sandbox, "state=closed,%20open").await,
        both,
        "the comma list works in any order, spaces allowed"
    );
    assert!(
        open.iter()
            .any(|s| s.liveness.as_ref().is_some_and(|l| l.online)),
        "some open sessions are online"
    );
    for bad in ["waiting", "open,waiting", "open;closed"] {
        let (status, body) = error_of(
            api_get(
                &client,
                &sandbox,
                &format!("sessions?state={bad}"),
                &sandbox.script_token(),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body.error.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "state={bad} is refused"
        );
    }
    let group = both[0].groupid.clone();
    let in_group = list_all(
        &client,
        &sandbox,
        &format!("state=open,closed&groupid={group}"),
    )
    .await;
    assert!(
        !in_group.is_empty() && in_group.iter().all(|s| s.groupid == group),
        "the groupid filter is applied"
    );
}

/// Doc 2023-03 p41/p43: `assigned_userid` `"u0"` means assigned to nobody, in listed sessions,
/// as a list filter, on create and on update.
#[tokio::test]
async fn u0_means_assigned_to_nobody() {
    let sandbox = start(SandboxConfig {
        sessions: 120,
        ..config()
    })
    .await;
    let client = http();
    let token = sandbox.script_token();
    let raw: Value = api_json(&client, &sandbox, "sessions?state=open,closed", &token).await;
    let items = raw["sessions"].as_array().unwrap();
    let unassigned: Vec<&Value> = items
        .iter()
        .filter(|s| s["assigned_userid"] == "u0")
        .collect();
    assert!(
        !unassigned.is_empty() && unassigned.len() < items.len(),
        "the data has sessions assigned to nobody, written as \"u0\", and assigned ones"
    );
    assert!(
        unassigned.iter().all(|s| s.get("assigned_at").is_none()),
        "a session assigned to nobody has no assigned_at"
    );
    let filtered = list_all(&client, &sandbox, "state=open,closed&assigned_userid=u0").await;
    assert_eq!(
        filtered.len(),
        unassigned.len(),
        "assigned_userid=u0 lists exactly the unassigned sessions"
    );
    assert!(
        filtered.iter().all(|s| s.assigned_userid == "u0"),
        "and only those"
    );

    let created: WireSession = post_session(
        &client,
        &sandbox,
        &json!({"groupname": "X", "assigned_userid": "u0"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (created.assigned_userid.as_str(), created.assigned_at),
        ("u0", None),
        "POST with u0 creates an unassigned session"
    );
    let users: UserList = api_json(&client, &sandbox, "users", &token).await;
    let colleague = &users.users[1].id;
    let get = |code: String| {
        let token = token.clone();
        let client = client.clone();
        let sandbox = &sandbox;
        async move {
            api_json::<WireSession>(&client, sandbox, &format!("sessions/{code}"), &token).await
        }
    };
    let response = put_session(
        &client,
        &sandbox,
        &created.code,
        &json!({"assigned_userid": colleague}),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "assigning answers 204"
    );
    let assigned = get(created.code.clone()).await;
    assert!(
        assigned.assigned_userid == *colleague && assigned.assigned_at.is_some(),
        "PUT assigns the session to a user"
    );
    let response = put_session(
        &client,
        &sandbox,
        &created.code,
        &json!({"assigned_userid": "u0"}),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "unassigning answers 204"
    );
    let released = get(created.code.clone()).await;
    assert_eq!(
        (released.assigned_userid.as_str(), released.assigned_at),
        ("u0", None),
        "PUT with u0 assigns the session to nobody"
    );
}

#[tokio::test]
async fn groups_and_users() {
    let sandbox = start(config()).await;
    let client = http();
    let token = sandbox.script_token();
    let groups: GroupList = api_json(&client, &sandbox, "groups", &token).await;
    assert!(groups.groups.len() >= 5, "a handful of groups");
    assert!(
        groups
            .groups
            .iter()
            .any(|g| g.name.contains('ü') && g.name.contains(',')),
        "group names include an umlaut and a comma"
    );
    assert!(
        groups.groups.iter().all(|g| g.id.starts_with('g')),
        "group ids are g…"
    );
    let filtered: GroupList = api_json(&client, &sandbox, "groups?name=m%C3%BCLLER", &token).await;
    assert!(
        !filtered.groups.is_empty()
            && filtered
                .groups
                .iter()
                .all(|g| g.name.to_lowercase().contains("müller")),
        "name filters by case-insensitive substring"
    );
    let users: UserList = api_json(&client, &sandbox, "users", &token).await;
    assert!(
        users.users.len() > 3 && users.users.iter().all(|u| u.id.starts_with('u')),
        "several users with u… ids"
    );
}

/// Doc 2023-03 p45: `PUT /sessions/{code}` takes the editable fields (description, customer,
/// waiting message) and `assigned_userid`; an unknown user is refused without any change.
#[tokio::test]
async fn put_edits_the_documented_fields_and_refuses_unknown_users() {
    let sandbox = start(config()).await;
    let client = http();
    let token = sandbox.script_token();
    let created: WireSession = post_session(&client, &sandbox, &json!({"groupname": "X"}))
        .await
        .json()
        .await
        .unwrap();
    let response = put_session(
        &client,
        &sandbox,
        &created.code,
        &json!({
            "description": "Scanner",
            "end_customer": {"name": "Anna Berg", "email": "anna@example.com"},
            "waiting_message": "Einen Moment bitte"
        }),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "edit answers 204"
    );
    let got: Value = api_json(
        &client,
        &sandbox,
        &format!("sessions/{}", created.code),
        &token,
    )
    .await;
    assert_eq!(
        (
            &got["description"],
            &got["end_customer"],
            &got["waiting_message"]
        ),
        (
            &json!("Scanner"),
            &json!({"name": "Anna Berg", "email": "anna@example.com"}),
            &json!("Einen Moment bitte")
        ),
        "GET reflects every edited field"
    );
    let before = got["assigned_userid"].clone();
    for user in ["u999999999", "bob"] {
        let (status, _) = error_of(
            put_session(
                &client,
                &sandbox,
                &created.code,
                &json!({"assigned_userid": user, "description": "not applied"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{user} is refused");
    }
    let after: Value = api_json(
        &client,
        &sandbox,
        &format!("sessions/{}", created.code),
        &token,
    )
    .await;
    assert_eq!(
        (&after["assigned_userid"], &after["description"]),
        (&before, &json!("Scanner")),
        "a refused PUT changes nothing"
    );
}
