#!/usr/bin/env bash
# Removes what installer/install.sh installed: the DSNs it created, the
# `Jumpseller ODBC Driver` registration and the installed files (same level:
# system as root, per user otherwise). Same as `installer/install.sh --uninstall`.
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install.sh" --uninstall "$@"
