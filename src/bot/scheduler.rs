//! The notification scheduler: runs [`announce::sync`] on start and then at each interesting
//! moment (the next handoff or the end of the sprint in force, the next heads-up or reminder,
//! the next warning that the sprint plan runs out, an alert about a duty in an absence, the end
//! of the change-impact window, every ten minutes for the user groups, or when a decision wakes
//! it), and owns the outbox worker task. Each round first keeps the sprint plan extended
//! (`bot::plan`) and raises the absence alerts that are due (`bot::away`), and ends with the
//! change-impact notices (`bot::impact`); dated roster changes apply when announcing records the
//! sprint they start.
//!
//! It sleeps until the next moment computed by the domain and never busy-loops (at least a
//! second between rounds). The app starts it with [`run`] and stops it through the shared
//! shutdown signal; [`run`] returns once the worker has finished the item in hand.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::{Notify, watch};

use crate::bot::announce;
use crate::bot::impact;
use crate::bot::usergroups;
use crate::bot::worker::{Clock, HomeRenderer, Worker};
use crate::config::Config;
use crate::domain::announce::next_moment;
use crate::domain::{next_change, sprint_starts_at};
use crate::slack::ApiClient;
use crate::store::{Store, StoreError};

/// How often the user groups are compared with Slack, so a hand edit is corrected.
pub const USERGROUP_RECHECK: SignedDuration = SignedDuration::from_mins(10);

/// What the notification tasks need.
#[derive(Clone)]
pub struct Notifications {
    pub store: Store,
    pub config: Arc<Config>,
    /// The bot's Web API client.
    pub api: ApiClient,
    /// A client with a user token (`SLACK_USER_TOKEN`) for editing user groups, if configured.
    pub usergroup_api: Option<ApiClient>,
    /// Renders App Home views for `PublishHome` effects, if the app has them.
    pub home: Option<HomeRenderer>,
}

/// Runs the scheduler and the outbox worker until `shutdown` turns true. `wake` is notified by
/// decisions that may change who is on duty or enqueue messages.
pub async fn run(notifications: Notifications, shutdown: watch::Receiver<bool>, wake: Arc<Notify>) {
    let Notifications {
        store,
        config,
        api,
        usergroup_api,
        home,
    } = notifications;
    log_switched_off(&store, &config).await;
    let clock: Clock = {
        let config = config.clone();
        Arc::new(move || config.now())
    };
    let worker = Worker::new(store.clone(), config.clone(), api, usergroup_api, home);
    let worker_wake = Arc::new(Notify::new());
    let worker_task = tokio::spawn(worker.clone().run(
        clock.clone(),
        shutdown.clone(),
        worker_wake.clone(),
    ));
    schedule(
        &store,
        &config,
        &worker,
        &clock,
        shutdown,
        &wake,
        &worker_wake,
    )
    .await;
    if let Err(error) = worker_task.await {
        tracing::error!(%error, "the outbox worker ended abnormally");
    }
    tracing::info!("notification scheduler stopped");
}

