"""Fixtures for the client tests: these go through the unixODBC driver manager
(libodbc) with real clients (pyodbc, isql/iusql, a C program, Perl DBI). They
never link the driver crate: the driver is only reached as the shared library
registered in a temporary odbcinst.ini.

Environment overrides:
  JUMPSELLER_ODBC_DRIVER   path of libjumpseller_odbc.so   (default target/debug/)
  JUMPSELLER_SANDBOX_BIN   path of jumpseller-sandbox      (default target/debug/)
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLIENTS = Path(__file__).resolve().parent
DRIVER_NAME = "Jumpseller ODBC Driver"
LOGIN = "sandbox"
AUTHTOKEN = "sandbox-authtoken"
DSN = "JS"

DRIVER_LIB = Path(os.environ.get("JUMPSELLER_ODBC_DRIVER", REPO / "target" / "debug" / "libjumpseller_odbc.so"))
SANDBOX_BIN = Path(os.environ.get("JUMPSELLER_SANDBOX_BIN", REPO / "target" / "debug" / "jumpseller-sandbox"))

# The driver's built-in profile: table and column names as the spec fixes them.
TABLES_JSON = {t["name"]: t for t in json.loads((REPO / "src" / "schema" / "jumpseller.json").read_text())["tables"]}

# Generous limits so the rate limiter never slows the tests down.
FAST_FLAGS = ["--per-second", "2000", "--per-minute", "200000"]


def _ensure_built():
    missing = [p for p in (DRIVER_LIB, SANDBOX_BIN) if not p.exists()]
    if not missing:
        return
    if "JUMPSELLER_ODBC_DRIVER" in os.environ or "JUMPSELLER_SANDBOX_BIN" in os.environ:
        pytest.exit(f"missing: {', '.join(map(str, missing))}", returncode=2)
    # Convenience when pytest is run on its own: build what is missing.
    subprocess.run(["cargo", "build", "-p", "jumpseller-odbc", "-p", "jumpseller-sandbox"], cwd=REPO, check=True)
    still = [p for p in (DRIVER_LIB, SANDBOX_BIN) if not p.exists()]
    if still:
        pytest.exit(f"cargo build did not produce {', '.join(map(str, still))}", returncode=2)


class Sandbox:
    """A jumpseller-sandbox process on a free port, plus its control API."""

    def __init__(self, *flags, workdir=None):
        self.flags = list(flags)
        self._errfile = tempfile.NamedTemporaryFile(prefix="sandbox-", suffix=".err", dir=workdir, delete=False)
        self.proc = subprocess.Popen(
            [str(SANDBOX_BIN), "serve", "--port", "0", *self.flags],
            stdout=subprocess.PIPE,
            stderr=self._errfile,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        line = self._first_line(timeout=30)
        prefix = "JUMPSELLER_SANDBOX_URL="
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"sandbox printed {line!r}; stderr: {self.stderr()}")
        self.url = line[len(prefix):].strip()  # http://127.0.0.1:<port>/v1
        assert self.url.startswith("http://127.0.0.1:") and self.url.endswith("/v1"), self.url
        self.base = self.url[: -len("/v1")]
        self.port = int(self.base.rsplit(":", 1)[1])

    def _first_line(self, timeout):
        box = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if not box:
            self.stop()
            raise RuntimeError(f"sandbox printed nothing within {timeout}s; stderr: {self.stderr()}")
        return box[0]

    def stderr(self):
        try:
            return Path(self._errfile.name).read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.stdout:
            self.proc.stdout.close()
        self._errfile.close()
        try:
            os.unlink(self._errfile.name)
        except OSError:
            pass

    # ---- control API (never counted, never rate limited) ----
    def _control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def stats(self):
        return self._control("GET", "/__sandbox/stats")

    def reset(self, quiet=0.15, within=5.0):
        """Zeroes the request counts once no request has arrived for `quiet`
        seconds (a previous statement's read-ahead may still be finishing)."""
        deadline = time.monotonic() + within
        while True:
            self._control("POST", "/__sandbox/reset", {})
            time.sleep(quiet)
            s = self.stats()
            if s["total"] == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"sandbox still receiving requests after {within}s: {s}")

    def set_faults(self, faults):
        return self._control("POST", "/__sandbox/faults", faults)

    def clear_faults(self):
        return self.set_faults([])

    def get_faults(self):
        return self._control("GET", "/__sandbox/faults")

    def export_sqlite(self, path):
        """The store as it is now (writes included) as a SQLite file, like `export --sqlite`."""
        return self._control("POST", "/__sandbox/export", {"sqlite": str(path)})

    def reset_rate_limits(self):
        return self._control("POST", "/__sandbox/reset-rate-limits", {})

    # ---- the API itself, over HTTP with Basic auth (counts as requests!) ----
    def api_get(self, path, login=LOGIN, token=AUTHTOKEN):
        """GET <url><path>; JSON with numbers kept exact (Decimal for non-integers)."""
        req = urllib.request.Request(self.url + path)
        cred = base64.b64encode(f"{login}:{token}".encode()).decode()
        req.add_header("Authorization", "Basic " + cred)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode("utf-8"), parse_float=Decimal)

    def api_list(self, resource, wrapper):
        """Every record of a paged list (e.g. 'products', 'product')."""
        out, page = [], 1
        while True:
            batch = self.api_get(f"/{resource}.json?limit=100&page={page}")
            out.extend(item[wrapper] for item in batch)
            if len(batch) < 100:
                return out
            page += 1

    def conn_str(self, **extra):
        """A full DSN-less connection string for this sandbox."""
        parts = {"DRIVER": "{%s}" % DRIVER_NAME, "URL": self.url, "UID": LOGIN, "PWD": AUTHTOKEN,
                 "MaxRequestsPerSecond": "1000", "MaxRequestsPerMinute": "100000"}
        parts.update(extra)  # a None value drops the key
        return ";".join(f"{k}={v}" for k, v in parts.items() if v is not None)


