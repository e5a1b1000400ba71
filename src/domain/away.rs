//! Away windows: the days a person is away, what it means for their duty, and what a discipline
//! does about it.
//!
//! A window is a person's (not a discipline's) run of calendar days in the team's zone, first and
//! last day inclusive. A duty *falls in* a window when the window shares a day with the sprint's
//! days. Each discipline chooses a policy: [`AwayPolicy::Warn`] changes nothing (the person is
//! told and asks for cover; the admins are alerted a lead time before the handoff if nobody
//! did), and [`AwayPolicy::SwapNext`] exchanges the slot with the next eligible person's next
//! slot ([`plan_swaps`]): exactly two slots change and nobody else's dates move.
//!
//! Plain functions over plain data: `today` and `now` are parameters, nothing is loaded, and
//! nothing here knows SQLite or Slack.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::conflict::{Around, clash_of};
use super::ids::{DisciplineKey, SlackUserId, SprintIndex};
use super::model::{Assignment, Member, Override, Source, Sprint, Team};
use super::sprint::handoff_instant;

/// The longest window, in days: a longer absence is a change to the rotation, not an absence.
pub const MAX_WINDOW_DAYS: i64 = 366;

/// Who the two overrides of a swap the bot makes are recorded as decided by.
pub const SWAP_DECIDED_BY: &str = "triage-bot";

/// How far ahead an absence may start, in years: a later first day is almost certainly a typo.
pub const MAX_YEARS_AHEAD: i64 = 2;

/// How many sprints after a conflict the swap looks for a partner.
pub const SWAP_SEARCH: usize = 26;

/// Days a person is away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwayWindow {
    pub id: i64,
    pub person: SlackUserId,
    /// First day away.
    pub from: Date,
    /// Last day away (inclusive).
    pub to: Date,
    pub reason: Option<String>,
    /// Who recorded it: a Slack user id or `cli`.
    pub created_by: String,
}

impl AwayWindow {
    /// Whether the window shares a day with `from..=to`.
    pub fn shares_days(&self, from: Date, to: Date) -> bool {
        self.from <= to && from <= self.to
    }

    /// Whether a duty in `sprint` falls in this window.
    pub fn overlaps(&self, sprint: &Sprint) -> bool {
        self.shares_days(sprint.start, sprint.end)
    }
}

/// Whether `person` is away during some day of `sprint`, by any of `windows`.
pub fn is_away(windows: &[AwayWindow], person: &SlackUserId, sprint: &Sprint) -> bool {
    windows
        .iter()
        .any(|w| &w.person == person && w.overlaps(sprint))
}

/// What a discipline does when someone is away during their duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AwayPolicy {
    /// Nothing moves: the person is told, asks for cover, and the admins hear of it if nobody
    /// covers in time.
    #[default]
    Warn,
    /// The person swaps with the next eligible person: exactly two slots change.
    SwapNext,
}

impl AwayPolicy {
    pub const ALL: [AwayPolicy; 2] = [AwayPolicy::Warn, AwayPolicy::SwapNext];

    pub fn as_str(self) -> &'static str {
        match self {
            AwayPolicy::Warn => "warn",
            AwayPolicy::SwapNext => "swap-next",
        }
    }
}

impl fmt::Display for AwayPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no away policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an away policy (expected warn or swap-next)")]
pub struct UnknownPolicy(pub String);

impl FromStr for AwayPolicy {
    type Err = UnknownPolicy;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_lowercase();
        AwayPolicy::ALL
            .into_iter()
            .find(|policy| policy.as_str() == wanted)
            .ok_or_else(|| UnknownPolicy(s.trim().to_string()))
    }
}

