//! Wording for handoff notes outside the handoff itself: the replies to `/triage note` and the
//! App Home section listing the notes handed over for the sprint in force. The handoff's own
//! post and DM are `slack::notices`'.

use serde_json::Value;

use super::blocks::{Message, section};
use super::notices::quoted;
use super::text::escape;
use crate::domain::Sprint;
use crate::domain::note::HandoffNote;

/// The reply when a note was kept.
pub fn saved(discipline: &str, sprint: &Sprint, replaced: bool) -> Message {
    let replaced = if replaced {
        " It replaces your earlier one."
    } else {
        ""
    };
    Message::text(format!(
        "Your handoff note for {} ({}) is saved: whoever takes over gets it at the handoff.{replaced}",
        escape(discipline),
        escape(&sprint.name)
    ))
}

/// The person's notes for `sprint`, each with its discipline's name.
pub fn shown(sprint: &Sprint, notes: &[(String, HandoffNote)]) -> Message {
    if notes.is_empty() {
        return Message::text(format!(
            "You have left no handoff note in {} yet. Leave one with `/triage note &lt;text&gt;`.",
            escape(&sprint.name)
        ));
    }
    let parts: Vec<String> = notes
        .iter()
        .map(|(discipline, note)| {
            format!(
                "Your handoff note for {}:\n{}",
                escape(discipline),
                quoted(&note.text)
            )
        })
        .collect();
    Message::text(parts.join("\n"))
}

/// Home with the notes handed over at the start of the sprint in force, each with its
/// discipline's name, under the status (before the first divider).
pub fn with_home_notes(mut home: Value, notes: &[(String, HandoffNote)]) -> Value {
    if notes.is_empty() {
        return home;
    }
    let mut added = vec![section("*Handoff notes for this sprint*")];
    added.extend(notes.iter().map(|(discipline, note)| {
        section(&format!(
            "{} from <@{}>:\n{}",
            escape(discipline),
            note.author,
            quoted(&note.text)
        ))
    }));
    if let Some(all) = home["blocks"].as_array_mut() {
        let at = all
            .iter()
            .position(|b| b["type"] == "divider")
            .unwrap_or(all.len());
        all.splice(at..at, added);
    }
    home
}
