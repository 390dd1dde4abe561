"""Clinics and clinician accounts; passwords are hashed with argon2 (argon2-cffi defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from esiguard.store.tables import Clinic, User

__all__ = ["ROLES", "create_clinic", "create_user", "hash_password", "verify_password"]

ROLES = ("clinician", "admin")
_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_clinic(session: Session, name: str, notify_email: str | None = None) -> Clinic:
    clinic = Clinic(name=name, notify_email=notify_email)
    session.add(clinic)
    session.flush()
    return clinic


def create_user(
    session: Session, clinic_id: int, email: str, password: str, role: str = "clinician"
) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = User(
        clinic_id=clinic_id,
        email=email.strip().lower(),
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user
