//! Invariant 17: the calendar feeds follow the schedule. The team's feed has one event per duty
//! (a sprint and discipline with someone on duty) naming the person; each person's feed has
//! exactly their duties; every event runs over its sprint's days, up to the day duty next
//! changes hands.

use triage_bot::domain::calendar::FeedSubject;

use super::*;

/// One event as the feed writes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    uid: String,
    summary: String,
    days: (String, String),
}

/// The events of an iCalendar text (lines unfolded).
fn events(text: &str) -> Vec<Event> {
    let unfolded = text.replace("\r\n ", "");
    let mut found = Vec::new();
    for block in unfolded.split("BEGIN:VEVENT\r\n").skip(1) {
        let field = |name: &str| {
            block
                .split("\r\n")
                .find_map(|line| line.strip_prefix(name))
                .unwrap_or_default()
                .to_string()
        };
        found.push(Event {
            uid: field("UID:"),
            summary: field("SUMMARY:"),
            days: (field("DTSTART;VALUE=DATE:"), field("DTEND;VALUE=DATE:")),
        });
    }
    found.sort();
    found
}

/// The days of sprint `s` as the feed writes them: its first day, and the day duty next changes
/// hands (the next sprint's start when it shares the last day, else the day after the end).
fn days(model: &Model, s: usize) -> (String, String) {
    let (start, end) = model.sprints[s];
    let after = end.tomorrow().unwrap();
    let until = match model.sprints.get(s + 1) {
        Some((next, _)) if *next < after => *next,
        _ => after,
    };
    let text = |day: Date| day.strftime("%Y%m%d").to_string();
    (text(start), text(until))
}

pub fn check_feeds(real: &Real, model: &Model) -> Result<(), String> {
    let team = real.config.team();
    let roster = Roster::load(&real.store).unwrap();
    let render = |subject: &FeedSubject| {
        let text = triage_bot::calendar::render(&real.store, &team, subject, model.now).unwrap();
        events(&text)
    };
    let mut team_events = Vec::new();
    let mut personal: BTreeMap<usize, Vec<Event>> = BTreeMap::new();
    for s in 0..model.sprints.len() {
        let sprint = real
            .store
            .sprint(SprintIndex::new(s as i64).unwrap())
            .unwrap();
        let sprint_name = sprint.map_or_else(String::new, |sprint| sprint.name);
        for (d, person) in model.slots(s).iter().enumerate() {
            let Some(p) = *person else { continue };
            let id = user(p);
            let person_name = roster.name_of(&id).unwrap_or(id.as_str()).to_string();
            let duty = format!("Triage: {} — {sprint_name}", DISCIPLINES[d].1);
            team_events.push(Event {
                uid: format!("sprint-{s}-{}@triage-bot", DISCIPLINES[d].0),
                summary: format!("{duty} — {person_name}"),
                days: days(model, s),
            });
            personal.entry(p).or_default().push(Event {
                uid: format!("sprint-{s}-{}-{id}@triage-bot", DISCIPLINES[d].0),
                summary: duty,
                days: days(model, s),
            });
        }
    }
    team_events.sort();
    let found = render(&FeedSubject::Team);
    if found != team_events {
        return Err(format!(
            "invariant 17: the team's feed has\n  {found:?}\n  the schedule says\n  {team_events:?}"
        ));
    }
    for (p, name) in PEOPLE.iter().enumerate() {
        let mut expected = personal.remove(&p).unwrap_or_default();
        expected.sort();
        let found = render(&FeedSubject::Person(user(p)));
        if found != expected {
            return Err(format!(
                "invariant 17: {name}'s feed has\n  {found:?}\n  the schedule says\n  {expected:?}"
            ));
        }
    }
    Ok(())
}
