//! SQLEndTran against a store without transactions: every write is final
//! when its statement returns, so COMMIT has nothing to do and ROLLBACK
//! warns (01000, SQL_SUCCESS_WITH_INFO) when it cannot undo writes already
//! sent; cursors of other statements stay open across both.

#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_odbc::odbc::sqlext::{SQL_CB_PRESERVE, SQL_CURSOR_ROLLBACK_BEHAVIOR};
use std::os::raw::c_void;
use std::ptr::null_mut;

fn end_tran(handle_type: HandleType, h: *mut c_void, completion: CompletionType) -> i16 {
    SQLEndTran(handle_type as i16, h, completion as i16)
}

fn set_autocommit(d: *mut c_void, on: bool) {
    // SAFETY: see "Calling the exports" in tests/common (integer attributes
    // travel in the pointer).
    let rc = unsafe {
        SQLSetConnectAttr(
            d,
            ConnectionAttribute::AUTOCOMMIT.0,
            on as usize as *mut c_void,
            0,
        )
    };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Dbc, d));
}

/// Runs one write on a statement of its own.
fn write(d: *mut c_void, sql: &str) {
    run_ok(d, sql);
}

fn info_u16(d: *mut c_void, info: u16) -> u16 {
    let mut v = 0u16;
    // SAFETY: see "Calling the exports" in tests/common: the buffer is a
    // live u16, the width of this information type's answer.
    let rc = unsafe { SQLGetInfo(d, info, (&mut v as *mut u16).cast(), 2, null_mut()) };
    assert_eq!(rc, SQL_SUCCESS);
    v
}

/// The id of the newest category.
fn last_category(d: *mut c_void) -> String {
    query(d, "SELECT MAX(id) FROM Categories")[0][0]
        .clone()
        .unwrap()
}

#[test]
fn rollback_after_writes_warns_and_names_them() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    set_autocommit(d, false);
    write(d, "INSERT INTO Categories (name) VALUES ('Rolled back?')");
    let id = last_category(d);
    write(d, "UPDATE Products SET name = 'Renamed' WHERE id = 4");

    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS_WITH_INFO
    );
    let records = diag(HandleType::Dbc, d);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].0, "01000");
    let message = &records[0].1;
    assert!(
        message.contains("ROLLBACK cannot undo writes already sent to the store"),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "INSERT Categories id {id}; UPDATE Products id 4 (2 writes)"
        )),
        "{message}"
    );
    // A driver manager's own SQLGetInfo in between (unixODBC asks for the
    // cursor behaviours after a connection's first SQLEndTran) leaves the
    // warning for the application to read.
    info_u16(d, InfoType::CursorCommitBehaviour as u16);
    assert_eq!(diag(HandleType::Dbc, d), records);
    // The store kept the row: the warning told the truth.
    assert_eq!(
        query(d, &format!("SELECT name FROM Categories WHERE id = {id}"))[0][0].as_deref(),
        Some("Rolled back?")
    );

    // The record went with that ROLLBACK: nothing written since.
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS
    );
    assert!(diag(HandleType::Dbc, d).is_empty());
    // Reads are not writes, nor are writes the store refused (Orders
    // cannot be deleted: nothing reaches the store).
    query(d, "SELECT id FROM Products WHERE id = 3");
    query_error(d, "DELETE FROM Orders WHERE id = 1");
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS
    );

    // COMMIT succeeds plainly and clears the record.
    write(d, &format!("DELETE FROM Categories WHERE id = {id}"));
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Commit),
        SQL_SUCCESS
    );
    assert!(diag(HandleType::Dbc, d).is_empty());
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS
    );
    disconnect(e, d);
}

#[test]
fn autocommit_keeps_no_record() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    write(d, "INSERT INTO Categories (name) VALUES ('Final at once')");
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS
    );
    assert!(diag(HandleType::Dbc, d).is_empty());

    // Writes made in manual-commit mode are committed by switching
    // autocommit back on (as the spec says): no warning afterwards.
    set_autocommit(d, false);
    write(
        d,
        "INSERT INTO Categories (name) VALUES ('Committed by the switch')",
    );
    set_autocommit(d, true);
    set_autocommit(d, false);
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS
    );
    // ...while writes since then are on record.
    write(d, "INSERT INTO Categories (name) VALUES ('Manual again')");
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS_WITH_INFO
    );
    disconnect(e, d);
}

#[test]
fn the_record_keeps_the_count_and_the_first_writes() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    set_autocommit(d, false);
    let n = jumpseller_odbc::engine::journal::KEPT + 3;
    for k in 0..n {
        write(
            d,
            &format!("INSERT INTO Categories (name) VALUES ('Bulk {k}')"),
        );
    }
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS_WITH_INFO
    );
    let message = diag(HandleType::Dbc, d)[0].1.clone();
    assert!(message.contains("; and 3 more ("), "{message}");
    assert!(message.contains(&format!("({n} writes)")), "{message}");
    disconnect(e, d);
}

