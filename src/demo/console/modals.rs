//! The console's modal commands: `fill` an input of the modal open for you, `submit` it,
//! `cancel` it. Slack's client keeps what was filled in until the form is sent, and so does
//! the console; the submission and the closing go through the emulator, as through Slack.

use serde_json::Value;

use super::{Console, NO_MODAL};
use crate::demo::modal::{Answers, Errors, Form};
use crate::demo::render;
use crate::demo::team;
use crate::slack::emulator::InputValue;

impl Console {
    /// The modal on top for you, if one is open.
    pub(super) fn my_modal(&self) -> Option<Form> {
        let workspace = self.emulator.workspace();
        let top = workspace.modals_of(&self.me).last().copied();
        top.map(|view| Form::read(&workspace, view))
    }

    /// Says so and returns true when a modal is open for you: Slack takes nothing else then.
    pub(super) fn behind_modal(&self) -> bool {
        let Some(form) = self.my_modal() else {
            return false;
        };
        self.error(&format!(
            "the modal “{}” is open, and Slack takes nothing else until it closes: \
             `submit` it or `cancel` it",
            form.title
        ));
        true
    }

    /// `fill <field> <value>`: one input of the open modal; `fill` alone shows the modal.
    pub(super) fn fill(&mut self, text: &str) {
        let Some(form) = self.my_modal() else {
            self.error(NO_MODAL);
            return;
        };
        let answers = form.own(self.answers.get(&form.view_id).unwrap_or(&Answers::new()));
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            self.print(&render::modal(&form, &answers, &Errors::new(), &self.me));
            return;
        }
        let filled = form.field_named(&words).and_then(|(field, taken)| {
            let value = field.answer(&words[taken..].join(" "))?;
            Ok((field.clone(), value))
        });
        let (field, value) = match filled {
            Ok(filled) => filled,
            Err(error) => {
                self.error(&error);
                return;
            }
        };
        let shown = match &value {
            InputValue::Text(text) => text.clone(),
            InputValue::Choice(choice) => field.choice_label(choice).unwrap_or_default(),
        };
        self.note(&format!("({}: {shown})", field.label));
        let answers = self.answers.entry(form.view_id).or_default();
        answers.insert(field.block_id, value);
    }

    /// Presses the open modal's submit button: Slack checks that required inputs are filled,
    /// then sends a `view_submission`; the app's ack keeps it open with errors or closes it.
    pub(super) async fn submit(&mut self) {
        let Some(form) = self.my_modal() else {
            self.error(NO_MODAL);
            return;
        };
        let Some(button) = form.submit.clone() else {
            self.error(&format!(
                "“{}” has no submit button; `cancel` closes it",
                form.title
            ));
            return;
        };
        let answers = form.own(self.answers.get(&form.view_id).unwrap_or(&Answers::new()));
        let missing = form.missing(&answers);
        if !missing.is_empty() {
            self.note("(Slack does not send a form while a required field is empty)");
            self.print(&render::modal(&form, &answers, &missing, &self.me));
            return;
        }
        self.note(&format!("(pressing [{button}] in “{}”)", form.title));
        let sent = match self
            .emulator
            .submit_modal(&self.me, &form.view_id, &answers)
        {
            Ok(sent) => sent,
            Err(code) => {
                self.error(&format!("Slack did not send the form ({code})"));
                return;
            }
        };
        self.settle(Some(&sent.envelope_id)).await;
        match self.emulator.ack_of(&sent.envelope_id) {
            None => self.error(
                "the bot did not answer (no ack); Slack shows an error in the form and keeps it open",
            ),
            Some(ack) => {
                let errors = errors_in(ack.payload.as_ref());
                if !errors.is_empty() {
                    self.print(&render::modal(&form, &answers, &errors, &self.me));
                }
            }
        }
        self.after_modal(&form);
    }

    /// Presses the open modal's close button.
    pub(super) async fn cancel(&mut self) {
        let Some(form) = self.my_modal() else {
            self.error(NO_MODAL);
            return;
        };
        self.note(&format!("(pressing [{}] in “{}”)", form.close, form.title));
        match self.emulator.close_modal(&self.me, &form.view_id) {
            Ok(closed) => {
                if let Some(closed) = closed {
                    self.settle(Some(&closed.envelope_id)).await;
                }
                self.after_modal(&form);
            }
            Err(code) => self.error(&format!("Slack did not close the modal ({code})")),
        }
    }

    /// Says whether `form` closed, forgets its answers if so, and prints what else changed.
    fn after_modal(&mut self, form: &Form) {
        let workspace = self.emulator.workspace();
        if workspace.views.iter().all(|view| view.id != form.view_id) {
            self.answers.remove(&form.view_id);
            let place = self.style.paint("36", &format!("[modal “{}”]", form.title));
            self.say(&format!("{place} closed"));
        }
        self.print_changes(team::TRIAGE_CHANNEL);
    }
}

/// The errors of a `response_action: errors` ack, by block id.
fn errors_in(ack: Option<&Value>) -> Errors {
    let Some(ack) = ack.filter(|ack| ack["response_action"] == "errors") else {
        return Errors::new();
    };
    let errors = ack["errors"].as_object().into_iter().flatten();
    errors
        .map(|(block, text)| (block.clone(), text.as_str().unwrap_or_default().to_string()))
        .collect()
}
