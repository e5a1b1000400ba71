//! `/triage note`: the person on duty leaves (or reads) the handoff note for the sprint in force.
//!
//! Decides who may leave a note and for which discipline, inside one store transaction with the
//! write; the wording is `slack::notes`'. A refusal changes nothing.

use super::{BotError, Context, announce};
use crate::domain::note::check_note;
use crate::domain::{DisciplineKey, Sprint};
use crate::duty::{self, DutyAt, Roster};
use crate::slack::blocks::Message;
use crate::slack::notes;
use crate::store::Store;

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
