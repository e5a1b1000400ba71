//! What a person types to name a sprint, and the sprint it names.
//!
//! People see sprints by name ("Sprint 8", "FY26 Sp21") and type back what they see: the name
//! (any case), the number it ends with (`8`, `21`), a day inside the sprint (`2026-04-06`), or
//! `now` / `next`. The index that orders sprints is for machines (JSON keeps it) and is never
//! what a person is asked to type. Pure: `now` is a parameter.

use jiff::Timestamp;
use jiff::civil::Date;

use super::model::{Sprint, Team};
use super::sprint::{sprint_has_started, sprint_in_force};

/// Why a sprint reference names no sprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SprintRefError {
    /// `now` when no sprint is in force.
    #[error("no sprint is in force now")]
    NoneInForce,
    /// `next` when no sprint is planned after now.
    #[error("no sprint is planned after now")]
    NoneNext,
    /// A date no sprint includes.
    #[error("no sprint includes {0}")]
    NoSprintOn(Date),
    /// A number several sprint names end with.
    #[error("`{text}` could be {}; type the whole name", .names.join(" or "))]
    Ambiguous { text: String, names: Vec<String> },
    /// Text that names no sprint.
    #[error(
        "no sprint is called `{0}`: name a sprint as the schedule shows it (\"Sprint 8\", or just 8), a day in it (2026-04-06), `now` or `next`"
    )]
    Unknown(String),
}

/// The number a sprint's name ends with, if it ends with digits: 8 for "Sprint 8", 21 for
/// "FY26 Sp21".
pub fn trailing_number(name: &str) -> Option<u64> {
    let digits: String = name
        .trim()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The sprint `text` names among `sprints` (live sprints in index order). See the module docs.
pub fn resolve_sprint<'a>(
    text: &str,
    sprints: &'a [Sprint],
    team: &Team,
    now: Timestamp,
) -> Result<&'a Sprint, SprintRefError> {
    let wanted = normalized(text);
    match wanted.as_str() {
        "now" | "current" => {
            return sprint_in_force(sprints, team, now)
                .in_force()
                .ok_or(SprintRefError::NoneInForce);
        }
        "next" => {
            return sprints
                .iter()
                .find(|s| !sprint_has_started(s, team, now))
                .ok_or(SprintRefError::NoneNext);
        }
        _ => {}
    }
    if let Some(found) = sprints.iter().find(|s| normalized(&s.name) == wanted) {
        return Ok(found);
    }
    if let Ok(date) = wanted.parse::<Date>() {
        // On a day two sprints share, the later one is the one that day belongs to.
        return sprints
            .iter()
            .rev()
            .find(|s| s.start <= date && date <= s.end)
            .ok_or(SprintRefError::NoSprintOn(date));
    }
    let number = wanted.strip_prefix('#').unwrap_or(&wanted);
    if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) {
        let number: Option<u64> = number.parse().ok();
        let matching: Vec<&Sprint> = sprints
            .iter()
            .filter(|s| number.is_some() && trailing_number(&s.name) == number)
            .collect();
        return match matching.as_slice() {
            [only] => Ok(only),
            [] => Err(SprintRefError::Unknown(text.trim().to_string())),
            several => Err(SprintRefError::Ambiguous {
                text: text.trim().to_string(),
                names: several.iter().map(|s| s.name.clone()).collect(),
            }),
        };
    }
    Err(SprintRefError::Unknown(text.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use jiff::civil::Time;
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

    fn sprints() -> Vec<Sprint> {
        [
            (0, "FY26 Sp21", "2026-03-09", "2026-03-22"),
            (1, "Sprint 2", "2026-03-22", "2026-04-04"),
            (2, "Sprint 3", "2026-04-06", "2026-04-19"),
            (3, "Hardening", "2026-04-20", "2026-05-03"),
        ]
        .map(|(index, name, start, end)| Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: name.to_string(),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        })
        .to_vec()
    }

    #[track_caller]
    fn check(text: &str, now: &str, expected: &str) {
        let sprints = sprints();
        let found = resolve_sprint(text, &sprints, &team(), now.parse().unwrap());
        let found = found.map_or_else(|e| format!("error: {e}"), |s| s.name.clone());
        assert_eq!(found, expected, "{text}");
    }

    const MID_SPRINT_2: &str = "2026-03-25T12:00:00Z";

    #[test]
    fn names_in_any_case_and_the_number_they_end_with() {
        check("Sprint 3", MID_SPRINT_2, "Sprint 3");
        check("  sprint   3 ", MID_SPRINT_2, "Sprint 3");
        check("3", MID_SPRINT_2, "Sprint 3");
        check("#3", MID_SPRINT_2, "Sprint 3");
        check("21", MID_SPRINT_2, "FY26 Sp21");
        check("fy26 sp21", MID_SPRINT_2, "FY26 Sp21");
        check("hardening", MID_SPRINT_2, "Hardening");
    }

    #[test]
    fn a_day_names_the_sprint_it_falls_in_and_a_shared_day_the_later_one() {
        check("2026-04-10", MID_SPRINT_2, "Sprint 3");
        check("2026-03-22", MID_SPRINT_2, "Sprint 2");
        check("2026-03-21", MID_SPRINT_2, "FY26 Sp21");
        check(
            "2026-04-05",
            MID_SPRINT_2,
            "error: no sprint includes 2026-04-05",
        );
    }

    #[test]
    fn now_and_next_follow_the_clock() {
        check("now", MID_SPRINT_2, "Sprint 2");
        check("next", MID_SPRINT_2, "Sprint 3");
        check("NEXT", "2026-03-01T00:00:00Z", "FY26 Sp21");
        check(
            "next",
            "2026-05-01T00:00:00Z",
            "error: no sprint is planned after now",
        );
        check(
            "now",
            "2026-03-01T00:00:00Z",
            "error: no sprint is in force now",
        );
    }

    #[test]
    fn anything_else_says_what_to_type() {
        check(
            "7",
            MID_SPRINT_2,
            "error: no sprint is called `7`: name a sprint as the schedule shows it (\"Sprint 8\", or just 8), a day in it (2026-04-06), `now` or `next`",
        );
        check(
            "soon",
            MID_SPRINT_2,
            "error: no sprint is called `soon`: name a sprint as the schedule shows it (\"Sprint 8\", or just 8), a day in it (2026-04-06), `now` or `next`",
        );
    }

    #[test]
    fn a_number_several_names_end_with_is_ambiguous() {
        let mut sprints = sprints();
        sprints[3].name = "Team 3".to_string();
        let found = resolve_sprint("3", &sprints, &team(), MID_SPRINT_2.parse().unwrap());
        assert_eq!(
            found.unwrap_err().to_string(),
            "`3` could be Sprint 3 or Team 3; type the whole name"
        );
    }

    #[test]
    fn trailing_numbers() {
        assert_eq!(trailing_number("Sprint 8"), Some(8));
        assert_eq!(trailing_number("FY26 Sp21"), Some(21));
        assert_eq!(trailing_number("Hardening"), None);
        assert_eq!(trailing_number("Sprint 99999999999999999999999"), None);
    }
}
