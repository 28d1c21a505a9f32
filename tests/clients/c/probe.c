/*
 * A scriptable ODBC 3 C client, linked against unixODBC (-lodbc), for the
 * conformance suite (test_conformance.py): one command a line on stdin,
 * fields separated by tabs; one answer line on stdout per command,
 *
 *   <command> rc=<NAME> states=<S1,S2|-> [key=value ...]
 *
 * and, after `fetchall`, one `  row<TAB>v1<TAB>v2...` line per row (NULL is
 * \N; tab, newline and backslash are escaped with a backslash).
 *
 *   connect CONNSTR                 SQLDriverConnect (ODBC 3 environment)
 *   stmt                            a new statement (the previous one is freed)
 *   setattr ATTR VALUE              SQLSetStmtAttr with an integer value
 *   getattr ATTR                    SQLGetStmtAttr: value=
 *   getinfo16 / getinfo32 INFO      SQLGetInfo of a 16- / 32-bit answer: value=
 *   prepare SQL / execdirect SQL    SQLPrepare / SQLExecDirect
 *   execute                         SQLExecute, answering SQL_NEED_DATA (SQLParamData/SQLPutData)
 *   numparams / numcols             SQLNumParams / SQLNumResultCols: value=
 *   describeparam N                 SQLDescribeParam: type= size= digits= nullable=
 *   describecol N                   SQLDescribeCol: name= type= size= digits= nullable=
 *   bind N char SQLTYPE VALUE       SQLBindParameter, SQL_C_CHAR, the value NUL-terminated
 *   bind N null SQLTYPE             ... a NULL (SQL_NULL_DATA)
 *   bind N long SQLTYPE COUNT CHAR  ... COUNT copies of CHAR sent at execution in 1,000-byte pieces
 *   bindarray SQLTYPE V1 V2 ...     parameter 1 as a column-wise array of SQL_C_CHAR values, with
 *                                   SQL_ATTR_PARAMSET_SIZE, the status array and the processed count;
 *                                   execute then adds processed= statuses=
 *   rowcount                        SQLRowCount: value=
 *   fetch / getdata N               SQLFetch / SQLGetData(SQL_C_CHAR): value=
 *   scroll ORIENTATION OFFSET       SQLFetchScroll, then column 1: value=
 *   fetchall                        SQLFetch to the end, every column by SQLGetData: rows=
 *   closecursor                     SQLCloseCursor
 */
#include <sql.h>
#include <sqlext.h>

#include "rc_name.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16
#define ARRAY_ROWS 64
#define ARRAY_WIDTH 256
#define VALUE_MAX (1 << 20)

static SQLHENV env;
static SQLHDBC dbc;
static SQLHSTMT st;

/* The bound parameter values live until the next `stmt`. */
static char values[MAX_PARAMS][4096];
static SQLLEN lens[MAX_PARAMS];
static struct { long count; char c; } longs[MAX_PARAMS];
static char array_values[ARRAY_ROWS][ARRAY_WIDTH];
static SQLLEN array_lens[ARRAY_ROWS];
static SQLUSMALLINT array_status[ARRAY_ROWS];
static SQLULEN array_processed;
static SQLULEN array_rows;
static char value_buf[VALUE_MAX];

/* `<cmd> rc=NAME states=A,B` without the newline. */
static void answer(const char *cmd, SQLRETURN rc, SQLSMALLINT type, SQLHANDLE h) {
    printf("%s rc=%s states=", cmd, rc_name(rc));
    int n = 0;
    if (h != SQL_NULL_HANDLE) {
        SQLCHAR state[6], msg[1024];
        SQLINTEGER native;
        SQLSMALLINT len;
        for (SQLSMALLINT i = 1; SQLGetDiagRec(type, h, i, state, &native, msg, sizeof msg, &len) == SQL_SUCCESS; i++)
            printf("%s%s", n++ ? "," : "", (char *)state);
    }
    if (!n) printf("-");
}

