//! The reference model: the world as the rules describe it, small enough to be obviously right.
//! It re-derives the rotation (round-robin over active members from the latest frozen pick,
//! passing over whoever would get double or back-to-back duty, as `double-duty = avoid` says),
//! freezes a sprint's pick the moment it starts, and decides requests by the lifecycle in
//! issue 11, with the consent of the person named to cover and each discipline's approval
//! policy (issue 13). Of the crate it uses only the request verbs and, to compare, the status
//! names.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Proposed,
    Pending,
    Approved,
    Declined,
    Cancelled,
    Superseded,
    Expired,
    Revoked,
}

impl Status {
    pub fn real(self) -> OverrideStatus {
        match self {
            Status::Proposed => OverrideStatus::Proposed,
            Status::Pending => OverrideStatus::Pending,
            Status::Approved => OverrideStatus::Approved,
            Status::Declined => OverrideStatus::Declined,
            Status::Cancelled => OverrideStatus::Cancelled,
            Status::Superseded => OverrideStatus::Superseded,
            Status::Expired => OverrideStatus::Expired,
            Status::Revoked => OverrideStatus::Revoked,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Request {
    pub sprint: usize,
    pub discipline: usize,
    pub original: Option<usize>,
    pub replacement: usize,
    pub requester: usize,
    pub status: Status,
    pub approved_at: Option<Timestamp>,
    /// The other half, for half of a swap.
    pub partner: Option<usize>,
}

impl Request {
    /// Whose agreement a proposed request waits for: the person named to cover, or for the
    /// proposer's own half of a swap, the person whose shift they would take.
    pub fn asked(&self) -> Option<usize> {
        if self.replacement == self.requester {
            self.original
        } else {
            Some(self.replacement)
        }
    }
}

/// Who approves a cover once its replacement accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Admin,
    Nobody,
    IfConflict,
}

impl Status {
    /// Waiting for the replacement or for an admin.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Proposed | Status::Pending)
    }
}

/// Holders per discipline of one sprint.
pub type Slots = [Option<usize>; 2];

/// One discipline's line in [`Model::picks`]: the round-robin's anchor (a sprint and the person
/// on duty in it), and the people owed a turn, first passed over first.
type Line = (Option<(usize, usize)>, Vec<usize>);

/// The world as the rules describe it. Sprints are numbered by position; request ids by
/// position plus one.
pub struct Model {
    pub zone: TimeZone,
    pub now: Timestamp,
    /// First and last day of each live sprint.
    pub sprints: Vec<(Date, Date)>,
    /// Per discipline: people in rotation order, and whether each is active.
    pub members: [Vec<(usize, bool)>; 2],
    pub admins: BTreeSet<usize>,
    /// The rotation's pick, frozen the moment a sprint starts.
    pub frozen: BTreeMap<(usize, usize), Option<usize>>,
    /// Who was on duty in a sprint when it ended.
    pub ended: BTreeMap<usize, Slots>,
    pub requests: Vec<Request>,
    /// Each discipline's approval policy.
    pub policies: [Policy; 2],
    /// The open change-impact window, if any (see `impact.rs`).
    pub window: Option<Window>,
}

/// What the model expects a step to do.
pub struct Expected {
    pub ok: bool,
    /// For a decision that should DM people: the request it decided (for `#id` in the DMs).
    pub decided: Option<usize>,
    /// For a change-impact round: the people who get a change notice (none when no window
    /// closes).
    pub notified: Option<BTreeSet<usize>>,
}

impl Expected {
    pub fn refused() -> Expected {
        Expected {
            ok: false,
            decided: None,
            notified: None,
        }
    }

    pub fn done() -> Expected {
        Expected {
            ok: true,
            decided: None,
            notified: None,
        }
    }

    pub fn decided(decided: Option<usize>) -> Expected {
        Expected {
            ok: true,
            decided,
            notified: None,
        }
    }
}

impl Model {
    pub fn new() -> Model {
        let mut model = Model {
            zone: TimeZone::get("America/Los_Angeles").unwrap(),
            now: "2026-03-05T12:00:00-08:00".parse().unwrap(),
            sprints: Vec::new(),
            members: [vec![(1, true), (2, true)], vec![(3, true), (4, true)]],
            admins: BTreeSet::from([0]),
            frozen: BTreeMap::new(),
            ended: BTreeMap::new(),
            requests: Vec::new(),
            policies: [Policy::Admin; 2],
            window: None,
        };
        for i in 0..2 {
            let start = FIRST_SPRINT.checked_add((i * SPRINT_DAYS).days()).unwrap();
            model.sprints.push((start, last_day(start)));
        }
        model
    }

