//! The slash command's grammar: text after `/triage` becomes a [`Command`], or a
//! [`ParseError`] that says what is wrong and how the command is written.
//!
//! Parsing is pure: it knows no store, no clock and no Slack payloads. Mentions arrive escaped
//! (`<@U123|name>`) and are accepted bare (`U123`) too. Words are case-insensitive; names and
//! reasons keep their case, and the `&amp;`, `&lt;` and `&gt;` Slack writes in them are read
//! back as `&`, `<` and `>` (they are escaped again on their way out, by `slack::text`).

use jiff::civil::Date;

use crate::domain::away::AwayPolicy;
use crate::domain::day_ref::DayRef;
use crate::domain::roster_change::ChangeKind;
use crate::domain::{Approval, DisciplineKey, SlackUserId};

/// Sprints shown by `schedule` without a count.
pub const DEFAULT_SCHEDULE: usize = 4;
/// The most sprints `schedule` shows.
pub const MAX_SCHEDULE: usize = 12;
/// Sprint length used by `sprint generate` without a length.
pub const DEFAULT_SPRINT_DAYS: i64 = 14;

/// Whether the command text only reads (so nothing can have changed once it is answered).
/// Text that does not parse changes nothing either.
pub fn is_read_only(text: &str) -> bool {
    match parse(text) {
        Err(_) => true,
        Ok(command) => matches!(
            command,
            Command::Help
                | Command::Unknown { .. }
                | Command::Who { .. }
                | Command::Next
                | Command::Schedule { .. }
                | Command::Me
                | Command::Stats { .. }
                | Command::NoteShow
                | Command::CoverModal
                | Command::Overrides
                | Command::AdminsList
                | Command::AwayList
                | Command::Policies
        ),
    }
}

/// One parsed slash command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    /// A first word that is no command, with the closest command if one is close.
    Unknown {
        word: String,
        suggestion: Option<&'static str>,
    },
    /// Who is on duty now, or on `day` (at its handoff time); `here` posts the answer in the
    /// channel.
    Who {
        here: bool,
        day: Option<DayRef>,
    },
    Next,
    Schedule {
        count: usize,
    },
    Me,
    /// Fairness per person: sprints served, covers given and received, of one discipline (as
    /// the person named it, resolved by the caller) or of all; with `since`, only the sprints
    /// starting on or after that day.
    Stats {
        discipline: Option<String>,
        since: Option<DayRef>,
    },
    /// `note` alone: shows the person's handoff note for the sprint in force.
    NoteShow,
    /// `note [discipline] <text>`: leaves a handoff note; `text` is everything after `note`, as
    /// typed (line breaks kept). Whether its first word names a discipline is decided by the
    /// caller, with the disciplines the person is on duty for.
    Note {
        text: String,
    },
    /// `calendar [team] [reset]`: the address of the person's (or the team's) calendar feed,
    /// made on the first ask and shown once; `reset` makes a new one and ends the old.
    Calendar {
        team: bool,
        reset: bool,
    },
    /// `cover` alone opens the modal.
    CoverModal,
    Cover(CoverArgs),
    /// `cover <sprint> open [discipline] [reason…]`: offers the shift to volunteers; `rest` is
    /// the words after `open`.
    CoverOpen {
        sprint: String,
        rest: Vec<String>,
    },
    /// `swap <my sprint> <@person> <their sprint> [discipline] [reason…]`: `args` holds my
    /// sprint, the person and the words after their sprint.
    Swap {
        theirs: String,
        args: CoverArgs,
    },
    Cancel {
        id: i64,
    },
    Overrides,
    /// The person named to cover agrees.
    Accept {
        id: i64,
    },
    /// The person named to cover says no.
    Refuse {
        id: i64,
        reason: Option<String>,
    },
    Approve {
        id: i64,
    },
    Decline {
        id: i64,
        reason: Option<String>,
    },
    /// An admin withdraws an approved cover.
    Revoke {
        id: i64,
        reason: Option<String>,
    },
    Set {
        discipline: DisciplineKey,
        user: SlackUserId,
        reason: Option<String>,
    },
    MemberAdd {
        user: SlackUserId,
        discipline: DisciplineKey,
        name: Option<String>,
    },
    MemberRemove {
        user: SlackUserId,
        discipline: DisciplineKey,
    },
    MemberMove {
        user: SlackUserId,
        discipline: DisciplineKey,
        position: usize,
    },
    SprintAdd {
        start: Date,
        end: Date,
        name: String,
    },
    SprintGenerate {
        start: Date,
        count: i64,
        days: i64,
    },
    /// Re-date or rename a sprint that has not started; `None` keeps the current value.
    SprintEdit {
        /// The sprint as the person named it (see `domain::sprint_ref`).
        sprint: String,
        start: Option<Date>,
        end: Option<Date>,
        name: Option<String>,
    },
    SprintShift {
        sprint: String,
        days: i64,
    },
    SprintRetire {
        sprint: String,
    },
    AdminsList,
    /// Show (anyone) or set (admins) a discipline's approval policy.
    Approval {
        discipline: DisciplineKey,
        policy: Option<Approval>,
    },
    AdminsAdd {
        user: SlackUserId,
    },
    AdminsRemove {
        user: SlackUserId,
    },
    /// Record an absence: your own, or (admins) `person`'s.
    AwayAdd {
        person: Option<SlackUserId>,
        from: Date,
        to: Date,
        reason: Option<String>,
    },
    /// Your absences (admins: everyone's).
    AwayList,
    AwayRemove {
        id: i64,
    },
    /// Each discipline's away policy.
    Policies,
    /// An admin sets a discipline's away policy.
    PolicySet {
        discipline: DisciplineKey,
        policy: AwayPolicy,
    },
    /// An admin schedules a join or a leave for the first handoff on or after `on`.
    MemberOn {
        kind: ChangeKind,
        user: SlackUserId,
        discipline: DisciplineKey,
        on: Date,
        name: Option<String>,
    },
    /// An admin cancels a scheduled join or leave.
    MemberCancel {
        kind: ChangeKind,
        user: SlackUserId,
        discipline: DisciplineKey,
    },
}

