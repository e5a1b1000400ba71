//! A declared sprint cadence (first day, length, name pattern, horizon) and the sprints it asks
//! for: given the last live sprint and `now`, which sprints to append so the plan reaches at
//! least `now` + the horizon.
//!
//! New sprints continue back to back after the last live sprint (or from the cadence's first day,
//! whichever is later), skipping whole periods that ended before today, so they never overlap a
//! live sprint and never change one. Reads no clock: `now` is a parameter.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::ids::SprintIndex;
use super::model::{Sprint, Team};

/// The default horizon: twelve weeks.
pub const DEFAULT_HORIZON_DAYS: i64 = 84;

/// How the team's sprints repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cadence {
    /// The first day of the first sprint the cadence describes.
    pub start: Date,
    /// Length of each sprint in days (1 to 366).
    pub days: i64,
    /// Sprint names; `{n}` is replaced by the sprint's number (index + 1).
    pub name_pattern: String,
    /// How far ahead of today the plan must reach, in days.
    pub horizon_days: i64,
}

impl Cadence {
    /// The name of the sprint with `index`.
    pub fn name_of(&self, index: SprintIndex) -> String {
        self.name_pattern
            .replace("{n}", &(index.get() + 1).to_string())
    }
}

/// The sprints to append after `last` (the live sprint with the highest index, if any) so that
/// the last planned sprint ends on or after `now`'s date + the horizon, in the team's zone.
/// Empty when the plan already reaches that far, so applying it twice adds nothing.
pub fn sprints_to_append(
    cadence: &Cadence,
    last: Option<&Sprint>,
    team: &Team,
    now: Timestamp,
) -> Vec<Sprint> {
    let today = now.to_zoned(team.zone.clone()).date();
    let Ok(target) = today.checked_add(cadence.horizon_days.days()) else {
        return Vec::new();
    };
    if cadence.days < 1 || last.is_some_and(|last| last.end >= target) {
        return Vec::new();
    }
    let Some(mut start) = first_start(cadence, last, today) else {
        return Vec::new();
    };
    let mut index = match last {
        Some(last) => last.index.next(),
        None => SprintIndex::new(0).expect("0 is a valid sprint index"),
    };
    let mut appended = Vec::new();
    loop {
        let Ok(end) = start.checked_add((cadence.days - 1).days()) else {
            break;
        };
        appended.push(Sprint {
            index,
            name: cadence.name_of(index),
            start,
            end,
        });
        match end.tomorrow() {
            Ok(next) if end < target => start = next,
            _ => break,
        }
        index = index.next();
    }
    appended
}

