"""A playbook's blank incident form: what the operator fills by hand while the
app is down (the values the playbook records, the calls with time boxes, the
deadlines with "due at" boxes, the final hash), in the card's order, so that a
later ehplan run can transcribe it."""

from __future__ import annotations

from collections.abc import Iterator

from ehplan.paper.sheet import Stamp, bi, esc, sheet
from ehplan.paper.words import Words
from ehplan.playbook.models import DecisionStep, NotifyStep, Playbook, RecordStep

BOX = "<span class='box'></span>"
WIDE = "<span class='box wide'></span>"


def form_article(playbook: Playbook, words: Words, stamp: Stamp) -> str:
    """The blank form of one playbook, as an HTML ``<article>``."""
    title = bi(words.text(playbook.title))
    body = "".join(_form_body(playbook, words))
    return (f"<article class='form' id='form-{esc(playbook.id)}' data-playbook='{esc(playbook.id)}'>"
            f"{sheet(title, esc(words.own_line('form')), esc(stamp.line(words)), body)}</article>")


def _th(words: Words, *keys: str) -> str:
    return "<tr>" + "".join(f"<th>{esc(words.own_line(key))}</th>" for key in keys) + "</tr>"


def _form_body(playbook: Playbook, words: Words) -> Iterator[str]:
    own = words.own_line
    yield f"<p>{esc(own('form_intro'))}</p>"
    yield ("<table class='grid'>"
           f"<tr><th>{esc(own('operator'))}</th><td>{WIDE}</td><th>{esc(own('date'))}</th><td>{BOX}</td></tr>"
           f"<tr><th>{esc(own('started_at'))}</th><td>{BOX}</td><th>{esc(own('ended_at'))}</th><td>{BOX}</td></tr>"
           "</table>")
    yield (f"<h2>{esc(own('continued'))}</h2><table class='grid'>"
           f"<tr><th>{esc(own('last_seq'))}</th><td>{BOX}</td><th>{esc(own('at_step_now'))}</th><td>{BOX}</td></tr>"
           f"<tr><th>{esc(own('last_hash'))}</th><td colspan='3'><span class='box hash'></span></td></tr>"
           f"<tr><th>{esc(own('log_file'))}</th><td colspan='3'><span class='box full'></span></td></tr></table>")
    rows = []
    for number, step in enumerate(playbook.steps, start=1):
        chosen = ""
        if isinstance(step, DecisionStep):
            chosen = " ".join(f"☐ {esc(words.text(choice.label)[0])}" for choice in step.choices)
        rows.append(f"<tr><td>{number}.</td><td>{esc(words.text(step.title)[0])} "
                    f"<span class='tag'>{esc(step.source)}</span></td><td>{chosen}</td><td>{BOX}</td></tr>")
    yield (f"<h2>{esc(own('steps'))}</h2><table class='grid'>"
           f"<tr><th>#</th><th>{esc(own('steps'))}</th><th>{esc(own('chosen'))}</th><th>{esc(own('step_done'))}</th></tr>"
           f"{''.join(rows)}</table>")
    fields = [(number, found) for number, step in enumerate(playbook.steps, start=1) if isinstance(step, RecordStep)
              for found in step.fields]
    if fields:
        rows = []
        for number, found in fields:
            unit = f" ({words.line(found.unit)})" if found.unit else ""
            value = (" ".join(f"☐ {esc(words.line(choice))}" for choice in found.choices) if found.choices
                     else "<span class='box full'></span>")
            rows.append(f"<tr><td>{number}.</td><td>{bi(words.text(found.label))}{esc(unit)}</td><td>{value}</td>"
                        f"<td>{BOX}</td></tr>")
        yield (f"<h2>{esc(own('fields'))}</h2><table class='grid'>"
               f"<tr><th>#</th><th>{esc(own('record'))}</th><th></th><th>{esc(own('step_done'))}</th></tr>"
               f"{''.join(rows)}</table>")
    calls = [(number, contact) for number, step in enumerate(playbook.steps, start=1) if isinstance(step, NotifyStep)
             for contact in (*step.notify, *step.best_effort)]
    if calls:
        rows = []
        for number, contact in calls:
            dial = words.contact_number(contact)
            dial_html = f"<span class='number'>{esc(dial)}</span>" if dial else "<span class='blank'></span>"
            rows.append(f"<tr><td>{number}.</td><td>{esc(words.contact_name(contact))}</td><td>{dial_html}</td>"
                        f"<td>{BOX}</td><td>☐ {esc(own('answered'))}<br>☐ {esc(own('no_answer'))}</td></tr>")
        yield (f"<h2>{esc(own('calls'))}</h2><table class='grid'>"
               f"<tr><th>#</th><th>{esc(own('call'))}</th><th>☎</th><th>{esc(own('called_at'))}</th><th></th></tr>"
               f"{''.join(rows)}</table>")
    if playbook.timers:
        rows = []
        for timer in playbook.timers:
            rows.append(f"<tr><td>◷ {esc(words.line(timer.label))}<br><b>{esc(words.limit(timer.duration))}</b>"
                        f"<br><span class='tag'>{esc(own('starts_when'))}: {esc(words.trigger(playbook, timer.start))}"
                        f"</span></td><td>{BOX}</td><td>{BOX}</td><td>{BOX}</td>"
                        f"<td>☐ {esc(own('met'))}<br>☐ {esc(own('missed'))}</td></tr>")
        yield (f"<h2>{esc(own('deadlines'))}</h2><table class='grid'>"
               f"{_th(words, 'deadlines', 'started_at', 'due_at', 'step_done', 'limit')}{''.join(rows)}</table>")
    if playbook.must_before_end:
        items = "".join(f"<li>☐ {esc(words.trigger(playbook, entry))}</li>" for entry in playbook.must_before_end)
        yield f"<h2>{esc(own('must_before_end'))}</h2><ul class='boxes'>{items}</ul>"
    yield f"<h2>{esc(own('notes'))}</h2><div class='lines'>{'<div></div>' * 6}</div>"
    yield (f"<h2>{esc(own('final_hash'))}</h2><span class='box hash'></span>"
           f"<p>{esc(own('signature'))}: <span class='blank' style='min-width:60mm'></span></p>")
