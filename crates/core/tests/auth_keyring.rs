#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The keyring token store over an injected fake backend: encoding, the Windows size limit,
//! missing entries, and a locked or absent keyring. Never touches the machine's keyring.

use chrono::{DateTime, Utc};
use sdesk_core::auth::{
    stored_size, KeyringBackend, KeyringFailure, KeyringStore, TokenKind, TokenSet, TokenStore,
    CLIENT_SECRET_NAME, MAX_ENTRY_BYTES,
};
use sdesk_core::{ErrorKind, Secret};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Working,
    /// The collection is locked (keyring's NoStorageAccess).
    Locked,
    /// No Secret Service on the bus (keyring's PlatformFailure).
    NoService,
    /// Accepts writes, returns nothing (what keyring's silent mock store does).
    BlackHole,
}

#[derive(Debug)]
struct Inner {
    entries: Mutex<BTreeMap<(String, String), String>>,
    mode: Mutex<Mode>,
}

/// A fake keyring that enforces the Windows size limit like the real backend would.
#[derive(Debug, Clone)]
struct Fake(Arc<Inner>);

impl Fake {
    fn new(mode: Mode) -> Self {
        Self(Arc::new(Inner {
            entries: Mutex::default(),
            mode: Mutex::new(mode),
        }))
    }
    fn set_mode(&self, mode: Mode) {
        *self.0.mode.lock().unwrap() = mode;
    }
    fn fail(&self) -> Result<(), KeyringFailure> {
        match *self.0.mode.lock().unwrap() {
            Mode::Locked => Err(KeyringFailure::Unavailable(
                "the collection is locked".into(),
            )),
            Mode::NoService => Err(KeyringFailure::Unavailable(
                "The name org.freedesktop.secrets was not provided by any .service files".into(),
            )),
            Mode::Working | Mode::BlackHole => Ok(()),
        }
    }
    fn accounts(&self) -> Vec<String> {
        self.0
            .entries
            .lock()
            .unwrap()
            .keys()
            .map(|(_, a)| a.clone())
            .collect()
    }
    fn values(&self) -> Vec<String> {
        self.0.entries.lock().unwrap().values().cloned().collect()
    }
    fn put_raw(&self, service: &str, account: &str, value: &str) {
        self.0
            .entries
            .lock()
            .unwrap()
            .insert((service.into(), account.into()), value.into());
    }
}

impl KeyringBackend for Fake {
    fn get(&self, service: &str, account: &str) -> Result<Option<String>, KeyringFailure> {
        self.fail()?;
        if *self.0.mode.lock().unwrap() == Mode::BlackHole {
            return Ok(None);
        }
        Ok(self
            .0
            .entries
            .lock()
            .unwrap()
            .get(&(service.into(), account.into()))
            .cloned())
    }
    fn set(&self, service: &str, account: &str, value: &str) -> Result<(), KeyringFailure> {
        self.fail()?;
        if value.encode_utf16().count() * 2 > 2560 {
            return Err(KeyringFailure::Failed(
                "password encoded as UTF-16 is too long".into(),
            ));
        }
        self.put_raw(service, account, value);
        Ok(())
    }
    fn delete(&self, service: &str, account: &str) -> Result<(), KeyringFailure> {
        self.fail()?;
        self.0
            .entries
            .lock()
            .unwrap()
            .remove(&(service.into(), account.into()));
        Ok(())
    }
}

fn store(fake: &Fake) -> KeyringStore {
    KeyringStore::with_backend("dev.supporterdesk.test", Box::new(fake.clone()))
}

fn tokens(access: &str, refresh: Option<&str>) -> TokenSet {
    TokenSet {
        access_token: Secret::new(access),
        refresh_token: refresh.map(Secret::new),
        expires_at: Some(DateTime::<Utc>::from_timestamp(1_714_564_800, 0).unwrap()),
        kind: TokenKind::OAuth,
        api_origin: Some(TEAMVIEWER.into()),
    }
}

const TEAMVIEWER: &str = "https://webapi.teamviewer.com";

