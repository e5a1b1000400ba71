//! Command-line syntax (clap types). This is raw, unvalidated input: `config` turns the global
//! settings into typed values, and each command parses its own arguments into domain types.

use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "triage-bot",
    version,
    about = "Runs triage / on-call rotations for small teams in Slack",
    after_help = "With no command, runs `serve` when Slack tokens are set and the local demo otherwise."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The settings for the chosen subcommand: server settings given after it replace those
    /// given before it.
    pub fn effective_settings(&self) -> Settings {
        let mut settings = self.settings.clone();
        if let Some(
            Command::Serve { server, .. }
            | Command::Doctor { server, .. }
            | Command::Demo { server, .. }
            | Command::Healthcheck { server },
        ) = &self.command
        {
            settings.server = settings.server.overridden_by(server);
        }
        settings
    }

    /// Parses the process's command line like `Cli::parse`, and records which settings were
    /// read from the environment, so an invalid one is reported by the name the user wrote.
    pub fn parse_args() -> Cli {
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
        let mut from_environment: Vec<String> = matches
            .ids()
            .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::EnvVariable))
            .map(|id| id.as_str().to_string())
            .collect();
        // A flag given after the subcommand wins over the environment read before it.
        let mut level = matches.subcommand();
        while let Some((_, sub)) = level {
            from_environment.retain(|id| {
                !sub.ids().any(|sub_id| {
                    sub_id.as_str() == id && sub.value_source(id) == Some(ValueSource::CommandLine)
                })
            });
            level = sub.subcommand();
        }
        cli.settings.from_environment = from_environment;
        cli
    }
}

/// Settings shared by every command. Each may also come from the environment or the TOML file
/// named by `--config`; a flag wins over the environment, which wins over the file.
#[derive(Debug, Clone, Default, Args)]
pub struct Settings {
    /// SQLite database file [default: triage.db; the demo: a temporary file, and it reads no
    /// TRIAGE_DB]
    #[arg(long, global = true, env = "TRIAGE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Optional TOML file with settings (keys: db, timezone, handoff_time, db_busy_timeout_ms, …)
    #[arg(long, global = true, env = "TRIAGE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print machine-readable JSON (read commands)
    #[arg(long, global = true)]
    pub json: bool,

    /// The team's IANA time zone [default: America/Los_Angeles]
    #[arg(long, global = true, env = "TRIAGE_TIMEZONE", value_name = "ZONE")]
    pub timezone: Option<String>,

    /// Local time of day when duty hands over, HH:MM [default: 08:00]
    #[arg(long, global = true, env = "TRIAGE_HANDOFF_TIME", value_name = "HH:MM")]
    pub handoff_time: Option<String>,

    /// One person on duty for two disciplines in a sprint, or in two sprints running: avoid (the
    /// rotation skips them when someone else can take the turn), warn or allow [default: avoid]
    #[arg(long, global = true, env = "TRIAGE_DOUBLE_DUTY", value_name = "POLICY")]
    pub double_duty: Option<String>,

    /// Comma-separated admin user ids, in addition to `admin add`
    #[arg(long, global = true, env = "TRIAGE_ADMINS", value_name = "U…,U…")]
    pub admins: Option<String>,

