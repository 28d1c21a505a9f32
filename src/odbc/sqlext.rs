//! ODBC names that odbc-sys does not define, written once, exactly as
//! sql.h / sqlext.h / sqltypes.h spell them, grouped as the headers group
//! them. Everything odbc-sys has (`InfoType`, `ConnectionAttribute`,
//! `StatementAttribute`, `SqlDataType`, ...) is used from odbc-sys instead.
//! They are here because odbc-sys lacks them (ODBC 2 names, SQLGetInfo
//! bitmasks, SQL_API_* ids, catalog result values); a test below checks
//! them against the system headers when those are installed.

// ---- SQLGetInfo information types odbc-sys leaves out (its `InfoType`
// has the others; they are listed here as u16, the type SQLGetInfo takes).
pub const SQL_FETCH_DIRECTION: u16 = 8;
pub const SQL_ODBC_API_CONFORMANCE: u16 = 9;
pub const SQL_ODBC_VER: u16 = 10;
pub const SQL_ROW_UPDATES: u16 = 11;
pub const SQL_ODBC_SAG_CLI_CONFORMANCE: u16 = 12;
pub const SQL_ODBC_SQL_CONFORMANCE: u16 = 15;
pub const SQL_DATABASE_NAME: u16 = 16;
pub const SQL_PROCEDURES: u16 = 21;
pub const SQL_CURSOR_ROLLBACK_BEHAVIOR: u16 = 24;
pub const SQL_MAX_PROCEDURE_NAME_LEN: u16 = 33;
pub const SQL_MULTIPLE_ACTIVE_TXN: u16 = 37;
pub const SQL_PROCEDURE_TERM: u16 = 40;
pub const SQL_SCROLL_CONCURRENCY: u16 = 43;
pub const SQL_TABLE_TERM: u16 = 45;
pub const SQL_CONVERT_BIGINT: u16 = 53;
pub const SQL_CONVERT_BINARY: u16 = 54;
pub const SQL_CONVERT_BIT: u16 = 55;
pub const SQL_CONVERT_CHAR: u16 = 56;
pub const SQL_CONVERT_DATE: u16 = 57;
pub const SQL_CONVERT_DECIMAL: u16 = 58;
pub const SQL_CONVERT_DOUBLE: u16 = 59;
pub const SQL_CONVERT_FLOAT: u16 = 60;
pub const SQL_CONVERT_INTEGER: u16 = 61;
pub const SQL_CONVERT_LONGVARCHAR: u16 = 62;
pub const SQL_CONVERT_NUMERIC: u16 = 63;
pub const SQL_CONVERT_REAL: u16 = 64;
pub const SQL_CONVERT_SMALLINT: u16 = 65;
pub const SQL_CONVERT_TIME: u16 = 66;
pub const SQL_CONVERT_TIMESTAMP: u16 = 67;
pub const SQL_CONVERT_TINYINT: u16 = 68;
pub const SQL_CONVERT_VARBINARY: u16 = 69;
pub const SQL_CONVERT_VARCHAR: u16 = 70;
pub const SQL_CONVERT_LONGVARBINARY: u16 = 71;
pub const SQL_LOCK_TYPES: u16 = 78;
pub const SQL_POS_OPERATIONS: u16 = 79;
pub const SQL_POSITIONED_STATEMENTS: u16 = 80;
pub const SQL_BOOKMARK_PERSISTENCE: u16 = 82;
pub const SQL_STATIC_SENSITIVITY: u16 = 83;
pub const SQL_KEYWORDS: u16 = 89;
pub const SQL_MAX_CHAR_LITERAL_LEN: u16 = 108;
pub const SQL_MAX_BINARY_LITERAL_LEN: u16 = 112;
pub const SQL_ALTER_DOMAIN: u16 = 117;
pub const SQL_DATETIME_LITERALS: u16 = 119;
pub const SQL_CONVERT_WCHAR: u16 = 122;
pub const SQL_CONVERT_INTERVAL_DAY_TIME: u16 = 123;
pub const SQL_CONVERT_INTERVAL_YEAR_MONTH: u16 = 124;
pub const SQL_CONVERT_WLONGVARCHAR: u16 = 125;
pub const SQL_CONVERT_WVARCHAR: u16 = 126;
pub const SQL_CREATE_ASSERTION: u16 = 127;
pub const SQL_CREATE_CHARACTER_SET: u16 = 128;
pub const SQL_CREATE_COLLATION: u16 = 129;
pub const SQL_CREATE_DOMAIN: u16 = 130;
pub const SQL_CREATE_SCHEMA: u16 = 131;
pub const SQL_CREATE_TABLE: u16 = 132;
pub const SQL_CREATE_TRANSLATION: u16 = 133;
pub const SQL_CREATE_VIEW: u16 = 134;
pub const SQL_DROP_ASSERTION: u16 = 136;
pub const SQL_DROP_CHARACTER_SET: u16 = 137;
pub const SQL_DROP_COLLATION: u16 = 138;
pub const SQL_DROP_DOMAIN: u16 = 139;
pub const SQL_DROP_SCHEMA: u16 = 140;
pub const SQL_DROP_TABLE: u16 = 141;
pub const SQL_DROP_TRANSLATION: u16 = 142;
pub const SQL_DROP_VIEW: u16 = 143;
pub const SQL_INDEX_KEYWORDS: u16 = 148;
pub const SQL_INFO_SCHEMA_VIEWS: u16 = 149;
pub const SQL_STANDARD_CLI_CONFORMANCE: u16 = 166;
pub const SQL_DDL_INDEX: u16 = 170;
pub const SQL_INSERT_STATEMENT: u16 = 172;
pub const SQL_CONVERT_GUID: u16 = 173;
pub const SQL_RETURN_ESCAPE_CLAUSE: u16 = 180;
pub const SQL_DTC_TRANSITION_COST: u16 = 1750;

