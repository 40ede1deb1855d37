"""Fixtures shared by every test that needs a running switch.

``switch_server`` is one real ``ctiswitch serve`` process per test module
(demo company, virtual clock, every port picked by the OS). Face tests take
it and connect to ``switch_server.urls[...]``; its sim API (``client()``)
drives the phones. Tests in a module share the switch, so each leaves no
call behind. For a server with other options, use
``server_process.start_server`` directly.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_process import RunningServer, start_server


@pytest.fixture(scope="module")
def switch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with start_server(tmp_path_factory.mktemp("switch"), "--virtual-clock") as server:
        yield server
