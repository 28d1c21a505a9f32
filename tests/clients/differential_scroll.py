"""Static cursors in the differential corpus: a statement's rows read by a
static cursor in a random sequence of SQLFetchScroll orientations must be,
move by move, the rows of its forward-only result at the positions the
spec's cursor positioning rules give (SQLFetchScroll, rowset size 1).
pyodbc has no scroll API, so the driver manager (libodbc) is called with
ctypes, in this process, like pyodbc does."""

import ctypes

from libodbc import load

SQL_HANDLE_ENV, SQL_HANDLE_DBC, SQL_HANDLE_STMT = 1, 2, 3
SQL_ATTR_ODBC_VERSION, SQL_OV_ODBC3 = 200, 3
SQL_NTS, SQL_DRIVER_NOPROMPT = -3, 0
SQL_SUCCESS, SQL_SUCCESS_WITH_INFO, SQL_NO_DATA = 0, 1, 100
SQL_ATTR_CURSOR_TYPE, SQL_CURSOR_FORWARD_ONLY, SQL_CURSOR_STATIC = 6, 0, 3
SQL_C_CHAR, SQL_NULL_DATA = 1, -1
NEXT, FIRST, LAST, PRIOR, ABSOLUTE, RELATIVE = 1, 2, 3, 4, 5, 6
NAMES = {NEXT: "NEXT", FIRST: "FIRST", LAST: "LAST", PRIOR: "PRIOR", ABSOLUTE: "ABSOLUTE", RELATIVE: "RELATIVE"}


class Connection:
    """One ODBC 3 connection through libodbc."""

    def __init__(self, conn_str):
        self.lib = load()
        self.env, self.dbc = ctypes.c_void_p(), ctypes.c_void_p()
        assert self.lib.SQLAllocHandle(SQL_HANDLE_ENV, None, ctypes.byref(self.env)) == SQL_SUCCESS
        self.lib.SQLSetEnvAttr(self.env, SQL_ATTR_ODBC_VERSION, ctypes.c_void_p(SQL_OV_ODBC3), 0)
        assert self.lib.SQLAllocHandle(SQL_HANDLE_DBC, self.env, ctypes.byref(self.dbc)) == SQL_SUCCESS
        # The ANSI entry points with UTF-8 text (the driver's ANSI encoding).
        rc = self.lib.SQLDriverConnect(self.dbc, None, conn_str.encode(), SQL_NTS, None, 0, None, SQL_DRIVER_NOPROMPT)
        assert rc in (SQL_SUCCESS, SQL_SUCCESS_WITH_INFO), rc
        self.buf = ctypes.create_string_buffer(1 << 20)

    def close(self):
        self.lib.SQLDisconnect(self.dbc)
        self.lib.SQLFreeHandle(SQL_HANDLE_DBC, self.dbc)
        self.lib.SQLFreeHandle(SQL_HANDLE_ENV, self.env)

    def _statement(self, sql, cursor_type):
        st = ctypes.c_void_p()
        assert self.lib.SQLAllocHandle(SQL_HANDLE_STMT, self.dbc, ctypes.byref(st)) == SQL_SUCCESS
        assert self.lib.SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, ctypes.c_void_p(cursor_type), 0) == SQL_SUCCESS
        rc = self.lib.SQLExecDirect(st, sql.encode(), SQL_NTS)
        assert rc in (SQL_SUCCESS, SQL_SUCCESS_WITH_INFO), f"{sql}: rc {rc}"
        n = ctypes.c_short()
        self.lib.SQLNumResultCols(st, ctypes.byref(n))
        return st, n.value

    def _row(self, st, ncols):
        out = []
        for c in range(1, ncols + 1):
            ind = ctypes.c_ssize_t()
            rc = self.lib.SQLGetData(st, c, SQL_C_CHAR, self.buf, ctypes.sizeof(self.buf), ctypes.byref(ind))
            assert rc == SQL_SUCCESS, f"SQLGetData column {c}: rc {rc}"
            out.append(None if ind.value == SQL_NULL_DATA else self.buf.raw[: ind.value].decode("utf-8"))
        return tuple(out)

    def forward_rows(self, sql):
        st, ncols = self._statement(sql, SQL_CURSOR_FORWARD_ONLY)
        rows = []
        while self.lib.SQLFetch(st) in (SQL_SUCCESS, SQL_SUCCESS_WITH_INFO):
            rows.append(self._row(st, ncols))
        self.lib.SQLFreeHandle(SQL_HANDLE_STMT, st)
        return rows

    def scrolled_rows(self, sql, moves):
        """The row each move lands on through a static cursor, or None for
        SQL_NO_DATA."""
        st, ncols = self._statement(sql, SQL_CURSOR_STATIC)
        got = []
        for orientation, offset in moves:
            rc = self.lib.SQLFetchScroll(st, orientation, offset)
            assert rc in (SQL_SUCCESS, SQL_SUCCESS_WITH_INFO, SQL_NO_DATA), f"{NAMES[orientation]} {offset}: rc {rc}"
            got.append(None if rc == SQL_NO_DATA else self._row(st, ncols))
        self.lib.SQLFreeHandle(SQL_HANDLE_STMT, st)
        return got


def random_moves(rnd, n_rows, count):
    moves = []
    for _ in range(count):
        o = rnd.choice([NEXT, NEXT, PRIOR, FIRST, LAST, ABSOLUTE, ABSOLUTE, RELATIVE, RELATIVE])
        if o == ABSOLUTE:
            k = rnd.choice([0, 1, -1, n_rows, n_rows + 1, -n_rows, -n_rows - 1,
                            rnd.randint(-n_rows - 2, n_rows + 2)])
        elif o == RELATIVE:
            k = rnd.choice([0, 1, -1, rnd.randint(-n_rows - 2, n_rows + 2)])
        else:
            k = 0
        moves.append((o, k))
    return moves


def expected_positions(n, moves):
    """Cursor Positioning Rules (SQLFetchScroll) with a rowset of one row:
    the 1-based row each move lands on, or None when it ends before the
    start (position 0) or after the end (n + 1) and returns SQL_NO_DATA."""
    pos, out = 0, []

    def absolute(k):
        if k < 0:
            return n + k + 1 if -k <= n else 0
        return k if k <= n else n + 1

    for o, k in moves:
        if n == 0:
            out.append(None)
            continue
        if o == NEXT:
            pos = n + 1 if pos >= n else pos + 1
        elif o == PRIOR:
            pos = 0 if pos <= 1 else (n if pos == n + 1 else pos - 1)
        elif o == FIRST:
            pos = 1
        elif o == LAST:
            pos = n
        elif o == ABSOLUTE:
            pos = absolute(k)
        elif o == RELATIVE:
            if (pos == 0 and k > 0) or (pos == n + 1 and k < 0):
                pos = absolute(k)
            elif pos == 0 or (pos == n + 1 and k >= 0):
                pass
            else:
                target = pos + k
                pos = 0 if target < 1 else (n + 1 if target > n else target)
        out.append(pos if 1 <= pos <= n else None)
    return out
