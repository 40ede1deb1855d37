"""How a face plugs into the server: one function returning a Contribution.

A face (``ctiswitch/faces/<api>/server.py``) exposes

    def contribute(board: Switchboard) -> Contribution

and is listed once in ``ctiswitch.server.registry.CONTRIBUTORS``. The server
calls it at start with the shared Switchboard, mounts its routes on the one
Starlette app served over HTTPS and HTTP, binds its raw TCP listeners on the
server's host, prints every bound port, and awaits its stop hooks before the
listeners close. A face never opens sockets of its own at import time, so a
test can start the server with any mix of faces.
"""
from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute

from .board import Switchboard

#: Serves one accepted TCP connection; the server closes the writer afterwards.
StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class TcpListener:
    """A raw TCP port a face serves itself, like the turret's Thrift port.

    ``name`` labels the printed line (``ctiswitch: <name> listening on
    tcp://host:port``, ``tls://`` when ``ssl`` is set); ``port`` 0 lets the OS
    choose. With ``ssl`` every connection is TLS, handshaken before
    ``handle`` sees it.
    """

    name: str
    port: int
    handle: StreamHandler
    ssl: ssl.SSLContext | None = None


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one face adds to the server.

    routes:    Starlette routes (Route, WebSocketRoute, Mount) added to the
               shared app after /health, in registry order. A face that needs
               its own error format for unmatched paths mounts a Starlette
               sub-app with its own exception handlers.
    listeners: raw TCP listeners, bound on the server's host.
    on_stop:   coroutines awaited at shutdown before the listeners close,
               to end long polls and outbound connections promptly.
    """

    routes: Sequence[BaseRoute] = ()
    listeners: Sequence[TcpListener] = ()
    on_stop: Sequence[Callable[[], Awaitable[None]]] = ()


Contributor = Callable[[Switchboard], Contribution]
