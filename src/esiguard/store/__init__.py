"""Persistence for the follow-up service (SQLAlchemy 2, Alembic migrations in migrations/).

SQLite by default (nothing to set up), PostgreSQL through a database URL. The store never
imports the triage engine: it saves and loads what the follow-up layer gives it.
"""

from esiguard.store.db import Database, make_engine, migrate, normalize_url

__all__ = ["Database", "make_engine", "migrate", "normalize_url"]
