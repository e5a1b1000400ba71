//! `/healthz`, `/metrics` and the read-only JSON API (`http_api`) over HTTP (off unless
//! `TRIAGE_HTTP_ADDR` is set).
//!
//! `/healthz` answers 200 only when the database answers, at least one Socket Mode connection is
//! ready, and no outbox item has been due for longer than [`STUCK_AFTER`]; otherwise 503 with the
//! reasons. `/metrics` is the OpenMetrics text of [`crate::metrics`].

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use jiff::{SignedDuration, Timestamp};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::domain::Team;
use crate::metrics::metrics;
use crate::store::Store;

/// An outbox item due for longer than this means delivery is stuck.
pub const STUCK_AFTER: SignedDuration = SignedDuration::from_mins(10);

/// What the endpoints read: the store, the clock and the Socket Mode client's ready sockets.
#[derive(Clone)]
pub struct HealthState {
    pub store: Store,
    pub clock: Arc<dyn Fn() -> Timestamp + Send + Sync>,
    pub ready_sockets: Arc<AtomicI64>,
    /// The team's zone and handoff time, for the API's dates.
    pub team: Team,
}

/// Serves the endpoints on `listener` until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    state: HealthState,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(render_metrics))
        .merge(crate::http_api::routes())
        .with_state(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
}

/// The reasons the bot is unhealthy at `now`; empty when healthy.
pub async fn problems(state: &HealthState) -> Vec<String> {
    let now = (state.clock)();
    let mut problems = Vec::new();
    let stats = state
        .store
        .run(move |s| s.ping().and_then(|()| s.outbox_stats(now)))
        .await;
    match stats {
        Err(error) => {
            tracing::warn!(%error, "health check: database did not answer");
            problems.push("the database does not answer".to_string());
        }
        Ok(stats) => {
            if let Some(due) = stats.oldest_due
                && now.duration_since(due) > STUCK_AFTER
            {
                problems.push(format!(
                    "the outbox is stuck: an item has been due for {} s",
                    now.duration_since(due).as_secs()
                ));
            }
        }
    }
    if state.ready_sockets.load(Ordering::Relaxed) < 1 {
        problems.push("no Socket Mode connection is ready".to_string());
    }
    problems
}

async fn healthz(State(state): State<HealthState>) -> impl IntoResponse {
    let problems = problems(&state).await;
    if problems.is_empty() {
        (StatusCode::OK, "ok\n".to_string())
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("unhealthy: {}\n", problems.join("; ")),
        )
    }
}

async fn render_metrics(State(state): State<HealthState>) -> impl IntoResponse {
    let now = (state.clock)();
    let store = state.store.clone();
    if let Ok(stats) = state.store.run(move |s| s.outbox_stats(now)).await {
        let age = stats
            .oldest_due
            .map_or(0, |due| now.duration_since(due).as_secs().max(0));
        metrics().set_outbox(stats.pending, age);
    }
    metrics().set_db_busy_retries(store.busy_retries());
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics().render(),
    )
}
