"""Static (scrollable) cursors through unixODBC. pyodbc has no scroll API
beyond cursor.skip, so the driver manager's C API is called with ctypes:
SQLFetchScroll in several orientations, SQLExtendedFetch, SQLSetPos then
SQLGetData, bookmarks and cursor names, and the SQLGetInfo claims that
tell an application static cursors exist. Reads only: the shared sandbox.
"""

import ctypes

from libodbc import load as _libodbc

SQL_HANDLE_ENV, SQL_HANDLE_DBC, SQL_HANDLE_STMT = 1, 2, 3
SQL_ATTR_ODBC_VERSION, SQL_OV_ODBC3 = 200, 3
SQL_NTS, SQL_DRIVER_NOPROMPT = -3, 0
SQL_SUCCESS, SQL_SUCCESS_WITH_INFO, SQL_NO_DATA, SQL_ERROR = 0, 1, 100, -1
SQL_ATTR_CURSOR_TYPE, SQL_CURSOR_STATIC, SQL_CURSOR_KEYSET_DRIVEN = 6, 3, 1
SQL_ATTR_ROW_ARRAY_SIZE, SQL_ATTR_ROWS_FETCHED_PTR, SQL_ATTR_ROW_STATUS_PTR = 27, 26, 25
SQL_ATTR_USE_BOOKMARKS, SQL_UB_VARIABLE, SQL_ATTR_FETCH_BOOKMARK_PTR = 12, 2, 16
SQL_FETCH_NEXT, SQL_FETCH_FIRST, SQL_FETCH_LAST, SQL_FETCH_PRIOR = 1, 2, 3, 4
SQL_FETCH_ABSOLUTE, SQL_FETCH_RELATIVE, SQL_FETCH_BOOKMARK = 5, 6, 8
SQL_C_CHAR, SQL_C_SBIGINT, SQL_C_VARBOOKMARK = 1, -25, -2
SQL_POSITION, SQL_LOCK_NO_CHANGE = 0, 0
SQL_SCROLL_OPTIONS, SQL_SO_STATIC = 44, 0x10
SQL_STATIC_CURSOR_ATTRIBUTES1, SQL_CA1_ABSOLUTE, SQL_CA1_POS_POSITION = 167, 0x2, 0x200
SQL_API_SQLSETPOS, SQL_API_SQLEXTENDEDFETCH = 68, 59

ORDERS = b"SELECT id FROM Orders ORDER BY id"


def _states(lib, handle_type, handle):
    out = []
    for n in range(1, 10):
        state, native = ctypes.create_string_buffer(6), ctypes.c_int()
        msg, length = ctypes.create_string_buffer(2048), ctypes.c_short()
        rc = lib.SQLGetDiagRec(handle_type, handle, n, state, ctypes.byref(native), msg, 2048,
                               ctypes.byref(length))
        if rc not in (SQL_SUCCESS, SQL_SUCCESS_WITH_INFO):
            break
        out.append(state.value.decode())
    return out


class _Conn:
    def __init__(self, sandbox):
        self.lib = lib = _libodbc()
        self.env, self.dbc = ctypes.c_void_p(), ctypes.c_void_p()
        assert lib.SQLAllocHandle(SQL_HANDLE_ENV, None, ctypes.byref(self.env)) == SQL_SUCCESS
        lib.SQLSetEnvAttr(self.env, SQL_ATTR_ODBC_VERSION, SQL_OV_ODBC3, 0)
        assert lib.SQLAllocHandle(SQL_HANDLE_DBC, self.env, ctypes.byref(self.dbc)) == SQL_SUCCESS
        rc = lib.SQLDriverConnect(self.dbc, None, sandbox.conn_str().encode(), SQL_NTS, None, 0,
                                  None, SQL_DRIVER_NOPROMPT)
        assert rc in (SQL_SUCCESS, SQL_SUCCESS_WITH_INFO), _states(lib, SQL_HANDLE_DBC, self.dbc)

    def stmt(self):
        st = ctypes.c_void_p()
        assert self.lib.SQLAllocHandle(SQL_HANDLE_STMT, self.dbc, ctypes.byref(st)) == SQL_SUCCESS
        return st

    def close(self):
        self.lib.SQLDisconnect(self.dbc)
        self.lib.SQLFreeHandle(SQL_HANDLE_DBC, self.dbc)
        self.lib.SQLFreeHandle(SQL_HANDLE_ENV, self.env)


