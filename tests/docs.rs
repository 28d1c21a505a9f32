//! The user-facing documentation stays true: every connection key (and
//! alias) the driver accepts appears in README.md's table and in
//! installer/odbc.ini.template; README's SQL section lists exactly the
//! scalar functions SQLGetInfo claims, and each sentence of its Cursors
//! part is checked here or names the test that checks it.
#![warn(clippy::undocumented_unsafe_blocks)]

mod common;
use common::*;
use jumpseller_odbc::config::KEYS;
use jumpseller_odbc::ffi::*;
use jumpseller_odbc::odbc::sqlext::*;
use std::collections::BTreeSet;
use std::os::raw::c_void;

fn read(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

#[test]
fn every_connection_key_is_in_the_readme() {
    let readme = read("README.md");
    let missing: Vec<&str> = KEYS
        .iter()
        .flat_map(|k| std::iter::once(k.name).chain(k.aliases.iter().copied()))
        .filter(|name| !readme.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's connection-key table lacks {missing:?}"
    );
}

#[test]
fn every_connection_key_is_in_the_odbc_ini_template() {
    let template = read("installer/odbc.ini.template");
    let missing: Vec<&str> = KEYS
        .iter()
        .map(|k| k.name)
        .filter(|name| !["DSN"].contains(name))
        .filter(|name| {
            // a key line (`Key = ...` or `;Key = ...`) or a mention in a comment
            !template.lines().any(|l| {
                let l = l.trim_start_matches([';', '#', ' ']);
                l.starts_with(&format!("{name} ="))
                    || l.starts_with(&format!("{name}:"))
                    || l.contains(&format!(" {name},"))
                    || l.contains(&format!("{name} ("))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "installer/odbc.ini.template does not document {missing:?}"
    );
}

/// docs/architecture.md has a line for every source file, so the map of the
/// house stays current as rooms are added.
#[test]
fn every_source_file_is_on_the_architecture_page() {
    let page = read("docs/architecture.md");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let missing: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let rel = f
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            // Listed under its directory's heading as `file` or `sub/file`,
            // or by its whole path under src/.
            let name = rel.split_once('/').map_or(rel.as_str(), |(_, rest)| rest);
            let listed = page.contains(&format!("`{name}`")) || page.contains(&format!("`{rel}`"));
            (!listed).then_some(rel)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md has no line for {missing:?}"
    );
}

/// The README's text from the line `from` up to (not including) the first
/// line after it that starts with `until`.
fn readme_part(from: &str, until: &str) -> String {
    let readme = read("README.md");
    let start = readme
        .find(from)
        .unwrap_or_else(|| panic!("README.md has no {from:?}"));
    let rest = &readme[start + from.len()..];
    let end = rest
        .find(&format!("\n{until}"))
        .map_or(rest.len(), |i| i + 1);
    rest[..end].to_string()
}

/// A bit of a SQLGetInfo bitmask and the function name README gives it.
type NamedBits = &'static [(u32, &'static str)];

/// Per README bullet: its label, the information type, the named bits.
const FUNCTION_BITS: &[(&str, u16, NamedBits)] = &[
    (
        "string",
        odbc_sys::InfoType::StringFunctions as u16,
        &[
            (SQL_FN_STR_ASCII, "ASCII"),
            (SQL_FN_STR_BIT_LENGTH, "BIT_LENGTH"),
            (SQL_FN_STR_CHAR, "CHAR"),
            (SQL_FN_STR_CHAR_LENGTH, "CHAR_LENGTH"),
            (SQL_FN_STR_CHARACTER_LENGTH, "CHARACTER_LENGTH"),
            (SQL_FN_STR_CONCAT, "CONCAT"),
            (SQL_FN_STR_DIFFERENCE, "DIFFERENCE"),
            (SQL_FN_STR_INSERT, "INSERT"),
            (SQL_FN_STR_LCASE, "LCASE"),
            (SQL_FN_STR_LEFT, "LEFT"),
            (SQL_FN_STR_LENGTH, "LENGTH"),
            (SQL_FN_STR_LOCATE, "LOCATE"),
            (SQL_FN_STR_LOCATE_2, "LOCATE"),
            (SQL_FN_STR_LTRIM, "LTRIM"),
            (SQL_FN_STR_OCTET_LENGTH, "OCTET_LENGTH"),
            (SQL_FN_STR_POSITION, "POSITION"),
            (SQL_FN_STR_REPEAT, "REPEAT"),
            (SQL_FN_STR_REPLACE, "REPLACE"),
            (SQL_FN_STR_RIGHT, "RIGHT"),
            (SQL_FN_STR_RTRIM, "RTRIM"),
            (SQL_FN_STR_SOUNDEX, "SOUNDEX"),
            (SQL_FN_STR_SPACE, "SPACE"),
            (SQL_FN_STR_SUBSTRING, "SUBSTRING"),
            (SQL_FN_STR_UCASE, "UCASE"),
        ],
    ),
    (
        "numeric",
        odbc_sys::InfoType::NumericFunctions as u16,
        &[
            (SQL_FN_NUM_ABS, "ABS"),
            (SQL_FN_NUM_ACOS, "ACOS"),
            (SQL_FN_NUM_ASIN, "ASIN"),
            (SQL_FN_NUM_ATAN, "ATAN"),
            (SQL_FN_NUM_ATAN2, "ATAN2"),
            (SQL_FN_NUM_CEILING, "CEILING"),
            (SQL_FN_NUM_COS, "COS"),
            (SQL_FN_NUM_COT, "COT"),
            (SQL_FN_NUM_DEGREES, "DEGREES"),
            (SQL_FN_NUM_EXP, "EXP"),
            (SQL_FN_NUM_FLOOR, "FLOOR"),
            (SQL_FN_NUM_LOG, "LOG"),
            (SQL_FN_NUM_LOG10, "LOG10"),
            (SQL_FN_NUM_MOD, "MOD"),
            (SQL_FN_NUM_PI, "PI"),
            (SQL_FN_NUM_POWER, "POWER"),
            (SQL_FN_NUM_RADIANS, "RADIANS"),
            (SQL_FN_NUM_RAND, "RAND"),
            (SQL_FN_NUM_ROUND, "ROUND"),
            (SQL_FN_NUM_SIGN, "SIGN"),
            (SQL_FN_NUM_SIN, "SIN"),
            (SQL_FN_NUM_SQRT, "SQRT"),
            (SQL_FN_NUM_TAN, "TAN"),
            (SQL_FN_NUM_TRUNCATE, "TRUNCATE"),
        ],
    ),
    (
        "date and time (UTC)",
        odbc_sys::InfoType::TimedateFunctions as u16,
        &[
            (SQL_FN_TD_CURDATE, "CURDATE"),
            (SQL_FN_TD_CURTIME, "CURTIME"),
            (SQL_FN_TD_NOW, "NOW"),
            (SQL_FN_TD_CURRENT_DATE, "CURRENT_DATE"),
            (SQL_FN_TD_CURRENT_TIME, "CURRENT_TIME"),
            (SQL_FN_TD_CURRENT_TIMESTAMP, "CURRENT_TIMESTAMP"),
            (SQL_FN_TD_DAYNAME, "DAYNAME"),
            (SQL_FN_TD_DAYOFMONTH, "DAYOFMONTH"),
            (SQL_FN_TD_DAYOFWEEK, "DAYOFWEEK"),
            (SQL_FN_TD_DAYOFYEAR, "DAYOFYEAR"),
            (SQL_FN_TD_EXTRACT, "EXTRACT"),
            (SQL_FN_TD_HOUR, "HOUR"),
            (SQL_FN_TD_MINUTE, "MINUTE"),
            (SQL_FN_TD_MONTH, "MONTH"),
            (SQL_FN_TD_MONTHNAME, "MONTHNAME"),
            (SQL_FN_TD_QUARTER, "QUARTER"),
            (SQL_FN_TD_SECOND, "SECOND"),
            (SQL_FN_TD_WEEK, "WEEK"),
            (SQL_FN_TD_YEAR, "YEAR"),
            (SQL_FN_TD_TIMESTAMPADD, "TIMESTAMPADD"),
            (SQL_FN_TD_TIMESTAMPDIFF, "TIMESTAMPDIFF"),
        ],
    ),
    (
        "system",
        odbc_sys::InfoType::SystemFunctions as u16,
        &[
            (SQL_FN_SYS_DBNAME, "DATABASE"),
            (SQL_FN_SYS_IFNULL, "IFNULL"),
            (SQL_FN_SYS_USERNAME, "USER"),
        ],
    ),
];

fn info_u32(d: *mut c_void, info: u16) -> u32 {
    let mut v = 0u32;
    // SAFETY: see "Calling the exports" in tests/common (a 4-byte local).
    let rc = unsafe {
        SQLGetInfo(
            d,
            info,
            (&mut v as *mut u32).cast(),
            4,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, SQL_SUCCESS, "SQLGetInfo({info})");
    v
}

/// The names in backquotes of README's `- <label>:` bullet, up to the
/// first `(` of each (`POSITION(x IN y)` is POSITION).
fn listed_functions(list: &str, label: &str) -> BTreeSet<String> {
    let head = format!("- {label}:");
    let start = list
        .find(&head)
        .unwrap_or_else(|| panic!("README's function list has no {head:?}"));
    let bullet = &list[start + head.len()..];
    let bullet = &bullet[..bullet.find("\n- ").unwrap_or(bullet.len())];
    bullet
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|code| code.split('(').next().unwrap().trim().to_string())
        .filter(|name| !name.starts_with("SQL_"))
        .collect()
}

/// README lists, per kind, exactly the scalar functions SQLGetInfo claims
/// (tests/getinfo_claims.rs runs every claimed one).
#[test]
fn readme_lists_exactly_the_claimed_scalar_functions() {
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let list = readme_part("**SQL functions.**", "### ");
    let mut wrong = Vec::new();
    for (label, info, bits) in FUNCTION_BITS {
        let claimed_bits = info_u32(d, *info);
        let claimed: BTreeSet<String> = bits
            .iter()
            .filter(|(bit, _)| claimed_bits & bit != 0)
            .map(|(_, name)| name.to_string())
            .collect();
        let listed = listed_functions(&list, label);
        if listed != claimed {
            wrong.push(format!(
                "{label}: README lists but SQLGetInfo does not claim {:?}; claimed but not listed {:?}",
                listed.difference(&claimed).collect::<Vec<_>>(),
                claimed.difference(&listed).collect::<Vec<_>>()
            ));
        }
    }
    // CONVERT is the one conversion function claimed, and README says so.
    let convert = info_u32(d, odbc_sys::InfoType::ConvertFunctions as u16);
    assert_eq!(convert & SQL_FN_CVT_CONVERT, SQL_FN_CVT_CONVERT);
    assert!(list.contains("`{fn CONVERT(x, SQL_type)}` to every SQL type"));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    disconnect(e, d);
}

/// How a README sentence about cursors is checked: here, or by tests
/// elsewhere (file, function), which must exist.
enum Check {
    Here(fn(*mut c_void)),
    Tests(&'static [(&'static str, &'static str)]),
}

fn set_attr(st: *mut c_void, attr: StatementAttribute, value: u64) -> i16 {
    // Integer attributes travel in the pointer.
    SQLSetStmtAttr(st, attr as i32, value as usize as *mut c_void, 0)
}

fn get_attr(st: *mut c_void, attr: StatementAttribute) -> u64 {
    let mut v: ULen = 0;
    // SAFETY: see "Calling the exports" in tests/common (a ULen local).
    let rc = unsafe {
        SQLGetStmtAttr(
            st,
            attr as i32,
            (&mut v as *mut ULen).cast(),
            0,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    v as u64
}

/// Sets `attr` to `value` (SQL_SUCCESS) and checks the cursor type then.
fn set_and_check(st: *mut c_void, attr: StatementAttribute, value: u64, cursor_type: u64) {
    assert_eq!(set_attr(st, attr, value), SQL_SUCCESS, "{attr:?} {value}");
    assert_eq!(get_attr(st, StatementAttribute::CursorType), cursor_type);
}

fn cursor_type_values(d: *mut c_void) {
    use StatementAttribute::CursorType;
    let st = stmt(d);
    assert_eq!(
        get_attr(st, CursorType),
        SQL_CURSOR_FORWARD_ONLY,
        "the default"
    );
    set_and_check(st, CursorType, SQL_CURSOR_STATIC, SQL_CURSOR_STATIC);
    set_and_check(
        st,
        CursorType,
        SQL_CURSOR_FORWARD_ONLY,
        SQL_CURSOR_FORWARD_ONLY,
    );
    SQLFreeHandle(HandleType::Stmt as i16, st);
}

fn other_cursor_types_become_static(d: *mut c_void) {
    use StatementAttribute::CursorType;
    let st = stmt(d);
    for value in [SQL_CURSOR_KEYSET_DRIVEN, SQL_CURSOR_DYNAMIC] {
        set_and_check(
            st,
            CursorType,
            SQL_CURSOR_FORWARD_ONLY,
            SQL_CURSOR_FORWARD_ONLY,
        );
        assert_eq!(
            set_attr(st, CursorType, value),
            SQL_SUCCESS_WITH_INFO,
            "{value}"
        );
        assert_eq!(states(HandleType::Stmt, st), ["01S02"], "{value}");
        assert_eq!(get_attr(st, CursorType), SQL_CURSOR_STATIC, "{value}");
    }
    // A value that is no cursor type is refused; the type stays as it was.
    assert_eq!(set_attr(st, CursorType, 7), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["HY024"]);
    assert_eq!(get_attr(st, CursorType), SQL_CURSOR_STATIC);
    SQLFreeHandle(HandleType::Stmt as i16, st);
}

fn scrollable_values(d: *mut c_void) {
    use StatementAttribute::{CursorScrollable, CursorType};
    let st = stmt(d);
    set_and_check(st, CursorScrollable, SQL_SCROLLABLE, SQL_CURSOR_STATIC);
    set_and_check(
        st,
        CursorScrollable,
        SQL_NONSCROLLABLE,
        SQL_CURSOR_FORWARD_ONLY,
    );
    assert_eq!(set_attr(st, CursorScrollable, 2), SQL_ERROR);
    assert_eq!(states(HandleType::Stmt, st), ["HY024"]);
    assert_eq!(get_attr(st, CursorType), SQL_CURSOR_FORWARD_ONLY);
    SQLFreeHandle(HandleType::Stmt as i16, st);
}

fn fixed_while_open(d: *mut c_void) {
    use StatementAttribute::{CursorScrollable, CursorType, UseBookmarks};
    let st = stmt(d);
    assert_eq!(exec(st, "SELECT id FROM Categories"), SQL_SUCCESS);
    for (attr, value) in [
        (CursorType, SQL_CURSOR_STATIC),
        (CursorScrollable, SQL_SCROLLABLE),
        (UseBookmarks, SQL_UB_VARIABLE),
    ] {
        assert_eq!(set_attr(st, attr, value), SQL_ERROR, "{attr:?}");
        assert_eq!(states(HandleType::Stmt, st), ["24000"], "{attr:?}");
    }
    assert_eq!(get_attr(st, CursorType), SQL_CURSOR_FORWARD_ONLY);
    assert_eq!(SQLCloseCursor(st), SQL_SUCCESS);
    assert_eq!(set_attr(st, CursorType, SQL_CURSOR_STATIC), SQL_SUCCESS);
    SQLFreeHandle(HandleType::Stmt as i16, st);
}

fn read_only_concurrency(d: *mut c_void) {
    use StatementAttribute::Concurrency;
    const SQL_CONCUR_LOCK: u64 = 2;
    let st = stmt(d);
    assert_eq!(get_attr(st, Concurrency), SQL_CONCUR_READ_ONLY);
    assert_eq!(
        set_attr(st, Concurrency, SQL_CONCUR_LOCK),
        SQL_SUCCESS_WITH_INFO
    );
    assert_eq!(states(HandleType::Stmt, st), ["01S02"]);
    assert_eq!(get_attr(st, Concurrency), SQL_CONCUR_READ_ONLY);
    assert_eq!(set_attr(st, Concurrency, SQL_CONCUR_READ_ONLY), SQL_SUCCESS);
    SQLFreeHandle(HandleType::Stmt as i16, st);
}

/// Each line under README's `### Cursors` (one sentence a line) and how it
/// is checked.
const CURSOR_SENTENCES: &[(&str, Check)] = &[
    (
        "`SQL_ATTR_CURSOR_TYPE` accepts `SQL_CURSOR_FORWARD_ONLY` (the default: rows are streamed as the API's pages arrive) and `SQL_CURSOR_STATIC`.",
        Check::Here(cursor_type_values),
    ),
    (
        "`SQL_CURSOR_KEYSET_DRIVEN` and `SQL_CURSOR_DYNAMIC` give a static cursor with the warning `01S02` (option value changed), and `SQLGetStmtAttr` then answers `SQL_CURSOR_STATIC`; any other value is refused (`HY024`).",
        Check::Here(other_cursor_types_become_static),
    ),
    (
        "`SQL_ATTR_CURSOR_SCROLLABLE` = `SQL_SCROLLABLE` makes the cursor static and `SQL_NONSCROLLABLE` forward-only; any other value is `HY024`.",
        Check::Here(scrollable_values),
    ),
    (
        "The cursor type, scrollability and bookmarks cannot change while a cursor is open (`24000`).",
        Check::Here(fixed_while_open),
    ),
    (
        "A forward-only cursor fetches with `SQL_FETCH_NEXT` only; any other orientation is `HY106`.",
        Check::Tests(&[("scroll.rs", "forward_only_cursors_refuse_every_orientation_but_next")]),
    ),
    (
        "A static cursor reads the whole result into memory, at most 200,000 rows: a longer result is refused with `HY000`, never cut, and `SQL_ATTR_MAX_ROWS` bounds it.",
        Check::Tests(&[
            ("scroll.rs", "a_static_cursor_past_its_limit_is_refused_not_cut"),
            ("scroll.rs", "max_rows_bounds_a_static_cursor"),
        ]),
    ),
    (
        "`SQLFetchScroll` and `SQLExtendedFetch` then scroll every way (`NEXT`, `PRIOR`, `FIRST`, `LAST`, `ABSOLUTE`, `RELATIVE`, `BOOKMARK`), with row arrays and row status arrays.",
        Check::Tests(&[
            ("scroll.rs", "every_orientation_matches_the_forward_only_rows"),
            ("scroll.rs", "fixed_bookmarks_and_extended_fetch"),
        ]),
    ),
    (
        "Bookmarks (column 0, the row number) work, fixed and variable.",
        Check::Tests(&[
            ("scroll.rs", "bookmarks_round_trip"),
            ("scroll.rs", "fixed_bookmarks_and_extended_fetch"),
        ]),
    ),
    (
        "`SQLSetPos` does `SQL_POSITION` and `SQL_REFRESH`; updates through it are `HYC00`.",
        Check::Tests(&[("scroll.rs", "set_pos_positions_and_refreshes")]),
    ),
    (
        "Concurrency is read-only: any other `SQL_ATTR_CONCURRENCY` gives `01S02` and reads back as `SQL_CONCUR_READ_ONLY`.",
        Check::Here(read_only_concurrency),
    ),
];

/// Every sentence under README's Cursors heading is one of
/// CURSOR_SENTENCES, and each of those holds.
#[test]
fn every_cursor_sentence_in_the_readme_is_checked() {
    let part = readme_part("### Cursors\n", "## ");
    let lines: Vec<&str> = part.lines().filter(|l| !l.trim().is_empty()).collect();
    let unchecked: Vec<&&str> = lines
        .iter()
        .filter(|l| !CURSOR_SENTENCES.iter().any(|(s, _)| s == *l))
        .collect();
    assert!(
        unchecked.is_empty(),
        "README sentences with no check: {unchecked:?}"
    );
    let sb = sandbox();
    let (e, d) = connect(&sb);
    for (sentence, check) in CURSOR_SENTENCES {
        assert!(
            lines.contains(sentence),
            "README no longer says {sentence:?}"
        );
        match check {
            Check::Here(f) => f(d),
            Check::Tests(tests) => {
                for (file, name) in *tests {
                    let text = read(&format!("tests/{file}"));
                    assert!(
                        text.contains(&format!("#[test]\nfn {name}(")),
                        "tests/{file} has no test {name} (for {sentence:?})"
                    );
                }
            }
        }
    }
    disconnect(e, d);
}
