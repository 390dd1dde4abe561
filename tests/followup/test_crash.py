"""Nothing lost: the server process is killed (SIGKILL) while patients are sending
check-ins; after a restart, every check-in the server acknowledged is in the database.
Runs on SQLite and on PostgreSQL, each in its own fresh database."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import select
from tests.followup.helpers import (
    PG_ENV,
    PROCEDURE,
    Server,
    create_pg_database,
    drop_pg_database,
    postgres_url,
)

from esiguard.followup.accounts import create_clinic
from esiguard.followup.notifier import LogNotifier
from esiguard.followup.protocol import load_protocol
from esiguard.followup.service import FollowupService
from esiguard.kb import load_kb
from esiguard.store import Database, migrate
from esiguard.store.tables import CheckIn, utcnow

pytestmark = pytest.mark.slow

WRITERS = 6
ROUNDS = 2


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.db'}"
        return
    admin = postgres_url()
    if not admin:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (start one with scripts/start-postgres.sh)")
    url = create_pg_database(admin)
    yield url
    drop_pg_database(admin, url)


def enrol_patients(url: str, n: int) -> list[str]:
    db = Database.from_url(url)
    migrate(db.engine)
    with db.session() as session:
        clinic_id = create_clinic(session, "Crash clinic").id
    service = FollowupService(db, load_protocol(), load_kb(), LogNotifier())
    tokens = []
    for i in range(n):
        _, token = service.enrol(
            clinic_id=clinic_id, user_id=None, actor="test", patient_label=f"P{i}",
            procedure=PROCEDURE, injected_at=utcnow() - dt.timedelta(hours=3),
        )  # fmt: skip
        tokens.append(token)
    db.engine.dispose()
    return tokens


def write_until_killed(server: Server, token: str, acked: list[str], sent: list[str]) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        while True:
            submission = uuid.uuid4().hex
            sent.append(submission)
            try:
                r = client.post(
                    f"/api/v1/followup/check-ins/{token}",
                    json={"pain_nrs": 5, "leg_weakness": "mild", "submission_id": submission},
                )
            except httpx.HTTPError:
                return  # the server died under us: this one was never acknowledged
            if r.status_code in (200, 201):
                acked.append(r.json()["submission_id"])
            else:
                raise AssertionError(f"unexpected {r.status_code}: {r.text}")


def test_every_acknowledged_check_in_survives_the_server_being_killed(database_url):
    tokens = enrol_patients(database_url, WRITERS)
    acked: list[str] = []
    sent: list[str] = []
    for _ in range(ROUNDS):
        server = Server(database_url).start()
        threads = [
            threading.Thread(target=write_until_killed, args=(server, t, acked, sent), daemon=True)
            for t in tokens
        ]
        for t in threads:
            t.start()
        before = len(acked)
        deadline = time.monotonic() + 20
        while len(acked) - before < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # mid-write: the writers are still sending
        for t in threads:
            t.join(15)
    # Restart: the database opens cleanly and the app serves again.
    server = Server(database_url).start()
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()
    db = Database.from_url(database_url)
    with db.session() as session:
        stored = set(session.scalars(select(CheckIn.submission_id)))
    db.engine.dispose()
    missing = set(acked) - stored
    print(f"\n{database_url.split(':')[0]}: sent {len(sent)}, acknowledged {len(acked)}, "
          f"stored {len(stored)}, acknowledged but missing {len(missing)}")  # fmt: skip
    assert len(acked) >= 40 * ROUNDS
    assert not missing
    assert stored <= set(sent)  # nothing invented either
