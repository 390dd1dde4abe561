"""Alembic environment: run with the connection `esiguard.store.migrate` passes in, or with
the URL in the Alembic config (`sqlalchemy.url`) when run by the alembic command."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from esiguard.store.db import make_engine
from esiguard.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
