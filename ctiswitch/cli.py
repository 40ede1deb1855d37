"""The ``ctiswitch`` command: ``serve`` the switch, or print the ``demo-config``.

Every serve option can also come from an environment variable of the same
name (``--https-port`` <-> ``CTISWITCH_HTTPS_PORT``), which suits containers
and CI; a flag on the command line wins over the environment.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctiswitch.config import ConfigError, demo_text
from ctiswitch.server.errors import StartupError
from ctiswitch.server.main import run
from ctiswitch.server.settings import (
    DEFAULT_DATA_DIR,
    DEFAULT_HOST,
    DEFAULT_HTTP_PORT,
    DEFAULT_HTTPS_PORT,
    DEFAULT_TURRET_PORT,
    ServerSettings,
)
from ctiswitch.store import StoreError

#: Exit status for a usage or configuration error, as argparse uses.
EXIT_USAGE = 2
#: Exit status when the server cannot start (port taken, data folder unusable).
EXIT_STARTUP = 1
#: Exit status for Ctrl-C before the server was up (128 + SIGINT).
EXIT_INTERRUPTED = 130

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0 to 65535; 0 picks a free one)")
    return value


def boolean(text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not one of 1/0, true/false, yes/no, on/off")


def text_or_none(text: str) -> str | None:
    """An empty token means no token: ``CTISWITCH_SIM_TOKEN=`` turns auth off."""
    return text or None


@dataclass(frozen=True, slots=True)
class _Option:
    """A serve option: its flag, its environment variable and its default."""

    flag: str
    convert: Callable[[str], Any]
    default: Any
    help: str

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def env(self) -> str:
        return "CTISWITCH_" + self.dest.upper()


_OPTIONS = (
    _Option("--https-port", port, DEFAULT_HTTPS_PORT,
            f"HTTPS port of the APIs and the sim API (default {DEFAULT_HTTPS_PORT}; 0 picks a free one)"),
    _Option("--http-port", port, DEFAULT_HTTP_PORT,
            f"plain HTTP port serving the same (default {DEFAULT_HTTP_PORT}; 0 picks a free one)"),
    _Option("--turret-port", port, DEFAULT_TURRET_PORT,
            f"Turret API (Thrift) port (default {DEFAULT_TURRET_PORT}; 0 picks a free one)"),
    _Option("--config", Path, None, "company YAML file (default: the built-in demo company, see demo-config)"),
    _Option("--data-dir", Path, DEFAULT_DATA_DIR,
            f"folder for the database and the TLS certificate (default ./{DEFAULT_DATA_DIR})"),
    _Option("--host", str, DEFAULT_HOST, f"address to listen on (default {DEFAULT_HOST})"),
    _Option("--sim-token", text_or_none, None,
            "require 'Authorization: Bearer TOKEN' on the sim API (default: no token, open)"),
    _Option("--virtual-clock", boolean, False,
            "run on a virtual clock that only POST /sim/clock/advance moves (default: the real clock)"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ctiswitch", description="A CTI switch: one call-control engine behind four vendor CTI APIs.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the switch",
                                description="Run the switch until SIGINT or SIGTERM.")
    for option in _OPTIONS:
        help_text = f"{option.help}; env {option.env}"
        if option.convert is boolean:
            serve.add_argument(option.flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        else:
            serve.add_argument(option.flag, type=option.convert, default=None, help=help_text,
                               metavar=option.dest.upper())
    commands.add_parser("demo-config", help="print the demo company's YAML, a template for your own")
    return parser


def settings_from(args: argparse.Namespace, environ: Mapping[str, str],
                  parser: argparse.ArgumentParser) -> ServerSettings:
    """Flags, else environment, else defaults; a bad variable is a usage error."""
    values: dict[str, Any] = {}
    for option in _OPTIONS:
        value = getattr(args, option.dest)
        if value is None and option.env in environ:
            try:
                value = option.convert(environ[option.env])
            except argparse.ArgumentTypeError as error:
                parser.error(f"{option.env}: {error}")
        values[option.dest] = option.default if value is None else value
    return ServerSettings(**values)


def serve(settings: ServerSettings) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="ctiswitch: %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(run(settings))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except (StartupError, StoreError) as error:
        print(f"ctiswitch: {error}", file=sys.stderr)
        return EXIT_STARTUP
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return 0


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(settings_from(args, os.environ if environ is None else environ, parser))
    if args.command == "demo-config":
        sys.stdout.write(demo_text())
        return 0
    parser.print_help(sys.stderr)
    return EXIT_USAGE
