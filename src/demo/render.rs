//! What Slack would show, as plain text: Block Kit and mrkdwn rendered readably, and the
//! changes between two snapshots of the emulator's workspace (new and edited messages,
//! ephemeral replies, modals, topics, user groups), each labelled with where it appeared.
//!
//! Pure functions over Slack's JSON and the workspace; printing belongs to the console.

use serde_json::Value;

use super::modal::{Answers, Errors, Form};
use crate::slack::emulator::Workspace;
use crate::slack::emulator::workspace::SLACKBOT;

/// A button shown in a message, to be pressed with `click`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub action_id: String,
    pub value: String,
    /// The text the button stands beside (its section, or the block above a row of buttons).
    pub context: String,
}

/// One thing that appeared in Slack.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// Where it appeared, e.g. `#triage`, `DM → Maria Lopez`, `only you`.
    pub place: String,
    /// The rendered text, one or more lines.
    pub body: String,
    pub buttons: Vec<Button>,
    /// The channel it is in, for the clicks on its buttons.
    pub channel: String,
    /// The posted message it is (channel and ts), so an edit replaces its buttons.
    pub message: Option<(String, String)>,
    /// The only person who sees it (a DM, an ephemeral reply); `None` for a channel.
    pub visible_to: Option<String>,
}

/// Terminal colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub colour: bool,
}

impl Style {
    /// `text` in the ANSI style `code` (`1` bold, `36` cyan…) on a terminal; as is otherwise.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// `*bold*` spans in bold on a terminal, without the asterisks otherwise.
    pub fn emphasis(&self, line: &str) -> String {
        let parts: Vec<&str> = line.split('*').collect();
        if parts.len() < 3 || parts.len() % 2 == 0 {
            return line.to_string();
        }
        let pieces = parts.iter().enumerate().map(|(i, part)| {
            if i % 2 == 1 {
                self.paint("1", part)
            } else {
                part.to_string()
            }
        });
        pieces.collect()
    }
}

/// Renders a message body (`text` and `blocks`) the way Slack shows it.
pub fn message(workspace: &Workspace, text: &str, blocks: Option<&Value>) -> String {
    match blocks.and_then(Value::as_array).filter(|b| !b.is_empty()) {
        Some(blocks) => blocks
            .iter()
            .filter_map(|block| render_block(workspace, block))
            .collect::<Vec<_>>()
            .join("\n"),
        None => mrkdwn(workspace, text),
    }
}

