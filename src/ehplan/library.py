"""The whole set a run needs: every playbook plus the site data, loaded and
checked together so that cross-file references (goto, contacts, supplies)
resolve before anything starts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ehplan.playbook.checks import check_languages, referenced_contacts
from ehplan.playbook.loader import LoadedPlaybook, load_playbook
from ehplan.playbook.models import GotoStep, Playbook
from ehplan.playbook.verbatim import checked_texts, verbatim_problems
from ehplan.sitedata.models import CalendarFile, Contact, ContactsFile, PlanInfo, SuppliesFile, Supply
from ehplan.yamlpos import LoadError, Positions, Problem, load_yaml, validate_model

M = TypeVar("M", bound=BaseModel)

DATA_FILES: dict[str, type[BaseModel]] = {
    "contacts.yaml": ContactsFile,
    "supplies.yaml": SuppliesFile,
    "calendar.yaml": CalendarFile,
}
PLAN_FILE = "plan.txt"
"""The plan as the customer issued it (extracted text), in the data folder."""
PLAN_INFO_FILE = "plan.yaml"
"""The plan's S1 and S10: its title, purpose, categories and provisions."""


@dataclass
class Library:
    """Playbooks by id and the site data, all valid together."""

    playbooks: dict[str, LoadedPlaybook] = field(default_factory=dict)
    contacts: ContactsFile | None = None
    supplies: SuppliesFile | None = None
    calendar: CalendarFile | None = None
    plan: str | None = None
    """The plan's own text (``data/plan.txt``), which plan-origin texts must quote."""
    plan_info: PlanInfo | None = None
    """The plan's title, purpose and provisions (``data/plan.yaml``)."""
    warnings: list[Problem] = field(default_factory=list)

    def set_hash(self) -> str:
        """One hash for the whole playbook set: sha256 over every playbook's id and
        content hash, in id order (what an auditor compares between desks)."""
        lines = "".join(f"{pid} {self.playbooks[pid].content_hash}\n" for pid in sorted(self.playbooks))
        return "sha256:" + hashlib.sha256(lines.encode()).hexdigest()

    def playbook(self, playbook_id: str) -> Playbook:
        """The playbook with this id (KeyError if none)."""
        return self.playbooks[playbook_id].playbook

    def contact(self, contact_id: str) -> Contact:
        """The contact with this id (KeyError if none)."""
        for contact in self.contacts.contacts if self.contacts else []:
            if contact.id == contact_id:
                return contact
        raise KeyError(contact_id)

    def supply(self, supply_id: str) -> Supply:
        """The supply line with this id (KeyError if none)."""
        for supply in self.supplies.supplies if self.supplies else []:
            if supply.id == supply_id:
                return supply
        raise KeyError(supply_id)


def load_data_file(path: Path, model: type[M], *, require_langs: bool = True) -> tuple[M, Positions]:
    """Load one site data file, or raise `LoadError`."""
    value, positions = load_yaml(path)
    if not isinstance(value, dict):
        raise LoadError([positions.problem((), "a data file is a mapping of keys")])
    loaded = validate_model(model, value, positions)
    problems = _data_checks(loaded, positions)
    if require_langs:
        problems += check_languages(loaded, positions)
    if problems:
        raise LoadError(problems)
    return loaded, positions


def _data_checks(loaded: BaseModel, positions: Positions) -> list[Problem]:
    problems: list[Problem] = []
    items: list[Any] = []
    key = ""
    if isinstance(loaded, ContactsFile):
        items, key = loaded.contacts, "contacts"
    elif isinstance(loaded, SuppliesFile):
        items, key = loaded.supplies, "supplies"
    if isinstance(loaded, CalendarFile):
        years = ", ".join(str(y) for y in loaded.years)
        for loc, day in loaded.outside_years():
            problems.append(positions.problem(loc, f"{day} is outside the calendar's years ({years}): "
                                              "add its year to years or remove it"))
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            problems.append(positions.problem((key, i, "id"), f"duplicate id {item.id!r}"))
        seen.add(item.id)
    return problems


def playbook_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, or found directly inside the directories named.

    A name ending in .yaml is a file, whatever it is on disk: a directory so
    named is refused when it is read, never searched as a folder of playbooks.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and path.suffix not in (".yaml", ".yml"):
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found


