//! Working days, and when the bot speaks to people about duty that has not started yet.
//!
//! A team works on some weekdays (`mon-fri` unless configured) except on its holidays. Before a
//! handoff, the heads-up goes out at the heads-up time on the last working day before the
//! handoff's day: Friday for a Monday handoff, Thursday when that Friday is a holiday. An
//! optional reminder goes out earlier, at the same time of day on the last working day at or
//! before the handoff's day minus the lead, and is skipped when that is not before the heads-up.
//! A routine direct message (one about duty that has not started) caused on a day off waits for
//! the next working day's heads-up time, unless what it announces takes effect sooner.
//!
//! The heads-up time is a wall-clock time in the team's zone: on a daylight-saving change day it
//! is still, say, 17:00 local. A time in a spring-forward gap moves forward by the gap's length;
//! one in a fall-back fold takes the earlier instant (as handoffs do). Pure: no clock, no I/O.

use std::collections::BTreeSet;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

/// How far [`WorkCalendar`] looks for a working day before giving up (only a calendar whose
/// holidays fill more than a year finds none).
const SEARCH_DAYS: usize = 800;

/// The longest reminder lead, in days.
pub const MAX_REMINDER_LEAD_DAYS: i32 = 60;

/// Monday first, as bits 0 to 6.
const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Why a list of working days or a reminder lead is not valid. The text says what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkdaysError {
    /// A word of a list of working days is not a weekday.
    #[error(
        "`{0}` is not a weekday: expected days such as mon-fri, sun-thu or mon,tue,wed,thu,fri"
    )]
    NotAWeekday(String),
    /// The list names no day.
    #[error("name at least one working day, such as mon-fri")]
    NoWorkday,
    /// A reminder lead that is not a number of days or weeks from 1 day to 60 days.
    #[error("expected a number of days or weeks such as 7d or 2w, from 1d to 60d")]
    BadLead,
}

/// The weekdays a team works: at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekdays(u8);

impl Weekdays {
    /// Monday to Friday.
    pub const MONDAY_TO_FRIDAY: Weekdays = Weekdays(0b001_1111);

    /// Reads `mon-fri`, `sun-thu`, `mon,tue,wed` or a mix (`mon-wed,fri`), in any case, with
    /// three-letter or full day names. A range may wrap past Sunday (`sun-thu`, `fri-mon`).
    pub fn parse(text: &str) -> Result<Weekdays, WorkdaysError> {
        let mut bits = 0u8;
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            match item.split_once('-') {
                Some((first, last)) => {
                    let (first, last) = (day_number(first)?, day_number(last)?);
                    let mut day = first;
                    loop {
                        bits |= 1 << day;
                        if day == last {
                            break;
                        }
                        day = (day + 1) % 7;
                    }
                }
                None => bits |= 1 << day_number(item)?,
            }
        }
        if bits == 0 {
            return Err(WorkdaysError::NoWorkday);
        }
        Ok(Weekdays(bits))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.to_monday_zero_offset()) != 0
    }
}

impl Default for Weekdays {
    fn default() -> Weekdays {
        Weekdays::MONDAY_TO_FRIDAY
    }
}

