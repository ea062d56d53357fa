"""Recorded values: what the operator typed, checked and converted into what
the log holds, and the declarative conditions that branch on them.

An amount is logged exactly as the screen then shows it: an integer when it is
whole (``5,000`` → 5000, ``１２０００`` → 12000), else its decimal digits as a
string (``5000.01`` → "5000.01"), since the log holds no floats. A comma is
only ever a thousands separator, in groups of three, and a dot only ever the
decimal point, with one or two decimals: ``5,000`` is never read as 5.000
(five), and ``5,00`` and ``5.000`` are refused rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from ehplan.engine.messages import Refused
from ehplan.playbook.models import Condition, RecordField

PHONE = re.compile(r"^\+?[0-9][0-9 \-()]{1,23}$")
MAX_TEXT = 4000
AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,15})(?:\.[0-9]{1,2})?")
"""Digits, optionally grouped by thousands with commas, and at most two decimals
(fen): ``5.000``, a thousands group written with a dot, is refused rather than
read as five."""
NEGATIVE = ("-", "−", "－")


def parse_value(field: RecordField, raw: str) -> int | str:
    """Check and convert what the operator typed; `Refused` says what is wrong."""
    text = raw.strip()
    if not text:
        raise Refused("empty")
    if len(text) > MAX_TEXT:
        raise Refused("too_long", n=MAX_TEXT)
    if field.type == "phone":
        if not PHONE.match(text):
            raise Refused("not_phone")
        return text
    if field.type == "number":
        return parse_amount(text)
    if field.type == "choice":
        options = field.choices or []
        digits = unicodedata.normalize("NFKC", text)
        if not digits.isdigit() or not 1 <= int(digits) <= len(options):
            raise Refused("choose_range", n=len(options))
        return int(digits) - 1
    return raw


def parse_amount(text: str) -> int | str:
    """A non-negative number as typed by hand or by a Chinese input method
    (full-width digits, ，and ．), with thousands separators."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if cleaned.startswith(NEGATIVE):
        raise Refused("negative")
    if not AMOUNT.fullmatch(cleaned):
        raise Refused("not_number")
    number = Decimal(cleaned.replace(",", ""))
    if number == number.to_integral_value():
        return int(number)
    return format(number.normalize(), "f")


def as_number(value: Any) -> Decimal | None:
    """A logged value as a number, if it is one (an int, or an amount's string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str) and re.fullmatch(r"[0-9]+\.[0-9]+", value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits none
            return None
    return None


def holds(condition: Condition, values: dict[str, Any]) -> bool:
    """Whether a declarative condition holds for the recorded values."""
    if condition.field not in values:
        return False
    value, operand, op = values[condition.field], condition.operand, condition.operator
    number, against = as_number(value), as_number(operand)
    if number is not None and against is not None and op in ("eq", "ne"):
        return (number == against) == (op == "eq")
    if op == "eq":
        return bool(value == operand)
    if op == "ne":
        return bool(value != operand)
    if op == "in":
        return bool(value in operand)
    if number is None or against is None:
        return False
    return {"gt": number > against, "ge": number >= against, "lt": number < against, "le": number <= against}[op]
