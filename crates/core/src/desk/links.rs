//! Which URLs the app may hand to the operating system, and the e-mail invitation.
//!
//! The web UI cannot open anything itself (no `opener` permission): it asks Rust to open "the
//! supporter link of session X", and Rust opens it only as a [`CheckedLink`]. A compromised or
//! buggy page, or a hostile API response, therefore cannot make the OS launch `file:`,
//! `javascript:`, a TeamViewer URI handler (`teamviewer10://…`, `tvcontrol1:…`,
//! CVE-2020-13699), a `mailto:` with extra header fields (`?attach=/etc/passwd`) or an arbitrary
//! web site.
//!
//! A [`CheckedLink`] is a *parsed* [`Url`]; the opener is handed its serialisation, never the
//! string the server sent. There are exactly two ways to get one: [`check_link`] (the allow-list
//! for links from the API) and [`invitation_mailto`] (the one `mailto:` the app composes itself).

use super::settings::Language;
use std::fmt;
use url::{Host, Url};

/// The registrable domain of every link the TeamViewer API returns (`get.teamviewer.com`,
/// `login.teamviewer.com`).
const TEAMVIEWER_DOMAIN: &str = "teamviewer.com";

/// A URL the app may hand to the operating system: it passed [`check_link`] or is the
/// invitation [`invitation_mailto`] composed. The opener takes this type only, and opens
/// [`CheckedLink::as_str`], the serialisation of the parsed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLink(Url);

impl CheckedLink {
    /// The URL to open or copy: the parser's serialisation (host lower-cased and IDNA-encoded,
    /// default port dropped, non-ASCII percent-encoded), not the raw text the server sent.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.0
    }
}

/// Why [`check_link`] refused a link (for the log and the error message; never contains the
/// link itself, which may carry a session token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRefused(&'static str);

impl LinkRefused {
    /// The reason, in a few words.
    pub fn reason(&self) -> &'static str {
        self.0
    }
}

impl fmt::Display for LinkRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for LinkRefused {}

/// Checks a link the API returned and, if the app may open it, returns it parsed:
///
/// - the raw text must not hide anything: no whitespace or control characters anywhere (a
///   leading space, `\x01`, an embedded line break), no backslash (which a WHATWG parser reads
///   as `/`, others not: `https://get.teamviewer.com\@evil.example/`) and no user info (no `@`
///   before the host, even an empty one);
/// - `https` on `teamviewer.com` or one of its subdomains, default port
///   (`teamviewer.com.evil.io` and `evilteamviewer.com` are other domains and refused);
/// - or the sandbox's own loopback origin (same scheme, host and port exactly), only when
///   `sandbox_origin` is given, i.e. in sandbox mode.
///
/// Everything else (`http`, `file`, `javascript`, `mailto` — the app composes its own, see
/// [`invitation_mailto`] —, TeamViewer URI handlers such as `teamviewer10:` or `tvcontrol1:`,
/// other hosts) is refused. The app opens `https` hand-off pages only; "Open in TeamViewer" is
/// the API's `https` supporter link, never a custom scheme.
///
/// # Errors
/// [`LinkRefused`] with the reason.
pub fn check_link(raw: &str, sandbox_origin: Option<&Url>) -> Result<CheckedLink, LinkRefused> {
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(LinkRefused("contains whitespace or control characters"));
    }
    if raw.contains('\\') {
        return Err(LinkRefused("contains a backslash"));
    }
    if has_user_info(raw) {
        return Err(LinkRefused("carries user info"));
    }
    let url = Url::parse(raw).map_err(|_| LinkRefused("is not a URL"))?;
    // The raw-text test above already refuses any `@` before the host; this one is about the
    // parsed URL, should the two ever disagree about where the authority ends.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(LinkRefused("carries user info"));
    }
    if let Some(origin) = sandbox_origin {
        // Origins compare scheme, host and port (with the scheme's default port filled in).
        if url.origin() == origin.origin() && matches!(url.scheme(), "http" | "https") {
            return Ok(CheckedLink(url));
        }
    }
    if url.scheme() != "https" {
        return Err(LinkRefused("is not an https link"));
    }
    // `port()` is `None` for the default port (`:443` is normalised away).
    if url.port().is_some() {
        return Err(LinkRefused("uses a non-default port"));
    }
    match url.host() {
        // The URL parser lowercases and IDNA-normalises host names, so this comparison cannot
        // be fooled by case or Unicode lookalikes.
        Some(Host::Domain(host)) if is_teamviewer_host(host) => Ok(CheckedLink(url)),
        _ => Err(LinkRefused("is not a TeamViewer address")),
    }
}