static void escaped(FILE *out, const char *s, SQLLEN len) {
    for (SQLLEN i = 0; i < len; i++) {
        switch (s[i]) {
        case '\t': fputs("\\t", out); break;
        case '\n': fputs("\\n", out); break;
        case '\\': fputs("\\\\", out); break;
        default: fputc(s[i], out);
        }
    }
}

/* Column n of the current row as text, whole: value=<text> or value=\N. */
static SQLRETURN get_text(FILE *out, SQLUSMALLINT n, const char *prefix) {
    SQLLEN ind = 0;
    SQLRETURN rc = SQLGetData(st, n, SQL_C_CHAR, value_buf, sizeof value_buf, &ind);
    fputs(prefix, out);
    if (SQL_SUCCEEDED(rc)) {
        if (ind == SQL_NULL_DATA) fputs("\\N", out);
        else escaped(out, value_buf, ind >= 0 && ind < (SQLLEN)sizeof value_buf ? ind : (SQLLEN)strlen(value_buf));
    }
    return rc;
}

/* SQLExecute, sending every data-at-execution parameter in pieces. */
static SQLRETURN execute(void) {
    SQLRETURN rc = SQLExecute(st);
    while (rc == SQL_NEED_DATA) {
        SQLPOINTER token;
        rc = SQLParamData(st, &token);
        if (rc != SQL_NEED_DATA) break;
        long i = (long)(size_t)token;
        char piece[1000];
        memset(piece, longs[i].c, sizeof piece);
        for (long left = longs[i].count; left > 0; left -= (long)sizeof piece) {
            SQLLEN n = left < (long)sizeof piece ? left : (long)sizeof piece;
            SQLRETURN prc = SQLPutData(st, piece, n);
            if (!SQL_SUCCEEDED(prc)) return prc;
        }
    }
    return rc;
}

static void bind(char **f, int nf) {
    int n = atoi(f[1]);
    SQLSMALLINT sqltype = (SQLSMALLINT)atoi(f[3]);
    SQLRETURN rc = SQL_ERROR;
    if (n < 1 || n > MAX_PARAMS) {
        printf("bind rc=ERROR states=bad-parameter-number\n");
        return;
    }
    if (!strcmp(f[2], "char") && nf > 4) {
        snprintf(values[n - 1], sizeof values[0], "%s", f[4]);
        lens[n - 1] = SQL_NTS;
        rc = SQLBindParameter(st, (SQLUSMALLINT)n, SQL_PARAM_INPUT, SQL_C_CHAR, sqltype, 4000, 0, values[n - 1],
                              sizeof values[0], &lens[n - 1]);
    } else if (!strcmp(f[2], "null")) {
        lens[n - 1] = SQL_NULL_DATA;
        rc = SQLBindParameter(st, (SQLUSMALLINT)n, SQL_PARAM_INPUT, SQL_C_CHAR, sqltype, 4000, 0, values[n - 1], 0,
                              &lens[n - 1]);
    } else if (!strcmp(f[2], "long") && nf > 5) {
        longs[n - 1].count = atol(f[4]);
        longs[n - 1].c = f[5][0];
        lens[n - 1] = SQL_LEN_DATA_AT_EXEC(longs[n - 1].count);
        rc = SQLBindParameter(st, (SQLUSMALLINT)n, SQL_PARAM_INPUT, SQL_C_CHAR, sqltype, (SQLULEN)longs[n - 1].count,
                              0, (SQLPOINTER)(size_t)(n - 1), 0, &lens[n - 1]);
    }
    answer("bind", rc, SQL_HANDLE_STMT, st);
    printf("\n");
}

