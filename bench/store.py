"""Store benchmark: load N check-ins (default 1,000,000) into a fresh PostgreSQL database
and report the p50/p99 latency of the dashboard queries. Not a test; bounded in time.

    eval "$(scripts/start-postgres.sh start)"
    .venv/bin/python bench/store.py                       # uses ESIGUARD_TEST_POSTGRES_URL
    .venv/bin/python bench/store.py --check-ins 200000 --queries 300 --url postgresql://...

The data is generated inside PostgreSQL (generate_series), ten check-ins and five scheduled
slots per enrolment, 20 clinics, injections spread over a year; enrolments of the last three
weeks are active. The database is dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from esiguard.store import Database, migrate, normalize_url
from esiguard.store import repository as repo
from esiguard.store.tables import utcnow

CLINICS = 20
PER_ENROLMENT = 10

LOAD_SQL = [
    "INSERT INTO clinics (id, name, created_at) SELECT c, 'Clinic ' || c, now() FROM generate_series(1, :clinics) c",
    """INSERT INTO enrolments (id, clinic_id, patient_label, token_hash, injected_at, link_expires_at,
                               procedure, status, created_at)
       SELECT e, 1 + e % :clinics, 'Patient ' || e, md5('t' || e) || md5('u' || e),
              now() - (e::float / :enrolments) * interval '365 days',
              now() - (e::float / :enrolments) * interval '365 days' + interval '24 days',
              '{"status": "done", "approach": "transforaminal", "region": "lumbar"}',
              CASE WHEN (e::float / :enrolments) * 365 < 21 THEN 'active' ELSE 'closed' END, now()
       FROM generate_series(1, :enrolments) e""",
    """INSERT INTO check_ins (id, enrolment_id, clinic_id, slot_key, submission_id, submitted_at,
                              hours_since_injection, pain_nrs, leg_weakness, present_findings, "case",
                              disposition, headline, result)
       SELECT (e.id - 1) * :per + k, e.id, e.clinic_id, NULL, md5(e.id || '-' || k),
              e.injected_at + k * interval '3 hours', k * 3, (e.id + k) % 11, (e.id * k) % 4, '[]',
              '{}', (ARRAY['self_care','routine','urgent','emergency'])[1 + (e.id + k) % 4], '', '{}'
       FROM enrolments e, generate_series(1, :per) k
       WHERE e.injected_at + k * interval '3 hours' < now()""",
    """INSERT INTO check_in_slots (enrolment_id, clinic_id, slot_key, label, opens_at, due_at, closes_at,
                                   collects_outcomes, check_in_id)
       SELECT e.id, e.clinic_id, s.key, s.key, e.injected_at + s.h * interval '1 hour' - interval '1 hour',
              e.injected_at + s.h * interval '1 hour', e.injected_at + s.h * interval '1 hour' + interval '4 hours',
              s.key = 'w2',
              CASE WHEN e.status = 'closed' OR (e.id % 7 <> 0 AND e.injected_at + s.h * interval '1 hour' < now())
                   THEN (SELECT c.id FROM check_ins c WHERE c.id = (e.id - 1) * :per + s.n) END
       FROM enrolments e,
            (VALUES ('h2', 2, 1), ('h8', 8, 2), ('h24', 24, 3), ('h72', 72, 4), ('w2', 336, 5)) AS s(key, h, n)""",
    """INSERT INTO escalations (clinic_id, enrolment_id, check_in_id, rule_id, reason_key, priority,
                                summary, created_at, acknowledged_at, note)
       SELECT e.clinic_id, e.id, (SELECT c.id FROM check_ins c WHERE c.id = (e.id - 1) * :per + 1),
              'urgent_check_in', 'check_in:' || e.id, 30,
              'Urgent result at a check-in', e.injected_at + interval '3 hours',
              CASE WHEN e.status = 'closed' THEN e.injected_at + interval '4 hours' END,
              CASE WHEN e.status = 'closed' THEN 'seen' END
       FROM enrolments e WHERE e.id % 20 = 0""",
]


def create_database(admin_url: str) -> str:
    name = f"esiguard_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, url: str) -> None:
    engine = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    engine.dispose()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ESIGUARD_TEST_POSTGRES_URL"))
    parser.add_argument("--check-ins", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--time-limit", type=float, default=120.0, help="seconds for the query phase"
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not args.url or not args.url.startswith("postgres"):
        print("url: give a PostgreSQL URL (--url or ESIGUARD_TEST_POSTGRES_URL)", file=sys.stderr)
        return 2
    url = create_database(args.url)
    try:
        db = Database.from_url(url)
        migrate(db.engine)
        enrolments = args.check_ins // PER_ENROLMENT
        params = {"clinics": CLINICS, "enrolments": enrolments, "per": PER_ENROLMENT}
        started = time.perf_counter()
        with db.engine.begin() as conn:
            for sql in LOAD_SQL:
                conn.execute(text(sql), params)
            for table in ("clinics", "enrolments", "check_ins", "escalations"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        load_seconds = time.perf_counter() - started
        with db.engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in ("check_ins", "check_in_slots", "enrolments", "escalations")}  # fmt: skip
        print(f"loaded {counts} in {load_seconds:.1f} s")

        rng = random.Random(7)
        timings: dict[str, list[float]] = {
            "dashboard": [],
            "overdue sweep": [],
            "patient timeline": [],
        }
        deadline = time.monotonic() + args.time_limit
        rows_seen = 0
        for _ in range(args.queries):
            if time.monotonic() > deadline:
                break
            clinic, now = rng.randint(1, CLINICS), utcnow()
            with db.session() as session:
                t0 = time.perf_counter()
                rows_seen += len(repo.dashboard_rows(session, clinic, now))
                t1 = time.perf_counter()
                repo.overdue_slots_without_escalation(session, now, clinic)
                t2 = time.perf_counter()
                repo.check_ins_of(session, rng.randint(1, enrolments))
                t3 = time.perf_counter()
            timings["dashboard"].append((t1 - t0) * 1000)
            timings["overdue sweep"].append((t2 - t1) * 1000)
            timings["patient timeline"].append((t3 - t2) * 1000)
        n = len(timings["dashboard"])
        print(f"{n} rounds; dashboard rows per clinic (mean): {rows_seen / max(n, 1):.0f}")
        for name, values in timings.items():
            print(
                f"{name:>17}: p50 {statistics.median(values):7.2f} ms   p99 {percentile(values, 99):7.2f} ms"
            )
        db.engine.dispose()
    finally:
        if not args.keep:
            drop_database(args.url, url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
