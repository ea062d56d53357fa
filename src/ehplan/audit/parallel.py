"""Verify a long run on two cores: each half of the file is checked in its own
process, then the seam between them (the second half's first seq and prev
against the first half's last record). Short files are checked in one pass."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from itertools import takewhile
from pathlib import Path
from typing import BinaryIO

from ehplan.safeio import open_regular

from .chain import MAX_LINE_BYTES, LineFault, StreamScan, bounded_lines, iter_lines, scan_lines

PARALLEL_MIN_BYTES = 16 * 1024 * 1024
"""Below this a second process costs more than it saves."""


def scan_file(path: Path, key: bytes | None, *, split: bool = True) -> StreamScan:
    """Scan a whole run file; OSError if it cannot be read or is not a regular file.
    A long one is split over two processes unless ``split`` is False."""
    fd = open_regular(path)
    size = os.fstat(fd).st_size
    if size <= MAX_LINE_BYTES:  # a small run (most are) in one read: no line of it can be too long
        try:
            raw = read_to_end(fd, size)
        finally:
            os.close(fd)
        return scan_lines(iter_lines(raw), key)
    if not split or size < PARALLEL_MIN_BYTES or (os.cpu_count() or 1) < 2 or not _can_fork():
        with os.fdopen(fd, "rb") as handle:
            return scan_lines(bounded_lines(handle), key)
    os.close(fd)
    from concurrent.futures import ProcessPoolExecutor  # only for long runs: costly to import
    from multiprocessing import get_context

    seam = _line_start_after(path, size // 2)
    with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
        tail_future = pool.submit(_scan_part, path, seam, size, key, True)
        head = _scan_part(path, 0, seam, key, False)
        tail = tail_future.result()
    return _join(head, tail, seam)


def read_to_end(fd: int, size: int) -> bytes:
    """Every byte of an open file, ``size`` of them expected; what is appended
    while it is read is read too, as a streaming read would."""
    pieces = [os.read(fd, size + 1)]
    while pieces[-1]:
        pieces.append(os.read(fd, 1 << 20))
    return b"".join(pieces)


def _can_fork() -> bool:
    return hasattr(os, "fork")


def _line_start_after(path: Path, middle: int) -> int:
    with path.open("rb") as handle:
        handle.seek(middle)
        while (piece := handle.readline(MAX_LINE_BYTES)) and not piece.endswith(b"\n"):
            pass  # a hostile line longer than MAX_LINE_BYTES: skip it in bounded pieces
        return handle.tell()


def _lines_until(handle: BinaryIO, end: int) -> Iterator[bytes]:
    position = [handle.tell()]

    def inside(line: bytes) -> bool:
        position[0] += len(line)
        return position[0] <= end

    return takewhile(inside, bounded_lines(handle))


def _scan_part(path: Path, start: int, end: int, key: bytes | None, second: bool) -> StreamScan:
    with path.open("rb") as handle:
        handle.seek(start)
        lines = _lines_until(handle, end)
        return scan_lines(lines, key, offset=start, adopt=second, ends_file=second)


def _join(head: StreamScan, tail: StreamScan, split: int) -> StreamScan:
    if head.fault is not None or (tail.first is None and tail.fault is None):
        return head
    last = head.last
    if tail.first is None:  # the second half's very first line is bad
        assert tail.fault is not None
        return StreamScan(head.count, head.first, last, head.good_length,
                          replace(tail.fault, seq=head.count))
    seam = _seam_fault(head, tail, split)
    if seam is not None:
        return StreamScan(head.count, head.first, last, head.good_length, seam)
    # The second half counts in absolute seqs (it adopted its first line's), so its count is the total.
    return StreamScan(tail.count, head.first, tail.last or last, tail.good_length, tail.fault)


def _seam_fault(head: StreamScan, tail: StreamScan, split: int) -> LineFault | None:
    assert tail.first is not None
    expected_seq = head.count
    previous = head.last
    if tail.first.seq != expected_seq:
        if expected_seq == 0:
            return LineFault(0, split, f"first seq is {tail.first.seq}, not 0", False)
        return LineFault(expected_seq, split, f"seq {tail.first.seq} follows {expected_seq - 1}", False)
    if previous is not None and tail.first.prev != previous.hash:
        return LineFault(expected_seq, split, f"prev does not match line {expected_seq - 1}'s hash", False)
    return None
