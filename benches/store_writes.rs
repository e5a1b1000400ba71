//! Write throughput: one raw rusqlite connection alone versus the pooled store driven by 8
//! concurrent tasks, running the same small transaction (upsert a member, append an audit row).
//!
//! Run with `cargo bench --bench store_writes`. Prints both throughputs, their ratio and the
//! error count.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use jiff::Timestamp;
use rusqlite::{Connection, params};
use triage_bot::domain::{DisciplineKey, SlackUserId};
use triage_bot::store::{NewDiscipline, Store, StoreOptions};

const WRITES: usize = 4_000;
const TASKS: usize = 8;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let raw_rate = raw_connection(&dir.path().join("raw.db"));
    let (store_rate, errors) = pooled_store(&dir.path().join("store.db"));
    println!("raw connection, 1 thread : {raw_rate:>9.0} writes/s");
    println!("store, {TASKS} tasks          : {store_rate:>9.0} writes/s");
    println!("ratio store/raw          : {:>9.2}", store_rate / raw_rate);
    println!("errors                   : {errors:>9}");
}

fn name(i: usize) -> String {
    format!("Person {}", i % 7)
}

fn raw_connection(path: &std::path::Path) -> f64 {
    // Same schema and pragmas as the store, so only the access path differs.
    drop(Store::open(path, StoreOptions::default()).expect("create schema"));
    let mut conn = Connection::open(path).expect("open");
    conn.pragma_update(None, "synchronous", "NORMAL")
        .expect("pragma");
    conn.pragma_update(None, "foreign_keys", "ON")
        .expect("pragma");
    conn.execute(
        "INSERT INTO disciplines (key, name, position, created_at, updated_at) VALUES ('ui', 'UI', 1, 0, 0)",
        [],
    )
    .expect("discipline");
    let started = Instant::now();
    for i in 0..WRITES {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .expect("begin");
        tx.execute(
            "INSERT INTO members (slack_id, discipline, name, rotation_order, active, created_at, updated_at)
             VALUES (?1, 'ui', ?2, (SELECT coalesce(max(rotation_order), 0) + 1 FROM members WHERE discipline = 'ui'), 1, ?3, ?3)
             ON CONFLICT (slack_id, discipline) DO UPDATE SET name = excluded.name, active = 1, updated_at = excluded.updated_at",
            params![format!("U{}", i % 64), name(i), i as i64],
        )
        .expect("upsert");
        tx.execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, after_json) VALUES (?1, 'bench', 'member.rename', 'member', ?2, '{}')",
            params![i as i64, format!("ui/U{}", i % 64)],
        )
        .expect("audit");
        tx.commit().expect("commit");
    }
    WRITES as f64 / started.elapsed().as_secs_f64()
}

fn pooled_store(path: &std::path::Path) -> (f64, u64) {
    let store = Store::open(path, StoreOptions::default()).expect("open").0;
    let ui = DisciplineKey::parse("ui").expect("key");
    let new = NewDiscipline {
        key: ui.clone(),
        name: "UI".into(),
        fallback: None,
        usergroup_id: None,
    };
    store
        .upsert_discipline(&new, "bench", Timestamp::UNIX_EPOCH)
        .expect("discipline");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..TASKS {
            let (store, ui, errors) = (store.clone(), ui.clone(), errors.clone());
            tasks.spawn(async move {
                for i in (task..WRITES).step_by(TASKS) {
                    let ui = ui.clone();
                    let result = store
                        .run(move |store| {
                            let person = SlackUserId::parse(&format!("U{}", i % 64)).expect("id");
                            store.upsert_member(
                                &person,
                                &ui,
                                Some(&name(i)),
                                "bench",
                                Timestamp::UNIX_EPOCH,
                            )
                        })
                        .await;
                    if result.is_err() {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    });
    let rate = WRITES as f64 / started.elapsed().as_secs_f64();
    (rate, errors.load(Ordering::Relaxed))
}
