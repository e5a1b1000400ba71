//! Fairness in Slack's words: the `/triage stats` answer (per discipline, each person as a
//! mention with their sprints served, covers given and received, and turns skipped or owed when
//! there are any) and the Home tab's line with a person's own count next to the team median (and
//! the turn the rotation owes them, if it does). Knows nothing of the store.

use jiff::civil::Date;
use serde_json::Value;

use crate::dates::SlackDates;
use crate::domain::SlackUserId;
use crate::domain::stats::{Fairness, PersonStats};
use crate::duty::Roster;

use super::blocks::{Message, context, discipline_name, mention, section};

/// `3 sprints served`, `1 sprint served`.
fn counted(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `<@U1> — 3 sprints served, 1 cover given, 0 received`, and the turns skipped or owed when
/// there are any: moved by an away swap, passed over to avoid double duty, still owed.
fn person_line(p: &PersonStats) -> String {
    let mut line = format!(
        "• {} — {}, {}, {} received",
        mention(&p.person),
        counted(p.served, "sprint served", "sprints served"),
        counted(p.covers_given, "cover given", "covers given"),
        p.covers_received
    );
    match p.away_swaps {
        0 => {}
        1 => line.push_str(", 1 turn moved by an away swap"),
        n => line.push_str(&format!(", {n} turns moved by away swaps")),
    }
    if p.passed_over > 0 {
        let turns = counted(p.passed_over, "turn", "turns");
        line.push_str(&format!(", {turns} passed over to avoid double duty"));
    }
    if p.owed > 0 {
        line.push_str(&format!(", {} owed", counted(p.owed, "turn", "turns")));
    }
    line
}

/// The `/triage stats` answer: one section per discipline, in display order; `since`, the first
/// day counted when not the whole history.
pub fn stats(
    fairness: &Fairness,
    roster: &Roster,
    since: Option<Date>,
    dates: &SlackDates,
) -> Message {
    if fairness.people.is_empty() {
        return Message::text("Nothing to count yet: no members and no sprint has started.");
    }
    let when = since.map_or_else(
        || "so far".to_string(),
        |day| format!("of the sprints since {}", dates.day(day)),
    );
    let title = format!(
        "*Fairness {when}*: sprints served (covering included), covers given and received, \
         turns skipped or owed"
    );
    let mut blocks = vec![section(&title)];
    let mut text = vec![title.clone()];
    let mut people = fairness.people.iter().peekable();
    while let Some(first) = people.next() {
        let mut lines = vec![format!("*{}*", discipline_name(roster, &first.discipline))];
        lines.push(person_line(first));
        while let Some(p) = people.next_if(|p| p.discipline == first.discipline) {
            lines.push(person_line(p));
        }
        text.extend(lines.iter().cloned());
        blocks.push(section(&lines.join("\n")));
    }
    let median = format!(
        "Team median: {} served. Counted from the sprints that have started; later roster changes do not change it.",
        served(fairness.median_served)
    );
    text.push(median.clone());
    blocks.push(context(&median));
    Message {
        text: text.join("\n"),
        blocks,
    }
}

/// `2.5 sprints`, `1 sprint`.
fn served(median: f64) -> String {
    format!(
        "{median} {}",
        if median == 1.0 { "sprint" } else { "sprints" }
    )
}

/// The Home tab's line for `person`: `You have served 3 sprints; the team median is 2.5.`
/// (per discipline when they serve in several); `None` when they have no line.
pub fn home_line(fairness: &Fairness, person: &SlackUserId, roster: &Roster) -> Option<String> {
    let rows: Vec<&PersonStats> = fairness.of(person).collect();
    let served = match rows.as_slice() {
        [] => return None,
        [only] => counted(only.served, "sprint", "sprints"),
        several => several
            .iter()
            .map(|p| {
                format!(
                    "{} for *{}*",
                    counted(p.served, "sprint", "sprints"),
                    discipline_name(roster, &p.discipline)
                )
            })
            .collect::<Vec<_>>()
            .join(" and "),
    };
    let line = format!(
        "You have served {served}; the team median is {}.",
        fairness.median_served
    );
    Some(match owed_note(&rows, roster) {
        Some(note) => format!("{line} {note}"),
        None => line,
    })
}

/// `The rotation owes you a turn.` (`… for *UI*.` when the person serves in several
/// disciplines); `None` when it owes them nothing.
fn owed_note(rows: &[&PersonStats], roster: &Roster) -> Option<String> {
    let owed: Vec<String> = rows
        .iter()
        .filter(|p| p.owed > 0)
        .map(|p| format!("*{}*", discipline_name(roster, &p.discipline)))
        .collect();
    match (owed.is_empty(), rows.len()) {
        (true, _) => None,
        (false, 1) => Some("The rotation owes you a turn.".to_string()),
        (false, _) => Some(format!(
            "The rotation owes you a turn for {}.",
            owed.join(" and ")
        )),
    }
}

/// `home` (the Home tab's view) with `line` (see [`home_line`]) under the status at its top,
/// before the first divider.
pub fn with_home_line(mut home: Value, line: &str) -> Value {
    if let Some(all) = home["blocks"].as_array_mut() {
        let at = all
            .iter()
            .position(|b| b["type"] == "divider")
            .unwrap_or(all.len());
        all.insert(at, context(line));
    }
    home
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;
    use crate::domain::DisciplineKey;
    use crate::slack::blocks::tests::roster;

    fn row(person: &str, discipline: &str, counts: [u32; 4]) -> PersonStats {
        skipped(person, discipline, counts, [0, 0])
    }

    /// A row with turns passed over and owed.
    fn skipped(person: &str, discipline: &str, counts: [u32; 4], skips: [u32; 2]) -> PersonStats {
        PersonStats {
            person: SlackUserId::parse(person).unwrap(),
            name: None,
            discipline: DisciplineKey::parse(discipline).unwrap(),
            served: counts[0],
            covers_given: counts[1],
            covers_received: counts[2],
            away_swaps: counts[3],
            passed_over: skips[0],
            owed_turns_taken: 0,
            owed: skips[1],
        }
    }

    fn fairness() -> Fairness {
        Fairness {
            people: vec![
                row("U1", "ui", [3, 1, 0, 0]),
                skipped("U2", "ui", [1, 0, 2, 1], [1, 0]),
                skipped("U1", "be", [2, 0, 0, 2], [2, 1]),
            ],
            median_served: 2.0,
        }
    }

    fn dates() -> SlackDates {
        let zone = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        SlackDates::in_zone(zone, "2026-03-12T17:00:00Z".parse().unwrap())
    }

    #[test]
    fn since_a_day_says_which_sprints_count() {
        let since = jiff::civil::date(2026, 3, 9);
        let message = stats(&fairness(), &roster(), Some(since), &dates());
        expect!["*Fairness of the sprints since Mon Mar 9*: sprints served (covering included), covers given and received, turns skipped or owed"]
            .assert_eq(message.text.lines().next().unwrap());
    }

    #[test]
    fn stats_list_people_by_discipline() {
        let message = stats(&fairness(), &roster(), None, &dates());
        expect![[r#"
            *Fairness so far*: sprints served (covering included), covers given and received, turns skipped or owed
            *UI*
            • <@U1> — 3 sprints served, 1 cover given, 0 received
            • <@U2> — 1 sprint served, 0 covers given, 2 received, 1 turn moved by an away swap, 1 turn passed over to avoid double duty
            *Backend*
            • <@U1> — 2 sprints served, 0 covers given, 0 received, 2 turns moved by away swaps, 2 turns passed over to avoid double duty, 1 turn owed
            Team median: 2 sprints served. Counted from the sprints that have started; later roster changes do not change it."#]].assert_eq(&message.text);
        assert_eq!(message.blocks.len(), 4);
    }

    #[test]
    fn the_home_line_puts_a_person_next_to_the_median() {
        let mut one = fairness();
        one.people.truncate(2);
        one.median_served = 2.5;
        let line =
            |f: &Fairness, id: &str| home_line(f, &SlackUserId::parse(id).unwrap(), &roster());
        let only_ui = line(&one, "U2").unwrap();
        expect!["You have served 1 sprint; the team median is 2.5."].assert_eq(&only_ui);
        one.people[1].owed = 1;
        let owed = line(&one, "U2").unwrap();
        expect!["You have served 1 sprint; the team median is 2.5. The rotation owes you a turn."]
            .assert_eq(&owed);
        let both = line(&fairness(), "U1").unwrap();
        expect![
            "You have served 3 sprints for *UI* and 2 sprints for *Backend*; the team median is 2. The rotation owes you a turn for *Backend*."
        ]
        .assert_eq(&both);
        assert_eq!(line(&fairness(), "U9"), None);
    }
}
