"""O2G licence counts from the company's ``licenses`` (o2g.md §1.6): a
subscription beyond the TELEPHONY_ADVANCED count is REFUSED, and closing a
session gives its licence back."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from o2g_client import O2GClient
from server_process import RunningServer, start_server

COMPANY = """\
name: Licence Test
users:
  - {login: "3001", first_name: Ann, last_name: One, secret: "1111", devices: [{number: "3001", type: deskphone}]}
  - {login: "3002", first_name: Ben, last_name: Two, secret: "2222", devices: [{number: "3002", type: deskphone}]}
administrators:
  - {login: boss, password: secret}
licenses:
  TELEPHONY_ADVANCED: 1
"""
TELEPHONY = [{"ids": [], "names": ["telephony"]}]


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("licences")
    config = Path(workdir) / "company.yaml"
    config.write_text(COMPANY, encoding="utf-8")
    with start_server(workdir, "--virtual-clock", "--config", str(config)) as server:
        yield server


def test_second_user_is_refused_until_the_first_leaves(small_server: RunningServer) -> None:
    first = O2GClient(small_server, "3001", "1111")
    first.open()
    assert first.subscribe(TELEPHONY)["status"] == "ACCEPTED"
    with O2GClient(small_server, "3002", "2222") as second:
        refused = second.subscribe(TELEPHONY)
        assert refused["status"] == "REFUSED"
        assert "license" in refused["message"]
        assert "subscriptionId" not in refused
        assert second.subscribe([{"ids": [], "names": ["user"]}])["status"] == "ACCEPTED"
        first.close()
        assert second.subscribe(TELEPHONY)["status"] == "ACCEPTED"


def test_admin_may_supervise_no_more_users_than_licences(small_server: RunningServer) -> None:
    with O2GClient(small_server, "boss", "secret") as boss:
        assert boss.subscribe([{"ids": ["*"], "names": ["telephony"]}])["status"] == "REFUSED"
        assert boss.subscribe([{"ids": ["3001", "3002"], "names": ["eventSummary"]}])["status"] == "REFUSED"
        assert boss.subscribe([{"ids": ["3001"], "names": ["telephony"]}])["status"] == "ACCEPTED"
