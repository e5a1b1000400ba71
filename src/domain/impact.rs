//! Change impact: whose upcoming duty a change moved, and what they had and have now.
//!
//! The input is two projections of the coming sprints (who is on duty in each, before and after
//! some changes); the output is one [`PersonImpact`] per person whose duties differ, nobody
//! else. A duty is a discipline in a sprint, and it counts as the same duty only while its
//! sprint keeps its index and its days (a renamed sprint moves nobody; a re-dated one does).
//! The sprint in force is not part of a projection: the announcer tells people about it, as the
//! handoff tells whoever takes over a sprint that starts while changes are gathered.
//!
//! Also the coalescing window's setting (`TRIAGE_IMPACT_WINDOW`) and when a window closes. Pure:
//! no clock, no store, no Slack.

use std::collections::BTreeMap;
use std::fmt;

use jiff::{SignedDuration, Timestamp};

use super::sprint::sprint_starts_at;
use super::{DisciplineKey, SlackUserId, Sprint, SprintIndex, Team};

/// How many sprints after the one in force a projection covers.
pub const HORIZON: usize = 8;

/// Who is on duty in one sprint that has not started: each discipline's person, in display
/// order. Slots with nobody on duty are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpcomingSprint {
    pub sprint: Sprint,
    pub on_duty: Vec<(DisciplineKey, SlackUserId)>,
}

/// One duty: a discipline in a sprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    pub discipline: DisciplineKey,
    pub sprint: Sprint,
}

impl Duty {
    /// Whether `other` is the same duty: same discipline, same sprint on the same days (the
    /// sprint's name does not matter).
    fn same_as(&self, other: &Duty) -> bool {
        self.discipline == other.discipline
            && self.sprint.index == other.sprint.index
            && self.sprint.start == other.sprint.start
            && self.sprint.end == other.sprint.end
    }
}

/// A slot (a discipline in a sprint) that a decision on a coverage request told `person` about
/// while a window was open: the decision's own DM already said what changed there for them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Told {
    pub person: SlackUserId,
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
}

/// What changed for one person: every duty they had in the projection before, and every one
/// they have in the projection after, in sprint order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonImpact {
    pub person: SlackUserId,
    pub had: Vec<Duty>,
    pub now: Vec<Duty>,
}

/// One person's duties sorted by what happened to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes<'a> {
    /// Had, and no longer have.
    pub lost: Vec<&'a Duty>,
    /// Have now, and did not have.
    pub gained: Vec<&'a Duty>,
    /// Had and still have.
    pub kept: Vec<&'a Duty>,
}

impl PersonImpact {
    /// What the person lost, gained and kept, each in sprint order.
    pub fn changes(&self) -> Changes<'_> {
        let in_list = |list: &[Duty], duty: &Duty| list.iter().any(|d| d.same_as(duty));
        Changes {
            lost: self.had.iter().filter(|d| !in_list(&self.now, d)).collect(),
            gained: self.now.iter().filter(|d| !in_list(&self.had, d)).collect(),
            kept: self.now.iter().filter(|d| in_list(&self.had, d)).collect(),
        }
    }
}

/// Whoever took over a sprint of `projection` that has started by `now` was told by the
/// handoff: a [`Told`] for each of them. (Whoever lost such a duty was not, so they still hear.)
pub fn handed_over(projection: &[UpcomingSprint], team: &Team, now: Timestamp) -> Vec<Told> {
    projection
        .iter()
        .filter(|upcoming| sprint_starts_at(&upcoming.sprint, team) <= now)
        .flat_map(|upcoming| {
            upcoming.on_duty.iter().map(|(discipline, person)| Told {
                person: person.clone(),
                sprint: upcoming.sprint.index,
                discipline: discipline.clone(),
            })
        })
        .collect()
}

