//! Where an archive lives: `sqlite:PATH`, a plain path, or `postgres://user:pass@host:port/db`.

use crate::error::config;
use sdesk_core::Result;
use std::fmt;
use std::path::{Path, PathBuf};

/// The file name of the default archive in the app's data directory.
pub const DEFAULT_FILE_NAME: &str = "archive.sqlite3";

/// The desktop app's identifier (`tauri.conf.json`), the name of its data directory.
pub const APP_IDENTIFIER: &str = "dev.supporterdesk.desk";

/// The location of an archive.
#[derive(Clone, PartialEq, Eq)]
pub enum ArchiveUrl {
    /// An SQLite file (created with its directory when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database, as a libpq-style URL (`postgres://` or `postgresql://`; query
    /// parameters such as `sslmode` and `host` for a socket directory are understood).
    Postgres(String),
}

impl ArchiveUrl {
    /// The default archive: [`DEFAULT_FILE_NAME`] in `data_dir` (the app's data directory).
    pub fn default_in(data_dir: &Path) -> Self {
        Self::Sqlite(data_dir.join(DEFAULT_FILE_NAME))
    }

    /// The app's own archive, shared by the desktop app and the CLI: [`DEFAULT_FILE_NAME`] in
    /// the directory Tauri's `app_data_dir()` gives the app, the user's data directory plus
    /// [`APP_IDENTIFIER`]: `$XDG_DATA_HOME` (default `~/.local/share`) on Linux,
    /// `~/Library/Application Support` on macOS, `%APPDATA%` (roaming) on Windows.
    pub fn default_location() -> Result<Self> {
        let data = dirs::data_dir().ok_or_else(|| {
            config(
                "the user's data directory is unknown (no home directory), so the default \
                 archive has no place; name the archive explicitly",
            )
        })?;
        Ok(Self::default_in(&data.join(APP_IDENTIFIER)))
    }

    /// Parses `sqlite:PATH` (also `sqlite://PATH`), `postgres://…`/`postgresql://…`, or a plain
    /// path (SQLite). Other schemes are refused.
    pub fn parse(raw: &str) -> Result<Self> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(config("the archive URL is empty"));
        }
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Self::Postgres(s.to_owned()));
        }
        if lower.starts_with("sqlite:") {
            let rest = &s["sqlite:".len()..];
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(config("the archive URL 'sqlite:' has no file path"));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = s.split_once("://") {
            return Err(config(format!(
                "archive URLs start with sqlite: or postgres://, not {scheme}://"
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(s)))
    }

    /// Whether this is a PostgreSQL archive.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

/// Shows the location without a password (`postgres://user:***@host/db`).
impl fmt::Display for ArchiveUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            Self::Postgres(u) => f.write_str(&redact(u)),
        }
    }
}

impl fmt::Debug for ArchiveUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ArchiveUrl({self})")
    }
}

/// How errors and logs name a PostgreSQL archive: `postgres://user:***@host:port/db`, without
/// the password and without the query parameters (which can hold a `password=` and local
/// paths; an error about one of them names it on its own).
pub(crate) fn short(url: &str) -> String {
    redact(url.split_once('?').map_or(url, |(base, _)| base))
}

/// `scheme://user:secret@host…` → `scheme://user:***@host…`; also a `password=` parameter.
pub(crate) fn redact(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let auth_start = scheme_end + 3;
        let auth_end = out[auth_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| auth_start + i);
        if let Some(at) = out[auth_start..auth_end].rfind('@') {
            let userinfo = &out[auth_start..auth_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(auth_start + colon + 1..auth_start + at, "***");
            }
        }
    }
    if let Some(i) = out.to_ascii_lowercase().find("password=") {
        let start = i + "password=".len();
        let end = out[start..].find('&').map_or(out.len(), |j| start + j);
        out.replace_range(start..end, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        assert_eq!(
            ArchiveUrl::parse("sqlite:/tmp/a.db").unwrap(),
            ArchiveUrl::Sqlite("/tmp/a.db".into())
        );
        assert_eq!(
            ArchiveUrl::parse("sqlite:///tmp/a.db").unwrap(),
            ArchiveUrl::Sqlite("/tmp/a.db".into()),
            "sqlite:// followed by an absolute path"
        );
        assert_eq!(
            ArchiveUrl::parse("C:\\Users\\x\\a.db").unwrap(),
            ArchiveUrl::Sqlite("C:\\Users\\x\\a.db".into()),
            "a Windows path is a file, not a scheme"
        );
        assert!(ArchiveUrl::parse("postgresql://u:p@h:5432/db")
            .unwrap()
            .is_postgres());
        assert!(
            ArchiveUrl::parse("mysql://h/db").is_err(),
            "unsupported schemes are refused, not taken as a file name"
        );
        assert!(ArchiveUrl::parse("  ").is_err(), "blank is refused");
        assert_eq!(
            ArchiveUrl::default_in(Path::new("/data")),
            ArchiveUrl::Sqlite(Path::new("/data").join(DEFAULT_FILE_NAME))
        );
    }

    #[test]
    fn the_default_location_is_the_desktop_apps_data_directory() {
        let conf: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tauri.conf.json"
        )))
        .unwrap();
        assert_eq!(
            conf["identifier"], APP_IDENTIFIER,
            "the app's data directory is named after its identifier"
        );
        if let Some(data) = dirs::data_dir() {
            assert_eq!(
                ArchiveUrl::default_location().unwrap(),
                ArchiveUrl::Sqlite(data.join(APP_IDENTIFIER).join(DEFAULT_FILE_NAME))
            );
        }
    }

    #[test]
    fn display_hides_the_password() {
        let u = ArchiveUrl::parse("postgres://desk:s3cret@db.example:5432/archive").unwrap();
        let shown = u.to_string();
        assert!(!shown.contains("s3cret"), "password shown: {shown}");
        assert_eq!(shown, "postgres://desk:***@db.example:5432/archive");
        let u =
            ArchiveUrl::parse("postgres://h/db?user=a&password=s3cret&sslmode=require").unwrap();
        assert!(
            !format!("{u:?}").contains("s3cret"),
            "Debug hides a password parameter too"
        );
        assert_eq!(
            short("postgresql://desk:s3cret@db:5432/a?password=s3cret&sslrootcert=/ca.pem"),
            "postgresql://desk:***@db:5432/a",
            "errors name the server and database only"
        );
    }
}
