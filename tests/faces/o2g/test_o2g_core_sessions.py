"""O2G sessions over HTTPS: descriptor, authenticate, open, keepalive,
expiry on the virtual clock, close (o2g.md §1.2-1.4, o2g-wire.md §1)."""
from __future__ import annotations

import httpx
import pytest
from o2g_client import O2GClient
from server_process import RunningServer


def advance(server: RunningServer, seconds: float) -> None:
    with server.client() as sim:
        sim.post("/sim/clock/advance", json={"seconds": seconds}).raise_for_status()


def test_descriptor_lists_version_1_0_first(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as http:
        body = http.get("/api/rest").json()
    assert body["versions"][0]["id"] == "1.0"
    assert body["versions"][0]["internalUrl"] == f"{switch_server.https_url}/api/rest/authenticate?version=1.0"
    assert body["serverInfo"]["productType"] == "O2G"


def test_user_login_to_logout(switch_server: RunningServer) -> None:
    client = O2GClient(switch_server, "1001", "1234")
    info = client.open()
    assert info["admin"] is False
    assert info["timeToLive"] > 0
    assert info["privateBaseUrl"] == f"{switch_server.https_url}/api/rest/1.0"
    names = {s["serviceName"].lower(): s["relativeUrl"] for s in info["services"]}
    assert names["subscriptions"] == "/subscriptions"
    assert names["users"] == "/users"
    assert client.http.cookies.get("AlcUserId")
    assert client.get("/sessions").json()["login"] == "1001"
    assert client.http.delete(client.sessions_url).status_code == 204
    after = client.get("/sessions")
    assert after.status_code == 403
    assert after.json()["type"] == "INVALID_SESSION"
    client.http.close()


def test_administrator_session(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "admin", "admin") as admin:
        assert admin.session["admin"] is True
        assert "login" not in admin.session
        logins = admin.get("/logins").json()["loginNames"]
        assert {"1001", "1002"} <= set(logins)


def test_supervised_session_acts_as_the_user(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "admin", "admin", supervised={"id": "1002", "type": "LOGIN_NAME"}) as sup:
        assert sup.session["admin"] is False
        assert sup.get("/logins").json() == {"loginNames": ["1002"]}


def test_supervised_session_needs_an_administrator(switch_server: RunningServer) -> None:
    with pytest.raises(httpx.HTTPStatusError) as raised:
        O2GClient(switch_server, "1001", "1234", supervised={"id": "1002", "type": "LOGIN_NAME"}).open()
    assert raised.value.response.status_code == 403
    assert raised.value.response.json()["type"] == "NOT_ALLOWED"


def test_wrong_password_is_401(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as http:
        response = http.get("/api/rest/authenticate?version=1.0", auth=("1001", "wrong"))
        bare = http.get("/api/rest/authenticate?version=1.0")
    assert response.status_code == 401
    assert response.json()["type"] == "NOT_ALLOWED"
    assert response.json()["httpStatus"] == "UNAUTHORIZED"
    assert "AlcUserId" not in response.cookies
    assert bare.status_code == 401
    assert bare.headers["www-authenticate"].startswith("Basic")


def test_one_session_per_credential(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as client:
        again = client.http.post(client.sessions_url, json={"applicationName": "again"})
        assert again.status_code == 403


def test_session_expires_on_the_clock_and_keepalive_restarts_it(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as client:
        ttl = client.session["timeToLive"]
        advance(switch_server, ttl * 0.75)
        assert client.keepalive().status_code == 204
        advance(switch_server, ttl * 0.75)
        assert client.get("/sessions").status_code == 200
        advance(switch_server, ttl + 1)
        expired = client.get("/sessions")
        assert expired.status_code == 403
        assert expired.json()["type"] == "INVALID_SESSION"
        assert client.keepalive().status_code == 403


def test_no_cookie_is_401(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as http:
        response = http.get("/api/rest/1.0/sessions")
    assert response.status_code == 401
    assert response.json()["type"] == "INVALID_SESSION"
    assert response.json()["code"] == 1001
