//! A modal as the console shows and fills it: its inputs read out of the view's Block Kit, the
//! answers given so far, the lines Slack would show (with errors under their inputs), and which
//! input and which choice a few typed words name.
//!
//! Pure functions over the view and the workspace; submitting and closing go through the
//! emulator, from the console.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::render;
use crate::slack::emulator::workspace::View;
use crate::slack::emulator::{InputValue, Workspace};

/// Answers by block id.
pub type Answers = BTreeMap<String, InputValue>;

/// Errors by block id, shown under their inputs.
pub type Errors = BTreeMap<String, String>;

/// What Slack says under a required input left empty (it does not send the form).
pub const REQUIRED: &str = "Please complete this required field.";

/// A modal read for the console.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub view_id: String,
    pub title: String,
    /// The submit button's label; a modal without one cannot be submitted.
    pub submit: Option<String>,
    pub close: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Input(Field),
    /// Any other block, rendered as in a message.
    Text(String),
}

/// One input of the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub block_id: String,
    pub label: String,
    pub optional: bool,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Text {
        initial: Option<String>,
    },
    Choice {
        choices: Vec<Choice>,
        initial: Option<String>,
    },
    /// A date picker: a day typed as `YYYY-MM-DD`.
    Date {
        initial: Option<String>,
    },
    /// An element the console cannot fill (a multi-select…).
    Other,
}

#[derive(Debug, Clone, PartialEq)]
struct Choice {
    /// The option group's label, if the options are grouped.
    group: Option<String>,
    label: String,
    value: String,
}

impl Form {
    /// The modal `view` as its inputs and other blocks.
    pub fn read(workspace: &Workspace, view: &View) -> Form {
        let text = |value: &Value| value["text"].as_str().map(str::to_string);
        let blocks = view.view["blocks"].as_array().into_iter().flatten();
        let parts = blocks.filter_map(|block| match block["type"].as_str() {
            Some("input") => Some(Part::Input(field(workspace, block))),
            _ => {
                let text = render::message(workspace, "", Some(&json!([block])));
                (!text.is_empty()).then_some(Part::Text(text))
            }
        });
        Form {
            view_id: view.id.clone(),
            title: text(&view.view["title"]).unwrap_or_else(|| "Modal".to_string()),
            submit: text(&view.view["submit"]),
            close: text(&view.view["close"]).unwrap_or_else(|| "Cancel".to_string()),
            parts: parts.collect(),
        }
    }

    fn fields(&self) -> impl Iterator<Item = &Field> {
        self.parts.iter().filter_map(|part| match part {
            Part::Input(field) => Some(field),
            Part::Text(_) => None,
        })
    }

    /// The form as Slack shows it with `answers` filled in and `errors` under their inputs,
    /// then its buttons and how to fill it in.
    pub fn lines(&self, answers: &Answers, errors: &Errors) -> String {
        let mut lines = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => lines.push(text.clone()),
                Part::Input(field) => {
                    lines.push(field.line(answers.get(&field.block_id)));
                    if let Some(error) = errors.get(&field.block_id) {
                        lines.push(format!("  ⚠️ {error}"));
                    }
                }
            }
        }
        let mut buttons = format!("[{}]", self.close);
        if let Some(submit) = &self.submit {
            buttons.push_str(&format!(" [{submit}]"));
        }
        lines.push(buttons);
        lines.push(
            "(fill it in with `fill <field> <words of a choice, or your text>`, then `submit`; \
             `cancel` closes it)"
                .to_string(),
        );
        lines.join("\n")
    }

    /// The required inputs that `answers` and the initial values leave empty.
    pub fn missing(&self, answers: &Answers) -> Errors {
        let empty = |field: &&Field| {
            !field.optional && !answers.contains_key(&field.block_id) && field.initial().is_none()
        };
        let missing = self.fields().filter(empty);
        missing
            .map(|field| (field.block_id.clone(), REQUIRED.to_string()))
            .collect()
    }

    /// The answers that belong to inputs of this form (a form the app replaced may have others).
    pub fn own(&self, answers: &Answers) -> Answers {
        let mine = |(id, _): &(&String, &InputValue)| self.fields().any(|f| f.block_id == **id);
        answers
            .iter()
            .filter(mine)
            .map(|(id, value)| (id.clone(), value.clone()))
            .collect()
    }

    /// The input the first of `words` name (by its label's first words, or its block id), and
    /// how many words that took: the longest run that names one wins.
    pub fn field_named(&self, words: &[&str]) -> Result<(&Field, usize), String> {
        for taken in (1..=words.len()).rev() {
            let name = words[..taken].join(" ").to_lowercase();
            let named: Vec<&Field> = self
                .fields()
                .filter(|f| f.label.to_lowercase().starts_with(&name) || f.block_id == name)
                .collect();
            match named.as_slice() {
                [] => continue,
                [field] => return Ok((field, taken)),
                several => {
                    let labels: Vec<&str> = several.iter().map(|f| f.label.as_str()).collect();
                    return Err(format!(
                        "`{name}` could be {}; type more of the field's name",
                        labels.join(" or ")
                    ));
                }
            }
        }
        let labels: Vec<String> = self.fields().map(|f| f.label.to_lowercase()).collect();
        Err(format!(
            "“{}” has no field `{}`; its fields: {}",
            self.title,
            words.first().unwrap_or(&""),
            labels.join(", ")
        ))
    }
}