def _ini_text(sections):
    out = []
    for name, kv in sections.items():
        out.append(f"[{name}]")
        out.extend(f"{k}={v}" for k, v in kv.items())
        out.append("")
    return "\n".join(out)


@pytest.fixture(scope="session")
def workdir():
    d = tempfile.mkdtemp(prefix="jsodbc-clients-")
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def sandbox(workdir):
    """The shared sandbox for the session (default data, fast rate limit)."""
    _ensure_built()
    sb = Sandbox(*FAST_FLAGS, workdir=workdir)
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def module_sandbox(workdir):
    """A sandbox of the test module's own (default data), for modules that
    write or count requests: the shared one must stay as it is."""
    _ensure_built()
    sb = Sandbox(*FAST_FLAGS, workdir=workdir)
    yield sb
    sb.stop()


@pytest.fixture(scope="module")
def module_conn(module_sandbox):
    """A pyodbc connection (autocommit) to the module's own sandbox."""
    import pyodbc
    conn = pyodbc.connect(module_sandbox.conn_str(), autocommit=True)
    yield conn
    conn.close()


@pytest.fixture(scope="session", autouse=True)
def odbc_ini(sandbox, workdir):
    """Registers the driver and the DSNs in a private ODBCSYSINI/ODBCINI, for
    this process (pyodbc loads libodbc in-process) and every subprocess."""
    inst = workdir / "odbcinst.ini"
    ini = workdir / "odbc.ini"
    inst.write_text(_ini_text({DRIVER_NAME: {"Description": "Jumpseller ODBC (tests)", "Driver": str(DRIVER_LIB)}}))
    common = {"Driver": DRIVER_NAME, "URL": sandbox.url, "MaxRequestsPerSecond": "1000", "MaxRequestsPerMinute": "100000"}
    ini.write_text(_ini_text({
        DSN: {**common, "Login": LOGIN, "AuthToken": AUTHTOKEN},
        "JS_BADTOKEN": {**common, "Login": LOGIN, "AuthToken": "wrong-token"},
        "JS_UNKNOWNKEY": {**common, "Login": LOGIN, "AuthToken": AUTHTOKEN, "NoSuchOption": "1"},
    }))
    saved = {k: os.environ.get(k) for k in ("ODBCSYSINI", "ODBCINI", "ODBCINSTINI")}
    os.environ["ODBCSYSINI"] = str(workdir)
    os.environ["ODBCINI"] = str(ini)
    os.environ["ODBCINSTINI"] = "odbcinst.ini"
    yield {"dir": workdir, "odbcinst": inst, "odbc": ini}
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def faults(sandbox):
    """Sets faults on the shared sandbox for one test, always cleared after."""
    def set_(*fs):
        sandbox.set_faults(list(fs))
        return sandbox.get_faults()
    yield set_
    sandbox.clear_faults()
    sandbox.reset_rate_limits()


@pytest.fixture
def start_sandbox(workdir):
    """Factory: a private sandbox with custom flags, stopped after the test."""
    _ensure_built()
    started = []

    def start(*flags):
        sb = Sandbox(*FAST_FLAGS, *flags, workdir=workdir)
        started.append(sb)
        return sb
    yield start
    for sb in started:
        sb.stop()


@pytest.fixture(scope="session")
def api_products(sandbox):
    return sandbox.api_list("products", "product")


@pytest.fixture(scope="session")
def api_orders(sandbox):
    return sandbox.api_list("orders", "order")


def run(cmd, input=None, timeout=120, **kw):
    """Runs a client program with the test's ODBC environment; returns CompletedProcess."""
    return subprocess.run(cmd, input=input, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=timeout, **kw)
