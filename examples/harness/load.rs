//! The stream of coverage requests and approvals both runs send, and what came back.
//!
//! Every request is for a distinct slot and replacement (sprint, discipline, replacement), filed
//! by the admin with `/triage cover <sprint> <@person> <discipline>`, so the database must hold
//! at most one row for each. A request whose command got no answer (its process was killed, or
//! its socket dropped) is sent again later, as a person would retype it; the answer to the
//! repeat must name the same request. The person named then accepts with the button in their DM,
//! and the admin approves with the button on the admin card: both are clicks on requests that
//! were filed.

use std::time::Instant;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use triage_bot::slack::emulator::{Delivered, Emulator};

use super::{ADMIN, ADMIN_CHANNEL, Rng, TEAM};

/// One (sprint, discipline, replacement) asked for once (and repeated only when unanswered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub sprint: i64,
    pub discipline: &'static str,
    pub replacement: &'static str,
}

/// One delivery of a request's command.
#[derive(Debug, Clone)]
pub struct Send {
    pub envelope_id: String,
    pub response_id: Option<String>,
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub slot: Slot,
    pub sends: Vec<Send>,
}

/// What the bot answered to one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// "Request #id filed".
    Filed(i64),
    /// "You already asked…" / "already approved": names the existing request.
    Existing(i64),
    /// Any other answer (a refusal, or "something went wrong, nothing was changed").
    Refused(String),
    /// No answer at all.
    None,
}

/// Which button a click pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClickKind {
    /// The person named to cover accepts a proposed request.
    Accept,
    /// The admin approves a pending request.
    Approve,
}

impl ClickKind {
    /// The status a request keeps only while this click has not taken effect.
    pub fn before(self) -> &'static str {
        match self {
            ClickKind::Accept => "proposed",
            ClickKind::Approve => "pending",
        }
    }
}

/// A click on Accept or Approve.
#[derive(Debug, Clone)]
pub struct Click {
    pub id: i64,
    pub kind: ClickKind,
    pub envelope_id: String,
}

/// Requests and clicks sent so far.
pub struct Load {
    pub rng: Rng,
    pub requests: Vec<Request>,
    pub clicks: Vec<Click>,
    /// Sends at most this many times per request.
    pub max_sends: usize,
}

impl Load {
    pub fn new(seed: u64) -> Load {
        Load {
            rng: Rng::new(seed),
            requests: Vec::new(),
            clicks: Vec::new(),
            max_sends: 3,
        }
    }

    /// Files a request for a new slot in one of the sprints `first..first + 6`.
    pub fn file_new(&mut self, emulator: &Emulator, first: i64) {
        for _ in 0..20 {
            let (discipline, _, people) = *self.rng.pick(&TEAM);
            let slot = Slot {
                sprint: first + self.rng.between(0, 6) as i64,
                discipline,
                replacement: people[self.rng.between(0, people.len() as u64) as usize],
            };
            if self.requests.iter().any(|r| r.slot == slot) {
                continue;
            }
            let send = send_request(emulator, &slot);
            self.requests.push(Request {
                slot,
                sends: vec![send],
            });
            return;
        }
    }

    /// Sends again every request that has no answer yet and was last sent before `before`.
    pub fn repeat_unanswered(&mut self, emulator: &Emulator, before: Instant) -> usize {
        let mut repeated = 0;
        for request in &mut self.requests {
            let last = request.sends.last().map(|s| s.at);
            let unanswered = request
                .sends
                .iter()
                .all(|send| answer_to(emulator, send) == Answer::None);
            if unanswered
                && last.is_some_and(|at| at < before)
                && request.sends.len() < self.max_sends
            {
                request.sends.push(send_request(emulator, &request.slot));
                repeated += 1;
            }
        }
        repeated
    }

