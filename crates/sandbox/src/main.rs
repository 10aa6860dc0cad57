//! `sdesk-sandbox`: runs the TeamViewer Web API simulator on loopback until Ctrl-C.

use clap::Parser;
use sdesk_sandbox::{Sandbox, SandboxArgs, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use std::process::ExitCode;

/// Loopback simulator of the TeamViewer Web API for Supporter Desk.
#[derive(Debug, Parser)]
#[command(name = "sdesk-sandbox", version, about)]
struct Cli {
    #[command(flatten)]
    sandbox: SandboxArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Cli::parse().sandbox;
    let addr = args.socket_addr();
    let config = args.into_config();
    let redirect_uris = config
        .clients
        .first()
        .map(|client| client.redirect_uris.join(" "))
        .unwrap_or_default();
    let sandbox = match Sandbox::start(config, addr).await {
        Ok(sandbox) => sandbox,
        Err(err) => {
            eprintln!("sdesk-sandbox: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let base = sandbox.base_url();
    println!("Sandbox listening on {base}");
    println!("API base: {base}api/v1");
    println!("Authorize URL: {base}oauth2/authorize");
    println!("Token URL: {base}api/v1/oauth2/token");
    println!("Script token: {}", sandbox.script_token());
    println!("Client id: {DEFAULT_CLIENT_ID}");
    println!("Client secret: {DEFAULT_CLIENT_SECRET}");
    println!("Redirect URIs: {redirect_uris}");
    println!("Connection reports: {}", sandbox.report_count());
    println!("Press Ctrl-C to stop.");
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("sdesk-sandbox: cannot wait for Ctrl-C: {err}");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
