//! `triage-bot serve`: connects to Slack over Socket Mode and hands every envelope to the
//! [`Bot`]. Processed Slack events are recorded in the store so a redelivery has no second
//! effect.
//!
//! Slack's wire format stays in `slack/` and what an envelope means is decided in `bot/`; this
//! module only wires the store, the Web API client and the socket client together.

use std::sync::Arc;

use tokio::sync::{Notify, watch};

use crate::bot::Bot;
use crate::bot::scheduler::{self, Notifications};
use crate::config::Config;
use crate::health::{self, HealthState};
use crate::slack::{
    ApiClient, ApiConfig, AppToken, BotToken, Envelope, EnvelopeHandler, EventDedup, Pacing,
    SocketClient, SocketConfig, SocketError,
};
use crate::store::Store;

/// What `serve` needs beyond the shared configuration.
pub struct ServeOptions {
    pub api_url: String,
    pub app_token: AppToken,
    pub bot_token: BotToken,
    /// An admin's user token (`xoxp-`) for user groups, when apps may not edit them.
    pub user_token: Option<BotToken>,
    pub socket: SocketConfig,
    /// Where to serve `/healthz`, `/metrics` and the API, if anywhere.
    pub http: Option<tokio::net::TcpListener>,
    /// The token the API and `/metrics` require (`TRIAGE_HTTP_TOKEN`), if any.
    pub http_token: Option<crate::health::HttpToken>,
    /// Run the announcer and the outbox worker (off only in tests that inspect the outbox).
    pub notifications: bool,
    /// Spacing of Web API calls: Slack's limits, or none against a local emulator.
    pub pacing: Pacing,
    /// Wakes the scheduler; a caller that keeps a clone can wake it too (the demo does after
    /// moving the clock).
    pub wake: Option<Arc<Notify>>,
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
    let api_config = ApiConfig {
        pacing: options.pacing,
        ..ApiConfig::new(options.api_url)
    };
    let api = ApiClient::new(api_config, options.bot_token);
    let identity = api
        .auth_test()
        .await
        .map_err(|error| ServeError::Auth(error.to_string()))?;
    tracing::info!("connected to the Slack Web API");
    crate::bot::plan::keep_planned_logged(&store, &config, config.now()).await;
    let wake = options.wake.unwrap_or_default();
    // Calendar feed addresses name the port actually bound (a configured port 0, the demo's).
    let bound = options.http.as_ref().and_then(|l| l.local_addr().ok());
    let config = match bound {
        Some(addr) if config.http_addr != Some(addr) => Arc::new(Config {
            http_addr: Some(addr),
            ..(*config).clone()
        }),
        _ => config,
    };
    let bot = Bot {
        config: config.clone(),
        store: store.clone(),
        api: api.clone(),
        wake: wake.clone(),
        bot_user: crate::domain::SlackUserId::parse(&identity.user_id).ok(),
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
    // The background tasks stop when the caller asks and also when the Socket Mode client
    // stops on its own (a refused token): without intake the process has nothing left to do.
    let (stop_tasks, tasks_shutdown) = watch::channel(false);
    let background = options.notifications.then(|| {
        let usergroup_api = options
            .user_token
            .map(|token| ApiClient::new(api.config().clone(), token));
        let home_config = config.clone();
        let notifications = Notifications {
            store: store.clone(),
            config: config.clone(),
            api: api.clone(),
            usergroup_api,
            home: Some(Arc::new(
                move |store: &Store, user: &crate::domain::SlackUserId, now| {
                    crate::bot::home::home_view(store, &home_config, user, now)
                },
            )),
        };
        tokio::spawn(scheduler::run(
            notifications,
            tasks_shutdown.clone(),
            wake.clone(),
        ))
    });
    let client = SocketClient::new(api, options.app_token, options.socket, handler, dedup);
    let http = options.http.map(|listener| {
        let clock_config = config.clone();
        let state = HealthState {
            store: store.clone(),
            clock: Arc::new(move || clock_config.now()),
            ready_sockets: client.ready_sockets(),
            team: config.team(),
            token: options.http_token.clone(),
        };
        tokio::spawn(health::serve(listener, state, tasks_shutdown.clone()))
    });
    let result = client.run(shutdown).await;
    if let Err(error) = &result {
        tracing::error!(%error, "the Socket Mode client stopped; stopping every task");
    }
    let _ = stop_tasks.send(true);
    if let Some(background) = background {
        let _ = background.await;
    }
    if let Some(http) = http {
        match http.await {
            Ok(Err(error)) => tracing::warn!(%error, "the health server stopped with an error"),
            Err(error) => tracing::warn!(%error, "the health server task failed"),
            Ok(Ok(())) => {}
        }
    }
    result?;
    Ok(())
}
