//! What people are told about a decision on a coverage request: one DM per person, saying
//! everything the decision changed for them (the request decided, requests it closed on the way,
//! their own duty), and the reply to the person who decided.
//!
//! Rendering only: the decision itself is `coverage`'s, the delivery the outbox worker's.

use std::collections::BTreeMap;

use crate::coverage::{DecisionOutcome, FiledSwap, Moved};
use crate::domain::request::{Action, Stale};
use crate::domain::{CoverageError, DisciplineKey, Override, OverrideStatus, SlackUserId, Sprint};
use crate::duty::Roster;

use super::blocks::{
    ACCEPT, Message, REFUSE, actions, button, context, discipline_name, mention, section,
    sprint_label,
};
use super::text;

/// A decider as written in the audit log: a mention for a Slack user, else as is.
fn actor(by: &str) -> String {
    SlackUserId::parse(by).map_or_else(|_| text::escape(by), |id| mention(&id))
}

/// `*UI Engineering* in *Sprint 4*`.
pub(super) fn slot(o: &Override, sprint: Option<&Sprint>, roster: &Roster) -> String {
    format!(
        "*{}* in {}",
        discipline_name(roster, &o.discipline),
        sprint_label(sprint)
    )
}

/// `#7 (@Maria to cover *UI* in *Sprint 4*)`.
fn request_ref(o: &Override, sprint: Option<&Sprint>, roster: &Roster) -> String {
    format!(
        "#{} ({} to cover {})",
        o.id,
        mention(&o.replacement),
        slot(o, sprint, roster)
    )
}

/// Why a coverage request cannot be filed, for a person in Slack: people as mentions and
/// disciplines by their display names.
pub fn coverage_refusal(error: &CoverageError, roster: &Roster) -> String {
    let name = |key: &DisciplineKey| discipline_name(roster, key);
    match error {
        CoverageError::UnknownDiscipline(key) => roster
            .find_discipline(key.as_str())
            .err()
            .map_or_else(|| error.to_string(), |e| e.to_string()),
        CoverageError::NotOnDuty {
            on_duty,
            discipline,
            sprint,
        } => format!(
            "only the person on duty ({}) or an admin can request coverage for {} in {}",
            mention(on_duty),
            name(discipline),
            text::escape(sprint)
        ),
        CoverageError::AdminOnly { discipline, sprint } => format!(
            "nobody is on duty for {} in {}, so only an admin can request coverage",
            name(discipline),
            text::escape(sprint)
        ),
        CoverageError::NotActiveMember {
            replacement,
            discipline,
        } => format!(
            "{} is not an active member of {}",
            mention(replacement),
            name(discipline)
        ),
        CoverageError::AlreadyOnDuty {
            replacement,
            discipline,
            sprint,
        } => format!(
            "{} is already on duty for {} in {}",
            mention(replacement),
            name(discipline),
            text::escape(sprint)
        ),
        CoverageError::NotTheirShift {
            person,
            discipline,
            sprint,
        } => format!(
            "{} is not on duty for {} in {}, so it is not theirs to swap",
            mention(person),
            name(discipline),
            text::escape(sprint)
        ),
        CoverageError::UnknownSprint(_)
        | CoverageError::SwapInOneSprint
        | CoverageError::AlreadyAsked { .. } => error.to_string(),
        CoverageError::SprintEnded { .. } => text::escape(&error.to_string()),
    }
}

/// Why a request was closed, in words for its requester.
pub fn stale_words(why: &Stale) -> String {
    match why {
        Stale::SprintGone => "its sprint was removed from the plan".to_string(),
        Stale::SprintEnded => "its sprint ended before an admin decided".to_string(),
        Stale::Untaken => "it was not accepted before its sprint started".to_string(),
        Stale::HolderChanged {
            holder: Some(holder),
        } => {
            format!("{} is on duty for it now", mention(holder))
        }
        Stale::HolderChanged { holder: None } => "nobody is on duty for it now".to_string(),
        Stale::ReplacementLeft => {
            "the person asked to cover is no longer a member of the discipline".to_string()
        }
        Stale::ReplacementOnDuty => "the person asked to cover is on duty for it already".into(),
        Stale::PairBroken { partner } => {
            format!("the other half of the swap, request #{partner}, no longer holds")
        }
    }
}

