//! Static (scrollable) cursors against the sandbox: every SQLFetchScroll
//! orientation over a 400-row Orders result compared with the forward-only
//! rows, block fetches with row status arrays, bookmarks, SQLExtendedFetch,
//! SQLSetPos and cursor names. Calls go straight into the driver.

mod common;
use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;

const NEXT: i16 = 1;
const FIRST: i16 = 2;
const LAST: i16 = 3;
const PRIOR: i16 = 4;
const ABSOLUTE: i16 = 5;
const RELATIVE: i16 = 6;
const BOOKMARK: i16 = 8;
const STATIC: usize = 3;
const KEYSET: usize = 1;
const UB_FIXED: usize = 1;
const UB_VARIABLE: usize = 2;
const SQL_ROWSET_SIZE: i32 = 9;
const SQL_POSITION: u16 = 0;
const SQL_REFRESH: u16 = 1;
const SQL_UPDATE: u16 = 2;
const C_VARBOOKMARK: i16 = -2;
const C_ULONG: i16 = -18;
const C_DEFAULT: i16 = 99;
const ROW_NOROW: u16 = 3;

const ORDERS: &str = "SELECT id FROM Orders ORDER BY id";

fn set(st: *mut c_void, attr: StatementAttribute, value: usize) -> i16 {
    set_raw(st, attr as i32, value)
}

fn set_raw(st: *mut c_void, attr: i32, value: usize) -> i16 {
    // Integer attributes travel in the pointer; pointer attributes point
    // at buffers that outlive the statement's use.
    SQLSetStmtAttr(st, attr, value as *mut c_void, 0)
}

fn scroll(st: *mut c_void, orientation: i16, offset: isize) -> i16 {
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    unsafe { SQLFetchScroll(st, orientation, offset as Len) }
}

/// The ids of Orders as a forward-only cursor returns them.
fn forward_ids(d: *mut c_void) -> Vec<i64> {
    query(d, ORDERS)
        .into_iter()
        .map(|r| r[0].clone().unwrap().parse().unwrap())
        .collect()
}

/// A static cursor over Orders' ids with a row set of `n`, the ids bound
/// column-wise; the buffers are boxed so they outlive the statement's use.
struct Block {
    st: *mut c_void,
    ids: Box<[i64]>,
    ind: Box<[Len]>,
    fetched: Box<ULen>,
    status: Box<[u16]>,
}

