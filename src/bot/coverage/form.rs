//! The coverage form (a modal): opening it with the person's coming shifts, and its submission
//! (a request naming someone, or, with *Anyone*, an offer to volunteers), with its errors per
//! input as sentences.

use super::*;

/// The modal's contents for `user`: their shifts and, per discipline of those shifts, the
/// active members who could cover.
fn modal_view(
    ctx: Context<'_>,
    selected: Option<&str>,
) -> Result<Option<serde_json::Value>, BotError> {
    let team = ctx.config.team();
    let shifts: Vec<Shift> = shifts::upcoming_shifts(ctx.store, &team, ctx.user, ctx.now)?;
    if shifts.is_empty() {
        return Ok(None);
    }
    let roster = Roster::load(ctx.store)?;
    let mut candidates: Vec<(DisciplineKey, Vec<Member>)> = Vec::new();
    for discipline in &roster.disciplines {
        if !shifts.iter().any(|s| s.discipline == discipline.key) {
            continue;
        }
        let members = roster
            .members_of(&discipline.key)
            .into_iter()
            .filter(|m| m.active && &m.slack_id != ctx.user)
            .collect();
        candidates.push((discipline.key.clone(), members));
    }
    let volunteers = ctx.config.bot.channel.is_some();
    Ok(Some(views::cover_modal(
        &shifts,
        (&candidates, volunteers),
        selected,
        &roster,
        &ctx.dates(),
    )))
}

/// Opens the coverage modal with `trigger_id` (at once: triggers expire after 3 s). Returns a
/// message for the person when no modal was opened.
pub async fn open_modal(
    bot: &Bot,
    user: SlackUserId,
    trigger_id: String,
    selected: Option<String>,
) -> Option<Message> {
    let view = bot
        .run(user, move |ctx| modal_view(ctx, selected.as_deref()))
        .await;
    let view = match view {
        Ok(Some(view)) => view,
        Ok(None) => {
            return Some(blocks::refusal(
                "You have no shifts in the coming sprints, so there is nothing to ask cover for.",
            ));
        }
        Err(error) => return Some(error.into_message()),
    };
    match bot.api.open_view(&trigger_id, &view).await {
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "could not open the coverage form");
            Some(blocks::refusal(&format!(
                "I could not open the form; try `{} cover <sprint> <@person>` instead.",
                bot.config.bot.command
            )))
        }
    }
}

/// `text` as a modal shows an error: plain text, people by name, no markup.
fn modal_text(ctx: Context<'_>, text: &str) -> String {
    let roster = Roster::load(ctx.store).ok();
    text::mrkdwn_as_plain(text, |user| {
        roster
            .as_ref()
            .and_then(|r| r.name_of(user))
            .map(str::to_string)
    })
}

/// The form's *Anyone* choice: the shift offered to volunteers; its answer comes by DM.
fn offer_from_modal(
    ctx: Context<'_>,
    sprint: SprintIndex,
    discipline: &DisciplineKey,
    reason: Option<String>,
) -> Result<(), BTreeMap<String, String>> {
    let error = |text: String| BTreeMap::from([(views::SHIFT_INPUT.to_string(), text)]);
    let found = ctx
        .store
        .sprint(sprint)
        .map_err(|e| error(BotError::from(e).into_message().text))?;
    let Some(found) = found else {
        return Err(error("That shift is no longer planned.".into()));
    };
    offer(ctx, &found, discipline, reason, Via::Modal)
        .map(|_| ())
        .map_err(|refused| error(modal_text(ctx, &refused.into_message().text)))
}

/// Files the request a submitted modal describes; errors are per input block.
pub fn submit_modal(
    ctx: Context<'_>,
    shift: Option<String>,
    replacement: Option<String>,
    reason: Option<String>,
) -> Result<(), BTreeMap<String, String>> {
    let error = |block: &str, text: String| BTreeMap::from([(block.to_string(), text)]);
    let Some((sprint, discipline)) = shift.as_deref().and_then(parse_slot_value) else {
        return Err(error(
            views::SHIFT_INPUT,
            "Choose one of your shifts.".into(),
        ));
    };
    let picked = replacement
        .as_deref()
        .and_then(|value| value.split_once(':'));
    let Some((picked_discipline, person)) = picked else {
        return Err(error(
            views::REPLACEMENT_INPUT,
            "Choose who covers the shift.".into(),
        ));
    };
    if person == views::ANYONE && picked_discipline == discipline.as_str() {
        return offer_from_modal(ctx, sprint, &discipline, reason);
    }
    let Ok(person) = SlackUserId::parse(person) else {
        return Err(error(
            views::REPLACEMENT_INPUT,
            "Choose who covers the shift.".into(),
        ));
    };
    if picked_discipline != discipline.as_str() {
        return Err(error(
            views::REPLACEMENT_INPUT,
            format!(
                "Choose someone from {}, the shift's discipline.",
                Roster::load(ctx.store).map_or_else(
                    |_| discipline.to_string(),
                    |roster| blocks::discipline_name(&roster, &discipline)
                )
            ),
        ));
    }
    let request = CoverageRequest {
        sprint,
        discipline,
        replacement: person,
        requester: ctx.user.clone(),
    };
    match file(ctx, &request, reason, Via::Modal) {
        Ok(_) => Ok(()),
        Err(BotError::Refused(text)) if text.contains(request.replacement.as_str()) => {
            Err(error(views::REPLACEMENT_INPUT, modal_text(ctx, &text)))
        }
        Err(other) => Err(error(
            views::SHIFT_INPUT,
            modal_text(ctx, &other.into_message().text),
        )),
    }
}
