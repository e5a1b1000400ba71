//! What people are told about a change's impact in Slack: the one DM per person whose upcoming
//! duties a window of changes moved, and the line an admin's reply gains ("This moves the
//! duties of 3 people: …").
//!
//! Rendering only: whose duties moved is `domain::impact`'s, when the DM goes `bot::impact`'s.

use serde_json::json;

use super::blocks::{discipline_name, mention};
use super::notices::Rendered;
use super::text::escape;
use crate::dates::SlackDates;
use crate::domain::impact::{Duty, HORIZON, ImpactWindow, PersonImpact};
use crate::duty::Roster;

/// "Your triage duties changed (over the next 8 sprints): you had UI in Sprint 5 (Mon Apr 6 to
/// Sun Apr 19); you now have UI in Sprint 6 (Mon Apr 20 to Sun May 3)." Only what changed is
/// listed there ("you no longer have …", "you now also have …" when nothing was replaced); the
/// duties that stay follow as "Unchanged: …".
pub fn duties_changed(
    impact: &PersonImpact,
    roster: &Roster,
    dates: &SlackDates,
    command: &str,
) -> Rendered {
    let changes = impact.changes();
    let list = |duties: &[&Duty]| listed(duties, roster, dates);
    let what = match (changes.lost.is_empty(), changes.gained.is_empty()) {
        (false, false) => format!(
            "you had {}; you now have {}",
            list(&changes.lost),
            list(&changes.gained)
        ),
        (false, true) => format!("you no longer have {}", list(&changes.lost)),
        (true, _) if changes.kept.is_empty() => format!("you now have {}", list(&changes.gained)),
        (true, _) => format!("you now also have {}", list(&changes.gained)),
    };
    let mut text = format!("Your triage duties changed (over the next {HORIZON} sprints): {what}.");
    if !changes.kept.is_empty() {
        text.push_str(&format!(" Unchanged: {}.", list(&changes.kept)));
    }
    let hint = format!("`{command} me` lists your shifts.");
    let blocks = json!([
        { "type": "section", "text": { "type": "mrkdwn", "text": text } },
        { "type": "context", "elements": [{ "type": "mrkdwn", "text": hint }] },
    ]);
    Rendered { text, blocks }
}

