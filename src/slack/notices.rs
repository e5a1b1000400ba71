//! Texts and Block Kit for the bot's notifications: handoff and heads-up DMs, mid-sprint
//! change DMs, the channel post naming the team, the channel topic and admin notices.
//!
//! Each function takes plain values (display names, a sprint, Slack user ids, instants) and
//! returns the fallback text and blocks; it decides nothing and touches no store. Dates are
//! written by `dates::SlackDates`: a sprint's days as a span, and "until" only before the
//! instant duty ends. Names are escaped for mrkdwn (plain in the header and the topic), without
//! bidirectional controls; people are shown as `<@U…>` mentions.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Value, json};

use super::text::{escape, plain, reason};
use crate::dates::SlackDates;
use crate::domain::note::HandoffNote;
use crate::domain::{SlackUserId, Sprint};

/// The longest topic Slack accepts.
const TOPIC_LIMIT: usize = 250;

/// A message: fallback text (notifications, screen readers) and blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub blocks: Value,
}

/// A discipline's display name and the person concerned (or nobody).
pub type Slot<'a> = (&'a str, Option<&'a SlackUserId>);

/// "You are on triage duty for UI from Mon Mar 9 to Sun Mar 22 (Sprint 1)."
pub fn duty_starts(disciplines: &[&str], sprint: &Sprint, dates: &SlackDates) -> Rendered {
    let text = format!(
        "You are on triage duty for {} from {} ({}).",
        names(disciplines),
        dates.span(sprint.start, sprint.end),
        escape(&sprint.name),
    );
    single_section(text)
}

/// "Your triage duty for UI has ended — thank you!"
pub fn duty_ended(disciplines: &[&str]) -> Rendered {
    let text = format!(
        "Your triage duty for {} has ended — thank you!",
        names(disciplines)
    );
    single_section(text)
}

/// "Your triage duty for UI has ended — thank you! No sprint is planned yet; an admin can add
/// one." Sent when no sprint follows at once; `next` names the next sprint and when it takes
/// over.
pub fn duty_ended_uncovered(
    disciplines: &[&str],
    next: Option<(&Sprint, Timestamp)>,
    dates: &SlackDates,
) -> Rendered {
    let after = match next {
        Some((sprint, starts_at)) => format!(
            "No sprint is in force until {}, when {} starts.",
            dates.instant(starts_at),
            escape(&sprint.name),
        ),
        None => "No sprint is planned yet; an admin can add one.".to_string(),
    };
    let text = format!(
        "Your triage duty for {} has ended — thank you! {after}",
        names(disciplines)
    );
    single_section(text)
}

/// "Heads-up: your triage duty for UI starts tomorrow at 08:00 PDT (Sprint 2, until Mon Apr 6
/// 08:00 PDT)", or "starts on Mon Mar 23 at 08:00 PDT" when it is not sent the day before
/// (`sent_on` is the day it goes out). `ends_at` is when the sprint's duty ends.
pub fn heads_up(
    disciplines: &[&str],
    sprint: &Sprint,
    (starts_at, ends_at): (Timestamp, Timestamp),
    sent_on: Date,
    dates: &SlackDates,
) -> Rendered {
    let starts_on = dates.date_of(starts_at);
    let when = if sent_on.tomorrow().ok() == Some(starts_on) {
        format!("tomorrow at {}", dates.time(starts_at))
    } else {
        format!("on {} at {}", dates.day(starts_on), dates.time(starts_at))
    };
    early_notice("Heads-up", disciplines, sprint, &when, ends_at, dates)
}

/// "Reminder: your triage duty for UI starts on Mon Mar 23 at 08:00 PDT (Sprint 2, until …)".
/// Sent some days before the heads-up.
pub fn reminder(
    disciplines: &[&str],
    sprint: &Sprint,
    (starts_at, ends_at): (Timestamp, Timestamp),
    dates: &SlackDates,
) -> Rendered {
    let when = format!(
        "on {} at {}",
        dates.day(dates.date_of(starts_at)),
        dates.time(starts_at)
    );
    early_notice("Reminder", disciplines, sprint, &when, ends_at, dates)
}

