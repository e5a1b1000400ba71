//! Property tests for the rotation over random rosters, roster changes and override sets.
//!
//! Each test simulates the scheduler: as each sprint begins, the turns `plan_turns` returns are
//! recorded, and later sprints continue from them.

use std::ops::Range;

use proptest::prelude::*;

use super::*;

fn index(value: i64) -> SprintIndex {
    SprintIndex::new(value).unwrap()
}

fn user(number: usize) -> SlackUserId {
    SlackUserId::parse(&format!("U{number}")).unwrap()
}

fn discipline() -> Discipline {
    Discipline {
        key: DisciplineKey::parse("ui").unwrap(),
        name: "UI".to_string(),
        position: 0,
        fallback: Some(user(999)),
        usergroup_id: None,
    }
}

fn member(number: usize, rotation_order: i64, active: bool) -> Member {
    Member {
        slack_id: user(number),
        discipline: discipline().key,
        name: format!("member {number}"),
        rotation_order,
        active,
    }
}

/// 1 to 7 members with distinct rotation orders in `-20..20`, listed in random order, the first
/// always active.
fn roster() -> impl Strategy<Value = Vec<Member>> {
    (1usize..8)
        .prop_flat_map(|len| {
            let orders = proptest::sample::subsequence((-20i64..20).collect::<Vec<_>>(), len);
            (
                orders.prop_shuffle(),
                proptest::collection::vec(any::<bool>(), len),
            )
        })
        .prop_map(|(orders, active)| {
            let flags = orders.into_iter().zip(active).enumerate();
            flags
                .map(|(i, (order, active))| member(i, order, active || i == 0))
                .collect()
        })
}

/// A rotation order no generated roster uses.
fn fresh_order() -> impl Strategy<Value = i64> {
    prop_oneof![-60i64..-20, 20i64..60]
}

fn active_ids(members: &[Member]) -> Vec<SlackUserId> {
    let mut active: Vec<&Member> = members.iter().filter(|m| m.active).collect();
    active.sort_by_key(|m| m.rotation_order);
    active.into_iter().map(|m| m.slack_id.clone()).collect()
}

/// Records a turn for each sprint of `sprints` as it begins, with `members` as the roster.
fn record(members: &[Member], turns: &mut Vec<Turn>, sprints: Range<i64>) {
    for sprint in sprints {
        let planned = plan_turns(&discipline(), members, turns, &[index(sprint)]);
        turns.extend(planned);
    }
}

/// Who the recorded turns put on duty in each sprint of `sprints`.
fn picks(turns: &[Turn], sprints: Range<i64>) -> Vec<Option<SlackUserId>> {
    let turn_of = |sprint| turns.iter().find(|turn| turn.sprint == index(sprint));
    sprints
        .map(|sprint| turn_of(sprint).unwrap().slack_id.clone())
        .collect()
}

/// Whether `sequence`, restricted to people in `cycle`, steps through `cycle` one place at a time.
fn follows_cycle(sequence: &[Option<SlackUserId>], cycle: &[SlackUserId]) -> bool {
    let place = |id: &SlackUserId| cycle.iter().position(|c| c == id);
    let places: Vec<usize> = sequence.iter().flatten().filter_map(place).collect();
    places
        .windows(2)
        .all(|pair| pair[1] == (pair[0] + 1) % cycle.len())
}

/// One change to a roster.
#[derive(Debug, Clone)]
enum Change {
    /// A new active member joins with this rotation order.
    Add(i64),
    /// The member at this position (modulo the roster's length) is deactivated.
    Deactivate(usize),
    /// The member at this position (modulo the roster's length) moves to this rotation order.
    Move(usize, i64),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        fresh_order().prop_map(Change::Add),
        (0usize..8).prop_map(Change::Deactivate),
        (0usize..8, fresh_order()).prop_map(|(at, order)| Change::Move(at, order)),
    ]
}

/// Applies `change` and returns the new roster and whom the change was about.
fn apply(members: &[Member], change: &Change) -> (Vec<Member>, SlackUserId) {
    let mut changed = members.to_vec();
    let len = members.len();
    let who = match *change {
        Change::Add(order) => {
            changed.push(member(100, order, true));
            user(100)
        }
        Change::Deactivate(at) => {
            changed[at % len].active = false;
            changed[at % len].slack_id.clone()
        }
        Change::Move(at, order) => {
            changed[at % len].rotation_order = order;
            changed[at % len].slack_id.clone()
        }
    };
    (changed, who)
}

