//! The demo's console: reads one command a line, acts as a workspace member in the emulator
//! (slash commands, messages, button clicks, filling in and submitting modals), moves the demo
//! clock, and prints what Slack would show.
//!
//! After each command it waits until the bot is quiet (the ack arrived, nothing is due in the
//! outbox, the workspace stopped changing) and prints the difference. It never reaches into
//! the bot: everything goes through the emulator, as it would through Slack.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tokio::sync::Notify;

use super::clock::{self, parse_duration};
use super::modal::Answers;
use super::render::{self, Shown, Style};
use super::team;
use crate::config::Config;
use crate::dates::SlackDates;
use crate::domain::SlackUserId;
use crate::slack::emulator::{Emulator, Workspace};
use crate::store::Store;

mod modals;

/// The bot counts as quiet once nothing changed for this long.
const QUIET: Duration = Duration::from_millis(300);
/// Waiting for quiet gives up after this long (the output is printed anyway).
const PATIENCE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(20);
const NO_MODAL: &str = "no modal is open; `/triage cover` opens the coverage form";

/// How Slack writes a mention: escaped with the name in a command's text, the id alone in a
/// message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Command,
    Message,
}

/// What the loop does after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// The console's state: who you are, what you have seen (for `click`), the last snapshot.
pub struct Console {
    pub emulator: Emulator,
    pub store: Store,
    pub config: Arc<Config>,
    /// Wakes the bot's scheduler after the clock moves.
    pub wake: Arc<Notify>,
    pub style: Style,
    me: String,
    seen: Vec<Shown>,
    /// What was filled into each open modal (by view id), not yet submitted.
    answers: HashMap<String, Answers>,
    snapshot: Workspace,
    output_closed: AtomicBool,
}

impl Console {
    /// A console on `emulator`; create it before the bot starts so its first posts show.
    pub fn new(
        emulator: Emulator,
        store: Store,
        config: Arc<Config>,
        wake: Arc<Notify>,
        style: Style,
    ) -> Console {
        let snapshot = emulator.workspace();
        Console {
            emulator,
            store,
            config,
            wake,
            style,
            me: team::FIRST_USER.to_string(),
            seen: Vec::new(),
            answers: HashMap::new(),
            snapshot,
            output_closed: AtomicBool::new(false),
        }
    }

