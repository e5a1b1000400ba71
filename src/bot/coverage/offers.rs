//! Offers to volunteers: a shift offered with `cover <sprint> open` (or the form's *Anyone*),
//! posted in the triage channel with *I'll cover*, and taken by the first eligible volunteer in
//! the click's transaction (the post is edited to say who took it).

use super::*;

/// `cover <sprint> open [discipline] [reason…]`: offers the shift to volunteers with a post in
/// the triage channel ("I'll cover").
pub fn offer_by_command(ctx: Context<'_>, args: &CoverArgs) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    let sprint = resolve_sprint(ctx, &args.sprint)?;
    let (discipline, reason) =
        args.split_discipline(|word| roster.find_discipline(word).ok().map(|d| d.key.clone()));
    let discipline = match discipline {
        Some(discipline) => discipline,
        None => infer_discipline(ctx, &roster, sprint.index, ctx.user)?,
    };
    offer(ctx, &sprint, &discipline, reason, Via::Command)
}

/// Offers (`sprint`, `discipline`) to volunteers: the post in the triage channel, and the answer
/// for the person (by DM when it came from the form, in the same transaction as the offer).
pub(super) fn offer(
    ctx: Context<'_>,
    sprint: &Sprint,
    discipline: &DisciplineKey,
    reason: Option<String>,
    via: Via,
) -> Result<Message, BotError> {
    let Some(channel) = ctx.config.bot.channel.clone() else {
        return Err(BotError::Refused(
            "no triage channel is configured (`TRIAGE_CHANNEL`), so there is nowhere to ask for volunteers".to_string(),
        ));
    };
    let roster = Roster::load(ctx.store)?;
    let dates = ctx.dates();
    let what = format!(
        "*{}* in {}",
        blocks::discipline_name(&roster, discipline),
        blocks::sprint_label(Some(sprint))
    );
    let answer = |offer: &Offer, created: bool| {
        Message::text(if created {
            format!(
                "Offer #{} posted in <#{channel}>: the first member of the discipline who is not on duty then can take {what}. You will get a DM when someone does.",
                offer.id
            )
        } else {
            format!("{what} is already offered (offer #{}).", offer.id)
        })
    };
    let effects = |offer: &Offer| {
        let message = crate::slack::offers::offer_post(offer, Some(sprint), &roster, &dates);
        let post = Effect::PostMessage {
            channel: channel.clone(),
            text: message.text.clone(),
            blocks: message.blocks_json(),
            message_key: Some(offer_message_key(offer.id)),
            thread_ts: None,
        };
        let mut out = vec![Outgoing::now(
            format!("offer:{}:post", offer.id),
            post,
            ctx.now,
        )];
        if via == Via::Modal {
            let key = format!("offer:{}:dm:{}", offer.id, offer.requested_by);
            out.push(dm(key, &offer.requested_by, answer(offer, true), ctx));
        }
        items(&out)
    };
    let is_admin = ctx.is_admin()?;
    let (offer, created) = coverage::offer_shift(
        ctx.store,
        &ctx.config.team(),
        sprint.index,
        discipline,
        ctx.user,
        reason,
        is_admin,
        ctx.now,
        &effects,
    )
    .map_err(|failure| refusal(failure, &roster))?;
    Ok(answer(&offer, created))
}

/// The message key of an offer's post in the triage channel.
pub(super) fn offer_message_key(id: i64) -> String {
    format!("offer:{id}")
}

/// The offer's post in the triage channel, edited to its current state.
fn offer_update(ctx: Context<'_>, offer: &Offer, roster: &Roster) -> Result<Outgoing, StoreError> {
    let sprint = ctx.store.sprint(offer.sprint)?;
    let message = crate::slack::offers::offer_post(offer, sprint.as_ref(), roster, &ctx.dates());
    let update = Effect::UpdateMessage {
        message_key: offer_message_key(offer.id),
        text: message.text.clone(),
        blocks: message.blocks_json(),
    };
    Ok(Outgoing::now(
        format!("offer:{}:{}:update", offer.id, offer.status.as_str()),
        update,
        ctx.now,
    ))
}

/// A click on "I'll cover": the first eligible volunteer takes the offer, and their request
/// goes on like any other the person asked accepted; later clicks are told it is taken.
pub fn volunteer(ctx: Context<'_>, id: i64) -> Result<Message, BotError> {
    let roster = Roster::load(ctx.store)?;
    let team = ctx.config.team();
    let taken = ctx.store.transaction(|store| {
        let taken = coverage::take_offer(store, &team, id, ctx.user, ctx.now, &no_effects)?;
        enqueue_decision(ctx, store, &taken.1, &roster)?;
        let mut out = vec![offer_update(ctx, &taken.0, &roster)?];
        if store.outbox_has(&untaken::offer_reminder_key(id))? {
            let sprint = store.sprint(taken.0.sprint)?;
            let dates = ctx.dates();
            let message =
                crate::slack::offers::offer_post(&taken.0, sprint.as_ref(), &roster, &dates);
            out.push(untaken::reminder_update(&taken.0, &message, ctx.now));
        }
        store.enqueue(&items(&out), ctx.now)?;
        Ok::<_, TakeFailure>(taken)
    });
    match taken {
        Ok((offer, outcome)) => Ok(crate::slack::offers::volunteered(&offer, &outcome, &roster)),
        Err(TakeFailure::Offer(error)) => Err(BotError::Refused(
            crate::slack::offers::offer_refusal(&error),
        )),
        Err(TakeFailure::Coverage(failure)) => Err(refusal(failure, &roster)),
    }
}