/// `cover <sprint> <@replacement> [discipline] [reason…]`. Whether the word after the
/// replacement is a discipline or the start of the reason is decided with the team's
/// disciplines (see [`CoverArgs::split_discipline`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverArgs {
    /// The sprint as the person named it: its name, the number it ends with, a day in it,
    /// `now` or `next` (resolved against the plan by the caller).
    pub sprint: String,
    pub replacement: SlackUserId,
    /// The words after the replacement.
    pub rest: Vec<String>,
}

impl CoverArgs {
    /// The discipline (when `find` says the first remaining word names one) and the reason.
    pub fn split_discipline(
        &self,
        find: impl Fn(&str) -> Option<DisciplineKey>,
    ) -> (Option<DisciplineKey>, Option<String>) {
        let discipline = self.rest.first().and_then(|word| find(word));
        let skip = usize::from(discipline.is_some());
        (discipline, join(&self.rest[skip..]))
    }
}

impl Command {
    /// Whether only admins may run the command.
    pub fn needs_admin(&self) -> bool {
        matches!(
            self,
            Command::Approve { .. }
                | Command::Decline { .. }
                | Command::Revoke { .. }
                | Command::Set { .. }
                | Command::MemberAdd { .. }
                | Command::MemberRemove { .. }
                | Command::MemberMove { .. }
                | Command::SprintAdd { .. }
                | Command::SprintGenerate { .. }
                | Command::SprintEdit { .. }
                | Command::SprintShift { .. }
                | Command::SprintRetire { .. }
                | Command::AdminsAdd { .. }
                | Command::AdminsRemove { .. }
                | Command::PolicySet { .. }
                | Command::MemberOn { .. }
                | Command::MemberCancel { .. }
                | Command::Calendar {
                    team: true,
                    reset: true
                }
        )
    }
}

/// Text that is not a valid command: what is wrong, and the form the command takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct ParseError {
    pub problem: String,
    /// The command's form without the slash command, e.g. `cancel <id>`.
    pub usage: &'static str,
}

/// One entry of the help: a command's form, what it does, and whether it is for admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpEntry {
    pub usage: &'static str,
    pub about: &'static str,
    pub admin: bool,
}

const fn entry(usage: &'static str, about: &'static str, admin: bool) -> HelpEntry {
    HelpEntry {
        usage,
        about,
        admin,
    }
}

/// Every command, in the order help lists them.
pub const HELP: &[HelpEntry] = &[
    entry(
        "who [day] [here]",
        "who is on duty now, or on a day: `tomorrow`, `friday`, `next monday`, `2026-03-20` (`here` posts it in the channel)",
        false,
    ),
    entry("next", "who is on duty in the next sprint", false),
    entry("schedule [n]", "the next n sprints (4 if not given)", false),
    entry("me", "your upcoming shifts", false),
    entry(
        "stats [discipline] [since <day>]",
        "per person: sprints served, covers given and received, turns skipped or owed (`since 2026-01-05`: sprints from that day on)",
        false,
    ),
    entry(
        "note [discipline] [text…]",
        "leave a handoff note for whoever takes over from you (`note` alone shows it)",
        false,
    ),
    entry(
        "calendar [reset]",
        "your duties as a calendar feed to subscribe to (the address is shown once; `reset` makes a new one and ends the old)",
        false,
    ),
    entry(
        "calendar team",
        "everyone's duties as a calendar feed (the address is shown once)",
        false,
    ),
    entry(
        "cover",
        "ask someone to cover one of your shifts (opens a form)",
        false,
    ),
    entry(
        "cover <sprint> <@person> [discipline] [reason…]",
        "ask @person to cover your shift in a sprint",
        false,
    ),
    entry(
        "cover <sprint> open [discipline] [reason…]",
        "ask for a volunteer: a post in the triage channel with an \"I'll cover\" button",
        false,
    ),
    entry(
        "swap <my sprint> <@person> <their sprint> [discipline] [reason…]",
        "trade shifts with someone: they take yours, you take theirs",
        false,
    ),
    entry("cancel <id>", "withdraw a coverage request", false),
    entry(
        "accept <id>",
        "agree to cover a shift someone asked you to cover",
        false,
    ),
    entry(
        "refuse <id> [reason…]",
        "say no to covering a shift someone asked you to cover",
        false,
    ),
    entry(
        "away <first day> <last day> [reason…]",
        "record days you are away (dates as YYYY-MM-DD)",
        false,
    ),
    entry("away list|remove <id>", "your absences; remove one", false),
    entry(
        "policy",
        "what each discipline does when someone is away during their duty",
        false,
    ),
    entry("overrides", "your coverage requests", false),
    entry("admins", "who the admins are", false),
    entry("help", "this list", false),
    entry("approve <id>", "approve a coverage request", true),
    entry("decline <id> [reason…]", "decline a coverage request", true),
    entry(
        "revoke <id> [reason…]",
        "withdraw an approved cover; the rotation's pick is back on duty",
        true,
    ),
    entry(
        "set <discipline> <@person> [reason…]",
        "put someone on duty for the current sprint",
        true,
    ),
    entry(
        "member add <@person> <discipline> [name…]",
        "add someone to a rotation",
        true,
    ),
    entry(
        "member remove <@person> <discipline>",
        "take someone out of a rotation",
        true,
    ),
    entry(
        "member move <@person> <discipline> <position>",
        "change someone's place in a rotation",
        true,
    ),
    entry(
        "member join|leave <@person> <discipline> <date> [name…]",
        "add someone to a rotation, or take them out, at the first handoff on or after a date",
        true,
    ),
    entry(
        "member join|leave <@person> <discipline> cancel",
        "cancel a scheduled join or leave",
        true,
    ),
    entry(
        "away <@person> <first day> <last day> [reason…]",
        "record someone's absence",
        true,
    ),
    entry(
        "policy <discipline> away warn|swap-next",
        "warn (nothing moves) or swap with the next person when someone is away",
        true,
    ),
    entry(
        "sprint add <start> <end> <name…>",
        "add a sprint (dates as YYYY-MM-DD)",
        true,
    ),
    entry(
        "sprint generate <start> <count> [days]",
        "add count sprints of days days (14 if not given)",
        true,
    ),
    entry(
        "sprint edit <n> <start|-> <end|-> [name…]",
        "change a sprint that has not started (- keeps a date)",
        true,
    ),
    entry(
        "sprint shift <n> <days>",
        "move a sprint that has not started and all later ones (days may be negative)",
        true,
    ),
    entry(
        "sprint retire <n>",
        "retire a sprint that has not started",
        true,
    ),
    entry(
        "approval <discipline> [admin|none|admin-if-conflict]",
        "who approves a cover once the person named accepted it",
        true,
    ),
    entry(
        "admins add|remove <@person>",
        "add or remove an admin",
        true,
    ),
    entry(
        "calendar team reset",
        "a new address for the team's calendar feed; the old one stops working",
        true,
    ),
];

