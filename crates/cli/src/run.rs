//! What each subcommand does. Everything of substance is a call into `sdesk-core`.

use crate::args::{
    Cli, Command, CreateArgs, CsvOutArgs, DelimiterArg, ExportArgs, ListArgs, ReportFilterArgs,
    ReportsCommand, SessionsCommand, SignInArgs, StateArg,
};
use crate::term;
use sdesk_core::auth::{
    keyring_name, validate_script_token, AuthSession, KeyringStore, LoopbackListener, OAuthConfig,
    RedirectUri, SignInFlow, TokenStore, CLIENT_SECRET_NAME, KEYRING_SERVICE,
};
use sdesk_core::client::{
    build_http, parse_api_url, HttpConfig, StaticToken, TeamViewerClient, WaitObserver,
};
use sdesk_core::clock::SystemClock;
use sdesk_core::fsutil::{AtomicFile, FileMode};
use sdesk_core::logs::{
    CsvOptions, CsvWriter, FetchProgress, LogFilter, RecordFilter, ReportFetch,
};
use sdesk_core::models::{
    ConnectionReport, EndCustomer, GroupRef, NewSession, ReportQuery, SessionQuery,
    SessionStateFilter, SupportSession,
};
use sdesk_core::{Error, Result, Secret};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

/// Runs one invocation.
pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sandbox(args) => return run_sandbox(args).await,
        Command::SignIn(args) => return sign_in(&cli.api_url, cli.sandbox, args).await,
        Command::SignOut => return sign_out(&cli.api_url).await,
        Command::Status => return status(&cli.api_url).await,
        Command::Archive(ref command) => return crate::archive::run(&cli, command).await,
        Command::Insight(ref args) => return crate::insight::run(args).await,
        _ => {}
    }
    let (client, sandbox) = connect(&cli).await?;
    let result = match cli.command {
        Command::Account => account(&client).await,
        Command::Sessions(SessionsCommand::Create(args)) => create(&client, args).await,
        Command::Sessions(SessionsCommand::List(args)) => list(&client, args).await,
        Command::Sessions(SessionsCommand::Close { code }) => {
            client.close_session(&code).await?;
            println!("closed {}", term::line(&code));
            Ok(())
        }
        Command::Reports(ReportsCommand::Export(args)) => export(&client, args).await,
        Command::Sandbox(_)
        | Command::SignIn(_)
        | Command::SignOut
        | Command::Status
        | Command::Archive(_)
        | Command::Insight(_) => Ok(()),
    };
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    result
}

/// The client to use: the embedded sandbox, `SDESK_TOKEN`, or the token the app stored in the
/// OS keyring (refreshed by the core when it is an OAuth token). Every wait before a retry (a
/// rate limit above all: TeamViewer's budgets are per hour or day, so waits grow into minutes)
/// is announced on stderr, so a long pause never looks like a hang.
pub(crate) async fn connect(
    cli: &Cli,
) -> Result<(TeamViewerClient, Option<sdesk_sandbox::Sandbox>)> {
    let (client, sandbox) = connect_client(cli).await?;
    let announce: WaitObserver = Arc::new(|notice| eprintln!("sdesk: {notice}"));
    Ok((client.with_wait_observer(announce), sandbox))
}