proptest! {
    /// Rule 3: with an unchanged roster of n active members, any n consecutive sprints give each
    /// member exactly one turn, wherever the rotation was left by earlier turns.
    #[test]
    fn fair(
        members in roster(),
        anchor in proptest::option::of((0usize..10, 0i64..1_000)),
        gap in 1i64..1_000_000,
    ) {
        let mut turns = Vec::new();
        let start = match anchor {
            Some((person, sprint)) => {
                let discipline = discipline().key;
                let (slack_id, source) = (Some(user(person)), Source::Rotation);
                turns.push(Turn { sprint: index(sprint), discipline, slack_id, source });
                sprint + gap
            }
            None => gap,
        };
        let active = active_ids(&members);
        let n = active.len() as i64;
        record(&members, &mut turns, start..start + 3 * n);
        for window in picks(&turns, start..start + 3 * n).windows(active.len()) {
            let mut taken: Vec<SlackUserId> = window.iter().flatten().cloned().collect();
            taken.sort();
            let mut expected = active.clone();
            expected.sort();
            prop_assert_eq!(taken, expected);
        }
    }

    /// Rule 4: a roster change never alters a started sprint, and everyone it does not touch keeps
    /// their relative order in later sprints; adding or deactivating someone does not even
    /// skip or repeat anyone else's turn across the change.
    #[test]
    fn stable(
        members in roster(),
        change in change(),
        start in 0i64..100,
        before in 1i64..20,
    ) {
        let mut turns = Vec::new();
        let now = start + before;
        record(&members, &mut turns, start..now);
        let recorded = turns.clone();

        let (changed, who) = apply(&members, &change);
        record(&changed, &mut turns, start..now);
        prop_assert_eq!(&turns, &recorded);
        let after = now + 3 * changed.len() as i64;
        record(&changed, &mut turns, now..after);
        prop_assert_eq!(&turns[..recorded.len()], &recorded[..]);
        for sprint in start..now {
            let base = base_assignment_from_turns(&discipline(), &changed, &turns, index(sprint));
            prop_assert_eq!(Some(base), recorded.iter().find(|t| t.sprint == index(sprint)).map(Turn::assignment));
        }

        let mut untouched = active_ids(&members);
        untouched.retain(|id| id != &who && active_ids(&changed).contains(id));
        prop_assert!(follows_cycle(&picks(&turns, now..after), &untouched));
        if !matches!(change, Change::Move(..)) {
            prop_assert!(follows_cycle(&picks(&turns, start..after), &untouched));
        }
    }

    /// Planning several started sprints at once (say after downtime) records the same turns as
    /// recording each when it began.
    #[test]
    fn batch_planning_matches_sprint_by_sprint(members in roster(), start in 0i64..100, len in 1i64..20) {
        let mut one_by_one = Vec::new();
        record(&members, &mut one_by_one, start..start + len);
        let sprints: Vec<SprintIndex> = (start..start + len).map(index).collect();
        prop_assert_eq!(plan_turns(&discipline(), &members, &[], &sprints), one_by_one);
    }

    /// Rule 5: an approved override replaces exactly its own slot, and the rotation carries on
    /// for the next sprints as if it had not happened.
    #[test]
    fn overrides_replace_one_slot(
        members in roster(),
        start in 0i64..100,
        len in 1i64..20,
        requests in proptest::collection::vec((0i64..20, 0usize..10, 0usize..5), 0..10),
    ) {
        let overrides: Vec<Override> = requests
            .iter()
            .map(|&(offset, person, status)| coverage(start + offset, user(person), OverrideStatus::ALL[status]))
            .collect();
        let mut plain = Vec::new();
        record(&members, &mut plain, start..start + len);

        let mut turns = Vec::new();
        for sprint in start..start + len {
            record(&members, &mut turns, sprint..sprint + 1);
            let base = base_assignment_from_turns(&discipline(), &members, &turns, index(sprint));
            let for_slot = slot_override(&overrides, index(sprint));
            let duty = on_duty(base, for_slot);
            let approved = for_slot.filter(|o| o.status == OverrideStatus::Approved);
            let expected = match approved {
                Some(found) => Assignment {
                    discipline: discipline().key,
                    slack_id: Some(found.replacement.clone()),
                    source: Source::Override,
                },
                None => plain[(sprint - start) as usize].assignment(),
            };
            prop_assert_eq!(duty, expected);
        }
        prop_assert_eq!(turns, plain);
    }
}

fn coverage(sprint: i64, replacement: SlackUserId, status: OverrideStatus) -> Override {
    Override {
        id: sprint,
        sprint: index(sprint),
        discipline: discipline().key,
        original: None,
        replacement,
        requested_by: user(0),
        status,
        decided_by: None,
        decided_at: None,
        reason: None,
        created_at: jiff::Timestamp::UNIX_EPOCH,
        decision_reason: None,
        revoked_by: None,
        revoked_at: None,
        revoke_reason: None,
    }
}

/// The override the store would hand over for a slot: its approved one, else any other.
fn slot_override(overrides: &[Override], sprint: SprintIndex) -> Option<&Override> {
    let for_slot = || overrides.iter().filter(move |o| o.sprint == sprint);
    for_slot()
        .find(|o| o.status == OverrideStatus::Approved)
        .or_else(|| for_slot().next())
}

// ---------------------------------------------------------------------------------------------
// `double-duty = avoid`: several disciplines sharing people.