const WORDS: &[&str] = &[
    "help",
    "who",
    "next",
    "schedule",
    "me",
    "stats",
    "note",
    "calendar",
    "cover",
    "swap",
    "cancel",
    "accept",
    "refuse",
    "overrides",
    "approve",
    "decline",
    "revoke",
    "set",
    "member",
    "sprint",
    "admins",
    "away",
    "policy",
    "approval",
];

/// Parses the text after the slash command.
pub fn parse(text: &str) -> Result<Command, ParseError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some((first, rest)) = words.split_first() else {
        return Ok(Command::Help);
    };
    let first = first.to_lowercase();
    match first.as_str() {
        "help" => Ok(Command::Help),
        "who" => parse_who(rest),
        "next" => no_arguments(rest, "next", Command::Next),
        "schedule" => parse_schedule(rest),
        "me" => no_arguments(rest, "me", Command::Me),
        "stats" => parse_stats(rest),
        "note" | "notes" => {
            Ok(
                after_first_word(text).map_or(Command::NoteShow, |text| Command::Note {
                    text: unescape(text),
                }),
            )
        }
        "calendar" => parse_calendar(rest),
        "cover" => parse_cover(rest),
        "swap" => parse_swap(rest),
        "cancel" => Ok(Command::Cancel {
            id: override_id(rest.first(), "cancel <id>")?,
        }),
        "overrides" => no_arguments(rest, "overrides", Command::Overrides),
        "accept" => Ok(Command::Accept {
            id: override_id(rest.first(), "accept <id>")?,
        }),
        "refuse" => {
            const USAGE: &str = "refuse <id> [reason…]";
            Ok(Command::Refuse {
                id: override_id(rest.first(), USAGE)?,
                reason: join(rest.get(1..).unwrap_or_default()),
            })
        }
        "approve" => Ok(Command::Approve {
            id: override_id(rest.first(), "approve <id>")?,
        }),
        "decline" => parse_decline(rest),
        "revoke" => parse_revoke(rest),
        "set" => parse_set(rest),
        "member" | "members" => parse_member(rest),
        "sprint" | "sprints" => parse_sprint(rest),
        "admins" | "admin" => parse_admins(rest),
        "away" => parse_away(rest),
        "policy" | "policies" => parse_policy(rest),
        "approval" => parse_approval(rest),
        _ => Ok(Command::Unknown {
            suggestion: suggest(&first),
            word: first,
        }),
    }
}

/// The text after the first word as typed, ends trimmed; `None` when nothing follows.
fn after_first_word(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let rest = text[text.find(char::is_whitespace)?..].trim();
    (!rest.is_empty()).then_some(rest)
}

fn no_arguments(
    rest: &[&str],
    usage: &'static str,
    command: Command,
) -> Result<Command, ParseError> {
    match rest.first() {
        None => Ok(command),
        Some(extra) => Err(problem(
            format!("`{usage}` takes nothing after it, not `{extra}`"),
            usage,
        )),
    }
}

fn parse_who(rest: &[&str]) -> Result<Command, ParseError> {
    let (here, words) = match rest.split_last() {
        Some((last, words)) if last.eq_ignore_ascii_case("here") => (true, words),
        _ => (false, rest),
    };
    if words.is_empty() {
        return Ok(Command::Who { here, day: None });
    }
    let day = DayRef::parse(&words.join(" "))
        .map_err(|error| problem(error.to_string(), "who [day] [here]"))?;
    Ok(Command::Who {
        here,
        day: Some(day),
    })
}

/// `stats [discipline] [since <day>]`.
fn parse_stats(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "stats [discipline] [since <day>]";
    let Some(at) = rest.iter().position(|w| w.eq_ignore_ascii_case("since")) else {
        return Ok(Command::Stats {
            discipline: join(rest),
            since: None,
        });
    };
    let (discipline, day) = (&rest[..at], &rest[at + 1..]);
    if day.is_empty() {
        return Err(problem("say since which day".to_string(), USAGE));
    }
    let since = DayRef::parse(&day.join(" ")).map_err(|error| problem(error.to_string(), USAGE))?;
    Ok(Command::Stats {
        discipline: join(discipline),
        since: Some(since),
    })
}

fn parse_schedule(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "schedule [n]";
    let count = match rest {
        [] => DEFAULT_SCHEDULE,
        [n] => number(n, "the number of sprints", 1, MAX_SCHEDULE as i64, USAGE)? as usize,
        [_, extra, ..] => return Err(problem(format!("unexpected `{extra}`"), USAGE)),
    };
    Ok(Command::Schedule { count })
}

fn parse_calendar(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "calendar [team] [reset]";
    let words: Vec<String> = rest.iter().map(|w| w.to_lowercase()).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let (team, reset) = match words.as_slice() {
        [] => (false, false),
        ["reset"] => (false, true),
        ["team"] => (true, false),
        ["team", "reset"] => (true, true),
        [.., extra] => {
            return Err(problem(
                format!("`calendar` takes `team` and `reset`, not `{extra}`"),
                USAGE,
            ));
        }
    };
    Ok(Command::Calendar { team, reset })
}

fn parse_cover(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "cover <sprint> <@person> [discipline] [reason…]";
    if rest.is_empty() {
        return Ok(Command::CoverModal);
    }
    // `cover <sprint> open …` offers the shift to volunteers.
    let open = rest
        .iter()
        .position(|word| word.eq_ignore_ascii_case("open"));
    if let Some(at) = open.filter(|&at| at > 0)
        && !rest[..at].iter().any(|word| person(word, USAGE).is_ok())
    {
        return Ok(Command::CoverOpen {
            sprint: rest[..at].join(" "),
            rest: rest[at + 1..].iter().map(|w| w.to_string()).collect(),
        });
    }
    // The sprint is every word before the person: `cover Sprint 8 @bob`, `cover 8 @bob`.
    let at = rest
        .iter()
        .position(|word| person(word, USAGE).is_ok())
        .filter(|&at| at > 0)
        .unwrap_or(1);
    let sprint = rest[..at].join(" ");
    let Some((replacement, rest)) = rest[at..].split_first() else {
        return Err(problem(
            "say who should cover: mention them with @".to_string(),
            USAGE,
        ));
    };
    Ok(Command::Cover(CoverArgs {
        sprint,
        replacement: person(replacement, USAGE)?,
        rest: rest.iter().map(|w| w.to_string()).collect(),
    }))
}

