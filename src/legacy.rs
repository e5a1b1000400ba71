//! The old Node.js bot's JSON files (`sprints.json`, `disciplines.json`, `overrides.json`,
//! `currentState.json`): read from one directory and checked into a plain [`ImportBatch`] for
//! the store to write.
//!
//! Exact duplicates are merged and counted; entries that contradict each other are collected
//! and reported together. A name the bot would refuse (empty, too long, or holding a control
//! character) is an invalid entry, as a bad date or Slack id is. This module knows the old files' shapes and nothing of SQLite: it
//! writes nothing and reads no clock.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};

use crate::domain::{
    DisciplineKey, NameKind, OverrideStatus, SlackUserId, Sprint, SprintIndex, check_name,
};
use crate::store::{
    ImportBatch, ImportCurrentState, ImportDiscipline, ImportMember, ImportOverride, ImportState,
    NewOverride,
};

pub const SPRINTS_FILE: &str = "sprints.json";
pub const DISCIPLINES_FILE: &str = "disciplines.json";
pub const OVERRIDES_FILE: &str = "overrides.json";
pub const STATE_FILE: &str = "currentState.json";

/// The old bot's disciplines in its fixed display order, with their labels.
const KNOWN_DISCIPLINES: [(&str, &str); 5] = [
    ("account", "Account"),
    ("producer", "Producer"),
    ("po", "Product Owner"),
    ("uiEng", "UI Engineering"),
    ("beEng", "Backend Engineering"),
];

/// Why the legacy files cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    /// The given path does not exist.
    #[error("{0} does not exist")]
    Missing(String),
    /// The given path exists but is not a directory.
    #[error("{0} is not a directory")]
    NotADirectory(String),
    /// The directory holds none of the legacy files.
    #[error(
        "{0} holds none of the legacy files ({SPRINTS_FILE}, {DISCIPLINES_FILE}, \
         {OVERRIDES_FILE}, {STATE_FILE}), nothing was imported"
    )]
    NothingToImport(String),
    /// A file exists but cannot be read.
    #[error("cannot read {file}: {source}")]
    Read {
        file: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A file is not JSON, or not JSON of the expected shape.
    #[error("{file}: {reason}")]
    Malformed { file: &'static str, reason: String },
    /// One entry holds a value that is not valid (a Slack id, a date, a key, …).
    #[error("{file}: {entry}: {problem}")]
    Entry {
        file: &'static str,
        entry: String,
        problem: String,
    },
    /// Entries contradict each other; every contradiction is listed.
    #[error(
        "the legacy files contradict themselves, nothing was imported:{}",
        bullets(.0)
    )]
    Conflicts(Vec<String>),
}

impl LegacyError {
    /// Whether the error lies in the files' content (exit status 2) rather than the system.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, LegacyError::Read { .. })
    }
}

fn bullets(items: &[String]) -> String {
    items.iter().map(|item| format!("\n  - {item}")).collect()
}

type Result<T, E = LegacyError> = std::result::Result<T, E>;

/// The files' text; `None` for a file that is absent.
#[derive(Debug, Clone, Default)]
pub struct LegacyFiles {
    pub sprints: Option<String>,
    pub disciplines: Option<String>,
    pub overrides: Option<String>,
    pub current_state: Option<String>,
}

/// How many entries were folded into another one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Merged {
    pub members: usize,
    pub sprints: usize,
    pub overrides: usize,
}

/// The checked content of a legacy directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Legacy {
    pub batch: ImportBatch,
    pub merged: Merged,
}

/// Reads and checks the files in `dir`. Any of them may be absent, but not all.
pub fn load(dir: &Path) -> Result<Legacy> {
    parse(&read_dir(dir)?)
}

/// The legacy files' text in `dir`: an error when `dir` is missing, is not a directory, or holds
/// none of them.
pub fn read_dir(dir: &Path) -> Result<LegacyFiles> {
    let shown = || dir.display().to_string();
    match std::fs::metadata(dir) {
        Ok(found) if found.is_dir() => {}
        Ok(_) => return Err(LegacyError::NotADirectory(shown())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(LegacyError::Missing(shown()));
        }
        Err(source) => {
            return Err(LegacyError::Read {
                file: "the directory",
                source,
            });
        }
    }
    let read = |file: &'static str| match std::fs::read_to_string(dir.join(file)) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(LegacyError::Read { file, source }),
    };
    let files = LegacyFiles {
        sprints: read(SPRINTS_FILE)?,
        disciplines: read(DISCIPLINES_FILE)?,
        overrides: read(OVERRIDES_FILE)?,
        current_state: read(STATE_FILE)?,
    };
    if files.is_empty() {
        return Err(LegacyError::NothingToImport(shown()));
    }
    Ok(files)
}

