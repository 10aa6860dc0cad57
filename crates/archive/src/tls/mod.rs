//! TLS for the PostgreSQL archive: libpq's `sslmode` and `sslrootcert` URL parameters, on
//! rustls (ring) through tokio-postgres-rustls.
//!
//! | `sslmode` | encrypted | certificate checked |
//! |---|---|---|
//! | `disable` | no | – |
//! | `prefer` (default) | when the server offers TLS | no |
//! | `require` | yes | no (with `sslrootcert`: as `verify-ca`, as libpq does) |
//! | `verify-ca` | yes | signed by the CA |
//! | `verify-full` | yes | signed by the CA and issued for the host |
//!
//! The CA is the PEM file `sslrootcert=PATH`; without one (or with `sslrootcert=system`) the
//! public certificate authorities the app's HTTPS trusts (Mozilla's list). tokio-postgres itself
//! knows only `disable`, `prefer` and `require` and no `sslrootcert`: [`split_url`] takes these
//! parameters out of the URL and hands tokio-postgres the mode it understands.
//!
//! `verify.rs`: the certificate checks per mode; `explain.rs`: TLS failures as errors that say
//! what to change.

mod explain;
mod verify;

pub(crate) use explain::explain;
use verify::{load_roots, AnyHostName, Unchecked};

use crate::error::config;
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::ClientConfig;
use sdesk_core::Result;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode` values (`allow` is not offered: tokio-postgres cannot try plain first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self> {
        Ok(match value {
            "disable" => Self::Disable,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            other => {
                return Err(config(format!(
                    "the archive URL's sslmode={} is not one of disable, prefer, require, \
                     verify-ca, verify-full",
                    other.chars().take(40).collect::<String>()
                )))
            }
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }

    /// The mode tokio-postgres understands: whether TLS is used, not how it is checked.
    fn for_driver(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require | Self::VerifyCa | Self::VerifyFull => "require",
        }
    }
}

/// Where the trusted CA certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Roots {
    /// The public certificate authorities (Mozilla's list, as the app's HTTPS client).
    Public,
    /// The PEM file named by `sslrootcert`.
    File(PathBuf),
}

impl fmt::Display for Roots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Public => f.write_str("the public certificate authorities (no sslrootcert)"),
            Self::File(p) => write!(f, "the CA in sslrootcert={}", p.display()),
        }
    }
}

/// The TLS part of an archive URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    /// The `sslmode` as given (default `prefer`).
    pub mode: SslMode,
    pub roots: Roots,
    /// Whether `sslrootcert` was given (a file or `system`).
    explicit_roots: bool,
}

impl TlsSettings {
    /// The check actually made: `require` with an `sslrootcert` checks the CA, as in libpq.
    pub fn effective_mode(&self) -> SslMode {
        match self.mode {
            SslMode::Require if self.explicit_roots => SslMode::VerifyCa,
            m => m,
        }
    }

    /// Whether the server's certificate is checked against a CA.
    pub fn verifies(&self) -> bool {
        matches!(
            self.effective_mode(),
            SslMode::VerifyCa | SslMode::VerifyFull
        )
    }

    /// The connector for tokio-postgres: rustls with ring, checking what the mode asks for. A
    /// `sslrootcert` file that cannot be read or holds no certificate is a configuration error.
    pub fn connector(&self) -> Result<MakeRustlsConnect> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| config(format!("TLS cannot be set up: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = if self.verifies() {
            let roots = load_roots(&self.roots)?;
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| {
                    config(format!(
                        "the certificates of {} are not usable: {e}",
                        self.roots
                    ))
                })?;
            if self.effective_mode() == SslMode::VerifyFull {
                webpki
            } else {
                Arc::new(AnyHostName(webpki))
            }
        } else {
            Arc::new(Unchecked(provider))
        };
        let tls = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(tls))
    }
}

/// Takes `sslmode` and `sslrootcert` out of a `postgres://` URL: the URL for tokio-postgres
/// (with `sslmode` one of the values it knows) and the TLS settings.
pub(crate) fn split_url(url: &str) -> Result<(String, TlsSettings)> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut mode = SslMode::Prefer;
    let mut roots = Roots::Public;
    let mut explicit_roots = false;
    let mut kept = Vec::new();
    for pair in query.into_iter().flat_map(|q| q.split('&')) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = SslMode::parse(&percent_decode(value)?)?,
            "sslrootcert" => {
                let value = percent_decode(value)?;
                if value.is_empty() {
                    return Err(config(
                        "the archive URL's sslrootcert= is empty: name the CA's PEM file",
                    ));
                }
                explicit_roots = true;
                roots = if value == "system" {
                    Roots::Public
                } else {
                    Roots::File(PathBuf::from(value))
                };
            }
            "sslcert" | "sslkey" | "sslpassword" | "sslcrl" | "sslcrldir" => {
                return Err(config(format!(
                    "the archive URL's {key}= is not supported: client certificates and \
                     revocation lists are not (use a password, and sslmode=verify-full with \
                     sslrootcert)"
                )))
            }
            "" => {}
            _ => kept.push(pair),
        }
    }
    kept.push(match mode.for_driver() {
        "disable" => "sslmode=disable",
        "prefer" => "sslmode=prefer",
        _ => "sslmode=require",
    });
    let driver_url = format!("{base}?{}", kept.join("&"));
    Ok((
        driver_url,
        TlsSettings {
            mode,
            roots,
            explicit_roots,
        },
    ))
}

