//! Invariant 18: fairness is the history. For every person and discipline, the sprints served
//! that `stats` counts are the started sprints in which the model has them on duty for it
//! (covering included), and nobody else has any.

use triage_bot::domain::stats::Scope;

use super::*;

pub fn check_fairness(real: &Real, model: &Model) -> Result<(), String> {
    let team = real.config.team();
    let (counted, _) =
        triage_bot::stats::fairness(&real.store, &team, &Scope::default(), model.now).unwrap();
    let found: BTreeMap<(usize, usize), u32> = counted
        .people
        .iter()
        .filter(|p| p.served > 0)
        .map(|p| {
            let d = DISCIPLINES
                .iter()
                .position(|x| x.0 == p.discipline.as_str())
                .unwrap();
            ((person_of(&p.person), d), p.served)
        })
        .collect();
    let mut expected: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for s in (0..model.sprints.len()).filter(|s| model.started(*s)) {
        for (d, person) in model.slots(s).iter().enumerate() {
            if let Some(p) = person {
                *expected.entry((*p, d)).or_default() += 1;
            }
        }
    }
    if found != expected {
        return Err(format!(
            "invariant 18: sprints served ((person, discipline) -> count): real {found:?}, \
             model {expected:?}"
        ));
    }
    Ok(())
}
