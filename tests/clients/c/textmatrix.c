/*
 * One cell of the text matrix (tests/clients/test_text_matrix.py): connects
 * with the ANSI or the wide connect function, runs one statement through
 * the ANSI or the wide SQLExecDirect, and prints every row's columns read
 * back both as SQL_C_CHAR and as SQL_C_WCHAR, as hex of their UTF-8 bytes
 * (the program converts UTF-16 itself, so the locale never touches what it
 * reports). Linked against a driver manager, never against the driver.
 *
 *   textmatrix A|W A|W CONNSTR SQL
 *
 * It calls setlocale(LC_ALL, "") like most applications, so LANG decides
 * the codeset the driver manager converts with. Output, one fact a line:
 *   connect rc=...            exec rc=...
 *   info driver_name=<hex>    (SQLGetInfo or SQLGetInfoW, as the connect)
 *   diag <where> state=... msg=...         (SQLGetDiagRec)
 *   wdiag <where> state=<hex> msg=<hex>    (SQLGetDiagRecW, after a W call)
 *   col <c> describe=<hex> label=<hex> len=<n> llen=<n>
 *        SQLDescribeCol[W] and SQLColAttribute[W](SQL_DESC_LABEL), A or W as
 *        the statement text; len/llen the reported lengths, in characters
 *        for W (SQLWCHARs) and in bytes for A
 *   row <n> <col> char=<hex> rc=...  or  row <n> <col> wchar=<hex> rc=...
 *   rows=<n>
 */
#include <locale.h>
#include <sql.h>
#include <sqlext.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rc_name.h"

/* UTF-8 to NUL-terminated SQLWCHARs (UTF-16, or UCS-4 when SQLWCHAR is 4
 * bytes as under iODBC); exits on invalid input. */
static SQLWCHAR *widen(const char *s) {
    size_t n = strlen(s);
    SQLWCHAR *out = calloc(2 * n + 1, sizeof(SQLWCHAR));
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        int len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        c = len == 1 ? *p : len == 2 ? (*p & 0x1F) : len == 3 ? (*p & 0x0F) : (*p & 0x07);
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80) { fprintf(stderr, "bad UTF-8 argument\n"); exit(2); }
            c = (c << 6) | (p[i] & 0x3F);
        }
        p += len;
        if (sizeof(SQLWCHAR) == 2 && c >= 0x10000) {
            c -= 0x10000;
            out[o++] = (SQLWCHAR)(0xD800 + (c >> 10));
            out[o++] = (SQLWCHAR)(0xDC00 + (c & 0x3FF));
        } else {
            out[o++] = (SQLWCHAR)c;
        }
    }
    return out;
}

/* Prints the UTF-8 bytes of `units` SQLWCHARs as hex (surrogate pairs
 * joined; an unpaired one printed as "?"). */
