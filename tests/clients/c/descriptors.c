/*
 * Descriptors through unixODBC (-lodbc), which hands the application its
 * own descriptor handles and maps them to the driver's. The pytest
 * test_descriptors.py builds it and checks its output, one `key=value ...`
 * fact per line.
 *
 *   descriptors CONNSTR
 */
#include <sql.h>
#include <sqlext.h>
#include <sqlucode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rc_name.h"

static SQLHENV env;
static SQLHDBC dbc;

/* The first record's SQLSTATE of a handle, or "-". */
static const char *state_of(SQLSMALLINT type, SQLHANDLE h) {
    static SQLCHAR state[6];
    SQLINTEGER native;
    SQLCHAR msg[512];
    SQLSMALLINT len;
    if (!SQL_SUCCEEDED(SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len)))
        return "-";
    return (const char *)state;
}

static void check(SQLRETURN rc, SQLSMALLINT type, SQLHANDLE h, const char *what) {
    if (!SQL_SUCCEEDED(rc)) {
        printf("failed %s rc=%s state=%s\n", what, rc_name(rc), state_of(type, h));
        exit(1);
    }
}

/* An SQL_NUMERIC_STRUCT as decimal text. */
static void numeric_text(const SQL_NUMERIC_STRUCT *n, char *out) {
    unsigned __int128 v = 0;
    for (int i = SQL_MAX_NUMERIC_LEN - 1; i >= 0; i--) v = (v << 8) | n->val[i];
    char digits[64];
    int k = 0;
    do {
        digits[k++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    while (k <= n->scale) digits[k++] = '0';
    int o = 0;
    if (n->sign == 0) out[o++] = '-';
    for (int i = k - 1; i >= 0; i--) {
        out[o++] = digits[i];
        if (i == n->scale && n->scale > 0) out[o++] = '.';
    }
    out[o] = 0;
}

/* Prices as SQL_C_NUMERIC(19,4) through the ARD that SQLGetStmtAttr gives. */
static void numeric_through_ard(void) {
    SQLHSTMT st;
    SQLHDESC ard;
    SQL_NUMERIC_STRUCT n;
    SQLBIGINT id;
    SQLLEN ind;
    char text[64];
    check(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), SQL_HANDLE_DBC, dbc, "alloc stmt");
    check(SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &ard, 0, NULL), SQL_HANDLE_STMT, st, "get ard");
    check(SQLBindCol(st, 1, SQL_C_SBIGINT, &id, 0, NULL), SQL_HANDLE_STMT, st, "bind id");
    check(SQLBindCol(st, 2, SQL_C_NUMERIC, &n, sizeof n, &ind), SQL_HANDLE_STMT, st, "bind price");
    check(SQLSetDescField(ard, 2, SQL_DESC_TYPE, (SQLPOINTER)SQL_C_NUMERIC, 0), SQL_HANDLE_DESC, ard, "type");
    check(SQLSetDescField(ard, 2, SQL_DESC_PRECISION, (SQLPOINTER)19, 0), SQL_HANDLE_DESC, ard, "precision");
    check(SQLSetDescField(ard, 2, SQL_DESC_SCALE, (SQLPOINTER)4, 0), SQL_HANDLE_DESC, ard, "scale");
    check(SQLSetDescField(ard, 2, SQL_DESC_DATA_PTR, &n, 0), SQL_HANDLE_DESC, ard, "data ptr");
    check(SQLExecDirect(st, (SQLCHAR *)"SELECT id, price FROM Products ORDER BY id", SQL_NTS), SQL_HANDLE_STMT, st, "exec");
    SQLRETURN rc;
    while ((rc = SQLFetch(st)) == SQL_SUCCESS) {
        numeric_text(&n, text);
        printf("numeric id=%lld precision=%d scale=%d value=%s\n", (long long)id, n.precision, n.scale, text);
    }
    printf("numeric end=%s\n", rc_name(rc));
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* The IRD read with SQLGetDescField (A and W) and SQLGetDescRec; it
 * refuses SQLSetDescField; SQLCopyDesc copies it into the ARD. */
static void ird(void) {
    SQLHSTMT st;
    SQLHDESC ird, ard;
    SQLCHAR name[64];
    SQLWCHAR wname[64];
    SQLINTEGER len;
    SQLSMALLINT nlen, type, sub, prec, scale, nullable;
    SQLLEN length;
    check(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), SQL_HANDLE_DBC, dbc, "alloc stmt");
    check(SQLGetStmtAttr(st, SQL_ATTR_IMP_ROW_DESC, &ird, 0, NULL), SQL_HANDLE_STMT, st, "get ird");
    check(SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &ard, 0, NULL), SQL_HANDLE_STMT, st, "get ard");
    check(SQLPrepare(st, (SQLCHAR *)"SELECT id, price FROM Products", SQL_NTS), SQL_HANDLE_STMT, st, "prepare");
    check(SQLGetDescField(ird, 2, SQL_DESC_NAME, name, sizeof name, &len), SQL_HANDLE_DESC, ird, "ird name");
    printf("ird name=%s len=%d\n", name, (int)len);
    check(SQLGetDescFieldW(ird, 2, SQL_DESC_NAME, wname, sizeof wname, &len), SQL_HANDLE_DESC, ird, "ird name w");
    char narrow[64];
    int i = 0;
    for (; wname[i] && i < 63; i++) narrow[i] = (char)wname[i];
    narrow[i] = 0;
    printf("ird wname=%s len=%d\n", narrow, (int)len);
    check(SQLGetDescRec(ird, 2, name, sizeof name, &nlen, &type, &sub, &length, &prec, &scale, &nullable),
          SQL_HANDLE_DESC, ird, "ird rec");
    printf("ird rec name=%s type=%d precision=%d scale=%d\n", name, type, prec, scale);
    SQLRETURN rc = SQLSetDescField(ird, 2, SQL_DESC_PRECISION, (SQLPOINTER)3, 0);
    printf("ird set rc=%s state=%s\n", rc_name(rc), state_of(SQL_HANDLE_DESC, ird));
    rc = SQLCopyDesc(ird, ard);
    SQLINTEGER count = 0;
    SQLGetDescField(ard, 0, SQL_DESC_COUNT, &count, 0, NULL);
    printf("copy rc=%s ard_count=%d\n", rc_name(rc), (int)(SQLSMALLINT)count);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* An explicitly allocated descriptor as the ARD: two ids in one fetch;
 * freeing it returns the statement to its implicit ARD. */
