"""The ``ctiswitch`` command as a user runs it: start, options, failures, stop."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from server_process import launch, serve_args, server_env, start_server, wait_ready

from ctiswitch.config import load_text


def run_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ctiswitch", *args], cwd=tmp_path, env=server_env(env),
                          capture_output=True, text=True, timeout=30)


def test_demo_config_prints_a_company_that_loads(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "demo-config")
    assert result.returncode == 0
    company = load_text(result.stdout, "demo-config")
    assert company.name == "Demo Company"


def test_invalid_config_exits_2_with_file_line_problem(tmp_path: Path) -> None:
    config = tmp_path / "company.yaml"
    config.write_text("name: Broken\nusers:\n  - login: 1001\n    shoe_size: 42\n", encoding="utf-8")
    result = run_cli(tmp_path, *serve_args(tmp_path / "data", "--config", str(config)))
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{config}:")
    assert first.split(":")[1].isdigit()
    assert "Traceback" not in result.stderr
    assert "ready" not in result.stdout
    assert not (tmp_path / "data").exists(), "nothing is created for a company that cannot be loaded"


def test_missing_config_file_from_the_environment_exits_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, *serve_args(tmp_path / "data"), env={"CTISWITCH_CONFIG": "nowhere.yaml"})
    assert result.returncode == 2
    assert result.stderr.startswith("nowhere.yaml: cannot read the file")


def test_a_bad_environment_value_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "serve", env={"CTISWITCH_HTTP_PORT": "eighty"})
    assert result.returncode == 2
    assert "CTISWITCH_HTTP_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_taken_port_exits_1_without_traceback(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_cli(tmp_path, "serve", "--https-port", "0", "--http-port", str(port),
                         "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigint_stops_cleanly_and_the_certificate_is_reused_on_the_next_start(tmp_path: Path) -> None:
    first = wait_ready(launch(tmp_path / "first", *serve_args(tmp_path / "data")))
    assert first.certificate_created
    assert first.certificate is not None
    cert = first.certificate.read_bytes()
    with first.client() as client:
        assert client.get("/health").json()["clock"] == "real"
    assert first.stop(signal.SIGINT) == 0
    assert first.stdout().splitlines()[-1] == "ctiswitch: stopped"
    assert "Traceback" not in first.stderr()

    second = wait_ready(launch(tmp_path / "second", *serve_args(tmp_path / "data")))
    try:
        assert not second.certificate_created
        assert second.certificate == first.certificate
        assert second.certificate.read_bytes() == cert
        with second.client(https=True) as client:
            assert client.get("/health").status_code == 200
    finally:
        assert second.stop(signal.SIGTERM) == 0
    assert second.stderr() == ""


def test_sim_token_guards_the_sim_api_and_real_clock_refuses_to_advance(tmp_path: Path) -> None:
    """Token from the environment; no --virtual-clock, so advancing is refused."""
    with start_server(tmp_path, env={"CTISWITCH_SIM_TOKEN": "s3cret"}) as server, server.client() as client:
        assert client.get("/health").status_code == 200, "health stays open"
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"}):
            response = client.get("/sim/state", headers=headers)
            assert response.status_code == 401
            assert response.json()["error"] == "unauthorized"
            assert response.headers["www-authenticate"].startswith("Bearer")
        response = client.post("/sim/calls", json={"from": "0612345678", "to": "1001"})
        assert response.status_code == 401

        auth = {"Authorization": "Bearer s3cret"}
        assert client.get("/sim/state", headers=auth).status_code == 200
        response = client.post("/sim/clock/advance", json={"seconds": 1}, headers=auth)
        assert response.status_code == 409
        assert response.json()["error"] == "clock_not_virtual"


def test_flags_win_over_the_environment(tmp_path: Path) -> None:
    env = {"CTISWITCH_SIM_TOKEN": "from-env", "CTISWITCH_VIRTUAL_CLOCK": "no",
           "CTISWITCH_HTTPS_PORT": "1", "CTISWITCH_HTTP_PORT": "1"}
    with start_server(tmp_path, "--sim-token", "from-flag", "--virtual-clock", env=env) as server, \
            httpx.Client(base_url=server.http_url, headers={"Authorization": "Bearer from-flag"}) as client:
        response = client.post("/sim/clock/advance", json={"seconds": 1})
        assert response.status_code == 200
        assert response.json()["now"] == 1.0
