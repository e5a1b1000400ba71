//! Turns "who is on duty now" into announcements: loads the sprint in force, the next sprint
//! and what was last announced, decides with `domain::announce`, renders the notices with
//! `slack::notices`, and records the new announced state together with the outbox items in one
//! transaction. Delivery is the outbox worker's job.
//!
//! Calling [`sync`] again with nothing new enqueues nothing, so it is safe to call on start, on
//! every scheduler tick and whenever a decision wakes the scheduler. A bot that was down at a
//! handoff performs that handoff once on its first sync after coming back.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::bot::effect::{self, Effect, Outgoing};
use crate::config::Config;
use crate::dates::SlackDates;
use crate::domain::announce::{self, ChangedSlot, DutyView, Notice, NoticeKind, Plan, PlanKind};
use crate::domain::note::HandoffNote;
use crate::domain::{
    DisciplineKey, SlackUserId, SprintIndex, Team, sprint_ends_at, sprint_starts_at,
};
use crate::duty::{self, DutyAt, Roster, SprintDuty, local_date};
use crate::slack::notices::{self, Rendered, Slot};
use crate::store::{Result, Store};

/// The actor recorded in the audit log for the bot's own changes.
pub const ACTOR: &str = "triage-bot";

/// Decides and enqueues what should be announced at `now`. Returns how many outbox items were
/// newly enqueued.
pub fn sync(store: &Store, config: &Config, now: Timestamp) -> Result<usize> {
    let Some(planned) = plan_at(store, config, now)? else {
        return Ok(0);
    };
    apply(store, config, now, planned)
}

/// Records a decision's change to the sprint in force as announced, with its topic and user
/// group notices, leaving out the "added"/"removed" DMs to the people in `told` (the decision's
/// own DM already says what changed for them). Runs inside the decision's transaction. Anything
/// but a mid-sprint change (a handoff not announced yet, say) is left to the next [`sync`].
pub fn absorb_decision(
    store: &Store,
    config: &Config,
    now: Timestamp,
    told: &[SlackUserId],
) -> Result<usize> {
    let Some(mut planned) = plan_at(store, config, now)? else {
        return Ok(0);
    };
    if planned.plan.kind != PlanKind::Change {
        return Ok(0);
    }
    planned.plan.notices.retain(|notice| match &notice.kind {
        NoticeKind::Added { person, .. } | NoticeKind::Removed { person, .. } => {
            !told.contains(person)
        }
        _ => true,
    });
    apply(store, config, now, planned)
}

/// A plan with what it was decided from.
struct Planned {
    plan: Plan,
    announced: Vec<announce::Announced>,
    roster: Roster,
    current: Option<SprintDuty>,
}

/// What should be announced at `now`; `None` when nothing.
fn plan_at(store: &Store, config: &Config, now: Timestamp) -> Result<Option<Planned>> {
    let team = config.team();
    let current = match duty::duty_at(store, &team, now, now, ACTOR)? {
        DutyAt::InForce { duty, until } => Some((duty, until)),
        _ => None,
    };
    let roster = Roster::load(store)?;
    let next = next_sprint_duty(store, &roster, &team, now)?;
    let announced = store.announced()?;
    let previous = match &current {
        Some((duty, _)) => previous_sprint(store, &duty.sprint)?,
        None => None,
    };
    let notes = notes_of(store, &announced, previous)?;
    let situation = announce::Situation {
        announced: &announced,
        current: current
            .as_ref()
            .map(|(d, ends_at)| view(d, *ends_at, &team)),
        next: next.as_ref().map(|(d, ends_at)| view(d, *ends_at, &team)),
        team: &team,
        heads_up: &config.bot.heads_up,
        notes: &notes,
        previous,
        now,
    };
    let plan = announce::plan(&situation);
    if plan.notices.is_empty() && plan.states.is_empty() {
        return Ok(None);
    }
    Ok(Some(Planned {
        plan,
        announced,
        roster,
        current: current.map(|(duty, _)| duty),
    }))
}

/// The handoff notes left in the sprints last announced: the ones the next handoff hands over.
/// The sprint just before `sprint` (by start), if any.
fn previous_sprint(store: &Store, sprint: &crate::domain::Sprint) -> Result<Option<SprintIndex>> {
    let around = store.sprints_around(sprint.start, 2, 0)?;
    Ok(around
        .iter()
        .filter(|s| s.start < sprint.start)
        .map(|s| s.index)
        .next_back())
}

