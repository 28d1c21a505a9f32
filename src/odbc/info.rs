//! SQLGetInfo answers as data: one row per information type, with the width
//! the spec gives the answer. Names come from odbc-sys's `InfoType` where it
//! has them, else from `sqlext` (as sqlext.h spells them).

use super::sqlext::*;
use odbc_sys::InfoType as I;

#[derive(Debug, Clone, PartialEq)]
pub enum Info {
    Str(&'static str),
    /// An answer that depends on the connection (data source name, user).
    Text(String),
    U16(u16),
    U32(u32),
}

use Info::*;

/// An empty bitmask, or "no limit" for a SQL_MAX_* answer.
const NONE: u32 = 0;
const NO_LIMIT: u16 = 0;

// Scalar-function bitmaps: the {fn} escapes the rewriter handles (escapes.rs,
// functions.rs). Every bit set here is run by tests/getinfo_claims.rs.
const STRING_FUNCTIONS: u32 = SQL_FN_STR_ASCII
    | SQL_FN_STR_BIT_LENGTH
    | SQL_FN_STR_CHAR
    | SQL_FN_STR_CHAR_LENGTH
    | SQL_FN_STR_CHARACTER_LENGTH
    | SQL_FN_STR_CONCAT
    | SQL_FN_STR_DIFFERENCE
    | SQL_FN_STR_INSERT
    | SQL_FN_STR_LCASE
    | SQL_FN_STR_LEFT
    | SQL_FN_STR_LENGTH
    | SQL_FN_STR_LOCATE
    | SQL_FN_STR_LOCATE_2
    | SQL_FN_STR_LTRIM
    | SQL_FN_STR_OCTET_LENGTH
    | SQL_FN_STR_POSITION
    | SQL_FN_STR_REPEAT
    | SQL_FN_STR_REPLACE
    | SQL_FN_STR_RIGHT
    | SQL_FN_STR_RTRIM
    | SQL_FN_STR_SOUNDEX
    | SQL_FN_STR_SPACE
    | SQL_FN_STR_SUBSTRING
    | SQL_FN_STR_UCASE;
const NUMERIC_FUNCTIONS: u32 = SQL_FN_NUM_ABS
    | SQL_FN_NUM_ACOS
    | SQL_FN_NUM_ASIN
    | SQL_FN_NUM_ATAN
    | SQL_FN_NUM_ATAN2
    | SQL_FN_NUM_CEILING
    | SQL_FN_NUM_COS
    | SQL_FN_NUM_COT
    | SQL_FN_NUM_DEGREES
    | SQL_FN_NUM_EXP
    | SQL_FN_NUM_FLOOR
    | SQL_FN_NUM_LOG
    | SQL_FN_NUM_LOG10
    | SQL_FN_NUM_MOD
    | SQL_FN_NUM_PI
    | SQL_FN_NUM_POWER
    | SQL_FN_NUM_RADIANS
    | SQL_FN_NUM_RAND
    | SQL_FN_NUM_ROUND
    | SQL_FN_NUM_SIGN
    | SQL_FN_NUM_SIN
    | SQL_FN_NUM_SQRT
    | SQL_FN_NUM_TAN
    | SQL_FN_NUM_TRUNCATE;
const TIMEDATE_FUNCTIONS: u32 = SQL_FN_TD_CURDATE
    | SQL_FN_TD_CURTIME
    | SQL_FN_TD_CURRENT_DATE
    | SQL_FN_TD_CURRENT_TIME
    | SQL_FN_TD_CURRENT_TIMESTAMP
    | SQL_FN_TD_DAYNAME
    | SQL_FN_TD_DAYOFMONTH
    | SQL_FN_TD_DAYOFWEEK
    | SQL_FN_TD_DAYOFYEAR
    | SQL_FN_TD_EXTRACT
    | SQL_FN_TD_HOUR
    | SQL_FN_TD_MINUTE
    | SQL_FN_TD_MONTH
    | SQL_FN_TD_MONTHNAME
    | SQL_FN_TD_NOW
    | SQL_FN_TD_QUARTER
    | SQL_FN_TD_SECOND
    | SQL_FN_TD_TIMESTAMPADD
    | SQL_FN_TD_TIMESTAMPDIFF
    | SQL_FN_TD_WEEK
    | SQL_FN_TD_YEAR;
const TIMEDATE_INTERVALS: u32 = SQL_FN_TSI_FRAC_SECOND
    | SQL_FN_TSI_SECOND
    | SQL_FN_TSI_MINUTE
    | SQL_FN_TSI_HOUR
    | SQL_FN_TSI_DAY
    | SQL_FN_TSI_WEEK
    | SQL_FN_TSI_MONTH
    | SQL_FN_TSI_QUARTER
    | SQL_FN_TSI_YEAR;
// USER() answers the connection's login, as SQL_USER_NAME does.
const SYSTEM_FUNCTIONS: u32 = SQL_FN_SYS_DBNAME | SQL_FN_SYS_IFNULL | SQL_FN_SYS_USERNAME;

const KEYWORDS: &str = "ABORT,ANALYZE,ATTACH,AUTOINCREMENT,CONFLICT,DETACH,EXCLUSIVE,EXPLAIN,FAIL,GLOB,IF,IGNORE,INDEXED,INSTEAD,ISNULL,LIMIT,NOTNULL,OFFSET,PLAN,PRAGMA,QUERY,RAISE,RECURSIVE,REGEXP,REINDEX,RENAME,REPLACE,ROW,TEMP,VACUUM,VIRTUAL,WITHOUT";

/// `InfoType` as the u16 SQLGetInfo takes.
const fn id(info: I) -> u16 {
    info as u16
}

/// Every information type a driver answers (the driver manager answers
/// SQL_ACTIVE_CONNECTIONS, SQL_ACTIVE_STATEMENTS, SQL_DRIVER_HDBC,
/// SQL_DRIVER_HDESC and SQL_DM_VER itself). Not listed means HY096.
static ANSWERS: &[(u16, Info)] = &[
    (id(I::MaxDriverConnections), U16(NO_LIMIT)),
    // Statements of one connection interleave.
    (id(I::MaxConcurrentActivities), U16(NO_LIMIT)),
    // The connection fills it in.
    (id(I::DataSourceName), Str("")),
    (id(I::DriverName), Str("libjumpseller_odbc.so")),
    (id(I::DriverVer), Str("00.01.0000")),
    // Static cursors scroll every way (tests/scroll.rs).
    (
        SQL_FETCH_DIRECTION,
        U32(SQL_FD_FETCH_NEXT
            | SQL_FD_FETCH_FIRST
            | SQL_FD_FETCH_LAST
            | SQL_FD_FETCH_PRIOR
            | SQL_FD_FETCH_ABSOLUTE
            | SQL_FD_FETCH_RELATIVE
            | SQL_FD_FETCH_BOOKMARK),
    ),
    (SQL_ODBC_API_CONFORMANCE, U16(SQL_OAC_LEVEL1)),
    (SQL_ODBC_VER, Str("03.80.0000")),
    (SQL_ROW_UPDATES, Str("N")),
    (SQL_ODBC_SAG_CLI_CONFORMANCE, U16(SQL_OSCC_COMPLIANT)),
    (id(I::ServerName), Str("Jumpseller")),
    (id(I::SearchPatternEscape), Str("\\")),
    (SQL_ODBC_SQL_CONFORMANCE, U16(SQL_OSC_CORE)),
    (SQL_DATABASE_NAME, Str("")),
    (id(I::DbmsName), Str("Jumpseller")),
    // API v1.
    (id(I::DbmsVer), Str("01.00.0000")),
    (id(I::AccessibleTables), Str("Y")),
    (id(I::AccessibleProcedures), Str("Y")),
    // The OAuth procedures (procedures.rs), as {call ...}.
    (SQL_PROCEDURES, Str("Y")),
    (id(I::ConcatNullBehavior), U16(SQL_CB_NULL)),
    // No transactions: nothing for COMMIT or ROLLBACK to close.
    (id(I::CursorCommitBehaviour), U16(SQL_CB_PRESERVE)),
    (SQL_CURSOR_ROLLBACK_BEHAVIOR, U16(SQL_CB_PRESERVE)),
    // The connection answers from ReadOnly / SQL_ATTR_ACCESS_MODE.
    (id(I::DataSourceReadOnly), Str("Y")),
    // No transactions, so no isolation levels.
    (id(I::DefaultTxnIsolation), U32(NONE)),
    (id(I::ExpressionsInOrderBy), Str("Y")),
    (id(I::IdentifierCase), U16(SQL_IC_MIXED)),
    (id(I::IdentifierQuoteChar), Str("\"")),
    (id(I::MaxColumnNameLen), U16(128)),
    (id(I::MaxCursorNameLen), U16(NO_LIMIT)),
    (id(I::MaxSchemaNameLen), U16(128)),
    (SQL_MAX_PROCEDURE_NAME_LEN, U16(128)),
    // No catalogs.
    (id(I::MaxCatalogNameLen), U16(0)),
    (id(I::MaxTableNameLen), U16(128)),
    (id(I::MultResultSets), Str("N")),
    (SQL_MULTIPLE_ACTIVE_TXN, Str("N")),
    (id(I::OuterJoins), Str("Y")),
    (id(I::SchemaTerm), Str("schema")),
    (SQL_PROCEDURE_TERM, Str("procedure")),
    (id(I::CatalogNameSeparator), Str("")),
    (id(I::CatalogTerm), Str("")),
    (SQL_SCROLL_CONCURRENCY, U32(SQL_SCCO_READ_ONLY)),
    (
        id(I::ScrollOptions),
        U32(SQL_SO_FORWARD_ONLY | SQL_SO_STATIC),
    ),
    (SQL_TABLE_TERM, Str("table")),
    (id(I::TransactionCapable), U16(SQL_TC_NONE)),
    (id(I::UserName), Str("")),
    (
        id(I::ConvertFunctions),
        U32(SQL_FN_CVT_CAST | SQL_FN_CVT_CONVERT),
    ),
    (id(I::NumericFunctions), U32(NUMERIC_FUNCTIONS)),
    (id(I::StringFunctions), U32(STRING_FUNCTIONS)),
    (id(I::SystemFunctions), U32(SYSTEM_FUNCTIONS)),
    (id(I::TimedateFunctions), U32(TIMEDATE_FUNCTIONS)),
    // SQL_CONVERT_<type> (which conversions CONVERT/CAST do) is not claimed.
    (SQL_CONVERT_BIGINT, U32(NONE)),
    (SQL_CONVERT_BINARY, U32(NONE)),
    (SQL_CONVERT_BIT, U32(NONE)),
    (SQL_CONVERT_CHAR, U32(NONE)),
    (SQL_CONVERT_DATE, U32(NONE)),
    (SQL_CONVERT_DECIMAL, U32(NONE)),
    (SQL_CONVERT_DOUBLE, U32(NONE)),
    (SQL_CONVERT_FLOAT, U32(NONE)),
    (SQL_CONVERT_INTEGER, U32(NONE)),
    (SQL_CONVERT_LONGVARCHAR, U32(NONE)),
    (SQL_CONVERT_NUMERIC, U32(NONE)),
    (SQL_CONVERT_REAL, U32(NONE)),
    (SQL_CONVERT_SMALLINT, U32(NONE)),
    (SQL_CONVERT_TIME, U32(NONE)),
    (SQL_CONVERT_TIMESTAMP, U32(NONE)),
    (SQL_CONVERT_TINYINT, U32(NONE)),
    (SQL_CONVERT_VARBINARY, U32(NONE)),
    (SQL_CONVERT_VARCHAR, U32(NONE)),
    (SQL_CONVERT_LONGVARBINARY, U32(NONE)),
    // SQL_TXN_ISOLATION_OPTION (odbc-sys's name for it).
    (id(I::TransactionIsolationProtocol), U32(NONE)),
    (id(I::Integrity), Str("N")),
    (id(I::CorrelationName), U16(SQL_CN_ANY)),
    (id(I::NonNullableColumns), U16(SQL_NNC_NON_NULL)),
    (id(I::DriverOdbcVer), Str("03.80")),
    // SQLSetPos on a static cursor: SQL_POSITION and SQL_REFRESH.
    (SQL_LOCK_TYPES, U32(SQL_LCK_NO_CHANGE)),
    (SQL_POS_OPERATIONS, U32(SQL_POS_POSITION | SQL_POS_REFRESH)),
    (SQL_POSITIONED_STATEMENTS, U32(NONE)),
    (
        id(I::GetDataExtensions),
        U32(SQL_GD_ANY_COLUMN | SQL_GD_ANY_ORDER | SQL_GD_BOUND),
    ),
    // A bookmark is a row number of the static result: valid while the
    // cursor scrolls, gone when it closes.
    (SQL_BOOKMARK_PERSISTENCE, U32(SQL_BP_SCROLL)),
    (SQL_STATIC_SENSITIVITY, U32(NONE)),
    (id(I::SqlFileUsage), U16(SQL_FILE_NOT_SUPPORTED)),
    (id(I::NullCollation), U16(SQL_NC_LOW)),
    (id(I::AlterTable), U32(NONE)),
    (id(I::ColumnAlias), Str("Y")),
    (id(I::GroupBy), U16(SQL_GB_GROUP_BY_CONTAINS_SELECT)),
    (SQL_KEYWORDS, Str(KEYWORDS)),
    (id(I::OrderByColumnsInSelect), Str("N")),
    (id(I::SchemaUsage), U32(SQL_SU_DML_STATEMENTS)),
    (id(I::CatalogUsage), U32(NONE)),
    (id(I::SqlQuotedIdentifierCase), U16(SQL_IC_MIXED)),
    (id(I::SpecialCharacters), Str("")),
    (
        id(I::Subqueries),
        U32(SQL_SQ_COMPARISON | SQL_SQ_EXISTS | SQL_SQ_IN | SQL_SQ_CORRELATED_SUBQUERIES),
    ),
    (id(I::UnionStatement), U32(SQL_U_UNION | SQL_U_UNION_ALL)),
    (id(I::MaxColumnsInGroupBy), U16(NO_LIMIT)),
    (id(I::MaxColumnsInIndex), U16(NO_LIMIT)),
    (id(I::MaxColumnsInOrderBy), U16(NO_LIMIT)),
    (id(I::MaxColumnsInSelect), U16(NO_LIMIT)),
    (id(I::MaxColumnsInTable), U16(NO_LIMIT)),
    (id(I::MaxIndexSize), U32(NONE)),
    (id(I::MaxRowSizeIncludesLong), Str("Y")),
    (id(I::MaxRowSize), U32(NONE)),
    (id(I::MaxStatementLen), U32(NONE)),
    (id(I::MaxTablesInSelect), U16(NO_LIMIT)),
    (id(I::MaxUserNameLen), U16(NO_LIMIT)),
    (SQL_MAX_CHAR_LITERAL_LEN, U32(NONE)),
    (id(I::TimedateAddIntervals), U32(TIMEDATE_INTERVALS)),
    (id(I::TimedateDiffIntervals), U32(TIMEDATE_INTERVALS)),
    (id(I::NeedLongDataLen), Str("N")),
    (SQL_MAX_BINARY_LITERAL_LEN, U32(NONE)),
    (id(I::LikeEscapeClause), Str("Y")),
    // No catalogs.
    (id(I::CatalogLocation), U16(0)),
    (
        id(I::OuterJoinCapabilities),
        U32(SQL_OJ_LEFT
            | SQL_OJ_RIGHT
            | SQL_OJ_FULL
            | SQL_OJ_NESTED
            | SQL_OJ_NOT_ORDERED
            | SQL_OJ_INNER
            | SQL_OJ_ALL_COMPARISON_OPS),
    ),
    (id(I::ActiveEnvironments), U16(NO_LIMIT)),
    (SQL_ALTER_DOMAIN, U32(NONE)),
    (id(I::SqlConformance), U32(SQL_SC_SQL92_ENTRY)),
    (
        SQL_DATETIME_LITERALS,
        U32(SQL_DL_SQL92_DATE | SQL_DL_SQL92_TIME | SQL_DL_SQL92_TIMESTAMP),
    ),
    (id(I::BatchRowCount), U32(SQL_BRC_EXPLICIT)),
    (id(I::BatchSupport), U32(NONE)),
    (SQL_CONVERT_WCHAR, U32(NONE)),
    (SQL_CONVERT_INTERVAL_DAY_TIME, U32(NONE)),
    (SQL_CONVERT_INTERVAL_YEAR_MONTH, U32(NONE)),
    (SQL_CONVERT_WLONGVARCHAR, U32(NONE)),
    (SQL_CONVERT_WVARCHAR, U32(NONE)),
    // No DDL.
    (SQL_CREATE_ASSERTION, U32(NONE)),
    (SQL_CREATE_CHARACTER_SET, U32(NONE)),
    (SQL_CREATE_COLLATION, U32(NONE)),
    (SQL_CREATE_DOMAIN, U32(NONE)),
    (SQL_CREATE_SCHEMA, U32(NONE)),
    (SQL_CREATE_TABLE, U32(NONE)),
    (SQL_CREATE_TRANSLATION, U32(NONE)),
    (SQL_CREATE_VIEW, U32(NONE)),
    (SQL_DROP_ASSERTION, U32(NONE)),
    (SQL_DROP_CHARACTER_SET, U32(NONE)),
    (SQL_DROP_COLLATION, U32(NONE)),
    (SQL_DROP_DOMAIN, U32(NONE)),
    (SQL_DROP_SCHEMA, U32(NONE)),
    (SQL_DROP_TABLE, U32(NONE)),
    (SQL_DROP_TRANSLATION, U32(NONE)),
    (SQL_DROP_VIEW, U32(NONE)),
    // Forward-only and static cursors (keyset-driven and dynamic become static).
    (id(I::DynamicCursorAttributes1), U32(NONE)),
    (id(I::DynamicCursorAttributes2), U32(NONE)),
    (id(I::ForwardOnlyCursorAttributes1), U32(SQL_CA1_NEXT)),
    (
        id(I::ForwardOnlyCursorAttributes2),
        // SQL_ATTR_MAX_ROWS limits SELECTs; the cursor sees no changes.
        U32(SQL_CA2_READ_ONLY_CONCURRENCY | SQL_CA2_MAX_ROWS_SELECT),
    ),
    (SQL_INDEX_KEYWORDS, U32(NONE)),
    (SQL_INFO_SCHEMA_VIEWS, U32(NONE)),
    (id(I::KeysetCursorAttributes1), U32(NONE)),
    (id(I::KeysetCursorAttributes2), U32(NONE)),
    // Every Core function is exported (descriptors included); Level 1
    // lacks SQLBrowseConnect and SQLBulkOperations. tests/getinfo_claims.rs
    // derives this from the exports.
    (id(I::OdbcInterfaceConformance), U32(SQL_OIC_CORE)),
    (id(I::ParamArrayRowCounts), U32(SQL_PARC_NO_BATCH)),
    // A SELECT with a parameter array runs once per row; the rows come back
    // as one result set (tests/parameters.rs).
    (id(I::ParamArraySelects), U32(SQL_PAS_NO_BATCH)),
    (
        id(I::Sql92DatetimeFunctions),
        U32(SQL_SDF_CURRENT_DATE | SQL_SDF_CURRENT_TIME | SQL_SDF_CURRENT_TIMESTAMP),
    ),
    (id(I::Sql92ForeignKeyDeleteRule), U32(NONE)),
    (id(I::Sql92ForeignKeyUpdateRule), U32(NONE)),
    (id(I::Sql92Grant), U32(NONE)),
    (id(I::Sql92NumericValueFunctions), U32(NONE)),
    (
        id(I::Sql92Predicates),
        // SQLite has no quantified comparisons (> ALL, = ANY), OVERLAPS,
        // UNIQUE or MATCH.
        U32(SQL_SP_EXISTS
            | SQL_SP_ISNOTNULL
            | SQL_SP_ISNULL
            | SQL_SP_LIKE
            | SQL_SP_IN
            | SQL_SP_BETWEEN
            | SQL_SP_COMPARISON),
    ),
    (
        id(I::Sql92RelationalJoinOperators),
        // No CORRESPONDING, no UNION JOIN; FULL OUTER JOIN since SQLite 3.39.
        U32(SQL_SRJO_CROSS_JOIN
            | SQL_SRJO_EXCEPT_JOIN
            | SQL_SRJO_FULL_OUTER_JOIN
            | SQL_SRJO_INNER_JOIN
            | SQL_SRJO_INTERSECT_JOIN
            | SQL_SRJO_LEFT_OUTER_JOIN
            | SQL_SRJO_NATURAL_JOIN
            | SQL_SRJO_RIGHT_OUTER_JOIN),
    ),
    (id(I::Sql92Revoke), U32(NONE)),
    (
        id(I::Sql92RowValueConstructor),
        // No DEFAULT in a VALUES list (SQLite).
        U32(SQL_SRVC_VALUE_EXPRESSION | SQL_SRVC_NULL),
    ),
    (
        id(I::Sql92StringFunctions),
        // SQLite has no SUBSTRING(x FROM y FOR z), TRIM(BOTH ... FROM x),
        // TRANSLATE or CONVERT(x USING y).
        U32(SQL_SSF_LOWER | SQL_SSF_UPPER),
    ),
    (
        id(I::Sql92ValueExpressions),
        U32(SQL_SVE_CASE | SQL_SVE_CAST | SQL_SVE_COALESCE | SQL_SVE_NULLIF),
    ),
    (
        SQL_STANDARD_CLI_CONFORMANCE,
        U32(SQL_SCC_XOPEN_CLI_VERSION1 | SQL_SCC_ISO92_CLI),
    ),
    (
        id(I::StaticCursorAttributes1),
        U32(SQL_CA1_NEXT
            | SQL_CA1_ABSOLUTE
            | SQL_CA1_RELATIVE
            | SQL_CA1_BOOKMARK
            | SQL_CA1_LOCK_NO_CHANGE
            | SQL_CA1_POS_POSITION
            | SQL_CA1_POS_REFRESH),
    ),
    (
        id(I::StaticCursorAttributes2),
        // SQL_ATTR_MAX_ROWS bounds the rows read into memory.
        U32(SQL_CA2_READ_ONLY_CONCURRENCY | SQL_CA2_MAX_ROWS_SELECT),
    ),
    (
        id(I::AggregateFunctions),
        U32(SQL_AF_AVG
            | SQL_AF_COUNT
            | SQL_AF_MAX
            | SQL_AF_MIN
            | SQL_AF_SUM
            | SQL_AF_DISTINCT
            | SQL_AF_ALL),
    ),
    (SQL_DDL_INDEX, U32(NONE)),
    (SQL_INSERT_STATEMENT, U32(NONE)),
    (SQL_CONVERT_GUID, U32(NONE)),
    (SQL_RETURN_ESCAPE_CLAUSE, U32(NONE)),
    (SQL_DTC_TRANSITION_COST, U32(NONE)),
    (id(I::XopenCliYear), Str("1995")),
    (id(I::CursorSensitivity), U32(SQL_UNSPECIFIED)),
    // SQLDescribeParam answers from the compared or assigned column.
    (id(I::DescribeParameter), Str("Y")),
    (id(I::CatalogName), Str("N")),
    (id(I::CollationSeq), Str("")),
    (id(I::MaxIdentifierLen), U16(128)),
    (id(I::AsyncMode), U32(SQL_AM_NONE)),
    (id(I::MaxAsyncConcurrentStatements), U32(NONE)),
    (id(I::AsyncDbcFunctions), U32(NONE)),
    (id(I::DriverAwarePoolingSupported), U32(NONE)),
    (id(I::AsyncNotification), U32(NONE)),
];

/// The static answer for an information type; None means HY096.
pub fn get(info_type: u16) -> Option<Info> {
    ANSWERS
        .iter()
        .find(|(id, _)| *id == info_type)
        .map(|(_, answer)| answer.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_questions_have_answers() {
        // pyodbc, Power BI, Tableau and isql ask these (odbc-notes §3).
        for info in [
            I::DriverName,
            I::DriverVer,
            I::SearchPatternEscape,
            I::DbmsName,
            I::DbmsVer,
            I::IdentifierCase,
            I::IdentifierQuoteChar,
            I::CatalogNameSeparator,
            I::CatalogTerm,
            I::TransactionCapable,
            I::DriverOdbcVer,
            I::GetDataExtensions,
            I::ColumnAlias,
            I::GroupBy,
            I::OrderByColumnsInSelect,
            I::SpecialCharacters,
            I::OuterJoinCapabilities,
            I::OdbcInterfaceConformance,
            I::DescribeParameter,
            I::CatalogName,
            I::MaxIdentifierLen,
        ] {
            assert!(get(id(info)).is_some(), "{info:?}");
        }
        for raw in [
            SQL_ODBC_VER,
            SQL_TABLE_TERM,
            SQL_RETURN_ESCAPE_CLAUSE,
            SQL_DTC_TRANSITION_COST,
        ] {
            assert!(get(raw).is_some(), "{raw}");
        }
    }

    #[test]
    fn forward_only_cursors_claim_max_rows_not_sensitivity() {
        assert_eq!(
            get(id(I::ForwardOnlyCursorAttributes2)),
            Some(U32(SQL_CA2_READ_ONLY_CONCURRENCY | SQL_CA2_MAX_ROWS_SELECT))
        );
    }

    #[test]
    fn each_information_type_is_answered_once() {
        let mut ids: Vec<u16> = ANSWERS.iter().map(|(id, _)| *id).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
    }
}
