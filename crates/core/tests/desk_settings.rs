#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The desk's settings area: settings files and applying settings (secret in the store).

mod common;

use common::*;

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
async fn desktop_settings_apply_without_reconnecting() {
    let sb = sandbox().await;
    let settings = Settings::default();
    let desk = signed_in(&sb, settings.clone()).await;
    desk.status().await.unwrap();
    assert!(desk.live_running(), "signed in, the live list polls");
    let mut changed = settings;
    changed.desktop = sdesk_core::desk::DesktopSettings {
        notifications: false,
        close_action: sdesk_core::desk::CloseAction::HideToTray,
        start_at_login: true,
        start_minimised: true,
    };
    let view = desk.apply_settings(changed.clone(), None).await.unwrap();
    assert_eq!(
        view.settings.desktop, changed.desktop,
        "the new desktop settings are in effect"
    );
    assert_eq!(desk.settings().desktop, changed.desktop);
    assert!(
        desk.live_running(),
        "switching notifications or the close behaviour is no reason to reconnect (which stops \
         the live list and drops the account's data)"
    );
}

#[tokio::test]
async fn refresh_intervals_apply_without_reconnecting_and_are_validated() {
    let sb = sandbox().await;
    let settings = Settings::default();
    let desk = signed_in(&sb, settings.clone()).await;
    desk.status().await.unwrap();
    assert!(desk.live_running(), "signed in, the live list polls");
    let mut changed = settings.clone();
    changed.live = sdesk_core::desk::LiveSettings {
        visible_seconds: 10,
        hidden_seconds: 600,
    };
    let view = desk.apply_settings(changed.clone(), None).await.unwrap();
    assert_eq!(
        view.settings.live, changed.live,
        "the new intervals are in effect"
    );
    assert!(
        desk.live_running(),
        "new intervals restart the live list with them; the sign-in stays"
    );
    let mut bad = settings;
    bad.live.visible_seconds = 0;
    let err = desk
        .apply_settings(bad, None)
        .await
        .expect_err("0 s is refused");
    assert_eq!(err.kind(), sdesk_core::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("refresh interval"), "{err}");
    assert_eq!(
        desk.settings().live,
        changed.live,
        "a refused save changes nothing"
    );
}
