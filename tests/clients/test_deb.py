"""The Debian package (packaging/deb/build.sh): built from the tested driver, then
installed twice over:

- into a throwaway dpkg root (always; needs no privileges): files, registration,
  upgrade without a second registration, removal and purge leaving none;
- for real with `dpkg -i` when the test runs as root (CI does):
  `isql` through the registered driver, then `apt-get remove` / `apt-get purge`,
  with the system's odbcinst.ini / odbc.ini put back as they were afterwards.

DSNs the user made are never touched: both installs check that one survives.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DRIVER_LIB, DRIVER_NAME, LOGIN, AUTHTOKEN, REPO, run

pytestmark = pytest.mark.skipif(not shutil.which("dpkg-deb") or not shutil.which("odbcinst"),
                                reason="needs dpkg-deb and odbcinst (Debian)")

MULTIARCH = {"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}
USER_DSN = "[MyOwnDsn]\nDriver=Jumpseller ODBC Driver\nURL=http://127.0.0.1:1/v1\n"


def _arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def _lib_path():
    return f"/usr/lib/{MULTIARCH[_arch()]}/odbc/libjumpseller_odbc.so"


@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    out = tmp_path_factory.mktemp("deb")
    p = run([str(REPO / "packaging" / "deb" / "build.sh"), "--from", str(DRIVER_LIB.parent), "--out", str(out)],
            timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    path = Path(p.stdout.strip().splitlines()[-1])
    assert path.name.startswith("jumpseller-odbc_") and path.name.endswith(f"_{_arch()}.deb"), path
    return path


def _system_env(**extra):
    """The environment of a process that uses the system's (or a given) ODBC ini files,
    not the private ones the other client tests register in."""
    env = {k: v for k, v in os.environ.items() if k not in ("ODBCSYSINI", "ODBCINI", "ODBCINSTINI")}
    env.update(extra)
    return env


def _registration(env):
    p = subprocess.run(["odbcinst", "-q", "-d", "-n", DRIVER_NAME], capture_output=True, text=True, env=env)
    return dict(l.split("=", 1) for l in p.stdout.splitlines() if "=" in l) if p.returncode == 0 else None


def test_package_metadata_and_files(deb):
    info = run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Architecture", "Depends"]).stdout
    version = next(l.split('"')[1] for l in (REPO / "Cargo.toml").read_text().splitlines() if l.startswith("version"))
    assert "Package: jumpseller-odbc" in info and f"Version: {version}" in info
    assert "odbcinst" in info  # the maintainer scripts call it
    files = {l.split()[-1].lstrip(".") for l in run(["dpkg-deb", "-c", str(deb)]).stdout.splitlines()}
    for f in (_lib_path(), "/usr/bin/jumpseller-odbc", "/usr/include/jumpseller_odbc.h",
              "/usr/share/jumpseller-odbc/odbc.ini.template", "/usr/share/jumpseller-odbc/odbcinst.ini",
              "/usr/share/doc/jumpseller-odbc/README.md", "/usr/share/doc/jumpseller-odbc/copyright"):
        assert f in files, f


def _dpkg_root(root, *args):
    """dpkg on a throwaway root; maintainer scripts run outside a chroot with the
    root's odbcinst.ini (odbcinst honours ODBCSYSINI)."""
    env = _system_env(ODBCSYSINI=str(root / "etc"))
    p = subprocess.run(["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends",
                        "--force-not-root", "--log=/dev/null", *args],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    return env


def test_throwaway_root_registers_and_unregisters(deb, tmp_path):
    root = tmp_path / "root"
    for d in ("etc", "var/lib/dpkg/updates", "var/lib/dpkg/info"):
        (root / d).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    (root / "etc/odbcinst.ini").touch()
    (root / "etc/odbc.ini").write_text(USER_DSN)

    env = _dpkg_root(root, "-i", str(deb))
    reg = _registration(env)
    assert reg and reg["Driver"] == _lib_path() and reg["UsageCount"] == "1", reg
    assert (root / _lib_path().lstrip("/")).is_file()

    _dpkg_root(root, "-i", str(deb))  # reinstall / upgrade: still one registration
    assert _registration(env)["UsageCount"] == "1"

    _dpkg_root(root, "--remove", "jumpseller-odbc")
    assert _registration(env) is None
    assert not (root / _lib_path().lstrip("/")).exists()

    _dpkg_root(root, "-i", str(deb))
    _dpkg_root(root, "--purge", "jumpseller-odbc")
    assert _registration(env) is None
    assert "[MyOwnDsn]" in (root / "etc/odbc.ini").read_text()


@pytest.fixture
def system_ini_restored():
    """The system's ODBC ini files as they were before the test, put back after."""
    sysdir = Path(subprocess.run(["odbcinst", "-j"], capture_output=True, text=True, env=_system_env())
                  .stdout.split("DRIVERS............:")[1].split()[0]).parent
    files = [sysdir / "odbcinst.ini", sysdir / "odbc.ini"]
    saved = {f: f.read_bytes() if f.exists() else None for f in files}
    yield sysdir
    for f, data in saved.items():
        if data is None:
            f.unlink(missing_ok=True)
        else:
            f.write_bytes(data)


@pytest.mark.skipif(os.geteuid() != 0, reason="a real dpkg -i needs root (the throwaway-root test runs without)")
def test_dpkg_install_isql_then_remove_and_purge(deb, sandbox, system_ini_restored):
    env = _system_env(DEBIAN_FRONTEND="noninteractive")
    odbc_ini = system_ini_restored / "odbc.ini"
    with open(odbc_ini, "a") as f:
        f.write("\n" + USER_DSN)
    try:
        p = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True, env=env, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        assert _registration(env)["Driver"] == _lib_path()

        conn = f"DRIVER={{{DRIVER_NAME}}};URL={sandbox.url};UID={LOGIN};PWD={AUTHTOKEN}"
        q = subprocess.run(["isql", "-b", "-v", "-d|", "-c", "-k", conn], input="SELECT COUNT(*) FROM Products\n",
                           capture_output=True, text=True, env=env, timeout=120)
        count = sandbox.api_get("/products/count.json")["count"]
        assert q.returncode == 0 and q.stdout.splitlines()[-1].strip() == str(count), q.stdout + q.stderr

        for verb in ("remove", "purge"):
            p = subprocess.run(["apt-get", verb, "-y", "-q", "jumpseller-odbc"], capture_output=True,
                               text=True, env=env, timeout=300)
            assert p.returncode == 0, p.stdout + p.stderr
            assert _registration(env) is None
            assert not Path(_lib_path()).exists()
            assert "[MyOwnDsn]" in odbc_ini.read_text()
            if verb == "remove":
                subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, env=env, check=True, timeout=300)
    finally:
        subprocess.run(["dpkg", "--purge", "jumpseller-odbc"], capture_output=True, env=env, timeout=300)