static void bind_array(char **f, int nf) {
    SQLSMALLINT sqltype = (SQLSMALLINT)atoi(f[1]);
    array_rows = 0;
    for (int i = 2; i < nf && array_rows < ARRAY_ROWS; i++, array_rows++) {
        snprintf(array_values[array_rows], ARRAY_WIDTH, "%s", f[i]);
        array_lens[array_rows] = SQL_NTS;
    }
    SQLRETURN rc = SQLSetStmtAttr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)array_rows, 0);
    if (SQL_SUCCEEDED(rc)) rc = SQLSetStmtAttr(st, SQL_ATTR_PARAM_STATUS_PTR, array_status, 0);
    if (SQL_SUCCEEDED(rc)) rc = SQLSetStmtAttr(st, SQL_ATTR_PARAMS_PROCESSED_PTR, &array_processed, 0);
    if (SQL_SUCCEEDED(rc))
        rc = SQLBindParameter(st, 1, SQL_PARAM_INPUT, SQL_C_CHAR, sqltype, ARRAY_WIDTH - 1, 0, array_values,
                              ARRAY_WIDTH, array_lens);
    answer("bindarray", rc, SQL_HANDLE_STMT, st);
    printf("\n");
}

static void fetch_all(void) {
    SQLSMALLINT cols = 0;
    SQLNumResultCols(st, &cols);
    long rows = 0;
    SQLRETURN rc;
    /* Rows are printed after the answer line, so they are gathered first. */
    char *out = NULL;
    size_t out_len = 0;
    FILE *mem = open_memstream(&out, &out_len);
    while ((rc = SQLFetch(st)) == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO) {
        rows++;
        fputs("  row", mem);
        for (SQLSMALLINT c = 1; c <= cols; c++) get_text(mem, (SQLUSMALLINT)c, "\t");
        fputc('\n', mem);
    }
    fclose(mem);
    answer("fetchall", rc == SQL_NO_DATA ? SQL_SUCCESS : rc, SQL_HANDLE_STMT, st);
    printf(" rows=%ld\n%s", rows, out ? out : "");
    free(out);
}

static void getinfo(char **f, int wide) {
    SQLUINTEGER v32 = 0;
    SQLUSMALLINT v16 = 0;
    SQLRETURN rc = SQLGetInfo(dbc, (SQLUSMALLINT)atoi(f[1]), wide ? (SQLPOINTER)&v32 : (SQLPOINTER)&v16,
                              wide ? sizeof v32 : sizeof v16, NULL);
    answer(f[0], rc, SQL_HANDLE_DBC, dbc);
    printf(" value=%lu\n", wide ? (unsigned long)v32 : (unsigned long)v16);
}

