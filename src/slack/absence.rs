//! What people are told about absences: the answer to recording one (the duties it falls in,
//! each with a *Request coverage* button, and the swaps it caused), the DMs to the away person
//! and to each swap partner, the admin channel's alert about a duty nobody covers, lists of
//! absences, the Home tab's *Time away* section and the form to add one, and the away policy
//! and dated roster changes as admins see them.
//!
//! Rendering only, like `blocks`: values in, Block Kit out. Days, spans and instants are written
//! by [`SlackDates`] (`Wed Apr 1`, `Mon Mar 23 to Sun Apr 5`, `Mon Mar 9 08:00 PDT`).

use jiff::Timestamp;
use serde_json::{Value, json};

use super::blocks::{
    COVER_SHIFT, Message, actions, button, context, discipline_name, mention, section,
    section_with_button, sprint_label,
};
use super::text;
use crate::away::{AwayAdded, Conflicting, SwapMade};
use crate::bot::shifts::slot_value;
use crate::dates::SlackDates;
use crate::domain::away::{Alert, AwayError, AwayPolicy, AwayWindow, MAX_YEARS_AHEAD};
use crate::domain::roster_change::RosterChangeError;
use crate::domain::{DisciplineKey, SlackUserId, Sprint, Team};
use crate::duty::Roster;
use crate::roster_changes::Pending;

/// `action_id` of the Home button that opens the form to add an absence.
pub const ADD_AWAY: &str = "add_away";
/// `action_id` of the button that removes absence `value`.
pub const REMOVE_AWAY: &str = "remove_away";
/// `callback_id` of the form to add an absence.
pub const AWAY_CALLBACK: &str = "away_add";
/// Block and action id of the form's first day.
pub const FROM_INPUT: &str = "away_from";
/// Block and action id of the form's last day.
pub const TO_INPUT: &str = "away_to";
/// Block and action id of the form's reason.
pub const REASON_INPUT: &str = "away_reason";

/// `Wed Apr 1 to Fri Apr 10 (absence #3: vacation)`, or `Wed Apr 1 (absence #3)` for one day.
fn window_label(window: &AwayWindow, dates: &SlackDates) -> String {
    let reason = window
        .reason
        .as_deref()
        .map_or(String::new(), |r| format!(": {}", text::reason(r)));
    let days = if window.from == window.to {
        dates.day(window.from)
    } else {
        dates.span(window.from, window.to)
    };
    format!("{days} (absence #{}{reason})", window.id)
}

/// A duty in an absence as a line, like a shift: `*UI* in *Sprint 6* (now), Mon Mar 30 to Sun
/// Apr 12`.
fn conflict_line(conflict: &Conflicting, roster: &Roster, dates: &SlackDates) -> String {
    let now = if conflict.started { " (now)" } else { "" };
    format!(
        "*{}* in {}{now}, {}",
        discipline_name(roster, &conflict.discipline),
        sprint_label(Some(&conflict.sprint)),
        dates.span(conflict.sprint.start, conflict.sprint.end)
    )
}

/// Who reads a message about an absence, and what they may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader<'a> {
    /// The away person: duties are "yours", with *Request coverage* buttons. `recorded_by` is
    /// set when someone else recorded the absence.
    Away { recorded_by: Option<&'a str> },
    /// Someone else (an admin): duties are "theirs", without buttons.
    Other,
}

