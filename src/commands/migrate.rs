//! `triage-bot migrate [--check] [--json]`.

use serde_json::json;

use crate::app;
use crate::config::Config;
use crate::store::{SCHEMA_VERSION, Store};

pub fn run(config: &Config, check: bool) -> anyhow::Result<()> {
    if check {
        let found = Store::inspect_version(&config.db)?;
        if config.json {
            outln!("{}", check_json(config, found));
        } else {
            outln!("{}", check_text(config, found));
        }
        return Ok(());
    }
    let db = config.db.display();
    let before = Store::inspect_version(&config.db)?.unwrap_or(0);
    app::open_store(config)?;
    if config.json {
        let answer = json!({"path": db.to_string(), "from": before, "to": SCHEMA_VERSION});
        outln!("{answer}");
    } else if before == SCHEMA_VERSION {
        outln!("database {db}: already at schema version {SCHEMA_VERSION}");
    } else {
        outln!("database {db}: migrated from schema version {before} to {SCHEMA_VERSION}");
    }
    Ok(())
}

/// How a database's schema version compares with the one this triage-bot writes.
fn status(found: Option<i64>) -> &'static str {
    match found {
        None => "missing",
        Some(v) if v == SCHEMA_VERSION => "current",
        Some(v) if v > SCHEMA_VERSION => "newer",
        Some(_) => "older",
    }
}

fn check_json(config: &Config, found: Option<i64>) -> serde_json::Value {
    json!({
        "path": config.db.display().to_string(),
        "exists": found.is_some(),
        "version": found.unwrap_or(0),
        "supported": SCHEMA_VERSION,
        "status": status(found),
    })
}

fn check_text(config: &Config, found: Option<i64>) -> String {
    let db = config.db.display();
    match found {
        None => format!(
            "database {db}: does not exist yet (schema version 0); this triage-bot writes version {SCHEMA_VERSION}"
        ),
        Some(v) if v == SCHEMA_VERSION => format!("database {db}: schema version {v} (up to date)"),
        Some(v) if v > SCHEMA_VERSION => format!(
            "database {db}: schema version {v}, newer than this triage-bot (version {SCHEMA_VERSION}); upgrade triage-bot"
        ),
        Some(v) => format!(
            "database {db}: schema version {v}; `triage-bot migrate` brings it to version {SCHEMA_VERSION}"
        ),
    }
}
