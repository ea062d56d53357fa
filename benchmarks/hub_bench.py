"""The hub's benchmarks (ehplan.hub, a real PostgreSQL started by pgserver):

1. ingest: events/s into the hub (the in-database checks of every line, ehplan.ingest), in
   the shipper's batches, vs. a bare COPY of the same rows into a table without
   the checks (same columns, same primary key), interleaved, medians;
2. append -> board: 50 simulated desks (each its own log directory and shipper
   thread) appending an event a second; the time from each append to the
   board's feed (LISTEN/NOTIFY, then the read) holding it, p99;
3. the operator's append p99 with shipping on (hub up, and hub down) vs. off:
   a run's durable appends while the shipper runs as the app runs it (a child
   process, `ShipperProcess`).

    python benchmarks/hub_bench.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import audit_bench

TARGETS = {"hub_ingest_eps": 20_000.0, "hub_ingest_vs_copy": 2.0, "hub_board_p99_s": 1.0,
           "hub_append_ratio": 1.1}


def start_server(scratch: Path) -> tuple[Any, str]:
    import pgserver
    import psycopg

    from ehplan.hub.db import migrate

    server = pgserver.get_server(Path(tempfile.mkdtemp(prefix="ehplan-bench-pg-")), cleanup_mode="stop")
    uri = server.get_uri()
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS hub")
        conn.execute("CREATE DATABASE hub")
    from psycopg.conninfo import make_conninfo

    dsn = make_conninfo(uri, dbname="hub")
    migrate(dsn)
    return server, dsn


def run_lines(runs: int, per_run: int, scratch: Path) -> list[tuple[str, list[str]]]:
    from ehplan.audit import create_run

    files: list[tuple[str, list[str]]] = []
    log_dir = scratch / "ingest-logs"
    for r in range(runs):
        start = audit_bench.START + dt.timedelta(minutes=r)
        writer = create_run(log_dir, f"bench-{len(list(log_dir.glob('*.jsonl'))) if log_dir.exists() else 0:04d}",
                            "Ann", "live", "run_started", {"playbook": "gas-leak"}, start)
        lines = [writer.path.read_text("ascii")[:-1]]
        for i in range(1, per_run):
            kind, data = audit_bench.event(i)
            record = writer.build(kind, data, audit_bench.ts_of(i))
            writer._last_hash, writer._next_seq = record.hash, record.seq + 1  # built, not fsynced: speed
            lines.append(record.to_line()[:-1].decode("ascii"))
        writer.close()
        files.append((writer.path.name, lines))
    return files


def bench_ingest(dsn: str, files: list[tuple[str, list[str]]], repeats: int = 3,
                 batch: int = 1000) -> dict[str, Any]:
    import psycopg

    from ehplan.hub.db import add_desk
    from ehplan.hub.ship import INGEST  # the shipper's own statement

    events = sum(len(lines) for _name, lines in files)
    hub_s, copy_s = [], []
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("CREATE TABLE IF NOT EXISTS bare (desk text, run text, seq bigint, file text, line text, "
                      "hash text, prev text, type text, ts timestamptz, verified boolean, "
                      "received_at timestamptz DEFAULT now(), PRIMARY KEY (desk, run, seq))")
    for attempt in range(repeats):
        desk = add_desk(dsn, f"ingest-{attempt}-{int(time.time())}")
        with psycopg.connect(desk.dsn) as conn:
            started = time.perf_counter()
            for name, lines in files:
                for at in range(0, len(lines), batch):
                    conn.execute(INGEST, (name, lines[at:at + batch])).fetchone()
                    conn.commit()
            hub_s.append(time.perf_counter() - started)
        with psycopg.connect(dsn) as conn:
            import json

            rows = []
            for name, lines in files:
                for line in lines:
                    record = json.loads(line)
                    rows.append((desk.name, record["run"], record["seq"], name if record["seq"] == 0 else None,
                                 line, record["hash"], record["prev"], record["type"], record["ts"], True))
            conn.execute("TRUNCATE bare")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor().copy("COPY bare (desk, run, seq, file, line, hash, prev, type, ts, verified) "
                                    "FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
            copy_s.append(time.perf_counter() - started)
    hub_median, copy_median = statistics.median(hub_s), statistics.median(copy_s)
    return {"events": events, "hub_s": hub_s, "copy_s": copy_s, "eps": events / hub_median,
            "copy_eps": events / copy_median, "vs_copy": hub_median / copy_median}


def bench_board(dsn: str, scratch: Path, desks: int = 50, seconds: float = 20.0) -> dict[str, Any]:
    """50 desks appending an event a second (staggered), each with its own shipper
    thread; the board's feed in this process; latency append -> feed holds it."""
    from ehplan.audit import create_run
    from ehplan.hub.board import BoardFeed
    from ehplan.hub.db import add_desk, add_reader
    from ehplan.hub.ship import Shipper

    zone = dt.timezone(dt.timedelta(hours=8))
    stamp = int(time.time())
    writers, shippers = [], []
    for n in range(desks):
        made = add_desk(dsn, f"b{stamp}-{n}")
        log_dir = scratch / f"board-desk-{n}"
        writer = create_run(log_dir, f"desk{n}-run", f"op{n}", "live", "run_started",
                            {"run": f"desk{n}-run", "operator": f"op{n}", "mode": "live", "playbook": "gas_leak",
                             "content_hash": "sha256:" + "0" * 64}, dt.datetime.now(dt.UTC))
        writers.append(writer)
        shippers.append(Shipper(made.dsn, log_dir))
    reader = add_reader(dsn, f"board{stamp}")
    feed = BoardFeed(reader.dsn, zone)
    feed.refresh(dt.datetime.now(dt.UTC))
    appended: dict[tuple[int, int], float] = {}
    seen: dict[tuple[int, int], float] = {}
    stop = threading.Event()

    def watch() -> None:
        try:
            follow()
        except Exception as exc:  # noqa: BLE001 - reported in the results
            errors.append(repr(exc))

    errors: list[str] = []

    def follow() -> None:
        while not stop.is_set():
            if feed.wait(0.2):
                feed.refresh(dt.datetime.now(dt.UTC))
            got = time.perf_counter()
            for (desk_n, _run), followed in list(feed._runs.items()):  # noqa: SLF001 - the benchmark's probe
                index = int(desk_n.rsplit("-", 1)[1])
                for seq in range(followed.seq + 1):
                    seen.setdefault((index, seq), got)

    for shipper in shippers:
        shipper.start()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    time.sleep(1.0)  # every desk's seq 0 is on the board before the clock starts
    began = time.perf_counter()
    tick = 0
    while time.perf_counter() - began < seconds:
        for n, writer in enumerate(writers):  # each desk once a second, spread over the second
            due = began + tick + n / desks
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            record = writer.append("note_added", {"text": f"t{tick}", "step": "s1"}, dt.datetime.now(dt.UTC))
            appended[(n, record.seq)] = time.perf_counter()
        tick += 1
    time.sleep(2.0)
    stop.set()
    watcher.join()
    for shipper in shippers:
        shipper.stop()
    for writer in writers:
        writer.close()
    feed.close()
    latencies = [seen[key] - at for key, at in appended.items() if key in seen]
    if not latencies:
        errors.append(f"feed holds {[(k, f.seq, f.problem) for k, f in feed._runs.items()][:2]}")
    missing = len(appended) - len(latencies)
    return {"desks": desks, "appends": len(appended), "missing": missing, "errors": errors,
            **({"latency_s": audit_bench.spread(latencies)} if latencies else {})}


