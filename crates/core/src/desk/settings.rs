//! The app's settings file: which API to talk to, which OAuth app to sign in with, how the
//! sign-in comes back, and the UI language. The client secret is *not* here: it lives in the
//! keyring next to the tokens (a file would hold it in clear).

use crate::auth::{DEFAULT_LOGIN_URL, DEFAULT_LOOPBACK_PORT};
use crate::client::DEFAULT_API_URL;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which API the app talks to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// The built-in TeamViewer simulator on loopback (the default: it needs no account).
    #[default]
    Sandbox,
    /// The real TeamViewer Web API with the organisation's OAuth app.
    Teamviewer,
}

/// How the browser hands the sign-in back to the app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum RedirectMode {
    /// `dev.supporterdesk:/oauth/callback` (RFC 8252 §7.1).
    #[default]
    DeepLink,
    /// `http://127.0.0.1:<loopbackPort>/oauth/callback` (RFC 8252 §7.3).
    Loopback,
}

/// The UI and invitation language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Language {
    /// The system locale (German when it starts with `de`, otherwise English).
    #[default]
    Auto,
    /// German.
    De,
    /// English.
    En,
}

impl Language {
    /// `De` or `En`: `Auto` resolved against a system locale such as `de_DE.UTF-8`.
    pub fn resolve(self, system_locale: Option<&str>) -> Language {
        match self {
            Language::Auto => match system_locale {
                Some(l) if l.trim().to_ascii_lowercase().starts_with("de") => Language::De,
                _ => Language::En,
            },
            other => other,
        }
    }
}

/// The settings file (`settings.json` in the app's config directory), camelCase JSON.
///
/// Every field has a default, so a file written by an older version (or edited by hand and
/// missing fields) still loads; unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// Sandbox (default) or the real TeamViewer API.
    pub mode: Mode,
    /// The OAuth client ID of the organisation's TeamViewer app (required in TeamViewer mode
    /// unless `script_token_only`).
    pub client_id: String,
    /// TeamViewer mode without an OAuth app: sign in with a script token only (no client ID
    /// needed; "Sign in with TeamViewer" is not offered).
    pub script_token_only: bool,
    /// Deep link (default) or loopback redirect.
    pub redirect_mode: RedirectMode,
    /// Port of the loopback redirect (1024–65535), default 47813.
    pub loopback_port: u16,
    /// API origin, default `https://webapi.teamviewer.com`.
    pub api_url: String,
    /// Login origin (consent page), default `https://login.teamviewer.com`.
    pub login_url: String,
    /// UI language.
    pub language: Language,
    /// Desktop: waiting-customer notifications, closing while customers wait, start at login
    /// (see [`super::DesktopSettings`]; a file without it gets the defaults).
    #[serde(default)]
    pub desktop: super::DesktopSettings,
    /// The connection-log archive's sync (see [`super::ArchiveSettings`]; a file without it gets
    /// the defaults).
    #[serde(default)]
    pub archive: super::ArchiveSettings,
    /// The live session list's refresh intervals (see [`super::LiveSettings`]; a file without
    /// it gets the defaults).
    #[serde(default)]
    pub live: super::LiveSettings,
    /// End-of-session documentation: off, ask (default) or required (see
    /// [`super::DocumentationSettings`]; a file without it gets the default).
    #[serde(default)]
    pub documentation: super::DocumentationSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mode: Mode::Sandbox,
            client_id: String::new(),
            script_token_only: false,
            redirect_mode: RedirectMode::DeepLink,
            loopback_port: DEFAULT_LOOPBACK_PORT,
            api_url: DEFAULT_API_URL.to_owned(),
            login_url: DEFAULT_LOGIN_URL.to_owned(),
            language: Language::Auto,
            desktop: super::DesktopSettings::default(),
            archive: super::ArchiveSettings::default(),
            live: super::LiveSettings::default(),
            documentation: super::DocumentationSettings::default(),
        }
    }
}

/// The file name of the settings inside the app's config directory.
pub const SETTINGS_FILE: &str = "settings.json";

/// The largest settings file [`Settings::load`] reads (1 MiB; a real one is a few hundred bytes).
pub const MAX_SETTINGS_BYTES: u64 = 1024 * 1024;

