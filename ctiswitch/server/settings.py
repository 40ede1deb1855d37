"""What `ctiswitch serve` was asked to do, gathered in one value.

The command line and the environment both feed it (see ctiswitch.cli); the
server reads only this, so tests and embedders can start a server without
going through argv.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_HTTPS_PORT = 8443
DEFAULT_HTTP_PORT = 8080
#: The OpenScape Xpert turret's Thrift port ("at the moment", turret-and-sky.md A2).
DEFAULT_TURRET_PORT = 9007
DEFAULT_HOST = "127.0.0.1"
DEFAULT_DATA_DIR = Path("ctiswitch-data")


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Ports, files and switches of one server process.

    Port 0 asks the OS for a free port; the chosen one is printed. ``config``
    None means the built-in demo company. ``sim_token`` None leaves the
    simulation control API open, as fits a laptop.
    """

    https_port: int = DEFAULT_HTTPS_PORT
    http_port: int = DEFAULT_HTTP_PORT
    turret_port: int = DEFAULT_TURRET_PORT
    host: str = DEFAULT_HOST
    config: Path | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    sim_token: str | None = None
    virtual_clock: bool = False