/// Why a window cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwayError {
    /// The last day comes before the first.
    #[error("an absence cannot end ({to}) before it starts ({from})")]
    EndsBeforeStart { from: Date, to: Date },
    /// The window's last day is before today: there is nothing left to plan around.
    #[error(
        "that absence ended on {to}, before today ({today}); only current and future absences are kept"
    )]
    Ended { to: Date, today: Date },
    /// The window starts more than [`MAX_YEARS_AHEAD`] years after today: `limit` is the first
    /// day it cannot start on.
    #[error("an absence can start at most {MAX_YEARS_AHEAD} years ahead (before {limit})")]
    TooFarAhead { limit: Date },
    /// The window is longer than [`MAX_WINDOW_DAYS`].
    #[error(
        "an absence can be at most {MAX_WINDOW_DAYS} days; for a longer one, take the person out of the rotation"
    )]
    TooLong,
    /// The window shares a day with another window of the same person.
    #[error(
        "{person} is already away from {from} to {to} (absence #{id}); remove it first to record different days"
    )]
    Overlaps {
        person: SlackUserId,
        id: i64,
        from: Date,
        to: Date,
    },
}

/// Checks a new window of `person` from `from` to `to` against the rules and the person's
/// `existing` windows: it must not end before it starts, end before `today`, start more than
/// [`MAX_YEARS_AHEAD`] years after `today`, last longer than [`MAX_WINDOW_DAYS`], or share a day
/// with another window. The same days again are no error: the window already recorded is
/// returned (an idempotent repeat).
pub fn check_new_window<'a>(
    person: &SlackUserId,
    from: Date,
    to: Date,
    today: Date,
    existing: &'a [AwayWindow],
) -> Result<Option<&'a AwayWindow>, AwayError> {
    if to < from {
        return Err(AwayError::EndsBeforeStart { from, to });
    }
    if to < today {
        return Err(AwayError::Ended { to, today });
    }
    let limit = today
        .checked_add(MAX_YEARS_AHEAD.years())
        .and_then(|last| last.checked_add(1.day()));
    if let Some(limit) = limit.ok().filter(|limit| from >= *limit) {
        return Err(AwayError::TooFarAhead { limit });
    }
    let too_long = from
        .checked_add((MAX_WINDOW_DAYS - 1).days())
        .is_ok_and(|last| to > last);
    if too_long {
        return Err(AwayError::TooLong);
    }
    let mine = existing.iter().filter(|w| &w.person == person);
    if let Some(same) = existing
        .iter()
        .find(|w| &w.person == person && (w.from, w.to) == (from, to))
    {
        return Ok(Some(same));
    }
    match mine.into_iter().find(|w| w.shares_days(from, to)) {
        Some(other) => Err(AwayError::Overlaps {
            person: person.clone(),
            id: other.id,
            from: other.from,
            to: other.to,
        }),
        None => Ok(None),
    }
}

/// One sprint's duty as the away rules see it: the sprint and who holds each slot, and why.
pub type Duty = (Sprint, Vec<Assignment>);

/// A slot whose holder is away during the sprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
}

/// The slots `window`'s person holds in `duties` whose sprint shares a day with the window, in
/// the order given.
pub fn conflicts(window: &AwayWindow, duties: &[Duty]) -> Vec<Conflict> {
    duties
        .iter()
        .filter(|(sprint, _)| window.overlaps(sprint))
        .flat_map(|(sprint, assignments)| {
            assignments
                .iter()
                .filter(|a| a.slack_id.as_ref() == Some(&window.person))
                .map(|a| Conflict {
                    sprint: sprint.index,
                    discipline: a.discipline.clone(),
                })
        })
        .collect()
}

/// Two slots of one discipline exchanged because `away` is away during `away_sprint`: `partner`
/// takes `away_sprint` and `away` takes `partner_sprint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swap {
    pub discipline: DisciplineKey,
    pub away: SlackUserId,
    pub away_sprint: SprintIndex,
    pub partner: SlackUserId,
    pub partner_sprint: SprintIndex,
}

/// The reason of the two overrides a swap caused by absence `window` is recorded as:
/// `away: U1 and U2 swapped (absence #3)`.
pub fn swap_reason(swap: &Swap, window: i64) -> String {
    format!(
        "away: {} and {} swapped {}",
        swap.away,
        swap.partner,
        swap_reason_end(window)
    )
}

