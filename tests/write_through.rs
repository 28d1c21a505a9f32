//! Writes reaching the replica (src/engine/replicate.rs, src/replica/auto.rs):
//! on a connection with a replica (CacheLocation or CacheConnection: each
//! test runs on both), INSERT, UPDATE and DELETE go to
//! the API and then to the replica's copy, so that a read after one's own
//! write under AutoCache sees it without a sync. A failed write changes
//! nothing; a table never synced gets no partial copy; embedded children
//! follow their parent; what cannot be followed row by row is marked stale.

mod common;
use common::backend::{on_both, Backend};
use common::*;
use jumpseller_sandbox::{Mutation, Sandbox};
use std::os::raw::c_void;

fn auto(sb: &Sandbox, b: &Backend) -> (*mut c_void, *mut c_void) {
    connect_with(sb, &format!("{};AutoCache=true", b.key()))
}

on_both!(a_read_after_ones_own_write_sees_it_without_a_sync);
fn a_read_after_ones_own_write_sees_it_without_a_sync(b: &Backend) {
    let sb = sandbox();
    let (e1, live) = connect(&sb);
    let (e2, cached) = auto(&sb, b);
    let all = "SELECT * FROM Categories ORDER BY id";
    assert_eq!(query(cached, all), query(live, all));
    sb.reset_counts();
    run_ok(cached, "INSERT INTO Categories (name) VALUES ('Autumn')");
    assert_eq!(sb.request_count(), 1, "{:?}", sb.requests_by_route());
    let found = query(cached, "SELECT id FROM Categories WHERE name = 'Autumn'");
    assert_eq!(found.len(), 1);
    assert_eq!(sb.request_count(), 1, "the read sent nothing");
    let id = found[0][0].clone().unwrap();
    sb.reset_counts();
    run_ok(
        cached,
        &format!("UPDATE Categories SET name = 'Winter' WHERE id = {id}"),
    );
    let sent = sb.request_count();
    assert_eq!(
        query(
            cached,
            &format!("SELECT name FROM Categories WHERE id = {id}")
        ),
        vec![vec![Some("Winter".into())]]
    );
    assert_eq!(sb.request_count(), sent, "the read sent nothing");
    assert_eq!(query(cached, all), query(live, all));
    // REPLACE of an existing row is a PUT: its answer replaces the copy too.
    run_ok(
        cached,
        &format!("INSERT OR REPLACE INTO Categories (id, name) VALUES ({id}, 'Spring')"),
    );
    sb.reset_counts();
    assert_eq!(
        query(
            cached,
            &format!("SELECT name FROM Categories WHERE id = {id}")
        ),
        vec![vec![Some("Spring".into())]]
    );
    assert_eq!(sb.request_count(), 0);
    assert_eq!(query(cached, all), query(live, all));
    run_ok(cached, &format!("DELETE FROM Categories WHERE id = {id}"));
    sb.reset_counts();
    assert_eq!(
        query(cached, "SELECT COUNT(*) FROM Categories"),
        vec![vec![Some("12".into())]]
    );
    assert_eq!(sb.request_count(), 0);
    assert_eq!(query(cached, all), query(live, all));
    disconnect(e1, live);
    disconnect(e2, cached);
}