async fn connect_client(cli: &Cli) -> Result<(TeamViewerClient, Option<sdesk_sandbox::Sandbox>)> {
    let http = build_http(&HttpConfig::default())?;
    if cli.sandbox {
        let sandbox = sdesk_sandbox::Sandbox::start(
            sdesk_sandbox::SandboxConfig::default(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        )
        .await?;
        let token = StaticToken::new(Secret::new(sandbox.script_token()));
        let base = parse_api_url(sandbox.base_url().as_str())?;
        return Ok((
            TeamViewerClient::new(http, base, Arc::new(token)),
            Some(sandbox),
        ));
    }
    let base = parse_api_url(&cli.api_url)?;
    if let Some(token) = std::env::var("SDESK_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        let token = StaticToken::new(Secret::new(token.trim()));
        return Ok((TeamViewerClient::new(http, base, Arc::new(token)), None));
    }
    let session = stored_session(&base)?;
    Ok((TeamViewerClient::new(http, base, Arc::new(session)), None))
}

/// The sign-in stored in the keyring. OAuth tokens can only be refreshed and revoked with the
/// app's client ID (`SDESK_CLIENT_ID`, plus `SDESK_CLIENT_SECRET` or the secret in the keyring).
fn stored_session(api: &url::Url) -> Result<AuthSession> {
    let oauth = match std::env::var("SDESK_CLIENT_ID") {
        Ok(id) if !id.trim().is_empty() => Some(oauth_config(api, &cli_login_url(), id, 0)?),
        _ => None,
    };
    keyring_session(oauth, api)
}

async fn sign_out(api_url: &str) -> Result<()> {
    let session = stored_session(&parse_api_url(api_url)?)?;
    let state = session.status().await?;
    match &state.api_origin {
        Some(theirs) if !state.signed_in => eprintln!(
            "note: the stored sign-in is for {}, not {}; it is removed from the keyring without \
             revoking it (that would send it to {})",
            term::line(theirs),
            term::line(session.api_origin()),
            term::line(session.api_origin()),
        ),
        _ if state.kind == Some(sdesk_core::auth::TokenKind::OAuth)
            && session.oauth_config().is_none() =>
        {
            eprintln!(
                "note: the token is removed from the keyring but not revoked (set \
                 SDESK_CLIENT_ID to revoke it at TeamViewer)"
            );
        }
        _ => {}
    }
    session.sign_out().await?;
    eprintln!("signed out");
    Ok(())
}

/// The keyring service of the entry the desktop app writes. `SDESK_KEYRING_SERVICE` selects
/// another entry (separate profiles; tests).
fn keyring_service() -> String {
    std::env::var("SDESK_KEYRING_SERVICE")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| KEYRING_SERVICE.to_owned())
}

fn keyring_store() -> Arc<dyn TokenStore> {
    Arc::new(KeyringStore::new(&keyring_service()))
}

/// The stored sign-in for the API at `api` (tokens stored for another API are never used for
/// it); with an OAuth configuration its tokens are refreshed when due.
fn keyring_session(oauth: Option<OAuthConfig>, api: &url::Url) -> Result<AuthSession> {
    let http = build_http(&HttpConfig::default())?;
    Ok(AuthSession::new(keyring_store(), oauth, http, Arc::new(SystemClock)).with_api_base(api))
}

/// Where a stored sign-in lives, for messages.
fn keyring_place() -> String {
    format!(
        "the OS keyring ({}, entry {})",
        keyring_name(),
        term::line(&keyring_service())
    )
}

/// The error when the keyring cannot take the sign-in: nothing is stored, so `sdesk` is not
/// signed in, and what to do instead.
fn not_stored(e: Error) -> Error {
    let hint = "nothing was stored, so sdesk is not signed in. Start or unlock the keyring and \
                sign in again, or give each command a script token in SDESK_TOKEN instead";
    match e {
        Error::KeyringUnavailable { message } => Error::KeyringUnavailable {
            message: format!("{message}; {hint}"),
        },
        Error::Keyring { message } => Error::Keyring {
            message: format!("{message}; {hint}"),
        },
        other => other,
    }
}

/// Fails early, before the browser or the token, when the keyring cannot store anything.
async fn ensure_keyring() -> Result<()> {
    let service = keyring_service();
    tokio::task::spawn_blocking(move || KeyringStore::new(&service).probe())
        .await
        .map_err(|e| Error::Keyring {
            message: format!("the keyring check failed: {e}"),
        })?
        .map_err(not_stored)
}