impl Block {
    fn open(d: *mut c_void, n: usize, prepare: impl FnOnce(*mut c_void)) -> Block {
        let st = stmt(d);
        let mut b = Block {
            st,
            ids: vec![0i64; n].into_boxed_slice(),
            ind: vec![0 as Len; n].into_boxed_slice(),
            fetched: Box::new(0),
            status: vec![9u16; n].into_boxed_slice(),
        };
        assert_eq!(set(st, StatementAttribute::CursorType, STATIC), SQL_SUCCESS);
        assert_eq!(set(st, StatementAttribute::RowArraySize, n), SQL_SUCCESS);
        let fetched: *mut ULen = &mut *b.fetched;
        assert_eq!(
            set(st, StatementAttribute::RowsFetchedPtr, fetched as usize),
            SQL_SUCCESS
        );
        assert_eq!(
            set(
                st,
                StatementAttribute::RowStatusPtr,
                b.status.as_mut_ptr() as usize
            ),
            SQL_SUCCESS
        );
        // SAFETY: see "Calling the exports" in tests/common; the boxed buffers outlive their use.
        let rc = unsafe {
            SQLBindCol(
                st,
                1,
                CDataType::SBigInt as i16,
                b.ids.as_mut_ptr() as *mut c_void,
                8,
                b.ind.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQL_SUCCESS);
        prepare(st);
        assert_eq!(
            exec(st, ORDERS),
            SQL_SUCCESS,
            "{:?}",
            diag(HandleType::Stmt, st)
        );
        b
    }

    /// The ids of the row set just fetched, checking the status array.
    fn rows(&self) -> Vec<i64> {
        let n = *self.fetched;
        for (i, s) in self.status.iter().enumerate() {
            let want = if i < n { 0 } else { ROW_NOROW };
            assert_eq!(*s, want, "status of slot {i} with {n} rows fetched");
        }
        self.ids[..n].to_vec()
    }

    fn go(&self, orientation: i16, offset: isize) -> Option<Vec<i64>> {
        match scroll(self.st, orientation, offset) {
            SQL_NO_DATA => {
                assert_eq!(*self.fetched, 0);
                None
            }
            SQL_SUCCESS | SQL_SUCCESS_WITH_INFO => Some(self.rows()),
            rc => panic!(
                "SQLFetchScroll -> {rc}: {:?}",
                diag(HandleType::Stmt, self.st)
            ),
        }
    }
}

#[test]
fn every_orientation_matches_the_forward_only_rows() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let want = forward_ids(d);
    assert_eq!(want.len(), 400);
    let w = |from: usize, to: usize| Some(want[from - 1..to].to_vec());
    let b = Block::open(d, 7, |_| {});
    let requests = sb.request_count();
    assert_eq!(b.go(FIRST, 0), w(1, 7));
    assert_eq!(b.go(NEXT, 0), w(8, 14));
    assert_eq!(b.go(PRIOR, 0), w(1, 7));
    assert_eq!(b.go(PRIOR, 0), None, "before the start");
    assert_eq!(b.go(PRIOR, 0), None, "still before the start");
    assert_eq!(b.go(NEXT, 0), w(1, 7), "NEXT from before the start");
    assert_eq!(b.go(LAST, 0), w(394, 400));
    assert_eq!(b.go(NEXT, 0), None, "after the end");
    assert_eq!(b.go(NEXT, 0), None, "still after the end");
    assert_eq!(b.go(PRIOR, 0), w(394, 400), "PRIOR from after the end");
    assert_eq!(b.go(ABSOLUTE, 100), w(100, 106));
    assert_eq!(b.go(RELATIVE, 0), w(100, 106), "RELATIVE 0 fetches again");
    assert_eq!(b.go(RELATIVE, -50), w(50, 56));
    assert_eq!(b.go(RELATIVE, 345), w(395, 400), "a partial row set");
    assert_eq!(b.go(ABSOLUTE, -1), w(400, 400));
    assert_eq!(b.go(ABSOLUTE, -400), w(1, 7));
    assert_eq!(b.go(ABSOLUTE, -401), None, "before the start");
    assert_eq!(b.go(ABSOLUTE, 0), None);
    assert_eq!(b.go(ABSOLUTE, 401), None, "after the end");
    assert_eq!(
        b.go(RELATIVE, -3),
        w(398, 400),
        "RELATIVE from after the end"
    );
    assert_eq!(b.go(ABSOLUTE, 3), w(3, 9));
    // Before the start by less than a row set: the first row set, 01S06.
    assert_eq!(scroll(b.st, RELATIVE, -5), SQL_SUCCESS_WITH_INFO);
    assert_eq!(states(HandleType::Stmt, b.st), ["01S06"]);
    assert_eq!(b.rows(), want[..7]);
    assert_eq!(scroll(b.st, PRIOR, 0), SQL_NO_DATA);
    // The whole result forwards with NEXT, and backwards with PRIOR.
    let mut all = Vec::new();
    while let Some(r) = b.go(NEXT, 0) {
        all.extend(r);
    }
    assert_eq!(all, want);
    let mut back = Vec::new();
    while let Some(r) = b.go(PRIOR, 0) {
        back.splice(0..0, r);
    }
    // Backwards from after the end, row sets start at 394, 387, …, 2, then
    // at 1 (01S06: the one before would start before the result).
    assert!(back.starts_with(&want[..7]));
    assert_eq!(
        back[7..],
        want[1..],
        "PRIOR walked every row set back to the first"
    );
    assert!(sb.request_count() >= requests);
    // Reading the result again makes no request: the rows are in memory.
    let after = sb.request_count();
    assert_eq!(b.go(ABSOLUTE, 200), w(200, 206));
    assert_eq!(sb.request_count(), after);
    assert_eq!(stmt_attr(b.st, StatementAttribute::RowNumber), 200);
    SQLFreeHandle(HandleType::Stmt as i16, b.st);
    disconnect(e, d);
}

/// SQLFetchScroll, SQL_FETCH_RELATIVE rules: "CurrRowsetStart = 1 AND
/// FetchOffset < 0" is before the start (SQL_NO_DATA), not the first row
/// set again; from there NEXT is the first row set. (Found by the
/// differential corpus's random orientation sequences.)
#[test]
fn relative_back_from_the_first_row_set_is_before_the_start() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let want = forward_ids(d);
    for size in [1, 7] {
        let b = Block::open(d, size, |_| {});
        let first = Some(want[..size].to_vec());
        assert_eq!(b.go(FIRST, 0), first);
        assert_eq!(scroll(b.st, RELATIVE, -1), SQL_NO_DATA, "row set of {size}");
        assert_eq!(b.go(NEXT, 0), first, "NEXT from before the start");
        assert_eq!(b.go(ABSOLUTE, 1), first);
        assert_eq!(b.go(RELATIVE, -3), None);
        assert_eq!(b.go(RELATIVE, 0), None, "still before the start");
        SQLFreeHandle(HandleType::Stmt as i16, b.st);
    }
    disconnect(e, d);
}

