//! The one error shape every command returns: `{ kind, message }` (docs/ipc.md).

use sdesk_core::error::ErrorReport;
use sdesk_core::ErrorKind;
use serde::Serialize;

/// What a command rejects with. Serialises as the core's [`ErrorReport`]: a stable snake_case
/// `kind` the UI branches on and a readable `message`. Never a bare string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct IpcError(pub ErrorReport);

impl IpcError {
    /// An error that does not come from the core (a plugin failed).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(ErrorReport {
            kind,
            message: message.into(),
        })
    }
}

impl From<sdesk_core::Error> for IpcError {
    fn from(e: sdesk_core::Error) -> Self {
        Self(e.report())
    }
}

/// The result type of every command.
pub type IpcResult<T> = Result<T, IpcError>;