#[test]
fn round_trip_then_clear_is_idempotent() {
    let fake = Fake::new(Mode::Working);
    let s = store(&fake);
    assert!(
        s.load().unwrap().is_none(),
        "a missing entry means no sign-in, not an error"
    );
    let t = tokens("16217394-cOqwKkp8MllCvSYnprfj", Some("16217394-refresh"));
    s.save(&t).unwrap();
    assert_eq!(
        s.load().unwrap(),
        Some(t),
        "what was saved is loaded back exactly"
    );
    assert_eq!(
        fake.accounts(),
        vec!["tokens".to_owned()],
        "small tokens fit one entry"
    );
    s.clear().unwrap();
    assert!(s.load().unwrap().is_none(), "after clear nothing is loaded");
    s.clear().expect("clearing twice must succeed (idempotent)");
    assert!(fake.accounts().is_empty(), "clear leaves no entry behind");
}

#[test]
fn script_token_round_trips_with_its_kind() {
    let fake = Fake::new(Mode::Working);
    let s = store(&fake);
    let t = TokenSet::script(Secret::new("1234-SWDwf23vawef4122345asfg")).for_origin(TEAMVIEWER);
    s.save(&t).unwrap();
    assert_eq!(
        s.load().unwrap(),
        Some(t),
        "a script token keeps its kind and has no expiry"
    );
}