/// The answer to recording an absence, or the DM to the away person about it.
/// `alerts` says whether the admins are alerted about conflicts nobody resolves (an admin
/// channel is set).
pub fn away_recorded(
    outcome: &AwayAdded,
    reader: Reader<'_>,
    roster: &Roster,
    dates: &SlackDates,
    command: &str,
    alerts: bool,
    now: Timestamp,
) -> Message {
    let window = &outcome.window;
    let person = mention(&window.person);
    let mine = matches!(reader, Reader::Away { .. });
    let (your, you_are) = if mine {
        ("your", "You are".to_string())
    } else {
        ("their", format!("{person} is"))
    };
    let mut head = match (reader, outcome.created) {
        (
            Reader::Away {
                recorded_by: Some(by),
            },
            true,
        ) => format!(
            "{} recorded that you are away {}.",
            actor(by),
            window_label(window, dates)
        ),
        (_, true) => format!("{you_are} away {}.", window_label(window, dates)),
        (_, false) => format!(
            "{you_are} already recorded away {}; nothing changed.",
            window_label(window, dates)
        ),
    };
    let unresolved = outcome.unresolved();
    if outcome.conflicts.is_empty() {
        head.push_str(&format!(" None of {your} triage duty falls in it."));
    }
    let mut blocks = vec![section(&head)];
    let mut lines = vec![head];
    if !unresolved.is_empty() {
        let intro = format!("It falls in {your} triage duty:");
        blocks.push(section(&intro));
        lines.push(intro);
        for conflict in &unresolved {
            let line = conflict_line(conflict, roster, dates);
            lines.push(format!("• {line}"));
            blocks.push(if mine {
                let value = slot_value(conflict.sprint.index, &conflict.discipline);
                section_with_button(&line, button("Request coverage", COVER_SHIFT, &value, None))
            } else {
                section(&format!("• {line}"))
            });
        }
        let ask = if mine {
            format!("Ask someone to cover it (the button, or `{command} cover`)")
        } else {
            format!("{person} can ask someone to cover it")
        };
        let first_alert = unresolved.iter().map(|c| c.alert_at).min();
        let admins = match first_alert {
            Some(at) if alerts && at > now => format!(
                "; if nobody does, the admins are told on {}.",
                dates.instant(at)
            ),
            Some(_) if alerts => "; the admins are told now.".to_string(),
            _ => ".".to_string(),
        };
        let footer = format!("{ask}{admins}");
        blocks.push(context(&footer));
        lines.push(footer);
    }
    for made in &outcome.swaps {
        let line = swap_line(made, reader, roster, dates);
        blocks.push(section(&line));
        lines.push(line);
    }
    Message {
        text: lines.join("\n"),
        blocks,
    }
}

/// `<@U1>` for a Slack user; a change made on the command line (`cli`) was an admin's.
fn actor(by: &str) -> String {
    SlackUserId::parse(by).map_or_else(|_| "An admin".to_string(), |id| mention(&id))
}

/// A swap as the away person (or an admin) reads it.
fn swap_line(made: &SwapMade, reader: Reader<'_>, roster: &Roster, dates: &SlackDates) -> String {
    let discipline = discipline_name(roster, &made.swap.discipline);
    let partner = mention(&made.swap.partner);
    let dated = |sprint: &Sprint| {
        format!(
            "{} ({})",
            sprint_label(Some(sprint)),
            dates.span(sprint.start, sprint.end)
        )
    };
    let (given, theirs) = (dated(&made.away_sprint), dated(&made.partner_sprint));
    match reader {
        Reader::Away { .. } => format!(
            "*{discipline}* swaps shifts when someone is away: {partner} takes your duty in {given}, and you take theirs in {theirs}. {partner} has a DM about it.",
        ),
        Reader::Other => format!(
            "*{discipline}* swaps shifts when someone is away: {partner} takes {}'s duty in {given}, and {} takes theirs in {theirs}. Both have a DM.",
            mention(&made.swap.away),
            mention(&made.swap.away),
        ),
    }
}

