//! Fairness you can see: per person and discipline, how many sprints they served, how many covers
//! they gave and received, and how many of their turns were skipped or owed: moved by an away
//! fix, or passed over by double-duty avoidance (and whether that turn is still owed), counted
//! from the recorded history alone.
//!
//! The history is what the store recorded: the rotation's turn of each started sprint, the skips
//! it made to reach it under `double-duty = avoid`, and the approved overrides on top of it. Only
//! sprints that have started by `now` count (a planned sprint is a projection, not history), and
//! nothing here looks at the rotation's order, so a later roster edit changes no count. What
//! someone is still owed is a state, not a tally: it is read from every started sprint, whatever
//! `since` says. Plain data in, plain data out: no clock, no store.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use super::away::is_away_swap;
use super::ids::{DisciplineKey, SlackUserId, SprintIndex};
use super::model::{
    Discipline, Member, Override, OverrideStatus, Skip, SkipKind, Sprint, Team, Turn,
};
use super::sprint::sprint_has_started;

/// The recorded history to count: sprints, their recorded turns and skips, and the approved
/// overrides. Turns, skips and overrides of sprints not in `sprints` are ignored. `sprints`
/// should hold every started sprint, those before `since` too: what is still owed needs them.
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    pub sprints: &'a [Sprint],
    pub turns: &'a [Turn],
    pub skips: &'a [Skip],
    pub approved: &'a [Override],
}

/// Which part of the history to count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only sprints starting on or after this day.
    pub since: Option<Date>,
    /// Only this discipline.
    pub discipline: Option<DisciplineKey>,
}

/// One person's counts in one discipline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonStats {
    pub person: SlackUserId,
    /// Their name in the roster, if they are still listed in any discipline.
    pub name: Option<String>,
    pub discipline: DisciplineKey,
    /// Started sprints in which they were on duty for the discipline, covering included.
    pub served: u32,
    /// Approved covers (not away swaps) in which they replaced someone.
    pub covers_given: u32,
    /// Approved covers (not away swaps) of a slot of theirs.
    pub covers_received: u32,
    /// Their turns an away swap the bot made moved (`domain::away::is_away_swap`).
    pub away_swaps: u32,
    /// The times the rotation passed them over to avoid double or back-to-back duty.
    pub passed_over: u32,
    /// The turns they took ahead of the rotation because one was owed to them.
    pub owed_turns_taken: u32,
    /// 1 when the rotation passed them over and they have had no turn in the discipline since
    /// (an owed one or their own), over every started sprint whatever the scope's `since`; else
    /// 0. The rotation owes a person one turn at most.
    pub owed: u32,
}

/// The counts of everyone listed, and the median of their sprints served.
#[derive(Debug, Clone, PartialEq)]
pub struct Fairness {
    /// By discipline in display order, then by name (or id when the name is unknown).
    pub people: Vec<PersonStats>,
    /// The median of `served` over `people` (0 when nobody is listed).
    pub median_served: f64,
}

