"""Transactions through unixODBC: the store has none, so every write is final
when its statement returns. With autocommit off (pyodbc's default) a ROLLBACK
after writes succeeds with a 01000 warning naming what it could not undo, and
cursors of other statements stay open across COMMIT and ROLLBACK
(SQL_CURSOR_COMMIT_BEHAVIOR / SQL_CURSOR_ROLLBACK_BEHAVIOR = SQL_CB_PRESERVE).

pyodbc has no way to show the SQL_SUCCESS_WITH_INFO of Connection.rollback()
(it keeps messages for cursors only), so the warning is read through the
driver manager's C API with ctypes; pyodbc shows that rollback() does not
raise and that open cursors keep fetching.

Each test writes, so each has a private sandbox.
"""

import ctypes
import ctypes.util

import pyodbc

SQL_HANDLE_ENV, SQL_HANDLE_DBC, SQL_HANDLE_STMT = 1, 2, 3
SQL_ATTR_ODBC_VERSION, SQL_OV_ODBC3 = 200, 3
SQL_ATTR_AUTOCOMMIT, SQL_AUTOCOMMIT_OFF = 102, 0
SQL_COMMIT, SQL_ROLLBACK = 0, 1
SQL_NTS, SQL_DRIVER_NOPROMPT = -3, 0
SQL_SUCCESS, SQL_SUCCESS_WITH_INFO, SQL_NO_DATA = 0, 1, 100
SQL_CURSOR_COMMIT_BEHAVIOR, SQL_CURSOR_ROLLBACK_BEHAVIOR, SQL_CB_PRESERVE = 23, 24, 2


def _libodbc():
    lib = ctypes.CDLL(ctypes.util.find_library("odbc") or "libodbc.so.2")
    V, S, I = ctypes.c_void_p, ctypes.c_short, ctypes.c_int
    lib.SQLAllocHandle.argtypes = [S, V, ctypes.POINTER(V)]
    lib.SQLSetEnvAttr.argtypes = [V, I, V, I]
    lib.SQLSetConnectAttr.argtypes = [V, I, V, I]
    lib.SQLDriverConnect.argtypes = [V, V, ctypes.c_char_p, S, V, S, V, ctypes.c_ushort]
    lib.SQLExecDirect.argtypes = [V, ctypes.c_char_p, I]
    lib.SQLEndTran.argtypes = [S, V, S]
    lib.SQLGetDiagRec.argtypes = [S, V, S, ctypes.c_char_p, ctypes.POINTER(I), ctypes.c_char_p, S,
                                  ctypes.POINTER(S)]
    lib.SQLFreeHandle.argtypes = [S, V]
    lib.SQLDisconnect.argtypes = [V]
    return lib


def _records(lib, handle_type, handle):
    out = []
    for n in range(1, 10):
        state, native = ctypes.create_string_buffer(6), ctypes.c_int()
        msg, length = ctypes.create_string_buffer(2048), ctypes.c_short()
        rc = lib.SQLGetDiagRec(handle_type, handle, n, state, ctypes.byref(native), msg, 2048,
                               ctypes.byref(length))
        if rc not in (SQL_SUCCESS, SQL_SUCCESS_WITH_INFO):
            break
        out.append((state.value.decode(), msg.value.decode()))
    return out


def test_rollback_after_a_write_warns_through_the_driver_manager(start_sandbox):
    sb = start_sandbox()
    lib = _libodbc()
    env, dbc, stmt = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    assert lib.SQLAllocHandle(SQL_HANDLE_ENV, None, ctypes.byref(env)) == SQL_SUCCESS
    lib.SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, SQL_OV_ODBC3, 0)
    assert lib.SQLAllocHandle(SQL_HANDLE_DBC, env, ctypes.byref(dbc)) == SQL_SUCCESS
    rc = lib.SQLDriverConnect(dbc, None, sb.conn_str().encode(), SQL_NTS, None, 0, None,
                              SQL_DRIVER_NOPROMPT)
    assert rc in (SQL_SUCCESS, SQL_SUCCESS_WITH_INFO), _records(lib, SQL_HANDLE_DBC, dbc)
    assert lib.SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, SQL_AUTOCOMMIT_OFF, 0) == SQL_SUCCESS
    try:
        assert lib.SQLAllocHandle(SQL_HANDLE_STMT, dbc, ctypes.byref(stmt)) == SQL_SUCCESS
        rc = lib.SQLExecDirect(stmt, b"UPDATE Products SET name = 'Renamed' WHERE id = 4", SQL_NTS)
        assert rc == SQL_SUCCESS, _records(lib, SQL_HANDLE_STMT, stmt)

        assert lib.SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK) == SQL_SUCCESS_WITH_INFO
        (state, message), = _records(lib, SQL_HANDLE_DBC, dbc)
        assert state == "01000"
        assert "ROLLBACK cannot undo writes already sent to the store: UPDATE Products id 4 (1 write)" \
            in message, message

        # Nothing written since: plain success.
        assert lib.SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK) == SQL_SUCCESS
        assert lib.SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT) == SQL_SUCCESS
    finally:
        lib.SQLFreeHandle(SQL_HANDLE_STMT, stmt)
        lib.SQLDisconnect(dbc)
        lib.SQLFreeHandle(SQL_HANDLE_DBC, dbc)
        lib.SQLFreeHandle(SQL_HANDLE_ENV, env)


def test_open_cursor_keeps_fetching_across_commit_and_rollback_which_do_not_raise(start_sandbox):
    sb = start_sandbox()
    c = pyodbc.connect(sb.conn_str())
    assert c.getinfo(SQL_CURSOR_COMMIT_BEHAVIOR) == SQL_CB_PRESERVE
    assert c.getinfo(SQL_CURSOR_ROLLBACK_BEHAVIOR) == SQL_CB_PRESERVE
    reader = c.cursor()
    reader.execute("SELECT id FROM Products ORDER BY id")
    seen = [reader.fetchone()[0]]
    writer = c.cursor()
    writer.execute("UPDATE Products SET name = 'During a scan' WHERE id = 4")
    c.commit()
    seen.append(reader.fetchone()[0])
    writer.execute("INSERT INTO Categories (name) VALUES ('Not undone')")
    c.rollback()  # SQL_SUCCESS_WITH_INFO: a warning, not an error
    seen.append(reader.fetchone()[0])
    assert seen == [1, 2, 3]
    writer.execute("SELECT COUNT(*) FROM Categories WHERE name = 'Not undone'")
    assert writer.fetchone()[0] == 1  # the store kept it
    c.close()  # pyodbc rolls back on close: that must not raise either
