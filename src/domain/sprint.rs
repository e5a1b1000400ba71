//! Placing sprints in time: when a sprint takes over, which sprint is in force at an instant,
//! and when a sprint stops being in force.
//!
//! Sprint dates are calendar days in the team's zone; duty hands over at the team's handoff time
//! on a sprint's first day. A sprint stays in force until the next live sprint takes over, so a
//! gap between sprints never leaves a team without coverage; the last sprint stops at the
//! handoff time on the day after its end date. Every function here takes `now` as a parameter and
//! reads no clock.

use jiff::Timestamp;
use jiff::civil::Date;

use super::model::{Sprint, Team};

/// Which sprint is in force at an instant, or why none is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SprintLookup<'a> {
    /// `sprint` is in force until `until` (exclusive).
    InForce {
        sprint: &'a Sprint,
        until: Timestamp,
    },
    /// The instant comes before the first sprint takes over at `starts_at`.
    BeforeFirst {
        first: &'a Sprint,
        starts_at: Timestamp,
    },
    /// The last sprint stopped being in force at `ended_at`.
    AfterLast {
        last: &'a Sprint,
        ended_at: Timestamp,
    },
    /// There are no sprints at all.
    NoSprints,
}

impl<'a> SprintLookup<'a> {
    /// The sprint in force, if any.
    pub fn in_force(&self) -> Option<&'a Sprint> {
        match self {
            SprintLookup::InForce { sprint, .. } => Some(sprint),
            _ => None,
        }
    }
}

/// The instant duty hands over on `date`: the team's handoff time on that day in its zone.
///
/// A handoff time that falls in a spring-forward gap moves forward by the gap's length; one that
/// falls in a fall-back fold takes the earlier instant. Dates at the very edge of the calendar,
/// whose handoff lies outside the range of `Timestamp`, clamp to `Timestamp::MIN` or `MAX`.
pub fn handoff_instant(team: &Team, date: Date) -> Timestamp {
    let local = date.to_datetime(team.handoff);
    match team.zone.to_ambiguous_timestamp(local).compatible() {
        Ok(instant) => instant,
        Err(_) if date.year() < 0 => Timestamp::MIN,
        Err(_) => Timestamp::MAX,
    }
}

/// When `sprint` takes over.
pub fn sprint_starts_at(sprint: &Sprint, team: &Team) -> Timestamp {
    handoff_instant(team, sprint.start)
}

/// When `sprint` stops being in force: when `next` (the following live sprint) takes over, or,
/// when there is no next sprint, at the handoff on the day after `sprint`'s end date.
pub fn sprint_ends_at(sprint: &Sprint, next: Option<&Sprint>, team: &Team) -> Timestamp {
    match next {
        Some(next) => sprint_starts_at(next, team),
        None => match sprint.end.tomorrow() {
            Ok(day_after) => handoff_instant(team, day_after),
            Err(_) => Timestamp::MAX,
        },
    }
}

/// Whether `sprint` has taken over at `now`.
pub fn sprint_has_started(sprint: &Sprint, team: &Team, now: Timestamp) -> bool {
    sprint_starts_at(sprint, team) <= now
}

/// Whether `sprint` has stopped being in force at `now` (see [`sprint_ends_at`]).
pub fn sprint_has_ended(
    sprint: &Sprint,
    next: Option<&Sprint>,
    team: &Team,
    now: Timestamp,
) -> bool {
    sprint_ends_at(sprint, next, team) <= now
}