/// "UI in Sprint 5 (Mon Apr 6 to Sun Apr 19) and Sprint 7 (…), Backend in Sprint 8 (…)": a
/// discipline is named once for a run of its duties.
fn listed(duties: &[&Duty], roster: &Roster, dates: &SlackDates) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut previous = None;
    for duty in duties {
        let sprint = format!(
            "{} ({})",
            escape(&duty.sprint.name),
            dates.span(duty.sprint.start, duty.sprint.end)
        );
        if previous == Some(&duty.discipline) {
            parts.push(sprint);
        } else {
            let name = discipline_name(roster, &duty.discipline);
            parts.push(format!("{name} in {sprint}"));
        }
        previous = Some(&duty.discipline);
    }
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The line an admin's reply gains: whose duties the change moved, as mentions, and how they
/// hear of it.
pub fn moved_line(moved: &[PersonImpact], window: ImpactWindow) -> String {
    let people: Vec<String> = moved.iter().map(|p| mention(&p.person)).collect();
    let when = if window.duration().is_zero() {
        "shortly".to_string()
    } else {
        format!("with the net change of the edits made within {window}")
    };
    match people.as_slice() {
        [] => "This moves nobody's upcoming duties.".to_string(),
        [one] => format!(
            "This moves the duties of 1 person over the next {HORIZON} sprints: {one}. They get one DM {when}."
        ),
        several => format!(
            "This moves the duties of {} people over the next {HORIZON} sprints: {}. They get one DM each {when}.",
            several.len(),
            several.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::domain::{Discipline, DisciplineKey, SlackUserId, Sprint, SprintIndex};

    fn roster() -> Roster {
        let discipline = |key: &str, name: &str| Discipline {
            key: DisciplineKey::parse(key).unwrap(),
            name: name.to_string(),
            position: 0,
            fallback: None,
            usergroup_id: None,
        };
        Roster {
            disciplines: vec![discipline("ui", "UI"), discipline("qa", "Q&A")],
            members: Vec::new(),
        }
    }

    fn duty(key: &str, index: i64, start: &str, end: &str) -> Duty {
        Duty {
            discipline: DisciplineKey::parse(key).unwrap(),
            sprint: Sprint {
                index: SprintIndex::new(index).unwrap(),
                name: format!("Sprint {}", index + 1),
                start: start.parse().unwrap(),
                end: end.parse().unwrap(),
            },
        }
    }

    fn dates() -> SlackDates {
        let zone = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        SlackDates::in_zone(zone, "2026-03-12T17:00:00Z".parse().unwrap())
    }

    fn person(id: &str, had: Vec<Duty>, now: Vec<Duty>) -> PersonImpact {
        PersonImpact {
            person: SlackUserId::parse(id).unwrap(),
            had,
            now,
        }
    }

    #[track_caller]
    fn check(moved: PersonImpact, expected: expect_test::Expect) {
        expected.assert_eq(&duties_changed(&moved, &roster(), &dates(), "/triage").text);
    }

    #[test]
    fn the_dm_says_what_the_person_had_and_has_now() {
        let moved = person(
            "U0TOM",
            vec![duty("ui", 4, "2026-04-06", "2026-04-19")],
            vec![duty("ui", 5, "2026-04-20", "2026-05-03")],
        );
        let rendered = duties_changed(&moved, &roster(), &dates(), "/triage");
        expect![[r#"
            Your triage duties changed (over the next 8 sprints): you had UI in Sprint 5 (Mon Apr 6 to Sun Apr 19); you now have UI in Sprint 6 (Mon Apr 20 to Sun May 3).
            [
              {
                "text": {
                  "text": "Your triage duties changed (over the next 8 sprints): you had UI in Sprint 5 (Mon Apr 6 to Sun Apr 19); you now have UI in Sprint 6 (Mon Apr 20 to Sun May 3).",
                  "type": "mrkdwn"
                },
                "type": "section"
              },
              {
                "elements": [
                  {
                    "text": "`/triage me` lists your shifts.",
                    "type": "mrkdwn"
                  }
                ],
                "type": "context"
              }
            ]
        "#]]
        .assert_eq(&format!(
            "{}\n{}\n",
            rendered.text,
            serde_json::to_string_pretty(&rendered.blocks).unwrap()
        ));
    }

    #[test]
    fn only_what_changed_is_listed_first_and_the_rest_as_unchanged() {
        check(
            person(
                "U0TOM",
                vec![
                    duty("qa", 3, "2026-03-23", "2026-04-05"),
                    duty("ui", 4, "2026-04-06", "2026-04-19"),
                    duty("ui", 6, "2026-05-04", "2026-05-17"),
                ],
                vec![
                    duty("qa", 3, "2026-03-23", "2026-04-05"),
                    duty("ui", 5, "2026-04-20", "2026-05-03"),
                ],
            ),
            expect![[
                r#"Your triage duties changed (over the next 8 sprints): you had UI in Sprint 5 (Mon Apr 6 to Sun Apr 19) and Sprint 7 (Mon May 4 to Sun May 17); you now have UI in Sprint 6 (Mon Apr 20 to Sun May 3). Unchanged: Q&amp;A in Sprint 4 (Mon Mar 23 to Sun Apr 5)."#
            ]],
        );
    }

    #[test]
    fn a_duty_gained_or_lost_alone_is_said_plainly() {
        let ui6 = || duty("ui", 5, "2026-04-20", "2026-05-03");
        let qa10 = || duty("qa", 9, "2026-06-15", "2027-01-03");
        check(
            person("U0TOM", vec![], vec![ui6()]),
            expect![[
                r#"Your triage duties changed (over the next 8 sprints): you now have UI in Sprint 6 (Mon Apr 20 to Sun May 3)."#
            ]],
        );
        check(
            person("U0TOM", vec![qa10()], vec![ui6(), qa10()]),
            expect![[
                r#"Your triage duties changed (over the next 8 sprints): you now also have UI in Sprint 6 (Mon Apr 20 to Sun May 3). Unchanged: Q&amp;A in Sprint 10 (Mon Jun 15 to Sun Jan 3, 2027)."#
            ]],
        );
        check(
            person("U0TOM", vec![ui6(), qa10()], vec![]),
            expect![[
                r#"Your triage duties changed (over the next 8 sprints): you no longer have UI in Sprint 6 (Mon Apr 20 to Sun May 3) and Q&amp;A in Sprint 10 (Mon Jun 15 to Sun Jan 3, 2027)."#
            ]],
        );
    }

    #[test]
    fn a_re_dated_sprint_shows_both_spans() {
        check(
            person(
                "U0TOM",
                vec![duty("ui", 5, "2026-04-20", "2026-05-03")],
                vec![duty("ui", 5, "2026-04-22", "2026-05-05")],
            ),
            expect![[
                r#"Your triage duties changed (over the next 8 sprints): you had UI in Sprint 6 (Mon Apr 20 to Sun May 3); you now have UI in Sprint 6 (Wed Apr 22 to Tue May 5)."#
            ]],
        );
    }

    #[test]
    fn the_reply_counts_the_people_moved() {
        let window = ImpactWindow::DEFAULT;
        let one = person("U0TOM", vec![], vec![]);
        let two = person("U0ANA", vec![], vec![]);
        expect![[r#"This moves nobody's upcoming duties."#]].assert_eq(&moved_line(&[], window));
        expect![[r#"This moves the duties of 1 person over the next 8 sprints: <@U0TOM>. They get one DM with the net change of the edits made within 10 minutes."#]]
            .assert_eq(&moved_line(std::slice::from_ref(&one), window));
        expect![[r#"This moves the duties of 2 people over the next 8 sprints: <@U0ANA>, <@U0TOM>. They get one DM each with the net change of the edits made within 10 minutes."#]]
            .assert_eq(&moved_line(&[two, one], ImpactWindow::parse("10m").unwrap()));
        let now = ImpactWindow::parse("0").unwrap();
        expect![[r#"This moves the duties of 1 person over the next 8 sprints: <@U0TOM>. They get one DM shortly."#]]
            .assert_eq(&moved_line(&[person("U0TOM", vec![], vec![])], now));
    }
}