// ---- SQLGetInfo answers: values and bitmasks.

// SQL_FETCH_DIRECTION
pub const SQL_FD_FETCH_NEXT: u32 = 0x0000_0001;
pub const SQL_FD_FETCH_FIRST: u32 = 0x0000_0002;
pub const SQL_FD_FETCH_LAST: u32 = 0x0000_0004;
pub const SQL_FD_FETCH_PRIOR: u32 = 0x0000_0008;
pub const SQL_FD_FETCH_ABSOLUTE: u32 = 0x0000_0010;
pub const SQL_FD_FETCH_RELATIVE: u32 = 0x0000_0020;
pub const SQL_FD_FETCH_BOOKMARK: u32 = 0x0000_0080;
// SQL_POS_OPERATIONS
pub const SQL_POS_POSITION: u32 = 0x0000_0001;
pub const SQL_POS_REFRESH: u32 = 0x0000_0002;
// SQL_LOCK_TYPES
pub const SQL_LCK_NO_CHANGE: u32 = 0x0000_0001;
// SQL_BOOKMARK_PERSISTENCE
pub const SQL_BP_SCROLL: u32 = 0x0000_0040;
// SQL_ODBC_API_CONFORMANCE
pub const SQL_OAC_LEVEL1: u16 = 1;
// SQL_ODBC_SAG_CLI_CONFORMANCE
pub const SQL_OSCC_COMPLIANT: u16 = 1;
// SQL_ODBC_SQL_CONFORMANCE
pub const SQL_OSC_CORE: u16 = 1;
// SQL_CONCAT_NULL_BEHAVIOR
pub const SQL_CB_NULL: u16 = 0x0000;
// SQL_CURSOR_COMMIT_BEHAVIOR, SQL_CURSOR_ROLLBACK_BEHAVIOR
pub const SQL_CB_DELETE: u16 = 0;
pub const SQL_CB_CLOSE: u16 = 1;
pub const SQL_CB_PRESERVE: u16 = 2;
// SQL_IDENTIFIER_CASE, SQL_QUOTED_IDENTIFIER_CASE
pub const SQL_IC_MIXED: u16 = 4;
// SQL_SCROLL_CONCURRENCY
pub const SQL_SCCO_READ_ONLY: u32 = 0x0000_0001;
// SQL_SCROLL_OPTIONS
pub const SQL_SO_FORWARD_ONLY: u32 = 0x0000_0001;
pub const SQL_SO_STATIC: u32 = 0x0000_0010;
// SQL_TXN_CAPABLE
pub const SQL_TC_NONE: u16 = 0;
// SQL_CONVERT_FUNCTIONS
pub const SQL_FN_CVT_CONVERT: u32 = 0x0000_0001;
pub const SQL_FN_CVT_CAST: u32 = 0x0000_0002;
// SQL_STRING_FUNCTIONS
pub const SQL_FN_STR_CONCAT: u32 = 0x0000_0001;
pub const SQL_FN_STR_INSERT: u32 = 0x0000_0002;
pub const SQL_FN_STR_LEFT: u32 = 0x0000_0004;
pub const SQL_FN_STR_LTRIM: u32 = 0x0000_0008;
pub const SQL_FN_STR_LENGTH: u32 = 0x0000_0010;
pub const SQL_FN_STR_LOCATE: u32 = 0x0000_0020;
pub const SQL_FN_STR_LCASE: u32 = 0x0000_0040;
pub const SQL_FN_STR_REPEAT: u32 = 0x0000_0080;
pub const SQL_FN_STR_REPLACE: u32 = 0x0000_0100;
pub const SQL_FN_STR_RIGHT: u32 = 0x0000_0200;
pub const SQL_FN_STR_RTRIM: u32 = 0x0000_0400;
pub const SQL_FN_STR_SUBSTRING: u32 = 0x0000_0800;
pub const SQL_FN_STR_UCASE: u32 = 0x0000_1000;
pub const SQL_FN_STR_ASCII: u32 = 0x0000_2000;
pub const SQL_FN_STR_CHAR: u32 = 0x0000_4000;
pub const SQL_FN_STR_DIFFERENCE: u32 = 0x0000_8000;
pub const SQL_FN_STR_LOCATE_2: u32 = 0x0001_0000;
pub const SQL_FN_STR_SOUNDEX: u32 = 0x0002_0000;
pub const SQL_FN_STR_SPACE: u32 = 0x0004_0000;
pub const SQL_FN_STR_BIT_LENGTH: u32 = 0x0008_0000;
pub const SQL_FN_STR_CHAR_LENGTH: u32 = 0x0010_0000;
pub const SQL_FN_STR_CHARACTER_LENGTH: u32 = 0x0020_0000;
pub const SQL_FN_STR_OCTET_LENGTH: u32 = 0x0040_0000;
pub const SQL_FN_STR_POSITION: u32 = 0x0080_0000;
// SQL_NUMERIC_FUNCTIONS
pub const SQL_FN_NUM_ABS: u32 = 0x0000_0001;
pub const SQL_FN_NUM_ACOS: u32 = 0x0000_0002;
pub const SQL_FN_NUM_ASIN: u32 = 0x0000_0004;
pub const SQL_FN_NUM_ATAN: u32 = 0x0000_0008;
pub const SQL_FN_NUM_ATAN2: u32 = 0x0000_0010;
pub const SQL_FN_NUM_CEILING: u32 = 0x0000_0020;
pub const SQL_FN_NUM_COS: u32 = 0x0000_0040;
pub const SQL_FN_NUM_COT: u32 = 0x0000_0080;
pub const SQL_FN_NUM_EXP: u32 = 0x0000_0100;
pub const SQL_FN_NUM_FLOOR: u32 = 0x0000_0200;
pub const SQL_FN_NUM_LOG: u32 = 0x0000_0400;
pub const SQL_FN_NUM_MOD: u32 = 0x0000_0800;
pub const SQL_FN_NUM_SIGN: u32 = 0x0000_1000;
pub const SQL_FN_NUM_SIN: u32 = 0x0000_2000;
pub const SQL_FN_NUM_SQRT: u32 = 0x0000_4000;
pub const SQL_FN_NUM_TAN: u32 = 0x0000_8000;
pub const SQL_FN_NUM_PI: u32 = 0x0001_0000;
pub const SQL_FN_NUM_RAND: u32 = 0x0002_0000;
pub const SQL_FN_NUM_DEGREES: u32 = 0x0004_0000;
pub const SQL_FN_NUM_LOG10: u32 = 0x0008_0000;
pub const SQL_FN_NUM_POWER: u32 = 0x0010_0000;
pub const SQL_FN_NUM_RADIANS: u32 = 0x0020_0000;
pub const SQL_FN_NUM_ROUND: u32 = 0x0040_0000;
pub const SQL_FN_NUM_TRUNCATE: u32 = 0x0080_0000;
// SQL_TIMEDATE_FUNCTIONS
pub const SQL_FN_TD_NOW: u32 = 0x0000_0001;
pub const SQL_FN_TD_CURDATE: u32 = 0x0000_0002;
pub const SQL_FN_TD_DAYOFMONTH: u32 = 0x0000_0004;
pub const SQL_FN_TD_DAYOFWEEK: u32 = 0x0000_0008;
pub const SQL_FN_TD_DAYOFYEAR: u32 = 0x0000_0010;
pub const SQL_FN_TD_MONTH: u32 = 0x0000_0020;
pub const SQL_FN_TD_QUARTER: u32 = 0x0000_0040;
pub const SQL_FN_TD_WEEK: u32 = 0x0000_0080;
pub const SQL_FN_TD_YEAR: u32 = 0x0000_0100;
pub const SQL_FN_TD_CURTIME: u32 = 0x0000_0200;
pub const SQL_FN_TD_HOUR: u32 = 0x0000_0400;
pub const SQL_FN_TD_MINUTE: u32 = 0x0000_0800;
pub const SQL_FN_TD_SECOND: u32 = 0x0000_1000;
pub const SQL_FN_TD_TIMESTAMPADD: u32 = 0x0000_2000;
pub const SQL_FN_TD_TIMESTAMPDIFF: u32 = 0x0000_4000;
pub const SQL_FN_TD_DAYNAME: u32 = 0x0000_8000;
pub const SQL_FN_TD_MONTHNAME: u32 = 0x0001_0000;
pub const SQL_FN_TD_CURRENT_DATE: u32 = 0x0002_0000;
pub const SQL_FN_TD_CURRENT_TIME: u32 = 0x0004_0000;
pub const SQL_FN_TD_CURRENT_TIMESTAMP: u32 = 0x0008_0000;
pub const SQL_FN_TD_EXTRACT: u32 = 0x0010_0000;
// SQL_TIMEDATE_ADD_INTERVALS, SQL_TIMEDATE_DIFF_INTERVALS
pub const SQL_FN_TSI_FRAC_SECOND: u32 = 0x0000_0001;
pub const SQL_FN_TSI_SECOND: u32 = 0x0000_0002;
pub const SQL_FN_TSI_MINUTE: u32 = 0x0000_0004;
pub const SQL_FN_TSI_HOUR: u32 = 0x0000_0008;
pub const SQL_FN_TSI_DAY: u32 = 0x0000_0010;
pub const SQL_FN_TSI_WEEK: u32 = 0x0000_0020;
pub const SQL_FN_TSI_MONTH: u32 = 0x0000_0040;
pub const SQL_FN_TSI_QUARTER: u32 = 0x0000_0080;
pub const SQL_FN_TSI_YEAR: u32 = 0x0000_0100;
// SQL_SYSTEM_FUNCTIONS
pub const SQL_FN_SYS_USERNAME: u32 = 0x0000_0001;
pub const SQL_FN_SYS_DBNAME: u32 = 0x0000_0002;
pub const SQL_FN_SYS_IFNULL: u32 = 0x0000_0004;
// SQL_SQL92_NUMERIC_VALUE_FUNCTIONS
pub const SQL_SNVF_BIT_LENGTH: u32 = 0x0000_0001;
pub const SQL_SNVF_CHAR_LENGTH: u32 = 0x0000_0002;
pub const SQL_SNVF_CHARACTER_LENGTH: u32 = 0x0000_0004;
pub const SQL_SNVF_EXTRACT: u32 = 0x0000_0008;
pub const SQL_SNVF_OCTET_LENGTH: u32 = 0x0000_0010;
pub const SQL_SNVF_POSITION: u32 = 0x0000_0020;
// SQL_CORRELATION_NAME
pub const SQL_CN_ANY: u16 = 0x0002;
// SQL_NON_NULLABLE_COLUMNS
pub const SQL_NNC_NON_NULL: u16 = 0x0001;
// SQL_GETDATA_EXTENSIONS
pub const SQL_GD_ANY_COLUMN: u32 = 0x0000_0001;
pub const SQL_GD_ANY_ORDER: u32 = 0x0000_0002;
pub const SQL_GD_BOUND: u32 = 0x0000_0008;
// SQL_FILE_USAGE
pub const SQL_FILE_NOT_SUPPORTED: u16 = 0x0000;
// SQL_NULL_COLLATION
pub const SQL_NC_LOW: u16 = 1;
// SQL_GROUP_BY
pub const SQL_GB_GROUP_BY_CONTAINS_SELECT: u16 = 0x0002;
// SQL_SCHEMA_USAGE
pub const SQL_SU_DML_STATEMENTS: u32 = 0x0000_0001;
// SQL_SUBQUERIES
pub const SQL_SQ_COMPARISON: u32 = 0x0000_0001;
pub const SQL_SQ_EXISTS: u32 = 0x0000_0002;
pub const SQL_SQ_IN: u32 = 0x0000_0004;
pub const SQL_SQ_QUANTIFIED: u32 = 0x0000_0008;
pub const SQL_SQ_CORRELATED_SUBQUERIES: u32 = 0x0000_0010;
// SQL_UNION
pub const SQL_U_UNION: u32 = 0x0000_0001;
pub const SQL_U_UNION_ALL: u32 = 0x0000_0002;
// SQL_OJ_CAPABILITIES
pub const SQL_OJ_LEFT: u32 = 0x0000_0001;
pub const SQL_OJ_RIGHT: u32 = 0x0000_0002;
pub const SQL_OJ_FULL: u32 = 0x0000_0004;
pub const SQL_OJ_NESTED: u32 = 0x0000_0008;
pub const SQL_OJ_NOT_ORDERED: u32 = 0x0000_0010;
pub const SQL_OJ_INNER: u32 = 0x0000_0020;
pub const SQL_OJ_ALL_COMPARISON_OPS: u32 = 0x0000_0040;
// SQL_SQL_CONFORMANCE
pub const SQL_SC_SQL92_ENTRY: u32 = 0x0000_0001;
// SQL_DATETIME_LITERALS
pub const SQL_DL_SQL92_DATE: u32 = 0x0000_0001;
pub const SQL_DL_SQL92_TIME: u32 = 0x0000_0002;
pub const SQL_DL_SQL92_TIMESTAMP: u32 = 0x0000_0004;
// SQL_BATCH_ROW_COUNT
pub const SQL_BRC_EXPLICIT: u32 = 0x0000_0002;
// SQL_*_CURSOR_ATTRIBUTES1
pub const SQL_CA1_NEXT: u32 = 0x0000_0001;
pub const SQL_CA1_ABSOLUTE: u32 = 0x0000_0002;
pub const SQL_CA1_RELATIVE: u32 = 0x0000_0004;
pub const SQL_CA1_BOOKMARK: u32 = 0x0000_0008;
pub const SQL_CA1_LOCK_NO_CHANGE: u32 = 0x0000_0040;
pub const SQL_CA1_POS_POSITION: u32 = 0x0000_0200;
pub const SQL_CA1_POS_REFRESH: u32 = 0x0000_1000;
// SQL_*_CURSOR_ATTRIBUTES2
pub const SQL_CA2_READ_ONLY_CONCURRENCY: u32 = 0x0000_0001;
pub const SQL_CA2_MAX_ROWS_SELECT: u32 = 0x0000_0080;
// SQL_ODBC_INTERFACE_CONFORMANCE
pub const SQL_OIC_CORE: u32 = 1;
pub const SQL_OIC_LEVEL1: u32 = 2;
pub const SQL_OIC_LEVEL2: u32 = 3;
// SQL_PARAM_ARRAY_ROW_COUNTS
pub const SQL_PARC_NO_BATCH: u32 = 2;
// SQL_PARAM_ARRAY_SELECTS
pub const SQL_PAS_BATCH: u32 = 1;
pub const SQL_PAS_NO_BATCH: u32 = 2;
pub const SQL_PAS_NO_SELECT: u32 = 3;
// SQL_SQL92_DATETIME_FUNCTIONS
pub const SQL_SDF_CURRENT_DATE: u32 = 0x0000_0001;
pub const SQL_SDF_CURRENT_TIME: u32 = 0x0000_0002;
pub const SQL_SDF_CURRENT_TIMESTAMP: u32 = 0x0000_0004;
// SQL_SQL92_PREDICATES
pub const SQL_SP_EXISTS: u32 = 0x0000_0001;
pub const SQL_SP_ISNOTNULL: u32 = 0x0000_0002;
pub const SQL_SP_ISNULL: u32 = 0x0000_0004;
pub const SQL_SP_MATCH_FULL: u32 = 0x0000_0008;
pub const SQL_SP_MATCH_PARTIAL: u32 = 0x0000_0010;
pub const SQL_SP_MATCH_UNIQUE_FULL: u32 = 0x0000_0020;
pub const SQL_SP_MATCH_UNIQUE_PARTIAL: u32 = 0x0000_0040;
pub const SQL_SP_OVERLAPS: u32 = 0x0000_0080;
pub const SQL_SP_UNIQUE: u32 = 0x0000_0100;
pub const SQL_SP_LIKE: u32 = 0x0000_0200;
pub const SQL_SP_IN: u32 = 0x0000_0400;
pub const SQL_SP_BETWEEN: u32 = 0x0000_0800;
pub const SQL_SP_COMPARISON: u32 = 0x0000_1000;
pub const SQL_SP_QUANTIFIED_COMPARISON: u32 = 0x0000_2000;
// SQL_SQL92_RELATIONAL_JOIN_OPERATORS
pub const SQL_SRJO_CORRESPONDING_CLAUSE: u32 = 0x0000_0001;
pub const SQL_SRJO_CROSS_JOIN: u32 = 0x0000_0002;
pub const SQL_SRJO_EXCEPT_JOIN: u32 = 0x0000_0004;
pub const SQL_SRJO_FULL_OUTER_JOIN: u32 = 0x0000_0008;
pub const SQL_SRJO_INNER_JOIN: u32 = 0x0000_0010;
pub const SQL_SRJO_INTERSECT_JOIN: u32 = 0x0000_0020;
pub const SQL_SRJO_LEFT_OUTER_JOIN: u32 = 0x0000_0040;
pub const SQL_SRJO_NATURAL_JOIN: u32 = 0x0000_0080;
pub const SQL_SRJO_RIGHT_OUTER_JOIN: u32 = 0x0000_0100;
pub const SQL_SRJO_UNION_JOIN: u32 = 0x0000_0200;
// SQL_SQL92_ROW_VALUE_CONSTRUCTOR
pub const SQL_SRVC_VALUE_EXPRESSION: u32 = 0x0000_0001;
pub const SQL_SRVC_NULL: u32 = 0x0000_0002;
pub const SQL_SRVC_DEFAULT: u32 = 0x0000_0004;
// SQL_SQL92_STRING_FUNCTIONS
pub const SQL_SSF_CONVERT: u32 = 0x0000_0001;
pub const SQL_SSF_LOWER: u32 = 0x0000_0002;
pub const SQL_SSF_UPPER: u32 = 0x0000_0004;
pub const SQL_SSF_SUBSTRING: u32 = 0x0000_0008;
pub const SQL_SSF_TRANSLATE: u32 = 0x0000_0010;
pub const SQL_SSF_TRIM_BOTH: u32 = 0x0000_0020;
pub const SQL_SSF_TRIM_LEADING: u32 = 0x0000_0040;
pub const SQL_SSF_TRIM_TRAILING: u32 = 0x0000_0080;
// SQL_SQL92_VALUE_EXPRESSIONS
pub const SQL_SVE_CASE: u32 = 0x0000_0001;
pub const SQL_SVE_CAST: u32 = 0x0000_0002;
pub const SQL_SVE_COALESCE: u32 = 0x0000_0004;
pub const SQL_SVE_NULLIF: u32 = 0x0000_0008;
// SQL_STANDARD_CLI_CONFORMANCE
pub const SQL_SCC_XOPEN_CLI_VERSION1: u32 = 0x0000_0001;
pub const SQL_SCC_ISO92_CLI: u32 = 0x0000_0002;
// SQL_AGGREGATE_FUNCTIONS
pub const SQL_AF_AVG: u32 = 0x0000_0001;
pub const SQL_AF_COUNT: u32 = 0x0000_0002;
pub const SQL_AF_MAX: u32 = 0x0000_0004;
pub const SQL_AF_MIN: u32 = 0x0000_0008;
pub const SQL_AF_SUM: u32 = 0x0000_0010;
pub const SQL_AF_DISTINCT: u32 = 0x0000_0020;
pub const SQL_AF_ALL: u32 = 0x0000_0040;
// SQL_CURSOR_SENSITIVITY
pub const SQL_UNSPECIFIED: u32 = 0;
// SQL_ASYNC_MODE
pub const SQL_AM_NONE: u32 = 0;