fn parse_swap(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "swap <my sprint> <@person> <their sprint> [discipline] [reason…]";
    let at = rest.iter().position(|word| person(word, USAGE).is_ok());
    let (Some(at), Some(theirs)) = (at.filter(|&at| at > 0), at.and_then(|at| rest.get(at + 1)))
    else {
        return Err(problem(
            "say your sprint, the person (mention them with @) and their sprint".to_string(),
            USAGE,
        ));
    };
    Ok(Command::Swap {
        theirs: theirs.to_string(),
        args: CoverArgs {
            sprint: rest[..at].join(" "),
            replacement: person(rest[at], USAGE)?,
            rest: rest[at + 2..].iter().map(|w| w.to_string()).collect(),
        },
    })
}

fn parse_decline(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "decline <id> [reason…]";
    Ok(Command::Decline {
        id: override_id(rest.first(), USAGE)?,
        reason: join(rest.get(1..).unwrap_or_default()),
    })
}

fn parse_revoke(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "revoke <id> [reason…]";
    Ok(Command::Revoke {
        id: override_id(rest.first(), USAGE)?,
        reason: join(rest.get(1..).unwrap_or_default()),
    })
}

fn parse_set(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "set <discipline> <@person> [reason…]";
    let [discipline, user, reason @ ..] = rest else {
        return Err(problem("name a discipline and a person".to_string(), USAGE));
    };
    Ok(Command::Set {
        discipline: discipline_key(discipline, USAGE)?,
        user: person(user, USAGE)?,
        reason: join(reason),
    })
}

fn parse_member(rest: &[&str]) -> Result<Command, ParseError> {
    const ADD: &str = "member add <@person> <discipline> [name…]";
    const REMOVE: &str = "member remove <@person> <discipline>";
    const MOVE: &str = "member move <@person> <discipline> <position>";
    let verb = rest.first().map(|w| w.to_lowercase());
    match (verb.as_deref(), rest.get(1..).unwrap_or_default()) {
        (Some("join"), args) => parse_member_on(ChangeKind::Join, args),
        (Some("leave"), args) => parse_member_on(ChangeKind::Leave, args),
        (Some("add"), [user, discipline, name @ ..]) => Ok(Command::MemberAdd {
            user: person(user, ADD)?,
            discipline: discipline_key(discipline, ADD)?,
            name: join(name),
        }),
        (Some("add"), _) => Err(problem("name a person and a discipline".to_string(), ADD)),
        (Some("remove"), [user, discipline]) => Ok(Command::MemberRemove {
            user: person(user, REMOVE)?,
            discipline: discipline_key(discipline, REMOVE)?,
        }),
        (Some("remove"), _) => Err(problem(
            "name a person and a discipline".to_string(),
            REMOVE,
        )),
        (Some("move"), [user, discipline, position]) => Ok(Command::MemberMove {
            user: person(user, MOVE)?,
            discipline: discipline_key(discipline, MOVE)?,
            position: number(position, "the position", 1, 10_000, MOVE)? as usize,
        }),
        (Some("move"), _) => Err(problem(
            "name a person, a discipline and a position".to_string(),
            MOVE,
        )),
        _ => Err(problem(
            "expected `add`, `remove`, `move`, `join` or `leave` after `member`".to_string(),
            "member add|remove|move|join|leave …",
        )),
    }
}

/// `member join|leave <@person> <discipline> <date>|cancel [name…]`.
fn parse_member_on(kind: ChangeKind, args: &[&str]) -> Result<Command, ParseError> {
    let usage = match kind {
        ChangeKind::Join => "member join <@person> <discipline> <date>|cancel [name…]",
        ChangeKind::Leave => "member leave <@person> <discipline> <date>|cancel",
    };
    let [user, discipline, when, name @ ..] = args else {
        return Err(problem(
            "name a person, a discipline and the date (or `cancel`)".to_string(),
            usage,
        ));
    };
    let (user, discipline) = (person(user, usage)?, discipline_key(discipline, usage)?);
    if when.eq_ignore_ascii_case("cancel") {
        return match name.first() {
            None => Ok(Command::MemberCancel {
                kind,
                user,
                discipline,
            }),
            Some(extra) => Err(problem(format!("unexpected `{extra}`"), usage)),
        };
    }
    let on = date(when, usage)?;
    let name = join(name);
    if kind == ChangeKind::Leave && name.is_some() {
        return Err(problem("a leave takes no name".to_string(), usage));
    }
    Ok(Command::MemberOn {
        kind,
        user,
        discipline,
        on,
        name,
    })
}

/// `away <first> <last> [reason…]`, `away <@person> <first> <last> [reason…]`, `away list`,
/// `away remove <id>`.
fn parse_away(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "away [<@person>] <first day> <last day> [reason…]";
    let verb = rest.first().map(|w| w.to_lowercase());
    match (verb.as_deref(), rest.get(1..).unwrap_or_default()) {
        (Some("list"), []) => return Ok(Command::AwayList),
        (Some("list"), [extra, ..]) => {
            return Err(problem(format!("unexpected `{extra}`"), "away list"));
        }
        (Some("remove" | "delete"), [id]) => {
            let number = id.trim_start_matches('#').parse::<i64>().ok();
            return match number.filter(|n| *n > 0) {
                Some(id) => Ok(Command::AwayRemove { id }),
                None => Err(problem(
                    format!("expected an absence's number, not `{id}`"),
                    "away remove <id>",
                )),
            };
        }
        (Some("remove" | "delete"), _) => {
            return Err(problem(
                "give the absence's number (`away list` shows it)".to_string(),
                "away remove <id>",
            ));
        }
        (None, _) => return Ok(Command::AwayList),
        _ => {}
    }
    let (who, args) = match person(rest[0], USAGE) {
        Ok(who) => (Some(who), &rest[1..]),
        Err(_) => (None, rest),
    };
    let [from, to, reason @ ..] = args else {
        return Err(problem(
            "give the first and the last day away, as YYYY-MM-DD".to_string(),
            USAGE,
        ));
    };
    // `away <first> <last> @ana` means Ana's absence, not the caller's with the reason "@ana".
    let is_mention = |word: &&str| word.starts_with("<@") && SlackUserId::parse(word).is_ok();
    if who.is_none() && !reason.is_empty() && reason.iter().all(is_mention) {
        return Err(problem(
            "the reason is only a mention; to record someone else's absence, name them first"
                .to_string(),
            "away <@person> <first day> <last day> [reason…]",
        ));
    }
    Ok(Command::AwayAdd {
        person: who,
        from: date(from, USAGE)?,
        to: date(to, USAGE)?,
        reason: join(reason),
    })
}

