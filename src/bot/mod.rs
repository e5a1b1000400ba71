//! The bot as a team sees it in Slack: slash commands, coverage requests with approval, App Home,
//! and notifications that arrive exactly once.
//!
//! Handlers decide with the domain and persist through the store; every message or Slack change
//! they cause is an [`Effect`] written to the outbox in the same transaction as the decision, and
//! delivered later by the outbox worker. The only Slack calls made here directly are the ones
//! that cannot wait: the ack's reply, opening a modal (its trigger expires in 3 s), the App Home
//! on `app_home_opened`, and an ephemeral answer to a button through its `response_url`.
//! Admin rights are checked here, on the server, for every admin action, buttons included.

pub mod actions;
pub mod admin;
pub mod announce;
pub mod away;
pub mod calendar;
pub mod command;
pub mod confirm;
pub mod coverage;
pub mod effect;
pub mod events;
pub mod home;
pub mod impact;
pub mod notes;
pub mod plan;
pub mod scheduler;
pub mod shifts;
pub mod slash;
pub mod untaken;
pub mod usergroups;
pub mod worker;

use std::sync::Arc;

use jiff::Timestamp;

pub use effect::{Effect, Outgoing};

use crate::config::Config;
use crate::coverage::CoverageFailure;
use crate::dates::SlackDates;
use crate::domain::SlackUserId;
use crate::domain::request::TransitionError;
use crate::slack::blocks::Message;
use crate::slack::{ApiClient, Envelope, EnvelopeKind, Handled};
use crate::store::{AuditRecord, Store, StoreError, TransactionError};

/// Why a command or a click did nothing. The text is what the person sees.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// The request breaks a rule or names something that does not exist.
    #[error("{0}")]
    Refused(String),
    /// An admin action by someone who is not an admin (already audited).
    #[error("only admins can {0}")]
    NotAdmin(&'static str),
    /// The store failed; the person is told nothing was changed, the log has the details.
    #[error("something went wrong, nothing was changed")]
    Internal(#[source] StoreError),
}

impl From<StoreError> for BotError {
    fn from(error: StoreError) -> BotError {
        use crate::slack::blocks::mention;
        match error {
            // People are mentions in Slack, not ids.
            StoreError::NotAMember {
                slack_id,
                discipline,
            } => BotError::Refused(format!(
                "{} is not a member of `{discipline}`",
                mention(&slack_id)
            )),
            StoreError::LastAdmin(admin) => BotError::Refused(format!(
                "{} is the last admin; add another admin first",
                mention(&admin)
            )),
            error if error.is_user_error() => BotError::Refused(error.to_string()),
            error => BotError::Internal(error),
        }
    }
}

impl TransactionError for BotError {
    fn is_busy(&self) -> bool {
        matches!(self, BotError::Internal(error) if error.is_busy())
    }
}

impl From<CoverageFailure> for BotError {
    fn from(failure: CoverageFailure) -> BotError {
        match failure {
            CoverageFailure::Rule(rule) => BotError::Refused(rule.to_string()),
            CoverageFailure::Transition(TransitionError::AwaitingAcceptance {
                id,
                replacement,
            }) => BotError::Refused(format!(
                "request #{id} waits for {} to accept it; an admin decides after that",
                crate::slack::blocks::mention(&replacement)
            )),
            CoverageFailure::Transition(error) => BotError::Refused(error.to_string()),
            CoverageFailure::Store(error) => error.into(),
        }
    }
}

impl BotError {
    /// The message for the person, logging internal failures.
    pub fn into_message(self) -> Message {
        if let BotError::Internal(error) = &self {
            tracing::error!(error = %error, source = ?std::error::Error::source(error), "a bot action failed");
        }
        crate::slack::blocks::refusal(&self.to_string())
    }
}

/// What a handler works with: the store, the settings, who acts, and the instant of the
/// envelope (the clock is read once per envelope).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub store: &'a Store,
    pub config: &'a Config,
    pub user: &'a SlackUserId,
    pub now: Timestamp,
}

