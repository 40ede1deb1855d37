"""The O2G Users service over HTTPS (o2g.md §2.2, o2g-wire.md §3.2)."""
from __future__ import annotations

from o2g_client import O2GClient
from server_process import RunningServer


def test_user_description(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        own = alice.get("/users/1001").json()
        other = alice.get("/users/1002").json()
        by_phone = alice.get("/users", params={"companyPhone": "1002"}).json()
    assert own["firstName"] == "Alice" and own["companyPhone"] == "1001" and own["nodeId"] == "1"
    assert {"type": "DESKPHONE", "id": "1001", "subType": "NOE_C_Color_IP"} in own["devices"]
    assert own["voicemail"]["type"] == "VM_4635"
    assert "devices" not in other
    assert by_phone["loginName"] == "1002"


def test_user_lookup_errors(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1001", "1234") as alice:
        no_query = alice.get("/users")
        unknown = alice.get("/users", params={"companyPhone": "9999"})
        no_user = alice.get("/users/nobody")
    assert no_query.status_code == 400 and no_query.json()["innerMessage"].startswith("companyPhone")
    assert unknown.status_code == 404 and unknown.json()["type"] == "NOT_FOUND"
    assert no_user.status_code == 404


def test_preferences_and_languages(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1002", "1234") as bruno:
        assert bruno.get("/users/1002/preferences").json() == {"guiLanguage": "en", "oxeLanguage": "Generic_English"}
        assert bruno.post("/users/1002/preferences", json={"guiLanguage": "fr-ca"}).status_code == 204
        assert bruno.get("/users/1002/preferences").json()["guiLanguage"] == "fr-ca"
        languages = bruno.get("/users/1002/preferences/supportedLanguages").json()
        wrong = bruno.post("/users/1002/preferences", json={"guiLanguage": "klingon"})
        others = bruno.get("/users/1001/preferences")
    assert "fr-ca" in languages["supportedLanguages"] and "en" in languages["supportedGuiLanguages"]
    assert wrong.status_code == 400
    assert wrong.json()["userPreferences"]["errorType"] == "WRONG_VALUE"
    assert wrong.json()["userPreferences"]["parameter"] == "GUI_LANGUAGE"
    assert others.status_code == 403 and others.json()["type"] == "NOT_ALLOWED"


def test_password_change_is_used_by_the_next_login(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1006", "1234") as user:
        wrong = user.put("/users/1006/password", json={"oldPassword": "0000", "newPassword": "5678"})
        missing = user.put("/users/1006/password", json={"oldPassword": "1234"})
        assert user.put("/users/1006/password", json={"oldPassword": "1234", "newPassword": "5678"}).status_code == 204
    assert wrong.status_code == 403
    assert missing.status_code == 400 and missing.json()["innerMessage"].startswith("newPassword")
    with switch_server.client(https=True) as http:
        assert http.get("/api/rest/authenticate?version=1.0", auth=("1006", "1234")).status_code == 401
    with O2GClient(switch_server, "1006", "5678") as user:
        assert user.put("/users/1006/password", json={"oldPassword": "5678", "newPassword": "1234"}).status_code == 204


def test_logins(switch_server: RunningServer) -> None:
    with O2GClient(switch_server, "1003", "1234") as chloe, O2GClient(switch_server, "admin", "admin") as admin:
        assert chloe.get("/logins").json() == {"loginNames": ["1003"]}
        assert len(admin.get("/logins").json()["loginNames"]) == 8
        assert admin.get("/logins", params={"nodeIds": "7;8"}).json() == {"loginNames": []}
