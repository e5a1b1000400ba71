//! Views: the coverage-request modal and the App Home tab, rendered from domain data.
//!
//! Like `blocks`, plain functions from values to Block Kit JSON; the block and action ids the
//! bot reads back from a submission are the constants here. Names go through `slack::text`;
//! dates are written by `dates::SlackDates`.

use serde_json::{Value, json};

use super::blocks::{
    self, APPROVE, DECLINE, actions, button, context, divider, header, option, section,
    shift_blocks, shift_line, team_lines,
};
use super::text;
use crate::bot::shifts::Shift;
use crate::dates::SlackDates;
use crate::domain::{DisciplineKey, Member, Override, Sprint};
use crate::duty::{Roster, SprintDuty};

/// `callback_id` of the coverage-request modal.
pub const COVER_CALLBACK: &str = "cover_request";
/// Block and action id of the shift select.
pub const SHIFT_INPUT: &str = "shift";
/// Block and action id of the replacement select.
pub const REPLACEMENT_INPUT: &str = "replacement";
/// Block and action id of the reason input.
pub const REASON_INPUT: &str = "reason";

/// The user part of the replacement option that asks for volunteers instead of a person.
pub const ANYONE: &str = "anyone";

/// `<discipline>:<user>`: a replacement option's value, so the discipline travels with it.
pub fn replacement_value(discipline: &DisciplineKey, member: &Member) -> String {
    format!("{discipline}:{}", member.slack_id)
}

