"""Benchmark: POST /api/v1/triage under concurrent load, beside a no-op route of the same app.

    .venv/bin/python bench/api.py [--seconds 10] [--connections 16] [--tool auto|wrk|httpx]

Starts the app with uvicorn in a separate process on 127.0.0.1 (a free port), then loads
GET /api/v1/ping (the baseline: same app, same server, no work) and POST /api/v1/triage with
the same number of open connections for the same time, and prints requests per second,
p50 and p99 latency for each, and triage relative to the baseline. The load comes from wrk
(Debian package `wrk`) when it is installed, else from an asyncio httpx client. The run
stops by itself: about 2 x --seconds plus a few seconds of start-up (under 60 s by default).
Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

# A realistic case after an injection: a few structured findings, no narrative (free-text
# intake is measured by its own benchmark; here we measure the triage route).
CASE = {
    "format": "esi-case/1",
    "patient": {
        "age_years": 64,
        "conditions": ["hypertension", "diabetes_type2"],
        "medications": [{"name": "apixaban", "last_dose_hours_before": 72,
                         "restarted_hours_after": 24}],
    },
    "procedure": {"status": "done", "approach": "transforaminal", "region": "lumbar",
                  "levels": ["L4-L5"], "side": "left", "guidance": "fluoroscopy",
                  "steroid": {"name": "dexamethasone", "dose_mg": 10},
                  "local_anesthetic": {"name": "lidocaine", "concentration_percent": 1,
                                       "volume_ml": 2}},
    "hours_since_injection": 30,
    "findings": [
        {"code": "back_pain", "nrs": 6, "trend": "stable", "onset_hours": 2},
        {"code": "leg_numbness", "side": "left", "trend": "improving", "onset_hours": 0},
        {"code": "fever", "present": False},
        {"code": "saddle_numbness", "present": False},
        {"code": "urinary_retention", "present": False},
    ],
}  # fmt: skip

SERVER = """
import sys, uvicorn
from esiguard.web import WebSettings, create_app
uvicorn.run(create_app(WebSettings()), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning", access_log=False)
"""


@dataclass
class Figures:
    name: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not start within 20 s")


def warm_up(base: str) -> None:
    """Load the knowledge base and check the route works before measuring."""
    response = httpx.post(f"{base}/api/v1/triage", json=CASE, timeout=30)
    response.raise_for_status()
    print(f"warm-up: triage answers {response.json()['disposition']!r}", flush=True)
    for _ in range(20):
        httpx.post(f"{base}/api/v1/triage", json=CASE, timeout=30)


# --- wrk ------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS_MS[unit]


def run_wrk(name: str, url: str, body: bytes | None, seconds: int, connections: int) -> Figures:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "request.lua"
        lines = []
        if body is not None:
            body_file = Path(tmp) / "body.json"
            body_file.write_bytes(body)
            lines += [
                'wrk.method = "POST"',
                'wrk.headers["Content-Type"] = "application/json"',
                f'local f = io.open("{body_file}", "rb"); wrk.body = f:read("*a"); f:close()',
            ]
        script.write_text("\n".join(lines) + "\n")
        threads = max(1, min(4, connections, os.cpu_count() or 1))
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                   "-s", str(script), url]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30,
                             check=True).stdout  # fmt: skip
    requests = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", out).group(1))  # type: ignore[union-attr]
    duration = _ms(re.search(r"requests in ([\d.]+\w+)", out).group(1)) / 1000  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    return Figures(name, requests, errors, duration, p50, p99)


# --- httpx fallback -------------------------------------------------------------------------


async def _load(name: str, url: str, body: bytes | None, seconds: int, connections: int) -> Figures:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    if body is None:
                        response = await client.get(url)
                    else:
                        response = await client.post(url, content=body, headers=headers)
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Figures(name, len(latencies), errors, elapsed, cuts[49], cuts[98])


def run_httpx(name: str, url: str, body: bytes | None, seconds: int, connections: int) -> Figures:
    return asyncio.run(_load(name, url, body, seconds, connections))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds per route (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (16)")
    parser.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 25:
        parser.error("--seconds must be between 1 and 25 so the run ends within a minute")
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "httpx"
    run = run_wrk if tool == "wrk" else run_httpx

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        warm_up(base)
        body = json.dumps(CASE).encode()
        print(f"load: {tool}, {args.connections} connections, {args.seconds} s per route, "
              f"uvicorn (1 worker) on {base}", flush=True)  # fmt: skip
        baseline = run("GET /api/v1/ping", f"{base}/api/v1/ping", None, args.seconds,
                       args.connections)  # fmt: skip
        triage = run("POST /api/v1/triage", f"{base}/api/v1/triage", body, args.seconds,
                     args.connections)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"\n{'route':<22}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for f in (baseline, triage):
        print(f"{f.name:<22}{f.requests:>10}{f.errors:>8}{f.rps:>10.0f}{f.p50_ms:>9.2f}"
              f"{f.p99_ms:>9.2f}")  # fmt: skip
    print(
        f"\ntriage / no-op: throughput {triage.rps / baseline.rps:.3f}x, "
        f"p50 latency {triage.p50_ms / baseline.p50_ms:.1f}x, "
        f"p99 latency {triage.p99_ms / baseline.p99_ms:.1f}x"
    )
    if tool == "httpx":
        print("note: the httpx client is slower than the server, so these figures are a lower "
              "bound; install wrk (apt-get install wrk) for the server's real capacity")  # fmt: skip
    if baseline.errors or triage.errors:
        raise SystemExit("some requests failed; the figures are not valid")


if __name__ == "__main__":
    main()
