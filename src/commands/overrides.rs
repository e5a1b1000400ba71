//! `override request|approve|decline|cancel|list`: coverage requests.

use serde_json::json;

use super::{parse_number, print_json, table};
use crate::app::{self, UsageError};
use crate::bot::confirm::{self, Approving};
use crate::bot::{BotError, Context, coverage};
use crate::cli::OverrideCommand;
use crate::config::Config;
use crate::coverage::DecisionOutcome;
use crate::domain::request::Action;
use crate::domain::sprint_ref::resolve_sprint;
use crate::domain::{
    CoverageRequest, DisciplineKey, OverrideStatus, SlackUserId, Sprint, SprintIndex,
};
use crate::store::{RequestOutcome, Store};

pub fn run(config: &Config, command: OverrideCommand) -> anyhow::Result<()> {
    match command {
        OverrideCommand::Request {
            sprint,
            discipline,
            replacement,
            by,
            reason,
        } => {
            let discipline = DisciplineKey::parse(&discipline)?;
            let replacement = SlackUserId::parse(&replacement)?;
            let requester = SlackUserId::parse(&by)?;
            let sprint = named_sprint(config, &sprint)?;
            let request = CoverageRequest {
                sprint: sprint.index,
                discipline,
                replacement,
                requester,
            };
            let outcome = request_coverage(config, &request, reason)?;
            let o = outcome.request();
            match outcome {
                RequestOutcome::Created(_) => outln!(
                    "request #{} filed: {} to cover {} in {}; waiting for {}",
                    o.id,
                    o.replacement,
                    o.discipline,
                    sprint.name,
                    if o.status == OverrideStatus::Proposed {
                        format!("{} to accept it", o.replacement)
                    } else {
                        "an admin".to_string()
                    }
                ),
                RequestOutcome::AlreadyPending(_) => {
                    outln!(
                        "the same request is already {} as request #{}",
                        o.status,
                        o.id
                    )
                }
                RequestOutcome::AlreadyApproved(_) => {
                    outln!("the same cover is already approved as request #{}", o.id)
                }
            }
        }
        OverrideCommand::Accept { id, by } => decide(config, &id, &by, Action::Accept, None)?,
        OverrideCommand::Refuse { id, by, reason } => {
            decide(config, &id, &by, Action::Refuse, reason)?
        }
        OverrideCommand::Approve { id, by, confirm } => approve(config, &id, &by, confirm)?,
        OverrideCommand::Decline { id, by, reason } => {
            decide(config, &id, &by, Action::Decline, reason)?
        }
        OverrideCommand::Cancel { id, by } => decide(config, &id, &by, Action::Cancel, None)?,
        OverrideCommand::Revoke { id, by, reason } => {
            decide(config, &id, &by, Action::Revoke, reason)?
        }
        OverrideCommand::List { status } => {
            let status = status
                .as_deref()
                .map(str::parse::<OverrideStatus>)
                .transpose()
                .map_err(|e| UsageError(e.to_string()))?;
            list(config, status)?;
        }
    }
    Ok(())
}

/// Validates a coverage request with the domain's rules and files it, with the same messages a
/// request filed in Slack causes (delivered by `serve`).
pub fn request_coverage(
    config: &Config,
    request: &CoverageRequest,
    reason: Option<String>,
) -> anyhow::Result<RequestOutcome> {
    let store = app::open_store(config)?;
    let ctx = Context {
        store: &store,
        config,
        user: &request.requester,
        now: config.now(),
    };
    coverage::file(ctx, request, reason, coverage::Via::Command).map_err(bot_error)
}

/// The sprint `text` names: its name, the number it ends with, a day in it, `now` or `next`.
fn named_sprint(config: &Config, text: &str) -> anyhow::Result<Sprint> {
    let sprints = app::open_store(config)?.sprints()?;
    resolve_sprint(text, &sprints, &config.team(), config.now())
        .cloned()
        .map_err(|error| UsageError(error.to_string()).into())
}

/// A sprint's name for messages (a retired sprint keeps its number).
fn sprint_name(sprints: &[Sprint], index: SprintIndex) -> String {
    sprints
        .iter()
        .find(|s| s.index == index)
        .map_or_else(|| format!("retired sprint {index}"), |s| s.name.clone())
}

/// A refusal from the shared decision code, as the command line reports it.
fn bot_error(error: BotError) -> anyhow::Error {
    match error {
        BotError::Internal(error) => anyhow::Error::from(error),
        refused => UsageError(plain(&refused.to_string())).into(),
    }
}

/// Slack mentions (`<@U1>`) and bold marks as plain text.
fn plain(text: &str) -> String {
    text.replace("<@", "").replace(['>', '*'], "")
}

