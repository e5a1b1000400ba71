//! The real code, driven as Slack drives it: the bot's admin commands and coverage handlers on a
//! real SQLite file in a temp dir.

use super::*;

fn kind(join: bool) -> ChangeKind {
    if join {
        ChangeKind::Join
    } else {
        ChangeKind::Leave
    }
}

pub struct Real {
    pub _dir: TempDir,
    pub path: PathBuf,
    pub store: Store,
    pub config: Config,
}

/// A temp dir in memory when the system has one: the test writes a few thousand transactions
/// per case, and what it checks does not depend on the disk.
pub fn scratch_dir() -> TempDir {
    let shm = std::path::Path::new("/dev/shm");
    match shm.is_dir() {
        true => tempfile::tempdir_in(shm).unwrap_or_else(|_| tempfile::tempdir().unwrap()),
        false => tempfile::tempdir().unwrap(),
    }
}

impl Real {
    pub fn open(path: &std::path::Path) -> Store {
        Store::open(path, StoreOptions::default()).unwrap().0
    }

    /// The world [`Model::new`] describes, copied from a database made once (migrating a new
    /// database costs more than a whole case).
    pub fn new(model: &Model) -> Real {
        static TEMPLATE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
        let (_, template) = TEMPLATE.get_or_init(|| {
            let dir = scratch_dir();
            let path = dir.path().join("template.db");
            Real::populate(&Real::open(&path), model);
            (dir, path)
        });
        let dir = scratch_dir();
        let path = dir.path().join("triage.db");
        std::fs::copy(template, &path).unwrap();
        let store = Real::open(&path);
        let args = [
            "triage-bot",
            "--db",
            path.to_str().unwrap(),
            "--channel",
            "C0TRIAGE",
        ];
        let config = Config::from_settings(&Cli::parse_from(args).settings).unwrap();
        Real {
            _dir: dir,
            path,
            store,
            config,
        }
    }

    pub fn populate(store: &Store, model: &Model) {
        let now = model.now;
        for (k, name) in DISCIPLINES {
            let new = NewDiscipline {
                key: DisciplineKey::parse(k).unwrap(),
                name: name.to_string(),
                fallback: None,
                usergroup_id: None,
            };
            store.upsert_discipline(&new, "test", now).unwrap();
        }
        for (discipline, members) in model.members.iter().enumerate() {
            for (person, _) in members {
                store
                    .upsert_member(&user(*person), &key(discipline), None, "test", now)
                    .unwrap();
            }
        }
        for admin in &model.admins {
            store.add_admin(&user(*admin), "test", now).unwrap();
        }
        for (discipline, swap) in model.swap_next.iter().enumerate() {
            let policy = if *swap {
                AwayPolicy::SwapNext
            } else {
                AwayPolicy::Warn
            };
            store
                .set_away_policy(&key(discipline), policy, "test", now)
                .unwrap();
        }
        let new: Vec<_> = model
            .sprints
            .iter()
            .enumerate()
            .map(|(i, (start, end))| triage_bot::store::NewSprint {
                name: format!("Sprint {}", i + 1),
                start: *start,
                end: *end,
            })
            .collect();
        store.append_sprints(&new, "test", now).unwrap();
        // Everything in the main file, so that copying it copies the world.
        rusqlite::Connection::open(store.path())
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }

    pub fn ctx<'a>(&'a self, user: &'a SlackUserId, now: Timestamp) -> Context<'a> {
        Context {
            store: &self.store,
            config: &self.config,
            user,
            now,
        }
    }

    /// Runs an admin command as the model's first admin.
    pub fn admin(&self, model: &Model, command: Command) -> bool {
        let by = user(*model.admins.first().unwrap());
        admin::run(self.ctx(&by, model.now), command).is_ok()
    }

