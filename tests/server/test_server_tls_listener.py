"""A face's raw TCP listener with ``TcpListener.ssl``: the server handshakes
TLS before the face's handler runs, and prints the port as tls://."""
from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

from ctiswitch.server import simapi
from ctiswitch.server.board import Switchboard, load_company, open_switchboard
from ctiswitch.server.clock import RealClock
from ctiswitch.server.contribution import Contribution, TcpListener
from ctiswitch.server.listeners import serve
from ctiswitch.server.settings import ServerSettings
from ctiswitch.server.tls import ensure_certificate


async def echo_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()


def test_a_listener_with_an_ssl_context_serves_tls(tmp_path: Path) -> None:
    async def scenario() -> None:
        settings = ServerSettings(https_port=0, http_port=0, turret_port=0, data_dir=tmp_path)
        certificate = ensure_certificate(tmp_path, settings.host)
        server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_side.load_cert_chain(certificate.cert_path, certificate.key_path)

        def secure(board: Switchboard) -> Contribution:
            return Contribution(listeners=[TcpListener("secure", 0, echo_line, server_side)])

        board = open_switchboard(settings, load_company(settings), RealClock(asyncio.get_running_loop()),
                                 certificate)
        try:
            async with serve(board, (simapi.contribute, secure)) as endpoints:
                url = {e.name: e.url for e in endpoints}["secure"]
                assert url.startswith("tls://127.0.0.1:")
                host, port = url.removeprefix("tls://").rsplit(":", 1)
                trusting = ssl.create_default_context(cafile=certificate.cert_path)
                reader, writer = await asyncio.open_connection(host, int(port), ssl=trusting)
                writer.write(b"over tls\n")
                assert await reader.readline() == b"over tls\n"
                writer.close()
                # A client speaking plain TCP gets no echo: the handshake fails first.
                reader, writer = await asyncio.open_connection(host, int(port))
                writer.write(b"plain\n")
                assert b"plain" not in await reader.read(100)
                writer.close()
        finally:
            board.close()

    asyncio.run(asyncio.wait_for(scenario(), timeout=30))