/// Approves, declines, cancels or revokes a request through the same decision code as Slack:
/// the same rules, the same messages to the people concerned (delivered by `serve`).
fn decide(
    config: &Config,
    id: &str,
    by: &str,
    action: Action,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let id = parse_number("request id", id, 1, i64::MAX as u64)? as i64;
    let by = SlackUserId::parse(by)?;
    let store = app::open_store(config)?;
    let ctx = Context {
        store: &store,
        config,
        user: &by,
        now: config.now(),
    };
    let outcome = coverage::decide_outcome(ctx, id, action, reason).map_err(bot_error)?;
    report(&store, &outcome)
}

/// Approves a request, unless its cover gives the replacement double or back-to-back duty and
/// the approval is not confirmed (`--confirm`): then it is refused, saying why.
fn approve(config: &Config, id: &str, by: &str, confirmed: bool) -> anyhow::Result<()> {
    let id = parse_number("request id", id, 1, i64::MAX as u64)? as i64;
    let by = SlackUserId::parse(by)?;
    let store = app::open_store(config)?;
    let ctx = Context {
        store: &store,
        config,
        user: &by,
        now: config.now(),
    };
    match confirm::approve_outcome(ctx, id, confirmed).map_err(bot_error)? {
        Approving::Decided(outcome) => report(&store, &outcome),
        Approving::Unconfirmed { request, conflict } => {
            let sprints = store.sprints()?;
            Err(UsageError(format!(
                "approving request #{id} gives {} {}: besides {} in {}, they are on duty for {} \
                 in {}{}; run again with --confirm to approve it anyway",
                request.replacement,
                conflict.conflict.describe(),
                request.discipline,
                sprint_name(&sprints, request.sprint),
                conflict.discipline,
                conflict.sprint.name,
                conflict.when(request.sprint),
            ))
            .into())
        }
    }
}

/// Prints what a decision did; a request closed instead of approved is an error.
fn report(store: &Store, outcome: &DecisionOutcome) -> anyhow::Result<()> {
    let o = &outcome.request;
    let sprints = store.sprints()?;
    let slot = format!(
        "{} to cover {} in {}",
        o.replacement,
        o.discipline,
        sprint_name(&sprints, o.sprint)
    );
    if let Some(why) = &outcome.closed {
        return Err(UsageError(format!(
            "request #{} cannot be approved: {}; it is closed as {}",
            o.id,
            crate::coverage::stale_reason(why),
            o.status
        ))
        .into());
    }
    if outcome.changed {
        outln!("request #{} ({slot}) is now {}", o.id, o.status);
    } else {
        outln!(
            "request #{} ({slot}) was already {}; nothing changed",
            o.id,
            o.status
        );
    }
    for moved in &outcome.others {
        let why = moved.closed.as_ref().map_or(
            "replaced by this decision".to_string(),
            crate::coverage::stale_reason,
        );
        outln!(
            "request #{} is now {}: {why}",
            moved.after.id,
            moved.after.status
        );
    }
    Ok(())
}

fn list(config: &Config, status: Option<OverrideStatus>) -> anyhow::Result<()> {
    let store = app::open_store(config)?;
    let overrides = store.overrides(status)?;
    let sprints = store.sprints()?;
    if config.json {
        let list: Vec<_> = overrides
            .iter()
            .map(|o| {
                json!({"id": o.id, "sprint": o.sprint.get(), "discipline": o.discipline.as_str(),
                       "requested_by": o.requested_by.as_str(),
                       "original": o.original.as_ref().map(SlackUserId::as_str),
                       "replacement": o.replacement.as_str(), "status": o.status.as_str(),
                       "reason": o.reason, "decision_reason": o.decision_reason,
                       "revoke_reason": o.revoke_reason})
            })
            .collect();
        print_json(&json!(list));
        return Ok(());
    }
    if overrides.is_empty() {
        outln!("no overrides");
        return Ok(());
    }
    let mut rows = vec![
        [
            "ID",
            "SPRINT",
            "DISCIPLINE",
            "ORIGINAL",
            "REPLACEMENT",
            "REQUESTED BY",
            "STATUS",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for o in &overrides {
        rows.push(vec![
            o.id.to_string(),
            sprint_name(&sprints, o.sprint),
            o.discipline.to_string(),
            o.original
                .as_ref()
                .map_or("-".to_string(), ToString::to_string),
            o.replacement.to_string(),
            o.requested_by.to_string(),
            o.status.to_string(),
        ]);
    }
    out!("{}", table(&rows));
    Ok(())
}