#[test]
fn end_tran_on_the_environment_covers_its_connections() {
    let sb = sandbox();
    let e = env();
    let (d1, d2) = (dbc(e), dbc(e));
    for d in [d1, d2] {
        assert_eq!(driver_connect(d, &conn_str(&sb)).0, SQL_SUCCESS);
        set_autocommit(d, false);
    }
    write(
        d1,
        "INSERT INTO Categories (name) VALUES ('From the first')",
    );
    write(
        d2,
        "UPDATE Products SET name = 'From the second' WHERE id = 4",
    );

    assert_eq!(
        end_tran(HandleType::Env, e, CompletionType::Rollback),
        SQL_SUCCESS_WITH_INFO
    );
    let records = diag(HandleType::Env, e);
    assert_eq!(records.len(), 2, "{records:?}");
    assert!(records.iter().all(|(s, _)| s == "01000"), "{records:?}");
    assert!(records
        .iter()
        .any(|(_, m)| m.contains("INSERT Categories id")));
    assert!(records
        .iter()
        .any(|(_, m)| m.contains("UPDATE Products id 4")));
    // Each connection's record went with it.
    for d in [d1, d2] {
        assert_eq!(
            end_tran(HandleType::Dbc, d, CompletionType::Rollback),
            SQL_SUCCESS
        );
    }
    assert_eq!(
        end_tran(HandleType::Env, e, CompletionType::Commit),
        SQL_SUCCESS
    );
    SQLDisconnect(d2);
    SQLFreeHandle(HandleType::Dbc as i16, d2);
    disconnect(e, d1);
}

/// SQLEndTran, "Diagnostics": 08003 Connection not open — HandleType was
/// SQL_HANDLE_DBC and the Handle was not in a connected state. The
/// environment's SQLEndTran skips such a connection.
#[test]
fn end_tran_on_a_connection_that_is_not_open_is_08003() {
    let sb = sandbox();
    let e = env();
    let (open, never) = (dbc(e), dbc(e));
    assert_eq!(driver_connect(open, &conn_str(&sb)).0, SQL_SUCCESS);
    for completion in [CompletionType::Commit, CompletionType::Rollback] {
        assert_eq!(
            end_tran(HandleType::Dbc, never, completion),
            SQL_ERROR,
            "{completion:?} on an allocated, unconnected handle"
        );
        let records = diag(HandleType::Dbc, never);
        assert_eq!(
            records.first().map(|r| r.0.as_str()),
            Some("08003"),
            "{records:?}"
        );
        assert_eq!(end_tran(HandleType::Env, e, completion), SQL_SUCCESS);
        assert_eq!(end_tran(HandleType::Dbc, open, completion), SQL_SUCCESS);
    }
    // ... and again once it was connected and disconnected.
    assert_eq!(SQLDisconnect(open), SQL_SUCCESS);
    assert_eq!(
        end_tran(HandleType::Dbc, open, CompletionType::Commit),
        SQL_ERROR
    );
    assert_eq!(diag(HandleType::Dbc, open)[0].0, "08003");
    SQLFreeHandle(HandleType::Dbc as i16, never);
    SQLFreeHandle(HandleType::Dbc as i16, open);
    SQLFreeHandle(HandleType::Env as i16, e);
}

#[test]
fn cursors_survive_commit_and_rollback() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    assert_eq!(
        info_u16(d, InfoType::CursorCommitBehaviour as u16),
        SQL_CB_PRESERVE
    );
    assert_eq!(info_u16(d, SQL_CURSOR_ROLLBACK_BEHAVIOR), SQL_CB_PRESERVE);

    set_autocommit(d, false);
    let reader = stmt(d);
    assert_eq!(
        exec(reader, "SELECT id FROM Products ORDER BY id"),
        SQL_SUCCESS
    );
    let mut ids = Vec::new();
    let fetch = |ids: &mut Vec<String>| {
        // SAFETY: see "Calling the exports" in tests/common (handles).
        let rc = unsafe { SQLFetch(reader) };
        assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, reader));
        ids.push(get_text(reader, 1).unwrap());
    };
    fetch(&mut ids);
    write(d, "UPDATE Products SET name = 'Mid-scan' WHERE id = 4");
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Commit),
        SQL_SUCCESS
    );
    fetch(&mut ids);
    write(
        d,
        "UPDATE Products SET name = 'Mid-scan again' WHERE id = 4",
    );
    assert_eq!(
        end_tran(HandleType::Dbc, d, CompletionType::Rollback),
        SQL_SUCCESS_WITH_INFO
    );
    fetch(&mut ids);
    assert_eq!(ids, ["1", "2", "3"]);
    disconnect(e, d);
}