    /// Plays `action` as the model saw it before applying it (`before`); true when it succeeded.
    pub fn play(&mut self, action: &Action, before: &Model) -> bool {
        let now = before.now;
        match *action {
            Action::AdvanceHours(_) | Action::AdvanceToHandoff => true,
            Action::Restart => {
                self.store = Real::open(&self.path);
                true
            }
            Action::AddMember { person, discipline } => self.admin(
                before,
                Command::MemberAdd {
                    user: user(person),
                    discipline: key(discipline),
                    name: None,
                },
            ),
            Action::RemoveMember { person, discipline } => self.admin(
                before,
                Command::MemberRemove {
                    user: user(person),
                    discipline: key(discipline),
                },
            ),
            Action::MoveMember {
                person,
                discipline,
                position,
            } => self.admin(
                before,
                Command::MemberMove {
                    user: user(person),
                    discipline: key(discipline),
                    position,
                },
            ),
            Action::AddSprint(kind) => {
                let last = before.sprints.last().unwrap().1;
                let start = match kind {
                    SprintKind::Contiguous => last.tomorrow().unwrap(),
                    SprintKind::SharedDay => last,
                    SprintKind::Overlapping => last.checked_sub(2.days()).unwrap(),
                };
                let name = format!("Sprint {}", before.sprints.len() + 1);
                self.admin(
                    before,
                    Command::SprintAdd {
                        start,
                        end: last_day(start),
                        name,
                    },
                )
            }
            Action::File {
                by,
                relative,
                discipline,
                replacement,
            } => {
                let sprint = before.sprint_near(relative);
                let known = (0..before.sprints.len() as i64).contains(&sprint);
                let holder = known
                    .then(|| before.holder(sprint as usize, discipline))
                    .flatten();
                let requester = user(before.resolve(by, holder));
                let Ok(index) = SprintIndex::new(sprint) else {
                    return false;
                };
                let request = CoverageRequest {
                    sprint: index,
                    discipline: key(discipline),
                    replacement: user(replacement.person()),
                    requester: requester.clone(),
                };
                let ctx = self.ctx(&requester, now);
                bot_coverage::file(ctx, &request, None, Via::Command).is_ok()
            }
            Action::Decide { request, verb, by } => {
                let i = request.index();
                let involved = before.requests.get(i).and_then(|r| match verb {
                    Verb::Accept | Verb::Refuse => r.asked(),
                    _ => Some(r.requester),
                });
                let decider = user(before.resolve(by, involved));
                let ctx = self.ctx(&decider, now);
                bot_coverage::decide_outcome(ctx, i as i64 + 1, verb, None).is_ok()
            }
            Action::Set {
                discipline,
                person,
                by,
            } => {
                let admin = user(before.resolve(by, None));
                let ctx = self.ctx(&admin, now);
                bot_coverage::set(ctx, &key(discipline), &user(person.person()), None).is_ok()
            }
            Action::Swap {
                by,
                mine,
                theirs,
                discipline,
                other,
            } => {
                let index = |relative: i64| SprintIndex::new(before.sprint_near(relative)).ok();
                let (Some(mine), Some(theirs)) = (index(mine), index(theirs)) else {
                    return false;
                };
                let known = (mine.get() as usize) < before.sprints.len();
                let holder = known
                    .then(|| before.holder(mine.get() as usize, discipline))
                    .flatten();
                let proposer = user(before.resolve(by, holder));
                let other = user(other.person());
                let ctx = self.ctx(&proposer, now);
                let args = CoverArgs {
                    sprint: (mine.get() + 1).to_string(),
                    replacement: other,
                    rest: vec![key(discipline).to_string()],
                };
                let theirs = (theirs.get() + 1).to_string();
                bot_coverage::swap_by_command(ctx, &theirs, &args).is_ok()
            }
            Action::SetApproval {
                discipline,
                policy,
                by,
            } => {
                let policy = match policy {
                    Policy::Admin => Approval::Admin,
                    Policy::Nobody => Approval::None,
                    Policy::IfConflict => Approval::AdminIfConflict,
                };
                let actor = user(before.resolve(by, None));
                let ctx = self.ctx(&actor, now);
                let command = Command::Approval {
                    discipline: key(discipline),
                    policy: Some(policy),
                };
                admin::run(ctx, command).is_ok()
            }
            Action::AddAdmin(person) => {
                self.admin(before, Command::AdminsAdd { user: user(person) })
            }
            Action::RemoveAdmin(person) => {
                self.admin(before, Command::AdminsRemove { user: user(person) })
            }
            Action::CloseStale => bot_coverage::close_stale(&self.store, &self.config, now).is_ok(),
            Action::Offer {
                by,
                relative,
                discipline,
            } => {
                let sprint = before.sprint_near(relative);
                let Ok(index) = SprintIndex::new(sprint) else {
                    return false;
                };
                let known = (sprint as usize) < before.sprints.len();
                let holder = known
                    .then(|| before.holder(sprint as usize, discipline))
                    .flatten();
                let offerer = user(before.resolve(by, holder));
                let args = CoverArgs {
                    sprint: (index.get() + 1).to_string(),
                    replacement: offerer.clone(),
                    rest: vec![key(discipline).to_string()],
                };
                bot_coverage::offer_by_command(self.ctx(&offerer, now), &args).is_ok()
            }
            Action::Note { person, discipline } => {
                let who = user(person);
                let text = match discipline {
                    Some(d) => format!("{} the pager is quiet", key(d)),
                    None => "the pager is quiet".to_string(),
                };
                triage_bot::bot::notes::leave(self.ctx(&who, now), &text).is_ok()
            }
            Action::Take { offer, by } => {
                let volunteer = user(by.person());
                let id = offer.index() as i64 + 1;
                bot_coverage::volunteer(self.ctx(&volunteer, now), id).is_ok()
            }
            Action::AwayAdd {
                person,
                start,
                len,
                by,
            } => {
                let actor = user(before.resolve(by, Some(person)));
                let today = before.today();
                let from = today.checked_add(start.days()).unwrap();
                let to = from.checked_add(len.days()).unwrap();
                let ctx = self.ctx(&actor, now);
                bot_away::add(ctx, Some(user(person)), from, to, None).is_ok()
            }
            Action::AwayOnDuty { .. } => unreachable!("resolved by `normalized`"),
            Action::AwayRemove { window, by } => {
                let i = window.index();
                let person = before.absences.get(i).map(|w| w.person);
                let actor = user(before.resolve(by, person));
                let ctx = self.ctx(&actor, now);
                bot_away::remove(ctx, i as i64 + 1).is_ok()
            }
            Action::SetPolicy {
                discipline,
                swap,
                by,
            } => {
                let actor = user(before.resolve(by, None));
                let policy = if swap {
                    AwayPolicy::SwapNext
                } else {
                    AwayPolicy::Warn
                };
                bot_away::set_policy(self.ctx(&actor, now), &key(discipline), policy).is_ok()
            }
            Action::ChangeOn {
                join,
                person,
                discipline,
                days,
            } => self.admin(
                before,
                Command::MemberOn {
                    kind: kind(join),
                    user: user(person),
                    discipline: key(discipline),
                    on: before.today().checked_add(days.days()).unwrap(),
                    name: None,
                },
            ),
            Action::CancelChange {
                join,
                person,
                discipline,
            } => self.admin(
                before,
                Command::MemberCancel {
                    kind: kind(join),
                    user: user(person),
                    discipline: key(discipline),
                },
            ),
            Action::ImpactRound => {
                triage_bot::bot::impact::close_due(&self.store, &self.config, now).is_ok()
            }
        }
    }

    /// How many outbox items wait for delivery (all of them: nothing delivers here).
    pub fn queued(&self) -> i64 {
        self.store.outbox_stats(Timestamp::MAX).unwrap().pending
    }

    /// Outbox direct messages: (row number, person, text).
    pub fn direct_messages(&self) -> Vec<(usize, String, String)> {
        let rows = self.store.outbox_rows("").unwrap();
        rows.iter()
            .enumerate()
            .filter(|(_, row)| row.kind == "direct_message")
            .map(|(n, row)| {
                let payload: serde_json::Value = serde_json::from_str(&row.payload).unwrap();
                let person = payload["user"].as_str().unwrap().to_string();
                let text = payload["text"].as_str().unwrap().to_string();
                (n, person, text)
            })
            .collect()
    }
}
