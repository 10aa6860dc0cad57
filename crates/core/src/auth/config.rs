//! Where sign-in happens: the OAuth endpoints, the client ID/secret, and the redirect URI.

use crate::error::{Error, Result};
use crate::secret::Secret;
use std::borrow::Cow;
use std::fmt;
use url::{Host, Url};

/// The production login origin; the consent page is `{login}/oauth2/authorize`.
pub const DEFAULT_LOGIN_URL: &str = "https://login.teamviewer.com";

/// The custom URL scheme of the default deep-link redirect. Reverse-DNS per RFC 8252 §7.1, so it
/// cannot collide with another app's scheme by accident.
pub const DEFAULT_DEEP_LINK_SCHEME: &str = "dev.supporterdesk";

/// The fixed port of the loopback redirect (RFC 8252 §7.3). Fixed because TeamViewer matches the
/// registered redirect URI exactly; whether it ignores the port like RFC 8252 asks is unknown.
pub const DEFAULT_LOOPBACK_PORT: u16 = 47813;

/// The path of both redirect kinds.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// Where the browser sends the user back after the consent page.
///
/// Both kinds feed the same callback handler ([`crate::auth::SignInFlow::complete`]); they differ
/// only in how the URL reaches the app: an OS deep link, or the local
/// [`crate::auth::LoopbackListener`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectUri {
    /// A private-use URI scheme, `dev.supporterdesk:/oauth/callback` by default (one slash: the URI
    /// has no authority, as RFC 8252 §7.1 recommends). Build it with [`RedirectUri::deep_link`].
    DeepLink(Url),
    /// `http://127.0.0.1:PORT/oauth/callback`. The literal IPv4 loopback address, not
    /// `localhost`, so that no resolver or firewall rule can send the code elsewhere.
    Loopback {
        /// The fixed local port.
        port: u16,
    },
}

impl RedirectUri {
    /// `{scheme}:/oauth/callback`. The scheme must be a valid URI scheme containing a dot
    /// (reverse-DNS, RFC 8252 §7.1) and must not be `http`/`https`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a scheme that is empty, not reverse-DNS or not a valid scheme.
    pub fn deep_link(scheme: &str) -> Result<Self> {
        let scheme = scheme.trim().to_ascii_lowercase();
        let valid_chars = scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
        let starts_alpha = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic());
        if !valid_chars || !starts_alpha || !scheme.contains('.') || scheme.ends_with('.') {
            return Err(Error::invalid(
                "redirect scheme",
                "must be a reverse-DNS URI scheme such as dev.supporterdesk",
            ));
        }
        let url = Url::parse(&format!("{scheme}:{CALLBACK_PATH}"))
            .map_err(|e| Error::invalid("redirect scheme", e.to_string()))?;
        Ok(Self::DeepLink(url))
    }

    /// `http://127.0.0.1:{port}/oauth/callback`.
    pub fn loopback(port: u16) -> Self {
        Self::Loopback { port }
    }

    /// Parses a redirect URI from settings or an environment variable: either
    /// `http://127.0.0.1:PORT/oauth/callback` or `<reverse.dns.scheme>:/oauth/callback`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for anything else (other paths, hosts, `localhost`, a query).
    pub fn parse(raw: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid("redirect URI", why.to_owned());
        let url = Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(bad("must not have a query, fragment or user name"));
        }
        if url.path() != CALLBACK_PATH {
            return Err(bad("the path must be /oauth/callback"));
        }
        match url.scheme() {
            "http" => match (url.host(), url.port()) {
                (Some(Host::Ipv4(ip)), Some(port))
                    if ip == std::net::Ipv4Addr::LOCALHOST && port != 0 =>
                {
                    Ok(Self::Loopback { port })
                }
                _ => Err(bad(
                    "a loopback redirect must be http://127.0.0.1:PORT/oauth/callback",
                )),
            },
            "https" => Err(bad(
                "use the deep link or an http://127.0.0.1 loopback redirect",
            )),
            scheme => {
                if url.host_str().is_some_and(|h| !h.is_empty()) || url.port().is_some() {
                    return Err(bad("a deep link must look like scheme:/oauth/callback"));
                }
                Self::deep_link(scheme)
            }
        }
    }

    /// The exact string registered with TeamViewer and sent as `redirect_uri`.
    pub fn as_str(&self) -> Cow<'_, str> {
        match self {
            Self::DeepLink(url) => Cow::Borrowed(url.as_str()),
            Self::Loopback { port } => {
                Cow::Owned(format!("http://127.0.0.1:{port}{CALLBACK_PATH}"))
            }
        }
    }

    /// Whether `candidate` names this redirect endpoint: same scheme, host, port and path; no
    /// user info and no fragment. The query is not looked at here.
    ///
    /// For a deep link without authority (`scheme:/oauth/callback`) an *empty* authority
    /// (`scheme:///oauth/callback`) is accepted as the same thing: some OS and browser hand-offs
    /// rewrite the one-slash form into the three-slash form, and neither names a host. A non-empty
    /// host (`scheme://oauth/callback`) or any port is rejected.
    pub(crate) fn matches(&self, candidate: &Url) -> bool {
        if !candidate.username().is_empty()
            || candidate.password().is_some()
            || candidate.fragment().is_some()
        {
            return false;
        }
        match self {
            Self::DeepLink(registered) => {
                let host = |u: &Url| u.host_str().unwrap_or("").to_owned();
                candidate.scheme() == registered.scheme()
                    && host(candidate) == host(registered)
                    && candidate.port() == registered.port()
                    && candidate.path() == registered.path()
            }
            Self::Loopback { port } => {
                candidate.scheme() == "http"
                    && candidate.host() == Some(Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                    && candidate.port_or_known_default() == Some(*port)
                    && candidate.path() == CALLBACK_PATH
            }
        }
    }
}