/// `mon-fri`, `sun-thu`, `mon,wed,fri`: runs of three days or more as ranges, Monday first
/// (a run through Sunday into Monday is one range).
impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0b111_1111 {
            return f.write_str("mon-sun");
        }
        // Start after a day off, so a run wrapping past Sunday stays whole.
        let start = (0..7).find(|d| self.0 & (1 << d) == 0).map_or(0, |d| d + 1);
        let mut runs: Vec<Vec<usize>> = vec![Vec::new()];
        for offset in 0..7 {
            let day = (start + offset) % 7;
            match runs.last_mut() {
                Some(run) if self.0 & (1 << day) != 0 => run.push(day),
                _ => runs.push(Vec::new()),
            }
        }
        runs.retain(|run| !run.is_empty());
        runs.sort_by_key(|run| run[0]);
        let parts: Vec<String> = runs
            .iter()
            .flat_map(|run| match run.as_slice() {
                [first, .., last] if run.len() >= 3 => {
                    vec![format!("{}-{}", NAMES[*first], NAMES[*last])]
                }
                days => days.iter().map(|d| NAMES[*d].to_string()).collect(),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// The day number (Monday = 0) of a day name: three letters or the full name, any case.
fn day_number(word: &str) -> Result<usize, WorkdaysError> {
    let lower = word.trim().to_lowercase();
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    (0..7)
        .find(|&d| lower == NAMES[d] || lower == full[d])
        .ok_or_else(|| WorkdaysError::NotAWeekday(word.trim().to_string()))
}

/// The weekday a three-letter or full day name (any case) names.
pub fn weekday_named(word: &str) -> Option<Weekday> {
    day_number(word).ok().map(|d| WEEK[d])
}

/// Which days a team works: its weekdays, except its holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    pub weekdays: Weekdays,
    pub holidays: BTreeSet<Date>,
}

impl WorkCalendar {
    pub fn is_working_day(&self, day: Date) -> bool {
        self.weekdays.contains(day.weekday()) && !self.holidays.contains(&day)
    }

    /// The last working day strictly before `day`.
    pub fn last_working_day_before(&self, day: Date) -> Option<Date> {
        self.working_day_at_or_before(day.yesterday().ok()?)
    }

    /// `day` when it is a working day, else the last working day before it.
    pub fn working_day_at_or_before(&self, day: Date) -> Option<Date> {
        std::iter::successors(Some(day), |d| d.yesterday().ok())
            .take(SEARCH_DAYS)
            .find(|d| self.is_working_day(*d))
    }

    /// The first working day strictly after `day`.
    pub fn next_working_day_after(&self, day: Date) -> Option<Date> {
        std::iter::successors(day.tomorrow().ok(), |d| d.tomorrow().ok())
            .take(SEARCH_DAYS)
            .find(|d| self.is_working_day(*d))
    }
}

/// How long before a handoff the optional reminder goes out: whole days, 1 to 60.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderLead {
    days: i32,
}

impl ReminderLead {
    /// Reads `7d` or `2w` (whole days or weeks, 1 to 60 days in all).
    pub fn parse(text: &str) -> Result<ReminderLead, WorkdaysError> {
        let text = text.trim().to_lowercase();
        let (number, per) = if let Some(days) = text.strip_suffix('d') {
            (days, 1)
        } else if let Some(weeks) = text.strip_suffix('w') {
            (weeks, 7)
        } else {
            return Err(WorkdaysError::BadLead);
        };
        let digits = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        let count: i32 = match number.parse() {
            Ok(count) if digits => count,
            _ => return Err(WorkdaysError::BadLead),
        };
        let days = count.checked_mul(per).ok_or(WorkdaysError::BadLead)?;
        if !(1..=MAX_REMINDER_LEAD_DAYS).contains(&days) {
            return Err(WorkdaysError::BadLead);
        }
        Ok(ReminderLead { days })
    }

    pub fn days(self) -> i32 {
        self.days
    }
}

impl fmt::Display for ReminderLead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}d", self.days)
    }
}

/// When the heads-up and the optional reminder go out, and when routine messages may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadsUpSchedule {
    /// The local time of day of the heads-up and the reminder.
    pub time: Time,
    pub calendar: WorkCalendar,
    pub reminder_lead: Option<ReminderLead>,
}

impl Default for HeadsUpSchedule {
    fn default() -> HeadsUpSchedule {
        HeadsUpSchedule {
            time: Time::constant(17, 0, 0, 0),
            calendar: WorkCalendar::default(),
            reminder_lead: None,
        }
    }
}

impl HeadsUpSchedule {
    /// The heads-up before the handoff at `handoff`: the heads-up time on the last working day
    /// before the handoff's day in `zone`. `None` only when no working day is found.
    pub fn heads_up_at(&self, zone: &TimeZone, handoff: Timestamp) -> Option<Timestamp> {
        let handoff_day = handoff.to_zoned(zone.clone()).date();
        let day = self.calendar.last_working_day_before(handoff_day)?;
        local_instant(zone, day, self.time)
    }