impl Fairness {
    /// The rows of `person`, one per discipline, in display order.
    pub fn of<'a>(&'a self, person: &'a SlackUserId) -> impl Iterator<Item = &'a PersonStats> {
        self.people.iter().filter(move |p| &p.person == person)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    served: u32,
    covers_given: u32,
    covers_received: u32,
    away_swaps: u32,
    passed_over: u32,
    owed_turns_taken: u32,
    owed: u32,
}

/// Counts `history` within `scope` at `now`. Everyone with a count appears, whether or not the
/// roster still lists them; so does every active member of a counted discipline, with zeros.
pub fn fairness(
    history: History<'_>,
    disciplines: &[Discipline],
    members: &[Member],
    scope: &Scope,
    team: &Team,
    now: Timestamp,
) -> Fairness {
    let started: Vec<&Sprint> = history
        .sprints
        .iter()
        .filter(|s| sprint_has_started(s, team, now))
        .collect();
    let counted: Vec<SprintIndex> = started
        .iter()
        .filter(|s| scope.since.is_none_or(|since| s.start >= since))
        .map(|s| s.index)
        .collect();
    let started: Vec<SprintIndex> = started.iter().map(|s| s.index).collect();
    let in_discipline =
        |discipline: &DisciplineKey| scope.discipline.as_ref().is_none_or(|d| d == discipline);
    let in_scope = |sprint: SprintIndex, discipline: &DisciplineKey| {
        counted.contains(&sprint) && in_discipline(discipline)
    };
    let mut counts: BTreeMap<(DisciplineKey, SlackUserId), Counts> = BTreeMap::new();
    for member in members.iter().filter(|m| m.active) {
        if scope
            .discipline
            .as_ref()
            .is_none_or(|d| d == &member.discipline)
        {
            counts
                .entry((member.discipline.clone(), member.slack_id.clone()))
                .or_default();
        }
    }
    let mut count = |discipline: &DisciplineKey, person: &SlackUserId, add: fn(&mut Counts)| {
        add(counts
            .entry((discipline.clone(), person.clone()))
            .or_default());
    };
    let approved: Vec<&Override> = history
        .approved
        .iter()
        .filter(|o| o.status == OverrideStatus::Approved && in_scope(o.sprint, &o.discipline))
        .collect();
    for (discipline, person) in on_duty(history.turns, &approved, &in_scope) {
        count(&discipline, &person, |c| c.served += 1);
    }
    for o in approved {
        if is_away_swap(o) {
            if let Some(original) = &o.original {
                count(&o.discipline, original, |c| c.away_swaps += 1);
            }
            continue;
        }
        count(&o.discipline, &o.replacement, |c| c.covers_given += 1);
        if let Some(original) = &o.original {
            count(&o.discipline, original, |c| c.covers_received += 1);
        }
    }
    for skip in history.skips.iter() {
        if in_scope(skip.sprint, &skip.discipline) {
            match skip.kind {
                SkipKind::PassedOver => {
                    count(&skip.discipline, &skip.slack_id, |c| c.passed_over += 1)
                }
                SkipKind::OwedTurn => count(&skip.discipline, &skip.slack_id, |c| {
                    c.owed_turns_taken += 1
                }),
            }
        }
    }
    let in_history = |sprint: SprintIndex, discipline: &DisciplineKey| {
        started.contains(&sprint) && in_discipline(discipline)
    };
    for (discipline, person) in still_owed(history, &in_history) {
        count(&discipline, &person, |c| c.owed = 1);
    }
    let mut people: Vec<PersonStats> = counts
        .into_iter()
        .map(|((discipline, person), c)| PersonStats {
            name: name_of(members, &person, &discipline),
            person,
            discipline,
            served: c.served,
            covers_given: c.covers_given,
            covers_received: c.covers_received,
            away_swaps: c.away_swaps,
            passed_over: c.passed_over,
            owed_turns_taken: c.owed_turns_taken,
            owed: c.owed,
        })
        .collect();
    sort(&mut people, disciplines);
    let median_served = median(people.iter().map(|p| p.served).collect());
    Fairness {
        people,
        median_served,
    }
}

/// Who was on duty in each counted slot: the approved override's replacement, else the
/// recorded turn's person (nobody when it recorded nobody).
fn on_duty(
    turns: &[Turn],
    approved: &[&Override],
    in_scope: &dyn Fn(SprintIndex, &DisciplineKey) -> bool,
) -> Vec<(DisciplineKey, SlackUserId)> {
    let mut slots: BTreeMap<(SprintIndex, DisciplineKey), Option<SlackUserId>> = BTreeMap::new();
    for turn in turns.iter().filter(|t| in_scope(t.sprint, &t.discipline)) {
        slots.insert(
            (turn.sprint, turn.discipline.clone()),
            turn.slack_id.clone(),
        );
    }
    for o in approved {
        slots.insert(
            (o.sprint, o.discipline.clone()),
            Some(o.replacement.clone()),
        );
    }
    slots
        .into_iter()
        .filter_map(|((_, discipline), person)| Some((discipline, person?)))
        .collect()
}

/// The people the rotation still owes a turn in a discipline, among the slots `in_history`
/// keeps: passed over in some sprint, and given no recorded turn in the discipline after it.
fn still_owed(
    history: History<'_>,
    in_history: &dyn Fn(SprintIndex, &DisciplineKey) -> bool,
) -> Vec<(DisciplineKey, SlackUserId)> {
    type Latest = BTreeMap<(DisciplineKey, SlackUserId), SprintIndex>;
    let mut passed: Latest = BTreeMap::new();
    let mut served: Latest = BTreeMap::new();
    let later = |latest: &mut Latest, key: (DisciplineKey, SlackUserId), sprint: SprintIndex| {
        let at = latest.entry(key).or_insert(sprint);
        *at = (*at).max(sprint);
    };
    for skip in history.skips.iter() {
        if skip.kind == SkipKind::PassedOver && in_history(skip.sprint, &skip.discipline) {
            let key = (skip.discipline.clone(), skip.slack_id.clone());
            later(&mut passed, key, skip.sprint);
        }
    }
    for turn in history.turns.iter() {
        if let Some(person) = &turn.slack_id
            && in_history(turn.sprint, &turn.discipline)
        {
            later(
                &mut served,
                (turn.discipline.clone(), person.clone()),
                turn.sprint,
            );
        }
    }
    passed
        .into_iter()
        .filter(|(key, at)| served.get(key).is_none_or(|turn| turn < at))
        .map(|(key, _)| key)
        .collect()
}

/// The person's name in `discipline`, else in any discipline they are listed in.
fn name_of(members: &[Member], person: &SlackUserId, discipline: &DisciplineKey) -> Option<String> {
    let listed = || members.iter().filter(|m| &m.slack_id == person);
    listed()
        .find(|m| &m.discipline == discipline)
        .or_else(|| listed().next())
        .map(|m| m.name.clone())
}

/// By discipline in display order (unknown disciplines last, by key), then by name ignoring
/// case, people without a name by id after those with one.
fn sort(people: &mut [PersonStats], disciplines: &[Discipline]) {
    let position = |key: &DisciplineKey| {
        disciplines
            .iter()
            .find(|d| &d.key == key)
            .map_or(i64::MAX, |d| d.position)
    };
    people.sort_by_cached_key(|p| {
        (
            position(&p.discipline),
            p.discipline.clone(),
            p.name.is_none(),
            p.name.as_deref().map(str::to_lowercase),
            p.person.clone(),
        )
    });
}

/// The median of `values`: the middle one, or the mean of the two in the middle; 0 for none.
fn median(mut values: Vec<u32>) -> f64 {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => f64::from(values[n / 2]),
        _ => (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use jiff::civil::{Time, date};
    use jiff::tz::TimeZone;

    use super::*;
    use crate::domain::Source;

    fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    fn key(text: &str) -> DisciplineKey {
        DisciplineKey::parse(text).unwrap()
    }

    fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: Default::default(),
        }
    }

