//! The demo's sample team: five disciplines of fictional people (one of them in two), an
//! admin, and two-week sprints around today, written to the store the way an operator's
//! commands would; and the matching Slack workspace (people, channels, the on-call group).
//!
//! Seeding only adds what is missing, so a `--db` that already holds a team is kept as it is.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::config::Config;
use crate::domain::{DisciplineKey, IdError, SlackUserId};
use crate::slack::emulator::Workspace;
use crate::slack::emulator::workspace::{Channel, User};
use crate::store::{NewDiscipline, NewSprint, Store, StoreError};

/// The triage channel: handoff posts and its topic.
pub const TRIAGE_CHANNEL: &str = "C0TRIAGE";
/// The admin channel: coverage requests with Approve / Decline buttons.
pub const ADMIN_CHANNEL: &str = "C0ADMINS";
/// The on-call user group.
pub const ONCALL_GROUP: &str = "S0ONCALL";
/// Who the console starts as: a regular member, on duty in the current sprint.
pub const FIRST_USER: &str = "U0JONAS";
/// The team's admin.
pub const ADMIN: &str = "U0PRIYA";

/// Who records the seed in the audit log.
const ACTOR: &str = "demo";
/// Sprints before the current one, so the current sprint has a history.
const PAST_SPRINTS: i64 = 3;
/// Sprints after the current one.
const FUTURE_SPRINTS: i64 = 5;
/// How many days ago the current sprint started.
const CURRENT_STARTED_DAYS_AGO: i64 = 3;

/// A fictional person: Slack id, user name, real name, time zone.
pub struct Person {
    pub id: &'static str,
    pub handle: &'static str,
    pub real_name: &'static str,
    pub tz: &'static str,
}

const fn person(
    id: &'static str,
    handle: &'static str,
    real_name: &'static str,
    tz: &'static str,
) -> Person {
    Person {
        id,
        handle,
        real_name,
        tz,
    }
}

pub const PEOPLE: &[Person] = &[
    person("U0AIKO", "aiko", "Aiko Tanaka", "Asia/Tokyo"),
    person("U0MARIA", "maria", "Maria Lopez", "America/Los_Angeles"),
    person("U0TOM", "tom", "Tom Becker", "America/Chicago"),
    person("U0PRIYA", "priya", "Priya Nair", "America/New_York"),
    person("U0SAM", "sam", "Sam Okafor", "Europe/London"),
    person("U0LENA", "lena", "Lena Fischer", "Europe/Berlin"),
    person("U0DIEGO", "diego", "Diego Ramos", "America/Los_Angeles"),
    person("U0HANA", "hana", "Hana Kim", "America/Los_Angeles"),
    person("U0OLU", "olu", "Olu Adeyemi", "Europe/London"),
    person("U0KEVIN", "kevin", "Kevin Wu", "America/Los_Angeles"),
    person("U0ANA", "ana", "Ana Souza", "America/Sao_Paulo"),
    person("U0JONAS", "jonas", "Jonas Berg", "Europe/Stockholm"),
    person("U0RAJ", "raj", "Raj Patel", "Asia/Kolkata"),
    person("U0EVA", "eva", "Eva Novak", "Europe/Prague"),
    person("U0CHRIS", "chris", "Chris Moore", "America/Denver"),
    person("U0NINA", "nina", "Nina Petrova", "Europe/Berlin"),
];

/// The disciplines of the old bot, each with its rotation in order. Maria is in two, so the
/// rotation (`double-duty = avoid`) passes her over in UI Engineering whenever she is on duty
/// for Account in the same sprint or the one before, and she is first in line the next time.
/// With the current sprint at index 3, Jonas is on duty for UI Engineering now and Maria could
/// cover, though that gives her back-to-back duty: she is on Account in the next sprint.
const DISCIPLINES: &[(&str, &str, &[&str])] = &[
    ("account", "Account", &["U0AIKO", "U0MARIA", "U0TOM"]),
    ("producer", "Producer", &["U0PRIYA", "U0SAM", "U0LENA"]),
    ("po", "Product Owner", &["U0DIEGO", "U0HANA", "U0OLU"]),
    (
        "uiEng",
        "UI Engineering",
        &["U0MARIA", "U0KEVIN", "U0ANA", "U0JONAS"],
    ),
    (
        "beEng",
        "Backend Engineering",
        &["U0RAJ", "U0EVA", "U0CHRIS", "U0NINA"],
    ),
];

/// Why the sample team could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The store refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A seed id is malformed (a bug in this file).
    #[error(transparent)]
    Id(#[from] IdError),
}

/// What the seed did: whether the database already held a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeded {
    Created,
    KeptExisting,
}

