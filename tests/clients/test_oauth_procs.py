"""The OAuth stored procedures through unixODBC and pyodbc, against the
sandbox's OAuth server: the authorization URL, the code exchange, refresh,
and their description by SQLProcedures / SQLProcedureColumns."""

import http.client
import json
import urllib.parse

import pyodbc
import pytest

from conftest import DRIVER_NAME


def _oauth_conn_str(sandbox, store, **extra):
    parts = {
        "DRIVER": "{%s}" % DRIVER_NAME,
        "URL": sandbox.url,
        "AuthScheme": "OAuth",
        "InitiateOAuth": "OFF",
        "OAuthClientId": "sandbox-client",
        "OAuthClientSecret": "sandbox-secret",
        "CallbackURL": "http://localhost:33444/cb",
        "OAuthAuthorizationURL": sandbox.base + "/oauth/authorize",
        "OAuthAccessTokenURL": sandbox.base + "/oauth/token",
        "OAuthSettingsLocation": str(store),
        "MaxRequestsPerSecond": "1000",
        "MaxRequestsPerMinute": "100000",
    }
    parts.update(extra)
    return ";".join(f"{k}={v}" for k, v in parts.items() if v is not None)


def _code_from(url):
    """Requests the authorization URL like a browser, without following the
    redirect: the code in its Location."""
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", u.path + "?" + u.query)
    r = c.getresponse()
    assert r.status == 302, r.status
    loc = r.getheader("Location")
    c.close()
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    return q["code"][0], q.get("state", [None])[0]


@pytest.fixture
def store(tmp_path):
    return tmp_path / "oauth" / "tokens.json"


def test_procedures_get_and_refresh_tokens(sandbox, store):
    conn = pyodbc.connect(_oauth_conn_str(sandbox, store), autocommit=True)
    cur = conn.cursor()

    row = cur.execute("{call GetOAuthAuthorizationURL(NULL, 'read_products read_store', 'py-state')}").fetchone()
    assert [d[0] for d in cur.description] == ["URL"]
    url = row.URL
    assert "client_id=sandbox-client" in url and "state=py-state" in url
    code, state = _code_from(url)
    assert state == "py-state"

    row = cur.execute(f"EXEC GetOAuthAccessToken @AuthMode='WEB', @Verifier='{code}'").fetchone()
    assert [d[0] for d in cur.description] == ["OAuthAccessToken", "OAuthRefreshToken", "ExpiresIn"]
    assert row.OAuthAccessToken and row.OAuthRefreshToken and row.ExpiresIn == 3600
    stored = json.loads(store.read_text())
    assert stored["access_token"] == row.OAuthAccessToken
    assert (store.stat().st_mode & 0o777) == 0o600

    # The connection uses the new token at once.
    assert cur.execute("SELECT COUNT(*) FROM Products").fetchone()[0] == 120

    old_refresh = row.OAuthRefreshToken
    row = cur.execute("{call RefreshOAuthAccessToken('%s')}" % old_refresh).fetchone()
    assert row.OAuthRefreshToken != old_refresh
    assert json.loads(store.read_text())["refresh_token"] == row.OAuthRefreshToken

    # A spent code is refused with 28000 and the code is not in the message.
    with pytest.raises(pyodbc.Error) as e:
        cur.execute(f"{{call GetOAuthAccessToken('WEB', '{code}')}}").fetchall()
    assert e.value.args[0] == "28000"
    assert code not in str(e.value)
    conn.close()

    # A later connection with GETANDREFRESH finds the stored tokens (no browser).
    conn = pyodbc.connect(_oauth_conn_str(sandbox, store, InitiateOAuth="GETANDREFRESH"), autocommit=True)
    assert conn.cursor().execute("SELECT COUNT(*) FROM Products").fetchone()[0] == 120
    conn.close()


def test_procedures_are_described(sandbox, store):
    conn = pyodbc.connect(_oauth_conn_str(sandbox, store), autocommit=True)
    cur = conn.cursor()
    names = sorted(r.procedure_name for r in cur.procedures())
    assert names == ["GetOAuthAccessToken", "GetOAuthAuthorizationURL", "GetShippingRates", "RefreshOAuthAccessToken",
                     "SyncCache"]
    cols = [(r.column_name, r.column_type) for r in cur.procedureColumns(procedure="GetOAuthAccessToken")]
    assert cols == [("AuthMode", 1), ("Verifier", 1), ("CallbackURL", 1), ("Scope", 1), ("State", 1),
                    ("OAuthAccessToken", 3), ("OAuthRefreshToken", 3), ("ExpiresIn", 3)]
    cols = [r.column_name for r in cur.procedureColumns(procedure="RefreshOAuthAccessToken")]
    assert cols == ["OAuthRefreshToken", "OAuthAccessToken", "OAuthRefreshToken", "ExpiresIn"]
    conn.close()


def test_getandrefresh_with_pyodbc_gives_the_headless_way(sandbox, store):
    """pyodbc always connects with SQL_DRIVER_NOPROMPT: no browser, a 28000
    whose message carries the URL; the OAuthVerifier way then connects."""
    s = _oauth_conn_str(sandbox, store, InitiateOAuth="GETANDREFRESH")
    with pytest.raises(pyodbc.Error) as e:
        pyodbc.connect(s)
    assert e.value.args[0] == "28000"
    msg = str(e.value)
    assert "OAuthVerifier" in msg and "/oauth/authorize?" in msg, msg
    url = next(w for w in msg.split() if "/oauth/authorize?" in w)
    code, _ = _code_from(url)
    conn = pyodbc.connect(s + f";OAuthVerifier={code}", autocommit=True)
    assert conn.cursor().execute("SELECT COUNT(*) FROM Products").fetchone()[0] == 120
    conn.close()
