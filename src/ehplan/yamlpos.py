"""Safe YAML with positions: turn a file into plain Python values, remember
where every value came from, and map pydantic errors back to ``path:line:col``.

Only YAML's data types are built (mappings, sequences, strings, integers,
booleans, null); no tag can construct an object. Scalars follow YAML 1.2's
core schema for booleans, so ``no``, ``off`` and ``yes`` stay strings. Size,
nesting depth and alias expansion are bounded so that a hostile file (a
"billion laughs") is refused at once.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ehplan.safeio import FileTooLarge, NotRegularFile, read_regular

MAX_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 18
"""No number in a playbook or data file needs more digits (fits in 64 bits)."""

M = TypeVar("M", bound=BaseModel)
PathKey = tuple[str | int, ...]
Severity = Literal["error", "warning"]

_INT = re.compile(r"^[-+]?[0-9]+$")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STR = "tag:yaml.org,2002:str"
_IMPLICIT = yaml.resolver.Resolver()
_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in one file, at one place."""

    path: str
    line: int
    col: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}:{self.col}: {prefix}{self.message}"


class LoadError(Exception):
    """A file (or several) could not be loaded; ``problems`` says where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Positions:
    """Where each value (and each mapping key) of a document starts, 1-based."""

    path: str
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def at(self, loc: PathKey, *, key: bool = False) -> tuple[int, int]:
        """The position of ``loc``, or of its nearest recorded ancestor."""
        table = self.keys if key else self.values
        probe = tuple(loc)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def problem(self, loc: PathKey, message: str, *, key: bool = False,
                severity: Severity = "error") -> Problem:
        """A problem placed at ``loc``."""
        line, col = self.at(loc, key=key)
        return Problem(self.path, line, col, message, severity)


class _Builder:
    """Walks a composed YAML node graph into Python values and positions."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.nodes = 0
        self.problems: list[Problem] = []
        self.open: set[int] = set()  # collection nodes being built (to catch a recursive alias)

    def _mark(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _fail(self, node: yaml.Node, message: str) -> None:
        line, col = self._mark(node)
        raise LoadError([Problem(self.positions.path, line, col, message)])

    def build(self, node: yaml.Node, loc: PathKey, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._fail(node, f"document too large after alias expansion (over {MAX_NODES} nodes)")
        if depth > MAX_DEPTH:
            self._fail(node, f"nested deeper than {MAX_DEPTH} levels (or a recursive alias)")
        if node.tag not in _ALLOWED_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
            self._fail(node, f"tag {tag!r} is not allowed: playbooks hold plain data only")
        self.positions.values.setdefault(loc, self._mark(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self.open:
            self._fail(node, "recursive alias: an anchored value cannot contain its own alias")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc, depth)
            return [self.build(child, (*loc, i), depth + 1) for i, child in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._fail(key_node, "a key must be a plain string")
            key = key_node.value
            if key == "<<":
                self._fail(key_node, "merge keys (<<) are not supported: write the values out")
            if key in result:
                line, col = self._mark(key_node)
                self.problems.append(Problem(self.positions.path, line, col, f"duplicate key {key!r}"))
                continue
            self.positions.keys[(*loc, key)] = self._mark(key_node)
            result[key] = self.build(value_node, (*loc, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        text = node.value
        if node.style:  # quoted or block: always a string
            return text
        implicit = _IMPLICIT.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if node.tag == _STR and implicit != _STR:
            return text  # an explicit !!str, e.g. number: !!str 110
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if _INT.match(text):
            if len(text.lstrip("+-")) > MAX_INT_DIGITS:
                self._fail(node, f"integer with {len(text.lstrip('+-'))} digits is too large "
                                 f"(at most {MAX_INT_DIGITS}); quote it if it is a text")
            return int(text)
        return text


_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it: the same nodes and marks, about 8x faster."""


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml; on any problem re-parse with the pure-Python parser,
    whose messages and positions the error corpus pins down."""
    if _FAST_LOADER is not yaml.SafeLoader:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.MarkedYAMLError as exc:
            if "maximum nesting depth" in str(exc.problem) and exc.problem_mark is not None:
                # libyaml stops at 1000 levels; the pure-Python parser would recurse
                # through them all again, slowly, only to fail the same way.
                raise _TooDeep(exc.problem_mark.line + 1, exc.problem_mark.column + 1) from None
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


class _TooDeep(Exception):
    def __init__(self, line: int, col: int) -> None:
        super().__init__(line, col)
        self.line, self.col = line, col


def read_source(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a playbook, data or scenario file, or `LoadError` in one line.

    Only a regular file is read, and its size is checked first: a FIFO, a
    device (a link to /dev/zero) or a directory is refused at once.
    """
    try:
        return read_regular(path, limit)
    except (FileTooLarge, NotRegularFile) as exc:
        raise LoadError([Problem(str(path), 1, 1, exc.strerror or str(exc))]) from None
    except OSError as exc:
        raise LoadError([Problem(str(path), 1, 1, f"cannot read: {exc.strerror or exc}")]) from None


def load_yaml(path: Path, data: bytes | None = None) -> tuple[Any, Positions]:
    """Parse one YAML file safely; return its value and the positions map."""
    shown = str(path)
    positions = Positions(shown)
    if data is None:
        data = read_source(path)
    if len(data) > MAX_BYTES:
        raise LoadError([Problem(shown, 1, 1, f"file too large ({len(data)} bytes, limit {MAX_BYTES})")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        before = data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start]
        col = len(before.decode("utf-8", errors="replace")) + 1
        message = f"not valid UTF-8 (byte {data[exc.start]:#04x}): save the file as UTF-8"
        raise LoadError([Problem(shown, line, col, message)]) from None
    with collector_paused():
        return _parse(shown, text, positions)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the garbage collector off while a file is parsed and validated.

    Loading allocates objects per value (nodes, values, positions, models,
    problems) and frees few until the end; with the collector on, its full
    passes over ever more live objects made a 1 MB file cost several times
    what it should, growing faster than the file. Nothing built here is cyclic
    but a recursive alias, which is refused, and collected once it is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(shown: str, text: str, positions: Positions) -> tuple[Any, Positions]:
    try:
        node = _compose(text)
    except _TooDeep as deep:
        raise LoadError([Problem(shown, deep.line, deep.col, f"nested deeper than {MAX_DEPTH} levels")]) from None
    except yaml.MarkedYAMLError as exc:
        raise LoadError([_syntax_problem(shown, exc)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise LoadError([Problem(shown, line, col, f"character {what} is not allowed in YAML")]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem(shown, 1, 1, "YAML syntax: " + " ".join(str(exc).split()))]) from None
    except RecursionError:
        raise LoadError([Problem(shown, 1, 1, f"nested deeper than {MAX_DEPTH} levels")]) from None
    if node is None:
        raise LoadError([Problem(shown, 1, 1, "the file is empty")])
    builder = _Builder(positions)
    value = builder.build(node, (), 0)
    if value is None:  # "---" or "~" alone
        raise LoadError([Problem(shown, 1, 1, "the file is empty")])
    if builder.problems:
        raise LoadError(builder.problems)
    return value, positions


def _syntax_problem(shown: str, exc: yaml.MarkedYAMLError) -> Problem:
    """One line for a YAML syntax error, at the problem, naming where the
    unclosed construct (if any) began."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    reason = " ".join((exc.problem or exc.context or "invalid YAML").split())
    if "'\\t'" in reason:
        reason = "a tab character here: indent with spaces, never tabs"
    elif exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
        start = exc.context_mark
        reason += f" ({' '.join(exc.context.split())} that starts at line {start.line + 1}, column {start.column + 1})"
    return Problem(shown, line, col, f"YAML syntax: {reason}")


# --- pydantic errors → problems ---------------------------------------------

_TYPE_MISMATCH = {"string_type", "model_type", "dict_type", "model_attributes_type", "list_type",
                  "int_type", "int_parsing", "bool_type", "literal_error", "union_tag_invalid"}


def _resolve(data: Any, loc: Sequence[str | int]) -> tuple[PathKey, bool]:
    """Follow a pydantic ``loc`` through the data, skipping union and validator
    tags that name no data; return the data path and whether it ended on a key
    that is not in the data (a missing field) or an unknown key."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part.replace("_", "-") in node:
            path.append(part.replace("_", "-"))
            node = node[part.replace("_", "-")]
    return tuple(path), False


def _message(error: Any, last: str | int | None) -> str:
    kind = error["type"]
    if kind == "missing":
        return f"missing required key {last!r}"
    if kind == "extra_forbidden":
        return f"unknown key {last!r}"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        return f"unknown kind {ctx.get('tag')!r}: expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "missing required key 'kind'"
    ctx = error.get("ctx", {})
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(ctx.get("pattern", "")))
        if hint:
            return f"{_shown(error.get('input'))} is {hint}"
    if kind in ("too_short", "too_long") and "actual_length" in ctx:
        what = f"{last!r} " if isinstance(last, str) else ""
        if kind == "too_short":
            return f"{what}needs at least {ctx.get('min_length')} entries, found {ctx['actual_length']}"
        return f"{what}takes at most {ctx.get('max_length')} entries, found {ctx['actual_length']}"
    if kind in _BOUNDS:
        word, name = _BOUNDS[kind]
        return f"must be {word} {ctx.get(name)}, not {_shown(error.get('input'))}"
    return message[0].lower() + message[1:] if message else kind


def _shown(value: Any) -> str:
    """A value as a message shows it: quoted, escaped, and not too long."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_BOUNDS = {
    "greater_than": ("more than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}

_PATTERN_HINTS = {
    r"^S\d+(\.\d+)*$": "not a plan section: write it like S5.3.6",
    r"^[a-z][a-z0-9_]*$": "not an id: lowercase letters, digits and _, starting with a letter",
    r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$": "not a reference: write step_id.item_id (or step_id.choice_id)",
    r"^f([1-9]|1[0-2])$": "not a function key: write f1 … f12",
    r"^[0-9 +\-()]*$": "not a phone number: digits, spaces, +, - and ( ) only",
}

# A model-level rule is about one key of its mapping: point at that key's value.
_VALIDATOR_KEYS = {
    "a choice field needs choices": "type",
    "only a choice field takes choices": "choices",
    "an escalate_after timer needs escalate_to": "kind",
    "run: false starts nothing; write run: true": "run",
    "end is before start": "end",
}


def validation_problems(error: ValidationError, data: Any, positions: Positions) -> list[Problem]:
    """Turn a pydantic error into problems placed where the YAML says it."""
    found: dict[PathKey, list[tuple[str, str, bool]]] = {}
    depths: dict[PathKey, list[int]] = {}
    for item in error.errors():
        loc = item["loc"]
        kind = item["type"]
        if kind in ("missing", "extra_forbidden"):
            path, _ = _resolve(data, loc[:-1])
            last = loc[-1] if loc else None
            if kind == "extra_forbidden":
                path = (*path, last) if last is not None else path
            message, is_key = _message(item, last), kind == "extra_forbidden"
        else:
            path, _ = _resolve(data, loc)
            if kind == "union_tag_invalid":
                path = (*path, "kind")
            message, is_key = _message(item, loc[-1] if loc else None), False
            key = _VALIDATOR_KEYS.get(message)
            if key is not None and isinstance(_at(data, path), dict) and key in _at(data, path):
                path = (*path, key)
        found.setdefault(path, []).append((message, kind, is_key))
        depths.setdefault(path, []).append(len(loc))
    # A union reports one error per branch. At one place, a branch that got
    # inside the value (a key missing from a mapping) beats one that refused
    # the value's shape (a duration that is not a string).
    for path, entries in found.items():
        deepest = max(depths[path])
        found[path] = [e for e, d in zip(entries, depths[path], strict=True)
                       if d == deepest or e[1] in ("missing", "extra_forbidden")]
    # Union branches report one error each; keep the deepest, most specific ones.
    problems: list[Problem] = []
    # Every proper prefix of a place with an error: a set, so that a file with
    # tens of thousands of bad keys costs linear time, not quadratic.
    ancestors = {other[:depth] for other in found for depth in range(len(other))}
    for path, entries in found.items():
        deeper = path in ancestors
        specific = [e for e in entries if e[1] not in _TYPE_MISMATCH]
        if deeper and not specific:
            continue
        if specific:
            chosen = specific
        elif len(entries) > 1:
            chosen = [(_mismatch_summary(entries), "type", False)]
        else:
            chosen = entries
        seen: set[str] = set()
        for message, _kind, is_key in chosen:
            if message in seen:
                continue
            seen.add(message)
            problems.append(positions.problem(path, message, key=is_key))
    return problems


def _at(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


def _mismatch_summary(entries: Iterable[tuple[str, str, bool]]) -> str:
    kinds = {kind for _, kind, _ in entries}
    if {"string_type", "model_type"} <= kinds:
        return "expected a text: a string or a map of zh-Hant, zh-Hans, en"
    return "; or ".join(dict.fromkeys(message for message, _, _ in entries))


def validate_model(model: type[M], data: Any, positions: Positions) -> M:
    """Validate ``data`` into ``model`` or raise `LoadError` with every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise LoadError(validation_problems(exc, data, positions)) from None
