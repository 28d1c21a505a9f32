//! SQLGetData's paths agree (issue 11): a value that fits the buffer goes
//! out straight from the statement's scratch buffer, a longer one is kept
//! and cut into pieces, and a bound column (SQLBindCol) takes a third
//! route. For every column of every sandbox table, for each C type pyodbc
//! asks for and for SQL_C_CHAR / SQL_C_WCHAR, the three give the same
//! bytes, indicators and warnings, with and without SQL_ATTR_MAX_LENGTH.
#![allow(unused_unsafe)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use std::os::raw::c_void;
use std::ptr::null_mut;

/// What one path read of one value: return code, indicator and bytes
/// (without the terminator).
type Cell = (i16, Len, Vec<u8>);

const BIG: usize = 1 << 17;
const WIDE: usize = std::mem::size_of::<jumpseller_odbc::ffi::strings::WChar>();
const SQL_C_NUMERIC: i16 = CDataType::Numeric as i16;

/// The C type pyodbc reads an SQL type with (SQL_C_NUMERIC: its default
/// precision and scale here, pyodbc sets 19 and 4 through the ARD).
fn pyodbc_type(sql_type: i16) -> i16 {
    let t = SqlDataType(sql_type);
    (if t == SqlDataType::EXT_BIG_INT {
        CDataType::SBigInt
    } else if t == SqlDataType::INTEGER || t == SqlDataType::SMALLINT {
        CDataType::SLong
    } else if t == SqlDataType::DOUBLE {
        CDataType::Double
    } else if t == SqlDataType::EXT_BIT {
        CDataType::Bit
    } else if t == SqlDataType::TIMESTAMP {
        CDataType::TypeTimestamp
    } else if t == SqlDataType::DATE {
        CDataType::TypeDate
    } else if t == SqlDataType::TIME {
        CDataType::TypeTime
    } else if t == SqlDataType::DECIMAL || t == SqlDataType::NUMERIC {
        CDataType::Numeric
    } else {
        CDataType::WChar
    }) as i16
}

/// Bytes a terminator takes for `c_type` (0 for fixed-size types).
fn terminator(c_type: i16) -> usize {
    match c_type {
        t if t == CDataType::Char as i16 => 1,
        t if t == CDataType::WChar as i16 => WIDE,
        _ => 0,
    }
}

fn open(d: *mut c_void, sql: &str, max_length: usize) -> Option<*mut c_void> {
    let st = stmt(d);
    if max_length > 0 {
        // SAFETY: see "Calling the exports" in tests/common (an integer attribute).
        let rc = unsafe {
            SQLSetStmtAttr(
                st,
                StatementAttribute::MaxLength as i32,
                max_length as *mut c_void,
                0,
            )
        };
        assert_eq!(rc, SQL_SUCCESS);
    }
    (exec(st, sql) == SQL_SUCCESS).then_some(st)
}

fn fetch(st: *mut c_void) -> bool {
    // SAFETY: see "Calling the exports" in tests/common (bound buffers live).
    match unsafe { SQLFetch(st) } {
        SQL_SUCCESS | SQL_SUCCESS_WITH_INFO => true,
        SQL_NO_DATA => false,
        rc => panic!("SQLFetch -> {rc}: {:?}", diag(HandleType::Stmt, st)),
    }
}

/// Every cell through SQLBindCol with `types[i]` for column i + 1.
fn read_bound(st: *mut c_void, types: &[i16]) -> Vec<Vec<Cell>> {
    let mut bufs: Vec<Vec<u8>> = types.iter().map(|_| vec![0u8; BIG]).collect();
    let mut inds: Vec<Len> = vec![0; types.len()];
    for (i, &t) in types.iter().enumerate() {
        // SAFETY: `bufs` and `inds` outlive every fetch below and are not
        // reallocated meanwhile.
        let rc = unsafe {
            SQLBindCol(
                st,
                i as u16 + 1,
                t,
                bufs[i].as_mut_ptr() as *mut c_void,
                BIG as Len,
                inds.as_mut_ptr().add(i),
            )
        };
        assert_eq!(rc, SQL_SUCCESS);
    }
    let mut rows = Vec::new();
    loop {
        // SAFETY: as above.
        let rc = unsafe { SQLFetch(st) };
        if rc == SQL_NO_DATA {
            break;
        }
        let rows_rc = match rc {
            // A fetch warns for the whole row; each cell is compared below
            // by its bytes, the warning by `warned`.
            SQL_SUCCESS | SQL_SUCCESS_WITH_INFO => rc,
            other => panic!("SQLFetch -> {other}: {:?}", diag(HandleType::Stmt, st)),
        };
        let row = types
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let len = match (inds[i], fixed_len(t)) {
                    (NULL_DATA, _) => 0,
                    (_, Some(n)) => n,
                    (ind, None) => (ind as usize).min(BIG - terminator(t)),
                };
                (rows_rc, inds[i], bufs[i][..len].to_vec())
            })
            .collect();
        rows.push(row);
    }
    rows
}