    pub fn handoff_on(&self, day: Date) -> Timestamp {
        day.to_datetime(handoff())
            .to_zoned(self.zone.clone())
            .unwrap()
            .timestamp()
    }

    pub fn start(&self, sprint: usize) -> Timestamp {
        self.handoff_on(self.sprints[sprint].0)
    }

    /// A sprint ends when the next one takes over, the last one at the handoff after its last day.
    pub fn end(&self, sprint: usize) -> Timestamp {
        match self.sprints.get(sprint + 1) {
            Some(_) => self.start(sprint + 1),
            None => self.handoff_on(self.sprints[sprint].1.tomorrow().unwrap()),
        }
    }

    pub fn started(&self, sprint: usize) -> bool {
        self.start(sprint) <= self.now
    }

    pub fn has_ended(&self, sprint: usize) -> bool {
        self.end(sprint) <= self.now
    }

    pub fn in_force(&self) -> Option<usize> {
        (0..self.sprints.len()).find(|&s| self.started(s) && !self.has_ended(s))
    }

    pub fn is_admin(&self, person: usize) -> bool {
        self.admins.contains(&person)
    }

    pub fn active(&self, person: usize, discipline: usize) -> bool {
        self.members[discipline].contains(&(person, true))
    }

    /// Round-robin over the active members in order: one step per sprint from `anchor` (a
    /// sprint and the person on duty in it); without one, the `sprint`-th active member.
    pub fn round_robin(
        &self,
        anchor: Option<(usize, usize)>,
        sprint: usize,
        discipline: usize,
    ) -> Option<usize> {
        let list = &self.members[discipline];
        let active: Vec<usize> = list.iter().filter(|m| m.1).map(|m| m.0).collect();
        if active.is_empty() {
            return None;
        }
        let Some((anchor_sprint, anchor_person)) = anchor else {
            return Some(active[sprint % active.len()]);
        };
        let mut place = list.iter().position(|m| m.0 == anchor_person).unwrap();
        for _ in anchor_sprint..sprint {
            place = (place + 1) % list.len();
            while !list[place].1 {
                place = (place + 1) % list.len();
            }
        }
        Some(list[place].0)
    }

