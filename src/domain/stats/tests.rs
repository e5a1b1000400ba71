//! The counts of `domain::stats` on small histories written out in each test.

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