#[test]
fn forward_only_cursors_refuse_every_orientation_but_next() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    assert_eq!(stmt_attr(st, StatementAttribute::CursorType), 0);
    assert_eq!(stmt_attr(st, StatementAttribute::CursorScrollable), 0);
    assert_eq!(exec(st, ORDERS), SQL_SUCCESS);
    for o in [PRIOR, FIRST, LAST, ABSOLUTE, RELATIVE, BOOKMARK] {
        assert_eq!(scroll(st, o, 1), SQL_ERROR);
        assert_eq!(states(HandleType::Stmt, st), ["HY106"]);
    }
    assert_eq!(scroll(st, NEXT, 0), SQL_SUCCESS);
    assert_eq!(get_text(st, 1), Some(forward_ids(d)[0].to_string()));
    SQLFreeHandle(HandleType::Stmt as i16, st);
    disconnect(e, d);
}

#[test]
fn cursor_type_and_scrollable_attributes() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    // KEYSET_DRIVEN (and DYNAMIC) become STATIC with 01S02.
    assert_eq!(
        set(st, StatementAttribute::CursorType, KEYSET),
        SQL_SUCCESS_WITH_INFO
    );
    assert_eq!(states(HandleType::Stmt, st), ["01S02"]);
    assert_eq!(stmt_attr(st, StatementAttribute::CursorType), STATIC);
    assert_eq!(stmt_attr(st, StatementAttribute::CursorScrollable), 1);
    assert_eq!(
        set(st, StatementAttribute::CursorScrollable, 0),
        SQL_SUCCESS
    );
    assert_eq!(stmt_attr(st, StatementAttribute::CursorType), 0);
    assert_eq!(
        set(st, StatementAttribute::CursorScrollable, 1),
        SQL_SUCCESS
    );
    assert_eq!(stmt_attr(st, StatementAttribute::CursorType), STATIC);
    // Fixed while a cursor is open.
    assert_eq!(exec(st, ORDERS), SQL_SUCCESS);
    assert_eq!(set(st, StatementAttribute::CursorType, 0), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["24000"]);
    // SQLFetch on a static cursor is SQLFetchScroll(NEXT).
    let want = forward_ids(d);
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    assert_eq!(unsafe { SQLFetch(st) }, SQL_SUCCESS);
    assert_eq!(get_text(st, 1), Some(want[0].to_string()));
    assert_eq!(scroll(st, LAST, 0), SQL_SUCCESS);
    assert_eq!(get_text(st, 1), Some(want[399].to_string()));
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    assert_eq!(unsafe { SQLFetch(st) }, SQL_NO_DATA);
    SQLFreeHandle(HandleType::Stmt as i16, st);
    disconnect(e, d);
}

#[test]
fn max_rows_bounds_a_static_cursor() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let want = forward_ids(d);
    let b = Block::open(d, 4, |st| {
        assert_eq!(set(st, StatementAttribute::MaxRows, 50), SQL_SUCCESS);
    });
    assert_eq!(b.go(LAST, 0), Some(want[46..50].to_vec()));
    assert_eq!(b.go(ABSOLUTE, 51), None);
    SQLFreeHandle(HandleType::Stmt as i16, b.st);
    disconnect(e, d);
}

#[test]
fn a_static_cursor_past_its_limit_is_refused_not_cut() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let st = stmt(d);
    assert_eq!(set(st, StatementAttribute::CursorType, STATIC), SQL_SUCCESS);
    let sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200001) SELECT x FROM c";
    assert_eq!(
        exec(st, sql),
        SQL_SUCCESS,
        "{:?}",
        diag(HandleType::Stmt, st)
    );
    assert_eq!(scroll(st, LAST, 0), SQL_ERROR);
    let d0 = diag(HandleType::Stmt, st);
    assert_eq!(d0[0].0, "HY000");
    assert!(d0[0].1.contains("200000"), "{d0:?}");
    // The cursor was closed.
    assert_eq!(scroll(st, FIRST, 0), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["24000"]);
    SQLFreeHandle(HandleType::Stmt as i16, st);
    disconnect(e, d);
}