/// What an admin can do instead, after an approval closed a request.
fn what_to_do(why: &Stale, command: &str) -> String {
    match why {
        Stale::SprintGone | Stale::SprintEnded | Stale::Untaken => {
            "The past does not change.".to_string()
        }
        Stale::HolderChanged { .. } => format!(
            "To change who covers, revoke the current cover first (`{command} revoke <request>`) or put someone on duty with `{command} set`."
        ),
        Stale::ReplacementLeft => "Ask for someone who is a member of the discipline.".into(),
        Stale::ReplacementOnDuty => "Nothing needs to change.".to_string(),
        Stale::PairBroken { .. } => "Propose a new swap if it still makes sense.".to_string(),
    }
}

/// DM lines gathered per person, each person in the order first told.
#[derive(Default)]
struct Told {
    order: Vec<SlackUserId>,
    lines: BTreeMap<SlackUserId, Vec<String>>,
}

impl Told {
    fn tell(&mut self, person: &SlackUserId, line: String) {
        if !self.lines.contains_key(person) {
            self.order.push(person.clone());
        }
        self.lines.entry(person.clone()).or_default().push(line);
    }

    fn knows(&self, person: &SlackUserId) -> bool {
        self.lines.contains_key(person)
    }

    fn into_messages(mut self) -> Vec<(SlackUserId, Message)> {
        self.order
            .into_iter()
            .map(|person| {
                let lines = self.lines.remove(&person).unwrap_or_default();
                (person, Message::text(lines.join("\n")))
            })
            .collect()
    }
}

/// The DM to the person on duty when someone else (an admin) asks for their shift to be covered.
pub fn filed_for_you(o: &Override, sprint: Option<&Sprint>, roster: &Roster) -> Message {
    Message::text(format!(
        "{} asked {} to cover your shift, {} (request #{}). Once they accept, an admin approves or declines it where the discipline asks for one; you will hear either way.",
        mention(&o.requested_by),
        mention(&o.replacement),
        slot(o, sprint, roster),
        o.id
    ))
}

/// The DM to the person named to cover, when the request is filed: who asks, for whom, and
/// buttons to accept or decline. Nothing reaches the admins before they accept.
pub fn asked_to_cover(
    o: &Override,
    sprint: Option<&Sprint>,
    roster: &Roster,
    command: &str,
) -> Message {
    let slot = slot(o, sprint, roster);
    let what = match &o.original {
        Some(original) if *original == o.requested_by => format!("their shift, {slot}"),
        Some(original) => format!("the shift of {}, {slot}", mention(original)),
        None => slot,
    };
    let reason = o
        .reason
        .as_deref()
        .map_or(String::new(), |r| format!("\nReason: {}", text::reason(r)));
    let text = format!(
        "{} asks you to cover {what} (request #{}).{reason}",
        mention(&o.requested_by),
        o.id
    );
    asking(text, o.id, command, "")
}

/// A DM asking someone to agree to request `id`, with Accept and Decline (and the commands
/// that do the same); `note` goes after the commands.
pub(super) fn asking(text: String, id: i64, command: &str, note: &str) -> Message {
    let id = id.to_string();
    Message {
        blocks: vec![
            section(&text),
            actions(vec![
                button("Accept", ACCEPT, &id, Some("primary")),
                button("Decline", REFUSE, &id, None),
            ]),
            context(&format!(
                "Or type `{command} accept {id}` or `{command} refuse {id} [reason]`{note}. Once you accept, an admin approves it where the discipline asks for one."
            )),
        ],
        text,
    }
}