def _text(lib, st, col=1):
    buf, ind = ctypes.create_string_buffer(64), ctypes.c_ssize_t()
    rc = lib.SQLGetData(st, col, SQL_C_CHAR, buf, 64, ctypes.byref(ind))
    assert rc == SQL_SUCCESS, _states(lib, SQL_HANDLE_STMT, st)
    return buf.value.decode()


def test_static_cursor_scrolls_through_the_driver_manager(sandbox):
    c = _Conn(sandbox)
    lib = c.lib
    try:
        st = c.stmt()
        assert lib.SQLExecDirect(st, ORDERS, SQL_NTS) == SQL_SUCCESS
        want = []
        while lib.SQLFetchScroll(st, SQL_FETCH_NEXT, 0) == SQL_SUCCESS:
            want.append(int(_text(lib, st)))
        assert len(want) == 400
        # Forward-only: other orientations are refused.
        assert lib.SQLFetchScroll(st, SQL_FETCH_FIRST, 0) == SQL_ERROR
        lib.SQLFreeHandle(SQL_HANDLE_STMT, st)

        st = c.stmt()
        # KEYSET_DRIVEN becomes STATIC with 01S02.
        rc = lib.SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, SQL_CURSOR_KEYSET_DRIVEN, 0)
        assert rc == SQL_SUCCESS_WITH_INFO
        assert _states(lib, SQL_HANDLE_STMT, st) == ["01S02"]
        assert lib.SQLExecDirect(st, ORDERS, SQL_NTS) == SQL_SUCCESS
        for orientation, offset, row in [(SQL_FETCH_LAST, 0, 400), (SQL_FETCH_PRIOR, 0, 399),
                                         (SQL_FETCH_ABSOLUTE, 17, 17), (SQL_FETCH_RELATIVE, -7, 10),
                                         (SQL_FETCH_ABSOLUTE, -2, 399), (SQL_FETCH_FIRST, 0, 1)]:
            assert lib.SQLFetchScroll(st, orientation, offset) == SQL_SUCCESS, \
                _states(lib, SQL_HANDLE_STMT, st)
            assert int(_text(lib, st)) == want[row - 1], (orientation, offset)
        assert lib.SQLFetchScroll(st, SQL_FETCH_PRIOR, 0) == SQL_NO_DATA
        assert lib.SQLFetchScroll(st, SQL_FETCH_ABSOLUTE, 401) == SQL_NO_DATA
        lib.SQLFreeHandle(SQL_HANDLE_STMT, st)
    finally:
        c.close()


