//! A string that must never be logged, serialised or shown: tokens, codes, verifiers, secrets.

use std::fmt;
use zeroize::Zeroize;

/// A secret string. `Debug` prints a redaction marker, there is no `Display` and no `Serialize`,
/// and the memory is zeroed on drop. Read it with [`Secret::expose`] at the one place that needs
/// the clear value (an HTTP header, a keyring write).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The clear value. Call only where the value leaves the process on purpose.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_is_redacted() {
        let s = Secret::new("16217394-cOqwKkp8MllCvSYnprfj");
        let shown = format!("{s:?} {:?}", Some(&s));
        assert!(
            !shown.contains("cOqwKkp8"),
            "a token must never appear in Debug output: {shown}"
        );
        assert!(
            shown.contains("[redacted]"),
            "Debug should show a redaction marker so logs still say a secret was there"
        );
    }
}
