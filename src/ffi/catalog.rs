//! Catalog functions: arguments decoded, result sets built by
//! `odbc::catalog` from the profile (no network), installed on the statement.
#![allow(
    clippy::too_many_arguments,
    reason = "ODBC's catalog functions take a (text, length) pair per name; these mirror them"
)]

use super::strings::{input, Enc, A, W};
use super::{with_stmt, Handle};
use crate::odbc::catalog::{self, Arg};
use crate::odbc::{lock, Stmt};
use crate::schema::Profile;
use odbc_sys::{Char, Len, RetCode, WChar};
use std::sync::Arc;

type U<E> = <E as Enc>::Unit;

fn profile(s: &Stmt) -> Result<Arc<Profile>, crate::error::Error> {
    Ok(s.conn.session()?.profile().clone())
}

/// Pattern (or identifier, with SQL_ATTR_METADATA_ID) arguments.
unsafe fn arg<E: Enc>(s: &Stmt, p: *const U<E>, len: i16) -> Arg {
    Arg::new(input::<E>(p, len as Len), lock(&s.state).metadata_id)
}

macro_rules! pair {
    ($a:ident, $w:ident, $body:ident, ($($p:ident : $t:ident),*)) => {
        /// # Safety
        /// Strings as the ODBC spec gives them.
        #[no_mangle]
        pub unsafe extern "C" fn $a(h: Handle, $($p: pair!(@ty Char, $t)),*) -> RetCode {
            $body::<A>(h, $($p),*)
        }
        /// # Safety
        /// Strings as the ODBC spec gives them.
        #[no_mangle]
        pub unsafe extern "C" fn $w(h: Handle, $($p: pair!(@ty WChar, $t)),*) -> RetCode {
            $body::<W>(h, $($p),*)
        }
    };
    (@ty $u:ty, s) => { *const $u };
    (@ty $u:ty, n) => { i16 };
    (@ty $u:ty, w) => { u16 };
}

unsafe fn tables<E: Enc>(
    h: Handle,
    c: *const U<E>,
    cl: i16,
    s: *const U<E>,
    sl: i16,
    t: *const U<E>,
    tl: i16,
    ty: *const U<E>,
    tyl: i16,
) -> RetCode {
    with_stmt(h, |st| {
        let p = profile(st)?;
        // Enumeration calls compare with "%" exactly, so no identifier mode.
        let raw = |x: *const U<E>, l: i16| Arg::new(input::<E>(x, l as Len), false);
        let (cols, rows) = catalog::tables(
            &p,
            &raw(c, cl),
            &raw(s, sl),
            &arg::<E>(st, t, tl),
            input::<E>(ty, tyl as Len).as_deref(),
        );
        st.set_rows(cols, rows)
    })
}
pair!(SQLTables, SQLTablesW, tables, (c: s, cl: n, s: s, sl: n, t: s, tl: n, ty: s, tyl: n));

unsafe fn columns<E: Enc>(
    h: Handle,
    c: *const U<E>,
    cl: i16,
    s: *const U<E>,
    sl: i16,
    t: *const U<E>,
    tl: i16,
    col: *const U<E>,
    coll: i16,
) -> RetCode {
    with_stmt(h, |st| {
        let p = profile(st)?;
        let odbc2 = st.conn.env.is_odbc2();
        let (cols, rows) = catalog::columns(
            &p,
            &arg::<E>(st, c, cl),
            &arg::<E>(st, s, sl),
            &arg::<E>(st, t, tl),
            &arg::<E>(st, col, coll),
            odbc2,
        );
        st.set_rows(cols, rows)
    })
}
pair!(SQLColumns, SQLColumnsW, columns, (c: s, cl: n, s: s, sl: n, t: s, tl: n, col: s, coll: n));

unsafe fn primary_keys<E: Enc>(
    h: Handle,
    c: *const U<E>,
    cl: i16,
    s: *const U<E>,
    sl: i16,
    t: *const U<E>,
    tl: i16,
) -> RetCode {
    with_stmt(h, |st| {
        let p = profile(st)?;
        // Primary keys take identifiers, never patterns.
        let id = |x: *const U<E>, l: i16| Arg::new(input::<E>(x, l as Len), true);
        let (cols, rows) = catalog::primary_keys(&p, &id(c, cl), &id(s, sl), &id(t, tl));
        st.set_rows(cols, rows)
    })
}
pair!(SQLPrimaryKeys, SQLPrimaryKeysW, primary_keys, (c: s, cl: n, s: s, sl: n, t: s, tl: n));

#[allow(clippy::too_many_arguments)]
unsafe fn foreign_keys<E: Enc>(
    h: Handle,
    _pc: *const U<E>,
    _pcl: i16,
    ps: *const U<E>,
    psl: i16,
    pt: *const U<E>,
    ptl: i16,
    _fc: *const U<E>,
    _fcl: i16,
    fs: *const U<E>,
    fsl: i16,
    ft: *const U<E>,
    ftl: i16,
) -> RetCode {
    with_stmt(h, |st| {
        let p = profile(st)?;
        let id = |x: *const U<E>, l: i16| Arg::new(input::<E>(x, l as Len), true);
        let schema_ok = [id(ps, psl), id(fs, fsl)].iter().all(|a| {
            a.value
                .as_deref()
                .map(|v| v.is_empty() || a.matches(&p.schema))
                .unwrap_or(true)
        });
        let (cols, rows) = catalog::foreign_keys(&p, &id(pt, ptl), &id(ft, ftl), schema_ok);
        st.set_rows(cols, rows)
    })
}
pair!(SQLForeignKeys, SQLForeignKeysW, foreign_keys, (pc: s, pcl: n, ps: s, psl: n, pt: s, ptl: n, fc: s, fcl: n, fs: s, fsl: n, ft: s, ftl: n));

