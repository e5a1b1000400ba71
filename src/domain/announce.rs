//! What should be announced: handoffs, mid-sprint changes and heads-ups, decided from what was
//! last announced and who is on duty now.
//!
//! [`plan`] compares the announced state of each discipline (sprint and person, with a revision
//! that grows with every applied decision) against the sprint in force and its assignments, and
//! returns plain [`Notice`]s plus the state to record. Each notice carries an idempotency key, so
//! a decision that is retried enqueues nothing new, while a legitimate repeat (A→B, B→A, A→B)
//! gets a fresh key from the new revision. A person on duty in several disciplines gets one
//! notice naming all of them.
//!
//! When the sprint in force ends and no sprint follows at once (a gap, or the last sprint ended),
//! each outgoing person is told once that their duty ended, naming the next sprint and when it
//! starts if one is planned; the topic says no sprint is in force; and the announced state
//! records that no sprint is in force (sprint and person empty), so a restart sends nothing
//! again. User groups are left as they are: Slack refuses an empty group.
//!
//! Heads-ups (and the optional earlier reminders) go out at the moments `domain::workdays`
//! computes: on working days, at the heads-up time, before the next sprint's handoff.
//!
//! First start (nothing announced yet): the team is posted to the channel, the topic and user
//! groups are set, and people are sent "you are on duty" only when the sprint started less than
//! [`FIRST_START_DM_WINDOW`] ago: installing the bot mid-sprint must not DM everyone.
//!
//! At a handoff, each handoff note left in the sprint that ended (one per discipline) goes to the
//! incoming person of its discipline inside their "you are on duty" DM, and is posted once as a
//! reply in the thread of the new sprint's team post, keyed `note:<sprint>:<discipline>` by the
//! note's own sprint.
//!
//! This module decides only. It reads no clock, does no I/O and knows nothing of Slack JSON or
//! SQLite: texts and blocks are rendered by `slack::notices`.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};

use super::ids::{DisciplineKey, SlackUserId, SprintIndex};
use super::model::{Assignment, Discipline, Sprint, Team};
use super::note::HandoffNote;
use super::workdays::HeadsUpSchedule;

/// On first start, people are told they are on duty only if the sprint started this recently.
pub const FIRST_START_DM_WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// A heads-up or reminder not delivered within this long after its moment is dropped.
pub const HEADS_UP_VALIDITY: SignedDuration = SignedDuration::from_hours(1);

/// What was last announced for one discipline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    pub discipline: DisciplineKey,
    pub sprint: Option<SprintIndex>,
    pub person: Option<SlackUserId>,
    /// Grows with every recorded change of any announced state; 0 when never recorded.
    pub revision: i64,
}

/// One sprint and who is (or will be) on duty in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyView<'a> {
    pub sprint: &'a Sprint,
    /// When the sprint takes (or took) over.
    pub starts_at: Timestamp,
    /// When the sprint stops being in force (see `sprint_ends_at`).
    pub ends_at: Timestamp,
    pub assignments: &'a [Assignment],
}

/// Everything [`plan`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    pub announced: &'a [Announced],
    /// The sprint in force now, if any.
    pub current: Option<DutyView<'a>>,
    /// The next sprint to take over, if any.
    pub next: Option<DutyView<'a>>,
    pub team: &'a Team,
    /// When heads-ups and reminders go out.
    pub heads_up: &'a HeadsUpSchedule,
    /// The handoff notes left in the sprints last announced (the ones a handoff ends), and in
    /// `previous`.
    pub notes: &'a [HandoffNote],
    /// The sprint before the one in force, if any: after a gap (no sprint announced), the
    /// handoff to the sprint in force hands over the notes left in it.
    pub previous: Option<SprintIndex>,
    pub now: Timestamp,
}

/// One slot in a mid-sprint change: the discipline, and the other person (whom the added person
/// replaces, or who takes over from the removed one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedSlot {
    pub discipline: DisciplineKey,
    pub other: Option<SlackUserId>,
}

/// What to tell, to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeKind {
    /// DM at a handoff: you are on duty for these disciplines in `sprint`.
    DutyStarts {
        person: SlackUserId,
        disciplines: Vec<DisciplineKey>,
        sprint: Sprint,
        /// The handoff notes the outgoing people left for these disciplines.
        notes: Vec<HandoffNote>,
    },
    /// DM at a handoff: your duty for these disciplines has ended.
    DutyEnded {
        person: SlackUserId,
        disciplines: Vec<DisciplineKey>,
    },
    /// DM when `ended` stopped being in force and no sprint follows at once: your duty for these
    /// disciplines has ended; `next` is the next planned sprint and when it starts, if any.
    DutyEndedUncovered {
        person: SlackUserId,
        disciplines: Vec<DisciplineKey>,
        ended: SprintIndex,
        next: Option<(Sprint, Timestamp)>,
    },
    /// DM on the last working day before a handoff, at `sent_at`: duty in `sprint` runs from
    /// `starts_at` to `ends_at`.
    HeadsUp {
        person: SlackUserId,
        disciplines: Vec<DisciplineKey>,
        sprint: Sprint,
        starts_at: Timestamp,
        ends_at: Timestamp,
        sent_at: Timestamp,
    },
    /// DM on the last working day of a duty, at the heads-up time, to someone handing
    /// `disciplines` of `sprint` over to someone else, their duty ending at `handoff_at`: an
    /// invitation to leave a handoff note (for the disciplines they have left none for yet).
    NoteInvite {
        person: SlackUserId,
        disciplines: Vec<DisciplineKey>,
        sprint: Sprint,
        handoff_at: Timestamp,
    },
    /// DM some days before a handoff (the optional reminder), earlier than the heads-up.
    Reminder {
        person: SlackUserId,
        disciplines: Vec<DisciplineKey>,
        sprint: Sprint,
        starts_at: Timestamp,
        ends_at: Timestamp,
    },
    /// DM in a mid-sprint change: you were put on duty, until `ends_at`.
    Added {
        person: SlackUserId,
        slots: Vec<ChangedSlot>,
        sprint: Sprint,
        ends_at: Timestamp,
    },
    /// DM in a mid-sprint change: you were taken off duty.
    Removed {
        person: SlackUserId,
        slots: Vec<ChangedSlot>,
        sprint: Sprint,
    },
    /// The channel post naming the team of `sprint`.
    TeamPost {
        sprint: Sprint,
        assignments: Vec<Assignment>,
    },
    /// The channel topic naming who is on duty, until `ends_at`.
    Topic {
        sprint: Sprint,
        ends_at: Timestamp,
        assignments: Vec<Assignment>,
    },
    /// The channel topic when no sprint is in force: the next sprint and when it starts, if any.
    TopicUncovered { next: Option<(Sprint, Timestamp)> },
    /// Bring the user groups in line with who is on duty.
    Usergroups,
    /// A handoff note, as a reply in the thread of the team post enqueued under `team_post`.
    HandoffNote {
        note: HandoffNote,
        team_post: String,
    },
}

