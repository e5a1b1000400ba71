//! Recorded rotation turns (so a started sprint's assignment never changes), with the skips the
//! rotation made to reach them under `double-duty = avoid` (recorded with the turn, once), and
//! the per-discipline `current_state` (what was last applied and announced).

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use super::Store;
use super::audit::{self, AuditRecord};
use super::codec;
use super::disciplines;
use super::error::{Result, StoreError};
use crate::domain::{DisciplineKey, Skip, SkipKind, SlackUserId, Source, SprintIndex, Turn};

/// What was last applied and announced for one discipline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentState {
    pub discipline: DisciplineKey,
    pub sprint: Option<SprintIndex>,
    pub slack_id: Option<SlackUserId>,
    pub updated_at: Timestamp,
}

fn source_text(source: Source) -> Result<&'static str> {
    match source {
        Source::Rotation | Source::Fallback | Source::None => Ok(source.as_str()),
        Source::Override => Err(StoreError::Invalid(
            "a rotation turn cannot come from an override".to_string(),
        )),
    }
}

fn turn_row(row: &rusqlite::Row) -> rusqlite::Result<Turn> {
    let source: String = row.get("source")?;
    Ok(Turn {
        sprint: codec::index(row, "sprint_index")?,
        discipline: codec::key(row, "discipline")?,
        slack_id: codec::opt_user(row, "slack_id")?,
        source: match source.as_str() {
            "rotation" => Source::Rotation,
            "fallback" => Source::Fallback,
            _ => Source::None,
        },
    })
}

fn skip_row(row: &rusqlite::Row) -> rusqlite::Result<Skip> {
    let kind: String = row.get("kind")?;
    Ok(Skip {
        sprint: codec::index(row, "sprint_index")?,
        discipline: codec::key(row, "discipline")?,
        slack_id: codec::user(row, "slack_id")?,
        kind: match kind.as_str() {
            "owed_turn" => SkipKind::OwedTurn,
            _ => SkipKind::PassedOver,
        },
    })
}

/// Appends the audit row of a turn recorded (`turn.record`, with the skips recorded with it) or
/// filled (`turn.fill`).
fn log_turn(
    tx: &Connection,
    action: &str,
    turn: &Turn,
    skips: &[&Skip],
    actor: &str,
    now: Timestamp,
) -> Result<()> {
    let mut after = json!({
        "sprint": turn.sprint.get(),
        "discipline": turn.discipline.as_str(),
        "slack_id": turn.slack_id.as_ref().map(SlackUserId::as_str),
        "source": turn.source.as_str(),
    });
    if !skips.is_empty() {
        let skips: Vec<_> = skips
            .iter()
            .map(|s| json!({"slack_id": s.slack_id.as_str(), "kind": s.kind.as_str()}))
            .collect();
        after["skips"] = json!(skips);
    }
    let record = AuditRecord {
        actor,
        action,
        entity: "turn",
        entity_id: format!("{}/{}", turn.sprint, turn.discipline),
        before: None,
        after: Some(after),
        reason: None,
    };
    audit::append(tx, &record, now)
}