    /// Runs one console line.
    pub async fn execute(&mut self, line: &str) -> Flow {
        let line = line.trim();
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "" => {}
            _ if word.starts_with('#') => {}
            // With a space after the slash Slack sends a message, not a command.
            "/" => {
                self.post_message(line).await;
                self.hint_at_command(rest);
            }
            _ if word.starts_with('/') => self.slash_command(word, rest).await,
            _ if word.starts_with('@') => self.post_message(line).await,
            "say" => self.post_message(rest).await,
            "fill" => self.fill(rest),
            "submit" => self.submit().await,
            "cancel" | "close" => self.cancel().await,
            "as" => self.switch_user(rest).await,
            "click" => self.click(rest).await,
            "advance" => self.advance(rest).await,
            "state" => self.state(),
            "help" | "?" => self.help(),
            "quit" | "exit" => return Flow::Quit,
            other => self.error(&format!(
                "unknown command `{other}`: type `help` to see what the console understands"
            )),
        }
        Flow::Continue
    }

    /// Waits for the bot to settle and prints what appeared since the last snapshot.
    pub async fn show_changes(&mut self, channel: &str) -> usize {
        self.settle(None).await;
        self.print_changes(channel)
    }

    /// A command typed in #triage: Slack delivers it if the app has it, else Slackbot says
    /// it is not a valid command.
    async fn slash_command(&mut self, command: &str, text: &str) {
        if self.behind_modal() {
            return;
        }
        let text = self.mentions(text, Markup::Command);
        let typed =
            self.emulator
                .type_slash_command(&self.me, team::TRIAGE_CHANNEL, command, &text);
        let Some(sent) = typed else {
            self.print_changes(team::TRIAGE_CHANNEL);
            return;
        };
        self.settle(Some(&sent.envelope_id)).await;
        let ack = self.emulator.ack_of(&sent.envelope_id);
        match ack.and_then(|ack| ack.payload) {
            Some(payload) => self.print_reply(&payload),
            None if self.emulator.ack_of(&sent.envelope_id).is_none() => {
                self.error("the bot did not answer (no ack)");
            }
            None => {}
        }
        self.print_changes(team::TRIAGE_CHANNEL);
    }

    /// A message from you in #triage; a mention of the bot reaches it as an `app_mention`.
    async fn post_message(&mut self, text: &str) {
        if text.trim().is_empty() {
            self.error("say what? e.g. `say @triage who`");
            return;
        }
        if self.behind_modal() {
            return;
        }
        let text = self.mentions(text, Markup::Message);
        match self
            .emulator
            .post_as_member(&self.me, team::TRIAGE_CHANNEL, &text)
        {
            Ok(posted) => {
                let mention = posted.mention.map(|delivered| delivered.envelope_id);
                self.settle(mention.as_deref()).await;
                self.print_changes(team::TRIAGE_CHANNEL);
            }
            Err(code) => self.error(&format!("Slack did not post the message ({code})")),
        }
    }

    /// After `/ triage who` went out as a message: the command it looks like.
    fn hint_at_command(&self, text: &str) {
        let command = format!("/{}", text.split(' ').next().unwrap_or_default());
        if self.snapshot.slash_commands.contains(&command) {
            self.note(&format!(
                "(with a space after the slash it is a message, which the bot does not read; \
                 `/{text}` is the command)"
            ));
        }
    }

    /// `@name` becomes a mention of a person the workspace knows, or of the bot: `<@U…|name>`
    /// in a command, `<@U…>` in a message.
    fn mentions(&self, text: &str, markup: Markup) -> String {
        let words = text.split(' ').map(|word| {
            let Some(name) = word.strip_prefix('@') else {
                return word.to_string();
            };
            let end = name
                .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '_' || c == '-'))
                .unwrap_or(name.len());
            let (handle, after) = name.split_at(end);
            let bot = &self.snapshot.bot_name;
            let id = if handle.eq_ignore_ascii_case(bot) {
                Some(self.snapshot.bot_user_id.clone())
            } else {
                self.find_user(handle)
            };
            match (id, markup) {
                (Some(id), Markup::Command) => format!("<@{id}|{handle}>{after}"),
                (Some(id), Markup::Message) => format!("<@{id}>{after}"),
                (None, _) => word.to_string(),
            }
        });
        words.collect::<Vec<_>>().join(" ")
    }

    /// A user id for a handle, a first name, a full name or an id (any case).
    fn find_user(&self, name: &str) -> Option<String> {
        let name = name.trim().trim_start_matches('@').to_lowercase();
        if name.is_empty() {
            return None;
        }
        let workspace = &self.snapshot;
        let found = workspace.users.iter().find(|user| {
            let first = user.real_name.split_whitespace().next().unwrap_or_default();
            user.name.to_lowercase() == name
                || first.to_lowercase() == name
                || user.real_name.to_lowercase() == name
                || user.id.to_lowercase() == name
        });
        found.map(|user| user.id.clone())
    }

    fn print_reply(&mut self, payload: &Value) {
        if payload.get("text").is_none() && payload.get("blocks").is_none() {
            return;
        }
        let in_channel = payload["response_type"] == "in_channel";
        let workspace = self.emulator.workspace();
        let shown = Shown {
            place: if in_channel {
                "#triage".to_string()
            } else {
                "only you".to_string()
            },
            body: render::message(
                &workspace,
                payload["text"].as_str().unwrap_or_default(),
                payload.get("blocks"),
            ),
            buttons: render::buttons(&workspace, payload.get("blocks")),
            channel: team::TRIAGE_CHANNEL.to_string(),
            message: None,
            visible_to: (!in_channel).then(|| self.me.clone()),
        };
        self.print(&shown);
        self.remember(shown);
    }

    async fn switch_user(&mut self, name: &str) {
        let Some(id) = self.find_user(name) else {
            let handles: Vec<&str> = self
                .snapshot
                .users
                .iter()
                .map(|u| u.name.as_str())
                .collect();
            self.error(&format!(
                "nobody called `{name}` here; try one of: {}",
                handles.join(", ")
            ));
            return;
        };
        self.me = id;
        let line = self.introduce().await;
        self.say(&line);
        if let Some(form) = self.my_modal() {
            self.note(&format!(
                "(your modal “{}” is still open: `fill`, `submit` or `cancel` it)",
                form.title
            ));
        }
    }

    /// "You are Jonas Berg (@jonas): UI Engineering." plus whether you are an admin.
    pub async fn introduce(&self) -> String {
        let me = self.me.clone();
        let facts = self
            .store
            .run(move |s| {
                let id = SlackUserId::parse(&me).ok()?;
                let disciplines = s.disciplines().ok()?;
                let mine: Vec<String> = s
                    .members(None)
                    .ok()?
                    .into_iter()
                    .filter(|m| m.slack_id == id && m.active)
                    .filter_map(|m| disciplines.iter().find(|d| d.key == m.discipline))
                    .map(|d| d.name.clone())
                    .collect();
                Some((mine, s.is_admin(&id).unwrap_or(false)))
            })
            .await;
        let (disciplines, admin) = facts.unwrap_or_default();
        let user = self.snapshot.user(&self.me);
        let handle = user.map_or("", |u| u.name.as_str());
        let mut line = format!(
            "You are {} (@{handle})",
            render::person(&self.snapshot, &self.me)
        );
        if !disciplines.is_empty() {
            line.push_str(&format!(": {}", disciplines.join(", ")));
        }
        line.push_str(if admin {
            "; an admin."
        } else {
            "; a regular member, not an admin."
        });
        self.style.paint("1", &line)
    }

    async fn click(&mut self, text: &str) {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() {
            self.error("click what? e.g. `click Approve`");
            return;
        }
        if self.behind_modal() {
            return;
        }
        let me = self.me.clone();
        let visible = |shown: &&Shown| shown.visible_to.as_ref().is_none_or(|who| *who == me);
        // The longest run of leading words that names a button; the rest picks the message
        // (or, better, the line the button stands beside).
        let mut found = None;
        for split in (1..=words.len()).rev() {
            let label = words[..split].join(" ").to_lowercase();
            let filter = words[split..].join(" ").to_lowercase();
            let mut candidates: Vec<(&Shown, &render::Button)> = self
                .seen
                .iter()
                .rev()
                .filter(visible)
                .flat_map(|shown| shown.buttons.iter().map(move |b| (shown, b)))
                .filter(|(_, button)| button.label.to_lowercase().starts_with(&label))
                .filter(|(shown, button)| {
                    button.context.to_lowercase().contains(&filter)
                        || shown.body.to_lowercase().contains(&filter)
                })
                .collect();
            // Buttons beside the words win over buttons merely in a message with them.
            let beside = |button: &render::Button| button.context.to_lowercase().contains(&filter);
            if candidates.iter().any(|(_, button)| beside(button)) {
                candidates.retain(|(_, button)| beside(button));
            }
            if !candidates.is_empty() {
                found = Some(candidates);
                break;
            }
        }
        let Some(candidates) = found else {
            self.error(&format!(
                "no button `{text}` in anything you can see; buttons show as [Label]"
            ));
            return;
        };
        let (shown, button) = (candidates[0].0.clone(), candidates[0].1.clone());
        let beside = match button.context.lines().next() {
            Some(line) if !line.is_empty() => line.to_string(),
            _ => shown.body.lines().next().unwrap_or_default().to_string(),
        };
        let mut note = format!(
            "(pressing [{}] by “{}” [{}]",
            button.label,
            self.style.emphasis(&beside),
            shown.place
        );
        if candidates.len() > 1 {
            note.push_str(&format!(
                "; the newest of {} matching buttons, add words from its message to pick another",
                candidates.len()
            ));
        }
        self.note(&format!("{note})"));
        let sent = self.emulator.send_block_action(
            &self.me,
            &shown.channel,
            &button.action_id,
            &button.value,
        );
        self.settle(Some(&sent.envelope_id)).await;
        self.print_changes(&shown.channel);
    }

    async fn advance(&mut self, text: &str) {
        let Some(by) = parse_duration(text) else {
            self.error(&format!(
                "cannot read `{text}` as a duration; try `30m`, `2h`, `3d`, `14d` or `1w`"
            ));
            return;
        };
        let target = self.config.now().checked_add(by).unwrap_or(Timestamp::MAX);
        for (moment, what) in self.moments_until(target).await {
            self.move_clock_to(moment).await;
            self.heading(&format!("{} · {what}", self.clock(moment)));
            if self.print_changes(team::TRIAGE_CHANNEL) == 0 {
                self.say("(nothing new)");
            }
        }
        self.move_clock_to(target).await;
        self.heading(&format!("{} · now", self.clock(self.config.now())));
        self.print_changes(team::TRIAGE_CHANNEL);
    }

    /// Reminder, heads-up, handoff and end-of-plan moments after now and before `target`, in
    /// order, when the first message held in the outbox (a routine DM caused on a day off) goes
    /// out, when the change-impact window closes, and when untaken coverage is recalled.
    async fn moments_until(&self, target: Timestamp) -> Vec<(Timestamp, String)> {
        let sprints = self.store.run(|s| s.sprints()).await.unwrap_or_default();
        let (team, heads_up) = (self.config.team(), &self.config.bot.heads_up);
        let now = self.config.now();
        let mut moments = clock::moments(&sprints, &team, heads_up, now, target);
        let held = self.store.run(|s| s.next_outbox_attempt()).await;
        if let Some(held) = held.ok().flatten().filter(|at| *at > now && *at < target) {
            moments.push((held, "held messages go out".to_string()));
        }
        let config = self.config.clone();
        let closes = self
            .store
            .run(move |s| crate::bot::impact::closes_at(s, &config))
            .await;
        if let Some(closes) = closes.ok().flatten().filter(|at| *at > now && *at < target) {
            moments.push((closes, "changed duties are told".to_string()));
        }
        let config = self.config.clone();
        let reminder = self
            .store
            .run(move |s| crate::bot::untaken::next_reminder(s, &config, now))
            .await;
        if let Some(at) = reminder.ok().flatten().filter(|at| *at < target) {
            moments.push((at, "untaken coverage is recalled".to_string()));
        }
        moments.sort_by_key(|(at, _)| *at);
        moments
    }

    async fn move_clock_to(&mut self, moment: Timestamp) {
        let by = moment.duration_since(self.config.now());
        if by > SignedDuration::ZERO {
            self.config.advance_clock(by);
        }
        self.wake.notify_one();
        self.settle(None).await;
    }

    fn state(&mut self) {
        let now = self.config.now();
        self.say(&format!("It is {}.", self.clock(now)));
        let workspace = self.emulator.workspace();
        self.say(&format!(
            "You are {}.",
            render::person(&workspace, &self.me)
        ));
        self.print(&render::topic(&workspace, team::TRIAGE_CHANNEL));
        self.print(&render::usergroup(&workspace, team::ONCALL_GROUP));
    }

    fn help(&self) {
        let lines = [
            (
                "/triage help",
                "the bot's own help; any /triage command works",
            ),
            (
                "/triage who",
                "who is on duty now (or: who tomorrow, who friday)",
            ),
            ("/triage me", "your shifts, with [Request coverage] buttons"),
            (
                "/triage cover 4 @maria dentist",
                "ask Maria to cover Sprint 4 (@name becomes a mention)",
            ),
            (
                "/triage cover",
                "the coverage form, a modal (so does [Request coverage])",
            ),
            (
                "fill who maria",
                "fill in a field of the open modal: a few words of a choice, or text",
            ),
            ("submit, cancel", "send the open modal, or close it"),
            (
                "@triage who",
                "a message in #triage mentioning the bot; `say …` posts any message",
            ),
            (
                "@triage ui build is red",
                "a mention naming a discipline (or `all`) calls whoever is on duty",
            ),
            ("as priya", "act as someone else (Priya is the admin)"),
            (
                "click Accept",
                "press the newest [Accept] button you can see (in a DM asking you to cover)",
            ),
            (
                "click Approve",
                "press the newest [Approve] button you can see",
            ),
            (
                "advance 14d",
                "move the clock (30m, 2h, 3d, 1w): heads-ups and handoffs fire",
            ),
            ("state", "the time, the #triage topic and the on-call group"),
            ("quit", "stop the bot and leave (or end of input, Ctrl-D)"),
        ];
        for (command, what) in lines {
            self.say(&format!("  {:<32} {what}", self.style.paint("1", command)));
        }
    }

    /// Polls until the ack (if any) arrived and the bot stopped changing things.
    async fn settle(&self, envelope: Option<&str>) {
        let deadline = Instant::now() + PATIENCE;
        let mut last = self.emulator.workspace();
        let mut quiet_since = Instant::now();
        while Instant::now() < deadline {
            tokio::time::sleep(POLL).await;
            let current = self.emulator.workspace();
            let acked = envelope.is_none_or(|id| self.emulator.ack_of(id).is_some());
            let busy = !acked || self.emulator.unacked() > 0 || self.outbox_due().await;
            if busy || current != last {
                last = current;
                quiet_since = Instant::now();
            } else if quiet_since.elapsed() >= QUIET {
                return;
            }
        }
    }

    async fn outbox_due(&self) -> bool {
        let now = self.config.now();
        let stats = self.store.run(move |s| s.outbox_stats(now)).await;
        stats.is_ok_and(|stats| stats.oldest_due.is_some())
    }

    /// Prints what changed since the last snapshot; returns how many things appeared.
    fn print_changes(&mut self, channel: &str) -> usize {
        let current = self.emulator.workspace();
        let changes = render::changes(&self.snapshot, &current, &self.me, channel);
        self.snapshot = current;
        let count = changes.len();
        for shown in changes {
            self.print(&shown);
            self.remember(shown);
        }
        count
    }

    fn remember(&mut self, shown: Shown) {
        if shown.message.is_some() {
            self.seen.retain(|old| old.message != shown.message);
        }
        if !shown.buttons.is_empty() {
            self.seen.push(shown);
        }
    }

    fn print(&self, shown: &Shown) {
        let place = self.style.paint("36", &format!("[{}]", shown.place));
        let lines: Vec<String> = shown
            .body
            .lines()
            .map(|line| self.style.emphasis(line))
            .collect();
        match lines.as_slice() {
            [] => self.say(&place),
            [line] => self.say(&format!("{place} {line}")),
            _ => {
                self.say(&place);
                for line in &lines {
                    self.say(&format!("  {line}"));
                }
            }
        }
    }

    /// A heading with the current time, e.g. `── Thu 2026-03-12 10:00 PDT · the bot connects ──`.
    pub fn heading_now(&self, what: &str) {
        self.heading(&format!("{} · {what}", self.clock(self.config.now())));
    }

    /// The prompt on a terminal: your handle.
    pub fn prompt(&self) {
        let mut out = std::io::stdout().lock();
        let prompt = self.style.paint("32", self.handle());
        if write!(out, "{prompt}> ")
            .and_then(|()| out.flush())
            .is_err()
        {
            self.output_closed.store(true, Ordering::Relaxed);
        }
    }

    /// A command read from a script, shown as if typed at the prompt.
    pub fn echo(&self, line: &str) -> String {
        format!("{}> {}", self.handle(), line.trim())
    }

    fn handle(&self) -> &str {
        self.snapshot
            .user(&self.me)
            .map_or("you", |u| u.name.as_str())
    }

    fn heading(&self, text: &str) {
        self.say(&self.style.paint("33", &format!("── {text} ──")));
    }

    /// Writes one line to standard output. Once that fails (the reader went away), the
    /// console stops: see [`Console::output_closed`].
    pub fn say(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let written = writeln!(out, "{text}").and_then(|()| out.flush());
        if written.is_err() {
            self.output_closed.store(true, Ordering::Relaxed);
        }
    }

    /// Whether standard output was closed, so there is no point going on.
    pub fn output_closed(&self) -> bool {
        self.output_closed.load(Ordering::Relaxed)
    }

    /// A remark of the console's own, in a dim colour: what it pressed, what Slack did.
    fn note(&self, text: &str) {
        self.say(&self.style.paint("2", text));
    }

    pub fn error(&self, text: &str) {
        self.say(&self.style.paint("31", &format!("error: {text}")));
    }

    /// An instant on the team's clock, written as Slack shows one: `Mon Mar 23 08:00 PDT`.
    pub fn clock(&self, at: Timestamp) -> String {
        SlackDates::new(&self.config.team(), self.config.now()).instant(at)
    }
}