impl Settings {
    /// Reads the settings file. A missing file gives the defaults.
    ///
    /// Only a regular file (or a link to one) of at most `MAX_SETTINGS_BYTES` (1 MiB) is read: a
    /// link to `/dev/zero`, a FIFO or an oversized file is refused at once, without reading
    /// more than the limit or blocking (see [`crate::fsutil::read_regular_file`]). The file is
    /// never modified here.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file when it cannot be read, is not a regular file, is too
    /// large, is not valid JSON or holds invalid values. The app then starts with
    /// [`Settings::default`] and shows the error, and leaves the file as it is until the user
    /// saves new settings; nothing here panics on any file content.
    pub fn load(path: &Path) -> Result<Settings> {
        let bytes = match crate::fsutil::read_regular_file(path, MAX_SETTINGS_BYTES) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => {
                return Err(Error::Config {
                    message: format!(
                        "cannot read the settings file {}: {e}; the default settings are used",
                        path.display()
                    ),
                })
            }
        };
        let settings: Settings = serde_json::from_slice(&bytes).map_err(|e| Error::Config {
            message: format!(
                "the settings file {} is damaged ({e}); the default settings are used",
                path.display()
            ),
        })?;
        settings.validate().map_err(|e| Error::Config {
            message: format!(
                "the settings file {} holds an invalid value ({e}); the default settings are used",
                path.display()
            ),
        })?;
        Ok(settings.normalized())
    }

    /// Writes the settings atomically (a temporary file renamed into place, so a crash never
    /// leaves half a file), owner-only (0600 on Unix, also when it replaces a wider file),
    /// creating the directory (0700 on Unix) if needed. Validates first.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] from [`Settings::validate`]; [`Error::Config`] when something
    /// other than a regular file (a directory, a device, a FIFO) is at `path`: it is neither
    /// written through nor replaced; [`Error::Io`] when writing fails.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_file() {
                return Err(Error::Config {
                    message: format!(
                        "the settings file {} is not a regular file; it was not replaced",
                        path.display()
                    ),
                });
            }
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fsutil::create_private_dir_all(dir)?;
        }
        let normalized = self.clone().normalized();
        crate::fsutil::write_atomically(path, crate::fsutil::FileMode::Private, |out| {
            serde_json::to_writer_pretty(&mut *out, &normalized).map_err(|e| Error::Config {
                message: format!("cannot encode the settings: {e}"),
            })?;
            out.write_all(b"\n")?;
            Ok(())
        })
    }

    /// Checks every field: both URLs `http(s)` with a host, the port in 1024–65535 (below 1024
    /// needs privileges), and a client ID in TeamViewer mode.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the first bad field.
    pub fn validate(&self) -> Result<()> {
        check_origin("API URL", &self.api_url)?;
        check_origin("login URL", &self.login_url)?;
        if self.loopback_port < 1024 {
            return Err(Error::invalid(
                "loopback port",
                "must be between 1024 and 65535",
            ));
        }
        if self.mode == Mode::Teamviewer
            && !self.script_token_only
            && self.client_id.trim().is_empty()
        {
            return Err(Error::invalid(
                "client ID",
                "enter the client ID of your TeamViewer app, choose \"script token only\", or \
                 use the sandbox",
            ));
        }
        self.archive.validate()?;
        self.live.validate()?;
        if self.client_id.chars().any(char::is_control) || self.client_id.len() > 200 {
            return Err(Error::invalid(
                "client ID",
                "must be a single line of at most 200 characters",
            ));
        }
        Ok(())
    }

    /// Trims the text fields.
    pub(crate) fn normalized(mut self) -> Self {
        self.client_id = self.client_id.trim().to_owned();
        self.api_url = self.api_url.trim().to_owned();
        self.login_url = self.login_url.trim().to_owned();
        self
    }
}

