//! `triage-bot demo` (and `triage-bot` with no Slack tokens): the whole product on one
//! machine. Seeds a sample team into a temporary database (or `--db`), starts the Slack
//! emulator in-process, connects the real bot to it over Socket Mode with notifications on,
//! and hands the terminal to a console where you act as a workspace member.
//!
//! Like `slack/`, this is an edge: it knows the emulator and Slack's shapes. Nothing in the
//! bot is faked; the demo only moves the configuration's clock and wakes the scheduler.

mod clock;
mod console;
mod modal;
mod render;
mod team;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::{Notify, mpsc, watch};

use crate::app::{self, UsageError};
use crate::cli::Settings;
use crate::config::Config;
use crate::serve::{self, ServeOptions};
use crate::slack::emulator::Emulator;
use crate::slack::{Pacing, SocketConfig};
use console::{Console, Flow};
use render::Style;
use team::Seeded;

/// How long the bot may take to connect to the emulator.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The database the user asked the demo to use: `--db` on the command line only. A `TRIAGE_DB`
/// in the environment (or `db` in the config file) names the real team's database, which the
/// demo must not fill with fictional people.
pub fn chosen_db(settings: &Settings) -> Option<PathBuf> {
    if settings.from_environment.iter().any(|field| field == "db") {
        return None;
    }
    settings.db.clone()
}

/// Runs the demo until `quit`, the end of standard input, or Ctrl-C. `db` is the database the
/// user asked for; without one, a temporary database is used and deleted at the end. A `db`
/// holding a real team is refused unless `force` is set.
pub fn run(config: Config, db: Option<PathBuf>, force: bool) -> anyhow::Result<()> {
    let scratch = tempfile::Builder::new()
        .prefix("triage-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo database")?;
    let kept = db.is_some();
    let db = db.unwrap_or_else(|| scratch.path().join("triage.db"));
    let config = demo_config(config, db);
    let store = app::open_store(&config)?;
    if kept && !force && team::holds_a_real_team(&store)? {
        return Err(UsageError(format!(
            "{} holds a team that is not the demo's; the demo would add fictional requests and \
             announcements to it. Leave out --db to use a temporary database, or pass \
             --force-demo-db to use this one anyway",
            config.db.display()
        ))
        .into());
    }
    let seeded = team::seed(&store, &config)
        .with_context(|| format!("cannot write the sample team to {}", config.db.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let where_ = if kept {
        config.db.display().to_string()
    } else {
        "a temporary file, deleted at the end".to_string()
    };
    runtime.block_on(session(Arc::new(config), store, seeded, where_))
}

/// The configuration with the demo workspace's channels and user group.
fn demo_config(mut config: Config, db: PathBuf) -> Config {
    config.db = db;
    config.bot.channel = Some(team::TRIAGE_CHANNEL.to_string());
    config.bot.admin_channel = Some(team::ADMIN_CHANNEL.to_string());
    config.bot.usergroup = Some(team::ONCALL_GROUP.to_string());
    config
}

async fn session(
    config: Arc<Config>,
    store: crate::store::Store,
    seeded: Seeded,
    database: String,
) -> anyhow::Result<()> {
    let emulator = Emulator::start()
        .await
        .context("cannot start the Slack emulator")?;
    let members: Vec<(String, String)> = store
        .run(|s| s.members(None))
        .await?
        .into_iter()
        .map(|m| (m.slack_id.as_str().to_string(), m.name))
        .collect();
    let zone = config.timezone.iana_name().unwrap_or("UTC").to_string();
    emulator.edit_workspace(|w| {
        team::furnish(w, &members, &zone);
        w.slash_commands = vec![config.bot.command.clone()];
    });
    let wake = Arc::new(Notify::new());
    // The status page and API on the configured address, else on a free local port.
    let address = config
        .http_addr
        .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    let http = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} for the status page"))?;
    let page = format!("http://{}/", http.local_addr()?);
    let options = ServeOptions {
        api_url: emulator.api_url(),
        app_token: emulator.app_token(),
        bot_token: emulator.bot_token(),
        user_token: None,
        socket: SocketConfig::default(),
        http: Some(http),
        notifications: true,
        // The emulator runs on this machine: no need to space calls out for Slack's limits.
        pacing: Pacing::none(),
        wake: Some(wake.clone()),
        http_token: None,
    };
    let style = Style {
        colour: std::io::stdout().is_terminal(),
    };
    let mut console = Console::new(emulator, store.clone(), config.clone(), wake, style);
    let (stop, shutdown) = watch::channel(false);
    let mut bot = tokio::spawn(serve::run(config, store, options, shutdown));
    let connected = console
        .emulator
        .wait_until(CONNECT_TIMEOUT, |e| e.ready_sockets() > 0);
    tokio::select! {
        ready = connected => {
            anyhow::ensure!(ready, "the bot did not connect to the Slack emulator");
        }
        ended = &mut bot => {
            ended??;
            anyhow::bail!("the bot stopped before connecting");
        }
    }
    banner(&console, seeded, &database, &page).await;
    converse(&mut console).await;
    let _ = stop.send(true);
    match tokio::time::timeout(CONNECT_TIMEOUT, bot).await {
        Ok(ended) => ended??,
        Err(_) => tracing::warn!("the bot did not stop in time"),
    }
    console.say("Bye.");
    console.emulator.shutdown().await;
    Ok(())
}

async fn banner(console: &Console, seeded: Seeded, database: &str, page: &str) {
    console.say("triage-bot demo: the real bot, connected over Socket Mode to a Slack workspace");
    console
        .say("emulated on this machine. Type what you would type in Slack; see what Slack shows.");
    console.say(&match seeded {
        Seeded::Created => format!(
            "Team: Account, Producer, Product Owner, UI Engineering and Backend Engineering,\n\
             16 people, two-week sprints. Database: {database}."
        ),
        Seeded::KeptExisting => format!("Using the team already in {database}."),
    });
    console.say(&format!(
        "The bot's log goes to {}.",
        crate::app::demo_log_path().display()
    ));
    console.say(&format!(
        "The status page is at {page} (and the JSON API under {page}api/v1/)."
    ));
    console.say(&console.introduce().await);
    console.say(
        "The admin is Priya Nair (@priya). Coverage requests go to #triage-admins; handoffs to #triage.",
    );
    console.say(
        "Try: /triage who · /triage me · /triage cover 4 @maria dentist · as maria · click Accept\n     \
         as priya · click Approve · click Approve anyway · advance 14d · state · help · quit",
    );
    console.heading_now("the bot connects");
}

/// Prints the bot's start-up output, then reads and runs commands until the end.
async fn converse(console: &mut Console) {
    console.show_changes(team::TRIAGE_CHANNEL).await;
    let interactive = std::io::stdin().is_terminal();
    let mut lines = read_lines();
    loop {
        if interactive {
            console.prompt();
        }
        let line = tokio::select! {
            line = lines.recv() => line,
            _ = tokio::signal::ctrl_c() => None,
        };
        let Some(line) = line else { break };
        if !interactive && !line.trim().is_empty() {
            console.say(&console.echo(&line));
        }
        if console.execute(&line).await == Flow::Quit || console.output_closed() {
            break;
        }
    }
}

/// Standard input, one line at a time, read on its own thread so a pending read never holds
/// up shutdown.
fn read_lines() -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if send.blocking_send(line).is_err() {
                break;
            }
        }
    });
    receive
}