/// `policy`, `policy <discipline> away warn|swap-next`.
fn parse_policy(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "policy <discipline> away warn|swap-next";
    match rest {
        [] => Ok(Command::Policies),
        [discipline, what, value] if what.eq_ignore_ascii_case("away") => Ok(Command::PolicySet {
            discipline: discipline_key(discipline, USAGE)?,
            policy: value
                .parse()
                .map_err(|e: crate::domain::away::UnknownPolicy| problem(e.to_string(), USAGE))?,
        }),
        _ => Err(problem(
            "expected nothing, or a discipline, `away` and `warn` or `swap-next`".to_string(),
            USAGE,
        )),
    }
}

fn parse_sprint(rest: &[&str]) -> Result<Command, ParseError> {
    const ADD: &str = "sprint add <start> <end> <name…>";
    const GENERATE: &str = "sprint generate <start> <count> [days]";
    let verb = rest.first().map(|w| w.to_lowercase());
    match (verb.as_deref(), rest.get(1..).unwrap_or_default()) {
        (Some("add"), [start, end, name @ ..]) if !name.is_empty() => Ok(Command::SprintAdd {
            start: date(start, ADD)?,
            end: date(end, ADD)?,
            name: join(name).unwrap_or_default(),
        }),
        (Some("add"), _) => Err(problem(
            "give a start date, an end date and a name".to_string(),
            ADD,
        )),
        (Some("generate"), [start, count, days @ ..]) if days.len() <= 1 => {
            Ok(Command::SprintGenerate {
                start: date(start, GENERATE)?,
                count: number(count, "the count", 1, 100, GENERATE)?,
                days: match days.first() {
                    Some(days) => number(days, "the length in days", 1, 366, GENERATE)?,
                    None => DEFAULT_SPRINT_DAYS,
                },
            })
        }
        (Some("generate"), _) => Err(problem(
            "give a start date and a count".to_string(),
            GENERATE,
        )),
        (Some("edit" | "shift" | "retire"), _) => parse_sprint_change(rest),
        _ => Err(problem(
            "expected `add`, `generate`, `edit`, `shift` or `retire` after `sprint`".to_string(),
            "sprint add|generate|edit|shift|retire …",
        )),
    }
}

/// `sprint edit|shift|retire …`: changes to a sprint that has not started.
fn parse_sprint_change(rest: &[&str]) -> Result<Command, ParseError> {
    const EDIT: &str = "sprint edit <n> <start|-> <end|-> [name…]";
    const SHIFT: &str = "sprint shift <n> <days>";
    const RETIRE: &str = "sprint retire <n>";
    let verb = rest[0].to_lowercase();
    let usage = match verb.as_str() {
        "edit" => EDIT,
        "shift" => SHIFT,
        _ => RETIRE,
    };
    let Some((sprint, args)) = rest[1..].split_first() else {
        return Err(problem("say which sprint (its number)".to_string(), usage));
    };
    let sprint = sprint.to_string();
    let kept = |word: &str| -> Result<Option<Date>, ParseError> {
        (word != "-").then(|| date(word, EDIT)).transpose()
    };
    match (verb.as_str(), args) {
        ("edit", [start, end, name @ ..]) => Ok(Command::SprintEdit {
            sprint,
            start: kept(start)?,
            end: kept(end)?,
            name: join(name),
        }),
        ("edit", _) => Err(problem(
            "give the start and end dates (- keeps one) and optionally a new name".to_string(),
            EDIT,
        )),
        ("shift", [days]) => Ok(Command::SprintShift {
            sprint,
            days: number(days, "the days", -3660, 3660, SHIFT)?,
        }),
        ("shift", _) => Err(problem("give the number of days".to_string(), SHIFT)),
        (_, []) => Ok(Command::SprintRetire { sprint }),
        _ => Err(problem(
            "expected only the sprint number".to_string(),
            RETIRE,
        )),
    }
}

fn parse_admins(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "admins [add|remove <@person>]";
    let verb = rest.first().map(|w| w.to_lowercase());
    match (verb.as_deref(), rest.get(1..).unwrap_or_default()) {
        (None | Some("list"), []) => Ok(Command::AdminsList),
        (Some("add"), [user]) => Ok(Command::AdminsAdd {
            user: person(user, USAGE)?,
        }),
        (Some("remove"), [user]) => Ok(Command::AdminsRemove {
            user: person(user, USAGE)?,
        }),
        _ => Err(problem(
            "expected `add @person`, `remove @person` or nothing after `admins`".to_string(),
            USAGE,
        )),
    }
}

fn parse_approval(rest: &[&str]) -> Result<Command, ParseError> {
    const USAGE: &str = "approval <discipline> [admin|none|admin-if-conflict]";
    let (discipline, policy) = match rest {
        [discipline] => (discipline, None),
        [discipline, policy] => (discipline, Some(*policy)),
        _ => {
            return Err(problem(
                "name a discipline, and the policy to set if you are changing it".to_string(),
                USAGE,
            ));
        }
    };
    let discipline = DisciplineKey::parse(discipline)
        .map_err(|_| problem(format!("`{discipline}` is not a discipline key"), USAGE))?;
    let policy = policy
        .map(|p| p.parse::<Approval>())
        .transpose()
        .map_err(|e| problem(e.to_string(), USAGE))?;
    Ok(Command::Approval { discipline, policy })
}

fn problem(problem: String, usage: &'static str) -> ParseError {
    ParseError { problem, usage }
}