impl Context<'_> {
    /// How dates are written in Slack for this envelope: the team's zone, the year of `now`.
    pub fn dates(&self) -> SlackDates {
        SlackDates::new(&self.config.team(), self.now)
    }

    /// Whether the acting person is an admin: in the `admins` table or in the configuration.
    pub fn is_admin(&self) -> Result<bool, StoreError> {
        Ok(self.config.bot.admins.contains(self.user) || self.store.is_admin(self.user)?)
    }

    /// Passes when the acting person is an admin; otherwise records the refused attempt as
    /// `<action>.refused` in the audit log and refuses with "only admins can `what`".
    pub fn require_admin(
        &self,
        action: &str,
        entity: &str,
        entity_id: &str,
        what: &'static str,
    ) -> Result<(), BotError> {
        if self.is_admin()? {
            return Ok(());
        }
        self.audit_refusal(action, entity, entity_id, "not an admin")?;
        Err(BotError::NotAdmin(what))
    }

    /// Records a refused attempt in the audit log.
    pub fn audit_refusal(
        &self,
        action: &str,
        entity: &str,
        entity_id: &str,
        why: &str,
    ) -> Result<(), StoreError> {
        let action = format!("{action}.refused");
        let record = AuditRecord {
            actor: self.user.as_str(),
            action: &action,
            entity,
            entity_id: entity_id.to_string(),
            before: None,
            after: None,
            reason: Some(why),
        };
        self.store.record_audit(&record, self.now)
    }

    /// Everyone who is an admin: the configuration's and the table's.
    pub fn admins(&self) -> Result<Vec<SlackUserId>, StoreError> {
        let mut admins = self.config.bot.admins.clone();
        for admin in self.store.admins()? {
            if !admins.contains(&admin) {
                admins.push(admin);
            }
        }
        Ok(admins)
    }
}

/// The running bot: what every handler needs. Cheap to clone.
#[derive(Clone)]
pub struct Bot {
    pub config: Arc<Config>,
    pub store: Store,
    pub api: ApiClient,
    /// Wakes the announcer and outbox worker after anything that may have changed who is on
    /// duty or enqueued messages.
    pub wake: Arc<tokio::sync::Notify>,
    /// The bot's own user id (from `auth.test`), to find its mention in a message.
    pub bot_user: Option<SlackUserId>,
}

impl Bot {
    /// Handles one envelope: its reply goes in the ack when the envelope takes one, and
    /// follow-ups (a private answer to a click, a modal) run after the ack.
    pub async fn handle(&self, envelope: Envelope) -> Handled {
        let (handled, may_have_changed) = match envelope.kind {
            EnvelopeKind::SlashCommands => {
                let Some(command) = envelope.slash_command() else {
                    return Handled::default();
                };
                let read_only = command::is_read_only(&command.text);
                (slash::handle(self, command).await.into(), !read_only)
            }
            EnvelopeKind::Interactive => (actions::handle(self, &envelope).await, true),
            EnvelopeKind::EventsApi => {
                events::handle(self, &envelope).await;
                (Handled::default(), true)
            }
            EnvelopeKind::Other(_) => (Handled::default(), false),
        };
        if may_have_changed {
            self.wake.notify_one();
        }
        handled
    }

    /// Runs `f` on the blocking pool with a context for `user` at the envelope's instant.
    pub(crate) async fn run<T, F>(&self, user: SlackUserId, f: F) -> T
    where
        F: FnOnce(Context<'_>) -> T + Send + 'static,
        T: Send + 'static,
    {
        let config = self.config.clone();
        let now = config.now();
        self.store
            .run(move |store| {
                f(Context {
                    store,
                    config: &config,
                    user: &user,
                    now,
                })
            })
            .await
    }
}