/// Fails when the session holds its tokens in memory only (the keyring refused them): the
/// process ends, so they would be lost. An OAuth token is revoked first, best effort.
async fn ensure_stored(session: &AuthSession) -> Result<()> {
    if !session.status().await?.memory_only {
        return Ok(());
    }
    if let Err(e) = session.sign_out().await {
        tracing::debug!(error = %e, "could not discard the unsaved sign-in");
    }
    Err(not_stored(Error::KeyringUnavailable {
        message: format!("{} did not store the sign-in", keyring_place()),
    }))
}

fn cli_login_url() -> String {
    std::env::var("SDESK_LOGIN_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| sdesk_core::auth::DEFAULT_LOGIN_URL.to_owned())
}

/// OAuth settings: client ID as given, client secret from `SDESK_CLIENT_SECRET` or the keyring,
/// loopback redirect on `port` (0: the default port, for refresh only).
fn oauth_config(api: &url::Url, login: &str, client_id: String, port: u16) -> Result<OAuthConfig> {
    let secret = match std::env::var("SDESK_CLIENT_SECRET") {
        Ok(s) if !s.is_empty() => Some(Secret::new(s)),
        _ => keyring_store()
            .load_secret(CLIENT_SECRET_NAME)
            .ok()
            .flatten(),
    };
    let port = if port == 0 {
        sdesk_core::auth::DEFAULT_LOOPBACK_PORT
    } else {
        port
    };
    OAuthConfig::for_api(
        api,
        &parse_api_url(login)?,
        client_id,
        secret,
        RedirectUri::loopback(port),
    )
}

async fn sign_in(api_url: &str, sandbox: bool, args: SignInArgs) -> Result<()> {
    if sandbox {
        return Err(Error::invalid(
            "--sandbox",
            "a sandbox started for one command cannot keep a sign-in; run `sdesk sandbox` \
             and point --api-url at it",
        ));
    }
    let base = parse_api_url(api_url)?;
    let http = build_http(&HttpConfig::default())?;
    // The sign-in only lasts if the keyring takes it: check before asking for anything.
    ensure_keyring().await?;
    if args.script_token {
        let token = read_script_token()?;
        validate_script_token(&http, &base, &token).await?;
        let session = keyring_session(None, &base)?;
        session.sign_in_with_script_token(token).await?;
        ensure_stored(&session).await?;
        eprintln!(
            "signed in with a script token for {}; stored in {}",
            term::line(session.api_origin()),
            keyring_place()
        );
        return Ok(());
    }
    let client_id = args.client_id.ok_or_else(|| {
        Error::invalid(
            "--client-id",
            "give the OAuth client ID of your TeamViewer app (or use --script-token)",
        )
    })?;
    let config = oauth_config(&base, &args.login_url, client_id, args.port)?;
    let listener = LoopbackListener::bind(args.port).await?;
    let flow = SignInFlow::new(Arc::new(SystemClock));
    let authorize = flow.begin(&config)?;
    eprintln!("Open this address in your browser to sign in (waiting up to 5 minutes):");
    eprintln!("{authorize}");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(300);
    let grant = loop {
        let next = tokio::time::timeout_at(deadline, listener.next_callback());
        let url = next.await.map_err(|_| Error::CallbackRejected {
            reason: sdesk_core::error::CallbackRejection::Expired,
        })??;
        match flow.complete(&url) {
            Ok(grant) => break grant,
            // A stray or forged request must not end the sign-in; keep waiting for ours.
            Err(e) if e.kind() == sdesk_core::ErrorKind::CallbackRejected && flow.is_pending() => {
                tracing::warn!("ignored a callback: {e}");
            }
            Err(e) => return Err(e),
        }
    };
    let session = Arc::new(keyring_session(Some(config), &base)?);
    session.sign_in_with_grant(grant).await?;
    ensure_stored(&session).await?;
    let client = TeamViewerClient::new(http, base, session.clone());
    let account = client.account().await?;
    eprintln!(
        "signed in as {} <{}> at {}; stored in {}",
        term::line(&account.name),
        term::line(&account.email),
        term::line(session.api_origin()),
        keyring_place()
    );
    Ok(())
}

/// The script token from `SDESK_TOKEN` or the first line of standard input.
fn read_script_token() -> Result<Secret> {
    if let Ok(t) = std::env::var("SDESK_TOKEN") {
        if !t.trim().is_empty() {
            return Ok(Secret::new(t.trim()));
        }
    }
    if std::io::stdin().is_terminal() {
        eprintln!("Paste the script token and press Enter:");
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let token = Secret::new(line.trim());
    if token.is_empty() {
        return Err(Error::invalid("script token", "no token was given"));
    }
    Ok(token)
}

async fn status(api_url: &str) -> Result<()> {
    let session = keyring_session(None, &parse_api_url(api_url)?)?;
    let state = session.status().await?;
    let here = term::line(session.api_origin());
    if !state.signed_in {
        match &state.api_origin {
            Some(theirs) => println!(
                "not signed in to {here} (the stored sign-in is for {}: use --api-url {} or \
                 sign in again)",
                term::line(theirs),
                term::line(theirs)
            ),
            None => println!("not signed in"),
        }
        return Ok(());
    }
    let kind = match state.kind {
        Some(sdesk_core::auth::TokenKind::Script) => "script token",
        _ => "TeamViewer account (OAuth)",
    };
    match state.expires_at {
        Some(t) => println!("signed in: {kind} for {here}, access token valid until {t}"),
        None => println!("signed in: {kind} for {here}"),
    }
    Ok(())
}

async fn account(client: &TeamViewerClient) -> Result<()> {
    let a = client.account().await?;
    println!(
        "{} <{}> ({})",
        term::line(&a.name),
        term::line(&a.email),
        term::line(&a.userid)
    );
    if let Some(c) = a.company_name.filter(|c| !c.is_empty()) {
        println!("company: {}", term::line(&c));
    }
    Ok(())
}

async fn create(client: &TeamViewerClient, args: CreateArgs) -> Result<()> {
    let group = match (args.group_id, args.group) {
        (Some(id), _) => GroupRef::Id(id),
        (None, Some(name)) => GroupRef::Name(name),
        (None, None) => return Err(Error::invalid("group", "give --group-id or --group")),
    };
    let mut new = NewSession::new(group);
    new.description = args.description;
    new.waiting_message = args.waiting_message;
    if args.customer_name.is_some() || args.customer_email.is_some() {
        new.end_customer = Some(EndCustomer {
            name: args.customer_name,
            email: args.customer_email,
        });
    }
    let session = client.create_session(&new).await?;
    if args.json {
        print_json(&session)?;
    } else {
        print_session(&session);
    }
    Ok(())
}

fn print_session(s: &SupportSession) {
    println!("Session code: {}", term::line(&s.code));
    for (kind, link) in s.links() {
        println!("{}: {}", kind.label(), term::line(link));
    }
}

/// JSON on standard output: the server's values exactly, with the characters a terminal would
/// act on escaped ([`term::json`]).
fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Config {
        message: format!("cannot encode JSON: {e}"),
    })?;
    println!("{}", term::json(&text));
    Ok(())
}

