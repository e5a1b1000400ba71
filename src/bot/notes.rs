//! Handoff notes from Slack: `/triage note` (leave or read the note for the sprint in force),
//! the *Leave a handoff note* form, and Home's invitation on the last working day of a duty.
//!
//! Decides who may leave a note and for which discipline, inside one store transaction with the
//! write; the wording is `slack::notes`'. A refusal changes nothing.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use super::effect::{Effect, Outgoing, items};
use super::{Bot, BotError, Context, announce};
use crate::config::Config;
use crate::dates::SlackDates;
use crate::domain::note::{HandoffNote, check_note, handed_over};
use crate::domain::{DisciplineKey, SlackUserId, Sprint};
use crate::duty::{self, DutyAt, Roster, SprintDuty};
use crate::slack::blocks::{self, Message};
use crate::slack::interaction::ViewSubmission;
use crate::slack::notes::{self, NoteField};
use crate::store::{Store, StoreError, TransactionError};

/// Keeps `text` (its first word may name one of the person's disciplines) as their note.
pub fn leave(ctx: Context<'_>, text: &str) -> Result<Message, BotError> {
    ctx.store.transaction(|store| {
        let (sprint, mine, roster) = my_duty(store, &ctx)?;
        let (discipline, body) = choose(&mine, &roster, text)?;
        let kept = check_note(body).map_err(|error| BotError::Refused(error.to_string()))?;
        let before =
            store.save_handoff_note(sprint.index, &discipline, ctx.user, &kept, ctx.now)?;
        Ok(notes::saved(
            &name_of(&roster, &discipline),
            &sprint,
            before.is_some(),
        ))
    })
}

/// The person's notes for the sprint in force.
pub fn show(ctx: Context<'_>) -> Result<Message, BotError> {
    let (sprint, mine, roster) = my_duty(ctx.store, &ctx)?;
    let mut found = Vec::new();
    for key in &mine {
        if let Some(note) = ctx.store.handoff_note(sprint.index, key)? {
            found.push((name_of(&roster, key), note));
        }
    }
    Ok(notes::shown(&sprint, &found))
}

/// Opens the handoff-note form for the button's sprint (its `value`), at once: triggers expire
/// after 3 s. Returns a message for the person when no form was opened.
pub async fn open_modal(
    bot: &Bot,
    user: SlackUserId,
    trigger_id: String,
    value: String,
) -> Option<Message> {
    let view = match bot.run(user, move |ctx| modal_view(ctx, &value)).await {
        Ok(view) => view,
        Err(error) => return Some(error.into_message()),
    };
    match bot.api.open_view(&trigger_id, &view).await {
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "could not open the handoff-note form");
            Some(blocks::refusal(&format!(
                "I could not open the form; try `{} note &lt;text&gt;` instead.",
                bot.config.bot.command
            )))
        }
    }
}

/// The form for the person's duty now, holding the notes left so far; refused when the button's
/// sprint is no longer the one in force (its handoff has happened).
fn modal_view(ctx: Context<'_>, value: &str) -> Result<Value, BotError> {
    let (sprint, mine, roster) = my_duty(ctx.store, &ctx)?;
    if value != sprint.index.to_string() {
        return Err(too_late());
    }
    let mut left = Vec::new();
    for key in &mine {
        let note = ctx.store.handoff_note(sprint.index, key)?;
        left.push((key, name_of(&roster, key), note.map(|n| n.text)));
    }
    let fields: Vec<NoteField<'_>> = left
        .iter()
        .map(|(key, name, text)| NoteField {
            discipline: key,
            name,
            text: text.as_deref(),
        })
        .collect();
    Ok(notes::note_modal(&sprint, &fields))
}

fn too_late() -> BotError {
    BotError::Refused(
        "the handoff this note was for has happened, so it would come too late".to_string(),
    )
}

/// Keeps the notes a submitted form holds (a text box left empty keeps what was there), checked
/// against the duty as it is now, in one transaction; Home is published again. Errors are per
/// input block, as sentences.
pub fn submit_modal(
    ctx: Context<'_>,
    submission: &ViewSubmission,
) -> Result<(), BTreeMap<String, String>> {
    let first_block = submission.input_blocks().into_iter().next();
    let at = |block: Option<String>, text: &str| {
        let block = block.or_else(|| first_block.clone()).unwrap_or_default();
        let text = format!("{}.", super::away::capitalized(text));
        BTreeMap::from([(block, text)])
    };
    let saved = ctx.store.transaction(|store| {
        let (sprint, mine, _) = my_duty(store, &ctx)?;
        if submission.private_metadata != sprint.index.to_string() {
            return Err(too_late().into());
        }
        let mut saved = 0;
        for key in &mine {
            let block = notes::note_block(key);
            let Some(text) = submission.value(&block, notes::NOTE_INPUT) else {
                continue;
            };
            let kept = check_note(&text).map_err(|error| FormError {
                block: Some(block),
                error: BotError::Refused(error.to_string()),
            })?;
            store.save_handoff_note(sprint.index, key, ctx.user, &kept, ctx.now)?;
            saved += 1;
        }
        if saved == 0 {
            return Err(BotError::Refused("write the note first".to_string()).into());
        }
        let home = Effect::PublishHome {
            user: ctx.user.to_string(),
        };
        let key = format!("home:note:{}:{}", ctx.user, ctx.now.as_millisecond());
        store.enqueue(&items(&[Outgoing::now(key, home, ctx.now)]), ctx.now)?;
        Ok(())
    });
    saved.map_err(|failed: FormError| at(failed.block, &failed.error.into_message().text))
}

