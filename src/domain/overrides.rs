//! The rules a coverage request (a request for an override) must pass before it is filed.
//!
//! Validation is a pure function over facts the caller has already loaded: the sprint and the
//! one after it, the discipline and its members, who is on duty for the slot, whether the
//! requester is an admin, the team's settings and `now`. It loads nothing and reads no clock.
//! A violation is a [`CoverageError`] whose text is shown to the person as is.

use jiff::Timestamp;
use jiff::civil::{Date, Time};

use super::ids::{DisciplineKey, SlackUserId, SprintIndex};
use super::model::{Assignment, Discipline, Member, Sprint, Team};
use super::sprint::sprint_ends_at;

/// Someone asks for `replacement` to cover one (sprint, discipline) slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRequest {
    pub sprint: SprintIndex,
    pub discipline: DisciplineKey,
    pub replacement: SlackUserId,
    pub requester: SlackUserId,
}

/// What the caller knows about the slot a request names.
#[derive(Debug, Clone, Copy)]
pub struct SlotFacts<'a> {
    /// The live sprint with the requested index, if there is one.
    pub sprint: Option<&'a Sprint>,
    /// The live sprint after it, if any: it decides when the requested sprint ends.
    pub next_sprint: Option<&'a Sprint>,
    /// The discipline with the requested key, if there is one.
    pub discipline: Option<&'a Discipline>,
    /// The discipline's members, active or not.
    pub members: &'a [Member],
    /// Who is on duty for the slot now, overrides included.
    pub on_duty: &'a Assignment,
    /// Whether the requester is an admin.
    pub requester_is_admin: bool,
}

/// Why a coverage request cannot be filed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoverageError {
    /// No live sprint has the requested index.
    #[error("sprint {0} does not exist")]
    UnknownSprint(SprintIndex),
    /// The sprint is no longer in force at the time of the request.
    #[error("{name} ended on {ended_on} at {}", .at.strftime("%H:%M"))]
    SprintEnded {
        index: SprintIndex,
        name: String,
        ended_on: Date,
        at: Time,
    },
    /// No discipline has the requested key.
    #[error("unknown discipline `{0}`")]
    UnknownDiscipline(DisciplineKey),
    /// The requester is neither the person on duty for the slot nor an admin.
    #[error(
        "only the person on duty ({on_duty}) or an admin can request coverage for {discipline} in {sprint}"
    )]
    NotOnDuty {
        on_duty: SlackUserId,
        discipline: DisciplineKey,
        /// The sprint's name.
        sprint: String,
    },
    /// Nobody is on duty for the slot and the requester is not an admin.
    #[error(
        "nobody is on duty for {discipline} in {sprint}, so only an admin can request coverage"
    )]
    AdminOnly {
        discipline: DisciplineKey,
        /// The sprint's name.
        sprint: String,
    },
    /// The replacement is not an active member of the discipline.
    #[error("{replacement} is not an active member of {discipline}")]
    NotActiveMember {
        replacement: SlackUserId,
        discipline: DisciplineKey,
    },
    /// The replacement is the person already on duty for the slot.
    #[error("{replacement} is already on duty for {discipline} in {sprint}")]
    AlreadyOnDuty {
        replacement: SlackUserId,
        discipline: DisciplineKey,
        /// The sprint's name.
        sprint: String,
    },
    /// A swap names the same sprint twice.
    #[error("a swap trades two different sprints")]
    SwapInOneSprint,
    /// The person a swap would trade with is not on duty for the discipline in their sprint.
    #[error("{person} is not on duty for {discipline} in {sprint}, so it is not theirs to swap")]
    NotTheirShift {
        person: SlackUserId,
        discipline: DisciplineKey,
        /// The sprint's name.
        sprint: String,
    },
    /// The same request is already open.
    #[error("request #{id} already asks for this")]
    AlreadyAsked { id: i64 },
}

/// Checks `request` against the rules, in this order: the sprint exists and has not ended at
/// `now`; the discipline exists; the requester is on duty for the slot or an admin; the
/// replacement is an active member of the discipline and not already on duty for the slot.
pub fn validate_coverage_request(
    request: &CoverageRequest,
    facts: &SlotFacts<'_>,
    team: &Team,
    now: Timestamp,
) -> Result<(), CoverageError> {
    check_sprint(request, facts, team, now)?;
    if facts.discipline.is_none() {
        return Err(CoverageError::UnknownDiscipline(request.discipline.clone()));
    }
    check_requester(request, facts)?;
    check_replacement(request, facts)
}

