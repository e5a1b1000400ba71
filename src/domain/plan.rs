//! Changing the sprint plan: editing, shifting and retiring future sprints, and warning admins
//! before the plan runs out.
//!
//! A sprint that has started at `now` is immutable; a changed sprint must still start in the
//! future, end on or after its start, and not overlap (or change places with) its neighbours.
//! These are rules over plain data with `now` as a parameter: the store loads the neighbours and
//! writes the result.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::ids::SprintIndex;
use super::model::{Sprint, Team};
use super::sprint::{handoff_instant, sprint_ends_at, sprint_has_started};
use super::text::{NameError, NameKind, check_name};

/// Why a change to the plan is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The sprint has already taken over at `now`.
    #[error("{name} started on {start}; a sprint that has started cannot be changed")]
    Started {
        index: SprintIndex,
        name: String,
        start: Date,
    },
    /// The change would make the sprint start at a moment already past.
    #[error("{name} would start on {start}, which has already begun; choose a later day")]
    StartsInPast {
        index: SprintIndex,
        name: String,
        start: Date,
    },
    /// The end date would come before the start date.
    #[error("a sprint cannot end ({end}) before it starts ({start})")]
    EndsBeforeStart { start: Date, end: Date },
    /// The change would overlap a neighbour, or move past it.
    #[error("{name} ({start} to {end}) would overlap {other_name} ({other_start} to {other_end})")]
    Overlaps {
        index: SprintIndex,
        name: String,
        start: Date,
        end: Date,
        other: SprintIndex,
        other_name: String,
        other_start: Date,
        other_end: Date,
    },
    /// The new name is empty, too long or holds a control character.
    #[error(transparent)]
    Name(#[from] NameError),
    /// Shifting moves a date past the end of the calendar.
    #[error("shifting by {0} days runs past the end of the calendar")]
    OutOfRange(i64),
    /// A new sprint sharing its first day with the sprint in force would take over at that day's
    /// handoff, already past: the sprint in force would have ended in the past.
    #[error(
        "a sprint starting on {start} would have ended {previous} at {start}'s handoff, which has passed; start it on {day_after} or later"
    )]
    CutsShort {
        start: Date,
        previous: String,
        day_after: Date,
    },
}

/// Checks that a sprint appended after `last` and starting on `start` changes nothing that has
/// happened: when it shares its first day with `last`'s last day, that day's handoff (when it
/// would take over) must still be ahead, or `last` must not have started.
pub fn check_appended(
    start: Date,
    last: Option<&Sprint>,
    team: &Team,
    now: Timestamp,
) -> Result<(), PlanError> {
    let Some(last) = last.filter(|last| start <= last.end) else {
        return Ok(());
    };
    if handoff_instant(team, start) > now || !sprint_has_started(last, team, now) {
        return Ok(());
    }
    Err(PlanError::CutsShort {
        start,
        previous: last.name.clone(),
        day_after: last.end.tomorrow().unwrap_or(last.end),
    })
}

/// What `sprint edit` changes; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SprintEdit {
    pub name: Option<String>,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

/// `sprint` with `edit` applied, if that is allowed at `now`. `previous` and `next` are the live
/// sprints just before and after it.
pub fn edit_sprint(
    sprint: &Sprint,
    previous: Option<&Sprint>,
    next: Option<&Sprint>,
    edit: &SprintEdit,
    team: &Team,
    now: Timestamp,
) -> Result<Sprint, PlanError> {
    refuse_started(sprint, team, now)?;
    let edited = Sprint {
        index: sprint.index,
        name: edit
            .name
            .as_deref()
            .unwrap_or(&sprint.name)
            .trim()
            .to_string(),
        start: edit.start.unwrap_or(sprint.start),
        end: edit.end.unwrap_or(sprint.end),
    };
    if let Some(name) = &edit.name {
        check_name(NameKind::Sprint, name)?;
    }
    check_placement(&edited, previous, next, team, now)?;
    Ok(edited)
}

