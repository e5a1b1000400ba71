//! What is compared and checked after every step.

use super::*;

/// Whether a DM tells its reader that their own duty changed.
pub fn claims_duty_change(text: &str) -> bool {
    let text = text.to_lowercase();
    [
        "you are covering",
        "you will cover",
        "for you, so",
        "you no longer cover",
        "in your place",
        "you are off triage duty",
        "put you on triage duty",
        "you are on triage duty",
        "so you are not on duty for it",
    ]
    .iter()
    .any(|claim| text.contains(claim))
}

pub fn name(person: Option<usize>) -> &'static str {
    person.map_or("nobody", |p| PEOPLE[p])
}

/// Compares the real store with the model and checks the invariants; `Err` says what broke.
pub fn check(real: &Real, model: &Model) -> Result<(), String> {
    // One read transaction on one connection for all the reads.
    let team = real.config.team();
    real.store
        .snapshot(|store| Ok(check_store(store, &team, model)))
        .unwrap()
}

pub fn check_store(store: &Store, team: &Team, model: &Model) -> Result<(), String> {
    check_offers(store, model)?;
    check_notes(store, model)?;
    // 5. Sprints: the model's, never overlapping (a shared boundary day is allowed).
    let sprints = store.sprints().unwrap();
    let dates: Vec<(Date, Date)> = sprints.iter().map(|s| (s.start, s.end)).collect();
    if dates != model.sprints {
        return Err(format!(
            "sprints: real {dates:?}, model {:?}",
            model.sprints
        ));
    }
    for pair in sprints.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(format!(
                "invariant 5: sprints {} and {} overlap",
                pair[0].index, pair[1].index
            ));
        }
    }
    // 6. Admins.
    let admins: BTreeSet<usize> = store.admins().unwrap().iter().map(person_of).collect();
    if admins.is_empty() {
        return Err("invariant 6: nobody is an admin".into());
    }
    if admins != model.admins {
        return Err(format!("admins: real {admins:?}, model {:?}", model.admins));
    }
    // Members, in order, as they are in force: 12. a dated change whose handoff has come counts
    // as applied (the store applies it when it next records a started sprint, before that
    // sprint's turn).
    let roster = Roster::load(store).unwrap();
    let pending = store.pending_roster_changes(None).unwrap();
    for (d, expected) in model.members.iter().enumerate() {
        let mut members = roster.members_of(&key(d));
        members.sort_by_key(|m| m.rotation_order);
        let mut found: Vec<(usize, bool)> = members
            .iter()
            .map(|m| (person_of(&m.slack_id), m.active))
            .collect();
        let mut due: Vec<(usize, i64, Change)> = pending
            .iter()
            .filter(|c| c.discipline == key(d))
            .filter_map(|c| {
                let at = model.effective(c.on)?;
                let change = Change {
                    person: person_of(&c.person),
                    discipline: d,
                    join: c.kind == ChangeKind::Join,
                    on: c.on,
                    status: ChangeStatus::Pending,
                    applied: None,
                };
                model.started(at).then_some((at, c.id, change))
            })
            .collect();
        due.sort_by_key(|(at, id, _)| (*at, *id));
        for (_, _, change) in &due {
            apply_to(&mut found, change);
        }
        if &found != expected {
            return Err(format!(
                "invariant 14: members of {} in force: real {found:?}, model {expected:?}",
                key(d)
            ));
        }
    }
    // Dated changes still pending.
    let mut real_pending: Vec<(i64, usize, usize, bool, Date)> = pending
        .iter()
        .filter(|c| !model.effective(c.on).is_some_and(|at| model.started(at)))
        .map(|c| {
            let d = DISCIPLINES
                .iter()
                .position(|x| x.0 == c.discipline.as_str())
                .unwrap();
            (
                c.id,
                person_of(&c.person),
                d,
                c.kind == ChangeKind::Join,
                c.on,
            )
        })
        .collect();
    real_pending.sort();
    let model_pending: Vec<(i64, usize, usize, bool, Date)> = model
        .changes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status == ChangeStatus::Pending)
        .map(|(i, c)| (i as i64 + 1, c.person, c.discipline, c.join, c.on))
        .collect();
    if real_pending != model_pending {
        return Err(format!(
            "pending changes (id, person, discipline, join, on): real {real_pending:?}, model {model_pending:?}"
        ));
    }
    // Absences and away policies.
    let windows: Vec<(i64, usize, Date, Date)> = store
        .away_windows(None, Date::MIN)
        .unwrap()
        .iter()
        .map(|w| (w.id, person_of(&w.person), w.from, w.to))
        .collect();
    let expected: Vec<(i64, usize, Date, Date)> = model
        .absences
        .iter()
        .enumerate()
        .filter(|(_, w)| !w.removed)
        .map(|(i, w)| (i as i64 + 1, w.person, w.from, w.to))
        .collect();
    let mut windows = windows;
    windows.sort();
    if windows != expected {
        return Err(format!(
            "absences (id, person, from, to): real {windows:?}, model {expected:?}"
        ));
    }
    let policies: Vec<bool> = store
        .away_policies()
        .unwrap()
        .iter()
        .map(|(_, p)| *p == AwayPolicy::SwapNext)
        .collect();
    if policies != model.swap_next {
        return Err(format!(
            "swap-next policies: real {policies:?}, model {:?}",
            model.swap_next
        ));
    }
    // Requests and their statuses; 3. at most one approved cover per slot.
    let requests = store.overrides(None).unwrap();
    let mut real_requests: Vec<_> = requests
        .iter()
        .map(|o| {
            let sprint = o.sprint.get() as usize;
            let discipline = DISCIPLINES
                .iter()
                .position(|d| d.0 == o.discipline.as_str())
                .unwrap();
            let original = o.original.as_ref().map(person_of);
            let who = (person_of(&o.replacement), person_of(&o.requested_by));
            (o.id, sprint, discipline, original, who, o.status)
        })
        .collect();
    real_requests.sort_by_key(|r| r.0);
    let model_requests: Vec<_> = model
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let who = (r.replacement, r.requester);
            (
                i as i64 + 1,
                r.sprint,
                r.discipline,
                r.original,
                who,
                r.status.real(),
            )
        })
        .collect();
    if real_requests != model_requests {
        return Err(format!(
            "requests (id, sprint, discipline, original, (replacement, requester), status):\n  \
             real  {real_requests:?}\n  model {model_requests:?}"
        ));
    }
    // 9. The halves of a swap (people's, or a `swap-next` policy's): linked as in the model, and
    // always of one status, unless a later cover of one half's slot superseded that approved half.
    for (i, r) in model.requests.iter().enumerate() {
        let partner = store.swap_partner(i as i64 + 1).unwrap();
        if partner != r.partner.map(|p| p as i64 + 1) {
            return Err(format!(
                "swap of request #{}: real partner {partner:?}, model {:?}",
                i + 1,
                r.partner.map(|p| p + 1)
            ));
        }
        // Closed halves may close for different reasons (one expired, the other superseded
        // with it); otherwise the statuses match.
        let class = |status: Status| match status {
            Status::Superseded | Status::Expired => Status::Superseded,
            other => other,
        };
        // A later decision for one half's slot (an admin's `set`, say) supersedes that approved
        // half alone: the other stays approved, as it would for any approved cover.
        let replaced = |a: Status, b: Status| a == Status::Approved && b == Status::Superseded;
        if let Some(p) = r.partner
            && class(model.requests[p].status) != class(r.status)
            && !replaced(model.requests[p].status, r.status)
            && !replaced(r.status, model.requests[p].status)
        {
            return Err(format!(
                "invariant 9: the halves #{} and #{} of a swap differ: {:?} and {:?}",
                i + 1,
                p + 1,
                r.status,
                model.requests[p].status
            ));
        }
    }
    let mut approved_slots = BTreeSet::new();
    for r in &real_requests {
        if r.5 == OverrideStatus::Approved && !approved_slots.insert((r.1, r.2)) {
            return Err(format!(
                "invariant 3: two approved covers of slot {:?}",
                (r.1, r.2)
            ));
        }
    }
    // 4. No approval after a sprint's end.
    for (i, r) in model.requests.iter().enumerate() {
        if let Some(at) = r.approved_at
            && at >= model.end(r.sprint)
        {
            return Err(format!(
                "invariant 4: request #{} approved after its sprint ended",
                i + 1
            ));
        }
    }
    // The rotation's own picks, under the covers, and 9.
    let mut picks: Vec<Slots> = Vec::new();
    for sprint in &sprints {
        let s = sprint.index.get() as usize;
        let found: Slots = [0, 1].map(|d| {
            let slot = duty::slot(store, team, &roster, sprint, &key(d)).unwrap();
            slot.and_then(|(_, original)| original.as_ref().map(person_of))
        });
        let expected = [model.base(s, 0), model.base(s, 1)];
        if found != expected {
            return Err(format!(
                "the rotation's picks in sprint {s}: real {:?}, model {:?}",
                found.map(name),
                expected.map(name),
            ));
        }
        if !model.started(s) {
            avoided(model, s, &found, picks.last())?;
        }
        picks.push(found);
    }
    // 1 and 2. Who is on duty in every sprint.
    for sprint in &sprints {
        let s = sprint.index.get() as usize;
        let duty = duty::sprint_duty(store, team, &roster, sprint).unwrap();
        let found: Slots = [0, 1].map(|d| {
            duty.assignments
                .iter()
                .find(|a| a.discipline == key(d))
                .and_then(|a| a.slack_id.as_ref().map(person_of))
        });
        let expected = model.slots(s);
        // 11. The duties marked away are those whose person is away during the sprint.
        let mut away: Vec<usize> = duty.away.iter().map(person_of).collect();
        away.sort();
        let mut expected_away: Vec<usize> = expected
            .iter()
            .flatten()
            .copied()
            .filter(|p| model.away(*p, s))
            .collect();
        expected_away.sort();
        expected_away.dedup();
        if away != expected_away {
            return Err(format!(
                "invariant 13: sprint {s} marks {:?} away, the model {:?}",
                away.iter().map(|p| PEOPLE[*p]).collect::<Vec<_>>(),
                expected_away.iter().map(|p| PEOPLE[*p]).collect::<Vec<_>>()
            ));
        }
        if let Some(when_ended) = model.ended.get(&s) {
            if found != *when_ended || expected != *when_ended {
                return Err(format!(
                    "invariant 1: sprint {s} ended with {:?} on duty; now real {:?}, model {:?}",
                    when_ended.map(name),
                    found.map(name),
                    expected.map(name)
                ));
            }
        } else if found != expected {
            let which = if model.started(s) {
                "invariant 2: started sprint"
            } else {
                "future sprint"
            };
            return Err(format!(
                "{which} {s}: real {:?}, model {:?}",
                found.map(name),
                expected.map(name)
            ));
        }
    }
    Ok(())
}

