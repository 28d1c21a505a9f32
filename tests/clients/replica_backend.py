"""The `backend` fixture: every test of a module that uses it runs on both
replicas, an SQLite file (CacheLocation) and a private PostgreSQL server
(CacheConnection, pgserver.py). test_replica.py and test_autocache.py."""

from pathlib import Path

import pytest

from pgserver import PgServer


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request, workdir):
    """The connection string key naming the replica, and the PostgreSQL
    server when there is one."""
    if request.param == "sqlite":
        path = workdir / f"{request.module.__name__}.db"
        yield {"CacheLocation": str(path)}, None
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        with PgServer() as pg:
            yield {"CacheConnection": "{%s}" % pg.conn}, pg


def fresh_replica(backend, workdir, name):
    """The key of a new, empty replica beside the module's: a file, or a
    database of its own on the module's PostgreSQL server."""
    _, pg = backend
    if pg is None:
        return {"CacheLocation": str(workdir / f"{name}.db")}
    pg.psql(f'CREATE DATABASE "{name}"')
    return {"CacheConnection": "{%s}" % pg.conn.replace("dbname=postgres", f"dbname={name}")}
