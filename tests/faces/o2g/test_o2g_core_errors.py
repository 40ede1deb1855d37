"""RestErrorInfo everywhere, and the OpenAPI document (o2g.md §1.5, o2g-wire.md §4)."""
from __future__ import annotations

from typing import Any

import pytest
from o2g_client import O2GClient
from server_process import RunningServer

FIELDS = {"httpStatus", "code", "helpMessage", "type", "Type", "innerMessage", "canRetry"}


def check(body: dict[str, Any], status_name: str, type_: str, code: int) -> None:
    assert FIELDS <= set(body)
    assert (body["httpStatus"], body["type"], body["Type"], body["code"]) == (status_name, type_, type_, code)


def test_unknown_paths_are_404(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        inside = alice.get("/nowhere")
        outside = alice.http.get("/api/rest/2.0/sessions")
    for response in (inside, outside):
        assert response.status_code == 404
        check(response.json(), "NOT_FOUND", "NOT_FOUND", 1003)


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/rest"), ("DELETE", "/api/rest"), ("POST", "/api/rest/authenticate?version=1.0"),
    ("GET", "/api/rest/1.0/subscriptions"), ("PATCH", "/api/rest/1.0/sessions"),
])
def test_wrong_methods_are_405(switch_server: RunningServer, method: str, path: str) -> None:
    with switch_server.client(https=True) as http:
        response = http.request(method, path)
    assert response.status_code == 405
    check(response.json(), "METHOD_NOT_ALLOWED", "NOT_SUPPORTED", 1005)


@pytest.mark.parametrize("content", [b"{", b"[1, 2]", b"\xff\xfe", b'{"applicationName": NaN}'])
def test_malformed_json_is_400(switch_server: RunningServer, content: bytes) -> None:
    with switch_server.client(https=True) as http:
        http.get("/api/rest/authenticate?version=1.0", auth=("1004", "1234")).raise_for_status()
        response = http.post("/api/rest/1.0/sessions", content=content,
                             headers={"content-type": "application/json"})
    assert response.status_code == 400
    check(response.json(), "BAD_REQUEST", "BAD_PARAMETER", 1006)
    assert response.json()["innerMessage"].startswith("body:")


def test_missing_field_is_400_naming_it(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as http:
        http.get("/api/rest/authenticate?version=1.0", auth=("1004", "1234")).raise_for_status()
        missing = http.post("/api/rest/1.0/sessions", json={})
        nested = http.post("/api/rest/1.0/sessions",
                           json={"applicationName": "x", "supervisedAccount": {"id": 5, "type": "LOGIN_NAME"}})
    assert missing.status_code == 400 and missing.json()["innerMessage"].startswith("applicationName:")
    assert nested.status_code == 400 and nested.json()["innerMessage"].startswith("supervisedAccount.id:")


def test_bad_credentials_and_cookies_are_401(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as http:
        garbage = http.get("/api/rest/authenticate?version=1.0", headers={"Authorization": "Basic !!!"})
        forged = http.get("/api/rest/1.0/users/1001", headers={"Cookie": "AlcUserId=forged"})
        no_version = http.get("/api/rest/authenticate", auth=("1001", "1234"))
    check(garbage.json(), "UNAUTHORIZED", "NOT_ALLOWED", 1002)
    check(forged.json(), "UNAUTHORIZED", "INVALID_SESSION", 1001)
    assert no_version.status_code == 400


def test_tolerates_double_and_trailing_slashes(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        base = alice.session["privateBaseUrl"]
        assert alice.http.get(base + "//users/1001/").status_code == 200


def test_openapi_document_lists_the_services(switch_server: RunningServer) -> None:
    with switch_server.client(https=True) as http:
        document = http.get("/api/rest/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert paths["/api/rest/1.0/sessions"]["post"]["summary"] == "Open a user, administrator or supervised session."
    assert paths["/api/rest/1.0/users/{loginName}"]["get"]["parameters"][0]["name"] == "loginName"
    assert "put" in paths["/api/rest/1.0/subscriptions"]
