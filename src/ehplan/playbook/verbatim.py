"""The plan's own words: every plan-origin definition, body and script of a
playbook must appear in the plan's text (``data/plan.txt``, the customer's
document as extracted) character for character, punctuation and spacing aside.

Texts the authors wrote (help, composed scripts, definitions the plan does not
give) say ``origin: authors`` and are not checked; the screens and the report
label them as such (``ehplan.text.tagged``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from ehplan.playbook.models import ChecklistStep, LangText, Playbook, Text
from ehplan.yamlpos import PathKey, Positions, Problem

# The extraction glued page numbers into the text ("事件的2、應對能力") and kept
# the list markers ("1、 ", "(3) ", "(二)"); neither is part of a sentence.
_MARKERS = re.compile(r"\d+、|[(（](?:\d+|[一二三四五六七八九十]+)[)）]")


def normalise(text: str) -> str:
    """The text without list or page markers, punctuation, symbols' spacing or
    whitespace: what a verbatim comparison looks at. Characters are kept as
    written (由于 stays 由于: the plan's own characters are the point)."""
    text = _MARKERS.sub("", text)
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "C")))


def plan_origin(text: Text | None) -> bool:
    """Whether a text is the plan's (the default) rather than the authors'."""
    return text is not None and not (isinstance(text, LangText) and text.origin == "authors")


def checked_texts(playbook: Playbook) -> Iterator[tuple[PathKey, Text]]:
    """Every definition, body and script of the playbook, with its data path."""
    yield ("definition",), playbook.definition
    for i, step in enumerate(playbook.steps):
        for key in ("body", "script"):
            value = getattr(step, key, None)
            if value is not None:
                yield ("steps", i, key), value
        if isinstance(step, ChecklistStep):
            for j, item in enumerate(step.items):
                if item.script is not None:
                    yield ("steps", i, "items", j, "script"), item.script


def _zh_hant(text: Text) -> tuple[str | None, PathKey]:
    if isinstance(text, LangText):
        return text.zh_Hant, ("zh-Hant",)
    return text, ()


def verbatim_problems(texts: Iterable[tuple[PathKey, Text]], positions: Positions, plan: str) -> list[Problem]:
    """A problem at each plan-origin text whose zh-Hant is not in the plan."""
    haystack = normalise(plan)
    problems = []
    for loc, text in texts:
        if not plan_origin(text):
            continue
        words, sub = _zh_hant(text)
        if words is None or normalise(words) in haystack:
            continue
        agreed = first_difference(words, plan)
        where = f" after {agreed[-8:]!r}" if agreed else ""
        problems.append(positions.problem((*loc, *sub), f"not the plan's words{where}: quote the plan exactly "
                                          "(punctuation aside) or mark the text origin: authors"))
    return problems


def first_difference(words: str, plan: str) -> str:
    """The longest start of ``words`` that the plan has, for a reviewer's message."""
    target, haystack = normalise(words), normalise(plan)
    low, high = 0, len(target)
    while low < high:
        mid = (low + high + 1) // 2
        if target[:mid] in haystack:
            low = mid
        else:
            high = mid - 1
    return target[:low]
