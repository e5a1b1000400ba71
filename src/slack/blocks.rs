//! Messages the bot sends, rendered from domain data as Block Kit: plain functions from
//! values to a [`Message`] (fallback text plus blocks).
//!
//! Only this module and `views` know Block Kit's shapes and the `action_id`s of buttons. They
//! decide nothing: what to say is given, how it looks is chosen here. Names and reasons go
//! through `slack::text` on their way in; dates are written by `dates::SlackDates`.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::text;
use crate::bot::shifts::Shift;
use crate::coverage::CoverConflict;
use crate::dates::SlackDates;
use crate::domain::paging::Calls;
use crate::domain::{DisciplineKey, Override, OverrideStatus, SlackUserId, Sprint};
use crate::duty::{DutyAt, FlaggedDuty, Roster, SprintDuty};
use crate::store::RequestOutcome;

/// `action_id` of the button that approves request `value`.
pub const APPROVE: &str = "approve_override";
/// `action_id` of the button that approves request `value` although the cover gives its
/// replacement double or back-to-back duty (the confirming second click).
pub const APPROVE_CONFIRMED: &str = "approve_override_confirmed";
/// `action_id` of the button that declines request `value`.
pub const DECLINE: &str = "decline_override";
/// `action_id` of the button with which the person named to cover accepts request `value`.
pub const ACCEPT: &str = "accept_request";
/// `action_id` of the button with which the person named to cover refuses request `value`.
pub const REFUSE: &str = "refuse_request";
/// `action_id` of the button with which someone takes offer `value` (a shift offered to
/// volunteers).
pub const VOLUNTEER: &str = "volunteer";
/// `action_id` of the button that cancels request `value`.
pub const CANCEL: &str = "cancel_override";
/// `action_id` of the button that opens the coverage form for slot `value`.
pub const COVER_SHIFT: &str = "cover_shift";

/// A message: fallback text (notifications, screen readers) and optional blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub blocks: Vec<Value>,
}

impl Message {
    /// A message of text alone.
    pub fn text(text: impl Into<String>) -> Message {
        Message {
            text: text.into(),
            blocks: Vec::new(),
        }
    }

    /// The blocks as JSON, if there are any.
    pub fn blocks_json(&self) -> Option<Value> {
        (!self.blocks.is_empty()).then(|| Value::Array(self.blocks.clone()))
    }

    /// `{"text": …, "blocks": […]}`.
    pub fn to_json(&self) -> Value {
        let mut body = json!({ "text": self.text });
        if let Some(blocks) = self.blocks_json() {
            body["blocks"] = blocks;
        }
        body
    }
}

pub(crate) fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })
}

pub(crate) fn header(text: &str) -> Value {
    json!({ "type": "header", "text": { "type": "plain_text", "text": text } })
}

pub(crate) fn context(text: &str) -> Value {
    json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": text }] })
}

pub(crate) fn divider() -> Value {
    json!({ "type": "divider" })
}

pub(crate) fn button(label: &str, action_id: &str, value: &str, style: Option<&str>) -> Value {
    let mut button = json!({
        "type": "button", "action_id": action_id, "value": value,
        "text": { "type": "plain_text", "text": label },
    });
    if let Some(style) = style {
        button["style"] = Value::from(style);
    }
    button
}

pub(crate) fn actions(elements: Vec<Value>) -> Value {
    json!({ "type": "actions", "elements": elements })
}

/// A select option.
pub fn option(label: &str, value: &str) -> Value {
    json!({ "text": { "type": "plain_text", "text": label }, "value": value })
}

/// A section with a button beside it.
pub(crate) fn section_with_button(text: &str, button: Value) -> Value {
    let mut block = section(text);
    block["accessory"] = button;
    block
}

pub(crate) fn mention(user: &SlackUserId) -> String {
    format!("<@{user}>")
}

