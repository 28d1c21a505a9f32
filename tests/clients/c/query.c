/*
 * A plain ODBC 3 C client, linked against unixODBC (-lodbc), never against the
 * driver. The pytest test_c_client.py builds it and checks its output, which is
 * one `key=value ...` fact per line.
 *
 *   query CONNSTR            the full run (see main)
 *   query --connect CONNSTR  connect only; prints the return code and every diagnostic record
 *   query --getdata CONNSTR SQL CHUNK
 *                            column 1 of the first row by SQLGetData(SQL_C_CHAR) in CHUNK-byte pieces
 */
#include <sql.h>
#include <sqlext.h>

#include "rc_name.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rc_name.h"

static SQLHENV env;
static SQLHDBC dbc;

/* Prints every diagnostic record of a handle: diag <tag> <n> state=XXXXX msg=... */
static int dump_diag(const char *tag, SQLSMALLINT type, SQLHANDLE h) {
    SQLCHAR state[6], msg[2048];
    SQLINTEGER native;
    SQLSMALLINT len;
    int n = 0;
    for (SQLSMALLINT i = 1;; i++) {
        SQLRETURN rc = SQLGetDiagRec(type, h, i, state, &native, msg, sizeof msg, &len);
        if (rc == SQL_NO_DATA) break;
        if (!SQL_SUCCEEDED(rc)) {
            printf("diag %s %d getdiagrec_rc=%s\n", tag, i, rc_name(rc));
            break;
        }
        printf("diag %s %d state=%s msg=%s\n", tag, i, state, msg);
        n++;
    }
    return n;
}

static void die(const char *what, SQLSMALLINT type, SQLHANDLE h, SQLRETURN rc) {
    printf("fatal %s rc=%s\n", what, rc_name(rc));
    dump_diag(what, type, h);
    exit(1);
}

#define CHECK(what, type, h, call)                       \
    do {                                                 \
        SQLRETURN rc_ = (call);                          \
        if (!SQL_SUCCEEDED(rc_)) die(what, type, h, rc_); \
    } while (0)

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}
#define FNV_INIT 14695981039346656037ULL

static SQLRETURN do_connect(const char *cs) {
    SQLCHAR out[4096];
    SQLSMALLINT outlen;
    CHECK("alloc_env", SQL_HANDLE_ENV, SQL_NULL_HANDLE, SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env));
    CHECK("set_odbc3", SQL_HANDLE_ENV, env, SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0));
    CHECK("alloc_dbc", SQL_HANDLE_ENV, env, SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc));
    SQLRETURN rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)cs, SQL_NTS, out, sizeof out, &outlen, SQL_DRIVER_NOPROMPT);
    printf("connect rc=%s\n", rc_name(rc));
    dump_diag("connect", SQL_HANDLE_DBC, dbc);
    return rc;
}

/* Reads column `col` of the current row with SQLGetData(SQL_C_CHAR) in chunks
 * of `chunk` bytes (including the NUL). Prints what it saw. */
static void chunked_char(SQLHSTMT st, SQLUSMALLINT col, SQLLEN chunk, const char *tag) {
    char *buf = malloc(chunk);
    size_t total = 0;
    int calls = 0, truncations = 0, bad_state = 0;
    SQLLEN first_ind = -999, ind;
    uint64_t h = FNV_INIT;
    SQLRETURN rc;
    for (;;) {
        rc = SQLGetData(st, col, SQL_C_CHAR, buf, chunk, &ind);
        if (rc == SQL_NO_DATA) break;
        if (!SQL_SUCCEEDED(rc)) die("getdata", SQL_HANDLE_STMT, st, rc);
        calls++;
        if (calls == 1) first_ind = ind;
        size_t got;
        if (rc == SQL_SUCCESS_WITH_INFO) {
            SQLCHAR state[6], msg[512];
            SQLINTEGER native;
            SQLSMALLINT len;
            SQLGetDiagRec(SQL_HANDLE_STMT, st, 1, state, &native, msg, sizeof msg, &len);
            if (strcmp((char *)state, "01004") == 0) truncations++;
            else bad_state++;
            got = strlen(buf); /* a full buffer minus the NUL (less if a character was not split) */
        } else {
            got = ind == SQL_NULL_DATA ? 0 : (size_t)ind;
        }
        if (ind == SQL_NULL_DATA) {
            printf("%s null=1\n", tag);
            free(buf);
            return;
        }
        h = fnv1a(h, (unsigned char *)buf, got);
        total += got;
        if (rc == SQL_SUCCESS) {
            /* the last piece: the next call must say SQL_NO_DATA */
            rc = SQLGetData(st, col, SQL_C_CHAR, buf, chunk, &ind);
            printf("%s after_last=%s\n", tag, rc_name(rc));
            break;
        }
        if (calls > 10000000) break;
    }
    printf("%s bytes=%zu calls=%d truncations=%d other_states=%d first_ind=%ld fnv=%016llx\n", tag, total, calls,
           truncations, bad_state, (long)first_ind, (unsigned long long)h);
    free(buf);
}

