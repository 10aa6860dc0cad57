#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sessions area's live list against the sandbox: started by a sign-in, refreshed after a
//! create or close, stopped by a sign-out; closed and expired sessions have no links.

use sdesk_core::auth::MemoryStore;
use sdesk_core::clock::ManualClock;
use sdesk_core::desk::{
    Desk, DeskOptions, LinkKind, LiveUpdate, NewSessionForm, SessionDto, Settings,
};
use sdesk_core::live::LiveStatus;
use sdesk_core::{ErrorKind, Secret};
use sdesk_sandbox::{Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::Receiver;

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default(), ([127, 0, 0, 1], 0).into())
        .await
        .unwrap()
}

fn options(sb: &Sandbox) -> DeskOptions {
    let mut o = DeskOptions::new(Settings::default(), Arc::new(MemoryStore::new()));
    o.sandbox_origin = Some(sb.base_url());
    o
}

/// Waits (at most 10 s) for the first update that `pick` accepts.
async fn until<T>(
    rx: &mut Receiver<LiveUpdate>,
    mut pick: impl FnMut(&LiveUpdate) -> Option<T>,
) -> T {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let update = rx.recv().await.unwrap();
            if let Some(found) = pick(&update) {
                return found;
            }
        }
    })
    .await
    .expect("the update arrived in time")
}

fn added(code: &str) -> impl FnMut(&LiveUpdate) -> Option<SessionDto> + '_ {
    move |u| match u {
        LiveUpdate::SessionAdded { session } if session.code == code => Some(session.clone()),
        _ => None,
    }
}

async fn create(desk: &Desk, group_name: Option<&str>) -> SessionDto {
    let groups = desk.groups().await.unwrap();
    let form = NewSessionForm {
        group_id: group_name.is_none().then(|| groups[0].id.clone()),
        group_name: group_name.map(str::to_owned),
        customer_name: "Jon".into(),
        customer_email: "jon@example.com".into(),
        ..NewSessionForm::default()
    };
    desk.create_session(&form).await.unwrap()
}

#[tokio::test]
async fn the_live_list_follows_sign_in_create_close_and_sign_out() {
    let sb = sandbox().await;
    let desk = Desk::new(options(&sb)).await.unwrap();
    let mut rx = desk.subscribe_live();
    assert!(!desk.live_running(), "nothing polls while signed out");
    assert_eq!(desk.live_snapshot().status, LiveStatus::Stopped);

    desk.sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    assert!(desk.live_running(), "a sign-in starts the live list");
    until(&mut rx, |u| {
        matches!(
            u,
            LiveUpdate::Status {
                status: LiveStatus::Ok { .. }
            }
        )
        .then_some(())
    })
    .await;
    let first = desk.live_snapshot();
    assert!(!first.sessions.is_empty(), "the sandbox has open sessions");
    assert!(first.sessions.iter().all(|s| s.is_open));

    let created = create(&desk, Some("Brand-new group")).await;
    until(&mut rx, added(&created.code)).await;
    let groups = until(&mut rx, |u| match u {
        LiveUpdate::GroupsChanged { groups } => Some(groups.clone()),
        _ => None,
    })
    .await;
    assert!(
        groups.iter().any(|g| g.name == "Brand-new group"),
        "a group made by a new session reaches the live groups: {groups:?}"
    );
    assert!(desk.link_for(&created.code, LinkKind::Supporter).is_ok());

    desk.close_session(&created.code).await.unwrap();
    for kind in [
        LinkKind::Supporter,
        LinkKind::WebClient,
        LinkKind::EndCustomer,
        LinkKind::Invitation,
    ] {
        assert_eq!(
            desk.link_for(&created.code, kind).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidInput),
            "a closed session's {kind:?} link is refused"
        );
    }
    let removed = until(&mut rx, |u| match u {
        LiveUpdate::SessionRemoved { session } => Some(session.code.clone()),
        _ => None,
    })
    .await;
    assert_eq!(removed, created.code, "the close reaches the live list");
    assert!(desk
        .live_snapshot()
        .sessions
        .iter()
        .all(|s| s.code != created.code));

    desk.sign_out().await.unwrap();
    assert!(!desk.live_running(), "a sign-out stops the live list");
    until(&mut rx, |u| {
        matches!(
            u,
            LiveUpdate::Status {
                status: LiveStatus::Stopped
            }
        )
        .then_some(())
    })
    .await;
    assert!(desk.live_snapshot().sessions.is_empty());
}

#[tokio::test]
async fn a_session_closed_elsewhere_loses_its_links_when_the_list_hears_of_it() {
    let sb = sandbox().await;
    let desk = Desk::new(options(&sb)).await.unwrap();
    let mut rx = desk.subscribe_live();
    desk.sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    let created = create(&desk, None).await;
    until(&mut rx, added(&created.code)).await;

    // A colleague closes it with another client (here: a second desk on the same sandbox).
    let other = Desk::new(options(&sb)).await.unwrap();
    other
        .sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    other.close_session(&created.code).await.unwrap();
    other.sign_out().await.ok();

    desk.refresh_live();
    until(&mut rx, |u| match u {
        LiveUpdate::SessionRemoved { session } if session.code == created.code => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(
        desk.link_for(&created.code, LinkKind::Supporter)
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "the live list told the allow-list that the session is closed"
    );
}

#[tokio::test]
async fn an_expired_session_has_no_links() {
    let sb = sandbox().await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let mut o = options(&sb);
    o.clock = clock.clone();
    let desk = Desk::new(o).await.unwrap();
    desk.sign_in_with_script_token(Secret::new(sb.script_token()))
        .await
        .unwrap();
    let created = create(&desk, None).await;
    assert!(desk.link_for(&created.code, LinkKind::EndCustomer).is_ok());
    let until = created.valid_until.expect("the sandbox sets valid_until");
    clock.set(until + chrono::Duration::seconds(1));
    for kind in [LinkKind::Supporter, LinkKind::Invitation] {
        assert_eq!(
            desk.link_for(&created.code, kind).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidInput),
            "an expired session's {kind:?} link is refused"
        );
    }
    desk.sign_out().await.ok();
}
