//! Does the cost of `who` and `schedule --count 26` grow with history? Builds a fresh database
//! (a team and 60 sprints) and a large one (the same team, 5,000 sprints, 1,000,000 audit rows,
//! recorded turns and overrides for every past sprint), times both questions on each, and prints
//! the timings and their ratio.
//!
//! Run with `cargo bench --bench history_scale`.

use std::path::Path;
use std::time::{Duration, Instant};

use jiff::civil::{Date, date};
use jiff::{Timestamp, ToSpan};
use rusqlite::{Connection, params};
use triage_bot::domain::{DisciplineKey, SlackUserId, Team};
use triage_bot::duty;
use triage_bot::store::{NewDiscipline, NewSprint, Store, StoreOptions};

const ROUNDS: usize = 300;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let team = Team {
        zone: jiff::tz::TimeZone::get("America/Los_Angeles").expect("zone"),
        handoff: jiff::civil::time(8, 0, 0, 0),
        double_duty: Default::default(),
    };
    let now: Timestamp = "2026-06-10T19:00:00Z".parse().expect("now");

    let fresh = build(&dir.path().join("fresh.db"), date(2026, 1, 5), 60, now);
    // 5,000 sprints, about 4,000 of them in the past.
    let large = build(
        &dir.path().join("large.db"),
        date(2026, 1, 5)
            .checked_sub((14 * 4_000).days())
            .expect("date"),
        5_000,
        now,
    );
    add_history(&large, now);

    let (fresh_who, fresh_schedule) = measure(&fresh, &team, now);
    let (large_who, large_schedule) = measure(&large, &team, now);
    println!(
        "audit rows: fresh {} / large {}",
        fresh.audit_count().expect("count"),
        large.audit_count().expect("count")
    );
    println!(
        "who              fresh {:>9.1} µs  large {:>9.1} µs  ratio {:.2}",
        micros(fresh_who),
        micros(large_who),
        ratio(large_who, fresh_who)
    );
    println!(
        "schedule (26)    fresh {:>9.1} µs  large {:>9.1} µs  ratio {:.2}",
        micros(fresh_schedule),
        micros(large_schedule),
        ratio(large_schedule, fresh_schedule)
    );
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ratio(large: Duration, fresh: Duration) -> f64 {
    large.as_secs_f64() / fresh.as_secs_f64()
}

fn build(path: &Path, first: Date, sprints: i64, now: Timestamp) -> Store {
    let store = Store::open(path, StoreOptions::default()).expect("open").0;
    for key in ["ui", "backend", "po"] {
        let new = NewDiscipline {
            key: DisciplineKey::parse(key).expect("key"),
            name: key.to_uppercase(),
            fallback: None,
            usergroup_id: None,
        };
        store
            .upsert_discipline(&new, "bench", now)
            .expect("discipline");
        for i in 1..=4 {
            let id = SlackUserId::parse(&format!("U{}{i}", key.to_uppercase())).expect("id");
            store
                .upsert_member(&id, &new.key, None, "bench", now)
                .expect("member");
        }
    }
    let new: Vec<NewSprint> = (0..sprints)
        .map(|i| {
            let start = first.checked_add((14 * i).days()).expect("date");
            NewSprint {
                name: format!("Sprint {}", i + 1),
                start,
                end: start.checked_add(13.days()).expect("date"),
            }
        })
        .collect();
    store.append_sprints(&new, "bench", now).expect("sprints");
    store
}

/// Recorded turns and an approved override for every past sprint, and audit rows up to 1,000,000.
fn add_history(store: &Store, now: Timestamp) {
    let conn = Connection::open(store.path()).expect("open");
    conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    for key in ["ui", "backend", "po"] {
        conn.execute(
            "INSERT INTO rotation_turns (sprint_index, discipline, slack_id, source, recorded_at)
             SELECT sprint_index, ?1, 'U' || upper(?1) || ((sprint_index % 4) + 1), 'rotation', 0
             FROM sprints WHERE start_date < '2026-06-01'",
            [key],
        )
        .expect("turns");
        conn.execute(
            "INSERT INTO overrides (sprint_index, discipline, original_slack_id, replacement_slack_id, requested_by, status, created_at)
             SELECT sprint_index, ?1, 'U' || upper(?1) || ((sprint_index % 4) + 1), 'U' || upper(?1) || (((sprint_index + 1) % 4) + 1), 'U' || upper(?1) || ((sprint_index % 4) + 1), 'approved', 0
             FROM sprints WHERE start_date < '2026-06-01'",
            [key],
        )
        .expect("overrides");
    }
    let have: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .expect("count");
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO audit_log (at, actor, action, entity, entity_id, after_json)
         SELECT ?2 - i, 'bench', 'member.rename', 'member', 'ui/UUI' || (i % 4 + 1), '{\"name\":\"x\"}' FROM n",
        params![1_000_000 - have, now.as_second()],
    )
    .expect("audit");
    conn.execute_batch("COMMIT").expect("commit");
}

/// Median time of `who` and of `schedule --count 26`, after one warm-up call each.
fn measure(store: &Store, team: &Team, now: Timestamp) -> (Duration, Duration) {
    let who = || duty::duty_at(store, team, now, now, "bench").expect("who");
    let schedule = || duty::schedule(store, team, now, 26, now, "bench").expect("schedule");
    who();
    assert_eq!(schedule().len(), 26);
    (median(who), median(schedule))
}

fn median<T>(f: impl Fn() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed()
        })
        .collect();
    times.sort();
    times[ROUNDS / 2]
}
