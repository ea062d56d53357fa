"""The playbook schema: what a YAML playbook may say, as frozen pydantic models.

A playbook is a directed graph of steps that an operator walks through, plus
the timers that the plan's time limits become and the dated follow-ups that
outlive the run. Every step cites the plan section it implements.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Annotated, Any, Literal, assert_never

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from ehplan.playbook.duration import Duration

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
SOURCE_PATTERN = r"^S\d+(\.\d+)*$"

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
Source = Annotated[str, Field(pattern=SOURCE_PATTERN)]


class Model(BaseModel):
    """Base of every schema model: unknown keys are errors and nothing mutates."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class LangText(Model):
    """A text in several languages; zh-Hans may be omitted and is then derived."""

    zh_Hant: str | None = Field(default=None, alias="zh-Hant", min_length=1)
    """Traditional Chinese, in the plan's own terms."""
    zh_Hans: str | None = Field(default=None, alias="zh-Hans", min_length=1)
    """Simplified Chinese; derived from zh-Hant with OpenCC when absent."""
    en: str | None = Field(default=None, min_length=1)
    """English."""
    origin: Literal["plan", "authors"] = "plan"
    """Whose words: the plan's (checked verbatim against ``data/plan.txt`` for
    definitions, bodies and scripts) or the authors' (help the plan does not
    give, shown labelled as such)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )

    @model_validator(mode="after")
    def _not_empty(self) -> LangText:
        if self.zh_Hant is None and self.zh_Hans is None and self.en is None:
            raise ValueError("a text needs at least one of zh-Hant, zh-Hans, en")
        return self

    def as_map(self) -> dict[str, str]:
        """The languages present, keyed by their tag."""
        pairs = (("zh-Hant", self.zh_Hant), ("zh-Hans", self.zh_Hans), ("en", self.en))
        return {lang: text for lang, text in pairs if text is not None}


Text = Annotated[str | LangText, Field(union_mode="left_to_right")]
"""A text: one plain string for every language, or a map by language."""


def text_map(text: Text | None) -> dict[str, str] | str | None:
    """The form `ehplan.text.pick` takes."""
    if isinstance(text, LangText):
        return text.as_map()
    return text


# --- conditions -------------------------------------------------------------

Scalar = int | str


class Condition(Model):
    """A test on a recorded field, e.g. ``{field: loss_yuan, gt: 5000}``; never eval."""

    field: Id
    """The id of a record field of this playbook."""
    eq: Scalar | None = None
    """True when the value equals this."""
    ne: Scalar | None = None
    """True when the value differs from this."""
    gt: int | None = None
    """True when the (numeric) value is greater than this."""
    ge: int | None = None
    """True when the (numeric) value is at least this."""
    lt: int | None = None
    """True when the (numeric) value is less than this."""
    le: int | None = None
    """True when the (numeric) value is at most this."""
    in_: list[Scalar] | None = Field(default=None, alias="in")
    """True when the value is one of these."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )

    @model_validator(mode="after")
    def _exactly_one_operator(self) -> Condition:
        used = [name for name in ("eq", "ne", "gt", "ge", "lt", "le", "in_") if getattr(self, name) is not None]
        if len(used) != 1:
            raise ValueError("a condition needs exactly one of eq, ne, gt, ge, lt, le, in")
        return self

    @property
    def operator(self) -> str:
        """The operator's name as written in YAML."""
        for name in ("eq", "ne", "gt", "ge", "lt", "le"):
            if getattr(self, name) is not None:
                return name
        return "in"

    @property
    def operand(self) -> Any:
        """The value the field is compared with."""
        return self.in_ if self.operator == "in" else getattr(self, self.operator)


class Route(Model):
    """Go to ``next`` when ``when`` holds; routes are tried in order."""

    when: Condition
    """The condition on a recorded field."""
    next: Id
    """The step to go to when the condition holds."""


# --- steps ------------------------------------------------------------------


class StepBase(Model):
    """What every step has."""

    id: Id
    """Unique within the playbook; cited by ``next``, timers and the log."""
    title: Text
    """A short imperative line, shown large."""
    body: Text | None = None
    """What to do, in more words."""
    source: Source
    """The plan section this step implements, e.g. ``S5.3.6``."""
    supplies: list[Id] = Field(default_factory=list)
    """Ids in ``data/supplies.yaml`` the operator may need here."""
    contacts: list[Id] = Field(default_factory=list)
    """Contacts worth having at hand on this step (shown, not required)."""