/// `text` with every word that is a Slack user id written as a mention.
fn with_mentions(text: &str) -> String {
    text.split(' ')
        .map(|word| SlackUserId::parse(word).map_or_else(|_| word.to_string(), |id| mention(&id)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A decider as written in the audit log: a mention for a Slack user, else as is.
fn actor(by: &str) -> String {
    SlackUserId::parse(by).map_or_else(|_| text::escape(by), |id| mention(&id))
}

/// A discipline's display name (its key when it is gone) for a `plain_text` field.
pub(crate) fn discipline_label(roster: &Roster, key: &DisciplineKey) -> String {
    roster
        .discipline(key)
        .map_or_else(|| key.to_string(), |d| text::plain(&d.name))
}

/// A discipline's display name (its key when it is gone) for mrkdwn.
pub(crate) fn discipline_name(roster: &Roster, key: &DisciplineKey) -> String {
    roster
        .discipline(key)
        .map_or_else(|| key.to_string(), |d| text::escape(&d.name))
}

/// `*Sprint 1*`: a sprint by its name, which is also what people type to name it. A sprint
/// that was retired since has no name to show.
pub(crate) fn sprint_label(sprint: Option<&Sprint>) -> String {
    match sprint {
        Some(sprint) => format!("*{}*", text::escape(&sprint.name)),
        None => "a sprint no longer planned".to_string(),
    }
}

/// One line per discipline: `• UI: <@U1> (rotation)`, `• UI: <@U1> (rotation, away)` when
/// the duty falls in the person's absence.
pub(crate) fn team_lines(duty: &SprintDuty, roster: &Roster) -> Vec<String> {
    duty.assignments
        .iter()
        .map(|a| {
            let person = a.slack_id.as_ref().map_or("nobody".to_string(), mention);
            let away = a.slack_id.as_ref().is_some_and(|p| duty.is_away(p));
            let away = if away { ", away" } else { "" };
            format!(
                "• {}: {person} ({}{away})",
                discipline_name(roster, &a.discipline),
                a.source
            )
        })
        .collect()
}

/// The command's list of commands; `lines` are (usage, what it does) with admin ones after.
pub fn help(command: &str, lines: &[(&str, &str)], admin_lines: &[(&str, &str)]) -> Message {
    let list = |lines: &[(&str, &str)]| {
        lines
            .iter()
            .map(|(usage, about)| format!("• `{command} {}`: {about}", text::escape(usage)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut text = format!("*{command}* commands:\n{}", list(lines));
    if !admin_lines.is_empty() {
        text.push_str(&format!("\n*Admin commands:*\n{}", list(admin_lines)));
    }
    Message::text(text)
}

/// The help after a word that is no command.
pub fn unknown_command(
    command: &str,
    word: &str,
    suggestion: Option<&str>,
    help: Message,
) -> Message {
    let word = text::escape(word);
    let hint = match suggestion {
        Some(s) => format!("I don't know `{word}`. Did you mean `{command} {s}`?"),
        None => format!("I don't know `{word}`."),
    };
    Message::text(format!("{hint}\n\n{}", help.text))
}

/// A command that could not be read. The usage's `<placeholders>` are escaped, or Slack would
/// read them as links and mentions.
pub fn usage_error(command: &str, problem: &str, usage: &str) -> Message {
    Message::text(format!(
        "{}\nUsage: `{command} {}`",
        text::escape(problem),
        text::escape(usage)
    ))
}

/// A refusal or a failure, said plainly.
pub fn refusal(text: &str) -> Message {
    Message::text(text.to_string())
}

/// Who is on duty now, per discipline, and until when.
pub fn who(answer: &DutyAt, roster: &Roster, dates: &SlackDates, command: &str) -> Message {
    let text = match answer {
        DutyAt::InForce { duty, until } => {
            let mut lines = vec![format!(
                "{} until {}",
                sprint_label(Some(&duty.sprint)),
                dates.instant(*until)
            )];
            lines.extend(team_lines(duty, roster));
            lines.join("\n")
        }
        DutyAt::BeforeFirst { first, starts_at } => format!(
            "No sprint is in force yet: {} starts {}.",
            sprint_label(Some(first)),
            dates.instant(*starts_at)
        ),
        DutyAt::Gap {
            previous,
            ended_at,
            next,
            starts_at,
        } => format!(
            "No sprint is in force: {} ended {}, and the next one, {}, starts {}.",
            sprint_label(Some(previous)),
            dates.instant(*ended_at),
            sprint_label(Some(next)),
            dates.instant(*starts_at)
        ),
        DutyAt::AfterLast { last, ended_at } => format!(
            "No sprint is in force: the last one, {}, ended {}. An admin can add sprints with `{command} sprint generate`.",
            sprint_label(Some(last)),
            dates.instant(*ended_at)
        ),
        DutyAt::NoSprints => {
            format!(
                "There are no sprints yet. An admin can add them with `{command} sprint generate`."
            )
        }
    };
    Message::text(text)
}

/// Who is on duty at `at` (a day's handoff time), headed by that moment.
pub fn who_at(
    at: Timestamp,
    answer: &DutyAt,
    roster: &Roster,
    dates: &SlackDates,
    command: &str,
) -> Message {
    let answer = who(answer, roster, dates, command);
    Message::text(format!("At {}: {}", dates.instant(at), answer.text))
}

/// Who is on duty in each of `sprints`, with each sprint's days; an assignment that gives
/// someone double or back-to-back duty is flagged.
pub fn schedule(
    title: &str,
    sprints: &[FlaggedDuty],
    roster: &Roster,
    dates: &SlackDates,
) -> Message {
    if sprints.is_empty() {
        return Message::text(format!("{title}: no sprints are planned."));
    }
    let parts: Vec<String> = sprints
        .iter()
        .map(|flagged| {
            let s = &flagged.duty.sprint;
            let mut lines = vec![format!(
                "{} · {}",
                sprint_label(Some(s)),
                dates.span(s.start, s.end)
            )];
            let team = team_lines(&flagged.duty, roster);
            lines.extend(
                team.into_iter()
                    .zip(&flagged.conflicts)
                    .map(|(line, conflict)| match conflict {
                        Some(conflict) => format!("{line} · :warning: {}", conflict.describe()),
                        None => line,
                    }),
            );
            lines.join("\n")
        })
        .collect();
    Message::text(format!("{title}\n\n{}", parts.join("\n\n")))
}

/// What approving `o` gives its replacement: "back-to-back duty: they are on duty for *UI* in
/// *Sprint 5*, the sprint after".
fn conflict_clause(o: &Override, conflict: &CoverConflict, roster: &Roster) -> String {
    format!(
        "{} {}: they are on duty for *{}* in {}{}",
        mention(&o.replacement),
        conflict.conflict.describe(),
        discipline_name(roster, &conflict.discipline),
        sprint_label(Some(&conflict.sprint)),
        conflict.when(o.sprint)
    )
}

/// [`coverage_request`] with, when approving it would give its replacement double or
/// back-to-back duty, a warning above the buttons.
pub fn coverage_request_warned(
    o: &Override,
    sprint: Option<&Sprint>,
    roster: &Roster,
    dates: &SlackDates,
    conflict: Option<&CoverConflict>,
) -> Message {
    let mut message = coverage_request(o, sprint, roster, dates);
    if let Some(conflict) = conflict {
        let warning = format!(
            ":warning: Approving gives {}.",
            conflict_clause(o, conflict, roster)
        );
        let at = message.blocks.len().saturating_sub(1);
        message.blocks.insert(at, context(&warning));
        message.text.push_str(&format!("\n{warning}"));
    }
    message
}

/// The answer to an approval that needs confirming: what the cover would give its replacement,
/// with Approve anyway (the confirming click) and Decline.
pub fn approval_warning(o: &Override, conflict: &CoverConflict, roster: &Roster) -> Message {
    let text = format!(
        ":warning: Approving request #{} gives {}. Approve it anyway?",
        o.id,
        conflict_clause(o, conflict, roster)
    );
    Message {
        blocks: vec![
            section(&text),
            actions(vec![
                button(
                    "Approve anyway",
                    APPROVE_CONFIRMED,
                    &o.id.to_string(),
                    Some("primary"),
                ),
                button("Decline", DECLINE, &o.id.to_string(), Some("danger")),
            ]),
        ],
        text,
    }
}

/// A coverage request as posted in the admin channel, with Approve and Decline buttons while
/// it is pending, and who decided it (and when) afterwards.
pub fn coverage_request(
    o: &Override,
    sprint: Option<&Sprint>,
    roster: &Roster,
    dates: &SlackDates,
) -> Message {
    let summary = request_summary(o, sprint, roster);
    let mut card = format!("*Coverage request #{}*\n{summary}", o.id);
    if let Some(reason) = &o.reason {
        card.push_str(&format!("\nReason: {}", text::reason(reason)));
    }
    let mut blocks = vec![section(&card)];
    match (o.status, &o.decided_by, o.decided_at) {
        (OverrideStatus::Pending, _, _) => blocks.push(actions(vec![
            button("Approve", APPROVE, &o.id.to_string(), Some("primary")),
            button("Decline", DECLINE, &o.id.to_string(), Some("danger")),
        ])),
        (status, by, at) => {
            let by = by
                .as_deref()
                .map_or(String::new(), |by| format!(" by {}", actor(by)));
            let at = at.map_or(String::new(), |at| format!(" on {}", dates.instant(at)));
            let why = o
                .decision_reason
                .as_deref()
                .map_or(String::new(), |r| format!(" · {}", text::reason(r)));
            let decided = match status {
                OverrideStatus::Revoked => OverrideStatus::Approved,
                status => status,
            };
            let closed_by_bot = o.decided_by.as_deref() == Some(crate::coverage::BOT_ACTOR);
            let line = match (closed_by_bot, &o.decision_reason) {
                (true, Some(reason)) => format!("Closed{at}: {}", with_mentions(reason)),
                _ => format!("{}{by}{at}{why}", status_word(decided)),
            };
            blocks.push(context(&line));
            if let (OverrideStatus::Revoked, Some(by)) = (status, &o.revoked_by) {
                let at = o
                    .revoked_at
                    .map_or(String::new(), |at| format!(" on {}", dates.instant(at)));
                let why = o
                    .revoke_reason
                    .as_deref()
                    .map_or(String::new(), |r| format!(" · {}", text::reason(r)));
                blocks.push(context(&format!("Revoked by {}{at}{why}", actor(by))));
            }
        }
    }
    let fallback = format!("Coverage request #{} ({}): {summary}", o.id, o.status);
    Message {
        text: fallback,
        blocks,
    }
}

fn status_word(status: OverrideStatus) -> &'static str {
    match status {
        OverrideStatus::Proposed => "Waiting for the person named to accept",
        OverrideStatus::Pending => "Waiting for an admin",
        OverrideStatus::Approved => ":white_check_mark: Approved",
        OverrideStatus::Declined => ":x: Declined",
        OverrideStatus::Cancelled => "Cancelled",
        OverrideStatus::Superseded => "Closed: superseded",
        OverrideStatus::Expired => "Closed: expired, its sprint ended undecided",
        OverrideStatus::Revoked => "Revoked",
    }
}

/// `<@U1> asks <@U2> to cover *UI* in *Sprint 1* (sprint 0)`.
fn request_summary(o: &Override, sprint: Option<&Sprint>, roster: &Roster) -> String {
    let instead = o
        .original
        .as_ref()
        .filter(|original| *original != &o.requested_by)
        .map_or(String::new(), |original| {
            format!(" (instead of {})", mention(original))
        });
    let slot = format!(
        "*{}* in {}",
        discipline_name(roster, &o.discipline),
        sprint_label(sprint)
    );
    if o.replacement == o.requested_by {
        return format!(
            "{} offers to cover {slot}{instead}",
            mention(&o.requested_by)
        );
    }
    format!(
        "{} asks {} to cover {slot}{instead}",
        mention(&o.requested_by),
        mention(&o.replacement),
    )
}

/// What the requester is told right after filing.
pub fn request_filed(
    outcome: &RequestOutcome,
    sprint: Option<&Sprint>,
    roster: &Roster,
    held: Option<(Timestamp, &SlackDates)>,
) -> Message {
    let o = outcome.request();
    let slot = format!(
        "{} to cover *{}* in {}",
        mention(&o.replacement),
        discipline_name(roster, &o.discipline),
        sprint_label(sprint)
    );
    Message::text(match outcome {
        RequestOutcome::Created(_) if o.status == OverrideStatus::Proposed => format!(
            "Request #{} filed: {slot}. {} {} to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way.",
            o.id,
            mention(&o.replacement),
            match held {
                // A routine DM caused on a day off waits for the next working day.
                Some((at, dates)) => format!("will get a DM on {}", dates.instant(at)),
                None => "has a DM".to_string(),
            }
        ),
        RequestOutcome::Created(_) => format!(
            "Request #{} filed: {slot}. An admin will approve or decline it, and you will get a DM either way.",
            o.id
        ),
        RequestOutcome::AlreadyPending(_) if o.status == OverrideStatus::Proposed => format!(
            "You already asked for this: request #{} ({slot}) is waiting for {} to accept it.",
            o.id,
            mention(&o.replacement)
        ),
        RequestOutcome::AlreadyPending(_) => {
            format!(
                "You already asked for this: request #{} ({slot}) is waiting for an admin.",
                o.id
            )
        }
        RequestOutcome::AlreadyApproved(_) => {
            format!(
                "Nothing to do: request #{} ({slot}) is already approved.",
                o.id
            )
        }
    })
}

/// Who a decision's DM is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Requester,
    Replacement,
}

/// The DM telling the requester or the replacement how a request was decided.
pub fn decision_dm(
    o: &Override,
    to: Recipient,
    sprint: Option<&Sprint>,
    roster: &Roster,
) -> Message {
    let by = o
        .decided_by
        .as_deref()
        .map_or("an admin".to_string(), actor);
    let slot = format!(
        "*{}* in {}",
        discipline_name(roster, &o.discipline),
        sprint_label(sprint)
    );
    let reason = o
        .reason
        .as_deref()
        .map_or(String::new(), |r| format!(" Reason: {}", text::reason(r)));
    let text = match (o.status, to) {
        (OverrideStatus::Approved, Recipient::Requester) => format!(
            "Your coverage request #{} was approved by {by}: {} covers {slot}.",
            o.id,
            mention(&o.replacement)
        ),
        (OverrideStatus::Approved, Recipient::Replacement) => format!(
            "You are covering {slot} for {} (request #{}, approved by {by}).",
            mention(&o.requested_by),
            o.id
        ),
        (OverrideStatus::Declined, Recipient::Requester) => format!(
            "Your coverage request #{} ({} to cover {slot}) was declined by {by}.{reason}",
            o.id,
            mention(&o.replacement)
        ),
        (OverrideStatus::Declined, Recipient::Replacement) => format!(
            "{}'s request for you to cover {slot} (#{}) was declined by {by}, so you are not covering it.",
            mention(&o.requested_by),
            o.id
        ),
        (status, _) => format!(
            "Coverage request #{} ({} to cover {slot}) was {status} by {by}.",
            o.id,
            mention(&o.replacement)
        ),
    };
    Message::text(text)
}

/// The DM to someone an admin put on duty, or took off duty, with `set`.
pub fn set_dm(o: &Override, to: Recipient, sprint: Option<&Sprint>, roster: &Roster) -> Message {
    let by = actor(o.requested_by.as_str());
    let slot = format!(
        "*{}* in {}",
        discipline_name(roster, &o.discipline),
        sprint_label(sprint)
    );
    Message::text(match to {
        Recipient::Replacement => format!("{by} put you on duty for {slot}."),
        Recipient::Requester => format!(
            "{by} put {} on duty for {slot} in your place, so you are off duty for it.",
            mention(&o.replacement)
        ),
    })
}

/// What an admin is told after putting someone on duty.
pub fn set_done(
    outcome: &RequestOutcome,
    sprint: Option<&Sprint>,
    roster: &Roster,
    conflict: Option<&CoverConflict>,
) -> Message {
    let o = outcome.request();
    let warning = conflict.map_or(String::new(), |conflict| {
        format!(
            "\n:warning: This gives {}.",
            conflict_clause(o, conflict, roster)
        )
    });
    let slot = format!(
        "*{}* in {}",
        discipline_name(roster, &o.discipline),
        sprint_label(sprint)
    );
    Message::text(match outcome {
        RequestOutcome::AlreadyApproved(_) => format!(
            "{} is already on duty for {slot} (override #{}); nothing changed.",
            mention(&o.replacement),
            o.id
        ),
        _ => format!(
            "{} is now on duty for {slot} (override #{}).{warning}",
            mention(&o.replacement),
            o.id
        ),
    })
}

/// What the person who decided (or cancelled) a request is told.
pub fn decided(o: &Override, changed: bool, sprint: Option<&Sprint>, roster: &Roster) -> Message {
    let slot = format!(
        "{} to cover *{}* in {}",
        mention(&o.replacement),
        discipline_name(roster, &o.discipline),
        sprint_label(sprint)
    );
    Message::text(if changed {
        format!("Request #{} ({slot}) is now {}.", o.id, o.status)
    } else {
        format!(
            "Request #{} ({slot}) was already {}; nothing changed.",
            o.id, o.status
        )
    })
}

/// Coverage requests as a list; `pending_title` heads the ones an admin can decide (with
/// buttons), `mine` are the viewer's own (pending ones with a Cancel button).
pub fn overrides(
    pending: Option<&[Override]>,
    mine: &[Override],
    sprints: &[Sprint],
    roster: &Roster,
) -> Message {
    let mut blocks = Vec::new();
    let mut text = Vec::new();
    if let Some(pending) = pending {
        blocks.push(section("*Pending requests*"));
        text.push("Pending requests:".to_string());
        if pending.is_empty() {
            blocks.push(context("Nothing is waiting for a decision."));
        }
        for o in pending {
            let line = override_line(o, sprints, roster);
            blocks.push(section(&line));
            blocks.push(actions(vec![
                button("Approve", APPROVE, &o.id.to_string(), Some("primary")),
                button("Decline", DECLINE, &o.id.to_string(), Some("danger")),
            ]));
            text.push(line);
        }
    }
    blocks.push(section("*Your requests*"));
    text.push("Your requests:".to_string());
    if mine.is_empty() {
        blocks.push(context("You have not asked for coverage."));
    }
    for o in mine {
        let line = override_line(o, sprints, roster);
        blocks.push(match o.status {
            OverrideStatus::Pending => {
                section_with_button(&line, button("Cancel", CANCEL, &o.id.to_string(), None))
            }
            _ => section(&line),
        });
        text.push(line);
    }
    Message {
        text: text.join("\n"),
        blocks,
    }
}

/// `#7 · Sprint 4 · UI · <@U2> covering for <@U1> · pending`: the person covered is the one on
/// duty when the request was filed.
pub(crate) fn override_line(o: &Override, sprints: &[Sprint], roster: &Roster) -> String {
    let sprint = sprints.iter().find(|s| s.index == o.sprint);
    let covered = o.original.as_ref().unwrap_or(&o.requested_by);
    format!(
        "#{} · {} · {} · {} covering for {} · {}",
        o.id,
        sprint.map_or("a sprint no longer planned".to_string(), |s| text::escape(
            &s.name
        )),
        discipline_name(roster, &o.discipline),
        mention(&o.replacement),
        mention(covered),
        o.status
    )
}

/// The answer to `@bot` in a thread.
pub fn mention_reply(who: Message, command: &str) -> Message {
    Message::text(format!("{}\n_More with `{command} help`._", who.text))
}

/// The threaded answer to `@triage <discipline> …` or `@triage all …`: the people called, each
/// with the disciplines they are on duty for, and who asks for them. With nobody to call, says
/// that the person asking is on duty themselves, or that nobody is (for `wanted`, or at all when
/// `None`).
pub fn calls_reply(
    calls: &Calls,
    roster: &Roster,
    asker: &SlackUserId,
    wanted: Option<&DisciplineKey>,
) -> Message {
    let names = |keys: &[DisciplineKey]| {
        keys.iter()
            .map(|key| format!("*{}*", discipline_name(roster, key)))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    if calls.people.is_empty() {
        return Message::text(match wanted {
            _ if !calls.asker_holds.is_empty() => {
                format!(
                    "You are on duty for {} yourself.",
                    names(&calls.asker_holds)
                )
            }
            Some(key) => format!(
                "Nobody is on duty for *{}* now.",
                discipline_name(roster, key)
            ),
            None => "Nobody is on duty now.".to_string(),
        });
    }
    let called: Vec<String> = calls
        .people
        .iter()
        .map(|call| {
            format!(
                "{} (on duty for {})",
                mention(&call.person),
                names(&call.disciplines)
            )
        })
        .collect();
    Message::text(format!(
        "{} — {} needs you",
        called.join(", "),
        mention(asker)
    ))
}

/// One shift as a line, with its sprint's days: `*UI* in *Sprint 1* (now), Mon Mar 9 to Sun
/// Mar 22`, ending ` (away)` when the shift falls in the person's absence.
pub(crate) fn shift_line(shift: &Shift, roster: &Roster, dates: &SlackDates) -> String {
    let now = if shift.current { " (now)" } else { "" };
    let away = if shift.away { " (away)" } else { "" };
    format!(
        "*{}* in {}{now}, {}{away}",
        discipline_name(roster, &shift.discipline),
        sprint_label(Some(&shift.sprint)),
        dates.span(shift.sprint.start, shift.sprint.end)
    )
}

/// Shifts, each with a "Request coverage" button.
pub(crate) fn shift_blocks(shifts: &[Shift], roster: &Roster, dates: &SlackDates) -> Vec<Value> {
    shifts
        .iter()
        .map(|shift| {
            let button = button("Request coverage", COVER_SHIFT, &shift.slot_value(), None);
            section_with_button(&shift_line(shift, roster, dates), button)
        })
        .collect()
}

/// `me`: my current and upcoming shifts.
pub fn my_shifts(shifts: &[Shift], roster: &Roster, dates: &SlackDates) -> Message {
    if shifts.is_empty() {
        return Message::text("You have no shifts in the coming sprints.");
    }
    let mut blocks = vec![section("*Your shifts*")];
    blocks.extend(shift_blocks(shifts, roster, dates));
    let lines: Vec<String> = shifts
        .iter()
        .map(|s| format!("• {}", shift_line(s, roster, dates)))
        .collect();
    Message {
        text: format!("Your shifts:\n{}", lines.join("\n")),
        blocks,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use expect_test::{Expect, expect};
    use jiff::Timestamp;
    use jiff::civil::Time;
    use jiff::tz::TimeZone;

    use super::*;
    use crate::domain::{Assignment, Conflict, Discipline, Source, SprintIndex, Team};

    pub(crate) fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: Default::default(),
        }
    }

    /// Slack's dates for [`team`] on Thu 2026-03-12.
    pub(crate) fn dates() -> SlackDates {
        SlackDates::new(&team(), "2026-03-12T17:00:00Z".parse().unwrap())
    }

    pub(crate) fn roster() -> Roster {
        let discipline = |key: &str, name: &str, position| Discipline {
            key: DisciplineKey::parse(key).unwrap(),
            name: name.to_string(),
            position,
            fallback: None,
            usergroup_id: None,
        };
        Roster {
            disciplines: vec![discipline("ui", "UI", 0), discipline("be", "Backend", 1)],
            members: Vec::new(),
        }
    }

    pub(crate) fn sprint(index: i64) -> Sprint {
        let start = jiff::civil::date(2026, 3, 9)
            .checked_add(jiff::Span::new().days(14 * index))
            .unwrap();
        Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Sprint {}", index + 1),
            start,
            end: start.checked_add(jiff::Span::new().days(13)).unwrap(),
        }
    }

    pub(crate) fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    pub(crate) fn request(status: OverrideStatus) -> Override {
        let decided = status != OverrideStatus::Pending;
        Override {
            id: 7,
            sprint: SprintIndex::new(0).unwrap(),
            discipline: DisciplineKey::parse("ui").unwrap(),
            original: Some(user("U1")),
            replacement: user("U2"),
            requested_by: user("U1"),
            status,
            decided_by: decided.then(|| "U9".to_string()),
            decided_at: decided.then(|| "2026-03-10T19:00:00Z".parse().unwrap()),
            reason: Some("dentist".to_string()),
            created_at: "2026-03-10T18:00:00Z".parse().unwrap(),
            decision_reason: None,
            revoked_by: None,
            revoked_at: None,
            revoke_reason: None,
        }
    }

    pub(crate) fn duty(index: i64) -> SprintDuty {
        let assignment = |key: &str, who: Option<&str>, source| Assignment {
            discipline: DisciplineKey::parse(key).unwrap(),
            slack_id: who.map(user),
            source,
        };
        SprintDuty {
            sprint: sprint(index),
            assignments: vec![
                assignment("ui", Some("U1"), Source::Rotation),
                assignment("be", None, Source::None),
            ],
            away: Vec::new(),
        }
    }

    #[track_caller]
    fn check(message: Message, expected: Expect) {
        expected.assert_eq(&serde_json::to_string_pretty(&message.to_json()).unwrap());
    }

    #[test]
    fn a_pending_request_has_approve_and_decline_buttons() {
        let o = request(OverrideStatus::Pending);
        check(
            coverage_request(&o, Some(&sprint(0)), &roster(), &dates()),
            expect![[r#"
                {
                  "blocks": [
                    {
                      "text": {
                        "text": "*Coverage request #7*\n<@U1> asks <@U2> to cover *UI* in *Sprint 1*\nReason: dentist",
                        "type": "mrkdwn"
                      },
                      "type": "section"
                    },
                    {
                      "elements": [
                        {
                          "action_id": "approve_override",
                          "style": "primary",
                          "text": {
                            "text": "Approve",
                            "type": "plain_text"
                          },
                          "type": "button",
                          "value": "7"
                        },
                        {
                          "action_id": "decline_override",
                          "style": "danger",
                          "text": {
                            "text": "Decline",
                            "type": "plain_text"
                          },
                          "type": "button",
                          "value": "7"
                        }
                      ],
                      "type": "actions"
                    }
                  ],
                  "text": "Coverage request #7 (pending): <@U1> asks <@U2> to cover *UI* in *Sprint 1*"
                }"#]],
        );
    }

    #[test]
    fn a_decided_request_says_who_decided_and_when() {
        let o = request(OverrideStatus::Declined);
        check(
            coverage_request(&o, Some(&sprint(0)), &roster(), &dates()),
            expect![[r#"
                {
                  "blocks": [
                    {
                      "text": {
                        "text": "*Coverage request #7*\n<@U1> asks <@U2> to cover *UI* in *Sprint 1*\nReason: dentist",
                        "type": "mrkdwn"
                      },
                      "type": "section"
                    },
                    {
                      "elements": [
                        {
                          "text": ":x: Declined by <@U9> on Tue Mar 10 12:00 PDT",
                          "type": "mrkdwn"
                        }
                      ],
                      "type": "context"
                    }
                  ],
                  "text": "Coverage request #7 (declined): <@U1> asks <@U2> to cover *UI* in *Sprint 1*"
                }"#]],
        );
    }

    #[test]
    fn who_in_and_out_of_sprints() {
        let (roster, dates) = (roster(), dates());
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let in_force = DutyAt::InForce {
            duty: duty(0),
            until: at("2026-03-23T15:00:00Z"),
        };
        check(
            who(&in_force, &roster, &dates, "/triage"),
            expect![[r#"
                {
                  "text": "*Sprint 1* until Mon Mar 23 08:00 PDT\n• UI: <@U1> (rotation)\n• Backend: nobody (none)"
                }"#]],
        );
        let before = DutyAt::BeforeFirst {
            first: sprint(0),
            starts_at: at("2026-03-09T15:00:00Z"),
        };
        check(
            who(&before, &roster, &dates, "/triage"),
            expect![[r#"
                {
                  "text": "No sprint is in force yet: *Sprint 1* starts Mon Mar 9 08:00 PDT."
                }"#]],
        );
        let after = DutyAt::AfterLast {
            last: sprint(0),
            ended_at: at("2026-03-23T15:00:00Z"),
        };
        check(
            who(&after, &roster, &dates, "/triage"),
            expect![[r#"
                {
                  "text": "No sprint is in force: the last one, *Sprint 1*, ended Mon Mar 23 08:00 PDT. An admin can add sprints with `/triage sprint generate`."
                }"#]],
        );
        let gap = DutyAt::Gap {
            previous: sprint(0),
            ended_at: at("2026-03-23T15:00:00Z"),
            next: sprint(2),
            starts_at: at("2026-04-06T15:00:00Z"),
        };
        check(
            who(&gap, &roster, &dates, "/triage"),
            expect![[r#"
                {
                  "text": "No sprint is in force: *Sprint 1* ended Mon Mar 23 08:00 PDT, and the next one, *Sprint 3*, starts Mon Apr 6 08:00 PDT."
                }"#]],
        );
        check(
            who(&DutyAt::NoSprints, &roster, &dates, "/triage"),
            expect![[r#"
                {
                  "text": "There are no sprints yet. An admin can add them with `/triage sprint generate`."
                }"#]],
        );
    }

    #[test]
    fn schedules_and_help() {
        check(
            schedule("*Next sprint*", &[], &roster(), &dates()),
            expect![[r#"
            {
              "text": "*Next sprint*: no sprints are planned."
            }"#]],
        );
        check(
            help(
                "/triage",
                &[("who", "who is on duty")],
                &[("approve <id>", "approve")],
            ),
            expect![[r#"
                {
                  "text": "*/triage* commands:\n• `/triage who`: who is on duty\n*Admin commands:*\n• `/triage approve &lt;id&gt;`: approve"
                }"#]],
        );
        check(
            unknown_command("/triage", "hepl", Some("help"), Message::text("…")),
            expect![[r#"
                {
                  "text": "I don't know `hepl`. Did you mean `/triage help`?\n\n…"
                }"#]],
        );
    }

    #[test]
    fn a_schedule_flags_double_and_back_to_back_duty() {
        let flagged = FlaggedDuty {
            duty: duty(0),
            conflicts: vec![Some(Conflict::BackToBack), None],
        };
        expect![[r#"
            *Next sprint*

            *Sprint 1* · Mon Mar 9 to Sun Mar 22
            • UI: <@U1> (rotation) · :warning: back-to-back duty
            • Backend: nobody (none)"#]]
        .assert_eq(&schedule("*Next sprint*", &[flagged], &roster(), &dates()).text);
    }

    #[test]
    fn a_duty_in_an_absence_says_so_in_the_same_brackets_as_its_source() {
        let mut away = duty(0);
        away.away = vec![user("U1")];
        let flagged = FlaggedDuty {
            duty: away,
            conflicts: vec![Some(Conflict::BackToBack), None],
        };
        expect![[r#"
            *Next sprint*

            *Sprint 1* · Mon Mar 9 to Sun Mar 22
            • UI: <@U1> (rotation, away) · :warning: back-to-back duty
            • Backend: nobody (none)"#]]
        .assert_eq(&schedule("*Next sprint*", &[flagged], &roster(), &dates()).text);
    }

    #[test]
    fn an_approval_giving_a_conflict_warns_and_asks_for_a_second_click() {
        let o = request(OverrideStatus::Pending);
        let conflict = CoverConflict {
            conflict: Conflict::BackToBack,
            sprint: sprint(1),
            discipline: DisciplineKey::parse("be").unwrap(),
        };
        let card =
            coverage_request_warned(&o, Some(&sprint(0)), &roster(), &dates(), Some(&conflict));
        expect![[r#"
            Coverage request #7 (pending): <@U1> asks <@U2> to cover *UI* in *Sprint 1*
            :warning: Approving gives <@U2> back-to-back duty: they are on duty for *Backend* in *Sprint 2*, the sprint after."#]].assert_eq(&card.text);
        // The warning sits above the buttons.
        let kinds: Vec<&Value> = card.blocks.iter().map(|b| &b["type"]).collect();
        assert_eq!(kinds, ["section", "context", "actions"]);
        check(
            approval_warning(&o, &conflict, &roster()),
            expect![[r#"
            {
              "blocks": [
                {
                  "text": {
                    "text": ":warning: Approving request #7 gives <@U2> back-to-back duty: they are on duty for *Backend* in *Sprint 2*, the sprint after. Approve it anyway?",
                    "type": "mrkdwn"
                  },
                  "type": "section"
                },
                {
                  "elements": [
                    {
                      "action_id": "approve_override_confirmed",
                      "style": "primary",
                      "text": {
                        "text": "Approve anyway",
                        "type": "plain_text"
                      },
                      "type": "button",
                      "value": "7"
                    },
                    {
                      "action_id": "decline_override",
                      "style": "danger",
                      "text": {
                        "text": "Decline",
                        "type": "plain_text"
                      },
                      "type": "button",
                      "value": "7"
                    }
                  ],
                  "type": "actions"
                }
              ],
              "text": ":warning: Approving request #7 gives <@U2> back-to-back duty: they are on duty for *Backend* in *Sprint 2*, the sprint after. Approve it anyway?"
            }"#]],
        );
        let double = CoverConflict {
            conflict: Conflict::Double,
            sprint: sprint(0),
            ..conflict
        };
        expect![[r#":warning: Approving request #7 gives <@U2> double duty: they are on duty for *Backend* in *Sprint 1* too. Approve it anyway?"#]]
            .assert_eq(&approval_warning(&o, &double, &roster()).text);
    }

    #[test]
    fn decision_messages() {
        let (roster, s) = (roster(), sprint(0));
        let approved = request(OverrideStatus::Approved);
        let lines = [
            decision_dm(&approved, Recipient::Requester, Some(&s), &roster).text,
            decision_dm(&approved, Recipient::Replacement, Some(&s), &roster).text,
            decision_dm(
                &request(OverrideStatus::Cancelled),
                Recipient::Requester,
                Some(&s),
                &roster,
            )
            .text,
            set_dm(&approved, Recipient::Replacement, Some(&s), &roster).text,
            decided(&approved, false, None, &roster).text,
        ];
        expect![[r#"
            Your coverage request #7 was approved by <@U9>: <@U2> covers *UI* in *Sprint 1*.
            You are covering *UI* in *Sprint 1* for <@U1> (request #7, approved by <@U9>).
            Coverage request #7 (<@U2> to cover *UI* in *Sprint 1*) was cancelled by <@U9>.
            <@U1> put you on duty for *UI* in *Sprint 1*.
            Request #7 (<@U2> to cover *UI* in a sprint no longer planned) was already approved; nothing changed."#]].assert_eq(&lines.join("\n"));
    }

    #[test]
    fn request_lists_show_buttons_by_role() {
        let pending = [request(OverrideStatus::Pending)];
        check(
            overrides(Some(&pending), &pending, &[], &roster()),
            expect![[r##"
                {
                  "blocks": [
                    {
                      "text": {
                        "text": "*Pending requests*",
                        "type": "mrkdwn"
                      },
                      "type": "section"
                    },
                    {
                      "text": {
                        "text": "#7 · a sprint no longer planned · UI · <@U2> covering for <@U1> · pending",
                        "type": "mrkdwn"
                      },
                      "type": "section"
                    },
                    {
                      "elements": [
                        {
                          "action_id": "approve_override",
                          "style": "primary",
                          "text": {
                            "text": "Approve",
                            "type": "plain_text"
                          },
                          "type": "button",
                          "value": "7"
                        },
                        {
                          "action_id": "decline_override",
                          "style": "danger",
                          "text": {
                            "text": "Decline",
                            "type": "plain_text"
                          },
                          "type": "button",
                          "value": "7"
                        }
                      ],
                      "type": "actions"
                    },
                    {
                      "text": {
                        "text": "*Your requests*",
                        "type": "mrkdwn"
                      },
                      "type": "section"
                    },
                    {
                      "accessory": {
                        "action_id": "cancel_override",
                        "text": {
                          "text": "Cancel",
                          "type": "plain_text"
                        },
                        "type": "button",
                        "value": "7"
                      },
                      "text": {
                        "text": "#7 · a sprint no longer planned · UI · <@U2> covering for <@U1> · pending",
                        "type": "mrkdwn"
                      },
                      "type": "section"
                    }
                  ],
                  "text": "Pending requests:\n#7 · a sprint no longer planned · UI · <@U2> covering for <@U1> · pending\nYour requests:\n#7 · a sprint no longer planned · UI · <@U2> covering for <@U1> · pending"
                }"##]],
        );
    }

    #[test]
    fn names_and_reasons_are_escaped_without_bidi_controls() {
        let mut roster = roster();
        roster.disciplines[0].name = "R&D <ops>\u{202E}".to_string();
        let mut s = sprint(0);
        s.name = "Sp\u{2067}1 <!here>".to_string();
        let mut o = request(OverrideStatus::Revoked);
        o.reason = Some("back \u{202E}nooS <!channel>, ask <@U3|cy>".to_string());
        o.decision_reason = Some("fine\u{200F} & done".to_string());
        o.revoked_by = Some("U9".to_string());
        o.revoke_reason = Some("<https://x.test|ticket\u{202D}> \u{2066}ok".to_string());
        let card = coverage_request(&o, Some(&s), &roster, &dates());
        let rendered = serde_json::to_string_pretty(&card.to_json()).unwrap();
        assert!(!rendered.chars().any(crate::domain::text::is_bidi_control));
        let declined = Override {
            status: OverrideStatus::Declined,
            ..o.clone()
        };
        let texts: Vec<String> = card
            .blocks
            .iter()
            .map(|block| {
                let text = block
                    .pointer("/text/text")
                    .or(block.pointer("/elements/0/text"));
                text.and_then(Value::as_str).unwrap_or_default().to_string()
            })
            .chain([
                decision_dm(&declined, Recipient::Requester, Some(&s), &roster).text,
                override_line(&o, std::slice::from_ref(&s), &roster),
            ])
            .collect();
        expect![[r#"
            *Coverage request #7*
            <@U1> asks <@U2> to cover *R&amp;D &lt;ops&gt;* in *Sp1 &lt;!here&gt;*
            Reason: back nooS &lt;!channel&gt;, ask <@U3|cy>
            :white_check_mark: Approved by <@U9> on Tue Mar 10 12:00 PDT · fine &amp; done
            Revoked by <@U9> · <https://x.test|ticket> ok
            Your coverage request #7 (<@U2> to cover *R&amp;D &lt;ops&gt;* in *Sp1 &lt;!here&gt;*) was declined by <@U9>. Reason: back nooS &lt;!channel&gt;, ask <@U3|cy>
            #7 · Sp1 &lt;!here&gt; · R&amp;D &lt;ops&gt; · <@U2> covering for <@U1> · revoked
        "#]]
        .assert_eq(&(texts.join("\n") + "\n"));
    }
}
