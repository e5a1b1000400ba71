//! `override request|approve|decline|cancel|list`: coverage requests.

use serde_json::json;

use super::{parse_number, print_json, table};
use crate::app::{self, UsageError};
use crate::cli::OverrideCommand;
use crate::config::Config;
use crate::coverage::{self, CoverageFailure};
use crate::domain::{
    CoverageRequest, DisciplineKey, Override, OverrideStatus, SlackUserId, SprintIndex,
};
use crate::store::{Decision, RequestOutcome, Store, no_effects};

pub fn run(config: &Config, command: OverrideCommand) -> anyhow::Result<()> {
    match command {
        OverrideCommand::Request {
            sprint,
            discipline,
            replacement,
            by,
            reason,
        } => {
            let request = CoverageRequest {
                sprint: sprint.parse::<SprintIndex>()?,
                discipline: DisciplineKey::parse(&discipline)?,
                replacement: SlackUserId::parse(&replacement)?,
                requester: SlackUserId::parse(&by)?,
            };
            let outcome = request_coverage(config, &request, reason)?;
            let o = outcome.request();
            match outcome {
                RequestOutcome::Created(_) => println!(
                    "override {} filed: {} to cover {} in sprint {}; waiting for an admin",
                    o.id, o.replacement, o.discipline, o.sprint
                ),
                RequestOutcome::AlreadyPending(_) => {
                    println!("the same request is already pending as override {}", o.id)
                }
                RequestOutcome::AlreadyApproved(_) => {
                    println!("the same override is already approved as override {}", o.id)
                }
            }
        }
        OverrideCommand::Approve { id, by } => decide(config, &id, &by, Action::Approve, None)?,
        OverrideCommand::Decline { id, by, reason } => {
            decide(config, &id, &by, Action::Decline, reason)?
        }
        OverrideCommand::Cancel { id, by } => decide(config, &id, &by, Action::Cancel, None)?,
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

/// Validates a coverage request with the domain's rules and files it.
pub fn request_coverage(
    config: &Config,
    request: &CoverageRequest,
    reason: Option<String>,
) -> anyhow::Result<RequestOutcome> {
    let store = app::open_store(config)?;
    let is_admin = store.is_admin(&request.requester)?;
    let (team, now) = (config.team(), config.now());
    coverage::file_coverage_request(&store, &team, request, reason, is_admin, now, &no_effects)
        .map_err(|failure| match failure {
            CoverageFailure::Rule(rule) => UsageError(rule.to_string()).into(),
            CoverageFailure::Store(error) => anyhow::Error::from(error),
        })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Approve,
    Decline,
    Cancel,
}

fn decide(
    config: &Config,
    id: &str,
    by: &str,
    action: Action,
    reason: Option<String>,
) -> anyhow::Result<()> {
    let id = parse_number("override id", id, 1, i64::MAX as u64)? as i64;
    let by = SlackUserId::parse(by)?;
    let now = config.now();
    let store = app::open_store(config)?;
    let request = store
        .override_by_id(id)?
        .ok_or(crate::store::StoreError::UnknownOverride(id))?;
    check_rights(&store, &request, &by, action)?;
    let decision: Decision = match action {
        Action::Approve => store.approve_override(id, by.as_str(), now)?,
        Action::Decline => store.decline_override(id, by.as_str(), reason.as_deref(), now)?,
        Action::Cancel => store.cancel_override(id, by.as_str(), now)?,
    };
    let o = &decision.request;
    if !decision.changed {
        println!("override {} was already {}", o.id, o.status);
        return Ok(());
    }
    println!(
        "override {} {}: {} covers {} in sprint {}",
        o.id, o.status, o.replacement, o.discipline, o.sprint
    );
    if let Some(old) = decision.superseded {
        println!(
            "override {} ({} covering) is superseded",
            old.id, old.replacement
        );
    }
    Ok(())
}

/// Approve and decline need an admin; cancel needs the requester or an admin.
fn check_rights(
    store: &Store,
    request: &Override,
    by: &SlackUserId,
    action: Action,
) -> anyhow::Result<()> {
    if store.is_admin(by)? {
        return Ok(());
    }
    let refusal = match action {
        Action::Cancel if &request.requested_by == by => return Ok(()),
        Action::Cancel => format!(
            "only the requester ({}) or an admin can cancel override {}",
            request.requested_by, request.id
        ),
        Action::Approve => format!("{by} is not an admin; only admins can approve requests"),
        Action::Decline => format!("{by} is not an admin; only admins can decline requests"),
    };
    Err(UsageError(refusal).into())
}

fn list(config: &Config, status: Option<OverrideStatus>) -> anyhow::Result<()> {
    let overrides = app::open_store(config)?.overrides(status)?;
    if config.json {
        let list: Vec<_> = overrides
            .iter()
            .map(|o| {
                json!({"id": o.id, "sprint": o.sprint.get(), "discipline": o.discipline.as_str(),
                       "requested_by": o.requested_by.as_str(),
                       "original": o.original.as_ref().map(SlackUserId::as_str),
                       "replacement": o.replacement.as_str(), "status": o.status.as_str()})
            })
            .collect();
        print_json(&json!(list));
        return Ok(());
    }
    if overrides.is_empty() {
        println!("no overrides");
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
            o.sprint.to_string(),
            o.discipline.to_string(),
            o.original
                .as_ref()
                .map_or("-".to_string(), ToString::to_string),
            o.replacement.to_string(),
            o.requested_by.to_string(),
            o.status.to_string(),
        ]);
    }
    print!("{}", table(&rows));
    Ok(())
}
