"""How faces plug in: a test face contributes a route, a websocket, a raw TCP
listener and a stop hook, and the server serves them all (in-process, on
real sockets)."""
from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect

from ctiswitch.server import simapi
from ctiswitch.server.board import Switchboard, load_company, open_switchboard
from ctiswitch.server.clock import RealClock
from ctiswitch.server.contribution import Contribution, TcpListener
from ctiswitch.server.errors import StartupError
from ctiswitch.server.listeners import serve, url_of
from ctiswitch.server.settings import ServerSettings
from ctiswitch.server.tls import ensure_certificate


async def echo_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while line := await reader.readline():
        if line == b"fail\n":
            raise ValueError("a bug in a listener")
        writer.write(line)
        await writer.drain()


@dataclass
class EchoFace:
    """A face in miniature, recording what the server did with it."""

    stopped: list[str] = field(default_factory=list)

    def contribute(self, board: Switchboard) -> Contribution:
        async def hello(request: Request) -> Response:
            return PlainTextResponse(f"hello from {board.company.name}")

        async def boom(request: Request) -> Response:
            raise RuntimeError("a bug in a face")

        async def echo_socket(websocket: WebSocket) -> None:
            await websocket.accept(subprotocol="openapi")
            await websocket.send_bytes(await websocket.receive_bytes())
            await websocket.close()

        async def on_stop() -> None:
            self.stopped.append("stopped")

        return Contribution(
            routes=[Route("/face/hello", hello), Route("/face/boom", boom), WebSocketRoute("/face/ws", echo_socket)],
            listeners=[TcpListener("echo", 0, echo_line)],
            on_stop=[on_stop],
        )


@asynccontextmanager
async def served(tmp_path: Path, face: EchoFace) -> AsyncIterator[tuple[Switchboard, dict[str, str]]]:
    settings = ServerSettings(https_port=0, http_port=0, turret_port=0, data_dir=tmp_path)
    board = open_switchboard(settings, load_company(settings), RealClock(asyncio.get_running_loop()),
                             ensure_certificate(tmp_path, settings.host))
    try:
        async with serve(board, (simapi.contribute, face.contribute)) as endpoints:
            yield board, {e.name: e.url for e in endpoints}
    finally:
        board.close()


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout=30))


def test_a_face_contributes_routes_websockets_listeners_and_a_stop_hook(tmp_path: Path) -> None:
    face = EchoFace()

    async def scenario() -> None:
        async with served(tmp_path, face) as (board, urls):
            assert list(urls) == ["https", "http", "echo"]
            assert urls["echo"].startswith("tcp://127.0.0.1:")
            context = ssl.create_default_context(cafile=board.certificate.cert_path)
            async with httpx.AsyncClient(verify=context) as client:
                for base in (urls["https"], urls["http"]):
                    response = await client.get(f"{base}/face/hello")
                    assert response.text == "hello from Demo Company"
                    assert (await client.get(f"{base}/sim/state")).status_code == 200

            ws_url = urls["https"].replace("https://", "wss://") + "/face/ws"
            async with connect(ws_url, ssl=context, subprotocols=["openapi"]) as websocket:
                assert websocket.subprotocol == "openapi"
                await websocket.send(b"\x00\x00\x00\x01frame")
                assert await websocket.recv() == b"\x00\x00\x00\x01frame"

            host, port = urls["echo"].removeprefix("tcp://").rsplit(":", 1)
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"ping\n")
            assert await reader.readline() == b"ping\n"
            # The connection stays open: stopping the server must end it.
            assert face.stopped == []
        assert face.stopped == ["stopped"]
        assert await reader.read() == b""
        writer.close()

    run(scenario)


def test_a_failing_route_answers_json_500_and_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with served(tmp_path, EchoFace()) as (_, urls), httpx.AsyncClient(base_url=urls["http"]) as client:
            response = await client.get("/face/boom")
            assert response.status_code == 500
            assert response.json() == {"error": "internal_error",
                                       "message": "the server failed on this request; see its log"}
            assert (await client.get("/health")).status_code == 200, "the server keeps serving"

    with caplog.at_level(logging.ERROR, logger="ctiswitch.server"):
        run(scenario)
    failure = next(r for r in caplog.records if "GET /face/boom" in r.getMessage())
    assert failure.exc_info is not None and "a bug in a face" in str(failure.exc_info[1])


def test_a_failing_listener_connection_is_logged_and_closed(tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with served(tmp_path, EchoFace()) as (_, urls):
            host, port = urls["echo"].removeprefix("tcp://").rsplit(":", 1)
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"fail\n")
            assert await reader.read() == b""
            writer.close()

    with caplog.at_level(logging.ERROR, logger="ctiswitch.server"):
        run(scenario)
    assert any("echo connection from" in r.getMessage() for r in caplog.records)


def test_a_taken_listener_port_fails_the_start(tmp_path: Path) -> None:
    async def scenario() -> None:
        with socket.create_server(("127.0.0.1", 0)) as taken:
            port = taken.getsockname()[1]

            def clashing(board: Switchboard) -> Contribution:
                return Contribution(listeners=[TcpListener("clash", port, echo_line)])

            settings = ServerSettings(https_port=0, http_port=0, data_dir=tmp_path)
            board = open_switchboard(settings, load_company(settings), RealClock(asyncio.get_running_loop()),
                                     ensure_certificate(tmp_path, settings.host))
            try:
                with pytest.raises(StartupError, match=f"cannot listen on 127.0.0.1:{port}"):
                    async with serve(board, (clashing,)):
                        raise AssertionError("served on a taken port")
            finally:
                board.close()

    run(scenario)


def test_endpoint_urls_bracket_ipv6_hosts() -> None:
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as sock:
        assert url_of("https", sock) == f"https://[::1]:{sock.getsockname()[1]}"