    /// Six two-week sprints from Mon 2026-03-02; sprints 0 to 3 have started at [`NOW`].
    fn sprints() -> Vec<Sprint> {
        (0..6)
            .map(|i| {
                let start = date(2026, 3, 2) + jiff::Span::new().days(14 * i);
                Sprint {
                    index: SprintIndex::new(i).unwrap(),
                    name: format!("Sprint {}", i + 1),
                    start,
                    end: start + jiff::Span::new().days(13),
                }
            })
            .collect()
    }

    /// Thu 2026-04-16, in sprint 3 (Apr 13 to Apr 26).
    const NOW: &str = "2026-04-16T12:00:00-07:00";

    fn disciplines() -> Vec<Discipline> {
        let discipline = |k: &str, name: &str, position| Discipline {
            key: key(k),
            name: name.to_string(),
            position,
            fallback: None,
            usergroup_id: None,
        };
        vec![discipline("ui", "UI", 1), discipline("be", "Backend", 2)]
    }

    /// Ana, Ben and Cy in UI, Di and Ed in Backend; Zed is listed but inactive.
    fn members() -> Vec<Member> {
        [
            ("UANA", "ui", "Ana"),
            ("UBEN", "ui", "Ben"),
            ("UCY", "ui", "cy"),
            ("UDI", "be", "Di"),
            ("UED", "be", "Ed"),
            ("UZED", "be", "Zed"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (id, discipline, name))| Member {
            slack_id: user(id),
            discipline: key(discipline),
            name: name.to_string(),
            rotation_order: i as i64,
            active: *id != "UZED",
        })
        .collect()
    }