    /// Start the clock at this RFC 3339 instant instead of the real time (demos and tests)
    #[arg(
        long,
        global = true,
        env = "TRIAGE_CLOCK_START",
        value_name = "INSTANT",
        hide = true
    )]
    pub clock_start: Option<String>,

    /// How long one attempt waits for a locked database, in ms [default: 5000]
    #[arg(
        long,
        global = true,
        env = "TRIAGE_DB_BUSY_TIMEOUT_MS",
        value_name = "MS"
    )]
    pub db_busy_timeout_ms: Option<String>,

    /// Further attempts when the database stays locked [default: 5]
    #[arg(long, global = true, env = "TRIAGE_DB_RETRIES", value_name = "N")]
    pub db_retries: Option<String>,

    /// First delay between attempts, in ms [default: 50]
    #[arg(
        long,
        global = true,
        env = "TRIAGE_DB_RETRY_BASE_MS",
        value_name = "MS"
    )]
    pub db_retry_base_ms: Option<String>,

    /// Longest delay between attempts, in ms [default: 2000]
    #[arg(long, global = true, env = "TRIAGE_DB_RETRY_MAX_MS", value_name = "MS")]
    pub db_retry_max_ms: Option<String>,

    /// WAL pages after which a commit checkpoints; 0 leaves checkpoints to Litestream
    /// [default: 1000]
    #[arg(
        long,
        global = true,
        env = "TRIAGE_DB_WAL_AUTOCHECKPOINT",
        value_name = "PAGES"
    )]
    pub db_wal_autocheckpoint: Option<String>,

    /// Settings only the running bot uses; shown under their own heading, last.
    #[command(flatten)]
    pub server: ServerSettings,

    /// The settings (by field name, e.g. `handoff_time`) whose value came from the environment
    /// rather than a flag; filled by [`Cli::parse_args`].
    #[arg(skip)]
    pub from_environment: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bring the database schema up to date (every command also does this on start)
    Migrate {
        /// Only report the schema version; change nothing
        #[arg(long)]
        check: bool,
    },
    /// Add and list disciplines
    #[command(subcommand)]
    Discipline(DisciplineCommand),
    /// Add, remove, reorder and list the people in each discipline's rotation
    #[command(subcommand)]
    Member(MemberCommand),
    /// Add, generate and list sprints
    #[command(subcommand)]
    Sprint(SprintCommand),
    /// Who is on duty now (or at another moment), per discipline
    Who {
        /// A date (YYYY-MM-DD, at the handoff time) or an RFC 3339 instant [default: now]
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// The rotation for the coming sprints
    Schedule {
        /// First day to show (YYYY-MM-DD) [default: today]
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// How many sprints to show
        #[arg(long, default_value = "6", value_name = "N")]
        count: String,
    },
    /// Fairness: per person and discipline, sprints served, covers given and received, and
    /// turns skipped or owed (moved by away swaps, passed over by double-duty avoidance), from
    /// the recorded history of started sprints
    Stats {
        /// Only sprints starting on or after this day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Only this discipline (its key)
        #[arg(long, value_name = "KEY")]
        discipline: Option<String>,
    },
    /// Handoff notes left by the people on duty: sprint, discipline, person, text, updated
    Notes {
        /// Only this sprint: its name, the number it ends with, a day in it, `now` or `next`
        #[arg(long, value_name = "SPRINT")]
        sprint: Option<String>,
    },
    /// Make a calendar feed (a person's or the team's) and print its private address, once
    ///
    /// The address is printed only when the feed is made or reset: it is not kept anywhere
    /// (only a hash of its token is). Needs TRIAGE_PUBLIC_URL or a TRIAGE_HTTP_ADDR on a
    /// specific IP to know the address people reach the bot at.
    Calendar {
        /// Whose duties: a person's Slack id (U…) or `team`
        #[arg(value_name = "U…|team")]
        subject: String,
        /// Give the feed a new address; the old one stops working at once
        #[arg(long)]
        reset: bool,
        #[command(flatten)]
        by: By,
    },
    /// File and decide coverage requests
    #[command(subcommand)]
    Override(OverrideCommand),
    /// Manage who may approve requests and change the team
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Show the newest entries of the audit log
    Audit {
        /// How many entries to show, newest first
        #[arg(long, default_value = "20", value_name = "N")]
        limit: String,
    },
    /// Import the JSON files of the Node.js triage bot (sprints, disciplines, overrides, state)
    ImportLegacy {
        /// Directory holding sprints.json, disciplines.json, overrides.json, currentState.json
        dir: PathBuf,
        /// Print what would be imported; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Slack user id recorded in the audit log
        #[arg(long, value_name = "U…", default_value = "cli")]
        by: String,
    },
    /// Connect to Slack over Socket Mode and run the bot until stopped
    Serve {
        #[command(flatten)]
        server: ServerSettings,
        #[command(flatten)]
        slack: SlackArgs,
    },
    /// Check the configuration, database, tokens, channels, user groups and schedule
    Doctor {
        #[command(flatten)]
        server: ServerSettings,
        #[command(flatten)]
        slack: SlackArgs,
    },
    /// Ask a running bot's /healthz (at TRIAGE_HTTP_ADDR); exit 0 when healthy
    Healthcheck {
        #[command(flatten)]
        server: ServerSettings,
    },
    /// Try the bot locally: a sample team, a fake Slack workspace and a console to act in it
    ///
    /// The demo uses a temporary database, deleted at the end, unless `--db` is given on its
    /// command line; TRIAGE_DB and the config file's `db` are ignored. It refuses a database
    /// holding a real team (people or disciplines that are not the demo's) unless
    /// `--force-demo-db` is given.
    Demo {
        /// Use the `--db` file even though it holds a real team: the demo adds fictional
        /// announcements and requests to it
        #[arg(long)]
        force_demo_db: bool,
        #[command(flatten)]
        server: ServerSettings,
    },
    /// Run a local fake Slack workspace to try `serve` against
    SlackEmulator {
        /// Port on 127.0.0.1 (0 picks a free one)
        #[arg(long, default_value = "0")]
        port: String,
    },
    /// Write a consistent copy of the database, safe while the bot is running
    Backup {
        /// Destination file
        file: PathBuf,
        /// Overwrite the destination if it exists
        #[arg(long)]
        force: bool,
    },
}

