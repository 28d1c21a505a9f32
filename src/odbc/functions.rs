//! The functions this driver exports, as data. SQLGetFunctions answers from
//! this list and a test checks it against the library's dynamic symbols, so
//! the DM never disables a function we have nor calls one we lack.

use super::sqlext::*;

// Function ids sqlext.rs does not define yet (sqlext.h values).
pub const SQL_API_SQLDESCRIBEPARAM: u16 = 58;
pub const SQL_API_SQLPARAMDATA: u16 = 48;
pub const SQL_API_SQLPUTDATA: u16 = 49;
pub const SQL_API_SQLEXTENDEDFETCH: u16 = 59;
pub const SQL_API_SQLSETPOS: u16 = 68;
pub const SQL_API_SQLGETCURSORNAME: u16 = 17;
pub const SQL_API_SQLSETCURSORNAME: u16 = 21;

/// Whether SQLConnectW and SQLDriverConnectW are exported: only in the
/// iODBC build. Under unixODBC their presence makes the driver manager
/// convert every ANSI call's text through the locale (docs/unicode.md).
const WIDE_CONNECT: bool = cfg!(feature = "iodbc");

/// (SQL_API_* id, name without the W suffix, has a W form)
pub const EXPORTED: &[(u16, &str, bool)] = &[
    (SQL_API_SQLALLOCHANDLE, "SQLAllocHandle", false),
    (SQL_API_SQLBINDPARAMETER, "SQLBindParameter", false),
    (SQL_API_SQLBINDCOL, "SQLBindCol", false),
    (SQL_API_SQLCANCEL, "SQLCancel", false),
    (SQL_API_SQLCLOSECURSOR, "SQLCloseCursor", false),
    (SQL_API_SQLCOLATTRIBUTE, "SQLColAttribute", true),
    (SQL_API_SQLCOLUMNPRIVILEGES, "SQLColumnPrivileges", true),
    (SQL_API_SQLCOLUMNS, "SQLColumns", true),
    (SQL_API_SQLCONNECT, "SQLConnect", WIDE_CONNECT),
    (SQL_API_SQLCOPYDESC, "SQLCopyDesc", false),
    (SQL_API_SQLDESCRIBECOL, "SQLDescribeCol", true),
    (SQL_API_SQLDESCRIBEPARAM, "SQLDescribeParam", false),
    (SQL_API_SQLDISCONNECT, "SQLDisconnect", false),
    (SQL_API_SQLDRIVERCONNECT, "SQLDriverConnect", WIDE_CONNECT),
    (SQL_API_SQLENDTRAN, "SQLEndTran", false),
    (SQL_API_SQLEXECDIRECT, "SQLExecDirect", true),
    (SQL_API_SQLEXECUTE, "SQLExecute", false),
    (SQL_API_SQLEXTENDEDFETCH, "SQLExtendedFetch", false),
    (SQL_API_SQLFETCH, "SQLFetch", false),
    (SQL_API_SQLFETCHSCROLL, "SQLFetchScroll", false),
    (SQL_API_SQLFOREIGNKEYS, "SQLForeignKeys", true),
    (SQL_API_SQLFREEHANDLE, "SQLFreeHandle", false),
    (SQL_API_SQLFREESTMT, "SQLFreeStmt", false),
    (SQL_API_SQLGETCONNECTATTR, "SQLGetConnectAttr", true),
    (SQL_API_SQLGETCURSORNAME, "SQLGetCursorName", true),
    (SQL_API_SQLGETDATA, "SQLGetData", false),
    (SQL_API_SQLGETDESCFIELD, "SQLGetDescField", true),
    (SQL_API_SQLGETDESCREC, "SQLGetDescRec", true),
    (SQL_API_SQLGETDIAGFIELD, "SQLGetDiagField", true),
    (SQL_API_SQLGETDIAGREC, "SQLGetDiagRec", true),
    (SQL_API_SQLGETENVATTR, "SQLGetEnvAttr", false),
    (SQL_API_SQLGETFUNCTIONS, "SQLGetFunctions", false),
    (SQL_API_SQLGETINFO, "SQLGetInfo", true),
    (SQL_API_SQLGETSTMTATTR, "SQLGetStmtAttr", true),
    (SQL_API_SQLGETTYPEINFO, "SQLGetTypeInfo", true),
    (SQL_API_SQLMORERESULTS, "SQLMoreResults", false),
    (SQL_API_SQLNATIVESQL, "SQLNativeSql", true),
    (SQL_API_SQLNUMPARAMS, "SQLNumParams", false),
    (SQL_API_SQLNUMRESULTCOLS, "SQLNumResultCols", false),
    (SQL_API_SQLPARAMDATA, "SQLParamData", false),
    (SQL_API_SQLPREPARE, "SQLPrepare", true),
    (SQL_API_SQLPRIMARYKEYS, "SQLPrimaryKeys", true),
    (SQL_API_SQLPROCEDURECOLUMNS, "SQLProcedureColumns", true),
    (SQL_API_SQLPROCEDURES, "SQLProcedures", true),
    (SQL_API_SQLPUTDATA, "SQLPutData", false),
    (SQL_API_SQLROWCOUNT, "SQLRowCount", false),
    (SQL_API_SQLSETCONNECTATTR, "SQLSetConnectAttr", true),
    (SQL_API_SQLSETCURSORNAME, "SQLSetCursorName", true),
    (SQL_API_SQLSETDESCFIELD, "SQLSetDescField", true),
    (SQL_API_SQLSETDESCREC, "SQLSetDescRec", false),
    (SQL_API_SQLSETENVATTR, "SQLSetEnvAttr", false),
    (SQL_API_SQLSETPOS, "SQLSetPos", false),
    (SQL_API_SQLSETSTMTATTR, "SQLSetStmtAttr", true),
    (SQL_API_SQLSPECIALCOLUMNS, "SQLSpecialColumns", true),
    (SQL_API_SQLSTATISTICS, "SQLStatistics", true),
    (SQL_API_SQLTABLEPRIVILEGES, "SQLTablePrivileges", true),
    (SQL_API_SQLTABLES, "SQLTables", true),
];

/// Every exported symbol name (A and W forms).
pub fn symbol_names() -> Vec<String> {
    let mut v = Vec::new();
    for (_, name, w) in EXPORTED {
        v.push(name.to_string());
        if *w {
            v.push(format!("{name}W"));
        }
    }
    v.sort();
    v
}

pub fn supported(id: u16) -> bool {
    EXPORTED.iter().any(|(i, _, _)| *i == id)
}

/// SQL_API_ODBC3_ALL_FUNCTIONS: 250 words, bit (id & 15) of word (id >> 4).
pub fn odbc3_bitmap() -> [u16; 250] {
    let mut m = [0u16; 250];
    for (id, _, _) in EXPORTED {
        m[(*id >> 4) as usize] |= 1 << (*id & 15);
    }
    m
}

/// SQL_API_ALL_FUNCTIONS (ODBC 2): 100 booleans for ids below 100.
pub fn odbc2_array() -> [u16; 100] {
    let mut m = [0u16; 100];
    for (id, _, _) in EXPORTED {
        if *id < 100 {
            m[*id as usize] = 1;
        }
    }
    m
}
