//! The invariants, checked over the bot's database and what the emulator saw.
//!
//! - `PRAGMA integrity_check` is `ok`.
//! - Every request the bot answered with an id is in the database exactly once, under that id;
//!   no slot holds two open (pending or approved) rows, and a slot holds a second row only once
//!   its first was closed (a repeat after another decision closed it files anew); a request
//!   answered only with refusals is absent; nothing else is.
//! - No message was delivered twice: messages in the emulator are grouped by (channel, text)
//!   and compared with the `sent` outbox rows that carry the same text to the same place. A
//!   surplus is a duplicate. Each duplicate is tested against the documented at-least-once
//!   window: the earlier copy was the last Web API call its process made before SIGKILL, and
//!   the copy after it came from a later process.
//! - Every due notification was sent: no `pending` row is due (or waiting for a retry), none
//!   `failed`; every approved (or later superseded) request's two DMs are `sent`; every handoff
//!   the bot made has its channel post and its DMs `sent`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rusqlite::{Connection, params};
use serde_json::Value;
use triage_bot::slack::emulator::{Emulator, Workspace};

use super::load::{Answer, ClickKind, Load, answer_to};

/// One `serve` process's life: started, and killed (SIGKILL) or stopped.
#[derive(Debug, Clone, Copy)]
pub struct Life {
    pub started: Instant,
    pub ended: Instant,
    pub killed: bool,
}

/// Figures and broken invariants.
#[derive(Default)]
pub struct Report {
    pub figures: Vec<(String, String)>,
    pub failures: Vec<String>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn figure(&mut self, name: &str, value: impl ToString) {
        self.figures.push((name.to_string(), value.to_string()));
    }

    pub fn fail(&mut self, failure: String) {
        self.failures.push(failure);
    }

    pub fn print(&self) {
        for (name, value) in &self.figures {
            println!("{name:<44} {value}");
        }
        for note in &self.notes {
            println!("note: {note}");
        }
        if self.failures.is_empty() {
            println!("all invariants hold");
        }
        for failure in &self.failures {
            println!("INVARIANT BROKEN: {failure}");
        }
    }
}

/// Runs every check once the bot has drained and stopped; `now` is its clock at the end.
pub fn check_all(
    db: &Connection,
    emulator: &Emulator,
    load: &Load,
    lives: &[Life],
    now: Timestamp,
    report: &mut Report,
) {
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap_or_else(|error| format!("integrity_check failed: {error}"));
    report.figure("integrity_check", &integrity);
    if integrity != "ok" {
        report.fail(format!("PRAGMA integrity_check: {integrity}"));
    }
    check_requests(db, emulator, load, report);
    check_messages(db, emulator, lives, report);
    check_delivery(db, now, report);
}

