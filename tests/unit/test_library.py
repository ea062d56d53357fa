"""Loading playbooks and site data together; cross-file references."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ehplan.library import DATA_FILES, Library, load_data_file, load_library, playbook_files
from ehplan.playbook.loader import load_playbook
from ehplan.sitedata.models import CalendarFile, ContactsFile, SuppliesFile
from ehplan.yamlpos import LoadError

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
PLAYBOOKS = REPO / "tests" / "data" / "playbooks"
EXAMPLE = PLAYBOOKS / "example.yaml"


def messages(exc: pytest.ExceptionInfo[LoadError]) -> list[str]:
    return [p.message for p in exc.value.problems]


def test_load_playbook_hash_and_path() -> None:
    loaded = load_playbook(EXAMPLE, require_langs=True)
    import hashlib

    assert loaded.content_hash == "sha256:" + hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert loaded.path == EXAMPLE
    assert loaded.playbook.id == "example"
    assert loaded.positions.values[("id",)] == (4, 5)


def test_load_playbook_from_given_bytes() -> None:
    data = EXAMPLE.read_bytes().replace(b"version: 1", b"version: 2")
    loaded = load_playbook(Path("virtual.yaml"), data=data)
    assert loaded.playbook.version == 2
    assert loaded.positions.path == "virtual.yaml"


def test_library_loads_examples_and_data() -> None:
    library = load_library([PLAYBOOKS], DATA)
    assert sorted(library.playbooks) == ["example", "example_other"]
    assert library.playbook("example").id == "example"
    assert library.contact("police").number == "110"
    assert library.supply("plasters").quantity == 20
    assert isinstance(library.calendar, CalendarFile)
    with pytest.raises(KeyError):
        library.playbook("nope")
    with pytest.raises(KeyError):
        library.contact("nope")
    with pytest.raises(KeyError):
        library.supply("nope")


def test_empty_library_lookups() -> None:
    with pytest.raises(KeyError):
        Library().contact("police")
    with pytest.raises(KeyError):
        Library().supply("plasters")


def test_blank_internal_numbers_are_warnings() -> None:
    library = load_library([PLAYBOOKS], DATA)
    assert all(w.severity == "warning" for w in library.warnings)
    ids = [w.message.split(":")[0] for w in library.warnings]
    contacts = library.contacts
    assert contacts is not None
    blank = [c.id for c in contacts.contacts if not c.number and c.site_fills_number]
    assert ids == blank and len(blank) == 29
    assert "customer_family" not in ids  # its number comes from the caller
    assert str(library.warnings[0]).startswith(f"{DATA / 'contacts.yaml'}:14:5: warning: store_manager: ")


def test_without_data_no_cross_checks() -> None:
    library = load_library([PLAYBOOKS], None)
    assert library.contacts is None and library.warnings == []


def test_goto_resolves_against_references(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "example.yaml")
    with pytest.raises(LoadError) as info:
        load_library([tmp_path / "example.yaml"], DATA)
    assert messages(info) == ["playbook 'example_other' does not exist"]
    library = load_library([tmp_path / "example.yaml"], DATA, references=[PLAYBOOKS])
    assert list(library.playbooks) == ["example"]


def test_broken_reference_playbooks_are_ignored(tmp_path: Path) -> None:
    refs = tmp_path / "refs"
    refs.mkdir()
    (refs / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    shutil.copy(PLAYBOOKS / "example_other.yaml", refs)
    library = load_library([EXAMPLE], DATA, references=[refs, tmp_path / "missing_dir"])
    assert list(library.playbooks) == ["example"]


def test_goto_step_must_exist_in_target(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "    playbook: example_other\n", "    playbook: example_other\n    step: nowhere\n")
    (tmp_path / "example.yaml").write_text(text, encoding="utf-8")
    shutil.copy(PLAYBOOKS / "example_other.yaml", tmp_path)
    with pytest.raises(LoadError) as info:
        load_library([tmp_path], DATA)
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'example.yaml'}:69:11: step 'nowhere' does not exist in playbook 'example_other'"
    ]


def test_duplicate_emergency_key(tmp_path: Path) -> None:
    for name in ("example.yaml", "example_other.yaml"):
        text = (PLAYBOOKS / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("\nsource: S", "\nemergency_key: f5\nsource: S", 1),
                                     encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_library([tmp_path], DATA)
    assert messages(info) == ["key 'f5' is also used by example"]


def test_unknown_contacts_everywhere(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("roles: [line_head]", "roles: [ghost_role]")
    text = text.replace("  - contact: it_centre", "  - contact: ghost_end")
    text = text.replace("until: [{contact: it_centre}]", "until: [{contact: ghost_timer}]")
    text = text.replace("notify: [police]", "notify: [ghost_notify]")
    (tmp_path / "example.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_library([tmp_path / "example.yaml"], DATA, references=[PLAYBOOKS])
    assert sorted(messages(info)) == sorted(f"contact {c!r} does not exist"
                                            for c in ["ghost_role", "ghost_end", "ghost_timer", "ghost_notify"])


def test_missing_data_files(tmp_path: Path) -> None:
    shutil.copy(DATA / "contacts.yaml", tmp_path)
    with pytest.raises(LoadError) as info:
        load_library([], tmp_path)
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'calendar.yaml'}:1:1: missing data file",
        f"{tmp_path / 'supplies.yaml'}:1:1: missing data file",
    ]


def test_playbook_files(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml", "c.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text("x", encoding="utf-8")
    assert playbook_files([tmp_path, Path("x.yaml")]) == [tmp_path / "a.yml", tmp_path / "b.yaml", Path("x.yaml")]


# --- data files ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "model"), list(DATA_FILES.items()))
def test_shipped_data_files_load(name: str, model: type) -> None:
    loaded, positions = load_data_file(DATA / name, model)
    assert isinstance(loaded, model)
    assert positions.path == str(DATA / name)


def test_data_file_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "contacts.yaml"
    path.write_text("- a\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_data_file(path, ContactsFile)
    assert [str(p) for p in info.value.problems] == [f"{path}:1:1: a data file is a mapping of keys"]


def test_duplicate_contact_and_supply_ids(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text(
        "contacts:\n"
        "  - {id: police, group: external, number: '110', source: S8.2, name: {zh-Hant: 公安局, en: Police}}\n"
        "  - {id: police, group: external, number: '110', source: S8.2, name: {zh-Hant: 公安局, en: Police}}\n",
        encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_data_file(contacts, ContactsFile)
    assert [str(p) for p in info.value.problems] == [f"{contacts}:3:10: duplicate id 'police'"]
    supplies = tmp_path / "supplies.yaml"
    line = "  - {id: tape, category: tools, name: {zh-Hant: 膠布, en: Tape}, unit: {zh-Hant: 卷, en: roll}, "
    line += "quantity: 1}\n"
    supplies.write_text("supplies:\n" + line + line, encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_data_file(supplies, SuppliesFile)
    assert [str(p) for p in info.value.problems] == [f"{supplies}:3:10: duplicate id 'tape'"]


def test_data_languages_optional(tmp_path: Path) -> None:
    path = tmp_path / "contacts.yaml"
    path.write_text("contacts:\n  - {id: police, group: external, number: '110', source: S8.2, name: 公安局}\n",
                    encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_data_file(path, ContactsFile)
    assert messages(info) == ["Chinese text without an English version: write {zh-Hant: …, en: …}"]
    loaded, _ = load_data_file(path, ContactsFile, require_langs=False)
    assert loaded.contacts[0].name == "公安局"


def test_person_may_be_chinese(tmp_path: Path) -> None:
    path = tmp_path / "contacts.yaml"
    path.write_text("contacts:\n  - {id: store_manager, group: internal, number: '123', person: 王小明, "
                    "source: S8.1, name: {zh-Hant: 店長, en: Store manager}}\n", encoding="utf-8")
    loaded, _ = load_data_file(path, ContactsFile)
    assert loaded.contacts[0].person == "王小明"


def test_library_reports_data_and_playbook_problems_together(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    contacts = data / "contacts.yaml"
    contacts.write_text(contacts.read_text(encoding="utf-8").replace('number: "119"', 'number: "11g"'),
                        encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("version: 1", "version: 0"), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_library([bad], data, references=[PLAYBOOKS])
    assert [str(p) for p in info.value.problems] == [
        f"{bad}:5:10: must be at least 1, not 0",
        f"{contacts}:8:41: '11g' is not a phone number: digits, spaces, +, - and ( ) only",
    ]


def test_data_names_limit_the_data_files(tmp_path: Path) -> None:
    shutil.copy(DATA / "contacts.yaml", tmp_path)
    library = load_library([], tmp_path, data_names=["contacts.yaml"])
    assert library.contacts is not None and library.supplies is None and library.calendar is None
    assert len(library.warnings) == 29
