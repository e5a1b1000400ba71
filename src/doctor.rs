//! `triage-bot doctor`: checks a deployment end to end and says, for each problem, how to fix it
//! in plain words. It changes nothing: the database is opened only when its schema is current,
//! and the user-group check writes back the group's own members.

use jiff::{Timestamp, ToSpan};

use crate::cli::SlackArgs;
use crate::config::Config;
use crate::dates::CliDates;
use crate::domain::{Conflict, DayRange, DoubleDuty, SlackUserId, Sprint, uncovered_days};
use crate::duty::{self, Roster, local_date};
use crate::slack::{ApiClient, ApiConfig, ApiError, AppToken, BotToken, ChannelId, UserGroupId};
use crate::store::{SCHEMA_VERSION, Store};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Worth knowing, not wrong (an optional feature switched off).
    Note,
    Problem,
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
    /// What to do about a problem.
    pub fix: Option<String>,
}

impl Check {
    fn ok(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    fn note(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            status: Status::Note,
            detail: detail.into(),
            fix: None,
        }
    }

    fn problem(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            status: Status::Problem,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// How far ahead sprints must be planned.
const PLANNED_DAYS: i64 = 28;

/// Runs every check at `now`.
pub async fn examine(config: &Config, slack: &SlackArgs, now: Timestamp) -> Vec<Check> {
    let mut checks = configuration(config);
    checks.extend(database(config, now));
    let bot = match bot_client(slack) {
        Ok(client) => Some(client),
        Err(check) => {
            checks.push(*check);
            None
        }
    };
    if let Some(bot) = &bot {
        checks.push(bot_token(bot).await);
        checks.push(app_token(bot, slack).await);
        for (setting, channel) in [
            ("TRIAGE_CHANNEL", &config.bot.channel),
            ("TRIAGE_ADMIN_CHANNEL", &config.bot.admin_channel),
        ] {
            if let Some(channel) = channel {
                checks.push(channel_membership(bot, setting, channel).await);
            }
        }
        let groups = user_group_client(bot, slack);
        match groups {
            Ok(client) => checks.extend(user_groups(config, client.as_ref().unwrap_or(bot)).await),
            Err(check) => checks.push(*check),
        }
    }
    checks
}

fn configuration(config: &Config) -> Vec<Check> {
    let zone = config.timezone.iana_name().unwrap_or("the configured zone");
    let mut checks = vec![Check::ok(
        "configuration",
        format!(
            "time zone {zone}, handoff {}, heads-up {} on workdays {}{}{}, command {}",
            config.handoff.strftime("%H:%M"),
            config.bot.heads_up.time.strftime("%H:%M"),
            config.bot.heads_up.calendar.weekdays,
            match config.bot.heads_up.calendar.holidays.len() {
                0 => String::new(),
                1 => " (1 holiday)".to_string(),
                n => format!(" ({n} holidays)"),
            },
            config
                .bot
                .heads_up
                .reminder_lead
                .map_or(String::new(), |lead| format!(", reminder {lead} ahead")),
            config.bot.command
        ),
    )];
    let optional = [
        (
            config.bot.channel.is_none(),
            "TRIAGE_CHANNEL is not set: no handoff posts or channel topic",
        ),
        (
            config.bot.admin_channel.is_none(),
            "TRIAGE_ADMIN_CHANNEL is not set: coverage requests are not posted for approval",
        ),
        (
            config.bot.usergroup.is_none(),
            "TRIAGE_USERGROUP is not set: no on-call user group",
        ),
    ];
    checks.extend(
        optional
            .iter()
            .filter(|(unset, _)| *unset)
            .map(|(_, text)| Check::note("configuration", *text)),
    );
    checks
}

fn database(config: &Config, now: Timestamp) -> Vec<Check> {
    let path = &config.db;
    let shown = path.display();
    let version = match Store::inspect_version(path) {
        Ok(Some(version)) => version,
        Ok(None) => {
            return vec![Check::problem(
                "database",
                format!("{shown} does not exist"),
                "run `triage-bot migrate` (or start the bot) to create it, or point TRIAGE_DB at the right file",
            )];
        }
        Err(error) => {
            return vec![Check::problem(
                "database",
                error.to_string(),
                "point TRIAGE_DB at the bot's database file",
            )];
        }
    };
    if version < SCHEMA_VERSION {
        return vec![Check::problem(
            "database",
            format!("{shown} has schema version {version}; this triage-bot uses {SCHEMA_VERSION}"),
            "run `triage-bot migrate` (it writes a backup first), or just start the bot",
        )];
    }
    if version > SCHEMA_VERSION {
        return vec![Check::problem(
            "database",
            format!(
                "{shown} has schema version {version}, newer than this triage-bot ({SCHEMA_VERSION})"
            ),
            "upgrade triage-bot to the version that wrote this database",
        )];
    }
    match Store::integrity_check(path) {
        Ok(problems) if problems.is_empty() => {}
        Ok(problems) => {
            return vec![Check::problem(
                "database",
                format!("integrity check failed: {}", problems.join("; ")),
                "stop the bot and restore the latest backup (`triage-bot backup` files)",
            )];
        }
        Err(error) => {
            return vec![Check::problem(
                "database",
                error.to_string(),
                "check the file's permissions and disk",
            )];
        }
    }
    let mut checks = vec![Check::ok(
        "database",
        format!("{shown}: schema version {version}, integrity ok"),
    )];
    checks.push(schedule(config, now));
    checks.push(double_duty(config, now));
    checks
}

/// Double and back-to-back duty left in the sprint in force and those starting in the next
/// [`PLANNED_DAYS`] days (with `double-duty = avoid`, the rotation leaves one only when nobody
/// else could take the turn, or a cover was approved anyway). Reads without recording anything.
fn double_duty(config: &Config, now: Timestamp) -> Check {
    let team = config.team();
    let policy = team.double_duty;
    if !policy.flags() {
        return Check::note(
            "double duty",
            "allowed (TRIAGE_DOUBLE_DUTY=allow): the rotation may put one person on two disciplines in a sprint, or on duty two sprints running",
        );
    }
    let dates = CliDates::new(&team);
    let today = local_date(&team, now);
    let needed = today.checked_add(PLANNED_DAYS.days()).unwrap_or(today);
    let flagged = Store::open(&config.db, config.store.clone()).and_then(|(store, _)| {
        store.snapshot(|store| {
            let roster = Roster::load(store)?;
            let mut duties =
                duty::scheduled(store, &team, &roster, now, PLANNED_DAYS as usize + 1)?;
            duties.retain(|d| d.sprint.start <= needed);
            Ok((duty::flag_conflicts(store, &team, &roster, duties)?, roster))
        })
    });
    let (flagged, roster) = match flagged {
        Ok(found) => found,
        Err(error) => {
            return Check::problem("double duty", error.to_string(), "check the database");
        }
    };
    let mut found: Vec<String> = Vec::new();
    for sprint in &flagged {
        let slots: Vec<_> = sprint
            .duty
            .assignments
            .iter()
            .zip(&sprint.conflicts)
            .collect();
        let mut people: Vec<&SlackUserId> = slots
            .iter()
            .filter(|(_, conflict)| conflict.is_some())
            .filter_map(|(a, _)| a.slack_id.as_ref())
            .collect();
        people.dedup();
        for person in people {
            let mine = slots
                .iter()
                .filter(|(a, _)| a.slack_id.as_ref() == Some(person));
            let mut kinds: Vec<Conflict> = mine.clone().filter_map(|(_, c)| **c).collect();
            kinds.sort();
            kinds.dedup();
            let kinds: Vec<&str> = kinds.iter().map(|c| c.as_str()).collect();
            let disciplines: Vec<&str> = mine
                .map(|(a, _)| {
                    let found = roster.discipline(&a.discipline);
                    found.map_or(a.discipline.as_str(), |d| d.name.as_str())
                })
                .collect();
            found.push(format!(
                "{} ({person}) has {} duty in {} ({})",
                roster.name_of(person).unwrap_or(person.as_str()),
                kinds.join(" and "),
                sprint.duty.sprint.name,
                disciplines.join(", ")
            ));
        }
    }
    if found.is_empty() {
        return Check::ok(
            "double duty",
            format!(
                "nobody is on duty for two disciplines in a sprint, or two sprints running, through {} (TRIAGE_DOUBLE_DUTY={policy})",
                dates.day(needed)
            ),
        );
    }
    let fix = match policy {
        DoubleDuty::Warn => {
            "set TRIAGE_DOUBLE_DUTY=avoid to let the rotation pass them over, or have someone cover those turns (`/triage cover`)"
        }
        _ => {
            "the rotation leaves these only when nobody else could take the turn, the sprint was recorded before, or a cover was approved anyway: add people to the rotations, or have someone cover those turns (`/triage cover`)"
        }
    };
    Check::problem(
        "double duty",
        format!("through {}: {}", dates.day(needed), found.join("; ")),
        fix,
    )
}

fn schedule(config: &Config, now: Timestamp) -> Check {
    let team = config.team();
    let dates = CliDates::new(&team);
    let today = local_date(&team, now);
    let needed = today.checked_add(PLANNED_DAYS.days()).unwrap_or(today);
    // Each sprint after today starts on a day of its own, so this many reach past `needed`.
    let upcoming = Store::open(&config.db, config.store.clone())
        .and_then(|(store, _)| store.sprints_around(today, 1, PLANNED_DAYS as usize + 1));
    let generate = format!(
        "add sprints, e.g. `triage-bot sprint generate --start <first day> --days 14 --count 6` (through {} at least)",
        dates.day(needed)
    );
    let sprints = match upcoming {
        Err(error) => return Check::problem("schedule", error.to_string(), "check the database"),
        Ok(sprints) if sprints.is_empty() => {
            return Check::problem("schedule", "there are no sprints", generate);
        }
        Ok(sprints) => sprints,
    };
    let runs = uncovered_days(&sprints, today, needed);
    if runs.is_empty() {
        let last = &sprints[sprints.len() - 1];
        return Check::ok(
            "schedule",
            format!(
                "sprints are planned through {} ({})",
                dates.day(last.end),
                last.name
            ),
        );
    }
    let described: Vec<String> = runs
        .iter()
        .map(|run| uncovered(&sprints, run, &dates))
        .collect();
    let tail_uncovered = runs.last().is_some_and(|run| run.last == needed);
    let fix = if tail_uncovered {
        generate
    } else {
        "nobody is on triage duty on those days; if that is not intended, plan sprints for them"
            .to_string()
    };
    Check::problem(
        "schedule",
        format!("in the next {PLANNED_DAYS} days, {}", described.join("; ")),
        fix,
    )
}

/// "no sprint covers 2026-04-06 to 2026-04-09 (4 days), between Sprint 4 (sprint 3) and …".
fn uncovered(sprints: &[Sprint], run: &DayRange, dates: &CliDates) -> String {
    let days = (run.last - run.first).get_days() + 1;
    let span = match days {
        1 => format!("{} (1 day)", dates.day(run.first)),
        _ => format!("{} ({days} days)", dates.span(run.first, run.last)),
    };
    let before = sprints.iter().rev().find(|s| s.end < run.first);
    let after = sprints.iter().find(|s| s.start > run.last);
    let label = |s: &Sprint| s.name.clone();
    match (before, after) {
        (Some(before), Some(after)) => format!(
            "no sprint covers {span}, between {} and {}",
            label(before),
            label(after)
        ),
        (Some(before), None) => format!(
            "no sprint covers {span}: the last sprint, {}, ends on {}",
            label(before),
            dates.day(before.end)
        ),
        (None, Some(after)) => format!("no sprint covers {span}, before {} starts", label(after)),
        (None, None) => format!("no sprint covers {span}"),
    }
}

/// The store, only when the database exists with the current schema (so opening changes nothing).
fn open_current(config: &Config) -> Option<Store> {
    match Store::inspect_version(&config.db) {
        Ok(Some(SCHEMA_VERSION)) => Store::open(&config.db, config.store.clone())
            .ok()
            .map(|(store, _)| store),
        _ => None,
    }
}

/// How long one request of a check may take. Checks do not retry, so each one ends within
/// this limit and a Slack that accepts connections but never answers is reported quickly.
const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The Web API client's settings for checks: one attempt each, within [`CHECK_TIMEOUT`].
fn doctor_api_config(base_url: &str) -> ApiConfig {
    ApiConfig {
        request_timeout: CHECK_TIMEOUT,
        max_retries: 0,
        ..ApiConfig::new(base_url)
    }
}

/// A failed token check: Slack refused the token (its own fix), or Slack could not be reached
/// or gave no usable answer (timeout, connection refused, DNS: a network fix, not a new token).
fn token_problem(name: &str, error: &ApiError, refused_fix: String) -> Check {
    match error {
        ApiError::Slack { code, .. } => Check::problem(
            name,
            format!("Slack refused the token: {code}"),
            refused_fix,
        ),
        ApiError::Transport { detail, .. } => Check::problem(
            name,
            format!("could not reach Slack ({detail})"),
            "check the network, DNS and any proxy between this machine and Slack, and SLACK_API_URL; then run doctor again",
        ),
        other => Check::problem(
            name,
            format!("could not check: Slack gave no usable answer ({other})"),
            "try again in a minute; if it persists, check SLACK_API_URL and status.slack.com",
        ),
    }
}

fn bot_client(slack: &SlackArgs) -> Result<ApiClient, Box<Check>> {
    let fix = "copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page into SLACK_BOT_TOKEN";
    let Some(token) = slack.slack_bot_token.as_deref() else {
        return Err(Box::new(Check::problem(
            "bot token",
            "SLACK_BOT_TOKEN is not set",
            fix,
        )));
    };
    match BotToken::new(token) {
        Ok(token)
            if slack
                .slack_bot_token
                .as_deref()
                .is_some_and(|t| t.starts_with("xoxb-")) =>
        {
            Ok(ApiClient::new(
                doctor_api_config(&slack.slack_api_url),
                token,
            ))
        }
        _ => Err(Box::new(Check::problem(
            "bot token",
            "SLACK_BOT_TOKEN does not start with xoxb-",
            fix,
        ))),
    }
}

fn user_group_client(bot: &ApiClient, slack: &SlackArgs) -> Result<Option<ApiClient>, Box<Check>> {
    let Some(token) = slack.slack_user_token.as_deref().filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match BotToken::new(token) {
        Ok(token)
            if slack
                .slack_user_token
                .as_deref()
                .is_some_and(|t| t.starts_with("xoxp-")) =>
        {
            Ok(Some(ApiClient::new(bot.config().clone(), token)))
        }
        _ => Err(Box::new(Check::problem(
            "user token",
            "SLACK_USER_TOKEN does not start with xoxp-",
            "use an admin's user token (xoxp-…) or unset SLACK_USER_TOKEN",
        ))),
    }
}

async fn bot_token(bot: &ApiClient) -> Check {
    match bot.auth_test().await {
        Ok(identity) => Check::ok(
            "bot token",
            format!(
                "accepted: bot user {} in team {}",
                identity.user_id, identity.team_id
            ),
        ),
        Err(error) => token_problem(
            "bot token",
            &error,
            "copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions; reinstall the app if it was revoked".to_string(),
        ),
    }
}

async fn app_token(bot: &ApiClient, slack: &SlackArgs) -> Check {
    let fix = "create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and put it in SLACK_APP_TOKEN";
    let Some(token) = slack.slack_app_token.as_deref() else {
        return Check::problem("app token", "SLACK_APP_TOKEN is not set", fix);
    };
    let Ok(token) = AppToken::new(token) else {
        return Check::problem(
            "app token",
            "SLACK_APP_TOKEN does not start with xapp-",
            fix,
        );
    };
    match bot.open_connection(&token).await {
        Ok(_) => Check::ok(
            "app token",
            "accepted: Socket Mode connections can be opened",
        ),
        Err(error) => token_problem(
            "app token",
            &error,
            format!("{fix}; make sure Socket Mode is switched on for the app"),
        ),
    }
}

async fn channel_membership(bot: &ApiClient, setting: &str, channel: &str) -> Check {
    let name = format!("{setting} {channel}");
    match bot.conversation_info(&ChannelId(channel.to_string())).await {
        Ok(info) if info.is_member => Check::ok(&name, format!("the bot is in #{}", info.name)),
        Ok(info) => Check::problem(
            &name,
            format!("the bot is not in #{}", info.name),
            format!("invite it: type `/invite @triage` in #{}", info.name),
        ),
        Err(error) => match error.slack_code() {
            Some("channel_not_found") => Check::problem(
                &name,
                "no such channel, or the bot cannot see it",
                format!("check the id in {setting}; for a private channel, invite the bot first"),
            ),
            Some("missing_scope") => Check::problem(
                &name,
                "the app lacks the scope to look at channels",
                "add channels:read and groups:read to the app's bot scopes and reinstall it",
            ),
            code => Check::problem(
                &name,
                format!(
                    "could not check: {}",
                    code.unwrap_or("no answer from Slack")
                ),
                "try again; if it persists, check the app's scopes",
            ),
        },
    }
}

async fn user_groups(config: &Config, client: &ApiClient) -> Vec<Check> {
    let mut wanted: Vec<String> = config.bot.usergroup.iter().cloned().collect();
    if let Some(store) = open_current(config)
        && let Ok(disciplines) = store.disciplines()
    {
        wanted.extend(disciplines.into_iter().filter_map(|d| d.usergroup_id));
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    let groups = match client.list_usergroups().await {
        Ok(groups) => groups,
        Err(error) => return vec![usergroup_problem("user groups", error.slack_code())],
    };
    let mut checks = Vec::new();
    for id in wanted {
        let name = format!("user group {id}");
        let Some(group) = groups.iter().find(|g| g.id.0 == id) else {
            checks.push(Check::problem(
                &name,
                "no such user group",
                "check the id (S…) in TRIAGE_USERGROUP or the discipline's --usergroup",
            ));
            continue;
        };
        let members: Vec<_> = group
            .users
            .iter()
            .filter_map(|u| crate::domain::SlackUserId::parse(u).ok())
            .collect();
        if members.is_empty() {
            checks.push(Check::note(
                &name,
                format!("@{} is empty, so editing it was not tried", group.handle),
            ));
            continue;
        }
        checks.push(
            match client
                .update_usergroup_users(&UserGroupId(id.clone()), &members)
                .await
            {
                Ok(_) => Check::ok(&name, format!("@{} can be edited", group.handle)),
                Err(error) => usergroup_problem(&name, error.slack_code()),
            },
        );
    }
    checks
}

fn usergroup_problem(name: &str, code: Option<&str>) -> Check {
    let (detail, fix) = match code {
        Some("permission_denied") | Some("not_allowed_token_type") => (
            "the bot may not edit user groups in this workspace",
            "let everyone (apps included) manage user groups in workspace settings, or set SLACK_USER_TOKEN to an admin's xoxp- token",
        ),
        Some("paid_teams_only") => (
            "user groups need a paid Slack plan",
            "unset TRIAGE_USERGROUP and the disciplines' user groups",
        ),
        Some("missing_scope") => (
            "the app lacks usergroups:read / usergroups:write",
            "add both scopes to the app and reinstall it",
        ),
        _ => (
            "could not check the user group",
            "try again; if it persists, check the app's scopes",
        ),
    };
    Check::problem(
        name,
        format!("{detail} ({})", code.unwrap_or("no answer")),
        fix,
    )
}

/// The report as printed: one line per check, fixes indented under problems.
pub fn render(checks: &[Check]) -> String {
    let mut out = String::new();
    for check in checks {
        let label = match check.status {
            Status::Ok => "ok     ",
            Status::Note => "note   ",
            Status::Problem => "problem",
        };
        out.push_str(&format!("{label}  {}: {}\n", check.name, check.detail));
        if let Some(fix) = &check.fix {
            out.push_str(&format!("         fix: {fix}\n"));
        }
    }
    let problems = checks
        .iter()
        .filter(|c| c.status == Status::Problem)
        .count();
    out.push_str(&match problems {
        0 => "all checks passed\n".to_string(),
        1 => "1 problem found\n".to_string(),
        n => format!("{n} problems found\n"),
    });
    out
}