fn early_notice(
    label: &str,
    disciplines: &[&str],
    sprint: &Sprint,
    when: &str,
    ends_at: Timestamp,
    dates: &SlackDates,
) -> Rendered {
    let text = format!(
        "{label}: your triage duty for {} starts {when} ({}, until {}).",
        names(disciplines),
        escape(&sprint.name),
        dates.instant(ends_at),
    );
    single_section(text)
}

/// "You have been added to triage duty for UI (instead of @ana) until Mon Mar 23 08:00 PDT
/// (Sprint 1)." `ends_at` is when the sprint's duty ends.
pub fn added(
    slots: &[Slot<'_>],
    sprint: &Sprint,
    ends_at: Timestamp,
    dates: &SlackDates,
) -> Rendered {
    let parts: Vec<String> = slots
        .iter()
        .map(|(name, other)| match other {
            Some(other) => format!("{} (instead of <@{other}>)", escape(name)),
            None => escape(name),
        })
        .collect();
    let text = format!(
        "You have been added to triage duty for {} until {} ({}).",
        join(&parts),
        dates.instant(ends_at),
        escape(&sprint.name),
    );
    single_section(text)
}

/// "You are no longer on triage duty for UI; @ben takes over. Thank you!"
pub fn removed(slots: &[Slot<'_>], sprint: &Sprint) -> Rendered {
    let parts: Vec<String> = slots
        .iter()
        .map(|(name, other)| match other {
            Some(other) => format!("{} (<@{other}> takes over)", escape(name)),
            None => escape(name),
        })
        .collect();
    let text = format!(
        "You are no longer on triage duty for {} in {}. Thank you!",
        join(&parts),
        escape(&sprint.name),
    );
    single_section(text)
}

/// The channel post naming the team of a sprint, with the sprint's days.
pub fn team_post(sprint: &Sprint, slots: &[Slot<'_>], dates: &SlackDates) -> Rendered {
    let title = format!("Triage duty: {}", plain(&sprint.name));
    let days = dates.span(sprint.start, sprint.end);
    let lines: Vec<String> = slots
        .iter()
        .map(|(name, person)| format!("{}: {}", escape(name), mention(*person)))
        .collect();
    let text = format!(
        "Triage duty: {} ({days}). {}",
        escape(&sprint.name),
        lines.join(", ")
    );
    let fields: Vec<Value> = slots
        .iter()
        .map(|(name, person)| {
            json!({ "type": "mrkdwn", "text": format!("*{}*\n{}", escape(name), mention(*person)) })
        })
        .collect();
    let mut blocks = vec![
        json!({ "type": "header", "text": { "type": "plain_text", "text": title } }),
        json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": days }] }),
    ];
    // Slack allows at most ten fields per section.
    for chunk in fields.chunks(10) {
        blocks.push(json!({ "type": "section", "fields": chunk }));
    }
    Rendered {
        text,
        blocks: Value::Array(blocks),
    }
}

/// The channel topic: who is on duty, and until the instant `ends_at` their duty ends. Cut to
/// Slack's limit in the list of people, so the sprint and its end stay whole.
pub fn topic(
    sprint: &Sprint,
    ends_at: Timestamp,
    slots: &[Slot<'_>],
    dates: &SlackDates,
) -> String {
    let people: Vec<String> = slots
        .iter()
        .map(|(name, person)| format!("{} {}", plain(name), mention(*person)))
        .collect();
    let end = format!(
        " · {} until {}",
        plain(&sprint.name),
        dates.instant(ends_at)
    );
    let room = TOPIC_LIMIT.saturating_sub(end.chars().count()).max(1);
    let people = cut(&format!("On triage: {}", people.join(" · ")), room);
    cut(&(people + &end), TOPIC_LIMIT)
}

/// The channel topic when no sprint is in force: the next sprint and its first day, if any.
pub fn topic_uncovered(next: Option<&Sprint>, dates: &SlackDates) -> String {
    let topic = match next {
        Some(sprint) => format!(
            "No sprint in force · next: {} from {}",
            plain(&sprint.name),
            dates.day(sprint.start)
        ),
        None => "No sprint in force · none planned yet".to_string(),
    };
    cut(&topic, TOPIC_LIMIT)
}

/// A notice to the admin channel about a persistent problem and how to fix it.
pub fn problem(summary: &str, fix: &str) -> Rendered {
    let text = format!(":warning: {summary}\n*How to fix:* {fix}");
    single_section(text)
}

/// The "you are on duty" DM with the handoff notes left for its disciplines, each as a quote
/// under "Handoff note for UI from @ann:"; `notes` pairs each with its discipline's name.
pub fn with_handoff_notes(rendered: Rendered, notes: &[(String, &HandoffNote)]) -> Rendered {
    let Rendered {
        mut text,
        mut blocks,
    } = rendered;
    for (discipline, note) in notes {
        let section = handoff_note(discipline, note);
        text.push('\n');
        text.push_str(&section.text);
        if let (Value::Array(all), Value::Array(more)) = (&mut blocks, section.blocks) {
            all.extend(more);
        }
    }
    Rendered { text, blocks }
}

/// A handoff note: "Handoff note for UI from @ann:" and the note, quoted.
pub fn handoff_note(discipline: &str, note: &HandoffNote) -> Rendered {
    single_section(format!(
        "Handoff note for {} from {}:\n{}",
        escape(discipline),
        mention(Some(&note.author)),
        quoted(&note.text)
    ))
}

/// Free text as a mrkdwn quote, line by line (mentions and links kept, everything else
/// escaped).
pub fn quoted(text: &str) -> String {
    reason(text)
        .lines()
        .map(|line| format!(">{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn single_section(text: String) -> Rendered {
    let blocks = json!([{ "type": "section", "text": { "type": "mrkdwn", "text": text } }]);
    Rendered { text, blocks }
}

fn mention(person: Option<&SlackUserId>) -> String {
    person.map_or("nobody".to_string(), |p| format!("<@{p}>"))
}

pub(crate) fn names(names: &[&str]) -> String {
    let escaped: Vec<String> = names.iter().map(|n| escape(n)).collect();
    join(&escaped)
}

/// "A", "A and B", "A, B and C".
fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::domain::SprintIndex;

    /// Slack's dates in Los Angeles during 2026.
    fn dates() -> SlackDates {
        let zone = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        SlackDates::in_zone(zone, "2026-03-12T17:00:00Z".parse().unwrap())
    }

    /// When the duty of [`sprint`] ends: the handoff on Mon Mar 23.
    fn ends_at() -> Timestamp {
        "2026-03-23T15:00:00Z".parse().unwrap()
    }

    fn sprint() -> Sprint {
        Sprint {
            index: SprintIndex::new(3).unwrap(),
            name: "FY26 Sp21".to_string(),
            start: "2026-03-09".parse().unwrap(),
            end: "2026-03-22".parse().unwrap(),
        }
    }

    fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    #[track_caller]
    fn check(rendered: Rendered, expected: Expect) {
        let blocks = serde_json::to_string_pretty(&rendered.blocks).unwrap();
        expected.assert_eq(&format!("{}\n{blocks}\n", rendered.text));
    }

    #[test]
    fn duty_starts_names_every_discipline_once() {
        check(
            duty_starts(&["UI", "Backend"], &sprint(), &dates()),
            expect![[r#"
            You are on triage duty for UI and Backend from Mon Mar 9 to Sun Mar 22 (FY26 Sp21).
            [
              {
                "text": {
                  "text": "You are on triage duty for UI and Backend from Mon Mar 9 to Sun Mar 22 (FY26 Sp21).",
                  "type": "mrkdwn"
                },
                "type": "section"
              }
            ]
        "#]],
        );
    }

    #[test]
    fn duty_ended_thanks_the_person() {
        check(
            duty_ended(&["UI"]),
            expect![[r#"
            Your triage duty for UI has ended — thank you!
            [
              {
                "text": {
                  "text": "Your triage duty for UI has ended — thank you!",
                  "type": "mrkdwn"
                },
                "type": "section"
              }
            ]
        "#]],
        );
    }

    #[test]
    fn duty_ended_with_no_sprint_following_says_what_comes_next() {
        let starts: Timestamp = "2026-04-13T15:00:00Z".parse().unwrap();
        let next = Sprint {
            name: "Sprint 9".to_string(),
            ..sprint()
        };
        expect!["Your triage duty for UI and PO has ended — thank you! No sprint is in force until Mon Apr 13 08:00 PDT, when Sprint 9 starts."]
            .assert_eq(&duty_ended_uncovered(&["UI", "PO"], Some((&next, starts)), &dates()).text);
        expect!["Your triage duty for UI has ended — thank you! No sprint is planned yet; an admin can add one."]
            .assert_eq(&duty_ended_uncovered(&["UI"], None, &dates()).text);
    }

    #[test]
    fn topic_without_a_sprint_in_force_names_the_next() {
        expect!["No sprint in force · next: FY26 Sp21 from Mon Mar 9"]
            .assert_eq(&topic_uncovered(Some(&sprint()), &dates()));
        expect!["No sprint in force · none planned yet"]
            .assert_eq(&topic_uncovered(None, &dates()));
    }

    #[test]
    fn heads_up_gives_the_local_start_time() {
        let starts = "2026-03-09T15:00:00Z".parse().unwrap();
        check(
            heads_up(
                &["UI"],
                &sprint(),
                (starts, ends_at()),
                "2026-03-08".parse().unwrap(),
                &dates(),
            ),
            expect![[r#"
                Heads-up: your triage duty for UI starts tomorrow at 08:00 PDT (FY26 Sp21, until Mon Mar 23 08:00 PDT).
                [
                  {
                    "text": {
                      "text": "Heads-up: your triage duty for UI starts tomorrow at 08:00 PDT (FY26 Sp21, until Mon Mar 23 08:00 PDT).",
                      "type": "mrkdwn"
                    },
                    "type": "section"
                  }
                ]
            "#]],
        );
        // Sent on the Friday before a Monday start, and as a reminder a week ahead.
        let friday = "2026-03-06".parse().unwrap();
        let span = (starts, ends_at());
        expect![[r#"Heads-up: your triage duty for UI starts on Mon Mar 9 at 08:00 PDT (FY26 Sp21, until Mon Mar 23 08:00 PDT)."#]]
            .assert_eq(&heads_up(&["UI"], &sprint(), span, friday, &dates()).text);
        expect![[r#"Reminder: your triage duty for UI and PO starts on Mon Mar 9 at 08:00 PDT (FY26 Sp21, until Mon Mar 23 08:00 PDT)."#]]
            .assert_eq(&reminder(&["UI", "PO"], &sprint(), span, &dates()).text);
    }

    #[test]
    fn added_and_removed_name_the_other_person() {
        let (ana, ben) = (user("U0ANA"), user("U0BEN"));
        check(
            added(
                &[("UI", Some(&ana)), ("Q&A", None)],
                &sprint(),
                ends_at(),
                &dates(),
            ),
            expect![[r#"
                You have been added to triage duty for UI (instead of <@U0ANA>) and Q&amp;A until Mon Mar 23 08:00 PDT (FY26 Sp21).
                [
                  {
                    "text": {
                      "text": "You have been added to triage duty for UI (instead of <@U0ANA>) and Q&amp;A until Mon Mar 23 08:00 PDT (FY26 Sp21).",
                      "type": "mrkdwn"
                    },
                    "type": "section"
                  }
                ]
            "#]],
        );
        check(
            removed(&[("UI", Some(&ben))], &sprint()),
            expect![[r#"
            You are no longer on triage duty for UI (<@U0BEN> takes over) in FY26 Sp21. Thank you!
            [
              {
                "text": {
                  "text": "You are no longer on triage duty for UI (<@U0BEN> takes over) in FY26 Sp21. Thank you!",
                  "type": "mrkdwn"
                },
                "type": "section"
              }
            ]
        "#]],
        );
    }

    #[test]
    fn team_post_lists_each_discipline() {
        let (ana, ben) = (user("U0ANA"), user("U0BEN"));
        let slots = [("UI", Some(&ana)), ("Backend", Some(&ben)), ("PO", None)];
        check(
            team_post(&sprint(), &slots, &dates()),
            expect![[r#"
            Triage duty: FY26 Sp21 (Mon Mar 9 to Sun Mar 22). UI: <@U0ANA>, Backend: <@U0BEN>, PO: nobody
            [
              {
                "text": {
                  "text": "Triage duty: FY26 Sp21",
                  "type": "plain_text"
                },
                "type": "header"
              },
              {
                "elements": [
                  {
                    "text": "Mon Mar 9 to Sun Mar 22",
                    "type": "mrkdwn"
                  }
                ],
                "type": "context"
              },
              {
                "fields": [
                  {
                    "text": "*UI*\n<@U0ANA>",
                    "type": "mrkdwn"
                  },
                  {
                    "text": "*Backend*\n<@U0BEN>",
                    "type": "mrkdwn"
                  },
                  {
                    "text": "*PO*\nnobody",
                    "type": "mrkdwn"
                  }
                ],
                "type": "section"
              }
            ]
        "#]],
        );
    }

    #[test]
    fn names_are_escaped_for_mrkdwn_and_lose_bidi_controls_everywhere() {
        let ana = user("U0ANA");
        let mut sprint = sprint();
        sprint.name = "Sp\u{202E}12 & <b>".to_string();
        let slots = [("R&D\u{2066}", Some(&ana))];
        check(
            team_post(&sprint, &slots, &dates()),
            expect![[r#"
            Triage duty: Sp12 &amp; &lt;b&gt; (Mon Mar 9 to Sun Mar 22). R&amp;D: <@U0ANA>
            [
              {
                "text": {
                  "text": "Triage duty: Sp12 & <b>",
                  "type": "plain_text"
                },
                "type": "header"
              },
              {
                "elements": [
                  {
                    "text": "Mon Mar 9 to Sun Mar 22",
                    "type": "mrkdwn"
                  }
                ],
                "type": "context"
              },
              {
                "fields": [
                  {
                    "text": "*R&amp;D*\n<@U0ANA>",
                    "type": "mrkdwn"
                  }
                ],
                "type": "section"
              }
            ]
        "#]],
        );
        expect!["You have been added to triage duty for R&amp;D (instead of <@U0ANA>) until Mon Mar 23 08:00 PDT (Sp12 &amp; &lt;b&gt;)."]
            .assert_eq(&added(&slots, &sprint, ends_at(), &dates()).text);
        expect!["On triage: R&D <@U0ANA> · Sp12 & <b> until Mon Mar 23 08:00 PDT"]
            .assert_eq(&topic(&sprint, ends_at(), &slots, &dates()));
        expect!["No sprint in force · next: Sp12 & <b> from Mon Mar 9"]
            .assert_eq(&topic_uncovered(Some(&sprint), &dates()));
    }

    #[test]
    fn topic_is_cut_to_slacks_limit_in_the_people_keeping_the_end_whole() {
        let ana = user("U0ANA");
        expect!["On triage: UI <@U0ANA> · PO nobody · FY26 Sp21 until Mon Mar 23 08:00 PDT"]
            .assert_eq(&topic(
                &sprint(),
                ends_at(),
                &[("UI", Some(&ana)), ("PO", None)],
                &dates(),
            ));
        let long = "x".repeat(300);
        let slots = [(long.as_str(), Some(&ana))];
        let cut = topic(&sprint(), ends_at(), &slots, &dates());
        assert_eq!(cut.chars().count(), 250);
        assert!(
            cut.ends_with("xx… · FY26 Sp21 until Mon Mar 23 08:00 PDT"),
            "{cut}"
        );
    }

    #[test]
    fn problem_says_how_to_fix_it() {
        check(
            problem(
                "the bot may not change the user group S0ONCALL (permission_denied)",
                "let apps edit user groups in workspace settings",
            ),
            expect![[r#"
                :warning: the bot may not change the user group S0ONCALL (permission_denied)
                *How to fix:* let apps edit user groups in workspace settings
                [
                  {
                    "text": {
                      "text": ":warning: the bot may not change the user group S0ONCALL (permission_denied)\n*How to fix:* let apps edit user groups in workspace settings",
                      "type": "mrkdwn"
                    },
                    "type": "section"
                  }
                ]
            "#]],
        );
    }
}