class ActionStep(StepBase):
    """Something to do or say, then go on."""

    kind: Literal["action"]
    script: Text | None = None
    """Words to read to the caller or customer verbatim."""
    next: Id
    """The step that follows."""


class ChecklistItem(Model):
    """One item of a checklist, ticked on its own."""

    id: Id
    """Unique within its checklist."""
    text: Text
    """What to do."""
    source: Source | None = None
    """The plan section of this item, when it differs from the step's."""
    script: Text | None = None
    """Words to read verbatim for this item."""
    optional: bool = False
    """An optional item may stay unticked without an override."""


class ChecklistStep(StepBase):
    """Items ticked one by one; all mandatory items before going on."""

    kind: Literal["checklist"]
    items: list[ChecklistItem] = Field(min_length=1)
    """The items, in the order to do them."""
    script: Text | None = None
    """Words to read verbatim for the whole step."""
    next: Id
    """The step that follows."""


class Choice(Model):
    """One answer of a decision."""

    id: Id
    """Unique within its decision; recorded in the log."""
    label: Text
    """The answer as shown on its button."""
    next: Id
    """The step this answer leads to."""


class DecisionStep(StepBase):
    """A question the operator answers by picking one choice."""

    kind: Literal["decision"]
    script: Text | None = None
    """Words to read verbatim before deciding."""
    choices: list[Choice] = Field(min_length=2, max_length=9)
    """The answers, keys 1-9 in this order."""


FieldType = Literal["text", "phone", "number", "choice"]


class RecordField(Model):
    """A typed value the operator fills in."""

    id: Id
    """Unique within the playbook; conditions refer to it."""
    label: Text
    """What to ask for."""
    type: FieldType = "text"
    """text, phone (digits, spaces, + and -), number (an amount, at most two decimals), or choice."""
    required: bool = True
    """A required field must be filled before going on (or overridden)."""
    unit: Text | None = None
    """Shown after the input, e.g. 元."""
    choices: list[Text] | None = None
    """For ``choice`` fields: the allowed values as texts; the value stored is the index."""

    @model_validator(mode="after")
    def _choices_match_type(self) -> RecordField:
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice field needs choices")
        if self.type != "choice" and self.choices:
            raise ValueError("only a choice field takes choices")
        return self


class RecordStep(StepBase):
    """Typed fields the operator fills: location, reporter, amount..."""

    kind: Literal["record"]
    fields: list[RecordField] = Field(min_length=1)
    """The fields, in order."""
    routes: list[Route] = Field(default_factory=list)
    """Tried in order once the fields are filled; the first that holds wins."""
    next: Id
    """The step that follows when no route holds."""


class DayNight(Model):
    """The contact to call by day and the one by night (S7.1 「白天通知組別經理」)."""

    day: Id
    """Called in the daytime."""
    night: Id
    """Called at other times."""


class NotifyStep(StepBase):
    """Contacts to call; each call and its outcome is logged."""

    kind: Literal["notify"]
    notify: list[Id] = Field(min_length=1)
    """Contact ids in ``data/contacts.yaml``; all must be called (or overridden)."""
    any_of: bool = False
    """When true, reaching one of the contacts is enough (e.g. store manager *or* security)."""
    best_effort: list[Id] = Field(default_factory=list)
    """「盡可能」: contacts tried as far as possible, in this order, after ``notify``;
    each call is logged (no answer = could not reach) but none is required."""
    by_time_of_day: DayNight | None = None
    """Which of ``notify`` is the one to call in the daytime and which at night
    (daytime hours are site data in ``data/calendar.yaml``); needs ``any_of``."""
    script: Text | None = None
    """What to tell them."""
    next: Id
    """The step that follows."""

    @model_validator(mode="after")
    def _call_rule_consistent(self) -> NotifyStep:
        if set(self.best_effort) & set(self.notify):
            raise ValueError("a contact is either in notify or in best_effort, not both")
        if self.by_time_of_day is not None:
            if not self.any_of:
                raise ValueError("by_time_of_day needs any_of: true (either call satisfies the step)")
            for who in (self.by_time_of_day.day, self.by_time_of_day.night):
                if who not in self.notify:
                    raise ValueError(f"by_time_of_day names {who!r}, which is not in notify")
        return self