// ---- SQLGetFunctions: function ids (SQL_API_*).
pub const SQL_API_ALL_FUNCTIONS: u16 = 0;
pub const SQL_API_SQLBINDCOL: u16 = 4;
pub const SQL_API_SQLCANCEL: u16 = 5;
pub const SQL_API_SQLCOLATTRIBUTE: u16 = 6;
pub const SQL_API_SQLCONNECT: u16 = 7;
pub const SQL_API_SQLDESCRIBECOL: u16 = 8;
pub const SQL_API_SQLDISCONNECT: u16 = 9;
pub const SQL_API_SQLEXECDIRECT: u16 = 11;
pub const SQL_API_SQLEXECUTE: u16 = 12;
pub const SQL_API_SQLFETCH: u16 = 13;
pub const SQL_API_SQLFREESTMT: u16 = 16;
pub const SQL_API_SQLNUMRESULTCOLS: u16 = 18;
pub const SQL_API_SQLPREPARE: u16 = 19;
pub const SQL_API_SQLROWCOUNT: u16 = 20;
pub const SQL_API_SQLCOLUMNS: u16 = 40;
pub const SQL_API_SQLDRIVERCONNECT: u16 = 41;
pub const SQL_API_SQLGETDATA: u16 = 43;
pub const SQL_API_SQLGETFUNCTIONS: u16 = 44;
pub const SQL_API_SQLGETINFO: u16 = 45;
pub const SQL_API_SQLGETTYPEINFO: u16 = 47;
pub const SQL_API_SQLSPECIALCOLUMNS: u16 = 52;
pub const SQL_API_SQLSTATISTICS: u16 = 53;
pub const SQL_API_SQLTABLES: u16 = 54;
pub const SQL_API_SQLCOLUMNPRIVILEGES: u16 = 56;
pub const SQL_API_SQLFOREIGNKEYS: u16 = 60;
pub const SQL_API_SQLMORERESULTS: u16 = 61;
pub const SQL_API_SQLNATIVESQL: u16 = 62;
pub const SQL_API_SQLNUMPARAMS: u16 = 63;
pub const SQL_API_SQLPRIMARYKEYS: u16 = 65;
pub const SQL_API_SQLPROCEDURECOLUMNS: u16 = 66;
pub const SQL_API_SQLPROCEDURES: u16 = 67;
pub const SQL_API_SQLTABLEPRIVILEGES: u16 = 70;
pub const SQL_API_SQLBINDPARAMETER: u16 = 72;
pub const SQL_API_ODBC3_ALL_FUNCTIONS: u16 = 999;
pub const SQL_API_SQLALLOCHANDLE: u16 = 1001;
pub const SQL_API_SQLCLOSECURSOR: u16 = 1003;
pub const SQL_API_SQLENDTRAN: u16 = 1005;
pub const SQL_API_SQLFREEHANDLE: u16 = 1006;
pub const SQL_API_SQLGETCONNECTATTR: u16 = 1007;
pub const SQL_API_SQLGETDIAGFIELD: u16 = 1010;
pub const SQL_API_SQLGETDIAGREC: u16 = 1011;
pub const SQL_API_SQLGETENVATTR: u16 = 1012;
pub const SQL_API_SQLGETSTMTATTR: u16 = 1014;
pub const SQL_API_SQLSETCONNECTATTR: u16 = 1016;
pub const SQL_API_SQLSETENVATTR: u16 = 1019;
pub const SQL_API_SQLSETSTMTATTR: u16 = 1020;
pub const SQL_API_SQLFETCHSCROLL: u16 = 1021;
pub const SQL_API_SQLCOPYDESC: u16 = 1004;
pub const SQL_API_SQLGETDESCFIELD: u16 = 1008;
pub const SQL_API_SQLGETDESCREC: u16 = 1009;
pub const SQL_API_SQLSETDESCFIELD: u16 = 1017;
pub const SQL_API_SQLSETDESCREC: u16 = 1018;
// Not exported; named for the conformance levels (driver-manager functions
// and Level 1 ones this driver lacks).
pub const SQL_API_SQLBULKOPERATIONS: u16 = 24;
pub const SQL_API_SQLBROWSECONNECT: u16 = 55;
pub const SQL_API_SQLDATASOURCES: u16 = 57;
pub const SQL_API_SQLDRIVERS: u16 = 71;

