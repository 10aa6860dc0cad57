//! The data that crosses the app's IPC (docs/ipc.md): camelCase JSON, never a token. With the
//! `ts` feature every type here derives `ts_rs::TS`, and `tests/bindings.rs` writes them all to
//! `ui/src/bindings.gen.ts`.

use super::settings::Settings;
use crate::auth::TokenKind;
use crate::error::{Error, ErrorReport, Result};
use crate::logs::{
    Column, ColumnFilter, CsvOptions, FetchProgress, LogChoices, LogFilter, LogRow, Sort,
    TimeDisplay, Totals,
};
use crate::models::{
    Account, EndCustomer, GroupRef, NewSession, ReportQuery, SessionStateFilter, SupportSession,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the UI may know about the sign-in. Never a token, code or secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuthStatus {
    /// Whether tokens are held.
    pub signed_in: bool,
    /// OAuth or script token, when signed in.
    pub kind: Option<TokenKind>,
    /// When the access token expires (it is refreshed before), when known.
    pub expires_at: Option<DateTime<Utc>>,
    /// The keyring could not store the sign-in: it is held in memory only and ends when the
    /// app quits. (Sandbox sign-ins are never persisted either, since the simulator forgets its
    /// tokens on exit; that is implied by `sandbox` and not flagged here.)
    pub memory_only: bool,
    /// Whether the OS keyring worked at startup.
    pub keyring_available: bool,
    /// A browser sign-in is waiting for its callback.
    pub sign_in_pending: bool,
    /// The app talks to the built-in simulator: label everything "Sandbox".
    pub sandbox: bool,
    /// An OAuth client is configured ("Sign in with TeamViewer" can work).
    pub oauth_configured: bool,
    /// The signed-in account, when it could be read.
    pub account: Option<AccountDto>,
    /// The API refused the sign-in in a way a refresh cannot fix (a `401` after the one
    /// refresh, `invalid_grant`, a revoked token), noticed by any call: the tokens are gone and
    /// the UI offers "Signed out — sign in again". Cleared by a sign-in, a sign-out or a
    /// settings change that reconnects.
    pub sign_in_again: bool,
}

/// The signed-in account (`GET /account`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AccountDto {
    /// `u` + digits.
    pub userid: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Company, when the account belongs to one.
    pub company_name: Option<String>,
}

impl From<Account> for AccountDto {
    fn from(a: Account) -> Self {
        Self {
            userid: a.userid,
            name: a.name,
            email: a.email,
            company_name: a.company_name,
        }
    }
}

/// A group for the session form's picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GroupDto {
    /// `g` + digits.
    pub id: String,
    /// Name.
    pub name: String,
}

/// The "New session" form as the UI sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct NewSessionForm {
    /// An existing group (`g` + digits); wins over `groupName`.
    pub group_id: Option<String>,
    /// A group name (created by the API on demand) when no id is chosen.
    pub group_name: Option<String>,
    /// Description (≤ 4000 characters).
    pub description: String,
    /// The customer's name (≤ 100).
    pub customer_name: String,
    /// The customer's e-mail (validated when not blank).
    pub customer_email: String,
    /// What the customer sees while waiting (≤ 4000).
    pub waiting_message: String,
}

