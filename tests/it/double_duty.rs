//! `double-duty = avoid | warn | allow` from the command line: the rotation passing over whoever
//! would get double or back-to-back duty, `allow` keeping today's picks, `schedule` (text and
//! JSON) and `doctor` flagging what is left, and `override approve` asking for `--confirm`.

use expect_test::{Expect, expect};
use serde_json::Value;

use super::cli::stdout;
use super::commands::Team;

/// Product Owner (Ana, Ben, Cy) and UI (Ana, Di, Ed), in that display order, and eight
/// two-week sprints from 2026-03-02; the clock at `clock`. Today's rotation puts Ana on both
/// disciplines in sprints 1, 4 and 7.
fn shared_team(clock: &str) -> Team {
    let team = Team::new(clock);
    team.ok(&["discipline", "add", "po", "--name", "Product Owner"]);
    team.ok(&["discipline", "add", "ui", "--name", "UI"]);
    for (id, discipline, name) in [
        ("U1", "po", "Ana"),
        ("U2", "po", "Ben"),
        ("U3", "po", "Cy"),
        ("U1", "ui", "Ana"),
        ("U4", "ui", "Di"),
        ("U5", "ui", "Ed"),
    ] {
        team.ok(&["member", "add", id, discipline, "--name", name]);
    }
    let generate = ["sprint", "generate", "--start", "2026-03-02"];
    team.ok(&[&generate[..], &["--days", "14", "--count", "8"]].concat());
    team.ok(&["admin", "add", "UBOSS"]);
    team
}

/// Before the first sprint: every pick is a projection.
const BEFORE: &str = "2026-03-01T12:00:00-08:00";

fn schedule(team: &Team, policy: &str) -> String {
    team.ok(&["schedule", "--count", "8", "--double-duty", policy])
}

/// Each sprint's picks and conflicts from `schedule --json`, one line per sprint.
fn picks(team: &Team, policy: &str) -> String {
    let json = team.json(&["schedule", "--count", "8", "--double-duty", policy]);
    let sprints = json["sprints"].as_array().unwrap();
    let line = |sprint: &Value| {
        let slots = sprint["assignments"].as_array().unwrap().iter().map(|a| {
            let conflict = a["conflict"]
                .as_str()
                .map_or(String::new(), |c| format!(" ({c})"));
            format!(
                "{}={}{conflict}",
                a["discipline"].as_str().unwrap(),
                a["name"].as_str().unwrap()
            )
        });
        format!(
            "{}: {}\n",
            sprint["name"].as_str().unwrap(),
            slots.collect::<Vec<_>>().join(" ")
        )
    };
    sprints.iter().map(line).collect()
}

#[track_caller]
fn check(actual: impl AsRef<str>, expected: Expect) {
    expected.assert_eq(actual.as_ref());
}

