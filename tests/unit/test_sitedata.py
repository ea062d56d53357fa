"""Site data: the shipped contacts, supplies and calendar, and the workday rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ehplan.library import load_data_file
from ehplan.sitedata.calendar import classify
from ehplan.sitedata.models import CalendarFile, Contact, ContactsFile, Holiday, SuppliesFile, Supply
from ehplan.text import pick

DATA = Path(__file__).resolve().parents[2] / "data"
T = {"zh-Hant": "名", "en": "Name"}


@pytest.fixture(scope="module")
def contacts() -> ContactsFile:
    return load_data_file(DATA / "contacts.yaml", ContactsFile)[0]


@pytest.fixture(scope="module")
def supplies() -> SuppliesFile:
    return load_data_file(DATA / "supplies.yaml", SuppliesFile)[0]


@pytest.fixture(scope="module")
def calendar() -> CalendarFile:
    return load_data_file(DATA / "calendar.yaml", CalendarFile)[0]


# --- contacts -----------------------------------------------------------------


def test_external_numbers_exactly(contacts: ContactsFile) -> None:
    external = {c.id: c.number for c in contacts.contacts if c.group == "external"}
    assert external == {"police": "110", "fire": "119", "ambulance": "120", "traffic_police": "122",
                        "power_repair": "22222398", "water_repair": "22222878"}
    assert [c.group for c in contacts.contacts[:6]] == ["external"] * 6


def test_internal_roles_blank_and_cited(contacts: ContactsFile) -> None:
    internal = [c for c in contacts.contacts if c.group == "internal"]
    assert internal and all(c.number == "" and c.source == "S8.1" for c in internal)
    assert [c.id for c in internal if not c.site_fills_number] == ["customer_family"]
    assert pick(contacts.contacts[0].name.as_map(), "en") == "Police"  # type: ignore[union-attr]


def test_contact_model() -> None:
    base = {"id": "x", "group": "internal", "name": T, "source": "S8.1"}
    contact = Contact.model_validate(base)
    assert (contact.number, contact.site_fills_number, contact.person, contact.note) == ("", True, "", None)
    for number in ("110", "+86 20-1234 5678", "(020) 123"):
        assert Contact.model_validate({**base, "number": number}).number == number
    for bad in ({"number": "11O"}, {"number": "110;rm"}, {"number": 110}, {"group": "outside"},
                {"source": "8.1"}, {"id": "X"}, {"fax": "1"}):
        with pytest.raises(ValidationError):
            Contact.model_validate({**base, **bad})
    with pytest.raises(ValidationError):
        ContactsFile.model_validate({"contacts": []})


# --- supplies -----------------------------------------------------------------


def test_supplies_lines(supplies: SuppliesFile) -> None:
    assert len(supplies.supplies) == 34
    categories = [s.category for s in supplies.supplies]
    assert categories.count("first_aid") == 24 and categories.count("tools") == 10
    assert categories == ["first_aid"] * 24 + ["tools"] * 10
    assert len({s.id for s in supplies.supplies}) == 34


@pytest.mark.parametrize(("supply_id", "spec"), [("gauze_pads", "34×40cm"), ("plasters", "70×18mm"),
                                                 ("breathable_tape", "1.2×900cm"), ("gauze_roll", "4.8×400cm")])
def test_repaired_specs(supplies: SuppliesFile, supply_id: str, spec: str) -> None:
    by_id = {s.id: s for s in supplies.supplies}
    assert by_id[supply_id].spec == spec


def test_alcohol_is_seventy_percent(supplies: SuppliesFile) -> None:
    alcohol = next(s for s in supplies.supplies if s.id == "alcohol")
    assert isinstance(alcohol.spec, str) and "70%" in alcohol.spec


def test_simplified_names(supplies: SuppliesFile) -> None:
    names = [pick(s.name.as_map(), "zh-Hans") for s in supplies.supplies]  # type: ignore[union-attr]
    assert "医用脱脂棉球" in names and "医用纱布块" in names


def test_supply_model() -> None:
    base = {"id": "x", "category": "tools", "name": T, "unit": T, "quantity": 0}
    assert Supply.model_validate(base).spec is None
    for bad in ({"quantity": -1}, {"quantity": "many"}, {"category": "food"}, {"unit": None}):
        with pytest.raises(ValidationError):
            Supply.model_validate({**base, **bad})
    with pytest.raises(ValidationError):
        SuppliesFile.model_validate({"supplies": []})


# --- calendar -----------------------------------------------------------------


def test_calendar_file(calendar: CalendarFile) -> None:
    assert calendar.years == [2026]
    assert dt.date(2026, 2, 14) in calendar.workdays
    assert calendar.outside_years() == []
    assert all(h.start <= h.end for h in calendar.holidays)


def test_holiday_on_a_weekday_is_a_holiday(calendar: CalendarFile) -> None:
    day = dt.date(2026, 10, 5)
    assert day.weekday() == 0
    rule = classify(calendar, day)
    assert rule.kind == "holiday"
    assert rule.reason == "2026-10-05 is a public holiday (National Day)"
    assert classify(calendar, dt.date(2026, 2, 18)).kind == "holiday"  # Spring Festival, a Wednesday


def test_make_up_saturday_is_a_workday(calendar: CalendarFile) -> None:
    day = dt.date(2026, 2, 14)
    assert day.weekday() == 5
    rule = classify(calendar, day)
    assert rule.kind == "workday"
    assert "make-up working day" in rule.reason


def test_plain_weekend_and_weekday(calendar: CalendarFile) -> None:
    saturday = dt.date(2026, 3, 7)
    assert saturday.weekday() == 5
    assert classify(calendar, saturday).kind == "holiday"
    assert classify(calendar, saturday).reason == "2026-03-07 is a weekend day"
    assert classify(calendar, dt.date(2026, 3, 9)).kind == "workday"
    assert classify(calendar, dt.date(2026, 3, 9)).reason == "2026-03-09 is a weekday"


def test_holiday_bounds_inclusive(calendar: CalendarFile) -> None:
    assert classify(calendar, dt.date(2026, 10, 1)).kind == "holiday"
    assert classify(calendar, dt.date(2026, 10, 7)).kind == "holiday"
    assert classify(calendar, dt.date(2026, 10, 8)).kind == "workday"


@pytest.mark.parametrize(("day", "kind"), [(dt.date(2027, 1, 1), "workday"), (dt.date(2027, 1, 2), "holiday"),
                                           (dt.date(2025, 12, 31), "workday")])
def test_outside_the_years_falls_back(calendar: CalendarFile, day: dt.date, kind: str) -> None:
    rule = classify(calendar, day)
    assert rule.kind == kind
    assert "outside" in rule.reason


def test_no_calendar_falls_back() -> None:
    rule = classify(None, dt.date(2026, 10, 5))
    assert rule.kind == "workday" and "outside" in rule.reason


def test_holiday_model() -> None:
    Holiday.model_validate({"name": T, "start": "2026-01-01", "end": "2026-01-01"})
    with pytest.raises(ValidationError, match="end is before start"):
        Holiday.model_validate({"name": T, "start": "2026-01-03", "end": "2026-01-01"})
    with pytest.raises(ValidationError):
        Holiday.model_validate({"name": T, "start": "2026-02-30", "end": "2026-03-01"})


def test_calendar_outside_years() -> None:
    data: dict[str, Any] = {
        "years": [2026], "source": "x",
        "holidays": [{"name": T, "start": "2027-01-01", "end": "2027-01-02"}],
        "workdays": ["2026-01-04", "2025-12-28"],
    }
    calendar = CalendarFile.model_validate(data)
    assert calendar.outside_years() == [(("holidays", 0, "start"), dt.date(2027, 1, 1)),
                                        (("workdays", 1), dt.date(2025, 12, 28))]
    with pytest.raises(ValidationError):
        CalendarFile.model_validate({**data, "years": []})
