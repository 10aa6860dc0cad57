#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A round trip through the machine's real keyring. Runs only when `SDESK_TEST_REAL_KEYRING=1`
//! (CI sets it and runs the test under `dbus-run-session` with an unlocked gnome-keyring);
//! otherwise it returns at once, so that local test runs never touch the developer's keyring.

use sdesk_core::auth::{KeyringStore, TokenKind, TokenSet, TokenStore, CLIENT_SECRET_NAME};
use sdesk_core::Secret;

#[test]
fn real_keyring_round_trip() {
    if std::env::var("SDESK_TEST_REAL_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: set SDESK_TEST_REAL_KEYRING=1 to test against the real OS keyring");
        return;
    }
    // A unique service, so that parallel runs and the real app's entry are never touched.
    let service = format!(
        "dev.supporterdesk.test.{}.{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    let store = KeyringStore::new(&service);
    store
        .probe()
        .expect("the keyring must be reachable and unlocked in CI");

    let tokens = TokenSet {
        access_token: Secret::new("16217394-cOqwKkp8MllCvSYnprfj"),
        refresh_token: Some(Secret::new("16217394-refresh-token")),
        expires_at: chrono::DateTime::from_timestamp(1_714_564_800, 0),
        kind: TokenKind::OAuth,
        api_origin: Some("https://webapi.teamviewer.com".into()),
    };
    store.save(&tokens).expect("saving to the real keyring");
    assert_eq!(
        store.load().unwrap(),
        Some(tokens),
        "the real keyring returns what was saved"
    );

    let big = TokenSet {
        access_token: Secret::new("A".repeat(1200)),
        refresh_token: Some(Secret::new("R".repeat(1200))),
        expires_at: None,
        kind: TokenKind::OAuth,
        api_origin: Some("https://webapi.teamviewer.com".into()),
    };
    store.save(&big).expect("large tokens are stored split");
    assert_eq!(
        store.load().unwrap(),
        Some(big),
        "split tokens round-trip through the real keyring"
    );

    store
        .save_secret(CLIENT_SECRET_NAME, &Secret::new("s3cret"))
        .unwrap();
    assert_eq!(
        store
            .load_secret(CLIENT_SECRET_NAME)
            .unwrap()
            .map(|s| s.expose().to_owned()),
        Some("s3cret".to_owned()),
        "the client secret round-trips"
    );

    store.clear().expect("clearing the real keyring");
    store.delete_secret(CLIENT_SECRET_NAME).unwrap();
    assert!(
        store.load().unwrap().is_none(),
        "after clear the real keyring has no tokens"
    );
    store
        .clear()
        .expect("clear is idempotent on the real keyring");
}
