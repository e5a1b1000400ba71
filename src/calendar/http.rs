//! `/ical/<token>.ics` on the HTTP listener: a calendar app's subscription to a feed.
//!
//! Outside the `TRIAGE_HTTP_TOKEN` layer (calendar apps send no headers; the feed's token is its
//! own credential). GET and HEAD only, so anything else gets 405. A token of the wrong shape, or
//! one no feed has (a reset one, say), gets 404 with a plain body and is never told apart from
//! the other; a malformed one is not even looked up. The path holds a secret, so nothing here
//! logs it, and the listener has no request logging.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::health::HealthState;

/// The feed routes, to be merged into the health server's router outside the token layer.
pub fn routes() -> Router<HealthState> {
    Router::new().route("/ical/{file}", get(feed))
}

async fn feed(State(state): State<HealthState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics").map(str::to_string) else {
        return not_found();
    };
    let now = (state.clock)();
    let team = state.team.clone();
    let text = state
        .store
        .run(move |s| super::feed_text(s, &team, &token, now))
        .await;
    match text {
        Ok(Some(text)) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            text,
        )
            .into_response(),
        Ok(None) => not_found(),
        Err(error) => {
            tracing::error!(%error, "a calendar feed could not be read");
            let text = "something went wrong\n";
            (StatusCode::INTERNAL_SERVER_ERROR, text).into_response()
        }
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such calendar feed\n").into_response()
}
