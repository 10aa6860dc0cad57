//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Supporter Desk on the command line: TeamViewer support sessions and connection reports.
#[derive(Debug, Parser)]
#[command(name = "sdesk", version, about)]
pub struct Cli {
    /// Origin of the TeamViewer Web API (`/api/v1/...` lives under it).
    #[arg(
        long,
        global = true,
        env = "SDESK_API_URL",
        default_value = sdesk_core::client::DEFAULT_API_URL
    )]
    pub api_url: String,

    /// Start the built-in TeamViewer simulator on loopback and use it (no account needed).
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the account the token belongs to.
    Account,
    /// Sign in and store the token in the OS keyring (shared with the desktop app).
    SignIn(SignInArgs),
    /// Revoke the stored token and remove it from the OS keyring.
    SignOut,
    /// Show whether a token is stored (never the token itself).
    Status,
    /// Create, list and close support sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Connection reports.
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// The connection-log archive (SQLite or PostgreSQL): sync, export, stats.
    #[command(subcommand)]
    Archive(ArchiveCommand),
    /// Run the TeamViewer simulator in the foreground (prints its URL and a token).
    Sandbox(sdesk_sandbox::SandboxArgs),
    // -- issue 10 (ledger): insight over the archive --
    /// Where the time went in a period: connections and hours per day, supporter, group and
    /// customer, from the archive (no network, no sign-in needed).
    Insight(InsightArgs),
}

/// `sdesk sign-in`
#[derive(Debug, Args)]
pub struct SignInArgs {
    /// Store a script token instead of signing in through the browser. The token is read from
    /// `SDESK_TOKEN` or, when that is unset, from the first line of standard input (never from
    /// the command line, where it would end up in the shell history).
    #[arg(long)]
    pub script_token: bool,
    /// OAuth client ID of your organisation's TeamViewer app.
    #[arg(long, env = "SDESK_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Origin of the TeamViewer sign-in pages.
    #[arg(long, env = "SDESK_LOGIN_URL", default_value = sdesk_core::auth::DEFAULT_LOGIN_URL)]
    pub login_url: String,
    /// Loopback port registered as the app's redirect URI (http://127.0.0.1:PORT/oauth/callback).
    #[arg(long, default_value_t = sdesk_core::auth::DEFAULT_LOOPBACK_PORT)]
    pub port: u16,
}

/// `sdesk sessions ...`
#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Create a session; prints its code and the three links.
    Create(CreateArgs),
    /// List sessions (all pages).
    List(ListArgs),
    /// Close a session.
    Close {
        /// Session code, e.g. s123-456-789.
        code: String,
    },
}

/// `sdesk sessions create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Group id (g followed by digits).
    #[arg(long, conflicts_with = "group", required_unless_present = "group")]
    pub group_id: Option<String>,
    /// Group name (created by TeamViewer if it does not exist).
    #[arg(long)]
    pub group: Option<String>,
    /// Description (at most 4000 characters).
    #[arg(long)]
    pub description: Option<String>,
    /// Customer name (at most 100 characters).
    #[arg(long)]
    pub customer_name: Option<String>,
    /// Customer e-mail.
    #[arg(long)]
    pub customer_email: Option<String>,
    /// Text the customer sees while waiting.
    #[arg(long)]
    pub waiting_message: Option<String>,
    /// Print the session object as JSON (API field names).
    #[arg(long)]
    pub json: bool,
}

/// Session state filter.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StateArg {
    /// Open sessions.
    Open,
    /// Closed sessions.
    Closed,
    /// Both.
    All,
}

/// `sdesk sessions list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which sessions.
    #[arg(long, value_enum, default_value = "open")]
    pub state: StateArg,
    /// Only this group.
    #[arg(long)]
    pub group_id: Option<String>,
    /// Print JSON (an array of session objects).
    #[arg(long)]
    pub json: bool,
}

/// `sdesk reports ...`
#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// Fetch connection reports (all pages) and write them as CSV.
    Export(ExportArgs),
}

/// CSV delimiter.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DelimiterArg {
    /// Comma (RFC 4180).
    #[value(name = ",")]
    Comma,
    /// Semicolon (German Excel).
    #[value(name = ";")]
    Semicolon,
}

/// `sdesk reports export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which reports.
    #[command(flatten)]
    pub filter: ReportFilterArgs,
    /// Where and how the CSV is written.
    #[command(flatten)]
    pub csv: CsvOutArgs,
}