async fn list(client: &TeamViewerClient, args: ListArgs) -> Result<()> {
    let query = SessionQuery {
        state: match args.state {
            StateArg::Open => SessionStateFilter::Open,
            StateArg::Closed => SessionStateFilter::Closed,
            StateArg::All => SessionStateFilter::All,
        },
        groupid: args.group_id,
        assigned_userid: None,
    };
    let sessions = client.list_sessions(&query).await?;
    if args.json {
        return print_json(&sessions);
    }
    let fmt = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".into())
    };
    println!("CODE\tSTATE\tCREATED\tVALID UNTIL\tONLINE\tCUSTOMER\tDESCRIPTION");
    for s in &sessions {
        let customer = s
            .end_customer
            .as_ref()
            .and_then(|c| c.name.clone())
            .unwrap_or_default();
        // term::line also turns tabs and line breaks into spaces: a value cannot break the
        // tab-separated listing.
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            term::line(&s.code),
            term::line(s.state.as_ref().map(|s| s.as_str()).unwrap_or("-")),
            fmt(s.created_at),
            fmt(s.valid_until),
            if s.online == Some(true) { "yes" } else { "no" },
            term::line(&customer),
            term::line(s.description.as_deref().unwrap_or_default()),
        );
    }
    eprintln!("{} session(s)", sessions.len());
    Ok(())
}

