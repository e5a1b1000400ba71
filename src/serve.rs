//! `triage-bot serve`: connects to Slack over Socket Mode and answers `/triage help` and
//! `/triage who` from the rotation engine. Processed Slack events are recorded in the store so a
//! redelivery has no second effect.
//!
//! Slack's wire format stays in `slack/`; this module only turns a slash command's words into
//! an answer. It reads the clock through `Config::now`, once per envelope.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::watch;

use crate::config::Config;
use crate::domain::SlackUserId;
use crate::duty::{self, DutyAt, Roster};
use crate::slack::{
    ApiClient, ApiConfig, AppToken, BotToken, Envelope, EnvelopeHandler, EventDedup, SocketClient,
    SocketConfig, SocketError,
};
use crate::store::Store;

/// What `serve` needs beyond the shared configuration.
pub struct ServeOptions {
    pub api_url: String,
    pub app_token: AppToken,
    pub bot_token: BotToken,
    pub socket: SocketConfig,
}

/// Why `serve` stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `auth.test` failed: the bot token is wrong or Slack cannot be reached.
    #[error("slack did not accept the bot token (auth.test): {0}")]
    Auth(String),
    /// The Socket Mode client stopped with a fatal error.
    #[error(transparent)]
    Socket(#[from] SocketError),
}

/// Runs the bot until `shutdown` turns true.
pub async fn run(
    config: Arc<Config>,
    store: Store,
    options: ServeOptions,
    shutdown: watch::Receiver<bool>,
) -> Result<(), ServeError> {
    let api = ApiClient::new(ApiConfig::new(options.api_url), options.bot_token);
    api.auth_test()
        .await
        .map_err(|error| ServeError::Auth(error.to_string()))?;
    tracing::info!("connected to the Slack Web API");
    let handler: Arc<dyn EnvelopeHandler> = {
        let (config, store) = (config.clone(), store.clone());
        Arc::new(move |envelope: Envelope| {
            let (config, store) = (config.clone(), store.clone());
            async move { answer(&config, &store, envelope).await }
        })
    };
    let dedup: Arc<dyn EventDedup> = {
        let (config, store) = (config.clone(), store.clone());
        Arc::new(move |event_id: String| {
            let (now, store) = (config.now(), store.clone());
            async move {
                match store
                    .run(move |s| s.mark_event_processed(&event_id, now))
                    .await
                {
                    Ok(first) => first,
                    Err(error) => {
                        tracing::error!(%error, "could not record a processed event; skipping it");
                        false
                    }
                }
            }
        })
    };
    let client = SocketClient::new(api, options.app_token, options.socket, handler, dedup);
    client.run(shutdown).await?;
    Ok(())
}

async fn answer(config: &Config, store: &Store, envelope: Envelope) -> Option<Value> {
    let command = envelope.slash_command()?;
    let word = command
        .text
        .split_whitespace()
        .next()
        .unwrap_or("help")
        .to_lowercase();
    let text = match word.as_str() {
        "help" => help(&command.command),
        "who" => who(config, store).await,
        other => format!("I don't know `{other}`.\n{}", help(&command.command)),
    };
    Some(json!({"response_type": "ephemeral", "text": text}))
}

fn help(command: &str) -> String {
    format!("*{command} who* — who is on triage duty now\n*{command} help* — this list")
}

async fn who(config: &Config, store: &Store) -> String {
    let (team, now) = (config.team(), config.now());
    let result = store
        .run(move |s| {
            let answer = duty::duty_at(s, &team, now, now, "rotation")?;
            Ok::<_, crate::store::StoreError>((answer, Roster::load(s)?))
        })
        .await;
    match result {
        Ok((answer, roster)) => render_who(&answer, &roster),
        Err(error) => {
            tracing::error!(%error, "who failed");
            "Something went wrong; nothing was changed. Please try again.".to_string()
        }
    }
}

fn render_who(answer: &DutyAt, roster: &Roster) -> String {
    let DutyAt::InForce { duty, .. } = answer else {
        return "No sprint is in force right now.".to_string();
    };
    let mut lines = vec![format!(
        "*{}* (sprint {})",
        duty.sprint.name, duty.sprint.index
    )];
    for a in &duty.assignments {
        let discipline = roster
            .discipline(&a.discipline)
            .map_or(a.discipline.to_string(), |d| d.name.clone());
        let person = a
            .slack_id
            .as_ref()
            .map_or("nobody".to_string(), |id: &SlackUserId| format!("<@{id}>"));
        lines.push(format!("• {discipline}: {person} ({})", a.source));
    }
    lines.join("\n")
}