on_both!(embedded_children_follow_their_parent);
fn embedded_children_follow_their_parent(b: &Backend) {
    let sb = sandbox();
    let (e1, live) = connect(&sb);
    let (e2, cached) = auto(&sb, b);
    let lines = "SELECT o.id, o.status, l.line, l.product_id, l.qty, l.price FROM Orders o JOIN OrderProducts l ON l.order_id = o.id WHERE o.id = 7 ORDER BY l.line";
    let first = query(
        cached,
        "SELECT product_id, id FROM ProductImages ORDER BY 1, 2 LIMIT 1",
    );
    let (product, image) = (first[0][0].clone().unwrap(), first[0][1].clone().unwrap());
    let images = &format!("SELECT p.id, p.name, i.id, i.position, i.url FROM Products p JOIN ProductImages i ON i.product_id = p.id WHERE p.id = {product} ORDER BY i.id");
    assert!(!query(cached, lines).is_empty());
    let before = query(cached, images);
    // The store loses an image behind the driver's back; the product's
    // next write answers the product without it.
    assert!(sb.mutate(&Mutation::Delete(format!(
        "products/{product}/images/{image}.json"
    ))));
    run_ok(cached, "UPDATE Orders SET status = 'Canceled' WHERE id = 7");
    run_ok(
        cached,
        &format!("UPDATE Products SET name = 'Renamed' WHERE id = {product}"),
    );
    sb.reset_counts();
    let (lines_cached, images_cached) = (query(cached, lines), query(cached, images));
    assert_eq!(sb.request_count(), 0);
    assert_eq!(lines_cached, query(live, lines));
    assert_eq!(images_cached, query(live, images));
    assert_eq!(lines_cached[0][1].as_deref(), Some("Canceled"));
    assert_eq!(images_cached[0][1].as_deref(), Some("Renamed"));
    assert_eq!(images_cached.len(), before.len() - 1);
    disconnect(e1, live);
    disconnect(e2, cached);
}

on_both!(a_failed_write_changes_nothing_in_the_replica);
fn a_failed_write_changes_nothing_in_the_replica(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b);
    let all = "SELECT * FROM Orders ORDER BY id";
    let before = query(cached, all);
    let failed = query_error(
        cached,
        "UPDATE Orders SET status = 'No such status' WHERE id = 7",
    );
    assert!(!failed.is_empty());
    assert_eq!(b.query(all), before);
    disconnect(e, cached);
}

on_both!(a_write_on_a_table_never_synced_creates_no_partial_copy);
fn a_write_on_a_table_never_synced_creates_no_partial_copy(b: &Backend) {
    let sb = sandbox();
    let (e1, cached) = auto(&sb, b);
    assert_eq!(
        query(cached, "SELECT COUNT(*) FROM Orders")[0][0].as_deref(),
        Some("400")
    );
    sb.reset_counts();
    run_ok(cached, "INSERT INTO Categories (name) VALUES ('Only live')");
    assert_eq!(
        sb.request_count(),
        1,
        "no sync before the write: {:?}",
        sb.requests_by_route()
    );
    let tables = b.query("SELECT table_name FROM CacheStatus ORDER BY 1");
    assert_eq!(tables, vec![vec![Some("Orders".into())]]);
    // Its first read syncs it whole, the new row included.
    let (e2, live) = connect(&sb);
    let all = "SELECT * FROM Categories ORDER BY id";
    assert_eq!(query(cached, all), query(live, all));
    disconnect(e1, cached);
    disconnect(e2, live);
}

on_both!(writes_reach_the_replica_without_auto_cache_too);
fn writes_reach_the_replica_without_auto_cache_too(b: &Backend) {
    let sb = sandbox();
    let (e1, cached) = auto(&sb, b);
    query(cached, "SELECT COUNT(*) FROM Customers");
    disconnect(e1, cached);
    let (e2, plain) = connect_with(&sb, &b.key());
    run_ok(
        plain,
        "UPDATE Customers SET phone = '+56 9 1234 5678' WHERE id = 2",
    );
    let all = "SELECT * FROM Customers ORDER BY id";
    assert_eq!(b.query(all), query(plain, all));
    disconnect(e2, plain);
}

on_both!(a_child_deleted_by_its_composite_key_marks_its_table_stale);
fn a_child_deleted_by_its_composite_key_marks_its_table_stale(b: &Backend) {
    let sb = sandbox();
    let (e1, live) = connect(&sb);
    let (e2, cached) = auto(&sb, b);
    let images = "SELECT * FROM ProductImages ORDER BY product_id, id";
    let first = query(cached, images);
    let (product, image) = (first[0][0].clone().unwrap(), first[0][1].clone().unwrap());
    run_ok(
        cached,
        &format!("DELETE FROM ProductImages WHERE product_id = {product} AND id = {image}"),
    );
    let stale =
        "SELECT stale, last_full_sync IS NULL FROM CacheStatus WHERE table_name = 'ProductImages'";
    assert_eq!(
        b.query(stale),
        vec![vec![Some("1".into()), Some("1".into())]]
    );
    // The next read syncs it whole.
    sb.reset_counts();
    assert_eq!(query(cached, images), query(live, images));
    assert!(sb
        .requests_by_route()
        .keys()
        .any(|r| r.contains("products")));
    disconnect(e1, live);
    disconnect(e2, cached);
}