impl LegacyFiles {
    /// Whether every file is absent.
    pub fn is_empty(&self) -> bool {
        self.sprints.is_none()
            && self.disciplines.is_none()
            && self.overrides.is_none()
            && self.current_state.is_none()
    }
}

/// Checks the files' text. Contradictions from all files are reported together.
pub fn parse(files: &LegacyFiles) -> Result<Legacy> {
    let mut conflicts = Vec::new();
    let mut legacy = Legacy::default();
    if let Some(text) = &files.disciplines {
        let (disciplines, merged) = parse_disciplines(text, &mut conflicts)?;
        legacy.batch.disciplines = disciplines;
        legacy.merged.members = merged;
    }
    if let Some(text) = &files.sprints {
        let (sprints, merged) = parse_sprints(text, &mut conflicts)?;
        legacy.batch.sprints = sprints;
        legacy.merged.sprints = merged;
    }
    if let Some(text) = &files.overrides {
        let (overrides, merged) = parse_overrides(text)?;
        legacy.batch.overrides = overrides;
        legacy.merged.overrides = merged;
    }
    if let Some(text) = &files.current_state {
        legacy.batch.current_state = Some(parse_current_state(text)?);
    }
    if conflicts.is_empty() {
        Ok(legacy)
    } else {
        Err(LegacyError::Conflicts(conflicts))
    }
}

fn from_json<T: DeserializeOwned>(file: &'static str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|error| {
        let reason = match error.classify() {
            serde_json::error::Category::Data => format!("unexpected content: {error}"),
            _ => format!("not valid JSON: {error}"),
        };
        LegacyError::Malformed { file, reason }
    })
}

fn entry_error(file: &'static str, entry: &str, problem: impl fmt::Display) -> LegacyError {
    LegacyError::Entry {
        file,
        entry: entry.to_string(),
        problem: problem.to_string(),
    }
}

fn slack_id(file: &'static str, entry: &str, field: &str, text: &str) -> Result<SlackUserId> {
    SlackUserId::parse(text).map_err(|error| entry_error(file, entry, format!("{field}: {error}")))
}

// ---- sprints.json ----

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSprint {
    sprint_name: String,
    start_date: String,
    end_date: String,
    #[serde(default)]
    sprint_index: Option<i64>,
}

fn parse_sprints(text: &str, conflicts: &mut Vec<String>) -> Result<(Vec<Sprint>, usize)> {
    let raw: Vec<RawSprint> = from_json(SPRINTS_FILE, text)?;
    let mut by_index: BTreeMap<SprintIndex, Sprint> = BTreeMap::new();
    let mut merged = 0;
    for (position, entry) in raw.into_iter().enumerate() {
        let sprint = sprint_from(position, entry)?;
        match by_index.get(&sprint.index) {
            None => {
                by_index.insert(sprint.index, sprint);
            }
            Some(first) if *first == sprint => merged += 1,
            Some(first) => conflicts.push(format!(
                "{SPRINTS_FILE}: sprint {} is listed as {} and as {}",
                sprint.index,
                describe_sprint(first),
                describe_sprint(&sprint)
            )),
        }
    }
    Ok((by_index.into_values().collect(), merged))
}

fn sprint_from(position: usize, raw: RawSprint) -> Result<Sprint> {
    let entry = format!("entry {} ({:?})", position + 1, raw.sprint_name);
    let index = raw.sprint_index.unwrap_or(position as i64);
    let index = SprintIndex::new(index)
        .map_err(|error| entry_error(SPRINTS_FILE, &entry, format!("sprintIndex: {error}")))?;
    check_name(NameKind::Sprint, &raw.sprint_name)
        .map_err(|error| entry_error(SPRINTS_FILE, &entry, format!("sprintName: {error}")))?;
    Ok(Sprint {
        index,
        name: raw.sprint_name,
        start: date(&entry, "startDate", &raw.start_date)?,
        end: date(&entry, "endDate", &raw.end_date)?,
    })
}

fn date(entry: &str, field: &str, text: &str) -> Result<Date> {
    let strict = text.len() == 10;
    match text.parse::<Date>() {
        Ok(day) if strict => Ok(day),
        _ => Err(entry_error(
            SPRINTS_FILE,
            entry,
            format!("{field} `{text}` is not a date (expected YYYY-MM-DD)"),
        )),
    }
}