/// A notice with its idempotency key and delivery window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub key: String,
    pub kind: NoticeKind,
    pub not_before: Timestamp,
    pub expires_at: Option<Timestamp>,
}

/// The announced state to record for one discipline: `sprint` is `None` when no sprint is in
/// force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    pub discipline: DisciplineKey,
    pub sprint: Option<SprintIndex>,
    pub person: Option<SlackUserId>,
}

/// Which kind of decision was taken, for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// Nothing changed on duty.
    Unchanged,
    /// Nothing announced yet; `direct_messages` tells whether people are DMed.
    FirstStart { direct_messages: bool },
    /// The sprint in force changed.
    Handoff,
    /// The same sprint's people changed.
    Change,
    /// The sprint in force ended and no sprint follows at once.
    Uncovered,
}

/// The outcome of [`plan`]: notices to enqueue and state to record, together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub kind: PlanKind,
    pub notices: Vec<Notice>,
    pub states: Vec<StateChange>,
}

/// Decides what to announce now. See the module docs.
pub fn plan(situation: &Situation<'_>) -> Plan {
    let mut plan = match situation.current {
        Some(current) => plan_duty(situation, current),
        None => plan_uncovered(situation),
    };
    plan.notices.extend(heads_ups(situation));
    plan.notices.extend(note_invites(situation));
    plan
}

/// When the scheduler should look again: the earliest of `moments` (the next handoff, heads-up,
/// reminder) after `now`, and at the latest `now + recheck`.
pub fn next_moment(
    now: Timestamp,
    moments: impl IntoIterator<Item = Timestamp>,
    recheck: SignedDuration,
) -> Timestamp {
    let fallback = now.checked_add(recheck).unwrap_or(Timestamp::MAX);
    moments
        .into_iter()
        .filter(|moment| *moment > now)
        .fold(fallback, Timestamp::min)
}

/// The members each user group should have: everyone on duty (deduplicated) for `triage_group`,
/// and each discipline's person for the discipline's own group. Groups in first-seen order.
pub fn desired_usergroups(
    assignments: &[Assignment],
    disciplines: &[Discipline],
    triage_group: Option<&str>,
) -> Vec<(String, Vec<SlackUserId>)> {
    let mut groups: Vec<(String, BTreeSet<SlackUserId>)> = Vec::new();
    let mut add =
        |group: &str, people: Vec<SlackUserId>| match groups.iter_mut().find(|(id, _)| id == group)
        {
            Some((_, members)) => members.extend(people),
            None => groups.push((group.to_string(), people.into_iter().collect())),
        };
    if let Some(group) = triage_group {
        add(group, people_of(assignments));
    }
    for discipline in disciplines {
        if let Some(group) = &discipline.usergroup_id {
            let person = assignments
                .iter()
                .filter(|a| a.discipline == discipline.key)
                .filter_map(|a| a.slack_id.clone());
            add(group, person.collect());
        }
    }
    groups
        .into_iter()
        .map(|(id, members)| (id, members.into_iter().collect()))
        .collect()
}

fn people_of(assignments: &[Assignment]) -> Vec<SlackUserId> {
    let people: BTreeSet<SlackUserId> = assignments
        .iter()
        .filter_map(|a| a.slack_id.clone())
        .collect();
    people.into_iter().collect()
}

fn plan_duty(situation: &Situation<'_>, current: DutyView<'_>) -> Plan {
    let announced = situation.announced;
    let states = state_changes(announced, current);
    if announced.is_empty() {
        return first_start(situation, current, states);
    }
    if states.is_empty() {
        return Plan {
            kind: PlanKind::Unchanged,
            notices: Vec::new(),
            states,
        };
    }
    let revision = announced.iter().map(|a| a.revision).max().unwrap_or(0);
    // Coming out of a time with no sprint in force is a handoff too.
    let handoff = announced
        .iter()
        .any(|a| a.sprint != Some(current.sprint.index));
    let (kind, mut notices) = if handoff {
        (PlanKind::Handoff, handoff_notices(situation, current))
    } else {
        (
            PlanKind::Change,
            change_notices(situation, current, revision),
        )
    };
    notices.extend(team_notices(situation.now, current, revision, handoff));
    if handoff {
        notices.extend(note_posts(situation, current));
    }
    Plan {
        kind,
        notices,
        states,
    }
}

/// The state of every discipline on duty whose announced sprint or person differs.
fn state_changes(announced: &[Announced], current: DutyView<'_>) -> Vec<StateChange> {
    current
        .assignments
        .iter()
        .filter(|a| {
            !announced.iter().any(|s| {
                s.discipline == a.discipline
                    && s.sprint == Some(current.sprint.index)
                    && s.person == a.slack_id
            })
        })
        .map(|a| StateChange {
            discipline: a.discipline.clone(),
            sprint: Some(current.sprint.index),
            person: a.slack_id.clone(),
        })
        .collect()
}

/// No sprint is in force. If one was announced as in force, its people are told their duty
/// ended, the topic says no sprint is in force, and every discipline's announced state becomes
/// "no sprint". Otherwise (nothing announced, or already recorded as uncovered) nothing happens.
fn plan_uncovered(situation: &Situation<'_>) -> Plan {
    let announced = situation.announced;
    let Some(ended) = announced.iter().filter_map(|a| a.sprint).max() else {
        return Plan {
            kind: PlanKind::Unchanged,
            notices: Vec::new(),
            states: Vec::new(),
        };
    };
    let revision = announced.iter().map(|a| a.revision).max().unwrap_or(0);
    let next = situation
        .next
        .map(|next| (next.sprint.clone(), next.starts_at));
    let notice = |key: String, kind| Notice {
        key,
        kind,
        not_before: situation.now,
        expires_at: None,
    };
    let mut people: BTreeMap<SlackUserId, Vec<DisciplineKey>> = BTreeMap::new();
    for state in announced.iter().filter(|a| a.sprint.is_some()) {
        if let Some(person) = &state.person {
            people
                .entry(person.clone())
                .or_default()
                .push(state.discipline.clone());
        }
    }
    let mut notices: Vec<Notice> = people
        .into_iter()
        .map(|(person, disciplines)| {
            notice(
                format!("ended:{ended}:{person}:uncovered:r{revision}"),
                NoticeKind::DutyEndedUncovered {
                    person,
                    disciplines,
                    ended,
                    next: next.clone(),
                },
            )
        })
        .collect();
    notices.push(notice(
        format!("topic:uncovered:r{revision}"),
        NoticeKind::TopicUncovered { next },
    ));
    let states = announced
        .iter()
        .filter(|a| a.sprint.is_some() || a.person.is_some())
        .map(|a| StateChange {
            discipline: a.discipline.clone(),
            sprint: None,
            person: None,
        })
        .collect();
    Plan {
        kind: PlanKind::Uncovered,
        notices,
        states,
    }
}