    /// The start (local midnight) of the day of the heads-up before the handoff at `handoff`:
    /// the last working day of the duty that ends then. `None` only when no working day is found.
    pub fn last_working_day_start(&self, zone: &TimeZone, handoff: Timestamp) -> Option<Timestamp> {
        let day = self
            .heads_up_at(zone, handoff)?
            .to_zoned(zone.clone())
            .date();
        zone.to_ambiguous_timestamp(day.to_datetime(Time::midnight()))
            .compatible()
            .ok()
    }

    /// The reminder before the handoff at `handoff`, if a lead is set: the heads-up time on the
    /// last working day at or before the handoff's day minus the lead. `None` without a lead,
    /// or when that moment is not before the heads-up.
    pub fn reminder_at(&self, zone: &TimeZone, handoff: Timestamp) -> Option<Timestamp> {
        let lead = self.reminder_lead?;
        let handoff_day = handoff.to_zoned(zone.clone()).date();
        let target = handoff_day
            .checked_sub(jiff::Span::new().days(lead.days()))
            .ok()?;
        let day = self.calendar.working_day_at_or_before(target)?;
        let reminder = local_instant(zone, day, self.time)?;
        let heads_up = self.heads_up_at(zone, handoff)?;
        (reminder < heads_up).then_some(reminder)
    }

    /// The reminder of a coverage request or offer nobody has taken yet, before the handoff at
    /// `handoff`: the heads-up time on the last working day before the heads-up's day, so it
    /// comes a working day before the heads-up. `None` only when no working day is found.
    pub fn untaken_reminder_at(&self, zone: &TimeZone, handoff: Timestamp) -> Option<Timestamp> {
        let heads_up = self.heads_up_at(zone, handoff)?;
        let day = heads_up.to_zoned(zone.clone()).date();
        let day = self.calendar.last_working_day_before(day)?;
        local_instant(zone, day, self.time)
    }

    /// When a routine message caused at `now` goes out: at once on a working day; on a day off,
    /// at the next working day's heads-up time, or at once if what it announces `takes_effect`
    /// before then.
    pub fn routine_delivery(
        &self,
        zone: &TimeZone,
        now: Timestamp,
        takes_effect: Timestamp,
    ) -> Timestamp {
        let today = now.to_zoned(zone.clone()).date();
        if self.calendar.is_working_day(today) {
            return now;
        }
        let next = self
            .calendar
            .next_working_day_after(today)
            .and_then(|day| local_instant(zone, day, self.time));
        match next {
            Some(next) if takes_effect >= next => next,
            _ => now,
        }
    }
}

