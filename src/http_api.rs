//! The read-only JSON API next to `/healthz` on `TRIAGE_HTTP_ADDR`: `/api/v1/who?at=…`,
//! `/api/v1/schedule?from=…&count=…` and `/api/v1/stats?since=…`, exactly the command line's
//! `who --json`, `schedule --json` and `stats --json` (the same functions build both:
//! `commands::duty::who_value`, `schedule_value`, `stats::fairness` with `fairness_json`). Parameters read as the command line's flags do (`at`: an RFC 3339 instant
//! or a date, meaning that day's handoff; `from`: a date; `count`: 1 to 520, default 8).
//!
//! Only GET and HEAD are routed, so anything else gets 405. A bad parameter gets 400 with the
//! same words as on the command line; a database failure gets 500 with "something went wrong"
//! (the details go to the log). It reads the clock once per request, through the state's clock.

use axum::Router;
use axum::extract::{Query, State};
use std::sync::atomic::Ordering;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::commands::duty::{schedule_value, who_value};
use crate::commands::{parse_date, parse_number, parse_when};
use crate::domain::handoff_instant;
use crate::domain::stats::Scope;
use crate::health::HealthState;
use crate::stats::fairness_json;
use crate::store::StoreError;

/// How many sprints `/api/v1/schedule` lists without `count` (the command line's default).
const DEFAULT_COUNT: usize = 8;

/// The API's routes, to be merged into the health server's router.
pub fn routes() -> Router<HealthState> {
    Router::new()
        .route("/", get(status_page))
        .route("/api/v1/who", get(who))
        .route("/api/v1/schedule", get(schedule))
        .route("/api/v1/stats", get(stats))
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    token: Option<String>,
}

/// The status page. Visited as `/?token=…` (the token layer let it through), it sets the
/// `triage_token` cookie and sends the browser on to `/`, so the token leaves the address bar.
async fn status_page(State(state): State<HealthState>, Query(query): Query<PageQuery>) -> Response {
    if let Some(token) = query.token.filter(|_| state.token.is_some()) {
        let cookie = format!("triage_token={token}; Path=/; HttpOnly; SameSite=Strict");
        return (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/".to_string()),
                (header::SET_COOKIE, cookie),
            ],
        )
            .into_response();
    }
    let now = (state.clock)();
    let team = state.team.clone();
    let sockets = state.ready_sockets.load(Ordering::Relaxed);
    let loaded = state
        .store
        .run(move |s| crate::status_page::load(s, &team, sockets, now))
        .await;
    match loaded {
        Ok(page) => {
            let html = crate::status_page::render(&page, &state.team);
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        Err(error) => answer(Err(error)),
    }
}

#[derive(Debug, Deserialize)]
struct WhoQuery {
    at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ScheduleQuery {
    from: Option<String>,
    count: Option<String>,
}

async fn who(State(state): State<HealthState>, Query(query): Query<WhoQuery>) -> Response {
    let now = (state.clock)();
    let team = state.team.clone();
    let at = match query
        .at
        .as_deref()
        .map(|text| parse_when(&team, "at", text))
    {
        None => now,
        Some(Ok(at)) => at,
        Some(Err(error)) => return bad_request(&error.to_string()),
    };
    answer(state.store.run(move |s| who_value(s, &team, at, now)).await)
}

async fn schedule(
    State(state): State<HealthState>,
    Query(query): Query<ScheduleQuery>,
) -> Response {
    let now = (state.clock)();
    let team = state.team.clone();
    let count = match query
        .count
        .as_deref()
        .map(|text| parse_number("count", text, 1, 520))
    {
        None => DEFAULT_COUNT,
        Some(Ok(count)) => count as usize,
        Some(Err(error)) => return bad_request(&error.to_string()),
    };
    let from = match query.from.as_deref().map(|text| parse_date("from", text)) {
        None => now,
        Some(Ok(day)) => handoff_instant(&team, day),
        Some(Err(error)) => return bad_request(&error.to_string()),
    };
    answer(
        state
            .store
            .run(move |s| schedule_value(s, &team, from, count, now))
            .await,
    )
}

#[derive(Debug, Deserialize)]
struct StatsQuery {
    since: Option<String>,
}

async fn stats(State(state): State<HealthState>, Query(query): Query<StatsQuery>) -> Response {
    let now = (state.clock)();
    let team = state.team.clone();
    let since = match query.since.as_deref().map(|text| parse_date("since", text)) {
        None => None,
        Some(Ok(day)) => Some(day),
        Some(Err(error)) => return bad_request(&error.to_string()),
    };
    let scope = Scope {
        since,
        discipline: None,
    };
    let counted = state
        .store
        .run(move |s| crate::stats::fairness(s, &team, &scope, now))
        .await;
    answer(counted.map(|(counted, _)| fairness_json(&counted, since)))
}

fn bad_request(text: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("{text}\n")).into_response()
}

fn answer(value: Result<serde_json::Value, StoreError>) -> Response {
    match value {
        Ok(value) => axum::Json(value).into_response(),
        Err(error) => {
            tracing::error!(%error, "an API request failed");
            let text = "something went wrong, nothing was changed\n";
            (StatusCode::INTERNAL_SERVER_ERROR, text).into_response()
        }
    }
}
