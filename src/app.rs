//! Runs one subcommand: validates the settings, opens the store, dispatches, and decides the
//! exit status (0 success, 2 invalid input or a broken rule, 1 anything else).

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{Cli, Command, SlackArgs};
use crate::commands;
use crate::config::{Config, ConfigError};
use crate::demo;
use crate::domain::IdError;
use crate::legacy::LegacyError;
use crate::store::{Store, StoreError};

/// An error in what the user asked for, as opposed to a failure of the system. Exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_settings(&cli.effective_settings())?;
    match cli.command {
        Some(Command::Migrate { check }) => commands::migrate::run(&config, check),
        Some(Command::Discipline(command)) => commands::team::discipline(&config, command),
        Some(Command::Member(command)) => commands::team::member(&config, command),
        Some(Command::Admin(command)) => commands::team::admin(&config, command),
        Some(Command::Sprint(command)) => commands::sprints::run(&config, command),
        Some(Command::Who { at }) => commands::duty::who(&config, at.as_deref()),
        Some(Command::Schedule { from, count }) => {
            commands::duty::schedule(&config, from.as_deref(), &count)
        }
        Some(Command::Stats { since, discipline }) => {
            commands::stats::run(&config, since.as_deref(), discipline.as_deref())
        }
        Some(Command::Notes { sprint }) => commands::notes::run(&config, sprint.as_deref()),
        Some(Command::Calendar { subject, reset, by }) => {
            commands::calendar::run(&config, &subject, reset, &by.by)
        }
        Some(Command::Override(command)) => commands::overrides::run(&config, command),
        Some(Command::Audit { limit }) => commands::team::audit(&config, &limit),
        Some(Command::ImportLegacy { dir, dry_run, by }) => {
            commands::import::run(&config, &dir, dry_run, &by)
        }
        Some(Command::Serve { slack, .. }) => commands::serve::run(config, slack),
        Some(Command::Doctor { slack, .. }) => commands::serve::doctor(&config, &slack),
        Some(Command::Healthcheck { .. }) => commands::serve::healthcheck(&config),
        Some(Command::SlackEmulator { port }) => commands::serve::emulator(&port),
        Some(Command::Backup { file, force }) => commands::backup::run(&config, &file, force),
        Some(Command::Demo { force_demo_db, .. }) => {
            demo::run(config, demo::chosen_db(&cli.settings), force_demo_db)
        }
        None => {
            let slack = SlackArgs::from_env()?;
            if slack.has_tokens() {
                commands::serve::run(config, slack)
            } else {
                demo::run(config, demo::chosen_db(&cli.settings), false)
            }
        }
    }
}

/// Libraries whose debug and trace logs can contain request lines, URLs or headers (a Socket
/// Mode ticket, a `response_url`, a bearer token). Those that log through `tracing` stay at
/// `info` whatever `RUST_LOG` says, so turning logging up never leaks a secret. Those that log
/// through the `log` crate (tungstenite, reqwest) are never heard at all: the subscriber is built
/// without the `log` bridge.
const CHATTY_LIBRARIES: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "reqwest",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "axum",
    "tower",
    "tower_http",
];

/// `RUST_LOG`'s filter with the chatty libraries capped at `info`.
pub fn log_filter(mut filter: tracing_subscriber::EnvFilter) -> tracing_subscriber::EnvFilter {
    for library in CHATTY_LIBRARIES {
        if let Ok(directive) = format!("{library}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Where the demo writes its log: its console owns the terminal, so log lines go to this file
/// instead of between the console's lines.
pub fn demo_log_path() -> std::path::PathBuf {
    std::env::temp_dir().join("triage-bot-demo.log")
}

/// The log's destination for `cli`'s command, and whether it takes colour codes: standard error
/// (coloured on a terminal only), or for the demo [`demo_log_path`] (never coloured; standard
/// error if the file cannot be opened).
pub fn log_writer(cli: &Cli) -> (tracing_subscriber::fmt::writer::BoxMakeWriter, bool) {
    use std::io::IsTerminal;
    use tracing_subscriber::fmt::writer::BoxMakeWriter;
    let demo = matches!(cli.command, None | Some(Command::Demo { .. }));
    let file = demo.then(|| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(demo_log_path())
    });
    match file {
        Some(Ok(file)) => (BoxMakeWriter::new(std::sync::Mutex::new(file)), false),
        _ => (
            BoxMakeWriter::new(std::io::stderr),
            std::io::stderr().is_terminal(),
        ),
    }
}

/// Opens and migrates the configured database, reporting a migration on stderr.
pub fn open_store(config: &Config) -> anyhow::Result<Store> {
    let (store, report) = Store::open(&config.db, config.store.clone())?;
    if report.from != report.to {
        tracing::info!(
            from = report.from,
            to = report.to,
            "migrated database schema"
        );
    }
    if let Some(backup) = &report.backup {
        eprintln!(
            "note: backed up {} to {} before migrating",
            config.db.display(),
            backup.display()
        );
    }
    Ok(store)
}

/// The exit status for a failed run.
pub fn exit_code(error: &anyhow::Error) -> ExitCode {
    let user_error = error.chain().any(|cause| {
        cause.is::<UsageError>()
            || cause.is::<ConfigError>()
            || cause.is::<IdError>()
            || cause
                .downcast_ref::<LegacyError>()
                .is_some_and(LegacyError::is_user_error)
            || cause
                .downcast_ref::<StoreError>()
                .is_some_and(StoreError::is_user_error)
    });
    if user_error {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

/// Adds the database path to an error for the terminal.
pub fn with_db<T>(result: Result<T, StoreError>, config: &Config) -> anyhow::Result<T> {
    result.with_context(|| format!("database {}", config.db.display()))
}
