//! The reference model: the world as the rules describe it, small enough to be obviously right.
//! It re-derives the rotation (round-robin over active members from the latest frozen pick,
//! passing over whoever would get double or back-to-back duty, as `double-duty = avoid` says,
//! each future sprint planned with the roster as it will be once the dated joins and leaves
//! before it have taken effect), freezes a sprint's pick the moment it starts (after applying the
//! dated changes due at its handoff), decides requests by the lifecycle in issue 11, with the
//! consent of the person named to cover and each discipline's approval policy (issue 13), and
//! swaps the duty of someone away with the next eligible person's when their discipline says
//! `swap-next` (two approved requests linked as a swap). Of the crate it uses only the request
//! verbs and, to compare, the status names.

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
    pub filed_at: Timestamp,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferState {
    Open,
    Taken,
    Expired,
}

/// A shift offered to volunteers.
#[derive(Debug, Clone)]
pub struct Offer {
    pub sprint: usize,
    pub discipline: usize,
    /// Who held the slot when it was offered.
    pub original: Option<usize>,
    pub offerer: usize,
    pub state: OfferState,
    pub filed_at: Timestamp,
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

/// An absence: first and last day, inclusive. Numbered by position plus one.
#[derive(Debug, Clone)]
pub struct Absence {
    pub person: usize,
    pub from: Date,
    pub to: Date,
    pub removed: bool,
}

impl Absence {
    pub fn shares_days(&self, first: Date, last: Date) -> bool {
        !self.removed && self.from <= last && first <= self.to
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeStatus {
    Pending,
    Applied,
    Cancelled,
}

/// A dated join or leave. Numbered by position plus one.
#[derive(Debug, Clone)]
pub struct Change {
    pub person: usize,
    pub discipline: usize,
    pub join: bool,
    pub on: Date,
    pub status: ChangeStatus,
    /// The sprint whose handoff applied it.
    pub applied: Option<usize>,
}

/// Applies a join or a leave to one discipline's list: a joiner becomes active, or is added last.
pub fn apply_to(list: &mut Vec<(usize, bool)>, change: &Change) {
    match list.iter_mut().find(|m| m.0 == change.person) {
        Some(member) => member.1 = change.join,
        None if change.join => list.push((change.person, true)),
        None => {}
    }
}

/// Per discipline: people in rotation order, and whether each is active.
pub type Roster = [Vec<(usize, bool)>; 2];

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
    pub members: Roster,
    pub admins: BTreeSet<usize>,
    /// The rotation's pick, frozen the moment a sprint starts.
    pub frozen: BTreeMap<(usize, usize), Option<usize>>,
    /// Who was on duty in a sprint when it ended.
    pub ended: BTreeMap<usize, Slots>,
    pub requests: Vec<Request>,
    pub absences: Vec<Absence>,
    /// Per discipline: whether its away policy is `swap-next`.
    pub swap_next: [bool; 2],
    pub changes: Vec<Change>,
    /// Each discipline's approval policy.
    pub policies: [Policy; 2],
    /// The open change-impact window, if any (see `impact.rs`).
    pub window: Option<Window>,
    /// Shifts offered to volunteers, numbered by position plus one.
    pub offers: Vec<Offer>,
    /// Handoff notes: who left the one for each (sprint, discipline).
    pub notes: BTreeMap<(usize, usize), usize>,
}

/// What the model expects a step to do.
pub struct Expected {
    pub ok: bool,
    /// For a decision that should DM people: the request it decided (for `#id` in the DMs).
    pub decided: Option<usize>,
    /// For an absence recorded or removed: exactly the people who get a DM about it.
    pub told: Vec<usize>,
    /// For an absence recorded: how many swaps it made.
    pub swaps: usize,
    /// For a change-impact round: the people who get a change notice (none when no window
    /// closes).
    pub notified: Option<BTreeSet<usize>>,
}

impl Expected {
    pub fn refused() -> Expected {
        Expected {
            ok: false,
            decided: None,
            told: Vec::new(),
            swaps: 0,
            notified: None,
        }
    }

    pub fn done() -> Expected {
        Expected {
            ok: true,
            decided: None,
            told: Vec::new(),
            swaps: 0,
            notified: None,
        }
    }