/* SQL_C_WCHAR in chunks of `units` UTF-16 units (including the NUL); prints the
 * UTF-16LE bytes in hex so a surrogate pair split over two chunks shows. */
static void chunked_wchar(SQLHSTMT st, SQLUSMALLINT col, int units, const char *tag) {
    SQLWCHAR buf[64];
    SQLLEN ind;
    int calls = 0, truncations = 0;
    printf("%s hex=", tag);
    for (;;) {
        SQLRETURN rc = SQLGetData(st, col, SQL_C_WCHAR, buf, units * sizeof(SQLWCHAR), &ind);
        if (rc == SQL_NO_DATA) break;
        if (!SQL_SUCCEEDED(rc)) {
            printf("\n");
            die("getdata_w", SQL_HANDLE_STMT, st, rc);
        }
        calls++;
        int n = rc == SQL_SUCCESS_WITH_INFO ? units - 1 : (int)(ind / sizeof(SQLWCHAR));
        if (rc == SQL_SUCCESS_WITH_INFO) truncations++;
        for (int i = 0; i < n; i++) printf("%02x%02x", buf[i] & 0xff, (buf[i] >> 8) & 0xff);
        if (calls > 1000) break;
    }
    printf(" calls=%d truncations=%d\n", calls, truncations);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 3 && strcmp(argv[1], "--connect") == 0) {
        SQLRETURN rc = do_connect(argv[2]);
        if (SQL_SUCCEEDED(rc)) SQLDisconnect(dbc);
        return SQL_SUCCEEDED(rc) ? 0 : 3;
    }
    if (argc == 5 && strcmp(argv[1], "--getdata") == 0) {
        if (!SQL_SUCCEEDED(do_connect(argv[2]))) return 3;
        SQLHSTMT st;
        CHECK("alloc_stmt", SQL_HANDLE_DBC, dbc, SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st));
        CHECK("exec", SQL_HANDLE_STMT, st, SQLExecDirect(st, (SQLCHAR *)argv[3], SQL_NTS));
        CHECK("fetch", SQL_HANDLE_STMT, st, SQLFetch(st));
        chunked_char(st, 1, atol(argv[4]), "getdata");
        SQLFreeHandle(SQL_HANDLE_STMT, st);
        SQLDisconnect(dbc);
        printf("done\n");
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: query CONNSTR | query --connect CONNSTR | query --getdata CONNSTR SQL CHUNK\n");
        return 2;
    }
    if (!SQL_SUCCEEDED(do_connect(argv[1]))) return 3;

    SQLHSTMT st;
    CHECK("alloc_stmt", SQL_HANDLE_DBC, dbc, SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st));

    /* 1. bound columns + SQLGetData for the long text column, in small chunks */
    CHECK("exec1", SQL_HANDLE_STMT, st,
          SQLExecDirect(st, (SQLCHAR *)"SELECT id, name, price, created_at, stock, description FROM Products "
                                       "WHERE id <= 3 OR length(description) > 8000 ORDER BY id", SQL_NTS));
    SQLSMALLINT ncols;
    CHECK("numcols", SQL_HANDLE_STMT, st, SQLNumResultCols(st, &ncols));
    printf("numcols=%d\n", ncols);
    for (SQLUSMALLINT c = 1; c <= (SQLUSMALLINT)ncols; c++) {
        SQLCHAR name[128];
        SQLSMALLINT nlen, type, digits, nullable;
        SQLULEN size;
        CHECK("describe", SQL_HANDLE_STMT, st, SQLDescribeCol(st, c, name, sizeof name, &nlen, &type, &size, &digits, &nullable));
        printf("col %d name=%s type=%d size=%lu digits=%d\n", c, name, type, (unsigned long)size, digits);
    }
    SQLBIGINT id;
    SQLCHAR name[512], price[64];
    SQL_TIMESTAMP_STRUCT created;
    SQLINTEGER stock;
    SQLLEN id_ind, name_ind, price_ind, created_ind, stock_ind;
    CHECK("bind1", SQL_HANDLE_STMT, st, SQLBindCol(st, 1, SQL_C_SBIGINT, &id, 0, &id_ind));
    CHECK("bind2", SQL_HANDLE_STMT, st, SQLBindCol(st, 2, SQL_C_CHAR, name, sizeof name, &name_ind));
    CHECK("bind3", SQL_HANDLE_STMT, st, SQLBindCol(st, 3, SQL_C_CHAR, price, sizeof price, &price_ind));
    CHECK("bind4", SQL_HANDLE_STMT, st, SQLBindCol(st, 4, SQL_C_TYPE_TIMESTAMP, &created, sizeof created, &created_ind));
    CHECK("bind5", SQL_HANDLE_STMT, st, SQLBindCol(st, 5, SQL_C_SLONG, &stock, 0, &stock_ind));
    int rows = 0;
    SQLRETURN rc;
    while ((rc = SQLFetch(st)) != SQL_NO_DATA) {
        if (!SQL_SUCCEEDED(rc)) die("fetch1", SQL_HANDLE_STMT, st, rc);
        rows++;
        printf("row id=%lld name=%s price=%s created=%04d-%02d-%02d %02d:%02d:%02d.%u stock=%s%d\n", (long long)id,
               name_ind == SQL_NULL_DATA ? "<NULL>" : (char *)name, price_ind == SQL_NULL_DATA ? "<NULL>" : (char *)price,
               created.year, created.month, created.day, created.hour, created.minute, created.second,
               (unsigned)created.fraction, stock_ind == SQL_NULL_DATA ? "NULL" : "", stock_ind == SQL_NULL_DATA ? 0 : (int)stock);
        char tag[32];
        snprintf(tag, sizeof tag, "desc %lld", (long long)id);
        chunked_char(st, 6, 64, tag);
    }
    printf("fetch1 end=%s rows=%d\n", rc_name(rc), rows);
    rc = SQLFetch(st);
    printf("fetch1 again=%s\n", rc_name(rc));
    SQLCloseCursor(st);
    SQLFreeStmt(st, SQL_UNBIND);

    /* 2. a bound buffer too small: 01004 and the full length in the indicator */
    CHECK("exec2", SQL_HANDLE_STMT, st, SQLExecDirect(st, (SQLCHAR *)"SELECT name FROM Products WHERE id = 10", SQL_NTS));
    SQLCHAR small[8];
    SQLLEN small_ind;
    CHECK("bind_small", SQL_HANDLE_STMT, st, SQLBindCol(st, 1, SQL_C_CHAR, small, sizeof small, &small_ind));
    rc = SQLFetch(st);
    printf("bound_small rc=%s ind=%ld value_len=%zu\n", rc_name(rc), (long)small_ind, strlen((char *)small));
    dump_diag("bound_small", SQL_HANDLE_STMT, st);
    SQLCloseCursor(st);
    SQLFreeStmt(st, SQL_UNBIND);

    /* 3. wide chunks over a name with a non-BMP emoji (a surrogate pair) */
    CHECK("exec3", SQL_HANDLE_STMT, st, SQLExecDirect(st, (SQLCHAR *)"SELECT name FROM Products WHERE id = 10", SQL_NTS));
    CHECK("fetch3", SQL_HANDLE_STMT, st, SQLFetch(st));
    chunked_wchar(st, 1, 4, "wname 10");
    SQLCloseCursor(st);

    /* 4. an error: SQL_ERROR with a diagnostic record */
    rc = SQLExecDirect(st, (SQLCHAR *)"SELECT * FROM NoSuchTable", SQL_NTS);
    printf("error_exec rc=%s\n", rc_name(rc));
    SQLINTEGER nrec = -1;
    SQLGetDiagField(SQL_HANDLE_STMT, st, 0, SQL_DIAG_NUMBER, &nrec, 0, NULL);
    printf("error_exec diag_number=%d\n", (int)nrec);
    dump_diag("error_exec", SQL_HANDLE_STMT, st);
    rc = SQLExecDirect(st, (SQLCHAR *)"SELEC 1", SQL_NTS);
    printf("syntax_exec rc=%s\n", rc_name(rc));
    dump_diag("syntax_exec", SQL_HANDLE_STMT, st);

    /* 5. the statement still works after the errors */
    CHECK("exec5", SQL_HANDLE_STMT, st, SQLExecDirect(st, (SQLCHAR *)"SELECT COUNT(*) FROM Orders", SQL_NTS));
    SQLBIGINT count = -1;
    CHECK("fetch5", SQL_HANDLE_STMT, st, SQLFetch(st));
    CHECK("getdata5", SQL_HANDLE_STMT, st, SQLGetData(st, 1, SQL_C_SBIGINT, &count, 0, NULL));
    printf("orders_count=%lld\n", (long long)count);

    SQLFreeHandle(SQL_HANDLE_STMT, st);
    CHECK("disconnect", SQL_HANDLE_DBC, dbc, SQLDisconnect(dbc));
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    printf("done\n");
    return 0;
}