/// `from` (a live sprint and all live sprints after it, by index) moved by `days` days, if that
/// is allowed at `now`. `previous` is the live sprint just before the first of them.
pub fn shift_sprints(
    from: &[Sprint],
    previous: Option<&Sprint>,
    days: i64,
    team: &Team,
    now: Timestamp,
) -> Result<Vec<Sprint>, PlanError> {
    let Some(first) = from.first() else {
        return Ok(Vec::new());
    };
    refuse_started(first, team, now)?;
    let moved = |date: Date| {
        date.checked_add(days.days())
            .map_err(|_| PlanError::OutOfRange(days))
    };
    let shifted = from
        .iter()
        .map(|s| {
            Ok(Sprint {
                start: moved(s.start)?,
                end: moved(s.end)?,
                ..s.clone()
            })
        })
        .collect::<Result<Vec<_>, PlanError>>()?;
    check_placement(&shifted[0], previous, None, team, now)?;
    Ok(shifted)
}

/// Whether `sprint` may be retired at `now`: only if it has not started.
pub fn check_retire(sprint: &Sprint, team: &Team, now: Timestamp) -> Result<(), PlanError> {
    refuse_started(sprint, team, now)
}

fn refuse_started(sprint: &Sprint, team: &Team, now: Timestamp) -> Result<(), PlanError> {
    if sprint_has_started(sprint, team, now) {
        return Err(PlanError::Started {
            index: sprint.index,
            name: sprint.name.clone(),
            start: sprint.start,
        });
    }
    Ok(())
}

/// A changed sprint starts in the future, ends on or after it starts, and fits strictly between
/// its neighbours.
fn check_placement(
    sprint: &Sprint,
    previous: Option<&Sprint>,
    next: Option<&Sprint>,
    team: &Team,
    now: Timestamp,
) -> Result<(), PlanError> {
    if sprint.end < sprint.start {
        return Err(PlanError::EndsBeforeStart {
            start: sprint.start,
            end: sprint.end,
        });
    }
    if sprint_has_started(sprint, team, now) {
        return Err(PlanError::StartsInPast {
            index: sprint.index,
            name: sprint.name.clone(),
            start: sprint.start,
        });
    }
    let overlaps = |other: &Sprint| PlanError::Overlaps {
        index: sprint.index,
        name: sprint.name.clone(),
        start: sprint.start,
        end: sprint.end,
        other: other.index,
        other_name: other.name.clone(),
        other_start: other.start,
        other_end: other.end,
    };
    if let Some(previous) = previous.filter(|p| p.end >= sprint.start) {
        return Err(overlaps(previous));
    }
    if let Some(next) = next.filter(|n| n.start <= sprint.end) {
        return Err(overlaps(next));
    }
    Ok(())
}

/// How many days before the last planned sprint ends the admins are warned, latest first.
pub const WARNING_DAYS: [i64; 2] = [2, 14];

/// A warning that the plan runs out: `last` is the last planned sprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanWarning {
    /// The outbox idempotency key: one post per last sprint (and its end date) and lead time.
    pub key: String,
    pub last: Sprint,
    pub days_before: i64,
    /// When `last` stops being in force.
    pub ends_at: Timestamp,
}

/// The instant `days` days before `last` ends: the handoff on that day.
fn warning_moment(last: &Sprint, days: i64, team: &Team) -> Option<Timestamp> {
    let day_after = last.end.tomorrow().ok()?;
    let day = day_after.checked_sub(days.days()).ok()?;
    Some(handoff_instant(team, day))
}

/// The warning due at `now` about `last`, the last planned sprint, when the team has no cadence:
/// the most urgent one whose moment has come, until the sprint ends. Its key makes it be posted
/// once; a new last sprint has new keys.
pub fn plan_warning(last: &Sprint, team: &Team, now: Timestamp) -> Option<PlanWarning> {
    let ends_at = sprint_ends_at(last, None, team);
    if now >= ends_at {
        return None;
    }
    let days_before = WARNING_DAYS
        .into_iter()
        .find(|&days| warning_moment(last, days, team).is_some_and(|moment| moment <= now))?;
    Some(PlanWarning {
        key: format!("plan-warning:{}:{}:{days_before}d", last.index, last.end),
        last: last.clone(),
        days_before,
        ends_at,
    })
}

