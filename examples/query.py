#!/usr/bin/env python3
"""Query a Jumpseller store through the ODBC driver with pyodbc.

    pip install pyodbc            # needs unixODBC (apt-get install unixodbc)
    python3 examples/query.py --dsn JumpsellerSandbox
    python3 examples/query.py --dsn Jumpseller "SELECT id, name FROM Products LIMIT 10"
    python3 examples/query.py --url http://127.0.0.1:PORT/v1 --login sandbox --authtoken sandbox-authtoken

With --dsn the DSN's keys are used (installer/install.sh creates `JumpsellerSandbox`
for the demo and `Jumpseller` for your store). Without it, a DSN-less connection
string names the registered driver, `Jumpseller ODBC Driver`.
"""

import argparse
import sys

import pyodbc

DEFAULT_SQL = "SELECT id, name, price, stock FROM Products ORDER BY id LIMIT 5"


def connection_string(args):
    if args.dsn:
        parts = [f"DSN={args.dsn}"]
    else:
        parts = ["Driver={Jumpseller ODBC Driver}"]
        if args.url:
            parts.append(f"URL={{{args.url}}}")
    if args.login:
        parts.append(f"Login={{{args.login}}}")
    if args.authtoken:
        parts.append(f"AuthToken={{{args.authtoken}}}")
    return ";".join(parts)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("sql", nargs="?", default=DEFAULT_SQL)
    p.add_argument("--dsn", help="an ODBC data source name (odbc.ini)")
    p.add_argument("--url", help="API base URL (default: the DSN's, or https://api.jumpseller.com/v1)")
    p.add_argument("--login", help="store API login (Basic authentication)")
    p.add_argument("--authtoken", help="store API auth token (Basic authentication)")
    args = p.parse_args()
    if not args.dsn and not args.login:
        p.error("give --dsn NAME, or --login and --authtoken (and --url for the sandbox)")

    try:
        conn = pyodbc.connect(connection_string(args), autocommit=True)
    except pyodbc.Error as e:
        # e.args[0] is the SQLSTATE (28000 bad credentials, 08001 cannot connect, IM002 DSN/driver not found).
        print(f"connect failed: {e.args[0]}: {e.args[1]}", file=sys.stderr)
        return 1
    try:
        cur = conn.cursor()
        cur.execute(args.sql)
        names = [d[0] for d in cur.description]
        print("\t".join(names))
        n = 0
        for row in cur:
            print("\t".join("NULL" if v is None else str(v) for v in row))
            n += 1
        print(f"{n} row(s)", file=sys.stderr)
    except pyodbc.Error as e:
        print(f"query failed: {e.args[0]}: {e.args[1]}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