static void print_wide_hex(const SQLWCHAR *w, size_t units) {
    for (size_t i = 0; i < units; i++) {
        uint32_t c = w[i];
        if (sizeof(SQLWCHAR) == 2 && c >= 0xD800 && c < 0xDC00 && i + 1 < units &&
            w[i + 1] >= 0xDC00 && w[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (w[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c < 0xE000) {
            printf("?");
            continue;
        }
        unsigned char b[4];
        int n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (n == 1) b[0] = (unsigned char)c;
        else {
            for (int k = n - 1; k > 0; k--) { b[k] = 0x80 | (c & 0x3F); c >>= 6; }
            b[0] = (unsigned char)((n == 2 ? 0xC0 : n == 3 ? 0xE0 : 0xF0) | c);
        }
        for (int k = 0; k < n; k++) printf("%02x", b[k]);
    }
}

static void dump_diag(const char *where, SQLSMALLINT type, SQLHANDLE h) {
    SQLCHAR state[6], msg[1024];
    SQLINTEGER native;
    SQLSMALLINT len;
    for (SQLSMALLINT i = 1; SQL_SUCCEEDED(SQLGetDiagRec(type, h, i, state, &native, msg, sizeof msg, &len)); i++)
        printf("diag %s state=%s msg=%s\n", where, state, msg);
}

/* The same through SQLGetDiagRecW, in hex, so the DM's conversion of
 * diagnostics for wide applications shows exactly. */
static void dump_wdiag(const char *where, SQLSMALLINT type, SQLHANDLE h) {
    SQLWCHAR state[6], msg[1024];
    SQLINTEGER native;
    SQLSMALLINT len;
    for (SQLSMALLINT i = 1; SQL_SUCCEEDED(SQLGetDiagRecW(type, h, i, state, &native, msg, 1024, &len)); i++) {
        printf("wdiag %s state=", where);
        print_wide_hex(state, 5);
        printf(" msg=");
        print_wide_hex(msg, (size_t)len);
        printf("\n");
    }
}

static void print_hex(const SQLCHAR *b, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

/* Column names as the statement text's kind of function reports them. */
static void describe(SQLHSTMT st, SQLSMALLINT cols, int wide) {
    for (SQLUSMALLINT c = 1; c <= cols; c++) {
        SQLSMALLINT len = 0, type, digits, nullable, llen = 0;
        SQLULEN size;
        printf("col %d describe=", c);
        if (wide) {
            SQLWCHAR name[256], label[256];
            SQLDescribeColW(st, c, name, 256, &len, &type, &size, &digits, &nullable);
            print_wide_hex(name, (size_t)len);
            SQLColAttributeW(st, c, SQL_DESC_LABEL, label, sizeof label, &llen, NULL);
            printf(" label=");
            print_wide_hex(label, (size_t)llen / sizeof(SQLWCHAR));
            llen /= (SQLSMALLINT)sizeof(SQLWCHAR);
        } else {
            SQLCHAR name[256] = {0}, label[256] = {0};
            /* Printed up to the NUL; the lengths separately (iODBC reports
             * characters where the spec says bytes). */
            SQLDescribeCol(st, c, name, sizeof name, &len, &type, &size, &digits, &nullable);
            print_hex(name, strlen((char *)name));
            SQLColAttribute(st, c, SQL_DESC_LABEL, label, sizeof label, &llen, NULL);
            printf(" label=");
            print_hex(label, strlen((char *)label));
        }
        printf(" len=%d llen=%d\n", len, llen);
    }
}

int main(int argc, char **argv) {
    if (argc != 5 || (argv[1][0] != 'A' && argv[1][0] != 'W') || (argv[2][0] != 'A' && argv[2][0] != 'W')) {
        fprintf(stderr, "usage: textmatrix A|W A|W CONNSTR SQL\n");
        return 2;
    }
    setlocale(LC_ALL, "");
    SQLHENV env;
    SQLHDBC dbc;
    SQLHSTMT st;
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);

    SQLRETURN rc;
    if (argv[1][0] == 'A')
        rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)argv[3], SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
    else
        rc = SQLDriverConnectW(dbc, NULL, widen(argv[3]), SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT);
    printf("connect rc=%s\n", rc_name(rc));
    dump_diag("connect", SQL_HANDLE_DBC, dbc);
    if (!SQL_SUCCEEDED(rc)) return 1;
    {
        SQLSMALLINT len = 0;
        printf("info driver_name=");
        if (argv[1][0] == 'A') {
            SQLCHAR name[256];
            SQLGetInfo(dbc, SQL_DRIVER_NAME, name, sizeof name, &len);
            print_hex(name, (size_t)len);
        } else {
            SQLWCHAR name[256];
            SQLGetInfoW(dbc, SQL_DRIVER_NAME, name, sizeof name, &len);
            print_wide_hex(name, (size_t)len / sizeof(SQLWCHAR));
        }
        printf("\n");
    }

    SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);
    if (argv[2][0] == 'A')
        rc = SQLExecDirect(st, (SQLCHAR *)argv[4], SQL_NTS);
    else
        rc = SQLExecDirectW(st, widen(argv[4]), SQL_NTS);
    printf("exec rc=%s\n", rc_name(rc));
    if (argv[2][0] == 'W') dump_wdiag("exec", SQL_HANDLE_STMT, st);
    dump_diag("exec", SQL_HANDLE_STMT, st);
    if (!SQL_SUCCEEDED(rc)) return 1;

    SQLSMALLINT cols = 0;
    SQLNumResultCols(st, &cols);
    describe(st, cols, argv[2][0] == 'W');
    int rows = 0;
    while (SQL_SUCCEEDED(rc = SQLFetch(st))) {
        rows++;
        for (SQLUSMALLINT c = 1; c <= cols; c++) {
            /* The same column twice is not allowed, so CHAR and WCHAR come
             * from two columns the query selects alike (see the test). */
            static SQLCHAR a[4096];
            static SQLWCHAR w[4096];
            SQLLEN ind;
            printf("row %d %d ", rows, c);
            if (c % 2 == 1) {
                rc = SQLGetData(st, c, SQL_C_CHAR, a, sizeof a, &ind);
                printf("char=");
                if (SQL_SUCCEEDED(rc) && ind >= 0)
                    for (SQLLEN i = 0; i < ind; i++) printf("%02x", a[i]);
            } else {
                rc = SQLGetData(st, c, SQL_C_WCHAR, w, sizeof w, &ind);
                printf("wchar=");
                if (SQL_SUCCEEDED(rc) && ind >= 0) print_wide_hex(w, (size_t)ind / sizeof(SQLWCHAR));
            }
            printf(" rc=%s\n", rc_name(rc));
            if (!SQL_SUCCEEDED(rc)) dump_diag("getdata", SQL_HANDLE_STMT, st);
        }
    }
    if (rc != SQL_NO_DATA) {
        printf("fetch rc=%s\n", rc_name(rc));
        dump_diag("fetch", SQL_HANDLE_STMT, st);
    }
    printf("rows=%d\n", rows);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return 0;
}