    /// Moves one filed request on, if there is one to move: the person named accepts a proposed
    /// request (the button in their DM), or the admin approves a pending one.
    pub fn approve_one(&mut self, emulator: &Emulator, db: &Connection, first_sprint: i64) {
        let mut candidates: Vec<(i64, &'static str)> = Vec::new();
        for request in &self.requests {
            if request.slot.sprint < first_sprint {
                continue;
            }
            let id = request
                .sends
                .iter()
                .find_map(|send| match answer_to(emulator, send) {
                    Answer::Filed(id) | Answer::Existing(id) => Some(id),
                    _ => None,
                });
            if let Some(id) = id {
                candidates.push((id, request.slot.replacement));
            }
        }
        for _ in 0..5 {
            if candidates.is_empty() {
                return;
            }
            let (id, replacement) = *self.rng.pick(&candidates);
            let click = match status_of(db, id).as_deref() {
                Some("proposed") => Some((ClickKind::Accept, replacement, "accept_request")),
                // The admin has read the card: a cover that gives someone double or
                // back-to-back duty is approved anyway (the confirming click).
                Some("pending") => Some((ClickKind::Approve, ADMIN, "approve_override_confirmed")),
                _ => None,
            };
            if let Some((kind, user, action)) = click {
                let channel = if kind == ClickKind::Approve {
                    ADMIN_CHANNEL
                } else {
                    "D0HARNESS"
                };
                let sent = emulator.send_block_action(user, channel, action, &id.to_string());
                self.clicks.push(Click {
                    id,
                    kind,
                    envelope_id: sent.envelope_id,
                });
                return;
            }
            candidates.retain(|c| c.0 != id);
        }
    }
}

fn send_request(emulator: &Emulator, slot: &Slot) -> Send {
    // Generated sprints are named "Sprint {index + 1}", and people name them by that number.
    let text = format!(
        "cover {} <@{}|{}> {}",
        slot.sprint + 1,
        slot.replacement,
        slot.replacement.to_lowercase(),
        slot.discipline
    );
    let sent: Delivered = emulator.send_slash_command(ADMIN, ADMIN_CHANNEL, "/triage", &text);
    Send {
        envelope_id: sent.envelope_id,
        response_id: sent
            .response_url
            .as_deref()
            .and_then(|url| url.rsplit('/').next())
            .map(str::to_string),
        at: Instant::now(),
    }
}

/// The answer to one send: the ack's text, or (when the ack went out empty because the work
/// took longer than the ack budget) the text posted to the command's `response_url`.
pub fn answer_to(emulator: &Emulator, send: &Send) -> Answer {
    let from_ack = emulator
        .ack_of(&send.envelope_id)
        .and_then(|ack| ack.payload)
        .and_then(|payload| text_of(&payload));
    let text = from_ack.or_else(|| {
        let id = send.response_id.as_deref()?;
        let workspace = emulator.workspace();
        let post = workspace.response_posts.iter().find(|post| post.id == id)?;
        text_of(&post.body)
    });
    match text {
        None => Answer::None,
        Some(text) => parse_answer(&text),
    }
}

/// When the bot's answer to one send arrived: its ack when that carried the answer, else the
/// post to the command's `response_url`.
pub fn answered_at(emulator: &Emulator, send: &Send) -> Option<Instant> {
    let ack = emulator.ack_of(&send.envelope_id);
    if let Some(ack) = &ack {
        if ack.payload.as_ref().and_then(text_of).is_some() {
            return Some(ack.at);
        }
    }
    let id = send.response_id.as_deref()?;
    let workspace = emulator.workspace();
    let post = workspace.response_posts.iter().find(|post| post.id == id)?;
    Some(post.at)
}

fn text_of(payload: &Value) -> Option<String> {
    payload["text"].as_str().map(str::to_string)
}

/// Reads the request id out of the bot's reply to `cover`.
pub fn parse_answer(text: &str) -> Answer {
    let id_after = |marker: &str| -> Option<i64> {
        let rest = &text[text.find(marker)? + marker.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    if text.starts_with("Request #") && text.contains(" filed") {
        if let Some(id) = id_after("Request #") {
            return Answer::Filed(id);
        }
    }
    if text.contains("already") {
        if let Some(id) = id_after("request #") {
            return Answer::Existing(id);
        }
    }
    Answer::Refused(text.to_string())
}

/// The status of override `id` in the database, if it exists.
pub fn status_of(db: &Connection, id: i64) -> Option<String> {
    db.query_row(
        "SELECT status FROM overrides WHERE id = ?1",
        params![id],
        |row| row.get(0),
    )
    .optional()
    .ok()
    .flatten()
}