/// Invariant 11: in a sprint that has not started, the rotation gives nobody double duty, or
/// duty in two sprints running, while someone else in the discipline could take the turn
/// without it.
fn avoided(model: &Model, s: usize, picks: &Slots, before: Option<&Slots>) -> Result<(), String> {
    for (d, pick) in picks.iter().enumerate() {
        let Some(person) = *pick else {
            continue;
        };
        let busy = |p: usize| {
            picks[..d].contains(&Some(p)) || before.is_some_and(|b| b.contains(&Some(p)))
        };
        let free = model.members_at(s)[d]
            .iter()
            .find(|m| m.1 && !busy(m.0))
            .copied();
        if busy(person)
            && let Some(free) = free
        {
            return Err(format!(
                "invariant 11: sprint {s} puts {} on duty for {} with double or back-to-back \
                 duty, though {} was free",
                PEOPLE[person], DISCIPLINES[d].1, PEOPLE[free.0]
            ));
        }
    }
    Ok(())
}

/// After a step: 4. no pending request of an ended sprint once stale requests were closed, and
/// 7. the DMs the step enqueued.
pub fn check_step(
    action: &Action,
    expected: &Expected,
    before: &BTreeMap<usize, BTreeSet<(usize, usize)>>,
    model: &Model,
    dms: &[(usize, String, String)],
) -> Result<(), String> {
    if matches!(action, Action::CloseStale) {
        if let Some((i, _)) = model
            .requests
            .iter()
            .enumerate()
            .find(|(_, r)| r.status.is_open() && model.has_ended(r.sprint))
        {
            return Err(format!(
                "invariant 4: request #{} pending after its sprint ended",
                i + 1
            ));
        }
    }
    if matches!(action, Action::AwayAdd { .. } | Action::AwayRemove { .. }) {
        return check_away_step(action, expected, before, model, dms);
    }
    if let Some(notified) = &expected.notified {
        return check_notices(notified, dms);
    }
    let decision = matches!(
        action,
        Action::Decide { .. } | Action::Set { .. } | Action::CloseStale | Action::Take { .. }
    );
    if matches!(action, Action::Swap { .. }) {
        // A proposed swap asks the other person, once, without claiming a duty changed.
        return match dms {
            [] => Ok(()),
            [(_, _, text)] if text.contains("proposes a swap") && !claims_duty_change(text) => {
                Ok(())
            }
            _ => Err(format!("proposing a swap sent these DMs: {dms:?}")),
        };
    }
    if matches!(action, Action::SetApproval { .. }) {
        return match dms.first() {
            Some((_, to, text)) => Err(format!("a policy change sent a DM to {to}: {text}")),
            None => Ok(()),
        };
    }
    if matches!(action, Action::File { .. }) {
        // Filing asks the person named to cover, and tells the person whose shift it is when
        // someone else asked: one DM each, none claiming a duty changed.
        let mut told = BTreeSet::new();
        for (_, to, text) in dms {
            let fits = text.contains("asks you to cover") || text.contains("to cover your shift");
            if !fits || claims_duty_change(text) || !told.insert(to) {
                return Err(format!("filing a request sent these DMs: {dms:?}"));
            }
        }
        return Ok(());
    }
    if !decision {
        return match dms.first() {
            Some((_, to, text)) => Err(format!("a DM without a decision, to {to}: {text}")),
            None => Ok(()),
        };
    }
    let after = model.duties();
    let changed: BTreeSet<usize> = (0..PEOPLE.len())
        .filter(|p| before.get(p) != after.get(p))
        .collect();
    let mut told: BTreeMap<&str, &str> = BTreeMap::new();
    for (_, to, text) in dms {
        if let Some(first) = told.insert(to, text) {
            return Err(format!(
                "invariant 7: two DMs to {to}:\n  {first}\n  {text}"
            ));
        }
    }
    for person in &changed {
        let Some(text) = told.get(PEOPLE[*person]) else {
            return Err(format!(
                "invariant 7: {}'s duty changed but they got no DM",
                PEOPLE[*person]
            ));
        };
        let request = &model.requests[expected.decided.unwrap()];
        let discipline = DISCIPLINES[request.discipline].1;
        let id = format!("#{}", expected.decided.unwrap() + 1);
        let by_set = matches!(action, Action::Set { .. });
        if !text.contains(discipline) || (!by_set && !text.contains(&id)) {
            return Err(format!(
                "invariant 7: the DM to {} does not name {discipline} and {id}: {text}",
                PEOPLE[*person]
            ));
        }
    }
    for (to, text) in &told {
        let person = PEOPLE.iter().position(|p| p == to).unwrap();
        if !changed.contains(&person) && claims_duty_change(text) {
            return Err(format!(
                "invariant 7: {to}'s duty did not change, but their DM says so: {text}"
            ));
        }
    }
    Ok(())
}