/// `teamviewer.com` or a subdomain of it (a trailing dot is another name and refused).
fn is_teamviewer_host(host: &str) -> bool {
    host == TEAMVIEWER_DOMAIN
        || host
            .strip_suffix(TEAMVIEWER_DOMAIN)
            .is_some_and(|prefix| prefix.ends_with('.') && prefix.len() > 1)
}

/// Whether the authority of `scheme://authority/…` contains an `@`, i.e. user info, even an
/// empty one the parser would silently drop. (Backslashes are refused before this; for a
/// scheme without an authority such as `mailto:a@b` this says yes, which refuses it too.)
fn has_user_info(raw: &str) -> bool {
    // After `scheme:` and however many slashes (`https:@host` parses like `https://@host`).
    let Some((_, rest)) = raw.split_once(':') else {
        return false;
    };
    let authority = rest
        .trim_start_matches('/')
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    authority.contains('@')
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

/// The recipient of the invitation: the customer's address as the API returned it, if it is
/// one plain address (`local@domain.tld`). Anything else — a second address (`,`, `;`), header
/// fields (`?`, `&`, `=`), percent signs a mail client might decode twice, quotes, brackets,
/// whitespace or control characters — yields `None`, and the supporter types the recipient.
/// The local part is letters, digits and `. _ + - '`; the domain is dot-separated labels of
/// letters, digits and inner hyphens. Non-ASCII letters are allowed and get percent-encoded.
fn mail_recipient(email: &str) -> Option<&str> {
    let email = email.trim();
    if email.len() > 254 {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '+' | '-' | '\''))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    (local_ok && domain_ok).then_some(email)
}

