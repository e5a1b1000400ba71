//! The restore drill's checks: the restored database before the bot opens it (every write
//! acknowledged before the window is there, nothing twice), and what the bot sent once it
//! resumed on it (nothing beyond the restored outbox but what was first sent within the window).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};
use triage_bot::slack::emulator::Emulator;

use super::super::check::{self, Report};
use super::super::load::{Answer, Load, answer_to, answered_at, status_of};
use super::seconds;

/// A write the bot acknowledged: a request answered with its id, or an Approve click acked.
struct Acked {
    what: String,
    at: Instant,
    /// Whether the restored database has it.
    kept: bool,
}

fn acknowledged(restored: &Connection, emulator: &Emulator, load: &Load) -> Vec<Acked> {
    let mut acked = Vec::new();
    for request in &load.requests {
        for send in &request.sends {
            let id = match answer_to(emulator, send) {
                Answer::Filed(id) | Answer::Existing(id) => id,
                _ => continue,
            };
            let Some(at) = answered_at(emulator, send) else {
                continue;
            };
            let slot = &request.slot;
            let kept = slot_of(restored, id).is_some_and(|(sprint, discipline, replacement)| {
                (sprint, discipline.as_str(), replacement.as_str())
                    == (slot.sprint, slot.discipline, slot.replacement)
            });
            acked.push(Acked {
                what: format!("request #{id}"),
                at,
                kept,
            });
        }
    }
    for click in &load.clicks {
        let Some(ack) = emulator.ack_of(&click.envelope_id) else {
            continue;
        };
        let status = status_of(restored, click.id);
        acked.push(Acked {
            what: format!("{:?} of request #{}", click.kind, click.id).to_lowercase(),
            at: ack.at,
            kept: status.is_some() && status.as_deref() != Some(click.kind.before()),
        });
    }
    acked
}

/// Checks the restored database before the bot touches it. Returns how long before the kill
/// the newest kept and the oldest lost acknowledged writes were acked.
pub fn check_restored(
    restored: &Connection,
    emulator: &Emulator,
    load: &Load,
    killed: Instant,
    window: Duration,
    report: &mut Report,
) -> (Option<Duration>, Option<Duration>) {
    let integrity: String = restored
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap_or_else(|error| format!("integrity_check failed: {error}"));
    report.figure("integrity_check of the restored file", &integrity);
    if integrity != "ok" {
        report.fail(format!("PRAGMA integrity_check: {integrity}"));
    }
    let acked = acknowledged(restored, emulator, load);
    let age = |write: &Acked| killed.saturating_duration_since(write.at);
    for write in acked.iter().filter(|w| !w.kept && age(w) > window) {
        report.fail(format!(
            "{} was acknowledged {} before the kill but is not in the restored database",
            write.what,
            seconds(age(write))
        ));
    }
    let kept = acked.iter().filter(|w| w.kept).count();
    let newest_kept = acked.iter().filter(|w| w.kept).map(age).min();
    let oldest_lost = acked.iter().filter(|w| !w.kept).map(age).max();
    let requests = acked
        .iter()
        .filter(|w| w.what.starts_with("request"))
        .count();
    report.figure(
        "acknowledged writes: requests + approvals",
        format!("{requests} + {}", acked.len() - requests),
    );
    report.figure(
        "  restored / lost",
        format!("{kept} / {}", acked.len() - kept),
    );
    report.figure(
        "newest acknowledged write restored",
        newest_kept.map_or("none".to_string(), |age| {
            format!("{} before the kill", seconds(age))
        }),
    );
    report.figure(
        "oldest acknowledged write lost",
        oldest_lost.map_or("none".to_string(), |age| {
            format!("{} before the kill", seconds(age))
        }),
    );
    check_nothing_twice(restored, load, report);
    (newest_kept, oldest_lost)
}