fn describe_sprint(sprint: &Sprint) -> String {
    format!("{:?} {} to {}", sprint.name, sprint.start, sprint.end)
}

// ---- disciplines.json ----

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMember {
    name: String,
    slack_id: String,
    #[serde(default)]
    active: Option<bool>,
}

/// The disciplines object with its keys in file order (a JSON object's order is the rotation's
/// display order for unknown keys, and serde_json's map would sort it).
struct OrderedDisciplines(Vec<(String, Vec<RawMember>)>);

impl<'de> Deserialize<'de> for OrderedDisciplines {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = OrderedDisciplines;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object mapping discipline keys to lists of members")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(OrderedDisciplines(entries))
            }
        }
        deserializer.deserialize_map(OrderedVisitor)
    }
}

fn parse_disciplines(
    text: &str,
    conflicts: &mut Vec<String>,
) -> Result<(Vec<ImportDiscipline>, usize)> {
    let OrderedDisciplines(raw) = from_json(DISCIPLINES_FILE, text)?;
    let mut disciplines: Vec<ImportDiscipline> = Vec::new();
    let mut merged = 0;
    for (key_text, members) in raw {
        let key = DisciplineKey::parse(&key_text)
            .map_err(|error| entry_error(DISCIPLINES_FILE, &format!("key {key_text:?}"), error))?;
        let position = match disciplines.iter().position(|d| d.key == key) {
            Some(position) => position,
            None => {
                disciplines.push(ImportDiscipline {
                    name: discipline_name(&key),
                    key,
                    members: Vec::new(),
                });
                disciplines.len() - 1
            }
        };
        let discipline = &mut disciplines[position];
        for (index, raw) in members.into_iter().enumerate() {
            merged += add_member(discipline, index, raw, conflicts)?;
        }
    }
    disciplines.sort_by_key(|d| display_rank(&d.key));
    Ok((disciplines, merged))
}

/// Adds one listed member; returns 1 when it repeats an earlier entry exactly.
fn add_member(
    discipline: &mut ImportDiscipline,
    index: usize,
    raw: RawMember,
    conflicts: &mut Vec<String>,
) -> Result<usize> {
    let entry = format!("{} entry {} ({:?})", discipline.key, index + 1, raw.name);
    check_name(NameKind::Member, &raw.name)
        .map_err(|error| entry_error(DISCIPLINES_FILE, &entry, format!("name: {error}")))?;
    let member = ImportMember {
        slack_id: slack_id(DISCIPLINES_FILE, &entry, "slackId", &raw.slack_id)?,
        name: raw.name,
        active: raw.active.unwrap_or(true),
    };
    match discipline
        .members
        .iter()
        .find(|m| m.slack_id == member.slack_id)
    {
        None => discipline.members.push(member),
        Some(first) if *first == member => return Ok(1),
        Some(first) => conflicts.push(format!(
            "{DISCIPLINES_FILE}: {} is listed twice in {}, as {} and as {}",
            member.slack_id,
            discipline.key,
            describe_member(first),
            describe_member(&member)
        )),
    }
    Ok(0)
}

fn describe_member(member: &ImportMember) -> String {
    let state = if member.active { "active" } else { "inactive" };
    format!("{:?} ({state})", member.name)
}

fn discipline_name(key: &DisciplineKey) -> String {
    KNOWN_DISCIPLINES
        .iter()
        .find(|(known, _)| *known == key.as_str())
        .map_or_else(|| key.to_string(), |(_, name)| name.to_string())
}

/// Known keys in the old bot's order first; the others keep their file order (stable sort).
fn display_rank(key: &DisciplineKey) -> usize {
    KNOWN_DISCIPLINES
        .iter()
        .position(|(known, _)| *known == key.as_str())
        .unwrap_or(KNOWN_DISCIPLINES.len())
}

// ---- overrides.json ----

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOverride {
    sprint_index: i64,
    role: String,
    new_slack_id: String,
    #[serde(default)]
    new_name: Option<String>,
    requested_by: String,
    approved: bool,
    timestamp: String,
    #[serde(default)]
    approved_by: Option<String>,
    #[serde(default)]
    approval_timestamp: Option<String>,
}

/// One request (slot, requester, replacement), however many entries describe it.
struct Request {
    /// The first entry that describes it, as `entry 3 (sprint 4, uiEng)`.
    entry: String,
    new: NewOverride,
    approved: bool,
    /// The newest entry's time.
    timestamp: Timestamp,
    approved_by: Option<String>,
}