fn non_blank(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl NewSessionForm {
    /// The API request, validated ([`NewSession::validate`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field (no group, bad e-mail, too long, ...).
    pub fn to_new_session(&self) -> Result<NewSession> {
        let group = match (
            self.group_id.as_deref().and_then(non_blank),
            self.group_name.as_deref().and_then(non_blank),
        ) {
            (Some(id), _) => GroupRef::Id(id),
            (None, Some(name)) => GroupRef::Name(name),
            (None, None) => {
                return Err(Error::invalid(
                    "group",
                    "choose a group or type a group name",
                ))
            }
        };
        let mut new = NewSession::new(group);
        new.description = non_blank(&self.description);
        new.waiting_message = non_blank(&self.waiting_message);
        let customer = EndCustomer {
            name: non_blank(&self.customer_name),
            email: non_blank(&self.customer_email),
        };
        if customer.name.is_some() || customer.email.is_some() {
            new.end_customer = Some(customer);
        }
        new.validate()?;
        Ok(new)
    }
}

/// A support session as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    /// Session code, `s` + digits with dashes.
    pub code: String,
    /// The API's state name (`Open`, `Closed`, ...).
    pub state: Option<String>,
    /// Group id.
    pub group_id: Option<String>,
    /// Group name.
    pub group_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Customer name.
    pub customer_name: Option<String>,
    /// Customer e-mail.
    pub customer_email: Option<String>,
    /// Waiting message.
    pub waiting_message: Option<String>,
    /// Creation time.
    pub created_at: Option<DateTime<Utc>>,
    /// End of validity.
    pub valid_until: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether the customer is connected or waiting.
    pub online: Option<bool>,
    /// The assigned supporter (`u…`); `None` when assigned to nobody (`u0`) or not said.
    pub assigned_user_id: Option<String>,
    /// Opens the session in the supporter's TeamViewer client.
    pub supporter_link: Option<String>,
    /// Opens the session in the browser (WebClient).
    pub web_client_link: Option<String>,
    /// For the customer.
    pub end_customer_link: Option<String>,
    /// Whether the session can still be used.
    pub is_open: bool,
}

impl From<&crate::models::Group> for GroupDto {
    fn from(g: &crate::models::Group) -> Self {
        Self {
            id: g.id.clone(),
            name: g.name.clone(),
        }
    }
}

impl From<&SupportSession> for SessionDto {
    fn from(s: &SupportSession) -> Self {
        let customer = s.end_customer.as_ref();
        Self {
            code: s.code.clone(),
            state: s.state.as_ref().map(|st| st.as_str().to_owned()),
            group_id: s.groupid.clone(),
            group_name: s.groupname.clone(),
            description: s.description.clone(),
            customer_name: customer.and_then(|c| c.name.clone()),
            customer_email: customer.and_then(|c| c.email.clone()),
            waiting_message: s.waiting_message.clone(),
            created_at: s.created_at,
            valid_until: s.valid_until,
            closed_at: s.closed_at,
            online: s.online,
            assigned_user_id: s
                .assigned_userid
                .clone()
                .filter(|id| id != super::session_dto::UNASSIGNED && !id.trim().is_empty()),
            supporter_link: s.supporter_link.clone(),
            web_client_link: s.webclient_supporter_link.clone(),
            end_customer_link: s.end_customer_link.clone(),
            is_open: s.is_open(),
        }
    }
}

/// Which sessions to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SessionListState {
    /// Open sessions.
    #[default]
    Open,
    /// Closed sessions.
    Closed,
    /// Both.
    All,
}

impl From<SessionListState> for SessionStateFilter {
    fn from(s: SessionListState) -> Self {
        match s {
            SessionListState::Open => SessionStateFilter::Open,
            SessionListState::Closed => SessionStateFilter::Closed,
            SessionListState::All => SessionStateFilter::All,
        }
    }
}

/// A link of a session, or the invitation built from one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LinkKind {
    /// `supporter_link`.
    Supporter,
    /// `webclient_supporter_link`.
    WebClient,
    /// `end_customer_link`.
    EndCustomer,
    /// A `mailto:` invitation carrying the end-customer link.
    Invitation,
}

/// What `open_session_link` may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum OpenLink {
    /// The supporter link ("Open in TeamViewer").
    Supporter,
    /// The WebClient link ("Open in browser").
    WebClient,
    /// The e-mail invitation ("E-mail invitation").
    Invitation,
}

impl From<OpenLink> for LinkKind {
    fn from(l: OpenLink) -> Self {
        match l {
            OpenLink::Supporter => LinkKind::Supporter,
            OpenLink::WebClient => LinkKind::WebClient,
            OpenLink::Invitation => LinkKind::Invitation,
        }
    }
}

