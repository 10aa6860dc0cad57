//! TLS failures of a connection as configuration errors that say what to change.

use super::TlsSettings;
use crate::error::config;
use rustls::CertificateError;
use sdesk_core::Error;
use std::error::Error as _;

/// A connection failure that TLS explains (a certificate that does not verify, a server
/// without TLS when the mode requires it), as a configuration error that says what to change;
/// `None` for any other failure.
pub(crate) fn explain(shown: &str, tls: &TlsSettings, e: &tokio_postgres::Error) -> Option<Error> {
    let mut source = e.source();
    let mut handshake = None;
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<rustls::Error>() {
            handshake = Some(r);
            break;
        }
        if let Some(r) = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            handshake = Some(r);
            break;
        }
        if s.to_string() == "server does not support TLS" {
            return Some(config(format!(
                "the PostgreSQL server of the archive {shown} does not accept TLS connections, \
                 and sslmode={} asks for one: turn on ssl in the server's postgresql.conf \
                 (or, on a network you trust, use sslmode=prefer)",
                tls.mode.as_str()
            )));
        }
        source = s.source();
    }
    let r = handshake?;
    let what = match r {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => format!(
                "presented a certificate that is not signed by {}: name the CA that signed \
                 the server's certificate with sslrootcert=PATH (a PEM file); if it is the \
                 right one, the connection may be intercepted",
                tls.roots
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "presented a certificate that is not issued for the host name in the URL: \
                 connect with a name the certificate lists (or use sslmode=verify-ca to check \
                 only the CA)"
                    .to_owned()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "presented a certificate that has expired: renew the server's certificate"
                    .to_owned()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "presented a certificate that is not valid yet: check the clocks of this \
                 computer and the server"
                    .to_owned()
            }
            other => format!("presented a certificate that does not verify ({other:?})"),
        },
        other => format!("failed the TLS handshake: {other}"),
    };
    Some(config(format!(
        "the PostgreSQL server of the archive {shown} {what} (sslmode={})",
        tls.mode.as_str()
    )))
}
