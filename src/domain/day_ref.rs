//! What a person types to name a day, and the day it names.
//!
//! Accepted: a date (`2026-03-20`), `today`, `tomorrow`, `yesterday`, a weekday (`friday` or
//! `fri`, also `this friday`: the coming one, today included) or `next <weekday>` (that weekday
//! in next week, weeks starting on Monday: on a Wednesday, `next friday` is nine days away and
//! `next monday` five). Words are case-insensitive. Reading is separate from resolving, so a
//! parser without a clock can check the words; resolving takes `now` and the team's zone as
//! parameters. Pure: no clock, no I/O.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use super::workdays::weekday_named;

/// Words that name no day. The text lists what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a day: say a date (2026-03-20), today, tomorrow, yesterday, a weekday (friday) or next monday"
)]
pub struct DayRefError(pub String);

/// A day as a person named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayRef {
    Date(Date),
    Today,
    Tomorrow,
    Yesterday,
    /// The coming such weekday, today included.
    Weekday(Weekday),
    /// That weekday in next week (weeks start on Monday).
    NextWeekday(Weekday),
}

impl DayRef {
    /// Reads the words (see the module docs).
    pub fn parse(text: &str) -> Result<DayRef, DayRefError> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let refused = || DayRefError(words.join(" "));
        match words.as_slice() {
            ["today"] => Ok(DayRef::Today),
            ["tomorrow"] => Ok(DayRef::Tomorrow),
            ["yesterday"] => Ok(DayRef::Yesterday),
            ["next", day] => weekday_named(day)
                .map(DayRef::NextWeekday)
                .ok_or_else(refused),
            ["this", day] => weekday_named(day).map(DayRef::Weekday).ok_or_else(refused),
            [word] => {
                if let Some(day) = weekday_named(word) {
                    return Ok(DayRef::Weekday(day));
                }
                word.parse::<Date>()
                    .ok()
                    .filter(|_| word.len() == 10)
                    .map(DayRef::Date)
                    .ok_or_else(refused)
            }
            _ => Err(refused()),
        }
    }

    /// The day this names, seen at `now` in `zone`.
    pub fn date(self, now: Timestamp, zone: &TimeZone) -> Date {
        let today = now.to_zoned(zone.clone()).date();
        let offset = |day: Weekday| i64::from(day.to_monday_zero_offset());
        let days_ahead = match self {
            DayRef::Date(date) => return date,
            DayRef::Today => 0,
            DayRef::Tomorrow => 1,
            DayRef::Yesterday => -1,
            DayRef::Weekday(day) => (offset(day) - offset(today.weekday())).rem_euclid(7),
            DayRef::NextWeekday(day) => 7 - offset(today.weekday()) + offset(day),
        };
        today
            .checked_add(Span::new().days(days_ahead))
            .unwrap_or(today)
    }
}

/// The day `text` names, seen at `now` in `zone`.
pub fn resolve_day(text: &str, now: Timestamp, zone: &TimeZone) -> Result<Date, DayRefError> {
    DayRef::parse(text).map(|day| day.date(now, zone))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wednesday 2026-03-11, 23:30 in Los Angeles (already Thursday in UTC).
    fn now() -> Timestamp {
        "2026-03-12T06:30:00Z".parse().unwrap()
    }

    #[track_caller]
    fn check(text: &str, expected: Result<&str, &str>) {
        let zone = TimeZone::get("America/Los_Angeles").unwrap();
        let day = resolve_day(text, now(), &zone)
            .map(|d| d.strftime("%a %Y-%m-%d").to_string())
            .map_err(|e| e.to_string());
        assert_eq!(day.as_deref().map_err(String::as_str), expected, "{text:?}");
    }

    #[test]
    fn relative_days_count_from_today_in_the_team_zone() {
        check("today", Ok("Wed 2026-03-11"));
        check("Tomorrow", Ok("Thu 2026-03-12"));
        check("yesterday", Ok("Tue 2026-03-10"));
    }

    #[test]
    fn a_weekday_is_the_coming_one_and_next_is_in_next_week() {
        check("wednesday", Ok("Wed 2026-03-11"));
        check("this wed", Ok("Wed 2026-03-11"));
        check("friday", Ok("Fri 2026-03-13"));
        check("FRI", Ok("Fri 2026-03-13"));
        check("tuesday", Ok("Tue 2026-03-17"));
        check("monday", Ok("Mon 2026-03-16"));
        check("next monday", Ok("Mon 2026-03-16"));
        check("next friday", Ok("Fri 2026-03-20"));
        check("next wednesday", Ok("Wed 2026-03-18"));
        check("next sun", Ok("Sun 2026-03-22"));
    }

    #[test]
    fn a_date_is_itself() {
        check("2026-03-20", Ok("Fri 2026-03-20"));
        check("2025-12-25", Ok("Thu 2025-12-25"));
    }

    #[test]
    fn anything_else_says_what_is_accepted() {
        let refused = |words: &str| {
            format!(
                "`{words}` is not a day: say a date (2026-03-20), today, tomorrow, yesterday, a weekday (friday) or next monday"
            )
        };
        check("someday", Err(&refused("someday")));
        check("2026-02-30", Err(&refused("2026-02-30")));
        check("2026-3-20", Err(&refused("2026-3-20")));
        check("next week", Err(&refused("next week")));
        check("next", Err(&refused("next")));
        check("friday please", Err(&refused("friday please")));
        check("", Err(&refused("")));
    }
}
