//! Events: the App Home tab opened, and mentions of the bot.
//!
//! The Home tab is published at once through the Web API (the person is looking at it). A
//! mention is answered in its thread through the outbox, keyed `mention:<channel>:<ts>` (the
//! message itself), so a redelivered event, or the same message arriving as another event,
//! never answers twice.
//!
//! What a mention asks for is read from the first word after the bot's mention: a discipline
//! (its key or display name, any case, or an unambiguous beginning of at least two letters)
//! calls the person on duty for it, `all` everyone on duty, and anything else gets who is on
//! duty when the text says `who`, or a pointer to help.

use super::effect::{Effect, Outgoing, items};
use super::{Bot, BotError, Context, home};
use crate::domain::paging::{Wanted, people_to_call};
use crate::domain::{Discipline, SlackUserId};
use crate::duty::{self, DutyAt, NoSuchDiscipline, Roster};
use crate::slack::Envelope;
use crate::slack::blocks::{self, Message};
use crate::slack::interaction::AppMention;

/// Handles an Events API envelope (already acked and deduplicated).
pub async fn handle(bot: &Bot, envelope: &Envelope) {
    if let Some(user) = envelope.app_home_opened() {
        publish_home(bot, &user).await;
    } else if let Some(mention) = envelope.app_mention() {
        let Ok(user) = SlackUserId::parse(&mention.user) else {
            return;
        };
        let bot_user = bot.bot_user.clone();
        if let Err(error) = bot
            .run(user, move |ctx| {
                answer_mention(ctx, &mention, bot_user.as_ref().map(SlackUserId::as_str))
            })
            .await
        {
            error.into_message();
        }
    }
}

async fn publish_home(bot: &Bot, user: &str) {
    let Ok(user) = SlackUserId::parse(user) else {
        return;
    };
    let view = bot
        .run(user.clone(), |ctx| {
            home::home_view(ctx.store, ctx.config, ctx.user, ctx.now)
        })
        .await;
    match view {
        Ok(view) => {
            if let Err(error) = bot.api.publish_view(&user, &view).await {
                tracing::warn!(%error, "could not publish the App Home");
            }
        }
        Err(error) => {
            BotError::from(error).into_message();
        }
    }
}

/// What a mention asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Asked<'a> {
    /// The person on duty for a discipline.
    Discipline(&'a Discipline),
    /// Everyone on duty.
    Everyone,
    /// A beginning several disciplines share: the text says which.
    Ambiguous(String),
    /// Who is on duty (the text says `who`).
    Who,
    /// Nothing the bot understands.
    Other,
}

/// Reads what a mention asks for from `words` (those after the bot's mention) and the whole
/// text. A one-letter word names a discipline only when it is its exact key, so `@triage a
/// question` calls nobody.
fn asked<'a>(words: &[String], text: &str, roster: &'a Roster) -> Asked<'a> {
    let first = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
    let says_who = text
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word.eq_ignore_ascii_case("who"));
    match first.as_str() {
        "who" => return Asked::Who,
        "all" => return Asked::Everyone,
        "" => return if says_who { Asked::Who } else { Asked::Other },
        _ => {}
    }
    let exact = |d: &Discipline| d.key.as_str().eq_ignore_ascii_case(&first);
    match roster.find_discipline(&first) {
        Ok(found) if first.chars().count() >= 2 || exact(found) => Asked::Discipline(found),
        Err(error @ NoSuchDiscipline::Ambiguous { .. }) if first.chars().count() >= 2 => {
            Asked::Ambiguous(error.to_string())
        }
        _ if says_who => Asked::Who,
        _ => Asked::Other,
    }
}

/// Enqueues the answer to a mention: the people called for a discipline or `all`, who is on
/// duty when it asks "who", else a pointer to help. `bot_user` is the bot's own user id, when
/// known.
pub fn answer_mention(
    ctx: Context<'_>,
    mention: &AppMention,
    bot_user: Option<&str>,
) -> Result<(), BotError> {
    let command = &ctx.config.bot.command;
    let team = ctx.config.team();
    let (answer, roster) =
        duty::duty_and_roster_at(ctx.store, &team, ctx.now, ctx.now, "rotation")?;
    let words = mention.words_after_bot(bot_user);
    let dates = ctx.dates();
    let who = || blocks::mention_reply(blocks::who(&answer, &roster, &dates, command), command);
    let call = |wanted: Wanted<'_>| match &answer {
        DutyAt::InForce { duty, .. } => {
            let calls = people_to_call(&duty.assignments, wanted, ctx.user);
            let key = match wanted {
                Wanted::Discipline(key) => Some(key),
                Wanted::Everyone => None,
            };
            blocks::calls_reply(&calls, &roster, ctx.user, key)
        }
        // No sprint in force: say so, as `who` does.
        _ => who(),
    };
    let message = match asked(&words, &mention.text, &roster) {
        Asked::Discipline(discipline) => call(Wanted::Discipline(&discipline.key)),
        Asked::Everyone => call(Wanted::Everyone),
        Asked::Who => who(),
        Asked::Ambiguous(why) => Message::text(why),
        Asked::Other => Message::text(format!(
            "Ask me `who`, start with a discipline (or `all`) to call whoever is on duty for it, or try `{command} help`."
        )),
    };
    let reply = Effect::PostMessage {
        channel: mention.channel.clone(),
        text: message.text.clone(),
        blocks: message.blocks_json(),
        message_key: None,
        thread_ts: Some(mention.thread_ts.clone()),
    };
    let key = format!("mention:{}:{}", mention.channel, mention.ts);
    let outgoing = Outgoing::now(key, reply, ctx.now);
    ctx.store.enqueue(&items(&[outgoing]), ctx.now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DisciplineKey;

    fn roster() -> Roster {
        let discipline = |key: &str, name: &str| Discipline {
            key: DisciplineKey::parse(key).unwrap(),
            name: name.to_string(),
            position: 0,
            fallback: None,
            usergroup_id: None,
        };
        Roster {
            disciplines: vec![
                discipline("ui", "UI Engineering"),
                discipline("backend", "Backend"),
                discipline("bazaar", "Bazaar"),
                discipline("q", "Quality"),
            ],
            members: Vec::new(),
        }
    }

    #[track_caller]
    fn check(text: &str, expected: &str) {
        let roster = roster();
        let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        let found = match asked(&words, text, &roster) {
            Asked::Discipline(d) => format!("discipline {}", d.key),
            Asked::Everyone => "everyone".to_string(),
            Asked::Ambiguous(why) => format!("ambiguous: {why}"),
            Asked::Who => "who".to_string(),
            Asked::Other => "other".to_string(),
        };
        assert_eq!(found, expected, "{text:?}");
    }

    #[test]
    fn the_first_word_names_a_discipline_or_everyone() {
        check("ui the build is red", "discipline ui");
        check("UI the build is red", "discipline ui");
        check("back please look", "discipline backend");
        check("Bazaar down", "discipline bazaar");
        check("q now", "discipline q");
        check("all hands", "everyone");
        check("ALL", "everyone");
    }

    #[test]
    fn anything_else_is_answered_as_before() {
        check("who is on triage?", "who");
        check("can you tell me who is on duty", "who");
        check("a question", "other");
        check("thanks", "other");
        check("", "other");
        check(
            "ba is down",
            "ambiguous: `ba` could be `backend` (Backend), `bazaar` (Bazaar); say which",
        );
        check("b is down", "other");
    }
}