/// The instant of the wall-clock `time` on `day` in `zone` (a gap moves forward, a fold takes
/// the earlier instant).
fn local_instant(zone: &TimeZone, day: Date, time: Time) -> Option<Timestamp> {
    zone.to_ambiguous_timestamp(day.to_datetime(time))
        .compatible()
        .ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn zone() -> TimeZone {
        TimeZone::get("America/Los_Angeles").unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// The handoff at 08:00 Los Angeles time on `day`.
    fn handoff(day: Date) -> Timestamp {
        local_instant(&zone(), day, Time::constant(8, 0, 0, 0)).unwrap()
    }

    fn schedule(workdays: &str, holidays: &[Date], lead: Option<&str>) -> HeadsUpSchedule {
        HeadsUpSchedule {
            time: Time::constant(17, 0, 0, 0),
            calendar: WorkCalendar {
                weekdays: Weekdays::parse(workdays).unwrap(),
                holidays: holidays.iter().copied().collect(),
            },
            reminder_lead: lead.map(|lead| ReminderLead::parse(lead).unwrap()),
        }
    }

    /// The heads-up before the 08:00 handoff on `day`, in local time.
    #[track_caller]
    fn check_heads_up(schedule: &HeadsUpSchedule, day: Date, expected: &str) {
        let moment = schedule.heads_up_at(&zone(), handoff(day)).unwrap();
        let local = moment.to_zoned(zone()).strftime("%a %Y-%m-%d %H:%M %Z");
        assert_eq!(local.to_string(), expected);
    }

    #[test]
    fn a_monday_handoff_gets_its_heads_up_on_friday() {
        let mon_fri = schedule("mon-fri", &[], None);
        check_heads_up(&mon_fri, date(2026, 3, 23), "Fri 2026-03-20 17:00 PDT");
        assert_eq!(
            mon_fri.heads_up_at(&zone(), handoff(date(2026, 3, 23))),
            Some(at("2026-03-21T00:00:00Z"))
        );
    }

    /// The reminder of an untaken request before the 08:00 handoff on `day`, in local time.
    #[track_caller]
    fn check_untaken(schedule: &HeadsUpSchedule, day: Date, expected: &str) {
        let moment = schedule.untaken_reminder_at(&zone(), handoff(day)).unwrap();
        let local = moment.to_zoned(zone()).strftime("%a %Y-%m-%d %H:%M %Z");
        assert_eq!(local.to_string(), expected);
    }

    #[test]
    fn an_untaken_request_is_recalled_a_working_day_before_the_heads_up() {
        let mon_fri = schedule("mon-fri", &[], None);
        check_untaken(&mon_fri, date(2026, 3, 23), "Thu 2026-03-19 17:00 PDT");
        check_untaken(&mon_fri, date(2026, 3, 24), "Fri 2026-03-20 17:00 PDT");
        let holiday = schedule("mon-fri", &[date(2026, 3, 19)], None);
        check_untaken(&holiday, date(2026, 3, 23), "Wed 2026-03-18 17:00 PDT");
        // Across the change to daylight time (Sun Mar 8 2026): still 17:00 local.
        check_untaken(&mon_fri, date(2026, 3, 9), "Thu 2026-03-05 17:00 PST");
        // And back (Sun Nov 1 2026).
        check_untaken(&mon_fri, date(2026, 11, 3), "Fri 2026-10-30 17:00 PDT");
    }

    #[test]
    fn a_tuesday_handoff_gets_its_heads_up_on_monday() {
        check_heads_up(
            &schedule("mon-fri", &[], None),
            date(2026, 3, 24),
            "Mon 2026-03-23 17:00 PDT",
        );
    }

    #[test]
    fn a_holiday_friday_moves_the_heads_up_to_thursday() {
        let holiday = schedule("mon-fri", &[date(2026, 3, 20)], None);
        check_heads_up(&holiday, date(2026, 3, 23), "Thu 2026-03-19 17:00 PDT");
        // Holidays on the Thursday too, and on the handoff day itself (which changes nothing).
        let more = schedule(
            "mon-fri",
            &[date(2026, 3, 19), date(2026, 3, 20), date(2026, 3, 23)],
            None,
        );
        check_heads_up(&more, date(2026, 3, 23), "Wed 2026-03-18 17:00 PDT");
    }

    #[test]
    fn a_sunday_to_thursday_week() {
        let sun_thu = schedule("sun-thu", &[], None);
        // A Sunday handoff: Thursday. A Monday handoff: Sunday. A Friday handoff: Thursday.
        check_heads_up(&sun_thu, date(2026, 3, 22), "Thu 2026-03-19 17:00 PDT");
        check_heads_up(&sun_thu, date(2026, 3, 23), "Sun 2026-03-22 17:00 PDT");
        check_heads_up(&sun_thu, date(2026, 3, 27), "Thu 2026-03-26 17:00 PDT");
    }

    #[test]
    fn the_heads_up_keeps_its_local_time_across_both_daylight_saving_changes() {
        let mon_fri = schedule("mon-fri", &[], None);
        let sun_mon = schedule("sun,mon", &[], None);
        // Spring forward on Sun 2026-03-08: the Friday before is PST, the Sunday itself PDT.
        check_heads_up(&mon_fri, date(2026, 3, 9), "Fri 2026-03-06 17:00 PST");
        check_heads_up(&sun_mon, date(2026, 3, 9), "Sun 2026-03-08 17:00 PDT");
        assert_eq!(
            sun_mon.heads_up_at(&zone(), handoff(date(2026, 3, 9))),
            Some(at("2026-03-09T00:00:00Z"))
        );
        // Fall back on Sun 2026-11-01: the Sunday itself is PST again.
        check_heads_up(&mon_fri, date(2026, 11, 2), "Fri 2026-10-30 17:00 PDT");
        check_heads_up(&sun_mon, date(2026, 11, 2), "Sun 2026-11-01 17:00 PST");
        assert_eq!(
            sun_mon.heads_up_at(&zone(), handoff(date(2026, 11, 2))),
            Some(at("2026-11-02T01:00:00Z"))
        );
        // A heads-up time inside the spring-forward gap moves forward by the gap; one inside
        // the fall-back fold takes the earlier instant.
        let gap = HeadsUpSchedule {
            time: Time::constant(2, 30, 0, 0),
            ..sun_mon.clone()
        };
        assert_eq!(
            gap.heads_up_at(&zone(), handoff(date(2026, 3, 9))),
            Some(at("2026-03-08T10:30:00Z"))
        );
        let fold = HeadsUpSchedule {
            time: Time::constant(1, 30, 0, 0),
            ..sun_mon
        };
        assert_eq!(
            fold.heads_up_at(&zone(), handoff(date(2026, 11, 2))),
            Some(at("2026-11-01T08:30:00Z"))
        );
    }

    #[track_caller]
    fn check_reminder(schedule: &HeadsUpSchedule, day: Date, expected: Option<&str>) {
        let moment = schedule.reminder_at(&zone(), handoff(day));
        let local = moment.map(|m| m.to_zoned(zone()).strftime("%a %Y-%m-%d %H:%M").to_string());
        assert_eq!(local.as_deref(), expected);
    }

    #[test]
    fn the_reminder_lands_on_a_working_day_before_the_heads_up() {
        let week = schedule("mon-fri", &[], Some("7d"));
        check_reminder(&week, date(2026, 3, 23), Some("Mon 2026-03-16 17:00"));
        // Handoff minus the lead on a Saturday: the Friday before.
        let nine = schedule("mon-fri", &[], Some("9d"));
        check_reminder(&nine, date(2026, 3, 23), Some("Fri 2026-03-13 17:00"));
        // A holiday on that day: the working day before it.
        let holiday = schedule("mon-fri", &[date(2026, 3, 16)], Some("1w"));
        check_reminder(&holiday, date(2026, 3, 23), Some("Fri 2026-03-13 17:00"));
        // A lead that lands on or after the heads-up is skipped: 1d and 3d before a Monday
        // handoff are Sunday and Friday, both the heads-up's day or later.
        check_reminder(
            &schedule("mon-fri", &[], Some("1d")),
            date(2026, 3, 23),
            None,
        );
        check_reminder(
            &schedule("mon-fri", &[], Some("3d")),
            date(2026, 3, 23),
            None,
        );
        check_reminder(
            &schedule("mon-fri", &[], Some("4d")),
            date(2026, 3, 23),
            Some("Thu 2026-03-19 17:00"),
        );
        check_reminder(&schedule("mon-fri", &[], None), date(2026, 3, 23), None);
    }

    #[track_caller]
    fn check_routine(now: &str, takes_effect: &str, expected: &str) {
        let schedule = schedule("mon-fri", &[date(2026, 3, 23)], None);
        let delivery = schedule.routine_delivery(&zone(), at(now), at(takes_effect));
        assert_eq!(delivery, at(expected), "{now} {takes_effect}");
    }

    #[test]
    fn a_routine_message_on_a_day_off_waits_for_the_next_working_days_heads_up_time() {
        // A working day (Friday 2026-03-20, local): at once.
        check_routine(
            "2026-03-20T22:00:00Z",
            "2026-04-06T15:00:00Z",
            "2026-03-20T22:00:00Z",
        );
        // Saturday: until Tuesday 17:00, as Monday is a holiday.
        check_routine(
            "2026-03-21T18:00:00Z",
            "2026-04-06T15:00:00Z",
            "2026-03-25T00:00:00Z",
        );
        // Unless it takes effect sooner (Monday's 08:00 handoff).
        check_routine(
            "2026-03-21T18:00:00Z",
            "2026-03-23T15:00:00Z",
            "2026-03-21T18:00:00Z",
        );
        // Late on Friday in UTC is still Friday afternoon in Los Angeles; early Saturday in UTC.
        check_routine(
            "2026-03-21T06:59:00Z",
            "2026-04-06T15:00:00Z",
            "2026-03-21T06:59:00Z",
        );
        check_routine(
            "2026-03-21T07:00:00Z",
            "2026-04-06T15:00:00Z",
            "2026-03-25T00:00:00Z",
        );
    }

    #[track_caller]
    fn check_weekdays(text: &str, expected: Result<&str, &str>) {
        let parsed = Weekdays::parse(text)
            .map(|w| w.to_string())
            .map_err(|e| e.to_string());
        assert_eq!(
            parsed.as_deref().map_err(String::as_str),
            expected,
            "{text:?}"
        );
    }

    #[test]
    fn weekdays_are_read_as_ranges_and_lists() {
        check_weekdays("mon-fri", Ok("mon-fri"));
        check_weekdays("Mon,Tue,Wed,Thu,Fri", Ok("mon-fri"));
        check_weekdays(" monday - friday ", Ok("mon-fri"));
        check_weekdays("sun-thu", Ok("sun-thu"));
        check_weekdays("fri-mon", Ok("fri-mon"));
        check_weekdays("mon,wed,fri", Ok("mon,wed,fri"));
        check_weekdays("mon-wed,fri", Ok("mon-wed,fri"));
        check_weekdays("sat,sun", Ok("sat,sun"));
        check_weekdays("mon-sun", Ok("mon-sun"));
        check_weekdays("tue", Ok("tue"));
        check_weekdays(
            "weekdays",
            Err(
                "`weekdays` is not a weekday: expected days such as mon-fri, sun-thu or mon,tue,wed,thu,fri",
            ),
        );
        check_weekdays(
            "mon-fry",
            Err(
                "`fry` is not a weekday: expected days such as mon-fri, sun-thu or mon,tue,wed,thu,fri",
            ),
        );
        check_weekdays("", Err("name at least one working day, such as mon-fri"));
        check_weekdays(" , ", Err("name at least one working day, such as mon-fri"));
    }

    #[test]
    fn reminder_leads_are_whole_days_or_weeks_up_to_60_days() {
        let check = |text: &str, expected: Option<i32>| {
            assert_eq!(
                ReminderLead::parse(text).ok().map(ReminderLead::days),
                expected,
                "{text:?}"
            );
        };
        check("7d", Some(7));
        check("2w", Some(14));
        check(" 60D ", Some(60));
        check("1d", Some(1));
        check("61d", None);
        check("9w", None);
        check("0d", None);
        check("-1d", None);
        check("+3d", None);
        check("7", None);
        check("7h", None);
        check("d", None);
        check("99999999999w", None);
    }

    #[test]
    fn a_calendar_of_holidays_only_has_no_working_day() {
        let everything: BTreeSet<Date> = std::iter::successors(Some(date(2023, 1, 1)), |d| {
            d.tomorrow().ok().filter(|d| *d < date(2030, 1, 1))
        })
        .collect();
        let calendar = WorkCalendar {
            weekdays: Weekdays::MONDAY_TO_FRIDAY,
            holidays: everything,
        };
        let schedule = HeadsUpSchedule {
            calendar,
            ..HeadsUpSchedule::default()
        };
        let handoff = handoff(date(2026, 3, 23));
        assert_eq!(schedule.heads_up_at(&zone(), handoff), None);
        let now = at("2026-03-21T18:00:00Z");
        assert_eq!(schedule.routine_delivery(&zone(), now, handoff), now);
    }
}