    /// The rotation's pick in every sprint under `double-duty = avoid`, frozen picks replayed
    /// (those frozen with nobody in sprint `refill` left out, to be picked again).
    ///
    /// Each discipline has a line: the people passed over (owed a turn), then the round-robin's
    /// pick and the rest of the active members after it. Disciplines pick in order (ui, then
    /// backend); the first in line who is not on ui in the sprint and on duty nowhere in the
    /// sprint before takes the turn, else the round-robin's pick. Whoever was passed over is owed
    /// a turn. When someone owed a turn takes it, the round-robin waits: it picks next what it
    /// would have picked now. A frozen pick the line would not make now (the roster changed)
    /// just becomes the round-robin's anchor.
    pub fn picks(&self, refill: Option<usize>) -> Vec<Slots> {
        let mut lines: [Line; 2] = Default::default();
        let mut picks: Vec<Slots> = Vec::new();
        for sprint in 0..self.sprints.len() {
            let mut slots: Slots = [None, None];
            for (discipline, (anchor, owed)) in lines.iter_mut().enumerate() {
                let frozen = match self.frozen.get(&(sprint, discipline)) {
                    Some(None) if refill == Some(sprint) => None,
                    frozen => frozen.copied(),
                };
                if frozen == Some(None) {
                    // Frozen with nobody: the discipline had no active members; the line waits.
                    continue;
                }
                let Some(regular) = self.round_robin(*anchor, sprint, discipline) else {
                    if let Some(Some(person)) = frozen {
                        owed.retain(|p| *p != person);
                        *anchor = Some((sprint, person));
                    }
                    slots[discipline] = frozen.flatten();
                    continue;
                };
                let list = &self.members[discipline];
                let active: Vec<usize> = list.iter().filter(|m| m.1).map(|m| m.0).collect();
                let busy = |p: usize| {
                    slots[..discipline].contains(&Some(p))
                        || (sprint > 0 && picks[sprint - 1].contains(&Some(p)))
                };
                owed.retain(|p| active.contains(p));
                let at = active.iter().position(|p| *p == regular).unwrap();
                let rest: Vec<usize> = (0..active.len())
                    .map(|i| active[(at + i) % active.len()])
                    .filter(|p| *p == regular || !owed.contains(p))
                    .collect();
                let owed_free = owed.iter().copied().find(|p| *p != regular && !busy(*p));
                let free = rest.iter().position(|p| !busy(*p));
                let choice = owed_free.unwrap_or_else(|| free.map_or(regular, |i| rest[i]));
                let pick = frozen.flatten().unwrap_or(choice);
                owed.retain(|p| *p != pick);
                if pick != choice {
                    *anchor = Some((sprint, pick));
                } else if owed_free.is_some() {
                    let before = active[(at + active.len() - 1) % active.len()];
                    *anchor = Some((sprint, before));
                } else {
                    for passed in &rest[..free.unwrap_or(0)] {
                        if !owed.contains(passed) {
                            owed.push(*passed);
                        }
                    }
                    *anchor = Some((sprint, pick));
                }
                slots[discipline] = Some(pick);
            }
            picks.push(slots);
        }
        picks
    }

    pub fn approved(&self, sprint: usize, discipline: usize) -> Option<usize> {
        self.requests.iter().position(|r| {
            r.sprint == sprint && r.discipline == discipline && r.status == Status::Approved
        })
    }

    pub fn base(&self, sprint: usize, discipline: usize) -> Option<usize> {
        self.picks(None)[sprint][discipline]
    }

    pub fn holder(&self, sprint: usize, discipline: usize) -> Option<usize> {
        match self.approved(sprint, discipline) {
            Some(r) => Some(self.requests[r].replacement),
            None => self.base(sprint, discipline),
        }
    }

    pub fn slots(&self, sprint: usize) -> Slots {
        [self.holder(sprint, 0), self.holder(sprint, 1)]
    }

    /// Every (sprint, discipline) slot a person holds.
    pub fn duties(&self) -> BTreeMap<usize, BTreeSet<(usize, usize)>> {
        let mut duties: BTreeMap<usize, BTreeSet<(usize, usize)>> = BTreeMap::new();
        for sprint in 0..self.sprints.len() {
            for discipline in 0..2 {
                if let Some(person) = self.holder(sprint, discipline) {
                    duties
                        .entry(person)
                        .or_default()
                        .insert((sprint, discipline));
                }
            }
        }
        duties
    }

    /// Freezes the pick of every sprint that has started (filling the sprint in force's slots
    /// frozen with nobody once someone can be picked) and remembers who was on duty in every
    /// sprint that has ended.
    pub fn settle(&mut self) {
        for sprint in 0..self.sprints.len() {
            if self.started(sprint) {
                let picks = self.picks(None)[sprint];
                for (discipline, pick) in picks.into_iter().enumerate() {
                    self.frozen.entry((sprint, discipline)).or_insert(pick);
                }
            }
            // A slot of the sprint in force frozen with nobody fills once someone can be picked.
            if self.in_force() == Some(sprint) {
                let picks = self.picks(Some(sprint))[sprint];
                for (discipline, pick) in picks.into_iter().enumerate() {
                    if self.frozen.get(&(sprint, discipline)) == Some(&None) {
                        self.frozen.insert((sprint, discipline), pick);
                    }
                }
            }
            if self.has_ended(sprint) && !self.ended.contains_key(&sprint) {
                let slots = self.slots(sprint);
                self.ended.insert(sprint, slots);
            }
        }
    }

    /// The clock never passes the end of the plan: what a gap or an exhausted plan means is
    /// being changed on another branch.
    pub fn latest(&self) -> Timestamp {
        self.end(self.sprints.len() - 1) - SignedDuration::from_secs(1)
    }