/// Whether `o` is one of the two overrides of a swap the bot made for an absence (decided by
/// [`SWAP_DECIDED_BY`], its reason written by [`swap_reason`]), rather than a cover people asked for.
pub fn is_away_swap(o: &Override) -> bool {
    o.decided_by.as_deref() == Some(SWAP_DECIDED_BY)
        && o.reason.as_deref().is_some_and(|r| r.starts_with("away: "))
}

/// How the reason of every swap absence `window` caused ends, by which they are found again:
/// `(absence #3)`.
pub fn swap_reason_end(window: i64) -> String {
    format!("(absence #{window})")
}

fn holder<'a>(duty: &'a Duty, discipline: &DisciplineKey) -> Option<&'a Assignment> {
    duty.1.iter().find(|a| &a.discipline == discipline)
}

fn on_duty_in(duty: &Duty, person: &SlackUserId) -> bool {
    duty.1.iter().any(|a| a.slack_id.as_ref() == Some(person))
}

/// The swap for `conflict` among `future` (sprints that have not started, in order, the
/// conflict's sprint among them), if there is one: the slot must be the rotation's pick (not a
/// cover, not the fallback), and the partner is the holder of the first later slot of the same
/// discipline such that the slot is the rotation's pick too, its holder is someone else who is
/// an active member of the discipline, is not away during the conflict's sprint and holds no slot
/// in it, and the away person is neither away nor on duty in the partner's sprint; with `avoid`,
/// neither gets double or back-to-back duty by it (`before` is the sprint just before `future`).
pub fn plan_swap(
    conflict: &Conflict,
    person: &SlackUserId,
    (before, future): (Option<&Duty>, &[Duty]),
    members: &[Member],
    windows: &[AwayWindow],
    avoid: bool,
) -> Option<Swap> {
    let at = future.iter().position(|d| d.0.index == conflict.sprint)?;
    let here = &future[at];
    let slot = holder(here, &conflict.discipline)?;
    if slot.source != Source::Rotation || slot.slack_id.as_ref() != Some(person) {
        return None;
    }
    let active = |who: &SlackUserId| {
        members
            .iter()
            .any(|m| m.active && &m.slack_id == who && m.discipline == conflict.discipline)
    };
    future[at + 1..].iter().take(SWAP_SEARCH).find_map(|later| {
        let theirs = holder(later, &conflict.discipline)?;
        let partner = theirs.slack_id.as_ref()?;
        let eligible = theirs.source == Source::Rotation
            && partner != person
            && active(partner)
            && !is_away(windows, partner, &here.0)
            && !on_duty_in(here, partner)
            && !is_away(windows, person, &later.0)
            && !on_duty_in(later, person);
        let swap = Swap {
            discipline: conflict.discipline.clone(),
            away: person.clone(),
            away_sprint: here.0.index,
            partner: partner.clone(),
            partner_sprint: later.0.index,
        };
        (eligible && !(avoid && swap_clashes(before, future, &swap))).then_some(swap)
    })
}

/// Whether `swap`, written into `future` (consecutive sprints; `before` is the one just before
/// them), gives either person double or back-to-back duty in the slot they take.
fn swap_clashes(before: Option<&Duty>, future: &[Duty], swap: &Swap) -> bool {
    let mut after = future.to_vec();
    apply_swap(&mut after, swap);
    let none: &[Assignment] = &[];
    let taken = [
        (&swap.partner, swap.away_sprint),
        (&swap.away, swap.partner_sprint),
    ];
    taken.into_iter().any(|(person, sprint)| {
        let Some(at) = after.iter().position(|d| d.0.index == sprint) else {
            return false;
        };
        let previous = match at {
            0 => before.map_or(none, |d| d.1.as_slice()),
            _ => after[at - 1].1.as_slice(),
        };
        let around = Around {
            before: previous,
            same: &after[at].1,
            after: after.get(at + 1).map_or(none, |d| d.1.as_slice()),
        };
        clash_of(person, &swap.discipline, around).is_some()
    })
}