fn first_start(situation: &Situation<'_>, current: DutyView<'_>, states: Vec<StateChange>) -> Plan {
    let since_start = situation.now.duration_since(current.starts_at);
    let direct_messages = since_start < FIRST_START_DM_WINDOW;
    let mut notices = Vec::new();
    if direct_messages {
        notices.extend(duty_starts(situation.now, current, &[]));
    }
    notices.extend(team_notices(situation.now, current, 0, true));
    Plan {
        kind: PlanKind::FirstStart { direct_messages },
        notices,
        states,
    }
}

fn handoff_notices(situation: &Situation<'_>, current: DutyView<'_>) -> Vec<Notice> {
    let mut notices = duty_starts(situation.now, current, &handed_over(situation, current));
    let mut ended: BTreeMap<SlackUserId, (Vec<DisciplineKey>, Option<SprintIndex>)> =
        BTreeMap::new();
    for state in situation.announced {
        let Some(person) = &state.person else {
            continue;
        };
        if on_duty_for(current.assignments, &state.discipline) == Some(person) {
            continue;
        }
        let entry = ended.entry(person.clone()).or_default();
        entry.0.push(state.discipline.clone());
        entry.1 = entry.1.max(state.sprint);
    }
    let position = |key: &DisciplineKey| {
        let found = current
            .assignments
            .iter()
            .position(|a| &a.discipline == key);
        found.unwrap_or(usize::MAX)
    };
    for (person, (mut disciplines, sprint)) in ended {
        // Display order, like every other notice.
        disciplines.sort_by_key(|key| position(key));
        let sprint = sprint.map_or("none".to_string(), |s| s.to_string());
        notices.push(Notice {
            key: format!("ended:{sprint}:{person}:{}", current.sprint.index),
            kind: NoticeKind::DutyEnded {
                person,
                disciplines,
            },
            not_before: situation.now,
            expires_at: None,
        });
    }
    notices
}

fn on_duty_for<'a>(
    assignments: &'a [Assignment],
    discipline: &DisciplineKey,
) -> Option<&'a SlackUserId> {
    assignments
        .iter()
        .find(|a| &a.discipline == discipline)
        .and_then(|a| a.slack_id.as_ref())
}

/// Each person on duty, with their disciplines in display order.
fn by_person(assignments: &[Assignment]) -> BTreeMap<SlackUserId, Vec<DisciplineKey>> {
    let mut people: BTreeMap<SlackUserId, Vec<DisciplineKey>> = BTreeMap::new();
    for a in assignments {
        if let Some(person) = &a.slack_id {
            people
                .entry(person.clone())
                .or_default()
                .push(a.discipline.clone());
        }
    }
    people
}

/// The notes a handoff to `current` hands over: those left in the sprint each discipline was
/// last announced for, when that is not `current` itself; after a gap, those left in the sprint
/// before `current`.
fn handed_over<'a>(situation: &Situation<'a>, current: DutyView<'_>) -> Vec<&'a HandoffNote> {
    let ended = |a: &Announced, note: &HandoffNote| match a.sprint {
        Some(sprint) => sprint == note.sprint,
        // A gap since: the notes of the sprint before this one, once announced before.
        None => a.revision > 0 && situation.previous == Some(note.sprint),
    };
    situation
        .notes
        .iter()
        .filter(|note| note.sprint != current.sprint.index)
        .filter(|note| {
            situation
                .announced
                .iter()
                .any(|a| a.discipline == note.discipline && ended(a, note))
        })
        .collect()
}

/// One thread reply per handed-over note, under the new sprint's team post.
fn note_posts(situation: &Situation<'_>, current: DutyView<'_>) -> Vec<Notice> {
    handed_over(situation, current)
        .into_iter()
        .map(|note| Notice {
            key: format!("note:{}:{}", note.sprint, note.discipline),
            kind: NoticeKind::HandoffNote {
                note: note.clone(),
                team_post: format!("post:{}", current.sprint.index),
            },
            not_before: situation.now,
            expires_at: None,
        })
        .collect()
}

fn duty_starts(now: Timestamp, current: DutyView<'_>, notes: &[&HandoffNote]) -> Vec<Notice> {
    by_person(current.assignments)
        .into_iter()
        .map(|(person, disciplines)| Notice {
            key: format!("handoff:{}:{person}", current.sprint.index),
            kind: NoticeKind::DutyStarts {
                notes: notes
                    .iter()
                    .filter(|n| disciplines.contains(&n.discipline))
                    .map(|n| (*n).clone())
                    .collect(),
                person,
                disciplines,
                sprint: current.sprint.clone(),
            },
            not_before: now,
            expires_at: None,
        })
        .collect()
}

/// The topic and the user groups, keyed by the decision's revision, and with `post` the channel
/// post, keyed by the sprint alone so each sprint's team is posted once.
fn team_notices(now: Timestamp, current: DutyView<'_>, revision: i64, post: bool) -> Vec<Notice> {
    let sprint = current.sprint.clone();
    let assignments = current.assignments.to_vec();
    let index = sprint.index;
    let mut kinds = vec![
        (
            format!("topic:{index}:r{revision}"),
            NoticeKind::Topic {
                sprint: sprint.clone(),
                ends_at: current.ends_at,
                assignments: assignments.clone(),
            },
        ),
        (
            format!("usergroups:{index}:r{revision}"),
            NoticeKind::Usergroups,
        ),
    ];
    if post {
        kinds.insert(
            0,
            (
                format!("post:{index}"),
                NoticeKind::TeamPost {
                    sprint,
                    assignments,
                },
            ),
        );
    }
    kinds
        .into_iter()
        .map(|(key, kind)| Notice {
            key,
            kind,
            not_before: now,
            expires_at: None,
        })
        .collect()
}