/// The same rule as every request: `https`, or plain `http` only for this machine, and no user
/// info (see [`crate::client::parse_service_url`]). A settings file that breaks it is refused as
/// a whole when loaded, so the app starts with the defaults and says why.
fn check_origin(field: &str, raw: &str) -> Result<()> {
    crate::client::parse_service_url(field, raw).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::FileTypeExt as _;

    #[test]
    fn plain_http_to_another_machine_is_not_a_valid_setting() {
        let mut settings = Settings {
            api_url: "http://webapi.teamviewer.com".into(),
            ..Settings::default()
        };
        let err = settings.validate().unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::InvalidInput,
            "tokens must never travel over plain http to another machine: {err}"
        );
        settings.api_url = "http://127.0.0.1:8080".into();
        assert!(
            settings.validate().is_ok(),
            "plain http to this machine (the sandbox) stays allowed"
        );
    }

    #[test]
    fn language_auto_follows_the_system_locale() {
        assert_eq!(
            Language::Auto.resolve(Some("de_DE.UTF-8")),
            Language::De,
            "a German locale picks German"
        );
        assert_eq!(
            Language::Auto.resolve(Some("en_US")),
            Language::En,
            "other locales pick English"
        );
        assert_eq!(
            Language::Auto.resolve(None),
            Language::En,
            "no locale falls back to English"
        );
        assert_eq!(
            Language::De.resolve(Some("en_US")),
            Language::De,
            "an explicit choice wins over the system"
        );
    }

    #[test]
    fn validation_names_the_field() {
        let cases: Vec<(&str, Settings, &str)> = vec![
            (
                "ftp API",
                Settings {
                    api_url: "ftp://x".into(),
                    ..Settings::default()
                },
                "API URL",
            ),
            (
                "login without host",
                Settings {
                    login_url: "https://".into(),
                    ..Settings::default()
                },
                "login URL",
            ),
            (
                "privileged port",
                Settings {
                    loopback_port: 80,
                    ..Settings::default()
                },
                "loopback port",
            ),
            (
                "TeamViewer without client",
                Settings {
                    mode: Mode::Teamviewer,
                    ..Settings::default()
                },
                "client ID",
            ),
            (
                "TeamViewer, script token only, but a control character in the client ID",
                Settings {
                    mode: Mode::Teamviewer,
                    script_token_only: true,
                    client_id: "a\nb".into(),
                    ..Settings::default()
                },
                "client ID",
            ),
            (
                "credentials in URL",
                Settings {
                    api_url: "https://u:p@webapi.teamviewer.com".into(),
                    ..Settings::default()
                },
                "API URL",
            ),
        ];
        for (name, s, field) in cases {
            match s.validate() {
                Err(Error::InvalidInput { field: f, .. }) => {
                    assert_eq!(f, field, "{name}: the error must name the bad field")
                }
                other => panic!("{name}: expected invalid_input, got {other:?}"),
            }
        }
        assert!(
            Settings::default().validate().is_ok(),
            "the defaults must be valid"
        );
    }

    fn assert_config_error(result: Result<Settings>, needle: &str, why: &str) {
        match result {
            Err(Error::Config { message }) => assert!(
                message.contains(needle) && message.contains("default settings are used"),
                "{why}: the message must say what is wrong ({needle:?}) and what happens: {message}"
            ),
            other => panic!("{why}: expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn an_oversized_settings_file_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        let mut big = b"{}".to_vec();
        big.resize(2 * 1024 * 1024, b' ');
        std::fs::write(&path, &big).unwrap();
        let started = std::time::Instant::now();
        assert_config_error(
            Settings::load(&path),
            "larger than 1048576 bytes",
            "a 2 MiB settings file",
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "refused fast"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            big,
            "a refused settings file is left as it is (nothing the user wrote is lost)"
        );

        let mut limit = b"{\"language\":\"de\"}".to_vec();
        limit.resize(usize::try_from(MAX_SETTINGS_BYTES).unwrap(), b' ');
        std::fs::write(&path, &limit).unwrap();
        assert_eq!(
            Settings::load(&path).unwrap().language,
            Language::De,
            "a file of exactly 1 MiB is still read"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_settings_link_to_dev_zero_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let started = std::time::Instant::now();
        assert_config_error(
            Settings::load(&path),
            "not a regular file",
            "a link to /dev/zero (read whole, it fills the memory)",
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "refused fast"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_settings_link_to_a_regular_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, r#"{"language":"en"}"#).unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        std::os::unix::fs::symlink(&real, &path).unwrap();
        assert_eq!(
            Settings::load(&path).unwrap().language,
            Language::En,
            "a settings file kept elsewhere and linked (dotfile managers) still works"
        );
    }

    #[cfg(unix)]
    fn mkfifo(path: &Path) {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo failed");
    }

    /// Runs `f` on a thread and fails the test when it takes longer than 5 s (a FIFO blocks).
    #[cfg(unix)]
    fn within_5s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static, what: &str) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(f()));
        rx.recv_timeout(std::time::Duration::from_secs(5))
            .unwrap_or_else(|_| panic!("{what} blocked for 5 s"))
    }

    #[cfg(unix)]
    #[test]
    fn a_settings_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        mkfifo(&path);
        let p = path.clone();
        let result = within_5s(
            move || Settings::load(&p),
            "loading a FIFO (the app would hang at start-up)",
        );
        assert_config_error(result, "not a regular file", "a FIFO settings.json");

        let p = path.clone();
        let saved = within_5s(move || Settings::default().save(&p), "saving onto a FIFO");
        assert!(
            matches!(&saved, Err(Error::Config { message }) if message.contains("not a regular file")),
            "saving onto a FIFO is refused instead of waiting for a reader: {saved:?}"
        );
        assert!(
            std::fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_fifo(),
            "the FIFO is neither replaced nor written"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_settings_file_is_written_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| {
            format!(
                "{:o}",
                std::fs::metadata(p).unwrap().permissions().mode() & 0o777
            )
        };
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("config");
        let path = dir.join(SETTINGS_FILE);
        Settings::default().save(&path).unwrap();
        assert_eq!(mode(&path), "600", "a new settings file is owner-only");
        assert_eq!(
            mode(&dir),
            "700",
            "a config directory we create is owner-only"
        );

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        Settings::default().save(&path).unwrap();
        assert_eq!(
            mode(&path),
            "600",
            "saving narrows a settings file left world-readable by an older version"
        );
        assert_eq!(
            Settings::load(&path).unwrap(),
            Settings::default(),
            "and it still round-trips"
        );
    }
}