fn key(number: usize) -> DisciplineKey {
    DisciplineKey::parse(&format!("d{number}")).unwrap()
}

/// 2 or 3 disciplines (in display order), each with 1 to 4 of the people U1…U6 in a random
/// rotation order, some inactive (the first listed always active).
fn team() -> impl Strategy<Value = (Vec<Discipline>, Vec<Member>)> {
    let one = proptest::sample::subsequence((1usize..7).collect::<Vec<_>>(), 1..5)
        .prop_shuffle()
        .prop_flat_map(|people| {
            let len = people.len();
            (Just(people), proptest::collection::vec(any::<bool>(), len))
        });
    proptest::collection::vec(one, 2..4).prop_map(|rosters| {
        let mut disciplines = Vec::new();
        let mut members = Vec::new();
        for (d, (people, active)) in rosters.into_iter().enumerate() {
            disciplines.push(Discipline {
                key: key(d),
                name: format!("D{d}"),
                position: d as i64,
                fallback: None,
                usergroup_id: None,
            });
            for (place, (person, active)) in people.into_iter().zip(active).enumerate() {
                members.push(Member {
                    slack_id: user(person),
                    discipline: key(d),
                    name: format!("member {person}"),
                    rotation_order: place as i64,
                    active: active || place == 0,
                });
            }
        }
        (disciplines, members)
    })
}

/// The turns that record `picks` of `sprints`.
fn recorded(picks: &[Vec<Assignment>], sprints: &[SprintIndex]) -> Vec<Turn> {
    picks
        .iter()
        .zip(sprints)
        .flat_map(|(assignments, &sprint)| {
            assignments.iter().map(move |a| Turn {
                sprint,
                discipline: a.discipline.clone(),
                slack_id: a.slack_id.clone(),
                source: a.source,
            })
        })
        .collect()
}

proptest! {
    /// With one discipline nobody can get double duty, and the plain rotation never gives anyone
    /// two turns running when someone else could take one: `avoid` picks exactly what the plain
    /// rotation picks, across roster changes and from recorded turns alike.
    #[test]
    fn avoiding_with_one_discipline_is_the_plain_rotation(
        members in roster(),
        change in change(),
        start in 0i64..100,
        before in 1i64..10,
        after in 1i64..20,
    ) {
        let mut turns = Vec::new();
        let now = start + before;
        record(&members, &mut turns, start..now);
        let (changed, _) = apply(&members, &change);
        let future: Vec<SprintIndex> = (now..now + after).map(index).collect();
        let plain = plan_turns(&discipline(), &changed, &turns, &future);
        let all: Vec<SprintIndex> = (start..now + after).map(index).collect();
        let avoiding = avoiding_picks(&[discipline()], &changed, &turns, &all);
        prop_assert_eq!(recorded(&avoiding[before as usize..], &future), plain);
    }

    /// `avoid` gives nobody double or back-to-back duty while someone else in the discipline
    /// could take the turn without it.
    #[test]
    fn avoiding_never_gives_a_conflict_someone_else_could_take((disciplines, members) in team(), len in 1i64..16) {
        let sprints: Vec<SprintIndex> = (0..len).map(index).collect();
        let picks = avoiding_picks(&disciplines, &members, &[], &sprints);
        for (s, sprint) in picks.iter().enumerate() {
            for (d, assignment) in sprint.iter().enumerate() {
                let around = crate::domain::conflict::Around {
                    before: if s == 0 { &[] } else { &picks[s - 1] },
                    same: &sprint[..d],
                    after: &[],
                };
                let clashes = |p: &SlackUserId| {
                    crate::domain::conflict::clash_of(p, &disciplines[d].key, around).is_some()
                };
                let person = assignment.slack_id.as_ref().unwrap();
                let free = members
                    .iter()
                    .filter(|m| m.active && m.discipline == disciplines[d].key)
                    .find(|m| !clashes(&m.slack_id));
                prop_assert!(
                    !clashes(person) || free.is_none(),
                    "sprint {s}, {}: {person} has a conflict, {:?} had none; picks {picks:?}",
                    disciplines[d].key,
                    free.map(|m| &m.slack_id)
                );
            }
        }
    }

    /// Recording each sprint's picks as it begins and deriving the next from the records (as
    /// after a restart) picks the same as planning the whole run at once.
    #[test]
    fn avoiding_from_records_matches_planning_at_once((disciplines, members) in team(), len in 1i64..16) {
        let sprints: Vec<SprintIndex> = (0..len).map(index).collect();
        let at_once = avoiding_picks(&disciplines, &members, &[], &sprints);
        let mut turns = Vec::new();
        for s in 0..sprints.len() {
            let picks = avoiding_picks(&disciplines, &members, &turns, &sprints[..=s]);
            turns.extend(recorded(&picks[s..], &sprints[s..=s]));
        }
        prop_assert_eq!(turns, recorded(&at_once, &sprints));
    }
}