fn change_notices(situation: &Situation<'_>, current: DutyView<'_>, revision: i64) -> Vec<Notice> {
    let mut added: BTreeMap<SlackUserId, Vec<ChangedSlot>> = BTreeMap::new();
    let mut removed: BTreeMap<SlackUserId, Vec<ChangedSlot>> = BTreeMap::new();
    for a in current.assignments {
        let before = situation
            .announced
            .iter()
            .find(|s| s.discipline == a.discipline)
            .and_then(|s| s.person.clone());
        if before == a.slack_id {
            continue;
        }
        if let Some(person) = &a.slack_id {
            added.entry(person.clone()).or_default().push(ChangedSlot {
                discipline: a.discipline.clone(),
                other: before.clone(),
            });
        }
        if let Some(person) = before {
            removed.entry(person).or_default().push(ChangedSlot {
                discipline: a.discipline.clone(),
                other: a.slack_id.clone(),
            });
        }
    }
    let prefix = format!("change:{}:r{revision}", current.sprint.index);
    let notice = |key: String, kind| Notice {
        key,
        kind,
        not_before: situation.now,
        expires_at: None,
    };
    let mut notices = Vec::new();
    for (person, slots) in added {
        let key = format!("{prefix}:added:{person}");
        let sprint = current.sprint.clone();
        notices.push(notice(
            key,
            NoticeKind::Added {
                person,
                slots,
                sprint,
                ends_at: current.ends_at,
            },
        ));
    }
    for (person, slots) in removed {
        let key = format!("{prefix}:removed:{person}");
        let sprint = current.sprint.clone();
        notices.push(notice(
            key,
            NoticeKind::Removed {
                person,
                slots,
                sprint,
            },
        ));
    }
    notices
}

/// Heads-ups and reminders for the next sprint, once their moments have come: to each person
/// taking a discipline they do not hold now. Each is valid for [`HEADS_UP_VALIDITY`] after its
/// moment; a late one is still returned (already expired) so the outbox drops and logs it
/// exactly once.
fn heads_ups(situation: &Situation<'_>) -> Vec<Notice> {
    let Some(next) = situation.next else {
        return Vec::new();
    };
    if situation.now >= next.starts_at {
        return Vec::new();
    }
    let zone = &situation.team.zone;
    let schedule = situation.heads_up;
    let holding = situation.current.map_or(&[][..], |c| c.assignments);
    let incoming: Vec<Assignment> = next
        .assignments
        .iter()
        .filter(|a| a.slack_id.is_some())
        .filter(|a| on_duty_for(holding, &a.discipline) != a.slack_id.as_ref())
        .cloned()
        .collect();
    let people = by_person(&incoming);
    let due = |moment: Option<Timestamp>| moment.filter(|m| situation.now >= *m);
    let notice = |key: String, kind, moment: Timestamp| Notice {
        key,
        kind,
        not_before: moment,
        expires_at: moment.checked_add(HEADS_UP_VALIDITY).ok(),
    };
    let (sprint, starts_at) = (next.sprint, next.starts_at);
    let mut notices = Vec::new();
    if let Some(moment) = due(schedule.reminder_at(zone, starts_at)) {
        for (person, disciplines) in &people {
            let kind = NoticeKind::Reminder {
                person: person.clone(),
                disciplines: disciplines.clone(),
                sprint: sprint.clone(),
                starts_at,
                ends_at: next.ends_at,
            };
            notices.push(notice(
                format!("reminder:{}:{person}", sprint.index),
                kind,
                moment,
            ));
        }
    }
    if let Some(moment) = due(schedule.heads_up_at(zone, starts_at)) {
        for (person, disciplines) in people {
            let key = format!("headsup:{}:{person}", sprint.index);
            let kind = NoticeKind::HeadsUp {
                person,
                disciplines,
                sprint: sprint.clone(),
                starts_at,
                ends_at: next.ends_at,
                sent_at: moment,
            };
            notices.push(notice(key, kind, moment));
        }
    }
    notices
}

