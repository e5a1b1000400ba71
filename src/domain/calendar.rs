//! Calendar feeds: whose feed an address serves (a person's or the team's), what a feed token
//! looks like, and which all-day events a run of duties becomes.
//!
//! An event runs from a sprint's first day up to, not including, the day duty next changes
//! hands: the next sprint's first day when the two share a boundary day (duty hands over at the
//! handoff time that day), else the day after the sprint's last day. Its UID is built from the
//! sprint's index and the discipline (and, in a person's feed, the person), so it stays the same
//! across fetches and plan edits, and a cover moves it: the event leaves one person's feed and a
//! new one appears in the other's. Pure: no clock, no randomness (the caller draws the token's
//! bytes), no I/O.

use jiff::civil::Date;

use super::ical::Event;
use super::model::Sprint;
use super::{DisciplineKey, SlackUserId};

/// How many random bytes a feed token carries.
pub const TOKEN_BYTES: usize = 32;

/// The length of a token's text: 32 bytes in URL-safe base64 without padding.
pub const TOKEN_CHARS: usize = 43;

/// Whose duties a feed lists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FeedSubject {
    /// Everyone's duties.
    Team,
    /// One person's duties.
    Person(SlackUserId),
}

impl FeedSubject {
    /// How the subject is stored: `team`, or the person's Slack id.
    pub fn key(&self) -> &str {
        match self {
            FeedSubject::Team => "team",
            FeedSubject::Person(id) => id.as_str(),
        }
    }

    /// The subject a stored key names, if it names one.
    pub fn from_key(key: &str) -> Option<FeedSubject> {
        match key {
            "team" => Some(FeedSubject::Team),
            id => SlackUserId::parse(id).ok().map(FeedSubject::Person),
        }
    }
}

/// A feed's secret: the only credential its address carries. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedToken(String);

impl FeedToken {
    /// The token for `bytes`: URL-safe base64 without padding.
    pub fn from_bytes(bytes: &[u8; TOKEN_BYTES]) -> FeedToken {
        FeedToken(data_encoding::BASE64URL_NOPAD.encode(bytes))
    }

    /// `text` as a token when it has a token's shape (43 characters of URL-safe base64 that
    /// decode to 32 bytes); `None` otherwise, so a malformed address is never looked up.
    pub fn parse(text: &str) -> Option<FeedToken> {
        let decoded = data_encoding::BASE64URL_NOPAD
            .decode(text.as_bytes())
            .ok()?;
        (text.len() == TOKEN_CHARS && decoded.len() == TOKEN_BYTES)
            .then(|| FeedToken(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FeedToken(…)")
    }
}

/// The path a feed is served at, under the listener's address.
pub fn feed_path(token: &FeedToken) -> String {
    format!("/ical/{}.ics", token.as_str())
}

/// One slot of a sprint as a feed shows it: the discipline, who is on duty (nobody when no one
/// is) and, for an approved cover, whom they cover for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSlot {
    pub discipline: DisciplineKey,
    pub discipline_name: String,
    pub person: Option<SlackUserId>,
    pub person_name: Option<String>,
    /// The name of the person the rotation had on duty, when someone covers for them.
    pub covering_for: Option<String>,
}

/// A sprint and its slots, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SprintSlots {
    pub sprint: Sprint,
    pub slots: Vec<FeedSlot>,
}

/// The days an event over `sprint` covers: its first day and the day duty next changes hands
/// (exclusive), given `next`, the sprint after it. Never empty.
pub fn event_days(sprint: &Sprint, next: Option<&Sprint>) -> (Date, Date) {
    let day_after = sprint.end.tomorrow().unwrap_or(sprint.end);
    let end = match next {
        Some(next) if next.start <= sprint.end => next.start,
        _ => day_after,
    };
    // A one-day sprint whose successor starts the same day still gets its day.
    let end = if end <= sprint.start {
        sprint.start.tomorrow().unwrap_or(end)
    } else {
        end
    };
    (sprint.start, end)
}

