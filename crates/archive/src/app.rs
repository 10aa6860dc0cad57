//! Opening the archive for the desktop app: a damaged or unreadable file leaves the app running
//! with the log in memory only and can be rebuilt, moving the bad file aside (renamed with a
//! timestamp suffix, never deleted); an archive of a newer schema is refused and never offered
//! for a rebuild, so it is not lost without asking.

use crate::{Archive, ArchiveUrl};
use chrono::Utc;
use sdesk_core::error::ErrorKind;
use sdesk_core::{Error, Result};
use std::path::{Path, PathBuf};

/// The outcome of opening the app's archive at launch.
#[derive(Debug)]
pub enum AppArchive {
    /// Open and migrated.
    Open(Archive),
    /// Could not be opened; the app runs with the log in memory only. `rebuild` says whether
    /// [`rebuild`] may move the file aside (a damaged or unreadable SQLite file), which the app
    /// offers to the user; never for a newer schema or an unreachable server.
    Unavailable {
        /// Why (kind `database` for a damaged file, `config` for a newer schema).
        error: Error,
        /// Whether a rebuild is offered.
        rebuild: bool,
    },
}

/// Opens the archive at `url` for the app.
pub async fn open_for_app(url: &ArchiveUrl) -> AppArchive {
    match Archive::open(url).await {
        Ok(archive) => AppArchive::Open(archive),
        Err(error) => {
            let rebuild =
                matches!(url, ArchiveUrl::Sqlite(_)) && error.kind() == ErrorKind::Database;
            tracing::warn!(kind = %error.kind(), rebuild, "archive not opened: {error}");
            AppArchive::Unavailable { error, rebuild }
        }
    }
}

/// Moves the damaged SQLite file at `url` aside (with its `-wal`/`-shm` companions) as
/// `NAME.damaged-YYYYMMDDTHHMMSSZ` and opens a new, empty archive in its place. Returns the new
/// archive and where the old file went.
///
/// # Errors
/// [`Error::InvalidInput`] for a PostgreSQL archive (never rebuilt by the app); file errors of
/// the rename (nothing is moved then); the new archive's errors.
pub async fn rebuild(url: &ArchiveUrl) -> Result<(Archive, Option<PathBuf>)> {
    let ArchiveUrl::Sqlite(path) = url else {
        return Err(Error::invalid(
            "archive",
            "only the app's own SQLite archive can be rebuilt",
        ));
    };
    let moved = move_aside(path)?;
    let archive = Archive::open(url).await?;
    Ok((archive, moved))
}

/// Renames `path` (and its `-wal`/`-shm` files) to a free name with a timestamp suffix.
fn move_aside(path: &Path) -> Result<Option<PathBuf>> {
    if !path.exists() {
        return Ok(None);
    }
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut target = suffixed(path, &format!("damaged-{stamp}"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = suffixed(path, &format!("damaged-{stamp}-{n}"));
    }
    std::fs::rename(path, &target)?;
    for side in ["-wal", "-shm"] {
        let mut from = path.as_os_str().to_owned();
        from.push(side);
        let from = PathBuf::from(from);
        if from.exists() {
            let mut to = target.as_os_str().to_owned();
            to.push(side);
            std::fs::rename(&from, PathBuf::from(to))?;
        }
    }
    tracing::warn!(to = %target.display(), "damaged archive moved aside");
    Ok(Some(target))
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".");
    name.push(suffix);
    path.with_file_name(name)
}
