"""Where deadlines are computed: durations resolved against the calendar once,
at start, into absolute instants; warnings and expiry found by comparing the
clock with those instants."""

from __future__ import annotations

import datetime as dt

from ehplan.engine import events as ev
from ehplan.engine.clock import rfc3339
from ehplan.engine.fold import happening
from ehplan.engine.state import RunState
from ehplan.playbook.models import CalendarDuration, FollowUp, Playbook, Timer, Trigger
from ehplan.sitedata.calendar import classify
from ehplan.sitedata.models import CalendarFile

MAX_WARNING_S = 60
WARNING_SHARE = 0.2


def trigger_key(playbook: str, trigger: Trigger) -> str:
    """The `happening` key a playbook trigger waits for."""
    if trigger.run:
        return happening(playbook, "run", "true")
    for kind in ("enter", "complete", "item", "choice", "field", "contact"):
        ref = getattr(trigger, kind)
        if ref is not None:
            return happening(playbook, kind, ref)
    raise ValueError("empty trigger")


def resolve_duration(timer: Timer, calendar: CalendarFile | None, now: dt.datetime) -> tuple[int, str]:
    """Seconds of the timer's duration today, and the rule that chose them."""
    if isinstance(timer.duration, CalendarDuration):
        rule = classify(calendar, calendar.local_date(now) if calendar is not None else now.date())
        seconds = timer.duration.workday if rule.kind == "workday" else timer.duration.holiday
        return seconds, f"{rule.kind}: {rule.reason}"
    return timer.duration, ""


def warning_seconds(timer: Timer, duration_s: int) -> int:
    """How long before expiry the warning comes: as written, else 20 % of the
    duration, at most one minute."""
    if timer.warn_before is not None:
        return min(timer.warn_before, duration_s)
    return min(int(duration_s * WARNING_SHARE), MAX_WARNING_S)


def start_timer(playbook: Playbook, timer: Timer, calendar: CalendarFile | None, now: dt.datetime) -> ev.NewEvent:
    """The event that starts ``timer`` now, with its absolute due instant."""
    seconds, rule = resolve_duration(timer, calendar, now)
    due = now + dt.timedelta(seconds=seconds)
    warn_at = due - dt.timedelta(seconds=warning_seconds(timer, seconds))
    return ev.NewEvent(ev.TimerStarted(playbook.id, timer.id, timer.kind, seconds, rfc3339(due), rfc3339(warn_at),
                                       rule, timer.escalate_to, timer.source))


def schedule_followup(playbook: Playbook, followup: FollowUp, now: dt.datetime) -> ev.NewEvent:
    """The event that dates a follow-up."""
    due = now + dt.timedelta(seconds=followup.after)
    return ev.NewEvent(ev.FollowupScheduled(playbook.id, followup.id, rfc3339(due), followup.after,
                                            followup.source))


def consequences(state: RunState, playbook: Playbook, fired: list[str], calendar: CalendarFile | None,
                 now: dt.datetime) -> list[ev.NewEvent]:
    """Timers started or met and follow-ups scheduled because of ``fired`` triggers."""
    out: list[ev.NewEvent] = []
    fired_set = set(fired)
    for timer in playbook.timers:
        key = f"{playbook.id}/{timer.id}"
        existing = state.timers.get(key)
        if existing is not None and existing.active and any(
            trigger_key(playbook.id, t) in fired_set for t in timer.until
        ):
            out.append(ev.NewEvent(ev.TimerMet(key, now > existing.due, sorted(fired_set)[0])))
        elif existing is None and trigger_key(playbook.id, timer.start) in fired_set:
            already_met = any(trigger_key(playbook.id, t) in state.happened for t in timer.until)
            if not already_met:
                out.append(start_timer(playbook, timer, calendar, now))
    scheduled = {(f.playbook, f.followup) for f in state.followups}
    for followup in playbook.followups:
        if (playbook.id, followup.id) not in scheduled and trigger_key(playbook.id, followup.start) in fired_set:
            out.append(schedule_followup(playbook, followup, now))
    return out


def due_alarms(state: RunState, now: dt.datetime) -> list[ev.TimerWarned | ev.TimerExpired]:
    """Warnings and expiries that the clock has reached, in order of due time."""
    out: list[ev.TimerWarned | ev.TimerExpired] = []
    for timer in state.active_timers():
        if timer.status == "running" and timer.warn_at <= now <= timer.due:
            out.append(ev.TimerWarned(timer.key))
        if timer.status in ("running", "warned") and now > timer.due:
            out.append(ev.TimerExpired(timer.key, rfc3339(timer.due)))
    return out
