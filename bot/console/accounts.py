"""Staff accounts (argon2 password hashes) and server-side sessions.

A session cookie holds a random token; the DB keeps only its sha256, the
account and a CSRF token. A session ends after ``STAFF_IDLE_MINUTES`` without
a request, when its account is disabled, or on sign-out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from bot import settings
from bot.admin.errors import AdminError
from bot.console.models import ROLES, staff_sessions, staff_users
from bot.content.db import get_engine, migrate

_hasher = PasswordHasher()
MIN_PASSWORD = 10
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
# verifying against this keeps a wrong name as slow as a wrong password
_DUMMY_HASH = _hasher.hash("not-a-password-" + secrets.token_hex(8))


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    active: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


def now() -> dt.datetime:
    """UTC now, naive (how the service DB stores times)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _user(row) -> User:
    return User(row.id, row.name, row.role, bool(row.active))


def check_name(name: str) -> str:
    name = (name or "").strip().lower()
    if not (2 <= len(name) <= 64) or not set(name) <= _NAME_CHARS:
        raise AdminError(
            "ชื่อผู้ใช้ต้องยาว 2-64 ตัว ใช้ a-z 0-9 . _ - เท่านั้น",
            "a user name is 2-64 characters of a-z 0-9 . _ -",
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AdminError(
            "บทบาทต้องเป็น editor หรือ admin", "the role must be editor or admin"
        )
    return role


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise AdminError(
            f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD} ตัวอักษร",
            f"the password must be at least {MIN_PASSWORD} characters",
        )
    return password


def add_user(url: Optional[str], name: str, role: str, password: str) -> User:
    """Create an account (the DB is migrated first)."""
    name, role = check_name(name), check_role(role)
    check_password(password)
    migrate(url)
    with get_engine(url).begin() as conn:
        if conn.execute(
            select(staff_users.c.id).where(staff_users.c.name == name)
        ).first():
            raise AdminError(f"มีผู้ใช้ชื่อ {name} อยู่แล้ว", f"user {name} already exists")
        t = now()
        conn.execute(
            insert(staff_users).values(
                name=name,
                password_hash=_hasher.hash(password),
                role=role,
                active=True,
                created_at=t,
                updated_at=t,
            )
        )
        row = conn.execute(select(staff_users).where(staff_users.c.name == name)).one()
    return _user(row)


def list_users(url: Optional[str]) -> List[User]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(select(staff_users).order_by(staff_users.c.name)).all()
    return [_user(r) for r in rows]


def get_user(url: Optional[str], user_id: int) -> Optional[User]:
    with get_engine(url).connect() as conn:
        row = conn.execute(
            select(staff_users).where(staff_users.c.id == user_id)
        ).first()
    return _user(row) if row else None


def update_user(
    url: Optional[str],
    user_id: int,
    role: Optional[str] = None,
    active: Optional[bool] = None,
    password: Optional[str] = None,
) -> None:
    """Change an account's role, state or password. Disabling an account or
    changing its password ends its sessions."""
    values: dict = {"updated_at": now()}
    if role is not None:
        values["role"] = check_role(role)
    if active is not None:
        values["active"] = active
    if password is not None:
        values["password_hash"] = _hasher.hash(check_password(password))
    with get_engine(url).begin() as conn:
        conn.execute(
            update(staff_users).where(staff_users.c.id == user_id).values(**values)
        )
        if active is False or password is not None:
            conn.execute(
                delete(staff_sessions).where(staff_sessions.c.user_id == user_id)
            )


def authenticate(url: Optional[str], name: str, password: str) -> Optional[User]:
    """The active account with this name and password, else None."""
    with get_engine(url).connect() as conn:
        row = conn.execute(
            select(staff_users).where(
                staff_users.c.name == (name or "").strip().lower()
            )
        ).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return _user(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(url: Optional[str], user: User) -> str:
    """A new session for `user`; returns the cookie value."""
    token = secrets.token_urlsafe(32)
    t = now()
    with get_engine(url).begin() as conn:
        conn.execute(
            insert(staff_sessions).values(
                token_hash=_digest(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=t,
                last_seen_at=t,
            )
        )
    return token


def load_session(url: Optional[str], token: Optional[str]) -> Optional[Session]:
    """The live session of a cookie value (its idle clock restarts), or None."""
    if not token:
        return None
    idle = dt.timedelta(minutes=settings.staff_idle_minutes())
    key = _digest(token)
    t = now()
    with get_engine(url).begin() as conn:
        row = conn.execute(
            select(staff_sessions, staff_users)
            .join(staff_users, staff_users.c.id == staff_sessions.c.user_id)
            .where(staff_sessions.c.token_hash == key)
        ).first()
        if row is None:
            return None
        if t - row.last_seen_at > idle or not row.active:
            conn.execute(
                delete(staff_sessions).where(staff_sessions.c.token_hash == key)
            )
            return None
        conn.execute(
            update(staff_sessions)
            .where(staff_sessions.c.token_hash == key)
            .values(last_seen_at=t)
        )
    user = User(row.user_id, row.name, row.role, bool(row.active))
    return Session(user, row.csrf_token)


def end_session(url: Optional[str], token: Optional[str]) -> None:
    if token:
        with get_engine(url).begin() as conn:
            conn.execute(
                delete(staff_sessions).where(
                    staff_sessions.c.token_hash == _digest(token)
                )
            )
