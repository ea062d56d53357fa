"""An embedded PostgreSQL for one site or a demo (`ehplan hub serve DIR`):
pgserver's PostgreSQL binaries, data in DIR, a Unix socket in DIR."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .db import HubError, first_line

DATABASE = "ehplan"


@dataclass
class EmbeddedHub:
    """A running embedded server and the DSN of its hub database (as its owner)."""

    dsn: str
    server: Any

    def stop(self) -> None:
        self.server.cleanup()


def start_embedded(directory: Path) -> EmbeddedHub:
    """Start (or reuse) the server whose data is in ``directory``; HubError if it cannot."""
    try:
        import pgserver
        import psycopg
        from psycopg.conninfo import make_conninfo
    except ImportError:
        raise HubError("the embedded hub needs pgserver: pip install 'ehplan[hub]'") from None
    directory = Path(directory).absolute()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(directory, cleanup_mode="stop")  # type: ignore[attr-defined]
        uri = server.get_uri()
        with psycopg.connect(uri, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
    except Exception as exc:  # noqa: BLE001 - pgserver raises whatever initdb or pg_ctl said
        raise HubError(f"cannot start PostgreSQL in {directory}: {first_line(exc)}") from None
    return EmbeddedHub(make_conninfo(uri, dbname=DATABASE), server)
