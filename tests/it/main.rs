//! Integration tests: real SQLite files, the real binary, and the project's Slack emulator.

mod cli;
mod commands;
mod serve;
mod slack;
mod store;
