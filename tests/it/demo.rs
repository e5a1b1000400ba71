//! The local demo, run as the real binary with a script on standard input: no Slack tokens, so
//! `triage-bot` with no subcommand starts the demo. The clock is pinned to Thursday
//! 2026-03-12 10:00 in Los Angeles, three days into the current sprint.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use expect_test::{Expect, expect};

const CLOCK_START: &str = "2026-03-12T10:00:00-07:00";

/// Runs `triage-bot <args>` with `script` on standard input, no inherited TRIAGE_* or SLACK_*
/// settings, the clock pinned and the database in `dir`.
fn run_demo(dir: &Path, args: &[&str], script: &str) -> Output {
    let db = dir.join("demo.db");
    let mut command = Command::new(env!("CARGO_BIN_EXE_triage-bot"));
    command.current_dir(dir).args(args).arg("--db").arg(&db);
    for (name, _) in std::env::vars() {
        if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") {
            command.env_remove(name);
        }
    }
    command
        .env("TRIAGE_CLOCK_START", CLOCK_START)
        .env("TMPDIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The demo's output with the status page's port (a free one, different each run) as `<port>`.
fn without_port(text: &str) -> String {
    let marker = "http://127.0.0.1:";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at + marker.len()]);
        rest = &rest[at + marker.len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        out.push_str("<port>");
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[track_caller]
fn check_session(dir: &Path, output: &Output, expected: Expect) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stdout = stdout
        .replace(&dir.join("demo.db").display().to_string(), "<db>")
        .replace(&dir.display().to_string(), "<tmp>");
    let stdout = without_port(&stdout);
    expected.assert_eq(&stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_scripted_session_requests_cover_approves_it_and_hands_off() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
/triage who
/triage me
/triage cover 4 @maria dentist
click Approve
as maria
click Accept
as priya
click Approve
click Approve anyway
advance 14d
state
dance
quit
/triage who
";
    let output = run_demo(dir.path(), &[], script);
    check_session(
        dir.path(),
        &output,
        expect![[r#"
            triage-bot demo: the real bot, connected over Socket Mode to a Slack workspace
            emulated on this machine. Type what you would type in Slack; see what Slack shows.
            Team: Account, Producer, Product Owner, UI Engineering and Backend Engineering,
            16 people, two-week sprints. Database: <db>.
            The bot's log goes to <tmp>/triage-bot-demo.log.
            The status page is at http://127.0.0.1:<port>/ (and the JSON API under http://127.0.0.1:<port>/api/v1/).
            You are Jonas Berg (@jonas): UI Engineering; a regular member, not an admin.
            The admin is Priya Nair (@priya). Coverage requests go to #triage-admins; handoffs to #triage.
            Try: /triage who · /triage me · /triage cover 4 @maria dentist · as maria · click Accept
                 as priya · click Approve · click Approve anyway · advance 14d · state · help · quit
            ── Thu Mar 12 10:00 PDT · the bot connects ──
            [#triage]
              Triage duty: Sprint 4
              Mon Mar 9 to Sun Mar 22
              • Account: @Aiko Tanaka
              • Producer: @Priya Nair
              • Product Owner: @Diego Ramos
              • UI Engineering: @Jonas Berg
              • Backend Engineering: @Nina Petrova
            [topic #triage] On triage: Account @Aiko Tanaka · Producer @Priya Nair · Product Owner @Diego Ramos · UI Engineering @Jonas Berg · Backend Engineering @Nina Petrova · Sprint 4 until Mon Mar 23 08:00 PDT
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Jonas Berg, Nina Petrova, Priya Nair
            jonas> /triage who
            [only you]
              Sprint 4 until Mon Mar 23 08:00 PDT
              • Account: @Aiko Tanaka (rotation)
              • Producer: @Priya Nair (rotation)
              • Product Owner: @Diego Ramos (rotation)
              • UI Engineering: @Jonas Berg (rotation)
              • Backend Engineering: @Nina Petrova (rotation)
            jonas> /triage me
            [only you]
              Your shifts
              UI Engineering in Sprint 4 (now), Mon Mar 9 to Sun Mar 22
              [Request coverage]
              UI Engineering in Sprint 8, Mon May 4 to Sun May 17
              [Request coverage]
            jonas> /triage cover 4 @maria dentist
            [only you] Request #1 filed: @Maria Lopez to cover UI Engineering in Sprint 4. @Maria Lopez has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way.
            [DM → Maria Lopez]
              @Jonas Berg asks you to cover their shift, UI Engineering in Sprint 4 (request #1).
              Reason: dentist
              [Accept] [Decline]
              Or type `/triage accept 1` or `/triage refuse 1 [reason]`. Once you accept, an admin approves it where the discipline asks for one.
            jonas> click Approve
            error: no button `Approve` in anything you can see; buttons show as [Label]
            jonas> as maria
            You are Maria Lopez (@maria): Account, UI Engineering; a regular member, not an admin.
            maria> click Accept
            (pressing [Accept] by “@Jonas Berg asks you to cover their shift, UI Engineering in Sprint 4 (request #1).” [DM → Maria Lopez])
            [only you] You accepted request #1 (@Maria Lopez to cover UI Engineering in Sprint 4). An admin will approve or decline it, and you will get a DM either way.
            [DM → Jonas Berg] @Maria Lopez accepted your coverage request #1 (UI Engineering in Sprint 4). An admin will approve or decline it, and you will hear either way.
            [#triage-admins]
              Coverage request #1
              @Jonas Berg asks @Maria Lopez to cover UI Engineering in Sprint 4
              Reason: dentist
              ⚠️ Approving gives @Maria Lopez back-to-back duty: they are on duty for Account in Sprint 3, the sprint before.
              [Approve] [Decline]
            maria> as priya
            You are Priya Nair (@priya): Producer; an admin.
            priya> click Approve
            (pressing [Approve] by “Coverage request #1” [#triage-admins])
            [only you]
              ⚠️ Approving request #1 gives @Maria Lopez back-to-back duty: they are on duty for Account in Sprint 3, the sprint before. Approve it anyway?
              [Approve anyway] [Decline]
            priya> click Approve anyway
            (pressing [Approve anyway] by “⚠️ Approving request #1 gives @Maria Lopez back-to-back duty: they are on duty for Account in Sprint 3, the sprint before. Approve it anyway?” [only you])
            [only you] Request #1 (@Maria Lopez to cover UI Engineering in Sprint 4) is now approved.
            [#triage-admins, edited]
              Coverage request #1
              @Jonas Berg asks @Maria Lopez to cover UI Engineering in Sprint 4
              Reason: dentist
              ✅ Approved by @Priya Nair on Thu Mar 12 10:00 PDT
            [DM → Maria Lopez] You are covering UI Engineering in Sprint 4 for @Jonas Berg and are on triage duty from now on (request #1, approved by @Priya Nair).
            [DM → Jonas Berg] Your coverage request #1 was approved by @Priya Nair: @Maria Lopez takes over UI Engineering in Sprint 4 from now on, so you are off triage duty.
            [topic #triage] On triage: Account @Aiko Tanaka · Producer @Priya Nair · Product Owner @Diego Ramos · UI Engineering @Maria Lopez · Backend Engineering @Nina Petrova · Sprint 4 until Mon Mar 23 08:00 PDT
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Maria Lopez, Nina Petrova, Priya Nair
            priya> advance 14d
            ── Fri Mar 20 17:00 PDT · heads-up before Sprint 5 ──
            [DM → Hana Kim] Heads-up: your triage duty for Product Owner starts on Mon Mar 23 at 08:00 PDT (Sprint 5, until Mon Apr 6 08:00 PDT).
            [DM → Kevin Wu] Heads-up: your triage duty for UI Engineering starts on Mon Mar 23 at 08:00 PDT (Sprint 5, until Mon Apr 6 08:00 PDT).
            [DM → Maria Lopez] Heads-up: your triage duty for Account starts on Mon Mar 23 at 08:00 PDT (Sprint 5, until Mon Apr 6 08:00 PDT).
            [DM → Raj Patel] Heads-up: your triage duty for Backend Engineering starts on Mon Mar 23 at 08:00 PDT (Sprint 5, until Mon Apr 6 08:00 PDT).
            [DM → Sam Okafor] Heads-up: your triage duty for Producer starts on Mon Mar 23 at 08:00 PDT (Sprint 5, until Mon Apr 6 08:00 PDT).
            [DM → Aiko Tanaka]
              Your triage duty for Account ends Mon Mar 23 08:00 PDT (Sprint 4). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.
              [Leave a handoff note]
            [DM → Diego Ramos]
              Your triage duty for Product Owner ends Mon Mar 23 08:00 PDT (Sprint 4). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.
              [Leave a handoff note]
            [DM → Maria Lopez]
              Your triage duty for UI Engineering ends Mon Mar 23 08:00 PDT (Sprint 4). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.
              [Leave a handoff note]
            [DM → Nina Petrova]
              Your triage duty for Backend Engineering ends Mon Mar 23 08:00 PDT (Sprint 4). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.
              [Leave a handoff note]
            [DM → Priya Nair]
              Your triage duty for Producer ends Mon Mar 23 08:00 PDT (Sprint 4). Anything in flight that whoever takes over should know? Leave a handoff note: they get it when they take over.
              [Leave a handoff note]
            ── Mon Mar 23 08:00 PDT · Sprint 5 starts: handoff ──
            [DM → Hana Kim] You are on triage duty for Product Owner from Mon Mar 23 to Sun Apr 5 (Sprint 5).
            [DM → Kevin Wu] You are on triage duty for UI Engineering from Mon Mar 23 to Sun Apr 5 (Sprint 5).
            [DM → Maria Lopez] You are on triage duty for Account from Mon Mar 23 to Sun Apr 5 (Sprint 5).
            [DM → Raj Patel] You are on triage duty for Backend Engineering from Mon Mar 23 to Sun Apr 5 (Sprint 5).
            [DM → Sam Okafor] You are on triage duty for Producer from Mon Mar 23 to Sun Apr 5 (Sprint 5).
            [DM → Aiko Tanaka] Your triage duty for Account has ended — thank you!
            [DM → Diego Ramos] Your triage duty for Product Owner has ended — thank you!
            [DM → Maria Lopez] Your triage duty for UI Engineering has ended — thank you!
            [DM → Nina Petrova] Your triage duty for Backend Engineering has ended — thank you!
            [DM → Priya Nair] Your triage duty for Producer has ended — thank you!
            [#triage]
              Triage duty: Sprint 5
              Mon Mar 23 to Sun Apr 5
              • Account: @Maria Lopez
              • Producer: @Sam Okafor
              • Product Owner: @Hana Kim
              • UI Engineering: @Kevin Wu
              • Backend Engineering: @Raj Patel
            [topic #triage] On triage: Account @Maria Lopez · Producer @Sam Okafor · Product Owner @Hana Kim · UI Engineering @Kevin Wu · Backend Engineering @Raj Patel · Sprint 5 until Mon Apr 6 08:00 PDT
            [group @triage-oncall] Hana Kim, Kevin Wu, Maria Lopez, Raj Patel, Sam Okafor
            ── Thu Mar 26 10:00 PDT · now ──
            priya> state
            It is Thu Mar 26 10:00 PDT.
            You are Priya Nair.
            [topic #triage] On triage: Account @Maria Lopez · Producer @Sam Okafor · Product Owner @Hana Kim · UI Engineering @Kevin Wu · Backend Engineering @Raj Patel · Sprint 5 until Mon Apr 6 08:00 PDT
            [group @triage-oncall] Hana Kim, Kevin Wu, Maria Lopez, Raj Patel, Sam Okafor
            priya> dance
            error: unknown command `dance`: type `help` to see what the console understands
            priya> quit
            Bye.
        "#]],
    );
}

#[test]
fn typed_lines_reach_the_bot_only_as_slack_would_send_them() {
    let dir = tempfile::tempdir().unwrap();
    let script = "/ triage who\n/triageX who\n@triage who\nsay thanks @maria\n";
    let output = run_demo(dir.path(), &["demo"], script);
    check_session(
        dir.path(),
        &output,
        expect![[r#"
            triage-bot demo: the real bot, connected over Socket Mode to a Slack workspace
            emulated on this machine. Type what you would type in Slack; see what Slack shows.
            Team: Account, Producer, Product Owner, UI Engineering and Backend Engineering,
            16 people, two-week sprints. Database: <db>.
            The bot's log goes to <tmp>/triage-bot-demo.log.
            The status page is at http://127.0.0.1:<port>/ (and the JSON API under http://127.0.0.1:<port>/api/v1/).
            You are Jonas Berg (@jonas): UI Engineering; a regular member, not an admin.
            The admin is Priya Nair (@priya). Coverage requests go to #triage-admins; handoffs to #triage.
            Try: /triage who · /triage me · /triage cover 4 @maria dentist · as maria · click Accept
                 as priya · click Approve · click Approve anyway · advance 14d · state · help · quit
            ── Thu Mar 12 10:00 PDT · the bot connects ──
            [#triage]
              Triage duty: Sprint 4
              Mon Mar 9 to Sun Mar 22
              • Account: @Aiko Tanaka
              • Producer: @Priya Nair
              • Product Owner: @Diego Ramos
              • UI Engineering: @Jonas Berg
              • Backend Engineering: @Nina Petrova
            [topic #triage] On triage: Account @Aiko Tanaka · Producer @Priya Nair · Product Owner @Diego Ramos · UI Engineering @Jonas Berg · Backend Engineering @Nina Petrova · Sprint 4 until Mon Mar 23 08:00 PDT
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Jonas Berg, Nina Petrova, Priya Nair
            jonas> / triage who
            [#triage] Jonas Berg: / triage who
            (with a space after the slash it is a message, which the bot does not read; `/triage who` is the command)
            jonas> /triageX who
            [only you, from Slackbot] `/triageX` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands. If you are trying to send a message that begins with "/", try adding a space before it.
            jonas> @triage who
            [#triage] Jonas Berg: @triage who
            [#triage, in a thread]
              Sprint 4 until Mon Mar 23 08:00 PDT
              • Account: @Aiko Tanaka (rotation)
              • Producer: @Priya Nair (rotation)
              • Product Owner: @Diego Ramos (rotation)
              • UI Engineering: @Jonas Berg (rotation)
              • Backend Engineering: @Nina Petrova (rotation)
              _More with `/triage help`._
            jonas> say thanks @maria
            [#triage] Jonas Berg: thanks @Maria Lopez
            Bye.
        "#]],
    );
}

#[test]
fn the_coverage_form_is_filled_in_refused_fixed_and_sent() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
as maria
/triage cover
/triage who
submit
fill shift account sprint 5
fill who kevin
fill reason out sick
submit
fill who tom
submit
";
    let output = run_demo(dir.path(), &["demo"], script);
    check_session(
        dir.path(),
        &output,
        expect![[r#"
            triage-bot demo: the real bot, connected over Socket Mode to a Slack workspace
            emulated on this machine. Type what you would type in Slack; see what Slack shows.
            Team: Account, Producer, Product Owner, UI Engineering and Backend Engineering,
            16 people, two-week sprints. Database: <db>.
            The bot's log goes to <tmp>/triage-bot-demo.log.
            The status page is at http://127.0.0.1:<port>/ (and the JSON API under http://127.0.0.1:<port>/api/v1/).
            You are Jonas Berg (@jonas): UI Engineering; a regular member, not an admin.
            The admin is Priya Nair (@priya). Coverage requests go to #triage-admins; handoffs to #triage.
            Try: /triage who · /triage me · /triage cover 4 @maria dentist · as maria · click Accept
                 as priya · click Approve · click Approve anyway · advance 14d · state · help · quit
            ── Thu Mar 12 10:00 PDT · the bot connects ──
            [#triage]
              Triage duty: Sprint 4
              Mon Mar 9 to Sun Mar 22
              • Account: @Aiko Tanaka
              • Producer: @Priya Nair
              • Product Owner: @Diego Ramos
              • UI Engineering: @Jonas Berg
              • Backend Engineering: @Nina Petrova
            [topic #triage] On triage: Account @Aiko Tanaka · Producer @Priya Nair · Product Owner @Diego Ramos · UI Engineering @Jonas Berg · Backend Engineering @Nina Petrova · Sprint 4 until Mon Mar 23 08:00 PDT
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Jonas Berg, Nina Petrova, Priya Nair
            jonas> as maria
            You are Maria Lopez (@maria): Account, UI Engineering; a regular member, not an admin.
            maria> /triage cover
            [modal “Request coverage”]
              Shift: (Account · Sprint 5 · Mon Mar 23 to Sun Apr 5 | UI Engineering · Sprint 7 · Mon Apr 20 to Sun May 3 | Account · Sprint 9 · Mon May 18 to Sun May 31)
              Who covers it: (Account: Anyone: ask for volunteers | Aiko Tanaka | Tom Becker; UI Engineering: Anyone: ask for volunteers | Kevin Wu | Ana Souza | Jonas Berg)
              Reason (optional): ____
              An admin approves or declines the request; you and your replacement get a DM.
              [Cancel] [Send request]
              (fill it in with `fill <field> <words of a choice, or your text>`, then `submit`; `cancel` closes it)
            maria> /triage who
            error: the modal “Request coverage” is open, and Slack takes nothing else until it closes: `submit` it or `cancel` it
            maria> submit
            (Slack does not send a form while a required field is empty)
            [modal “Request coverage”]
              Shift: (Account · Sprint 5 · Mon Mar 23 to Sun Apr 5 | UI Engineering · Sprint 7 · Mon Apr 20 to Sun May 3 | Account · Sprint 9 · Mon May 18 to Sun May 31)
                ⚠️ Please complete this required field.
              Who covers it: (Account: Anyone: ask for volunteers | Aiko Tanaka | Tom Becker; UI Engineering: Anyone: ask for volunteers | Kevin Wu | Ana Souza | Jonas Berg)
                ⚠️ Please complete this required field.
              Reason (optional): ____
              An admin approves or declines the request; you and your replacement get a DM.
              [Cancel] [Send request]
              (fill it in with `fill <field> <words of a choice, or your text>`, then `submit`; `cancel` closes it)
            maria> fill shift account sprint 5
            (Shift: Account · Sprint 5 · Mon Mar 23 to Sun Apr 5)
            maria> fill who kevin
            (Who covers it: Kevin Wu (UI Engineering))
            maria> fill reason out sick
            (Reason: out sick)
            maria> submit
            (pressing [Send request] in “Request coverage”)
            [modal “Request coverage”]
              Shift: Account · Sprint 5 · Mon Mar 23 to Sun Apr 5
              Who covers it: Kevin Wu (UI Engineering)
                ⚠️ Choose someone from Account, the shift's discipline.
              Reason (optional): out sick
              An admin approves or declines the request; you and your replacement get a DM.
              [Cancel] [Send request]
              (fill it in with `fill <field> <words of a choice, or your text>`, then `submit`; `cancel` closes it)
            maria> fill who tom
            (Who covers it: Tom Becker (Account))
            maria> submit
            (pressing [Send request] in “Request coverage”)
            [modal “Request coverage”] closed
            [DM → Maria Lopez] Request #1 filed: @Tom Becker to cover Account in Sprint 5. @Tom Becker has a DM to accept or decline it; once they accept, an admin approves it where the discipline asks for one. You will get a DM either way.
            [DM → Tom Becker]
              @Maria Lopez asks you to cover their shift, Account in Sprint 5 (request #1).
              Reason: out sick
              [Accept] [Decline]
              Or type `/triage accept 1` or `/triage refuse 1 [reason]`. Once you accept, an admin approves it where the discipline asks for one.
            Bye.
        "#]],
    );
}

#[test]
fn a_form_opened_by_a_button_starts_on_its_shift_and_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
fill who kevin
/triage me
click Request coverage Sprint 8
fill
fill shift 4
fill when tomorrow
cancel
submit
";
    let output = run_demo(dir.path(), &["demo"], script);
    check_session(
        dir.path(),
        &output,
        expect![[r#"
            triage-bot demo: the real bot, connected over Socket Mode to a Slack workspace
            emulated on this machine. Type what you would type in Slack; see what Slack shows.
            Team: Account, Producer, Product Owner, UI Engineering and Backend Engineering,
            16 people, two-week sprints. Database: <db>.
            The bot's log goes to <tmp>/triage-bot-demo.log.
            The status page is at http://127.0.0.1:<port>/ (and the JSON API under http://127.0.0.1:<port>/api/v1/).
            You are Jonas Berg (@jonas): UI Engineering; a regular member, not an admin.
            The admin is Priya Nair (@priya). Coverage requests go to #triage-admins; handoffs to #triage.
            Try: /triage who · /triage me · /triage cover 4 @maria dentist · as maria · click Accept
                 as priya · click Approve · click Approve anyway · advance 14d · state · help · quit
            ── Thu Mar 12 10:00 PDT · the bot connects ──
            [#triage]
              Triage duty: Sprint 4
              Mon Mar 9 to Sun Mar 22
              • Account: @Aiko Tanaka
              • Producer: @Priya Nair
              • Product Owner: @Diego Ramos
              • UI Engineering: @Jonas Berg
              • Backend Engineering: @Nina Petrova
            [topic #triage] On triage: Account @Aiko Tanaka · Producer @Priya Nair · Product Owner @Diego Ramos · UI Engineering @Jonas Berg · Backend Engineering @Nina Petrova · Sprint 4 until Mon Mar 23 08:00 PDT
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Jonas Berg, Nina Petrova, Priya Nair
            jonas> fill who kevin
            error: no modal is open; `/triage cover` opens the coverage form
            jonas> /triage me
            [only you]
              Your shifts
              UI Engineering in Sprint 4 (now), Mon Mar 9 to Sun Mar 22
              [Request coverage]
              UI Engineering in Sprint 8, Mon May 4 to Sun May 17
              [Request coverage]
            jonas> click Request coverage Sprint 8
            (pressing [Request coverage] by “UI Engineering in Sprint 8, Mon May 4 to Sun May 17” [only you])
            [modal “Request coverage”]
              Shift: UI Engineering · Sprint 8 · Mon May 4 to Sun May 17
              Who covers it: (Anyone: ask for volunteers | Maria Lopez | Kevin Wu | Ana Souza)
              Reason (optional): ____
              An admin approves or declines the request; you and your replacement get a DM.
              [Cancel] [Send request]
              (fill it in with `fill <field> <words of a choice, or your text>`, then `submit`; `cancel` closes it)
            jonas> fill
            [modal “Request coverage”]
              Shift: UI Engineering · Sprint 8 · Mon May 4 to Sun May 17
              Who covers it: (Anyone: ask for volunteers | Maria Lopez | Kevin Wu | Ana Souza)
              Reason (optional): ____
              An admin approves or declines the request; you and your replacement get a DM.
              [Cancel] [Send request]
              (fill it in with `fill <field> <words of a choice, or your text>`, then `submit`; `cancel` closes it)
            jonas> fill shift 4
            error: `4` matches 2 choices of Shift: UI Engineering · Sprint 4 · Mon Mar 9 to Sun Mar 22 (now) | UI Engineering · Sprint 8 · Mon May 4 to Sun May 17; add words to pick one
            jonas> fill when tomorrow
            error: “Request coverage” has no field `when`; its fields: shift, who covers it, reason
            jonas> cancel
            (pressing [Cancel] in “Request coverage”)
            [modal “Request coverage”] closed
            jonas> submit
            error: no modal is open; `/triage cover` opens the coverage form
            Bye.
        "#]],
    );
}

#[test]
fn the_demo_subcommand_ends_cleanly_at_the_end_of_input_and_keeps_its_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_demo(
        dir.path(),
        &["demo"],
        "as nobody\nclick Approve\nadvance soon\n",
    );
    check_session(
        dir.path(),
        &output,
        expect![[r#"
            triage-bot demo: the real bot, connected over Socket Mode to a Slack workspace
            emulated on this machine. Type what you would type in Slack; see what Slack shows.
            Team: Account, Producer, Product Owner, UI Engineering and Backend Engineering,
            16 people, two-week sprints. Database: <db>.
            The bot's log goes to <tmp>/triage-bot-demo.log.
            The status page is at http://127.0.0.1:<port>/ (and the JSON API under http://127.0.0.1:<port>/api/v1/).
            You are Jonas Berg (@jonas): UI Engineering; a regular member, not an admin.
            The admin is Priya Nair (@priya). Coverage requests go to #triage-admins; handoffs to #triage.
            Try: /triage who · /triage me · /triage cover 4 @maria dentist · as maria · click Accept
                 as priya · click Approve · click Approve anyway · advance 14d · state · help · quit
            ── Thu Mar 12 10:00 PDT · the bot connects ──
            [#triage]
              Triage duty: Sprint 4
              Mon Mar 9 to Sun Mar 22
              • Account: @Aiko Tanaka
              • Producer: @Priya Nair
              • Product Owner: @Diego Ramos
              • UI Engineering: @Jonas Berg
              • Backend Engineering: @Nina Petrova
            [topic #triage] On triage: Account @Aiko Tanaka · Producer @Priya Nair · Product Owner @Diego Ramos · UI Engineering @Jonas Berg · Backend Engineering @Nina Petrova · Sprint 4 until Mon Mar 23 08:00 PDT
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Jonas Berg, Nina Petrova, Priya Nair
            jonas> as nobody
            error: nobody called `nobody` here; try one of: aiko, maria, tom, priya, sam, lena, diego, hana, olu, kevin, ana, jonas, raj, eva, chris, nina
            jonas> click Approve
            error: no button `Approve` in anything you can see; buttons show as [Label]
            jonas> advance soon
            error: cannot read `soon` as a duration; try `30m`, `2h`, `3d`, `14d` or `1w`
            Bye.
        "#]],
    );
    assert!(dir.path().join("demo.db").exists());
    // A second run keeps the team it finds.
    let output = run_demo(dir.path(), &["demo"], "state\n");
    check_session(
        dir.path(),
        &output,
        expect![[r#"
            triage-bot demo: the real bot, connected over Socket Mode to a Slack workspace
            emulated on this machine. Type what you would type in Slack; see what Slack shows.
            Using the team already in <db>.
            The bot's log goes to <tmp>/triage-bot-demo.log.
            The status page is at http://127.0.0.1:<port>/ (and the JSON API under http://127.0.0.1:<port>/api/v1/).
            You are Jonas Berg (@jonas): UI Engineering; a regular member, not an admin.
            The admin is Priya Nair (@priya). Coverage requests go to #triage-admins; handoffs to #triage.
            Try: /triage who · /triage me · /triage cover 4 @maria dentist · as maria · click Accept
                 as priya · click Approve · click Approve anyway · advance 14d · state · help · quit
            ── Thu Mar 12 10:00 PDT · the bot connects ──
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Jonas Berg, Nina Petrova, Priya Nair
            jonas> state
            It is Thu Mar 12 10:00 PDT.
            You are Jonas Berg.
            [topic #triage] (none)
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Jonas Berg, Nina Petrova, Priya Nair
            Bye.
        "#]],
    );
}

#[test]
fn with_a_slack_token_set_no_subcommand_means_serve() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_triage-bot"));
    command.current_dir(dir.path());
    for (name, _) in std::env::vars() {
        if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") {
            command.env_remove(name);
        }
    }
    let output = command
        .env("SLACK_APP_TOKEN", "xapp-1-demo")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        (
            Some(2),
            "error: SLACK_BOT_TOKEN is not set (a bot token, xoxb-…)"
        )
    );
}

/// Runs `triage-bot <args>` with `env` set and `quit` on standard input.
fn run_demo_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_triage-bot"));
    command.current_dir(dir).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("TRIAGE_") || name.starts_with("SLACK_") {
            command.env_remove(name);
        }
    }
    command
        .env("TRIAGE_CLOCK_START", CLOCK_START)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"quit\n").unwrap();
    child.wait_with_output().unwrap()
}

/// A database holding a real team: one discipline, one person, not the demo's.
fn real_team(path: &Path) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_triage-bot"))
        .arg("--db")
        .arg(path)
        .args(["discipline", "add", "web", "--name", "Web"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let output = Command::new(env!("CARGO_BIN_EXE_triage-bot"))
        .arg("--db")
        .arg(path)
        .args(["member", "add", "U0REAL", "web", "--name", "Real Person"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    std::fs::read(path).unwrap()
}

#[test]
fn the_demo_ignores_triage_db_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.db");
    let before = real_team(&real);
    for args in [&["demo"][..], &[][..]] {
        let output = run_demo_with_env(dir.path(), args, &[("TRIAGE_DB", "real.db")]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("Database: a temporary file, deleted at the end."),
            "{stdout}"
        );
        assert_eq!(std::fs::read(&real).unwrap(), before, "{args:?}");
    }
}

#[test]
fn the_demo_refuses_a_real_team_given_with_db_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.db");
    let before = real_team(&real);
    let output = run_demo_with_env(dir.path(), &["demo", "--db", "real.db"], &[]);
    assert_eq!(
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).as_ref()
        ),
        (
            Some(2),
            "error: real.db holds a team that is not the demo's; the demo would add fictional \
             requests and announcements to it. Leave out --db to use a temporary database, or \
             pass --force-demo-db to use this one anyway\n"
        )
    );
    assert_eq!(std::fs::read(&real).unwrap(), before);

    let output = run_demo_with_env(
        dir.path(),
        &["demo", "--db", "real.db", "--force-demo-db"],
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("Using the team already in real.db."),
        "{stdout}"
    );
}

#[test]
fn the_demo_reuses_its_own_database() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = run_demo_with_env(dir.path(), &["demo", "--db", "demo.db"], &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = run_demo_with_env(dir.path(), &["demo", "--db", "demo.db"], &[]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("Using the team already in demo.db."));
}

#[test]
fn demo_help_names_the_temporary_database_and_the_force_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_triage-bot"))
        .args(["demo", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--force-demo-db"), "{help}");
    assert!(help.contains("the demo: a temporary file"), "{help}");
}

#[test]
fn the_bots_log_goes_to_a_file_not_between_the_consoles_lines() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().display().to_string();
    let output = run_demo_with_env(
        dir.path(),
        &["demo"],
        &[("RUST_LOG", "info"), ("TMPDIR", &tmp)],
    );
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains(&format!(
            "The bot's log goes to {}.",
            dir.path().join("triage-bot-demo.log").display()
        )),
        "{stdout}"
    );
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains(" INFO "),
            "a log line on the console: {text}"
        );
    }
    let log = std::fs::read_to_string(dir.path().join("triage-bot-demo.log")).unwrap();
    assert!(log.contains(" INFO "), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in the log file");
}

#[test]
fn a_roster_change_tells_the_people_it_moves_once_the_window_closes() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
as priya
/triage member add @tom ui
advance 15m
/triage member remove @tom ui
/triage member add @tom ui
advance 15m
";
    let output = run_demo(dir.path(), &["demo"], script);
    check_session(
        dir.path(),
        &output,
        expect![[r#"
            triage-bot demo: the real bot, connected over Socket Mode to a Slack workspace
            emulated on this machine. Type what you would type in Slack; see what Slack shows.
            Team: Account, Producer, Product Owner, UI Engineering and Backend Engineering,
            16 people, two-week sprints. Database: <db>.
            The bot's log goes to <tmp>/triage-bot-demo.log.
            The status page is at http://127.0.0.1:<port>/ (and the JSON API under http://127.0.0.1:<port>/api/v1/).
            You are Jonas Berg (@jonas): UI Engineering; a regular member, not an admin.
            The admin is Priya Nair (@priya). Coverage requests go to #triage-admins; handoffs to #triage.
            Try: /triage who · /triage me · /triage cover 4 @maria dentist · as maria · click Accept
                 as priya · click Approve · click Approve anyway · advance 14d · state · help · quit
            ── Thu Mar 12 10:00 PDT · the bot connects ──
            [#triage]
              Triage duty: Sprint 4
              Mon Mar 9 to Sun Mar 22
              • Account: @Aiko Tanaka
              • Producer: @Priya Nair
              • Product Owner: @Diego Ramos
              • UI Engineering: @Jonas Berg
              • Backend Engineering: @Nina Petrova
            [topic #triage] On triage: Account @Aiko Tanaka · Producer @Priya Nair · Product Owner @Diego Ramos · UI Engineering @Jonas Berg · Backend Engineering @Nina Petrova · Sprint 4 until Mon Mar 23 08:00 PDT
            [group @triage-oncall] Aiko Tanaka, Diego Ramos, Jonas Berg, Nina Petrova, Priya Nair
            jonas> as priya
            You are Priya Nair (@priya): Producer; an admin.
            priya> /triage member add @tom ui
            [only you]
              @Tom Becker added to UI Engineering (position 5)
              This moves the duties of 6 people over the next 8 sprints: @Aiko Tanaka, @Ana Souza, @Jonas Berg, @Kevin Wu, @Maria Lopez, @Tom Becker. They get one DM each with the net change of the edits made within 10 minutes.
            priya> advance 15m
            ── Thu Mar 12 10:10 PDT · changed duties are told ──
            [DM → Aiko Tanaka]
              Your triage duties changed (over the next 8 sprints): you had Account in Sprint 7 (Mon Apr 20 to Sun May 3); you now have Account in Sprint 6 (Mon Apr 6 to Sun Apr 19) and Sprint 8 (Mon May 4 to Sun May 17).
              `/triage me` lists your shifts.
            [DM → Ana Souza]
              Your triage duties changed (over the next 8 sprints): you had UI Engineering in Sprint 6 (Mon Apr 6 to Sun Apr 19); you now have UI Engineering in Sprint 8 (Mon May 4 to Sun May 17).
              `/triage me` lists your shifts.
            [DM → Jonas Berg]
              Your triage duties changed (over the next 8 sprints): you had UI Engineering in Sprint 8 (Mon May 4 to Sun May 17); you now have UI Engineering in Sprint 9 (Mon May 18 to Sun May 31).
              `/triage me` lists your shifts.
            [DM → Kevin Wu]
              Your triage duties changed (over the next 8 sprints): you had UI Engineering in Sprint 5 (Mon Mar 23 to Sun Apr 5) and Sprint 9 (Mon May 18 to Sun May 31); you now have UI Engineering in Sprint 6 (Mon Apr 6 to Sun Apr 19).
              `/triage me` lists your shifts.
            [DM → Maria Lopez]
              Your triage duties changed (over the next 8 sprints): you no longer have Account in Sprint 9 (Mon May 18 to Sun May 31). Unchanged: Account in Sprint 5 (Mon Mar 23 to Sun Apr 5) and UI Engineering in Sprint 7 (Mon Apr 20 to Sun May 3).
              `/triage me` lists your shifts.
            [DM → Tom Becker]
              Your triage duties changed (over the next 8 sprints): you had Account in Sprint 6 (Mon Apr 6 to Sun Apr 19) and Sprint 8 (Mon May 4 to Sun May 17); you now have UI Engineering in Sprint 5 (Mon Mar 23 to Sun Apr 5), Account in Sprint 7 (Mon Apr 20 to Sun May 3) and Sprint 9 (Mon May 18 to Sun May 31).
              `/triage me` lists your shifts.
            ── Thu Mar 12 10:15 PDT · now ──
            priya> /triage member remove @tom ui
            [only you]
              @Tom Becker taken out of the rotation of UI Engineering
              This moves the duties of 6 people over the next 8 sprints: @Aiko Tanaka, @Ana Souza, @Jonas Berg, @Kevin Wu, @Maria Lopez, @Tom Becker. They get one DM each with the net change of the edits made within 10 minutes.
            priya> /triage member add @tom ui
            [only you]
              @Tom Becker is back in the rotation of UI Engineering (position 5)
              This moves the duties of 6 people over the next 8 sprints: @Aiko Tanaka, @Ana Souza, @Jonas Berg, @Kevin Wu, @Maria Lopez, @Tom Becker. They get one DM each with the net change of the edits made within 10 minutes.
            priya> advance 15m
            ── Thu Mar 12 10:25 PDT · changed duties are told ──
            (nothing new)
            ── Thu Mar 12 10:30 PDT · now ──
            Bye.
        "#]],
    );
}
