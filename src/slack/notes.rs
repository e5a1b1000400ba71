//! Wording for handoff notes outside the handoff itself: the replies to `/triage note`, the
//! invitation to leave one on the last working day of a duty (DM and App Home, with the *Leave a
//! handoff note* button), the form it opens, and the App Home section listing the notes handed
//! over for the sprint in force. The handoff's own post and DM are `slack::notices`'.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::blocks::{Message, actions, button, context, section};
use super::notices::{Rendered, names, quoted};
use super::text::escape;
use crate::dates::SlackDates;
use crate::domain::note::{HandoffNote, NOTE_LIMIT};
use crate::domain::{DisciplineKey, Sprint};

/// `action_id` of the *Leave a handoff note* button; its value is the sprint's index.
pub const LEAVE_NOTE: &str = "leave_note";
/// `callback_id` of the handoff-note form; its `private_metadata` is the sprint's index.
pub const NOTE_CALLBACK: &str = "handoff_note";
/// `action_id` of each text input in the form (its block is [`note_block`]).
pub const NOTE_INPUT: &str = "note";

/// The form's input block for `discipline`.
pub fn note_block(discipline: &DisciplineKey) -> String {
    format!("note:{discipline}")
}

/// The DM on the last working day of a duty: it ends at `handoff_at`; leave a note.
pub fn invite(
    disciplines: &[&str],
    sprint: &Sprint,
    handoff_at: Timestamp,
    dates: &SlackDates,
) -> Rendered {
    let text = format!(
        "Your triage duty for {} ends {} ({}). Anything in flight that whoever takes over \
         should know? Leave a handoff note: they get it when they take over.",
        names(disciplines),
        dates.instant(handoff_at),
        escape(&sprint.name),
    );
    let blocks = json!([section(&text), actions(vec![leave_button(sprint, false)]),]);
    Rendered { text, blocks }
}

fn leave_button(sprint: &Sprint, change: bool) -> Value {
    let label = if change {
        "Change your handoff note"
    } else {
        "Leave a handoff note"
    };
    button(
        label,
        LEAVE_NOTE,
        &sprint.index.to_string(),
        Some("primary"),
    )
}

/// One discipline in the form: its key, its name and the note left for it so far.
pub struct NoteField<'a> {
    pub discipline: &'a DisciplineKey,
    pub name: &'a str,
    pub text: Option<&'a str>,
}

/// The form to leave (or change) the handoff notes of `sprint`: one text box per discipline the
/// person is on duty for, holding the note left so far. With several, each may stay empty.
pub fn note_modal(sprint: &Sprint, fields: &[NoteField<'_>]) -> Value {
    let optional = fields.len() > 1;
    let mut blocks = vec![context(&format!(
        "For whoever takes over from you at the end of {}: they get it by DM and in the triage \
         channel at the handoff. You can change it until then.",
        escape(&sprint.name)
    ))];
    for field in fields {
        let mut element = json!({
            "type": "plain_text_input", "action_id": NOTE_INPUT, "multiline": true,
            "max_length": NOTE_LIMIT,
        });
        if let Some(text) = field.text {
            element["initial_value"] = json!(text);
        }
        blocks.push(json!({
            "type": "input", "block_id": note_block(field.discipline), "optional": optional,
            "element": element,
            "label": { "type": "plain_text", "text": format!("Note for {}", field.name) },
        }));
    }
    json!({
        "type": "modal",
        "callback_id": NOTE_CALLBACK,
        "private_metadata": sprint.index.to_string(),
        "title": { "type": "plain_text", "text": "Handoff note" },
        "submit": { "type": "plain_text", "text": "Save" },
        "close": { "type": "plain_text", "text": "Cancel" },
        "blocks": blocks,
    })
}

/// Home, on the last working day of the person's duty: when it ends, the notes left so far, and
/// the button to leave or change them; placed under the status (before the first divider).
pub fn with_leave_note(
    home: Value,
    sprint: &Sprint,
    handoff_at: Timestamp,
    left: &[(String, HandoffNote)],
    dates: &SlackDates,
) -> Value {
    let mut added = vec![section(&format!(
        "*Your duty ends {}.* Leave a handoff note for whoever takes over.",
        dates.instant(handoff_at)
    ))];
    added.extend(left.iter().map(|(discipline, note)| {
        section(&format!(
            "Your note for {}:\n{}",
            escape(discipline),
            quoted(&note.text)
        ))
    }));
    added.push(actions(vec![leave_button(sprint, !left.is_empty())]));
    under_status(home, added)
}

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
pub fn with_home_notes(home: Value, notes: &[(String, HandoffNote)]) -> Value {
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
    under_status(home, added)
}

/// Home with `added` under the status: before the first divider.
fn under_status(mut home: Value, added: Vec<Value>) -> Value {
    if let Some(all) = home["blocks"].as_array_mut() {
        let at = all
            .iter()
            .position(|b| b["type"] == "divider")
            .unwrap_or(all.len());
        all.splice(at..at, added);
    }
    home
}