/// The DM asking the other person of a swap: what they would take and give, with buttons that
/// answer for both halves.
pub fn swap_proposed(
    swap: &FiledSwap,
    (mine, theirs): (&Sprint, &Sprint),
    roster: &Roster,
    command: &str,
) -> Message {
    let (first, second) = (&swap.first, &swap.second);
    let reason = first
        .reason
        .as_deref()
        .map_or(String::new(), |r| format!("\nReason: {}", text::reason(r)));
    let text = format!(
        "{} proposes a swap (requests #{} and #{}): you cover {} for them, and they cover {} for you.{reason}",
        mention(&first.requested_by),
        first.id,
        second.id,
        slot(first, Some(mine), roster),
        slot(second, Some(theirs), roster),
    );
    asking(
        text,
        first.id,
        command,
        ": the answer holds for both halves",
    )
}

/// The reply to the person who proposed a swap.
pub fn swap_filed(
    swap: &FiledSwap,
    (mine, theirs): (&Sprint, &Sprint),
    roster: &Roster,
) -> Message {
    let (first, second) = (&swap.first, &swap.second);
    Message::text(format!(
        "Swap proposed (requests #{} and #{}): {} covers {} for you, and you cover {} for them. {} has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. Both halves change together or not at all.",
        first.id,
        second.id,
        mention(&first.replacement),
        slot(first, Some(mine), roster),
        slot(second, Some(theirs), roster),
        mention(&first.replacement),
    ))
}

/// One DM per person the decision concerns. The decider is told in the reply instead, unless
/// their own duty changed.
pub fn decision_dms(
    outcome: &DecisionOutcome,
    decider: &str,
    roster: &Roster,
) -> Vec<(SlackUserId, Message)> {
    let mut told = Told::default();
    match outcome.pair.as_deref() {
        Some(pair) if outcome.changed || pair.changed => {
            tell_swap(&mut told, outcome, pair, decider, roster)
        }
        Some(_) => {}
        None if outcome.changed => tell_main(&mut told, outcome, decider, roster),
        None => {}
    }
    for half in outcome.halves() {
        for moved in &half.others {
            tell_closed(&mut told, moved, half.sprint.as_ref(), roster, decider);
        }
    }
    told.into_messages()
}

