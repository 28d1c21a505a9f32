#!/usr/bin/python3
"""Follows docs/bi-tools.md's LibreOffice Base steps through UNO, headless.

Run by Debian's /usr/bin/python3 (python3-uno); tests/clients/test_libreoffice.py
starts it with the test's ODBCSYSINI/ODBCINI in the environment, which soffice
inherits. It starts its own soffice (own profile, a pipe named after the pid),
and always kills it. Prints one JSON object on stdout:

  {"odb": path, "registered": name or null, "url": "sdbc:odbc:<DSN>", "tables": [...],
   "query": {"columns": [[name, type]...], "rows": [[...]...]},
   "filtered_table": {...}, "edited": value read back}

Steps (as the docs tell a user):
  1. File > New > Database > Connect to an existing database: ODBC, the DSN
     -> a data source whose URL is sdbc:odbc:<DSN>;
  2. save it as an .odb file and register it;
  3. open it again by its registered name and connect;
  4. the Tables pane: the connection's tables (LibreOffice asks SQLTables for
     the types "VIEW,TABLE,%,");
  5. a query with a filter (SQL view), and a table opened with a filter;
  6. (--edit) a value typed into the table view, which writes to the store.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue  # noqa: E402  (uno's import hook)
from com.sun.star.connection import NoConnectException  # noqa: E402

SOFFICE = "/usr/lib/libreoffice/program/soffice"

# com.sun.star.sdbc.DataType values -> how a value is read and printed.
DT = {
    -7: "BIT", -6: "TINYINT", 5: "SMALLINT", 4: "INTEGER", -5: "BIGINT",
    6: "FLOAT", 7: "REAL", 8: "DOUBLE", 2: "NUMERIC", 3: "DECIMAL",
    1: "CHAR", 12: "VARCHAR", -1: "LONGVARCHAR", 91: "DATE", 92: "TIME",
    93: "TIMESTAMP", -2: "BINARY", -3: "VARBINARY", -4: "LONGVARBINARY",
    16: "BOOLEAN", 2005: "CLOB",
}


def start_office(profile_dir, pipe):
    """soffice headless, accepting UNO on a private pipe; its own process group."""
    cmd = [
        SOFFICE, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
        "--nolockcheck", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile_dir),
        "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe,
    ]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def connect_office(pipe, proc, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe
    while True:
        try:
            return resolver.resolve(url)
        except NoConnectException:
            if proc.poll() is not None:
                raise RuntimeError("soffice exited with %s: %s" % (proc.returncode, proc.stderr.read().decode(errors="replace")))
            if time.monotonic() > deadline:
                raise RuntimeError("soffice did not accept a UNO connection in time")
            time.sleep(0.25)


def stop_office(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def new_data_source(ctx, dsn, odb_path, name):
    """Steps 1-2: an ODBC data source over the DSN, saved as .odb, registered."""
    dbctx = ctx.ServiceManager.createInstanceWithContext("com.sun.star.sdb.DatabaseContext", ctx)
    ds = dbctx.createInstance()
    ds.URL = "sdbc:odbc:" + dsn
    odb_url = uno.systemPathToFileUrl(odb_path)
    ds.DatabaseDocument.storeAsURL(odb_url, ())
    if dbctx.hasByName(name):
        dbctx.revokeDatabaseLocation(name)
    dbctx.registerDatabaseLocation(name, odb_url)
    return dbctx


def value_of(rs, i, type_name):
    """A column's value as JSON: numbers exact as text, timestamps ISO."""
    if type_name in ("DECIMAL", "NUMERIC"):
        v = rs.getString(i)
    elif type_name in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT"):
        v = rs.getLong(i)
    elif type_name in ("DOUBLE", "FLOAT", "REAL"):
        v = rs.getDouble(i)
    elif type_name == "TIMESTAMP":
        t = rs.getTimestamp(i)
        v = "%04d-%02d-%02d %02d:%02d:%02d.%09d" % (t.Year, t.Month, t.Day, t.Hours, t.Minutes, t.Seconds, t.NanoSeconds)
    elif type_name == "DATE":
        d = rs.getDate(i)
        v = "%04d-%02d-%02d" % (d.Year, d.Month, d.Day)
    elif type_name in ("BIT", "BOOLEAN"):
        v = rs.getBoolean(i)
    else:
        v = rs.getString(i)
    return None if rs.wasNull() else v