impl Default for RedirectUri {
    /// The deep link `dev.supporterdesk:/oauth/callback`.
    fn default() -> Self {
        // The constant is a valid scheme (a unit test checks it); the loopback fallback only
        // exists so that this stays free of panics.
        Self::deep_link(DEFAULT_DEEP_LINK_SCHEME).unwrap_or(Self::Loopback {
            port: DEFAULT_LOOPBACK_PORT,
        })
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// The OAuth client: who we are to TeamViewer and where its endpoints are.
///
/// TeamViewer apps are "bring your own": the organisation registers the app and supplies the
/// client ID and secret. A secret shipped inside a desktop app is not confidential, which is why
/// every sign-in also uses PKCE.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    /// The app's client ID.
    pub client_id: String,
    /// The app's client secret, when the registration has one. Sent in the form body.
    pub client_secret: Option<Secret>,
    /// The consent page, `{login}/oauth2/authorize`.
    pub authorize_url: Url,
    /// The token endpoint, `{api}/api/v1/oauth2/token`.
    pub token_url: Url,
    /// The revocation endpoint, `{api}/api/v1/oauth2/revoke`.
    pub revoke_url: Url,
    /// The redirect URI registered for the app.
    pub redirect_uri: RedirectUri,
}

impl OAuthConfig {
    /// Derives the endpoints from an API origin and a login origin: authorize =
    /// `{login_base}/oauth2/authorize`, token = `{api_base}/api/v1/oauth2/token`, revoke =
    /// `{api_base}/api/v1/oauth2/revoke`. A trailing `/api/v1` on `api_base` is tolerated. The
    /// sandbox serves everything on one origin, so both bases may be the same URL.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty client ID; [`Error::Config`] for a base that is not an
    /// `http(s)` URL with a host.
    pub fn for_api(
        api_base: &Url,
        login_base: &Url,
        client_id: impl Into<String>,
        client_secret: Option<Secret>,
        redirect_uri: RedirectUri,
    ) -> Result<Self> {
        let client_id = client_id.into().trim().to_owned();
        if client_id.is_empty() {
            return Err(Error::invalid("client ID", "is empty"));
        }
        let client_secret = client_secret.filter(|s| !s.expose().trim().is_empty());
        let api_root = api_origin(api_base)?;
        Ok(Self {
            client_id,
            client_secret,
            authorize_url: join_path(login_base, "oauth2/authorize")?,
            token_url: join_path(&api_root, "api/v1/oauth2/token")?,
            revoke_url: join_path(&api_root, "api/v1/oauth2/revoke")?,
            redirect_uri,
        })
    }