/// The size of a fixed-size C type.
fn fixed_len(c_type: i16) -> Option<usize> {
    let c = |t: CDataType| t as i16;
    Some(match c_type {
        t if t == c(CDataType::SBigInt) || t == c(CDataType::Double) => 8,
        t if t == c(CDataType::SLong) => 4,
        t if t == c(CDataType::Bit) => 1,
        t if t == c(CDataType::TypeDate) || t == c(CDataType::TypeTime) => 6,
        t if t == c(CDataType::TypeTimestamp) => 16,
        SQL_C_NUMERIC => 19,
        _ => return None,
    })
}

/// One SQLGetData call into a buffer of `room` bytes.
fn get_piece(st: *mut c_void, col: u16, c_type: i16, room: usize) -> (i16, Len, Vec<u8>) {
    let mut buf = vec![0xAAu8; room.max(fixed_len(c_type).unwrap_or(0))];
    let mut ind: Len = 0;
    // SAFETY: see "Calling the exports" in tests/common (buffer lengths).
    let rc = unsafe {
        SQLGetData(
            st,
            col,
            c_type,
            buf.as_mut_ptr() as *mut c_void,
            room as Len,
            &mut ind,
        )
    };
    (rc, ind, buf)
}

/// Column `col` of the current row in one SQLGetData call.
fn get_whole(st: *mut c_void, col: u16, c_type: i16) -> Cell {
    let (rc, ind, buf) = get_piece(st, col, c_type, BIG);
    let len = match (rc, ind, fixed_len(c_type)) {
        (SQL_SUCCESS | SQL_SUCCESS_WITH_INFO, NULL_DATA, _) => 0,
        (SQL_SUCCESS | SQL_SUCCESS_WITH_INFO, _, Some(n)) => n,
        (SQL_SUCCESS | SQL_SUCCESS_WITH_INFO, ind, None) => {
            let term = terminator(c_type);
            // The terminator is written after the data.
            assert!(buf[ind as usize..ind as usize + term]
                .iter()
                .all(|b| *b == 0));
            ind as usize
        }
        _ => 0,
    };
    (rc, ind, buf[..len].to_vec())
}

/// Column `col` of the current row read in pieces of `room` bytes: each
/// indicator is what was left before its call, every piece but the last
/// warns 01004 and ends with a terminator, and the bytes put together come
/// back as one cell (with the first call's indicator).
fn get_chunked(st: *mut c_void, col: u16, c_type: i16, room: usize) -> Cell {
    let term = terminator(c_type);
    let mut pieces: Vec<(i16, Len, Vec<u8>)> = Vec::new();
    loop {
        let (rc, ind, buf) = get_piece(st, col, c_type, room);
        if rc == SQL_NO_DATA {
            break;
        }
        let last = rc == SQL_ERROR || ind == NULL_DATA || ind as usize + term <= room;
        if !last {
            assert_eq!(rc, SQL_SUCCESS_WITH_INFO);
            assert!(states(HandleType::Stmt, st).contains(&"01004".to_string()));
        }
        pieces.push((rc, ind, buf));
        if last {
            break;
        }
    }
    let Some(&(first_rc, first_ind, _)) = pieces.first() else {
        return (SQL_NO_DATA, 0, vec![]);
    };
    if first_rc == SQL_ERROR || first_ind == NULL_DATA {
        return (first_rc, first_ind, vec![]);
    }
    let mut all = Vec::new();
    for (k, (_, ind, buf)) in pieces.iter().enumerate() {
        // This piece's data: what was left before it less what was left after.
        let next = pieces.get(k + 1).map_or(0, |p| p.1 as usize);
        let got = *ind as usize - next;
        assert!(got > 0 || *ind == 0, "a piece moves on");
        assert!(buf[got..got + term].iter().all(|b| *b == 0), "terminated");
        all.extend_from_slice(&buf[..got]);
    }
    // The last piece's code stands for the value: the others' 01004 is the
    // chunking's own.
    (pieces[pieces.len() - 1].0, first_ind, all)
}

/// The tables of the sandbox, as SQLTables lists them.
fn tables(d: *mut c_void) -> Vec<String> {
    let st = stmt(d);
    // SAFETY: see "Calling the exports" in tests/common (null filters).
    let rc = unsafe { SQLTables(st, nul(), 0, nul(), 0, nul(), 0, nul(), 0) };
    assert_eq!(rc, SQL_SUCCESS);
    let mut names = Vec::new();
    while fetch(st) {
        names.extend(get_text(st, 3));
    }
    names
}

