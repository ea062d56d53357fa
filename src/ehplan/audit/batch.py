"""Verifying many runs at once: every run file of the directories named, on
every core, each with the same verdict `verify_log` gives it alone."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .runfiles import run_files
from .verify import VERDICTS, VerifyResult, verify_in_order, verify_log

__all__ = ["VERDICTS", "Checked", "expand", "verify_all"]

CHUNK = 32
"""The fewest runs a worker checks per task: small logs cost less than the hand-over."""
MAX_CHUNK = 256
"""The most: each worker gets about eight tasks, so one slow task does not leave a core idle."""



@dataclass(frozen=True)
class Checked:
    """One run file and what verifying it found."""

    path: Path
    result: VerifyResult
    named: bool
    """Named on the command line (else found in a directory named)."""

    @property
    def verdict(self) -> str:
        """One of VERDICTS."""
        return self.result.verdict


def expand(paths: Iterable[Path]) -> list[tuple[Path, bool]]:
    """The files named, and the run files directly inside the directories named
    (``*.jsonl``, regular files, never links), each with whether it was named."""
    found: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            found.extend((run, False) for run in run_files(path))
        else:
            found.append((path, True))
    return found


def _verify_chunk(paths: list[Path], key: bytes | None) -> list[VerifyResult]:
    return list(verify_in_order(paths, key))


def verify_all(paths: list[tuple[Path, bool]], key: bytes | None, *, jobs: int | None = None,
               progress: Callable[[int], object] | None = None) -> list[Checked]:
    """Verify every file, in order; ``jobs`` processes (default: every core).

    One file alone keeps verify_log's own split of a long run over two
    processes; many files are shared out in runs of neighbours instead (a
    run's link to the one before it is then answered from that one's check),
    one verify each.
    """
    jobs = jobs or os.cpu_count() or 1
    files = [path for path, _named in paths]
    if len(files) == 1:
        results = [verify_log(files[0], key)]
        if progress is not None:
            progress(1)
    elif jobs < 2 or len(files) <= CHUNK or not hasattr(os, "fork"):
        results = []
        for result in verify_in_order(files, key):
            results.append(result)
            if progress is not None:
                progress(1)
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from multiprocessing import get_context

        size = max(CHUNK, min(MAX_CHUNK, len(files) // (jobs * 8)))
        chunks = [files[i : i + size] for i in range(0, len(files), size)]
        by_chunk: dict[int, list[VerifyResult]] = {}
        with ProcessPoolExecutor(min(jobs, len(chunks)), mp_context=get_context("fork")) as pool:
            futures = {pool.submit(_verify_chunk, chunk, key): i for i, chunk in enumerate(chunks)}
            for future in as_completed(futures):
                by_chunk[futures[future]] = future.result()
                if progress is not None:
                    progress(len(by_chunk[futures[future]]))
        results = [result for i in range(len(chunks)) for result in by_chunk[i]]
    return [Checked(path, result, named) for (path, named), result in zip(paths, results, strict=True)]