// ---- Environment and connection attributes and their values.
/// The ODBC 2 value of SQL_ATTR_ODBC_VERSION (odbc-sys has 3 and 3.80).
pub const SQL_OV_ODBC2: i32 = 2;
/// sqltypes.h's SQL_TRUE.
pub const SQL_TRUE: usize = 1;
/// The driver manager tells whether the application is ANSI.
pub const SQL_ATTR_ANSI_APP: i32 = 115;
// iODBC's extensions (iodbcext.h, iODBC 3.52.14 and later): the driver
// manager asks the driver's SQLWCHAR encoding (environment attribute) and
// tells it the one it will use (connection attribute); SQL_DM_CP_* values.
pub const SQL_ATTR_APP_WCHAR_TYPE: i32 = 1061;
pub const SQL_ATTR_DRIVER_UNICODE_TYPE: i32 = 1065;
pub const SQL_DM_CP_UTF16: u32 = 1;
pub const SQL_DM_CP_UCS4: u32 = 3;
// SQL_ATTR_ACCESS_MODE
pub const SQL_MODE_READ_ONLY: u64 = 1;
// SQL_ATTR_ODBC_CURSORS
pub const SQL_CUR_USE_DRIVER: u64 = 2;
// SQL_ATTR_CONNECTION_DEAD
pub const SQL_CD_TRUE: u64 = 1;