/// Writes `swap` into `future`: both slots become covers.
fn apply_swap(future: &mut [Duty], swap: &Swap) {
    for (sprint, assignments) in future.iter_mut() {
        let holder = if sprint.index == swap.away_sprint {
            &swap.partner
        } else if sprint.index == swap.partner_sprint {
            &swap.away
        } else {
            continue;
        };
        for a in assignments.iter_mut() {
            if a.discipline == swap.discipline {
                a.slack_id = Some(holder.clone());
                a.source = Source::Override;
            }
        }
    }
}

/// The swaps `window` causes in the disciplines of `swapping` (those whose policy is
/// [`AwayPolicy::SwapNext`]), one per conflict in `future` (sprints that have not started, in
/// order; `before` is the sprint just before them), each planned against the duty as the swaps
/// before it left it. `windows` are everyone's windows, `window` included. With `avoid` (the
/// team's `double-duty = avoid`), a partner is passed over when the swap would give either
/// person double or back-to-back duty.
pub fn plan_swaps(
    window: &AwayWindow,
    (before, future): (Option<&Duty>, &[Duty]),
    members: &[Member],
    windows: &[AwayWindow],
    swapping: &[DisciplineKey],
    avoid: bool,
) -> Vec<Swap> {
    let mut duty = future.to_vec();
    let mut swaps = Vec::new();
    for conflict in conflicts(window, future) {
        if !swapping.contains(&conflict.discipline) {
            continue;
        }
        let planned = (before, duty.as_slice());
        if let Some(swap) = plan_swap(&conflict, &window.person, planned, members, windows, avoid) {
            apply_swap(&mut duty, &swap);
            swaps.push(swap);
        }
    }
    swaps
}

/// When the admins are alerted about a conflict in `sprint` still unresolved: `lead_days`
/// before its handoff, at the handoff time.
pub fn alert_moment(team: &Team, sprint: &Sprint, lead_days: i64) -> Timestamp {
    let day = sprint
        .start
        .checked_sub(lead_days.days())
        .unwrap_or(sprint.start);
    handoff_instant(team, day)
}

/// The outbox idempotency key of the admin alert about one conflict, so it is raised once.
pub fn alert_key(window: i64, sprint: SprintIndex, discipline: &DisciplineKey) -> String {
    format!("away-alert:{window}:{sprint}:{discipline}")
}

/// A conflict the admins are to hear of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub window: AwayWindow,
    pub sprint: Sprint,
    pub discipline: DisciplineKey,
}