    pub fn resolve(&self, by: Actor, involved: Option<usize>) -> usize {
        match by {
            Actor::Admin => *self.admins.first().unwrap(),
            Actor::Involved => involved.unwrap_or(OUTSIDER),
            Actor::Person(p) => p,
        }
    }

    /// Why a pending request's premise no longer holds: the status it closes with.
    pub fn staleness(&self, r: &Request) -> Option<Status> {
        if self.has_ended(r.sprint) {
            return Some(Status::Expired);
        }
        let holder = self.holder(r.sprint, r.discipline);
        let premise = holder != Some(r.replacement)
            && holder == r.original
            && self.active(r.replacement, r.discipline);
        (!premise).then_some(Status::Superseded)
    }

    pub fn close_stale_in(&mut self, sprint: usize, discipline: usize) {
        for i in 0..self.requests.len() {
            let r = &self.requests[i];
            if r.sprint == sprint && r.discipline == discipline {
                self.close_if_stale(i);
            }
        }
    }

    /// Closes open request `i` if its premise fails, with the other half of its swap.
    pub fn close_if_stale(&mut self, i: usize) {
        let r = &self.requests[i];
        if !r.status.is_open() {
            return;
        }
        if let Some(to) = self.staleness(r) {
            self.requests[i].status = to;
            if let Some(p) = self.requests[i].partner
                && self.requests[p].status.is_open()
            {
                self.requests[p].status = Status::Superseded;
            }
        }
    }

    pub fn approve(&mut self, i: usize) {
        let (sprint, discipline) = (self.requests[i].sprint, self.requests[i].discipline);
        assert!(
            !self.has_ended(sprint),
            "model: approving a request of an ended sprint"
        );
        assert!(
            self.active(self.requests[i].replacement, discipline),
            "model: approving an inactive replacement"
        );
        if let Some(current) = self.approved(sprint, discipline) {
            self.requests[current].status = Status::Superseded;
        }
        self.requests[i].status = Status::Approved;
        self.requests[i].approved_at = Some(self.now);
    }

    pub fn apply(&mut self, action: &Action) -> Expected {
        if matches!(action, Action::ImpactRound) {
            return self.impact_round();
        }
        let before = self.snapshot();
        let expected = self.decide(action);
        self.settle();
        self.note_impact(action, &expected, &before);
        expected
    }

    pub fn decide(&mut self, action: &Action) -> Expected {
        match *action {
            Action::Restart => Expected::done(),
            Action::AddMember { person, discipline } => {
                let list = &mut self.members[discipline];
                match list.iter_mut().find(|m| m.0 == person) {
                    Some(member) => member.1 = true,
                    None => list.push((person, true)),
                }
                Expected::done()
            }
            Action::RemoveMember { person, discipline } => {
                match self.members[discipline].iter_mut().find(|m| m.0 == person) {
                    Some(member) => {
                        member.1 = false;
                        Expected::done()
                    }
                    None => Expected::refused(),
                }
            }
            Action::MoveMember {
                person,
                discipline,
                position,
            } => {
                let list = &mut self.members[discipline];
                let Some(from) = list.iter().position(|m| m.0 == person) else {
                    return Expected::refused();
                };
                if position > list.len() {
                    return Expected::refused();
                }
                let member = list.remove(from);
                list.insert(position - 1, member);
                Expected::done()
            }
            Action::AddSprint(kind) => {
                let last = self.sprints.last().unwrap().1;
                let start = match kind {
                    SprintKind::Contiguous => last.tomorrow().unwrap(),
                    SprintKind::SharedDay => last,
                    SprintKind::Overlapping => last.checked_sub(2.days()).unwrap(),
                };
                if kind == SprintKind::Overlapping {
                    return Expected::refused();
                }
                self.sprints.push((start, last_day(start)));
                Expected::done()
            }
            Action::File {
                by,
                relative,
                discipline,
                replacement,
            } => self.file(by, relative, discipline, replacement.person()),
            Action::Decide { request, verb, by } => self.decide_request(request.index(), verb, by),
            Action::Set {
                discipline,
                person,
                by,
            } => self.set(discipline, person.person(), by),
            Action::SetApproval {
                discipline,
                policy,
                by,
            } => {
                if !self.is_admin(self.resolve(by, None)) {
                    return Expected::refused();
                }
                self.policies[discipline] = policy;
                Expected::done()
            }
            Action::AddAdmin(person) => {
                self.admins.insert(person);
                Expected::done()
            }
            Action::RemoveAdmin(person) => {
                if self.admins.len() == 1 && self.admins.contains(&person) {
                    return Expected::refused();
                }
                self.admins.remove(&person);
                Expected::done()
            }
            Action::AdvanceHours(hours) => {
                let later = self.now + SignedDuration::from_hours(hours);
                self.now = later.min(self.latest());
                Expected::done()
            }
            Action::AdvanceToHandoff => {
                let next = (0..self.sprints.len())
                    .map(|s| self.start(s))
                    .find(|start| *start > self.now);
                if let Some(next) = next {
                    self.now = next.min(self.latest());
                }
                Expected::done()
            }
            Action::ImpactRound => Expected::done(),
            Action::CloseStale => {
                for i in 0..self.requests.len() {
                    self.close_if_stale(i);
                }
                Expected::done()
            }
            Action::Swap {
                by,
                mine,
                theirs,
                discipline,
                other,
            } => self.swap(by, mine, theirs, discipline, other.person()),
        }
    }

