#!/usr/bin/env bash
# Jumpseller ODBC driver: build, install, register with unixODBC, create a DSN.
#
#   installer/install.sh                         build + install + register, then the demo:
#                                                start a local sandbox store, point the DSN
#                                                `JumpsellerSandbox` at it, run two queries
#                                                through isql, stop the sandbox
#   installer/install.sh --demo                  rerun the demo (the sandbox's port changes
#                                                every run, so the demo DSN's URL is rewritten)
#   installer/install.sh --login L --authtoken T [--dsn NAME] [--url URL]
#                                                a DSN (default `Jumpseller`) for your store
#   installer/install.sh --oauth-access-token TOKEN [--dsn NAME]
#                                                an OAuth DSN with a token you obtained
#   installer/install.sh --uninstall             remove the DSN(s), the driver registration
#                                                and the installed files
#
# As root: system-wide (/usr/local/lib/jumpseller-odbc, /etc/odbcinst.ini, /etc/odbc.ini).
# As another user: per user (~/.local/lib/jumpseller-odbc, ~/.odbcinst.ini, ~/.odbc.ini);
# apt packages are then installed with sudo. Running it again is safe.
# Run `installer/install.sh --help` for every option.
set -euo pipefail

DRIVER_NAME="Jumpseller ODBC Driver"
DEMO_DSN="JumpsellerSandbox"
DEFAULT_STORE_DSN="Jumpseller"
SANDBOX_LOGIN="sandbox"
SANDBOX_AUTHTOKEN="sandbox-authtoken"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"

usage() {
    cat <<USAGE
Usage: installer/install.sh [options]

Modes (default: install, then run the demo against a local sandbox):
  --demo                    rerun the demo only (builds and installs first if the driver
                            is not installed yet)
  --no-demo                 install and register, but skip the demo
  --uninstall               remove the DSNs this script created, the driver registration
                            and the installed files
  --keep-sandbox            after the demo, keep the sandbox running (Ctrl-C stops it) so
                            the $DEMO_DSN DSN can be used from other terminals

A DSN for your own store (implies --no-demo unless --demo is given):
  --login LOGIN             store API login      (Jumpseller admin > Settings > API)
  --authtoken TOKEN         store API auth token
  --dsn NAME                DSN name (default: $DEFAULT_STORE_DSN)
  --url URL                 API base URL (default: https://api.jumpseller.com/v1)
  --oauth-access-token TOK  OAuth instead of Basic: an access token you obtained
                            (AuthScheme=OAuth, InitiateOAuth=OFF)
  --oauth-client-id ID      OAuth app credentials, stored in the DSN. Without an access
  --oauth-client-secret S   token the DSN uses InitiateOAuth=GETANDREFRESH: the first
  --callback-url URL        connection signs in through the browser (or run
                            `jumpseller-odbc auth` once on a machine with a browser)
  --user-dsn                as root, write the DSN to root's ~/.odbc.ini (mode 600)
                            instead of the system-wide /etc/odbc.ini
  --no-check                do not test the new DSN with a query

Build:
  --skip-build              use the existing target/release build (fails if missing)

Environment: CARGO (default: cargo), SUDO (default: sudo, when not root).
USAGE
}

# ---------------------------------------------------------------- output helpers
if [ -t 1 ]; then B=$'\e[1m'; G=$'\e[32m'; Y=$'\e[33m'; R=$'\e[31m'; N=$'\e[0m'; else B=; G=; Y=; R=; N=; fi
step() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$Y" "$N" "$*" >&2; }
die() { printf '%serror:%s %s\n' "$R" "$N" "$*" >&2; exit 1; }

# ---------------------------------------------------------------- arguments
MODE=install
DEMO=auto
DEMO_ONLY=0
KEEP_SANDBOX=0
SKIP_BUILD=0
CHECK=1
USER_DSN=0
LOGIN= AUTHTOKEN= STORE_DSN= URL= ACCESS_TOKEN= CLIENT_ID= CLIENT_SECRET= CALLBACK_URL=

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --demo) DEMO=yes; DEMO_ONLY=1 ;;
        --no-demo) DEMO=no ;;
        --uninstall) MODE=uninstall ;;
        --keep-sandbox) KEEP_SANDBOX=1 ;;
        --skip-build) SKIP_BUILD=1 ;;
        --no-check) CHECK=0 ;;
        --user-dsn) USER_DSN=1 ;;
        --login) need_value "$@"; LOGIN=$2; shift ;;
        --authtoken) need_value "$@"; AUTHTOKEN=$2; shift ;;
        --dsn) need_value "$@"; STORE_DSN=$2; shift ;;
        --url) need_value "$@"; URL=$2; shift ;;
        --oauth-access-token) need_value "$@"; ACCESS_TOKEN=$2; shift ;;
        --oauth-client-id) need_value "$@"; CLIENT_ID=$2; shift ;;
        --oauth-client-secret) need_value "$@"; CLIENT_SECRET=$2; shift ;;
        --callback-url) need_value "$@"; CALLBACK_URL=$2; shift ;;
        --login=*|--authtoken=*|--dsn=*|--url=*|--oauth-access-token=*|--oauth-client-id=*|--oauth-client-secret=*|--callback-url=*)
            opt=${1%%=*}; set -- "$opt" "${1#*=}" "${@:2}"; continue ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done