/// Who holds each (sprint, discipline) slot, from a map of each person's slots.
fn holders(duties: &BTreeMap<usize, BTreeSet<(usize, usize)>>) -> BTreeMap<(usize, usize), usize> {
    duties
        .iter()
        .flat_map(|(person, slots)| slots.iter().map(move |slot| (*slot, *person)))
        .collect()
}

/// Invariant 12, after recording or removing an absence: the slots it changed are exactly the
/// swaps' (two each), in sprints that have not started; exactly the expected people get one DM
/// each; each person whose duty changed is told, naming the discipline; nobody else is told
/// their duty changed.
fn check_away_step(
    action: &Action,
    expected: &Expected,
    before: &BTreeMap<usize, BTreeSet<(usize, usize)>>,
    model: &Model,
    dms: &[(usize, String, String)],
) -> Result<(), String> {
    let after = model.duties();
    let (was, now) = (holders(before), holders(&after));
    let slots: BTreeSet<(usize, usize)> = was.keys().chain(now.keys()).copied().collect();
    let changed: Vec<(usize, usize)> = slots
        .into_iter()
        .filter(|slot| was.get(slot) != now.get(slot))
        .collect();
    if changed.len() != 2 * expected.swaps {
        return Err(format!(
            "invariant 12: {action:?} made {} swap(s) but changed the slots {changed:?}",
            expected.swaps
        ));
    }
    if let Some(started) = changed.iter().find(|(s, _)| model.started(*s)) {
        return Err(format!(
            "invariant 12: an absence changed slot {started:?} of a started sprint"
        ));
    }
    let mut told: BTreeMap<usize, &str> = BTreeMap::new();
    for (_, to, text) in dms {
        let person = PEOPLE.iter().position(|p| p == to).unwrap();
        if let Some(first) = told.insert(person, text) {
            return Err(format!(
                "invariant 12: two DMs to {to}:\n  {first}\n  {text}"
            ));
        }
    }
    let mut expected_told = expected.told.clone();
    expected_told.sort();
    let told_people: Vec<usize> = told.keys().copied().collect();
    if told_people != expected_told {
        return Err(format!(
            "invariant 12: DMs went to {:?}, expected {:?}: {dms:?}",
            told_people.iter().map(|p| PEOPLE[*p]).collect::<Vec<_>>(),
            expected_told.iter().map(|p| PEOPLE[*p]).collect::<Vec<_>>()
        ));
    }
    // The away person who recorded the absence themselves reads the swaps in the answer.
    let answered = match *action {
        Action::AwayAdd { person, by, .. } if model.resolve(by, Some(person)) == person => {
            Some(person)
        }
        _ => None,
    };
    for (person, name_of_person) in PEOPLE.iter().enumerate() {
        let mine: Vec<&(usize, usize)> = changed
            .iter()
            .filter(|slot| was.get(slot) == Some(&person) || now.get(slot) == Some(&person))
            .collect();
        match told.get(&person) {
            None if answered == Some(person) => {}
            Some(text) if mine.is_empty() && claims_duty_change(text) => {
                return Err(format!(
                    "invariant 12: {}'s duty did not change, but their DM says so: {text}",
                    name_of_person
                ));
            }
            None if !mine.is_empty() => {
                return Err(format!(
                    "invariant 12: {}'s duty changed but they got no DM",
                    name_of_person
                ));
            }
            Some(text) => {
                for (_, d) in mine {
                    let name = DISCIPLINES[*d].1;
                    if !text.contains(&format!("*{name}*")) {
                        return Err(format!(
                            "invariant 12: the DM to {} does not name {name}: {text}",
                            name_of_person
                        ));
                    }
                }
            }
            None => {}
        }
    }
    Ok(())
}