/// The notes left in the sprints last announced, and in `previous`.
fn notes_of(
    store: &Store,
    announced: &[announce::Announced],
    previous: Option<SprintIndex>,
) -> Result<Vec<HandoffNote>> {
    let mut sprints: BTreeSet<SprintIndex> = announced.iter().filter_map(|a| a.sprint).collect();
    sprints.extend(previous);
    let mut notes = Vec::new();
    for sprint in sprints {
        notes.extend(store.handoff_notes(Some(sprint))?);
    }
    Ok(notes)
}

fn apply(store: &Store, config: &Config, now: Timestamp, planned: Planned) -> Result<usize> {
    let Planned {
        plan,
        announced,
        roster,
        current,
    } = planned;
    let outgoing = to_outgoing(&plan.notices, &roster, config, now);
    let items = effect::items(&outgoing);
    match store.apply_announcements(&announced, &plan.states, &items, ACTOR, now)? {
        Some(enqueued) => {
            log_plan(&plan, current.as_ref(), enqueued);
            Ok(enqueued)
        }
        None => {
            tracing::debug!("announced state changed while deciding; the next sync decides again");
            Ok(0)
        }
    }
}

fn view<'a>(duty: &'a SprintDuty, ends_at: Timestamp, team: &Team) -> DutyView<'a> {
    DutyView {
        sprint: &duty.sprint,
        starts_at: sprint_starts_at(&duty.sprint, team),
        ends_at,
        assignments: &duty.assignments,
    }
}

/// The next sprint to take over after `now`, with who will be on duty in it and when its duty
/// ends (the window holds the sprint after it, which may end it early).
pub fn next_sprint_duty(
    store: &Store,
    roster: &Roster,
    team: &Team,
    now: Timestamp,
) -> Result<Option<(SprintDuty, Timestamp)>> {
    let sprints = store.sprints_around(local_date(team, now), 1, 2)?;
    let Some(at) = sprints
        .iter()
        .position(|sprint| sprint_starts_at(sprint, team) > now)
    else {
        return Ok(None);
    };
    let ends_at = sprint_ends_at(&sprints[at], sprints.get(at + 1), team);
    let duty = duty::sprint_duty(store, team, roster, &sprints[at])?;
    Ok(Some((duty, ends_at)))
}

fn log_plan(plan: &Plan, current: Option<&SprintDuty>, enqueued: usize) {
    let sprint = current.map(|d| d.sprint.index.get());
    match plan.kind {
        PlanKind::FirstStart { direct_messages } => tracing::info!(
            ?sprint,
            enqueued,
            direct_messages,
            "first start: announcing the team on duty"
        ),
        PlanKind::Handoff => tracing::info!(?sprint, enqueued, "handoff announced"),
        PlanKind::Change => tracing::info!(?sprint, enqueued, "mid-sprint change announced"),
        PlanKind::Uncovered => tracing::info!(
            enqueued,
            "the sprint in force ended with no sprint following: announced"
        ),
        PlanKind::Unchanged if enqueued > 0 => {
            tracing::info!(enqueued, "heads-ups or reminders enqueued");
        }
        PlanKind::Unchanged => {}
    }
}

/// The outbox effects of the notices, with dates as of `now`; notices whose Slack target is not
/// configured are left out.
fn to_outgoing(
    notices: &[Notice],
    roster: &Roster,
    config: &Config,
    now: Timestamp,
) -> Vec<Outgoing> {
    let dates = SlackDates::new(&config.team(), now);
    notices
        .iter()
        .filter_map(|notice| {
            let effect = effect_of(&notice.kind, roster, config, &dates, &notice.key)?;
            Some(Outgoing {
                key: notice.key.clone(),
                effect,
                not_before: notice.not_before,
                expires_at: notice.expires_at,
            })
        })
        .collect()
}

/// Whether any user group (the team's or a discipline's) is configured.
pub fn usergroups_configured(roster: &Roster, config: &Config) -> bool {
    config.bot.usergroup.is_some() || roster.disciplines.iter().any(|d| d.usergroup_id.is_some())
}