async fn schedule(
    store: &Store,
    config: &Arc<Config>,
    worker: &Worker,
    clock: &Clock,
    mut shutdown: watch::Receiver<bool>,
    wake: &Notify,
    worker_wake: &Notify,
) {
    let mut next_usergroup_check = clock();
    loop {
        if *shutdown.borrow() {
            return;
        }
        let now = clock();
        sync(store, config, clock).await;
        if now >= next_usergroup_check {
            check_usergroups(store, config, worker, now).await;
            next_usergroup_check = now.checked_add(USERGROUP_RECHECK).unwrap_or(now);
        }
        worker_wake.notify_one();
        let next = next_wake(store, config, now)
            .await
            .min(next_usergroup_check);
        let pause = pause_until(now, next);
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = wake.notified() => {}
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

/// One round: closes stale requests, recalls untaken ones, keeps the plan extended, decides what to announce, then
/// closes the change-impact window if its time is up.
/// Each step reads the clock when it starts, so what it enqueues is stamped with the moment it
/// was decided even when an earlier step waited for the database.
async fn sync(store: &Store, config: &Arc<Config>, clock: &Clock) {
    let closing = config.clone();
    let now = clock();
    match store
        .run(move |s| super::coverage::close_stale(s, &closing, now))
        .await
    {
        Ok(0) => {}
        Ok(closed) => tracing::info!(closed, "closed requests that no longer apply"),
        Err(error) => tracing::error!(%error, "could not close requests that no longer apply"),
    }
    let reminding = config.clone();
    let now = clock();
    match store
        .run(move |s| super::untaken::remind(s, &reminding, now))
        .await
    {
        Ok(0) => {}
        Ok(sent) => tracing::info!(sent, "recalled coverage nobody has taken yet"),
        Err(error) => tracing::error!(%error, "could not recall coverage nobody has taken yet"),
    }
    // After closing requests for retired sprints: an appended sprint may reuse a retired index.
    super::plan::keep_planned_logged(store, config, clock()).await;
    let alerting = config.clone();
    let now = clock();
    match store
        .run(move |s| super::away::raise_alerts(s, &alerting, now))
        .await
    {
        Ok(0) => {}
        Ok(raised) => tracing::info!(raised, "alerted the admins to duties falling in absences"),
        Err(error) => tracing::error!(%error, "could not check duties falling in absences"),
    }
    let config = config.clone();
    let now = clock();
    let announcing = config.clone();
    match store
        .run(move |s| announce::sync(s, &announcing, now))
        .await
    {
        Ok(0) => {}
        Ok(enqueued) => tracing::debug!(enqueued, "notifications enqueued"),
        Err(error) => tracing::error!(%error, "could not decide what to announce"),
    }
    let now = clock();
    if let Err(error) = store.run(move |s| impact::close_due(s, &config, now)).await {
        tracing::error!(%error, "could not tell people whose duties changed");
    }
}

/// Compares the user groups with Slack directly (not through the outbox: it is a check, and
/// repeating it is harmless), so a hand edit is corrected within [`USERGROUP_RECHECK`].
async fn check_usergroups(store: &Store, config: &Config, worker: &Worker, now: Timestamp) {
    if !has_usergroups(store, config).await {
        return;
    }
    match usergroups::reconcile(store, config, worker.usergroup_client(), now).await {
        Ok(report) if !report.updated.is_empty() => {
            tracing::info!(groups = ?report.updated, "user groups corrected");
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "user group check failed; trying again later"),
    }
}

async fn has_usergroups(store: &Store, config: &Config) -> bool {
    let configured = config.bot.usergroup.is_some();
    configured
        || store
            .run(|s| s.disciplines())
            .await
            .map(|d| d.iter().any(|d| d.usergroup_id.is_some()))
            .unwrap_or(false)
}

/// The next change of the sprint in force, heads-up, reminder, plan warning or absence alert
/// after `now` (at the latest `now` + [`USERGROUP_RECHECK`]).
async fn next_wake(store: &Store, config: &Arc<Config>, now: Timestamp) -> Timestamp {
    let events_config = config.clone();
    let moments = store
        .run(move |s| next_events(s, &events_config, now))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not find the next handoff");
            Vec::new()
        });
    let next = next_moment(now, moments, USERGROUP_RECHECK);
    let warning_config = config.clone();
    let warning = store
        .run(move |s| super::plan::next_warning(s, &warning_config, now))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not find when the plan runs out");
            None
        });
    let next = warning.map_or(next, |warning| next.min(warning));
    let alert_config = config.clone();
    let alert = store
        .run(move |s| super::away::next_alert(s, &alert_config, now))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not find the next absence alert");
            None
        });
    let next = alert.map_or(next, |alert| next.min(alert));
    let reminder_config = config.clone();
    let reminder = store
        .run(move |s| super::untaken::next_reminder(s, &reminder_config, now))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not find the next reminder of untaken coverage");
            None
        });
    let next = reminder.map_or(next, |reminder| next.min(reminder));
    let impact_config = config.clone();
    let closes = store
        .run(move |s| impact::closes_at(s, &impact_config))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "could not find when the change-impact window closes");
            None
        });
    // A window past its time that this round could not close is tried again at the recheck.
    closes
        .filter(|closes| *closes > now)
        .map_or(next, |closes| next.min(closes))
}

/// The next change of the sprint in force after `now` (the next handoff, or the end of the
/// sprint in force when a gap or the end of the plan follows it), and the next sprint's
/// reminder and heads-up.
fn next_events(
    store: &Store,
    config: &Config,
    now: Timestamp,
) -> Result<Vec<Timestamp>, StoreError> {
    let team = config.team();
    let sprints = store.sprints_around(crate::duty::local_date(&team, now), 2, 2)?;
    let mut moments: Vec<Timestamp> = next_change(&sprints, &team, now).into_iter().collect();
    if let Some(next) = sprints
        .iter()
        .find(|sprint| sprint_starts_at(sprint, &team) > now)
    {
        let starts_at = sprint_starts_at(next, &team);
        let schedule = &config.bot.heads_up;
        moments.extend(schedule.reminder_at(&team.zone, starts_at));
        moments.extend(schedule.heads_up_at(&team.zone, starts_at));
    }
    Ok(moments)
}

/// The sleep until `next`: at least a second (so rounding never busy-loops), at most ten minutes.
fn pause_until(now: Timestamp, next: Timestamp) -> Duration {
    let until = Duration::try_from(next.duration_since(now)).unwrap_or(Duration::ZERO);
    let most = Duration::try_from(USERGROUP_RECHECK).unwrap_or(Duration::from_secs(600));
    until.clamp(Duration::from_secs(1), most)
}

/// One log line per notification feature that is off because its setting is missing.
async fn log_switched_off(store: &Store, config: &Config) {
    if config.bot.channel.is_none() {
        tracing::info!("TRIAGE_CHANNEL is not set: no handoff posts or channel topic");
    }
    if config.bot.admin_channel.is_none() {
        tracing::info!("TRIAGE_ADMIN_CHANNEL is not set: problems are only logged");
    }
    if !has_usergroups(store, config).await {
        tracing::info!("no user group is configured: user groups are not updated");
    }
}