// ---- Statements.
/// SQLFreeStmt's ODBC 2 way to free the handle (odbc-sys leaves it out of
/// `FreeStmtOption` as deprecated).
pub const SQL_DROP: u16 = 1;
/// SQLExtendedFetch's row set size, an ODBC 2 statement attribute.
pub const SQL_ROWSET_SIZE: i32 = 9;
// SQL_ATTR_CONCURRENCY
pub const SQL_CONCUR_READ_ONLY: u64 = 1;
// SQL_ATTR_CURSOR_SCROLLABLE
pub const SQL_NONSCROLLABLE: u64 = 0;
// SQL_ATTR_ASYNC_ENABLE
pub const SQL_ASYNC_ENABLE_OFF: u64 = 0;
// SQL_ATTR_CURSOR_TYPE
pub const SQL_CURSOR_FORWARD_ONLY: u64 = 0;
pub const SQL_CURSOR_KEYSET_DRIVEN: u64 = 1;
pub const SQL_CURSOR_DYNAMIC: u64 = 2;
pub const SQL_CURSOR_STATIC: u64 = 3;
pub const SQL_SCROLLABLE: u64 = 1;
// SQL_ATTR_USE_BOOKMARKS
pub const SQL_UB_OFF: u64 = 0;
pub const SQL_UB_FIXED: u64 = 1;
pub const SQL_UB_VARIABLE: u64 = 2;
// SQLFetchScroll / SQLExtendedFetch orientations
pub const SQL_FETCH_NEXT: i16 = 1;
pub const SQL_FETCH_FIRST: i16 = 2;
pub const SQL_FETCH_LAST: i16 = 3;
pub const SQL_FETCH_PRIOR: i16 = 4;
pub const SQL_FETCH_ABSOLUTE: i16 = 5;
pub const SQL_FETCH_RELATIVE: i16 = 6;
pub const SQL_FETCH_BOOKMARK: i16 = 8;
// SQLSetPos operations and lock types
pub const SQL_POSITION: u16 = 0;
pub const SQL_REFRESH: u16 = 1;
pub const SQL_LOCK_NO_CHANGE: u16 = 0;
// Bookmark C types
pub const SQL_C_VARBOOKMARK: i16 = -2;
pub const SQL_C_ULONG: i16 = -18;
pub const SQL_C_SLONG: i16 = -16;
pub const SQL_C_LONG: i16 = 4;
pub const SQL_C_UBIGINT: i16 = -27;
pub const SQL_C_SBIGINT: i16 = -25;
pub const SQL_C_DEFAULT: i16 = 99;
// SQL_ATTR_ROW_BIND_TYPE
pub const SQL_BIND_BY_COLUMN: u64 = 0;
// SQL_ATTR_RETRIEVE_DATA
pub const SQL_RD_OFF: u64 = 0;
// SQL_ATTR_ROW_STATUS_PTR values
pub const SQL_ROW_SUCCESS: u16 = 0;
pub const SQL_ROW_NOROW: u16 = 3;
pub const SQL_ROW_ERROR: u16 = 5;
/// Length/indicator values at or below it are SQL_LEN_DATA_AT_EXEC(length)
/// (odbc-sys keeps it private).
pub const SQL_LEN_DATA_AT_EXEC_OFFSET: odbc_sys::Len = -100;

