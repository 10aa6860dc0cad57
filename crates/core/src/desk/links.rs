//! Which URLs the app may hand to the operating system, and the e-mail invitation.
//!
//! The web UI cannot open anything itself (no `opener` permission): it asks Rust to open "the
//! supporter link of session X", and Rust opens it only if it passes [`is_openable_url`]. A
//! compromised or buggy page therefore cannot make the OS launch `file:`, `javascript:`, a
//! TeamViewer URI handler (`teamviewer10://…`, CVE-2020-13699) or an arbitrary web site.

use super::settings::Language;
use url::{Host, Url};

/// The registrable domain of every link the TeamViewer API returns (`get.teamviewer.com`,
/// `login.teamviewer.com`).
const TEAMVIEWER_DOMAIN: &str = "teamviewer.com";

/// Whether the app may open `raw` with the OS:
///
/// - `https` on `teamviewer.com` or one of its subdomains, default port, no user info
///   (`teamviewer.com.evil.io` and `evilteamviewer.com` are other domains and refused);
/// - `mailto:` (the prepared invitation);
/// - the sandbox's own loopback origin (same scheme, host and port exactly), only when
///   `sandbox_origin` is given, i.e. in sandbox mode.
///
/// Everything else (`http`, `file`, `javascript`, custom schemes, other hosts) is refused.
pub fn is_openable_url(raw: &str, sandbox_origin: Option<&Url>) -> bool {
    let Ok(url) = Url::parse(raw.trim()) else {
        return false;
    };
    if url.scheme() == "mailto" {
        return true;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    if let Some(origin) = sandbox_origin {
        // Origins compare scheme, host and port (with the scheme's default port filled in).
        if url.origin() == origin.origin() && matches!(url.scheme(), "http" | "https") {
            return true;
        }
    }
    if url.scheme() != "https" || url.port().is_some() {
        return false;
    }
    match url.host() {
        // The URL parser lowercases and IDNA-normalises host names, so this comparison cannot
        // be fooled by case or Unicode lookalikes.
        Some(Host::Domain(host)) => {
            host == TEAMVIEWER_DOMAIN
                || host
                    .strip_suffix(TEAMVIEWER_DOMAIN)
                    .is_some_and(|prefix| prefix.ends_with('.') && prefix.len() > 1)
        }
        _ => false,
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters, as RFC 6068 asks for
/// `mailto:` header values (a space is `%20`, never `+`).
pub(crate) fn mailto_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The address part of a `mailto:` URL: `@` stays readable, anything that could start a query
/// or a second address (`?`, `&`, `,`, `%`, spaces, …) is encoded.
fn mailto_address(email: &str) -> String {
    email
        .trim()
        .split('@')
        .map(mailto_encode)
        .collect::<Vec<_>>()
        .join("@")
}

/// The invitation e-mail for a customer: `mailto:<email>?subject=…&body=…` with the
/// end-customer link and the session code, in `language` (German or English; `Auto` must be
/// resolved first and counts as English here). Line breaks are CRLF as RFC 6068 requires.
/// Without an e-mail address the recipient is left empty for the supporter to fill in.
pub fn invitation_mailto(
    language: Language,
    code: &str,
    customer_name: Option<&str>,
    customer_email: Option<&str>,
    end_customer_link: &str,
) -> String {
    let name = customer_name.map(str::trim).filter(|n| !n.is_empty());
    let (subject, body) = match language {
        Language::De => (
            format!("Fernwartung: Ihre Sitzung {code}"),
            format!(
                "{greeting}\r\n\r\nbitte öffnen Sie den folgenden Link, um an der Fernwartungssitzung \
                 teilzunehmen:\r\n{end_customer_link}\r\n\r\nSitzungscode: {code}\r\n\r\nViele Grüße",
                greeting = match name {
                    Some(n) => format!("Hallo {n},"),
                    None => "Guten Tag,".to_owned(),
                }
            ),
        ),
        Language::En | Language::Auto => (
            format!("Remote support: your session {code}"),
            format!(
                "{greeting}\r\n\r\nplease open the following link to join the remote support \
                 session:\r\n{end_customer_link}\r\n\r\nSession code: {code}\r\n\r\nBest regards",
                greeting = match name {
                    Some(n) => format!("Hello {n},"),
                    None => "Hello,".to_owned(),
                }
            ),
        ),
    };
    format!(
        "mailto:{}?subject={}&body={}",
        customer_email.map(mailto_address).unwrap_or_default(),
        mailto_encode(&subject),
        mailto_encode(&body)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_table() {
        let sandbox = Url::parse("http://127.0.0.1:4321/").ok();
        let cases: &[(&str, &str, Option<&Url>, bool)] = &[
            (
                "TeamViewer https",
                "https://get.teamviewer.com/v15/s1234-abc",
                None,
                true,
            ),
            ("apex domain", "https://teamviewer.com/x", None, true),
            (
                "WebClient",
                "https://login.teamviewer.com/Connect/IndexByol?sessioncode=s1",
                None,
                true,
            ),
            (
                "upper-case host",
                "https://GET.TeamViewer.COM/v15/s1",
                None,
                true,
            ),
            (
                "http refused",
                "http://get.teamviewer.com/v15/s1",
                None,
                false,
            ),
            (
                "lookalike suffix",
                "https://teamviewer.com.evil.io/x",
                None,
                false,
            ),
            (
                "lookalike prefix",
                "https://evilteamviewer.com/x",
                None,
                false,
            ),
            (
                "other port",
                "https://get.teamviewer.com:8443/x",
                None,
                false,
            ),
            (
                "user info",
                "https://user@get.teamviewer.com/x",
                None,
                false,
            ),
            ("javascript", "javascript:alert(1)", None, false),
            ("file", "file:///etc/passwd", None, false),
            (
                "URI handler",
                "teamviewer10://control?device=1",
                None,
                false,
            ),
            ("mailto", "mailto:a@b.example?subject=x", None, true),
            ("garbage", "not a url", None, false),
            (
                "sandbox origin outside sandbox mode",
                "http://127.0.0.1:4321/sandbox/join/s1",
                None,
                false,
            ),
            (
                "sandbox origin in sandbox mode",
                "http://127.0.0.1:4321/sandbox/join/s1",
                sandbox.as_ref(),
                true,
            ),
            (
                "other loopback port in sandbox mode",
                "http://127.0.0.1:4322/sandbox/join/s1",
                sandbox.as_ref(),
                false,
            ),
            (
                "https on the sandbox host",
                "https://127.0.0.1:4321/",
                sandbox.as_ref(),
                false,
            ),
            (
                "TeamViewer still fine in sandbox mode",
                "https://get.teamviewer.com/v15/s1",
                sandbox.as_ref(),
                true,
            ),
        ];
        for (name, url, origin, want) in cases {
            assert_eq!(
                is_openable_url(url, *origin),
                *want,
                "{name}: is_openable_url({url}) must be {want}"
            );
        }
    }

    #[test]
    fn mailto_is_percent_encoded_rfc6068() {
        let m = invitation_mailto(
            Language::En,
            "s123-456-789",
            Some("Jörg & Co"),
            Some("a+b@example.com"),
            "https://get.teamviewer.com/v15/s123456789?x=1&y=2",
        );
        assert!(
            m.starts_with("mailto:a%2Bb@example.com?subject=Remote%20support"),
            "address encoded, space as %20: {m}"
        );
        let body = m.split("&body=").nth(1).unwrap_or_default();
        assert!(
            !body.contains('&') && !body.contains('?') && !body.contains(' '),
            "the body must not leak raw separators: {body}"
        );
        assert!(
            body.contains("%0D%0A"),
            "line breaks are CRLF-encoded: {body}"
        );
        assert!(
            body.contains("J%C3%B6rg%20%26%20Co"),
            "UTF-8 and & are encoded: {body}"
        );
        assert!(
            body.contains("https%3A%2F%2Fget.teamviewer.com%2Fv15%2Fs123456789%3Fx%3D1%26y%3D2"),
            "the link survives encoding intact: {body}"
        );
        let de = invitation_mailto(
            Language::De,
            "s1",
            None,
            None,
            "https://get.teamviewer.com/x",
        );
        assert!(
            de.starts_with("mailto:?subject=Fernwartung"),
            "no address leaves the recipient empty, German subject: {de}"
        );
        assert!(
            de.contains("Guten%20Tag"),
            "German greeting without a name: {de}"
        );
    }
}