/// Requests: answered ⇒ in the database exactly once; refused ⇒ absent; nothing unasked.
fn check_requests(db: &Connection, emulator: &Emulator, load: &Load, report: &mut Report) {
    let (mut filed, mut existing, mut refused, mut unanswered, mut in_db) = (0, 0, 0, 0, 0);
    let mut sends = 0;
    for request in &load.requests {
        let slot = &request.slot;
        let answers: Vec<Answer> = request
            .sends
            .iter()
            .map(|s| answer_to(emulator, s))
            .collect();
        sends += answers.len();
        let found = ids_for(db, slot.sprint, slot.discipline, slot.replacement);
        let rows: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
        let open: Vec<i64> = found
            .iter()
            .filter(|(_, status)| status == "pending" || status == "approved")
            .map(|(id, _)| *id)
            .collect();
        in_db += rows.len();
        let ids: Vec<i64> = answers
            .iter()
            .filter_map(|a| match a {
                Answer::Filed(id) | Answer::Existing(id) => Some(*id),
                _ => None,
            })
            .collect();
        for answer in &answers {
            match answer {
                Answer::Filed(_) => filed += 1,
                Answer::Existing(_) => existing += 1,
                Answer::Refused(_) => refused += 1,
                Answer::None => unanswered += 1,
            }
        }
        if open.len() > 1 {
            report.fail(format!(
                "{slot:?} is open in the database {} times: {found:?}",
                open.len()
            ));
        }
        let last_open_only = found[..found.len().saturating_sub(1)]
            .iter()
            .all(|(_, status)| status != "pending" && status != "approved");
        if !last_open_only {
            report.fail(format!(
                "{slot:?} has a row after one still open: {found:?}"
            ));
        }
        if !ids.is_empty() && (rows.is_empty() || ids.iter().any(|id| !rows.contains(id))) {
            report.fail(format!(
                "{slot:?} was answered with ids {ids:?} but the database has {rows:?}"
            ));
        }
        let all_refused = answers.iter().all(|a| matches!(a, Answer::Refused(_)));
        if all_refused && !rows.is_empty() {
            let why: Vec<&Answer> = answers.iter().collect();
            report.fail(format!(
                "{slot:?} was refused ({why:?}) but is in the database as {rows:?}"
            ));
        }
    }
    let total: i64 = db
        .query_row("SELECT count(*) FROM overrides", [], |row| row.get(0))
        .unwrap_or(-1);
    if total != in_db as i64 {
        report.fail(format!(
            "the database has {total} requests, {in_db} of them for slots the run asked for"
        ));
    }
    let acked_filed = load
        .requests
        .iter()
        .filter(|r| {
            r.sends
                .iter()
                .any(|s| matches!(answer_to(emulator, s), Answer::Filed(_)))
        })
        .count();
    report.figure("requests (distinct slots asked for)", load.requests.len());
    report.figure("request commands sent (with repeats)", sends);
    report.figure(
        "answers: filed / already exists / refused",
        format!("{filed} / {existing} / {refused}"),
    );
    report.figure("commands without an answer (lost to a kill)", unanswered);
    report.figure("requests acked as filed", acked_filed);
    report.figure("requests in the database", total);
    let approvals: i64 = db
        .query_row(
            "SELECT count(*) FROM overrides WHERE status IN ('approved', 'superseded')",
            [],
            |row| row.get(0),
        )
        .unwrap_or(-1);
    for kind in [ClickKind::Accept, ClickKind::Approve] {
        let clicks: Vec<_> = load.clicks.iter().filter(|c| c.kind == kind).collect();
        let acked: Vec<_> = clicks
            .iter()
            .filter(|c| emulator.ack_of(&c.envelope_id).is_some())
            .collect();
        let name = format!("{kind:?}").to_lowercase();
        report.figure(
            &format!("{name} clicks sent / acked"),
            format!("{} / {}", clicks.len(), acked.len()),
        );
        // A click is acked only once its decision is committed, so no acked click may leave
        // its request where it was.
        let lost = acked
            .iter()
            .filter(|c| super::load::status_of(db, c.id).as_deref() == Some(kind.before()))
            .count();
        if lost > 0 {
            report.fail(format!(
                "{lost} acked {name} clicks left their request {}",
                kind.before()
            ));
        }
    }
    report.figure("approvals in the database", approvals);
}