/// Parses `--from`/`--to`: RFC 3339, or a date meaning midnight UTC.
pub(crate) fn parse_time(field: &str, raw: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    let raw = raw.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!("{raw:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"),
            )
        })
}

/// The API's filters of `--from`, `--to`, `--user-id` and the rest, checked.
pub(crate) fn report_query(args: &ReportFilterArgs) -> Result<ReportQuery> {
    let query = ReportQuery {
        username: args.username.clone(),
        userid: args.user_id.clone(),
        groupid: args.group_id.clone(),
        devicename: args.device_name.clone(),
        deviceid: args.device_id.clone(),
        from_date: args
            .from
            .as_deref()
            .map(|t| parse_time("--from", t))
            .transpose()?,
        to_date: args
            .to
            .as_deref()
            .map(|t| parse_time("--to", t))
            .transpose()?,
        has_code: args.has_code,
        session_code: args.session_code.clone(),
        support_session_type: None,
    };
    query.validate()?;
    Ok(query)
}

/// The CSV options of an export.
fn csv_options(csv: &CsvOutArgs) -> CsvOptions {
    CsvOptions {
        delimiter: match csv.delimiter {
            DelimiterArg::Comma => b',',
            DelimiterArg::Semicolon => b';',
        },
        bom: csv.bom,
    }
}

/// The free-text filter of an export, matched per record exactly as the app's log view matches
/// its free text (blank: no filter).
fn search_filter(search: Option<&str>) -> RecordFilter {
    RecordFilter::new(&LogFilter {
        text: search.map(str::to_owned),
        ..LogFilter::default()
    })
}

/// A token cancelled by Ctrl-C, and the task that watches for it (abort it when done).
pub(crate) fn cancel_on_ctrl_c() -> (
    tokio_util::sync::CancellationToken,
    tokio::task::JoinHandle<()>,
) {
    let cancel = tokio_util::sync::CancellationToken::new();
    let watch = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        })
    };
    (cancel, watch)
}

async fn export(client: &TeamViewerClient, args: ExportArgs) -> Result<()> {
    let query = report_query(&args.filter)?;
    let options = csv_options(&args.csv);
    let mut search = search_filter(args.filter.search.as_deref());
    let progress = Progress::new("fetching connection reports…");
    let mut fetch = ReportFetch::new(query);
    // Rows are written as the pages arrive, so only one page is held at a time: an endless
    // server is stopped by the fetch's limits, not by memory running out.
    let mut out = CsvOut::open(&args.csv.out, &options)?;
    let (cancel, ctrl_c) = cancel_on_ctrl_c();
    let outcome = fetch
        .run_draining(
            client,
            &cancel,
            &mut |p: &FetchProgress| {
                progress.set_message(format!(
                    "fetched {} of {} records ({} pages)",
                    p.records,
                    p.records + p.records_remaining,
                    p.pages
                ));
            },
            &mut |records| out.write_page(&records, &mut search, &progress),
        )
        .await;
    ctrl_c.abort();
    progress.finish();
    // On an error `out` is dropped unfinished: a file export's temporary file is removed and
    // the target stays as it was.
    outcome?;
    let written = out.finish()?;
    eprintln!("exported {written} records");
    Ok(())
}

/// Writes `records`, in their order, narrowed by the free-text `search` of the log view, as
/// CSV: the same writer and filter as `reports export`.
pub(crate) fn write_reports(
    records: &[ConnectionReport],
    search: Option<&str>,
    csv: &CsvOutArgs,
) -> Result<u64> {
    let mut out = CsvOut::open(&csv.out, &csv_options(csv))?;
    out.write_page(records, &mut search_filter(search), &Progress(None))?;
    out.finish()
}

