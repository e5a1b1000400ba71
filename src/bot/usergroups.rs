//! User-group reconciliation: the team's on-call group holds everyone on duty now
//! (deduplicated), and each discipline's own group holds that discipline's person.
//!
//! [`reconcile`] compares what should be with what Slack has and calls
//! `usergroups.users.update` only for groups that differ, auditing each change (a hand edit in
//! Slack is corrected and the audit row shows what Slack had). It never sends an empty list:
//! Slack rejects it, and an empty on-call group helps nobody, so the group is kept and the
//! skip logged. Persistent Slack failures (`permission_denied`, `paid_teams_only`,
//! `missing_scope`, …) are reported to the admin channel once per distinct problem, with the
//! fix in plain words, and resolved when the group works again. Transient failures are returned
//! so the caller retries.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::json;

use crate::bot::announce::ACTOR;
use crate::bot::effect::{Effect, Outgoing};
use crate::config::Config;
use crate::domain::SlackUserId;
use crate::domain::announce::desired_usergroups;
use crate::duty::{self, DutyAt, Roster};
use crate::slack::notices;
use crate::slack::{ApiClient, ApiError, UserGroup, UserGroupId};
use crate::store::{AuditRecord, Store, StoreError};

/// Why reconciling stopped early; the caller retries later.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Slack failed in a way that may pass (rate limit, 5xx, timeout).
    #[error(transparent)]
    Slack(ApiError),
}

/// What one reconciliation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Groups whose members were replaced.
    pub updated: Vec<String>,
    /// Groups that already matched.
    pub unchanged: usize,
    /// Groups left alone because nobody is on duty for them.
    pub kept_empty: usize,
    /// Persistent problems met (reported once each).
    pub problems: usize,
}

/// Brings every configured user group in line with who is on duty at `now`. `client` is the
/// client allowed to edit user groups (a user token's, or the bot's).
pub async fn reconcile(
    store: &Store,
    config: &Config,
    client: &ApiClient,
    now: Timestamp,
) -> Result<ReconcileReport, ReconcileError> {
    let mut report = ReconcileReport::default();
    let desired = {
        let (team, triage) = (config.team(), config.bot.usergroup.clone());
        store
            .run(move |s| desired(s, &team, triage.as_deref(), now))
            .await?
    };
    if desired.is_empty() {
        return Ok(report);
    }
    let groups = match client.list_usergroups().await {
        Ok(groups) => groups,
        Err(error) => {
            let problem = Problem::from_error("usergroup-list", None, error)?;
            report.problems += 1;
            problem.report(store, config, now).await?;
            return Ok(report);
        }
    };
    resolve(store, "usergroup-list:", now).await?;
    for (group, members) in desired {
        reconcile_one(
            store,
            config,
            client,
            &groups,
            &group,
            &members,
            now,
            &mut report,
        )
        .await?;
    }
    Ok(report)
}

/// The groups to manage and the members each should have.
fn desired(
    store: &Store,
    team: &crate::domain::Team,
    triage: Option<&str>,
    now: Timestamp,
) -> Result<Vec<(String, Vec<SlackUserId>)>, StoreError> {
    let roster = Roster::load(store)?;
    let assignments = match duty::duty_at(store, team, now, now, ACTOR)? {
        DutyAt::InForce { duty, .. } => duty.assignments,
        _ => Vec::new(),
    };
    Ok(desired_usergroups(
        &assignments,
        &roster.disciplines,
        triage,
    ))
}

#[allow(clippy::too_many_arguments)]
async fn reconcile_one(
    store: &Store,
    config: &Config,
    client: &ApiClient,
    groups: &[UserGroup],
    group: &str,
    members: &[SlackUserId],
    now: Timestamp,
    report: &mut ReconcileReport,
) -> Result<(), ReconcileError> {
    let Some(found) = groups.iter().find(|g| g.id.0 == group) else {
        report.problems += 1;
        return Problem::missing(group).report(store, config, now).await;
    };
    if members.is_empty() {
        tracing::warn!(
            group,
            "nobody is on duty for this user group; keeping its members"
        );
        report.kept_empty += 1;
        return Ok(());
    }
    let want: BTreeSet<&str> = members.iter().map(SlackUserId::as_str).collect();
    let have: BTreeSet<&str> = found.users.iter().map(String::as_str).collect();
    if want == have {
        report.unchanged += 1;
        return resolve(store, &format!("usergroup:{group}:"), now).await;
    }
    let id = UserGroupId(group.to_string());
    match client.update_usergroup_users(&id, members).await {
        Ok(_) => {
            audit_update(store, group, &found.users, members, now).await?;
            tracing::info!(group, members = members.len(), "user group updated");
            report.updated.push(group.to_string());
            resolve(store, &format!("usergroup:{group}:"), now).await
        }
        Err(error) => {
            let problem = Problem::from_error("usergroup", Some(group), error)?;
            report.problems += 1;
            problem.report(store, config, now).await
        }
    }
}

