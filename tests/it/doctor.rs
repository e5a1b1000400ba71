//! `doctor` against the emulator: a healthy setup passes, and each problem injected on its own
//! is caught with a fix in plain words.

use clap::Parser;
use triage_bot::cli::{Cli, SlackArgs};
use triage_bot::config::Config;
use triage_bot::doctor::{self, Check, Status};
use triage_bot::domain::{Sprint, SprintIndex};
use triage_bot::slack::emulator::{Emulator, Fault};

use triage_bot::store::Store;

use super::store::{now, team_store};

struct Setup {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    emulator: Emulator,
}

impl Setup {
    /// A team with sprints through mid-May and the emulator's channels and group configured.
    async fn new() -> Setup {
        let (dir, store) = team_store();
        for index in 0..6 {
            let start = jiff::civil::date(2026, 3, 2)
                .checked_add(jiff::ToSpan::days(14 * index))
                .unwrap();
            let sprint = Sprint {
                index: SprintIndex::new(index).unwrap(),
                name: format!("Sprint {}", index + 1),
                start,
                end: start.checked_add(jiff::ToSpan::days(13)).unwrap(),
            };
            store.create_sprint(&sprint, "test", now()).unwrap();
        }
        let db = dir.path().join("triage.db");
        Setup {
            _dir: dir,
            db,
            emulator: Emulator::start().await.unwrap(),
        }
    }

    /// The configuration, with `overrides` (flag, value) replacing the defaults.
    fn config(&self, overrides: &[&str]) -> Config {
        let mut settings = [
            ("--channel", "C0TRIAGE"),
            ("--admin-channel", "C0GENERAL"),
            ("--usergroup", "S0ONCALL"),
        ];
        for pair in overrides.chunks(2) {
            if let Some(slot) = settings.iter_mut().find(|(flag, _)| *flag == pair[0]) {
                slot.1 = pair[1];
            }
        }
        let mut args = vec!["triage-bot", "--db", self.db.to_str().unwrap()];
        args.extend(settings.iter().flat_map(|(flag, value)| [*flag, *value]));
        Config::from_settings(&Cli::parse_from(args).settings).unwrap()
    }

    fn slack(&self) -> SlackArgs {
        SlackArgs {
            slack_app_token: Some("xapp-emulator-app-token".into()),
            slack_bot_token: Some("xoxb-emulator-bot-token".into()),
            slack_user_token: None,
            slack_api_url: self.emulator.api_url(),
            http_token: None,
        }
    }

    async fn examine(&self, config: &Config, slack: &SlackArgs) -> Vec<Check> {
        doctor::examine(config, slack, now()).await
    }
}

fn problems(checks: &[Check]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| c.status == Status::Problem)
        .map(|c| {
            format!(
                "{}: {} | fix: {}",
                c.name,
                c.detail,
                c.fix.as_deref().unwrap_or("")
            )
        })
        .collect()
}

#[tokio::test]
async fn a_healthy_setup_passes_every_check() {
    let setup = Setup::new().await;
    let checks = setup.examine(&setup.config(&[]), &setup.slack()).await;
    assert_eq!(problems(&checks), Vec::<String>::new());
    let report = doctor::render(&checks);
    assert!(report.ends_with("all checks passed\n"), "{report}");
    for line in [
        "ok       bot token: accepted",
        "ok       app token: accepted",
        "ok       TRIAGE_CHANNEL C0TRIAGE: the bot is in #triage",
        "ok       user group S0ONCALL: @triage-oncall can be edited",
        "ok       schedule: sprints are planned through 2026-05-24 (Sprint 6)",
    ] {
        assert!(report.contains(line), "{line}\n{report}");
    }
}

#[tokio::test]
async fn wrong_tokens_are_caught() {
    let setup = Setup::new().await;
    let slack = SlackArgs {
        slack_bot_token: Some("xoxb-revoked".into()),
        slack_app_token: Some("xapp-revoked".into()),
        ..setup.slack()
    };
    let found = problems(&setup.examine(&setup.config(&[]), &slack).await);
    assert!(
        found.iter().any(|p| p.starts_with(
            "bot token: Slack refused the token: invalid_auth | fix: copy the Bot User OAuth Token"
        )),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|p| p.starts_with(
            "app token: Slack refused the token: invalid_auth | fix: create an app-level token"
        )),
        "{found:#?}"
    );
    let missing = SlackArgs {
        slack_bot_token: None,
        ..setup.slack()
    };
    let found = problems(&setup.examine(&setup.config(&[]), &missing).await);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("bot token: SLACK_BOT_TOKEN is not set")),
        "{found:#?}"
    );
}