#[test]
fn allow_keeps_todays_rotation_with_its_double_duty() {
    let team = shared_team(BEFORE);
    // Exactly what the rotation picked before there was a policy.
    check(
        schedule(&team, "allow"),
        expect![[r#"
            SPRINT    DATES                     Product Owner  UI
            Sprint 1  2026-03-02 to 2026-03-15  Ana            Ana
            Sprint 2  2026-03-16 to 2026-03-29  Ben            Di
            Sprint 3  2026-03-30 to 2026-04-12  Cy             Ed
            Sprint 4  2026-04-13 to 2026-04-26  Ana            Ana
            Sprint 5  2026-04-27 to 2026-05-10  Ben            Di
            Sprint 6  2026-05-11 to 2026-05-24  Cy             Ed
            Sprint 7  2026-05-25 to 2026-06-07  Ana            Ana
            Sprint 8  2026-06-08 to 2026-06-21  Ben            Di
        "#]],
    );
    // `warn` picks the same and flags what it gives.
    check(
        schedule(&team, "warn"),
        expect![[r#"
        SPRINT    DATES                     Product Owner  UI
        Sprint 1  2026-03-02 to 2026-03-15  Ana (double)   Ana (double)
        Sprint 2  2026-03-16 to 2026-03-29  Ben            Di
        Sprint 3  2026-03-30 to 2026-04-12  Cy             Ed
        Sprint 4  2026-04-13 to 2026-04-26  Ana (double)   Ana (double)
        Sprint 5  2026-04-27 to 2026-05-10  Ben            Di
        Sprint 6  2026-05-11 to 2026-05-24  Cy             Ed
        Sprint 7  2026-05-25 to 2026-06-07  Ana (double)   Ana (double)
        Sprint 8  2026-06-08 to 2026-06-21  Ben            Di
        double: on duty for two disciplines in the sprint; back-to-back: on duty in the sprint before or after too
    "#]],
    );
}

#[test]
fn avoid_passes_over_whoever_would_get_double_or_back_to_back_duty() {
    let team = shared_team(BEFORE);
    // The default. Ana is passed over in UI in sprint 1 (on Product Owner) and is first in line
    // in sprint 2, but on duty the sprint before: Ed. In sprint 4 Product Owner passes her over
    // (UI the sprint before): Ben, then Ana first in line in sprint 5, then Cy as planned.
    check(
        team.ok(&["schedule", "--count", "8"]),
        expect![[r#"
        SPRINT    DATES                     Product Owner  UI
        Sprint 1  2026-03-02 to 2026-03-15  Ana            Di
        Sprint 2  2026-03-16 to 2026-03-29  Ben            Ed
        Sprint 3  2026-03-30 to 2026-04-12  Cy             Ana
        Sprint 4  2026-04-13 to 2026-04-26  Ben            Di
        Sprint 5  2026-04-27 to 2026-05-10  Ana            Ed
        Sprint 6  2026-05-11 to 2026-05-24  Cy             Di
        Sprint 7  2026-05-25 to 2026-06-07  Ana            Ed
        Sprint 8  2026-06-08 to 2026-06-21  Ben            Di
    "#]],
    );
    check(
        picks(&team, "avoid"),
        expect![[r#"
        Sprint 1: po=Ana ui=Di
        Sprint 2: po=Ben ui=Ed
        Sprint 3: po=Cy ui=Ana
        Sprint 4: po=Ben ui=Di
        Sprint 5: po=Ana ui=Ed
        Sprint 6: po=Cy ui=Di
        Sprint 7: po=Ana ui=Ed
        Sprint 8: po=Ben ui=Di
    "#]],
    );
    check(
        picks(&team, "allow"),
        expect![[r#"
        Sprint 1: po=Ana ui=Ana
        Sprint 2: po=Ben ui=Di
        Sprint 3: po=Cy ui=Ed
        Sprint 4: po=Ana ui=Ana
        Sprint 5: po=Ben ui=Di
        Sprint 6: po=Cy ui=Ed
        Sprint 7: po=Ana ui=Ana
        Sprint 8: po=Ben ui=Di
    "#]],
    );
    check(
        picks(&team, "warn"),
        expect![[r#"
        Sprint 1: po=Ana (double) ui=Ana (double)
        Sprint 2: po=Ben ui=Di
        Sprint 3: po=Cy ui=Ed
        Sprint 4: po=Ana (double) ui=Ana (double)
        Sprint 5: po=Ben ui=Di
        Sprint 6: po=Cy ui=Ed
        Sprint 7: po=Ana (double) ui=Ana (double)
        Sprint 8: po=Ben ui=Di
    "#]],
    );
}

#[test]
fn a_team_without_shared_people_gets_the_same_schedule_under_every_policy() {
    let team = Team::standard();
    let default = team.ok(&["schedule"]);
    for policy in ["avoid", "warn", "allow"] {
        assert_eq!(team.ok(&["schedule", "--double-duty", policy]), default);
    }
    assert!(default.contains("Sprint 5  2026-04-27 to 2026-05-10  Ana             Eve      Ivy"));
}

#[test]
fn started_sprints_keep_their_recorded_picks_whatever_the_policy() {
    // Sprint 1 starts under `allow`: Ana on both, recorded. Switching to `avoid` changes
    // later sprints only.
    let team = shared_team("2026-03-10T12:00:00-07:00");
    team.ok(&["who", "--double-duty", "allow"]);
    check(
        picks(&team, "avoid"),
        expect![[r#"
            Sprint 1: po=Ana ui=Di
            Sprint 2: po=Ben ui=Ed
            Sprint 3: po=Cy ui=Ana
            Sprint 4: po=Ben ui=Di
            Sprint 5: po=Ana ui=Ed
            Sprint 6: po=Cy ui=Di
            Sprint 7: po=Ana ui=Ed
            Sprint 8: po=Ben ui=Di
        "#]],
    );
}

#[test]
fn approving_a_cover_that_gives_back_to_back_duty_needs_confirm() {
    let team = shared_team("2026-03-10T12:00:00-07:00");
    // Ed asks Ana to cover UI in Sprint 2; Ana is on Product Owner in Sprint 1.
    team.ok(&[
        "override",
        "request",
        "Sprint 2",
        "ui",
        "--replacement",
        "U1",
        "--by",
        "U5",
    ]);
    team.ok(&["override", "accept", "1", "--by", "U1"]);
    check(
        team.refused(&["override", "approve", "1", "--by", "UBOSS"]),
        expect![[r#"
            error: approving request #1 gives U1 back-to-back duty: besides ui in Sprint 2, they are on duty for po in Sprint 1, the sprint before; run again with --confirm to approve it anyway
        "#]],
    );
    check(
        team.ok(&["override", "approve", "1", "--by", "UBOSS", "--confirm"]),
        expect![[r#"
            request #1 (U1 to cover ui in Sprint 2) is now approved
        "#]],
    );
    check(
        team.ok(&["schedule", "--count", "3"]),
        expect![[r#"
        SPRINT    DATES                     Product Owner       UI
        Sprint 1  2026-03-02 to 2026-03-15  Ana (back-to-back)  Di
        Sprint 2  2026-03-16 to 2026-03-29  Ben                 Ana* (back-to-back)
        Sprint 3  2026-03-30 to 2026-04-12  Cy                  Ana (back-to-back)
        * covering by approved override
        double: on duty for two disciplines in the sprint; back-to-back: on duty in the sprint before or after too
    "#]],
    );
}

#[test]
fn with_allow_an_approval_takes_no_confirmation() {
    let team = shared_team("2026-03-10T12:00:00-07:00");
    let allow = ["--double-duty", "allow"];
    // Setting the team up (under the default, avoid) recorded Sprint 1, in force: Ana on Product
    // Owner and Di on UI; so Ed has UI in Sprint 2, and Ana covering him is back-to-back duty.
    let args = [
        "override",
        "request",
        "Sprint 2",
        "ui",
        "--replacement",
        "U1",
        "--by",
        "U5",
    ];
    team.ok(&[&args[..], &allow].concat());
    team.ok(&[&["override", "accept", "1", "--by", "U1"][..], &allow].concat());
    check(
        team.ok(&[&["override", "approve", "1", "--by", "UBOSS"][..], &allow].concat()),
        expect![[r#"
            request #1 (U1 to cover ui in Sprint 2) is now approved
        "#]],
    );
}

#[test]
fn doctor_flags_double_duty_that_is_left() {
    let team = shared_team("2026-03-10T12:00:00-07:00");
    // The double-duty check's lines, with its fix.
    let doctor = |policy: &str| {
        let output = stdout(&team.run(&["doctor", "--double-duty", policy]));
        let lines: Vec<&str> = output.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains(" double duty: "))
            .unwrap();
        let fix = lines
            .get(at + 1)
            .filter(|l| l.trim_start().starts_with("fix:"));
        std::iter::once(lines[at])
            .chain(fix.copied())
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    check(
        doctor("warn"),
        expect![[r#"
            problem  double duty: through 2026-04-07: Ana (U1) has back-to-back duty in Sprint 3 (UI)
                     fix: set TRIAGE_DOUBLE_DUTY=avoid to let the rotation pass them over, or have someone cover those turns (`/triage cover`)
        "#]],
    );
    check(
        doctor("avoid"),
        expect![[r#"
        ok       double duty: nobody is on duty for two disciplines in a sprint, or two sprints running, through 2026-04-07 (TRIAGE_DOUBLE_DUTY=avoid)
    "#]],
    );
    check(
        doctor("allow"),
        expect![[r#"
        note     double duty: allowed (TRIAGE_DOUBLE_DUTY=allow): the rotation may put one person on two disciplines in a sprint, or on duty two sprints running
    "#]],
    );
    // What `avoid` leaves: a cover approved anyway.
    let request = [
        "override",
        "request",
        "Sprint 2",
        "ui",
        "--replacement",
        "U1",
        "--by",
        "U5",
    ];
    team.ok(&request);
    team.ok(&["override", "accept", "1", "--by", "U1"]);
    team.ok(&["override", "approve", "1", "--by", "UBOSS", "--confirm"]);
    check(
        doctor("avoid"),
        expect![[r#"
            problem  double duty: through 2026-04-07: Ana (U1) has back-to-back duty in Sprint 1 (Product Owner); Ana (U1) has back-to-back duty in Sprint 2 (UI); Ana (U1) has back-to-back duty in Sprint 3 (UI)
                     fix: the rotation leaves these only when nobody else could take the turn, the sprint was recorded before, or a cover was approved anyway: add people to the rotations, or have someone cover those turns (`/triage cover`)
        "#]],
    );
}

#[test]
fn a_bad_policy_names_the_flag_the_variable_or_the_key() {
    let team = Team::new(BEFORE);
    std::fs::write(team.dir.path().join("t.toml"), "double_duty = \"often\"\n").unwrap();
    let run = |args: &[&str], env: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_triage-bot"));
        command.current_dir(team.dir.path()).args(args);
        for (name, _) in std::env::vars() {
            if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") {
                command.env_remove(name);
            }
        }
        if let Some(value) = env {
            command.env("TRIAGE_DOUBLE_DUTY", value);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        super::cli::stderr(&output)
    };
    check(
        [
            run(&["who", "--double-duty", "sometimes"], None),
            run(&["who"], Some("never")),
            run(&["who", "--config", "t.toml"], None),
        ]
        .concat(),
        expect![[r#"
            error: invalid --double-duty `sometimes`: expected avoid, warn or allow
            error: invalid TRIAGE_DOUBLE_DUTY `never`: expected avoid, warn or allow
            error: invalid double_duty in t.toml `often`: expected avoid, warn or allow
        "#]],
    );
}