/// The DM to a swap partner, covering every swap they are part of.
pub fn swapped_dm(
    away: &SlackUserId,
    swaps: &[&SwapMade],
    roster: &Roster,
    dates: &SlackDates,
    command: &str,
) -> Message {
    let mut blocks = Vec::new();
    let mut lines = Vec::new();
    for made in swaps {
        let (given, taken) = (&made.away_sprint, &made.partner_sprint);
        let discipline = discipline_name(roster, &made.swap.discipline);
        let line = format!(
            "{} is away during {}, and *{discipline}* swaps shifts when someone is away, so your shift moved: you are now on duty for *{discipline}* in {} ({}) instead of {} ({}).",
            mention(away),
            sprint_label(Some(given)),
            sprint_label(Some(given)),
            dates.span(given.start, given.end),
            sprint_label(Some(taken)),
            dates.span(taken.start, taken.end),
        );
        let value = slot_value(given.index, &made.swap.discipline);
        let request = button("Request coverage", COVER_SHIFT, &value, None);
        blocks.push(section_with_button(&line, request));
        lines.push(line);
    }
    let footer = format!(
        "If that does not suit you, ask someone to cover it (the button, or `{command} cover`)."
    );
    blocks.push(context(&footer));
    lines.push(footer);
    Message {
        text: lines.join("\n"),
        blocks,
    }
}

/// The admin channel's alert about a duty that falls in an absence and that nobody covers.
pub fn alert(alert: &Alert, roster: &Roster, dates: &SlackDates, command: &str) -> Message {
    let person = mention(&alert.window.person);
    let discipline = discipline_name(roster, &alert.discipline);
    let sprint = &alert.sprint;
    let text = format!(
        "*Away during triage duty*\n{person} is away {} and on duty for *{discipline}* in {} ({}); nobody covers it yet. {person} can ask for cover, or an admin can file it for them: `{command} cover {} @person {}`.",
        window_label(&alert.window, dates),
        sprint_label(Some(sprint)),
        dates.span(sprint.start, sprint.end),
        text::escape(&sprint.name),
        alert.discipline,
    );
    Message::text(text)
}

/// A list of absences, each with a Remove button for whoever may remove it.
pub fn away_list(
    mine: &[AwayWindow],
    everyone: Option<&[AwayWindow]>,
    dates: &SlackDates,
    command: &str,
) -> Message {
    let mut blocks = vec![section("*Your time away*")];
    let mut lines = vec!["Your time away:".to_string()];
    if mine.is_empty() {
        let none = format!(
            "Nothing recorded. Record an absence with `{command} away &lt;first day&gt; &lt;last day&gt; [reason]`."
        );
        blocks.push(context(&none));
        lines.push(none);
    }
    for window in mine {
        let line = format!("• {}", window_label(window, dates));
        blocks.push(remove_row(&line, window));
        lines.push(line);
    }
    blocks.push(actions(vec![button(
        "Add time away",
        ADD_AWAY,
        "add",
        None,
    )]));
    if let Some(everyone) = everyone {
        blocks.push(section("*Everyone's time away*"));
        lines.push("Everyone's time away:".to_string());
        if everyone.is_empty() {
            blocks.push(context("Nobody is away in the coming days."));
        }
        for window in everyone {
            let line = format!(
                "• {} {}",
                mention(&window.person),
                window_label(window, dates)
            );
            blocks.push(remove_row(&line, window));
            lines.push(line);
        }
    }
    Message {
        text: lines.join("\n"),
        blocks,
    }
}

fn remove_row(line: &str, window: &AwayWindow) -> Value {
    section_with_button(
        line,
        button("Remove", REMOVE_AWAY, &window.id.to_string(), None),
    )
}

/// Why an absence cannot be recorded, for `reader` in Slack: days in Slack's style, and the
/// person as "you" when the absence is the reader's own, else as a mention.
pub fn away_refusal(error: &AwayError, reader: &SlackUserId, dates: &SlackDates) -> String {
    match error {
        AwayError::EndsBeforeStart { from, to } => format!(
            "an absence cannot end ({}) before it starts ({})",
            dates.day(*to),
            dates.day(*from)
        ),
        AwayError::Ended { to, today } => format!(
            "that absence ended on {}, before today ({}); only current and future absences are kept",
            dates.day(*to),
            dates.day(*today)
        ),
        AwayError::TooFarAhead { limit } => format!(
            "an absence can start at most {MAX_YEARS_AHEAD} years ahead (before {})",
            dates.day(*limit)
        ),
        AwayError::TooLong => error.to_string(),
        AwayError::Overlaps {
            person,
            id,
            from,
            to,
        } => {
            let who = if person == reader {
                "you are".to_string()
            } else {
                format!("{} is", mention(person))
            };
            format!(
                "{who} already away {} (absence #{id}); remove it first to record different days",
                dates.span(*from, *to)
            )
        }
    }
}