fn effect_of(
    kind: &NoticeKind,
    roster: &Roster,
    config: &Config,
    dates: &SlackDates,
    key: &str,
) -> Option<Effect> {
    let channel = config.bot.channel.clone();
    let names = |keys: &[DisciplineKey]| -> Vec<String> {
        let mut keys = keys.to_vec();
        keys.sort_by_key(|k| roster.disciplines.iter().position(|d| &d.key == k));
        keys.iter().map(|k| name_of(roster, k)).collect()
    };
    let dm = |person: &SlackUserId, rendered: Rendered| Effect::DirectMessage {
        user: person.to_string(),
        text: rendered.text,
        blocks: Some(rendered.blocks),
    };
    Some(match kind {
        NoticeKind::DutyStarts {
            person,
            disciplines,
            sprint,
            notes,
        } => {
            let handed: Vec<(String, &HandoffNote)> = notes
                .iter()
                .map(|n| (name_of(roster, &n.discipline), n))
                .collect();
            let rendered = notices::duty_starts(&refs(&names(disciplines)), sprint, dates);
            dm(person, notices::with_handoff_notes(rendered, &handed))
        }
        NoticeKind::HandoffNote { note, team_post } => {
            let rendered = notices::handoff_note(&name_of(roster, &note.discipline), note);
            channel.as_ref()?;
            Effect::ThreadReply {
                parent_key: team_post.clone(),
                text: rendered.text,
                blocks: Some(rendered.blocks),
            }
        }
        NoticeKind::DutyEnded {
            person,
            disciplines,
        } => dm(person, notices::duty_ended(&refs(&names(disciplines)))),
        NoticeKind::DutyEndedUncovered {
            person,
            disciplines,
            next,
            ..
        } => dm(
            person,
            notices::duty_ended_uncovered(
                &refs(&names(disciplines)),
                next.as_ref()
                    .map(|(sprint, starts_at)| (sprint, *starts_at)),
                dates,
            ),
        ),
        NoticeKind::TopicUncovered { next } => Effect::SetTopic {
            channel: channel?,
            topic: notices::topic_uncovered(next.as_ref().map(|(sprint, _)| sprint), dates),
        },
        NoticeKind::HeadsUp {
            person,
            disciplines,
            sprint,
            starts_at,
            ends_at,
            sent_at,
        } => dm(
            person,
            notices::heads_up(
                &refs(&names(disciplines)),
                sprint,
                (*starts_at, *ends_at),
                dates.date_of(*sent_at),
                dates,
            ),
        ),
        NoticeKind::NoteInvite {
            person,
            disciplines,
            sprint,
            handoff_at,
        } => dm(
            person,
            crate::slack::notes::invite(&refs(&names(disciplines)), sprint, *handoff_at, dates),
        ),
        NoticeKind::Reminder {
            person,
            disciplines,
            sprint,
            starts_at,
            ends_at,
        } => dm(
            person,
            notices::reminder(
                &refs(&names(disciplines)),
                sprint,
                (*starts_at, *ends_at),
                dates,
            ),
        ),
        NoticeKind::Added {
            person,
            slots,
            sprint,
            ends_at,
        } => dm(
            person,
            with_changed_slots(roster, slots, |slots| {
                notices::added(slots, sprint, *ends_at, dates)
            }),
        ),
        NoticeKind::Removed {
            person,
            slots,
            sprint,
        } => dm(
            person,
            with_changed_slots(roster, slots, |slots| notices::removed(slots, sprint)),
        ),
        NoticeKind::TeamPost {
            sprint,
            assignments,
        } => {
            let rendered = with_slots(roster, assignments, |slots| {
                notices::team_post(sprint, slots, dates)
            });
            Effect::PostMessage {
                channel: channel?,
                text: rendered.text,
                blocks: Some(rendered.blocks),
                message_key: Some(key.to_string()),
                thread_ts: None,
            }
        }
        NoticeKind::Topic {
            sprint,
            ends_at,
            assignments,
        } => Effect::SetTopic {
            channel: channel?,
            topic: with_slots(roster, assignments, |slots| {
                notices::topic(sprint, *ends_at, slots, dates)
            }),
        },
        NoticeKind::Usergroups => {
            if !usergroups_configured(roster, config) {
                return None;
            }
            Effect::ReconcileUsergroups
        }
    })
}

fn name_of(roster: &Roster, key: &DisciplineKey) -> String {
    roster
        .discipline(key)
        .map_or_else(|| key.to_string(), |d| d.name.clone())
}

fn refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

fn with_changed_slots(
    roster: &Roster,
    slots: &[ChangedSlot],
    render: impl FnOnce(&[Slot<'_>]) -> Rendered,
) -> Rendered {
    let names: Vec<String> = slots
        .iter()
        .map(|s| name_of(roster, &s.discipline))
        .collect();
    let rendered: Vec<Slot<'_>> = slots
        .iter()
        .zip(&names)
        .map(|(slot, name)| (name.as_str(), slot.other.as_ref()))
        .collect();
    render(&rendered)
}

fn with_slots<T>(
    roster: &Roster,
    assignments: &[crate::domain::Assignment],
    render: impl FnOnce(&[Slot<'_>]) -> T,
) -> T {
    let names: Vec<String> = assignments
        .iter()
        .map(|a| name_of(roster, &a.discipline))
        .collect();
    let slots: Vec<Slot<'_>> = assignments
        .iter()
        .zip(&names)
        .map(|(a, name)| (name.as_str(), a.slack_id.as_ref()))
        .collect();
    render(&slots)
}
