"""Schemas of the site data files in ``data/``: contacts, supplies, calendar."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from ehplan.playbook.models import Id, Model, Source, Text


class Contact(Model):
    """A number to call: an external emergency line or an internal role."""

    id: Id
    """Referred to by playbooks' notify steps."""
    group: Literal["external", "internal"]
    """external: S8.2's 公用 (public) emergency and utility lines; internal: roles (S8.1)."""
    name: Text
    """The unit or role, with its Chinese title."""
    number: str = Field(default="", pattern=r"^[0-9 +\-()]*$")
    """The number to dial; empty for internal roles the site has not filled in."""
    site_fills_number: bool = True
    """False for a contact whose number comes from the caller (a customer's family)."""
    person: str = ""
    """S8.2's 聯系人 column: the person to ask for, when the site fills it in."""
    note: Text | None = None
    """S8.2's 備注 column: anything the caller should know."""
    source: Source
    """The plan section that names it."""


class ContactsFile(Model):
    """``data/contacts.yaml``."""

    schema_: str | None = Field(default=None, alias="$schema")
    """Optional JSON Schema pointer for editors."""
    contacts: list[Contact] = Field(min_length=1)
    """External numbers first, then internal roles."""


class Supply(Model):
    """One line of the service hall's standard supplies (S9)."""

    id: Id
    """Referred to by playbook steps that use it."""
    category: Literal["first_aid", "tools"]
    """S9.1 medicines and first aid, or S9.2 repair tools."""
    name: Text
    """The item."""
    spec: Text | None = None
    """Specification as in the plan (size, volume), repaired where extraction lost × or %."""
    unit: Text
    """The counting unit (包, 瓶, 把…)."""
    quantity: int = Field(ge=0)
    """How many a hall keeps."""
    remark: Text | None = None
    """The plan's remark, if any."""


class SuppliesFile(Model):
    """``data/supplies.yaml``."""

    schema_: str | None = Field(default=None, alias="$schema")
    """Optional JSON Schema pointer for editors."""
    supplies: list[Supply] = Field(min_length=1)
    """Every line of S9, first aid then tools."""


class Holiday(Model):
    """A public holiday: days off, inclusive."""

    name: Text
    """Its name."""
    start: dt.date
    """The first day off."""
    end: dt.date
    """The last day off."""

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class Daytime(Model):
    """The hours the site counts as daytime (白天), in the plan's local time."""

    start: dt.time
    """Daytime begins at this time (inclusive)."""
    end: dt.time
    """Daytime ends at this time (exclusive)."""

    @model_validator(mode="after")
    def _ordered(self) -> Daytime:
        if self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class CalendarFile(Model):
    """``data/calendar.yaml``: which days are workdays and which are holidays."""

    schema_: str | None = Field(default=None, alias="$schema")
    """Optional JSON Schema pointer for editors."""
    years: list[int] = Field(min_length=1)
    """The years this calendar lists; other years fall back to weekday/weekend."""
    source: str
    """Where the dates come from."""
    utc_offset: str = Field(default="+08:00", pattern=r"^[+-](0[0-9]|1[0-4]):[0-5][0-9]$")
    """The plan's local time: which date an instant falls on (China has no DST)."""
    holidays: list[Holiday] = Field(default_factory=list)
    """Days off."""
    workdays: list[dt.date] = Field(default_factory=list)
    """Make-up working days: weekend days that are workdays."""
    daytime: Daytime | None = None
    """Daytime hours (S7.1 「白天通知組別經理」): site data, since the plan does not define them."""

    def outside_years(self) -> list[tuple[tuple[str | int, ...], dt.date]]:
        """Listed days outside ``years`` (a holiday by its start), with their
        data path; the loader reports each at its own line."""
        found: list[tuple[tuple[str | int, ...], dt.date]] = []
        for i, holiday in enumerate(self.holidays):
            if holiday.start.year not in self.years:
                found.append((("holidays", i, "start"), holiday.start))
        for i, day in enumerate(self.workdays):
            if day.year not in self.years:
                found.append((("workdays", i), day))
        return found

    @property
    def zone(self) -> dt.timezone:
        """The plan's local time zone, from ``utc_offset``."""
        sign = 1 if self.utc_offset[0] == "+" else -1
        hours, minutes = int(self.utc_offset[1:3]), int(self.utc_offset[4:6])
        return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))

    def local_date(self, instant: dt.datetime) -> dt.date:
        """The calendar date of ``instant`` in the plan's local time, whatever the machine's zone."""
        return instant.astimezone(self.zone).date()


class PlanInfo(Model):
    """``data/plan.yaml``: the plan's S1 (總則) and S10 (附則), the library's metadata."""

    schema_: str | None = Field(default=None, alias="$schema")
    """Optional JSON Schema pointer for editors."""
    title: Text
    """The plan's title, as issued."""
    purpose: Text
    """S1: why the plan exists (verbatim)."""
    categories: Text
    """S1: the incident types it covers (verbatim)."""
    provisions: list[Text] = Field(min_length=1)
    """S10: in force from issue; interpreted by the customer-service department (verbatim)."""
