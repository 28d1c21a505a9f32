/*
 * query.c -- calls the Jumpseller ODBC driver directly (no driver manager):
 * connects with SQLDriverConnect, runs one query and prints the rows as
 * tab-separated text.
 *
 * Build (from the repository root, after `cargo build`):
 *     cc -I include examples/query.c -o query \
 *        -L target/debug -ljumpseller_odbc -Wl,-rpath,$PWD/target/debug
 *
 * Run against the sandbox (`cargo run -p jumpseller-sandbox -- serve --port 0`
 * prints its URL):
 *     ./query http://127.0.0.1:PORT/v1 ["SELECT id, name FROM Products LIMIT 5"]
 *
 * Optional: the environment variables JUMPSELLER_LOGIN and JUMPSELLER_AUTHTOKEN
 * override the sandbox credentials (sandbox / sandbox-authtoken).
 *
 * Exit status: 0 on success, 1 on an ODBC error (its SQLSTATE and message are
 * printed on stderr), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jumpseller_odbc.h"

/* The few ODBC constants used here (values from the ODBC specification). */
#define SQL_SUCCESS 0
#define SQL_SUCCESS_WITH_INFO 1
#define SQL_NO_DATA 100
#define SQL_NTS (-3)
#define SQL_NULL_DATA (-1)
#define SQL_HANDLE_ENV 1
#define SQL_HANDLE_DBC 2
#define SQL_HANDLE_STMT 3
#define SQL_ATTR_ODBC_VERSION 200
#define SQL_OV_ODBC3 3
#define SQL_DRIVER_NOPROMPT 0
#define SQL_C_CHAR 1

#define OK(rc) ((rc) == SQL_SUCCESS || (rc) == SQL_SUCCESS_WITH_INFO)

/* Prints every diagnostic record of a handle; returns the first SQLSTATE's class. */
static void print_diags(const char *what, int16_t type, JumpsellerOdbcHandle h)
{
    uint8_t state[6], msg[1024];
    int32_t native;
    int16_t len;
    for (int16_t i = 1;; i++) {
        int16_t rc = SQLGetDiagRec(type, h, i, state, &native, msg, (int16_t)sizeof msg, &len);
        if (!OK(rc))
            break;
        fprintf(stderr, "%s: [%s] %s\n", what, (const char *)state, (const char *)msg);
    }
}

static int fail(const char *what, int16_t type, JumpsellerOdbcHandle h, int16_t rc)
{
    fprintf(stderr, "%s failed (return code %d)\n", what, rc);
    print_diags(what, type, h);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s URL [SQL]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    const char *sql = argc > 2 ? argv[2] : "SELECT id, name, price FROM Products ORDER BY id LIMIT 5";
    const char *login = getenv("JUMPSELLER_LOGIN") ? getenv("JUMPSELLER_LOGIN") : "sandbox";
    const char *token = getenv("JUMPSELLER_AUTHTOKEN") ? getenv("JUMPSELLER_AUTHTOKEN") : "sandbox-authtoken";

    char conn[2048];
    snprintf(conn, sizeof conn, "URL={%s};Login={%s};AuthToken={%s}", url, login, token);

    JumpsellerOdbcHandle env = NULL, dbc = NULL, stmt = NULL;
    int16_t rc;
    int status = 1;

    if (!OK(rc = SQLAllocHandle(SQL_HANDLE_ENV, NULL, &env))) {
        fprintf(stderr, "SQLAllocHandle(ENV) failed (%d)\n", rc);
        return 1;
    }
    /* The driver manager would do this for us; linked directly, we must. */
    if (!OK(rc = SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (void *)(intptr_t)SQL_OV_ODBC3, 0))) {
        status = fail("SQLSetEnvAttr", SQL_HANDLE_ENV, env, rc);
        goto free_env;
    }
    if (!OK(rc = SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
        status = fail("SQLAllocHandle(DBC)", SQL_HANDLE_ENV, env, rc);
        goto free_env;
    }

    uint8_t out[2048];
    int16_t out_len = 0;
    rc = SQLDriverConnect(dbc, NULL, (const uint8_t *)conn, SQL_NTS, out, (int16_t)sizeof out, &out_len, SQL_DRIVER_NOPROMPT);
    if (!OK(rc)) {
        status = fail("SQLDriverConnect", SQL_HANDLE_DBC, dbc, rc);
        goto free_dbc;
    }
    if (rc == SQL_SUCCESS_WITH_INFO)
        print_diags("SQLDriverConnect (warning)", SQL_HANDLE_DBC, dbc);

    if (!OK(rc = SQLAllocHandle(SQL_HANDLE_STMT, dbc, &stmt))) {
        status = fail("SQLAllocHandle(STMT)", SQL_HANDLE_DBC, dbc, rc);
        goto disconnect;
    }
    if (!OK(rc = SQLExecDirect(stmt, (const uint8_t *)sql, SQL_NTS))) {
        status = fail("SQLExecDirect", SQL_HANDLE_STMT, stmt, rc);
        goto free_stmt;
    }

    int16_t ncols = 0;
    if (!OK(rc = SQLNumResultCols(stmt, &ncols))) {
        status = fail("SQLNumResultCols", SQL_HANDLE_STMT, stmt, rc);
        goto free_stmt;
    }

    /* Header line: the column names. */
    for (uint16_t c = 1; c <= (uint16_t)ncols; c++) {
        uint8_t name[256];
        int16_t name_len, type, digits, nullable;
        uint64_t size;
        if (!OK(rc = SQLDescribeCol(stmt, c, name, (int16_t)sizeof name, &name_len, &type, &size, &digits, &nullable))) {
            status = fail("SQLDescribeCol", SQL_HANDLE_STMT, stmt, rc);
            goto free_stmt;
        }
        printf("%s%s", c > 1 ? "\t" : "", (const char *)name);
    }
    printf("\n");

    /* Rows: every column fetched as text with SQLGetData, in pieces if long. */
    long rows = 0;
    while ((rc = SQLFetch(stmt)) != SQL_NO_DATA) {
        if (!OK(rc)) {
            status = fail("SQLFetch", SQL_HANDLE_STMT, stmt, rc);
            goto free_stmt;
        }
        for (uint16_t c = 1; c <= (uint16_t)ncols; c++) {
            if (c > 1)
                putchar('\t');
            for (;;) {
                char buf[512];
                intptr_t ind = 0;
                rc = SQLGetData(stmt, c, SQL_C_CHAR, buf, (intptr_t)sizeof buf, &ind);
                if (rc == SQL_NO_DATA)
                    break; /* all pieces read */
                if (!OK(rc)) {
                    status = fail("SQLGetData", SQL_HANDLE_STMT, stmt, rc);
                    goto free_stmt;
                }
                if (ind == SQL_NULL_DATA) {
                    fputs("NULL", stdout);
                    break;
                }
                fputs(buf, stdout);
                if (rc == SQL_SUCCESS)
                    break; /* the whole value fitted */
                /* SQL_SUCCESS_WITH_INFO (01004): more of this value follows. */
            }
        }
        putchar('\n');
        rows++;
    }
    fprintf(stderr, "%ld row(s)\n", rows);
    status = 0;

free_stmt:
    SQLFreeHandle(SQL_HANDLE_STMT, stmt);
disconnect:
    SQLDisconnect(dbc);
free_dbc:
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
free_env:
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return status;
}
