"""CData's documented connection strings for its API driver's Jumpseller
profile, pasted into pyodbc through unixODBC (DSN-less and in a DSN):
ProfileSettings, the OAuth GETANDREFRESH example, keys without effect, log
rotation and a SOCKS5 firewall. (pyodbc drops connect warnings: the one
01S00 list is checked by tests/cdata_strings.rs.)"""

import socket
import struct
import threading

import pyodbc
import pytest

from conftest import AUTHTOKEN, DRIVER_NAME, LOGIN
from test_oauth_procs import _code_from

PROFILE_SETTINGS = f"ProfileSettings='Login={LOGIN};AuthToken={AUTHTOKEN}'"


def sandbox_keys(sandbox):
    return f"URL={sandbox.url};MaxRequestsPerSecond=1000;MaxRequestsPerMinute=100000"


def basic_example(sandbox):
    return (f"DRIVER={{{DRIVER_NAME}}};Profile=C:\\profiles\\Jumpseller.apip;{PROFILE_SETTINGS};"
            + sandbox_keys(sandbox))


def count_products(conn):
    return conn.cursor().execute("SELECT COUNT(*) FROM Products").fetchone()[0]


def test_the_basic_example_connects(sandbox):
    conn = pyodbc.connect(basic_example(sandbox))
    assert count_products(conn) == 120
    conn.close()
    # Double quotes, as CData also writes them.
    conn = pyodbc.connect(basic_example(sandbox).replace("'", '"'))
    assert count_products(conn) == 120
    conn.close()


def test_the_oauth_getandrefresh_example_connects(sandbox, tmp_path):
    """pyodbc connects with SQL_DRIVER_NOPROMPT: the first attempt answers
    28000 with the sign-in URL; its code given as OAuthVerifier connects and
    stores the tokens; then the example as pasted connects from the store."""
    example = (f"DRIVER={{{DRIVER_NAME}}};Profile=C:\\profiles\\Jumpseller.apip;Authscheme=OAuth;"
               "InitiateOAuth=GETANDREFRESH;OAuthClientId=sandbox-client;OAuthClientSecret=sandbox-secret;"
               "CallbackUrl=http://localhost:33333;")
    s = (example + sandbox_keys(sandbox)
         + f";OAuthAuthorizationURL={sandbox.base}/oauth/authorize;OAuthAccessTokenURL={sandbox.base}/oauth/token"
         + f";OAuthSettingsLocation={tmp_path / 'tokens.json'}")
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(s)
    assert e.value.args[0] == "28000"
    url = next(w for w in str(e.value).split() if "/oauth/authorize?" in w)
    code, _ = _code_from(url)
    conn = pyodbc.connect(s + f";OAuthVerifier={code}")
    assert count_products(conn) == 120
    conn.close()
    conn = pyodbc.connect(s)
    assert count_products(conn) == 120
    conn.close()


def test_cdata_keys_in_a_dsn(sandbox, odbc_ini, tmp_path):
    log = tmp_path / "cdata.log"
    section = {
        "Driver": DRIVER_NAME,
        "URL": sandbox.url,
        "ProfileSettings": f"'Login={LOGIN};AuthToken={AUTHTOKEN}'",
        "Other": "'DefaultColumnSize=2000;MaxRequestsPerSecond=1000'",
        "Readonly": "true",
        "MaxRows": "-1",
        "Timeout": "30",
        "ConnectOnOpen": "true",
        "UseConnectionPooling": "true",
        "PoolMaxSize": "10",
        "PoolIdleTimeout": "60",
        "LogModules": "INFO;EXEC",
        "Logfile": str(log),
        "Verbosity": "5",
        "MaxLogFileSize": "4 KB",
        "MaxLogFileCount": "2",
        "FirewallType": "NONE",
        "RTK": "5246444F4E",
    }
    with open(odbc_ini["odbc"], "a") as f:
        f.write("\n[JS_CDATA]\n" + "".join(f"{k}={v}\n" for k, v in section.items()))
    for _ in range(6):
        conn = pyodbc.connect("DSN=JS_CDATA")
        cur = conn.cursor()
        assert len(cur.execute("SELECT id FROM Products").fetchall()) == 120
        with pytest.raises(pyodbc.Error) as e:
            cur.execute("DELETE FROM Products WHERE id = 1")
        assert "read-only" in str(e.value)
        conn.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["cdata.log", "cdata.log.1"]
    for p in tmp_path.iterdir():
        assert p.stat().st_mode & 0o777 == 0o600
        assert AUTHTOKEN not in p.read_text()


class Socks5:
    """A SOCKS5 proxy (no authentication) on 127.0.0.1 that counts the
    connections it carries."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.carried = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, c):
        def read(n):
            data = b""
            while len(data) < n:
                chunk = c.recv(n - len(data))
                if not chunk:
                    raise EOFError
                data += chunk
            return data
        try:
            _, n = read(2)
            read(n)
            c.sendall(b"\x05\x00")
            _, _, _, atyp = read(4)
            host = socket.inet_ntoa(read(4)) if atyp == 1 else read(read(1)[0]).decode()
            (port,) = struct.unpack(">H", read(2))
            up = socket.create_connection((host, port))
            c.sendall(b"\x05\x00\x00\x01" + bytes(6))
            self.carried += 1
        except (EOFError, OSError):
            c.close()
            return
        threading.Thread(target=self._copy, args=(up, c), daemon=True).start()
        self._copy(c, up)

    @staticmethod
    def _copy(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.server.close()


def test_a_socks5_firewall_carries_the_connection(sandbox):
    proxy = Socks5()
    try:
        conn = pyodbc.connect(basic_example(sandbox)
                              + f";FirewallType=SOCKS5;FirewallServer=127.0.0.1;FirewallPort={proxy.port}")
        assert count_products(conn) == 120
        conn.close()
        assert proxy.carried >= 1
    finally:
        proxy.close()


def test_conflicting_or_impossible_proxy_settings_fail_with_08001(sandbox):
    for extra in [";ProxyServer=127.0.0.1:3128;FirewallType=SOCKS5;FirewallServer=127.0.0.1",
                  ";ProxyServer=127.0.0.1:3128;ProxyAuthScheme=NTLM"]:
        with pytest.raises(pyodbc.Error) as e:
            pyodbc.connect(basic_example(sandbox) + extra)
        assert e.value.args[0] == "08001", extra
