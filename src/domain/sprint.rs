//! Placing sprints in time: when a sprint takes over, which sprint is in force at an instant,
//! and when a sprint stops being in force.
//!
//! Sprint dates are calendar days in the team's zone; duty hands over at the team's handoff time
//! on a sprint's first day. A sprint is in force from that handoff until the earlier of the next
//! live sprint's handoff and the handoff on the day after its own end date. Consecutive sprints
//! may share a boundary day (one ends the day the next starts): duty then hands over at that
//! day's handoff. A gap between sprints is a gap: no sprint is in force in it. Every function
//! here takes `now` as a parameter and reads no clock.

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
    /// Between two sprints: `previous` stopped being in force at `ended_at`, and `next` takes
    /// over at `starts_at`.
    Gap {
        previous: &'a Sprint,
        ended_at: Timestamp,
        next: &'a Sprint,
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

/// When `sprint` stops being in force: at the handoff on the day after its end date, or earlier
/// when `next` (the following live sprint) takes over before that (on a shared boundary day).
pub fn sprint_ends_at(sprint: &Sprint, next: Option<&Sprint>, team: &Team) -> Timestamp {
    let own_end = match sprint.end.tomorrow() {
        Ok(day_after) => handoff_instant(team, day_after),
        Err(_) => Timestamp::MAX,
    };
    match next {
        Some(next) => own_end.min(sprint_starts_at(next, team)),
        None => own_end,
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
    let next = sprints.get(started);
    let until = sprint_ends_at(sprint, next, team);
    match next {
        _ if now < until => SprintLookup::InForce { sprint, until },
        Some(next) => SprintLookup::Gap {
            previous: sprint,
            ended_at: until,
            next,
            starts_at: sprint_starts_at(next, team),
        },
        None => SprintLookup::AfterLast {
            last: sprint,
            ended_at: until,
        },
    }
}

/// The next instant after `now` at which the sprint in force changes: when the sprint in force
/// stops (the next sprint's handoff, or the start of a gap or of the time after the last sprint),
/// or, with no sprint in force, when the next sprint takes over. `None` when nothing is planned
/// after `now`. `sprints` is as for [`sprint_in_force`].
pub fn next_change(sprints: &[Sprint], team: &Team, now: Timestamp) -> Option<Timestamp> {
    match sprint_in_force(sprints, team, now) {
        SprintLookup::InForce { until, .. } => Some(until),
        SprintLookup::BeforeFirst { starts_at, .. } | SprintLookup::Gap { starts_at, .. } => {
            Some(starts_at)
        }
        SprintLookup::AfterLast { .. } | SprintLookup::NoSprints => None,
    }
}

/// A run of consecutive calendar days, `first` to `last` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub first: Date,
    pub last: Date,
}

/// The days from `from` to `to` (inclusive) that no sprint's dates cover, as maximal runs in
/// order. `sprints` are live sprints sorted by start date; any that lie outside the range are
/// ignored.
pub fn uncovered_days(sprints: &[Sprint], from: Date, to: Date) -> Vec<DayRange> {
    let mut runs = Vec::new();
    let mut day = from;
    for sprint in sprints {
        if day > to {
            break;
        }
        if sprint.end < day {
            continue;
        }
        if sprint.start > day {
            let last = sprint.start.yesterday().unwrap_or(sprint.start).min(to);
            runs.push(DayRange { first: day, last });
        }
        match sprint.end.tomorrow() {
            Ok(after) => day = day.max(after),
            Err(_) => return runs,
        }
    }
    if day <= to {
        runs.push(DayRange {
            first: day,
            last: to,
        });
    }
    runs
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
            double_duty: Default::default(),
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
            SprintLookup::Gap {
                previous,
                ended_at,
                next,
                starts_at,
            } => format!(
                "gap after sprint {} since {ended_at}, sprint {} at {starts_at}",
                previous.index, next.index
            ),
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
            "sprint 4 until 2026-04-06T15:00:00Z",
        );
    }

    #[test]
    fn a_gap_between_sprints_has_no_sprint_in_force() {
        let sprints = calendar();
        // Sprint 4 ends on Sun Apr 5; its duty stops at the handoff on Mon Apr 6.
        check(
            &sprints,
            "2026-04-06T14:59:59Z",
            "sprint 4 until 2026-04-06T15:00:00Z",
        );
        check(
            &sprints,
            "2026-04-06T15:00:00Z",
            "gap after sprint 4 since 2026-04-06T15:00:00Z, sprint 5 at 2026-04-10T15:00:00Z",
        );
        check(
            &sprints,
            "2026-04-10T14:59:59Z",
            "gap after sprint 4 since 2026-04-06T15:00:00Z, sprint 5 at 2026-04-10T15:00:00Z",
        );
        check(
            &sprints,
            "2026-04-10T15:00:00Z",
            "sprint 5 until 2026-04-24T15:00:00Z",
        );
    }

    #[test]
    fn back_to_back_sprints_leave_no_gap() {
        // Sprint 1 ends Sat Mar 7 and sprint 2 starts the next day, the spring-forward day.
        let sprints = vec![
            sprint(1, "2026-02-22", "2026-03-07"),
            sprint(2, "2026-03-08", "2026-03-21"),
        ];
        check(
            &sprints,
            "2026-03-08T14:59:59Z",
            "sprint 1 until 2026-03-08T15:00:00Z",
        );
        check(
            &sprints,
            "2026-03-08T15:00:00Z",
            "sprint 2 until 2026-03-22T15:00:00Z",
        );
    }

    #[test]
    fn a_gap_ending_on_the_fall_back_day_ends_at_local_handoff_time() {
        let sprints = vec![
            sprint(1, "2026-10-12", "2026-10-25"),
            sprint(2, "2026-11-01", "2026-11-14"),
        ];
        // Mon Oct 26 08:00 PDT is 15:00Z; Sun Nov 1 08:00 PST is 16:00Z.
        check(
            &sprints,
            "2026-10-26T15:00:00Z",
            "gap after sprint 1 since 2026-10-26T15:00:00Z, sprint 2 at 2026-11-01T16:00:00Z",
        );
        check(
            &sprints,
            "2026-11-01T15:59:59Z",
            "gap after sprint 1 since 2026-10-26T15:00:00Z, sprint 2 at 2026-11-01T16:00:00Z",
        );
        check(
            &sprints,
            "2026-11-01T16:00:00Z",
            "sprint 2 until 2026-11-15T16:00:00Z",
        );
    }

    #[track_caller]
    fn check_next_change(sprints: &[Sprint], now: &str, expected: Option<&str>) {
        let found = next_change(sprints, &team(), at(now));
        assert_eq!(found, expected.map(at), "at {now}");
    }

    #[test]
    fn the_next_change_is_a_handoff_or_the_start_of_a_gap() {
        let sprints = calendar();
        check_next_change(
            &sprints,
            "2026-03-01T00:00:00Z",
            Some("2026-03-09T15:00:00Z"),
        );
        check_next_change(
            &sprints,
            "2026-03-15T00:00:00Z",
            Some("2026-03-22T15:00:00Z"),
        );
        check_next_change(
            &sprints,
            "2026-03-30T00:00:00Z",
            Some("2026-04-06T15:00:00Z"),
        );
        check_next_change(
            &sprints,
            "2026-04-07T00:00:00Z",
            Some("2026-04-10T15:00:00Z"),
        );
        check_next_change(
            &sprints,
            "2026-04-20T00:00:00Z",
            Some("2026-04-24T15:00:00Z"),
        );
        check_next_change(&sprints, "2026-04-24T15:00:00Z", None);
        check_next_change(&[], "2026-04-24T15:00:00Z", None);
        // A sprint ending the day before the fall-back day stops at 08:00 PST (16:00Z).
        let fall = vec![sprint(1, "2026-10-18", "2026-10-31")];
        check_next_change(&fall, "2026-10-20T00:00:00Z", Some("2026-11-01T16:00:00Z"));
    }

    #[track_caller]
    fn check_uncovered(sprints: &[Sprint], from: &str, to: &str, expected: &[&str]) {
        let runs = uncovered_days(sprints, from.parse().unwrap(), to.parse().unwrap());
        let described: Vec<String> = runs
            .iter()
            .map(|r| format!("{}..{}", r.first, r.last))
            .collect();
        assert_eq!(described, expected);
    }

    #[test]
    fn uncovered_days_are_gaps_and_the_tail_after_the_last_sprint() {
        let sprints = calendar();
        check_uncovered(
            &sprints,
            "2026-03-09",
            "2026-04-30",
            &["2026-04-06..2026-04-09", "2026-04-24..2026-04-30"],
        );
        check_uncovered(&sprints, "2026-03-10", "2026-04-05", &[]);
        check_uncovered(
            &sprints,
            "2026-04-07",
            "2026-04-08",
            &["2026-04-07..2026-04-08"],
        );
        check_uncovered(
            &sprints,
            "2026-03-01",
            "2026-03-10",
            &["2026-03-01..2026-03-08"],
        );
        check_uncovered(&[], "2026-03-01", "2026-03-02", &["2026-03-01..2026-03-02"]);
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