static void run(char **f, int nf) {
    const char *cmd = f[0];
    SQLRETURN rc;
    if (!strcmp(cmd, "connect") && nf > 1) {
        rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)f[1], SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
        answer(cmd, rc, SQL_HANDLE_DBC, dbc);
    } else if (!strcmp(cmd, "stmt")) {
        if (st) SQLFreeHandle(SQL_HANDLE_STMT, st);
        st = SQL_NULL_HSTMT;
        array_rows = 0;
        rc = SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
        answer(cmd, rc, SQL_HANDLE_DBC, dbc);
    } else if (!strcmp(cmd, "setattr") && nf > 2) {
        rc = SQLSetStmtAttr(st, atoi(f[1]), (SQLPOINTER)(size_t)atol(f[2]), 0);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
    } else if (!strcmp(cmd, "getattr") && nf > 1) {
        SQLULEN v = 0;
        rc = SQLGetStmtAttr(st, atoi(f[1]), &v, 0, NULL);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
        printf(" value=%lu", (unsigned long)v);
    } else if (!strcmp(cmd, "getinfo16") && nf > 1) {
        getinfo(f, 0);
        return;
    } else if (!strcmp(cmd, "getinfo32") && nf > 1) {
        getinfo(f, 1);
        return;
    } else if (!strcmp(cmd, "prepare") && nf > 1) {
        rc = SQLPrepare(st, (SQLCHAR *)f[1], SQL_NTS);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
    } else if (!strcmp(cmd, "execdirect") && nf > 1) {
        rc = SQLExecDirect(st, (SQLCHAR *)f[1], SQL_NTS);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
    } else if (!strcmp(cmd, "execute")) {
        rc = execute();
        answer(cmd, rc, SQL_HANDLE_STMT, st);
        if (array_rows) {
            printf(" processed=%lu statuses=", (unsigned long)array_processed);
            for (SQLULEN i = 0; i < array_rows; i++) printf("%s%u", i ? "," : "", array_status[i]);
        }
    } else if (!strcmp(cmd, "numparams") || !strcmp(cmd, "numcols")) {
        SQLSMALLINT n = 0;
        rc = !strcmp(cmd, "numparams") ? SQLNumParams(st, &n) : SQLNumResultCols(st, &n);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
        printf(" value=%d", n);
    } else if (!strcmp(cmd, "describeparam") && nf > 1) {
        SQLSMALLINT type = 0, digits = 0, nullable = 0;
        SQLULEN size = 0;
        rc = SQLDescribeParam(st, (SQLUSMALLINT)atoi(f[1]), &type, &size, &digits, &nullable);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
        printf(" type=%d size=%lu digits=%d nullable=%d", type, (unsigned long)size, digits, nullable);
    } else if (!strcmp(cmd, "describecol") && nf > 1) {
        SQLCHAR name[256];
        SQLSMALLINT len = 0, type = 0, digits = 0, nullable = 0;
        SQLULEN size = 0;
        rc = SQLDescribeCol(st, (SQLUSMALLINT)atoi(f[1]), name, sizeof name, &len, &type, &size, &digits, &nullable);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
        printf(" name=%s type=%d size=%lu digits=%d nullable=%d", SQL_SUCCEEDED(rc) ? (char *)name : "", type,
               (unsigned long)size, digits, nullable);
    } else if (!strcmp(cmd, "bind") && nf > 3) {
        bind(f, nf);
        return;
    } else if (!strcmp(cmd, "bindarray") && nf > 2) {
        bind_array(f, nf);
        return;
    } else if (!strcmp(cmd, "rowcount")) {
        SQLLEN n = 0;
        rc = SQLRowCount(st, &n);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
        printf(" value=%ld", (long)n);
    } else if (!strcmp(cmd, "fetch")) {
        rc = SQLFetch(st);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
    } else if (!strcmp(cmd, "getdata") && nf > 1) {
        /* the diagnostics are read before the value is printed */
        rc = SQLGetData(st, (SQLUSMALLINT)atoi(f[1]), SQL_C_CHAR, value_buf, sizeof value_buf, NULL);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
        if (SQL_SUCCEEDED(rc)) {
            fputs(" value=", stdout);
            escaped(stdout, value_buf, (SQLLEN)strlen(value_buf));
        }
    } else if (!strcmp(cmd, "scroll") && nf > 2) {
        rc = SQLFetchScroll(st, (SQLSMALLINT)atoi(f[1]), atol(f[2]));
        answer(cmd, rc, SQL_HANDLE_STMT, st);
        if (SQL_SUCCEEDED(rc)) get_text(stdout, 1, " value=");
    } else if (!strcmp(cmd, "fetchall")) {
        fetch_all();
        return;
    } else if (!strcmp(cmd, "closecursor")) {
        rc = SQLCloseCursor(st);
        answer(cmd, rc, SQL_HANDLE_STMT, st);
    } else {
        printf("%s rc=UNKNOWN-COMMAND states=-", cmd);
    }
    printf("\n");
}

int main(void) {
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
    static char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *f[ARRAY_ROWS + 2];
        int nf = 0;
        for (char *p = line; nf < ARRAY_ROWS + 2;) {
            f[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab) break;
            *tab = 0;
            p = tab + 1;
        }
        if (nf && f[0][0]) run(f, nf);
        fflush(stdout);
    }
    if (st) SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return 0;
}
