//! The bot as a team sees it in Slack: slash commands, coverage requests with approval, App Home,
//! and notifications that arrive exactly once.
//!
//! Handlers decide with the domain and persist through the store; every message or Slack change
//! they cause is an [`Effect`] written to the outbox in the same transaction as the decision, and
//! delivered later by the outbox worker. Nothing here talks to Slack directly except that worker.

pub mod announce;
pub mod effect;
pub mod scheduler;
pub mod usergroups;
pub mod worker;

pub use effect::{Effect, Outgoing};
