//! `sdesk`: scripted support sessions and connection-report exports over the Supporter Desk
//! core. Errors end the process with one line `error: <kind>: <message>` on stderr. Server text
//! reaches the terminal only through [`term`].

mod archive;
mod args;
mod insight;
mod run;
mod term;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    tracing_subscriber::fmt()
        // Log lines can quote server text: no colours, and control characters neutralised.
        .with_ansi(false)
        .with_writer(term::SafeStderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SDESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: io: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The message can quote the server (an error description, a name).
            eprintln!("error: {}: {}", e.kind(), term::line(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}
