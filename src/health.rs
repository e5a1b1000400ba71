//! `/healthz`, `/metrics` and the read-only JSON API (`http_api`) over HTTP (off unless
//! `TRIAGE_HTTP_ADDR` is set).
//!
//! `/healthz` answers 200 only when the database answers, at least one Socket Mode connection is
//! ready, and no outbox item has been due for longer than [`STUCK_AFTER`]; otherwise 503 with the
//! reasons. `/metrics` is the OpenMetrics text of [`crate::metrics`]. With `TRIAGE_HTTP_TOKEN`
//! set, `/metrics` and the API answer only requests that present it ([`HttpToken`]); `/healthz`
//! stays open for probes, and the calendar feeds (`calendar::http`) answer to their own token.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
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
    /// When set, the API and `/metrics` answer only requests that present it.
    pub token: Option<HttpToken>,
}

/// The token the API and `/metrics` require (`TRIAGE_HTTP_TOKEN`): presented as
/// `Authorization: Bearer <token>` or in the `triage_token` cookie. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpToken(String);

impl HttpToken {
    /// At least 16 characters, each a letter, a digit or one of `-._~` (so it travels unchanged
    /// in a header, a cookie and an address).
    pub fn new(text: &str) -> Result<HttpToken, &'static str> {
        let text = text.trim();
        if text.chars().count() < 16 {
            return Err("TRIAGE_HTTP_TOKEN must be at least 16 characters long");
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
        if !text.chars().all(allowed) {
            return Err("TRIAGE_HTTP_TOKEN may use only letters, digits and - . _ ~");
        }
        Ok(HttpToken(text.to_string()))
    }

    /// Whether `presented` is the token, compared in time that does not depend on where they
    /// differ.
    fn matches(&self, presented: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), presented.as_bytes());
        let differ = a
            .iter()
            .zip(b)
            .fold(u8::from(a.len() != b.len()), |acc, (x, y)| acc | (x ^ y));
        differ == 0
    }
}

impl std::fmt::Debug for HttpToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpToken(…)")
    }
}

/// The token a request presents: a bearer `Authorization` header, else the `triage_token`
/// cookie, else (for the status page only) a `token` query parameter.
fn presented(request: &Request) -> Option<&str> {
    let from_query = || {
        (request.uri().path() == "/")
            .then(|| request.uri().query())
            .flatten()?
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="))
    };
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    bearer
        .or_else(|| {
            headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|cookies| cookies.split(';'))
                .find_map(|cookie| cookie.trim().strip_prefix("triage_token="))
        })
        .or_else(from_query)
}

/// Lets a request through when no token is configured or it presents the token; else 401.
async fn require_token(State(state): State<HealthState>, request: Request, next: Next) -> Response {
    match &state.token {
        Some(token) if !presented(&request).is_some_and(|p| token.matches(p)) => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "this needs the token: send `Authorization: Bearer <TRIAGE_HTTP_TOKEN>`\n",
        )
            .into_response(),
        _ => next.run(request).await,
    }
}

/// Serves the endpoints on `listener` until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    state: HealthState,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    // `/healthz` stays open for probes; the rest follows the token.
    let guarded = Router::new()
        .route("/metrics", get(render_metrics))
        .merge(crate::http_api::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    // Calendar feeds carry their own token in the path (calendar apps send no headers).
    let app = Router::new()
        .route("/healthz", get(healthz))
        .merge(crate::calendar::http::routes())
        .merge(guarded)
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
