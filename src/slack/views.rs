//! Views: the coverage-request modal and the App Home tab, rendered from domain data.
//!
//! Like `blocks`, plain functions from values to Block Kit JSON; the block and action ids the
//! bot reads back from a submission are the constants here.

use serde_json::{Value, json};

use super::blocks::{
    self, APPROVE, DECLINE, actions, button, context, divider, header, option, section,
    shift_blocks, shift_line, team_lines,
};
use crate::bot::shifts::Shift;
use crate::domain::{DisciplineKey, Member, Override, Team};
use crate::duty::{Roster, SprintDuty};

/// `callback_id` of the coverage-request modal.
pub const COVER_CALLBACK: &str = "cover_request";
/// Block and action id of the shift select.
pub const SHIFT_INPUT: &str = "shift";
/// Block and action id of the replacement select.
pub const REPLACEMENT_INPUT: &str = "replacement";
/// Block and action id of the reason input.
pub const REASON_INPUT: &str = "reason";

/// `<discipline>:<user>`: a replacement option's value, so the discipline travels with it.
pub fn replacement_value(discipline: &DisciplineKey, member: &Member) -> String {
    format!("{discipline}:{}", member.slack_id)
}

/// The coverage-request modal: one of `shifts` (the `selected` slot first chosen), a
/// replacement among `candidates` (grouped by discipline), and an optional reason.
pub fn cover_modal(
    shifts: &[Shift],
    candidates: &[(DisciplineKey, Vec<Member>)],
    selected: Option<&str>,
    roster: &Roster,
) -> Value {
    let shift_options: Vec<Value> = shifts
        .iter()
        .map(|shift| option(&shift_label(shift, roster), &shift.slot_value()))
        .collect();
    let mut shift_select = json!({
        "type": "static_select", "action_id": SHIFT_INPUT, "options": shift_options,
        "placeholder": { "type": "plain_text", "text": "Choose a shift" },
    });
    if let Some(initial) = shifts
        .iter()
        .find(|s| Some(s.slot_value().as_str()) == selected)
    {
        shift_select["initial_option"] =
            option(&shift_label(initial, roster), &initial.slot_value());
    }
    json!({
        "type": "modal",
        "callback_id": COVER_CALLBACK,
        "title": { "type": "plain_text", "text": "Request coverage" },
        "submit": { "type": "plain_text", "text": "Send request" },
        "close": { "type": "plain_text", "text": "Cancel" },
        "blocks": [
            input(SHIFT_INPUT, "Shift", shift_select, false),
            input(REPLACEMENT_INPUT, "Who covers it", replacement_select(candidates, roster), false),
            input(REASON_INPUT, "Reason", json!({
                "type": "plain_text_input", "action_id": REASON_INPUT, "multiline": true,
            }), true),
            context("An admin approves or declines the request; you and your replacement get a DM."),
        ],
    })
}

fn input(id: &str, label: &str, element: Value, optional: bool) -> Value {
    json!({
        "type": "input", "block_id": id, "optional": optional, "element": element,
        "label": { "type": "plain_text", "text": label },
    })
}

/// A select of people; grouped by discipline when there is more than one.
fn replacement_select(candidates: &[(DisciplineKey, Vec<Member>)], roster: &Roster) -> Value {
    let options_of = |key: &DisciplineKey, members: &[Member]| -> Vec<Value> {
        members
            .iter()
            .map(|m| option(&m.name, &replacement_value(key, m)))
            .collect()
    };
    let mut select = json!({
        "type": "static_select", "action_id": REPLACEMENT_INPUT,
        "placeholder": { "type": "plain_text", "text": "Choose someone from the same discipline" },
    });
    match candidates {
        [(key, members)] => select["options"] = Value::from(options_of(key, members)),
        _ => {
            let groups: Vec<Value> = candidates
                .iter()
                .map(|(key, members)| {
                    json!({
                        "label": { "type": "plain_text", "text": blocks::discipline_name(roster, key) },
                        "options": options_of(key, members),
                    })
                })
                .collect();
            select["option_groups"] = Value::from(groups);
        }
    }
    select
}

/// A shift as a select option's label (plain text, at most 75 characters):
/// `UI · Sprint 1 · 03-09 to 03-22 (now)`.
fn shift_label(shift: &Shift, roster: &Roster) -> String {
    let now = if shift.current { " (now)" } else { "" };
    let label = format!(
        "{} · {} · {} to {}{now}",
        blocks::discipline_name(roster, &shift.discipline),
        shift.sprint.name,
        shift.sprint.start.strftime("%b %-d"),
        shift.sprint.end.strftime("%b %-d"),
    );
    if label.chars().count() <= 75 {
        return label;
    }
    let cut: String = label.chars().take(74).collect();
    format!("{cut}…")
}

/// Where the person stands, as the top of their Home tab.
#[derive(Debug, Clone, PartialEq)]
pub enum HomeStatus<'a> {
    /// On duty now for this shift.
    OnDuty(&'a Shift),
    /// Not on duty now; the next shift.
    Next(&'a Shift),
    /// No shift in the coming sprints.
    Free,
}

/// The App Home tab. `pending` is shown to admins only.
pub fn home(
    status: HomeStatus<'_>,
    teams: &[(&str, &SprintDuty)],
    shifts: &[Shift],
    pending: Option<&[Override]>,
    roster: &Roster,
    team: &Team,
) -> Value {
    let status = match status {
        HomeStatus::OnDuty(shift) => format!(
            ":rotating_light: You are on duty: {}.",
            shift_line(shift, roster, team)
        ),
        HomeStatus::Next(shift) => format!(
            "You are not on duty now. Your next shift: {}.",
            shift_line(shift, roster, team)
        ),
        HomeStatus::Free => {
            "You are not on duty now, and have no shifts in the coming sprints.".to_string()
        }
    };
    let mut all = vec![header("Triage duty"), section(&status), divider()];
    for (title, duty) in teams {
        let mut lines = vec![format!(
            "*{title}*: {} · {} to {}",
            duty.sprint.name, duty.sprint.start, duty.sprint.end
        )];
        lines.extend(team_lines(duty, roster));
        all.push(section(&lines.join("\n")));
    }
    all.push(divider());
    all.push(section("*Your shifts*"));
    if shifts.is_empty() {
        all.push(context("No shifts in the coming sprints."));
    }
    all.extend(shift_blocks(shifts, roster, team));
    if let Some(pending) = pending {
        all.push(divider());
        all.push(section("*Pending coverage requests*"));
        if pending.is_empty() {
            all.push(context("Nothing is waiting for a decision."));
        }
        for o in pending {
            all.push(section(&blocks::override_line(o, roster)));
            all.push(actions(vec![
                button("Approve", APPROVE, &o.id.to_string(), Some("primary")),
                button("Decline", DECLINE, &o.id.to_string(), Some("danger")),
            ]));
        }
    }
    json!({ "type": "home", "blocks": all })
}