impl Field {
    fn initial(&self) -> Option<&str> {
        match &self.kind {
            Kind::Text { initial } | Kind::Choice { initial, .. } | Kind::Date { initial } => {
                initial.as_deref()
            }
            Kind::Other => None,
        }
    }

    /// `Label: value`, or the choices when nothing is chosen.
    fn line(&self, answer: Option<&InputValue>) -> String {
        let label = if self.optional {
            format!("{} (optional)", self.label)
        } else {
            self.label.clone()
        };
        let value = match answer {
            Some(InputValue::Text(text)) => Some(text.clone()),
            Some(InputValue::Choice(value)) => self.choice_label(value),
            None => match &self.kind {
                Kind::Text { initial } | Kind::Date { initial } => initial.clone(),
                Kind::Choice { initial, .. } => {
                    initial.as_deref().and_then(|v| self.choice_label(v))
                }
                Kind::Other => Some("(the console cannot fill this in)".to_string()),
            },
        };
        match (value, &self.kind) {
            (Some(value), _) => format!("{label}: {value}"),
            (None, Kind::Choice { choices, .. }) => format!("{label}: ({})", listed(choices)),
            (None, _) => format!("{label}: ____"),
        }
    }

    /// The chosen option's label, with its group when the options are grouped.
    pub fn choice_label(&self, value: &str) -> Option<String> {
        let Kind::Choice { choices, .. } = &self.kind else {
            return None;
        };
        let choice = choices.iter().find(|choice| choice.value == value)?;
        Some(choice.shown())
    }

    /// What `text` answers: the text itself for a text input, or the one choice its words
    /// name (whole numbers, words or their beginnings, in order).
    pub fn answer(&self, text: &str) -> Result<InputValue, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("fill {} with what?", self.label));
        }
        let choices = match &self.kind {
            Kind::Text { .. } => return Ok(InputValue::Text(text.to_string())),
            Kind::Date { .. } => {
                return match text.parse::<jiff::civil::Date>() {
                    Ok(day) if text.len() == 10 => Ok(InputValue::Text(day.to_string())),
                    _ => Err(format!(
                        "{} takes a day as YYYY-MM-DD, not `{text}`",
                        self.label
                    )),
                };
            }
            Kind::Other => return Err(format!("the console cannot fill in {}", self.label)),
            Kind::Choice { choices, .. } => choices,
        };
        let exact = choices.iter().find(|c| c.label.eq_ignore_ascii_case(text));
        let typed = words(text);
        let matching: Vec<&Choice> = match exact {
            Some(choice) => vec![choice],
            None => choices
                .iter()
                .filter(|choice| choice.is_named_by(&typed))
                .collect(),
        };
        match matching.as_slice() {
            [choice] => Ok(InputValue::Choice(choice.value.clone())),
            [] => Err(format!(
                "no choice of {} matches `{text}`; the choices: {}",
                self.label,
                listed(choices)
            )),
            several => Err(format!(
                "`{text}` matches {} choices of {}: {}; add words to pick one",
                several.len(),
                self.label,
                several
                    .iter()
                    .map(|c| c.shown())
                    .collect::<Vec<_>>()
                    .join(" | ")
            )),
        }
    }
}

impl Choice {
    /// Its label, with its group's when the options are grouped.
    fn shown(&self) -> String {
        match &self.group {
            Some(group) => format!("{} ({group})", self.label),
            None => self.label.clone(),
        }
    }