/// Free text (a name, a reason) as the person typed it: the words joined by one space, and
/// the `&amp;`, `&lt;` and `&gt;` Slack writes for `&`, `<` and `>` read back.
fn join(words: &[impl AsRef<str>]) -> Option<String> {
    let joined = unescape(
        &words
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(" "),
    );
    Some(joined).filter(|text| !text.is_empty())
}

/// Text as typed, from the way Slack escaped it.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn person(word: &str, usage: &'static str) -> Result<SlackUserId, ParseError> {
    SlackUserId::parse(word).map_err(|_| {
        problem(
            format!("expected a person (mention them with @), not `{word}`"),
            usage,
        )
    })
}

fn discipline_key(word: &str, usage: &'static str) -> Result<DisciplineKey, ParseError> {
    DisciplineKey::parse(word)
        .map_err(|_| problem(format!("`{word}` is not a discipline key"), usage))
}

fn override_id(word: Option<&&str>, usage: &'static str) -> Result<i64, ParseError> {
    let Some(word) = word else {
        return Err(problem("give the request's number".to_string(), usage));
    };
    let digits = word.trim_start_matches('#');
    digits
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| problem(format!("expected a request number, not `{word}`"), usage))
}

fn number(
    word: &str,
    what: &str,
    min: i64,
    max: i64,
    usage: &'static str,
) -> Result<i64, ParseError> {
    word.parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            problem(
                format!("{what} must be a whole number from {min} to {max}, not `{word}`"),
                usage,
            )
        })
}

fn date(word: &str, usage: &'static str) -> Result<Date, ParseError> {
    word.parse::<Date>()
        .ok()
        .filter(|_| word.len() == 10)
        .ok_or_else(|| {
            problem(
                format!("expected a date as YYYY-MM-DD, not `{word}`"),
                usage,
            )
        })
}

