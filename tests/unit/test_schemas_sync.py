"""The committed JSON Schemas match the models, and every shipped YAML file
points its editor at the right one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ehplan.schemas import SCHEMAS, render_schemas

REPO = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_current(name: str) -> None:
    committed = SCHEMA_DIR / name
    assert committed.exists(), f"{committed} is missing: run `ehplan schema --out schemas`"
    assert committed.read_bytes() == render_schemas()[name].encode("utf-8"), (
        f"{committed} is out of date with the models: run `ehplan schema --out schemas`"
    )


def test_no_stray_schema_files() -> None:
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(SCHEMAS)


def test_render_is_stable_json() -> None:
    first, second = render_schemas(), render_schemas()
    assert first == second
    for name, text in first.items():
        schema = json.loads(text)
        assert schema["$id"] == name
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert text.endswith("}\n")


def _shipped_yaml() -> list[tuple[Path, str]]:
    found = [(path, f"{path.stem}.schema.json") for path in sorted((REPO / "data").glob("*.yaml"))]
    playbooks = REPO / "playbooks"
    if playbooks.is_dir():
        found += [(path, "playbook.schema.json") for path in sorted(playbooks.glob("*.y*ml"))]
    return found


def test_data_files_are_all_known() -> None:
    assert {p.name for p, _ in _shipped_yaml() if p.parent.name == "data"} == {
        "contacts.yaml", "supplies.yaml", "calendar.yaml", "plan.yaml"}


@pytest.mark.parametrize(("path", "schema"), _shipped_yaml(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_shipped_yaml_names_its_schema(path: Path, schema: str) -> None:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == f"# yaml-language-server: $schema=../schemas/{schema}", (
        f"{path.relative_to(REPO)}: the first line must be "
        f"'# yaml-language-server: $schema=../schemas/{schema}'"
    )