    /// [`OAuthConfig::for_api`] with the production origins ([`crate::client::DEFAULT_API_URL`]
    /// and [`DEFAULT_LOGIN_URL`]).
    ///
    /// # Errors
    /// As [`OAuthConfig::for_api`].
    pub fn teamviewer(
        client_id: impl Into<String>,
        client_secret: Option<Secret>,
        redirect_uri: RedirectUri,
    ) -> Result<Self> {
        let parse = |raw: &str| {
            Url::parse(raw).map_err(|e| Error::Config {
                message: format!("built-in URL {raw} is invalid: {e}"),
            })
        };
        Self::for_api(
            &parse(crate::client::DEFAULT_API_URL)?,
            &parse(DEFAULT_LOGIN_URL)?,
            client_id,
            client_secret,
            redirect_uri,
        )
    }
}

/// The API origin without a trailing `/api/v1`.
pub(crate) fn api_origin(base: &Url) -> Result<Url> {
    check_base(base)?;
    let mut url = base.clone();
    let path = url.path().trim_end_matches('/').to_owned();
    let path = path.strip_suffix("/api/v1").unwrap_or(&path).to_owned();
    url.set_path(&path);
    Ok(url)
}

/// `{base path without trailing slash}/{suffix}`, with no query or fragment.
pub(crate) fn join_path(base: &Url, suffix: &str) -> Result<Url> {
    check_base(base)?;
    let mut url = base.clone();
    let path = format!("{}/{suffix}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// An `https` URL with a host, or `http` on a loopback host (the sandbox): the token and
/// revocation endpoints receive codes, tokens and the client secret.
fn check_base(base: &Url) -> Result<()> {
    if !matches!(base.scheme(), "http" | "https")
        || base.cannot_be_a_base()
        || base.host().is_none()
    {
        return Err(Error::Config {
            message: format!("{} is not an http(s) URL with a host", redact_base(base)),
        });
    }
    if base.scheme() == "http" && !crate::client::is_loopback_host(base) {
        return Err(Error::Config {
            message: format!(
                "{} must use https (plain http only for 127.0.0.1, ::1 and localhost)",
                redact_base(base)
            ),
        });
    }
    Ok(())
}

/// A base URL for an error message, without user info or query.
fn redact_base(base: &Url) -> String {
    super::callback::redact_url(base.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn default_redirect_is_the_reverse_dns_deep_link() {
        assert_eq!(
            RedirectUri::default().as_str(),
            "dev.supporterdesk:/oauth/callback",
            "the default must be the documented deep link, not the loopback fallback"
        );
        assert_eq!(
            RedirectUri::loopback(DEFAULT_LOOPBACK_PORT).as_str(),
            "http://127.0.0.1:47813/oauth/callback",
            "the loopback redirect must use the literal IPv4 loopback address and fixed path"
        );
    }

    #[test]
    fn endpoints_are_derived_from_the_bases() {
        let c = OAuthConfig::for_api(
            &url("https://webapi.teamviewer.com/api/v1/"),
            &url("https://login.teamviewer.com/"),
            "cid",
            None,
            RedirectUri::default(),
        )
        .unwrap();
        assert_eq!(
            c.authorize_url.as_str(),
            "https://login.teamviewer.com/oauth2/authorize",
            "authorize lives on the login origin"
        );
        assert_eq!(
            c.token_url.as_str(),
            "https://webapi.teamviewer.com/api/v1/oauth2/token",
            "a trailing /api/v1 on the API base must not be doubled"
        );
        assert_eq!(
            c.revoke_url.as_str(),
            "https://webapi.teamviewer.com/api/v1/oauth2/revoke",
            "revoke lives next to the token endpoint"
        );
    }

    #[test]
    fn one_origin_serves_everything_for_the_sandbox() {
        let base = url("http://127.0.0.1:5555");
        let c = OAuthConfig::for_api(&base, &base, "cid", None, RedirectUri::loopback(1)).unwrap();
        assert_eq!(
            c.authorize_url.as_str(),
            "http://127.0.0.1:5555/oauth2/authorize",
            "the sandbox serves the consent page on its own origin"
        );
        assert_eq!(
            c.token_url.as_str(),
            "http://127.0.0.1:5555/api/v1/oauth2/token",
            "the sandbox serves the token endpoint on the same origin"
        );
    }

    #[test]
    fn config_rejects_empty_client_id_and_non_http_bases() {
        let base = url("https://webapi.teamviewer.com");
        assert!(
            OAuthConfig::for_api(&base, &base, "  ", None, RedirectUri::default()).is_err(),
            "an empty client ID can never work and must be caught before the browser opens"
        );
        assert!(
            OAuthConfig::for_api(&url("mailto:x@y"), &base, "c", None, RedirectUri::default())
                .is_err(),
            "an API base that is not http(s) must be refused"
        );
    }

    #[test]
    fn config_refuses_plain_http_endpoints_off_this_machine() {
        let tls = url("https://login.teamviewer.com");
        let plain = url("http://webapi.teamviewer.com");
        assert!(
            OAuthConfig::for_api(&plain, &tls, "c", None, RedirectUri::default()).is_err(),
            "the token endpoint gets the code, tokens and secret: never over plain http"
        );
        assert!(
            OAuthConfig::for_api(
                &tls,
                &url("http://login.example.com"),
                "c",
                None,
                RedirectUri::default()
            )
            .is_err(),
            "the consent page must not be served over plain http either"
        );
        let local = url("http://localhost:5555");
        assert!(
            OAuthConfig::for_api(&local, &local, "c", None, RedirectUri::default()).is_ok(),
            "the sandbox on this machine may use plain http"
        );
    }

    #[test]
    fn redirect_uri_parse_round_trips_and_refuses_lookalikes() {
        for good in [
            "dev.supporterdesk:/oauth/callback",
            "com.example.supporterdesk:/oauth/callback",
            "http://127.0.0.1:47813/oauth/callback",
        ] {
            assert_eq!(
                RedirectUri::parse(good).unwrap().as_str(),
                good,
                "a valid redirect URI must survive parse/as_str unchanged: {good}"
            );
        }
        for bad in [
            "supporterdesk:/oauth/callback",
            "dev.supporterdesk://host/oauth/callback",
            "dev.supporterdesk:/other",
            "http://localhost:47813/oauth/callback",
            "http://10.0.0.1:47813/oauth/callback",
            "https://127.0.0.1:47813/oauth/callback",
            "http://127.0.0.1:47813/oauth/callback?x=1",
        ] {
            assert!(
                RedirectUri::parse(bad).is_err(),
                "{bad} must not be accepted as a redirect URI"
            );
        }
    }
}
