"""The unixODBC driver manager (libodbc) through ctypes, for the client
tests that need calls pyodbc does not make (SQLFetchScroll, SQLSetPos,
SQLExtendedFetch): loaded in this process, like pyodbc loads it."""

import ctypes
import ctypes.util


def load():
    """libodbc with the argument types of the functions the tests call."""
    lib = ctypes.CDLL(ctypes.util.find_library("odbc") or "libodbc.so.2")
    V, S, I, L = ctypes.c_void_p, ctypes.c_short, ctypes.c_int, ctypes.c_ssize_t
    lib.SQLAllocHandle.argtypes = [S, V, ctypes.POINTER(V)]
    lib.SQLSetEnvAttr.argtypes = [V, I, V, I]
    lib.SQLDriverConnect.argtypes = [V, V, ctypes.c_char_p, S, V, S, V, ctypes.c_ushort]
    lib.SQLExecDirect.argtypes = [V, ctypes.c_char_p, I]
    lib.SQLSetStmtAttr.argtypes = [V, I, V, I]
    lib.SQLBindCol.argtypes = [V, ctypes.c_ushort, S, V, L, ctypes.POINTER(L)]
    lib.SQLFetchScroll.argtypes = [V, S, L]
    lib.SQLExtendedFetch.argtypes = [V, ctypes.c_ushort, L, ctypes.POINTER(ctypes.c_size_t),
                                     ctypes.POINTER(ctypes.c_ushort)]
    lib.SQLSetPos.argtypes = [V, ctypes.c_size_t, ctypes.c_ushort, ctypes.c_ushort]
    lib.SQLGetData.argtypes = [V, ctypes.c_ushort, S, V, L, ctypes.POINTER(L)]
    lib.SQLGetCursorName.argtypes = [V, ctypes.c_char_p, S, ctypes.POINTER(S)]
    lib.SQLSetCursorName.argtypes = [V, ctypes.c_char_p, S]
    lib.SQLGetInfo.argtypes = [V, ctypes.c_ushort, V, S, ctypes.POINTER(S)]
    lib.SQLGetFunctions.argtypes = [V, ctypes.c_ushort, ctypes.POINTER(ctypes.c_ushort)]
    lib.SQLGetDiagRec.argtypes = [S, V, S, ctypes.c_char_p, ctypes.POINTER(I), ctypes.c_char_p, S,
                                  ctypes.POINTER(S)]
    lib.SQLFetch.argtypes = [V]
    lib.SQLNumResultCols.argtypes = [V, ctypes.POINTER(S)]
    lib.SQLFreeHandle.argtypes = [S, V]
    lib.SQLDisconnect.argtypes = [V]
    return lib