/// The next moment after `now` at which a warning about `last` becomes due, if any.
pub fn next_warning_moment(last: &Sprint, team: &Team, now: Timestamp) -> Option<Timestamp> {
    let ends_at = sprint_ends_at(last, None, team);
    WARNING_DAYS
        .into_iter()
        .filter_map(|days| warning_moment(last, days, team))
        .filter(|&moment| moment > now && moment < ends_at)
        .min()
}

#[cfg(test)]
mod tests {
    use jiff::civil::Time;
    use jiff::tz::TimeZone;

    use super::*;

    fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(9, 0, 0, 0),
            double_duty: Default::default(),
        }
    }

    fn sprint(index: i64, start: &str, end: &str) -> Sprint {
        Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Sprint {}", index + 1),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        }
    }

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    fn dates(edit: (&str, &str)) -> SprintEdit {
        SprintEdit {
            name: None,
            start: Some(edit.0.parse().unwrap()),
            end: Some(edit.1.parse().unwrap()),
        }
    }

    /// Edits sprint 1 (between sprints 0 and 2) at `now`; the result or the error's text.
    #[track_caller]
    fn check_edit(edit: SprintEdit, now: &str, expected: &str) {
        let previous = sprint(0, "2026-03-02", "2026-03-15");
        let this = sprint(1, "2026-03-16", "2026-03-29");
        let next = sprint(2, "2026-03-30", "2026-04-12");
        let result = edit_sprint(&this, Some(&previous), Some(&next), &edit, &team(), at(now));
        let actual = match result {
            Ok(s) => format!("{} {}..{}", s.name, s.start, s.end),
            Err(error) => error.to_string(),
        };
        assert_eq!(actual, expected);
    }

    #[test]
    fn a_future_sprint_can_be_renamed_and_moved_within_its_gap() {
        let rename = SprintEdit {
            name: Some(" Hack week ".into()),
            ..SprintEdit::default()
        };
        check_edit(
            rename,
            "2026-03-10T12:00:00-07:00",
            "Hack week 2026-03-16..2026-03-29",
        );
        check_edit(
            dates(("2026-03-17", "2026-03-28")),
            "2026-03-10T12:00:00-07:00",
            "Sprint 2 2026-03-17..2026-03-28",
        );
    }

    #[test]
    fn a_started_sprint_cannot_be_edited() {
        check_edit(
            SprintEdit {
                name: Some("x".into()),
                ..SprintEdit::default()
            },
            "2026-03-16T09:00:00-07:00",
            "Sprint 2 started on 2026-03-16; a sprint that has started cannot be changed",
        );
    }

    #[test]
    fn an_edit_that_overlaps_a_neighbour_or_starts_in_the_past_is_refused() {
        check_edit(
            dates(("2026-03-15", "2026-03-29")),
            "2026-03-10T12:00:00-07:00",
            "Sprint 2 (2026-03-15 to 2026-03-29) would overlap Sprint 1 (2026-03-02 to 2026-03-15)",
        );
        check_edit(
            dates(("2026-03-16", "2026-04-30")),
            "2026-03-10T12:00:00-07:00",
            "Sprint 2 (2026-03-16 to 2026-04-30) would overlap Sprint 3 (2026-03-30 to 2026-04-12)",
        );
        check_edit(
            dates(("2026-03-20", "2026-03-18")),
            "2026-03-10T12:00:00-07:00",
            "a sprint cannot end (2026-03-18) before it starts (2026-03-20)",
        );
        check_edit(
            SprintEdit {
                start: Some("2026-03-16".parse().unwrap()),
                ..SprintEdit::default()
            },
            "2026-03-16T08:59:00-07:00",
            "Sprint 2 2026-03-16..2026-03-29",
        );
    }

    #[test]
    fn shifting_moves_the_sprint_and_all_later_ones() {
        let previous = sprint(0, "2026-03-02", "2026-03-15");
        let later = [
            sprint(1, "2026-03-16", "2026-03-29"),
            sprint(2, "2026-03-30", "2026-04-12"),
        ];
        let now = at("2026-03-10T12:00:00-07:00");
        let shifted = shift_sprints(&later, Some(&previous), 7, &team(), now).unwrap();
        let starts: Vec<String> = shifted.iter().map(|s| s.start.to_string()).collect();
        assert_eq!(starts, ["2026-03-23", "2026-04-06"]);
        let back = shift_sprints(&later, Some(&previous), -1, &team(), now).unwrap_err();
        assert!(matches!(back, PlanError::Overlaps { .. }), "{back}");
        let started = shift_sprints(
            &later,
            Some(&previous),
            7,
            &team(),
            at("2026-03-17T00:00:00-07:00"),
        );
        assert!(matches!(started, Err(PlanError::Started { .. })));
    }

    #[test]
    fn only_sprints_that_have_not_started_can_be_retired() {
        // Spring forward: 2026-03-08 has no 02:00-03:00, the handoff at 09:00 PDT is 16:00 UTC.
        let dst = sprint(3, "2026-03-08", "2026-03-14");
        assert!(check_retire(&dst, &team(), at("2026-03-08T15:59:00Z")).is_ok());
        assert!(check_retire(&dst, &team(), at("2026-03-08T16:00:00Z")).is_err());
    }

    /// The warning due at `now` about a last sprint ending on Sunday 2026-06-07 (it stops being in
    /// force at the handoff on Monday 8 June): its key, or `-`.
    #[track_caller]
    fn check_warning(now: &str, expected: &str) {
        let last = sprint(11, "2026-05-25", "2026-06-07");
        let warning = plan_warning(&last, &team(), at(now));
        assert_eq!(warning.map_or("-".to_string(), |w| w.key), expected);
    }

    #[test]
    fn warnings_come_14_and_2_days_before_the_last_sprint_ends() {
        check_warning("2026-05-25T08:59:00-07:00", "-");
        check_warning(
            "2026-05-25T09:00:00-07:00",
            "plan-warning:11:2026-06-07:14d",
        );
        check_warning(
            "2026-06-05T23:00:00-07:00",
            "plan-warning:11:2026-06-07:14d",
        );
        check_warning("2026-06-06T09:00:00-07:00", "plan-warning:11:2026-06-07:2d");
        check_warning("2026-06-08T08:59:00-07:00", "plan-warning:11:2026-06-07:2d");
        check_warning("2026-06-08T09:00:00-07:00", "-");
    }

    #[test]
    fn the_scheduler_wakes_at_each_warning_moment() {
        let last = sprint(11, "2026-05-25", "2026-06-07");
        let next = |now: &str| next_warning_moment(&last, &team(), at(now));
        assert_eq!(
            next("2026-05-01T00:00:00-07:00"),
            Some(at("2026-05-25T09:00:00-07:00"))
        );
        assert_eq!(
            next("2026-05-25T09:00:00-07:00"),
            Some(at("2026-06-06T09:00:00-07:00"))
        );
        assert_eq!(next("2026-06-06T09:00:00-07:00"), None);
    }

    #[test]
    fn warning_moments_follow_the_local_handoff_across_the_fall_back_weekend() {
        // Ends Saturday 2026-11-14; 14 days before the Sunday-after handoff is 1 November (PST).
        let last = sprint(20, "2026-11-01", "2026-11-14");
        let moment = next_warning_moment(&last, &team(), at("2026-10-01T00:00:00Z"));
        assert_eq!(moment, Some(at("2026-11-01T09:00:00-08:00")));
    }
}
