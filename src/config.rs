//! Validated configuration: flags, environment and the optional TOML file become typed values once.