/// Exact duplicates, and repeated entries for the same request, fold into one override. Per
/// slot, the newest approved request stays approved and older approved ones are superseded.
fn parse_overrides(text: &str) -> Result<(Vec<ImportOverride>, usize)> {
    let raw: Vec<RawOverride> = from_json(OVERRIDES_FILE, text)?;
    let total = raw.len();
    let mut requests: Vec<Request> = Vec::new();
    for (position, entry) in raw.into_iter().enumerate() {
        let request = request_from(position, entry)?;
        match requests.iter_mut().find(|r| r.new == request.new) {
            Some(same) => fold_request(same, request),
            None => requests.push(request),
        }
    }
    let merged = total - requests.len();
    let statuses: Vec<OverrideStatus> = requests
        .iter()
        .map(|request| status_of(request, &requests))
        .collect();
    let overrides = requests
        .into_iter()
        .zip(statuses)
        .map(|(request, status)| ImportOverride {
            entry: format!("{OVERRIDES_FILE}: {}", request.entry),
            request: request.new,
            status,
            decided_by: request.approved_by,
        })
        .collect();
    Ok((overrides, merged))
}

fn request_from(position: usize, raw: RawOverride) -> Result<Request> {
    let entry = format!(
        "entry {} (sprint {}, {})",
        position + 1,
        raw.sprint_index,
        raw.role
    );
    let problem = |problem: String| entry_error(OVERRIDES_FILE, &entry, problem);
    let sprint = SprintIndex::new(raw.sprint_index)
        .map_err(|error| problem(format!("sprintIndex: {error}")))?;
    let discipline =
        DisciplineKey::parse(&raw.role).map_err(|error| problem(format!("role: {error}")))?;
    let replacement = slack_id(OVERRIDES_FILE, &entry, "newSlackId", &raw.new_slack_id)?;
    let requested_by = slack_id(OVERRIDES_FILE, &entry, "requestedBy", &raw.requested_by)?;
    let timestamp = instant(&raw.timestamp).map_err(|e| problem(format!("timestamp: {e}")))?;
    if let Some(text) = &raw.approval_timestamp {
        instant(text).map_err(|e| problem(format!("approvalTimestamp: {e}")))?;
    }
    Ok(Request {
        entry,
        new: NewOverride {
            sprint,
            discipline,
            original: None,
            replacement,
            requested_by,
            reason: None,
        },
        approved: raw.approved,
        timestamp,
        approved_by: raw.approved_by.filter(|_| raw.approved),
    })
}

fn instant(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>()
        .map_err(|_| format!("`{text}` is not an ISO-8601 time with a zone (Z or an offset)"))
}

fn fold_request(kept: &mut Request, later: Request) {
    if later.approved && (!kept.approved || later.timestamp >= kept.timestamp) {
        kept.approved_by = later.approved_by;
    }
    kept.approved |= later.approved;
    kept.timestamp = kept.timestamp.max(later.timestamp);
}

fn status_of(request: &Request, all: &[Request]) -> OverrideStatus {
    if !request.approved {
        return OverrideStatus::Pending;
    }
    let same_slot = |other: &&Request| {
        other.approved
            && other.new.sprint == request.new.sprint
            && other.new.discipline == request.new.discipline
    };
    // Ties go to the entry that comes later in the file.
    let newest = all
        .iter()
        .filter(same_slot)
        .max_by_key(|other| other.timestamp);
    if newest.is_some_and(|newest| std::ptr::eq(newest, request)) {
        OverrideStatus::Approved
    } else {
        OverrideStatus::Superseded
    }
}

// ---- currentState.json ----