/// Which of `sprints` is in force at `now`.
///
/// `sprints` are live sprints sorted by index, with start dates increasing along the slice. It may
/// be only a window of all sprints; the answer is then about that window, so it should reach
/// from before `now` to after it.
pub fn sprint_in_force<'a>(sprints: &'a [Sprint], team: &Team, now: Timestamp) -> SprintLookup<'a> {
    let Some(first) = sprints.first() else {
        return SprintLookup::NoSprints;
    };
    let started = sprints.partition_point(|sprint| sprint_has_started(sprint, team, now));
    if started == 0 {
        let starts_at = sprint_starts_at(first, team);
        return SprintLookup::BeforeFirst { first, starts_at };
    }
    let sprint = &sprints[started - 1];
    let until = sprint_ends_at(sprint, sprints.get(started), team);
    if now < until {
        SprintLookup::InForce { sprint, until }
    } else {
        SprintLookup::AfterLast {
            last: sprint,
            ended_at: until,
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::{Time, date};
    use jiff::tz::TimeZone;

    use super::*;
    use crate::domain::SprintIndex;

    fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
        }
    }

    fn sprint(index: i64, start: &str, end: &str) -> Sprint {
        Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Sprint {index}"),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        }
    }

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    /// Renders a lookup as one short line so cases read as data.
    fn describe(lookup: &SprintLookup<'_>) -> String {
        match lookup {
            SprintLookup::InForce { sprint, until } => {
                format!("sprint {} until {until}", sprint.index)
            }
            SprintLookup::BeforeFirst { first, starts_at } => {
                format!("before sprint {} at {starts_at}", first.index)
            }
            SprintLookup::AfterLast { last, ended_at } => {
                format!("after sprint {} since {ended_at}", last.index)
            }
            SprintLookup::NoSprints => "no sprints".to_string(),
        }
    }

    #[track_caller]
    fn check(sprints: &[Sprint], now: &str, expected: &str) {
        let lookup = sprint_in_force(sprints, &team(), at(now));
        assert_eq!(describe(&lookup), expected, "at {now}");
    }

    /// Two-week sprints sharing a boundary day, then a gap, as real calendars have.
    fn calendar() -> Vec<Sprint> {
        vec![
            sprint(3, "2026-03-09", "2026-03-22"),
            sprint(4, "2026-03-22", "2026-04-05"),
            sprint(5, "2026-04-10", "2026-04-23"),
        ]
    }

    #[track_caller]
    fn check_handoff(date: Date, expected: &str) {
        assert_eq!(handoff_instant(&team(), date), at(expected));
    }

    #[test]
    fn handoff_is_local_time_in_the_team_zone() {
        check_handoff(date(2026, 1, 15), "2026-01-15T16:00:00Z");
        check_handoff(date(2026, 7, 1), "2026-07-01T15:00:00Z");
    }

    #[test]
    fn handoff_on_dst_days_stays_at_local_handoff_time() {
        check_handoff(date(2026, 3, 8), "2026-03-08T15:00:00Z");
        check_handoff(date(2026, 11, 1), "2026-11-01T16:00:00Z");
    }

    #[test]
    fn handoff_inside_a_gap_moves_forward_and_inside_a_fold_takes_the_earlier() {
        let mut team = team();
        team.handoff = Time::constant(2, 30, 0, 0);
        // 02:30 does not exist on 2026-03-08; it becomes 03:30 PDT.
        assert_eq!(
            handoff_instant(&team, date(2026, 3, 8)),
            at("2026-03-08T10:30:00Z")
        );
        team.handoff = Time::constant(1, 30, 0, 0);
        // 01:30 happens twice on 2026-11-01; the first is 01:30 PDT.
        assert_eq!(
            handoff_instant(&team, date(2026, 11, 1)),
            at("2026-11-01T08:30:00Z")
        );
    }

    #[test]
    fn handoff_at_the_edge_of_the_calendar_clamps() {
        check_handoff(Date::MAX, &Timestamp::MAX.to_string());
        let mut team = team();
        team.zone = TimeZone::get("Pacific/Kiritimati").unwrap();
        assert_eq!(handoff_instant(&team, Date::MIN), Timestamp::MIN);
    }

    #[test]
    fn in_force_around_the_handoff_instant() {
        let sprints = calendar();
        check(
            &sprints,
            "2026-03-09T14:59:59Z",
            "before sprint 3 at 2026-03-09T15:00:00Z",
        );
        check(
            &sprints,
            "2026-03-09T15:00:00Z",
            "sprint 3 until 2026-03-22T15:00:00Z",
        );
        check(
            &sprints,
            "2026-03-15T00:00:00Z",
            "sprint 3 until 2026-03-22T15:00:00Z",
        );
    }

    #[test]
    fn shared_boundary_day_hands_over_at_handoff_time() {
        let sprints = calendar();
        check(
            &sprints,
            "2026-03-22T14:59:59Z",
            "sprint 3 until 2026-03-22T15:00:00Z",
        );
        check(
            &sprints,
            "2026-03-22T15:00:00Z",
            "sprint 4 until 2026-04-10T15:00:00Z",
        );
    }

    #[test]
    fn earlier_sprint_covers_a_gap_until_the_next_starts() {
        let sprints = calendar();
        check(
            &sprints,
            "2026-04-07T12:00:00Z",
            "sprint 4 until 2026-04-10T15:00:00Z",
        );
        check(
            &sprints,
            "2026-04-10T14:59:59Z",
            "sprint 4 until 2026-04-10T15:00:00Z",
        );
        check(
            &sprints,
            "2026-04-10T15:00:00Z",
            "sprint 5 until 2026-04-24T15:00:00Z",
        );
    }

    #[test]
    fn last_sprint_ends_at_handoff_the_day_after_its_end_date() {
        let sprints = calendar();
        check(
            &sprints,
            "2026-04-24T14:59:59Z",
            "sprint 5 until 2026-04-24T15:00:00Z",
        );
        check(
            &sprints,
            "2026-04-24T15:00:00Z",
            "after sprint 5 since 2026-04-24T15:00:00Z",
        );
        check(
            &sprints,
            "2027-01-01T00:00:00Z",
            "after sprint 5 since 2026-04-24T15:00:00Z",
        );
    }

    #[test]
    fn sprints_starting_on_dst_days() {
        let sprints = vec![
            sprint(0, "2026-03-08", "2026-10-31"),
            sprint(1, "2026-11-01", "2026-11-14"),
        ];
        check(
            &sprints,
            "2026-03-08T14:59:59Z",
            "before sprint 0 at 2026-03-08T15:00:00Z",
        );
        check(
            &sprints,
            "2026-03-08T15:00:00Z",
            "sprint 0 until 2026-11-01T16:00:00Z",
        );
        check(
            &sprints,
            "2026-11-01T15:59:59Z",
            "sprint 0 until 2026-11-01T16:00:00Z",
        );
        check(
            &sprints,
            "2026-11-01T16:00:00Z",
            "sprint 1 until 2026-11-15T16:00:00Z",
        );
    }

    #[test]
    fn a_window_need_not_start_at_index_zero() {
        let sprints = vec![sprint(40, "2027-01-04", "2027-01-17")];
        check(
            &sprints,
            "2027-01-04T16:00:00Z",
            "sprint 40 until 2027-01-18T16:00:00Z",
        );
    }

    #[test]
    fn no_sprints() {
        check(&[], "2026-03-09T15:00:00Z", "no sprints");
    }

    #[test]
    fn started_and_ended() {
        let sprints = calendar();
        let (team, first, second) = (team(), &sprints[0], Some(&sprints[1]));
        assert!(!sprint_has_started(
            first,
            &team,
            at("2026-03-09T14:59:59Z")
        ));
        assert!(sprint_has_started(first, &team, at("2026-03-09T15:00:00Z")));
        assert!(!sprint_has_ended(
            first,
            second,
            &team,
            at("2026-03-22T14:59:59Z")
        ));
        assert!(sprint_has_ended(
            first,
            second,
            &team,
            at("2026-03-22T15:00:00Z")
        ));
        assert!(!sprint_has_ended(
            first,
            None,
            &team,
            at("2026-03-23T14:59:59Z")
        ));
        assert!(sprint_has_ended(
            first,
            None,
            &team,
            at("2026-03-23T15:00:00Z")
        ));
    }
}
