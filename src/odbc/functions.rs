//! The functions this driver exports, as data. SQLGetFunctions answers from
//! this list and a test checks it against the library's dynamic symbols, so
//! the DM never disables a function we have nor calls one we lack.

/// (SQL_API_* id, name without the W suffix, has a W form)
pub const EXPORTED: &[(u16, &str, bool)] = &[
    (1001, "SQLAllocHandle", false),
    (72, "SQLBindParameter", false),
    (4, "SQLBindCol", false),
    (5, "SQLCancel", false),
    (1003, "SQLCloseCursor", false),
    (6, "SQLColAttribute", true),
    (56, "SQLColumnPrivileges", true),
    (40, "SQLColumns", true),
    (7, "SQLConnect", true),
    (8, "SQLDescribeCol", true),
    (9, "SQLDisconnect", false),
    (41, "SQLDriverConnect", true),
    (1005, "SQLEndTran", false),
    (11, "SQLExecDirect", true),
    (12, "SQLExecute", false),
    (13, "SQLFetch", false),
    (1021, "SQLFetchScroll", false),
    (60, "SQLForeignKeys", true),
    (1006, "SQLFreeHandle", false),
    (16, "SQLFreeStmt", false),
    (1007, "SQLGetConnectAttr", true),
    (43, "SQLGetData", false),
    (1010, "SQLGetDiagField", true),
    (1011, "SQLGetDiagRec", true),
    (1012, "SQLGetEnvAttr", false),
    (44, "SQLGetFunctions", false),
    (45, "SQLGetInfo", true),
    (1014, "SQLGetStmtAttr", true),
    (47, "SQLGetTypeInfo", true),
    (61, "SQLMoreResults", false),
    (62, "SQLNativeSql", true),
    (63, "SQLNumParams", false),
    (18, "SQLNumResultCols", false),
    (19, "SQLPrepare", true),
    (65, "SQLPrimaryKeys", true),
    (66, "SQLProcedureColumns", true),
    (67, "SQLProcedures", true),
    (20, "SQLRowCount", false),
    (1016, "SQLSetConnectAttr", true),
    (1019, "SQLSetEnvAttr", false),
    (1020, "SQLSetStmtAttr", true),
    (52, "SQLSpecialColumns", true),
    (53, "SQLStatistics", true),
    (70, "SQLTablePrivileges", true),
    (54, "SQLTables", true),
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
