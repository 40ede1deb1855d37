"""Baseline servers for bench/load.py, each in its own process.

    python bench/load_baselines.py http     # Starlette + uvicorn: POST/GET /noop, websocket /echo
    python bench/load_baselines.py https DIR  # the same over TLS, certificate made in DIR
    python bench/load_baselines.py thrift   # asyncio TCP + the turret wire codec: void replies

Each prints ``baseline listening on <port>`` and serves until SIGTERM. They
are the floor under each face: the same HTTP stack with the flags the switch
uses (ctiswitch.server.listeners._config, imported so they cannot drift), the
same websocket implementation, the same Thrift codec over asyncio TCP, with
no switch behind them. A face's calls/s divided by its baseline's says how
much of the transport's capacity the face's own work leaves.
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from ctiswitch.faces.turret.wire import RequestDecoder, WireError, encode_reply
from ctiswitch.server.listeners import _config, bind
from ctiswitch.server.tls import ensure_certificate

READ_CHUNK = 65536


async def noop(request: Request) -> Response:
    """Reads the body, as a face would, and answers a small JSON body."""
    await request.body()
    return Response(b'"1"', status_code=200, media_type="application/json")


async def echo(ws: WebSocket) -> None:
    """Echoes every binary message until the client leaves."""
    await ws.accept(subprotocol="openapi")
    try:
        while True:
            await ws.send_bytes(await ws.receive_bytes())
    except WebSocketDisconnect:
        return


async def serve_http(tls_dir: str | None) -> None:
    """Plain HTTP, or HTTPS with a certificate made as the switch makes its
    own (MTCTI-3 is served over wss only, so its baseline must pay TLS too)."""
    app = Starlette(routes=[Route("/noop", noop, methods=["GET", "POST"]), WebSocketRoute("/echo", echo)])
    sock = bind("127.0.0.1", 0)
    tls: dict[str, str] = {}
    extra = ""
    if tls_dir is not None:
        cert = ensure_certificate(Path(tls_dir), "127.0.0.1")
        tls = {"ssl_certfile": str(cert.cert_path), "ssl_keyfile": str(cert.key_path)}
        extra = f" {cert.cert_path}"
    server = uvicorn.Server(_config(app, **tls))
    print(f"baseline listening on {sock.getsockname()[1]}{extra}", flush=True)
    task = asyncio.create_task(server.serve([sock]))
    await _until_signal()
    server.should_exit = True
    await task


async def _thrift_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Decode each request with the turret's decoder and answer a void reply."""
    decoder = RequestDecoder()
    try:
        while data := await reader.read(READ_CHUNK):
            for call in decoder.feed(data):
                writer.write(encode_reply(call, None))
            await writer.drain()
    except (WireError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def serve_thrift() -> None:
    sock = bind("127.0.0.1", 0)
    server = await asyncio.start_server(_thrift_connection, sock=sock)
    print(f"baseline listening on {sock.getsockname()[1]}", flush=True)
    await _until_signal()
    server.close()


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind == "http":
        asyncio.run(serve_http(None))
    elif kind == "https":
        asyncio.run(serve_http(sys.argv[2]))
    elif kind == "thrift":
        asyncio.run(serve_thrift())
    else:
        sys.exit("usage: load_baselines.py http|https DIR|thrift")


if __name__ == "__main__":
    main()
