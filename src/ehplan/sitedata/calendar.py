"""Workday or holiday? The rule behind S5.3.3's 15 vs 45 minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from ehplan.sitedata.models import CalendarFile

DayKind = Literal["workday", "holiday"]


@dataclass(frozen=True)
class DayRule:
    """Which kind a day is, and why (recorded in the log with the timer)."""

    kind: DayKind
    reason: str


def classify(calendar: CalendarFile | None, day: dt.date) -> DayRule:
    """Decide whether ``day`` is a workday or a holiday, saying which rule applied."""
    weekend = day.weekday() >= 5
    if calendar is None or day.year not in calendar.years:
        kind: DayKind = "holiday" if weekend else "workday"
        return DayRule(kind, f"{day} is outside the calendar's years: {'weekend' if weekend else 'weekday'}")
    if day in calendar.workdays:
        return DayRule("workday", f"{day} is a make-up working day")
    for holiday in calendar.holidays:
        if holiday.start <= day <= holiday.end:
            name = holiday.name if isinstance(holiday.name, str) else (holiday.name.en or holiday.name.zh_Hant or "")
            return DayRule("holiday", f"{day} is a public holiday ({name})")
    if weekend:
        return DayRule("holiday", f"{day} is a weekend day")
    return DayRule("workday", f"{day} is a weekday")


def is_daytime(calendar: CalendarFile | None, instant: dt.datetime) -> bool | None:
    """Whether ``instant`` falls in the site's daytime hours (local time); None when
    the calendar does not set them."""
    if calendar is None or calendar.daytime is None:
        return None
    local = instant.astimezone(calendar.zone).time()
    return calendar.daytime.start <= local < calendar.daytime.end