/// Records `turn` unless its slot has one, and then `skips` (those of its slot) with it.
/// Returns whether it was new.
pub(crate) fn insert_turn(
    tx: &Connection,
    turn: &Turn,
    skips: &[Skip],
    actor: &str,
    now: Timestamp,
) -> Result<bool> {
    let inserted = tx.execute(
        "INSERT INTO rotation_turns (sprint_index, discipline, slack_id, source, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sprint_index, discipline) DO NOTHING",
        params![
            turn.sprint.get(),
            turn.discipline.as_str(),
            turn.slack_id.as_ref().map(SlackUserId::as_str),
            source_text(turn.source)?,
            now.as_second(),
        ],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    let own: Vec<&Skip> = skips
        .iter()
        .filter(|s| s.sprint == turn.sprint && s.discipline == turn.discipline)
        .collect();
    for skip in &own {
        insert_skip(tx, skip, now)?;
    }
    log_turn(tx, "turn.record", turn, &own, actor, now)?;
    Ok(true)
}

fn insert_skip(tx: &Connection, skip: &Skip, now: Timestamp) -> Result<()> {
    tx.execute(
        "INSERT INTO rotation_skips (sprint_index, discipline, slack_id, kind, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sprint_index, discipline, slack_id) DO NOTHING",
        params![
            skip.sprint.get(),
            skip.discipline.as_str(),
            skip.slack_id.as_str(),
            skip.kind.as_str(),
            now.as_second(),
        ],
    )?;
    Ok(())
}

pub(crate) fn latest_rotation_turn(
    conn: &Connection,
    discipline: &DisciplineKey,
    before: SprintIndex,
) -> Result<Option<Turn>> {
    Ok(conn
        .prepare_cached(
            "SELECT sprint_index, discipline, slack_id, source FROM rotation_turns
             WHERE discipline = ?1 AND sprint_index < ?2 AND source = 'rotation'
             ORDER BY sprint_index DESC LIMIT 1",
        )?
        .query_row(params![discipline.as_str(), before.get()], turn_row)
        .optional()?)
}

impl Store {
    /// Records turns that are not recorded yet, each new turn with the `skips` of its slot, in
    /// the same transaction; an already recorded (sprint, discipline) keeps its first value and
    /// its skips are dropped, so a slot's skips are recorded once, with its turn. Returns how
    /// many turns were new.
    pub fn record_turns(
        &self,
        turns: &[Turn],
        skips: &[Skip],
        actor: &str,
        now: Timestamp,
    ) -> Result<usize> {
        self.write(|tx| {
            let mut inserted = 0;
            for turn in turns {
                inserted += usize::from(insert_turn(tx, turn, skips, actor, now)?);
            }
            Ok(inserted)
        })
    }

    /// The recorded skips of sprints `from..=to`, by sprint, discipline and person.
    pub fn skips_between(&self, from: SprintIndex, to: SprintIndex) -> Result<Vec<Skip>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT sprint_index, discipline, slack_id, kind FROM rotation_skips
                 WHERE sprint_index BETWEEN ?1 AND ?2
                 ORDER BY sprint_index, discipline, slack_id",
            )?;
            let rows = statement.query_map([from.get(), to.get()], skip_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Fills slots recorded with a stand-in (`source` `none` or `fallback`: the discipline had no
    /// members) with `turns`; a slot the rotation picked keeps its pick. Returns how many.
    pub fn fill_empty_turns(&self, turns: &[Turn], actor: &str, now: Timestamp) -> Result<usize> {
        self.write(|tx| {
            let mut filled = 0;
            for turn in turns {
                let changed = tx.execute(
                    "UPDATE rotation_turns SET slack_id = ?3, source = ?4, recorded_at = ?5
                     WHERE sprint_index = ?1 AND discipline = ?2
                       AND source IN ('none', 'fallback')",
                    params![
                        turn.sprint.get(),
                        turn.discipline.as_str(),
                        turn.slack_id.as_ref().map(SlackUserId::as_str),
                        source_text(turn.source)?,
                        now.as_second(),
                    ],
                )?;
                if changed == 1 {
                    log_turn(tx, "turn.fill", turn, &[], actor, now)?;
                    filled += 1;
                }
            }
            Ok(filled)
        })
    }

    /// The recorded turns of one sprint.
    pub fn turns(&self, sprint: SprintIndex) -> Result<Vec<Turn>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT sprint_index, discipline, slack_id, source FROM rotation_turns
                 WHERE sprint_index = ?1",
            )?;
            let rows = statement.query_map([sprint.get()], turn_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The recorded turns of sprints `from..=to`.
    pub fn turns_between(&self, from: SprintIndex, to: SprintIndex) -> Result<Vec<Turn>> {
        self.read(|conn| turns_between(conn, from, to))
    }

    /// The latest recorded rotation turn of `discipline` strictly before sprint `before`: the
    /// anchor the rotation continues from.
    pub fn rotation_anchor(
        &self,
        discipline: &DisciplineKey,
        before: SprintIndex,
    ) -> Result<Option<Turn>> {
        self.read(|conn| latest_rotation_turn(conn, discipline, before))
    }

    /// The highest sprint index with any recorded turn.
    pub fn last_recorded_sprint(&self) -> Result<Option<SprintIndex>> {
        self.read(last_recorded_sprint)
    }

    /// Upserts what was applied and announced for `discipline`. Returns whether it changed.
    pub fn set_current_state(
        &self,
        discipline: &DisciplineKey,
        sprint: Option<SprintIndex>,
        slack_id: Option<&SlackUserId>,
        actor: &str,
        now: Timestamp,
    ) -> Result<bool> {
        self.write(|tx| set_state(tx, discipline, sprint, slack_id, actor, now))
    }

    /// The current state of every discipline that has one.
    pub fn current_state(&self) -> Result<Vec<CurrentState>> {
        self.read(current_states)
    }
}

/// The recorded turns of sprints `from..=to`, on `conn` (or inside a transaction).
pub(crate) fn turns_between(
    conn: &Connection,
    from: SprintIndex,
    to: SprintIndex,
) -> Result<Vec<Turn>> {
    let mut statement = conn.prepare_cached(
        "SELECT sprint_index, discipline, slack_id, source FROM rotation_turns
         WHERE sprint_index BETWEEN ?1 AND ?2",
    )?;
    let rows = statement.query_map([from.get(), to.get()], turn_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The highest sprint index with any recorded turn, on `conn` (or inside a transaction).
pub(crate) fn last_recorded_sprint(conn: &Connection) -> Result<Option<SprintIndex>> {
    let max: Option<i64> =
        conn.query_row("SELECT max(sprint_index) FROM rotation_turns", [], |r| {
            r.get(0)
        })?;
    max.map(|m| SprintIndex::new(m).map_err(|e| StoreError::Invalid(e.to_string())))
        .transpose()
}

/// The current state of every discipline that has one, on `conn` (or inside a transaction).
pub(crate) fn current_states(conn: &Connection) -> Result<Vec<CurrentState>> {
    let mut statement = conn.prepare_cached(
        "SELECT discipline, sprint_index, slack_id, updated_at FROM current_state ORDER BY discipline",
    )?;
    let rows = statement.query_map([], |row| {
        let sprint: Option<i64> = row.get("sprint_index")?;
        Ok(CurrentState {
            discipline: codec::key(row, "discipline")?,
            sprint: sprint.and_then(|s| SprintIndex::new(s).ok()),
            slack_id: codec::opt_user(row, "slack_id")?,
            updated_at: codec::timestamp(row, "updated_at")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn set_state(
    tx: &Connection,
    discipline: &DisciplineKey,
    sprint: Option<SprintIndex>,
    slack_id: Option<&SlackUserId>,
    actor: &str,
    now: Timestamp,
) -> Result<bool> {
    disciplines::require(tx, discipline)?;
    let before: Option<(Option<i64>, Option<String>)> = tx
        .prepare_cached("SELECT sprint_index, slack_id FROM current_state WHERE discipline = ?1")?
        .query_row([discipline.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let after = (
        sprint.map(SprintIndex::get),
        slack_id.map(|s| s.to_string()),
    );
    if before.as_ref() == Some(&after) {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO current_state (discipline, sprint_index, slack_id, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (discipline) DO UPDATE SET
             sprint_index = excluded.sprint_index,
             slack_id = excluded.slack_id,
             updated_at = excluded.updated_at",
        params![discipline.as_str(), after.0, after.1, now.as_second()],
    )?;
    let as_json =
        |state: &(Option<i64>, Option<String>)| json!({"sprint": state.0, "slack_id": state.1});
    let record = AuditRecord {
        actor,
        action: "state.set",
        entity: "current_state",
        entity_id: discipline.to_string(),
        before: before.as_ref().map(as_json),
        after: Some(as_json(&after)),
        reason: None,
    };
    audit::append(tx, &record, now)?;
    Ok(true)
}
