//! triage-bot: a self-hosted Slack bot that runs triage / on-call rotations for small teams.
//!
//! See `ARCHITECTURE.md` for a map of the modules.

pub mod app;
pub mod away;
pub mod bot;
pub mod calendar;
pub mod cli;
pub mod commands;
pub mod config;
pub mod coverage;
pub mod dates;
pub mod demo;
pub mod doctor;
pub mod domain;
pub mod duty;
#[doc(hidden)]
pub mod fuzzing;
pub mod health;
pub mod http_api;
pub mod impact;
pub mod legacy;
pub mod metrics;
pub mod removal;
pub mod roster_changes;
pub mod serve;
pub mod slack;
pub mod stats;
pub mod status_page;
pub mod store;