/// What `copy_session_link` may copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum CopyLink {
    /// The supporter link.
    Supporter,
    /// The WebClient link.
    WebClient,
    /// The end-customer link.
    EndCustomer,
}

impl From<CopyLink> for LinkKind {
    fn from(l: CopyLink) -> Self {
        match l {
            CopyLink::Supporter => LinkKind::Supporter,
            CopyLink::WebClient => LinkKind::WebClient,
            CopyLink::EndCustomer => LinkKind::EndCustomer,
        }
    }
}

/// Server-side filters of a connection-log load. Blank strings count as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct LogQuery {
    /// Connections that start at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Connections that end before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Supporter account (`u` + digits).
    pub user_id: Option<String>,
    /// Group (`g` + digits, `0` = devices in no group).
    pub group_id: Option<String>,
    /// Device name.
    pub device_name: Option<String>,
    /// Session code.
    pub session_code: Option<String>,
    /// 1 remote connection, 2 attended support, 3 attended support via SDK.
    pub support_session_type: Option<u8>,
}

impl LogQuery {
    /// The API query, validated.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] from [`ReportQuery::validate`].
    pub fn to_report_query(&self) -> Result<ReportQuery> {
        let clean = |v: &Option<String>| v.as_deref().and_then(non_blank);
        let q = ReportQuery {
            userid: clean(&self.user_id),
            groupid: clean(&self.group_id),
            devicename: clean(&self.device_name),
            session_code: clean(&self.session_code),
            from_date: self.from,
            to_date: self.to,
            support_session_type: self.support_session_type,
            ..ReportQuery::default()
        };
        q.validate()?;
        Ok(q)
    }
}

/// How a connection-log load ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LogSummary {
    /// Totals of the current view over everything loaded.
    pub totals: Totals,
    /// Pages and records received.
    pub progress: FetchProgress,
    /// Not every page arrived (cancelled or failed); `resume_logs` continues.
    pub incomplete: bool,
    /// Why it is incomplete.
    pub error: Option<ErrorReport>,
}

/// A new view of the connection log: its totals and the first window of its rows, in one answer
/// so the table repaints once per keystroke (`apply_log_view`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    /// Totals of the view.
    pub totals: Totals,
    /// Index (in the view) of `rows[0]`.
    pub offset: usize,
    /// At most the requested number of rows from `offset` (fewer at the end of the view).
    pub rows: Vec<LogRow>,
    /// Column filters that could not be read (e.g. a duration `>` without an amount): they
    /// filter nothing, and the UI says so at the field.
    pub unreadable: Vec<Column>,
    /// The pick lists' values (billing state, type, group, user) of every loaded record.
    pub choices: LogChoices,
}

/// Filter and sort of the loaded connection log (applied in Rust).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct LogView {
    /// Free text over every text column (case-insensitive).
    pub text: String,
    /// Per-column substring filters.
    pub columns: Vec<ColumnFilter>,
    /// Sort; `null` = newest start first.
    pub sort: Option<Sort>,
    /// How the grid shows dates (its format's parts, local or UTC): a column filter on a date
    /// matches that text. `null`: the RFC 3339 UTC text of the CSV.
    pub times: Option<TimeDisplay>,
}

impl LogView {
    /// The store's filter.
    pub fn filter(&self) -> LogFilter {
        LogFilter {
            text: non_blank(&self.text),
            columns: self.columns.clone(),
            from: None,
            to: None,
            times: self.times.clone(),
        }
    }
}

/// CSV field delimiter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Delimiter {
    /// `,`
    #[default]
    #[serde(rename = ",")]
    Comma,
    /// `;` (German Excel).
    #[serde(rename = ";")]
    Semicolon,
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// RFC 4180 CSV (delimiter and BOM as chosen).
    #[default]
    Csv,
    /// An Excel workbook with typed cells (see [`crate::xlsx`]); delimiter and BOM do not apply.
    Xlsx,
}

