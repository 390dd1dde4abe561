"""Administration of the follow-up store: `python -m esiguard.followup <command>`.

  migrate                                  apply the database migrations
  create-clinic NAME [--notify EMAIL]      add a clinic
  create-user CLINIC EMAIL --role admin    add a clinician (password read from ESIGUARD_NEW_PASSWORD
                                           or asked for)
  sweep                                    escalate missed check-ins now (run from cron as well)

The database is ESIGUARD_FOLLOWUP_DATABASE_URL, else ESIGUARD_DATABASE_URL, else the app default.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy import select

from esiguard.followup.accounts import create_clinic, create_user
from esiguard.followup.notifier import make_notifier
from esiguard.followup.protocol import load_protocol
from esiguard.followup.service import FollowupService
from esiguard.followup.settings import FollowupSettings
from esiguard.kb import load_kb
from esiguard.store import Database, migrate
from esiguard.store.tables import Clinic


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m esiguard.followup")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate")
    c = sub.add_parser("create-clinic")
    c.add_argument("name")
    c.add_argument("--notify", default=None)
    u = sub.add_parser("create-user")
    u.add_argument("clinic")
    u.add_argument("email")
    u.add_argument("--role", default="clinician", choices=["clinician", "admin"])
    sub.add_parser("sweep")
    args = parser.parse_args(argv)

    settings = FollowupSettings()
    from esiguard.web.settings import WebSettings

    db = Database.from_url(settings.database_url or WebSettings().database_url)
    migrate(db.engine)
    if args.command == "create-clinic":
        with db.session() as session:
            clinic = create_clinic(session, args.name, args.notify)
        print(f"clinic {clinic.id}: {clinic.name}")
    elif args.command == "create-user":
        with db.session() as session:
            clinic = session.scalar(select(Clinic).where(Clinic.name == args.clinic))
        if clinic is None:
            print(f"clinic: no clinic named {args.clinic!r}", file=sys.stderr)
            return 1
        try:
            password = os.environ.get("ESIGUARD_NEW_PASSWORD") or getpass.getpass("Password: ")
        except EOFError:
            print("password: set ESIGUARD_NEW_PASSWORD or run in a terminal", file=sys.stderr)
            return 1
        with db.session() as session:
            try:
                user = create_user(session, clinic.id, args.email, password, args.role)
            except ValueError as exc:
                print(f"password: {exc}", file=sys.stderr)
                return 1
        print(f"user {user.id}: {user.email} ({user.role})")
    elif args.command == "sweep":
        service = FollowupService(db, load_protocol(), load_kb(), make_notifier(settings))
        print(f"{service.sweep_missed()} missed check-in(s) escalated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
