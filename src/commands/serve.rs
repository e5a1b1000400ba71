//! `triage-bot serve` and `triage-bot slack-emulator`.

use std::sync::Arc;

use tokio::sync::watch;

use super::parse_number;
use crate::app::{self, UsageError};
use crate::cli::SlackArgs;
use crate::config::Config;
use crate::health::HttpToken;
use crate::serve::{self, ServeOptions};
use crate::slack::{AppToken, BotToken, Pacing, SocketConfig};

/// Threads for blocking work (SQLite); more would only wait for a pooled connection.
const BLOCKING_THREADS: usize = 8;

/// One thread runs every task: the bot's async work is light (SQLite runs on the blocking
/// pool), and handing an envelope between worker threads cost more than handling it. The
/// blocking pool is kept small: the store has only a few connections to give out, and every
/// extra thread keeps a stack and a malloc arena of its own.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()?)
}

/// Caps glibc's malloc at two arenas (its default is eight per core). Each thread that allocates
/// while another holds an arena gets one of its own, and memory freed into an arena stays with
/// it, so with the blocking pool's threads coming and going a long-running `serve` grew by
/// megabytes. Call before any thread starts.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Checks both tokens before anything connects: a missing or malformed one names its variable.
pub fn tokens(slack: &SlackArgs) -> Result<(AppToken, BotToken), UsageError> {
    let app = slack.slack_app_token.as_deref().ok_or_else(|| {
        UsageError("SLACK_APP_TOKEN is not set (an app-level token, xapp-…)".into())
    })?;
    let bot = slack
        .slack_bot_token
        .as_deref()
        .ok_or_else(|| UsageError("SLACK_BOT_TOKEN is not set (a bot token, xoxb-…)".into()))?;
    let app = AppToken::new(app).map_err(|_| {
        UsageError("SLACK_APP_TOKEN must be an app-level token starting with xapp-".into())
    })?;
    if !bot.starts_with("xoxb-") {
        return Err(UsageError(
            "SLACK_BOT_TOKEN must be a bot token starting with xoxb-".into(),
        ));
    }
    let bot = BotToken::new(bot).map_err(|_| {
        UsageError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-".into())
    })?;
    Ok((app, bot))
}

/// The optional user token for user groups: `xoxp-` only.
fn user_token(slack: &SlackArgs) -> Result<Option<BotToken>, UsageError> {
    let Some(token) = slack.slack_user_token.as_deref().filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let invalid = || UsageError("SLACK_USER_TOKEN must be a user token starting with xoxp-".into());
    if !token.starts_with("xoxp-") {
        return Err(invalid());
    }
    BotToken::new(token).map(Some).map_err(|_| invalid())
}

/// One log line per optional feature that is off because its setting is missing.
fn log_switched_off(config: &Config) {
    let bot = &config.bot;
    if bot.channel.is_none() {
        tracing::warn!("TRIAGE_CHANNEL is not set: no handoff posts and no channel topic");
    }
    if bot.admin_channel.is_none() {
        tracing::warn!(
            "TRIAGE_ADMIN_CHANNEL is not set: coverage requests are not posted for approval in a channel"
        );
    }
    if bot.usergroup.is_none() {
        tracing::info!(
            "TRIAGE_USERGROUP is not set: only per-discipline user groups are kept in sync"
        );
    }
    if config.http_addr.is_none() {
        tracing::info!("TRIAGE_HTTP_ADDR is not set: no /healthz or /metrics");
    }
}

pub fn run(config: Config, slack: SlackArgs) -> anyhow::Result<()> {
    let (app_token, bot_token) = tokens(&slack)?;
    let user_token = user_token(&slack)?;
    let http_token = match slack.http_token.as_deref().filter(|t| !t.is_empty()) {
        Some(text) => Some(HttpToken::new(text).map_err(|why| UsageError(why.into()))?),
        None => None,
    };
    limit_malloc_arenas();
    let store = app::open_store(&config)?;
    log_switched_off(&config);
    runtime()?.block_on(async move {
        let http = match config.http_addr {
            Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.map_err(|error| {
                anyhow::anyhow!("cannot listen on TRIAGE_HTTP_ADDR {addr}: {error}")
            })?),
            None => None,
        };
        let options = ServeOptions {
            api_url: slack.slack_api_url,
            app_token,
            bot_token,
            user_token,
            socket: SocketConfig::default(),
            http,
            notifications: true,
            pacing: Pacing::slack_defaults(),
            wake: None,
            http_token,
        };
        let (stop, shutdown) = watch::channel(false);
        let signals = tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("stopping: finishing work in flight");
            let _ = stop.send(true);
        });
        let result = serve::run(Arc::new(config), store, options, shutdown).await;
        signals.abort();
        Ok(result?)
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub fn emulator(port: &str) -> anyhow::Result<()> {
    let port = parse_number("--port", port, 0, 65_535)? as u16;
    runtime()?.block_on(crate::slack::emulator::run_standalone(port))?;
    Ok(())
}

/// `triage-bot healthcheck`: GET /healthz of the running bot; exit 0 only on 200.
pub fn healthcheck(config: &Config) -> anyhow::Result<()> {
    let Some(addr) = config.http_addr else {
        return Err(UsageError(
            "TRIAGE_HTTP_ADDR is not set, so there is no /healthz to ask".into(),
        )
        .into());
    };
    let host = if addr.ip().is_unspecified() {
        std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    let url = format!("http://{host}/healthz");
    let (status, body) = runtime()?
        .block_on(async {
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .build()?;
            let response = client.get(&url).send().await?;
            let status = response.status();
            Ok::<_, reqwest::Error>((status, response.text().await.unwrap_or_default()))
        })
        .map_err(|error| anyhow::anyhow!("cannot reach {url}: {}", error.without_url()))?;
    out!("{body}");
    if status.is_success() {
        Ok(())
    } else {
        Err(anyhow::anyhow!("{url} answered {status}"))
    }
}

/// `triage-bot doctor`: prints every check; exit status 0 only when none found a problem.
pub fn doctor(config: &Config, slack: &SlackArgs) -> anyhow::Result<()> {
    let checks = runtime()?.block_on(crate::doctor::examine(config, slack, config.now()));
    out!("{}", crate::doctor::render(&checks));
    let problems = checks
        .iter()
        .filter(|check| check.status == crate::doctor::Status::Problem)
        .count();
    if problems == 0 {
        Ok(())
    } else {
        Err(anyhow::anyhow!("doctor found {problems} problem(s)"))
    }
}
