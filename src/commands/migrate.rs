//! `triage-bot migrate [--check]`.

use crate::app;
use crate::config::Config;
use crate::store::{SCHEMA_VERSION, Store};

pub fn run(config: &Config, check: bool) -> anyhow::Result<()> {
    let db = config.db.display();
    if check {
        let found = Store::inspect_version(&config.db)?;
        match found {
            None => println!(
                "database {db}: does not exist yet (schema version 0); this triage-bot writes version {SCHEMA_VERSION}"
            ),
            Some(v) if v == SCHEMA_VERSION => {
                println!("database {db}: schema version {v} (up to date)")
            }
            Some(v) if v > SCHEMA_VERSION => println!(
                "database {db}: schema version {v}, newer than this triage-bot (version {SCHEMA_VERSION}); upgrade triage-bot"
            ),
            Some(v) => println!(
                "database {db}: schema version {v}; `triage-bot migrate` brings it to version {SCHEMA_VERSION}"
            ),
        }
        return Ok(());
    }
    let before = Store::inspect_version(&config.db)?.unwrap_or(0);
    app::open_store(config)?;
    if before == SCHEMA_VERSION {
        println!("database {db}: already at schema version {SCHEMA_VERSION}");
    } else {
        println!("database {db}: migrated from schema version {before} to {SCHEMA_VERSION}");
    }
    Ok(())
}