#[test]
fn bookmarks_round_trip() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let want = forward_ids(d);
    let mut marks = [0u64; 5];
    let mut mark_ind = [0 as Len; 5];
    let b = Block::open(d, 5, |st| {
        // Column 0 needs SQL_ATTR_USE_BOOKMARKS.
        // SAFETY: see "Calling the exports" in tests/common; `marks` outlives its use.
        let rc = unsafe {
            SQLBindCol(
                st,
                0,
                C_VARBOOKMARK,
                marks.as_mut_ptr().cast(),
                8,
                mark_ind.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQL_ERROR);
        assert_eq!(states(HandleType::Stmt, st), ["07009"]);
        assert_eq!(
            set(st, StatementAttribute::UseBookmarks, UB_VARIABLE),
            SQL_SUCCESS
        );
        // SAFETY: as above.
        let rc = unsafe {
            SQLBindCol(
                st,
                0,
                C_VARBOOKMARK,
                marks.as_mut_ptr().cast(),
                8,
                mark_ind.as_mut_ptr(),
            )
        };
        assert_eq!(rc, SQL_SUCCESS);
    });
    assert_eq!(
        stmt_attr(b.st, StatementAttribute::UseBookmarks),
        UB_VARIABLE
    );
    assert_eq!(b.go(ABSOLUTE, 120), Some(want[119..124].to_vec()));
    assert_eq!(marks, [120, 121, 122, 123, 124]);
    assert_eq!(mark_ind, [8; 5]);
    let saved = marks[2];
    assert_eq!(b.go(FIRST, 0), Some(want[..5].to_vec()));
    // SQL_FETCH_BOOKMARK: back to the saved row, and relative to it.
    assert_eq!(
        set(
            b.st,
            StatementAttribute::FetchBookmarkPtr,
            &saved as *const u64 as usize
        ),
        SQL_SUCCESS
    );
    assert_eq!(b.go(BOOKMARK, 0), Some(want[121..126].to_vec()));
    assert_eq!(b.go(BOOKMARK, -2), Some(want[119..124].to_vec()));
    assert_eq!(b.go(BOOKMARK, 400), None);
    // SQLGetData on column 0: the current row's bookmark.
    assert_eq!(b.go(ABSOLUTE, 7), Some(want[6..11].to_vec()));
    let mut bm = 0u64;
    let mut ind: Len = 0;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe {
        SQLGetData(
            b.st,
            0,
            C_DEFAULT,
            (&mut bm as *mut u64).cast(),
            8,
            &mut ind,
        )
    };
    assert_eq!(rc, SQL_SUCCESS, "{:?}", diag(HandleType::Stmt, b.st));
    assert_eq!((bm, ind), (7, 8));
    // A bookmark that names no row.
    let bad = 9999u64;
    set(
        b.st,
        StatementAttribute::FetchBookmarkPtr,
        &bad as *const u64 as usize,
    );
    assert_eq!(scroll(b.st, BOOKMARK, 0), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, b.st), ["HY111"]);
    SQLFreeHandle(HandleType::Stmt as i16, b.st);
    disconnect(e, d);
}

