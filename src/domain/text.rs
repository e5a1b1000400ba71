//! Rules for the text people type: names (of people, disciplines and sprints, and the pattern
//! sprints are named by) and free-text reasons.
//!
//! A name is one line of visible text, so a name holding a control character (a tab, a line
//! feed, an escape), a line or paragraph separator, or a bidirectional control (which can make
//! the text around it read in another order than it is written) is refused with a typed error
//! that names the character. A reason is free text: it keeps its line breaks and tabs and loses
//! every other control character. This module knows nothing of Slack's escaping: that is
//! `slack::text`'s, which also removes bidirectional controls from anything posted.

use std::fmt;

/// The longest name, in characters.
pub const NAME_LIMIT: usize = 80;

/// What a name names, as an error message says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A person's display name in a rotation.
    Member,
    /// A discipline's display name.
    Discipline,
    /// A sprint's name.
    Sprint,
    /// The pattern generated sprints are named by (`Sprint {n}`).
    NamePattern,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::Member => "a member's name",
            NameKind::Discipline => "a discipline name",
            NameKind::Sprint => "a sprint name",
            NameKind::NamePattern => "a name pattern",
        })
    }
}

/// A name that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty (or only spaces) or longer than [`NAME_LIMIT`] characters.
    #[error("{0} must be 1 to {NAME_LIMIT} characters")]
    Length(NameKind),
    /// The name holds a control character, a line or paragraph separator, or a bidirectional
    /// control.
    #[error("{kind} cannot contain control characters (found {})", describe(*found))]
    Control { kind: NameKind, found: char },
}

/// Checks a name of `kind` as typed (before its ends are trimmed): 1 to [`NAME_LIMIT`]
/// characters, not only spaces, and no character that [`is_forbidden_in_name`].
pub fn check_name(kind: NameKind, text: &str) -> Result<(), NameError> {
    if let Some(found) = text.chars().find(|c| is_forbidden_in_name(*c)) {
        return Err(NameError::Control { kind, found });
    }
    if text.trim().is_empty() || text.chars().count() > NAME_LIMIT {
        return Err(NameError::Length(kind));
    }
    Ok(())
}

/// Whether `c` may not appear in a name: a control character (Unicode category Cc), the line or
/// paragraph separator, or a bidirectional control.
pub fn is_forbidden_in_name(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c)
}

