"""A private PostgreSQL server for the client tests, as tests/common/pg.rs
starts one for the Rust tests: initdb in a temp dir, pg_ctl on a free
127.0.0.1 port (no Unix socket, no system service), trust authentication
for the `postgres` user; stopped (-m immediate) and removed on exit, failed
tests included. As root it runs as `nobody` (PostgreSQL refuses root).
The binaries: $JUMPSELLER_PG_BIN, else the newest
/usr/lib/postgresql/<version>/bin (Debian's `postgresql`)."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin_dir():
    if os.environ.get("JUMPSELLER_PG_BIN"):
        return Path(os.environ["JUMPSELLER_PG_BIN"])
    versions = sorted((int(p.name), p) for p in Path("/usr/lib/postgresql").iterdir() if p.name.isdigit())
    return versions[-1][1] / "bin"


def _as_owner(argv):
    return ["runuser", "-u", "nobody", "--", *argv] if os.geteuid() == 0 else argv


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """`with PgServer() as pg:` ... `pg.conn` (key=value form), `pg.psql(sql)`."""

    def __init__(self):
        self.bin = _bin_dir()
        # Not under the session's workdir: `nobody` must reach the data dir.
        self.dir = Path(tempfile.mkdtemp(prefix="jsodbc-pg-"))
        self.data = self.dir / "data"
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "nobody")
            shutil.chown(self.data, "nobody")
        subprocess.run(_as_owner([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                                  "--no-sync", "--encoding=UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        for _ in range(5):  # a port found free may be taken before the server binds it
            self.port = _free_port()
            opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                    "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
            started = subprocess.run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                                                str(self.dir / "server.log"), "-w", "-t", "60", "-o", opts, "start"]),
                                     capture_output=True)
            if started.returncode == 0:
                break
        else:
            self.stop()
            raise RuntimeError("the private PostgreSQL server did not start")
        self.conn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def psql(self, sql):
        """Runs `sql` with psql (unaligned, tuples only); its standard output."""
        out = subprocess.run([str(self.bin / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                              "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-c", sql],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def stop(self):
        subprocess.run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