/// The alerts due at `now`: for each conflict of `windows` in `duties` (sprints that have not
/// ended, with who holds each slot now) whose alert moment has come. A conflict whose person no
/// longer holds the slot (someone covers it) is resolved and raises nothing.
pub fn alerts_due(
    windows: &[AwayWindow],
    duties: &[Duty],
    team: &Team,
    lead_days: i64,
    now: Timestamp,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for window in windows {
        for conflict in conflicts(window, duties) {
            let Some((sprint, _)) = duties.iter().find(|d| d.0.index == conflict.sprint) else {
                continue;
            };
            if alert_moment(team, sprint, lead_days) <= now {
                alerts.push(Alert {
                    window: window.clone(),
                    sprint: sprint.clone(),
                    discipline: conflict.discipline,
                });
            }
        }
    }
    alerts
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use jiff::civil::{Time, date};
    use jiff::tz::TimeZone;

    use super::*;

    fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    fn key(text: &str) -> DisciplineKey {
        DisciplineKey::parse(text).unwrap()
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn window(id: i64, who: &str, from: &str, to: &str) -> AwayWindow {
        AwayWindow {
            id,
            person: user(who),
            from: day(from),
            to: day(to),
            reason: None,
            created_by: "cli".into(),
        }
    }

    #[track_caller]
    fn check_new(from: &str, to: &str, expected: Expect) {
        let existing = [
            window(1, "U1", "2026-04-01", "2026-04-10"),
            window(2, "U2", "2026-03-20", "2026-03-25"),
        ];
        let today = day("2026-03-18");
        let outcome = check_new_window(&user("U2"), day(from), day(to), today, &existing);
        let shown = match outcome {
            Ok(None) => "new".to_string(),
            Ok(Some(same)) => format!("already #{}", same.id),
            Err(error) => format!("error: {error}"),
        };
        expected.assert_eq(&shown);
    }

    #[test]
    fn a_new_window_is_checked_against_the_rules_and_the_persons_other_windows() {
        check_new("2026-04-01", "2026-04-10", expect!["new"]);
        check_new("2026-03-18", "2026-03-18", expect!["new"]);
        check_new("2026-03-01", "2026-03-18", expect!["new"]);
        check_new("2026-03-20", "2026-03-25", expect!["already #2"]);
        check_new(
            "2026-03-25",
            "2026-03-27",
            expect![
                "error: U2 is already away from 2026-03-20 to 2026-03-25 (absence #2); remove it first to record different days"
            ],
        );
        check_new("2026-03-26", "2026-03-27", expect!["new"]);
        check_new(
            "2026-04-10",
            "2026-04-01",
            expect!["error: an absence cannot end (2026-04-01) before it starts (2026-04-10)"],
        );
        check_new(
            "2026-03-01",
            "2026-03-17",
            expect![
                "error: that absence ended on 2026-03-17, before today (2026-03-18); only current and future absences are kept"
            ],
        );
        check_new("2026-04-01", "2027-04-01", expect!["new"]);
        check_new("2028-03-18", "2028-03-19", expect!["new"]);
        check_new(
            "2028-03-19",
            "2028-03-20",
            expect!["error: an absence can start at most 2 years ahead (before 2028-03-19)"],
        );
        check_new(
            "9999-01-01",
            "9999-01-02",
            expect!["error: an absence can start at most 2 years ahead (before 2028-03-19)"],
        );
        check_new(
            "2026-04-01",
            "2027-04-02",
            expect![
                "error: an absence can be at most 366 days; for a longer one, take the person out of the rotation"
            ],
        );
    }

    #[test]
    fn policies_read_and_write_the_same_words() {
        for policy in AwayPolicy::ALL {
            assert_eq!(policy.as_str().parse::<AwayPolicy>(), Ok(policy));
        }
        assert_eq!(
            " Swap-Next ".parse::<AwayPolicy>(),
            Ok(AwayPolicy::SwapNext)
        );
        expect!["`swap` is not an away policy (expected warn or swap-next)"]
            .assert_eq(&"swap".parse::<AwayPolicy>().unwrap_err().to_string());
        assert_eq!(AwayPolicy::default(), AwayPolicy::Warn);
    }

    /// One-week sprints from Mon 2026-03-09; `slots` gives the UI and BE holders of each, `*` for
    /// a cover and `!` for the fallback.
    fn duties(slots: &[(&str, &str)]) -> Vec<Duty> {
        slots
            .iter()
            .enumerate()
            .map(|(i, (ui, be))| {
                let start = date(2026, 3, 9).checked_add((7 * i as i64).days()).unwrap();
                let sprint = Sprint {
                    index: SprintIndex::new(i as i64).unwrap(),
                    name: format!("Sprint {}", i + 1),
                    start,
                    end: start.checked_add(6.days()).unwrap(),
                };
                let slot = |discipline: &str, spec: &str| {
                    let source = match spec.chars().last() {
                        Some('*') => Source::Override,
                        Some('!') => Source::Fallback,
                        _ => Source::Rotation,
                    };
                    let who = spec.trim_end_matches(['*', '!']);
                    Assignment {
                        discipline: key(discipline),
                        slack_id: (who != "-").then(|| user(who)),
                        source,
                    }
                };
                (sprint, vec![slot("ui", ui), slot("be", be)])
            })
            .collect()
    }

    fn members(spec: &str) -> Vec<Member> {
        spec.split_whitespace()
            .enumerate()
            .map(|(i, entry)| {
                let (discipline, who) = entry.split_once(':').unwrap();
                Member {
                    slack_id: user(who.trim_end_matches('-')),
                    discipline: key(discipline),
                    name: who.to_string(),
                    rotation_order: i as i64,
                    active: !who.ends_with('-'),
                }
            })
            .collect()
    }

    fn show(swaps: &[Swap]) -> String {
        swaps
            .iter()
            .map(|s| {
                format!(
                    "{}: {} takes {} from {}, who takes {}",
                    s.discipline, s.partner, s.away_sprint, s.away, s.partner_sprint
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The swaps for `away` with double and back-to-back duty allowed (see the test of `avoid`).
    #[track_caller]
    fn check_swaps(
        away: AwayWindow,
        slots: &[(&str, &str)],
        others: &[AwayWindow],
        roster: &str,
        expected: Expect,
    ) {
        let future = duties(slots);
        let mut windows = others.to_vec();
        windows.push(away.clone());
        let swaps = plan_swaps(
            &away,
            (None, &future),
            &members(roster),
            &windows,
            &[key("ui"), key("be")],
            false,
        );
        expected.assert_eq(&show(&swaps));
    }

    const ROSTER: &str = "ui:U1 ui:U2 ui:U3 be:U4 be:U5 be:U6";

    #[test]
    fn the_away_person_swaps_with_the_next_person_on_duty() {
        // Sprint 1 is Mar 9–15, sprint 2 Mar 16–22, sprint 3 Mar 23–29.
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1", "U4"), ("U2", "U5"), ("U3", "U6")],
            &[],
            ROSTER,
            expect!["ui: U2 takes 0 from U1, who takes 1"],
        );
    }

    #[test]
    fn a_swap_that_would_give_back_to_back_duty_is_made_only_when_the_team_allows_it() {
        // Two people in UI take turns: any swap puts one of them on duty two sprints running.
        let away = window(1, "U1", "2026-03-10", "2026-03-12");
        let future = duties(&[("U1", "U4"), ("U2", "U5"), ("U1", "U6")]);
        let two = members("ui:U1 ui:U2 be:U4 be:U5 be:U6");
        let windows = [away.clone()];
        let swaps = |avoid| {
            let planned = (None, future.as_slice());
            show(&plan_swaps(
                &away,
                planned,
                &two,
                &windows,
                &[key("ui")],
                avoid,
            ))
        };
        assert_eq!(swaps(true), "");
        assert_eq!(swaps(false), "ui: U2 takes 0 from U1, who takes 1");
        // The sprint before counts too: U2 was on duty in it, so U3 (two sprints on) swaps.
        let future = duties(&[("U1", "U4"), ("U2", "U5"), ("U3", "U6")]);
        let before = duties(&[("U2", "U5")]).remove(0);
        let three = members("ui:U1 ui:U2 ui:U3 be:U4 be:U5 be:U6");
        let planned = (Some(&before), future.as_slice());
        let swaps = plan_swaps(&away, planned, &three, &windows, &[key("ui")], true);
        assert_eq!(show(&swaps), "ui: U3 takes 0 from U1, who takes 2");
    }

    #[test]
    fn a_partner_away_or_busy_then_is_passed_over() {
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1", "U4"), ("U2", "U5"), ("U3", "U6")],
            &[window(2, "U2", "2026-03-15", "2026-03-15")],
            ROSTER,
            expect!["ui: U3 takes 0 from U1, who takes 2"],
        );
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1", "U2"), ("U2", "U5"), ("U3", "U6")],
            &[],
            "ui:U1 ui:U2 ui:U3 be:U2 be:U5",
            expect!["ui: U3 takes 0 from U1, who takes 2"],
        );
    }

    #[test]
    fn the_away_person_never_lands_in_another_absence_or_a_double_duty() {
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1", "U4"), ("U2", "U5"), ("U3", "U6")],
            &[window(2, "U1", "2026-03-20", "2026-03-20")],
            ROSTER,
            expect!["ui: U3 takes 0 from U1, who takes 2"],
        );
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1", "U4"), ("U2", "U1"), ("U3", "U6")],
            &[],
            "ui:U1 ui:U2 ui:U3 be:U1 be:U4",
            expect!["ui: U3 takes 0 from U1, who takes 2"],
        );
    }

    #[test]
    fn covers_the_fallback_and_inactive_partners_are_left_alone() {
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1*", "U4"), ("U2", "U5")],
            &[],
            ROSTER,
            expect![""],
        );
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1", "U4"), ("U2*", "U5"), ("U3", "U6")],
            &[],
            ROSTER,
            expect!["ui: U3 takes 0 from U1, who takes 2"],
        );
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1", "U4"), ("U2", "U5"), ("U3", "U6")],
            &[],
            "ui:U1 ui:U2- ui:U3 be:U4 be:U5",
            expect!["ui: U3 takes 0 from U1, who takes 2"],
        );
        check_swaps(
            window(1, "U4", "2026-03-10", "2026-03-12"),
            &[("U1", "U4!"), ("U2", "U5")],
            &[],
            ROSTER,
            expect![""],
        );
        check_swaps(
            window(1, "U1", "2026-03-10", "2026-03-12"),
            &[("U1", "U4"), ("U1", "U5")],
            &[],
            ROSTER,
            expect![""],
        );
    }

    #[test]
    fn every_duty_in_a_long_window_swaps_against_the_duty_the_earlier_swaps_left() {
        // U1 is away for sprints 1 and 2, in both disciplines.
        check_swaps(
            window(1, "U1", "2026-03-09", "2026-03-22"),
            &[("U1", "U4"), ("U2", "U1"), ("U3", "U5"), ("U2", "U6")],
            &[],
            "ui:U1 ui:U2 ui:U3 be:U1 be:U4 be:U5 be:U6",
            expect!["ui: U3 takes 0 from U1, who takes 2; be: U6 takes 1 from U1, who takes 3"],
        );
    }

    #[test]
    fn conflicts_are_the_persons_slots_in_sprints_sharing_a_day_with_the_window() {
        let duty = duties(&[("U1", "U1"), ("U2", "U1"), ("U1", "U5")]);
        let found = |w: AwayWindow| {
            conflicts(&w, &duty)
                .iter()
                .map(|c| format!("{}/{}", c.sprint, c.discipline))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            found(window(1, "U1", "2026-03-15", "2026-03-16")),
            "0/ui 0/be 1/be"
        );
        assert_eq!(found(window(1, "U1", "2026-03-17", "2026-03-22")), "1/be");
        assert_eq!(found(window(1, "U1", "2026-03-30", "2026-04-02")), "");
    }

    #[test]
    fn alerts_fall_due_the_lead_time_before_the_handoff_while_the_person_holds_the_slot() {
        let team = Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: Default::default(),
        };
        let duty = duties(&[("U1", "U4"), ("U2", "U5"), ("U3", "U6")]);
        let windows = [
            window(1, "U2", "2026-03-18", "2026-03-18"),
            window(2, "U3", "2026-03-23", "2026-03-23"),
        ];
        let due = |now: &str| {
            alerts_due(&windows, &duty, &team, 14, now.parse().unwrap())
                .iter()
                .map(|a| alert_key(a.window.id, a.sprint.index, &a.discipline))
                .collect::<Vec<_>>()
                .join(" ")
        };
        // Sprint 2 starts Mon Mar 16 08:00 PDT: its alert is due Mon Mar 2 08:00 PST.
        assert_eq!(due("2026-03-02T15:59:59Z"), "");
        assert_eq!(due("2026-03-02T16:00:00Z"), "away-alert:1:1:ui");
        assert_eq!(
            due("2026-03-09T15:00:00Z"),
            "away-alert:1:1:ui away-alert:2:2:ui"
        );
        let covered = duties(&[("U1", "U4"), ("U3*", "U5"), ("U3", "U6")]);
        let resolved = alerts_due(
            &windows[..1],
            &covered,
            &team,
            14,
            "2026-03-09T15:00:00Z".parse().unwrap(),
        );
        assert_eq!(resolved, vec![]);
    }
}