def test_block_fetch_set_pos_and_bookmarks(sandbox):
    c = _Conn(sandbox)
    lib = c.lib
    try:
        st = c.stmt()
        ids = (ctypes.c_int64 * 5)()
        ind = (ctypes.c_ssize_t * 5)()
        marks = (ctypes.c_uint64 * 5)()
        mark_ind = (ctypes.c_ssize_t * 5)()
        fetched = ctypes.c_size_t()
        status = (ctypes.c_ushort * 5)()
        lib.SQLSetStmtAttr(st, SQL_ATTR_CURSOR_TYPE, SQL_CURSOR_STATIC, 0)
        lib.SQLSetStmtAttr(st, SQL_ATTR_USE_BOOKMARKS, SQL_UB_VARIABLE, 0)
        lib.SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, 5, 0)
        lib.SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, ctypes.addressof(fetched), 0)
        lib.SQLSetStmtAttr(st, SQL_ATTR_ROW_STATUS_PTR, ctypes.addressof(status), 0)
        assert lib.SQLBindCol(st, 1, SQL_C_SBIGINT, ids, 8, ind) == SQL_SUCCESS
        assert lib.SQLBindCol(st, 0, SQL_C_VARBOOKMARK, marks, 8, mark_ind) == SQL_SUCCESS, \
            _states(lib, SQL_HANDLE_STMT, st)
        assert lib.SQLExecDirect(st, ORDERS, SQL_NTS) == SQL_SUCCESS
        assert lib.SQLFetchScroll(st, SQL_FETCH_ABSOLUTE, 398) == SQL_SUCCESS
        assert fetched.value == 3
        assert list(status) == [0, 0, 0, 3, 3]
        assert list(marks[:3]) == [398, 399, 400]
        first = ids[0]
        # SQLSetPos(SQL_POSITION) then SQLGetData reads row 2 of the row set.
        assert lib.SQLSetPos(st, 2, SQL_POSITION, SQL_LOCK_NO_CHANGE) == SQL_SUCCESS, \
            _states(lib, SQL_HANDLE_STMT, st)
        assert int(_text(lib, st)) == ids[1]
        # Back to the bookmark of row 398.
        saved = ctypes.c_uint64(398)
        lib.SQLSetStmtAttr(st, SQL_ATTR_FETCH_BOOKMARK_PTR, ctypes.addressof(saved), 0)
        assert lib.SQLFetchScroll(st, SQL_FETCH_FIRST, 0) == SQL_SUCCESS
        assert lib.SQLFetchScroll(st, SQL_FETCH_BOOKMARK, 0) == SQL_SUCCESS, \
            _states(lib, SQL_HANDLE_STMT, st)
        assert ids[0] == first
        lib.SQLFreeHandle(SQL_HANDLE_STMT, st)
    finally:
        c.close()


def test_cursor_names_and_info_claims(sandbox):
    c = _Conn(sandbox)
    lib = c.lib
    try:
        a, b = c.stmt(), c.stmt()
        name, length = ctypes.create_string_buffer(64), ctypes.c_short()
        assert lib.SQLGetCursorName(a, name, 64, ctypes.byref(length)) == SQL_SUCCESS
        assert name.value.startswith(b"SQL_CUR")
        assert lib.SQLSetCursorName(a, b"scroller", SQL_NTS) == SQL_SUCCESS
        assert lib.SQLSetCursorName(b, b"scroller", SQL_NTS) == SQL_ERROR
        assert _states(lib, SQL_HANDLE_STMT, b) == ["3C000"]
        assert lib.SQLGetCursorName(a, name, 64, ctypes.byref(length)) == SQL_SUCCESS
        assert name.value == b"scroller"

        value = ctypes.c_uint32()
        assert lib.SQLGetInfo(c.dbc, SQL_SCROLL_OPTIONS, ctypes.byref(value), 4, None) == 0
        assert value.value & SQL_SO_STATIC
        assert lib.SQLGetInfo(c.dbc, SQL_STATIC_CURSOR_ATTRIBUTES1, ctypes.byref(value), 4,
                              None) == 0
        assert value.value & SQL_CA1_ABSOLUTE and value.value & SQL_CA1_POS_POSITION
        for fn in (SQL_API_SQLSETPOS, SQL_API_SQLEXTENDEDFETCH):
            yes = ctypes.c_ushort()
            assert lib.SQLGetFunctions(c.dbc, fn, ctypes.byref(yes)) == SQL_SUCCESS
            assert yes.value == 1, fn
        lib.SQLFreeHandle(SQL_HANDLE_STMT, a)
        lib.SQLFreeHandle(SQL_HANDLE_STMT, b)
    finally:
        c.close()