    /// The sprint `relative` to the one in force (or to the first sprint before any started).
    pub fn sprint_near(&self, relative: i64) -> i64 {
        let base = self.in_force().unwrap_or(0) as i64;
        base + relative
    }

    pub fn file(
        &mut self,
        by: Actor,
        relative: i64,
        discipline: usize,
        replacement: usize,
    ) -> Expected {
        let sprint = self.sprint_near(relative);
        let known = (0..self.sprints.len() as i64).contains(&sprint);
        let sprint = sprint.max(0) as usize;
        let holder = known.then(|| self.holder(sprint, discipline)).flatten();
        let requester = self.resolve(by, holder);
        if known
            && let Some(a) = self.approved(sprint, discipline)
            && self.requests[a].replacement == replacement
        {
            return Expected::done();
        }
        let allowed = known
            && !self.has_ended(sprint)
            && (self.is_admin(requester) || holder == Some(requester))
            && self.active(replacement, discipline)
            && holder != Some(replacement);
        if !allowed {
            return Expected::refused();
        }
        let already = self.requests.iter().any(|r| {
            r.status.is_open()
                && (r.sprint, r.discipline, r.requester, r.replacement)
                    == (sprint, discipline, requester, replacement)
        });
        if !already {
            // Someone else named to cover agrees first.
            let status = if replacement == requester {
                Status::Pending
            } else {
                Status::Proposed
            };
            self.requests.push(Request {
                sprint,
                discipline,
                original: holder,
                replacement,
                requester,
                status,
                approved_at: None,
                partner: None,
            });
        }
        Expected::done()
    }

    /// Whether covering the slot gives `person` double duty (another discipline, same sprint)
    /// or back-to-back duty (any discipline, the sprint before or after).
    pub fn conflict(&self, sprint: usize, discipline: usize, person: usize) -> bool {
        let neighbours = sprint.saturating_sub(1)..(sprint + 2).min(self.sprints.len());
        neighbours.into_iter().any(|s| {
            (0..2).any(|d| (s, d) != (sprint, discipline) && self.holder(s, d) == Some(person))
        })
    }

    pub fn needs_admin(&self, r: &Request) -> bool {
        match self.policies[r.discipline] {
            Policy::Admin => true,
            Policy::Nobody => false,
            Policy::IfConflict => self.conflict(r.sprint, r.discipline, r.replacement),
        }
    }