/// The first day of the first new sprint: the day after `last` ends (or the cadence's first day,
/// if later), moved on by whole sprints while that sprint would have ended before `today`.
fn first_start(cadence: &Cadence, last: Option<&Sprint>, today: Date) -> Option<Date> {
    let after_last = match last {
        Some(last) => last.end.tomorrow().ok()?,
        None => cadence.start,
    };
    let start = after_last.max(cadence.start);
    let behind = (today - start).get_days() as i64;
    if behind < cadence.days {
        return Some(start);
    }
    let periods = behind / cadence.days;
    start.checked_add((periods * cadence.days).days()).ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::{Time, date};
    use jiff::tz::TimeZone;

    use super::*;
    use crate::domain::sprint_has_started;

    fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(9, 0, 0, 0),
            double_duty: Default::default(),
        }
    }

    fn cadence(start: &str, days: i64, horizon_days: i64) -> Cadence {
        Cadence {
            start: start.parse().unwrap(),
            days,
            name_pattern: "Sprint {n}".to_string(),
            horizon_days,
        }
    }

    fn sprint(index: i64, start: &str, end: &str) -> Sprint {
        Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Old {index}"),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        }
    }

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    /// The appended sprints as `index name start..end` lines.
    #[track_caller]
    fn check(cadence: &Cadence, last: Option<&Sprint>, now: &str, expected: &[&str]) {
        let appended = sprints_to_append(cadence, last, &team(), at(now));
        let lines: Vec<String> = appended
            .iter()
            .map(|s| format!("{} {} {}..{}", s.index, s.name, s.start, s.end))
            .collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn an_empty_plan_starts_at_the_cadence_and_reaches_the_horizon() {
        check(
            &cadence("2026-03-02", 14, 28),
            None,
            "2026-02-20T12:00:00-08:00",
            &[
                "0 Sprint 1 2026-03-02..2026-03-15",
                "1 Sprint 2 2026-03-16..2026-03-29",
            ],
        );
    }

    #[test]
    fn continues_back_to_back_after_the_last_live_sprint() {
        let last = sprint(4, "2026-03-02", "2026-03-13");
        check(
            &cadence("2026-01-05", 14, 30),
            Some(&last),
            "2026-03-04T12:00:00-08:00",
            &[
                "5 Sprint 6 2026-03-14..2026-03-27",
                "6 Sprint 7 2026-03-28..2026-04-10",
            ],
        );
    }

    #[test]
    fn a_plan_that_reaches_the_horizon_gets_nothing() {
        let last = sprint(9, "2026-05-25", "2026-06-07");
        check(
            &cadence("2026-01-05", 14, 84),
            Some(&last),
            "2026-03-15T12:00:00-07:00",
            &[],
        );
    }

    #[test]
    fn appending_twice_adds_nothing_the_second_time() {
        let cadence = cadence("2026-03-02", 7, 84);
        let now = at("2026-03-01T12:00:00-08:00");
        let first = sprints_to_append(&cadence, None, &team(), now);
        assert_eq!(first.len(), 12);
        assert_eq!(first[11].end, date(2026, 5, 24));
        assert!(sprints_to_append(&cadence, first.last(), &team(), now).is_empty());
    }

    #[test]
    fn a_cadence_declared_later_than_the_last_sprint_leaves_a_gap_until_its_first_day() {
        let last = sprint(0, "2026-03-02", "2026-03-08");
        check(
            &cadence("2026-03-16", 7, 14),
            Some(&last),
            "2026-03-03T12:00:00-08:00",
            &["1 Sprint 2 2026-03-16..2026-03-22"],
        );
    }

    #[test]
    fn periods_that_ended_before_today_are_skipped_not_planned_in_the_past() {
        let last = sprint(2, "2026-01-05", "2026-01-18");
        check(
            &cadence("2026-01-05", 14, 14),
            Some(&last),
            "2026-02-20T12:00:00-08:00",
            &[
                "3 Sprint 4 2026-02-16..2026-03-01",
                "4 Sprint 5 2026-03-02..2026-03-15",
            ],
        );
    }

    #[test]
    fn today_is_the_teams_date_not_utc_across_the_fall_back_weekend() {
        // 23:30 on Sunday 1 November in Los Angeles is already Monday in UTC.
        check(
            &cadence("2026-11-01", 1, 1),
            None,
            "2026-11-01T23:30:00-08:00",
            &[
                "0 Sprint 1 2026-11-01..2026-11-01",
                "1 Sprint 2 2026-11-02..2026-11-02",
            ],
        );
    }

    #[test]
    fn sprints_starting_on_the_spring_forward_sunday_start_at_the_local_handoff() {
        let appended = sprints_to_append(
            &cadence("2026-03-08", 7, 14),
            None,
            &team(),
            at("2026-03-01T12:00:00-08:00"),
        );
        assert_eq!(appended[0].start, date(2026, 3, 8));
        assert_eq!(appended[1].start, date(2026, 3, 15));
        let first = &appended[0];
        assert!(!sprint_has_started(
            first,
            &team(),
            at("2026-03-08T08:59:00-07:00")
        ));
        assert!(sprint_has_started(
            first,
            &team(),
            at("2026-03-08T09:00:00-07:00")
        ));
    }
}
