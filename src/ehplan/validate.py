"""`ehplan validate`: every problem of every file, one line each, and an exit code."""

from __future__ import annotations

from pathlib import Path

from ehplan.library import DATA_FILES, load_library, playbook_files
from ehplan.terminal import EXIT_ERROR, EXIT_OK, EXIT_WARN, say
from ehplan.yamlpos import LoadError, Problem


def validate_paths(paths: list[Path], shipped_playbooks: Path, data: Path, *, strict: bool) -> int:
    """Validate the named files (or the shipped set), print problems, return the exit code."""
    data_dir = data
    data_names: list[str] = []
    playbook_paths: list[Path] = []
    for path in paths:
        if not path.exists():
            say(f"{path}:1:1: no such file or directory", err=True)
            return EXIT_ERROR
        if path.is_file() and path.name in DATA_FILES:
            data_dir = path.parent
            data_names.append(path.name)
        else:
            playbook_paths.append(path)
    if not paths:
        playbook_paths = [shipped_playbooks]
    only_data = bool(paths) and not playbook_paths
    problems: list[Problem] = [Problem(str(p), 1, 1, "no playbooks (*.yaml) in this directory")
                               for p in playbook_paths if p.is_dir() and not playbook_files([p])]
    warnings: list[Problem] = []
    try:
        library = load_library(playbook_paths, data_dir, references=[shipped_playbooks],
                               data_names=data_names if only_data else None)
        warnings = library.warnings
        count = len(library.playbooks)
    except LoadError as exc:
        problems += exc.problems
        count = 0
    for problem in [*problems, *warnings]:
        say(str(problem), err=True)
    if problems:
        say(f"{len(problems)} error(s), {len(warnings)} warning(s)", err=True)
        return EXIT_ERROR
    what = "data files" if only_data else f"{count} playbook(s) and the data files"
    say(f"ok: {what} are valid" + (f" ({len(warnings)} warning(s))" if warnings else ""))
    return EXIT_WARN if warnings and strict else EXIT_OK