    pub fn decided(decided: Option<usize>) -> Expected {
        Expected {
            ok: true,
            decided,
            ..Expected::refused()
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
            absences: Vec::new(),
            // UI swaps from the start, Backend warns; `SetPolicy` changes either.
            swap_next: [true, false],
            changes: Vec::new(),
            policies: [Policy::Admin; 2],
            window: None,
            offers: Vec::new(),
            notes: BTreeMap::new(),
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

    /// Round-robin over the active members of `list` (one discipline's, in order): one step
    /// per sprint from `anchor` (a sprint and the person on duty in it); without one, the
    /// `sprint`-th active member.
    pub fn round_robin(
        list: &[(usize, bool)],
        anchor: Option<(usize, usize)>,
        sprint: usize,
    ) -> Option<usize> {
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

    /// The sprint a dated change takes effect at: the first starting on or after its date.
    pub fn effective(&self, on: Date) -> Option<usize> {
        self.sprints.iter().position(|(start, _)| *start >= on)
    }

    /// The roster as it was before the first sprint, and the changes that bring it to now, each
    /// with its sprint: every dated change applied after the first sprint is taken back, then
    /// made again at its sprint; a person's last change makes them what they are now.
    fn rewound(&self) -> (Roster, Vec<(usize, Change)>) {
        let mut before = self.members.clone();
        let mut applied: Vec<(usize, usize, &Change)> = self
            .changes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((c.applied.filter(|at| *at > 0)?, i, c)))
            .collect();
        applied.sort_by_key(|(at, i, _)| (*at, *i));
        let applied: Vec<(usize, &Change)> =
            applied.into_iter().map(|(at, _, c)| (at, c)).collect();
        let mut replay = Vec::new();
        for (i, (at, change)) in applied.iter().enumerate() {
            let same = |c: &&Change| (c.person, c.discipline) == (change.person, change.discipline);
            let now = self.active(change.person, change.discipline);
            if !applied[..i].iter().any(|(_, c)| same(c))
                && let Some(m) = before[change.discipline]
                    .iter_mut()
                    .find(|m| m.0 == change.person)
            {
                m.1 = !change.join;
            }
            let last = !applied[i + 1..].iter().any(|(_, c)| same(c));
            let join = if last { now } else { change.join };
            replay.push((
                *at,
                Change {
                    join,
                    ..(*change).clone()
                },
            ));
        }
        (before, replay)
    }

    /// The roster as it will be in `sprint`: the pending dated changes due by then applied.
    pub fn members_at(&self, sprint: usize) -> Roster {
        let mut members = self.members.clone();
        for (at, change) in self.pending_in_order() {
            if at <= sprint {
                apply_to(&mut members[change.discipline], &change);
            }
        }
        members
    }

    /// The pending dated changes with the sprint each takes effect at, in the order they apply
    /// (by sprint, then number).
    fn pending_in_order(&self) -> Vec<(usize, Change)> {
        let mut due: Vec<(usize, usize, Change)> = self
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.status == ChangeStatus::Pending)
            .filter_map(|(i, c)| Some((self.effective(c.on)?, i, c.clone())))
            .collect();
        due.sort_by_key(|(at, i, _)| (*at, *i));
        due.into_iter().map(|(at, _, c)| (at, c)).collect()
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
    ///
    /// Each sprint is picked with the roster as it will be then: the pending dated changes due
    /// by then applied, in order.
    pub fn picks(&self, refill: Option<usize>) -> Vec<Slots> {
        let mut lines: [Line; 2] = Default::default();
        let mut picks: Vec<Slots> = Vec::new();
        let (mut members, mut changes) = self.rewound();
        changes.extend(self.pending_in_order());
        let mut pending = changes.iter().peekable();
        for sprint in 0..self.sprints.len() {
            while let Some((_, change)) = pending.next_if(|(at, _)| *at <= sprint) {
                apply_to(&mut members[change.discipline], change);
            }
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
                let list = &members[discipline];
                let Some(regular) = Model::round_robin(list, *anchor, sprint) else {
                    if let Some(Some(person)) = frozen {
                        owed.retain(|p| *p != person);
                        *anchor = Some((sprint, person));
                    }
                    slots[discipline] = frozen.flatten();
                    continue;
                };
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
                self.apply_due(sprint);
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

    /// Applies the pending dated changes that take effect at `sprint` or before, in order.
    fn apply_due(&mut self, sprint: usize) {
        let mut due: Vec<(usize, usize)> = (0..self.changes.len())
            .filter(|i| self.changes[*i].status == ChangeStatus::Pending)
            .filter_map(|i| {
                let at = self.effective(self.changes[i].on)?;
                (at <= sprint).then_some((at, i))
            })
            .collect();
        due.sort();
        for (at, i) in due {
            let change = self.changes[i].clone();
            let changes = self.active(change.person, change.discipline) != change.join;
            apply_to(&mut self.members[change.discipline], &change);
            self.changes[i].status = ChangeStatus::Applied;
            self.changes[i].applied = changes.then_some(at);
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
        // Nobody accepted it before its sprint's handoff (filed before it).
        if r.status == Status::Proposed
            && self.started(r.sprint)
            && r.filed_at < self.start(r.sprint)
        {
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

    /// Closes open request `i` if its premise fails, with the other half of its swap: for that
    /// half's own reason if its premise fails too, else superseded (the pair broke).
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
                let own = self.staleness(&self.requests[p]);
                self.requests[p].status = own.unwrap_or(Status::Superseded);
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
                for i in 0..self.offers.len() {
                    if self.offers[i].state == OfferState::Open && self.lapsed(&self.offers[i]) {
                        self.offers[i].state = OfferState::Expired;
                    }
                }
                for i in 0..self.requests.len() {
                    self.close_if_stale(i);
                }
                Expected::done()
            }
            Action::Offer {
                by,
                relative,
                discipline,
            } => self.offer(by, relative, discipline),
            Action::Take { offer, by } => self.take(offer.index(), by.person()),
            Action::Note { person, discipline } => self.note(person, discipline),
            Action::AwayAdd {
                person,
                start,
                len,
                by,
            } => self.away_add(person, start, len, by),
            Action::AwayOnDuty { .. } => unreachable!("resolved by `normalized`"),
            Action::AwayRemove { window, by } => self.away_remove(window.index(), by),
            Action::SetPolicy {
                discipline,
                swap,
                by,
            } => {
                if !self.is_admin(self.resolve(by, None)) {
                    return Expected::refused();
                }
                self.swap_next[discipline] = swap;
                Expected::done()
            }
            Action::ChangeOn {
                join,
                person,
                discipline,
                days,
            } => self.change_on(join, person, discipline, days),
            Action::CancelChange {
                join,
                person,
                discipline,
            } => {
                let pending = self.changes.iter_mut().find(|c| {
                    c.status == ChangeStatus::Pending
                        && (c.person, c.discipline, c.join) == (person, discipline, join)
                });
                match pending {
                    Some(change) => {
                        change.status = ChangeStatus::Cancelled;
                        Expected::done()
                    }
                    None => Expected::refused(),
                }
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

    /// Offering a shift: checked as a request its holder (or an admin) files; the same slot
    /// offered again while open changes nothing.
    pub fn offer(&mut self, by: Actor, relative: i64, discipline: usize) -> Expected {
        let sprint = self.sprint_near(relative);
        if !(0..self.sprints.len() as i64).contains(&sprint) {
            return Expected::refused();
        }
        let sprint = sprint as usize;
        let holder = self.holder(sprint, discipline);
        let offerer = self.resolve(by, holder);
        if self.has_ended(sprint) || !(self.is_admin(offerer) || holder == Some(offerer)) {
            return Expected::refused();
        }
        let open = |o: &Offer| {
            o.state == OfferState::Open && (o.sprint, o.discipline) == (sprint, discipline)
        };
        if !self.offers.iter().any(open) {
            self.offers.push(Offer {
                sprint,
                discipline,
                original: holder,
                offerer,
                state: OfferState::Open,
                filed_at: self.now,
            });
        }
        Expected::done()
    }

    /// `person` leaves a handoff note for the sprint in force: for the discipline named first
    /// when they are on duty for it, else for the only one they are on duty for.
    pub fn note(&mut self, person: usize, named: Option<usize>) -> Expected {
        let Some(sprint) = self.in_force() else {
            return Expected::refused();
        };
        let mine: Vec<usize> = (0..2)
            .filter(|d| self.holder(sprint, *d) == Some(person))
            .collect();
        let discipline = match (named.filter(|d| mine.contains(d)), mine.as_slice()) {
            (Some(d), _) | (None, &[d]) => d,
            _ => return Expected::refused(),
        };
        self.notes.insert((sprint, discipline), person);
        Expected::done()
    }

    /// Whether nobody can take `offer` any more: its sprint's handoff has come (or, offered
    /// while its sprint was in force, the sprint has ended).
    pub fn lapsed(&self, offer: &Offer) -> bool {
        self.has_ended(offer.sprint)
            || (self.started(offer.sprint) && offer.filed_at < self.start(offer.sprint))
    }

    /// A volunteer takes offer `i`: the first active member of the discipline who is on duty
    /// nowhere that sprint, while the offer is open, has not lapsed, and the shift is still the
    /// offerer's. Their taking files the offerer's request naming them, which they accept.
    pub fn take(&mut self, i: usize, volunteer: usize) -> Expected {
        let Some(offer) = self.offers.get(i).cloned() else {
            return Expected::refused();
        };
        let (sprint, discipline) = (offer.sprint, offer.discipline);
        let holder = self.holder(sprint, discipline);
        let eligible = offer.state == OfferState::Open
            && volunteer != offer.offerer
            && self.active(volunteer, discipline)
            && !self.lapsed(&offer)
            && holder == offer.original
            && !self.slots(sprint).contains(&Some(volunteer));
        let same = |r: &Request| {
            r.status.is_open()
                && (r.sprint, r.discipline, r.requester, r.replacement)
                    == (sprint, discipline, offer.offerer, volunteer)
        };
        if !eligible || self.requests.iter().any(same) {
            return Expected::refused();
        }
        let r = self.requests.len();
        self.requests.push(Request {
            sprint,
            discipline,
            original: holder,
            replacement: volunteer,
            requester: offer.offerer,
            status: Status::Proposed,
            approved_at: None,
            filed_at: self.now,
            partner: None,
        });
        self.offers[i].state = OfferState::Taken;
        self.decide_request(r, Verb::Accept, Actor::Person(volunteer))
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
                filed_at: self.now,
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
                filed_at: self.now,
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
        // A swap half naming the same people is replaced by the set, and its swap closes.
        for r in 0..self.requests.len() {
            let q = &self.requests[r];
            if q.status.is_open()
                && q.partner.is_some()
                && (q.sprint, q.discipline, q.requester, q.replacement)
                    == (sprint, discipline, admin, person)
            {
                self.requests[r].status = Status::Superseded;
                if let Some(p) = self.requests[r].partner
                    && self.requests[p].status.is_open()
                {
                    let own = self.staleness(&self.requests[p]);
                    self.requests[p].status = own.unwrap_or(Status::Superseded);
                }
            }
        }
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
                    filed_at: self.now,
                    partner: None,
                });
                self.requests.len() - 1
            }
        };
        self.approve(i);
        self.close_stale_in(sprint, discipline);
        Expected::decided(Some(i))
    }

    pub fn today(&self) -> Date {
        self.now.to_zoned(self.zone.clone()).date()
    }

    /// Whether `person` is away during some day of `sprint`.
    pub fn away(&self, person: usize, sprint: usize) -> bool {
        let (first, last) = self.sprints[sprint];
        self.absences
            .iter()
            .any(|w| w.person == person && w.shares_days(first, last))
    }

    /// Recording an absence: the person's own, or anyone's by an admin, of someone listed in a
    /// rotation, not over before today, not sharing a day with another of theirs (the same days
    /// again change nothing). Then, in `swap-next` disciplines, each duty it falls in that has
    /// not started is exchanged with the next eligible person's.
    pub fn away_add(&mut self, person: usize, start: i64, len: i64, by: Actor) -> Expected {
        let actor = self.resolve(by, Some(person));
        if actor != person && !self.is_admin(actor) {
            return Expected::refused();
        }
        if !self.members.iter().any(|l| l.iter().any(|m| m.0 == person)) {
            return Expected::refused();
        }
        let today = self.today();
        let from = today.checked_add(start.days()).unwrap();
        let to = from.checked_add(len.days()).unwrap();
        if to < today {
            return Expected::refused();
        }
        let mine = |w: &&Absence| w.person == person && !w.removed;
        if self
            .absences
            .iter()
            .filter(mine)
            .any(|w| (w.from, w.to) == (from, to))
        {
            return Expected::done();
        }
        if self
            .absences
            .iter()
            .filter(mine)
            .any(|w| w.shares_days(from, to))
        {
            return Expected::refused();
        }
        self.absences.push(Absence {
            person,
            from,
            to,
            removed: false,
        });
        let partners = self.swap_away(person, from, to);
        let mut told = Vec::new();
        if actor != person {
            told.push(person);
        }
        for partner in &partners {
            if !told.contains(partner) {
                told.push(*partner);
            }
        }
        Expected {
            told,
            swaps: partners.len(),
            ..Expected::done()
        }
    }

    /// The swaps for `person` away from `from` to `to`; returns each swap's partner.
    /// Whether swapping `person`'s slot of `d` in sprint `i` with `q`'s in sprint `j` gives
    /// either of them double or back-to-back duty (`double-duty = avoid`).
    fn swap_clashes(&self, d: usize, (i, person): (usize, usize), (j, q): (usize, usize)) -> bool {
        let holder = |s: usize, e: usize| match (s, e) {
            _ if (s, e) == (i, d) => Some(q),
            _ if (s, e) == (j, d) => Some(person),
            _ => self.holder(s, e),
        };
        let on_duty = |p: usize, s: usize| (0..2).any(|e| holder(s, e) == Some(p));
        let clashes = |p: usize, s: usize| {
            (0..2).any(|e| e != d && holder(s, e) == Some(p))
                || (s > 0 && on_duty(p, s - 1))
                || (s + 1 < self.sprints.len() && on_duty(p, s + 1))
        };
        clashes(q, i) || clashes(person, j)
    }

    fn swap_away(&mut self, person: usize, from: Date, to: Date) -> Vec<usize> {
        let mut partners = Vec::new();
        for i in 0..self.sprints.len() {
            let (first, last) = self.sprints[i];
            if self.started(i) || !(from <= last && first <= to) {
                continue;
            }
            for d in 0..2 {
                if !self.swap_next[d]
                    || self.approved(i, d).is_some()
                    || self.holder(i, d) != Some(person)
                {
                    continue;
                }
                let partner = (i + 1..self.sprints.len()).find_map(|j| {
                    let q = self.holder(j, d)?;
                    let eligible = self.approved(j, d).is_none()
                        && q != person
                        && self.active(q, d)
                        && !self.away(q, i)
                        && !self.slots(i).contains(&Some(q))
                        && !self.away(person, j)
                        && !self.slots(j).contains(&Some(person))
                        && !self.swap_clashes(d, (i, person), (j, q));
                    eligible.then_some((j, q))
                });
                let Some((j, q)) = partner else {
                    continue;
                };
                // Two approved requests, linked as a swap: they are revoked or closed as one.
                let first = self.requests.len();
                for (sprint, original, replacement, partner) in
                    [(i, person, q, first + 1), (j, q, person, first)]
                {
                    self.requests.push(Request {
                        sprint,
                        discipline: d,
                        original: Some(original),
                        replacement,
                        requester: person,
                        status: Status::Approved,
                        approved_at: Some(self.now),
                        filed_at: self.now,
                        partner: Some(partner),
                    });
                }
                partners.push(q);
            }
        }
        partners
    }

    /// Removing an absence: its person or an admin. The person hears of it when someone else
    /// removed it. Swaps stay.
    pub fn away_remove(&mut self, i: usize, by: Actor) -> Expected {
        let Some(window) = self.absences.get(i).filter(|w| !w.removed).cloned() else {
            return Expected::refused();
        };
        let actor = self.resolve(by, Some(window.person));
        if actor != window.person && !self.is_admin(actor) {
            return Expected::refused();
        }
        self.absences[i].removed = true;
        Expected {
            told: if actor != window.person {
                vec![window.person]
            } else {
                Vec::new()
            },
            ..Expected::done()
        }
    }

    /// A dated join or leave `days` from today, by the first admin: the same change again is no
    /// change; another pending one for the person and discipline, a handoff already passed, a
    /// joiner already active or a leaver not active is refused.
    pub fn change_on(
        &mut self,
        join: bool,
        person: usize,
        discipline: usize,
        days: i64,
    ) -> Expected {
        let on = self.today().checked_add(days.days()).unwrap();
        let pending = self.changes.iter().find(|c| {
            c.status == ChangeStatus::Pending && (c.person, c.discipline) == (person, discipline)
        });
        if let Some(pending) = pending {
            return if (pending.join, pending.on) == (join, on) {
                Expected::done()
            } else {
                Expected::refused()
            };
        }
        if self.effective(on).is_some_and(|s| self.started(s)) {
            return Expected::refused();
        }
        if join == self.active(person, discipline) {
            return Expected::refused();
        }
        self.changes.push(Change {
            person,
            discipline,
            join,
            on,
            status: ChangeStatus::Pending,
            applied: None,
        });
        Expected::done()
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
            absences: self.absences.clone(),
            swap_next: self.swap_next,
            changes: self.changes.clone(),
            policies: self.policies,
            window: self.window.clone(),
            offers: self.offers.clone(),
            notes: self.notes.clone(),
        }
    }
}
