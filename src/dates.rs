//! How dates and times are written for people, in one place: a day, a span of days and an
//! instant, in Slack's style and in the command line's.
//!
//! Slack (and the demo, which shows Slack): a day is `Mon Mar 9`, with the year
//! (`Mon Mar 9, 2027`) only when it is not the current year; a span of days is
//! `Mon Mar 9 to Sun Mar 22`, both ends inclusive; an instant is `Mon Mar 23 08:00 PDT`, in the
//! team's zone with the abbreviation in force at that instant, the year added as for a day. The
//! command line's text output writes ISO: `2026-03-09`, `2026-03-09 to 2026-03-22`,
//! `2026-03-23 08:00 PDT`. JSON output (RFC 3339) is not written here.
//!
//! Texts use "until" only before an instant: the handoff when duty ends. A day-based end is a
//! span. This module only formats: the current year comes in with `now`, and it reads no clock.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::domain::Team;

/// Slack's style: `Mon Mar 9`, `Mon Mar 9 to Sun Mar 22`, `Mon Mar 23 08:00 PDT`.
#[derive(Debug, Clone)]
pub struct SlackDates {
    zone: TimeZone,
    /// The team's current year: a date in any other year is written with its year.
    year: i16,
}

impl SlackDates {
    /// Dates for `team` at `now`.
    pub fn new(team: &Team, now: Timestamp) -> SlackDates {
        SlackDates::in_zone(team.zone.clone(), now)
    }

    /// Dates in `zone` at `now`.
    pub fn in_zone(zone: TimeZone, now: Timestamp) -> SlackDates {
        let year = now.to_zoned(zone.clone()).year();
        SlackDates { zone, year }
    }

    /// A day: `Mon Mar 9`, or `Mon Mar 9, 2027` in another year.
    pub fn day(&self, date: Date) -> String {
        if date.year() == self.year {
            date.strftime("%a %b %-d").to_string()
        } else {
            date.strftime("%a %b %-d, %Y").to_string()
        }
    }

    /// A span of days, both inclusive: `Mon Mar 9 to Sun Mar 22`.
    pub fn span(&self, first: Date, last: Date) -> String {
        format!("{} to {}", self.day(first), self.day(last))
    }

    /// An instant in the team's zone: `Mon Mar 23 08:00 PDT`.
    pub fn instant(&self, at: Timestamp) -> String {
        let date = at.to_zoned(self.zone.clone()).date();
        format!("{} {}", self.day(date), self.time(at))
    }

    /// The team's calendar day of an instant.
    pub fn date_of(&self, at: Timestamp) -> Date {
        at.to_zoned(self.zone.clone()).date()
    }

    /// The time of day of an instant, for relative forms ("tomorrow at 08:00 PDT").
    pub fn time(&self, at: Timestamp) -> String {
        at.to_zoned(self.zone.clone())
            .strftime("%H:%M %Z")
            .to_string()
    }
}

/// The command line's style, ISO: `2026-03-09`, `2026-03-09 to 2026-03-22`,
/// `2026-03-23 08:00 PDT`.
#[derive(Debug, Clone)]
pub struct CliDates {
    zone: TimeZone,
}

impl CliDates {
    /// Dates for `team`.
    pub fn new(team: &Team) -> CliDates {
        CliDates {
            zone: team.zone.clone(),
        }
    }

    /// A day: `2026-03-09`.
    pub fn day(&self, date: Date) -> String {
        date.strftime("%Y-%m-%d").to_string()
    }

    /// A span of days, both inclusive: `2026-03-09 to 2026-03-22`.
    pub fn span(&self, first: Date, last: Date) -> String {
        format!("{} to {}", self.day(first), self.day(last))
    }

    /// An instant in the team's zone: `2026-03-23 08:00 PDT`.
    pub fn instant(&self, at: Timestamp) -> String {
        at.to_zoned(self.zone.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::{Time, date};

    use super::*;

    fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: Default::default(),
        }
    }