#[allow(clippy::too_many_arguments)]
unsafe fn statistics<E: Enc>(
    h: Handle,
    c: *const U<E>,
    cl: i16,
    s: *const U<E>,
    sl: i16,
    t: *const U<E>,
    tl: i16,
    _unique: u16,
    _reserved: u16,
) -> RetCode {
    with_stmt(h, |st| {
        let p = profile(st)?;
        let id = |x: *const U<E>, l: i16| Arg::new(input::<E>(x, l as Len), true);
        let (cols, rows) = catalog::statistics(&p, &id(c, cl), &id(s, sl), &id(t, tl));
        st.set_rows(cols, rows)
    })
}
pair!(SQLStatistics, SQLStatisticsW, statistics, (c: s, cl: n, s: s, sl: n, t: s, tl: n, unique: w, reserved: w));

#[allow(clippy::too_many_arguments)]
unsafe fn special_columns<E: Enc>(
    h: Handle,
    id_type: u16,
    _c: *const U<E>,
    _cl: i16,
    _s: *const U<E>,
    _sl: i16,
    t: *const U<E>,
    tl: i16,
    _scope: u16,
    _nullable: u16,
) -> RetCode {
    with_stmt(h, |st| {
        let p = profile(st)?;
        let (cols, rows) =
            catalog::special_columns(&p, id_type, &Arg::new(input::<E>(t, tl as Len), true));
        st.set_rows(cols, rows)
    })
}
pair!(SQLSpecialColumns, SQLSpecialColumnsW, special_columns, (id_type: w, c: s, cl: n, s: s, sl: n, t: s, tl: n, scope: w, nullable: w));

unsafe fn procedures<E: Enc>(
    h: Handle,
    c: *const U<E>,
    cl: i16,
    s: *const U<E>,
    sl: i16,
    p: *const U<E>,
    pl: i16,
) -> RetCode {
    with_stmt(h, |st| {
        let pr = profile(st)?;
        let (cols, rows) = catalog::procedures(
            &pr,
            &arg::<E>(st, c, cl),
            &arg::<E>(st, s, sl),
            &arg::<E>(st, p, pl),
        );
        st.set_rows(cols, rows)
    })
}
pair!(SQLProcedures, SQLProceduresW, procedures, (c: s, cl: n, s: s, sl: n, p: s, pl: n));

#[allow(clippy::too_many_arguments)]
unsafe fn procedure_columns<E: Enc>(
    h: Handle,
    c: *const U<E>,
    cl: i16,
    s: *const U<E>,
    sl: i16,
    p: *const U<E>,
    pl: i16,
    col: *const U<E>,
    coll: i16,
) -> RetCode {
    with_stmt(h, |st| {
        let pr = profile(st)?;
        let (cols, rows) = catalog::procedure_columns(
            &pr,
            &arg::<E>(st, c, cl),
            &arg::<E>(st, s, sl),
            &arg::<E>(st, p, pl),
            &arg::<E>(st, col, coll),
        );
        st.set_rows(cols, rows)
    })
}
pair!(SQLProcedureColumns, SQLProcedureColumnsW, procedure_columns, (c: s, cl: n, s: s, sl: n, p: s, pl: n, col: s, coll: n));

unsafe fn table_privileges<E: Enc>(
    h: Handle,
    c: *const U<E>,
    cl: i16,
    s: *const U<E>,
    sl: i16,
    t: *const U<E>,
    tl: i16,
) -> RetCode {
    with_stmt(h, |st| {
        let p = profile(st)?;
        let (cols, rows) = catalog::table_privileges(
            &p,
            &arg::<E>(st, c, cl),
            &arg::<E>(st, s, sl),
            &arg::<E>(st, t, tl),
        );
        st.set_rows(cols, rows)
    })
}
pair!(SQLTablePrivileges, SQLTablePrivilegesW, table_privileges, (c: s, cl: n, s: s, sl: n, t: s, tl: n));

#[allow(clippy::too_many_arguments)]
unsafe fn column_privileges<E: Enc>(
    h: Handle,
    c: *const U<E>,
    cl: i16,
    s: *const U<E>,
    sl: i16,
    t: *const U<E>,
    tl: i16,
    col: *const U<E>,
    coll: i16,
) -> RetCode {
    with_stmt(h, |st| {
        let p = profile(st)?;
        let id = |x: *const U<E>, l: i16| Arg::new(input::<E>(x, l as Len), true);
        let (cols, rows) = catalog::column_privileges(
            &p,
            &id(c, cl),
            &id(s, sl),
            &id(t, tl),
            &arg::<E>(st, col, coll),
        );
        st.set_rows(cols, rows)
    })
}
pair!(SQLColumnPrivileges, SQLColumnPrivilegesW, column_privileges, (c: s, cl: n, s: s, sl: n, t: s, tl: n, col: s, coll: n));

fn type_info(h: Handle, data_type: i16) -> RetCode {
    with_stmt(h, |st| {
        let (cols, rows) = catalog::type_info(data_type, st.conn.env.is_odbc2());
        st.set_rows(cols, rows)
    })
}

#[no_mangle]
pub extern "C" fn SQLGetTypeInfo(h: Handle, data_type: i16) -> RetCode {
    type_info(h, data_type)
}

#[no_mangle]
pub extern "C" fn SQLGetTypeInfoW(h: Handle, data_type: i16) -> RetCode {
    type_info(h, data_type)
}
