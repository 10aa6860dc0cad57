#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A session's detail in the desk: edit, assign to a colleague (with and without the
//! permission), close several at once, the invitation text, and the link allow-list refusing
//! expired and closed sessions.

mod common;

use common::*;
use sdesk_core::desk::SessionEdit;
use wiremock::matchers::body_json;

async fn created(desk: &Desk, description: &str) -> sdesk_core::desk::SessionDto {
    let groups = desk.groups().await.unwrap();
    desk.create_session(&NewSessionForm {
        group_id: Some(groups[0].id.clone()),
        description: description.into(),
        customer_name: "Jörg Müller".into(),
        customer_email: "joerg@example.com".into(),
        ..NewSessionForm::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn edit_and_assign_reach_the_sandbox_and_are_read_back() {
    let sb = sandbox().await;
    let desk = signed_in(&sb, Settings::default()).await;
    let me = desk.status().await.unwrap().account.unwrap();
    let session = created(&desk, "Printer offline").await;
    assert_eq!(
        session.assigned_user_id.as_deref(),
        Some(me.userid.as_str()),
        "a new session is assigned to its creator"
    );

    let edited = desk
        .edit_session(
            &session.code,
            &SessionEdit {
                description: Some("Scanner offline".into()),
                customer_name: Some("Anna Berg".into()),
                customer_email: Some("anna@example.com".into()),
                waiting_message: Some("Einen Moment bitte".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            edited.description.as_deref(),
            edited.customer_name.as_deref(),
            edited.customer_email.as_deref(),
            edited.waiting_message.as_deref()
        ),
        (
            Some("Scanner offline"),
            Some("Anna Berg"),
            Some("anna@example.com"),
            Some("Einen Moment bitte")
        ),
        "the edit is what the API has now"
    );
    let bad = desk
        .edit_session(
            &session.code,
            &SessionEdit {
                customer_email: Some("anna@".into()),
                ..SessionEdit::default()
            },
        )
        .await;
    assert_eq!(
        bad.err().map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "a bad e-mail is refused before anything is sent"
    );

    let users = desk.users().await.unwrap();
    let colleague = users
        .iter()
        .find(|u| u.id != me.userid)
        .expect("the sandbox has colleagues");
    let assigned = desk
        .assign_session(&session.code, &colleague.id)
        .await
        .unwrap();
    assert_eq!(
        assigned.assigned_user_id.as_deref(),
        Some(colleague.id.as_str()),
        "the session is now the colleague's"
    );
    let listed = desk.list_sessions(SessionListState::Open).await.unwrap();
    let again = listed.iter().find(|s| s.code == session.code).unwrap();
    assert_eq!(
        again.assigned_user_id.as_deref(),
        Some(colleague.id.as_str()),
        "the list shows the new assignee"
    );
    let unknown = desk.assign_session(&session.code, "u999999999").await;
    assert!(
        unknown.is_err(),
        "the sandbox refuses a user that does not exist: {unknown:?}"
    );
    let nobody = desk.assign_session(&session.code, "u0").await.unwrap();
    assert_eq!(nobody.assigned_user_id, None, "u0 assigns it to nobody");

    let text = desk.invitation_text(&session.code).await.unwrap();
    assert!(
        text.contains("Anna Berg") && text.trim_end().ends_with(me.name.as_str()),
        "the invitation greets the edited customer and is signed by {}: {text}",
        me.name
    );

    desk.close_session(&session.code).await.unwrap();
    let closed = desk
        .edit_session(
            &session.code,
            &SessionEdit {
                description: Some("x".into()),
                ..SessionEdit::default()
            },
        )
        .await;
    assert_eq!(
        closed.err().map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "a closed session is not edited"
    );
    assert_eq!(
        desk.invitation_text(&session.code)
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "a closed session has no invitation"
    );
}

#[tokio::test]
async fn closing_several_reports_each_session_and_keeps_going_after_a_failure() {
    let sb = sandbox().await;
    let desk = signed_in(&sb, Settings::default()).await;
    let a = created(&desk, "a").await;
    let b = created(&desk, "b").await;
    let codes = vec![a.code.clone(), "s999-999-999".to_owned(), b.code.clone()];
    let outcomes = desk.close_sessions(&codes).await;
    let summary: Vec<(&str, Option<ErrorKind>)> = outcomes
        .iter()
        .map(|o| (o.code.as_str(), o.error.as_ref().map(|e| e.kind)))
        .collect();
    assert_eq!(
        summary,
        vec![
            (a.code.as_str(), None),
            ("s999-999-999", Some(ErrorKind::NotFound)),
            (b.code.as_str(), None)
        ],
        "one result per session, in order; the unknown one failed and the next still closed"
    );
    let open = desk.list_sessions(SessionListState::Open).await.unwrap();
    assert!(
        !open.iter().any(|s| s.code == a.code || s.code == b.code),
        "both are closed at the API"
    );
    assert_eq!(
        link_refusal(&desk, &b.code, LinkKind::Supporter),
        Some(ErrorKind::InvalidInput),
        "a session closed in bulk loses its links at once"
    );
}

#[tokio::test]
async fn without_the_permission_assigning_and_listing_users_say_forbidden() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"sessions": [
                {"code": "s300-000-001", "state": "open", "assigned_userid": "u1"}
            ]})),
        )
        .mount(&server)
        .await;
    let forbidden = ResponseTemplate::new(403).set_body_json(json!({
        "error": "invalid_permission",
        "error_description": "The token lacks the permission for this call",
        "error_code": 3
    }));
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(forbidden.clone())
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/sessions/s300-000-001"))
        .and(body_json(json!({"assigned_userid": "u2"})))
        .respond_with(forbidden)
        .expect(1)
        .mount(&server)
        .await;
    let desk = signed_in_on_mock(&server).await;
    desk.list_sessions(SessionListState::Open).await.unwrap();
    assert_eq!(
        desk.users().await.err().map(|e| e.kind()),
        Some(ErrorKind::Forbidden),
        "a token without the user permission gets forbidden for the picker"
    );
    assert_eq!(
        desk.assign_session("s300-000-001", "u2")
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::Forbidden),
        "assigning without the permission is forbidden (a user-level token), not a failure"
    );
}