fn column_types(st: *mut c_void) -> Vec<i16> {
    let mut n = 0i16;
    // SAFETY: see "Calling the exports" in tests/common.
    assert_eq!(unsafe { SQLNumResultCols(st, &mut n) }, SQL_SUCCESS);
    (1..=n as u16)
        .map(|i| describe_column(st, i).sql_type)
        .collect()
}

/// Whether a cell's code is a warning or success: SQLBindCol's row code
/// covers all columns, so only errors are compared to it exactly.
fn same_code(bound: i16, got: i16) -> bool {
    bound == got || (got == SQL_SUCCESS && bound == SQL_SUCCESS_WITH_INFO)
}

#[test]
fn every_value_reads_the_same_whole_in_pieces_and_bound() {
    let sb = sandbox();
    let (_env, d) = connect(&sb);
    let mut compared = 0usize;
    let mut chunked = 0usize;
    let mut read_tables = 0usize;
    for table in tables(d) {
        let sql = format!("SELECT * FROM \"{table}\" LIMIT 12");
        let Some(probe) = open(d, &sql, 0) else {
            continue; // a table that needs a filter (its error is tested elsewhere)
        };
        read_tables += 1;
        let sql_types = column_types(probe);
        let typed: Vec<i16> = sql_types.iter().map(|t| pyodbc_type(*t)).collect();
        let rounds: [(Vec<i16>, usize); 5] = [
            (typed, 0),
            (vec![CDataType::Char as i16; sql_types.len()], 0),
            (vec![CDataType::WChar as i16; sql_types.len()], 0),
            (vec![CDataType::Char as i16; sql_types.len()], 7),
            (vec![CDataType::WChar as i16; sql_types.len()], 6),
        ];
        for (types, max_length) in rounds {
            let Some(bound_st) = open(d, &sql, max_length) else {
                panic!("{sql}: {:?}", diag(HandleType::Stmt, probe));
            };
            let bound = read_bound(bound_st, &types);
            let whole_st = open(d, &sql, max_length).expect("runs again");
            let pieces_st = open(d, &sql, max_length).expect("runs again");
            for (r, bound_row) in bound.iter().enumerate() {
                assert!(fetch(whole_st) && fetch(pieces_st), "{table}: row {r}");
                for (i, &t) in types.iter().enumerate() {
                    let col = i as u16 + 1;
                    let whole = get_whole(whole_st, col, t);
                    let what = format!("{table} row {r} column {col} C type {t} max {max_length}");
                    let (brc, bind, bbytes) = &bound_row[i];
                    assert!(same_code(*brc, whole.0), "{what}: {brc} vs {whole:?}");
                    assert_eq!((*bind, bbytes), (whole.1, &whole.2), "{what}");
                    compared += 1;
                    let term = terminator(t);
                    if term > 0 {
                        // Room for two units and the terminator: most values
                        // take several pieces.
                        let pieces = get_chunked(pieces_st, col, t, 3 * term);
                        assert_eq!(pieces, whole, "{what}, in pieces");
                        chunked += (whole.1 as usize > 2 * term) as usize;
                    } else {
                        assert_eq!(get_whole(pieces_st, col, t), whole, "{what}, again");
                    }
                }
            }
            assert!(!fetch(whole_st), "{table}: as many rows");
            for st in [bound_st, whole_st, pieces_st] {
                // SAFETY: see "Calling the exports" in tests/common.
                unsafe { SQLFreeHandle(HandleType::Stmt as i16, st) };
            }
        }
    }
    assert!(read_tables >= 10, "{read_tables} tables read");
    assert!(compared > 5_000, "{compared} values compared");
    assert!(chunked > 1_000, "{chunked} values read in pieces");
}

#[test]
fn a_null_without_an_indicator_is_22002_on_the_fast_path() {
    let sb = sandbox();
    let (_env, d) = connect(&sb);
    let st = stmt(d);
    assert_eq!(exec(st, "SELECT NULL, 'x'"), SQL_SUCCESS);
    assert!(fetch(st));
    let mut buf = [0u8; 8];
    // Column `col` as SQL_C_CHAR into `buf`, without an indicator.
    let mut get = |col: u16| {
        // SAFETY: see "Calling the exports" in tests/common (buffer lengths).
        unsafe {
            SQLGetData(
                st,
                col,
                CDataType::Char as i16,
                buf.as_mut_ptr() as *mut c_void,
                8,
                null_mut(),
            )
        }
    };
    assert_eq!(get(1), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["22002"]);
    // The next column reads as usual, without an indicator too.
    let rc = get(2);
    assert_eq!((rc, &buf[..2]), (SQL_SUCCESS, &b"x\0"[..]));
}