async fn audit_update(
    store: &Store,
    group: &str,
    before: &[String],
    after: &[SlackUserId],
    now: Timestamp,
) -> Result<(), StoreError> {
    let (group, before) = (group.to_string(), before.to_vec());
    let after: Vec<String> = after.iter().map(ToString::to_string).collect();
    store
        .run(move |s| {
            let record = AuditRecord {
                actor: ACTOR,
                action: "usergroup.update",
                entity: "usergroup",
                entity_id: group,
                before: Some(json!({ "users": before })),
                after: Some(json!({ "users": after })),
                reason: Some("matched to who is on duty"),
            };
            s.record_audit(&record, now)
        })
        .await
}

async fn resolve(store: &Store, prefix: &str, now: Timestamp) -> Result<(), ReconcileError> {
    let prefix = prefix.to_string();
    store.run(move |s| s.resolve_problems(&prefix, now)).await?;
    Ok(())
}

/// A persistent problem with a user group: its key (one per group and Slack error), a summary
/// and the fix in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    key: String,
    summary: String,
    fix: String,
}

impl Problem {
    /// The problem an error stands for; a transient error is returned for a retry instead.
    fn from_error(
        scope: &str,
        group: Option<&str>,
        error: ApiError,
    ) -> Result<Problem, ReconcileError> {
        if error.is_retryable() {
            return Err(ReconcileError::Slack(error));
        }
        let code = error.slack_code().unwrap_or("unexpected_answer");
        let what = match group {
            Some(group) => format!("the bot cannot update the user group {group}"),
            None => "the bot cannot read the workspace's user groups".to_string(),
        };
        let key = match group {
            Some(group) => format!("{scope}:{group}:{code}"),
            None => format!("{scope}:{code}"),
        };
        Ok(Problem {
            key,
            summary: format!("{what} (Slack answered `{code}`)"),
            fix: fix_for(code).to_string(),
        })
    }

    fn missing(group: &str) -> Problem {
        Problem {
            key: format!("usergroup:{group}:not_found"),
            summary: format!("the user group {group} does not exist or is disabled"),
            fix: fix_for("no_such_subteam").to_string(),
        }
    }

    /// Notes the problem and, the first time, enqueues a notice to the admin channel.
    async fn report(
        self,
        store: &Store,
        config: &Config,
        now: Timestamp,
    ) -> Result<(), ReconcileError> {
        let notice = config.bot.admin_channel.clone().map(|channel| {
            let rendered = notices::problem(&self.summary, &self.fix);
            let effect = Effect::PostMessage {
                channel,
                text: rendered.text,
                blocks: Some(rendered.blocks),
                message_key: None,
                thread_ts: None,
            };
            let key = format!("problem:{}:{}", self.key, now.as_second());
            Outgoing::now(key, effect, now).to_item()
        });
        let (key, summary) = (self.key.clone(), self.summary.clone());
        let new = store
            .run(move |s| s.report_problem(&key, &summary, notice.as_ref(), now))
            .await?;
        if new {
            tracing::warn!(problem = %self.key, fix = %self.fix, "user group problem: {}", self.summary);
        } else {
            tracing::debug!(problem = %self.key, "user group problem persists (already reported)");
        }
        Ok(())
    }
}

/// The fix for a Slack error code, in plain words.
fn fix_for(code: &str) -> &'static str {
    match code {
        "permission_denied" | "not_allowed_token_type" | "no_permission" => {
            "let apps edit user groups in workspace settings (Settings & administration → \
             Workspace settings → Permissions → User Groups), or set SLACK_USER_TOKEN to an \
             admin's xoxp- token"
        }
        "paid_teams_only" => {
            "user groups need a paid Slack plan; unset TRIAGE_USERGROUP and the disciplines' \
             user groups to stop trying"
        }
        "missing_scope" => {
            "add the usergroups:read and usergroups:write scopes to the Slack app and reinstall it"
        }
        "invalid_users" | "user_not_found" => {
            "someone on duty is not an active member of the workspace; check the rotation's members"
        }
        "no_such_subteam" | "subteam_not_found" | "not_found" => {
            "check that TRIAGE_USERGROUP (or the discipline's user group) names an existing, \
             enabled user group"
        }
        "invalid_auth" | "not_authed" | "token_revoked" | "account_inactive" => {
            "the Slack token was refused; check SLACK_BOT_TOKEN (and SLACK_USER_TOKEN if set)"
        }
        _ => "check the Slack app's scopes and the user group's settings",
    }
}
