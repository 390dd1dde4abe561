"""Fixtures: every store test runs on SQLite and, when ESIGUARD_TEST_POSTGRES_URL is set, on
PostgreSQL; each test works inside one transaction that is rolled back at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from tests.followup.helpers import (
    PG_ENV,
    Client,
    Seed,
    create_pg_database,
    drop_pg_database,
    postgres_url,
    seed,
)

from esiguard.followup.notifier import LogNotifier
from esiguard.followup.protocol import load_protocol
from esiguard.followup.service import FollowupService
from esiguard.followup.settings import FollowupSettings
from esiguard.kb import load_kb
from esiguard.store import Database, make_engine, migrate
from esiguard.web import WebSettings, create_app

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database per backend for the whole run."""
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('store') / 'followup.db'}"}
    admin = postgres_url()
    if admin:
        urls["postgresql"] = create_pg_database(admin)
    for url in urls.values():
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
    yield urls
    if admin:
        drop_pg_database(admin, urls["postgresql"])


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not postgres_url():
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (start one with scripts/start-postgres.sh)")
    return request.param


@pytest.fixture
def db(backend: str, migrated_urls: dict[str, str]) -> Iterator[Database]:
    """A Database whose every transaction is a savepoint inside one rolled-back transaction."""
    engine = make_engine(migrated_urls[backend])
    connection = engine.connect()
    outer = connection.begin()
    try:
        yield Database(engine, bind=connection)
    finally:
        outer.rollback()
        connection.close()
        engine.dispose()


@pytest.fixture
def seeded(db: Database) -> Seed:
    return seed(db)


@pytest.fixture
def service(db: Database) -> FollowupService:
    return FollowupService(db, load_protocol(), load_kb(), LogNotifier())


@pytest.fixture
def app(db: Database) -> FastAPI:
    app = create_app(WebSettings(database_url="sqlite:///./never-used.db"))
    app.state.followup_settings = FollowupSettings(cookie_secure=False, notifier="log")
    app.state.followup_database = db
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[Client]:
    c = Client(app)
    yield c
    c.close()


@pytest.fixture
def client_b(app: FastAPI) -> Iterator[Client]:
    """A second browser: a clinician of another clinic."""
    c = Client(app)
    yield c
    c.close()
