"""A playbook's printable card: the definition, every step in order with its
plan section, the scripts set apart, where each branch goes, every time limit
and what starts it, the contacts with their numbers, the supplies, what must
be done before the end, and the flowchart."""

from __future__ import annotations

from collections.abc import Iterator

from ehplan.library import Library
from ehplan.paper.graph import paper_tiles, step_node_id, trigger_steps
from ehplan.paper.sheet import Stamp, bi, esc, sheet
from ehplan.paper.words import Words
from ehplan.playbook.checks import referenced_contacts
from ehplan.playbook.models import (
    ActionStep,
    ChecklistStep,
    DecisionStep,
    EndStep,
    GotoStep,
    NotifyStep,
    Playbook,
    RecordStep,
    StepBase,
)
from ehplan.text import RECONSTRUCTED, SCRIPT_TO, SHORT_TAG, in_lang


def card_article(library: Library, playbook: Playbook, words: Words, stamp: Stamp, flow_svg: str | None) -> str:
    """The card of one playbook, as an HTML ``<article>`` (its flowchart on a sheet of its own)."""
    title = bi(words.text(playbook.title))
    kind = esc(words.own_line("card"))
    stamp_html = esc(stamp.line(words))
    sheets = [sheet(title, kind, stamp_html, "".join(_card_body(library, playbook, words)))]
    if flow_svg is not None:
        for tile in paper_tiles(flow_svg):
            where = (f" ({words.own_line('down')} {tile.row}/{tile.rows} · "
                     f"{words.own_line('across')} {tile.column}/{tile.columns})" if tile.rows * tile.columns > 1
                     else "")
            body = f"<h2>{esc(words.own_line('flowchart'))}{where}</h2><div class='flow'>{tile.svg}</div>"
            sheets.append(sheet(title, kind, stamp_html, body))
    return (f"<article class='card' id='card-{esc(playbook.id)}' data-playbook='{esc(playbook.id)}'>"
            f"{''.join(sheets)}</article>")


def _tag(words: Words, value: object) -> str:
    if not words.is_authors(value):
        return ""
    return f" <span class='tag'>{esc(' '.join(in_lang(SHORT_TAG, lang) for lang in words.langs))}</span>"


def _text_block(words: Words, value: object, css: str = "") -> str:
    if value is None:
        return ""
    return f"<div class='{css}'>{bi(words.text(value), block=True, tag=_tag(words, value))}</div>"


def _card_body(library: Library, playbook: Playbook, words: Words) -> Iterator[str]:
    yield (f"<p><b>{esc(words.own_line('playbook'))}:</b> {esc(playbook.id)} · {esc(words.own_line('version'))} "
           f"{playbook.version} · {esc(words.own_line('section'))} {esc(playbook.source)}</p>")
    if playbook.reconstructed:
        yield f"<div class='banner'>{esc(' / '.join(in_lang(RECONSTRUCTED, lang) for lang in words.langs))}</div>"
    yield f"<h2>{esc(words.own_line('definition'))}</h2>{_text_block(words, playbook.definition)}"
    yield f"<p><b>{esc(words.own_line('when'))}:</b></p>{_text_block(words, playbook.summary)}"
    if playbook.description is not None:
        yield f"<p><b>{esc(words.own_line('about'))}:</b></p>{_text_block(words, playbook.description)}"
    if playbook.timers:
        yield _timers(playbook, words)
    if playbook.must_before_end:
        items = "".join(f"<li>☐ {esc(words.trigger(playbook, entry))}</li>" for entry in playbook.must_before_end)
        yield f"<h2>{esc(words.own_line('must_before_end'))}</h2><ul class='boxes'>{items}</ul>"
    yield f"<h2>{esc(words.own_line('steps'))}</h2>"
    for number, step in enumerate(playbook.steps, start=1):
        yield _step(playbook, step, number, words)
    yield _contacts(library, playbook, words)
    supplies = _supplies(library, playbook, words)
    if supplies:
        yield supplies
    if playbook.followups:
        rows = "".join(
            f"<li>{bi(words.text(f.text), tag=_tag(words, f.text))} — {esc(words.own_line('after'))} "
            f"{esc(words.duration(f.after))} {esc(words.own_line('after_of'))}: "
            f"{esc(words.trigger(playbook, f.start))} "
            f"<span class='tag'>{esc(f.source)}</span></li>" for f in playbook.followups)
        yield f"<h2>{esc(words.own_line('followups'))}</h2><ul>{rows}</ul>"