/// Where `reports export` writes its CSV, row by row as the pages arrive: a file, replaced
/// atomically when the export is complete (a temporary file next to it until then, removed on
/// an error: the target is never left half written), or standard output (`-`). Standard output
/// gets the data exactly as received (CSV is data, not terminal output), except when it is a
/// terminal: then a person is reading it, and control characters are neutralised like all
/// server text ([`term::TerminalWriter`]). Rows on standard output cannot be taken back: after
/// an error, what was written is incomplete, and the exit status says so.
enum CsvOut {
    File(Box<CsvWriter<AtomicFile>>),
    Pipe(CsvWriter<std::io::Stdout>),
    Terminal(CsvWriter<term::TerminalWriter<std::io::Stdout>>),
}

impl CsvOut {
    /// Opens the output and writes the header.
    fn open(out: &str, options: &CsvOptions) -> Result<Self> {
        options.validate()?;
        if out != "-" {
            let file = AtomicFile::create(std::path::Path::new(out), FileMode::KeepOrPrivate)?;
            return Ok(Self::File(Box::new(CsvWriter::new(file, options)?)));
        }
        let stdout = std::io::stdout();
        if stdout.is_terminal() {
            return Ok(Self::Terminal(CsvWriter::new(
                term::TerminalWriter::new(stdout),
                options,
            )?));
        }
        Ok(Self::Pipe(CsvWriter::new(stdout, options)?))
    }

    /// Writes the records of one page that match `search`. On a terminal, the page is written
    /// out while the progress spinner (on the same terminal) is hidden.
    fn write_page(
        &mut self,
        records: &[ConnectionReport],
        search: &mut RecordFilter,
        progress: &Progress,
    ) -> Result<()> {
        fn rows<W: Write>(
            w: &mut CsvWriter<W>,
            records: &[ConnectionReport],
            search: &mut RecordFilter,
        ) -> Result<()> {
            for record in records.iter().filter(|r| search.matches(r)) {
                w.write_record(record)?;
            }
            Ok(())
        }
        match self {
            Self::File(w) => rows(w, records, search),
            Self::Pipe(w) => rows(w, records, search),
            Self::Terminal(w) => progress.suspend(|| {
                rows(w, records, search)?;
                w.flush()
            }),
        }
    }

    /// Flushes everything and puts a file in place; returns the number of rows written.
    fn finish(self) -> Result<u64> {
        match self {
            Self::File(w) => {
                let (file, rows) = w.finish()?;
                file.commit()?;
                Ok(rows)
            }
            Self::Pipe(w) => Ok(w.finish()?.1),
            Self::Terminal(w) => {
                let (terminal, rows) = w.finish()?;
                terminal.finish()?;
                Ok(rows)
            }
        }
    }
}

/// Progress on stderr, only when a person is watching.
pub(crate) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub(crate) fn new(message: &'static str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self(Some(bar))
    }

    /// Replaces the message (numbers only: no server text).
    pub(crate) fn set_message(&self, message: String) {
        if let Some(bar) = &self.0 {
            bar.set_message(message);
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }

    /// Runs `f` with the spinner hidden, for output to the same terminal.
    fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

async fn run_sandbox(args: sdesk_sandbox::SandboxArgs) -> Result<()> {
    let addr = args.socket_addr();
    let config = args.into_config();
    let sandbox = sdesk_sandbox::Sandbox::start(config, addr).await?;
    let base = sandbox.base_url();
    println!("Sandbox listening on {base}");
    println!("API base: {base}api/v1");
    println!("Script token: {}", sandbox.script_token());
    println!(
        "Try: SDESK_API_URL={base} SDESK_TOKEN={} sdesk account",
        sandbox.script_token()
    );
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    Ok(())
}