#[test]
fn fixed_bookmarks_and_extended_fetch() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let want = forward_ids(d);
    let st = stmt(d);
    let mut ids = [0i64; 6];
    let mut ind = [0 as Len; 6];
    let mut marks = [0u32; 6];
    assert_eq!(set(st, StatementAttribute::CursorType, STATIC), SQL_SUCCESS);
    assert_eq!(
        set(st, StatementAttribute::UseBookmarks, UB_FIXED),
        SQL_SUCCESS
    );
    assert_eq!(set_raw(st, SQL_ROWSET_SIZE, 6), SQL_SUCCESS);
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers outlive their use.
    unsafe {
        assert_eq!(
            SQLBindCol(
                st,
                1,
                CDataType::SBigInt as i16,
                ids.as_mut_ptr().cast(),
                8,
                ind.as_mut_ptr()
            ),
            SQL_SUCCESS
        );
        assert_eq!(
            SQLBindCol(
                st,
                0,
                C_ULONG,
                marks.as_mut_ptr().cast(),
                4,
                std::ptr::null_mut()
            ),
            SQL_SUCCESS
        );
    }
    assert_eq!(exec(st, ORDERS), SQL_SUCCESS);
    // (return code, rows fetched, row status) of one SQLExtendedFetch.
    let xf = |o: i16, irow: isize| -> (i16, ULen, [u16; 6]) {
        let (mut fetched, mut status) = (0 as ULen, [9u16; 6]);
        // SAFETY: see "Calling the exports" in tests/common; the buffers outlive the call.
        let rc = unsafe {
            SQLExtendedFetch(st, o as u16, irow as Len, &mut fetched, status.as_mut_ptr())
        };
        (rc, fetched, status)
    };
    assert_eq!(xf(FIRST, 0), (SQL_SUCCESS, 6, [0; 6]));
    assert_eq!(ids[..], want[..6]);
    assert_eq!(marks, [1, 2, 3, 4, 5, 6]);
    assert_eq!(xf(ABSOLUTE, 397), (SQL_SUCCESS, 4, [0, 0, 0, 0, 3, 3]));
    assert_eq!(ids[..4], want[396..]);
    assert_eq!(xf(NEXT, 0).0, SQL_NO_DATA);
    assert_eq!(xf(NEXT, 0).1, 0);
    // ODBC 2: SQL_FETCH_BOOKMARK takes the bookmark as irow.
    assert_eq!(xf(BOOKMARK, 250).0, SQL_SUCCESS);
    assert_eq!(ids[..], want[249..255]);
    assert_eq!(marks[0], 250);
    assert_eq!(xf(PRIOR, 0).0, SQL_SUCCESS);
    assert_eq!(ids[..], want[243..249]);
    // SQL_ATTR_ROW_ARRAY_SIZE is SQLFetchScroll's, not SQLExtendedFetch's.
    assert_eq!(stmt_attr(st, StatementAttribute::RowArraySize), 1);
    // SQLSetPos ranges over the row set SQLExtendedFetch returned.
    // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
    assert_eq!(unsafe { SQLSetPos(st, 6, SQL_POSITION, 0) }, SQL_SUCCESS);
    assert_eq!(get_text(st, 1), Some(want[248].to_string()));
    SQLFreeHandle(HandleType::Stmt as i16, st);
    // Forward-only: SQLExtendedFetch NEXT works over SQL_ROWSET_SIZE rows.
    let st = stmt(d);
    assert_eq!(set_raw(st, SQL_ROWSET_SIZE, 3), SQL_SUCCESS);
    assert_eq!(exec(st, ORDERS), SQL_SUCCESS);
    let (mut fetched, mut status3) = (0 as ULen, [9u16; 3]);
    // SAFETY: see "Calling the exports" in tests/common; the buffers outlive the call.
    unsafe {
        assert_eq!(
            SQLExtendedFetch(st, NEXT as u16, 0, &mut fetched, status3.as_mut_ptr()),
            SQL_SUCCESS
        );
        assert_eq!((fetched, status3), (3, [0; 3]));
        assert_eq!(
            SQLExtendedFetch(st, FIRST as u16, 0, &mut fetched, status3.as_mut_ptr()),
            SQL_ERROR
        );
    }
    assert_eq!(states(HandleType::Stmt, st), ["HY106"]);
    SQLFreeHandle(HandleType::Stmt as i16, st);
    disconnect(e, d);
}

#[test]
fn set_pos_positions_and_refreshes() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let want = forward_ids(d);
    let mut b = Block::open(d, 10, |_| {});
    let st = b.st;
    let set_pos = |row: usize, op: u16| -> i16 {
        // SAFETY: see "Calling the exports" in tests/common; the bound buffers are still alive.
        unsafe { SQLSetPos(st, row as ULen, op, 0) }
    };
    // Before any fetch there is no row set.
    assert_eq!(set_pos(1, SQL_POSITION), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, b.st), ["24000"]);
    assert_eq!(b.go(ABSOLUTE, 20), Some(want[19..29].to_vec()));
    assert_eq!(
        get_text(b.st, 1),
        Some(want[19].to_string()),
        "the row set's first row"
    );
    assert_eq!(set_pos(4, SQL_POSITION), SQL_SUCCESS);
    assert_eq!(get_text(b.st, 1), Some(want[22].to_string()));
    assert_eq!(stmt_attr(b.st, StatementAttribute::RowNumber), 23);
    assert_eq!(set_pos(11, SQL_POSITION), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, b.st), ["HY107"]);
    assert_eq!(set_pos(0, SQL_POSITION), SQL_ERROR);
    assert_eq!(set_pos(4, SQL_UPDATE), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, b.st), ["HYC00"]);
    // SQL_REFRESH writes the row set into the bound buffers again.
    b.ids.iter_mut().for_each(|v| *v = -1);
    assert_eq!(set_pos(0, SQL_REFRESH), SQL_SUCCESS);
    assert_eq!(b.ids[..], want[19..29]);
    b.ids.iter_mut().for_each(|v| *v = -1);
    assert_eq!(set_pos(2, SQL_REFRESH), SQL_SUCCESS);
    assert_eq!(b.ids[1], want[20]);
    assert_eq!(b.ids[0], -1, "only row 2 refreshed");
    // A partial last row set: rows past it hold nothing to position on.
    assert_eq!(b.go(LAST, 0), Some(want[390..].to_vec()));
    assert_eq!(b.go(RELATIVE, 5), Some(want[395..].to_vec()));
    assert_eq!(set_pos(6, SQL_POSITION), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, b.st), ["HY109"]);
    assert_eq!(set_pos(5, SQL_POSITION), SQL_SUCCESS);
    assert_eq!(get_text(b.st, 1), Some(want[399].to_string()));
    SQLFreeHandle(HandleType::Stmt as i16, b.st);
    disconnect(e, d);
}

