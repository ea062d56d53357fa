"""The search for unfinished runs, started in a child process right after the
app's first frame, so that a desk's long history costs the start nothing it
can feel.

After that frame the app spends half a second importing and validating (pure
Python, holding the interpreter's lock); a thread searching the log directory beside
it would wait for that lock at every file it looks at. A child process runs on
the machine's other core instead, and its answer — the unfinished run files,
newest first — is ready long before the library is. When the child cannot be
started, fails or is slow, the search is done in-process as before: the child
only ever saves time, it never decides what is offered differently.

    python -m ehplan.open_runs LOG_DIR MEMO     (prints a JSON list of file names)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Nothing of ehplan is imported here: the app's first screen needs this module
# and not ehplan.audit, which the in-process search imports when it runs.

CHILD_TIMEOUT_S = 10.0
"""How long the first offer waits for the child before searching itself."""


class OpenRunsSearch:
    """``find_open_runs(log_dir, memo)``, begun in a child process by ``begin()``;
    ``take()`` gives its answer once (a later search is a new one, done in-process)."""

    def __init__(self, log_dir: Path, memo: Path | None) -> None:
        self.log_dir, self.memo = log_dir, memo
        self._child: subprocess.Popen[bytes] | None = None

    def begin(self) -> None:
        """Start the child (the app does it right after its first frame, so that
        the child never competes with that frame for a core)."""
        if self._child is not None or not sys.executable:
            return
        package_root = str(Path(__file__).resolve().parents[1])  # import this very ehplan
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "ehplan.open_runs", os.fsdecode(self.log_dir), os.fsdecode(self.memo or "")],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except OSError:
            self._child = None

    def take(self) -> list[Path]:
        """The unfinished run files, newest first: the child's answer the first
        time (when it gave one), else a search here and now."""
        child, self._child = self._child, None
        if child is not None:
            names = _answer(child)
            if names is not None:
                return [self.log_dir / name for name in names]
        return find_open_runs(self.log_dir, self.memo)


    def close(self) -> None:
        """Stop a child whose answer nobody will take (the app quit first)."""
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        if child is not None and child.stdout is not None:
            child.stdout.close()


def find_open_runs(log_dir: Path, memo: Path | None) -> list[Path]:
    """The search done here (ehplan.audit.reader), imported only when it is needed."""
    from ehplan.audit.reader import find_open_runs as search_here

    return search_here(log_dir, memo)


def _answer(child: subprocess.Popen[bytes]) -> list[str] | None:
    """The file names the child printed, or None when it gave no usable answer."""
    try:
        out, _ = child.communicate(timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return None
    if child.returncode != 0:
        return None
    try:
        names = json.loads(out)
    except ValueError:
        return None
    if not isinstance(names, list) or not all(isinstance(name, str) and name and os.sep not in name
                                              and name not in (".", "..") for name in names):
        return None
    return names


def main(argv: list[str]) -> int:
    log_dir, memo = Path(argv[0]), Path(argv[1]) if argv[1] else None
    found = find_open_runs(log_dir, memo)
    sys.stdout.write(json.dumps([os.fsdecode(path.name) for path in found]))  # ASCII: odd bytes as \\udcxx
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
