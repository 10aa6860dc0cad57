//! How database failures become [`sdesk_core::Error`], the one error type the app and the CLI
//! report (`{kind, message}`).
//!
//! Failures of the archive file or server (SQLite and PostgreSQL errors, a file that is not a
//! readable database) are [`Error::Database`] (kind `database`: the app offers to rebuild a file
//! that cannot be read), a PostgreSQL server that cannot be reached is [`Error::Network`], and an
//! archive written by a newer program or an unusable URL is [`Error::Config`] (never rebuilt). Every message names the
//! archive (never a password) and says what to do.

use sdesk_core::Error;

/// A failure of the archive's storage, with a message naming the archive.
pub(crate) fn storage(message: impl Into<String>) -> Error {
    Error::Database {
        message: message.into(),
    }
}

/// The file is not a readable database (not SQLite, or damaged). Nothing was written to it.
pub(crate) fn unreadable(message: impl Into<String>) -> Error {
    Error::Database {
        message: message.into(),
    }
}

/// The archive belongs to a newer schema, another program, or the URL is unusable.
pub(crate) fn config(message: impl Into<String>) -> Error {
    Error::Config {
        message: message.into(),
    }
}

/// Another sync of the same archive took over the run this one was continuing.
pub(crate) fn taken_over() -> Error {
    storage(
        "another sync of this archive took over the run (its pages are kept); \
         only one sync runs at a time",
    )
}