class GotoStep(StepBase):
    """Switch to another playbook inside the same run."""

    kind: Literal["goto"]
    playbook: Id
    """The id of the playbook to switch to."""
    step: Id | None = None
    """A step of that playbook to start at instead of its entry."""


class EndStep(StepBase):
    """The run may end here."""

    kind: Literal["end"]
    outcome: Id = "resolved"
    """A word for the report: resolved, escalated, handed_over..."""


AnyStep = ActionStep | ChecklistStep | DecisionStep | RecordStep | NotifyStep | GotoStep | EndStep
"""Every kind of step. Code that treats kinds differently matches on this union
and ends with ``case _: assert_never(step)``, so a new kind is a type error at
every place that must learn it."""

Step = Annotated[AnyStep, Field(discriminator="kind")]

# --- timers and follow-ups --------------------------------------------------


class CalendarDuration(Model):
    """A duration that depends on whether today is a workday or a holiday."""

    workday: Duration
    """On workdays, including make-up working days."""
    holiday: Duration
    """On weekends and public holidays."""


TRIGGER_KEYS = ("run", "enter", "complete", "item", "contact", "choice", "field")


class Trigger(Model):
    """Something that happens in a run: entering or completing a step, ticking an
    item, notifying a contact, choosing a choice. Exactly one key."""

    run: bool | None = None
    """The run's start (``run: true``)."""
    enter: Id | None = None
    """Entering this step."""
    complete: Id | None = None
    """Completing (leaving forward from) this step."""
    item: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    """Ticking a checklist item, written ``step_id.item_id``."""
    contact: Id | None = None
    """Logging a call to this contact (answered or called)."""
    choice: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    """Choosing an answer, written ``step_id.choice_id``."""
    field: Id | None = None
    """Recording a value in this record field."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        used = [k for k in TRIGGER_KEYS if getattr(self, k) is not None]
        if len(used) != 1:
            raise ValueError("a trigger needs exactly one of " + ", ".join(TRIGGER_KEYS))
        if self.run is False:
            raise ValueError("run: false starts nothing; write run: true")
        return self


class AnyOf(Model):
    """Any one of these triggers satisfies a ``must_before_end`` entry."""

    any_of: list[Trigger] = Field(min_length=2)
    """The alternatives, e.g. the repair crew *or* (by day) the group manager."""


def _must_kind(value: Any) -> str:
    """Which model a ``must_before_end`` entry is: ``{any_of: [...]}`` or a trigger."""
    if isinstance(value, dict):
        return "any_of" if "any_of" in value else "trigger"
    return "any_of" if isinstance(value, AnyOf) else "trigger"


MustEntry = Annotated[
    Annotated[Trigger, Tag("trigger")] | Annotated[AnyOf, Tag("any_of")],
    Discriminator(_must_kind),
]
"""One ``must_before_end`` entry: a trigger, or ``{any_of: [trigger, ...]}``."""


class Timer(Model):
    """A live countdown for a time limit the plan sets."""

    id: Id
    """Unique within the playbook."""
    kind: Literal["deadline", "escalate_after"]
    """deadline: an action must happen in time (met or missed);
    escalate_after: if not cleared in time, bring up an escalation step."""
    label: Text
    """What the countdown is for, shown beside it."""
    duration: Duration | CalendarDuration
    """How long, e.g. ``3m``, or ``{workday: 15m, holiday: 45m}``."""
    start: Trigger
    """What starts the countdown."""
    until: list[Trigger] = Field(min_length=1)
    """Any of these meets (deadline) or clears (escalate_after) the timer."""
    escalate_to: Id | None = None
    """The step brought up when the timer expires."""
    warn_before: Duration | None = None
    """Warn this long before expiry; default 20 % of the duration, at most 1 minute."""
    source: Source
    """The plan section that sets the limit."""

    @model_validator(mode="after")
    def _escalation_needs_target(self) -> Timer:
        if self.kind == "escalate_after" and self.escalate_to is None:
            raise ValueError("an escalate_after timer needs escalate_to")
        return self


class FollowUp(Model):
    """A dated task that outlives the run (keep CCTV footage 30 days)."""

    id: Id
    """Unique within the playbook."""
    text: Text
    """What must be done, and until when."""
    after: Duration
    """Due this long after the trigger."""
    start: Trigger
    """What schedules it."""
    source: Source
    """The plan section."""


# --- the playbook -------------------------------------------------------------

Category = Literal["agitated", "personal_safety", "property_loss", "system_failure", "other", "emergency_call"]


class Playbook(Model):
    """One incident type of the plan, as a graph of steps."""

    schema_: str | None = Field(default=None, alias="$schema")
    """Optional JSON Schema pointer for editors."""
    id: Id
    """Unique among playbooks; used by ``goto`` and the log."""
    version: int = Field(ge=1)
    """Bumped on every change of meaning."""
    title: Text
    """The incident's name, as the picker shows it."""
    short_title: Text | None = None
    """A few characters for tight places (the footer's emergency keys)."""
    category: Category
    """Which class of the plan the incident belongs to."""
    summary: Text
    """One line: when to use this playbook."""
    definition: Text
    """The plan's definition of the incident type (類型定義)."""
    description: Text | None = None
    """Anything else the operator or a reviewer should know (e.g. a reconstruction)."""
    channel: Literal["hotline", "hall", "hotline_or_hall"] | None = None
    """Whom a step's script is said to: the caller on the hotline, the customer in
    the hall, or either; the script box is labelled by it."""
    reconstructed: bool = False
    """The order of the steps is the authors' reading of a structure the plan lost
    (S7.1's flowchart); the run screen and the report say so."""
    keywords: list[Text] = Field(default_factory=list)
    """Words that find this playbook in the picker, in Chinese and English."""
    source: Source
    """The plan section of the whole playbook."""
    emergency_key: str | None = Field(default=None, pattern=r"^f([1-9]|1[0-2])$")
    """A function key (``f5``…) that starts this playbook from anywhere in the picker."""
    entry: Id
    """The first step."""
    roles: list[Id] = Field(default_factory=list)
    """Contact roles the playbook needs (checked against data/contacts.yaml)."""
    must_before_end: list[MustEntry] = Field(default_factory=list)
    """Things that must have happened before the run may end (e.g. repair crew notified);
    an ``{any_of: [...]}`` entry is satisfied by any one of its triggers."""
    steps: list[Step] = Field(min_length=1)
    """The steps; ``entry`` is where a run begins."""
    timers: list[Timer] = Field(default_factory=list)
    """Countdowns for the plan's time limits."""
    followups: list[FollowUp] = Field(default_factory=list)
    """Dated tasks that outlive the run."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )

    @field_validator("keywords")
    @classmethod
    def _keywords_not_blank(cls, value: list[Text]) -> list[Text]:
        for keyword in value:
            if isinstance(keyword, str) and not keyword.strip():
                raise ValueError("a keyword cannot be blank")
        return value

    def step(self, step_id: str) -> AnyStep:
        """The step with this id (KeyError if none)."""
        return self.step_index[step_id]

    @cached_property
    def step_index(self) -> dict[str, AnyStep]:
        """Steps by id."""
        return {step.id: step for step in self.steps}

    def timer(self, timer_id: str) -> Timer:
        """The timer with this id (KeyError if none)."""
        for timer in self.timers:
            if timer.id == timer_id:
                return timer
        raise KeyError(timer_id)


def successors(step: AnyStep) -> list[str]:
    """The ids of the steps one can go to from ``step`` within its playbook."""
    match step:
        case DecisionStep():
            return [choice.next for choice in step.choices]
        case RecordStep():
            return [*(route.next for route in step.routes), step.next]
        case ActionStep() | ChecklistStep() | NotifyStep():
            return [step.next]
        case GotoStep() | EndStep():
            return []  # a goto leaves the playbook; an end ends it
        case _:
            assert_never(step)


_SPLIT = re.compile(r"\.")


def split_ref(ref: str) -> tuple[str, str]:
    """Split ``step_id.item_id`` into its two ids."""
    head, tail = _SPLIT.split(ref, maxsplit=1)
    return head, tail