// ---- SQLColAttribute: the ODBC 2 field identifiers it still accepts.
pub const SQL_COLUMN_COUNT: u16 = 0;
pub const SQL_COLUMN_NAME: u16 = 1;
pub const SQL_COLUMN_LENGTH: u16 = 3;
pub const SQL_COLUMN_PRECISION: u16 = 4;
pub const SQL_COLUMN_SCALE: u16 = 5;
pub const SQL_COLUMN_NULLABLE: u16 = 7;
// SQL_DESC_UNNAMED
pub const SQL_NAMED: i64 = 0;
pub const SQL_UNNAMED: i64 = 1;
// SQL_DESC_SEARCHABLE, SEARCHABLE
pub const SQL_PRED_BASIC: i64 = 2;
pub const SQL_PRED_SEARCHABLE: i64 = 3;
// SQL_DATETIME subcodes (SQL_DESC_DATETIME_INTERVAL_CODE, SQL_DATETIME_SUB)
pub const SQL_CODE_DATE: i64 = 1;
pub const SQL_CODE_TIMESTAMP: i64 = 3;

// ---- Catalog result-set values.
// NULLABLE
pub const SQL_NO_NULLS: i64 = 0;
pub const SQL_NULLABLE: i64 = 1;
// SQLSpecialColumns IdentifierType
pub const SQL_BEST_ROWID: u16 = 1;
// SQLSpecialColumns SCOPE
pub const SQL_SCOPE_SESSION: i64 = 2;
// SQLSpecialColumns PSEUDO_COLUMN
pub const SQL_PC_NOT_PSEUDO: i64 = 1;
// SQLForeignKeys UPDATE_RULE / DELETE_RULE
pub const SQL_NO_ACTION: i64 = 3;
// SQLForeignKeys DEFERRABILITY
pub const SQL_NOT_DEFERRABLE: i64 = 7;
// SQLStatistics TYPE
pub const SQL_INDEX_OTHER: i64 = 3;
// SQLProcedures PROCEDURE_TYPE
pub const SQL_PT_PROCEDURE: i64 = 1;
// SQLProcedureColumns COLUMN_TYPE
pub const SQL_PARAM_INPUT: i64 = 1;
pub const SQL_RESULT_COL: i64 = 3;
// SQLGetTypeInfo SEARCHABLE
pub const SQL_ALL_EXCEPT_LIKE: i64 = 2;
pub const SQL_SEARCHABLE: i64 = 3;
// SQLGetTypeInfo CASE_SENSITIVE, UNSIGNED_ATTRIBUTE, FIXED_PREC_SCALE, ...
pub const SQL_FALSE: i64 = 0;