#[test]
fn the_api_origin_is_stored_with_the_tokens() {
    let fake = Fake::new(Mode::Working);
    let s = store(&fake);
    let local = tokens("a", Some("r")).for_origin("http://127.0.0.1:8080");
    s.save(&local).unwrap();
    assert!(
        fake.values()[0].contains(r#""api":"http://127.0.0.1:8080""#),
        "the entry records which API the tokens belong to: {:?}",
        fake.values()
    );
    assert_eq!(
        s.load().unwrap().unwrap().api_origin.as_deref(),
        Some("http://127.0.0.1:8080"),
        "the origin is read back, so the tokens are only sent there"
    );
    let big = tokens(&"A".repeat(1200), Some(&"R".repeat(1200))).for_origin("https://x.example");
    s.save(&big).unwrap();
    assert_eq!(
        s.load().unwrap().unwrap().api_origin.as_deref(),
        Some("https://x.example"),
        "split entries keep the origin in their metadata"
    );
}

#[test]
fn entries_without_an_origin_are_teamviewer_sign_ins() {
    let fake = Fake::new(Mode::Working);
    let s = store(&fake);
    // What versions before the origin field wrote.
    fake.put_raw(
        "dev.supporterdesk.test",
        "tokens",
        r#"{"v":1,"kind":"script","access":"1234-legacy"}"#,
    );
    let loaded = s
        .load()
        .unwrap()
        .expect("a legacy entry is still a sign-in");
    assert_eq!(
        loaded.access_token.expose(),
        "1234-legacy",
        "old entries stay readable"
    );
    assert_eq!(
        loaded.api_origin.as_deref(),
        Some(TEAMVIEWER),
        "an entry without an origin was a TeamViewer sign-in and may only go to TeamViewer"
    );
}

#[test]
fn large_tokens_are_split_to_fit_the_windows_limit() {
    let fake = Fake::new(Mode::Working);
    let s = store(&fake);
    let big = tokens(&"A".repeat(1200), Some(&"R".repeat(1200)));
    s.save(&big)
        .expect("tokens that fit individually must be storable");
    for v in fake.values() {
        assert!(
            stored_size(&v) <= MAX_ENTRY_BYTES,
            "every entry must fit {MAX_ENTRY_BYTES} bytes as UTF-16, got {}",
            stored_size(&v)
        );
    }
    let mut accounts = fake.accounts();
    accounts.sort();
    assert_eq!(
        accounts,
        vec!["tokens", "tokens.access", "tokens.refresh"],
        "the tokens go to their own entries"
    );
    assert_eq!(
        s.load().unwrap(),
        Some(big),
        "split tokens are reassembled exactly"
    );

    let small = tokens("a", Some("r"));
    s.save(&small).unwrap();
    assert_eq!(
        fake.accounts(),
        vec!["tokens".to_owned()],
        "parts of an earlier large save are removed"
    );
    assert_eq!(
        s.load().unwrap(),
        Some(small),
        "the small tokens are loaded, not stale parts"
    );

    let huge = tokens(&"A".repeat(2000), None);
    assert_eq!(
        s.save(&huge).err().map(|e| e.kind()),
        Some(ErrorKind::Keyring),
        "a single token over the limit is a clear keyring error, not a silent truncation"
    );
}

#[test]
fn split_tokens_with_a_missing_part_are_ignored() {
    let fake = Fake::new(Mode::Working);
    let s = store(&fake);
    s.save(&tokens(&"A".repeat(1200), Some(&"R".repeat(1200))))
        .unwrap();
    KeyringBackend::delete(&fake, "dev.supporterdesk.test", "tokens.refresh").unwrap();
    assert!(
        s.load().unwrap().is_none(),
        "an incomplete sign-in is treated as none, so the user can sign in again"
    );
}

#[test]
fn corrupt_entry_is_treated_as_no_sign_in() {
    let fake = Fake::new(Mode::Working);
    fake.put_raw("dev.supporterdesk.test", "tokens", "{not json");
    assert!(
        store(&fake).load().unwrap().is_none(),
        "garbage in the keyring must not crash or block sign-in"
    );
    fake.put_raw(
        "dev.supporterdesk.test",
        "tokens",
        r#"{"v":99,"kind":"oauth","access":"a"}"#,
    );
    assert!(
        store(&fake).load().unwrap().is_none(),
        "an unknown future format is ignored"
    );
}

#[test]
fn locked_keyring_is_reported_as_unavailable_with_a_readable_message() {
    for mode in [Mode::Locked, Mode::NoService] {
        let fake = Fake::new(mode);
        let s = store(&fake);
        for (op, result) in [
            ("load", s.load().map(|_| ())),
            ("save", s.save(&tokens("a", None))),
            ("clear", s.clear()),
            ("load_secret", s.load_secret(CLIENT_SECRET_NAME).map(|_| ())),
        ] {
            let err = result.expect_err("a locked keyring cannot succeed");
            assert_eq!(
                err.kind(),
                ErrorKind::KeyringUnavailable,
                "{mode:?} {op}: must be KeyringUnavailable"
            );
            let msg = err.to_string();
            assert!(
                msg.contains("not available or locked"),
                "{mode:?} {op}: the message must say what is wrong in plain words: {msg}"
            );
        }
    }
}

#[test]
fn keyring_that_becomes_available_works_again() {
    let fake = Fake::new(Mode::Locked);
    let s = store(&fake);
    assert!(s.load().is_err(), "locked first");
    fake.set_mode(Mode::Working);
    assert!(
        s.load().unwrap().is_none(),
        "after unlocking, the store works without being rebuilt"
    );
}

#[test]
fn client_secret_is_a_named_secret() {
    let fake = Fake::new(Mode::Working);
    let s = store(&fake);
    assert!(
        s.load_secret(CLIENT_SECRET_NAME).unwrap().is_none(),
        "a missing secret is None"
    );
    s.save_secret(CLIENT_SECRET_NAME, &Secret::new("s3cret"))
        .unwrap();
    assert_eq!(
        s.load_secret(CLIENT_SECRET_NAME).unwrap().unwrap().expose(),
        "s3cret",
        "the secret round-trips"
    );
    s.delete_secret(CLIENT_SECRET_NAME).unwrap();
    s.delete_secret(CLIENT_SECRET_NAME)
        .expect("deleting a missing secret succeeds");
    assert!(
        s.load_secret(CLIENT_SECRET_NAME).unwrap().is_none(),
        "deleted"
    );
    assert_eq!(
        s.save_secret("tokens", &Secret::new("x"))
            .err()
            .map(|e| e.kind()),
        Some(ErrorKind::InvalidInput),
        "a secret may not overwrite the token entry"
    );
}

#[test]
fn probe_detects_working_locked_and_black_hole_keyrings() {
    let fake = Fake::new(Mode::Working);
    store(&fake)
        .probe()
        .expect("a working keyring passes the probe");
    assert!(
        fake.accounts().is_empty(),
        "the probe cleans up after itself"
    );
    for (mode, why) in [
        (Mode::Locked, "a locked keyring fails the probe"),
        (
            Mode::BlackHole,
            "a keyring that forgets what it stores (the crate's mock) fails the probe",
        ),
    ] {
        let fake = Fake::new(mode);
        assert_eq!(
            store(&fake).probe().err().map(|e| e.kind()),
            Some(ErrorKind::KeyringUnavailable),
            "{why}"
        );
    }
}

#[test]
fn debug_of_store_shows_no_token() {
    let fake = Fake::new(Mode::Working);
    let s = store(&fake);
    s.save(&tokens("ACCESS-SECRET-1", None)).unwrap();
    let shown = format!("{s:?}");
    assert!(
        shown.contains("dev.supporterdesk.test"),
        "Debug names the service"
    );
    assert!(
        !shown.contains("ACCESS-SECRET-1"),
        "Debug of the store must not dump the backend's contents through the store"
    );
}