/// Server text for the invitation's body: control characters (line breaks that would forge
/// extra lines of the e-mail) become spaces, and it is cut to `max` characters.
fn body_text(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Subject and body of the invitation in `language` (CRLF line breaks), with the server's
/// text made harmless by `body_text`.
fn invitation_parts(
    language: Language,
    code: &str,
    customer_name: Option<&str>,
    end_customer_link: &CheckedLink,
) -> (String, String) {
    let code = body_text(code, 40);
    let name = customer_name
        .map(|n| body_text(n, 100))
        .filter(|n| !n.is_empty());
    let link = end_customer_link.as_str();
    match language {
        Language::De => (
            format!("Fernwartung: Ihre Sitzung {code}"),
            format!(
                "{greeting}\r\n\r\nbitte öffnen Sie den folgenden Link, um an der Fernwartungssitzung \
                 teilzunehmen:\r\n{link}\r\n\r\nSitzungscode: {code}\r\n\r\nViele Grüße",
                greeting = match &name {
                    Some(n) => format!("Hallo {n},"),
                    None => "Guten Tag,".to_owned(),
                }
            ),
        ),
        Language::En | Language::Auto => (
            format!("Remote support: your session {code}"),
            format!(
                "{greeting}\r\n\r\nplease open the following link to join the remote support \
                 session:\r\n{link}\r\n\r\nSession code: {code}\r\n\r\nBest regards",
                greeting = match &name {
                    Some(n) => format!("Hello {n},"),
                    None => "Hello,".to_owned(),
                }
            ),
        ),
    }
}

/// The invitation as plain text to paste into any mail or chat (`\n` line breaks): the
/// subject line, a blank line, the body of [`invitation_mailto`] and, when known, the
/// supporter's name under the closing.
pub fn invitation_text(
    language: Language,
    code: &str,
    customer_name: Option<&str>,
    end_customer_link: &CheckedLink,
    supporter_name: Option<&str>,
) -> String {
    let (subject, body) = invitation_parts(language, code, customer_name, end_customer_link);
    let mut text = format!("{subject}\n\n{}", body.replace("\r\n", "\n"));
    if let Some(name) = supporter_name
        .map(|n| body_text(n, 100))
        .filter(|n| !n.is_empty())
    {
        text.push('\n');
        text.push_str(&name);
    }
    text
}

/// The invitation e-mail for a customer, the only `mailto:` the app opens:
/// `mailto:<email>?subject=…&body=…` with a fixed subject and body in `language` (German or
/// English; `Auto` must be resolved first and counts as English here) that carry the checked
/// end-customer link and the session code. There are no other header fields; every part is
/// percent-encoded (RFC 6068, line breaks CRLF). The recipient is the customer's e-mail only
/// if it is one plain address (see `mail_recipient`); otherwise, or without one, it is left
/// empty for the supporter to fill in.
///
/// # Errors
/// [`LinkRefused`] if the composed text does not parse back as the same `mailto:` URL (a bug,
/// not an input problem: everything variable is percent-encoded).
pub fn invitation_mailto(
    language: Language,
    code: &str,
    customer_name: Option<&str>,
    customer_email: Option<&str>,
    end_customer_link: &CheckedLink,
) -> Result<CheckedLink, LinkRefused> {
    let (subject, body) = invitation_parts(language, code, customer_name, end_customer_link);
    let recipient = customer_email.and_then(mail_recipient).map(|email| {
        // `@` stays readable; everything else outside the unreserved set is encoded.
        email
            .split('@')
            .map(mailto_encode)
            .collect::<Vec<_>>()
            .join("@")
    });
    let composed = format!(
        "mailto:{}?subject={}&body={}",
        recipient.unwrap_or_default(),
        mailto_encode(&subject),
        mailto_encode(&body)
    );
    match Url::parse(&composed) {
        Ok(url) if url.scheme() == "mailto" && url.as_str() == composed => Ok(CheckedLink(url)),
        _ => Err(LinkRefused(
            "the invitation did not compose to a mailto: URL",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn teamviewer_link(raw: &str) -> CheckedLink {
        check_link(raw, None).unwrap_or_else(|e| panic!("{raw} must be allowed: {e}"))
    }

    #[test]
    fn the_invitation_text_is_signed_and_keeps_server_text_on_one_line() {
        let link = teamviewer_link("https://get.teamviewer.com/v15/s1");
        let text = invitation_text(
            Language::De,
            "s1",
            Some("Jörg\r\nBcc: x@evil.example"),
            &link,
            Some("Anna Admin"),
        );
        assert!(
            text.starts_with("Fernwartung: Ihre Sitzung s1\n\nHallo Jörg  Bcc: x@evil.example,"),
            "subject, then the greeting with the name's line break flattened: {text}"
        );
        assert!(
            text.ends_with("Viele Grüße\nAnna Admin"),
            "signed with the supporter's name: {text}"
        );
        assert!(text.contains(link.as_str()), "carries the checked link");
        let unsigned = invitation_text(Language::En, "s1", None, &link, None);
        assert!(
            unsigned.ends_with("Best regards"),
            "no name, no signature line: {unsigned}"
        );
    }

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
                "explicit default port",
                "https://get.teamviewer.com:443/v15/s1",
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
                "trailing dot is another name",
                "https://get.teamviewer.com./x",
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
            (
                "empty user info the parser would drop",
                "https://@get.teamviewer.com/x",
                None,
                false,
            ),
            (
                "user info without slashes",
                "https:get.teamviewer.com@evil.example/",
                None,
                false,
            ),
            (
                "backslash before @ (parsers disagree where the host ends)",
                "https://get.teamviewer.com\\@evil.example/",
                None,
                false,
            ),
            (
                "backslash as a path separator",
                "https:\\\\get.teamviewer.com\\x",
                None,
                false,
            ),
            (
                "leading space",
                " https://get.teamviewer.com/x",
                None,
                false,
            ),
            (
                "trailing space",
                "https://get.teamviewer.com/x ",
                None,
                false,
            ),
            (
                "leading control character",
                "\u{1}https://get.teamviewer.com/x",
                None,
                false,
            ),
            (
                "embedded line break",
                "https://get.teamviewer.com/x\nhttps://evil.example/",
                None,
                false,
            ),
            (
                "embedded tab in the host",
                "https://get.team\tviewer.com/x",
                None,
                false,
            ),
            ("DEL", "https://get.teamviewer.com/x\u{7f}", None, false),
            (
                "C1 control",
                "https://get.teamviewer.com/x\u{85}",
                None,
                false,
            ),
            (
                "no-break space",
                "https://get.teamviewer.com/\u{a0}x",
                None,
                false,
            ),
            ("javascript", "javascript:alert(1)", None, false),
            ("file", "file:///etc/passwd", None, false),
            ("data", "data:text/html,<script>1</script>", None, false),
            (
                "URI handler",
                "teamviewer10://control?device=1",
                None,
                false,
            ),
            (
                "tvcontrol1 deep link",
                "tvcontrol1://control?device=123456789",
                None,
                false,
            ),
            (
                "teamviewerapi deep link",
                "teamviewerapi://control?device=1",
                None,
                false,
            ),
            (
                "a mailto from the server",
                "mailto:x@y?attach=/etc/passwd",
                None,
                false,
            ),
            (
                "a plain mailto from the server",
                "mailto:a@b.example",
                None,
                false,
            ),
            (
                "a mailto without an address from the server",
                "mailto:?attach=/etc/passwd",
                None,
                false,
            ),
            (
                "a mailto from the server in sandbox mode",
                "mailto:x@y?attach=/etc/passwd",
                sandbox.as_ref(),
                false,
            ),
            ("garbage", "not a url", None, false),
            ("empty", "", None, false),
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
                "user info on the sandbox origin",
                "http://x@127.0.0.1:4321/sandbox/join/s1",
                sandbox.as_ref(),
                false,
            ),
            (
                "line break on the sandbox origin",
                "http://127.0.0.1:4321/sandbox/join/s1\n",
                sandbox.as_ref(),
                false,
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
            let got = check_link(url, *origin);
            assert_eq!(
                got.is_ok(),
                *want,
                "{name}: check_link({url:?}) must be {}, got {got:?}",
                if *want { "allowed" } else { "refused" }
            );
        }
    }

    #[test]
    fn the_opener_gets_the_parsed_serialisation_not_the_raw_text() {
        let cases = [
            (
                "https://GET.TeamViewer.COM/v15/s1",
                "https://get.teamviewer.com/v15/s1",
                "the host is lower-cased",
            ),
            (
                "https://get.teamviewer.com:443/v15/s1",
                "https://get.teamviewer.com/v15/s1",
                "the default port is dropped",
            ),
            (
                "https://get.teamviewer.com",
                "https://get.teamviewer.com/",
                "an empty path becomes /",
            ),
            (
                "https://login.teamviewer.com/x?displayName=Jörg",
                "https://login.teamviewer.com/x?displayName=J%C3%B6rg",
                "non-ASCII is percent-encoded",
            ),
        ];
        for (raw, want, why) in cases {
            let link = teamviewer_link(raw);
            assert_eq!(link.as_str(), want, "{why}: {raw}");
            assert_eq!(link.url().as_str(), link.as_str(), "one serialisation");
        }
    }

    #[test]
    fn refusals_say_why_without_the_link() {
        let secret = "https://user@get.teamviewer.com/token-123";
        let e = check_link(secret, None).err();
        assert_eq!(
            e.map(|e| e.reason()),
            Some("carries user info"),
            "the reason names the problem"
        );
        assert!(
            !e.map(|e| e.to_string())
                .unwrap_or_default()
                .contains("token"),
            "the reason never repeats the link, which may carry a session token"
        );
    }

    #[test]
    fn mailto_is_percent_encoded_rfc6068() {
        let link = teamviewer_link("https://get.teamviewer.com/v15/s123456789?x=1&y=2");
        let m = invitation_mailto(
            Language::En,
            "s123-456-789",
            Some("Jörg & Co"),
            Some("a+b@example.com"),
            &link,
        )
        .expect("the invitation composes");
        let m = m.as_str();
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
        let de = invitation_mailto(Language::De, "s1", None, None, &link)
            .expect("the invitation composes");
        assert!(
            de.as_str().starts_with("mailto:?subject=Fernwartung"),
            "no address leaves the recipient empty, German subject: {de:?}"
        );
        assert!(
            de.as_str().contains("Guten%20Tag"),
            "German greeting without a name: {de:?}"
        );
    }

    /// The query of a `mailto:` as `(name, value)` pairs, decoded.
    fn hfields(m: &CheckedLink) -> Vec<(String, String)> {
        m.url()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn the_invitation_carries_only_subject_and_body() {
        let link = teamviewer_link("https://get.teamviewer.com/v15/s1");
        let m = invitation_mailto(
            Language::En,
            "s1?attach=/etc/passwd&cc=evil@evil.example",
            Some("Eve\r\nattach: /etc/passwd&attach=/etc/shadow"),
            Some("joerg@example.com"),
            &link,
        )
        .expect("the invitation composes");
        let names: Vec<String> = hfields(&m).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            ["subject", "body"],
            "server text (code, name) must not add header fields such as attach or cc: {m:?}"
        );
        assert_eq!(m.url().path(), "joerg@example.com", "one recipient: {m:?}");
        let body = hfields(&m)
            .into_iter()
            .find(|(k, _)| k == "body")
            .map(|(_, v)| v)
            .unwrap_or_default();
        assert!(
            body.starts_with("Hello Eve  attach: /etc/passwd&attach=/etc/shadow,\r\n"),
            "a line break in the customer name is flattened, not a forged line: {body:?}"
        );
    }

    #[test]
    fn a_hostile_customer_address_is_not_used_as_the_recipient() {
        let link = teamviewer_link("https://get.teamviewer.com/v15/s1");
        let hostile = [
            "x@y?attach=/etc/passwd",
            "x@y.example?attach=/etc/passwd",
            "a@b.example,evil@evil.example",
            "a@b.example;evil@evil.example",
            "a@b.example&cc=evil@evil.example",
            "a%2C@b.example",
            "a%40evil.example@b.example",
            "\"a b\"@b.example",
            "a@b@c.example",
            "<a@b.example>",
            "a@b.example\r\nBcc: evil@evil.example",
            "a@localhost",
            "a@-b.example",
            ".a@b.example",
            "a..b@b.example",
            "a@[127.0.0.1]",
        ];
        for email in hostile {
            let m = invitation_mailto(Language::En, "s1", None, Some(email), &link)
                .expect("the invitation composes");
            assert!(
                m.as_str().starts_with("mailto:?subject="),
                "{email:?} is not one plain address: the recipient must stay empty, got {m:?}"
            );
            assert_eq!(
                hfields(&m).len(),
                2,
                "{email:?}: still only subject and body"
            );
        }
        for (email, want) in [
            ("joerg@example.com", "mailto:joerg@example.com?"),
            (" joerg@example.com ", "mailto:joerg@example.com?"),
            (
                "o'brien+it@sub.example.co.uk",
                "mailto:o%27brien%2Bit@sub.example.co.uk?",
            ),
            (
                "jörg@müller.example",
                "mailto:j%C3%B6rg@m%C3%BCller.example?",
            ),
        ] {
            let m = invitation_mailto(Language::En, "s1", None, Some(email), &link)
                .expect("the invitation composes");
            assert!(
                m.as_str().starts_with(want),
                "{email:?} is a plain address and must be the recipient: {m:?}"
            );
        }
    }

    #[test]
    fn the_invitation_embeds_the_checked_serialisation() {
        let link = teamviewer_link("https://GET.teamviewer.com:443/v15/s1");
        let m = invitation_mailto(Language::En, "s1", None, None, &link)
            .expect("the invitation composes");
        let body = hfields(&m)
            .into_iter()
            .find(|(k, _)| k == "body")
            .map(|(_, v)| v)
            .unwrap_or_default();
        assert!(
            body.contains("\r\nhttps://get.teamviewer.com/v15/s1\r\n"),
            "the body carries the parsed link, not the server's spelling: {body:?}"
        );
    }
}