/// A decision on a swap, told once to each of its two people: what it means for both shifts.
fn tell_swap(
    told: &mut Told,
    first: &DecisionOutcome,
    second: &DecisionOutcome,
    decider: &str,
    roster: &Roster,
) {
    // The proposer's own shift first, whichever half was decided.
    let (first, second) = if first.request.replacement == first.request.requested_by {
        (second, first)
    } else {
        (first, second)
    };
    let (a, b) = (&first.request, &second.request);
    let proposer = &a.requested_by;
    let other = a.asked();
    let by = actor(decider);
    let ids = format!("requests #{} and #{}", a.id.min(b.id), a.id.max(b.id));
    let (proposers_shift, others_shift) = (
        slot(a, first.sprint.as_ref(), roster),
        slot(b, second.sprint.as_ref(), roster),
    );
    let is_decider = |person: &SlackUserId| person.as_str() == decider;
    let mut tell_both = |line: &dyn Fn(&SlackUserId, &SlackUserId) -> String| {
        for (person, partner) in [(proposer, other), (other, proposer)] {
            if !is_decider(person) {
                told.tell(person, line(person, partner));
            }
        }
    };
    let closed = first
        .closed
        .iter()
        .chain(&second.closed)
        .find(|why| !matches!(why, Stale::PairBroken { .. }));
    if let Some(why) = closed {
        let why = stale_words(why);
        tell_both(&|_, partner| {
            format!(
                "The swap with {} ({ids}) is closed: {why}. Nothing changes.",
                mention(partner)
            )
        });
        return;
    }
    let reason = a
        .decision_reason
        .as_deref()
        .or(a.revoke_reason.as_deref())
        .map_or(String::new(), |r| format!(" Reason: {}", text::reason(r)));
    match a.status {
        OverrideStatus::Pending => {
            if !is_decider(proposer) {
                told.tell(
                    proposer,
                    format!(
                        "{by} accepted your swap ({ids}). An admin will approve or decline it, and you will hear either way."
                    ),
                );
            }
        }
        OverrideStatus::Approved => {
            let approval = if first.action == Action::Accept {
                format!("accepted by {by}; no admin approval needed")
            } else {
                format!("approved by {by}")
            };
            if first.holder_before.as_ref() != Some(proposer)
                || second.holder_before.as_ref() != Some(other)
            {
                // An admin proposed it for someone else's shift: say who moves where.
                let head = |partner: &SlackUserId| {
                    format!("The swap with {} is {approval} ({ids})", mention(partner))
                };
                let pair = format!(
                    "a swap of {} and {} is {approval} ({ids})",
                    mention(proposer),
                    mention(other)
                );
                let halves = [
                    (first, proposers_shift.as_str()),
                    (second, others_shift.as_str()),
                ];
                tell_moves(told, &halves, (proposer, other), &head, &pair, "");
                return;
            }
            told.tell(
                proposer,
                format!(
                    "Your swap with {} is {approval} ({ids}): they cover {proposers_shift} for you, so you are not on duty then, and you will cover {others_shift}.",
                    mention(other)
                ),
            );
            told.tell(
                other,
                format!(
                    "The swap with {} is {approval} ({ids}): you will cover {proposers_shift}, and they cover {others_shift} for you, so you are not on duty then.",
                    mention(proposer)
                ),
            );
        }
        OverrideStatus::Revoked
            if first.holder_after.as_ref() != Some(proposer)
                || second.holder_after.as_ref() != Some(other) =>
        {
            // The shifts go to whoever the rotation picks now (it changed since the swap was
            // approved, or an admin proposed it for someone else's shift).
            let head = |partner: &SlackUserId| {
                format!(
                    "The swap with {} ({ids}) was revoked by {by}",
                    mention(partner)
                )
            };
            let pair = format!(
                "{by} revoked the swap of {} and {} ({ids})",
                mention(proposer),
                mention(other)
            );
            let halves = [
                (first, proposers_shift.as_str()),
                (second, others_shift.as_str()),
            ];
            tell_moves(told, &halves, (proposer, other), &head, &pair, &reason);
        }
        OverrideStatus::Revoked => {
            told.tell(
                proposer,
                format!(
                    "The swap with {} ({ids}) was revoked by {by}: you are on triage duty for {proposers_shift} again, and not for {others_shift}.{reason}",
                    mention(other)
                ),
            );
            told.tell(
                other,
                format!(
                    "The swap with {} ({ids}) was revoked by {by}: you are on triage duty for {others_shift} again, and not for {proposers_shift}.{reason}",
                    mention(proposer)
                ),
            );
        }
        status => tell_both(&|_, partner| {
            format!(
                "The swap with {} ({ids}) was {status} by {by}. Nothing changes.{reason}",
                mention(partner)
            )
        }),
    }
}