/// The answer to removing an absence. `swaps_kept` says whether swaps it caused are still in
/// force (they stay: nothing moves back).
pub fn away_removed(
    window: &AwayWindow,
    by_self: bool,
    swaps_kept: bool,
    dates: &SlackDates,
) -> Message {
    let whose = if by_self {
        "Your absence".to_string()
    } else {
        format!("{}'s absence", mention(&window.person))
    };
    let kept = if swaps_kept {
        " Swaps it caused stay as they are."
    } else {
        ""
    };
    Message::text(format!(
        "{whose} {} is removed.{kept}",
        window_label(window, dates)
    ))
}

/// The DM to a person whose absence someone else removed.
pub fn away_removed_dm(window: &AwayWindow, by: &str, dates: &SlackDates) -> Message {
    Message::text(format!(
        "{} removed your absence {}.",
        actor(by),
        window_label(window, dates)
    ))
}

/// The Home tab's *Time away* section, appended to `home` (a Home view): the person's absences
/// with Remove buttons, and a button that opens the form to add one.
pub fn with_time_away(mut home: Value, windows: &[AwayWindow], dates: &SlackDates) -> Value {
    let mut blocks = vec![json!({ "type": "divider" }), section("*Time away*")];
    if windows.is_empty() {
        blocks.push(context("No absence recorded."));
    }
    for window in windows {
        blocks.push(remove_row(&window_label(window, dates), window));
    }
    blocks.push(actions(vec![button(
        "Add time away",
        ADD_AWAY,
        "add",
        None,
    )]));
    if let Some(all) = home["blocks"].as_array_mut() {
        all.extend(blocks);
    }
    home
}

/// The form to record an absence: first and last day, and an optional reason.
pub fn away_modal() -> Value {
    let date = |id: &str| json!({ "type": "datepicker", "action_id": id });
    let input = |id: &str, label: &str, element: Value, optional: bool| {
        json!({
            "type": "input", "block_id": id, "optional": optional, "element": element,
            "label": { "type": "plain_text", "text": label },
        })
    };
    json!({
        "type": "modal",
        "callback_id": AWAY_CALLBACK,
        "title": { "type": "plain_text", "text": "Time away" },
        "submit": { "type": "plain_text", "text": "Save" },
        "close": { "type": "plain_text", "text": "Cancel" },
        "blocks": [
            input(FROM_INPUT, "First day away", date(FROM_INPUT), false),
            input(TO_INPUT, "Last day away", date(TO_INPUT), false),
            input(REASON_INPUT, "Reason", json!({
                "type": "plain_text_input", "action_id": REASON_INPUT,
            }), true),
            context("You get a DM saying which of your triage duties fall in it."),
        ],
    })
}

/// `/triage policy`: each discipline's away policy.
pub fn policies(list: &[(DisciplineKey, AwayPolicy)], roster: &Roster, command: &str) -> Message {
    let lines: Vec<String> = list
        .iter()
        .map(|(key, policy)| {
            format!(
                "• *{}* (`{key}`): {}",
                discipline_name(roster, key),
                policy_meaning(*policy)
            )
        })
        .collect();
    Message::text(format!(
        "What happens when someone is away during their triage duty:\n{}\nAdmins change it with `{command} policy &lt;discipline&gt; away warn|swap-next`.",
        lines.join("\n")
    ))
}

fn policy_meaning(policy: AwayPolicy) -> &'static str {
    match policy {
        AwayPolicy::Warn => {
            "warn: nothing moves; they ask for cover, and the admins are told if nobody covers in time"
        }
        AwayPolicy::SwapNext => {
            "swap-next: they swap with the next person on duty who can take it; only those two shifts change"
        }
    }
}

