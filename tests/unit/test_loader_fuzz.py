"""Whatever bytes a file holds, the loaders return a model or raise `LoadError`
with positioned one-line problems; never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ehplan.library import DATA_FILES, load_data_file
from ehplan.playbook.loader import LoadedPlaybook, load_playbook
from ehplan.yamlpos import LoadError

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "playbooks" / "example.yaml"
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])


def check_problems(exc: LoadError) -> None:
    assert exc.problems
    for problem in exc.problems:
        assert problem.line >= 1 and problem.col >= 1
        assert problem.message and "\n" not in problem.message and "\r" not in problem.message
        assert "\n" not in str(problem)


def try_playbook(data: bytes) -> None:
    try:
        loaded = load_playbook(Path("fuzz.yaml"), data=data)
    except LoadError as exc:
        check_problems(exc)
    else:
        assert isinstance(loaded, LoadedPlaybook)


def try_data_files(tmp_path: Path, data: bytes) -> None:
    for name, model in DATA_FILES.items():
        path = tmp_path / name
        path.write_bytes(data)
        try:
            loaded, _ = load_data_file(path, model)
        except LoadError as exc:
            check_problems(exc)
        else:
            assert isinstance(loaded, model)


# --- a small grammar of YAML-ish text ------------------------------------------------

KEYS = st.sampled_from(["id", "kind", "title", "steps", "next", "source", "en", "zh-Hant", "version", "entry",
                        "timers", "duration", "contacts", "supplies", "years", "holidays", "number", "<<", "in",
                        "when", "field", "- x", "? k", "a b", "", "'q'", "\"d\"", "é", "鍵"])
SCALARS = st.one_of(
    st.sampled_from(["", "~", "null", "yes", "no", "off", "on", "true", "False", "0", "-1", "007", "1.5", "1e9",
                     ".nan", "0x1F", "15m", "0m", "1.5h", "S5.3.6", "2026-02-30", "2026-01-01", "action",
                     "end", "'quoted'", '"dq\\u202e"', '"\\x1b[31m"', "|", ">", "&a x", "*a", "*undefined",
                     "!!python/object/apply:os.system [ls]", "!!str 12", "!!binary aGk=", "!custom x",
                     "[", "]", "{", "}", ",", ":", "#c", "\t", "開始", "\u202e", "\x85", "\x9b", "%YAML 1.2",
                     "---", "...", "@", "`"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
)


def _indent(text: str, n: int) -> str:
    return "\n".join(" " * n + line for line in text.split("\n"))


def yamlish() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        block_map = st.lists(st.tuples(KEYS, inner), min_size=1, max_size=4).map(
            lambda pairs: "\n".join(f"{k}:\n{_indent(v, 2)}" for k, v in pairs))
        block_seq = st.lists(inner, min_size=1, max_size=4).map(
            lambda items: "\n".join(f"-\n{_indent(v, 2)}" for v in items))
        flow_map = st.lists(st.tuples(KEYS, SCALARS), max_size=4).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}")
        flow_seq = st.lists(SCALARS, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
        anchored = st.tuples(st.sampled_from(["a", "b"]), inner).map(lambda p: f"&{p[0]}\n{p[1]}")
        tagged = st.tuples(st.sampled_from(["!!map", "!!seq", "!!str", "!!python/dict", "!t"]), inner).map(
            lambda p: f"{p[0]}\n{p[1]}")
        return st.one_of(block_map, block_seq, flow_map, flow_seq, anchored, tagged)

    return st.recursive(SCALARS, extend, max_leaves=12)


def mutate(base: str) -> st.SearchStrategy[str]:
    """The example playbook with one line replaced, dropped, duplicated or re-indented."""
    lines = base.split("\n")

    @st.composite
    def build(draw: st.DrawFn) -> str:
        out = list(lines)
        for _ in range(draw(st.integers(1, 3))):
            i = draw(st.integers(0, len(out) - 1))
            action = draw(st.sampled_from(["replace_value", "drop", "dup", "indent", "dedent", "insert"]))
            line = out[i]
            if action == "replace_value" and ": " in line:
                out[i] = line.split(": ", 1)[0] + ": " + draw(SCALARS)
            elif action == "drop":
                del out[i]
                if not out:
                    out = [""]
            elif action == "dup":
                out.insert(i, line)
            elif action == "indent":
                out[i] = "  " + line
            elif action == "dedent":
                out[i] = line[2:]
            else:
                out.insert(i, draw(yamlish()))
        return "\n".join(out)

    return build()


# --- the properties -------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=600))
def test_arbitrary_bytes_playbook(data: bytes) -> None:
    try_playbook(data)


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_data_files(tmp_path: Path, data: bytes) -> None:
    try_data_files(tmp_path, data)


@SETTINGS
@given(yamlish())
def test_yamlish_playbook(text: str) -> None:
    try_playbook(text.encode("utf-8", errors="surrogatepass"))


@SETTINGS
@given(yamlish())
def test_yamlish_data_files(tmp_path: Path, text: str) -> None:
    try_data_files(tmp_path, text.encode("utf-8", errors="surrogatepass"))


@SETTINGS
@given(mutate(EXAMPLE.read_text(encoding="utf-8")))
def test_mutated_example(text: str) -> None:
    try_playbook(text.encode("utf-8"))


@SETTINGS
@given(st.sampled_from(sorted(DATA_FILES)), st.data())
def test_mutated_data_files(tmp_path: Path, name: str, data: st.DataObject) -> None:
    base = (Path(__file__).resolve().parents[2] / "data" / name).read_text(encoding="utf-8")
    text = data.draw(mutate(base))
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    try:
        load_data_file(path, DATA_FILES[name])
    except LoadError as exc:
        check_problems(exc)
