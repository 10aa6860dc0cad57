//! HTML pages: the simulated consent page, OAuth error pages, and the pages behind the session
//! links (which in production would open TeamViewer).

use crate::desk::{undash, SessionRecord};
use crate::params::Params;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Title of the consent page; tests and the E2E suite look for it.
pub const CONSENT_TITLE: &str = "Supporter Desk Sandbox — simulated TeamViewer sign-in";
/// Path the consent form posts to.
pub const DECISION_PATH: &str = "/oauth2/authorize/decision";

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;\
padding:0 1rem;line-height:1.5}.badge{display:inline-block;background:#b45309;color:#fff;\
padding:.1rem .6rem;border-radius:.3rem;font-weight:700;letter-spacing:.05em}\
button{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem}code{word-break:break-all}";

/// Escapes text for HTML element content and double-quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A complete page; `title` is escaped, `body` is trusted HTML.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let title = escape(title);
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>{STYLE}</style></head>\n<body><main>\
         <p class=\"badge\">SANDBOX</p>\n<h1>{title}</h1>\n{body}\n</main></body></html>\n"
    );
    (status, Html(html)).into_response()
}

/// What the consent page shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Consent<'a> {
    pub(crate) request_id: &'a str,
    /// The sandbox's script token, shown for trying the script-token sign-in.
    pub(crate) script_token: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) account_name: &'a str,
    pub(crate) account_email: &'a str,
}

/// The consent page: a form posting `request=<id>` and `decision=approve|deny` (the two submit
/// buttons, ids `approve` and `deny`) to [`DECISION_PATH`].
pub(crate) fn consent(consent: Consent<'_>) -> Response {
    let body = format!(
        "<p>The app <strong id=\"client\">{client}</strong> wants to access the simulated \
         TeamViewer account <strong>{name}</strong> ({email}).</p>\n\
         <p>Requested permissions: session management, account management, connection \
         reporting.</p>\n\
         <p>After your decision the browser goes to <code>{redirect}</code>.</p>\n\
         <form method=\"post\" action=\"{DECISION_PATH}\">\n\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\n\
         <button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>\n\
         <section id=\"script-token\"><h2>Or try the script-token sign-in</h2>\n\
         <p>This sandbox also accepts the script token <code id=\"sandbox-script-token\">{token}</code>. \
         To try that path, close this page, cancel the browser sign-in in Supporter Desk, and \
         paste the token into \"Sign in with a script token\" (Script token field, then Sign \
         in). In TeamViewer you create a script token in the Management Console under \
         Profile → Apps.</p></section>\n\
         <p><small>This page is served by the Supporter Desk sandbox on loopback. No real \
         TeamViewer account or password is involved.</small></p>",
        client = escape(consent.client_id),
        name = escape(consent.account_name),
        email = escape(consent.account_email),
        redirect = escape(consent.redirect_uri),
        request = escape(consent.request_id),
        token = escape(consent.script_token),
    );
    page(StatusCode::OK, CONSENT_TITLE, &body)
}

/// An OAuth error shown in the browser instead of a redirect (`400`).
pub(crate) fn oauth_error(message: &str) -> Response {
    let body = format!(
        "<p id=\"error\">{}</p>\n<p>The sign-in request was rejected; nothing was sent back \
         to the app.</p>",
        escape(message)
    );
    page(StatusCode::BAD_REQUEST, "Sign-in request rejected", &body)
}

/// HTML 404.
pub(crate) fn not_found(path: &str) -> Response {
    let body = format!("<p>Nothing at <code>{}</code>.</p>", escape(path));
    page(StatusCode::NOT_FOUND, "Not found", &body)
}

/// `GET /`: what this server is.
pub(crate) async fn index(State(state): State<AppState>) -> Response {
    let base = escape(state.base_url.as_str());
    let body = format!(
        "<p>A loopback simulator of the part of the TeamViewer Web API that Supporter Desk \
         uses. Nothing here talks to TeamViewer.</p>\n<ul>\
         <li>API base: <code>{base}api/v1</code></li>\
         <li>Authorize: <code>{base}oauth2/authorize</code></li>\
         <li>Token: <code>{base}api/v1/oauth2/token</code></li></ul>"
    );
    page(StatusCode::OK, "Supporter Desk Sandbox", &body)
}

/// A one-line description of a session for the link pages.
fn describe(session: &SessionRecord) -> String {
    let customer = session
        .end_customer
        .as_ref()
        .and_then(|customer| customer.name.as_deref())
        .unwrap_or("an unnamed customer");
    let state = if session.closed_at.is_some() {
        "closed"
    } else {
        "open"
    };
    format!(
        "Session <strong>{}</strong> ({state}) with {}.",
        escape(&session.code),
        escape(customer)
    )
}

/// `GET /sandbox/join/{code}` (end-customer link) and `/sandbox/join/{code}-{token}`
/// (supporter link).
pub(crate) async fn join(State(state): State<AppState>, Path(link): Path<String>) -> Response {
    let (code, token) = match link.split_once('-') {
        Some((code, token)) => (code, Some(token)),
        None => (link.as_str(), None),
    };
    let desk = state.desk();
    let Some(session) = find_session(&desk, code, token) else {
        return not_found(&format!("/sandbox/join/{link}"));
    };
    let (title, what) = match token {
        Some(_) => (
            "Simulated supporter link",
            "In production this link opens the TeamViewer client and joins the session as \
             the supporter.",
        ),
        None => (
            "Simulated end-customer link",
            "In production this link lets the customer download TeamViewer QuickSupport and \
             join the session.",
        ),
    };
    page(
        StatusCode::OK,
        title,
        &format!("<p>{}</p>\n<p>{what}</p>", describe(session)),
    )
}

/// `GET /sandbox/webclient?sessioncode&servicequeuetoken&lang&displayName`.
pub(crate) async fn webclient(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::from_query(query.as_deref());
    let code = params.get("sessioncode").unwrap_or_default();
    let desk = state.desk();
    let Some(session) = find_session(&desk, code, params.get("servicequeuetoken")) else {
        return not_found("/sandbox/webclient");
    };
    let supporter = escape(params.get("displayName").unwrap_or("a supporter"));
    let body = format!(
        "<p>{}</p>\n<p>In production this is the TeamViewer WebClient, where \
         <strong>{supporter}</strong> would run the session in the browser.</p>",
        describe(session)
    );
    page(StatusCode::OK, "Simulated TeamViewer WebClient", &body)
}

/// The session with this (undashed) code whose token matches, when a token is given.
fn find_session<'a>(
    desk: &'a crate::desk::Desk,
    code: &str,
    token: Option<&str>,
) -> Option<&'a SessionRecord> {
    desk.session(&undash(code))
        .ok()
        .filter(|session| token.is_none_or(|token| token == session.service_queue_token))
}