/// Settings only the running bot uses (`serve`, `doctor`, `demo`, and no subcommand). Each may
/// also come from the environment or the TOML file; given after the subcommand, it wins over
/// one given before it.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Server settings")]
pub struct ServerSettings {
    /// Triage channel (C…): handoff posts and its topic
    #[arg(long, env = "TRIAGE_CHANNEL", value_name = "C…")]
    pub channel: Option<String>,

    /// Admin channel (C…): coverage requests land here with Approve / Decline buttons
    #[arg(long, env = "TRIAGE_ADMIN_CHANNEL", value_name = "C…")]
    pub admin_channel: Option<String>,

    /// On-call user group (S…) holding everyone on duty
    #[arg(long, env = "TRIAGE_USERGROUP", value_name = "S…")]
    pub usergroup: Option<String>,

    /// The slash command the bot answers [default: /triage]
    #[arg(long, env = "TRIAGE_COMMAND", value_name = "/NAME")]
    pub command: Option<String>,

    /// Local time of the heads-up on the last working day before a handoff, HH:MM [default:
    /// 17:00]
    #[arg(long, env = "TRIAGE_HEADS_UP_TIME", value_name = "HH:MM")]
    pub heads_up_time: Option<String>,

    /// The team's working days, e.g. mon-fri, sun-thu or mon,tue,wed,thu [default: mon-fri]
    #[arg(long, env = "TRIAGE_WORKDAYS", value_name = "DAYS")]
    pub workdays: Option<String>,

    /// Comma-separated holidays (YYYY-MM-DD): no heads-ups or routine messages on them
    #[arg(long, env = "TRIAGE_HOLIDAYS", value_name = "DATES")]
    pub holidays: Option<String>,

    /// Also remind incoming people this long before a handoff, e.g. 7d or 2w (at most 60d),
    /// on a working day at the heads-up time [default: off]
    #[arg(long, env = "TRIAGE_REMINDER_LEAD", value_name = "LEAD")]
    pub reminder_lead: Option<String>,

    /// Gather changes to upcoming duty this long (from the first) before telling each person
    /// they moved, once, with the net change: e.g. 10m, 90s or 1h (at most 24h; 0: at once)
    /// [default: 10m]
    #[arg(long, env = "TRIAGE_IMPACT_WINDOW", value_name = "DURATION")]
    pub impact_window: Option<String>,

    /// Serve /healthz and /metrics on this address, e.g. 127.0.0.1:9000 [default: off]
    #[arg(long, env = "TRIAGE_HTTP_ADDR", value_name = "ADDR")]
    pub http_addr: Option<String>,

    /// The address people reach the HTTP listener at, for calendar feed URLs, e.g.
    /// https://triage.example.com [default: http://TRIAGE_HTTP_ADDR when that is a specific IP]
    #[arg(long, env = "TRIAGE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// Days before a handoff that the admin channel hears of a duty falling in the person's
    /// absence that nobody covers [default: 14]
    #[arg(long, env = "TRIAGE_AWAY_ALERT_LEAD", value_name = "DAYS")]
    pub away_alert_lead: Option<String>,
}