    /// `"<sprint> <discipline> <person or ->"`, one turn a word group, separated by commas.
    fn turns(text: &str) -> Vec<Turn> {
        text.split(',')
            .map(|t| {
                let words: Vec<&str> = t.split_whitespace().collect();
                let person = (words[2] != "-").then(|| user(words[2]));
                Turn {
                    sprint: SprintIndex::new(words[0].parse().unwrap()).unwrap(),
                    discipline: key(words[1]),
                    source: if person.is_some() {
                        Source::Rotation
                    } else {
                        Source::None
                    },
                    slack_id: person,
                }
            })
            .collect()
    }

    /// An approved cover of `original`'s slot by `replacement`, decided by an admin: its reason
    /// begins like an away swap's, and it is a cover all the same.
    fn cover(sprint: i64, discipline: &str, original: &str, replacement: &str) -> Override {
        Override {
            id: 1,
            sprint: SprintIndex::new(sprint).unwrap(),
            discipline: key(discipline),
            original: (original != "-").then(|| user(original)),
            replacement: user(replacement),
            requested_by: user(replacement),
            status: OverrideStatus::Approved,
            decided_by: Some("UBOSS".to_string()),
            decided_at: None,
            reason: Some("away: on holiday".to_string()),
            created_at: Timestamp::UNIX_EPOCH,
            decision_reason: None,
            revoked_by: None,
            revoked_at: None,
            revoke_reason: None,
        }
    }

    /// One half of a swap the bot made for an absence.
    fn away_swap(sprint: i64, discipline: &str, original: &str, replacement: &str) -> Override {
        Override {
            decided_by: Some(super::super::away::SWAP_DECIDED_BY.to_string()),
            reason: Some(format!(
                "away: {original} and {replacement} swapped (absence #1)"
            )),
            ..cover(sprint, discipline, original, replacement)
        }
    }

    /// Sprints 0 to 5 recorded UI: Ana, Ben, Cy, Ana, Ben, Cy and Backend: Di, Ed, Di, Ed, Di,
    /// Ed (the last two not started yet, recorded only to show they do not count).
    const ROTATION: &str = "0 ui UANA, 1 ui UBEN, 2 ui UCY, 3 ui UANA, 4 ui UBEN, 5 ui UCY, \
        0 be UDI, 1 be UED, 2 be UDI, 3 be UED, 4 be UDI, 5 be UED";

    /// `"<sprint> <discipline> <person> <passed|owed-turn>"`, separated by commas.
    fn skips(text: &str) -> Vec<Skip> {
        text.split(',')
            .map(|t| {
                let words: Vec<&str> = t.split_whitespace().collect();
                Skip {
                    sprint: SprintIndex::new(words[0].parse().unwrap()).unwrap(),
                    discipline: key(words[1]),
                    slack_id: user(words[2]),
                    kind: match words[3] {
                        "passed" => SkipKind::PassedOver,
                        _ => SkipKind::OwedTurn,
                    },
                }
            })
            .collect()
    }

    fn show(fairness: &Fairness) -> String {
        let mut out = String::new();
        for p in &fairness.people {
            out.push_str(&format!(
                "{} {} ({}): served {}, gave {}, received {}, away swaps {}",
                p.discipline,
                p.person,
                p.name.as_deref().unwrap_or("?"),
                p.served,
                p.covers_given,
                p.covers_received,
                p.away_swaps
            ));
            if (p.passed_over, p.owed_turns_taken, p.owed) != (0, 0, 0) {
                out.push_str(&format!(
                    ", passed over {}, owed turns taken {}, owed {}",
                    p.passed_over, p.owed_turns_taken, p.owed
                ));
            }
            out.push('\n');
        }
        out.push_str(&format!("median {}\n", fairness.median_served));
        out
    }

    #[track_caller]
    fn check(turns: &[Turn], approved: &[Override], scope: Scope, expected: Expect) {
        check_skips(turns, &[], approved, scope, expected);
    }

    #[track_caller]
    fn check_skips(
        turns: &[Turn],
        skips: &[Skip],
        approved: &[Override],
        scope: Scope,
        expected: Expect,
    ) {
        let sprints = sprints();
        let history = History {
            sprints: &sprints,
            turns,
            skips,
            approved,
        };
        let now = NOW.parse().unwrap();
        let found = fairness(history, &disciplines(), &members(), &scope, &team(), now);
        expected.assert_eq(&show(&found));
    }