#[tokio::test]
async fn a_channel_without_the_bot_is_caught() {
    let setup = Setup::new().await;
    setup
        .emulator
        .edit_workspace(|w| w.bot_not_in.push("C0GENERAL".into()));
    let found = problems(&setup.examine(&setup.config(&[]), &setup.slack()).await);
    assert_eq!(
        found,
        [
            "TRIAGE_ADMIN_CHANNEL C0GENERAL: the bot is not in #general | fix: invite it: type `/invite @triage` in #general"
        ]
    );
    let found = problems(
        &setup
            .examine(&setup.config(&["--channel", "C0NOPE"]), &setup.slack())
            .await,
    );
    assert!(
        found[0].starts_with("TRIAGE_CHANNEL C0NOPE: no such channel"),
        "{found:#?}"
    );
}

#[tokio::test]
async fn a_user_group_the_bot_may_not_edit_is_caught() {
    let setup = Setup::new().await;
    setup.emulator.inject(Fault::Error {
        method: "usergroups.users.update".into(),
        code: "permission_denied".into(),
        times: 1,
    });
    let found = problems(&setup.examine(&setup.config(&[]), &setup.slack()).await);
    assert_eq!(
        found,
        [
            "user group S0ONCALL: the bot may not edit user groups in this workspace (permission_denied) | fix: let everyone (apps included) manage user groups in workspace settings, or set SLACK_USER_TOKEN to an admin's xoxp- token"
        ]
    );
    let found = problems(
        &setup
            .examine(&setup.config(&["--usergroup", "S0MISSING"]), &setup.slack())
            .await,
    );
    assert!(
        found[0].starts_with("user group S0MISSING: no such user group"),
        "{found:#?}"
    );
}

#[tokio::test]
async fn a_schedule_that_runs_out_is_caught() {
    let setup = Setup::new().await;
    let late = Config {
        clock_start: Some("2026-05-10T12:00:00-07:00".parse().unwrap()),
        ..setup.config(&[])
    };
    let checks = doctor::examine(&late, &setup.slack(), late.now()).await;
    let found = problems(&checks);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("schedule: in the next 28 days, no sprint covers 2026-05-25 to 2026-06-07 (14 days): the last sprint, Sprint 6, ends on 2026-05-24 | fix: add sprints"), "{found:#?}");
    let last_days = Config {
        clock_start: Some("2026-04-28T12:00:00-07:00".parse().unwrap()),
        ..setup.config(&[])
    };
    let checks = doctor::examine(&last_days, &setup.slack(), last_days.now()).await;
    assert_eq!(
        problems(&checks),
        [
            "schedule: in the next 28 days, no sprint covers 2026-05-25 to 2026-05-26 (2 days): the last sprint, Sprint 6, ends on 2026-05-24 | fix: add sprints, e.g. `triage-bot sprint generate --start <first day> --days 14 --count 6` (through 2026-05-26 at least)"
        ]
    );
}

#[tokio::test]
async fn gaps_in_the_upcoming_plan_are_listed() {
    let setup = Setup::new().await;
    let store = Store::open(&setup.db, Default::default()).unwrap().0;
    // Sprint 6 ends on 2026-05-24; Sprint 7 leaves a gap of four days before it.
    store
        .create_sprint(
            &sprint(6, "Sprint 7", "2026-05-29", "2026-06-30"),
            "test",
            now(),
        )
        .unwrap();
    let config = Config {
        clock_start: Some("2026-05-20T12:00:00-07:00".parse().unwrap()),
        ..setup.config(&[])
    };
    let checks = doctor::examine(&config, &setup.slack(), config.now()).await;
    assert_eq!(
        problems(&checks),
        [
            "schedule: in the next 28 days, no sprint covers 2026-05-25 to 2026-05-28 (4 days), between Sprint 6 and Sprint 7 | fix: nobody is on triage duty on those days; if that is not intended, plan sprints for them"
        ]
    );
}

fn sprint(index: i64, name: &str, start: &str, end: &str) -> Sprint {
    Sprint {
        index: SprintIndex::new(index).unwrap(),
        name: name.to_string(),
        start: start.parse().unwrap(),
        end: end.parse().unwrap(),
    }
}

#[tokio::test]
async fn an_old_or_missing_database_is_caught() {
    let setup = Setup::new().await;
    rusqlite::Connection::open(&setup.db)
        .unwrap()
        .pragma_update(None, "user_version", 0)
        .unwrap();
    let found = problems(&setup.examine(&setup.config(&[]), &setup.slack()).await);
    assert!(
        found.iter().any(|p| p.contains(&format!(
            "has schema version 0; this triage-bot uses {} | fix: run `triage-bot migrate`",
            triage_bot::store::SCHEMA_VERSION
        ))),
        "{found:#?}"
    );
    let gone = Config {
        db: setup.db.with_file_name("nothing-here.db"),
        ..setup.config(&[])
    };
    let found = problems(&setup.examine(&gone, &setup.slack()).await);
    assert!(
        found
            .iter()
            .any(|p| p.contains("nothing-here.db does not exist")),
        "{found:#?}"
    );
    assert!(!gone.db.exists(), "doctor created nothing");
}
