"""Everything the server listens on, started and stopped together.

One asyncio loop runs two uvicorn servers over the same app (HTTPS, and plain
HTTP for clients that cannot do TLS) plus each face's raw TCP listeners.
Every socket is bound before anything serves, so a taken port fails the start
cleanly instead of leaving half a server running; binding ourselves is also
how port 0 becomes a known port before the first request.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from .app import build_app
from .board import Switchboard
from .contribution import Contribution, Contributor, TcpListener
from .errors import StartupError

log = logging.getLogger("ctiswitch.server")
#: How long each stop hook, and then open HTTP connections (long polls,
#: websockets), get to finish at shutdown.
GRACEFUL_SHUTDOWN_SECONDS = 3.0
#: How often startup checks whether uvicorn has begun serving.
_STARTUP_POLL_SECONDS = 0.01


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A bound listener: ``name`` is https, http or a face's listener name."""

    name: str
    url: str


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals alone.

    uvicorn installs its own SIGINT/SIGTERM handlers while serving and
    re-raises the signal when it stops; with two servers in one loop that
    would kill the process before the second one (and the store) closed.
    ``run`` owns the signals and stops every server itself.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on the first address ``host`` resolves to.

    TCP_NODELAY is set here because asyncio sets it only on sockets whose
    protocol number is IPPROTO_TCP, and create_server's is 0: without it a
    response written in two pieces (uvicorn writes head, then body; every
    event-channel chunk) waits for the peer's delayed ACK, about 40 ms on
    Linux. Accepted sockets inherit the option from the listening one.
    """
    try:
        family, _, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.create_server(address, family=family)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    except OSError as error:
        raise StartupError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error


def url_of(scheme: str, sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


@contextlib.asynccontextmanager
async def serve(board: Switchboard, contributors: Sequence[Contributor]) -> AsyncIterator[list[Endpoint]]:
    """Serve the app and every contributed listener until the block exits.

    Yields the bound endpoints once all of them accept connections. On exit,
    contributors' stop hooks run first, then TCP listeners and uvicorn
    servers stop; the Switchboard itself is the caller's to close.
    """
    contributions = [contribute(board) for contribute in contributors]
    app = build_app(board, [route for c in contributions for route in c.routes])
    settings = board.settings
    listeners = [listener for c in contributions for listener in c.listeners]
    sockets: list[socket.socket] = []
    try:
        for port in (settings.https_port, settings.http_port, *(listener.port for listener in listeners)):
            sockets.append(bind(settings.host, port))
    except StartupError:
        for sock in sockets:
            sock.close()
        raise
    https_socket, http_socket, *tcp_sockets = sockets
    cert = board.certificate
    https = _Server(_config(app, ssl_certfile=str(cert.cert_path), ssl_keyfile=str(cert.key_path)))
    http = _Server(_config(app))
    streams = [_StreamListener(listener, sock) for listener, sock in zip(listeners, tcp_sockets, strict=True)]
    tasks = [asyncio.create_task(https.serve([https_socket])), asyncio.create_task(http.serve([http_socket]))]
    try:
        for stream in streams:
            await stream.start()
        await _started((https, http), tasks)
        yield [Endpoint("https", url_of("https", https_socket)), Endpoint("http", url_of("http", http_socket)),
               *(Endpoint(s.listener.name, url_of("tls" if s.listener.ssl else "tcp", s.sock)) for s in streams)]
    finally:
        await _stop_all(contributions, streams, (https, http), tasks)
        # uvicorn closes its socket when it stops, but not one it failed to start on.
        https_socket.close()
        http_socket.close()


def _config(app: ASGIApp, **tls: str) -> uvicorn.Config:
    """httptools for HTTP; for websockets the websockets library through its
    sans-I/O API, because uvicorn deprecates its legacy "websockets" mode
    (and warns on every start) in favour of this one."""
    return uvicorn.Config(
        app, http="httptools", ws="websockets-sansio", lifespan="off", log_level="warning", access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS, **tls,
    )


async def _started(servers: Sequence[uvicorn.Server], tasks: Sequence[asyncio.Task[None]]) -> None:
    """Wait until every uvicorn server accepts, or fail with the reason one
    of them stopped (a broken certificate surfaces here)."""
    while not all(server.started for server in servers):
        for task in tasks:
            if task.done():
                error = task.exception()
                raise StartupError(f"a listener stopped while starting: {error or 'no reason given'}") from error
        await asyncio.sleep(_STARTUP_POLL_SECONDS)


async def _stop_all(contributions: Sequence[Contribution], streams: Sequence[_StreamListener],
                    servers: Sequence[uvicorn.Server], tasks: Sequence[asyncio.Task[None]]) -> None:
    for contribution in contributions:
        for hook in contribution.on_stop:
            try:
                await asyncio.wait_for(hook(), GRACEFUL_SHUTDOWN_SECONDS)
            except Exception:
                log.exception("a stop hook failed or took over %s s", GRACEFUL_SHUTDOWN_SECONDS)
    for stream in streams:
        await stream.stop()
    for server in servers:
        server.should_exit = True
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
            log.error("a listener ended with an error: %r", outcome)


class _StreamListener:
    """A face's raw TCP listener, whose open connections end with it.

    asyncio's Server.close (3.11) stops accepting but leaves connection
    handlers running; these are tracked and cancelled so shutdown is whole.
    """

    def __init__(self, listener: TcpListener, sock: socket.socket) -> None:
        self.listener = listener
        self.sock = sock
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, sock=self.sock, ssl=self.listener.ssl)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self.listener.handle(reader, writer)
        except Exception:
            log.exception("%s connection from %s failed", self.listener.name, writer.get_extra_info("peername"))
        finally:
            self._connections.discard(task)
            writer.close()

    async def stop(self) -> None:
        if self._server is None:
            self.sock.close()
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