/// The events of `subject`'s feed over `sprints` (consecutive live sprints in index order);
/// `after` is the sprint after the last one, which decides where its event ends. One event per
/// duty: a slot nobody holds has none.
pub fn feed_events(
    subject: &FeedSubject,
    sprints: &[SprintSlots],
    after: Option<&Sprint>,
) -> Vec<Event> {
    let mut events = Vec::new();
    for (at, run) in sprints.iter().enumerate() {
        let next = sprints.get(at + 1).map(|s| &s.sprint).or(after);
        let (first_day, end_day) = event_days(&run.sprint, next);
        for slot in &run.slots {
            let Some(person) = &slot.person else {
                continue;
            };
            if let FeedSubject::Person(me) = subject
                && me != person
            {
                continue;
            }
            events.push(Event {
                uid: uid(subject, &run.sprint, slot, person),
                summary: summary(subject, &run.sprint, slot, person),
                description: slot
                    .covering_for
                    .as_ref()
                    .map(|name| format!("covering for {name}")),
                first_day,
                end_day,
            });
        }
    }
    events
}

/// `sprint-<index>-<discipline>@triage-bot` in the team's feed; a person's feed adds the person,
/// so a cover ends one event and starts another instead of moving one between calendars.
fn uid(subject: &FeedSubject, sprint: &Sprint, slot: &FeedSlot, person: &SlackUserId) -> String {
    match subject {
        FeedSubject::Team => format!("sprint-{}-{}@triage-bot", sprint.index, slot.discipline),
        FeedSubject::Person(_) => {
            format!(
                "sprint-{}-{}-{person}@triage-bot",
                sprint.index, slot.discipline
            )
        }
    }
}

/// `Triage: UI Engineering — Sprint 26`, and in the team's feed ` — Alice` after it.
fn summary(
    subject: &FeedSubject,
    sprint: &Sprint,
    slot: &FeedSlot,
    person: &SlackUserId,
) -> String {
    let duty = format!("Triage: {} — {}", slot.discipline_name, sprint.name);
    match subject {
        FeedSubject::Person(_) => duty,
        FeedSubject::Team => {
            let name = slot.person_name.as_deref().unwrap_or(person.as_str());
            format!("{duty} — {name}")
        }
    }
}

