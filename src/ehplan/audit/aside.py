"""The chain check of a log already in memory, run aside in a forked child on
the second core while this process reads the same bytes for what they say.

Fork, not spawn: the child starts with these very bytes (shared copy-on-write,
nothing sent), runs only `scan_lines` (json, hashlib: C code, nothing to
import) and sends back the small `StreamScan` it found. Wherever a fork is not
possible or not safe (no os.fork, one core, a thread running), or the child
fails for any reason, the same scan runs here instead: the verdict is the
same, only the time differs."""

from __future__ import annotations

import os
import pickle
import threading

from .chain import StreamScan, iter_lines, scan_lines

_OK, _FAILED = b"ok", b"failed"


def can_check_aside() -> bool:
    """Whether a forked child can check a chain while this process works: a
    fork exists, there is a second core, and no other thread runs (a fork copies
    only the calling thread; a lock another thread held stays held in the child)."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


class ChainCheck:
    """`scan_lines` of ``raw`` in a forked child; `result` waits for it."""

    def __init__(self, raw: bytes, key: bytes | None) -> None:
        self.raw, self.key = raw, key
        self.pid = -1
        self.pipe = -1
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to spare: `result` scans here
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: scan, send, leave at once (no atexit, no stdio flush of the parent's)
            os.close(read_end)
            _child(raw, key, write_end)
        os.close(write_end)
        self.pid, self.pipe = pid, read_end

    def result(self) -> StreamScan:
        """The child's scan, or this process's own if the child gave none."""
        sent = _collect(self.pid, self.pipe) if self.pid > 0 else None
        self.pid = -1
        return sent if sent is not None else scan_lines(iter_lines(self.raw), self.key)


def _child(raw: bytes, key: bytes | None, out: int) -> None:
    code = 1
    try:
        message = _OK + pickle.dumps(scan_lines(iter_lines(raw), key), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(message)
        while view:
            view = view[os.write(out, view):]
        code = 0
    except BaseException:  # the parent scans for itself; nothing of the child's may escape into its code
        try:
            os.write(out, _FAILED)
        except BaseException:
            pass
    finally:
        os._exit(code)


def _collect(pid: int, pipe: int) -> StreamScan | None:
    pieces = []
    try:
        while piece := os.read(pipe, 1 << 16):
            pieces.append(piece)
    finally:
        os.close(pipe)
        _pid, status = os.waitpid(pid, 0)
    message = b"".join(pieces)
    if os.waitstatus_to_exitcode(status) != 0 or not message.startswith(_OK):
        return None
    scan = pickle.loads(message[len(_OK):])  # our own child's answer, from our own pipe
    return scan if isinstance(scan, StreamScan) else None
