"""Safe YAML with positions and the pydantic error → position mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from ehplan.playbook.loader import load_playbook
from ehplan.playbook.models import LangText, Model, Playbook, Text
from ehplan.yamlpos import (
    MAX_DEPTH,
    LoadError,
    Positions,
    Problem,
    load_yaml,
    validate_model,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "playbooks" / "example.yaml"


def load(text: str) -> tuple[object, Positions]:
    return load_yaml(Path("t.yaml"), text.encode("utf-8"))


def problems(text: str) -> list[str]:
    with pytest.raises(LoadError) as info:
        load(text)
    return [str(p) for p in info.value.problems]


# --- scalars ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("no", "no"), ("off", "off"), ("yes", "yes"), ("on", "on"), ("y", "y"), ("NO", "NO"),
        ("true", True), ("False", False), ("TRUE", True),
        ("42", 42), ("-7", -7), ("+3", 3), ("007", 7),
        ("1.5", "1.5"), ("1e3", "1e3"), (".inf", ".inf"), ("0x1A", "0x1A"),
        ("~", None), ("null", None), ("", None),
        ("2026-01-01", "2026-01-01"), ("15m", "15m"),
        ('"42"', "42"), ("'true'", "true"), ('"no"', "no"), ('""', ""),
    ],
)
def test_scalars_follow_yaml_core_schema(source: str, expected: object) -> None:
    value, _ = load(f"v: {source}\n")
    assert value == {"v": expected}
    assert type(value["v"]) is type(expected)  # type: ignore[index]


def test_block_scalars_are_strings() -> None:
    value, _ = load("a: |\n  42\nb: >\n  yes\n")
    assert value == {"a": "42\n", "b": "yes\n"}


def test_utf8_bom_is_accepted() -> None:
    value, _ = load_yaml(Path("t.yaml"), "\ufeffa: 1\n".encode())
    assert value == {"a": 1}


# --- positions ----------------------------------------------------------------


def test_positions_of_values_and_keys() -> None:
    value, pos = load("top:\n  list:\n    - a\n    - {k: v}\n")
    assert value == {"top": {"list": ["a", {"k": "v"}]}}
    assert pos.values[()] == (1, 1)
    assert pos.keys[("top",)] == (1, 1)
    assert pos.values[("top",)] == (2, 3)
    assert pos.keys[("top", "list")] == (2, 3)
    assert pos.values[("top", "list", 0)] == (3, 7)
    assert pos.values[("top", "list", 1)] == (4, 7)
    assert pos.keys[("top", "list", 1, "k")] == (4, 8)
    assert pos.values[("top", "list", 1, "k")] == (4, 11)


def test_position_falls_back_to_nearest_ancestor() -> None:
    _, pos = load("a:\n  b: 1\n")
    assert pos.at(("a", "b", "missing", 3)) == (2, 6)
    assert pos.at(("nothing",)) == (1, 1)
    assert pos.at(("a", "b"), key=True) == (2, 3)
    assert pos.at(("a", "zz"), key=True) == (1, 1)  # not recorded: the parent key


def test_positions_count_characters_not_bytes() -> None:
    _, pos = load("t: {zh-Hant: 開始, en: Start}\n")
    assert pos.values[("t", "en")] == (1, 22)


def test_problem_str_and_order() -> None:
    warning = Problem("f.yaml", 3, 4, "blank", "warning")
    error = Problem("f.yaml", 2, 9, "bad")
    assert str(warning) == "f.yaml:3:4: warning: blank"
    assert str(error) == "f.yaml:2:9: bad"
    exc = LoadError([warning, error])
    assert exc.problems == [error, warning]
    assert str(exc) == "f.yaml:2:9: bad\nf.yaml:3:4: warning: blank"


# --- refusals -----------------------------------------------------------------


def test_every_duplicate_key_is_reported() -> None:
    assert problems("a: 1\nb: 2\na: 3\nb: 4\n") == [
        "t.yaml:3:1: duplicate key 'a'",
        "t.yaml:4:1: duplicate key 'b'",
    ]


def test_merge_keys_are_refused() -> None:
    assert problems("base: &b {x: 1}\nother:\n  <<: *b\n") == [
        "t.yaml:3:3: merge keys (<<) are not supported: write the values out"
    ]


def test_non_scalar_key_is_refused() -> None:
    assert problems("? [a, b]\n: c\n") == ["t.yaml:1:3: a key must be a plain string"]


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.system", "!!python/name:os.system", "!custom", "!!binary", "!!set", "!!omap"],
)
def test_tags_that_construct_objects_are_refused(tag: str) -> None:
    (line,) = problems(f"a: {tag} x\n")
    assert line.startswith("t.yaml:1:4: tag ")
    assert "is not allowed" in line


def test_standard_tags_are_fine() -> None:
    value, _ = load("a: !!str 12\nb: !!int 3\nc: !!map {x: 1}\nd: !!str no\ne: 09\nf: !!str true\n")
    assert value == {"a": "12", "b": 3, "c": {"x": 1}, "d": "no", "e": 9, "f": "true"}


def test_nesting_limit() -> None:
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    (line,) = problems(f"a: {deep}\n")
    assert f"nested deeper than {MAX_DEPTH} levels" in line


def test_absurd_nesting_is_a_problem_not_a_recursion_error() -> None:
    deep = "[" * 20000 + "]" * 20000
    (line,) = problems(deep)
    assert "nested deeper" in line or "YAML syntax" in line


def test_recursive_alias() -> None:
    assert problems("a: &x [1, *x]\n") == [
        "t.yaml:1:4: recursive alias: an anchored value cannot contain its own alias"
    ]


def test_shared_alias_is_fine() -> None:
    value, _ = load("a: &x [1, 2]\nb: *x\nc: *x\n")
    assert value == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_control_character_is_one_positioned_line() -> None:
    assert problems("a: b\nc: d\x01\n") == ["t.yaml:2:5: character U+0001 is not allowed in YAML"]


def test_syntax_error_names_the_unclosed_construct() -> None:
    assert problems("a: [1, 2\nb: 3\n") == [
        "t.yaml:2:2: YAML syntax: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that starts at line 1, column 4)"
    ]


def test_tab_indentation() -> None:
    assert problems("a:\n\tb: 1\n") == ["t.yaml:2:1: YAML syntax: a tab character here: indent with spaces, never tabs"]


def test_not_utf8_column_counts_characters() -> None:
    with pytest.raises(LoadError) as info:
        load_yaml(Path("t.yaml"), "a: 開始 ".encode() + b"\xff\n")
    assert [str(p) for p in info.value.problems] == [
        "t.yaml:1:7: not valid UTF-8 (byte 0xff): save the file as UTF-8"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_documents(text: str) -> None:
    assert problems(text) == ["t.yaml:1:1: the file is empty"]


def test_multiple_documents_are_refused() -> None:
    (line,) = problems("a: 1\n---\nb: 2\n")
    assert "YAML syntax" in line


def test_reads_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert load_yaml(path)[0] == {"a": 1}
    with pytest.raises(LoadError) as info:
        load_yaml(tmp_path / "missing.yaml")
    assert info.value.problems[0].message.startswith("cannot read")


# --- pydantic → problems ------------------------------------------------------


class Inner(Model):
    name: Text
    count: int = 0


class Outer(Model):
    inner: Inner
    items: list[Inner] = []


def vproblems(text: str, model: type[BaseModel] = Outer) -> list[str]:
    value, pos = load(text)
    with pytest.raises(LoadError) as info:
        validate_model(model, value, pos)
    return [str(p) for p in info.value.problems]


def test_validate_model_returns_the_model() -> None:
    value, pos = load("inner: {name: x}\n")
    assert validate_model(Outer, value, pos) == Outer(inner=Inner(name="x"))


def test_unknown_key_is_placed_at_the_key() -> None:
    assert vproblems("inner:\n  name: x\n  colour: red\n") == ["t.yaml:3:3: unknown key 'colour'"]


def test_missing_key_is_placed_at_the_mapping() -> None:
    assert vproblems("inner:\n  count: 1\n") == ["t.yaml:2:3: missing required key 'name'"]


def test_text_type_mismatch_is_one_summary() -> None:
    assert vproblems("inner:\n  name: 5\n") == [
        "t.yaml:2:9: expected a text: a string or a map of zh-Hant, zh-Hans, en"
    ]


def test_text_with_unknown_language_points_at_the_language() -> None:
    assert vproblems("inner:\n  name: {zh-Hant: 好, fr: bien}\n") == ["t.yaml:2:22: unknown key 'fr'"]


def test_empty_text_map() -> None:
    assert vproblems("inner:\n  name: {}\n") == ["t.yaml:2:9: a text needs at least one of zh-Hant, zh-Hans, en"]


def test_every_problem_of_a_list_at_once() -> None:
    text = "inner: {name: a}\nitems:\n  - {name: b, count: x}\n  - {count: 2}\n  - {name: c, extra: 1}\n"
    assert vproblems(text) == [
        "t.yaml:3:22: input should be a valid integer, unable to parse string as an integer",
        "t.yaml:4:5: missing required key 'name'",
        "t.yaml:5:15: unknown key 'extra'",
    ]


def test_bounds_are_worded_for_authors() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("version: 1", "version: 0")
    value, pos = load(text)
    with pytest.raises(LoadError) as info:
        validate_model(Playbook, value, pos)
    assert [p.message for p in info.value.problems] == ["must be at least 1, not 0"]


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (("source: S5\n", "source: section5\n"), "'section5' is not a plan section: write it like S5.3.6"),
        (("entry: greet", "entry: Greet"),
         "'Greet' is not an id: lowercase letters, digits and _, starting with a letter"),
        (("{item: checks.divert}", "{item: divert}"),
         "'divert' is not a reference: write step_id.item_id (or step_id.choice_id)"),
        (("category: system_failure", "category: fire"),
         "input should be 'agitated', 'personal_safety', 'property_loss', 'system_failure', 'other' "
         "or 'emergency_call'"),
        (("source: S5\n", "source: S5\nemergency_key: f13\n"), "'f13' is not a function key: write f1 … f12"),
    ],
)
def test_pattern_messages(replace: tuple[str, str], message: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert replace[0] in text
    value, pos = load(text.replace(replace[0], replace[1], 1))
    with pytest.raises(LoadError) as info:
        validate_model(Playbook, value, pos)
    assert [p.message for p in info.value.problems] == [message]


def test_no_off_yes_stay_strings_in_a_valid_playbook(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("en: Cleared}", "en: yes}").replace("en: Not cleared}", "en: no}")
    text = text.replace("keywords: [{zh-Hant: 示例, en: example}, test]",
                        "keywords: [off, on, yes, no, {zh-Hant: 否, en: no}]")
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_playbook(path, require_langs=True)
    fixed = loaded.playbook.step("fixed")
    labels = [c.label for c in fixed.choices]  # type: ignore[attr-defined]
    assert [label.en for label in labels] == ["yes", "no"]
    assert loaded.playbook.keywords[:4] == ["off", "on", "yes", "no"]
    assert loaded.playbook.keywords[4] == LangText(**{"zh-Hant": "否", "en": "no"})


def test_libyaml_and_pure_python_parsers_place_every_node_alike():
    """load_yaml composes with libyaml when available; its marks must equal the
    pure-Python parser's on every shipped file (CJK text included)."""
    import yaml as _yaml

    from ehplan import resources

    if not hasattr(_yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")

    def marks(node, out):
        out.append((type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column,
                    node.end_mark.line, node.end_mark.column, getattr(node, "style", None) or None))
        if isinstance(node, _yaml.MappingNode):
            for key, value in node.value:
                marks(key, out)
                marks(value, out)
        elif isinstance(node, _yaml.SequenceNode):
            for item in node.value:
                marks(item, out)
        return out

    files = [*resources.playbooks_dir().glob("*.yaml"), *resources.data_dir().glob("*.yaml")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = marks(_yaml.compose(text, Loader=_yaml.CSafeLoader), [])
        slow = marks(_yaml.compose(text, Loader=_yaml.SafeLoader), [])
        assert fast == slow, path