impl ExportFormat {
    /// The file name extension, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// Export options (the log view's export).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, rename_all = "camelCase")]
pub struct ExportOptions {
    /// CSV (the default) or XLSX.
    pub format: ExportFormat,
    /// Field delimiter (CSV only).
    pub delimiter: Delimiter,
    /// Write a UTF-8 byte order mark first (CSV only; Excel needs it for UTF-8).
    pub bom: bool,
}

impl From<ExportOptions> for CsvOptions {
    fn from(o: ExportOptions) -> Self {
        CsvOptions {
            delimiter: match o.delimiter {
                Delimiter::Comma => b',',
                Delimiter::Semicolon => b';',
            },
            bom: o.bom,
        }
    }
}

/// A finished export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    /// Where the file was written.
    pub path: String,
    /// Data rows written (the rows in view).
    pub rows: u64,
}

/// The settings as the UI sees them: the file's fields plus whether a client secret is stored
/// (the secret itself never leaves Rust).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// The stored settings.
    #[serde(flatten)]
    pub settings: Settings,
    /// A client secret is stored in the keyring.
    pub has_client_secret: bool,
}

/// Name and versions for the about line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// Product name.
    pub name: String,
    /// App version.
    pub version: String,
    /// Core library version.
    pub core_version: String,
}

impl AppInfo {
    /// "Supporter Desk" with the given app version.
    pub fn new(version: &str) -> Self {
        Self {
            name: "Supporter Desk".into(),
            version: version.into(),
            core_version: crate::VERSION.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_validation_is_invalid_input_naming_the_field() {
        let form = NewSessionForm {
            group_id: Some("g1".into()),
            customer_email: "not-an-email".into(),
            ..NewSessionForm::default()
        };
        let err = form.to_new_session().err();
        assert!(
            matches!(&err, Some(Error::InvalidInput { field, .. }) if field == "customer e-mail"),
            "a bad e-mail must be invalid_input naming the field, got {err:?}"
        );
        let none = NewSessionForm::default().to_new_session().err();
        assert!(
            matches!(&none, Some(Error::InvalidInput { field, .. }) if field == "group"),
            "a form without a group must be refused before anything is sent, got {none:?}"
        );
        let by_name = NewSessionForm {
            group_id: Some("  ".into()),
            group_name: Some("Support".into()),
            customer_name: "Jon".into(),
            ..NewSessionForm::default()
        }
        .to_new_session()
        .ok();
        assert_eq!(
            by_name.map(|n| n.group),
            Some(GroupRef::Name("Support".into())),
            "a blank group id falls back to the group name"
        );
    }

    #[test]
    fn log_query_maps_and_validates() {
        let q = LogQuery {
            user_id: Some(" ".into()),
            group_id: Some("g12".into()),
            support_session_type: Some(2),
            ..LogQuery::default()
        }
        .to_report_query()
        .ok();
        assert_eq!(
            q.as_ref().and_then(|q| q.groupid.as_deref()),
            Some("g12"),
            "the group id is passed on"
        );
        assert_eq!(
            q.and_then(|q| q.userid),
            None,
            "blank filters are dropped, not sent empty"
        );
        let bad = LogQuery {
            support_session_type: Some(9),
            ..LogQuery::default()
        };
        assert_eq!(
            bad.to_report_query().err().map(|e| e.kind()),
            Some(crate::ErrorKind::InvalidInput),
            "an unknown type is refused before the request"
        );
    }
}

/// The connection-log archive could not be opened at launch: the log lives in memory only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ArchiveProblem {
    /// Why (`database` for a damaged or unreadable file, `config` for a newer version's archive).
    pub error: ErrorReport,
    /// Whether the app may rebuild it: move the damaged file aside (never delete it) and start
    /// a new, empty archive (only the app's own SQLite file; never for a newer version's).
    pub can_rebuild: bool,
}

/// The result of rebuilding the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ArchiveRebuilt {
    /// Where the damaged file was moved (`None` when there was no file left to move).
    pub moved_to: Option<String>,
}