def load_library(
    playbook_paths: Iterable[Path], data: Path | None, *, require_langs: bool = True,
    references: Iterable[Path] = (), data_names: Iterable[str] | None = None,
) -> Library:
    """Load every playbook and data file; raise `LoadError` with every problem
    of every file, or return the library with its warnings.

    Playbooks under ``references`` are loaded only so that ``goto`` can name
    them; their own problems are not reported here. ``data_names`` limits the
    data files loaded (default: all of `DATA_FILES`).
    """
    library = Library()
    given = {p.resolve() for p in playbook_files(playbook_paths)}
    known: dict[str, LoadedPlaybook] = {}
    for path in playbook_files(references):
        if path.resolve() in given:
            continue
        try:
            reference = load_playbook(path, require_langs=False)
        except LoadError:
            continue
        known.setdefault(reference.playbook.id, reference)
    problems: list[Problem] = []
    positions: dict[str, Positions] = {}
    if data is not None:
        wanted = set(DATA_FILES if data_names is None else data_names)
        for name, model in DATA_FILES.items():
            if name not in wanted:
                continue
            path = data / name
            if not path.exists():
                problems.append(Problem(str(path), 1, 1, "missing data file"))
                continue
            try:
                loaded, where = load_data_file(path, model, require_langs=require_langs)
            except LoadError as exc:
                problems.extend(exc.problems)
                continue
            setattr(library, name.removesuffix(".yaml"), loaded)
            positions[name] = where
        plan_path = data / PLAN_FILE
        if data_names is None and plan_path.exists():
            try:
                library.plan = plan_path.read_text(encoding="utf-8")
            except (OSError, UnicodeError) as exc:
                problems.append(Problem(str(plan_path), 1, 1, f"cannot read the plan's text: {exc}"))
        elif data_names is None:
            library.warnings.append(Problem(str(plan_path), 1, 1, "no plan text: the playbooks' plan-origin "
                                            "texts are not checked against the plan", severity="warning"))
        info_path = data / PLAN_INFO_FILE
        if data_names is None and info_path.exists():
            try:
                library.plan_info, where = load_data_file(info_path, PlanInfo, require_langs=require_langs)
                if library.plan is not None:
                    info = library.plan_info
                    texts = [(("purpose",), info.purpose), (("categories",), info.categories),
                             *((("provisions", i), text) for i, text in enumerate(info.provisions))]
                    problems += verbatim_problems(texts, where, library.plan)
            except LoadError as exc:
                problems.extend(exc.problems)
        if library.plan is not None and library.supplies is not None:
            names = ((("supplies", i, "name"), s.name) for i, s in enumerate(library.supplies.supplies))
            problems += verbatim_problems(names, positions["supplies.yaml"], library.plan)
    for path in playbook_files(playbook_paths):
        try:
            loaded_pb = load_playbook(path, require_langs=require_langs)
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        pid = loaded_pb.playbook.id
        if pid in library.playbooks:
            first = library.playbooks[pid].path
            problems.append(loaded_pb.positions.problem(("id",), f"playbook id {pid!r} is also used by {first}"))
            continue
        library.playbooks[pid] = loaded_pb
    problems += _cross_checks(library, data is not None, known)
    if library.contacts is not None and "contacts.yaml" in positions:
        where = positions["contacts.yaml"]
        for i, contact in enumerate(library.contacts.contacts):
            if not contact.number and contact.site_fills_number:
                library.warnings.append(
                    where.problem(("contacts", i), f"{contact.id}: the site must fill in the number of "
                                  f"{_title(contact)}", severity="warning")
                )
    if problems:
        raise LoadError(problems)
    return library


def _title(contact: Contact) -> str:
    name = contact.name
    if isinstance(name, str):
        return name
    return " / ".join(t for t in (name.zh_Hant, name.en) if t)


def _cross_checks(library: Library, check_data: bool,
                  known: dict[str, LoadedPlaybook]) -> list[Problem]:
    problems: list[Problem] = []
    contact_ids = {c.id for c in library.contacts.contacts} if library.contacts else set()
    supply_ids = {s.id for s in library.supplies.supplies} if library.supplies else set()
    keys: dict[str, str] = {}
    for pid, loaded in library.playbooks.items():
        pb, where = loaded.playbook, loaded.positions
        if pb.emergency_key is not None:
            if pb.emergency_key in keys:
                problems.append(where.problem(("emergency_key",),
                                              f"key {pb.emergency_key!r} is also used by {keys[pb.emergency_key]}"))
            keys[pb.emergency_key] = pid
        for i, step in enumerate(pb.steps):
            if isinstance(step, GotoStep):
                target = library.playbooks.get(step.playbook) or known.get(step.playbook)
                if target is None:
                    problems.append(where.problem(("steps", i, "playbook"),
                                                  f"playbook {step.playbook!r} does not exist"))
                elif step.step is not None and step.step not in target.playbook.step_index:
                    problems.append(where.problem(("steps", i, "step"),
                                                  f"step {step.step!r} does not exist in playbook {step.playbook!r}"))
            if check_data:
                for j, supply in enumerate(step.supplies):
                    if supply not in supply_ids:
                        problems.append(where.problem(("steps", i, "supplies", j), f"supply {supply!r} does not exist"))
        if library.plan is not None:
            problems += verbatim_problems(checked_texts(pb), where, library.plan)
        if check_data:
            for contact, loc in referenced_contacts(pb):
                if contact not in contact_ids:
                    problems.append(where.problem(loc, f"contact {contact!r} does not exist"))
    return problems
