//! The Slack transport against the emulator on 127.0.0.1: Web API client and Socket Mode client.

mod api;
mod member;
mod socket;
pub mod support;
