"""Shared pieces of the follow-up tests: databases on both backends, seeded clinics, a
cookie-keeping client over ASGI, and a real uvicorn server in a subprocess."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from esiguard.followup.accounts import hash_password
from esiguard.store import Database, normalize_url
from esiguard.store.tables import Clinic, User

PG_ENV = "ESIGUARD_TEST_POSTGRES_URL"
PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
PROCEDURE = {
    "status": "done",
    "approach": "transforaminal",
    "region": "lumbar",
    "side": "left",
    "steroid": {"name": "dexamethasone"},
    "local_anesthetic": {"name": "lidocaine"},
}
ROOT = Path(__file__).resolve().parents[2]


def postgres_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def create_pg_database(admin_url: str) -> str:
    """A new, empty database on the test server; returns its URL."""
    name = f"esiguard_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", admin_url, count=1)


def drop_pg_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    engine = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@dataclass(frozen=True)
class Seed:
    clinic_a: int
    clinic_b: int
    admin_a: str = "admin@a.example"
    nurse_a: str = "nurse@a.example"
    admin_b: str = "admin@b.example"
    nurse_b: str = "nurse@b.example"


def seed(db: Database) -> Seed:
    """Two clinics, each with an admin and a clinician (password PASSWORD)."""
    with db.session() as session:
        a = Clinic(name=f"Clinic A {uuid.uuid4().hex[:6]}", notify_email="alerts@a.example")
        b = Clinic(name=f"Clinic B {uuid.uuid4().hex[:6]}", notify_email="alerts@b.example")
        session.add_all([a, b])
        session.flush()
        s = Seed(a.id, b.id)
        for clinic, email, role in (
            (a.id, s.admin_a, "admin"),
            (a.id, s.nurse_a, "clinician"),
            (b.id, s.admin_b, "admin"),
            (b.id, s.nurse_b, "clinician"),
        ):
            session.add(User(clinic_id=clinic, email=email, password_hash=PASSWORD_HASH, role=role))
    return s


class Client:
    """httpx over ASGI that keeps cookies between requests, like a browser."""

    def __init__(self, app: FastAPI) -> None:
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        page = self.get("/clinic/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.post(
            "/clinic/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def csrf(self, path: str = "/clinic") -> str:
        page = self.get(path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`uvicorn --factory esiguard.web:create_app` in its own process, on a free port."""

    def __init__(self, database_url: str, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ESIGUARD_DATABASE_URL": database_url,
            "ESIGUARD_FOLLOWUP_NOTIFIER": "log",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        # The server's stderr, shown if it fails to start; closed in kill()/stop().
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    def start(self) -> Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "esiguard.web:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
             "--workers", "1"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(self.log.read().decode(errors="replace"))
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what is committed must survive."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


# The ten Oswestry sections as the protocol names them; sex life is the one patients may skip.
ODI_SECTIONS = ("pain_intensity", "personal_care", "lifting", "walking", "sitting", "standing",
                "sleeping", "sex_life", "social_life", "travelling")  # fmt: skip
ODI_SECTIONS_WITHOUT_SEX_LIFE = tuple(s for s in ODI_SECTIONS if s != "sex_life")