/// The calendar's name as apps show it.
pub fn calendar_name(subject: &FeedSubject, person_name: Option<&str>) -> String {
    match (subject, person_name) {
        (FeedSubject::Team, _) => "Triage rotation".to_string(),
        (FeedSubject::Person(_), Some(name)) => format!("Triage duty: {name}"),
        (FeedSubject::Person(id), None) => format!("Triage duty: {id}"),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use jiff::civil::date;

    use super::*;
    use crate::domain::SprintIndex;

    fn sprint(index: i64, start: (i8, i8), end: (i8, i8)) -> Sprint {
        Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Sprint {}", index + 1),
            start: date(2026, start.0, start.1),
            end: date(2026, end.0, end.1),
        }
    }

    fn slot(discipline: &str, person: Option<&str>, covering_for: Option<&str>) -> FeedSlot {
        FeedSlot {
            discipline: DisciplineKey::parse(discipline).unwrap(),
            discipline_name: discipline.to_uppercase(),
            person: person.map(|p| SlackUserId::parse(p).unwrap()),
            person_name: person.map(|p| p.trim_start_matches("U0").to_lowercase()),
            covering_for: covering_for.map(String::from),
        }
    }

    #[track_caller]
    fn check_days(sprint: Sprint, next: Option<Sprint>, expected: Expect) {
        let (first, end) = event_days(&sprint, next.as_ref());
        expected.assert_eq(&format!("{first} .. {end}"));
    }

    #[test]
    fn an_event_ends_where_duty_next_changes_hands() {
        // Sharing the boundary day: the handoff is on the next sprint's first day.
        let shared = sprint(1, (3, 9), (3, 23));
        check_days(
            shared.clone(),
            Some(sprint(2, (3, 23), (4, 6))),
            expect!["2026-03-09 .. 2026-03-23"],
        );
        // Back to back: the same day.
        check_days(
            sprint(1, (3, 9), (3, 22)),
            Some(sprint(2, (3, 23), (4, 5))),
            expect!["2026-03-09 .. 2026-03-23"],
        );
        // A gap, or no sprint after: the day after the last day.
        check_days(
            sprint(1, (3, 9), (3, 22)),
            Some(sprint(2, (4, 1), (4, 14))),
            expect!["2026-03-09 .. 2026-03-23"],
        );
        check_days(shared, None, expect!["2026-03-09 .. 2026-03-24"]);
        // A one-day sprint handing over on its own day keeps that day.
        check_days(
            sprint(1, (3, 9), (3, 9)),
            Some(sprint(2, (3, 9), (3, 20))),
            expect!["2026-03-09 .. 2026-03-10"],
        );
    }

    #[track_caller]
    fn check_events(subject: FeedSubject, expected: Expect) {
        let sprints = vec![
            SprintSlots {
                sprint: sprint(0, (3, 9), (3, 23)),
                slots: vec![
                    slot("ui", Some("U0ALICE"), None),
                    slot("backend", None, None),
                ],
            },
            SprintSlots {
                sprint: sprint(1, (3, 23), (4, 6)),
                slots: vec![
                    slot("ui", Some("U0BOB"), Some("alice")),
                    slot("backend", Some("U0ALICE"), None),
                ],
            },
        ];
        let after = sprint(2, (4, 6), (4, 20));
        let events = feed_events(&subject, &sprints, Some(&after));
        let lines: Vec<String> = events
            .iter()
            .map(|e| {
                format!(
                    "{} {}..{} {:?} {:?}",
                    e.uid, e.first_day, e.end_day, e.summary, e.description
                )
            })
            .collect();
        expected.assert_eq(&lines.join("\n"));
    }

    #[test]
    fn the_team_feed_has_one_event_per_duty() {
        check_events(
            FeedSubject::Team,
            expect![[r#"
                sprint-0-ui@triage-bot 2026-03-09..2026-03-23 "Triage: UI — Sprint 1 — alice" None
                sprint-1-ui@triage-bot 2026-03-23..2026-04-06 "Triage: UI — Sprint 2 — bob" Some("covering for alice")
                sprint-1-backend@triage-bot 2026-03-23..2026-04-06 "Triage: BACKEND — Sprint 2 — alice" None"#]],
        );
    }

    #[test]
    fn a_persons_feed_has_their_duties_alone() {
        let alice = SlackUserId::parse("U0ALICE").unwrap();
        check_events(
            FeedSubject::Person(alice),
            expect![[r#"
                sprint-0-ui-U0ALICE@triage-bot 2026-03-09..2026-03-23 "Triage: UI — Sprint 1" None
                sprint-1-backend-U0ALICE@triage-bot 2026-03-23..2026-04-06 "Triage: BACKEND — Sprint 2" None"#]],
        );
        let bob = SlackUserId::parse("U0BOB").unwrap();
        check_events(
            FeedSubject::Person(bob),
            expect![[
                r#"sprint-1-ui-U0BOB@triage-bot 2026-03-23..2026-04-06 "Triage: UI — Sprint 2" Some("covering for alice")"#
            ]],
        );
    }

    #[test]
    fn tokens_have_one_shape() {
        let token = FeedToken::from_bytes(&[0xfb; TOKEN_BYTES]);
        assert_eq!(token.as_str().len(), TOKEN_CHARS);
        assert_eq!(FeedToken::parse(token.as_str()), Some(token.clone()));
        assert_eq!(format!("{token:?}"), "FeedToken(…)");
        assert_eq!(
            feed_path(&token),
            format!("/ical/{}.ics", "-_v7".repeat(10) + "-_s")
        );
        for bad in [
            "",
            "short",
            &token.as_str()[1..],
            &format!("{}A", token.as_str()),
            &format!("{}=", token.as_str()),
            &token.as_str().replace('-', "+"),
            &token.as_str().replace('-', "é"),
            "../../../../etc/passwd....................",
        ] {
            assert_eq!(FeedToken::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn subjects_are_stored_by_key() {
        let alice = FeedSubject::Person(SlackUserId::parse("U0ALICE").unwrap());
        for subject in [FeedSubject::Team, alice] {
            assert_eq!(FeedSubject::from_key(subject.key()), Some(subject));
        }
        assert_eq!(FeedSubject::from_key("nobody"), None);
    }
}