    pub fn decide_request(&mut self, i: usize, verb: Verb, by: Actor) -> Expected {
        let involved = self.requests.get(i).and_then(|r| match verb {
            Verb::Accept | Verb::Refuse => r.asked(),
            _ => Some(r.requester),
        });
        let decider = self.resolve(by, involved);
        let admin_only = matches!(verb, Verb::Approve | Verb::Decline | Verb::Revoke);
        if admin_only && !self.is_admin(decider) {
            return Expected::refused();
        }
        let Some(r) = self.requests.get(i).cloned() else {
            return Expected::refused();
        };
        if verb == Verb::Cancel && r.requester != decider && !self.is_admin(decider) {
            return Expected::refused();
        }
        if matches!(verb, Verb::Accept | Verb::Refuse) && r.asked() != Some(decider) {
            return Expected::refused();
        }
        if let Some(p) = r.partner {
            return self.decide_swap(i, p, verb);
        }
        let target = match verb {
            Verb::Accept => Status::Pending,
            Verb::Approve => Status::Approved,
            Verb::Decline | Verb::Refuse => Status::Declined,
            Verb::Cancel => Status::Cancelled,
            _ => Status::Revoked,
        };
        if r.status == target || (verb == Verb::Accept && r.status == Status::Approved) {
            return Expected::done();
        }
        let decided = Some(i);
        match (r.status, verb) {
            (Status::Proposed, Verb::Accept) => {
                match self.staleness(&r) {
                    Some(closed) => self.requests[i].status = closed,
                    None if self.needs_admin(&r) => self.requests[i].status = Status::Pending,
                    None => {
                        self.approve(i);
                        self.close_stale_in(r.sprint, r.discipline);
                    }
                }
                Expected::decided(decided)
            }
            (Status::Proposed, Verb::Refuse | Verb::Decline | Verb::Cancel) => {
                self.requests[i].status = target;
                Expected::decided(decided)
            }
            (Status::Pending, Verb::Approve) => {
                match self.staleness(&r) {
                    Some(closed) => self.requests[i].status = closed,
                    None => {
                        self.approve(i);
                        self.close_stale_in(r.sprint, r.discipline);
                    }
                }
                Expected::decided(decided)
            }
            (Status::Pending, Verb::Decline | Verb::Cancel) => {
                self.requests[i].status = target;
                Expected::decided(decided)
            }
            (Status::Approved, Verb::Revoke) if self.has_ended(r.sprint) => Expected::refused(),
            (Status::Approved, Verb::Revoke) => {
                self.requests[i].status = Status::Revoked;
                self.close_stale_in(r.sprint, r.discipline);
                Expected::decided(decided)
            }
            _ => Expected::refused(),
        }
    }

    /// A swap: `proposer` (resolved from `by` against the holder of their shift) trades their
    /// shift in sprint `mine` (relative) with `other`'s in sprint `theirs`. Each half is checked
    /// like a request filed by its shift's holder; both are filed proposed, or neither.
    pub fn swap(
        &mut self,
        by: Actor,
        mine: i64,
        theirs: i64,
        discipline: usize,
        other: usize,
    ) -> Expected {
        let (mine, theirs) = (self.sprint_near(mine), self.sprint_near(theirs));
        let sprints = 0..self.sprints.len() as i64;
        if !sprints.contains(&mine) || !sprints.contains(&theirs) || mine == theirs {
            return Expected::refused();
        }
        let (mine, theirs) = (mine as usize, theirs as usize);
        let (my_holder, their_holder) = (
            self.holder(mine, discipline),
            self.holder(theirs, discipline),
        );
        let proposer = self.resolve(by, my_holder);
        let first_ok = !self.has_ended(mine)
            && (self.is_admin(proposer) || my_holder == Some(proposer))
            && self.active(other, discipline)
            && my_holder != Some(other);
        let second_ok = !self.has_ended(theirs)
            && their_holder == Some(other)
            && self.active(proposer, discipline)
            && their_holder != Some(proposer);
        let open = |sprint, replacement| {
            self.requests.iter().any(|r| {
                r.status.is_open()
                    && (r.sprint, r.discipline, r.requester, r.replacement)
                        == (sprint, discipline, proposer, replacement)
            })
        };
        if !first_ok || !second_ok || open(mine, other) || open(theirs, proposer) {
            return Expected::refused();
        }
        let first = self.requests.len();
        for (sprint, original, replacement, partner) in [
            (mine, my_holder, other, first + 1),
            (theirs, their_holder, proposer, first),
        ] {
            self.requests.push(Request {
                sprint,
                discipline,
                original,
                replacement,
                requester: proposer,
                status: Status::Proposed,
                approved_at: None,
                partner: Some(partner),
            });
        }
        Expected::done()
    }