/// Invariant 10, for a change-impact round: exactly one change notice to each person the model
/// expects, and nothing else.
fn check_notices(
    notified: &BTreeSet<usize>,
    dms: &[(usize, String, String)],
) -> Result<(), String> {
    let mut told = BTreeSet::new();
    for (_, to, text) in dms {
        let person = PEOPLE.iter().position(|p| p == to).unwrap();
        if !text.starts_with("Your triage duties changed") {
            return Err(format!(
                "invariant 10: a round sent {to} something else: {text}"
            ));
        }
        if !told.insert(person) {
            return Err(format!(
                "invariant 10: two change notices to {to} in one window"
            ));
        }
    }
    if &told != notified {
        return Err(format!(
            "invariant 10: change notices went to {:?}; expected {:?}",
            told.iter().map(|p| PEOPLE[*p]).collect::<Vec<_>>(),
            notified.iter().map(|p| PEOPLE[*p]).collect::<Vec<_>>()
        ));
    }
    Ok(())
}

/// Invariant 15: every offer is open, taken (once, by the request the model expects) or expired
/// exactly as the model says, and there are no others.
fn check_offers(store: &Store, model: &Model) -> Result<(), String> {
    for (i, expected) in model.offers.iter().enumerate() {
        let id = i as i64 + 1;
        let Some(found) = store.offer(id).unwrap() else {
            return Err(format!("invariant 15: offer #{id} is missing"));
        };
        let state = match found.status {
            OfferStatus::Open => OfferState::Open,
            OfferStatus::Taken => OfferState::Taken,
            OfferStatus::Expired => OfferState::Expired,
            OfferStatus::Cancelled => {
                return Err(format!("invariant 15: offer #{id} was cancelled"));
            }
        };
        let slot = (
            found.sprint.get() as usize,
            discipline_of(&found.discipline),
        );
        if state != expected.state || slot != (expected.sprint, expected.discipline) {
            return Err(format!(
                "invariant 15: offer #{id} is {state:?} for {slot:?}, the model's {:?} for {:?}",
                expected.state,
                (expected.sprint, expected.discipline)
            ));
        }
        if found.requested_by != user(expected.offerer) {
            return Err(format!(
                "invariant 15: offer #{id} is {}'s, the model's {}'s",
                found.requested_by, PEOPLE[expected.offerer]
            ));
        }
        let taken = found.request.map(|r| r as usize - 1);
        let request = taken.and_then(|r| model.requests.get(r));
        if state == OfferState::Taken
            && request.is_none_or(|r| {
                (r.sprint, r.discipline, Some(r.replacement))
                    != (
                        expected.sprint,
                        expected.discipline,
                        found.taken_by.as_ref().map(person_of),
                    )
            })
        {
            return Err(format!(
                "invariant 15: offer #{id} was taken by {:?} as request {taken:?}, which the model does not have",
                found.taken_by
            ));
        }
    }
    let extra = model.offers.len() as i64 + 1;
    if store.offer(extra).unwrap().is_some() {
        return Err(format!(
            "invariant 15: offer #{extra} exists, the model has none"
        ));
    }
    Ok(())
}

/// Invariant 16: the handoff notes kept are exactly the model's, each by the person it says.
fn check_notes(store: &Store, model: &Model) -> Result<(), String> {
    let found: BTreeMap<(usize, usize), usize> = store
        .handoff_notes(None)
        .unwrap()
        .iter()
        .map(|n| {
            let slot = (n.sprint.get() as usize, discipline_of(&n.discipline));
            (slot, person_of(&n.author))
        })
        .collect();
    if found != model.notes {
        return Err(format!(
            "invariant 16: handoff notes (sprint, discipline) -> author: real {found:?}, model {:?}",
            model.notes
        ));
    }
    Ok(())
}
