"""Connecting to the hub, applying its migrations, and making its roles."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from importlib import resources as importlib_resources
from typing import Any

MIGRATIONS_TABLE = "ehplan.schema_migrations"
_MIGRATION_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
DESK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
CONNECT_TIMEOUT_S = 3


class HubError(Exception):
    """The hub cannot be used: one line saying why."""


class HubUnreachable(HubError):
    """The hub's server did not answer (down, slow, or the network is)."""


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:  # the hub extra is not installed
        raise HubError("the hub needs psycopg: pip install 'ehplan[hub]'") from None
    return psycopg


def connect(dsn: str, *, autocommit: bool = False) -> Any:
    """A psycopg connection to the hub, or HubUnreachable saying why not in one line."""
    psycopg = _psycopg()
    try:
        conn = psycopg.connect(
            dsn, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S, application_name="ehplan",
            keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=3)
    except psycopg.OperationalError as exc:
        raise HubUnreachable(f"hub unreachable: {first_line(exc)}") from None
    except psycopg.ProgrammingError as exc:  # a DSN that does not parse
        raise HubError(f"bad hub address: {first_line(exc)}") from None
    return conn


def first_line(exc: BaseException) -> str:
    """An error's first line (libpq's messages run over several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def migrations() -> list[Migration]:
    """The shipped migrations, in the order they apply (their number)."""
    found = []
    for entry in importlib_resources.files("ehplan.hub").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def migrate(dsn: str) -> list[Migration]:
    """Apply the migrations the database lacks, each in its own transaction and
    recorded with its checksum; return those applied. A recorded migration
    whose text has changed since is refused (HubError)."""
    psycopg = _psycopg()
    applied: list[Migration] = []
    with connect(dsn) as conn:
        try:
            conn.execute("SELECT pg_advisory_lock(hashtextextended('ehplan hub migrations', 0))")
            conn.execute("CREATE SCHEMA IF NOT EXISTS ehplan")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (version int PRIMARY KEY, "
                         "name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            conn.commit()
            done = {row[0]: row[1] for row in conn.execute(f"SELECT version, sha256 FROM {MIGRATIONS_TABLE}")}
            for migration in migrations():
                if migration.version in done:
                    if done[migration.version] != migration.sha256:
                        raise HubError(f"migration {migration.version:04d}_{migration.name} differs from the one "
                                       "applied to this hub; it was edited after it shipped")
                    continue
                with conn.transaction():
                    conn.execute(migration.sql.encode("utf-8"))
                    conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (version, name, sha256) VALUES (%s, %s, %s)",
                                 (migration.version, migration.name, migration.sha256))
                applied.append(migration)
        except psycopg.Error as exc:
            raise HubError(f"cannot set up the hub: {first_line(exc)}") from None
    return applied


@dataclass(frozen=True)
class Credentials:
    """A login role made for a desk or a reader."""

    name: str
    role: str
    password: str
    dsn: str


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer padded keys (RFC 2104), as the hub stores them."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def add_desk(dsn: str, name: str, place: str = "", key: bytes | None = None) -> Credentials:
    """Make a desk's login role (a member of ehplan_desk) and its row; with
    ``key``, the hub holds the desk's HMAC key and checks its keyed logs."""
    if not DESK_NAME.fullmatch(name):
        raise HubError(f"desk name {name!r} must be lowercase letters, digits, '_' or '-' (at most 40)")
    role = f"ehplan_desk_{name}"
    credentials = _make_role(dsn, role, "ehplan_desk", name, place=place, key=key)
    return credentials


def add_reader(dsn: str, name: str) -> Credentials:
    """Make a read-only login role (a member of ehplan_reader) for a board or an auditor."""
    if not DESK_NAME.fullmatch(name):
        raise HubError(f"reader name {name!r} must be lowercase letters, digits, '_' or '-' (at most 40)")
    return _make_role(dsn, f"ehplan_reader_{name}", "ehplan_reader", name)


def _make_role(dsn: str, role: str, group: str, name: str, *, place: str = "",
               key: bytes | None = None, desk: bool | None = None) -> Credentials:
    psycopg = _psycopg()
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    password = secrets.token_urlsafe(18)
    with connect(dsn) as conn:
        try:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                raise HubError(f"{name!r} exists already on this hub")
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(role), sql.Literal(password), sql.Identifier(group)))
            if group == "ehplan_desk":
                conn.execute("INSERT INTO ehplan.desks (name, role, place) VALUES (%s, %s, %s)", (name, role, place))
                if key is not None:
                    ipad, opad = hmac_pads(key)
                    conn.execute("INSERT INTO ehplan.desk_keys (desk, ipad, opad) VALUES (%s, %s, %s)",
                                 (name, ipad, opad))
            conn.commit()
        except psycopg.errors.UndefinedTable:
            raise HubError("this database is no ehplan hub yet: run `ehplan hub init DSN` first") from None
        except psycopg.Error as exc:
            raise HubError(f"cannot add {name!r}: {first_line(exc)}") from None
    return Credentials(name, role, password, make_conninfo(dsn, user=role, password=password))