#[tokio::test]
async fn links_of_expired_and_closed_sessions_are_refused() {
    let server = MockServer::start().await;
    let session = |code: &str, state: &str, valid_until: &str| {
        json!({
            "code": code, "state": state, "valid_until": valid_until,
            "supporter_link": "https://get.teamviewer.com/v15/s1-x",
            "webclient_supporter_link": "https://login.teamviewer.com/Connect/IndexByol?sessioncode=s1",
            "end_customer_link": "https://get.teamviewer.com/v15/s1",
        })
    };
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"sessions": [
                session("s400-000-001", "open", "2099-01-01T00:00:00Z"),
                session("s400-000-002", "open", "2020-01-01T00:00:00Z"),
                session("s400-000-003", "closed", "2099-01-01T00:00:00Z"),
            ]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    let desk = signed_in_on_mock(&server).await;
    desk.list_sessions(SessionListState::All).await.unwrap();
    assert!(
        desk.link_for("s400-000-001", LinkKind::Supporter).is_ok(),
        "a valid open session's link is allowed"
    );
    for code in ["s400-000-002", "s400-000-003"] {
        for kind in [
            LinkKind::Supporter,
            LinkKind::WebClient,
            LinkKind::EndCustomer,
            LinkKind::Invitation,
        ] {
            assert_eq!(
                desk.link_for(code, kind).err().map(|e| e.kind()),
                Some(ErrorKind::InvalidInput),
                "{code} (expired or closed): {kind:?} must be refused"
            );
        }
        assert!(
            desk.invitation_text(code).await.is_err(),
            "{code}: no invitation text"
        );
    }
    assert_eq!(
        desk.assign_session("s400-000-003", "u2")
            .await
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "a closed session is not reassigned (nothing sent)"
    );
}