fn parse_current_state(text: &str) -> Result<ImportCurrentState> {
    let raw: BTreeMap<String, serde_json::Value> = from_json(STATE_FILE, text)?;
    let sprint = match raw.get("sprintIndex") {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => Some(
            value
                .as_i64()
                .and_then(|n| SprintIndex::new(n).ok())
                .ok_or_else(|| {
                    entry_error(
                        STATE_FILE,
                        "sprintIndex",
                        format!("`{value}` is not a sprint index"),
                    )
                })?,
        ),
    };
    let mut states = Vec::new();
    for (key_text, value) in raw.iter().filter(|(key, _)| *key != "sprintIndex") {
        let entry = format!("key {key_text:?}");
        let discipline = DisciplineKey::parse(key_text)
            .map_err(|error| entry_error(STATE_FILE, &entry, error))?;
        let slack_id = match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(text) => Some(slack_id(STATE_FILE, &entry, "value", text)?),
            other => {
                return Err(entry_error(
                    STATE_FILE,
                    &entry,
                    format!("`{other}` is neither a Slack user id nor null"),
                ));
            }
        };
        states.push(ImportState {
            discipline,
            slack_id,
        });
    }
    states.sort_by_key(|state| display_rank(&state.discipline));
    Ok(ImportCurrentState {
        sprint,
        on_duty: states,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(role: &str, new: &str, by: &str, approved: bool, at: &str) -> String {
        format!(
            r#"{{"sprintIndex": 4, "role": "{role}", "newSlackId": "{new}", "newName": "x",
                "requestedBy": "{by}", "approved": {approved}, "timestamp": "{at}"}}"#
        )
    }

    /// Parses overrides.json entries; expects `discipline replacement status` lines and the
    /// number of entries merged.
    #[track_caller]
    fn check_overrides(entries: &[String], expected: &[&str], expected_merged: usize) {
        let text = format!("[{}]", entries.join(","));
        let (overrides, merged) = parse_overrides(&text).unwrap();
        let actual: Vec<String> = overrides
            .iter()
            .map(|o| {
                let r = &o.request;
                format!("{} {} {}", r.discipline, r.replacement, o.status)
            })
            .collect();
        assert_eq!(
            (actual, merged),
            (
                expected.iter().map(|s| s.to_string()).collect(),
                expected_merged
            )
        );
    }

    #[test]
    fn the_newest_approved_override_of_a_slot_wins() {
        check_overrides(
            &[
                entry("ui", "U2", "U1", true, "2026-01-12T17:00:00Z"),
                entry("ui", "U3", "U1", true, "2026-01-12T09:30:00-08:00"),
                entry("ui", "U4", "U1", true, "2026-01-11T00:00:00Z"),
                entry("be", "U5", "U1", true, "2026-01-01T00:00:00Z"),
            ],
            &[
                "ui U2 superseded",
                "ui U3 approved",
                "ui U4 superseded",
                "be U5 approved",
            ],
            0,
        );
    }

    #[test]
    fn pending_overrides_stay_pending_and_repeats_fold() {
        let pending = entry("ui", "U2", "U1", false, "2026-01-12T17:00:00Z");
        check_overrides(&[pending.clone(), pending], &["ui U2 pending"], 1);
        check_overrides(
            &[
                entry("ui", "U2", "U1", false, "2026-01-10T17:00:00Z"),
                entry("ui", "U3", "U1", true, "2026-01-11T17:00:00Z"),
                entry("ui", "U2", "U1", true, "2026-01-12T17:00:00Z"),
            ],
            &["ui U2 approved", "ui U3 superseded"],
            1,
        );
    }

    #[track_caller]
    fn check_error(files: LegacyFiles, expected: &str) {
        assert_eq!(parse(&files).unwrap_err().to_string(), expected);
    }

    #[test]
    fn invalid_entries_name_the_file_and_the_entry() {
        check_error(
            LegacyFiles {
                overrides: Some(format!("[{}]", entry("ui", "U2", "U1", true, "yesterday"))),
                ..LegacyFiles::default()
            },
            "overrides.json: entry 1 (sprint 4, ui): timestamp: `yesterday` is not an ISO-8601 \
             time with a zone (Z or an offset)",
        );
        check_error(
            LegacyFiles {
                sprints: Some(
                    r#"[{"sprintName": "A", "startDate": "2026-02-30", "endDate": "2026-03-01"}]"#
                        .to_string(),
                ),
                ..LegacyFiles::default()
            },
            "sprints.json: entry 1 (\"A\"): startDate `2026-02-30` is not a date (expected YYYY-MM-DD)",
        );
        check_error(
            LegacyFiles {
                current_state: Some(r#"{"sprintIndex": -1, "ui": null}"#.to_string()),
                ..LegacyFiles::default()
            },
            "currentState.json: sprintIndex: `-1` is not a sprint index",
        );
        check_error(
            LegacyFiles {
                disciplines: Some(r#"{"ui eng": []}"#.to_string()),
                ..LegacyFiles::default()
            },
            "disciplines.json: key \"ui eng\": `ui eng` is not a valid discipline key (1-32 \
             letters, digits, `-` or `_`, starting with a letter)",
        );
    }

    #[test]
    fn names_with_control_characters_are_invalid_entries() {
        check_error(
            LegacyFiles {
                disciplines: Some(
                    r#"{"ui": [{"name": "Ana\tLima", "slackId": "U1"}]}"#.to_string(),
                ),
                ..LegacyFiles::default()
            },
            "disciplines.json: ui entry 1 (\"Ana\\tLima\"): name: a member's name cannot contain \
             control characters (found U+0009 tab)",
        );
        check_error(
            LegacyFiles {
                sprints: Some(
                    r#"[{"sprintName": "Sp\u202e1", "startDate": "2026-03-02", "endDate": "2026-03-15"}]"#
                        .to_string(),
                ),
                ..LegacyFiles::default()
            },
            "sprints.json: entry 1 (\"Sp\\u{202e}1\"): sprintName: a sprint name cannot contain \
             control characters (found U+202E right-to-left override)",
        );
        check_error(
            LegacyFiles {
                disciplines: Some(r#"{"ui": [{"name": " ", "slackId": "U1"}]}"#.to_string()),
                ..LegacyFiles::default()
            },
            "disciplines.json: ui entry 1 (\" \"): name: a member's name must be 1 to 80 characters",
        );
    }

    #[test]
    fn a_missing_sprint_index_is_the_array_position() {
        let text = r#"[
            {"sprintName": "A", "startDate": "2026-01-01", "endDate": "2026-01-14"},
            {"sprintName": "C", "startDate": "2026-01-29", "endDate": "2026-02-11", "sprintIndex": 7},
            {"sprintName": "B", "startDate": "2026-01-15", "endDate": "2026-01-28"}
        ]"#;
        let (sprints, merged) = parse_sprints(text, &mut Vec::new()).unwrap();
        let indexes: Vec<(i64, &str)> = sprints
            .iter()
            .map(|s| (s.index.get(), s.name.as_str()))
            .collect();
        assert_eq!((indexes, merged), (vec![(0, "A"), (2, "B"), (7, "C")], 0));
    }

    #[test]
    fn current_state_names_its_sprint_and_people_in_display_order() {
        let state = parse_current_state(
            r#"{"beEng": null, "uiEng": "U0UI00003", "sprintIndex": 4, "account": "U0AC00001"}"#,
        )
        .unwrap();
        let people: Vec<String> = state
            .on_duty
            .iter()
            .map(|p| {
                format!(
                    "{} {:?}",
                    p.discipline,
                    p.slack_id.as_ref().map(|u| u.as_str())
                )
            })
            .collect();
        assert_eq!(
            (state.sprint.map(SprintIndex::get), people),
            (
                Some(4),
                vec![
                    "account Some(\"U0AC00001\")".to_string(),
                    "uiEng Some(\"U0UI00003\")".to_string(),
                    "beEng None".to_string(),
                ]
            )
        );
    }

    #[test]
    fn an_override_names_the_first_entry_that_describes_it() {
        let text = format!(
            "[{},{},{}]",
            entry("be", "U5", "U1", true, "2026-01-01T00:00:00Z"),
            entry("ui", "U2", "U1", false, "2026-01-12T17:00:00Z"),
            entry("ui", "U2", "U1", true, "2026-01-13T17:00:00Z"),
        );
        let (overrides, _) = parse_overrides(&text).unwrap();
        let entries: Vec<&str> = overrides.iter().map(|o| o.entry.as_str()).collect();
        assert_eq!(
            entries,
            [
                "overrides.json: entry 1 (sprint 4, be)",
                "overrides.json: entry 2 (sprint 4, ui)"
            ]
        );
    }

    #[track_caller]
    fn check_dir(dir: &Path, expected: &str) {
        let error = read_dir(dir).unwrap_err().to_string();
        let shown = dir.display().to_string();
        assert_eq!(error.replace(&shown, "<dir>"), expected);
    }

    #[test]
    fn a_directory_must_exist_and_hold_at_least_one_legacy_file() {
        let dir = tempfile::tempdir().unwrap();
        check_dir(
            dir.path(),
            "<dir> holds none of the legacy files (sprints.json, disciplines.json, \
             overrides.json, currentState.json), nothing was imported",
        );
        check_dir(&dir.path().join("gone"), "<dir> does not exist");
        std::fs::write(dir.path().join(STATE_FILE), "{}").unwrap();
        check_dir(&dir.path().join(STATE_FILE), "<dir> is not a directory");
        let files = read_dir(dir.path()).unwrap();
        assert_eq!(files.current_state.as_deref(), Some("{}"));
        assert!(files.sprints.is_none());
    }
}