/// The slot's requests by the harness's admin, oldest first, with their statuses.
fn ids_for(
    db: &Connection,
    sprint: i64,
    discipline: &str,
    replacement: &str,
) -> Vec<(i64, String)> {
    let mut statement = db
        .prepare(
            "SELECT id, status FROM overrides WHERE sprint_index = ?1 AND discipline = ?2
             AND replacement_slack_id = ?3 AND requested_by = ?4 ORDER BY id",
        )
        .expect("prepare");
    statement
        .query_map(
            params![sprint, discipline, replacement, super::ADMIN],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

/// A sent outbox row that posts a message: where it went and what it said.
struct SentMessage {
    key: String,
    channel: String,
    text: String,
}

fn sent_messages(db: &Connection, workspace: &Workspace, report: &mut Report) -> Vec<SentMessage> {
    let mut statement = db
        .prepare("SELECT idempotency_key, payload FROM outbox WHERE status = 'sent' ORDER BY id")
        .expect("prepare");
    let rows: Vec<(String, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let mut out = Vec::new();
    for (key, payload) in rows {
        let effect: Value = serde_json::from_str(&payload).unwrap_or_default();
        let text = effect["text"].as_str().unwrap_or_default().to_string();
        let channel = match effect["type"].as_str() {
            Some("post_message") => effect["channel"].as_str().map(str::to_string),
            Some("direct_message") => {
                let user = effect["user"].as_str().unwrap_or_default();
                let dm = workspace
                    .channels
                    .iter()
                    .find(|c| c.dm_with.as_deref() == Some(user));
                match dm {
                    Some(dm) => Some(dm.id.clone()),
                    None => {
                        report.fail(format!("{key} is marked sent but {user} has no DM channel"));
                        continue;
                    }
                }
            }
            _ => None,
        };
        if let Some(channel) = channel {
            out.push(SentMessage { key, channel, text });
        }
    }
    out
}

/// Messages in the emulator and `sent` outbox rows, both by (channel, text).
pub struct Tally {
    /// The keys of the `sent` rows that posted each (channel, text).
    pub expected: BTreeMap<(String, String), Vec<String>>,
    /// How many messages the emulator holds with each (channel, text); an edited message (the
    /// admin-channel copy of a request) counts under the text it was first posted with, when
    /// the database remembers it.
    pub seen: BTreeMap<(String, String), usize>,
    /// Messages in the emulator.
    pub messages: usize,
    /// `sent` outbox rows that post a message.
    pub sent_rows: usize,
}

/// Counts messages in the emulator and the `sent` rows that account for them.
pub fn tally_messages(db: &Connection, emulator: &Emulator, report: &mut Report) -> Tally {
    let workspace = emulator.workspace();
    let sent = sent_messages(db, &workspace, report);
    let mut expected: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for message in &sent {
        expected
            .entry((message.channel.clone(), message.text.clone()))
            .or_default()
            .push(message.key.clone());
    }
    let first_texts = first_texts_of_edited(db);
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for message in &workspace.messages {
        let place = (message.channel.clone(), message.ts.clone());
        let text = match first_texts.get(&place) {
            Some(text) if message.edits > 0 => text.clone(),
            _ => message.text.clone(),
        };
        *seen.entry((message.channel.clone(), text)).or_default() += 1;
    }
    Tally {
        expected,
        seen,
        messages: workspace.messages.len(),
        sent_rows: sent.len(),
    }
}

/// Messages in the emulator against `sent` outbox rows, per (channel, text).
fn check_messages(db: &Connection, emulator: &Emulator, lives: &[Life], report: &mut Report) {
    let Tally {
        expected,
        seen,
        messages,
        sent_rows,
    } = tally_messages(db, emulator, report);
    let (mut duplicates, mut in_window) = (0, 0);
    for ((channel, text), count) in &seen {
        let keys = expected.get(&(channel.clone(), text.clone()));
        let rows = keys.map_or(0, Vec::len);
        if rows == 0 {
            report.fail(format!(
                "a message in {channel} has no sent outbox row: {text:.80}"
            ));
            continue;
        }
        if *count <= rows {
            continue;
        }
        let surplus = count - rows;
        duplicates += surplus;
        let explained = window_resends(emulator, lives, channel, text);
        let covered = surplus.min(explained.len());
        in_window += covered;
        for gap in explained.iter().take(covered) {
            report.notes.push(format!(
                "duplicate of {:?} in {channel}: the first copy was its process's last Web API call, {} ms before SIGKILL; sent again by the next process (the documented window)",
                keys.map(|k| k.join(",")).unwrap_or_default(),
                gap.as_millis()
            ));
        }
        if surplus > covered {
            report.fail(format!(
                "{} duplicate(s) of {:?} in {channel} outside the at-least-once window: {text:.80}",
                surplus - covered,
                keys
            ));
        }
    }
    for ((channel, text), keys) in &expected {
        let count = seen
            .get(&(channel.clone(), text.clone()))
            .copied()
            .unwrap_or(0);
        if count < keys.len() {
            report.fail(format!(
                "{keys:?} marked sent but only {count} message(s) in {channel}"
            ));
        }
    }
    let updates = emulator.calls("chat.update").len();
    report.figure("messages delivered (posts and DMs)", messages);
    report.figure("message outbox rows sent", sent_rows);
    report.figure("chat.update calls", updates);
    report.figure("duplicate messages", duplicates);
    report.figure("  of which in the documented window", in_window);
}

/// The text each remembered message (`slack_messages`) was first posted with, by (channel, ts).
fn first_texts_of_edited(db: &Connection) -> BTreeMap<(String, String), String> {
    let mut statement = db
        .prepare(
            "SELECT m.channel, m.ts, o.payload FROM slack_messages m
             JOIN outbox o ON json_extract(o.payload, '$.message_key') = m.message_key
             WHERE json_extract(o.payload, '$.type') = 'post_message'",
        )
        .expect("prepare");
    let rows: Vec<(String, String, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    rows.into_iter()
        .map(|(channel, ts, payload)| {
            let effect: Value = serde_json::from_str(&payload).unwrap_or_default();
            let text = effect["text"].as_str().unwrap_or_default().to_string();
            ((channel, ts), text)
        })
        .collect()
}

/// For each copy of (channel, text) that a later process sent again: how long before its
/// process was killed the earlier copy went out, when it was that process's last Web API call.
fn window_resends(emulator: &Emulator, lives: &[Life], channel: &str, text: &str) -> Vec<Duration> {
    let posts: Vec<Instant> = emulator
        .calls("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == channel && c.params["text"] == text)
        .map(|c| c.at)
        .collect();
    let all: Vec<Instant> = all_api_calls(emulator);
    let mut gaps = Vec::new();
    for pair in posts.windows(2) {
        let (first, again) = (pair[0], pair[1]);
        let Some(life) = lives
            .iter()
            .find(|l| l.started <= first && first <= l.ended)
        else {
            continue;
        };
        let later_process = again > life.ended;
        let last_call = !all.iter().any(|at| *at > first && *at <= life.ended);
        if life.killed && later_process && last_call {
            gaps.push(life.ended.duration_since(first));
        }
    }
    gaps
}

fn all_api_calls(emulator: &Emulator) -> Vec<Instant> {
    let methods = [
        "chat.postMessage",
        "chat.update",
        "conversations.open",
        "conversations.setTopic",
        "views.publish",
        "usergroups.list",
        "usergroups.users.update",
        "users.info",
    ];
    methods
        .iter()
        .flat_map(|method| emulator.calls(method))
        .map(|call| call.at)
        .collect()
}

/// How far the bot's clock may lag the harness's reckoning of it.
const CLOCK_SKEW_SECONDS: i64 = 2;

/// Outbox rows and their ends: nothing due left behind, decisions and handoffs delivered.
pub fn check_delivery(db: &Connection, now: Timestamp, report: &mut Report) {
    let rows: Vec<(String, String, i64, i64, i64)> = db
        .prepare(
            "SELECT idempotency_key, status, attempts, next_attempt_at, created_at FROM outbox
             ORDER BY id",
        )
        .expect("prepare")
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get::<_, i64>(4)?,
            ))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let status_of = |key: &str| rows.iter().find(|r| r.0 == key).map(|r| r.1.as_str());
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut scheduled_later = 0;
    for (key, status, attempts, next_attempt_at, created_at) in &rows {
        *by_status.entry(status.as_str()).or_default() += 1;
        // `now` is when the drain saw nothing due, by the harness's reckoning of the bot's clock;
        // the bot's own clock may lag it by a moment (it started a little later, on a loaded
        // machine). An item enqueued after that look (a scheduler round that had waited for the
        // database is stamped with the moment it began) was not there to deliver, so only items
        // created, and due, clearly before it count.
        let judged = now.as_second() - CLOCK_SKEW_SECONDS;
        let due = *next_attempt_at < judged && *created_at < judged;
        match status.as_str() {
            "pending" if due || *attempts > 0 => report.fail(format!(
                "{key} is still pending after the final drain (attempts {attempts}, due {due})"
            )),
            "pending" => scheduled_later += 1,
            "failed" => report.fail(format!("{key} failed for good")),
            _ => {}
        }
    }
    let statuses: Vec<String> = by_status.iter().map(|(s, n)| format!("{s} {n}")).collect();
    report.figure(
        "outbox rows",
        format!("{} ({})", rows.len(), statuses.join(", ")),
    );
    report.figure("pending, not due yet (a later heads-up)", scheduled_later);
    // Every approval tells the replacement, the person it replaces and the requester (unless
    // the requester decided it themselves and saw the answer), each in one DM.
    type Approval = (i64, String, String, Option<String>, Option<String>);
    let decided: Vec<Approval> = db
        .prepare(
            "SELECT id, requested_by, replacement_slack_id, original_slack_id, decided_by
             FROM overrides
             WHERE status IN ('approved', 'superseded', 'revoked')
               AND decided_by IS NOT 'triage-bot' ORDER BY id",
        )
        .expect("prepare")
        .query_map([], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    for (id, requester, replacement, original, decided_by) in &decided {
        let mut told = vec![replacement.clone()];
        told.extend(original.clone());
        if decided_by.as_ref() != Some(requester) {
            told.push(requester.clone());
        }
        told.sort();
        told.dedup();
        for user in &told {
            let key = format!("decision:{id}:approved:dm:{user}");
            if status_of(&key) != Some("sent") {
                report.fail(format!(
                    "approved request #{id}: {key} is {:?}",
                    status_of(&key)
                ));
            }
        }
    }
    // Handoffs the bot had decided by the time the drain looked.
    let handoffs: Vec<&str> = rows
        .iter()
        .filter(|r| r.4 < now.as_second() - CLOCK_SKEW_SECONDS)
        .filter_map(|r| r.0.strip_prefix("post:"))
        .collect();
    for sprint in &handoffs {
        let post = format!("post:{sprint}");
        if status_of(&post) != Some("sent") {
            report.fail(format!("the team post {post} is {:?}", status_of(&post)));
        }
        let prefix = format!("handoff:{sprint}:");
        let dms: Vec<_> = rows.iter().filter(|r| r.0.starts_with(&prefix)).collect();
        if dms.is_empty() {
            report.fail(format!(
                "sprint {sprint} was posted but nobody got a handoff DM"
            ));
        }
        for dm in dms.iter().filter(|r| r.1 != "sent") {
            report.fail(format!("{} is {}", dm.0, dm.1));
        }
        check_dms_before_post(db, &post, &prefix, report);
    }
    let count_of = |prefix: &str, status: &str| {
        rows.iter()
            .filter(|r| r.0.starts_with(prefix) && r.1 == status)
            .count()
    };
    report.figure("team posts (first start and handoffs)", handoffs.len());
    report.figure("handoff DMs sent", count_of("handoff:", "sent"));
    report.figure("thank-you DMs sent", count_of("ended:", "sent"));
    report.figure(
        "heads-ups sent / dropped",
        format!(
            "{} / {}",
            count_of("headsup:", "sent"),
            count_of("headsup:", "dropped")
        ),
    );
    let decision_dms = rows
        .iter()
        .filter(|r| r.0.starts_with("decision:") && r.0.contains(":dm:") && r.1 == "sent")
        .count();
    report.figure("decision DMs sent", decision_dms);
}

/// A person hears of their duty before, or in the same second as, the channel post naming them,
/// unless their DM was waiting out a failure other than a rate limit (a 5xx backs off for 30 s
/// or more, and the team need not wait for it).
fn check_dms_before_post(db: &Connection, post: &str, prefix: &str, report: &mut Report) {
    let late: Vec<(String, Option<String>)> = db
        .prepare(
            "SELECT dm.idempotency_key, dm.last_error FROM outbox dm, outbox post
             WHERE post.idempotency_key = ?1 AND dm.idempotency_key LIKE ?2 || '%'
               AND dm.status = 'sent' AND post.status = 'sent' AND dm.sent_at > post.sent_at",
        )
        .and_then(|mut statement| {
            statement
                .query_map([post, prefix], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })
        .expect("late handoff DMs");
    for (key, error) in late {
        match error {
            Some(error) if !error.contains("rate limited") => report.notes.push(format!(
                "{key} went after {post}: it was backing off after `{error}`"
            )),
            error => report.fail(format!(
                "{key} went after {post} (last error: {error:?}): the person heard last"
            )),
        }
    }
}
