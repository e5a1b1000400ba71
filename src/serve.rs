//! `triage-bot serve`: connects to Slack over Socket Mode and hands every envelope to the
//! [`Bot`]. Processed Slack events are recorded in the store so a redelivery has no second
//! effect.
//!
//! Slack's wire format stays in `slack/` and what an envelope means is decided in `bot/`; this
//! module only wires the store, the Web API client and the socket client together.

use std::sync::Arc;

use tokio::sync::watch;

use crate::bot::Bot;
use crate::config::Config;
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
    let bot = Bot {
        config: config.clone(),
        store: store.clone(),
        api: api.clone(),
    };
    let handler: Arc<dyn EnvelopeHandler> = Arc::new(move |envelope: Envelope| {
        let bot = bot.clone();
        async move { bot.handle(envelope).await }
    });
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