/// The answer to changing a discipline's away policy.
pub fn policy_set(
    key: &DisciplineKey,
    before: AwayPolicy,
    after: AwayPolicy,
    roster: &Roster,
) -> Message {
    let name = discipline_name(roster, key);
    Message::text(if before == after {
        format!(
            "*{name}* already has the away policy {}; nothing changed.",
            policy_meaning(after)
        )
    } else {
        format!(
            "*{name}* now has the away policy {}. It applies to absences recorded from now on.",
            policy_meaning(after)
        )
    })
}

/// The answer to scheduling a dated join or leave.
pub fn change_scheduled(
    pending: &Pending,
    created: bool,
    roster: &Roster,
    team: &Team,
    dates: &SlackDates,
) -> Message {
    let change = &pending.change;
    let who = mention(&change.person);
    let discipline = discipline_name(roster, &change.discipline);
    let verb = match change.kind {
        crate::domain::roster_change::ChangeKind::Join => "joins the rotation of",
        crate::domain::roster_change::ChangeKind::Leave => "leaves the rotation of",
    };
    let when = match &pending.effective {
        Some(sprint) => format!(
            "at the handoff of {} ({}); the schedule shows it already",
            sprint_label(Some(sprint)),
            dates.instant(crate::domain::sprint_starts_at(sprint, team))
        ),
        None => format!(
            "at the first handoff on or after {}, once a sprint starting then is planned",
            dates.day(change.on)
        ),
    };
    let already = if created {
        ""
    } else {
        " (already scheduled; nothing changed)"
    };
    Message::text(format!(
        "{who} {verb} *{discipline}* {when} (change #{}){already}.",
        change.id
    ))
}

/// Why a dated change cannot be scheduled, for a person in Slack: people as mentions,
/// disciplines by their display names.
pub fn change_refusal(error: &RosterChangeError, roster: &Roster, dates: &SlackDates) -> String {
    let name = |key: &DisciplineKey| discipline_name(roster, key);
    match error {
        RosterChangeError::AlreadyActive { person, discipline } => format!(
            "{} is already in the rotation of *{}*",
            mention(person),
            name(discipline)
        ),
        RosterChangeError::NotActive { person, discipline } => format!(
            "{} is not in the rotation of *{}*",
            mention(person),
            name(discipline)
        ),
        RosterChangeError::AlreadyScheduled {
            id,
            kind,
            person,
            discipline,
            on,
        } => format!(
            "a {kind} of {} in *{}* on {} is already scheduled (change #{id}); cancel it first",
            mention(person),
            name(discipline),
            dates.day(*on)
        ),
        RosterChangeError::Past { on } => format!(
            "{} is in the past; a dated change takes effect at a handoff to come",
            dates.day(*on)
        ),
        RosterChangeError::HandoffPassed { on, sprint } => format!(
            "the handoff of *{}* on {} has already happened; choose a later date, or make the change now",
            text::escape(sprint),
            dates.day(*on)
        ),
    }
}