/// The command closest to `word`, if it is at most two edits away.
fn suggest(word: &str) -> Option<&'static str> {
    WORDS
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance between two words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Expect) {
        let actual = match parse(text) {
            Ok(command) => format!("{command:?}"),
            Err(error) => format!("error: {} (usage: {})", error.problem, error.usage),
        };
        expected.assert_eq(&actual);
    }

    #[test]
    fn help_and_unknown_words() {
        check("", expect!["Help"]);
        check("  HELP ", expect!["Help"]);
        check(
            "shedule",
            expect![[r#"Unknown { word: "shedule", suggestion: Some("schedule") }"#]],
        );
        check(
            "aprove 3",
            expect![[r#"Unknown { word: "aprove", suggestion: Some("approve") }"#]],
        );
        check(
            "xyzzy",
            expect![[r#"Unknown { word: "xyzzy", suggestion: None }"#]],
        );
    }

    #[test]
    fn reading_commands() {
        check("who", expect!["Who { here: false, day: None }"]);
        check("who here", expect!["Who { here: true, day: None }"]);
        check(
            "who there",
            expect![
                "error: `there` is not a day: say a date (2026-03-20), today, tomorrow, yesterday, a weekday (friday) or next monday (usage: who [day] [here])"
            ],
        );
        check(
            "who tomorrow",
            expect!["Who { here: false, day: Some(Tomorrow) }"],
        );
        check(
            "who Next Monday here",
            expect!["Who { here: true, day: Some(NextWeekday(Monday)) }"],
        );
        check(
            "who 2026-03-20",
            expect!["Who { here: false, day: Some(Date(2026-03-20)) }"],
        );
        check(
            "who fri",
            expect!["Who { here: false, day: Some(Weekday(Friday)) }"],
        );
        check(
            "who 20/03/2026",
            expect![
                "error: `20/03/2026` is not a day: say a date (2026-03-20), today, tomorrow, yesterday, a weekday (friday) or next monday (usage: who [day] [here])"
            ],
        );
        check("next", expect!["Next"]);
        check("me", expect!["Me"]);
        check(
            "me now",
            expect!["error: `me` takes nothing after it, not `now` (usage: me)"],
        );
        check("overrides", expect!["Overrides"]);
    }

    #[test]
    fn a_note_keeps_its_text_as_typed() {
        check("note", expect!["NoteShow"]);
        check(
            "note  ui  deploy frozen\n  see #ops ",
            expect![[r#"Note { text: "ui  deploy frozen\n  see #ops" }"#]],
        );
    }

    #[test]
    fn calendar_feeds() {
        check(
            "calendar",
            expect!["Calendar { team: false, reset: false }"],
        );
        check(
            "calendar Reset",
            expect!["Calendar { team: false, reset: true }"],
        );
        check(
            "calendar team",
            expect!["Calendar { team: true, reset: false }"],
        );
        check(
            "calendar team reset",
            expect!["Calendar { team: true, reset: true }"],
        );
        check(
            "calendar reset team",
            expect![
                "error: `calendar` takes `team` and `reset`, not `team` (usage: calendar [team] [reset])"
            ],
        );
        check(
            "calendar please",
            expect![
                "error: `calendar` takes `team` and `reset`, not `please` (usage: calendar [team] [reset])"
            ],
        );
        assert!(parse("calendar team reset").unwrap().needs_admin());
        assert!(!parse("calendar reset").unwrap().needs_admin());
        assert!(!is_read_only("calendar"));
    }

    #[test]
    fn stats_of_all_or_one_discipline() {
        check("stats", expect!["Stats { discipline: None, since: None }"]);
        check(
            "STATS Product Owner",
            expect![[r#"Stats { discipline: Some("Product Owner"), since: None }"#]],
        );
        check(
            "stats ui since 2026-01-05",
            expect![[r#"Stats { discipline: Some("ui"), since: Some(Date(2026-01-05)) }"#]],
        );
        check(
            "stats SINCE yesterday",
            expect!["Stats { discipline: None, since: Some(Yesterday) }"],
        );
        check(
            "stats since",
            expect!["error: say since which day (usage: stats [discipline] [since <day>])"],
        );
        check(
            "stats since last spring",
            expect![
                "error: `last spring` is not a day: say a date (2026-03-20), today, tomorrow, yesterday, a weekday (friday) or next monday (usage: stats [discipline] [since <day>])"
            ],
        );
        check(
            "stat",
            expect![[r#"Unknown { word: "stat", suggestion: Some("stats") }"#]],
        );
    }

    #[test]
    fn schedule_counts() {
        check("schedule", expect!["Schedule { count: 4 }"]);
        check("schedule 7", expect!["Schedule { count: 7 }"]);
        check(
            "schedule 0",
            expect![
                "error: the number of sprints must be a whole number from 1 to 12, not `0` (usage: schedule [n])"
            ],
        );
        check(
            "schedule many",
            expect![
                "error: the number of sprints must be a whole number from 1 to 12, not `many` (usage: schedule [n])"
            ],
        );
    }

    #[test]
    fn cover_with_and_without_arguments() {
        check("cover", expect!["CoverModal"]);
        check(
            "cover 12 <@U0BOB|bob> ui on holiday",
            expect![[
                r#"Cover(CoverArgs { sprint: "12", replacement: SlackUserId("U0BOB"), rest: ["ui", "on", "holiday"] })"#
            ]],
        );
        check(
            "cover 12 U0BOB",
            expect![[
                r#"Cover(CoverArgs { sprint: "12", replacement: SlackUserId("U0BOB"), rest: [] })"#
            ]],
        );
        check(
            "cover next <@U0BOB>",
            expect![[
                r#"Cover(CoverArgs { sprint: "next", replacement: SlackUserId("U0BOB"), rest: [] })"#
            ]],
        );
        check(
            "cover Sprint 8 <@U0BOB> ui",
            expect![[
                r#"Cover(CoverArgs { sprint: "Sprint 8", replacement: SlackUserId("U0BOB"), rest: ["ui"] })"#
            ]],
        );
        check(
            "cover 12",
            expect![
                "error: say who should cover: mention them with @ (usage: cover <sprint> <@person> [discipline] [reason…])"
            ],
        );
        check(
            "cover 12 bob",
            expect![
                "error: expected a person (mention them with @), not `bob` (usage: cover <sprint> <@person> [discipline] [reason…])"
            ],
        );
    }

    #[test]
    fn cover_tells_a_discipline_from_a_reason() {
        let Ok(Command::Cover(args)) = parse("cover 3 <@U2> UI sick") else {
            panic!("cover parses")
        };
        let known = [
            DisciplineKey::parse("ui").unwrap(),
            DisciplineKey::parse("backend").unwrap(),
        ];
        let find = |word: &str| {
            known
                .iter()
                .find(|k| k.as_str().eq_ignore_ascii_case(word))
                .cloned()
        };
        assert_eq!(
            args.split_discipline(find),
            (Some(known[0].clone()), Some("sick".to_string()))
        );
        let Ok(Command::Cover(args)) = parse("cover 3 <@U2> out sick") else {
            panic!("cover parses")
        };
        assert_eq!(
            args.split_discipline(find),
            (None, Some("out sick".to_string()))
        );
    }

    #[test]
    fn decisions() {
        check("cancel 4", expect!["Cancel { id: 4 }"]);
        check("cancel #4", expect!["Cancel { id: 4 }"]);
        check(
            "cancel",
            expect!["error: give the request's number (usage: cancel <id>)"],
        );
        check(
            "approve -1",
            expect!["error: expected a request number, not `-1` (usage: approve <id>)"],
        );
        check("approve 9", expect!["Approve { id: 9 }"]);
        check("accept 9", expect!["Accept { id: 9 }"]);
        check(
            "cover Sprint 4 open ui dentist",
            expect![[r#"CoverOpen { sprint: "Sprint 4", rest: ["ui", "dentist"] }"#]],
        );
        check(
            "swap 4 <@U2|bo> 6 ui dentist",
            expect![[
                r#"Swap { theirs: "6", args: CoverArgs { sprint: "4", replacement: SlackUserId("U2"), rest: ["ui", "dentist"] } }"#
            ]],
        );
        check(
            "swap 4 <@U2>",
            expect![[
                r#"error: say your sprint, the person (mention them with @) and their sprint (usage: swap <my sprint> <@person> <their sprint> [discipline] [reason…])"#
            ]],
        );
        check(
            "refuse 9 on leave",
            expect![[r#"Refuse { id: 9, reason: Some("on leave") }"#]],
        );
        check("decline 9", expect!["Decline { id: 9, reason: None }"]);
        check("revoke 9", expect!["Revoke { id: 9, reason: None }"]);
        check(
            "revoke #9 back from leave",
            expect![[r#"Revoke { id: 9, reason: Some("back from leave") }"#]],
        );
        check(
            "decline 9 not this week",
            expect![[r#"Decline { id: 9, reason: Some("not this week") }"#]],
        );
    }

    #[test]
    fn set_puts_someone_on_duty() {
        check(
            "set ui <@U0BOB|bob> Ana is out",
            expect![[
                r#"Set { discipline: DisciplineKey("ui"), user: SlackUserId("U0BOB"), reason: Some("Ana is out") }"#
            ]],
        );
        check(
            "set ui",
            expect![
                "error: name a discipline and a person (usage: set <discipline> <@person> [reason…])"
            ],
        );
        check(
            "set 9x <@U1>",
            expect![
                "error: `9x` is not a discipline key (usage: set <discipline> <@person> [reason…])"
            ],
        );
    }

    #[test]
    fn names_and_reasons_read_back_what_slack_escaped() {
        check(
            "member add <@U1|ana> ui Ana &amp; Co &lt;ops&gt;",
            expect![[
                r#"MemberAdd { user: SlackUserId("U1"), discipline: DisciplineKey("ui"), name: Some("Ana & Co <ops>") }"#
            ]],
        );
        check(
            "sprint add 2026-03-09 2026-03-22 R&amp;D &amp;lt;1&amp;gt;",
            expect![[r#"SprintAdd { start: 2026-03-09, end: 2026-03-22, name: "R&D &lt;1&gt;" }"#]],
        );
        check(
            "decline 9 ask <@U2|bo> &amp; &lt;@U3&gt;",
            expect![[r#"Decline { id: 9, reason: Some("ask <@U2|bo> & <@U3>") }"#]],
        );
    }

    #[test]
    fn team_setup() {
        check(
            "member add <@U1|ana> ui Ana Lima",
            expect![[
                r#"MemberAdd { user: SlackUserId("U1"), discipline: DisciplineKey("ui"), name: Some("Ana Lima") }"#
            ]],
        );
        check(
            "member remove <@U1> ui",
            expect![[
                r#"MemberRemove { user: SlackUserId("U1"), discipline: DisciplineKey("ui") }"#
            ]],
        );
        check(
            "member move <@U1> ui 2",
            expect![[
                r#"MemberMove { user: SlackUserId("U1"), discipline: DisciplineKey("ui"), position: 2 }"#
            ]],
        );
        check(
            "member fire <@U1>",
            expect![
                "error: expected `add`, `remove`, `move`, `join` or `leave` after `member` (usage: member add|remove|move|join|leave …)"
            ],
        );
        check(
            "sprint add 2026-03-09 2026-03-22 FY26 Sp21",
            expect![[r#"SprintAdd { start: 2026-03-09, end: 2026-03-22, name: "FY26 Sp21" }"#]],
        );
        check(
            "sprint add 2026-03-09 2026-03-22",
            expect![
                "error: give a start date, an end date and a name (usage: sprint add <start> <end> <name…>)"
            ],
        );
        check(
            "sprint generate 2026-03-09 3",
            expect!["SprintGenerate { start: 2026-03-09, count: 3, days: 14 }"],
        );
        check(
            "sprint generate 03/09/2026 3 7",
            expect![
                "error: expected a date as YYYY-MM-DD, not `03/09/2026` (usage: sprint generate <start> <count> [days])"
            ],
        );
        check(
            "sprint edit 4 - 2026-04-03 Hack week",
            expect![[
                r#"SprintEdit { sprint: "4", start: None, end: Some(2026-04-03), name: Some("Hack week") }"#
            ]],
        );
        check(
            "sprint edit 4 2026-03-30 -",
            expect![
                r#"SprintEdit { sprint: "4", start: Some(2026-03-30), end: None, name: None }"#
            ],
        );
        check(
            "sprint edit 4 2026-03-30",
            expect![
                "error: give the start and end dates (- keeps one) and optionally a new name (usage: sprint edit <n> <start|-> <end|-> [name…])"
            ],
        );
        check(
            "sprint shift 4 -7",
            expect![[r#"SprintShift { sprint: "4", days: -7 }"#]],
        );
        check(
            "sprint shift 4 soon",
            expect![
                "error: the days must be a whole number from -3660 to 3660, not `soon` (usage: sprint shift <n> <days>)"
            ],
        );
        check(
            "sprint retire 4",
            expect![[r#"SprintRetire { sprint: "4" }"#]],
        );
        check(
            "sprint retire next",
            expect![[r#"SprintRetire { sprint: "next" }"#]],
        );
        check("admins", expect!["AdminsList"]);
        check(
            "admins add <@U7|eve>",
            expect![[r#"AdminsAdd { user: SlackUserId("U7") }"#]],
        );
        check(
            "admins remove eve",
            expect![
                "error: expected a person (mention them with @), not `eve` (usage: admins [add|remove <@person>])"
            ],
        );
    }

    #[test]
    fn absences_and_policies() {
        check(
            "away 2026-04-01 2026-04-10 family trip",
            expect![[
                r#"AwayAdd { person: None, from: 2026-04-01, to: 2026-04-10, reason: Some("family trip") }"#
            ]],
        );
        check(
            "away <@U2|bea> 2026-04-01 2026-04-01",
            expect![[
                r#"AwayAdd { person: Some(SlackUserId("U2")), from: 2026-04-01, to: 2026-04-01, reason: None }"#
            ]],
        );
        check(
            "away 2026-04-01",
            expect![
                "error: give the first and the last day away, as YYYY-MM-DD (usage: away [<@person>] <first day> <last day> [reason…])"
            ],
        );
        check(
            "away april 2026-04-03",
            expect![
                "error: expected a date as YYYY-MM-DD, not `april` (usage: away [<@person>] <first day> <last day> [reason…])"
            ],
        );
        check(
            "away 2026-04-01 2026-04-03 <@U2|bea>",
            expect![
                "error: the reason is only a mention; to record someone else's absence, name them first (usage: away <@person> <first day> <last day> [reason…])"
            ],
        );
        check(
            "away 2026-04-01 2026-04-03 covering for <@U2|bea>",
            expect![[
                r#"AwayAdd { person: None, from: 2026-04-01, to: 2026-04-03, reason: Some("covering for <@U2|bea>") }"#
            ]],
        );
        check("away", expect!["AwayList"]);
        check("away list", expect!["AwayList"]);
        check("away remove #3", expect!["AwayRemove { id: 3 }"]);
        check(
            "away remove",
            expect![
                "error: give the absence's number (`away list` shows it) (usage: away remove <id>)"
            ],
        );
        check("policy", expect!["Policies"]);
        check(
            "policy ui away swap-next",
            expect![[r#"PolicySet { discipline: DisciplineKey("ui"), policy: SwapNext }"#]],
        );
        check(
            "policy ui away swap",
            expect![
                "error: `swap` is not an away policy (expected warn or swap-next) (usage: policy <discipline> away warn|swap-next)"
            ],
        );
        assert!(is_read_only("away list") && is_read_only("policy"));
        assert!(!is_read_only("away 2026-04-01 2026-04-02"));
    }

    #[test]
    fn dated_joins_and_leaves() {
        check(
            "member join <@U1|ana> ui 2026-04-06 Ana Lima",
            expect![[
                r#"MemberOn { kind: Join, user: SlackUserId("U1"), discipline: DisciplineKey("ui"), on: 2026-04-06, name: Some("Ana Lima") }"#
            ]],
        );
        check(
            "member leave <@U1> ui 2026-04-06",
            expect![[
                r#"MemberOn { kind: Leave, user: SlackUserId("U1"), discipline: DisciplineKey("ui"), on: 2026-04-06, name: None }"#
            ]],
        );
        check(
            "member leave <@U1> ui cancel",
            expect![[
                r#"MemberCancel { kind: Leave, user: SlackUserId("U1"), discipline: DisciplineKey("ui") }"#
            ]],
        );
        check(
            "member join <@U1> ui",
            expect![
                "error: name a person, a discipline and the date (or `cancel`) (usage: member join <@person> <discipline> <date>|cancel [name…])"
            ],
        );
        check(
            "member leave <@U1> ui 2026-04-06 Ana",
            expect![
                "error: a leave takes no name (usage: member leave <@person> <discipline> <date>|cancel)"
            ],
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "who"), 3);
        assert_eq!(edit_distance("woh", "who"), 2);
        assert_eq!(edit_distance("cover", "cover"), 0);
        assert_eq!(edit_distance("overides", "overrides"), 1);
    }
}
