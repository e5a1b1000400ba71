//! The demo clock's arithmetic: reading `advance` durations, and the moments on the way
//! (reminders, heads-ups, handoffs, and the end of a sprint that no sprint follows at once) where
//! `advance` stops so each one fires in turn. Pure functions.

use jiff::{SignedDuration, Timestamp};

use crate::domain::{HeadsUpSchedule, Sprint, Team, sprint_ends_at, sprint_starts_at};

/// Reminder, heads-up and handoff moments, and the end of each sprint that no sprint follows at
/// once, strictly between `now` and `target`, in order, each with a few words on what happens
/// then. `sprints` are live sprints in index order.
pub fn moments(
    sprints: &[Sprint],
    team: &Team,
    heads_up: &HeadsUpSchedule,
    now: Timestamp,
    target: Timestamp,
) -> Vec<(Timestamp, String)> {
    let mut moments: Vec<(Timestamp, String)> = Vec::new();
    for sprint in sprints {
        let starts_at = sprint_starts_at(sprint, team);
        if let Some(reminder) = heads_up.reminder_at(&team.zone, starts_at) {
            moments.push((reminder, format!("reminder before {}", sprint.name)));
        }
        if let Some(moment) = heads_up.heads_up_at(&team.zone, starts_at) {
            moments.push((moment, format!("heads-up before {}", sprint.name)));
        }
        moments.push((starts_at, format!("{} starts: handoff", sprint.name)));
    }
    for (i, sprint) in sprints.iter().enumerate() {
        let next = sprints.get(i + 1);
        let ends_at = sprint_ends_at(sprint, next, team);
        if next.is_none_or(|next| ends_at < sprint_starts_at(next, team)) {
            let what = format!("{} ends: no sprint follows yet", sprint.name);
            moments.push((ends_at, what));
        }
    }
    moments.retain(|(at, _)| *at > now && *at < target);
    moments.sort_by_key(|(at, _)| *at);
    moments
}

/// `30m`, `2h`, `3d`, `1w`, or several together (`1d12h`).
pub fn parse_duration(text: &str) -> Option<SignedDuration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        let count: i64 = std::mem::take(&mut number).parse().ok()?;
        total = total.checked_add(count.checked_mul(unit)?)?;
    }
    let within_a_year = number.is_empty() && total > 0 && total <= 366 * 86_400;
    within_a_year.then(|| SignedDuration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Option<i64>) {
        assert_eq!(
            parse_duration(text).map(|d| d.as_secs()),
            expected,
            "{text:?}"
        );
    }

    #[test]
    fn advancing_two_weeks_stops_at_the_next_heads_up_and_handoff() {
        use jiff::civil::Time;
        let team = Team {
            zone: jiff::tz::TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: Default::default(),
        };
        let sprint = |index, name: &str, start| Sprint {
            index: crate::domain::SprintIndex::new(index).unwrap(),
            name: name.to_string(),
            start,
            end: start.saturating_add(jiff::ToSpan::days(13)),
        };
        let sprints = [
            sprint(0, "Sprint 1", jiff::civil::date(2026, 3, 9)),
            sprint(1, "Sprint 2", jiff::civil::date(2026, 3, 23)),
        ];
        let now: Timestamp = "2026-03-12T17:00:00Z".parse().unwrap();
        let target = now
            .checked_add(SignedDuration::from_hours(14 * 24))
            .unwrap();
        let found: Vec<String> = moments(&sprints, &team, &HeadsUpSchedule::default(), now, target)
            .iter()
            .map(|(at, what)| format!("{at} {what}"))
            .collect();
        assert_eq!(
            found,
            [
                "2026-03-21T00:00:00Z heads-up before Sprint 2",
                "2026-03-23T15:00:00Z Sprint 2 starts: handoff"
            ]
        );
        let later = target
            .checked_add(SignedDuration::from_hours(14 * 24))
            .unwrap();
        let found: Vec<String> =
            moments(&sprints, &team, &HeadsUpSchedule::default(), target, later)
                .iter()
                .map(|(at, what)| format!("{at} {what}"))
                .collect();
        assert_eq!(
            found,
            ["2026-04-06T15:00:00Z Sprint 2 ends: no sprint follows yet"]
        );
    }

    #[test]
    fn durations() {
        check("30m", Some(1_800));
        check("2h", Some(7_200));
        check("14d", Some(14 * 86_400));
        check("1w", Some(604_800));
        check("1d12h", Some(129_600));
        check(" 3d ", Some(259_200));
        check("", None);
        check("14", None);
        check("d", None);
        check("0d", None);
        check("2y", None);
        check("400d", None);
        check("-1d", None);
    }
}