impl ServerSettings {
    /// These settings with every one given in `later` replacing this one's.
    pub fn overridden_by(&self, later: &ServerSettings) -> ServerSettings {
        let pick = |a: &Option<String>, b: &Option<String>| b.clone().or_else(|| a.clone());
        ServerSettings {
            channel: pick(&self.channel, &later.channel),
            admin_channel: pick(&self.admin_channel, &later.admin_channel),
            usergroup: pick(&self.usergroup, &later.usergroup),
            command: pick(&self.command, &later.command),
            heads_up_time: pick(&self.heads_up_time, &later.heads_up_time),
            workdays: pick(&self.workdays, &later.workdays),
            holidays: pick(&self.holidays, &later.holidays),
            reminder_lead: pick(&self.reminder_lead, &later.reminder_lead),
            impact_window: pick(&self.impact_window, &later.impact_window),
            http_addr: pick(&self.http_addr, &later.http_addr),
            public_url: pick(&self.public_url, &later.public_url),
            away_alert_lead: pick(&self.away_alert_lead, &later.away_alert_lead),
        }
    }
}

/// Slack connection settings; tokens come from the environment only.
#[derive(Debug, Clone, Args)]
pub struct SlackArgs {
    /// App-level token (xapp-…) with connections:write
    #[arg(long, env = "SLACK_APP_TOKEN", hide_env_values = true, hide = true)]
    pub slack_app_token: Option<String>,
    /// Bot token (xoxb-…)
    #[arg(long, env = "SLACK_BOT_TOKEN", hide_env_values = true, hide = true)]
    pub slack_bot_token: Option<String>,
    /// An admin's user token (xoxp-…), used only for user groups when apps may not edit them
    #[arg(long, env = "SLACK_USER_TOKEN", hide_env_values = true, hide = true)]
    pub slack_user_token: Option<String>,
    /// Base URL of Slack's Web API
    #[arg(long, env = "SLACK_API_URL", default_value = "https://slack.com/api")]
    pub slack_api_url: String,
    /// A token the HTTP listener's API and metrics require (environment only, like the tokens)
    #[arg(long, env = "TRIAGE_HTTP_TOKEN", hide_env_values = true, hide = true)]
    pub http_token: Option<String>,
}

impl SlackArgs {
    /// The Slack settings from the environment alone, for running with no subcommand.
    pub fn from_env() -> Result<SlackArgs, clap::Error> {
        #[derive(Parser)]
        struct Environment {
            #[command(flatten)]
            slack: SlackArgs,
        }
        Environment::try_parse_from(["triage-bot"]).map(|parsed| parsed.slack)
    }

    /// Whether either Slack token is set.
    pub fn has_tokens(&self) -> bool {
        let set = |token: &Option<String>| token.as_deref().is_some_and(|t| !t.is_empty());
        set(&self.slack_app_token) || set(&self.slack_bot_token)
    }
}

/// Who made a change, for the audit log.
#[derive(Debug, Clone, Args)]
pub struct By {
    /// Slack user id recorded in the audit log as the actor
    #[arg(long, value_name = "U…", default_value = "cli")]
    pub by: String,
}