/// `%XX` escapes of a URL query value (`+` stays a plus, as in libpq).
fn percent_decode(value: &str) -> Result<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| config("the archive URL has a broken %-escape in a parameter"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| config("the archive URL has a parameter that is not UTF-8 after %-decoding"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> (String, TlsSettings) {
        split_url(url).unwrap()
    }

    #[test]
    fn sslmode_and_sslrootcert_are_taken_out_of_the_url() {
        let (u, s) = split("postgres://u:p@h:5432/db");
        assert_eq!(
            u, "postgres://u:p@h:5432/db?sslmode=prefer",
            "libpq's default"
        );
        assert_eq!(s.mode, SslMode::Prefer);
        assert!(!s.verifies(), "prefer encrypts without checking");

        let (u, s) = split(
            "postgres://u@h/db?application_name=x&sslmode=verify-full&sslrootcert=%2Fetc%2Fca%20file.pem",
        );
        assert_eq!(
            u, "postgres://u@h/db?application_name=x&sslmode=require",
            "tokio-postgres gets the modes it knows and no sslrootcert"
        );
        assert_eq!(s.effective_mode(), SslMode::VerifyFull);
        assert_eq!(s.roots, Roots::File("/etc/ca file.pem".into()), "%-decoded");

        let (u, s) = split("postgres://u@h/db?sslmode=disable");
        assert_eq!(u, "postgres://u@h/db?sslmode=disable");
        assert_eq!(s.mode, SslMode::Disable);
    }

    #[test]
    fn require_with_a_ca_checks_the_ca_as_libpq_does() {
        let (_, s) = split("postgres://h/db?sslmode=require");
        assert!(
            !s.verifies(),
            "require alone does not check the certificate"
        );
        let (_, s) = split("postgres://h/db?sslmode=require&sslrootcert=/ca.pem");
        assert_eq!(s.effective_mode(), SslMode::VerifyCa);
        let (_, s) = split("postgres://h/db?sslmode=verify-full&sslrootcert=system");
        assert_eq!(s.roots, Roots::Public, "system: the public CAs");
        let (_, s) = split("postgres://h/db?sslmode=verify-ca");
        assert_eq!(s.roots, Roots::Public, "no sslrootcert: the public CAs");
    }

    #[test]
    fn bad_tls_parameters_are_configuration_errors() {
        for url in [
            "postgres://h/db?sslmode=allow",
            "postgres://h/db?sslmode=verify_full",
            "postgres://h/db?sslmode=require&sslrootcert=",
            "postgres://h/db?sslrootcert=%zz",
        ] {
            let err = split_url(url).unwrap_err();
            assert_eq!(err.kind(), sdesk_core::ErrorKind::Config, "{url}: {err}");
        }
    }

    #[test]
    fn an_unreadable_or_empty_ca_file_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("sdesk-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.pem");
        let (_, s) = split(&format!(
            "postgres://h/db?sslmode=verify-full&sslrootcert={}",
            missing.display()
        ));
        let err = s.connector().err().expect("a missing CA file is refused");
        assert!(
            err.to_string().contains("cannot be read") && err.to_string().contains("missing.pem"),
            "names the file: {err}"
        );
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let (_, s) = split(&format!(
            "postgres://h/db?sslmode=verify-ca&sslrootcert={}",
            empty.display()
        ));
        let err = s
            .connector()
            .err()
            .expect("a file without certificates is refused");
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
        let (_, s) = split(&format!(
            "postgres://h/db?sslmode=prefer&sslrootcert={}",
            missing.display()
        ));
        assert!(
            s.connector().is_ok(),
            "prefer does not check the certificate, so it does not read the CA file"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
