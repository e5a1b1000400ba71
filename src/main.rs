use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = triage_bot::cli::Cli::parse_args();
    let (writer, ansi) = triage_bot::app::log_writer(&cli);
    tracing_subscriber::fmt()
        .with_env_filter(triage_bot::app::log_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        ))
        .with_writer(writer)
        .with_ansi(ansi)
        .init();
    match triage_bot::app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            triage_bot::app::exit_code(&error)
        }
    }
}