fn check_sprint(
    request: &CoverageRequest,
    facts: &SlotFacts<'_>,
    team: &Team,
    now: Timestamp,
) -> Result<(), CoverageError> {
    let sprint = facts
        .sprint
        .ok_or(CoverageError::UnknownSprint(request.sprint))?;
    let ends_at = sprint_ends_at(sprint, facts.next_sprint, team);
    if now < ends_at {
        return Ok(());
    }
    let local = ends_at.to_zoned(team.zone.clone()).datetime();
    Err(CoverageError::SprintEnded {
        index: sprint.index,
        name: sprint.name.clone(),
        ended_on: local.date(),
        at: local.time(),
    })
}

/// The requested sprint's name, as people see it.
fn sprint_name(request: &CoverageRequest, facts: &SlotFacts<'_>) -> String {
    facts
        .sprint
        .map_or_else(|| format!("sprint {}", request.sprint), |s| s.name.clone())
}

fn check_requester(request: &CoverageRequest, facts: &SlotFacts<'_>) -> Result<(), CoverageError> {
    let on_duty = facts.on_duty.slack_id.as_ref();
    if facts.requester_is_admin || on_duty == Some(&request.requester) {
        return Ok(());
    }
    let (discipline, sprint) = (request.discipline.clone(), sprint_name(request, facts));
    Err(match on_duty {
        Some(person) => CoverageError::NotOnDuty {
            on_duty: person.clone(),
            discipline,
            sprint,
        },
        None => CoverageError::AdminOnly { discipline, sprint },
    })
}