def bench_append_cost(dsn: str, scratch: Path, appends: int = 600) -> dict[str, Any]:
    """Durable append p99 of one run, shipping off / on (hub up) / on (hub down), interleaved blocks."""
    from ehplan.audit import create_run
    from ehplan.hub.db import add_desk
    from ehplan.hub.ship import ShipperProcess

    made = add_desk(dsn, f"append-{int(time.time())}")
    modes = ("off", "up", "down")
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    for block in range(6):
        for mode in modes:
            log_dir = scratch / f"append-{mode}-{block}"
            writer = create_run(log_dir, f"a-{mode}-{block}", "Ann", "live", "run_started", {}, audit_bench.START)
            shipper = None
            if mode != "off":  # as the app runs it: a child process
                shipper = ShipperProcess(made.dsn if mode == "up" else "host=/nonexistent dbname=x", log_dir,
                                         scratch / f"status-{mode}-{block}.json")
                shipper.start()
                time.sleep(1.0)  # started, connected, shipped the first record
            for i in range(1, appends // 6 + 1):
                kind, data = audit_bench.event(i)
                started = time.perf_counter()
                writer.append(kind, data, audit_bench.ts_of(i))
                samples[mode].append(time.perf_counter() - started)
            if shipper is not None:
                shipper.stop()
            writer.close()
    p99 = {mode: audit_bench.percentile(values, 99) * 1000 for mode, values in samples.items()}
    return {"p99_ms": p99, "ratio_up": p99["up"] / p99["off"], "ratio_down": p99["down"] / p99["off"]}


def bench_hub(scratch: Path) -> dict[str, Any]:
    server, dsn = start_server(scratch)
    try:
        files = run_lines(20, 1000, scratch)
        return {"ingest": bench_ingest(dsn, files), "board": bench_board(dsn, scratch),
                "append": bench_append_cost(dsn, scratch)}
    finally:
        server.cleanup()


def verdicts(results: dict[str, Any]) -> dict[str, bool | None]:
    hub = results.get("hub")
    if not hub:
        return {"hub_ingest": None, "hub_board": None, "hub_append": None}
    board = hub["board"].get("latency_s")
    return {
        "hub_ingest": hub["ingest"]["eps"] >= TARGETS["hub_ingest_eps"]
        and hub["ingest"]["vs_copy"] <= TARGETS["hub_ingest_vs_copy"],
        "hub_board": board is not None and hub["board"]["missing"] == 0 and board["p99"] <= TARGETS["hub_board_p99_s"],
        "hub_append": max(hub["append"]["ratio_up"], hub["append"]["ratio_down"]) <= TARGETS["hub_append_ratio"],
    }


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    hub = results.get("hub")
    if not hub:
        return []
    ok = verdicts(results)
    ingest, board, append = hub["ingest"], hub["board"], hub["append"]

    def verdict(value: bool | None) -> str:
        return "PASS" if value else "FAIL"

    latency = board.get("latency_s") or {"p99": float("nan"), "p50": float("nan")}
    return [
        (f"hub ingest events/s ({ingest['events']} events)", f"{ingest['eps']:.0f}", f"{ingest['copy_eps']:.0f}",
         f"{ingest['vs_copy']:.2f}x", f">= {TARGETS['hub_ingest_eps']:.0f}/s, <= 2x COPY", verdict(ok["hub_ingest"])),
        (f"hub append -> board p99 s ({board['desks']} desks, {board['appends']} appends, "
         f"{board['missing']} missing)", f"{latency['p99']:.3f}", "-", "-", "<= 1 s", verdict(ok["hub_board"])),
        ("hub: append p99 ms, shipping on (up / down)",
         f"{append['p99_ms']['up']:.2f} / {append['p99_ms']['down']:.2f}", f"{append['p99_ms']['off']:.2f}",
         f"{append['ratio_up']:.2f}x / {append['ratio_down']:.2f}x", "<= 1.1x", verdict(ok["hub_append"])),
    ]


def main() -> int:
    import json

    with tempfile.TemporaryDirectory() as scratch:
        results = {"hub": bench_hub(Path(scratch))}
    for row in table_rows(results):
        print(" | ".join(row))
    print(json.dumps(results, indent=1, default=str)[:3000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
