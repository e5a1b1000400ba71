//! Handoff notes: what the person on duty hands over to whoever takes over at the next handoff.
//!
//! One note per sprint and discipline, left by the person on duty in it. This module holds the
//! note as plain data and the rule its text must pass; it reads no clock and knows nothing of
//! SQLite or Slack.

use jiff::Timestamp;

use super::model::Assignment;
use super::text::{is_bidi_control, is_forbidden_in_name};
use super::{DisciplineKey, SlackUserId, SprintIndex};

/// The longest note, in characters.
pub const NOTE_LIMIT: usize = 2000;

/// A note left for the handoff after `sprint`, in `discipline`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffNote {
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
    /// Who left it (on duty in `sprint` and `discipline` when they did).
    pub author: SlackUserId,
    pub text: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A note's text that cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Nothing but spaces.
    #[error("a handoff note cannot be empty")]
    Empty,
    /// Longer than [`NOTE_LIMIT`] characters.
    #[error("a handoff note can have at most {NOTE_LIMIT} characters (this one has {0})")]
    TooLong(usize),
    /// A control character other than a line break or a tab, or a bidirectional control.
    #[error("a handoff note cannot contain control characters (found U+{:04X})", *found as u32)]
    Control { found: char },
}

/// The slots of `current` whose person hands them over to someone else (or nobody) in `next`:
/// the duties a handoff note is for.
pub fn handed_over<'a>(current: &'a [Assignment], next: &[Assignment]) -> Vec<&'a Assignment> {
    let taker = |a: &Assignment| {
        next.iter()
            .find(|n| n.discipline == a.discipline)
            .and_then(|n| n.slack_id.as_ref())
    };
    current
        .iter()
        .filter(|a| a.slack_id.is_some() && taker(a) != a.slack_id.as_ref())
        .collect()
}

/// The note as it is kept: the ends trimmed, line breaks and tabs allowed, nothing else that
/// [`is_forbidden_in_name`] (controls, separators, bidirectional controls).
pub fn check_note(text: &str) -> Result<String, NoteError> {
    let found = text
        .chars()
        .find(|c| !matches!(c, '\n' | '\t') && (is_forbidden_in_name(*c) || is_bidi_control(*c)));
    if let Some(found) = found {
        return Err(NoteError::Control { found });
    }
    let trimmed = text.trim();
    let length = trimmed.chars().count();
    match length {
        0 => Err(NoteError::Empty),
        n if n > NOTE_LIMIT => Err(NoteError::TooLong(n)),
        _ => Ok(trimmed.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Expect) {
        let actual = match check_note(text) {
            Ok(kept) => format!("ok {kept:?}"),
            Err(error) => format!("refused: {error}"),
        };
        expected.assert_eq(&actual);
    }

    #[test]
    fn a_note_keeps_its_lines_and_loses_its_outer_spaces() {
        check(
            "  deploy is frozen\n\tsee #ops  ",
            expect![[r#"ok "deploy is frozen\n\tsee #ops""#]],
        );
    }

    #[test]
    fn empty_and_too_long_notes_are_refused() {
        check("   ", expect!["refused: a handoff note cannot be empty"]);
        assert_eq!(
            check_note(&"x".repeat(NOTE_LIMIT)).map(|t| t.len()),
            Ok(NOTE_LIMIT)
        );
        check(
            &"x".repeat(NOTE_LIMIT + 1),
            expect!["refused: a handoff note can have at most 2000 characters (this one has 2001)"],
        );
    }

    #[test]
    fn control_and_bidirectional_characters_are_refused() {
        check(
            "a\u{1b}[31m",
            expect!["refused: a handoff note cannot contain control characters (found U+001B)"],
        );
        check(
            "rollback \u{202E}txt.exe",
            expect!["refused: a handoff note cannot contain control characters (found U+202E)"],
        );
        check(
            "a\r\nb",
            expect!["refused: a handoff note cannot contain control characters (found U+000D)"],
        );
    }
}