/// Which connection reports: the API's filters (`reports export` sends them to the API,
/// `archive export` applies them to the archive with the same meanings) and a local free-text
/// search.
#[derive(Debug, Clone, Args)]
pub struct ReportFilterArgs {
    /// Only connections that start at or after this time (inclusive; RFC 3339, or YYYY-MM-DD =
    /// 00:00 UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// Only connections that start before this time (exclusive; it filters on the start, like
    /// --from, not on the end; RFC 3339, or YYYY-MM-DD = 00:00 UTC). For whole days pass the
    /// day after the last one.
    #[arg(long)]
    pub to: Option<String>,
    /// Account id of the supporter (u followed by digits).
    #[arg(long)]
    pub user_id: Option<String>,
    /// User name, as the API filters it.
    #[arg(long)]
    pub username: Option<String>,
    /// Group id (g followed by digits, or 0 for devices in no group).
    #[arg(long)]
    pub group_id: Option<String>,
    /// Device name.
    #[arg(long)]
    pub device_name: Option<String>,
    /// TeamViewer ID of the device.
    #[arg(long)]
    pub device_id: Option<String>,
    /// Session code.
    #[arg(long)]
    pub session_code: Option<String>,
    /// Only connections with (true) or without (false) a session code.
    #[arg(long)]
    pub has_code: Option<bool>,
    /// Free text matched locally against all text columns, as the app's search box matches
    /// it: one case-insensitive substring (surrounding spaces ignored). Rows keep the order
    /// the API sends them in.
    #[arg(long)]
    pub search: Option<String>,
}

/// The CSV output of an export.
#[derive(Debug, Clone, Args)]
pub struct CsvOutArgs {
    /// Output file, or - for standard output. Rows are written as they are read; a file is
    /// replaced only when the export is complete (never left half written).
    #[arg(long)]
    pub out: String,
    /// Field delimiter.
    #[arg(long, value_enum, default_value = ",")]
    pub delimiter: DelimiterArg,
    /// Start the file with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    pub bom: bool,
}

/// `sdesk archive ...`
#[derive(Debug, Subcommand)]
// Parsed once per process: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum ArchiveCommand {
    /// Fetch new and changed connection reports from TeamViewer into the archive.
    Sync(ArchiveSyncArgs),
    /// Write archived connection reports as CSV (no network, no sign-in needed).
    Export(ArchiveExportArgs),
    /// Show what the archive holds.
    Stats(ArchiveStatsArgs),
}

/// Where the archive is.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArg {
    /// The archive: sqlite:PATH (or a plain path) or postgres://user:pass@host:port/db
    /// (over TLS: add ?sslmode=verify-full&sslrootcert=CA.pem; see docs/archive.md).
    /// Default: archive.sqlite3 in the desktop app's data directory (shown by `archive stats`).
    // hide_env_values: --help must not print a password from the environment.
    #[arg(
        long,
        value_name = "URL",
        env = "SDESK_DATABASE_URL",
        hide_env_values = true
    )]
    pub database: Option<String>,
}

/// `sdesk archive sync`
#[derive(Debug, Args)]
pub struct ArchiveSyncArgs {
    /// The archive.
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Read from this time on (RFC 3339, or YYYY-MM-DD = 00:00 UTC): the first sync's start,
    /// or a period to read again (updating changed records) on a filled archive.
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Read everything again (from --since, or all the API returns) and update changed records.
    #[arg(long)]
    pub full: bool,
    /// How many days before the newest archived start an ordinary sync starts reading again
    /// (late-ending connections and recent edits).
    #[arg(long, value_name = "DAYS", default_value_t = 2)]
    pub overlap: u32,
}

/// `sdesk archive export`
#[derive(Debug, Args)]
pub struct ArchiveExportArgs {
    /// The archive.
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Which reports.
    #[command(flatten)]
    pub filter: ReportFilterArgs,
    /// Where and how the CSV is written.
    #[command(flatten)]
    pub csv: CsvOutArgs,
}

/// `sdesk archive stats`
#[derive(Debug, Args)]
pub struct ArchiveStatsArgs {
    /// The archive.
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Print JSON: records, first_start, last_start, last_sync (null when empty or never),
    /// database, schema_version, pending_edits, unfinished_sync.
    #[arg(long)]
    pub json: bool,
}

/// `sdesk insight`
#[derive(Debug, Args)]
pub struct InsightArgs {
    /// The archive.
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Connections that start at or after this time (inclusive; RFC 3339, or YYYY-MM-DD =
    /// 00:00 UTC).
    #[arg(long, value_name = "T")]
    pub from: String,
    /// Connections that start before this time (exclusive; RFC 3339, or YYYY-MM-DD = 00:00
    /// UTC). For whole days pass the day after the last one.
    #[arg(long, value_name = "T")]
    pub to: String,
    /// Print JSON: connections, seconds, by_day, by_user, by_group, by_customer (see
    /// `sdesk_core::billing::insight`).
    #[arg(long)]
    pub json: bool,
}