/// Each person's duties in `projection`, in sprint order and then display order.
pub fn duties_by_person(projection: &[UpcomingSprint]) -> BTreeMap<SlackUserId, Vec<Duty>> {
    let mut duties: BTreeMap<SlackUserId, Vec<Duty>> = BTreeMap::new();
    for upcoming in projection {
        for (discipline, person) in &upcoming.on_duty {
            duties.entry(person.clone()).or_default().push(Duty {
                discipline: discipline.clone(),
                sprint: upcoming.sprint.clone(),
            });
        }
    }
    duties
}

/// The people whose duties differ between `before` and `after`, ordered by Slack id, with all
/// they had and have. A duty in a slot a decision told the person about (`told`) does not count
/// as a difference for them, so a decision's change is not told twice; a person with other
/// differences still sees the whole picture.
pub fn impact(
    before: &[UpcomingSprint],
    after: &[UpcomingSprint],
    told: &[Told],
) -> Vec<PersonImpact> {
    let mut had = duties_by_person(before);
    let mut now = duties_by_person(after);
    let mut people: Vec<SlackUserId> = had.keys().chain(now.keys()).cloned().collect();
    people.sort();
    people.dedup();
    people
        .into_iter()
        .filter_map(|person| {
            let had = had.remove(&person).unwrap_or_default();
            let now = now.remove(&person).unwrap_or_default();
            let untold = |duty: &&Duty| {
                !told.iter().any(|t| {
                    t.person == person
                        && t.sprint == duty.sprint.index
                        && t.discipline == duty.discipline
                })
            };
            let had_untold: Vec<&Duty> = had.iter().filter(untold).collect();
            let now_untold: Vec<&Duty> = now.iter().filter(untold).collect();
            let same = had_untold.len() == now_untold.len()
                && had_untold
                    .iter()
                    .all(|h| now_untold.iter().any(|n| h.same_as(n)));
            (!same).then_some(PersonImpact { person, had, now })
        })
        .collect()
}

/// How long changes are gathered before the people they moved are told: a window opens at the
/// first change and closes this long after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImpactWindow(SignedDuration);

/// The longest window: a day.
const MAX_WINDOW_SECS: i64 = 24 * 3_600;

/// Why a window setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a duration such as 10m, 90s or 1h, from 0s to 24h")]
pub struct BadImpactWindow;

impl ImpactWindow {
    /// Ten minutes.
    pub const DEFAULT: ImpactWindow = ImpactWindow(SignedDuration::from_mins(10));

    /// Reads `90s`, `10m`, `1h` or `0` (no gathering: people hear of each change on the bot's
    /// next round), up to a day.
    pub fn parse(text: &str) -> Result<ImpactWindow, BadImpactWindow> {
        let text = text.trim().to_lowercase();
        if text == "0" {
            return Ok(ImpactWindow(SignedDuration::ZERO));
        }
        let (number, unit) = match text.char_indices().last() {
            Some((at, 's')) => (&text[..at], 1),
            Some((at, 'm')) => (&text[..at], 60),
            Some((at, 'h')) => (&text[..at], 3_600),
            _ => return Err(BadImpactWindow),
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadImpactWindow);
        }
        let secs = number
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .filter(|secs| *secs <= MAX_WINDOW_SECS)
            .ok_or(BadImpactWindow)?;
        Ok(ImpactWindow(SignedDuration::from_secs(secs)))
    }

    pub fn duration(self) -> SignedDuration {
        self.0
    }

    /// When a window opened at `opened_at` closes.
    pub fn closes_at(self, opened_at: Timestamp) -> Timestamp {
        opened_at.checked_add(self.0).unwrap_or(Timestamp::MAX)
    }
}

impl Default for ImpactWindow {
    fn default() -> ImpactWindow {
        ImpactWindow::DEFAULT
    }
}

