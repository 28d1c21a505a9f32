#!/usr/bin/env bash
# Builds jumpseller-odbc_<version>_<arch>.deb with dpkg-deb (Debian's own packaging tool:
# always present where the package is installed, nothing to download or compile first).
#
#   packaging/deb/build.sh                 cargo build --release, then the package in target/deb/
#   packaging/deb/build.sh --skip-build    package the existing release build
#   packaging/deb/build.sh --from DIR --out DIR
#                                          package the driver and command found in DIR (the
#                                          tests package their debug build this way)
#
# The package holds the driver (/usr/lib/<multiarch>/odbc, where Debian's ODBC drivers live),
# the `jumpseller-odbc` command, the C header, the DSN template and the docs. Its maintainer
# scripts (postinst, prerm beside this file) register the driver with odbcinst and
# unregister it on removal; DSNs are never touched.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DRIVER_NAME="Jumpseller ODBC Driver"
FROM= OUT= BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --skip-build) BUILD=0 ;;
        --from) FROM=$2; BUILD=0; shift ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

target_dir() {
    cargo metadata --format-version 1 --no-deps --manifest-path "$REPO/Cargo.toml" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}
if [ "$BUILD" = 1 ]; then
    (cd "$REPO" && cargo build --release -p jumpseller-odbc)
fi
FROM=${FROM:-$(target_dir)/release}
OUT=${OUT:-$(target_dir)/deb}
for f in libjumpseller_odbc.so jumpseller-odbc; do
    [ -f "$FROM/$f" ] || { echo "$FROM/$f is missing: build first (cargo build --release -p jumpseller-odbc)" >&2; exit 1; }
done

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -1)
ARCH=$(dpkg --print-architecture)
case "$ARCH" in
    amd64) MULTIARCH=x86_64-linux-gnu ;;
    arm64) MULTIARCH=aarch64-linux-gnu ;;
    *) MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH) ;;
esac
LIBDIR=/usr/lib/$MULTIARCH/odbc
DRIVER_PATH=$LIBDIR/libjumpseller_odbc.so

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/jumpseller-deb.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
chmod 0755 "$ROOT"
DOC=$ROOT/usr/share/doc/jumpseller-odbc
SHARE=$ROOT/usr/share/jumpseller-odbc

install -D -m 0644 "$FROM/libjumpseller_odbc.so" "$ROOT$DRIVER_PATH"
install -D -m 0755 "$FROM/jumpseller-odbc" "$ROOT/usr/bin/jumpseller-odbc"
# Debian ships stripped objects; the debug build the tests package shrinks the same way.
strip --strip-unneeded "$ROOT$DRIVER_PATH" "$ROOT/usr/bin/jumpseller-odbc"
install -D -m 0644 "$REPO/include/jumpseller_odbc.h" "$ROOT/usr/include/jumpseller_odbc.h"
install -D -m 0644 "$REPO/installer/odbc.ini.template" "$SHARE/odbc.ini.template"
sed "s|@DRIVER_PATH@|$DRIVER_PATH|" "$REPO/installer/odbcinst.ini.template" > "$SHARE/odbcinst.ini"
chmod 0644 "$SHARE/odbcinst.ini"
install -D -m 0644 "$REPO/README.md" "$DOC/README.md"
for f in "$REPO"/docs/*.md; do install -D -m 0644 "$f" "$DOC/$(basename "$f")"; done
gzip -9n -c > "$DOC/changelog.Debian.gz" <<CHANGELOG
jumpseller-odbc ($VERSION) unstable; urgency=medium

  * Built from the repository at version $VERSION.

 -- Jumpseller ODBC developers <odbc@localhost>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)}")
CHANGELOG
cat > "$DOC/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: jumpseller-odbc

Files: *
License: MIT
COPYRIGHT

mkdir -p "$ROOT/DEBIAN"
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@SIZE@|$INSTALLED_KB|" \
    "$HERE/control.in" > "$ROOT/DEBIAN/control"
for script in postinst prerm; do
    sed -e "s|@DRIVER_NAME@|$DRIVER_NAME|" -e "s|@DRIVER_PATH@|$DRIVER_PATH|" \
        "$HERE/$script" > "$ROOT/DEBIAN/$script"
    chmod 0755 "$ROOT/DEBIAN/$script"
done

mkdir -p "$OUT"
DEB="$OUT/jumpseller-odbc_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