/// Whether the store holds a team that is not the demo's: a discipline or a person the demo
/// does not seed. The demo's own database, seeded earlier, is not a real team.
pub fn holds_a_real_team(store: &Store) -> Result<bool, StoreError> {
    let foreign_discipline = store
        .disciplines()?
        .iter()
        .any(|d| !DISCIPLINES.iter().any(|(key, _, _)| d.key.as_str() == *key));
    let foreign_member = store
        .members(None)?
        .iter()
        .any(|m| !PEOPLE.iter().any(|p| m.slack_id.as_str() == p.id));
    Ok(foreign_discipline || foreign_member)
}

/// Writes the sample team unless the database already has disciplines.
pub fn seed(store: &Store, config: &Config) -> Result<Seeded, SeedError> {
    if !store.disciplines()?.is_empty() {
        return Ok(Seeded::KeptExisting);
    }
    let now = config.now();
    for (key, name, members) in DISCIPLINES {
        let key = DisciplineKey::parse(key)?;
        let discipline = NewDiscipline {
            key: key.clone(),
            name: name.to_string(),
            fallback: None,
            usergroup_id: None,
        };
        store.upsert_discipline(&discipline, ACTOR, now)?;
        for id in *members {
            let name = PEOPLE.iter().find(|p| p.id == *id).map(|p| p.real_name);
            store.upsert_member(&SlackUserId::parse(id)?, &key, name, ACTOR, now)?;
        }
    }
    store.add_admin(&SlackUserId::parse(ADMIN)?, ACTOR, now)?;
    let today = crate::duty::local_date(&config.team(), now);
    store.append_sprints(&sprints(today), ACTOR, now)?;
    Ok(Seeded::Created)
}

/// Back-to-back two-week sprints; the current one started a few days before `today`.
fn sprints(today: Date) -> Vec<NewSprint> {
    let current = today.saturating_sub(CURRENT_STARTED_DAYS_AGO.days());
    (-PAST_SPRINTS..=FUTURE_SPRINTS)
        .enumerate()
        .map(|(number, offset)| {
            let start = current.saturating_add((offset * 14).days());
            NewSprint {
                name: format!("Sprint {}", number + 1),
                start,
                end: start.saturating_add(13.days()),
            }
        })
        .collect()
}

/// Puts the people, the channels and the empty on-call group into the emulator's workspace.
/// `members` adds anyone the store knows who is not in the sample team (a reused `--db`).
pub fn furnish(workspace: &mut Workspace, members: &[(String, String)], zone: &str) {
    let mut users: Vec<User> = PEOPLE
        .iter()
        .map(|p| User {
            id: p.id.to_string(),
            name: p.handle.to_string(),
            real_name: p.real_name.to_string(),
            tz: p.tz.to_string(),
        })
        .collect();
    for (id, name) in members {
        if users.iter().all(|user| &user.id != id) {
            let handle = name.split_whitespace().next().unwrap_or(id).to_lowercase();
            users.push(User {
                id: id.clone(),
                name: handle,
                real_name: name.clone(),
                tz: zone.to_string(),
            });
        }
    }
    workspace.users = users;
    workspace.team_name = "Demo Team".to_string();
    workspace.channels = vec![
        channel(TRIAGE_CHANNEL, "triage"),
        channel(ADMIN_CHANNEL, "triage-admins"),
    ];
    for group in &mut workspace.usergroups {
        if group.id == ONCALL_GROUP {
            group.users.clear();
        }
    }
}

fn channel(id: &str, name: &str) -> Channel {
    Channel {
        id: id.to_string(),
        name: name.to_string(),
        topic: String::new(),
        dm_with: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_sprint_started_three_days_ago_and_sprints_are_back_to_back() {
        let sprints = sprints(jiff::civil::date(2026, 3, 12));
        let current = &sprints[PAST_SPRINTS as usize];
        assert_eq!(
            (current.start, current.end),
            (
                jiff::civil::date(2026, 3, 9),
                jiff::civil::date(2026, 3, 22)
            )
        );
        for pair in sprints.windows(2) {
            assert_eq!(pair[0].end.tomorrow().unwrap(), pair[1].start);
        }
    }

    #[test]
    fn every_member_is_a_known_person_and_one_is_in_two_disciplines() {
        let all: Vec<&str> = DISCIPLINES
            .iter()
            .flat_map(|d| d.2.iter().copied())
            .collect();
        assert!(
            all.iter()
                .all(|id| PEOPLE.iter().any(|person| person.id == *id))
        );
        let twice: Vec<&&str> = all
            .iter()
            .filter(|id| all.iter().filter(|other| other == id).count() == 2)
            .collect();
        assert_eq!(twice, [&"U0MARIA", &"U0MARIA"]);
    }
}
