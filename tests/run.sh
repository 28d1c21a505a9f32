#!/usr/bin/env bash
# The test entry point (CI runs it through .ci/run).
#   1. installs what is missing: unixODBC + tools, DBD::ODBC, gcc, PHP with odbc + PDO_ODBC,
#      iODBC, LibreOffice Base (headless, with its ODBC driver and python3-uno), PostgreSQL (apt);
#      pyodbc, pytest (pip)
#   2. gates: cargo fmt --check, cargo clippy --workspace --all-targets -D warnings;
#      then cargo build --workspace --all-targets
#   3. cargo test --workspace                 (Rust tests: driver C ABI, engine, sandbox)
#   4. python3 -m pytest -q tests/clients     (through unixODBC: pyodbc, isql/iusql, C, Perl DBI, PHP,
#                                              LibreOffice; and through iODBC: test_iodbc.py builds
#                                              the `--features iodbc` library into target/iodbc)
# Extra arguments are passed to pytest (e.g. tests/run.sh -k isql).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

# ---- 1. system packages -------------------------------------------------------
# libiodbc2 + iodbc (iodbctest): tests/clients/test_iodbc.py runs the driver's iODBC build under them.
# Not libiodbc2-dev: it conflicts with unixodbc-dev (apt would remove one), and nothing needs it.
APT_PACKAGES=(unixodbc unixodbc-dev odbcinst libdbd-odbc-perl gcc libiodbc2 iodbc)
# LibreOffice Base for tests/clients/test_libreoffice.py, the smallest set (--no-install-recommends,
# no GUI, no Java; ~220 MB, ~1 min): base-drivers has the sdbc:odbc: driver (libodbclo.so),
# base-nogui saves .odb files (libdbaxmllo.so), python3-uno scripts it from /usr/bin/python3.
APT_PACKAGES+=(libreoffice-base-nogui libreoffice-base-drivers python3-uno)
# PHP (odbc_* and PDO_ODBC): a client that describes parameters before binding them.
APT_PACKAGES+=(php-cli php-odbc)
# PostgreSQL for the CacheConnection replica: the tests start private servers themselves
# (tests/common/pg.rs, tests/clients/pgserver.py: initdb in a temp dir, a free 127.0.0.1 port,
# as `nobody` when root) and stop them; the package's own cluster service is not used.
APT_PACKAGES+=(postgresql)
# openssl makes the CA and server certificate of tests/pg_tls.rs (TLS to the replica).
APT_PACKAGES+=(openssl)
missing=()
for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    step "installing ${missing[*]}"
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
    # PostgreSQL's package would create (and try to start) a system cluster: the tests need none.
    "${SUDO[@]}" mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | "${SUDO[@]}" tee /etc/postgresql-common/createcluster.d/jumpseller-tests.conf >/dev/null
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ---- python packages ----------------------------------------------------------
PY=${PYTHON:-python3}
if ! "$PY" -c 'import pyodbc, pytest' 2>/dev/null; then
    step "installing pyodbc pytest"
    if ! "$PY" -m pip install --quiet pyodbc pytest; then
        # a Debian system python refuses (PEP 668) unless told otherwise
        "$PY" -m pip install --quiet --break-system-packages pyodbc pytest
    fi
fi

# ---- 2. build -----------------------------------------------------------------
if ! command -v cargo >/dev/null && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
step "cargo fmt --all --check"
cargo fmt --all --check
step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
step "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

# the client tests find the driver and the sandbox here (honours CARGO_TARGET_DIR)
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export JUMPSELLER_ODBC_DRIVER="$TARGET_DIR/debug/libjumpseller_odbc.so"
export JUMPSELLER_SANDBOX_BIN="$TARGET_DIR/debug/jumpseller-sandbox"

# ---- 3. Rust tests ------------------------------------------------------------
step "cargo test --workspace"
cargo test --workspace

# ---- 4. client tests through unixODBC ----------------------------------------
step "pytest tests/clients"
"$PY" -m pytest -q -p no:cacheprovider -rxXs tests/clients "$@"

step "all tests passed"
