"""Start a real ``ctiswitch serve`` process for tests that talk over sockets.

Used by the fixtures in tests/conftest.py; face tests use those fixtures (or
``start_server`` for a server with its own options). The process runs
``python -m ctiswitch serve`` with every port 0, so tests never collide on
ports; the chosen ports are read from its "listening on" lines.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

#: Seconds to wait for "ctiswitch: ready" (a first start generates a key).
START_TIMEOUT = 20.0
#: Seconds a signalled server gets to exit.
STOP_TIMEOUT = 10.0
_LISTENING = re.compile(r"^ctiswitch: (\S+) listening on (\S+)$")
_CERTIFICATE = re.compile(r"^ctiswitch: certificate (.+) \((created|reused)\)$")


@dataclass
class RunningServer:
    """A started server: its process, output files and listener URLs.

    ``urls`` maps each listener name from the output (https, http, and each
    face's raw listener such as turret) to its URL.
    """

    process: subprocess.Popen[bytes]
    data_dir: Path
    stdout_path: Path
    stderr_path: Path
    urls: dict[str, str] = field(default_factory=dict)
    certificate: Path | None = None
    certificate_created: bool = False

    @property
    def https_url(self) -> str:
        return self.urls["https"]

    @property
    def http_url(self) -> str:
        return self.urls["http"]

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly the server's certificate."""
        assert self.certificate is not None
        return ssl.create_default_context(cafile=str(self.certificate))

    def client(self, *, https: bool = False, **kwargs: Any) -> httpx.Client:
        """An httpx client on the plain HTTP (default) or HTTPS listener,
        verifying the server's certificate for HTTPS."""
        if https:
            return httpx.Client(base_url=self.https_url, verify=self.ssl_context(), timeout=10.0, **kwargs)
        return httpx.Client(base_url=self.http_url, timeout=10.0, **kwargs)

    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Signal the server and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the server ignored signal {signum}; stderr:\n{self.stderr()}") from None


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without any CTISWITCH_* variable (a developer's
    shell must not change what a test starts), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTISWITCH_")}
    env.update(extra or {})
    return env


def launch(workdir: Path, *args: str, env: Mapping[str, str] | None = None) -> RunningServer:
    """Start ``python -m ctiswitch`` with ``args`` in ``workdir``, output to files there."""
    workdir.mkdir(parents=True, exist_ok=True)
    stdout_path, stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "ctiswitch", *args], cwd=workdir,
                                   stdout=out, stderr=err, env=server_env(env))
    return RunningServer(process, workdir / "data", stdout_path, stderr_path)


def wait_ready(server: RunningServer) -> RunningServer:
    """Block until the server printed "ready"; fill in its URLs and certificate."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        lines = server.stdout().splitlines()
        if "ctiswitch: ready" in lines:
            break
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited {server.process.returncode} before ready; "
                                 f"stdout:\n{server.stdout()}\nstderr:\n{server.stderr()}")
        if time.monotonic() > deadline:
            server.stop(signal.SIGKILL)
            raise AssertionError(f"the server was not ready in {START_TIMEOUT} s; stderr:\n{server.stderr()}")
        time.sleep(0.02)
    for line in lines:
        if match := _LISTENING.match(line):
            server.urls[match[1]] = match[2]
        elif match := _CERTIFICATE.match(line):
            server.certificate = Path(match[1])
            server.certificate_created = match[2] == "created"
    return server


def serve_args(data_dir: Path, *extra: str) -> list[str]:
    """``serve`` with every port chosen by the OS and the given data folder."""
    return ["serve", "--https-port", "0", "--http-port", "0", "--turret-port", "0",
            "--data-dir", str(data_dir), *extra]


@contextlib.contextmanager
def start_server(workdir: Path, *extra: str, env: Mapping[str, str] | None = None) -> Iterator[RunningServer]:
    """A ready server on the demo company (unless ``extra`` says otherwise),
    data in ``workdir/data``, stopped with SIGTERM on exit."""
    server = wait_ready(launch(workdir, *serve_args(workdir / "data", *extra), env=env))
    try:
        yield server
    finally:
        server.stop()