impl fmt::Display for ImpactWindow {
    /// `10 minutes`, `90 seconds`, `1 hour`: how people read it in a reply.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        let (count, unit) = match secs {
            0 => return write!(f, "no time"),
            s if s % 3_600 == 0 => (s / 3_600, "hour"),
            s if s % 60 == 0 => (s / 60, "minute"),
            s => (s, "second"),
        };
        let plural = if count == 1 { "" } else { "s" };
        write!(f, "{count} {unit}{plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Date, Time, date};

    fn team() -> Team {
        Team {
            zone: jiff::tz::TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: crate::domain::DoubleDuty::default(),
        }
    }

    fn sprint(index: i64, start: Date) -> Sprint {
        Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Sprint {}", index + 1),
            start,
            end: start.checked_add(jiff::Span::new().days(13)).unwrap(),
        }
    }

    /// Sprints 0, 1, 2, … two weeks each from Mon Mar 9 2026, with `rows[i]` on duty in sprint
    /// `i`: `"ui:A backend:B"`.
    fn projection(rows: &[&str]) -> Vec<UpcomingSprint> {
        rows.iter()
            .enumerate()
            .map(|(i, row)| {
                let start = date(2026, 3, 9)
                    .checked_add(jiff::Span::new().days(14 * i as i64))
                    .unwrap();
                UpcomingSprint {
                    sprint: sprint(i as i64, start),
                    on_duty: slots(row),
                }
            })
            .collect()
    }

    fn slots(row: &str) -> Vec<(DisciplineKey, SlackUserId)> {
        row.split_whitespace()
            .map(|slot| {
                let (key, person) = slot.split_once(':').unwrap();
                (
                    DisciplineKey::parse(key).unwrap(),
                    SlackUserId::parse(&format!("U{person}")).unwrap(),
                )
            })
            .collect()
    }

    fn told(person: &str, sprint: i64, discipline: &str) -> Told {
        Told {
            person: SlackUserId::parse(&format!("U{person}")).unwrap(),
            sprint: SprintIndex::new(sprint).unwrap(),
            discipline: DisciplineKey::parse(discipline).unwrap(),
        }
    }

    /// The impact as lines `UA: had ui@0 backend@2; now ui@1`.
    fn render(impact: &[PersonImpact]) -> Vec<String> {
        let list = |duties: &[Duty]| -> String {
            let parts: Vec<String> = duties
                .iter()
                .map(|d| format!("{}@{}", d.discipline, d.sprint.index))
                .collect();
            if parts.is_empty() {
                "-".to_string()
            } else {
                parts.join(" ")
            }
        };
        impact
            .iter()
            .map(|p| format!("{}: had {}; now {}", p.person, list(&p.had), list(&p.now)))
            .collect()
    }

    #[track_caller]
    fn check(before: &[&str], after: &[&str], told: &[Told], expected: &[&str]) {
        let found = impact(&projection(before), &projection(after), told);
        assert_eq!(render(&found), expected);
    }

    #[test]
    fn nobody_is_moved_by_an_unchanged_projection() {
        check(
            &["ui:A backend:B", "ui:C"],
            &["ui:A backend:B", "ui:C"],
            &[],
            &[],
        );
        check(&[], &[], &[], &[]);
    }

    #[test]
    fn only_the_people_whose_duties_differ_are_named_with_all_they_had_and_have() {
        check(
            &["ui:A backend:B", "ui:C backend:B", "ui:A"],
            &["ui:C backend:B", "ui:A backend:B", "ui:A"],
            &[],
            &["UA: had ui@0 ui@2; now ui@1 ui@2", "UC: had ui@1; now ui@0"],
        );
    }

    #[test]
    fn gaining_or_losing_every_duty_counts() {
        check(&["ui:A"], &["ui:A", "ui:D"], &[], &["UD: had -; now ui@1"]);
        check(&["ui:A", "ui:D"], &["ui:A"], &[], &["UD: had ui@1; now -"]);
    }

    #[test]
    fn a_person_moved_between_disciplines_of_one_sprint_is_moved() {
        check(
            &["ui:A backend:B"],
            &["ui:B backend:A"],
            &[],
            &["UA: had ui@0; now backend@0", "UB: had backend@0; now ui@0"],
        );
    }

    #[test]
    fn a_re_dated_sprint_moves_its_people_but_a_renamed_one_does_not() {
        let before = projection(&["ui:A", "ui:B"]);
        let mut renamed = before.clone();
        renamed[1].sprint.name = "Sprint Two".to_string();
        assert_eq!(impact(&before, &renamed, &[]), []);
        let mut re_dated = before.clone();
        re_dated[1].sprint.end = date(2026, 4, 7);
        assert_eq!(
            render(&impact(&before, &re_dated, &[])),
            ["UB: had ui@1; now ui@1"]
        );
    }

    #[test]
    fn a_slot_a_decision_told_the_person_about_is_not_told_again() {
        // A cover of sprint 1's UI: B and D heard of it from the decision.
        check(
            &["ui:A", "ui:B"],
            &["ui:A", "ui:D"],
            &[told("B", 1, "ui"), told("D", 1, "ui")],
            &[],
        );
        // Told about sprint 1, but also moved from sprint 0 by a roster change.
        check(
            &["ui:B", "ui:B"],
            &["ui:A", "ui:D"],
            &[told("B", 1, "ui"), told("D", 1, "ui")],
            &["UA: had -; now ui@0", "UB: had ui@0 ui@1; now -"],
        );
        // Being told about one person's slot does not silence someone else's.
        check(
            &["ui:B"],
            &["ui:D"],
            &[told("B", 0, "ui")],
            &["UD: had -; now ui@0"],
        );
    }

    #[test]
    fn a_person_s_duties_are_lost_gained_or_kept() {
        let found = impact(
            &projection(&["ui:A", "ui:B backend:A", "ui:A"]),
            &projection(&["ui:A", "ui:A backend:B", "ui:B"]),
            &[],
        );
        let of = |list: &[&Duty]| -> Vec<String> {
            list.iter()
                .map(|d| format!("{}@{}", d.discipline, d.sprint.index))
                .collect()
        };
        let a = found[0].changes();
        assert_eq!(
            (of(&a.lost), of(&a.gained), of(&a.kept)),
            (
                vec!["backend@1".to_string(), "ui@2".to_string()],
                vec!["ui@1".to_string()],
                vec!["ui@0".to_string()]
            )
        );
    }

    #[test]
    fn a_sprint_that_started_was_told_by_its_handoff_to_whoever_took_it_over() {
        let before = projection(&["ui:A", "ui:B", "ui:C"]);
        let after = projection(&["ui:A", "ui:D", "ui:C"]);
        let moved = |at: &str| {
            let told = handed_over(&after, &team(), at.parse().unwrap());
            render(&impact(&before, &after, &told))
        };
        // Sprint 1 starts Mon Mar 23 at 08:00 PDT (15:00 UTC): from then on D heard of it from
        // the handoff; B, who lost it, did not.
        assert_eq!(
            moved("2026-03-23T14:59:59Z"),
            ["UB: had ui@1; now -", "UD: had -; now ui@1"]
        );
        assert_eq!(moved("2026-03-23T15:00:00Z"), ["UB: had ui@1; now -"]);
    }

    #[track_caller]
    fn check_window(text: &str, expected: Option<i64>) {
        assert_eq!(
            ImpactWindow::parse(text)
                .ok()
                .map(|w| w.duration().as_secs()),
            expected,
            "{text:?}"
        );
    }

    #[test]
    fn window_settings() {
        check_window("10m", Some(600));
        check_window(" 90s ", Some(90));
        check_window("1H", Some(3_600));
        check_window("24h", Some(86_400));
        check_window("0", Some(0));
        check_window("0m", Some(0));
        check_window("25h", None);
        check_window("10", None);
        check_window("m", None);
        check_window("-5m", None);
        check_window("1d", None);
        check_window("", None);
        check_window("99999999999999999999h", None);
    }

    #[test]
    fn windows_read_as_words() {
        let words = |text: &str| ImpactWindow::parse(text).unwrap().to_string();
        assert_eq!(words("10m"), "10 minutes");
        assert_eq!(words("1m"), "1 minute");
        assert_eq!(words("90s"), "90 seconds");
        assert_eq!(words("2h"), "2 hours");
        assert_eq!(words("0"), "no time");
    }
}