/// The coverage-request modal: one of `shifts` (the `selected` slot first chosen), a
/// replacement among `candidates` (grouped by discipline; with `volunteers`, each group starts
/// with *Anyone*, which offers the shift in the triage channel), and an optional reason.
pub fn cover_modal(
    shifts: &[Shift],
    (candidates, volunteers): (&[(DisciplineKey, Vec<Member>)], bool),
    selected: Option<&str>,
    roster: &Roster,
    dates: &SlackDates,
) -> Value {
    let shift_options: Vec<Value> = shifts
        .iter()
        .map(|shift| option(&shift_label(shift, roster, dates), &shift.slot_value()))
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
            option(&shift_label(initial, roster, dates), &initial.slot_value());
    }
    json!({
        "type": "modal",
        "callback_id": COVER_CALLBACK,
        "title": { "type": "plain_text", "text": "Request coverage" },
        "submit": { "type": "plain_text", "text": "Send request" },
        "close": { "type": "plain_text", "text": "Cancel" },
        "blocks": [
            input(SHIFT_INPUT, "Shift", shift_select, false),
            input(REPLACEMENT_INPUT, "Who covers it", replacement_select(candidates, volunteers, roster), false),
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
fn replacement_select(
    candidates: &[(DisciplineKey, Vec<Member>)],
    volunteers: bool,
    roster: &Roster,
) -> Value {
    let options_of = |key: &DisciplineKey, members: &[Member]| -> Vec<Value> {
        let anyone = option("Anyone: ask for volunteers", &format!("{key}:{ANYONE}"));
        volunteers
            .then_some(anyone)
            .into_iter()
            .chain(
                members
                    .iter()
                    .map(|m| option(&text::plain(&m.name), &replacement_value(key, m))),
            )
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
                        "label": { "type": "plain_text", "text": blocks::discipline_label(roster, key) },
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
/// `UI · Sprint 1 · Mon Mar 9 to Sun Mar 22 (now)`.
fn shift_label(shift: &Shift, roster: &Roster, dates: &SlackDates) -> String {
    let now = if shift.current { " (now)" } else { "" };
    let label = format!(
        "{} · {} · {}{now}",
        blocks::discipline_label(roster, &shift.discipline),
        text::plain(&shift.sprint.name),
        dates.span(shift.sprint.start, shift.sprint.end),
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
    sprints: &[Sprint],
    roster: &Roster,
    dates: &SlackDates,
) -> Value {
    let status = match status {
        HomeStatus::OnDuty(shift) => format!(
            ":rotating_light: You are on duty: {}.",
            shift_line(shift, roster, dates)
        ),
        HomeStatus::Next(shift) => format!(
            "You are not on duty now. Your next shift: {}.",
            shift_line(shift, roster, dates)
        ),
        HomeStatus::Free => {
            "You are not on duty now, and have no shifts in the coming sprints.".to_string()
        }
    };
    let mut all = vec![header("Triage duty"), section(&status), divider()];
    for (title, duty) in teams {
        let mut lines = vec![format!(
            "*{title}*: {} · {}",
            text::escape(&duty.sprint.name),
            dates.span(duty.sprint.start, duty.sprint.end)
        )];
        lines.extend(team_lines(duty, roster));
        all.push(section(&lines.join("\n")));
    }
    all.push(divider());
    all.push(section("*Your shifts*"));
    if shifts.is_empty() {
        all.push(context("No shifts in the coming sprints."));
    }
    all.extend(shift_blocks(shifts, roster, dates));
    if let Some(pending) = pending {
        all.push(divider());
        all.push(section("*Pending coverage requests*"));
        if pending.is_empty() {
            all.push(context("Nothing is waiting for a decision."));
        }
        for o in pending {
            all.push(section(&blocks::override_line(o, sprints, roster)));
            all.push(actions(vec![
                button("Approve", APPROVE, &o.id.to_string(), Some("primary")),
                button("Decline", DECLINE, &o.id.to_string(), Some("danger")),
            ]));
        }
    }
    json!({ "type": "home", "blocks": all })
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::domain::{OverrideStatus, SlackUserId, Source};
    use crate::slack::blocks::tests::{dates, duty, request, roster, sprint, team};

    fn shift(index: i64, current: bool) -> Shift {
        let team = team();
        let s = sprint(index);
        Shift {
            starts_at: crate::domain::sprint_starts_at(&s, &team),
            ends_at: crate::domain::sprint_ends_at(&s, None, &team),
            sprint: s,
            discipline: DisciplineKey::parse("ui").unwrap(),
            source: Source::Rotation,
            current,
            away: false,
        }
    }

    #[test]
    fn the_cover_modal() {
        let member = Member {
            slack_id: SlackUserId::parse("U2").unwrap(),
            discipline: DisciplineKey::parse("ui").unwrap(),
            name: "Bea".to_string(),
            rotation_order: 2,
            active: true,
        };
        let ui = DisciplineKey::parse("ui").unwrap();
        let be = DisciplineKey::parse("be").unwrap();
        let candidates = [(ui, vec![member.clone()]), (be, vec![member])];
        let view = cover_modal(
            &[shift(0, true), shift(2, false)],
            (&candidates, true),
            Some("2:ui"),
            &roster(),
            &dates(),
        );
        expect![[r#"
            {
              "blocks": [
                {
                  "block_id": "shift",
                  "element": {
                    "action_id": "shift",
                    "initial_option": {
                      "text": {
                        "text": "UI · Sprint 3 · Mon Apr 6 to Sun Apr 19",
                        "type": "plain_text"
                      },
                      "value": "2:ui"
                    },
                    "options": [
                      {
                        "text": {
                          "text": "UI · Sprint 1 · Mon Mar 9 to Sun Mar 22 (now)",
                          "type": "plain_text"
                        },
                        "value": "0:ui"
                      },
                      {
                        "text": {
                          "text": "UI · Sprint 3 · Mon Apr 6 to Sun Apr 19",
                          "type": "plain_text"
                        },
                        "value": "2:ui"
                      }
                    ],
                    "placeholder": {
                      "text": "Choose a shift",
                      "type": "plain_text"
                    },
                    "type": "static_select"
                  },
                  "label": {
                    "text": "Shift",
                    "type": "plain_text"
                  },
                  "optional": false,
                  "type": "input"
                },
                {
                  "block_id": "replacement",
                  "element": {
                    "action_id": "replacement",
                    "option_groups": [
                      {
                        "label": {
                          "text": "UI",
                          "type": "plain_text"
                        },
                        "options": [
                          {
                            "text": {
                              "text": "Anyone: ask for volunteers",
                              "type": "plain_text"
                            },
                            "value": "ui:anyone"
                          },
                          {
                            "text": {
                              "text": "Bea",
                              "type": "plain_text"
                            },
                            "value": "ui:U2"
                          }
                        ]
                      },
                      {
                        "label": {
                          "text": "Backend",
                          "type": "plain_text"
                        },
                        "options": [
                          {
                            "text": {
                              "text": "Anyone: ask for volunteers",
                              "type": "plain_text"
                            },
                            "value": "be:anyone"
                          },
                          {
                            "text": {
                              "text": "Bea",
                              "type": "plain_text"
                            },
                            "value": "be:U2"
                          }
                        ]
                      }
                    ],
                    "placeholder": {
                      "text": "Choose someone from the same discipline",
                      "type": "plain_text"
                    },
                    "type": "static_select"
                  },
                  "label": {
                    "text": "Who covers it",
                    "type": "plain_text"
                  },
                  "optional": false,
                  "type": "input"
                },
                {
                  "block_id": "reason",
                  "element": {
                    "action_id": "reason",
                    "multiline": true,
                    "type": "plain_text_input"
                  },
                  "label": {
                    "text": "Reason",
                    "type": "plain_text"
                  },
                  "optional": true,
                  "type": "input"
                },
                {
                  "elements": [
                    {
                      "text": "An admin approves or declines the request; you and your replacement get a DM.",
                      "type": "mrkdwn"
                    }
                  ],
                  "type": "context"
                }
              ],
              "callback_id": "cover_request",
              "close": {
                "text": "Cancel",
                "type": "plain_text"
              },
              "submit": {
                "text": "Send request",
                "type": "plain_text"
              },
              "title": {
                "text": "Request coverage",
                "type": "plain_text"
              },
              "type": "modal"
            }"#]].assert_eq(&serde_json::to_string_pretty(&view).unwrap());
    }

    #[test]
    fn the_home_tab_of_an_admin_on_duty() {
        let (roster, dates) = (roster(), dates());
        let now_shift = shift(0, true);
        let (current, next) = (duty(0), duty(1));
        let pending = [request(OverrideStatus::Pending)];
        let view = home(
            HomeStatus::OnDuty(&now_shift),
            &[("Current sprint", &current), ("Next sprint", &next)],
            std::slice::from_ref(&now_shift),
            Some(&pending),
            std::slice::from_ref(&current.sprint),
            &roster,
            &dates,
        );
        expect![[r##"
            {
              "blocks": [
                {
                  "text": {
                    "text": "Triage duty",
                    "type": "plain_text"
                  },
                  "type": "header"
                },
                {
                  "text": {
                    "text": ":rotating_light: You are on duty: *UI* in *Sprint 1* (now), Mon Mar 9 to Sun Mar 22.",
                    "type": "mrkdwn"
                  },
                  "type": "section"
                },
                {
                  "type": "divider"
                },
                {
                  "text": {
                    "text": "*Current sprint*: Sprint 1 · Mon Mar 9 to Sun Mar 22\n• UI: <@U1> (rotation)\n• Backend: nobody (none)",
                    "type": "mrkdwn"
                  },
                  "type": "section"
                },
                {
                  "text": {
                    "text": "*Next sprint*: Sprint 2 · Mon Mar 23 to Sun Apr 5\n• UI: <@U1> (rotation)\n• Backend: nobody (none)",
                    "type": "mrkdwn"
                  },
                  "type": "section"
                },
                {
                  "type": "divider"
                },
                {
                  "text": {
                    "text": "*Your shifts*",
                    "type": "mrkdwn"
                  },
                  "type": "section"
                },
                {
                  "accessory": {
                    "action_id": "cover_shift",
                    "text": {
                      "text": "Request coverage",
                      "type": "plain_text"
                    },
                    "type": "button",
                    "value": "0:ui"
                  },
                  "text": {
                    "text": "*UI* in *Sprint 1* (now), Mon Mar 9 to Sun Mar 22",
                    "type": "mrkdwn"
                  },
                  "type": "section"
                },
                {
                  "type": "divider"
                },
                {
                  "text": {
                    "text": "*Pending coverage requests*",
                    "type": "mrkdwn"
                  },
                  "type": "section"
                },
                {
                  "text": {
                    "text": "#7 · Sprint 1 · UI · <@U2> covering for <@U1> · pending",
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
              "type": "home"
            }"##]].assert_eq(&serde_json::to_string_pretty(&view).unwrap());
    }
}