def _timers(playbook: Playbook, words: Words) -> str:
    head = "".join(f"<th>{esc(words.own_line(key))}</th>" for key in ("time_limits", "limit", "starts_when",
                                                                       "met_by", "escalate"))
    rows = []
    for timer in playbook.timers:
        until = "; ".join(words.trigger(playbook, trigger) for trigger in timer.until)
        escalate = words.step_label(playbook, timer.escalate_to) if timer.escalate_to else "—"
        rows.append(f"<tr><td>◷ {bi(words.text(timer.label), tag=_tag(words, timer.label))} "
                    f"<span class='tag'>{esc(timer.source)}</span></td>"
                    f"<td><b>{esc(words.limit(timer.duration))}</b></td>"
                    f"<td>{esc(words.trigger(playbook, timer.start))}</td>"
                    f"<td>{esc(until)}</td><td>{esc(escalate)}</td></tr>")
    widths = "".join(f"<col style='width:{w}%'>" for w in (27, 13, 22, 22, 16))
    return (f"<h2>{esc(words.own_line('time_limits'))}</h2><table class='grid limits'>{widths}<tr>{head}</tr>"
            f"{''.join(rows)}</table>")


def _go(words: Words, playbook: Playbook, target: str, key: str = "next") -> str:
    return f"<span class='go'>→ {esc(words.own_line(key))}: {esc(words.step_label(playbook, target))}</span>"


def _call(words: Words, contact_id: str, prefix: str = "") -> str:
    number = words.contact_number(contact_id)
    shown = f"<span class='number'>{esc(number)}</span>" if number else "<span class='blank'></span>"
    return f"<li>☎ {esc(prefix)}{esc(words.contact_name(contact_id))} — {shown}</li>"


def _step(playbook: Playbook, step: StepBase, number: int, words: Words) -> str:
    kind = step.kind  # type: ignore[attr-defined]
    parts = [f"<div class='step' id='step-{esc(step.id)}'><div class='step-head'><span class='num'>{number}.</span>"
             f"<span>{bi(words.text(step.title), tag=_tag(words, step.title))}</span>"
             f"<span class='kind'>{esc(words.own_line('k_' + kind))}</span>"
             f"<span class='src'>{esc(step.source)}</span></div>"]
    parts.append(_text_block(words, step.body))
    script = getattr(step, "script", None)
    if script is not None:
        parts.append(_script(playbook, words, script))
    match step:
        case ActionStep():
            parts.append(_go(words, playbook, step.next))
        case ChecklistStep():
            items = []
            for item in step.items:
                optional = f" <span class='tag'>({esc(words.own_line('optional'))})</span>" if item.optional else ""
                source = f" <span class='tag'>{esc(item.source)}</span>" if item.source else ""
                items.append(f"<li>☐ {bi(words.text(item.text), tag=_tag(words, item.text))}{optional}{source}"
                             f"{_script(playbook, words, item.script) if item.script else ''}</li>")
            parts.append(f"<p>{esc(words.own_line('items'))}:</p><ul class='boxes'>{''.join(items)}</ul>")
            parts.append(_go(words, playbook, step.next))
        case DecisionStep():
            choices = "".join(f"<li>☐ {bi(words.text(choice.label))} "
                              f"{_go(words, playbook, choice.next, 'goes_to')}</li>" for choice in step.choices)
            parts.append(f"<ul class='boxes'>{choices}</ul>")
        case RecordStep():
            fields = []
            for found in step.fields:
                unit = f" ({words.line(found.unit)})" if found.unit else ""
                options = (": " + " ".join(f"☐ {words.line(choice)}" for choice in found.choices)
                           if found.choices else "")
                fields.append(f"<li>✎ {bi(words.text(found.label))}{esc(unit)}{esc(options)} "
                              f"<span class='blank'></span></li>")
            parts.append(f"<p>{esc(words.own_line('record'))}:</p><ul class='boxes'>{''.join(fields)}</ul>")
            for route in step.routes:
                parts.append(f"<p>{esc(words.own_line('if'))} {esc(words.condition(playbook, route.when))} "
                             f"{_go(words, playbook, route.next, 'goes_to')}</p>")
            key = "otherwise" if step.routes else "next"
            parts.append(f"<p>{_go(words, playbook, step.next, key)}</p>")
        case NotifyStep():
            parts.append(_notify(step, words))
            parts.append(_go(words, playbook, step.next))
        case GotoStep():
            at = f" ({words.own_line('at_step')} {step.step})" if step.step else ""
            parts.append(f"<p class='go'>↪ {esc(words.own_line('switch_to'))}: "
                         f"{esc(words.playbook_title(step.playbook))}{esc(at)} — {esc(words.own_line('card'))} "
                         f"{esc(step.playbook)}</p>")
        case EndStep():
            parts.append(f"<p class='go'>■ {esc(words.own_line('outcome'))} {esc(step.outcome)}</p>")
    if step.contacts:
        calls = "".join(_call(words, contact) for contact in step.contacts)
        parts.append(f"<p>{esc(words.own_line('have_at_hand'))}:</p><ul class='boxes'>{calls}</ul>")
    if step.supplies:
        names = ", ".join(_supply_name(words, playbook, supply) for supply in step.supplies)
        parts.append(f"<p>{esc(words.own_line('supplies_here'))}: {esc(names)}</p>")
    starts = [timer for timer in playbook.timers
              if any(source == step_node_id(step.id) for source, _ in trigger_steps(playbook, timer.start, words))]
    for timer in starts:
        parts.append(f"<p>◷ <b>{esc(words.line(timer.label))}</b> — {esc(words.limit(timer.duration))}, "
                     f"{esc(words.own_line('starts_when'))}: {esc(words.trigger(playbook, timer.start))}</p>")
    parts.append("</div>")
    return "".join(parts)


