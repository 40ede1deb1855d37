"""TLS on both Turret API sockets (S1 §5.1, C1 A-9), over real sockets: the
request port with the switch's own certificate and required client
certificates, and notifications sent to a TLS notification server that the
turret verifies against the configured CA.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_process import RunningServer, start_server
from thriftpy2.transport import TTransportException
from turret_face_support import B, Receiver, client_certificate, login, turret_client

from ctiswitch.server.tls import ensure_certificate


@pytest.fixture(scope="module")
def tls_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path, Path, Path]]:
    workdir = tmp_path_factory.mktemp("tls")
    client_cert, client_key = client_certificate(workdir / "app")
    notify = ensure_certificate(workdir / "receiver", "127.0.0.1")  # the application's notification server
    company = (Path(__file__).parents[3] / "ctiswitch" / "config" / "demo.yaml").read_text().replace(
        "  tls: {enabled: false}\n  notify_tls: {enabled: false}\n",
        f"  tls: {{enabled: true, client_ca: {client_cert}}}\n"
        f"  notify_tls: {{enabled: true, ca: {notify.cert_path}}}\n",
    )
    (workdir / "tls.yaml").write_text(company)
    with start_server(workdir, "--virtual-clock", "--config", str(workdir / "tls.yaml")) as server:
        yield server, client_cert, client_key, notify.cert_path


def app_context(server: RunningServer, cert: Path | None, key: Path | None) -> ssl.SSLContext:
    """What the application trusts (the switch's certificate) and presents."""
    context = ssl.create_default_context(cafile=str(server.certificate))
    if cert is not None and key is not None:
        context.load_cert_chain(cert, key)
    return context


def test_turret_face_tls_client_and_tls_notification_server(tls_setup: tuple[RunningServer, Path, Path, Path]) -> None:
    server, cert, key, notify_cert = tls_setup
    url = server.urls["turret"]
    assert url.startswith("tls://127.0.0.1:")
    receiver_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    receiver_tls.load_cert_chain(notify_cert, notify_cert.with_name("tls-key.pem"))
    receiver = Receiver(tls=receiver_tls)
    with turret_client(url, tls=app_context(server, cert, key)) as turret, server.client() as sim:
        turret.requestNotifications(receiver.subscriber_info("secure"))
        login(turret, receiver)
        assert sim.post("/sim/calls", json={"from": "0655555555", "to": "5003"}).status_code == 201
        assert receiver.expect_line("L3", B.Ringing).turret_name == "secure"
        turret.answerSpecificCall(1, "L3")
        receiver.expect_line("L3", B.Connected, B.Conversation)
        turret.disconnectCall(1)
        receiver.expect_line("L3", B.Idle)
        turret.logout()
    receiver.close()


def test_turret_face_tls_refuses_clients_without_certificate_or_tls(
        tls_setup: tuple[RunningServer, Path, Path, Path]) -> None:
    server, *_ = tls_setup
    url = server.urls["turret"]
    anonymous_tls = app_context(server, None, None)
    with pytest.raises((TTransportException, OSError)), turret_client(url, tls=anonymous_tls) as anonymous:
        anonymous.getLoginState()
    with pytest.raises((TTransportException, OSError)), turret_client(url) as plain:
        plain.getLoginState()


def test_turret_face_notifications_to_an_untrusted_server_are_not_sent(
        tls_setup: tuple[RunningServer, Path, Path, Path], tmp_path: Path) -> None:
    server, cert, key, _ = tls_setup
    stranger = ensure_certificate(tmp_path, "127.0.0.1")  # not signed by the configured CA
    receiver_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    receiver_tls.load_cert_chain(stranger.cert_path, stranger.key_path)
    receiver = Receiver(tls=receiver_tls)
    with turret_client(server.urls["turret"], tls=app_context(server, cert, key)) as turret:
        turret.requestNotifications(receiver.subscriber_info())
        turret.login("Trader1", "1234")
        deadline = time.monotonic() + 10
        while not receiver.handshake_failures and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.handshake_failures >= 1
        assert receiver.seen == []
        turret.logout()
    receiver.close()
