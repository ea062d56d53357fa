"""Safe YAML with positions: turn a file into plain Python values, remember
where every value came from, and map pydantic errors back to ``path:line:col``.

Only YAML's data types are built (mappings, sequences, strings, integers,
booleans, null); no tag can construct an object. Scalars follow YAML 1.2's
core schema for booleans, so ``no``, ``off`` and ``yes`` stay strings. Size,
nesting depth and alias expansion are bounded so that a hostile file (a
"billion laughs") is refused at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

MAX_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64

M = TypeVar("M", bound=BaseModel)
PathKey = tuple[str | int, ...]
Severity = Literal["error", "warning"]

_INT = re.compile(r"^[-+]?[0-9]+$")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
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
            self._fail(node, f"tag {node.tag!r} is not allowed: playbooks hold plain data only")
        self.positions.values.setdefault(loc, self._mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*loc, i), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node)

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
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if _INT.match(text):
            return int(text)
        return text


def load_yaml(path: Path, data: bytes | None = None) -> tuple[Any, Positions]:
    """Parse one YAML file safely; return its value and the positions map."""
    shown = str(path)
    positions = Positions(shown)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LoadError([Problem(shown, 1, 1, f"cannot read: {exc.strerror or exc}")]) from None
    if len(data) > MAX_BYTES:
        raise LoadError([Problem(shown, 1, 1, f"file too large ({len(data)} bytes, limit {MAX_BYTES})")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError([Problem(shown, line, col, "not valid UTF-8")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        raise LoadError([Problem(shown, line, col, f"YAML syntax: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem(shown, 1, 1, f"YAML syntax: {exc}")]) from None
    except RecursionError:
        raise LoadError([Problem(shown, 1, 1, f"nested deeper than {MAX_DEPTH} levels")]) from None
    if node is None:
        raise LoadError([Problem(shown, 1, 1, "the file is empty")])
    builder = _Builder(positions)
    value = builder.build(node, (), 0)
    if builder.problems:
        raise LoadError(builder.problems)
    return value, positions


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
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(error.get("ctx", {}).get("pattern", "")))
        if hint:
            return hint
    return message[0].lower() + message[1:] if message else kind


_PATTERN_HINTS = {
    r"^S\d+(\.\d+)*$": "not a plan section: write it like S5.3.6",
    r"^[a-z][a-z0-9_]*$": "not an id: lowercase letters, digits and _, starting with a letter",
}


def validation_problems(error: ValidationError, data: Any, positions: Positions) -> list[Problem]:
    """Turn a pydantic error into problems placed where the YAML says it."""
    found: dict[PathKey, list[tuple[str, str, bool]]] = {}
    for item in error.errors():
        loc = item["loc"]
        kind = item["type"]
        if kind in ("missing", "extra_forbidden"):
            path, _ = _resolve(data, loc[:-1])
            last = loc[-1] if loc else None
            if kind == "extra_forbidden":
                path = (*path, last) if last is not None else path
            found.setdefault(path, []).append((_message(item, last), kind, kind == "extra_forbidden"))
        else:
            path, _ = _resolve(data, loc)
            if kind == "union_tag_invalid":
                path = (*path, "kind")
            found.setdefault(path, []).append((_message(item, loc[-1] if loc else None), kind, False))
    # Union branches report one error each; keep the deepest, most specific ones.
    problems: list[Problem] = []
    paths = list(found)
    for path, entries in found.items():
        deeper = any(other != path and other[: len(path)] == path for other in paths)
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