STORE_WANTED=0
if [ -n "$LOGIN$AUTHTOKEN$ACCESS_TOKEN$CLIENT_ID$CLIENT_SECRET$CALLBACK_URL$URL" ] || [ -n "$STORE_DSN" ]; then
    STORE_WANTED=1
fi
if [ "$MODE" = install ] && [ "$STORE_WANTED" = 1 ]; then
    if [ -n "$LOGIN$AUTHTOKEN" ]; then
        [ -n "$LOGIN" ] && [ -n "$AUTHTOKEN" ] || die "--login and --authtoken go together (Basic authentication)"
        [ -z "$ACCESS_TOKEN$CLIENT_ID$CLIENT_SECRET" ] || die "give either --login/--authtoken (Basic) or the --oauth-* options, not both"
    elif [ -z "$ACCESS_TOKEN$CLIENT_ID" ]; then
        die "a store DSN needs --login and --authtoken, or --oauth-access-token (see --help)"
    fi
    if [ -n "$CLIENT_ID$CLIENT_SECRET" ] && { [ -z "$CLIENT_ID" ] || [ -z "$CLIENT_SECRET" ]; }; then
        die "--oauth-client-id and --oauth-client-secret go together"
    fi
    case "$STORE_DSN" in *[][=\;{}]*) die "--dsn $STORE_DSN: a DSN name cannot contain [ ] = ; { }" ;; esac
fi
STORE_DSN=${STORE_DSN:-$DEFAULT_STORE_DSN}
[ "$DEMO" = auto ] && { [ "$STORE_WANTED" = 1 ] && DEMO=no || DEMO=yes; }

# ---------------------------------------------------------------- where things go
if [ "$(id -u)" = 0 ]; then
    LEVEL=system
    LIBDIR=/usr/local/lib/jumpseller-odbc
    SUDO_CMD=()
else
    LEVEL=user
    LIBDIR="$HOME/.local/lib/jumpseller-odbc"
    SUDO_CMD=("${SUDO:-sudo}")
fi
DRIVER_LIB="$LIBDIR/libjumpseller_odbc.so"
SANDBOX_BIN="$LIBDIR/jumpseller-sandbox"
MANIFEST="$LIBDIR/installed-dsns"   # lines: "<system|user> <DSN name>"
TMPDIR_JS="$(mktemp -d "${TMPDIR:-/tmp}/jumpseller-odbc-install.XXXXXX")"
SANDBOX_PID=

