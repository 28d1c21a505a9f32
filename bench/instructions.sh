#!/usr/bin/env bash
# Instructions of one scan through pyodbc, counted by callgrind: the same
# count on a quiet or a loaded machine, so one change can be compared with
# the next (bench/README.md, "What each change bought").
#
# Usage: bench/instructions.sh [ORDERS] [DRIVER.so]
#   ORDERS defaults to 2000; DRIVER to target/release/libjumpseller_odbc.so.
# Prints, for the driver and for libsqliteodbc on the sandbox's export of
# the same data: the instructions of the connect alone (`SELECT 1`), of
# the 4-column projection and of `SELECT *`, and the scans' instructions
# without the connect. Needs valgrind, pyodbc, libsqliteodbc and a release
# build of the sandbox. WHO=ours counts the driver alone.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${1:-2000}
DRIVER=$(realpath "${2:-target/release/libjumpseller_odbc.so}")
SANDBOX=target/release/jumpseller-sandbox
# The interpreter itself: pyenv's `python3` is a shell script, which
# valgrind would follow no further.
PY=$(python3 -c 'import sys; print(sys.executable)')
TMP=$(mktemp -d)
trap 'kill $SB 2>/dev/null || true; rm -rf "$TMP"' EXIT

"$SANDBOX" export --sqlite "$TMP/store.sqlite" --orders "$ORDERS" >/dev/null
"$SANDBOX" serve --port 0 --orders "$ORDERS" --per-second 0 --per-minute 0 >"$TMP/url" 2>/dev/null &
SB=$!
for _ in $(seq 100); do grep -q URL "$TMP/url" && break; sleep 0.1; done
URL=$(sed -n 's/JUMPSELLER_SANDBOX_URL=//p' "$TMP/url")

cat >"$TMP/scan.py" <<'EOF'
import sys, pyodbc
cur = pyodbc.connect(sys.argv[1], autocommit=True).cursor().execute(sys.argv[2])
while cur.fetchmany(1000):
    pass
EOF

count() {  # connection string, SQL -> instructions of the whole process
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$PY" "$TMP/scan.py" "$1" "$2" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

OURS="Driver=$DRIVER;URL=$URL;Login=sandbox;AuthToken=sandbox-authtoken;MaxRequestsPerSecond=10000;MaxRequestsPerMinute=600000"
THEIRS="Driver=/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so;Database=$TMP/store.sqlite"
echo "orders=$ORDERS, instructions (millions), whole process / scan without the connect"
for who in ${WHO:-ours theirs}; do
    cs=$OURS; [ $who = theirs ] && cs=$THEIRS
    base=$(count "$cs" "SELECT 1")
    proj=$(count "$cs" "SELECT id, total, status_enum, created_at FROM Orders")
    all=$(count "$cs" "SELECT * FROM Orders")
    printf '%-7s connect %6dM | projection %6dM / %6dM | SELECT * %6dM / %6dM\n' $who \
        $((base / 1000000)) $((proj / 1000000)) $(((proj - base) / 1000000)) \
        $((all / 1000000)) $(((all - base) / 1000000))
done