on_both!(rollback_and_sys_identity_see_the_writes_made_under_auto_cache);
fn rollback_and_sys_identity_see_the_writes_made_under_auto_cache(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b);
    // SAFETY: see "Calling the exports" in tests/common (an integer
    // attribute travels in the pointer).
    let rc = unsafe {
        jumpseller_odbc::ffi::SQLSetConnectAttr(
            cached,
            ConnectionAttribute::AUTOCOMMIT.0,
            std::ptr::null_mut(),
            0,
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    run_ok(cached, "INSERT INTO Categories (name) VALUES ('Journaled')");
    let created = query(cached, "SELECT Id, Operation, TableName FROM sys_identity");
    assert_eq!(created.len(), 1, "{created:?}");
    let id = created[0][0].clone().unwrap();
    assert_eq!(
        created[0][1..],
        [Some("INSERT".into()), Some("Categories".into())]
    );
    let rc = jumpseller_odbc::ffi::SQLEndTran(
        HandleType::Dbc as i16,
        cached,
        CompletionType::Rollback as i16,
    );
    assert_eq!(rc, SQL_SUCCESS_WITH_INFO);
    let records = diag(HandleType::Dbc, cached);
    assert!(
        records[0].1.contains(&format!("INSERT Categories id {id}")),
        "{records:?}"
    );
    disconnect(e, cached);
}

on_both!(children_of_a_child_get_the_keys_it_got_from_its_parent);
fn children_of_a_child_get_the_keys_it_got_from_its_parent(b: &Backend) {
    let sb = sandbox();
    let (e1, live) = connect(&sb);
    let (e2, cached) = auto(&sb, b);
    let first = query(
        cached,
        "SELECT product_id, option_id FROM ProductOptionValues ORDER BY 1, 2 LIMIT 1",
    );
    let (product, option) = (first[0][0].clone().unwrap(), first[0][1].clone().unwrap());
    run_ok(
        cached,
        &format!(
            "UPDATE ProductOptions SET name = 'Size' WHERE product_id = {product} AND id = {option}"
        ),
    );
    let values =
        format!("SELECT * FROM ProductOptionValues WHERE option_id = {option} ORDER BY id");
    sb.reset_counts();
    let replica = query(cached, &values);
    assert_eq!(sb.request_count(), 0);
    assert!(replica
        .iter()
        .all(|r| r[1].as_deref() == Some(product.as_str())));
    assert_eq!(replica, query(live, &values));
    disconnect(e1, live);
    disconnect(e2, cached);
}

// A write whose replica update cannot take the lock (a sync keeps it past
// the wait) stands at the store: the tables it changed are marked stale at
// once, without the lock, with a warning; the sync holding the lock, which
// read their write generation before reading them, cannot make them look
// fresh again with its last state write (no thread, no waiting process).
on_both!(a_write_that_cannot_take_the_lock_leaves_its_table_stale);
fn a_write_that_cannot_take_the_lock_leaves_its_table_stale(b: &Backend) {
    use jumpseller_odbc::engine::{Change, Interrupt, WriteThrough};
    use jumpseller_odbc::replica::Target;
    use std::time::Duration;
    let sb = sandbox();
    let (e, cached) = auto(&sb, b);
    query(cached, "SELECT COUNT(*) FROM Categories");
    query(cached, "SELECT COUNT(*) FROM Customers");
    disconnect(e, cached);
    let (config, writes) = impatient_writes(&sb, b);
    let target = Target::of(&config).unwrap();
    let mut syncing = target
        .lock(Duration::ZERO, &Interrupt::none(), &mut || {})
        .unwrap();
    let since = syncing.store.generation("Categories").unwrap();
    let warnings = writes
        .apply(&[Change::Replace {
            table: "Categories".into(),
            key: vec![],
            rows: vec![],
        }])
        .unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("Categories marked stale") && warnings[0].contains("held its lock"),
        "{warnings:?}"
    );
    let state = "SELECT table_name, stale FROM CacheStatus ORDER BY 1";
    let row = |t: &str, stale: &str| vec![Some(t.to_string()), Some(stale.to_string())];
    let marked = vec![row("Categories", "1"), row("Customers", "0")];
    assert_eq!(b.query(state), marked);
    // The sync ends with its state written, and lets the lock go: the
    // table stays stale, the untouched one fresh.
    syncing.store.mark_incremental("Categories", since).unwrap();
    let customers = syncing.store.generation("Customers").unwrap();
    syncing
        .store
        .mark_incremental("Customers", customers)
        .unwrap();
    assert_eq!(b.query(state), marked);
    drop(syncing);
    assert_eq!(b.query(state), marked);
}

