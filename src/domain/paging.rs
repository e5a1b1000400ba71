//! Whom a mention of the bot calls: `@triage ui …` calls the person on duty for UI, `@triage
//! all …` everyone on duty. This is how a workspace without user groups reaches whoever is on
//! duty.
//!
//! [`people_to_call`] is the one place that decides it. People cannot mark themselves away yet;
//! once they can, this is where someone away gives way to the next person. Pure.

use super::ids::{DisciplineKey, SlackUserId};
use super::model::Assignment;

/// Whom a mention asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted<'a> {
    Discipline(&'a DisciplineKey),
    Everyone,
}

/// One person to mention, with the disciplines they are called for (in display order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub person: SlackUserId,
    pub disciplines: Vec<DisciplineKey>,
}

/// Whom a mention calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calls {
    /// The people to mention, each once, in the order of their first discipline; never the
    /// person asking.
    pub people: Vec<Call>,
    /// The disciplines asked for that the person asking is on duty for themselves.
    pub asker_holds: Vec<DisciplineKey>,
}

/// Whom `asker` calls with `wanted`, from who is on duty now (`assignments`, in display order).
/// A slot with nobody on duty calls nobody.
pub fn people_to_call(
    assignments: &[Assignment],
    wanted: Wanted<'_>,
    asker: &SlackUserId,
) -> Calls {
    let mut calls = Calls::default();
    let asked = assignments.iter().filter(|a| match wanted {
        Wanted::Discipline(key) => &a.discipline == key,
        Wanted::Everyone => true,
    });
    for assignment in asked {
        let discipline = assignment.discipline.clone();
        match &assignment.slack_id {
            None => {}
            Some(person) if person == asker => calls.asker_holds.push(discipline),
            Some(person) => match calls.people.iter_mut().find(|c| &c.person == person) {
                Some(call) => call.disciplines.push(discipline),
                None => calls.people.push(Call {
                    person: person.clone(),
                    disciplines: vec![discipline],
                }),
            },
        }
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Source;

    fn duty(text: &str) -> Vec<Assignment> {
        text.split_whitespace()
            .map(|pair| {
                let (discipline, person) = pair.split_once('=').unwrap();
                Assignment {
                    discipline: DisciplineKey::parse(discipline).unwrap(),
                    slack_id: (person != "-").then(|| SlackUserId::parse(person).unwrap()),
                    source: Source::Rotation,
                }
            })
            .collect()
    }

    #[track_caller]
    fn check(on_duty: &str, wanted: Option<&str>, expected: &str) {
        let key = wanted.map(|k| DisciplineKey::parse(k).unwrap());
        let wanted = key.as_ref().map_or(Wanted::Everyone, Wanted::Discipline);
        let asker = SlackUserId::parse("UASK").unwrap();
        let calls = people_to_call(&duty(on_duty), wanted, &asker);
        let keys = |keys: &[DisciplineKey]| {
            keys.iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join("+")
        };
        let mut found: Vec<String> = calls
            .people
            .iter()
            .map(|call| format!("{}:{}", call.person, keys(&call.disciplines)))
            .collect();
        if !calls.asker_holds.is_empty() {
            found.push(format!("asker holds {}", keys(&calls.asker_holds)));
        }
        assert_eq!(found.join(" "), expected);
    }

    #[test]
    fn a_discipline_calls_its_person_on_duty() {
        check("ui=U1 be=U2", Some("ui"), "U1:ui");
        check("ui=U1 be=U2", Some("be"), "U2:be");
        check("ui=U1 be=U1", Some("be"), "U1:be");
    }

    #[test]
    fn a_slot_with_nobody_calls_nobody() {
        check("ui=- be=U2", Some("ui"), "");
        check("be=U2", Some("ui"), "");
    }

    #[test]
    fn everyone_calls_each_person_once() {
        check("ui=U1 be=U2 po=U1 qa=-", None, "U1:ui+po U2:be");
        check("ui=-", None, "");
    }

    #[test]
    fn the_person_asking_is_never_called() {
        check("ui=UASK be=U2", Some("ui"), "asker holds ui");
        check("ui=UASK be=U2 po=UASK", None, "U2:be asker holds ui+po");
    }
}