/// Invitations to leave a handoff note on the last working day of the sprint in force (at the
/// heads-up time before its duty ends): to each person on duty now for a discipline that passes
/// to someone else in the next sprint, for the disciplines they have left no note for. The note
/// is handed over when the next sprint takes over, at once or after a gap. Valid until the duty
/// ends: after that no note can be left.
fn note_invites(situation: &Situation<'_>) -> Vec<Notice> {
    let (Some(current), Some(next)) = (situation.current, situation.next) else {
        return Vec::new();
    };
    let moment = situation
        .heads_up
        .heads_up_at(&situation.team.zone, current.ends_at);
    let due = moment.filter(|m| situation.now >= *m && situation.now < current.ends_at);
    let Some(moment) = due else {
        return Vec::new();
    };
    let noted = |a: &Assignment| {
        situation
            .notes
            .iter()
            .any(|n| n.sprint == current.sprint.index && n.discipline == a.discipline)
    };
    let outgoing: Vec<Assignment> = super::note::handed_over(current.assignments, next.assignments)
        .into_iter()
        .filter(|a| !noted(a))
        .cloned()
        .collect();
    by_person(&outgoing)
        .into_iter()
        .map(|(person, disciplines)| Notice {
            key: format!("noteinvite:{}:{person}", current.sprint.index),
            kind: NoticeKind::NoteInvite {
                person,
                disciplines,
                sprint: current.sprint.clone(),
                handoff_at: current.ends_at,
            },
            not_before: moment,
            expires_at: Some(current.ends_at),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use jiff::civil::Time;
    use jiff::tz::TimeZone;

    use super::*;
    use crate::domain::Source;
    use crate::domain::sprint::{handoff_instant, sprint_ends_at};
    use crate::domain::workdays::ReminderLead;

    fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: Default::default(),
        }
    }

    fn sprint(index: i64, start: &str, end: &str) -> Sprint {
        Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Sprint {index}"),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        }
    }

    fn at(instant: &str) -> Timestamp {
        instant.parse().unwrap()
    }

    fn key(k: &str) -> DisciplineKey {
        DisciplineKey::parse(k).unwrap()
    }

    fn user(id: &str) -> SlackUserId {
        SlackUserId::parse(id).unwrap()
    }

    /// `"ui=U1 be=U2 po=-"`: who is on duty per discipline.
    fn duty(text: &str) -> Vec<Assignment> {
        text.split_whitespace()
            .map(|pair| {
                let (discipline, person) = pair.split_once('=').unwrap();
                Assignment {
                    discipline: key(discipline),
                    slack_id: (person != "-").then(|| user(person)),
                    source: Source::Rotation,
                }
            })
            .collect()
    }

    /// `"ui=U1@3#7"`: announced person, sprint and revision per discipline (`-` for none).
    fn announced(text: &str) -> Vec<Announced> {
        text.split_whitespace()
            .map(|entry| {
                let (discipline, rest) = entry.split_once('=').unwrap();
                let (person, rest) = rest.split_once('@').unwrap();
                let (sprint, revision) = rest.split_once('#').unwrap();
                Announced {
                    discipline: key(discipline),
                    sprint: (sprint != "-")
                        .then(|| SprintIndex::new(sprint.parse().unwrap()).unwrap()),
                    person: (person != "-").then(|| user(person)),
                    revision: revision.parse().unwrap(),
                }
            })
            .collect()
    }

    fn s3() -> Sprint {
        sprint(3, "2026-03-09", "2026-03-22")
    }

    fn s4() -> Sprint {
        sprint(4, "2026-03-23", "2026-04-05")
    }

    fn describe_kind(kind: &NoticeKind) -> String {
        let list = |keys: &[DisciplineKey]| {
            keys.iter()
                .map(DisciplineKey::as_str)
                .collect::<Vec<_>>()
                .join("+")
        };
        let slots = |slots: &[ChangedSlot]| {
            slots
                .iter()
                .map(|s| {
                    let other = s.other.as_ref().map_or("-", SlackUserId::as_str);
                    format!("{}/{other}", s.discipline)
                })
                .collect::<Vec<_>>()
                .join("+")
        };
        match kind {
            NoticeKind::DutyStarts {
                person,
                disciplines,
                sprint,
                notes,
            } => {
                let notes: Vec<String> = notes.iter().map(|n| format!(" {:?}", n.text)).collect();
                format!(
                    "starts {person} {} s{}{}",
                    list(disciplines),
                    sprint.index,
                    notes.concat()
                )
            }
            NoticeKind::HandoffNote { note, team_post } => {
                format!(
                    "note {} by {} under {team_post}: {:?}",
                    note.discipline, note.author, note.text
                )
            }
            NoticeKind::DutyEnded {
                person,
                disciplines,
            } => format!("ended {person} {}", list(disciplines)),
            NoticeKind::DutyEndedUncovered {
                person,
                disciplines,
                ended,
                next,
            } => match next {
                Some((next, starts_at)) => format!(
                    "ended {person} {} s{ended}, next s{} at {starts_at}",
                    list(disciplines),
                    next.index
                ),
                None => format!("ended {person} {} s{ended}, none next", list(disciplines)),
            },
            NoticeKind::TopicUncovered { next } => match next {
                Some((next, starts_at)) => {
                    format!("topic none, next s{} at {starts_at}", next.index)
                }
                None => "topic none, none next".to_string(),
            },
            NoticeKind::HeadsUp {
                person,
                disciplines,
                starts_at,
                ..
            } => format!("heads-up {person} {} at {starts_at}", list(disciplines)),
            NoticeKind::Reminder {
                person,
                disciplines,
                starts_at,
                ..
            } => format!("reminder {person} {} at {starts_at}", list(disciplines)),
            NoticeKind::NoteInvite {
                person,
                disciplines,
                sprint,
                handoff_at,
            } => format!(
                "note-invite {person} {} s{} at {handoff_at}",
                list(disciplines),
                sprint.index
            ),
            NoticeKind::Added {
                person, slots: s, ..
            } => format!("added {person} {}", slots(s)),
            NoticeKind::Removed {
                person, slots: s, ..
            } => {
                format!("removed {person} {}", slots(s))
            }
            NoticeKind::TeamPost { sprint, .. } => format!("post s{}", sprint.index),
            NoticeKind::Topic { sprint, .. } => format!("topic s{}", sprint.index),
            NoticeKind::Usergroups => "usergroups".to_string(),
        }
    }

    fn describe(plan: &Plan, now: Timestamp) -> String {
        let mut lines = vec![format!("{:?}", plan.kind)];
        for notice in &plan.notices {
            let mut line = format!("{} | {}", notice.key, describe_kind(&notice.kind));
            if notice.not_before != now {
                line.push_str(&format!(" | from {}", notice.not_before));
            }
            if let Some(expires) = notice.expires_at {
                line.push_str(&format!(" until {expires}"));
            }
            lines.push(line);
        }
        for state in &plan.states {
            let person = state.person.as_ref().map_or("-", SlackUserId::as_str);
            let sprint = state.sprint.map_or("-".to_string(), |s| s.to_string());
            lines.push(format!("state {}={person}@{sprint}", state.discipline));
        }
        lines.join("\n") + "\n"
    }

    struct Case<'a> {
        announced: &'a str,
        current: Option<(&'a Sprint, &'a str)>,
        next: Option<(&'a Sprint, &'a str)>,
        now: &'a str,
        heads_up: HeadsUpSchedule,
        notes: Vec<HandoffNote>,
        previous: Option<SprintIndex>,
    }

    impl Default for Case<'_> {
        fn default() -> Self {
            Case {
                announced: "",
                current: None,
                next: None,
                now: "2026-03-12T18:00:00Z",
                notes: Vec::new(),
                heads_up: HeadsUpSchedule::default(),
                previous: None,
            }
        }
    }

    #[track_caller]
    fn check(case: Case<'_>, expected: Expect) {
        let team = team();
        let announced = announced(case.announced);
        let current = case.current.map(|(s, d)| (s, duty(d)));
        let next = case.next.map(|(s, d)| (s, duty(d)));
        fn view<'a>(
            team: &Team,
            (sprint, assignments): &'a (&Sprint, Vec<Assignment>),
        ) -> DutyView<'a> {
            DutyView {
                sprint,
                starts_at: handoff_instant(team, sprint.start),
                ends_at: sprint_ends_at(sprint, None, team),
                assignments: assignments.as_slice(),
            }
        }
        let situation = Situation {
            announced: &announced,
            current: current.as_ref().map(|c| view(&team, c)),
            next: next.as_ref().map(|n| view(&team, n)),
            team: &team,
            heads_up: &case.heads_up,
            notes: &case.notes,
            previous: case.previous,
            now: at(case.now),
        };
        expected.assert_eq(&describe(&plan(&situation), at(case.now)));
    }

    #[test]
    fn first_start_mid_sprint_announces_the_team_without_direct_messages() {
        check(
            Case {
                announced: "",
                current: Some((&s3(), "ui=U1 be=U2")),
                next: None,
                now: "2026-03-12T18:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                FirstStart { direct_messages: false }
                post:3 | post s3
                topic:3:r0 | topic s3
                usergroups:3:r0 | usergroups
                state ui=U1@3
                state be=U2@3
            "#]],
        );
    }

    #[test]
    fn first_start_right_after_the_handoff_also_sends_direct_messages() {
        check(
            Case {
                announced: "",
                current: Some((&s3(), "ui=U1 be=U1")),
                next: None,
                now: "2026-03-09T16:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                FirstStart { direct_messages: true }
                handoff:3:U1 | starts U1 ui+be s3
                post:3 | post s3
                topic:3:r0 | topic s3
                usergroups:3:r0 | usergroups
                state ui=U1@3
                state be=U1@3
            "#]],
        );
    }

    #[test]
    fn nothing_changed_announces_nothing() {
        check(
            Case {
                announced: "ui=U1@3#5 be=U2@3#6",
                current: Some((&s3(), "ui=U1 be=U2")),
                next: None,
                now: "2026-03-12T18:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Unchanged
            "#]],
        );
    }

    #[test]
    fn handoff_tells_incoming_and_outgoing_once_each_and_posts_the_team() {
        check(
            Case {
                announced: "ui=U1@3#5 be=U2@3#6 po=U3@3#7",
                current: Some((&s4(), "ui=U4 be=U4 po=U3")),
                next: None,
                now: "2026-03-23T15:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Handoff
                handoff:4:U3 | starts U3 po s4
                handoff:4:U4 | starts U4 ui+be s4
                ended:3:U1:4 | ended U1 ui
                ended:3:U2:4 | ended U2 be
                post:4 | post s4
                topic:4:r7 | topic s4
                usergroups:4:r7 | usergroups
                state ui=U4@4
                state be=U4@4
                state po=U3@4
            "#]],
        );
    }

    fn note(sprint: &Sprint, discipline: &str, author: &str, text: &str) -> HandoffNote {
        HandoffNote {
            sprint: sprint.index,
            discipline: key(discipline),
            author: user(author),
            text: text.to_string(),
            created_at: at("2026-03-20T10:00:00Z"),
            updated_at: at("2026-03-20T10:00:00Z"),
        }
    }

    #[test]
    fn handoff_hands_over_the_ended_sprints_notes_in_the_dm_and_the_team_posts_thread() {
        check(
            Case {
                announced: "ui=U1@3#5 be=U2@3#6",
                current: Some((&s4(), "ui=U4 be=U2")),
                now: "2026-03-23T15:00:00Z",
                notes: vec![
                    note(&s3(), "ui", "U1", "deploy frozen"),
                    note(&s3(), "be", "U2", "db migration half done"),
                    // Left in the new sprint already: handed over at the next handoff.
                    note(&s4(), "ui", "U4", "too early"),
                ],
                ..Case::default()
            },
            expect![[r#"
                Handoff
                handoff:4:U2 | starts U2 be s4 "db migration half done"
                handoff:4:U4 | starts U4 ui s4 "deploy frozen"
                ended:3:U1:4 | ended U1 ui
                post:4 | post s4
                topic:4:r6 | topic s4
                usergroups:4:r6 | usergroups
                note:3:ui | note ui by U1 under post:4: "deploy frozen"
                note:3:be | note be by U2 under post:4: "db migration half done"
                state ui=U4@4
                state be=U2@4
            "#]],
        );
    }

    #[test]
    fn after_a_gap_the_handoff_hands_over_the_notes_of_the_sprint_before() {
        // Sprint 4 ended a week ago; nothing was in force since; sprint 6 takes over now.
        let s6 = s6();
        let case = |announced| Case {
            announced,
            current: Some((&s6, "ui=U3 be=U1")),
            now: "2026-04-13T15:00:00Z",
            notes: vec![
                note(&s4(), "ui", "U1", "deploy frozen"),
                note(&s6, "be", "U1", "too early"),
            ],
            previous: Some(s4().index),
            ..Case::default()
        };
        check(
            case("ui=-@-#8 be=-@-#9"),
            expect![[r#"
                Handoff
                handoff:6:U1 | starts U1 be s6
                handoff:6:U3 | starts U3 ui s6 "deploy frozen"
                post:6 | post s6
                topic:6:r9 | topic s6
                usergroups:6:r9 | usergroups
                note:4:ui | note ui by U1 under post:6: "deploy frozen"
                state ui=U3@6
                state be=U1@6
            "#]],
        );
        // Never announced before (a first start): nothing is handed over.
        check(
            case(""),
            expect![[r#"
                FirstStart { direct_messages: true }
                handoff:6:U1 | starts U1 be s6
                handoff:6:U3 | starts U3 ui s6
                post:6 | post s6
                topic:6:r0 | topic s6
                usergroups:6:r0 | usergroups
                state ui=U3@6
                state be=U1@6
            "#]],
        );
    }

    #[test]
    fn handoff_to_the_same_person_in_two_disciplines_ends_nothing_for_them() {
        check(
            Case {
                announced: "ui=U1@3#5 be=U2@3#6",
                current: Some((&s4(), "ui=U2 be=U2")),
                next: None,
                now: "2026-03-23T15:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Handoff
                handoff:4:U2 | starts U2 ui+be s4
                ended:3:U1:4 | ended U1 ui
                post:4 | post s4
                topic:4:r6 | topic s4
                usergroups:4:r6 | usergroups
                state ui=U2@4
                state be=U2@4
            "#]],
        );
    }

    #[test]
    fn mid_sprint_change_tells_the_added_and_removed_people() {
        check(
            Case {
                announced: "ui=U1@3#5 be=U1@3#6",
                current: Some((&s3(), "ui=U2 be=U2")),
                next: None,
                now: "2026-03-12T18:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Change
                change:3:r6:added:U2 | added U2 ui/U1+be/U1
                change:3:r6:removed:U1 | removed U1 ui/U2+be/U2
                topic:3:r6 | topic s3
                usergroups:3:r6 | usergroups
                state ui=U2@3
                state be=U2@3
            "#]],
        );
    }

    #[test]
    fn change_to_nobody_only_tells_the_removed_person() {
        check(
            Case {
                announced: "ui=U1@3#5",
                current: Some((&s3(), "ui=-")),
                next: None,
                now: "2026-03-12T18:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Change
                change:3:r5:removed:U1 | removed U1 ui/-
                topic:3:r5 | topic s3
                usergroups:3:r5 | usergroups
                state ui=-@3
            "#]],
        );
    }

    #[test]
    fn repeated_changes_get_fresh_keys_and_a_retried_decision_the_same_keys() {
        let keys = |before: &str, current: &str| {
            let team = team();
            let announced = announced(before);
            let assignments = duty(current);
            let sprint = s3();
            let situation = Situation {
                announced: &announced,
                current: Some(DutyView {
                    sprint: &sprint,
                    starts_at: handoff_instant(&team, sprint.start),
                    ends_at: sprint_ends_at(&sprint, None, &team),
                    assignments: &assignments,
                }),
                next: None,
                team: &team,
                heads_up: &HeadsUpSchedule::default(),
                notes: &[],
                previous: None,
                now: at("2026-03-12T18:00:00Z"),
            };
            plan(&situation)
                .notices
                .into_iter()
                .map(|n| n.key)
                .collect::<Vec<_>>()
        };
        let a_to_b = keys("ui=UA@3#5", "ui=UB");
        let b_to_a = keys("ui=UB@3#6", "ui=UA");
        let a_to_b_again = keys("ui=UA@3#7", "ui=UB");
        assert_eq!(
            a_to_b,
            keys("ui=UA@3#5", "ui=UB"),
            "a retried decision repeats its keys"
        );
        for key in &a_to_b {
            assert!(
                !b_to_a.contains(key) && !a_to_b_again.contains(key),
                "{key}"
            );
        }
    }

    #[test]
    fn heads_up_waits_for_friday_at_the_heads_up_time_and_is_valid_for_an_hour() {
        let (s3, s4) = (s3(), s4());
        let at_time = |now| Case {
            announced: "ui=U1@3#5 be=U2@3#6",
            current: Some((&s3, "ui=U1 be=U2")),
            next: Some((&s4, "ui=U3 be=U3")),
            now,
            ..Case::default()
        };
        check(
            at_time("2026-03-20T23:59:59Z"),
            expect![[r#"
            Unchanged
        "#]],
        );
        check(
            at_time("2026-03-21T00:00:00Z"),
            expect![[r#"
                Unchanged
                headsup:4:U3 | heads-up U3 ui+be at 2026-03-23T15:00:00Z until 2026-03-21T01:00:00Z
                noteinvite:3:U1 | note-invite U1 ui s3 at 2026-03-23T15:00:00Z until 2026-03-23T15:00:00Z
                noteinvite:3:U2 | note-invite U2 be s3 at 2026-03-23T15:00:00Z until 2026-03-23T15:00:00Z
            "#]],
        );
        check(
            at_time("2026-03-21T02:00:00Z"),
            expect![[r#"
                Unchanged
                headsup:4:U3 | heads-up U3 ui+be at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-21T01:00:00Z
                noteinvite:3:U1 | note-invite U1 ui s3 at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-23T15:00:00Z
                noteinvite:3:U2 | note-invite U2 be s3 at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-23T15:00:00Z
            "#]],
        );
        check(
            at_time("2026-03-23T15:00:00Z"),
            expect![[r#"
            Unchanged
        "#]],
        );
    }

    #[test]
    fn the_outgoing_people_are_invited_to_leave_a_note_with_the_heads_up_until_the_handoff() {
        let (s3, s4) = (s3(), s4());
        let note = |discipline: &str| HandoffNote {
            sprint: s3.index,
            discipline: DisciplineKey::parse(discipline).unwrap(),
            author: SlackUserId::parse("U1").unwrap(),
            text: "deploy frozen".to_string(),
            created_at: at("2026-03-20T18:00:00Z"),
            updated_at: at("2026-03-20T18:00:00Z"),
        };
        // U1 hands UI over to U3 and keeps Backend; U2 hands nothing over.
        let case = |now, notes: Vec<HandoffNote>| Case {
            announced: "ui=U1@3#5 be=U1@3#6 po=U2@3#7",
            current: Some((&s3, "ui=U1 be=U1 po=U2")),
            next: Some((&s4, "ui=U3 be=U1 po=U2")),
            now,
            notes,
            ..Case::default()
        };
        check(
            case("2026-03-20T23:59:59Z", Vec::new()),
            expect![[r#"
                Unchanged
            "#]],
        );
        check(
            case("2026-03-21T00:00:00Z", Vec::new()),
            expect![[r#"
                Unchanged
                headsup:4:U3 | heads-up U3 ui at 2026-03-23T15:00:00Z until 2026-03-21T01:00:00Z
                noteinvite:3:U1 | note-invite U1 ui s3 at 2026-03-23T15:00:00Z until 2026-03-23T15:00:00Z
            "#]],
        );
        // Late (a restart) but before the handoff: still worth sending.
        check(
            case("2026-03-23T14:59:59Z", Vec::new()),
            expect![[r#"
                Unchanged
                headsup:4:U3 | heads-up U3 ui at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-21T01:00:00Z
                noteinvite:3:U1 | note-invite U1 ui s3 at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-23T15:00:00Z
            "#]],
        );
        // A note already left for UI: nothing to invite.
        check(
            case("2026-03-21T00:00:00Z", vec![note("ui")]),
            expect![[r#"
                Unchanged
                headsup:4:U3 | heads-up U3 ui at 2026-03-23T15:00:00Z until 2026-03-21T01:00:00Z
            "#]],
        );
    }

    #[test]
    fn before_a_gap_the_invitation_comes_before_the_duty_ends() {
        // Sprint 3 ends on Friday (its duty until Saturday's handoff time); sprint 4 starts on
        // Monday: the invitation goes on Friday at the heads-up time (the last working day
        // before Saturday), not on Thursday, and lasts until Saturday's end of duty.
        let mut s3 = s3();
        s3.end = "2026-03-20".parse().unwrap();
        let s4 = s4();
        let case = |now| Case {
            announced: "ui=U1@3#5",
            current: Some((&s3, "ui=U1")),
            next: Some((&s4, "ui=U3")),
            now,
            ..Case::default()
        };
        check(
            case("2026-03-20T00:00:00Z"),
            expect![[r#"
                Unchanged
            "#]],
        );
        check(
            case("2026-03-21T00:00:00Z"),
            expect![[r#"
                Unchanged
                headsup:4:U3 | heads-up U3 ui at 2026-03-23T15:00:00Z until 2026-03-21T01:00:00Z
                noteinvite:3:U1 | note-invite U1 ui s3 at 2026-03-21T15:00:00Z until 2026-03-21T15:00:00Z
            "#]],
        );
    }

    #[test]
    fn heads_up_skips_a_discipline_the_person_already_holds() {
        let s4 = s4();
        check(
            Case {
                announced: "ui=U1@3#5 be=U2@3#6",
                current: Some((&s3(), "ui=U1 be=U2")),
                next: Some((&s4, "ui=U1 be=U1")),
                now: "2026-03-21T00:30:00Z",
                ..Case::default()
            },
            expect![[r#"
                Unchanged
                headsup:4:U1 | heads-up U1 be at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-21T01:00:00Z
                noteinvite:3:U2 | note-invite U2 be s3 at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-23T15:00:00Z
            "#]],
        );
    }

    #[test]
    fn no_sprint_in_force_announces_nothing_but_heads_ups() {
        let s4 = s4();
        check(
            Case {
                announced: "",
                current: None,
                next: Some((&s4, "ui=U1")),
                now: "2026-03-21T00:30:00Z",
                ..Case::default()
            },
            expect![[r#"
                Unchanged
                headsup:4:U1 | heads-up U1 ui at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-21T01:00:00Z
            "#]],
        );
    }

    fn s6() -> Sprint {
        sprint(6, "2026-04-13", "2026-04-26")
    }

    #[test]
    fn a_gap_tells_the_outgoing_people_once_and_names_the_next_sprint() {
        let s6 = s6();
        check(
            Case {
                announced: "ui=U1@4#5 be=U1@4#6 po=-@4#7",
                current: None,
                next: Some((&s6, "ui=U3 be=U4 po=U5")),
                now: "2026-04-06T15:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Uncovered
                ended:4:U1:uncovered:r7 | ended U1 ui+be s4, next s6 at 2026-04-13T15:00:00Z
                topic:uncovered:r7 | topic none, next s6 at 2026-04-13T15:00:00Z
                state ui=-@-
                state be=-@-
                state po=-@-
            "#]],
        );
    }

    #[test]
    fn the_end_of_the_last_sprint_tells_the_outgoing_people_that_none_is_planned() {
        check(
            Case {
                announced: "ui=U1@4#5 be=U2@4#6",
                current: None,
                next: None,
                now: "2026-04-06T15:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Uncovered
                ended:4:U1:uncovered:r6 | ended U1 ui s4, none next
                ended:4:U2:uncovered:r6 | ended U2 be s4, none next
                topic:uncovered:r6 | topic none, none next
                state ui=-@-
                state be=-@-
            "#]],
        );
    }

    #[test]
    fn once_recorded_as_uncovered_nothing_is_announced_again() {
        check(
            Case {
                announced: "ui=-@-#8 be=-@-#9",
                current: None,
                next: None,
                now: "2026-04-20T15:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Unchanged
            "#]],
        );
    }

    #[test]
    fn the_sprint_after_a_gap_is_a_handoff() {
        let s6 = s6();
        check(
            Case {
                announced: "ui=-@-#8 be=-@-#9",
                current: Some((&s6, "ui=U1 be=U4")),
                next: None,
                now: "2026-04-13T15:00:00Z",
                ..Case::default()
            },
            expect![[r#"
                Handoff
                handoff:6:U1 | starts U1 ui s6
                handoff:6:U4 | starts U4 be s6
                post:6 | post s6
                topic:6:r9 | topic s6
                usergroups:6:r9 | usergroups
                state ui=U1@6
                state be=U4@6
            "#]],
        );
    }

    #[test]
    fn a_reminder_goes_a_lead_ahead_and_the_heads_up_still_follows() {
        let (s3, s4) = (s3(), s4());
        let at_time = |now| Case {
            announced: "ui=U1@3#5 be=U2@3#6",
            current: Some((&s3, "ui=U1 be=U2")),
            next: Some((&s4, "ui=U3 be=U2")),
            now,
            notes: Vec::new(),
            previous: None,
            heads_up: HeadsUpSchedule {
                reminder_lead: Some(ReminderLead::parse("7d").unwrap()),
                ..HeadsUpSchedule::default()
            },
        };
        // Mon Mar 16 17:00 PDT, a week before the Monday handoff.
        check(
            at_time("2026-03-16T23:59:59Z"),
            expect![[r#"
                Unchanged
            "#]],
        );
        check(
            at_time("2026-03-17T00:10:00Z"),
            expect![[r#"
                Unchanged
                reminder:4:U3 | reminder U3 ui at 2026-03-23T15:00:00Z | from 2026-03-17T00:00:00Z until 2026-03-17T01:00:00Z
            "#]],
        );
        // At Friday's heads-up the reminder is listed again (its key is already enqueued).
        check(
            at_time("2026-03-21T00:10:00Z"),
            expect![[r#"
                Unchanged
                reminder:4:U3 | reminder U3 ui at 2026-03-23T15:00:00Z | from 2026-03-17T00:00:00Z until 2026-03-17T01:00:00Z
                headsup:4:U3 | heads-up U3 ui at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-21T01:00:00Z
                noteinvite:3:U1 | note-invite U1 ui s3 at 2026-03-23T15:00:00Z | from 2026-03-21T00:00:00Z until 2026-03-23T15:00:00Z
            "#]],
        );
    }

    #[test]
    fn next_moment_is_the_earliest_future_event_or_the_recheck() {
        let now = at("2026-03-22T12:00:00Z");
        let ten = SignedDuration::from_mins(10);
        let check = |start: Option<&str>, heads_up: Option<&str>, expected: &str| {
            let moments = [start, heads_up].into_iter().flatten().map(at);
            let moment = next_moment(now, moments, ten);
            assert_eq!(moment, at(expected));
        };
        check(None, None, "2026-03-22T12:10:00Z");
        check(Some("2026-03-22T12:05:00Z"), None, "2026-03-22T12:05:00Z");
        check(
            Some("2026-03-23T15:00:00Z"),
            Some("2026-03-22T12:01:00Z"),
            "2026-03-22T12:01:00Z",
        );
        check(
            Some("2026-03-23T15:00:00Z"),
            Some("2026-03-22T11:00:00Z"),
            "2026-03-22T12:10:00Z",
        );
    }

    #[test]
    fn desired_usergroups_deduplicate_and_follow_discipline_groups() {
        let discipline = |k: &str, group: Option<&str>| Discipline {
            key: key(k),
            name: k.to_uppercase(),
            position: 0,
            fallback: None,
            usergroup_id: group.map(str::to_string),
        };
        let disciplines = [discipline("ui", Some("SUI")), discipline("be", None)];
        let groups =
            desired_usergroups(&duty("ui=U2 be=U2 po=U1 qa=-"), &disciplines, Some("SALL"));
        let described: Vec<String> = groups
            .iter()
            .map(|(id, people)| {
                let people: Vec<&str> = people.iter().map(SlackUserId::as_str).collect();
                format!("{id}: {}", people.join(","))
            })
            .collect();
        assert_eq!(described, ["SALL: U1,U2", "SUI: U2"]);
        let empty = desired_usergroups(&duty("ui=-"), &disciplines, Some("SALL"));
        assert_eq!(
            empty,
            [("SALL".to_string(), vec![]), ("SUI".to_string(), vec![])]
        );
    }
}