/// A live engine session of `config` whose writes go through `writes`.
fn session_writing_through(
    config: &jumpseller_odbc::config::Config,
    writes: std::sync::Arc<dyn jumpseller_odbc::engine::WriteThrough>,
) -> jumpseller_odbc::engine::Session {
    use jumpseller_odbc::config::live;
    let plain = live::live_session(config).unwrap();
    let setup = jumpseller_odbc::engine::Setup {
        write_through: Some(writes),
        ..Default::default()
    };
    live::open_session(
        config,
        plain.profile().clone(),
        plain.client().clone(),
        &setup,
    )
    .unwrap()
}

/// The connection's config and its writes through, waiting 300 ms for the
/// replica's lock (rather than 60 s).
fn impatient_writes(
    sb: &Sandbox,
    b: &Backend,
) -> (
    jumpseller_odbc::config::Config,
    jumpseller_odbc::replica::writes::ReplicaWrites,
) {
    use jumpseller_odbc::replica::writes::ReplicaWrites;
    let conn = format!("{};{}", conn_str(sb), b.key());
    let (config, _) = jumpseller_odbc::config::Config::from_connection_string(&conn).unwrap();
    let profile = jumpseller_odbc::schema::Profile::load(None).unwrap();
    let writes =
        ReplicaWrites::new(profile, &config).with_lock_wait(std::time::Duration::from_millis(300));
    (config, writes)
}

/// Makes one UPDATE through a session whose writes through wait 300 ms for
/// the lock, when the sync it watches has written its first batch of
/// `table`; keeps the statement's warnings.
struct WriteMidSync {
    session: jumpseller_odbc::engine::Session,
    table: &'static str,
    update: String,
    warnings: Option<Vec<String>>,
}

impl jumpseller_odbc::replica::sync::Progress for WriteMidSync {
    fn rows(&mut self, table: &str, _: u64) {
        if table != self.table || self.warnings.is_some() {
            return;
        }
        let mut q = self.session.prepare(&self.update).unwrap();
        q.execute(&[], &jumpseller_odbc::engine::Interrupt::none())
            .unwrap();
        self.warnings = Some(q.take_warnings());
    }
    fn done(&mut self, _: &jumpseller_odbc::replica::sync::TableReport) {}
}

