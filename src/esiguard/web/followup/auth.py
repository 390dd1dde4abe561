"""Clinician sign-in: argon2 password hashes, a random session token in an HttpOnly cookie
(only its SHA-256 in the database), and a per-session CSRF token required on every change.

Sessions live in the database, so any worker can serve any request.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.responses import Response

from esiguard.followup.accounts import hash_password, verify_password
from esiguard.store import repository as repo
from esiguard.store.tables import User, WebSession, utcnow
from esiguard.web.followup.runtime import followup_settings, service_of

__all__ = [
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "Clinician",
    "check_csrf",
    "current_clinician",
    "hash_password",
    "sign_in",
    "sign_out",
    "verify_password",
]

SESSION_COOKIE = "esiguard_session"
LOGIN_CSRF_COOKIE = "esiguard_login_csrf"
# Verified against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password")


@dataclass(frozen=True)
class Clinician:
    user_id: int
    clinic_id: int
    email: str
    role: str
    csrf_token: str

    @property
    def actor(self) -> str:
        return f"user:{self.email}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def current_clinician(request: Request) -> Clinician | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    service = service_of(request)
    with service.db.session() as session:
        found = repo.session_user(session, token, utcnow())
        if found is None:
            return None
        web_session, user = found
        return Clinician(user.id, user.clinic_id, user.email, user.role, web_session.csrf_token)


def check_csrf(request: Request, clinician: Clinician, submitted: str | None) -> None:
    """Refuse a change whose CSRF token (form field or X-CSRF-Token header) is wrong."""
    token = submitted or request.headers.get("x-csrf-token") or ""
    if not hmac.compare_digest(token.encode(), clinician.csrf_token.encode()):
        raise HTTPException(403, "The form has expired or did not come from this site; try again.")


def authenticate(request: Request, email: str, password: str) -> User | None:
    service = service_of(request)
    with service.db.session() as session:
        user = repo.user_by_email(session, email)
        if user is None or not user.active:
            verify_password(_DUMMY_HASH, password)
            return None
        return user if verify_password(user.password_hash, password) else None


def sign_in(request: Request, response: Response, user: User) -> None:
    service = service_of(request)
    settings = followup_settings(request.app)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with service.db.session() as session:
        session.add(
            WebSession(
                id=repo.hash_token(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + dt.timedelta(hours=settings.session_hours),
            )
        )
        repo.add_audit(
            session,
            actor=f"user:{user.email}",
            action="login",
            record_type="user",
            record_id=user.id,
            clinic_id=user.clinic_id,
            user_id=user.id,
        )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/clinic/login")


def sign_out(request: Request, response: Response, clinician: Clinician) -> None:
    token = request.cookies.get(SESSION_COOKIE, "")
    service = service_of(request)
    with service.db.session() as session:
        row = session.get(WebSession, repo.hash_token(token))
        if row is not None:
            session.delete(row)
        repo.add_audit(
            session,
            actor=clinician.actor,
            action="logout",
            record_type="user",
            record_id=clinician.user_id,
            clinic_id=clinician.clinic_id,
            user_id=clinician.user_id,
        )
    response.delete_cookie(SESSION_COOKIE, path="/")