/// Whether `c` is a bidirectional control: the embeddings and overrides (U+202A–U+202E), the
/// isolates (U+2066–U+2069), and the implicit marks (U+200E, U+200F, U+061C).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// A reason as it is kept: line breaks (a line or paragraph separator becomes a line feed, a
/// carriage return goes) and tabs stay, every other control character and every bidirectional
/// control is removed, and the ends are trimmed. `None` when nothing is left.
pub fn clean_reason(text: &str) -> Option<String> {
    let cleaned: String = text
        .chars()
        .filter_map(|c| match c {
            '\n' | '\t' => Some(c),
            '\u{2028}' | '\u{2029}' => Some('\n'),
            c if is_forbidden_in_name(c) => None,
            c => Some(c),
        })
        .collect();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// `U+0009 tab`, `U+202E right-to-left override`: a character no one can see, by code point
/// and name.
fn describe(c: char) -> String {
    let name = match c {
        '\0' => "null",
        '\u{7}' => "bell",
        '\u{8}' => "backspace",
        '\t' => "tab",
        '\n' => "line feed",
        '\u{B}' => "vertical tab",
        '\u{C}' => "form feed",
        '\r' => "carriage return",
        '\u{1B}' => "escape",
        '\u{7F}' => "delete",
        '\u{85}' => "next line",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{061C}' => "arabic letter mark",
        _ if is_bidi_control(c) => "bidirectional control",
        _ => "control character",
    };
    format!("U+{:04X} {name}", u32::from(c))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every bidirectional control, as the issue lists them.
    pub(crate) const BIDI_CONTROLS: [char; 12] = [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
    ];

    #[track_caller]
    fn check(kind: NameKind, text: &str, expected: &str) {
        let actual = match check_name(kind, text) {
            Ok(()) => "ok".to_string(),
            Err(error) => error.to_string(),
        };
        assert_eq!(actual, expected, "{text:?}");
    }

    #[test]
    fn names_are_one_line_of_visible_text() {
        check(NameKind::Member, "Ana Lima", "ok");
        check(NameKind::Member, "  Ana  ", "ok");
        check(NameKind::Sprint, "FY26 Sp21 · ünïcode ✓ عربى", "ok");
        check(NameKind::Discipline, "R&D <ops>", "ok");
        check(
            NameKind::Member,
            "Ana\tLima",
            "a member's name cannot contain control characters (found U+0009 tab)",
        );
        check(
            NameKind::Discipline,
            "UI\nEngineering",
            "a discipline name cannot contain control characters (found U+000A line feed)",
        );
        check(
            NameKind::Sprint,
            "Sprint 8\r",
            "a sprint name cannot contain control characters (found U+000D carriage return)",
        );
        check(
            NameKind::NamePattern,
            "\u{1b}[31mSprint {n}",
            "a name pattern cannot contain control characters (found U+001B escape)",
        );
        check(
            NameKind::Member,
            "Ana\u{2028}",
            "a member's name cannot contain control characters (found U+2028 line separator)",
        );
        check(
            NameKind::Member,
            "\u{1}",
            "a member's name cannot contain control characters (found U+0001 control character)",
        );
        check(
            NameKind::Member,
            "\u{9f}",
            "a member's name cannot contain control characters (found U+009F control character)",
        );
    }

    #[test]
    fn names_with_a_bidirectional_control_are_refused() {
        check(
            NameKind::Member,
            "Ana\u{202E}amiL",
            "a member's name cannot contain control characters (found U+202E right-to-left override)",
        );
        check(
            NameKind::Sprint,
            "\u{2066}Sprint 8\u{2069}",
            "a sprint name cannot contain control characters (found U+2066 left-to-right isolate)",
        );
        for c in BIDI_CONTROLS {
            let error = check_name(NameKind::Member, &format!("Ana{c}")).unwrap_err();
            assert_eq!(
                error,
                NameError::Control {
                    kind: NameKind::Member,
                    found: c
                }
            );
            assert!(!error.to_string().contains("control character)"), "{error}");
        }
        assert!(
            !is_bidi_control('\u{200D}'),
            "a zero-width joiner is no bidi control"
        );
    }

    #[test]
    fn names_are_1_to_80_characters() {
        check(
            NameKind::Member,
            "",
            "a member's name must be 1 to 80 characters",
        );
        check(
            NameKind::Sprint,
            "   ",
            "a sprint name must be 1 to 80 characters",
        );
        check(NameKind::Sprint, &"é".repeat(80), "ok");
        check(
            NameKind::Discipline,
            &"é".repeat(81),
            "a discipline name must be 1 to 80 characters",
        );
    }

    #[track_caller]
    fn check_reason(text: &str, expected: Option<&str>) {
        assert_eq!(clean_reason(text).as_deref(), expected, "{text:?}");
    }

    #[test]
    fn reasons_keep_line_breaks_and_tabs_and_lose_other_controls() {
        check_reason("dentist", Some("dentist"));
        check_reason(
            "  out sick\n\tback Monday \n",
            Some("out sick\n\tback Monday"),
        );
        check_reason("out\r\nsick", Some("out\nsick"));
        check_reason("out\u{2028}sick", Some("out\nsick"));
        check_reason("\u{1b}[2Jout\u{0}\u{7f}", Some("[2Jout"));
        check_reason("approved by \u{202E}nimda", Some("approved by nimda"));
        check_reason(" \u{202E}\u{200F} ", None);
        check_reason("", None);
        for c in BIDI_CONTROLS {
            check_reason(&format!("a{c}b"), Some("ab"));
        }
    }
}