    /// Slack's dates on Thu 2026-03-12 in Los Angeles.
    fn slack() -> SlackDates {
        SlackDates::new(&team(), "2026-03-12T17:00:00Z".parse().unwrap())
    }

    #[track_caller]
    fn check_instant(at: &str, slack_text: &str, cli_text: &str) {
        let at: Timestamp = at.parse().unwrap();
        assert_eq!(slack().instant(at), slack_text, "Slack, {at}");
        assert_eq!(CliDates::new(&team()).instant(at), cli_text, "CLI, {at}");
    }

    #[test]
    fn a_day_has_its_weekday_and_the_year_only_when_it_is_not_this_one() {
        let slack = slack();
        assert_eq!(slack.day(date(2026, 3, 9)), "Mon Mar 9");
        assert_eq!(slack.day(date(2026, 12, 31)), "Thu Dec 31");
        assert_eq!(slack.day(date(2027, 3, 8)), "Mon Mar 8, 2027");
        assert_eq!(slack.day(date(2025, 12, 29)), "Mon Dec 29, 2025");
        assert_eq!(CliDates::new(&team()).day(date(2026, 3, 9)), "2026-03-09");
    }

    #[test]
    fn the_current_year_is_the_teams_not_utcs() {
        // 2026-12-31 20:00 in Los Angeles is already 2027 in UTC.
        let slack = SlackDates::new(&team(), "2027-01-01T04:00:00Z".parse().unwrap());
        assert_eq!(slack.day(date(2026, 12, 31)), "Thu Dec 31");
        assert_eq!(slack.day(date(2027, 1, 1)), "Fri Jan 1, 2027");
    }

    #[test]
    fn a_span_gives_both_inclusive_days() {
        let cli = CliDates::new(&team());
        assert_eq!(
            slack().span(date(2026, 3, 9), date(2026, 3, 22)),
            "Mon Mar 9 to Sun Mar 22"
        );
        assert_eq!(
            slack().span(date(2026, 12, 28), date(2027, 1, 10)),
            "Mon Dec 28 to Sun Jan 10, 2027"
        );
        assert_eq!(
            cli.span(date(2026, 3, 9), date(2026, 3, 22)),
            "2026-03-09 to 2026-03-22"
        );
    }

    #[test]
    fn an_instant_is_local_with_the_abbreviation_in_force_then() {
        // Clocks spring forward on Sun 2026-03-08 at 02:00 in Los Angeles.
        check_instant(
            "2026-03-07T16:00:00Z",
            "Sat Mar 7 08:00 PST",
            "2026-03-07 08:00 PST",
        );
        check_instant(
            "2026-03-08T09:30:00Z",
            "Sun Mar 8 01:30 PST",
            "2026-03-08 01:30 PST",
        );
        check_instant(
            "2026-03-08T10:30:00Z",
            "Sun Mar 8 03:30 PDT",
            "2026-03-08 03:30 PDT",
        );
        check_instant(
            "2026-03-23T15:00:00Z",
            "Mon Mar 23 08:00 PDT",
            "2026-03-23 08:00 PDT",
        );
        // Clocks fall back on Sun 2026-11-01 at 02:00: 01:30 happens twice.
        check_instant(
            "2026-11-01T08:30:00Z",
            "Sun Nov 1 01:30 PDT",
            "2026-11-01 01:30 PDT",
        );
        check_instant(
            "2026-11-01T09:30:00Z",
            "Sun Nov 1 01:30 PST",
            "2026-11-01 01:30 PST",
        );
        check_instant(
            "2027-01-04T16:00:00Z",
            "Mon Jan 4, 2027 08:00 PST",
            "2027-01-04 08:00 PST",
        );
    }

    #[test]
    fn the_time_of_an_instant_keeps_the_instants_format() {
        let at: Timestamp = "2026-03-23T15:00:00Z".parse().unwrap();
        assert_eq!(slack().time(at), "08:00 PDT");
        assert!(slack().instant(at).ends_with(&slack().time(at)));
    }
}
