//! SQLGetInfo answers as data: one row per info type (sqlext.h numbers),
//! with the width the spec gives the answer.

#[derive(Debug, Clone, PartialEq)]
pub enum Info {
    Str(&'static str),
    /// An answer that depends on the connection (data source name, user).
    Text(String),
    U16(u16),
    U32(u32),
}

use Info::*;

// Scalar-function bitmaps: the {fn} names the escape rewriter maps.
const SQL_FN_STR: u32 = 0x1 /*CONCAT*/ | 0x8 /*LTRIM*/ | 0x10 /*LENGTH*/ | 0x40 /*LCASE*/ | 0x100 /*REPLACE*/ | 0x400 /*RTRIM*/ | 0x800 /*SUBSTRING*/ | 0x1000 /*UCASE*/;
const SQL_FN_NUM: u32 = 0x1 /*ABS*/ | 0x20 /*CEILING*/ | 0x200 /*FLOOR*/ | 0x800 /*MOD*/ | 0x10000 /*PI*/ | 0x400000 /*ROUND*/;
const SQL_FN_TD: u32 = 0x1 /*NOW*/ | 0x2 /*CURDATE*/ | 0x200 /*CURTIME*/;
const SQL_FN_SYS: u32 = 0x1 /*USERNAME*/ | 0x2 /*DBNAME*/ | 0x4 /*IFNULL*/;

/// Every info type from sqlext.h that a driver answers (the DM answers
/// 3, 4, 5, 135 and 171 itself). None means HY096.
pub fn get(info_type: u16) -> Option<Info> {
    Some(match info_type {
        0 => U16(0),                       // MAX_DRIVER_CONNECTIONS: no limit
        1 => U16(0),                       // MAX_CONCURRENT_ACTIVITIES: no limit (statements of one connection interleave)
        2 => Str(""),                      // DATA_SOURCE_NAME (the connection fills it in)
        6 => Str("libjumpseller_odbc.so"), // DRIVER_NAME
        7 => Str("00.01.0000"),            // DRIVER_VER
        8 => U32(0x1),                     // FETCH_DIRECTION: NEXT
        9 => U16(1),                       // ODBC_API_CONFORMANCE: level 1
        10 => Str("03.80.0000"),           // ODBC_VER
        11 => Str("N"),                    // ROW_UPDATES
        12 => U16(1),                      // ODBC_SAG_CLI_CONFORMANCE: compliant
        13 => Str("Jumpseller"),           // SERVER_NAME
        14 => Str("\\"),                   // SEARCH_PATTERN_ESCAPE
        15 => U16(1),                      // ODBC_SQL_CONFORMANCE: core
        16 => Str(""),                     // DATABASE_NAME
        17 => Str("Jumpseller"),           // DBMS_NAME
        18 => Str("01.00.0000"),           // DBMS_VER (API v1)
        19 => Str("Y"),                    // ACCESSIBLE_TABLES
        20 => Str("Y"),                    // ACCESSIBLE_PROCEDURES
        21 => Str("N"),                    // PROCEDURES
        22 => U16(0),                      // CONCAT_NULL_BEHAVIOR: SQL_CB_NULL
        23 => U16(1),                      // CURSOR_COMMIT_BEHAVIOR: close
        24 => U16(1),                      // CURSOR_ROLLBACK_BEHAVIOR: close
        25 => Str("Y"),                    // DATA_SOURCE_READ_ONLY
        26 => U32(0),                      // DEFAULT_TXN_ISOLATION: none
        27 => Str("Y"),                    // EXPRESSIONS_IN_ORDERBY
        28 => U16(4),                      // IDENTIFIER_CASE: mixed, case-insensitive
        29 => Str("\""),                   // IDENTIFIER_QUOTE_CHAR
        30 => U16(128),                    // MAX_COLUMN_NAME_LEN
        31 => U16(0),                      // MAX_CURSOR_NAME_LEN
        32 => U16(128),                    // MAX_SCHEMA_NAME_LEN
        33 => U16(128),                    // MAX_PROCEDURE_NAME_LEN
        34 => U16(0),                      // MAX_CATALOG_NAME_LEN: no catalogs
        35 => U16(128),                    // MAX_TABLE_NAME_LEN
        36 => Str("N"),                    // MULT_RESULT_SETS
        37 => Str("N"),                    // MULTIPLE_ACTIVE_TXN
        38 => Str("Y"),                    // OUTER_JOINS
        39 => Str("schema"),               // SCHEMA_TERM
        40 => Str("procedure"),            // PROCEDURE_TERM
        41 => Str(""),                     // CATALOG_NAME_SEPARATOR
        42 => Str(""),                     // CATALOG_TERM
        43 => U32(0x1),                    // SCROLL_CONCURRENCY: read only
        44 => U32(0x1),                    // SCROLL_OPTIONS: forward only
        45 => Str("table"),                // TABLE_TERM
        46 => U16(0),                      // TXN_CAPABLE: SQL_TC_NONE
        47 => Str(""),                     // USER_NAME
        48 => U32(0x2),                    // CONVERT_FUNCTIONS: CAST
        49 => U32(SQL_FN_NUM),             // NUMERIC_FUNCTIONS
        50 => U32(SQL_FN_STR),             // STRING_FUNCTIONS
        51 => U32(SQL_FN_SYS),             // SYSTEM_FUNCTIONS
        52 => U32(SQL_FN_TD),              // TIMEDATE_FUNCTIONS
        53..=71 => U32(0),                 // CONVERT_<type>: no CONVERT()
        72 => U32(0),                      // TXN_ISOLATION_OPTION
        73 => Str("N"),                    // INTEGRITY
        74 => U16(2),                      // CORRELATION_NAME: SQL_CN_ANY
        75 => U16(1),                      // NON_NULLABLE_COLUMNS: SQL_NNC_NON_NULL
        77 => Str("03.80"),                // DRIVER_ODBC_VER
        78 => U32(0),                      // LOCK_TYPES
        79 => U32(0),                      // POS_OPERATIONS
        80 => U32(0),                      // POSITIONED_STATEMENTS
        81 => U32(0x1 | 0x2 | 0x8),        // GETDATA_EXTENSIONS: any column, any order, bound
        82 => U32(0),                      // BOOKMARK_PERSISTENCE
        83 => U32(0),                      // STATIC_SENSITIVITY
        84 => U16(0),                      // FILE_USAGE: not a file driver
        85 => U16(1),                      // NULL_COLLATION: SQL_NC_LOW
        86 => U32(0),                      // ALTER_TABLE
        87 => Str("Y"),                    // COLUMN_ALIAS
        88 => U16(2),                      // GROUP_BY: SQL_GB_GROUP_BY_CONTAINS_SELECT
        89 => Str("ABORT,ANALYZE,ATTACH,AUTOINCREMENT,CONFLICT,DETACH,EXCLUSIVE,EXPLAIN,FAIL,GLOB,IF,IGNORE,INDEXED,INSTEAD,ISNULL,LIMIT,NOTNULL,OFFSET,PLAN,PRAGMA,QUERY,RAISE,RECURSIVE,REGEXP,REINDEX,RENAME,REPLACE,ROW,TEMP,VACUUM,VIRTUAL,WITHOUT"),
        90 => Str("N"),                    // ORDER_BY_COLUMNS_IN_SELECT
        91 => U32(0x1),                    // SCHEMA_USAGE: DML statements
        92 => U32(0),                      // CATALOG_USAGE
        93 => U16(4),                      // QUOTED_IDENTIFIER_CASE: mixed
        94 => Str(""),                     // SPECIAL_CHARACTERS
        95 => U32(0x1 | 0x2 | 0x4 | 0x8 | 0x10), // SUBQUERIES: comparison, EXISTS, IN, quantified, correlated
        96 => U32(0x1 | 0x2),              // UNION: UNION, UNION ALL
        97..=101 => U16(0),                // MAX_COLUMNS_IN_*: no limit
        102 => U32(0),                     // MAX_INDEX_SIZE
        103 => Str("Y"),                   // MAX_ROW_SIZE_INCLUDES_LONG
        104 => U32(0),                     // MAX_ROW_SIZE
        105 => U32(0),                     // MAX_STATEMENT_LEN
        106 => U16(0),                     // MAX_TABLES_IN_SELECT
        107 => U16(0),                     // MAX_USER_NAME_LEN
        108 => U32(0),                     // MAX_CHAR_LITERAL_LEN
        109 => U32(0),                     // TIMEDATE_ADD_INTERVALS
        110 => U32(0),                     // TIMEDATE_DIFF_INTERVALS
        111 => Str("N"),                   // NEED_LONG_DATA_LEN
        112 => U32(0),                     // MAX_BINARY_LITERAL_LEN
        113 => Str("Y"),                   // LIKE_ESCAPE_CLAUSE
        114 => U16(0),                     // CATALOG_LOCATION
        115 => U32(0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40), // OJ_CAPABILITIES: left, right, full, nested, not ordered, inner, all ops
        116 => U16(0),                     // ACTIVE_ENVIRONMENTS
        117 => U32(0),                     // ALTER_DOMAIN
        118 => U32(0x1),                   // SQL_CONFORMANCE: SQL-92 entry
        119 => U32(0x1 | 0x2 | 0x4),       // DATETIME_LITERALS: date, time, timestamp
        120 => U32(0x2),                   // BATCH_ROW_COUNT
        121 => U32(0),                     // BATCH_SUPPORT
        122..=126 => U32(0),               // CONVERT_WCHAR, intervals, WLONGVARCHAR, WVARCHAR
        127..=134 => U32(0),               // CREATE_* statements
        136..=143 => U32(0),               // DROP_* statements
        144 | 145 => U32(0),               // DYNAMIC_CURSOR_ATTRIBUTES1/2
        146 => U32(0x1),                   // FORWARD_ONLY_CURSOR_ATTRIBUTES1: NEXT
        147 => U32(0x1 | 0x40),            // FORWARD_ONLY_CURSOR_ATTRIBUTES2: read only, max rows... (SQL_CA2_READ_ONLY_CONCURRENCY | SQL_CA2_MAX_ROWS_SELECT)
        148 => U32(0),                     // INDEX_KEYWORDS
        149 => U32(0),                     // INFO_SCHEMA_VIEWS
        150 | 151 => U32(0),               // KEYSET_CURSOR_ATTRIBUTES1/2
        152 => U32(1),                     // ODBC_INTERFACE_CONFORMANCE: core
        153 => U32(0x2),                   // PARAM_ARRAY_ROW_COUNTS: no batch
        154 => U32(0x3),                   // PARAM_ARRAY_SELECTS: no select
        155 => U32(0x1 | 0x2 | 0x4),       // SQL92_DATETIME_FUNCTIONS: current date/time/timestamp
        156 | 157 => U32(0),               // SQL92_FOREIGN_KEY_DELETE/UPDATE_RULE
        158 => U32(0),                     // SQL92_GRANT
        159 => U32(0),                     // SQL92_NUMERIC_VALUE_FUNCTIONS
        160 => U32(0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x1000 | 0x2000), // SQL92_PREDICATES
        161 => U32(0x1 | 0x2 | 0x4 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200), // SQL92_RELATIONAL_JOIN_OPERATORS
        162 => U32(0),                     // SQL92_REVOKE
        163 => U32(0x1 | 0x2 | 0x4),       // SQL92_ROW_VALUE_CONSTRUCTOR
        164 => U32(0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80), // SQL92_STRING_FUNCTIONS
        165 => U32(0x1 | 0x2 | 0x4 | 0x8), // SQL92_VALUE_EXPRESSIONS: CASE, CAST, COALESCE, NULLIF
        166 => U32(0x1 | 0x2),             // STANDARD_CLI_CONFORMANCE
        167 | 168 => U32(0),               // STATIC_CURSOR_ATTRIBUTES1/2
        169 => U32(0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40), // AGGREGATE_FUNCTIONS: all, avg, count, distinct, max, min, sum
        170 => U32(0),                     // DDL_INDEX
        172 => U32(0),                     // INSERT_STATEMENT
        173 => U32(0),                     // CONVERT_GUID
        180 => U32(0),                     // RETURN_ESCAPE_CLAUSE
        1750 => U32(0),                    // DTC_TRANSITION_COST
        10000 => Str("1995"),              // XOPEN_CLI_YEAR
        10001 => U32(0),                   // CURSOR_SENSITIVITY: unspecified
        10002 => Str("N"),                 // DESCRIBE_PARAMETER
        10003 => Str("N"),                 // CATALOG_NAME
        10004 => Str(""),                  // COLLATION_SEQ
        10005 => U16(128),                 // MAX_IDENTIFIER_LEN
        10021 => U32(0),                   // ASYNC_MODE: none
        10022 => U32(0),                   // MAX_ASYNC_CONCURRENT_STATEMENTS
        10023 => U32(0),                   // ASYNC_DBC_FUNCTIONS
        10024 => U32(0),                   // DRIVER_AWARE_POOLING_SUPPORTED
        10025 => U32(0),                   // ASYNC_NOTIFICATION
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn clients_questions_have_answers() {
        // pyodbc, Power BI, Tableau and isql ask these (odbc-notes §3).
        for id in [
            6u16, 7, 10, 14, 17, 18, 28, 29, 41, 42, 45, 46, 77, 81, 87, 88, 90, 94, 115, 152, 180,
            1750, 10002, 10003, 10005,
        ] {
            assert!(super::get(id).is_some(), "{id}");
        }
    }
}