    /// Whether `typed` names this choice: a run of words of its label, or of its group's
    /// label, or one of each (`maria ui`).
    fn is_named_by(&self, typed: &[String]) -> bool {
        let label = words(&self.label);
        let group = words(self.group.as_deref().unwrap_or_default());
        let split = |k: usize| {
            let (first, second) = typed.split_at(k);
            (names(first, &label) && names(second, &group))
                || (names(first, &group) && names(second, &label))
        };
        names(typed, &label) || names(typed, &group) || (1..typed.len()).any(split)
    }
}

fn field(workspace: &Workspace, block: &Value) -> Field {
    let element = &block["element"];
    let label_of =
        |value: &Value| render::mrkdwn(workspace, value["text"].as_str().unwrap_or_default());
    let kind = match element["type"].as_str().unwrap_or_default() {
        "plain_text_input" | "email_text_input" | "url_text_input" | "number_input" => Kind::Text {
            initial: element["initial_value"].as_str().map(str::to_string),
        },
        "static_select" | "external_select" | "radio_buttons" => {
            let mut choices = Vec::new();
            for option in element["options"].as_array().into_iter().flatten() {
                choices.push(choice(None, option, label_of(&option["text"])));
            }
            for group in element["option_groups"].as_array().into_iter().flatten() {
                let name = label_of(&group["label"]);
                for option in group["options"].as_array().into_iter().flatten() {
                    choices.push(choice(
                        Some(name.clone()),
                        option,
                        label_of(&option["text"]),
                    ));
                }
            }
            let initial = element["initial_option"]["value"]
                .as_str()
                .map(str::to_string);
            Kind::Choice { choices, initial }
        }
        "datepicker" => Kind::Date {
            initial: element["initial_date"].as_str().map(str::to_string),
        },
        _ => Kind::Other,
    };
    Field {
        block_id: block["block_id"].as_str().unwrap_or_default().to_string(),
        label: label_of(&block["label"]),
        optional: block["optional"] == true,
        kind,
    }
}

fn choice(group: Option<String>, option: &Value, label: String) -> Choice {
    Choice {
        group,
        label,
        value: option["value"].as_str().unwrap_or_default().to_string(),
    }
}

/// `a | b | c`, or `Group: a | b; Other: c` when grouped.
fn listed(choices: &[Choice]) -> String {
    let mut out = String::new();
    let mut group: Option<&str> = None;
    for (index, choice) in choices.iter().enumerate() {
        let starts_group = index == 0 || choice.group.as_deref() != group;
        if index > 0 {
            out.push_str(if starts_group { "; " } else { " | " });
        }
        if let Some(name) = choice.group.as_deref().filter(|_| starts_group) {
            out.push_str(&format!("{name}: "));
        }
        group = choice.group.as_deref();
        out.push_str(&choice.label);
    }
    out
}

