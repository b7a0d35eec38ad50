"""The refresher page: a short quiz that falls due a week and a month after the course is done.
Schedule and item choice live in ``mhkurs.record.refresher``."""

from __future__ import annotations

from datetime import datetime

import ipywidgets as w

from .. import record
from ..bank import get_bank
from ..logic import progress as rules
from ..logic import quiz
from ..record import certificate, refresher
from .common import box, bullet_list, button, checkbox, html, radio, t, vbox, verdict


def status_html(bank, data: dict, now: datetime) -> str:
    done_at, taken = data.get("completed_at"), data["refreshers"]
    if not done_at:
        n = sum(rules.module_done(bank, data, m.id) for m in rules.modules_in_order(bank))
        return (f"<p>Repetisjonene begynner når du har fullført alle modulene. Du har fullført {n} av "
                f"{len(bank.all('modules'))}. Gå tilbake til <a href='index.ipynb'>kursets forside</a>.</p>")
    due = refresher.due_now(done_at, taken, now)
    if due:
        return (f"<p role='status'><strong>Repetisjon {due.number} av {len(refresher.INTERVALS)}.</strong> "
                f"Svar på alle {refresher.SIZE} spørsmålene og trykk «Sjekk svarene». Spørsmål du har svart feil "
                "på tidligere, kommer først.</p>")
    nxt = refresher.upcoming(done_at, taken)
    if nxt:
        return (f"<p role='status'>Ingen repetisjon venter nå. Neste repetisjon: "
                f"<strong>{certificate.norwegian_date(nxt.at)}</strong>. Forsiden sier fra når den er klar.</p>")
    return "<p role='status'>Du har tatt begge repetisjonene. Godt jobbet!</p>"


def show_refresher() -> w.VBox:
    bank = get_bank()
    rec = record.current()
    status = html("<p class='mh-waiting'>Henter fremdriften din …</p>")
    body = w.VBox()
    built = [False]

    def build(data: dict, due) -> None:
        ids = refresher.pick_items(bank, data["missed"], seed=f"{data['completed_at']}:{due.number}")
        inputs = []
        rows = []
        for n, qid in enumerate(ids, 1):
            q = bank.question(qid)
            if q.type == "single":
                ctl = radio([(f"{o.id}. {o.text}", o.id) for o in q.options])
            else:
                ctl = vbox([checkbox(f"{o.id}. {o.text}") for o in q.options])
            fb = html()
            inputs.append((q, ctl, fb))
            hint = " (velg ett)" if q.type == "single" else " (velg alle som passer)"
            rows.append(vbox([html(f"<p><strong>{n}. {t(q.prompt)}</strong>{hint}</p>"), ctl, fb]))
        result = html()
        check = button("Sjekk svarene", "Rett repetisjonen", "primary")

        def chosen(q, ctl) -> set[str]:
            if q.type == "single":
                return {ctl.value} if ctl.value else set()
            return {o.id for o, cb in zip(q.options, ctl.children) if cb.value}

        def on_check(_b) -> None:
            answers = [quiz.grade(q, chosen(q, ctl)) for q, ctl, _fb in inputs]
            left = [n for n, a in enumerate(answers, 1) if not a.chosen]
            if left:
                result.value = (f"<p role='alert'>Du har ikke svart på spørsmål {', '.join(map(str, left))}. "
                                "Svar på alle først.</p>")
                return
            for a, (q, _ctl, fb) in zip(answers, inputs):
                right = [o for o in q.options if o.id in q.answer]
                fb.value = verdict(a.correct, q.explanation) + bullet_list(
                    f"Riktig: {o.id}. {o.text}" for o in right)
            got, most = quiz.total(answers)
            check.disabled = True
            rec.refresher_done(missed=[a.question.id for a in answers if not a.correct],
                               right=[a.question.id for a in answers if a.correct])
            result.value = (f"<p role='status'><strong>Poeng: {got} av {most}.</strong> Repetisjonen er registrert. "
                            "<a href='index.ipynb'>Tilbake til forsiden</a>.</p>")

        check.on_click(on_check)
        body.children = rows + [check, result]

    def update() -> None:
        if not rec.ready:
            return
        data = rec.data()
        now = rec.clock()
        if built[0]:
            return  # a refresher in progress stays as it is; its result says what happened
        status.value = status_html(bank, data, now)
        due = refresher.due_now(data.get("completed_at"), data["refreshers"], now)
        if due:
            built[0] = True
            build(data, due)

    rec.on_ready(update)
    rec.on_change(update)
    return box([status, body, record.bridge()], title="Repetisjon")