/// Try a change without making it.
#[derive(Debug, Clone, Copy, Args)]
pub struct DryRun {
    /// Make the change in a transaction that is rolled back: print whose duties over the next
    /// 8 sprints it would move (what each had, what each would have), change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum DisciplineCommand {
    /// Add a discipline, or update its name and fallback
    Add {
        /// Short key, e.g. `ui` or `backend`
        key: String,
        /// Display name, e.g. "UI Engineering"
        #[arg(long)]
        name: String,
        /// Who is on duty when the discipline has no active members
        #[arg(long, value_name = "U…")]
        fallback: Option<String>,
        /// Slack user group (S…) holding whoever is on duty for this discipline
        #[arg(long, value_name = "S…")]
        usergroup: Option<String>,
        #[command(flatten)]
        by: By,
    },
    /// Show or set who approves a cover once the person named to cover accepted it
    Approval {
        /// The discipline's key
        key: String,
        /// `admin` (every cover), `none` (their acceptance is enough) or `admin-if-conflict`
        /// (only a cover that gives them double or back-to-back duty); leave out to show it
        policy: Option<String>,
        #[command(flatten)]
        by: By,
    },
    /// List disciplines in display order
    List,
    /// Choose what happens when someone is away during their duty in a discipline
    Policy {
        /// The discipline's key
        key: String,
        /// `warn`: nothing moves, the person and (if nobody covers) the admins are told;
        /// `swap-next`: the person swaps with the next person on duty who can take it
        #[arg(long, value_name = "POLICY")]
        away: String,
        #[command(flatten)]
        by: By,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a person to a discipline's rotation (or reactivate / rename them)
    Add {
        /// The person's Slack user id (U…)
        slack_id: String,
        /// The discipline's key
        discipline: String,
        /// Display name
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Take a person out of the rotation; they stay listed and history is kept
    Remove {
        /// The person's Slack user id (U…)
        slack_id: String,
        /// The discipline's key
        discipline: String,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Put a removed person back into the rotation, in their old place
    Reactivate {
        /// The person's Slack user id (U…)
        slack_id: String,
        /// The discipline's key
        discipline: String,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Move a person to another place in the rotation order (1 = first)
    Move {
        /// The person's Slack user id (U…)
        slack_id: String,
        /// The discipline's key
        discipline: String,
        /// The new place in the rotation order, 1 = first
        #[arg(long, value_name = "POSITION")]
        to: String,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// List members in rotation order, and the joins and leaves scheduled
    List {
        /// Only this discipline's members (its key)
        #[arg(long, value_name = "KEY")]
        discipline: Option<String>,
    },
    /// Add a person to a rotation at the first handoff on or after a date
    Join {
        /// The person's Slack user id (U…)
        slack_id: String,
        /// The discipline's key
        discipline: String,
        /// The day, YYYY-MM-DD: the change takes effect at the first handoff on or after it
        #[arg(long, value_name = "DATE", required_unless_present = "cancel")]
        on: Option<String>,
        /// Display name
        #[arg(long)]
        name: Option<String>,
        /// Cancel the scheduled join instead
        #[arg(long, conflicts_with_all = ["on", "name"])]
        cancel: bool,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Take a person out of a rotation at the first handoff on or after a date
    Leave {
        /// The person's Slack user id (U…)
        slack_id: String,
        /// The discipline's key
        discipline: String,
        /// The day, YYYY-MM-DD: the change takes effect at the first handoff on or after it
        #[arg(long, value_name = "DATE", required_unless_present = "cancel")]
        on: Option<String>,
        /// Cancel the scheduled leave instead
        #[arg(long, conflicts_with = "on")]
        cancel: bool,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Record, list and remove the days people are away
    #[command(subcommand)]
    Away(AwayCommand),
}

#[derive(Debug, Subcommand)]
pub enum AwayCommand {
    /// Record the days a person is away (first and last day inclusive)
    Add {
        /// The person's Slack user id (U…)
        slack_id: String,
        /// First day away, YYYY-MM-DD
        from: String,
        /// Last day away, YYYY-MM-DD
        to: String,
        /// Why, shown to the person and the admins
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        by: By,
    },
    /// List the absences that have not ended
    List {
        /// Only this person's (Slack user id)
        #[arg(long, value_name = "U…")]
        person: Option<String>,
    },
    /// Remove an absence (swaps it caused stay)
    Remove {
        /// The absence's number, as `member away list` shows it
        id: String,
        #[command(flatten)]
        by: By,
    },
}

#[derive(Debug, Subcommand)]
pub enum SprintCommand {
    /// Add a sprint after the last one
    Add {
        /// The sprint's name, e.g. "Sprint 12"
        name: String,
        /// First day, YYYY-MM-DD
        start: String,
        /// Last day, YYYY-MM-DD
        end: String,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Add several back-to-back sprints after the last one
    Generate {
        /// First day of the first sprint, YYYY-MM-DD
        #[arg(long)]
        start: String,
        /// Length of each sprint in days
        #[arg(long, default_value = "14")]
        days: String,
        /// How many sprints to add
        #[arg(long)]
        count: String,
        /// Name pattern: its placeholder (n in braces, as in the default) becomes the sprint's
        /// number (index + 1)
        #[arg(long, default_value = "Sprint {n}")]
        name_pattern: String,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// List live sprints
    List,
    /// Rename or re-date a sprint that has not started
    Edit {
        /// The sprint: its name, the number it ends with, a day in it, `now` or `next`
        sprint: String,
        /// New name
        #[arg(long)]
        name: Option<String>,
        /// New first day, YYYY-MM-DD
        #[arg(long)]
        start: Option<String>,
        /// New last day, YYYY-MM-DD
        #[arg(long)]
        end: Option<String>,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Move a sprint that has not started, and every sprint after it, by some days
    Shift {
        /// The first sprint to move: its name, the number it ends with, a day in it or `next`
        sprint: String,
        /// Days to move by; negative moves earlier
        #[arg(long, allow_hyphen_values = true)]
        days: String,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Retire a sprint that has not started (its history stays)
    Retire {
        /// The sprint: its name, the number it ends with, a day in it or `next`
        sprint: String,
        #[command(flatten)]
        by: By,
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Declare how sprints repeat, so the bot keeps the plan extended
    #[command(subcommand)]
    Cadence(CadenceCommand),
}

#[derive(Debug, Subcommand)]
pub enum CadenceCommand {
    /// Declare (or replace) the cadence and extend the plan now
    Set {
        /// First day of the cadence's first sprint, YYYY-MM-DD
        #[arg(long)]
        start: String,
        /// Length of each sprint in days
        #[arg(long)]
        days: String,
        /// Name pattern: its placeholder (n in braces, as in the default) becomes the sprint's
        /// number (index + 1)
        #[arg(long, default_value = "Sprint {n}")]
        name_pattern: String,
        /// How many weeks ahead the plan must always reach
        #[arg(long, default_value = "12")]
        horizon_weeks: String,
        #[command(flatten)]
        by: By,
    },
    /// Show the declared cadence
    Show,
    /// Stop extending the plan (existing sprints stay)
    Clear {
        #[command(flatten)]
        by: By,
    },
}

#[derive(Debug, Subcommand)]
pub enum OverrideCommand {
    /// Ask for someone to cover one (sprint, discipline) slot
    Request {
        /// The sprint: its name, the number it ends with, a day in it, `now` or `next`
        sprint: String,
        /// The discipline's key
        discipline: String,
        /// Who would cover the slot (Slack user id)
        #[arg(long, value_name = "U…")]
        replacement: String,
        /// The requester (the person on duty, or an admin)
        #[arg(long, value_name = "U…")]
        by: String,
        /// Why cover is needed, shown to the admins
        #[arg(long)]
        reason: Option<String>,
    },
    /// Agree to cover: the person a proposed request names accepts it
    Accept {
        /// The request's number, as `override list` shows it
        id: String,
        /// The person named to cover (Slack user id)
        #[arg(long, value_name = "U…")]
        by: String,
    },
    /// Say no to covering: the person a proposed request names refuses it
    Refuse {
        /// The request's number, as `override list` shows it
        id: String,
        /// The person named to cover (Slack user id)
        #[arg(long, value_name = "U…")]
        by: String,
        /// Why, told to the requester
        #[arg(long)]
        reason: Option<String>,
    },
    /// Approve a pending request (admins only)
    Approve {
        /// The request's number, as `override list` shows it
        id: String,
        /// The admin approving it (Slack user id)
        #[arg(long, value_name = "U…")]
        by: String,
        /// Approve even though the cover gives its replacement double or back-to-back duty
        #[arg(long)]
        confirm: bool,
    },
    /// Decline a pending request (admins only)
    Decline {
        /// The request's number, as `override list` shows it
        id: String,
        /// The admin declining it (Slack user id)
        #[arg(long, value_name = "U…")]
        by: String,
        /// Why, told to the requester
        #[arg(long)]
        reason: Option<String>,
    },
    /// Withdraw a pending request (the requester or an admin)
    Cancel {
        /// The request's number, as `override list` shows it
        id: String,
        /// The requester or an admin (Slack user id)
        #[arg(long, value_name = "U…")]
        by: String,
    },
    /// Withdraw an approved cover; the rotation's pick is back on duty (admins only)
    Revoke {
        /// The request's number, as `override list` shows it
        id: String,
        /// The admin revoking it (Slack user id)
        #[arg(long, value_name = "U…")]
        by: String,
        /// Why, told to the people concerned
        #[arg(long)]
        reason: Option<String>,
    },
    /// List requests
    List {
        /// Only requests with this status: proposed, pending, approved, declined, cancelled,
        /// superseded, expired or revoked
        #[arg(long)]
        status: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Make a person an admin
    Add {
        /// The person's Slack user id (U…)
        slack_id: String,
        #[command(flatten)]
        by: By,
    },
    /// Take away a person's admin rights
    Remove {
        /// The person's Slack user id (U…)
        slack_id: String,
        #[command(flatten)]
        by: By,
    },
    /// List admins
    List,
}