/// Lowercase words and numbers.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `typed` appears in `label` as a run of consecutive words: numbers whole, other
/// words whole or by their beginning.
fn names(typed: &[String], label: &[String]) -> bool {
    let fits = |typed: &String, word: &String| {
        if typed.chars().all(|c| c.is_ascii_digit()) {
            typed == word
        } else {
            word.starts_with(typed.as_str())
        }
    };
    !typed.is_empty()
        && label
            .windows(typed.len())
            .any(|run| run.iter().zip(typed).all(|(word, t)| fits(t, word)))
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn form() -> Form {
        let option = |text: &str, value: &str| json!({"text": {"type": "plain_text", "text": text}, "value": value});
        let view = json!({
            "type": "modal", "title": {"type": "plain_text", "text": "Request coverage"},
            "submit": {"type": "plain_text", "text": "Send request"},
            "blocks": [
                {"type": "input", "block_id": "shift", "label": {"type": "plain_text", "text": "Shift"},
                 "element": {"type": "static_select", "action_id": "shift", "options": [
                     option("UI · Sprint 4 · Mar 9 to Mar 22 (now)", "3:ui"),
                     option("UI · Sprint 8 · May 4 to May 17", "7:ui"),
                     option("UI · Sprint 14 · Jul 27 to Aug 9", "13:ui")]}},
                {"type": "input", "block_id": "who", "label": {"type": "plain_text", "text": "Who covers it"},
                 "element": {"type": "static_select", "action_id": "who", "option_groups": [
                     {"label": {"type": "plain_text", "text": "UI"}, "options": [option("Kevin Wu", "ui:U0KEVIN"), option("Maria Lopez", "ui:U0MARIA")]},
                     {"label": {"type": "plain_text", "text": "Account"}, "options": [option("Maria Lopez", "account:U0MARIA")]}]}},
                {"type": "input", "block_id": "reason", "optional": true, "label": {"type": "plain_text", "text": "Reason"},
                 "element": {"type": "plain_text_input", "action_id": "reason"}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "An admin decides."}]}
            ]
        });
        let view = View {
            id: "V1".into(),
            hash: "h".into(),
            home_of: None,
            modal_of: Some("U0JONAS".into()),
            view,
        };
        Form::read(&Workspace::seeded(), &view)
    }

    #[track_caller]
    fn check(input: &str, expected: Expect) {
        let form = form();
        let words: Vec<&str> = input.split_whitespace().collect();
        let outcome = form.field_named(&words).and_then(|(field, taken)| {
            let answer = field.answer(&words[taken..].join(" "))?;
            Ok(match answer {
                InputValue::Text(text) => format!("{}: text {text:?}", field.block_id),
                InputValue::Choice(value) => format!("{}: {value}", field.block_id),
            })
        });
        expected.assert_eq(&outcome.unwrap_or_else(|error| format!("error: {error}")));
    }

    #[test]
    fn words_name_a_field_and_a_choice() {
        check("shift sprint 8", expect!["shift: 7:ui"]);
        check("shift now", expect!["shift: 3:ui"]);
        check(
            "Shift Sprint 1",
            expect![[
                r#"error: no choice of Shift matches `Sprint 1`; the choices: UI · Sprint 4 · Mar 9 to Mar 22 (now) | UI · Sprint 8 · May 4 to May 17 | UI · Sprint 14 · Jul 27 to Aug 9"#
            ]],
        );
        check(
            "shift 4",
            expect![[
                r#"error: `4` matches 2 choices of Shift: UI · Sprint 4 · Mar 9 to Mar 22 (now) | UI · Sprint 8 · May 4 to May 17; add words to pick one"#
            ]],
        );
        check("who kev", expect!["who: ui:U0KEVIN"]);
        check("who covers it maria ui", expect!["who: ui:U0MARIA"]);
        check("w maria account", expect!["who: account:U0MARIA"]);
        check("who account", expect!["who: account:U0MARIA"]);
        check(
            "who ui",
            expect![[
                r#"error: `ui` matches 2 choices of Who covers it: Kevin Wu (UI) | Maria Lopez (UI); add words to pick one"#
            ]],
        );
        check(
            "who maria",
            expect![[
                r#"error: `maria` matches 2 choices of Who covers it: Maria Lopez (UI) | Maria Lopez (Account); add words to pick one"#
            ]],
        );
        check(
            "reason Dentist, 9:00",
            expect![[r#"reason: text "Dentist, 9:00""#]],
        );
        check("reason", expect!["error: fill Reason with what?"]);
        check(
            "date tomorrow",
            expect![[
                r#"error: “Request coverage” has no field `date`; its fields: shift, who covers it, reason"#
            ]],
        );
    }

    #[test]
    fn the_form_shows_choices_answers_and_errors() {
        let form = form();
        let answers = Answers::from([(
            "who".to_string(),
            InputValue::Choice("account:U0MARIA".into()),
        )]);
        expect![[r#"
            Shift: (UI · Sprint 4 · Mar 9 to Mar 22 (now) | UI · Sprint 8 · May 4 to May 17 | UI · Sprint 14 · Jul 27 to Aug 9)
              ⚠️ Please complete this required field.
            Who covers it: Maria Lopez (Account)
            Reason (optional): ____
            An admin decides.
            [Cancel] [Send request]
            (fill it in with `fill <field> <words of a choice, or your text>`, then `submit`; `cancel` closes it)"#]]
        .assert_eq(&form.lines(&answers, &form.missing(&answers)));
        expect![[r#"
            Shift: (UI · Sprint 4 · Mar 9 to Mar 22 (now) | UI · Sprint 8 · May 4 to May 17 | UI · Sprint 14 · Jul 27 to Aug 9)
            Who covers it: (UI: Kevin Wu | Maria Lopez; Account: Maria Lopez)
            Reason (optional): ____
            An admin decides.
            [Cancel] [Send request]
            (fill it in with `fill <field> <words of a choice, or your text>`, then `submit`; `cancel` closes it)"#]]
        .assert_eq(&form.lines(&Answers::new(), &Errors::new()));
    }
}
