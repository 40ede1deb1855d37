"""Helpers for the Turret face tests: real thriftpy2 clients and a real
notification receiver, both built from the shipped turret.thrift.

`Receiver` is what a third-party application runs (spec turret-and-sky.md
A2 item 2): a thriftpy2 `TurretNotificationService` server on 127.0.0.1:0
that the switch connects back to. It records every notification in arrival
order; `expect` waits for one that matches, so tests never depend on timing.
"""

from __future__ import annotations

import contextlib
import datetime
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from thriftpy2.protocol import TBinaryProtocolFactory
from thriftpy2.rpc import make_client
from thriftpy2.thrift import TApplicationException, TProcessor
from thriftpy2.transport import (
    TBufferedTransportFactory,
    TFramedTransportFactory,
    TServerSocket,
    TSSLServerSocket,
    TTransportException,
)

from ctiswitch.faces.turret.idl import load_idl

T = load_idl()
REQ = T.TurretRequestService
NOTE = T.TurretNotificationService
B = T.BasicLineState

#: How long a test waits for a notification before failing.
WAIT = 10.0

TRANSPORTS = {"framed": TFramedTransportFactory, "unframed": TBufferedTransportFactory}


@dataclass(frozen=True)
class Note:
    """One received notification: its method and arguments after turretName."""

    method: str
    turret_name: str
    args: tuple[Any, ...]


class _Recorder:
    """The TurretNotificationService handler: every method records itself."""

    def __init__(self, sink: queue.Queue[Note]) -> None:
        self._sink = sink

    def __getattr__(self, method: str) -> Callable[..., None]:
        if method not in NOTE.thrift_services:
            raise AttributeError(method)

        def record(turretName: str, *args: Any) -> None:
            self._sink.put(Note(method, turretName, args))

        return record


class Receiver:
    """A notification server on 127.0.0.1 with an OS-chosen port; a TLS
    server when given a context (the turret then connects as a TLS client)."""

    def __init__(self, dialect: str = "framed", tls: ssl.SSLContext | None = None) -> None:
        self._notes: queue.Queue[Note] = queue.Queue()
        self.seen: list[Note] = []
        self.handshake_failures = 0
        self._closed = False
        self._processor = TProcessor(NOTE, _Recorder(self._notes))
        self._transport = TRANSPORTS[dialect]()
        self._server: TServerSocket = (
            TServerSocket(host="127.0.0.1", port=0, client_timeout=0) if tls is None
            else TSSLServerSocket(host="127.0.0.1", port=0, client_timeout=0, ssl_context=tls)
        )
        self._server.listen()
        self.port: int = self._server.sock.getsockname()[1]
        self._clients: list[Any] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client = self._server.accept()
            except OSError:
                if self._closed:
                    return
                self.handshake_failures += 1  # a TLS handshake the switch gave up
                continue
            self._clients.append(client.sock)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: Any) -> None:
        trans = self._transport.get_transport(client)
        proto = TBinaryProtocolFactory().get_protocol(trans)
        try:
            while True:
                self._processor.process(proto, proto)
        except (TTransportException, OSError):
            pass
        trans.close()

    def close(self) -> None:
        """Stop accepting and drop the switch's connections: a dead subscriber."""
        self._closed = True
        self._server.close()
        for sock in self._clients:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def subscriber_info(self, turret_name: str = "") -> Any:
        return T.SubscriberInfo(ipAddress="127.0.0.1", port=self.port, turretName=turret_name)

    def expect(self, method: str, where: Callable[[Note], bool] = lambda note: True) -> Note:
        """The first not yet consumed notification of `method` matching `where`."""
        for index, note in enumerate(self.seen):
            if note.method == method and where(note):
                del self.seen[index]
                return note
        while True:
            try:
                note = self._notes.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"no {method} arrived in {WAIT} s; pending: {self.seen}") from None
            if note.method == method and where(note):
                return note
            self.seen.append(note)

    def expect_line(self, line: str, *states: int) -> Note:
        """Wait for `line` to reach exactly the state set `states`."""
        wanted = set(states)
        return self.expect("onLineStatesChanged",
                           lambda n: n.args[0].lineName == line and set(n.args[0].basicLineStates) == wanted)

    def pending(self) -> list[Note]:
        """Every notification received and not yet consumed by `expect`."""
        while not self._notes.empty():
            self.seen.append(self._notes.get_nowait())
        return list(self.seen)

    def drain(self) -> None:
        """Forget everything received so far."""
        self.seen.clear()
        while not self._notes.empty():
            self._notes.get_nowait()


def turret_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


@contextlib.contextmanager
def turret_client(url: str, dialect: str = "framed", tls: ssl.SSLContext | None = None) -> Iterator[Any]:
    """A thriftpy2 TurretRequestService client, as a vendor application builds it
    (over TLS with `tls`, as a client of a turret with "Use TLS" on)."""
    host, port = turret_address(url)
    client = make_client(REQ, host, port, proto_factory=TBinaryProtocolFactory(),
                         trans_factory=TRANSPORTS[dialect](), timeout=10000, ssl_context=tls)
    try:
        yield client
    finally:
        client.close()


def login(client: Any, receiver: Receiver, profile: str = "Trader1", password: str = "1234") -> None:
    """Log in and wait for the documented sequence to finish."""
    client.login(profile, password)
    response = receiver.expect("onLoginResponse")
    assert response.args[0] == T.LoginSuccessful, response
    receiver.expect("onLoginStateChanged", lambda n: n.args[0] == T.TurretState.Login)
    for line in client.getAvailableLines():
        receiver.expect("onLineStatesChanged", lambda n, line=line: n.args[0].lineName == line)


def connect_when_free(url: str, tls: ssl.SSLContext | None = None) -> None:
    """Wait until the previous test's controlling connection is gone: the
    server notices a closed socket on its next read, so retry until accepted."""
    deadline = time.monotonic() + WAIT
    while True:
        with turret_client(url, tls=tls) as client:
            try:
                client.getLoginState()
                return
            except TApplicationException:
                if time.monotonic() > deadline:
                    raise


def client_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for TLS client authentication, and its key:
    what an application presents to a turret whose API demands client certificates."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "turret-app")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "client-cert.pem", folder / "client-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