/// Every button in `blocks`, in order.
pub fn buttons(workspace: &Workspace, blocks: Option<&Value>) -> Vec<Button> {
    let mut found = Vec::new();
    let mut context = String::new();
    for block in blocks.and_then(Value::as_array).into_iter().flatten() {
        if let Some(text) = block["text"]["text"].as_str() {
            context = mrkdwn(workspace, text);
        }
        let elements = block["elements"].as_array().into_iter().flatten();
        for element in elements.chain(std::iter::once(&block["accessory"])) {
            if element["type"] == "button" {
                found.push(Button {
                    label: element["text"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    action_id: element["action_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    value: element["value"].as_str().unwrap_or_default().to_string(),
                    context: context.clone(),
                });
            }
        }
    }
    found
}

fn render_block(workspace: &Workspace, block: &Value) -> Option<String> {
    let text = |value: &Value| mrkdwn(workspace, value["text"].as_str().unwrap_or_default());
    let rendered = match block["type"].as_str().unwrap_or_default() {
        "header" => format!("*{}*", text(&block["text"])),
        "section" => {
            let mut lines = vec![text(&block["text"])];
            let fields = block["fields"].as_array().into_iter().flatten();
            // Slack shows fields in two columns; a field's lines read well joined by a colon.
            lines.extend(fields.map(|field| format!("• {}", text(field).replace('\n', ": "))));
            if block["accessory"]["type"] == "button" {
                lines.push(button_row(std::slice::from_ref(&block["accessory"])));
            }
            lines.retain(|line| !line.is_empty());
            lines.join("\n")
        }
        "context" => {
            let elements = block["elements"].as_array().into_iter().flatten();
            let parts: Vec<String> = elements.map(text).filter(|t| !t.is_empty()).collect();
            parts.join(" · ")
        }
        "actions" => button_row(block["elements"].as_array().map_or(&[][..], Vec::as_slice)),
        "divider" => "───".to_string(),
        _ => return None,
    };
    Some(rendered)
}

fn button_row(elements: &[Value]) -> String {
    let labels: Vec<String> = elements
        .iter()
        .filter(|element| element["type"] == "button")
        .map(|element| format!("[{}]", element["text"]["text"].as_str().unwrap_or("?")))
        .collect();
    labels.join(" ")
}

/// Slack's mrkdwn made readable: mentions become names, links their labels, entities
/// characters; `*bold*` stays as it is (the console may colour it).
pub fn mrkdwn(workspace: &Workspace, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        out.push_str(&reference(workspace, &rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    emoji(&out)
}

/// The inside of a `<…>` reference: a user, a channel, a group, a special mention or a link.
fn reference(workspace: &Workspace, inner: &str) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((target, label)) => (target, Some(label)),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        return format!("@{}", person(workspace, id));
    }
    if let Some(id) = target.strip_prefix('#') {
        return format!("#{}", channel_name(workspace, id));
    }
    if let Some(id) = target.strip_prefix("!subteam^") {
        let handle = workspace.usergroup(id).map(|g| g.handle.clone());
        return format!("@{}", handle.unwrap_or_else(|| id.to_string()));
    }
    if let Some(special) = target.strip_prefix('!') {
        return format!("@{special}");
    }
    label.unwrap_or(target).to_string()
}

fn emoji(text: &str) -> String {
    [
        (":white_check_mark:", "✅"),
        (":x:", "❌"),
        (":warning:", "⚠️"),
        (":wave:", "👋"),
        (":calendar:", "📅"),
        (":bell:", "🔔"),
    ]
    .iter()
    .fold(text.to_string(), |text, (code, symbol)| {
        text.replace(code, symbol)
    })
}

/// A person's real name (the bot's display name), or the id when the workspace does not
/// know them.
pub fn person(workspace: &Workspace, id: &str) -> String {
    if id == workspace.bot_user_id {
        return workspace.bot_name.clone();
    }
    if id == SLACKBOT {
        return "Slackbot".to_string();
    }
    workspace
        .user(id)
        .map_or_else(|| id.to_string(), |user| user.real_name.clone())
}

fn channel_name(workspace: &Workspace, id: &str) -> String {
    workspace
        .channel(id)
        .map_or_else(|| id.to_string(), |channel| channel.name.clone())
}

/// Where a message in `channel` appears: `#name`, or `DM → Name` for a direct message.
fn place_of(workspace: &Workspace, channel: &str) -> (String, Option<String>) {
    match workspace.channel(channel) {
        Some(found) => match &found.dm_with {
            Some(user) => (
                format!("DM → {}", person(workspace, user)),
                Some(user.clone()),
            ),
            None => (format!("#{}", found.name), None),
        },
        None => (channel.to_string(), None),
    }
}

/// Everything that appeared between `before` and `after`, as `me` would see it labelled.
/// `channel` is where `me` acted (for replies to `response_url`s).
pub fn changes(before: &Workspace, after: &Workspace, me: &str, channel: &str) -> Vec<Shown> {
    let mut shown = Vec::new();
    for post in after
        .response_posts
        .iter()
        .skip(before.response_posts.len())
    {
        shown.extend(response_post(after, &post.body, me, channel));
    }
    for ephemeral in after.ephemerals.iter().skip(before.ephemerals.len()) {
        let mut place = if ephemeral.user == me {
            "only you".to_string()
        } else {
            format!("only {}", person(after, &ephemeral.user))
        };
        if let Some(author) = &ephemeral.author {
            place.push_str(&format!(", from {}", person(after, author)));
        }
        let blocks = ephemeral.blocks.as_ref();
        shown.push(Shown {
            place,
            body: message(after, &ephemeral.text, blocks),
            buttons: buttons(after, blocks),
            channel: ephemeral.channel.clone(),
            message: None,
            visible_to: Some(ephemeral.user.clone()),
        });
    }
    shown.extend(modals(before, after, me));
    shown.extend(messages(before, after));
    shown.extend(topics(before, after));
    shown.extend(usergroups(before, after));
    shown
}

/// A reply to an interaction's `response_url`: ephemeral unless it says otherwise.
fn response_post(workspace: &Workspace, body: &Value, me: &str, channel: &str) -> Option<Shown> {
    if body["delete_original"] == true {
        return None;
    }
    let text = body["text"].as_str().unwrap_or_default();
    let in_channel = body["response_type"] == "in_channel";
    let place = match (in_channel, body["replace_original"] == true) {
        (true, _) => format!("#{}", channel_name(workspace, channel)),
        (false, true) => "only you, replacing the message".to_string(),
        (false, false) => "only you".to_string(),
    };
    Some(Shown {
        place,
        body: message(workspace, text, body.get("blocks")),
        buttons: buttons(workspace, body.get("blocks")),
        channel: channel.to_string(),
        message: None,
        visible_to: (!in_channel).then(|| me.to_string()),
    })
}

/// Modals opened for `me` (or changed by the app) since `before`.
fn modals(before: &Workspace, after: &Workspace, me: &str) -> Vec<Shown> {
    let mut shown = Vec::new();
    for view in after.modals_of(me) {
        let earlier = before.views.iter().find(|old| old.id == view.id);
        if earlier.is_some_and(|old| old.view == view.view) {
            continue;
        }
        let form = Form::read(after, view);
        shown.push(modal(&form, &Answers::new(), &Errors::new(), me));
    }
    shown
}

/// A modal for `me`, filled in with `answers`, with `errors` under their inputs.
pub fn modal(form: &Form, answers: &Answers, errors: &Errors, me: &str) -> Shown {
    Shown {
        place: format!("modal “{}”", form.title),
        body: form.lines(answers, errors),
        buttons: Vec::new(),
        channel: String::new(),
        message: None,
        visible_to: Some(me.to_string()),
    }
}

fn messages(before: &Workspace, after: &Workspace) -> Vec<Shown> {
    let mut shown = Vec::new();
    for posted in &after.messages {
        let earlier = before
            .messages
            .iter()
            .find(|old| old.channel == posted.channel && old.ts == posted.ts);
        let edited = match earlier {
            None => false,
            Some(old) if old.edits < posted.edits => true,
            Some(_) => continue,
        };
        let (mut place, visible_to) = place_of(after, &posted.channel);
        if posted.thread_ts.is_some() {
            place.push_str(", in a thread");
        }
        if edited {
            place.push_str(", edited");
        }
        let blocks = posted.blocks.as_ref();
        let mut body = message(after, &posted.text, blocks);
        if let Some(author) = &posted.author {
            body = format!("{}: {body}", person(after, author));
        }
        shown.push(Shown {
            place,
            body,
            buttons: buttons(after, blocks),
            channel: posted.channel.clone(),
            message: Some((posted.channel.clone(), posted.ts.clone())),
            visible_to,
        });
    }
    shown
}

fn topics(before: &Workspace, after: &Workspace) -> Vec<Shown> {
    let changed = after.channels.iter().filter(|channel| {
        let old = before.channel(&channel.id).map(|c| c.topic.as_str());
        channel.dm_with.is_none() && old.unwrap_or_default() != channel.topic
    });
    changed.map(|channel| topic(after, &channel.id)).collect()
}

/// A channel's topic as shown by `state` and after a change.
pub fn topic(workspace: &Workspace, channel: &str) -> Shown {
    let text = workspace.channel(channel).map_or("", |c| c.topic.as_str());
    Shown {
        place: format!("topic #{}", channel_name(workspace, channel)),
        body: if text.is_empty() {
            "(none)".to_string()
        } else {
            mrkdwn(workspace, text)
        },
        buttons: Vec::new(),
        channel: channel.to_string(),
        message: None,
        visible_to: None,
    }
}

fn usergroups(before: &Workspace, after: &Workspace) -> Vec<Shown> {
    let changed = after.usergroups.iter().filter(|group| {
        before
            .usergroup(&group.id)
            .is_none_or(|old| old.users != group.users)
    });
    changed.map(|group| usergroup(after, &group.id)).collect()
}

/// A user group's members as shown by `state` and after a change.
pub fn usergroup(workspace: &Workspace, id: &str) -> Shown {
    let group = workspace.usergroup(id);
    let names: Vec<String> = group
        .map(|g| g.users.iter().map(|u| person(workspace, u)).collect())
        .unwrap_or_default();
    Shown {
        place: format!("group @{}", group.map_or(id, |g| g.handle.as_str())),
        body: if names.is_empty() {
            "(nobody)".to_string()
        } else {
            names.join(", ")
        },
        buttons: Vec::new(),
        channel: String::new(),
        message: None,
        visible_to: None,
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(text: &str, blocks: Option<Value>, expected: Expect) {
        let mut workspace = Workspace::seeded();
        workspace.channels[0].name = "triage".into();
        expected.assert_eq(&message(&workspace, text, blocks.as_ref()));
    }

    #[test]
    fn mentions_channels_groups_and_links_become_names() {
        check(
            "<@U0ALICE> and <@U0BOB|bob> in <#C0TRIAGE>, <!subteam^S0ONCALL>, <https://x.test|docs> &amp; <@U9NOBODY>",
            None,
            expect!["@Alice Adams and @Bob Brown in #triage, @triage-oncall, docs & @U9NOBODY"],
        );
        check(
            ":white_check_mark: done <unclosed",
            None,
            expect!["✅ done <unclosed"],
        );
    }

    #[test]
    fn blocks_become_lines_with_buttons_in_brackets() {
        let blocks = json!([
            {"type": "header", "text": {"type": "plain_text", "text": "Coverage"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Request #1* by <@U0ALICE>"},
             "accessory": {"type": "button", "text": {"text": "Open"}, "action_id": "open", "value": "1"}},
            {"type": "divider"},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "a"}, {"type": "mrkdwn", "text": "b"}]},
            {"type": "actions", "elements": [
                {"type": "button", "text": {"text": "Approve"}, "action_id": "approve_override", "value": "1"},
                {"type": "button", "text": {"text": "Decline"}, "action_id": "decline_override", "value": "1"}]},
            {"type": "image"}
        ]);
        check(
            "fallback",
            Some(blocks.clone()),
            expect![[r#"
                *Coverage*
                *Request #1* by @Alice Adams
                [Open]
                ───
                a · b
                [Approve] [Decline]"#]],
        );
        let found: Vec<String> = buttons(&Workspace::seeded(), Some(&blocks))
            .iter()
            .map(|b| format!("{} {}:{} ({})", b.label, b.action_id, b.value, b.context))
            .collect();
        assert_eq!(
            found,
            [
                "Open open:1 (*Request #1* by @Alice Adams)",
                "Approve approve_override:1 (*Request #1* by @Alice Adams)",
                "Decline decline_override:1 (*Request #1* by @Alice Adams)"
            ]
        );
    }

    #[test]
    fn bold_spans_lose_their_asterisks_without_colour() {
        let plain = Style { colour: false };
        assert_eq!(
            plain.emphasis("*Sprint 4* (sprint 3)"),
            "Sprint 4 (sprint 3)"
        );
        assert_eq!(plain.emphasis("a * b"), "a * b");
        assert_eq!(plain.emphasis("no stars"), "no stars");
    }
}