    /// A decision on half `i` of a swap, applied to both halves `i` and `p` as one.
    fn decide_swap(&mut self, i: usize, p: usize, verb: Verb) -> Expected {
        let decided = Some(i);
        let (a, b) = (self.requests[i].clone(), self.requests[p].clone());
        let both = |status: Status| a.status == status && b.status == status;
        match verb {
            Verb::Accept if both(Status::Pending) || both(Status::Approved) => Expected::done(),
            Verb::Accept | Verb::Approve
                if (verb == Verb::Accept && both(Status::Proposed))
                    || (verb == Verb::Approve && both(Status::Pending)) =>
            {
                let stale = (self.staleness(&a), self.staleness(&b));
                match stale {
                    (None, None) => {
                        let admin = self.needs_admin(&a) || self.needs_admin(&b);
                        if verb == Verb::Accept && admin {
                            self.requests[i].status = Status::Pending;
                            self.requests[p].status = Status::Pending;
                        } else {
                            for half in [i, p] {
                                let r = self.requests[half].clone();
                                self.approve(half);
                                self.close_stale_in(r.sprint, r.discipline);
                            }
                        }
                    }
                    (first, second) => {
                        self.requests[i].status = first.unwrap_or(Status::Superseded);
                        self.requests[p].status = second.unwrap_or(Status::Superseded);
                    }
                }
                Expected::decided(decided)
            }
            Verb::Approve if both(Status::Approved) => Expected::done(),
            Verb::Refuse | Verb::Decline | Verb::Cancel => {
                let target = if verb == Verb::Cancel {
                    Status::Cancelled
                } else {
                    Status::Declined
                };
                if both(target) {
                    return Expected::done();
                }
                if !(both(Status::Proposed) || (verb != Verb::Refuse && both(Status::Pending))) {
                    return Expected::refused();
                }
                self.requests[i].status = target;
                self.requests[p].status = target;
                Expected::decided(decided)
            }
            Verb::Revoke if both(Status::Revoked) => Expected::done(),
            Verb::Revoke if both(Status::Approved) => {
                if self.has_ended(a.sprint) || self.has_ended(b.sprint) {
                    return Expected::refused();
                }
                for half in [i, p] {
                    self.requests[half].status = Status::Revoked;
                    let r = self.requests[half].clone();
                    self.close_stale_in(r.sprint, r.discipline);
                }
                Expected::decided(decided)
            }
            _ => Expected::refused(),
        }
    }

    pub fn set(&mut self, discipline: usize, person: usize, by: Actor) -> Expected {
        let admin = self.resolve(by, None);
        if !self.is_admin(admin) {
            return Expected::refused();
        }
        let Some(sprint) = self.in_force() else {
            return Expected::refused();
        };
        let holder = self.holder(sprint, discipline);
        if !self.active(person, discipline) || holder == Some(person) {
            return Expected::refused();
        }
        let same = |r: &Request| {
            r.status.is_open()
                && r.partner.is_none()
                && (r.sprint, r.discipline, r.requester, r.replacement)
                    == (sprint, discipline, admin, person)
        };
        let i = match self.requests.iter().position(same) {
            Some(i) => i,
            None => {
                self.requests.push(Request {
                    sprint,
                    discipline,
                    original: holder,
                    replacement: person,
                    requester: admin,
                    status: Status::Pending,
                    approved_at: None,
                    partner: None,
                });
                self.requests.len() - 1
            }
        };
        self.approve(i);
        self.close_stale_in(sprint, discipline);
        Expected::decided(Some(i))
    }
}

pub fn last_day(start: Date) -> Date {
    start.checked_add((SPRINT_DAYS - 1).days()).unwrap()
}

impl Model {
    /// A copy of the state the real code is driven from (the clock, sprints, admins, requests).
    pub fn snapshot(&self) -> Model {
        Model {
            zone: self.zone.clone(),
            now: self.now,
            sprints: self.sprints.clone(),
            members: self.members.clone(),
            admins: self.admins.clone(),
            frozen: self.frozen.clone(),
            ended: self.ended.clone(),
            requests: self.requests.clone(),
            policies: self.policies,
            window: self.window.clone(),
        }
    }
}
