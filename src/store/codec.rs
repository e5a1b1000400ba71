//! Conversions between SQLite values and domain values. A stored value that no longer parses
//! (edited by hand, say) becomes an `Internal` error rather than a panic.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::Row;

use super::error::StoreError;
use crate::domain::impact::UpcomingSprint;
use crate::domain::{
    Discipline, DisciplineKey, Member, Override, OverrideStatus, SlackUserId, Sprint, SprintIndex,
};

/// A stored value that does not parse as its domain type.
#[derive(Debug, thiserror::Error)]
#[error("stored value `{value}` in column {column} is malformed")]
pub struct Malformed {
    column: &'static str,
    value: String,
}

fn malformed(column: &'static str, value: impl Into<String>) -> rusqlite::Error {
    let error = Malformed {
        column,
        value: value.into(),
    };
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
}

pub fn user(row: &Row, column: &'static str) -> rusqlite::Result<SlackUserId> {
    let text: String = row.get(column)?;
    SlackUserId::parse(&text).map_err(|_| malformed(column, text))
}

pub fn opt_user(row: &Row, column: &'static str) -> rusqlite::Result<Option<SlackUserId>> {
    let text: Option<String> = row.get(column)?;
    text.map(|text| SlackUserId::parse(&text).map_err(|_| malformed(column, text)))
        .transpose()
}

pub fn key(row: &Row, column: &'static str) -> rusqlite::Result<DisciplineKey> {
    let text: String = row.get(column)?;
    DisciplineKey::parse(&text).map_err(|_| malformed(column, text))
}

pub fn index(row: &Row, column: &'static str) -> rusqlite::Result<SprintIndex> {
    let number: i64 = row.get(column)?;
    SprintIndex::new(number).map_err(|_| malformed(column, number.to_string()))
}

pub fn date(row: &Row, column: &'static str) -> rusqlite::Result<Date> {
    let text: String = row.get(column)?;
    text.parse().map_err(|_| malformed(column, text))
}

pub fn timestamp(row: &Row, column: &'static str) -> rusqlite::Result<Timestamp> {
    let seconds: i64 = row.get(column)?;
    Timestamp::from_second(seconds).map_err(|_| malformed(column, seconds.to_string()))
}

pub fn opt_timestamp(row: &Row, column: &'static str) -> rusqlite::Result<Option<Timestamp>> {
    let seconds: Option<i64> = row.get(column)?;
    seconds
        .map(|s| Timestamp::from_second(s).map_err(|_| malformed(column, s.to_string())))
        .transpose()
}

pub fn status(row: &Row, column: &'static str) -> rusqlite::Result<OverrideStatus> {
    let text: String = row.get(column)?;
    text.parse().map_err(|_| malformed(column, text))
}

pub const DISCIPLINE_COLUMNS: &str = "key, name, position, fallback_slack_id, usergroup_id";

pub fn discipline(row: &Row) -> rusqlite::Result<Discipline> {
    Ok(Discipline {
        key: key(row, "key")?,
        name: row.get("name")?,
        position: row.get("position")?,
        fallback: opt_user(row, "fallback_slack_id")?,
        usergroup_id: row.get("usergroup_id")?,
    })
}

pub const MEMBER_COLUMNS: &str = "slack_id, discipline, name, rotation_order, active";

pub fn member(row: &Row) -> rusqlite::Result<Member> {
    Ok(Member {
        slack_id: user(row, "slack_id")?,
        discipline: key(row, "discipline")?,
        name: row.get("name")?,
        rotation_order: row.get("rotation_order")?,
        active: row.get("active")?,
    })
}

pub const SPRINT_COLUMNS: &str = "sprint_index, name, start_date, end_date";

pub fn sprint(row: &Row) -> rusqlite::Result<Sprint> {
    Ok(Sprint {
        index: index(row, "sprint_index")?,
        name: row.get("name")?,
        start: date(row, "start_date")?,
        end: date(row, "end_date")?,
    })
}

pub const OVERRIDE_COLUMNS: &str = "id, sprint_index, discipline, original_slack_id, \
     replacement_slack_id, requested_by, status, decided_by, decided_at, reason, created_at, \
     decision_reason, revoked_by, revoked_at, revoke_reason";

pub fn override_row(row: &Row) -> rusqlite::Result<Override> {
    Ok(Override {
        id: row.get("id")?,
        sprint: index(row, "sprint_index")?,
        discipline: key(row, "discipline")?,
        original: opt_user(row, "original_slack_id")?,
        replacement: user(row, "replacement_slack_id")?,
        requested_by: user(row, "requested_by")?,
        status: status(row, "status")?,
        decided_by: row.get("decided_by")?,
        decided_at: opt_timestamp(row, "decided_at")?,
        reason: row.get("reason")?,
        created_at: timestamp(row, "created_at")?,
        decision_reason: row.get("decision_reason")?,
        revoked_by: row.get("revoked_by")?,
        revoked_at: opt_timestamp(row, "revoked_at")?,
        revoke_reason: row.get("revoke_reason")?,
    })
}

impl From<Malformed> for StoreError {
    fn from(error: Malformed) -> StoreError {
        StoreError::Internal(Box::new(error))
    }
}

/// A projection of upcoming duty as stored (`impact_windows.baseline`): a JSON list of sprints,
/// each with its index, name, days and `[discipline, person]` pairs.
pub fn upcoming_json(projection: &[UpcomingSprint]) -> String {
    let list: Vec<serde_json::Value> = projection
        .iter()
        .map(|upcoming| {
            let sprint = &upcoming.sprint;
            let on_duty: Vec<[&str; 2]> = upcoming
                .on_duty
                .iter()
                .map(|(discipline, person)| [discipline.as_str(), person.as_str()])
                .collect();
            serde_json::json!({
                "index": sprint.index.get(),
                "name": sprint.name,
                "start": sprint.start.to_string(),
                "end": sprint.end.to_string(),
                "on_duty": on_duty,
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// The projection stored in `column` by [`upcoming_json`].
pub fn upcoming(row: &Row, column: &'static str) -> rusqlite::Result<Vec<UpcomingSprint>> {
    let text: String = row.get(column)?;
    parse_upcoming(&text).ok_or_else(|| malformed(column, text))
}

fn parse_upcoming(text: &str) -> Option<Vec<UpcomingSprint>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value
        .as_array()?
        .iter()
        .map(|item| {
            let date = |field: &str| item[field].as_str()?.parse::<Date>().ok();
            let sprint = Sprint {
                index: SprintIndex::new(item["index"].as_i64()?).ok()?,
                name: item["name"].as_str()?.to_string(),
                start: date("start")?,
                end: date("end")?,
            };
            let on_duty = item["on_duty"]
                .as_array()?
                .iter()
                .map(|pair| {
                    let discipline = DisciplineKey::parse(pair[0].as_str()?).ok()?;
                    let person = SlackUserId::parse(pair[1].as_str()?).ok()?;
                    Some((discipline, person))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(UpcomingSprint { sprint, on_duty })
        })
        .collect()
}