def read_all(rs, limit=1000):
    meta = rs.getMetaData()
    n = meta.getColumnCount()
    cols = [[meta.getColumnName(i), DT.get(meta.getColumnType(i), str(meta.getColumnType(i)))] for i in range(1, n + 1)]
    rows = []
    while rs.next() and len(rows) < limit:
        rows.append([value_of(rs, i, cols[i - 1][1]) for i in range(1, n + 1)])
    return {"columns": cols, "rows": rows}


def row_set(ctx, conn, command, command_type, filter_=None):
    """What Base's query window and table view run: a com.sun.star.sdb.RowSet."""
    rs = ctx.ServiceManager.createInstanceWithContext("com.sun.star.sdb.RowSet", ctx)
    rs.ActiveConnection = conn
    rs.CommandType = command_type
    rs.Command = command
    if filter_ is not None:
        rs.Filter = filter_
        rs.ApplyFilter = True
    rs.execute()
    try:
        return read_all(rs)
    finally:
        rs.dispose()


def open_data_source(ctx, args):
    """--create: steps 1-3 (new, saved, registered, opened by its name);
    else step 3 alone: the saved .odb file opened by its path, as a later
    session of the user (a fresh profile: nothing registered, nothing cached)."""
    if args.create:
        dbctx = new_data_source(ctx, args.dsn, args.odb, args.name)
        return dbctx.getByName(args.name)
    dbctx = ctx.ServiceManager.createInstanceWithContext("com.sun.star.sdb.DatabaseContext", ctx)
    return dbctx.getByName(uno.systemPathToFileUrl(args.odb))


def edit_row(ctx, conn, table, filter_, column, value):
    """Typing a new value into Base's table view: the RowSet updates the row
    (LibreOffice sends an UPDATE keyed by the primary key)."""
    rs = ctx.ServiceManager.createInstanceWithContext("com.sun.star.sdb.RowSet", ctx)
    rs.ActiveConnection = conn
    rs.CommandType = 0
    rs.Command = table
    rs.Filter = filter_
    rs.ApplyFilter = True
    try:
        rs.execute()
        if not rs.next():
            raise RuntimeError("no row matches %s" % filter_)
        i = rs.findColumn(column)
        rs.updateString(i, value)
        rs.updateRow()
        return rs.getString(i)
    finally:
        rs.dispose()


def run(args):
    ctx = connect_office(args.pipe, args.proc, time.monotonic() + args.timeout)
    ds = open_data_source(ctx, args)
    conn = ds.getConnection("", "")  # the DSN holds Login and AuthToken
    try:
        result = {
            "odb": args.odb,
            "registered": args.name if args.create else None,
            "url": ds.URL,
            "tables": sorted(conn.getTables().getElementNames()),
            "query": row_set(ctx, conn, args.query, 2),
        }
        if args.table:
            result["filtered_table"] = row_set(ctx, conn, args.table, 0, args.filter)
        if args.edit:
            table, filter_, column, value = args.edit
            result["edited"] = edit_row(ctx, conn, table, filter_, column, value)
        return result
    finally:
        conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dsn", help="with --create: the ODBC data source name")
    p.add_argument("--create", action="store_true", help="create, save and register the .odb first")
    p.add_argument("--odb", required=True, help="where the .odb file is saved")
    p.add_argument("--profile", required=True, help="LibreOffice user profile directory (own, throwaway)")
    p.add_argument("--name", default="JumpsellerTest", help="name the .odb is registered under")
    p.add_argument("--query", required=True)
    p.add_argument("--table", help="a table to open with --filter, as Base's table view does")
    p.add_argument("--filter")
    p.add_argument("--edit", nargs=4, metavar=("TABLE", "FILTER", "COLUMN", "VALUE"),
                   help="edit one row in the table view (writes to the store)")
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()
    if args.create and not args.dsn:
        p.error("--create needs --dsn")
    args.pipe = "jsodbc_lo_%d" % os.getpid()
    args.proc = start_office(args.profile, args.pipe)
    try:
        out = run(args)
    except Exception as e:  # UNO exceptions carry a Message; print it for the test
        print(json.dumps({"error": type(e).__name__, "message": getattr(e, "Message", str(e))}))
        return 1
    finally:
        stop_office(args.proc)
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