    /// Recorded with [`ROTATION`], as if UI's rotation had passed people over: Ana in sprint 1
    /// (her turn comes in 3, an owed one), Ben in sprint 2 (no UI turn since), Cy in sprint 4
    /// (not started: no count); in Backend, Di in sprint 1 and Vi, no longer listed, in 3.
    const SKIPS: &str = "1 ui UANA passed, 2 ui UBEN passed, 3 ui UANA owed-turn, \
        4 ui UCY passed, 1 be UDI passed, 3 be UVI passed";

    #[test]
    fn passed_over_counts_each_skip_and_owed_lasts_until_the_next_turn() {
        // Di served sprint 2 after being passed over in 1: nothing owed. Vi still is.
        check_skips(
            &turns(ROTATION),
            &skips(SKIPS),
            &[],
            Scope::default(),
            expect![[r#"
                ui UANA (Ana): served 2, gave 0, received 0, away swaps 0, passed over 1, owed turns taken 1, owed 0
                ui UBEN (Ben): served 1, gave 0, received 0, away swaps 0, passed over 1, owed turns taken 0, owed 1
                ui UCY (cy): served 1, gave 0, received 0, away swaps 0
                be UDI (Di): served 2, gave 0, received 0, away swaps 0, passed over 1, owed turns taken 0, owed 0
                be UED (Ed): served 2, gave 0, received 0, away swaps 0
                be UVI (?): served 0, gave 0, received 0, away swaps 0, passed over 1, owed turns taken 0, owed 1
                median 1.5
            "#]],
        );
    }

    #[test]
    fn since_narrows_the_skips_counted_but_not_what_is_still_owed() {
        // From sprint 3 on: Ana's owed turn counts, Ben's skip in sprint 2 does not, and Ben is
        // still owed that turn.
        check_skips(
            &turns(ROTATION),
            &skips(SKIPS),
            &[],
            Scope {
                since: Some(date(2026, 4, 13)),
                discipline: Some(key("ui")),
            },
            expect![[r#"
                ui UANA (Ana): served 1, gave 0, received 0, away swaps 0, passed over 0, owed turns taken 1, owed 0
                ui UBEN (Ben): served 0, gave 0, received 0, away swaps 0, passed over 0, owed turns taken 0, owed 1
                ui UCY (cy): served 0, gave 0, received 0, away swaps 0
                median 0
            "#]],
        );
    }

    #[test]
    fn a_turn_someone_else_covered_still_makes_up_a_skip() {
        // Ben, passed over in sprint 0, has his own turn in sprint 1, which Cy covers: the
        // rotation owes him nothing more; a cover is a matter between the two of them.
        check_skips(
            &turns("0 ui UANA, 1 ui UBEN"),
            &skips("0 ui UBEN passed"),
            &[cover(1, "ui", "UBEN", "UCY")],
            Scope {
                discipline: Some(key("ui")),
                ..Scope::default()
            },
            expect![[r#"
                ui UANA (Ana): served 1, gave 0, received 0, away swaps 0
                ui UBEN (Ben): served 0, gave 0, received 1, away swaps 0, passed over 1, owed turns taken 0, owed 0
                ui UCY (cy): served 1, gave 1, received 0, away swaps 0
                median 1
            "#]],
        );
    }

    #[test]
    fn started_sprints_count_and_everyone_active_is_listed() {
        check(
            &turns(ROTATION),
            &[],
            Scope::default(),
            expect![[r#"
                ui UANA (Ana): served 2, gave 0, received 0, away swaps 0
                ui UBEN (Ben): served 1, gave 0, received 0, away swaps 0
                ui UCY (cy): served 1, gave 0, received 0, away swaps 0
                be UDI (Di): served 2, gave 0, received 0, away swaps 0
                be UED (Ed): served 2, gave 0, received 0, away swaps 0
                median 2
            "#]],
        );
    }

    #[test]
    fn a_cover_moves_the_sprint_served_and_counts_both_ways() {
        // Cy covers Ben in sprint 1; an approved cover of sprint 4 has not started: no count.
        let approved = [
            cover(1, "ui", "UBEN", "UCY"),
            cover(4, "ui", "UBEN", "UANA"),
        ];
        check(
            &turns(ROTATION),
            &approved,
            Scope::default(),
            expect![[r#"
                ui UANA (Ana): served 2, gave 0, received 0, away swaps 0
                ui UBEN (Ben): served 0, gave 0, received 1, away swaps 0
                ui UCY (cy): served 2, gave 1, received 0, away swaps 0
                be UDI (Di): served 2, gave 0, received 0, away swaps 0
                be UED (Ed): served 2, gave 0, received 0, away swaps 0
                median 2
            "#]],
        );
    }

    #[test]
    fn only_approved_overrides_count() {
        let mut revoked = cover(1, "ui", "UBEN", "UCY");
        revoked.status = OverrideStatus::Revoked;
        let mut pending = cover(2, "ui", "UCY", "UANA");
        pending.status = OverrideStatus::Pending;
        check(
            &turns("0 ui UANA, 1 ui UBEN, 2 ui UCY"),
            &[revoked, pending],
            Scope {
                discipline: Some(key("ui")),
                ..Scope::default()
            },
            expect![[r#"
                ui UANA (Ana): served 1, gave 0, received 0, away swaps 0
                ui UBEN (Ben): served 1, gave 0, received 0, away swaps 0
                ui UCY (cy): served 1, gave 0, received 0, away swaps 0
                median 1
            "#]],
        );
    }

    #[test]
    fn away_swaps_count_apart_from_covers() {
        // Di is away in sprint 2: Ed takes it, Di takes Ed's sprint 3.
        let approved = [
            away_swap(2, "be", "UDI", "UED"),
            away_swap(3, "be", "UED", "UDI"),
        ];
        check(
            &turns(ROTATION),
            &approved,
            Scope {
                discipline: Some(key("be")),
                ..Scope::default()
            },
            expect![[r#"
                be UDI (Di): served 2, gave 0, received 0, away swaps 1
                be UED (Ed): served 2, gave 0, received 0, away swaps 1
                median 2
            "#]],
        );
    }

    #[test]
    fn people_no_longer_listed_keep_their_history() {
        // Vi served sprint 0 before leaving; Zed (inactive) served sprint 1 and covered Di in 2.
        let approved = [cover(2, "be", "UDI", "UZED")];
        check(
            &turns("0 be UVI, 1 be UZED, 2 be UDI, 3 be -"),
            &approved,
            Scope {
                discipline: Some(key("be")),
                ..Scope::default()
            },
            expect![[r#"
                be UDI (Di): served 0, gave 0, received 1, away swaps 0
                be UED (Ed): served 0, gave 0, received 0, away swaps 0
                be UZED (Zed): served 2, gave 1, received 0, away swaps 0
                be UVI (?): served 1, gave 0, received 0, away swaps 0
                median 0.5
            "#]],
        );
    }

    #[test]
    fn since_counts_sprints_starting_on_or_after_the_day() {
        let approved = [cover(1, "ui", "UBEN", "UCY"), cover(2, "ui", "UCY", "UANA")];
        check(
            &turns(ROTATION),
            &approved,
            Scope {
                since: Some(date(2026, 3, 30)),
                discipline: Some(key("ui")),
            },
            expect![[r#"
                ui UANA (Ana): served 2, gave 1, received 0, away swaps 0
                ui UBEN (Ben): served 0, gave 0, received 0, away swaps 0
                ui UCY (cy): served 0, gave 0, received 1, away swaps 0
                median 0
            "#]],
        );
    }

    #[test]
    fn a_cover_of_a_slot_recorded_with_nobody_has_no_receiver() {
        check(
            &turns("0 ui -"),
            &[cover(0, "ui", "-", "UBEN")],
            Scope {
                discipline: Some(key("ui")),
                ..Scope::default()
            },
            expect![[r#"
                ui UANA (Ana): served 0, gave 0, received 0, away swaps 0
                ui UBEN (Ben): served 1, gave 1, received 0, away swaps 0
                ui UCY (cy): served 0, gave 0, received 0, away swaps 0
                median 0
            "#]],
        );
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), 0.0);
        assert_eq!(median(vec![3]), 3.0);
        assert_eq!(median(vec![4, 1, 3, 2]), 2.5);
        assert_eq!(median(vec![5, 1, 2]), 2.0);
    }
}
