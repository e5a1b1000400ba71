use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = triage_bot::cli::Cli::parse();
    match triage_bot::app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
