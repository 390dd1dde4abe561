"""`esiguard serve` starts the app, prints the address to open, and refuses bad settings."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import time

import httpx
import typer
from typer.testing import CliRunner

from esiguard.cli.serve_cmd import register


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_is_registered_with_its_options():
    """register(app) adds `serve` with --host, --port and --emergency-number."""
    app = typer.Typer()
    register(app)

    @app.command("other")
    def other() -> None:  # a second command keeps Typer from flattening `serve`
        """Placeholder."""

    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--host", "--port", "--emergency-number"):
        assert option in result.output


def test_bad_emergency_number_is_a_usage_error():
    """An emergency number with letters exits 2 with one line naming the setting."""
    app = typer.Typer()
    register(app)

    @app.command("other")
    def other() -> None:
        """Placeholder."""

    result = CliRunner().invoke(app, ["serve", "--emergency-number", "help"])
    assert result.exit_code == 2
    assert "emergency_number" in result.output
    assert "Traceback" not in result.output


def test_serve_prints_the_address_and_serves_it():
    """`esiguard serve --port N` prints http://127.0.0.1:N/ and that address serves the app."""
    port = _free_port()
    env = {**os.environ, "COLUMNS": "200", "ESIGUARD_EMERGENCY_NUMBER": "112"}
    command = [sys.executable, "-m", "esiguard", "serve", "--port", str(port)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    ) as process:
        try:
            address = f"http://127.0.0.1:{port}/"
            printed = _read_until(process, address, timeout=20)
            assert address in printed
            page = _get_when_up(address, timeout=20)
            assert page.status_code == 200
            assert 'href="tel:112"' in page.text  # settings come from the environment too
        finally:
            process.terminate()
            process.wait(timeout=10)


def _read_until(process: subprocess.Popen[bytes], text: str, timeout: float) -> str:
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while text.encode() not in seen and time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:
                    break
                seen += chunk
    return seen.decode(errors="replace")


def _get_when_up(url: str, timeout: float) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
