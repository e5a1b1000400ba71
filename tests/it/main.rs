//! Integration tests: real SQLite files, the real binary, and the project's Slack emulator.

mod away;
mod backup;
mod bot;
mod calendar;
mod cli;
mod commands;
mod crash;
mod demo;
mod doctor;
mod double_duty;
mod fuzz_seeds;
mod health;
mod impact;
mod import;
mod journey;
mod model;
mod notes;
mod notify;
mod plan;
mod process;
mod rules;
mod secrets;
mod serve;
pub mod slack;
mod stats;
mod store;
mod tools;
