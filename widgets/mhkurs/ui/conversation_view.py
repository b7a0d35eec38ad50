"""Module 8: the identification conversation and «velg det beste spørsmålet». Logic in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import conversation
from .common import box, bullet_list, button, html, radio, record, t, vbox, verdict
from .reading import Reading, reading


def _html(parts: list[str]) -> Reading:
    return reading(parts)  # reading text: sent with the page (mhkurs.ui.reading)


def show_conversation(*topics: str) -> Reading:
    """The teaching points of one or more topics, each under its heading (one topic alone: under the notebook's
    section heading), with the reason where the bank has one."""
    bank = get_bank()
    parts = []
    for topic in topics:
        items = []
        for p in conversation.points(bank, topic):
            why = f"<br><small>Hvorfor: {t(p.why)}</small>" if p.why else ""
            items.append(f"<li>{t(p.text)}{why}</li>")
        head = f"<h3>{t(conversation.TOPIC_TITLES[topic])}</h3>" if len(topics) > 1 else ""  # one: the section names it
        parts.append(f"{head}<ul>{''.join(items)}</ul>")
    return _html(parts)


def show_example_questions() -> Reading:
    """The open example questions, each with follow-up questions that can shed light on exploitation."""
    bank = get_bank()
    parts = ["<p>Begynn åpent, og følg opp med de konkrete spørsmålene der de passer.</p><ul class='mh-examples'>"]
    for q in conversation.example_questions(bank):
        follow = f"<br>Følg opp: {t(' '.join(str(f) for f in q.follow_ups))}" if q.follow_ups else ""
        parts.append(f"<li><strong>{t(q.theme)}:</strong> «{t(q.question)}»{follow}</li>")
    parts.append("</ul>")
    return _html(parts)


def show_question_choice(ids: list[str] | None = None, module: str | None = None) -> w.VBox:
    """«Velg det beste spørsmålet»: pick the better way of asking in each situation, then see why."""
    bank = get_bank()
    tasks = conversation.tasks(bank, ids)
    rows, inputs = [], {}
    for n, task in enumerate(tasks, 1):
        rb = radio([(f"«{o.text}»", o.id) for o in task.options], f"Situasjon {n}:")
        fb = html()
        inputs[task.id] = (rb, fb)
        row = vbox([html(f"<p><strong>{n}.</strong> {t(task.situation)} Hvilket spørsmål er best?</p>"), rb, fb],
                   "mh-question")
        rows.append(row)
    score = html()
    check = button("Sjekk svarene", "Se hvilket spørsmål som er best, og hvorfor", "primary")

    def on_check(_b) -> None:
        judgements = conversation.judge_all(bank, {k: rb.value for k, (rb, _fb) in inputs.items()}, ids)
        for j in judgements:
            rb, fb = inputs[j.task.id]
            if j.chosen is None:  # no answer is given away before the learner has chosen
                fb.value = "<p><strong>○ Ikke svart.</strong> Velg ett av spørsmålene og trykk «Sjekk svarene» igjen.</p>"
                continue
            rb.disabled = True  # an answer that has been checked stays as it was
            lines = [f"{'✔ Best' if o.better else '✘ Svakere'}: «{o.text}» – {o.feedback}" for o in j.task.options]
            fb.value = verdict(j.correct, "" if j.correct else f"Bedre: «{j.better.text}»") + bullet_list(lines)
        got, most = conversation.score(judgements)
        score.value = f"<p role='status'><strong>Du har {got} av {most} riktig.</strong></p>"
        record(module, "question_choice", "*", got, most, answered=sum(j.chosen is not None for j in judgements),
               items=len(judgements))

    check.on_click(on_check)
    out = box(rows + [check, score])  # the module's section heading («Øvelse: velg det beste spørsmålet») names it
    out.add_class("mh-wrap-label")
    out.add_class("mh-question-choice")
    return out