/// Why a submitted form was refused, and the input block the error belongs to (the first
/// when none in particular).
struct FormError {
    block: Option<String>,
    error: BotError,
}

impl From<BotError> for FormError {
    fn from(error: BotError) -> FormError {
        FormError { block: None, error }
    }
}

impl From<StoreError> for FormError {
    fn from(error: StoreError) -> FormError {
        BotError::from(error).into()
    }
}

impl TransactionError for FormError {
    fn is_busy(&self) -> bool {
        self.error.is_busy()
    }
}

/// Home's invitation to leave a handoff note: on the last working day of the person's duty
/// (from the start of the day of the heads-up before the duty ends), when some discipline of
/// theirs passes to someone else in the next sprint. With the notes left so far.
pub fn with_home_invite(
    view: Value,
    store: &Store,
    config: &Config,
    user: &SlackUserId,
    (current, next): (&SprintDuty, Option<&SprintDuty>),
    now: Timestamp,
) -> Result<Value, StoreError> {
    let team = config.team();
    let Some(next) = next else {
        return Ok(view);
    };
    // When the duty ends: the next sprint's handoff, or the sprint's own end before a gap.
    let handoff_at = crate::domain::sprint_ends_at(&current.sprint, Some(&next.sprint), &team);
    let handing_over: Vec<&DisciplineKey> = handed_over(&current.assignments, &next.assignments)
        .into_iter()
        .filter(|a| a.slack_id.as_ref() == Some(user))
        .map(|a| &a.discipline)
        .collect();
    let from = config
        .bot
        .heads_up
        .last_working_day_start(&team.zone, handoff_at);
    if handing_over.is_empty() || from.is_none_or(|from| now < from) {
        return Ok(view);
    }
    let roster = Roster::load(store)?;
    let mut left: Vec<(String, HandoffNote)> = Vec::new();
    for key in handing_over {
        if let Some(note) = store.handoff_note(current.sprint.index, key)? {
            left.push((name_of(&roster, key), note));
        }
    }
    let dates = SlackDates::new(&team, now);
    Ok(notes::with_leave_note(
        view,
        &current.sprint,
        handoff_at,
        &left,
        &dates,
    ))
}

/// The sprint in force and the disciplines the person is on duty for in it; refused when none.
fn my_duty(
    store: &Store,
    ctx: &Context<'_>,
) -> Result<(Sprint, Vec<DisciplineKey>, Roster), BotError> {
    let team = ctx.config.team();
    let not_on_duty = || {
        BotError::Refused("you are not on duty now, so you have no handoff note to leave".into())
    };
    let DutyAt::InForce { duty, .. } =
        duty::duty_at(store, &team, ctx.now, ctx.now, announce::ACTOR)?
    else {
        return Err(not_on_duty());
    };
    let mine: Vec<DisciplineKey> = duty
        .assignments
        .iter()
        .filter(|a| a.slack_id.as_ref() == Some(ctx.user))
        .map(|a| a.discipline.clone())
        .collect();
    if mine.is_empty() {
        return Err(not_on_duty());
    }
    Ok((duty.sprint, mine, Roster::load(store)?))
}

/// The discipline the note is for and its text: the first word names one of `mine` when it
/// does; with several disciplines it must.
fn choose<'t>(
    mine: &[DisciplineKey],
    roster: &Roster,
    text: &'t str,
) -> Result<(DisciplineKey, &'t str), BotError> {
    let text = text.trim();
    // A discipline's name alone leaves an empty note, refused as such.
    let split = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let named = Some(split).and_then(|(first, rest)| {
        let found = roster.find_discipline(first).ok()?;
        mine.contains(&found.key).then(|| (found.key.clone(), rest))
    });
    match (named, mine) {
        (Some(named), _) => Ok(named),
        (None, [only]) => Ok((only.clone(), text)),
        _ => {
            let names: Vec<String> = mine.iter().map(|k| name_of(roster, k)).collect();
            Err(BotError::Refused(format!(
                "you are on duty for {}: say which one the note is for, `note <discipline> <text>`",
                names.join(" and ")
            )))
        }
    }
}

fn name_of(roster: &Roster, key: &DisciplineKey) -> String {
    roster
        .discipline(key)
        .map_or_else(|| key.to_string(), |d| d.name.clone())
}
