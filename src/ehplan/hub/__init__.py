"""The department's hub: desks ship their verified logs to a PostgreSQL database,
where boards and auditors read every desk at once.

The desk's log stays the record (local, append-only, never waiting for the
network); the hub holds a checked copy: PostgreSQL itself checks every line's
hash, seq and prev on insert (see migrations/), desks can only insert rows of
their own desk, nobody can update or delete one. Modules: `db` (connecting,
migrations, roles), `ship` (the desk's background shipper), `fetch` (reading
runs back, byte-identical), `board` (the supervisor's board model), `server`
(an embedded PostgreSQL for one site). No Textual here; psycopg is imported
only when a hub is used (the `hub` extra).
"""

from __future__ import annotations