/// A swap decision told as what it moves: each of its two people hears which shifts they now
/// hold and which they no longer hold (`head`, then the facts), and anyone else whose duty one
/// half moved hears that (`pair` says what happened to the swap).
fn tell_moves(
    told: &mut Told,
    halves: &[(&DecisionOutcome, &str)],
    (proposer, other): (&SlackUserId, &SlackUserId),
    head: &dyn Fn(&SlackUserId) -> String,
    pair: &str,
    reason: &str,
) {
    let moved = |person: &SlackUserId| {
        let mut facts = Vec::new();
        for (half, shift) in halves {
            let (before, after) = (half.holder_before.as_ref(), half.holder_after.as_ref());
            if before == after {
                continue;
            }
            if after == Some(person) {
                facts.push(format!("you are on triage duty for {shift}"));
            } else if before == Some(person) {
                let now = after.map_or("nobody is".to_string(), |p| format!("{} is", mention(p)));
                facts.push(format!("you are not on duty for {shift} ({now})"));
            }
        }
        facts
    };
    for (person, partner) in [(proposer, other), (other, proposer)] {
        let facts = moved(person);
        let facts = match facts.is_empty() {
            true => "your duty does not change".to_string(),
            false => facts.join(", and "),
        };
        told.tell(person, format!("{}: {facts}.{reason}", head(partner)));
    }
    for (half, _) in halves {
        for person in [&half.holder_before, &half.holder_after]
            .into_iter()
            .flatten()
        {
            if person == proposer || person == other || told.knows(person) {
                continue;
            }
            let facts = moved(person);
            if !facts.is_empty() {
                let facts = capitalized(&facts.join(", and "));
                told.tell(person, format!("{facts}: {pair}.{reason}"));
            }
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// One DM per requester of requests the bot closed on its own.
pub fn closed_dms(
    moved: &[Moved],
    sprints: &[Sprint],
    roster: &Roster,
) -> Vec<(SlackUserId, Message)> {
    let mut told = Told::default();
    for m in moved {
        let sprint = sprints.iter().find(|s| s.index == m.after.sprint);
        tell_closed(&mut told, m, sprint, roster, "");
    }
    told.into_messages()
}

fn tell_closed(
    told: &mut Told,
    moved: &Moved,
    sprint: Option<&Sprint>,
    roster: &Roster,
    decider: &str,
) {
    let o = &moved.after;
    // The person a closed proposed request was still asking hears that there is nothing left
    // to answer.
    if let Some(why) = &moved.closed
        && moved.before.status == OverrideStatus::Proposed
        && o.asked() != &o.requested_by
        && o.asked().as_str() != decider
    {
        told.tell(
            o.asked(),
            format!(
                "{}'s request #{} asking you to cover {} is closed: {}. Nothing to answer.",
                mention(&o.requested_by),
                o.id,
                slot(o, sprint, roster),
                stale_words(why)
            ),
        );
    }
    match (&moved.closed, o.status) {
        (Some(why), _) => told.tell(
            &o.requested_by,
            format!(
                "Your coverage request {} is closed: {}. File a new one if you still need cover.",
                request_ref(o, sprint, roster),
                stale_words(why)
            ),
        ),
        // An approved cover replaced by a later decision: its person was told as the one
        // leaving the slot, unless the decider replaced it with `set` and the person is new.
        (None, OverrideStatus::Superseded) if !told.knows(&o.replacement) => told.tell(
            &o.replacement,
            format!(
                "You no longer cover {}: {} changed who is on duty for it.",
                slot(o, sprint, roster),
                actor(decider)
            ),
        ),
        _ => {}
    }
}

fn tell_main(told: &mut Told, outcome: &DecisionOutcome, decider: &str, roster: &Roster) {
    let o = &outcome.request;
    let sprint = outcome.sprint.as_ref();
    let by = actor(decider);
    let here = slot(o, sprint, roster);
    let is_decider = |person: &SlackUserId| person.as_str() == decider;
    match (&outcome.closed, o.status) {
        (Some(why), _) if !is_decider(&o.requested_by) => told.tell(
            &o.requested_by,
            format!(
                "Your coverage request {} could not be approved and is closed: {}. File a new one if you still need cover.",
                request_ref(o, sprint, roster),
                stale_words(why)
            ),
        ),
        (Some(_), _) => {}
        (None, OverrideStatus::Approved) if outcome.by_set => {
            tell_set(told, outcome, decider, roster)
        }
        (None, OverrideStatus::Pending) if outcome.action == Action::Accept => {
            for person in std::iter::once(&o.requested_by).chain(&o.original) {
                if told.knows(person) || is_decider(person) {
                    continue;
                }
                let whose = if *person == o.requested_by {
                    "your coverage request"
                } else {
                    "the coverage request for your shift,"
                };
                told.tell(
                    person,
                    format!(
                        "{by} accepted {whose} #{} ({here}). An admin will approve or decline it, and you will hear either way.",
                        o.id
                    ),
                );
            }
        }
        (None, OverrideStatus::Declined) if outcome.action == Action::Refuse => {
            let reason = o
                .decision_reason
                .as_deref()
                .map_or(String::new(), |r| format!(" Reason: {}", text::reason(r)));
            told.tell(
                &o.requested_by,
                format!(
                    "{by} cannot cover {here}: they declined your coverage request #{}, so it is closed. Ask someone else if you still need cover.{reason}",
                    o.id
                ),
            );
        }
        (None, OverrideStatus::Approved) => {
            let approval = if outcome.action == Action::Accept {
                format!("accepted by {by}; no admin approval needed")
            } else {
                format!("approved by {by}")
            };
            let from = outcome
                .holder_before
                .as_ref()
                .map_or(String::new(), |h| format!(" for {}", mention(h)));
            let line = if outcome.in_force {
                format!(
                    "You are covering {here}{from} and are on triage duty from now on (request #{}, {approval}).",
                    o.id
                )
            } else {
                format!(
                    "You will cover {here}{from} (request #{}, {approval}).",
                    o.id
                )
            };
            told.tell(&o.replacement, line);
            if let Some(holder) = outcome
                .holder_before
                .as_ref()
                .filter(|h| **h != o.replacement)
            {
                let opening = if *holder == o.requested_by {
                    format!("Your coverage request #{} was {approval}: ", o.id)
                } else {
                    String::new()
                };
                let source = if opening.is_empty() {
                    format!(" (request #{}, {approval})", o.id)
                } else {
                    String::new()
                };
                let line = if outcome.in_force {
                    format!(
                        "{opening}{} takes over {here} from now on{source}, so you are off triage duty.",
                        mention(&o.replacement)
                    )
                } else {
                    format!(
                        "{opening}{} covers {here} for you{source}, so you are not on duty then.",
                        mention(&o.replacement)
                    )
                };
                told.tell(holder, line);
            }
            if !told.knows(&o.requested_by) && !is_decider(&o.requested_by) {
                told.tell(
                    &o.requested_by,
                    format!(
                        "Your coverage request #{} was {approval}: {} covers {here}.",
                        o.id,
                        mention(&o.replacement)
                    ),
                );
            }
        }
        (None, OverrideStatus::Declined) => {
            let reason = o
                .decision_reason
                .as_deref()
                .map_or(String::new(), |r| format!(" Reason: {}", text::reason(r)));
            if !is_decider(&o.requested_by) {
                told.tell(
                    &o.requested_by,
                    format!(
                        "Your coverage request {} was declined by {by}.{reason}",
                        request_ref(o, sprint, roster)
                    ),
                );
            }
            told.tell(
                &o.replacement,
                format!(
                    "{}'s request for you to cover {here} (#{}) was declined by {by}, so you are not covering it.",
                    mention(&o.requested_by),
                    o.id
                ),
            );
        }
        (None, OverrideStatus::Cancelled) if !is_decider(&o.requested_by) => told.tell(
            &o.requested_by,
            format!(
                "Your coverage request {} was cancelled by {by}.",
                request_ref(o, sprint, roster)
            ),
        ),
        (None, OverrideStatus::Revoked) => tell_revoked(told, outcome, decider, roster),
        _ => {}
    }
}

fn tell_set(told: &mut Told, outcome: &DecisionOutcome, decider: &str, roster: &Roster) {
    let o = &outcome.request;
    let by = actor(decider);
    let here = slot(o, outcome.sprint.as_ref(), roster);
    let reason = o
        .reason
        .as_deref()
        .map_or(String::new(), |r| format!(" Reason: {}", text::reason(r)));
    let instead = outcome
        .holder_before
        .as_ref()
        .map_or(String::new(), |h| format!(", in place of {}", mention(h)));
    told.tell(
        &o.replacement,
        format!("{by} put you on triage duty for {here} from now on{instead}.{reason}"),
    );
    if let Some(holder) = outcome
        .holder_before
        .as_ref()
        .filter(|h| **h != o.replacement)
    {
        told.tell(
            holder,
            format!(
                "{by} put {} on triage duty for {here} in your place: you are off triage duty from now on.{reason}",
                mention(&o.replacement)
            ),
        );
    }
}

fn tell_revoked(told: &mut Told, outcome: &DecisionOutcome, decider: &str, roster: &Roster) {
    let o = &outcome.request;
    let sprint = outcome.sprint.as_ref();
    let by = actor(decider);
    let here = slot(o, sprint, roster);
    let reason = o
        .revoke_reason
        .as_deref()
        .map_or(String::new(), |r| format!(" Reason: {}", text::reason(r)));
    let back = outcome.holder_after.as_ref();
    let instead = back.map_or(" Nobody is on duty for it now.".to_string(), |b| {
        format!(" {} is on duty for it instead.", mention(b))
    });
    let line = if back == Some(&o.replacement) {
        // The rotation picked them for the slot after the cover was approved.
        format!(
            "Your cover of {here} (request #{}) was revoked by {by}; you stay on duty for it as the rotation's pick.{reason}",
            o.id
        )
    } else {
        format!(
            "Your cover of {here} (request #{}) was revoked by {by}, so you are not on duty for it.{instead}{reason}",
            o.id
        )
    };
    told.tell(&o.replacement, line);
    if let Some(back) = back.filter(|b| **b != o.replacement) {
        let when = if outcome.in_force {
            "from now on"
        } else {
            "again"
        };
        told.tell(
            back,
            format!(
                "You are on triage duty for {here} {when}: {by} revoked {}'s cover (request #{}).{reason}",
                mention(&o.replacement),
                o.id
            ),
        );
    }
    if !told.knows(&o.requested_by) && o.requested_by.as_str() != decider {
        told.tell(
            &o.requested_by,
            format!(
                "Your coverage request {} was revoked by {by}.{reason}",
                request_ref(o, sprint, roster)
            ),
        );
    }
}

/// The reply to the person who decided.
pub fn decision_reply(outcome: &DecisionOutcome, roster: &Roster, command: &str) -> Message {
    let o = &outcome.request;
    let sprint = outcome.sprint.as_ref();
    let reference = match outcome.pair.as_deref() {
        // A swap is answered as one.
        Some(pair) => format!(
            "#{} (a swap with #{}: {} to cover {})",
            o.id,
            pair.request.id,
            mention(&o.replacement),
            slot(o, sprint, roster)
        ),
        None => request_ref(o, sprint, roster),
    };
    let mut text = match (&outcome.closed, outcome.changed) {
        (Some(why), _) => format!(
            "Request {reference} cannot be approved: {}. It is closed as {}. {}",
            stale_words(why),
            o.status,
            what_to_do(why, command)
        ),
        (None, true) if outcome.action == Action::Accept && o.status == OverrideStatus::Pending => {
            format!(
                "You accepted request {reference}. An admin will approve or decline it, and you will get a DM either way."
            )
        }
        (None, true) if outcome.action == Action::Accept => format!(
            "You accepted request {reference}: it is approved, as *{}* needs no admin's approval for it.",
            discipline_name(roster, &o.discipline)
        ),
        (None, true) if outcome.action == Action::Refuse => format!(
            "You declined request {reference}; {} has been told.",
            mention(&o.requested_by)
        ),
        (None, true) => format!("Request {reference} is now {}.", o.status),
        (None, false) => format!(
            "Request {reference} was already {}; nothing changed.",
            o.status
        ),
    };
    let closed: Vec<String> = outcome
        .others
        .iter()
        .filter(|m| m.closed.is_some())
        .map(|m| format!("#{}", m.after.id))
        .collect();
    if !closed.is_empty() {
        text.push_str(&format!(
            " Closed with it, as they no longer apply: {}.",
            closed.join(", ")
        ));
    }
    if outcome.action == Action::Approve
        && outcome.changed
        && outcome.closed.is_none()
        && let Some(old) = outcome
            .others
            .iter()
            .find(|m| m.before.status == OverrideStatus::Approved)
    {
        text.push_str(&format!(" It replaces request #{}.", old.after.id));
    }
    Message::text(text)
}