cleanup() {
    if [ -n "$SANDBOX_PID" ] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
        kill "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
    rm -rf "$TMPDIR_JS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# odbcinst for the driver registration: the system odbcinst.ini as root, else
# ~/.odbcinst.ini (unixODBC reads it too; odbcinst writes it when ODBCSYSINI
# points at $HOME and ODBCINSTINI names the file).
odbcinst_drv() {
    if [ "$LEVEL" = system ]; then odbcinst "$@"; else ODBCSYSINI="$HOME" ODBCINSTINI=.odbcinst.ini odbcinst "$@"; fi
}
dsn_flag() { [ "$1" = system ] && echo -l || echo -h; }

# ---------------------------------------------------------------- steps
install_apt_deps() {
    local missing=() p
    # unixodbc-dev: the build links odbc-sys, which names libodbc (the driver does not keep it).
    for p in unixodbc odbcinst unixodbc-dev; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ "$SKIP_BUILD" = 0 ] && ! command -v cc >/dev/null 2>&1; then missing+=(build-essential); fi
    if [ ${#missing[@]} -eq 0 ]; then
        info "apt packages present: unixodbc odbcinst unixodbc-dev"
        return
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get: install unixODBC (isql, odbcinst) with your package manager"
    info "installing: ${missing[*]}"
    "${SUDO_CMD[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO_CMD[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

build() {
    local cargo=${CARGO:-cargo}
    if [ "$SKIP_BUILD" = 1 ]; then
        info "--skip-build: using the existing build"
    else
        command -v "$cargo" >/dev/null 2>&1 || die "cargo not found. Install Rust (https://rustup.rs: curl -sSf https://sh.rustup.rs | sh), then rerun."
        info "cargo build --release -p jumpseller-odbc -p jumpseller-sandbox (a few minutes the first time)"
        (cd "$REPO" && "$cargo" build --release -p jumpseller-odbc -p jumpseller-sandbox)
    fi
    local target
    target=$(cd "$REPO" && "$cargo" metadata --format-version 1 --no-deps 2>/dev/null | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p') || target=
    RELEASE_DIR="${target:-$REPO/target}/release"
    for f in libjumpseller_odbc.so jumpseller-sandbox jumpseller-odbc; do
        [ -f "$RELEASE_DIR/$f" ] || die "$RELEASE_DIR/$f is missing: the build did not produce it (rerun without --skip-build)"
    done
}

install_files() {
    mkdir -p "$LIBDIR"
    # install(1) writes a new file and renames it: safe while an old copy is loaded.
    install -m 0755 "$RELEASE_DIR/libjumpseller_odbc.so" "$DRIVER_LIB"
    install -m 0755 "$RELEASE_DIR/jumpseller-sandbox" "$SANDBOX_BIN"
    # The OAuth sign-in command for machines without a browser.
    install -m 0755 "$RELEASE_DIR/jumpseller-odbc" "$LIBDIR/jumpseller-odbc"
    install -m 0644 "$REPO/include/jumpseller_odbc.h" "$LIBDIR/jumpseller_odbc.h"
    install -m 0644 "$SCRIPT_DIR/odbcinst.ini.template" "$SCRIPT_DIR/odbc.ini.template" "$LIBDIR/"
    touch "$MANIFEST"
    info "installed $DRIVER_LIB"
    info "installed $SANDBOX_BIN (the local sandbox store, for the demo)"
}

driver_registered() { odbcinst_drv -q -d -n "$DRIVER_NAME" >/dev/null 2>&1; }

unregister_driver() {
    # odbcinst -u decrements UsageCount and drops the section at 0.
    local i
    for i in $(seq 1 100); do
        driver_registered || return 0
        odbcinst_drv -u -d -n "$DRIVER_NAME" >/dev/null 2>&1 || true
    done
    driver_registered && warn "could not remove the [$DRIVER_NAME] driver section"
    return 0
}

register_driver() {
    local tmpl="$TMPDIR_JS/odbcinst.ini"
    sed "s|@DRIVER_PATH@|$DRIVER_LIB|g" "$SCRIPT_DIR/odbcinst.ini.template" > "$tmpl"
    # Start from a clean section (UsageCount 1, no stale keys) so reruns change nothing.
    unregister_driver
    odbcinst_drv -i -d -f "$tmpl" >/dev/null
    driver_registered || die "odbcinst did not register [$DRIVER_NAME]"
    if [ "$LEVEL" = system ]; then
        info "registered [$DRIVER_NAME] in $(odbcinst -j | sed -n 's/^DRIVERS\.*: //p')"
    else
        info "registered [$DRIVER_NAME] in $HOME/.odbcinst.ini"
    fi
}

# render_dsn NAME DESCRIPTION KEY=VALUE...  -> the filled-in odbc.ini template on stdout.
# Placeholders left without a value are dropped with their line.
render_dsn() {
    local name=$1 desc=$2; shift 2
    local -A v=()
    local kv
    for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
    local line key val out
    while IFS= read -r line || [ -n "$line" ]; do
        out=$line
        while [[ $out =~ @([A-Z]+)@ ]]; do
            key=${BASH_REMATCH[1]}
            case $key in
                DSN) val=$name ;;
                DESCRIPTION) val=$desc ;;
                *) val=${v[$key]:-} ;;
            esac
            out=${out//"@$key@"/$val}
        done
        # a key whose value stayed empty is left out
        [[ $line =~ @[A-Z]+@ ]] && [[ $out =~ ^[A-Za-z]+[[:space:]]*=[[:space:]]*$ ]] && continue
        printf '%s\n' "$out"
    done < "$SCRIPT_DIR/odbc.ini.template"
}

dsn_exists() { odbcinst -q -s "$(dsn_flag "$1")" -n "$2" >/dev/null 2>&1; }

remove_dsn() {  # LEVEL NAME [quiet]
    if dsn_exists "$1" "$2"; then
        odbcinst -u -s "$(dsn_flag "$1")" -n "$2" >/dev/null
        [ -n "${3:-}" ] || info "removed $1 DSN [$2]"
    fi
    if [ -f "$MANIFEST" ]; then
        grep -vxF "$1 $2" "$MANIFEST" > "$MANIFEST.new" || true
        mv "$MANIFEST.new" "$MANIFEST"
    fi
}

write_dsn() {  # LEVEL NAME DESCRIPTION KEY=VALUE...
    local level=$1 name=$2 desc=$3; shift 3
    local file="$TMPDIR_JS/odbc-$name.ini"
    ( umask 077; render_dsn "$name" "$desc" "$@" > "$file" )
    remove_dsn "$level" "$name" quiet
    odbcinst -i -s "$(dsn_flag "$level")" -f "$file" >/dev/null
    dsn_exists "$level" "$name" || die "odbcinst did not create the DSN [$name]"
    if [ "$level" = user ]; then
        local ini="${ODBCINI:-$HOME/.odbc.ini}"
        [ -f "$ini" ] && chmod 600 "$ini"
        info "wrote user DSN [$name] to $ini (mode 600)"
    else
        info "wrote system DSN [$name] to $(odbcinst -j | sed -n 's/^SYSTEM DATA SOURCES: //p')"
    fi
    echo "$level $name" >> "$MANIFEST"
}

# Runs SQL through isql on a DSN; prints its output; fails on an ODBC error.
isql_run() {  # DSN SQL
    local out rc=0
    out=$(printf '%s\n' "$2" | isql -v -b -m40 "$1" 2>&1) || rc=$?
    printf '%s\n' "$out" | sed 's/^/    /'
    if [ $rc -ne 0 ] || grep -q '^\[[0-9A-Z]\{5\}\]' <<<"$out"; then return 1; fi
}

start_sandbox() {
    local out="$TMPDIR_JS/sandbox.out" i
    "$SANDBOX_BIN" serve --port 0 > "$out" 2> "$TMPDIR_JS/sandbox.err" < /dev/null &
    SANDBOX_PID=$!
    for i in $(seq 1 300); do
        if grep -q '^JUMPSELLER_SANDBOX_URL=' "$out" 2>/dev/null; then
            SANDBOX_URL=$(sed -n 's/^JUMPSELLER_SANDBOX_URL=//p' "$out" | head -1)
            return 0
        fi
        kill -0 "$SANDBOX_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMPDIR_JS/sandbox.err" >&2 || true
    die "the sandbox did not start"
}

run_demo() {
    step "Demo: a local sandbox store, queried through unixODBC"
    start_sandbox
    info "sandbox (pid $SANDBOX_PID) serving $SANDBOX_URL"
    write_dsn "$LEVEL" "$DEMO_DSN" "Jumpseller sandbox (local demo store; rewritten by installer/install.sh --demo)" \
        "URL=$SANDBOX_URL" "AUTHSCHEME=Basic" "LOGIN=$SANDBOX_LOGIN" "AUTHTOKEN=$SANDBOX_AUTHTOKEN"
    local ok=1
    step "isql -v -b $DEMO_DSN: SELECT id, name, price, stock FROM Products ORDER BY id LIMIT 5"
    isql_run "$DEMO_DSN" "SELECT id, name, price, stock FROM Products ORDER BY id LIMIT 5" || ok=0
    step "isql -v -b $DEMO_DSN: SELECT status_enum, COUNT(*) FROM Orders GROUP BY 1"
    isql_run "$DEMO_DSN" "SELECT status_enum, COUNT(*) AS orders FROM Orders GROUP BY 1 ORDER BY 1" || ok=0
    [ $ok = 1 ] || die "the demo queries failed (see above); the driver is installed but did not answer"
    printf '\n%sThe driver answered through unixODBC.%s\n' "$G" "$N"
    if [ "$KEEP_SANDBOX" = 1 ]; then
        printf '\nThe sandbox keeps running at %s; in another terminal:\n    isql -v %s\nPress Ctrl-C to stop it.\n' "$SANDBOX_URL" "$DEMO_DSN"
        trap 'true' INT   # Ctrl-C ends the wait, not the script
        wait "$SANDBOX_PID" || true
        trap 'exit 130' INT TERM
    fi
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
    SANDBOX_PID=
    info "sandbox stopped (the $DEMO_DSN DSN now points at a closed port; installer/install.sh --demo starts a new one)"
}

create_store_dsn() {
    local level=$LEVEL
    [ "$USER_DSN" = 1 ] && level=user
    local kv=()
    [ -n "$URL" ] && kv+=("URL=$URL")
    if [ -n "$LOGIN" ]; then
        kv+=("AUTHSCHEME=Basic" "LOGIN=$LOGIN" "AUTHTOKEN=$AUTHTOKEN")
    else
        kv+=("AUTHSCHEME=OAuth")
        [ -n "$ACCESS_TOKEN" ] && kv+=("OAUTHACCESSTOKEN=$ACCESS_TOKEN" "INITIATEOAUTH=OFF") || kv+=("INITIATEOAUTH=GETANDREFRESH")
        [ -n "$CLIENT_ID" ] && kv+=("OAUTHCLIENTID=$CLIENT_ID" "OAUTHCLIENTSECRET=$CLIENT_SECRET")
        [ -n "$CALLBACK_URL" ] && kv+=("CALLBACKURL=$CALLBACK_URL")
    fi
    step "DSN [$STORE_DSN] for your store"
    write_dsn "$level" "$STORE_DSN" "Jumpseller store${URL:+ at $URL}" "${kv[@]}"
    if [ "$level" = system ]; then
        warn "the system DSN [$STORE_DSN] holds your credentials in $(odbcinst -j | sed -n 's/^SYSTEM DATA SOURCES: //p'), readable by every local user; use --user-dsn to keep them in ~/.odbc.ini (mode 600) instead"
    fi
    if [ -z "$LOGIN" ] && [ -z "$ACCESS_TOKEN" ]; then
        warn "InitiateOAuth=GETANDREFRESH: the first connection to [$STORE_DSN] signs in through the browser (an application using SQL_DRIVER_NOPROMPT, like pyodbc, gets the sign-in URL and the OAuthVerifier way instead); on a server without a browser run 'jumpseller-odbc auth' once. Not tested here."
        return 0
    fi
    if [ "$CHECK" = 1 ]; then
        step "isql -v -b $STORE_DSN: SELECT code, name, currency, country FROM Store"
        if isql_run "$STORE_DSN" "SELECT code, name, currency, country FROM Store"; then
            printf '%sConnected to your store.%s\n' "$G" "$N"
        else
            warn "the test query on [$STORE_DSN] failed (28000 = bad credentials, 08001 = cannot reach the URL; see README.md, Troubleshooting). The DSN is kept: fix it with installer/install.sh again, or edit it in odbc.ini."
        fi
    fi
}

next_steps() {
    local sys_ini drv_ini
    sys_ini=$(odbcinst -j | sed -n 's/^SYSTEM DATA SOURCES: //p')
    drv_ini=$(odbcinst -j | sed -n 's/^DRIVERS\.*: //p')
    [ "$LEVEL" = user ] && drv_ini="$HOME/.odbcinst.ini"
    step "Next steps"
    cat <<NEXT
    Driver   [$DRIVER_NAME] -> $DRIVER_LIB   (registered in $drv_ini)
    DSNs     $(tr '\n' ' ' < "$MANIFEST" 2>/dev/null)
             (system DSNs live in $sys_ini, user DSNs in ~/.odbc.ini; list them: odbcinst -q -s)

    Rerun the demo (starts a fresh sandbox and rewrites the $DEMO_DSN URL):
        installer/install.sh --demo            (--keep-sandbox leaves it running)
    Connect to your store (Jumpseller admin > Settings > API gives login and token):
        installer/install.sh --login YOUR_LOGIN --authtoken YOUR_TOKEN   # DSN "$DEFAULT_STORE_DSN"
        echo "SELECT id, name FROM Products LIMIT 5" | isql -v -b $DEFAULT_STORE_DSN
    DSN-less, from any ODBC client:
        Driver={$DRIVER_NAME};Login=...;AuthToken=...
    Python: pip install pyodbc; python3 examples/query.py --dsn $DEFAULT_STORE_DSN
    C without a driver manager: examples/query.c with $LIBDIR/jumpseller_odbc.h
    Every connection key is documented in $LIBDIR/odbc.ini.template and README.md.
    OAuth sign-in once, on a machine with a browser: $LIBDIR/jumpseller-odbc auth --help
    Remove everything: installer/install.sh --uninstall
NEXT
}

uninstall() {
    step "Uninstalling the Jumpseller ODBC driver ($LEVEL level)"
    local entries=() e lvl name
    if [ -f "$MANIFEST" ]; then
        while IFS= read -r e; do [ -n "$e" ] && entries+=("$e"); done < "$MANIFEST"
    fi
    # Also the default names, when they use this driver (e.g. a lost manifest).
    for name in "$DEMO_DSN" "$STORE_DSN"; do
        for lvl in "$LEVEL" user; do
            if dsn_exists "$lvl" "$name" && odbcinst -q -s "$(dsn_flag "$lvl")" -n "$name" 2>/dev/null | grep -qiE "^Driver[[:space:]]*=[[:space:]]*($DRIVER_NAME|$DRIVER_LIB)[[:space:]]*$"; then
                entries+=("$lvl $name")
            fi
        done
    done
    for e in "${entries[@]}"; do
        remove_dsn "${e%% *}" "${e#* }"
    done
    if driver_registered; then
        unregister_driver
        info "removed the [$DRIVER_NAME] driver registration"
    fi
    if [ -d "$LIBDIR" ]; then
        rm -rf "$LIBDIR"
        info "removed $LIBDIR"
    fi
    local others
    others=$(for lvl in system user; do
        for name in $(odbcinst -q -s "$(dsn_flag "$lvl")" 2>/dev/null | sed -n 's/^\[\(.*\)\]$/\1/p'); do
            odbcinst -q -s "$(dsn_flag "$lvl")" -n "$name" 2>/dev/null | grep -qiE "^Driver[[:space:]]*=[[:space:]]*$DRIVER_NAME" && echo "$name"
        done
    done | sort -u | tr '\n' ' ')
    [ -z "$others" ] || warn "these DSNs still name [$DRIVER_NAME] and were left alone: $others"
    printf '\n%sUninstalled.%s (apt packages unixodbc/odbcinst and the build in target/ are kept)\n' "$G" "$N"
}

# ---------------------------------------------------------------- main
if [ "$MODE" = uninstall ]; then
    command -v odbcinst >/dev/null 2>&1 || die "odbcinst not found: nothing registered with unixODBC to remove"
    uninstall
    exit 0
fi

step "Jumpseller ODBC driver: installing ($LEVEL level)"
if [ "$DEMO_ONLY" = 1 ] && [ "$STORE_WANTED" = 0 ] && [ -f "$DRIVER_LIB" ] && [ -x "$SANDBOX_BIN" ] \
    && command -v isql >/dev/null 2>&1 && driver_registered; then
    info "--demo: the driver is installed already (rerun without --demo to rebuild and reinstall)"
    run_demo
    next_steps
    exit 0
fi
install_apt_deps
build
install_files
register_driver
[ "$STORE_WANTED" = 1 ] && create_store_dsn
[ "$DEMO" = yes ] && run_demo
next_steps
