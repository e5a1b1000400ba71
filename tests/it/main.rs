//! Integration tests: real SQLite files, the real binary, and the project's Slack emulator.

mod backup;
mod cli;
mod commands;
mod import;
mod notify;
mod serve;
mod slack;
mod store;