/// The answer to cancelling a dated change.
pub fn change_cancelled(
    change: &crate::domain::roster_change::RosterChange,
    roster: &Roster,
    dates: &SlackDates,
) -> Message {
    Message::text(format!(
        "The {} of {} in *{}* on {} (change #{}) is cancelled.",
        change.kind,
        mention(&change.person),
        discipline_name(roster, &change.discipline),
        dates.day(change.on),
        change.id
    ))
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::domain::away::Swap;
    use crate::domain::{Override, OverrideStatus, SprintIndex};
    use crate::slack::blocks::tests::{dates, request, roster, sprint, team, user};

    fn window() -> AwayWindow {
        AwayWindow {
            id: 3,
            person: user("U1"),
            from: "2026-03-25".parse().unwrap(),
            to: "2026-03-27".parse().unwrap(),
            reason: Some("vacation <!here>".into()),
            created_by: "U1".into(),
        }
    }

    fn conflict(index: i64, started: bool) -> Conflicting {
        let team = team();
        let s = sprint(index);
        Conflicting {
            starts_at: crate::domain::sprint_starts_at(&s, &team),
            ends_at: crate::domain::sprint_ends_at(&s, None, &team),
            alert_at: crate::domain::away::alert_moment(&team, &s, 14),
            sprint: s,
            discipline: DisciplineKey::parse("ui").unwrap(),
            started,
        }
    }

    fn swap() -> SwapMade {
        let o: Override = request(OverrideStatus::Approved);
        SwapMade {
            swap: Swap {
                discipline: DisciplineKey::parse("ui").unwrap(),
                away: user("U1"),
                away_sprint: SprintIndex::new(1).unwrap(),
                partner: user("U2"),
                partner_sprint: SprintIndex::new(2).unwrap(),
            },
            away_sprint: sprint(1),
            partner_sprint: sprint(2),
            overrides: (o.clone(), o),
        }
    }

    fn texts(message: &Message) -> String {
        message
            .blocks
            .iter()
            .map(|b| {
                let text = b
                    .pointer("/text/text")
                    .or(b.pointer("/elements/0/text"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match b.pointer("/accessory/text/text").and_then(Value::as_str) {
                    Some(label) => format!("{text} [{label}]"),
                    None => text.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_away_person_sees_their_duties_in_the_window_with_buttons() {
        let outcome = AwayAdded {
            window: window(),
            created: true,
            conflicts: vec![conflict(1, false)],
            swaps: Vec::new(),
        };
        let now = "2026-03-05T17:00:00Z".parse().unwrap();
        let mine = away_recorded(
            &outcome,
            Reader::Away { recorded_by: None },
            &roster(),
            &dates(),
            "/triage",
            true,
            now,
        );
        expect![[r#"
            You are away Wed Mar 25 to Fri Mar 27 (absence #3: vacation &lt;!here&gt;).
            It falls in your triage duty:
            *UI* in *Sprint 2*, Mon Mar 23 to Sun Apr 5 [Request coverage]
            Ask someone to cover it (the button, or `/triage cover`); if nobody does, the admins are told on Mon Mar 9 08:00 PDT."#]]
        .assert_eq(&texts(&mine));
        let by_admin = away_recorded(
            &outcome,
            Reader::Away {
                recorded_by: Some("U9"),
            },
            &roster(),
            &dates(),
            "/triage",
            false,
            now,
        );
        expect![[r#"
            <@U9> recorded that you are away Wed Mar 25 to Fri Mar 27 (absence #3: vacation &lt;!here&gt;).
            It falls in your triage duty:
            *UI* in *Sprint 2*, Mon Mar 23 to Sun Apr 5 [Request coverage]
            Ask someone to cover it (the button, or `/triage cover`)."#]]
        .assert_eq(&texts(&by_admin));
    }

    #[test]
    fn an_admin_reads_about_a_swap_and_the_partner_gets_one_dm() {
        let outcome = AwayAdded {
            window: window(),
            created: true,
            conflicts: vec![conflict(1, false)],
            swaps: vec![swap()],
        };
        let now = "2026-03-10T17:00:00Z".parse().unwrap();
        let admin = away_recorded(
            &outcome,
            Reader::Other,
            &roster(),
            &dates(),
            "/triage",
            true,
            now,
        );
        expect![[r#"
            <@U1> is away Wed Mar 25 to Fri Mar 27 (absence #3: vacation &lt;!here&gt;).
            *UI* swaps shifts when someone is away: <@U2> takes <@U1>'s duty in *Sprint 2* (Mon Mar 23 to Sun Apr 5), and <@U1> takes theirs in *Sprint 3* (Mon Apr 6 to Sun Apr 19). Both have a DM."#]]
        .assert_eq(&admin.text);
        let made = swap();
        expect![[r#"
            <@U1> is away during *Sprint 2*, and *UI* swaps shifts when someone is away, so your shift moved: you are now on duty for *UI* in *Sprint 2* (Mon Mar 23 to Sun Apr 5) instead of *Sprint 3* (Mon Apr 6 to Sun Apr 19).
            If that does not suit you, ask someone to cover it (the button, or `/triage cover`)."#]]
        .assert_eq(&swapped_dm(&user("U1"), &[&made], &roster(), &dates(), "/triage").text);
    }

    #[test]
    fn no_duty_in_the_window_and_a_repeat_say_so() {
        let outcome = AwayAdded {
            window: window(),
            created: false,
            conflicts: Vec::new(),
            swaps: Vec::new(),
        };
        let now = "2026-03-10T17:00:00Z".parse().unwrap();
        expect![[r#"<@U1> is already recorded away Wed Mar 25 to Fri Mar 27 (absence #3: vacation &lt;!here&gt;); nothing changed. None of their triage duty falls in it."#]]
            .assert_eq(&away_recorded(&outcome, Reader::Other, &roster(), &dates(), "/triage", true, now).text);
    }

    #[track_caller]
    fn check_refusal(error: AwayError, reader: &str, expected: expect_test::Expect) {
        expected.assert_eq(&away_refusal(&error, &user(reader), &dates()));
    }

    #[test]
    fn a_refused_absence_has_slack_dates_and_speaks_to_its_own_person() {
        let day = |text: &str| text.parse().unwrap();
        check_refusal(
            AwayError::EndsBeforeStart {
                from: day("2026-04-10"),
                to: day("2026-04-01"),
            },
            "U1",
            expect!["an absence cannot end (Wed Apr 1) before it starts (Fri Apr 10)"],
        );
        check_refusal(
            AwayError::Ended {
                to: day("2026-03-05"),
                today: day("2026-03-12"),
            },
            "U1",
            expect![
                "that absence ended on Thu Mar 5, before today (Thu Mar 12); only current and future absences are kept"
            ],
        );
        check_refusal(
            AwayError::TooFarAhead {
                limit: day("2028-03-13"),
            },
            "U1",
            expect!["an absence can start at most 2 years ahead (before Mon Mar 13, 2028)"],
        );
        let overlap = AwayError::Overlaps {
            person: user("U1"),
            id: 2,
            from: day("2026-05-05"),
            to: day("2026-05-08"),
        };
        check_refusal(
            overlap.clone(),
            "U1",
            expect![
                "you are already away Tue May 5 to Fri May 8 (absence #2); remove it first to record different days"
            ],
        );
        check_refusal(
            overlap,
            "U9",
            expect![
                "<@U1> is already away Tue May 5 to Fri May 8 (absence #2); remove it first to record different days"
            ],
        );
    }

    #[test]
    fn removing_an_absence_mentions_its_swaps_only_when_it_caused_some() {
        let removed =
            |by_self, swaps_kept| away_removed(&window(), by_self, swaps_kept, &dates()).text;
        expect![
            "Your absence Wed Mar 25 to Fri Mar 27 (absence #3: vacation &lt;!here&gt;) is removed."
        ]
        .assert_eq(&removed(true, false));
        expect!["<@U1>'s absence Wed Mar 25 to Fri Mar 27 (absence #3: vacation &lt;!here&gt;) is removed. Swaps it caused stay as they are."]
            .assert_eq(&removed(false, true));
    }

    #[test]
    fn the_admin_alert_names_the_person_the_duty_and_the_way_out() {
        let alert_value = Alert {
            window: window(),
            sprint: sprint(1),
            discipline: DisciplineKey::parse("ui").unwrap(),
        };
        expect![[r#"
            *Away during triage duty*
            <@U1> is away Wed Mar 25 to Fri Mar 27 (absence #3: vacation &lt;!here&gt;) and on duty for *UI* in *Sprint 2* (Mon Mar 23 to Sun Apr 5); nobody covers it yet. <@U1> can ask for cover, or an admin can file it for them: `/triage cover Sprint 2 @person ui`."#]]
        .assert_eq(&alert(&alert_value, &roster(), &dates(), "/triage").text);
    }
}