#[cfg(test)]
mod tests {
    /// Every constant above against the installed headers, when they are.
    #[test]
    fn values_match_the_system_headers() {
        let mut defines = std::collections::HashMap::new();
        for h in ["sql.h", "sqlext.h", "sqltypes.h", "sqlucode.h"] {
            let Ok(text) = std::fs::read_to_string(format!("/usr/include/{h}")) else {
                return;
            };
            for line in text.lines() {
                let mut w = line.split_whitespace();
                if let (Some("#define"), Some(name), Some(value)) = (w.next(), w.next(), w.next()) {
                    let v = value.trim_end_matches(['L', 'l', 'U', 'u']);
                    let n = if let Some(hex) = v.strip_prefix("0x") {
                        i64::from_str_radix(hex, 16).ok()
                    } else {
                        v.trim_start_matches('(')
                            .trim_end_matches(')')
                            .parse::<i64>()
                            .ok()
                    };
                    if let Some(n) = n {
                        defines.insert(name.to_string(), n);
                    }
                }
            }
        }
        let src = include_str!("sqlext.rs");
        let mut checked = 0;
        for line in src.lines() {
            let Some(rest) = line.strip_prefix("pub const ") else {
                continue;
            };
            let (name, tail) = rest.split_once(':').expect("a typed constant");
            let value = tail.split('=').nth(1).expect("a value").trim();
            let value = value.trim_end_matches(';').replace('_', "");
            let v = match value.strip_prefix("0x") {
                Some(hex) => i64::from_str_radix(hex, 16).expect("hex"),
                None => value.parse::<i64>().expect("a number"),
            };
            if let Some(h) = defines.get(name) {
                assert_eq!(*h, v, "{name}");
                checked += 1;
            }
        }
        assert!(checked > 200, "only {checked} checked");
    }
}
