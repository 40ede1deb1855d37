"""The pieces of the server that need no running process: the real clock,
option parsing and the TLS certificate's life cycle."""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import stat
import time
from pathlib import Path

import pytest
from cryptography import x509

from ctiswitch.cli import build_parser, port, settings_from
from ctiswitch.server.clock import RealClock
from ctiswitch.server.settings import ServerSettings
from ctiswitch.server.tls import ensure_certificate


def test_real_clock_runs_timers_on_the_loop_never_inline() -> None:
    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        clock = RealClock(loop)
        assert abs(clock.now() - loop.time()) < 0.01
        assert abs(clock.wall() - time.time()) < 1.0
        fired: list[str] = []
        clock.call_later(0, lambda: fired.append("zero"))
        clock.call_later(-1, lambda: fired.append("negative"))
        clock.call_later(0.01, lambda: fired.append("cancelled")).cancel()
        started = clock.now()
        clock.call_later(0.02, lambda: fired.append(f"later {clock.now() - started >= 0.02}"))
        assert fired == [], "a zero delay still waits for the loop"
        await asyncio.sleep(0.05)
        return fired

    assert asyncio.run(scenario()) == ["zero", "negative", "later True"]


def settings(argv: list[str], environ: dict[str, str] | None = None) -> ServerSettings:
    parser = build_parser()
    return settings_from(parser.parse_args(["serve", *argv]), environ or {}, parser)


def test_defaults_fit_a_laptop() -> None:
    assert settings([]) == ServerSettings(https_port=8443, http_port=8080, turret_port=9007, host="127.0.0.1",
                                          config=None, data_dir=Path("ctiswitch-data"), sim_token=None,
                                          virtual_clock=False)


def test_every_option_comes_from_the_environment() -> None:
    environ = {
        "CTISWITCH_HTTPS_PORT": "1", "CTISWITCH_HTTP_PORT": "2", "CTISWITCH_TURRET_PORT": "3",
        "CTISWITCH_CONFIG": "co.yaml", "CTISWITCH_DATA_DIR": "/var/cti", "CTISWITCH_HOST": "0.0.0.0",
        "CTISWITCH_SIM_TOKEN": "t", "CTISWITCH_VIRTUAL_CLOCK": "yes",
    }
    assert settings([], environ) == ServerSettings(1, 2, 3, "0.0.0.0", Path("co.yaml"), Path("/var/cti"), "t", True)


def test_flags_win_over_the_environment_both_ways() -> None:
    environ = {"CTISWITCH_HTTPS_PORT": "1", "CTISWITCH_VIRTUAL_CLOCK": "true", "CTISWITCH_SIM_TOKEN": "env"}
    chosen = settings(["--https-port", "0", "--no-virtual-clock", "--sim-token", "flag"], environ)
    assert (chosen.https_port, chosen.virtual_clock, chosen.sim_token) == (0, False, "flag")
    assert settings(["--virtual-clock"], {"CTISWITCH_VIRTUAL_CLOCK": "0"}).virtual_clock


def test_an_empty_token_means_no_token() -> None:
    assert settings([], {"CTISWITCH_SIM_TOKEN": ""}).sim_token is None


@pytest.mark.parametrize(("argv", "environ", "says"), [
    (["--https-port", "65536"], {}, "not a port number"),
    (["--http-port", "http"], {}, "not a port number"),
    ([], {"CTISWITCH_TURRET_PORT": "-1"}, "CTISWITCH_TURRET_PORT"),
    ([], {"CTISWITCH_VIRTUAL_CLOCK": "maybe"}, "CTISWITCH_VIRTUAL_CLOCK"),
])
def test_bad_values_are_usage_errors(argv: list[str], environ: dict[str, str], says: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        settings(argv, environ)
    assert exited.value.code == 2
    assert says in capsys.readouterr().err


def test_port_type_accepts_the_whole_range() -> None:
    assert (port("0"), port("65535")) == (0, 65535)
    with pytest.raises(argparse.ArgumentTypeError):
        port("1.5")


def names_in(cert_path: Path) -> list[object]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)


def test_certificate_is_made_once_with_a_private_key(tmp_path: Path) -> None:
    first = ensure_certificate(tmp_path / "data", "127.0.0.1")
    assert first.created
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    assert x509.DNSName("localhost") in names_in(first.cert_path)
    assert x509.IPAddress(ipaddress.ip_address("127.0.0.1")) in names_in(first.cert_path)
    again = ensure_certificate(tmp_path / "data", "0.0.0.0")
    assert not again.created
    assert sorted(tmp_path.joinpath("data").iterdir()) == sorted([first.cert_path, first.key_path])


def test_certificate_is_replaced_for_a_new_host_name_or_when_damaged(tmp_path: Path) -> None:
    original = ensure_certificate(tmp_path, "127.0.0.1").cert_path.read_bytes()
    renamed = ensure_certificate(tmp_path, "switch.example")
    assert renamed.created
    assert x509.DNSName("switch.example") in names_in(renamed.cert_path)
    assert renamed.cert_path.read_bytes() != original

    renamed.key_path.write_text("not a key")
    assert ensure_certificate(tmp_path, "switch.example").created