def _notify(step: NotifyStep, words: Words) -> str:
    day_night = {}
    if step.by_time_of_day is not None:
        day_night = {step.by_time_of_day.day: f"{words.own_line('by_day')}: ",
                     step.by_time_of_day.night: f"{words.own_line('by_night')}: "}
    heading = words.own_line("call_any" if step.any_of else "call")
    calls = "".join(_call(words, contact, day_night.get(contact, "")) for contact in step.notify)
    out = f"<p>{esc(heading)}:</p><ul class='boxes'>{calls}</ul>"
    if step.best_effort:
        tries = "".join(_call(words, contact) for contact in step.best_effort)
        out += f"<p>{esc(words.own_line('best_effort'))}:</p><ul class='boxes'>{tries}</ul>"
    return out


def _script(playbook: Playbook, words: Words, script: object) -> str:
    channel = playbook.channel
    key = f"script_{channel}" if channel is not None else "script"
    said_to = " / ".join(in_lang(SCRIPT_TO[key], lang) for lang in words.langs)
    return (f"<div class='script'><div class='script-to'>{esc(said_to)}</div>"
            f"{bi(words.text(script), block=True, tag=_tag(words, script))}</div>")




def _contacts(library: Library, playbook: Playbook, words: Words) -> str:
    seen: list[str] = []
    for contact_id, _ in referenced_contacts(playbook):
        if contact_id not in seen:
            seen.append(contact_id)
    rows = []
    for contact_id in seen:
        try:
            contact = library.contact(contact_id)
        except KeyError:
            continue
        if contact.number:
            number = f"<span class='number'>{esc(contact.number)}</span>"
        else:
            key = "site_fills" if contact.site_fills_number else "from_caller"
            number = f"<span class='blank'></span> <span class='tag'>{esc(words.own_line(key))}</span>"
        person = f" ({esc(contact.person)})" if contact.person else ""
        rows.append(f"<tr><td>{bi(words.text(contact.name))}{person}</td><td>{number}</td>"
                    f"<td class='tag'>{esc(contact.source)}</td></tr>")
    return f"<h2>{esc(words.own_line('contacts'))}</h2><table class='grid'>{''.join(rows)}</table>"


def _supply_name(words: Words, playbook: Playbook, supply_id: str) -> str:
    try:
        return words.line(words.library.supply(supply_id).name)
    except KeyError:
        return supply_id


def _supplies(library: Library, playbook: Playbook, words: Words) -> str:
    used: list[str] = []
    for step in playbook.steps:
        used += [supply for supply in step.supplies if supply not in used]
    rows = []
    for supply_id in used:
        try:
            supply = library.supply(supply_id)
        except KeyError:
            continue
        spec = words.line(supply.spec) if supply.spec else ""
        rows.append(f"<tr><td>{bi(words.text(supply.name))}</td><td>{esc(spec)}</td>"
                    f"<td>{supply.quantity} {esc(words.line(supply.unit))}</td></tr>")
    if not rows:
        return ""
    return f"<h2>{esc(words.own_line('supplies'))}</h2><table class='grid'>{''.join(rows)}</table>"
