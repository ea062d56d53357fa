"""Child process for the kill -9 durability test (test_audit_durability.py).

    python kill_child.py LOGDIR new RUN_ID     create a run in LOGDIR, then append
    python kill_child.py LOGDIR resume PATH    reopen PATH with open_run, then append

Protocol on stdout (a pipe), one line per message, each written with a single
unbuffered os.write so a SIGKILL never leaves a half-sent message that counts:

    go                      imports done; the parent may start its random delay now
    path PATH               the run file is created (or reopened) and locked
    recovery N              open_run set aside N torn bytes (the parent recovers
                            before every resume, so this must never appear)
    ack SEQ HASH            append of SEQ returned, i.e. after its fsync

An ack is written only AFTER `create_run` / `append` has returned, so every
acknowledged seq must survive the kill. The child appends until it is killed
(or, as a safety net, until MAX_SECONDS have passed).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ehplan.audit import create_run, open_run

NOW = datetime(2026, 11, 28, 13, 5, 7, 123000, tzinfo=timezone(timedelta(hours=8)))
MAX_SECONDS = 30


def say(line: str) -> None:
    os.write(1, (line + "\n").encode("ascii"))


def main() -> None:
    log_dir, how, what = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    say("go")
    if how == "new":
        writer = create_run(log_dir, what, "op", "drill", "run_started", {"pid": os.getpid()}, NOW)
        say(f"path {writer.path}")
        say(f"ack 0 {writer.last_hash}")
    else:
        writer, recovery = open_run(Path(what))
        say(f"path {writer.path}")
        if recovery is not None:
            say(f"recovery {recovery.bytes_set_aside}")
    deadline = time.monotonic() + MAX_SECONDS
    n = 0
    while time.monotonic() < deadline:
        n += 1
        # lines of varying length (and non-ASCII text, escaped on disk)
        record = writer.append("note", {"n": n, "pid": os.getpid(), "text": "燃氣" * (n % 23)}, NOW)
        say(f"ack {record.seq} {record.hash}")
    writer.close()


if __name__ == "__main__":
    main()
