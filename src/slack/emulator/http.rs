//! The emulator's HTTP side: Web API methods, `response_url` posts and the socket upgrade.
//!
//! Checks tokens the way Slack does (`xapp-` for `apps.connections.open`, the bot token for
//! everything else), applies injected faults, records every call, and answers from the
//! workspace model. Never logs tokens, tickets or `response_url`s.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::{ApiFaultKind, Shared};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/{method}", post(api_call).get(api_call))
        .route("/response/{id}", post(response_post))
        .route("/link", get(link))
        .route("/link/", get(link))
        .with_state(shared)
}

async fn api_call(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = decode_params(&headers, &body, query);
    shared.record_call(&method, &params);
    let fault = shared.take_api_fault(&method);
    let minimal = fault == Some(ApiFaultKind::MinimalAnswer);
    if let Some(fault) = fault {
        match fault {
            ApiFaultKind::RateLimit { retry_after_secs } => {
                let retry_after = retry_after_secs.to_string();
                let body = Json(json!({ "ok": false, "error": "ratelimited" }));
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, retry_after)],
                    body,
                )
                    .into_response();
            }
            ApiFaultKind::Status { status } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                return (status, "upstream connect error").into_response();
            }
            ApiFaultKind::Error { code } => {
                return Json(json!({ "ok": false, "error": code })).into_response();
            }
            ApiFaultKind::Slow { delay } => tokio::time::sleep(delay).await,
            ApiFaultKind::MinimalAnswer => {}
        }
    }
    let token = bearer_token(&headers);
    let answer = if method == "apps.connections.open" {
        match check_token(token, &shared.app_token) {
            Ok(()) => json!({ "ok": true, "url": shared.issue_ticket_url() }),
            Err(code) => json!({ "ok": false, "error": code }),
        }
    } else {
        match check_token(token, &shared.bot_token) {
            Ok(()) => shared.with_workspace(|workspace| workspace.answer(&method, &params)),
            Err(code) => json!({ "ok": false, "error": code }),
        }
    };
    if minimal && answer["ok"] == true {
        return Json(json!({ "ok": true })).into_response();
    }
    Json(answer).into_response()
}

async fn response_post(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "invalid_payload").into_response();
    };
    if !shared.response_url_is_known(&id) {
        return (StatusCode::NOT_FOUND, "expired_url").into_response();
    }
    shared.record_response_post(id, body);
    Json(json!({ "ok": true })).into_response()
}

async fn link(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let ticket = query.get("ticket").map(String::as_str).unwrap_or("");
    if !shared.redeem_ticket(ticket) {
        return (StatusCode::UNAUTHORIZED, "invalid ticket").into_response();
    }
    upgrade.on_upgrade(move |socket| super::socket::serve_socket(shared, socket))
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn check_token(given: Option<&str>, expected: &str) -> Result<(), &'static str> {
    match given {
        None | Some("") => Err("not_authed"),
        Some(token) if token == expected => Ok(()),
        Some(_) => Err("invalid_auth"),
    }
}

/// Parameters from a JSON body, a form body, or the query string, as one JSON object.
fn decode_params(headers: &HeaderMap, body: &Bytes, query: HashMap<String, String>) -> Value {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let mut params = Map::new();
    for (key, value) in query {
        params.insert(key, Value::String(value));
    }
    if content_type.starts_with("application/json") {
        if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) {
            params.extend(object);
        }
    } else if let Ok(Query(form)) = Query::<HashMap<String, String>>::try_from_uri(
        &format!("/?{}", String::from_utf8_lossy(body))
            .parse()
            .unwrap_or_default(),
    ) {
        for (key, value) in form {
            params.insert(key, Value::String(value));
        }
    }
    Value::Object(params)
}