// The interleaving the write generation closes, driven step by step: a
// sync reads Categories (its whole copy, before the write), a write the
// API accepts marks it stale meanwhile (the sync holds the lock), the sync
// swaps its copy in and ends; the writing session is gone. The table is
// left stale, so the next AutoCache read syncs it and sees the write.
on_both!(a_write_during_a_sync_survives_the_syncs_last_state_write);
fn a_write_during_a_sync_survives_the_syncs_last_state_write(b: &Backend) {
    use jumpseller_odbc::replica::reader::Reader;
    use jumpseller_odbc::replica::sync::{self, Options};
    use jumpseller_odbc::replica::{command, Target};
    use std::time::Duration;
    let sb = sandbox();
    let (e1, cached) = auto(&sb, b);
    let id = query(cached, "SELECT min(id) FROM Categories")[0][0]
        .clone()
        .unwrap();
    let (config, writes) = impatient_writes(&sb, b);
    let session = session_writing_through(&config, std::sync::Arc::new(writes));
    let mut hook = WriteMidSync {
        session,
        table: "Categories",
        update: format!("UPDATE Categories SET name = 'Written mid-sync' WHERE id = {id}"),
        warnings: None,
    };
    let opts = Options {
        tables: Some(vec!["Categories".into()]),
        full: false,
        recheck_days: config.cache_recheck_days,
    };
    let reader = Reader::open(&config).unwrap();
    let target = Target::of(&config).unwrap();
    let reports = sync::locked(
        &target,
        &reader,
        &opts,
        Duration::ZERO,
        &mut || {},
        &mut hook,
    )
    .unwrap();
    let warnings = hook.warnings.take().expect("the write ran mid-sync");
    assert!(
        warnings.len() == 1 && warnings[0].contains("Categories marked stale"),
        "{warnings:?}"
    );
    drop(hook);
    assert_eq!(reports.len(), 1);
    assert!(
        reports[0].error.is_none() && reports[0].left_stale,
        "{reports:?}"
    );
    assert!(command::summary(&reports[0]).contains("left stale"));
    let name = format!("SELECT name FROM Categories WHERE id = {id}");
    assert_ne!(
        b.query(&name),
        vec![vec![Some("Written mid-sync".into())]],
        "the sync's copy was read before the write"
    );
    assert_eq!(
        b.query(
            "SELECT stale, last_full_sync IS NULL FROM CacheStatus WHERE table_name = 'Categories'"
        ),
        vec![vec![Some("1".into()), Some("1".into())]]
    );
    sb.reset_counts();
    assert_eq!(
        query(cached, &name),
        vec![vec![Some("Written mid-sync".into())]]
    );
    assert!(sb.request_count() > 0, "the read synced it");
    let (e2, live) = connect(&sb);
    let all = "SELECT * FROM Categories ORDER BY id";
    assert_eq!(query(cached, all), query(live, all));
    disconnect(e1, cached);
    disconnect(e2, live);
}

/// What the replica says of a write it did not follow reaches the
/// statement as a warning, and the write stands.
#[test]
fn a_replica_warning_is_the_statements_warning() {
    use jumpseller_odbc::config::Config;
    use jumpseller_odbc::engine::{Change, Interrupt, WriteThrough};
    struct Warns;
    impl WriteThrough for Warns {
        fn apply(&self, _: &[Change]) -> jumpseller_odbc::error::Result<Vec<String>> {
            Ok(vec!["Customers marked stale instead".into()])
        }
    }
    let sb = sandbox();
    let (config, _) = Config::from_connection_string(&conn_str(&sb)).unwrap();
    let session = session_writing_through(&config, std::sync::Arc::new(Warns));
    let mut q = session
        .prepare("UPDATE Customers SET phone = '+56 9 8765 4321' WHERE id = 2")
        .unwrap();
    q.execute(&[], &Interrupt::none()).unwrap();
    assert_eq!(
        q.take_warnings(),
        ["The store accepted the write to Customers; the local replica did not follow it: Customers marked stale instead"]
    );
    let (e, live) = connect(&sb);
    assert_eq!(
        query(live, "SELECT phone FROM Customers WHERE id = 2"),
        vec![vec![Some("+56 9 8765 4321".into())]]
    );
    disconnect(e, live);
}

// A result set left open holds the replica as it was: a read of a table
// this connection wrote since is an error, not an answer without the write.
on_both!(an_open_result_set_does_not_hide_ones_own_write);
fn an_open_result_set_does_not_hide_ones_own_write(b: &Backend) {
    let sb = sandbox();
    let (e, cached) = auto(&sb, b);
    let count = "SELECT COUNT(*) FROM Categories";
    assert_eq!(query(cached, count), vec![vec![Some("12".into())]]);
    let open = stmt(cached);
    assert_eq!(exec(open, "SELECT id FROM Orders ORDER BY id"), SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common.
    assert_eq!(unsafe { jumpseller_odbc::ffi::SQLFetch(open) }, SQL_SUCCESS);
    run_ok(cached, "INSERT INTO Categories (name) VALUES ('Hidden?')");
    let refused = query_error(cached, count);
    assert!(
        refused[0]
            .1
            .contains("Another result set of this connection is still open"),
        "{refused:?}"
    );
    jumpseller_odbc::ffi::SQLFreeHandle(HandleType::Stmt as i16, open);
    assert_eq!(query(cached, count), vec![vec![Some("13".into())]]);
    disconnect(e, cached);
}
