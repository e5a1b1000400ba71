//! One module per subcommand: parse arguments into domain values, call the store and the
//! domain, print the result (text or `--json`).

pub mod backup;
pub mod duty;
pub mod import;
pub mod migrate;
pub mod overrides;
pub mod sprints;
pub mod team;