/// The restored requests: at most one row per slot the run asked for, and nothing else.
fn check_nothing_twice(restored: &Connection, load: &Load, report: &mut Report) {
    let rows: Vec<(i64, i64, String, String)> = restored
        .prepare("SELECT id, sprint_index, discipline, replacement_slack_id FROM overrides")
        .expect("prepare")
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let mut per_slot: BTreeMap<(i64, String, String), Vec<i64>> = BTreeMap::new();
    for (id, sprint, discipline, replacement) in rows.iter().cloned() {
        per_slot
            .entry((sprint, discipline, replacement))
            .or_default()
            .push(id);
    }
    for ((sprint, discipline, replacement), ids) in &per_slot {
        let asked = load.requests.iter().any(|r| {
            (r.slot.sprint, r.slot.discipline, r.slot.replacement)
                == (*sprint, discipline.as_str(), replacement.as_str())
        });
        if !asked {
            report.fail(format!(
                "requests {ids:?} (sprint {sprint}, {discipline}, {replacement}) were never asked for"
            ));
        }
        if ids.len() > 1 {
            report.fail(format!(
                "sprint {sprint}, {discipline}, {replacement} is in the restored database {} times: {ids:?}",
                ids.len()
            ));
        }
    }
    report.figure(
        "requests in the restored database / slots",
        format!("{} / {}", rows.len(), per_slot.len()),
    );
    let pending: i64 = restored
        .query_row(
            "SELECT count(*) FROM outbox WHERE status = 'pending'",
            [],
            |row| row.get(0),
        )
        .unwrap_or(-1);
    report.figure("outbox rows pending in the restored file", pending);
}

fn slot_of(db: &Connection, id: i64) -> Option<(i64, String, String)> {
    db.query_row(
        "SELECT sprint_index, discipline, replacement_slack_id FROM overrides WHERE id = ?1",
        params![id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .optional()
    .ok()
    .flatten()
}

/// After the restarted bot drained: every message in Slack beyond what the restored outbox
/// marks sent must have a copy sent within the window before the kill, where the `sent` mark
/// (or the whole row) could be lost. Returns how many messages were sent again.
pub fn check_resent(
    restored: &Connection,
    emulator: &Emulator,
    killed: Instant,
    window: Duration,
    report: &mut Report,
) -> usize {
    let tally = check::tally_messages(restored, emulator, report);
    let since = killed.checked_sub(window).unwrap_or(killed);
    // When each (channel, text) was posted, or edited into, before the kill.
    let mut before: BTreeMap<(String, String), Vec<Instant>> = BTreeMap::new();
    let calls = [
        emulator.calls("chat.postMessage"),
        emulator.calls("chat.update"),
    ];
    for call in calls.iter().flatten().filter(|call| call.at < killed) {
        let text = |name: &str| call.params[name].as_str().unwrap_or_default().to_string();
        before
            .entry((text("channel"), text("text")))
            .or_default()
            .push(call.at);
    }
    let (mut resent, mut unrecorded) = (Vec::new(), 0);
    for ((channel, text), count) in &tally.seen {
        let rows = tally
            .expected
            .get(&(channel.clone(), text.clone()))
            .map_or(0, Vec::len);
        if *count <= rows {
            continue;
        }
        let surplus = count - rows;
        let copies = before
            .get(&(channel.clone(), text.clone()))
            .cloned()
            .unwrap_or_default();
        let recent: Vec<Duration> = copies
            .iter()
            .filter(|at| **at > since)
            .map(|at| killed.duration_since(*at))
            .collect();
        if rows == 0 {
            unrecorded += surplus;
        } else {
            resent.extend(recent.iter().take(surplus));
        }
        if surplus > recent.len() {
            let first = copies.first().map(|at| seconds(killed.duration_since(*at)));
            report.fail(format!(
                "{} message(s) in {channel} beyond the restored outbox, first sent {} before the kill (outside the window): {text:.80}",
                surplus - recent.len(),
                first.unwrap_or_else(|| "never".to_string())
            ));
        }
    }
    for ((channel, text), keys) in &tally.expected {
        let count = tally
            .seen
            .get(&(channel.clone(), text.clone()))
            .copied()
            .unwrap_or(0);
        if count < keys.len() {
            report.fail(format!(
                "{keys:?} marked sent but only {count} message(s) in {channel}"
            ));
        }
    }
    let ages = match (resent.iter().min(), resent.iter().max()) {
        (Some(low), Some(high)) => format!(
            " (first copies {}–{} before the kill)",
            seconds(*low),
            seconds(*high)
        ),
        _ => String::new(),
    };
    report.figure(
        "messages: before the kill / after the restart",
        format!(
            "{} / {}",
            emulator
                .calls("chat.postMessage")
                .iter()
                .filter(|c| c.at < killed)
                .count(),
            emulator
                .calls("chat.postMessage")
                .iter()
                .filter(|c| c.at >= killed)
                .count()
        ),
    );
    report.figure(
        "sent again after the restore",
        format!("{}{ages}", resent.len()),
    );
    report.figure("in Slack, row lost in the restore", unrecorded);
    resent.len()
}
