"""``ctiswitch serve``: the whole switch in one asyncio process.

Start order: company (a bad file stops here, before anything is touched),
TLS certificate, clock, switch + store + simulated endpoints, then every
listener. Each step prints one parseable line on stdout:

    ctiswitch: certificate /abs/path/tls-cert.pem (created|reused)
    ctiswitch: https listening on https://127.0.0.1:8443
    ctiswitch: http listening on http://127.0.0.1:8080
    ctiswitch: <face listener> listening on tcp://127.0.0.1:PORT
    ctiswitch: ready

SIGINT or SIGTERM stops the listeners, closes the store and returns; the
CLI then exits 0.
"""
from __future__ import annotations

import asyncio
import signal
import time

from ctiswitch.engine.clock import Clock, VirtualClock

from .board import load_company, open_switchboard
from .clock import RealClock
from .listeners import serve
from .registry import CONTRIBUTORS
from .settings import ServerSettings
from .tls import ensure_certificate

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def say(line: str) -> None:
    """One status line on stdout, flushed at once: whoever started us waits for it."""
    print(f"ctiswitch: {line}", flush=True)


async def run(settings: ServerSettings) -> None:
    """Serve the registry's contributors until SIGINT or SIGTERM.

    Raises ConfigError for a bad company file, StoreError or StartupError
    when the data folder or a port cannot be used.
    """
    company = load_company(settings)
    certificate = ensure_certificate(settings.data_dir, settings.host)
    say(f"certificate {certificate.cert_path} ({'created' if certificate.created else 'reused'})")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        clock: Clock = VirtualClock(wall_start=time.time()) if settings.virtual_clock else RealClock(loop)
        board = open_switchboard(settings, company, clock, certificate)
        try:
            async with serve(board, CONTRIBUTORS) as endpoints:
                for endpoint in endpoints:
                    say(f"{endpoint.name} listening on {endpoint.url}")
                say("ready")
                await stop.wait()
        finally:
            board.close()
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
    say("stopped")
