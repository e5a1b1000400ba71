//! Validated identifiers: Slack user ids, discipline keys and sprint indexes.
//!
//! Every constructor checks its input, so a value of one of these types is always well formed.
//! This module knows nothing of SQLite or Slack's wire format.

use std::fmt;
use std::str::FromStr;

/// An identifier that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The text is not a Slack user id such as `U024BE7LH`.
    #[error("`{0}` is not a Slack user id (expected something like U024BE7LH)")]
    SlackUserId(String),
    /// The text is not a usable discipline key.
    #[error(
        "`{0}` is not a valid discipline key (1-32 letters, digits, `-` or `_`, starting with a letter)"
    )]
    DisciplineKey(String),
    /// The number is not a usable sprint index.
    #[error("`{0}` is not a valid sprint index (expected a whole number from 0)")]
    SprintIndex(String),
}

/// A Slack user id (`U…` or `W…`), always upper-case letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlackUserId(String);

impl SlackUserId {
    /// Accepts `U123ABC`, `W123ABC`, and the escaped mention forms `<@U123ABC>` and
    /// `<@U123ABC|name>` that Slack puts in slash-command text.
    pub fn parse(text: &str) -> Result<SlackUserId, IdError> {
        let trimmed = text.trim();
        let bare = trimmed
            .strip_prefix("<@")
            .and_then(|rest| rest.strip_suffix('>'))
            .map(|inner| inner.split('|').next().unwrap_or(inner))
            .unwrap_or(trimmed);
        let well_formed = (2..=32).contains(&bare.len())
            && bare.starts_with(['U', 'W'])
            && bare
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if well_formed {
            Ok(SlackUserId(bare.to_string()))
        } else {
            Err(IdError::SlackUserId(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SlackUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SlackUserId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SlackUserId::parse(s)
    }
}

/// The short key of a discipline (`ui`, `backend`, `uiEng`). Case is kept as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DisciplineKey(String);

impl DisciplineKey {
    pub fn parse(text: &str) -> Result<DisciplineKey, IdError> {
        let well_formed = (1..=32).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_alphabetic())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if well_formed {
            Ok(DisciplineKey(text.to_string()))
        } else {
            Err(IdError::DisciplineKey(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisciplineKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DisciplineKey {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DisciplineKey::parse(s)
    }
}

/// The index of a sprint: its place in the team's sequence of sprints, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SprintIndex(i64);

impl SprintIndex {
    /// The largest index accepted; far beyond any real team, small enough to never overflow.
    pub const MAX: i64 = 1_000_000_000;

    pub fn new(index: i64) -> Result<SprintIndex, IdError> {
        if (0..=SprintIndex::MAX).contains(&index) {
            Ok(SprintIndex(index))
        } else {
            Err(IdError::SprintIndex(index.to_string()))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }

    pub fn next(self) -> SprintIndex {
        SprintIndex(self.0 + 1)
    }
}

impl fmt::Display for SprintIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for SprintIndex {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let number = s
            .trim()
            .parse::<i64>()
            .map_err(|_| IdError::SprintIndex(s.to_string()))?;
        SprintIndex::new(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_user(input: &str, expected: Option<&str>) {
        let parsed = SlackUserId::parse(input).ok();
        assert_eq!(parsed.as_ref().map(SlackUserId::as_str), expected);
    }

    #[test]
    fn slack_user_ids() {
        check_user("U024BE7LH", Some("U024BE7LH"));
        check_user("W0123", Some("W0123"));
        check_user("<@U024BE7LH>", Some("U024BE7LH"));
        check_user("<@U024BE7LH|maria>", Some("U024BE7LH"));
        check_user(" U1 ", Some("U1"));
        check_user("u024be7lh", None);
        check_user("C024BE7LH", None);
        check_user("U", None);
        check_user("", None);
        check_user("<@>", None);
        check_user("U12-3", None);
    }

    #[track_caller]
    fn check_key(input: &str, ok: bool) {
        assert_eq!(DisciplineKey::parse(input).is_ok(), ok, "{input:?}");
    }

    #[test]
    fn discipline_keys() {
        check_key("ui", true);
        check_key("uiEng", true);
        check_key("back-end_2", true);
        check_key("", false);
        check_key("2ui", false);
        check_key("ui eng", false);
        check_key(&"a".repeat(33), false);
    }

    #[test]
    fn sprint_indexes() {
        assert_eq!("12".parse::<SprintIndex>().map(SprintIndex::get), Ok(12));
        assert!("-1".parse::<SprintIndex>().is_err());
        assert!("x".parse::<SprintIndex>().is_err());
        assert!(SprintIndex::new(SprintIndex::MAX + 1).is_err());
    }
}
