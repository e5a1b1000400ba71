//! One module per subcommand: parse arguments into domain values, call the store and the
//! domain, print the result (text or `--json`).

pub mod migrate;
