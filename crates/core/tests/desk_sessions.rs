#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The desk's sessions area against the simulator and hostile APIs: create, list, close, and the
//! link allow-list (checked, parsed links; the app's own invitation `mailto:`).

mod common;

use common::*;

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
        link_refusal(&desk, &created.code, LinkKind::Supporter),
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
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "sessions": sessions })))
        .mount(server)
        .await;
    let desk = signed_in_on_mock(server).await;
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