static void explicit_ard(void) {
    SQLHSTMT st;
    SQLHDESC mine, implicit, now;
    SQLBIGINT ids[2] = {0, 0};
    SQLULEN fetched = 0;
    check(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), SQL_HANDLE_DBC, dbc, "alloc stmt");
    check(SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &implicit, 0, NULL), SQL_HANDLE_STMT, st, "get ard");
    check(SQLAllocHandle(SQL_HANDLE_DESC, dbc, &mine), SQL_HANDLE_DBC, dbc, "alloc desc");
    check(SQLSetDescField(mine, 0, SQL_DESC_ARRAY_SIZE, (SQLPOINTER)2, 0), SQL_HANDLE_DESC, mine, "array size");
    check(SQLSetDescField(mine, 1, SQL_DESC_CONCISE_TYPE, (SQLPOINTER)SQL_C_SBIGINT, 0), SQL_HANDLE_DESC, mine, "type");
    check(SQLSetDescField(mine, 1, SQL_DESC_DATA_PTR, ids, 0), SQL_HANDLE_DESC, mine, "data ptr");
    check(SQLSetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, mine, 0), SQL_HANDLE_STMT, st, "set ard");
    check(SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0), SQL_HANDLE_STMT, st, "rows fetched");
    check(SQLExecDirect(st, (SQLCHAR *)"SELECT id FROM Products ORDER BY id", SQL_NTS), SQL_HANDLE_STMT, st, "exec");
    SQLRETURN rc = SQLFetch(st);
    printf("explicit fetch=%s fetched=%d ids=%lld,%lld\n", rc_name(rc), (int)fetched, (long long)ids[0], (long long)ids[1]);
    SQLCloseCursor(st);
    rc = SQLFreeHandle(SQL_HANDLE_DESC, mine);
    check(SQLGetStmtAttr(st, SQL_ATTR_APP_ROW_DESC, &now, 0, NULL), SQL_HANDLE_STMT, st, "get ard again");
    printf("explicit free=%s reverted=%d\n", rc_name(rc), now == implicit);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

/* SQL_C_GUID from text, and text that is not a GUID (22018). */
static void guid(void) {
    SQLHSTMT st;
    SQLGUID g;
    SQLLEN ind;
    check(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st), SQL_HANDLE_DBC, dbc, "alloc stmt");
    check(SQLExecDirect(st, (SQLCHAR *)"SELECT '6f9619ff-8b86-d011-b42d-00c04fc964ff', 'nope'", SQL_NTS), SQL_HANDLE_STMT, st, "exec");
    check(SQLFetch(st), SQL_HANDLE_STMT, st, "fetch");
    check(SQLGetData(st, 1, SQL_C_GUID, &g, sizeof g, &ind), SQL_HANDLE_STMT, st, "getdata");
    printf("guid %08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x\n", (unsigned)g.Data1, g.Data2, g.Data3,
           g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
    SQLRETURN rc = SQLGetData(st, 2, SQL_C_GUID, &g, sizeof g, &ind);
    printf("guid bad rc=%s state=%s\n", rc_name(rc), state_of(SQL_HANDLE_STMT, st));
    SQLFreeHandle(SQL_HANDLE_STMT, st);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    SQLCHAR out[1024];
    SQLSMALLINT outlen;
    check(SQLDriverConnect(dbc, NULL, (SQLCHAR *)argv[1], SQL_NTS, out, sizeof out, &outlen, SQL_DRIVER_NOPROMPT),
          SQL_HANDLE_DBC, dbc, "connect");
    numeric_through_ard();
    ird();
    explicit_ard();
    guid();
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    printf("done\n");
    return 0;
}
