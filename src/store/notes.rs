//! Handoff notes: one per sprint and discipline, replaced when its author writes again. Saving
//! one appends its audit row in the same transaction. Whether the author may leave it (on duty
//! now) is decided by the caller, inside [`Store::transaction`].

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;

use super::audit::{self, AuditRecord};
use super::{Result, Store, codec};
use crate::domain::note::HandoffNote;
use crate::domain::{DisciplineKey, SlackUserId, SprintIndex};

const COLUMNS: &str = "sprint_index, discipline, slack_id, text, created_at, updated_at";

impl Store {
    /// Keeps `text` as the note for `sprint` and `discipline` by `author`, replacing any note
    /// there was; returns the one it replaced.
    pub fn save_handoff_note(
        &self,
        sprint: SprintIndex,
        discipline: &DisciplineKey,
        author: &SlackUserId,
        text: &str,
        now: Timestamp,
    ) -> Result<Option<HandoffNote>> {
        self.write(|tx| {
            let before = note_of(tx, sprint, discipline)?;
            tx.execute(
                "INSERT INTO handoff_notes (sprint_index, discipline, slack_id, text, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (sprint_index, discipline)
                 DO UPDATE SET slack_id = excluded.slack_id, text = excluded.text,
                               updated_at = excluded.updated_at",
                params![
                    sprint.get(),
                    discipline.as_str(),
                    author.as_str(),
                    text,
                    now.as_second()
                ],
            )?;
            let record = AuditRecord {
                actor: author.as_str(),
                action: "handoff_note.save",
                entity: "handoff_note",
                entity_id: format!("{sprint}:{discipline}"),
                before: before.as_ref().map(|n| json!({ "text": n.text })),
                after: Some(json!({ "text": text })),
                reason: None,
            };
            audit::append(tx, &record, now)?;
            Ok(before)
        })
    }

    /// The note left for the handoff after `sprint` in `discipline`, if any.
    pub fn handoff_note(
        &self,
        sprint: SprintIndex,
        discipline: &DisciplineKey,
    ) -> Result<Option<HandoffNote>> {
        self.read(|conn| note_of(conn, sprint, discipline))
    }

    /// The notes of `sprint` (of every sprint when `None`), by sprint, then by the disciplines'
    /// display order.
    pub fn handoff_notes(&self, sprint: Option<SprintIndex>) -> Result<Vec<HandoffNote>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {} FROM handoff_notes n
                 LEFT JOIN disciplines d ON d.key = n.discipline
                 WHERE ?1 IS NULL OR n.sprint_index = ?1
                 ORDER BY n.sprint_index, d.position, n.discipline",
                prefixed()
            ))?;
            let rows = statement.query_map([sprint.map(SprintIndex::get)], note_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}

fn prefixed() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("n.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn note_of(
    conn: &Connection,
    sprint: SprintIndex,
    discipline: &DisciplineKey,
) -> Result<Option<HandoffNote>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM handoff_notes WHERE sprint_index = ?1 AND discipline = ?2"
        ))?
        .query_row(params![sprint.get(), discipline.as_str()], note_from_row)
        .optional()?)
}

fn note_from_row(row: &Row) -> rusqlite::Result<HandoffNote> {
    Ok(HandoffNote {
        sprint: codec::index(row, "sprint_index")?,
        discipline: codec::key(row, "discipline")?,
        author: codec::user(row, "slack_id")?,
        text: row.get("text")?,
        created_at: codec::timestamp(row, "created_at")?,
        updated_at: codec::timestamp(row, "updated_at")?,
    })
}