fn cursor_name(st: *mut c_void) -> String {
    let mut buf = [0u8; 64];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe { SQLGetCursorName(st, buf.as_mut_ptr(), buf.len() as i16, &mut len) };
    assert_eq!(rc, SQL_SUCCESS);
    String::from_utf8(buf[..len as usize].to_vec()).unwrap()
}

fn set_name(st: *mut c_void, name: &str) -> i16 {
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe { SQLSetCursorName(st, name.as_ptr(), name.len() as i16) }
}

#[test]
fn cursor_names_are_generated_set_and_unique_per_connection() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let (a, b) = (stmt(d), stmt(d));
    let (na, nb) = (cursor_name(a), cursor_name(b));
    assert!(na.starts_with("SQL_CUR") && nb.starts_with("SQL_CUR"));
    assert_ne!(na, nb);
    assert_eq!(set_name(a, "orders_cursor"), SQL_SUCCESS);
    assert_eq!(cursor_name(a), "orders_cursor");
    assert_eq!(set_name(b, "orders_cursor"), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, b), ["3C000"]);
    assert_eq!(set_name(b, "SQL_CUR1"), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, b), ["34000"]);
    // The same name on another connection is fine.
    let (e2, d2) = connect(&sb);
    let c = stmt(d2);
    assert_eq!(set_name(c, "orders_cursor"), SQL_SUCCESS);
    // Renaming frees the old name; freeing the statement frees its name.
    assert_eq!(set_name(a, "other"), SQL_SUCCESS);
    assert_eq!(set_name(b, "orders_cursor"), SQL_SUCCESS);
    SQLFreeHandle(HandleType::Stmt as i16, a);
    assert_eq!(set_name(b, "other"), SQL_SUCCESS);
    // Truncation: 01004 with the full length.
    let mut small = [0u8; 4];
    let mut len = 0i16;
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe { SQLGetCursorName(b, small.as_mut_ptr(), 4, &mut len) };
    assert_eq!((rc, len), (SQL_SUCCESS_WITH_INFO, 5));
    assert_eq!(&small, b"oth\0");
    // The wide forms.
    let wide: Vec<u16> = "wide_cursor".encode_utf16().collect();
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe { SQLSetCursorNameW(b, wide.as_ptr(), wide.len() as i16) };
    assert_eq!(rc, SQL_SUCCESS);
    let mut out = [0u16; 32];
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    let rc = unsafe { SQLGetCursorNameW(b, out.as_mut_ptr(), 32, &mut len) };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(
        String::from_utf16(&out[..len as usize]).unwrap(),
        "wide_cursor"
    );
    // Not while a cursor is open.
    assert_eq!(exec(b, ORDERS), SQL_SUCCESS);
    assert_eq!(set_name(b, "late"), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, b), ["24000"]);
    SQLFreeHandle(HandleType::Stmt as i16, b);
    SQLFreeHandle(HandleType::Stmt as i16, c);
    disconnect(e2, d2);
    disconnect(e, d);
}

#[test]
fn get_functions_lists_the_scroll_functions() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    for id in [59u16, 68, 17, 21] {
        let mut yes = 0u16;
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        assert_eq!(unsafe { SQLGetFunctions(d, id, &mut yes) }, SQL_SUCCESS);
        assert_eq!(yes, 1, "function {id}");
    }
    disconnect(e, d);
}