fn check_replacement(
    request: &CoverageRequest,
    facts: &SlotFacts<'_>,
) -> Result<(), CoverageError> {
    let is_active_member = facts.members.iter().any(|member| {
        member.active
            && member.slack_id == request.replacement
            && member.discipline == request.discipline
    });
    if !is_active_member {
        return Err(CoverageError::NotActiveMember {
            replacement: request.replacement.clone(),
            discipline: request.discipline.clone(),
        });
    }
    if facts.on_duty.slack_id.as_ref() == Some(&request.replacement) {
        return Err(CoverageError::AlreadyOnDuty {
            replacement: request.replacement.clone(),
            discipline: request.discipline.clone(),
            sprint: sprint_name(request, facts),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use jiff::tz::TimeZone;

    use super::*;
    use crate::domain::Source;

    /// One request and the facts around it, written as plain text.
    #[derive(Clone, Copy)]
    struct Case {
        sprint: i64,
        discipline: &'static str,
        replacement: &'static str,
        requester: &'static str,
        admin: bool,
        on_duty: Option<&'static str>,
        now: &'static str,
    }

    /// U1 (on duty) asks U2 to cover UI in sprint 4, mid-sprint.
    const VALID: Case = Case {
        sprint: 4,
        discipline: "ui",
        replacement: "U2",
        requester: "U1",
        admin: false,
        on_duty: Some("U1"),
        now: "2026-03-25T12:00:00Z",
    };

    fn team() -> Team {
        Team {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            handoff: Time::constant(8, 0, 0, 0),
            double_duty: Default::default(),
        }
    }

    fn sprints() -> Vec<Sprint> {
        [
            (3, "2026-03-09", "2026-03-22"),
            (4, "2026-03-22", "2026-04-05"),
        ]
        .map(|(index, start, end)| Sprint {
            index: SprintIndex::new(index).unwrap(),
            name: format!("Sprint {index}"),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        })
        .to_vec()
    }

    fn ui() -> Discipline {
        Discipline {
            key: DisciplineKey::parse("ui").unwrap(),
            name: "UI".to_string(),
            position: 0,
            fallback: None,
            usergroup_id: None,
        }
    }

    /// U1 and U2 are active in UI, U3 is inactive, U4 is active in another discipline.
    fn members() -> Vec<Member> {
        [
            ("U1", "ui", true),
            ("U2", "ui", true),
            ("U3", "ui", false),
            ("U4", "be", true),
        ]
        .into_iter()
        .enumerate()
        .map(|(order, (id, discipline, active))| Member {
            slack_id: SlackUserId::parse(id).unwrap(),
            discipline: DisciplineKey::parse(discipline).unwrap(),
            name: id.to_lowercase(),
            rotation_order: order as i64,
            active,
        })
        .collect()
    }

    fn validate(case: Case) -> Result<(), CoverageError> {
        let request = CoverageRequest {
            sprint: SprintIndex::new(case.sprint).unwrap(),
            discipline: DisciplineKey::parse(case.discipline).unwrap(),
            replacement: SlackUserId::parse(case.replacement).unwrap(),
            requester: SlackUserId::parse(case.requester).unwrap(),
        };
        let (sprints, ui, members) = (sprints(), ui(), members());
        let at = sprints.iter().position(|s| s.index == request.sprint);
        let on_duty = Assignment {
            discipline: request.discipline.clone(),
            slack_id: case.on_duty.map(|id| SlackUserId::parse(id).unwrap()),
            source: Source::Rotation,
        };
        let facts = SlotFacts {
            sprint: at.map(|i| &sprints[i]),
            next_sprint: at.and_then(|i| sprints.get(i + 1)),
            discipline: Some(&ui).filter(|d| d.key == request.discipline),
            members: &members,
            on_duty: &on_duty,
            requester_is_admin: case.admin,
        };
        validate_coverage_request(&request, &facts, &team(), case.now.parse().unwrap())
    }

    #[track_caller]
    fn check(case: Case, expected: &str) {
        let outcome = validate(case).map_or_else(|error| error.to_string(), |()| "ok".to_string());
        assert_eq!(outcome, expected);
    }

    #[test]
    fn the_person_on_duty_can_ask_an_active_colleague() {
        check(VALID, "ok");
    }

    #[test]
    fn the_sprint_must_exist() {
        check(
            Case {
                sprint: 12,
                ..VALID
            },
            "sprint 12 does not exist",
        );
    }

    #[test]
    fn the_sprint_must_not_have_ended() {
        let sprint_3 = Case { sprint: 3, ..VALID };
        check(
            Case {
                now: "2026-03-22T14:59:59Z",
                ..sprint_3
            },
            "ok",
        );
        check(
            Case {
                now: "2026-03-22T15:00:00Z",
                ..sprint_3
            },
            "Sprint 3 ended on 2026-03-22 at 08:00",
        );
    }

    #[test]
    fn the_last_sprint_ends_the_day_after_its_end_date() {
        check(
            Case {
                now: "2026-04-06T14:59:59Z",
                ..VALID
            },
            "ok",
        );
        check(
            Case {
                now: "2026-04-06T15:00:00Z",
                ..VALID
            },
            "Sprint 4 ended on 2026-04-06 at 08:00",
        );
    }

    #[test]
    fn future_sprints_can_be_covered() {
        check(
            Case {
                now: "2026-03-01T00:00:00Z",
                ..VALID
            },
            "ok",
        );
    }

    #[test]
    fn the_discipline_must_exist() {
        check(
            Case {
                discipline: "xx",
                ..VALID
            },
            "unknown discipline `xx`",
        );
    }

    #[test]
    fn the_replacement_must_be_an_active_member_of_the_discipline() {
        check(
            Case {
                replacement: "U3",
                ..VALID
            },
            "U3 is not an active member of ui",
        );
        check(
            Case {
                replacement: "U4",
                ..VALID
            },
            "U4 is not an active member of ui",
        );
        check(
            Case {
                replacement: "U9",
                ..VALID
            },
            "U9 is not an active member of ui",
        );
    }

    #[test]
    fn the_replacement_must_not_already_be_on_duty() {
        let by_admin = Case {
            requester: "U7",
            admin: true,
            ..VALID
        };
        check(
            Case {
                replacement: "U1",
                ..by_admin
            },
            "U1 is already on duty for ui in Sprint 4",
        );
    }

    #[test]
    fn only_the_person_on_duty_or_an_admin_can_ask() {
        check(
            Case {
                requester: "U2",
                replacement: "U1",
                on_duty: Some("U1"),
                ..VALID
            },
            "only the person on duty (U1) or an admin can request coverage for ui in Sprint 4",
        );
        check(
            Case {
                requester: "U7",
                admin: true,
                ..VALID
            },
            "ok",
        );
        check(
            Case {
                requester: "U2",
                on_duty: Some("U2"),
                replacement: "U1",
                ..VALID
            },
            "ok",
        );
    }

    #[test]
    fn with_nobody_on_duty_only_an_admin_can_ask() {
        let nobody = Case {
            on_duty: None,
            ..VALID
        };
        check(
            nobody,
            "nobody is on duty for ui in Sprint 4, so only an admin can request coverage",
        );
        check(
            Case {
                admin: true,
                ..nobody
            },
            "ok",
        );
    }
}
