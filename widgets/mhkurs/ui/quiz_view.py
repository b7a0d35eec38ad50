"""The self-check quiz. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from .. import record as learner_record
from ..bank import get_bank
from ..logic import quiz
from .common import box, bullet_list, button, record, t, verdict


def show_quiz(topic: str | None = None, ids: list[str] | None = None, module: str | None = None) -> w.VBox:
    bank = get_bank()
    qs = quiz.questions(bank, topic=topic, ids=ids)
    state = {"attempt": 0, "checked": False, "restoring": False}
    key = learner_record.state_key(module, "quiz", topic or "utvalg")
    body = w.VBox()
    score = w.HTML()
    check = button("Sjekk svarene", "Rett quizen", "primary")
    retry = button("Prøv igjen", "Nye rekkefølger på svaralternativene")

    def build() -> None:
        inputs.clear()
        rows = []
        for n, q in enumerate(qs, 1):
            opts = quiz.shuffled_options(q, state["attempt"])
            if q.type == "single":
                ctl = w.RadioButtons(options=[(f"{o.id}. {o.text}", o.id) for o in opts], value=None,
                                     description=f"Spørsmål {n}:", style={"description_width": "initial"},
                                     layout=w.Layout(width="auto"))
            else:
                ctl = w.VBox([w.Checkbox(description=f"{o.id}. {o.text}", indent=False, layout=w.Layout(width="auto"))
                              for o in opts])
                ctl.option_ids = [o.id for o in opts]
            fb = w.HTML()
            for c in ([ctl] if q.type == "single" else ctl.children):
                c.observe(lambda _ch: save(), names="value")
            inputs.append((q, ctl, fb))
            hint = " (velg ett)" if q.type == "single" else " (velg alle som passer)"
            rows.append(w.VBox([w.HTML(f"<p><strong>{n}. {t(q.prompt)}</strong>{hint}</p>"), ctl, fb]))
        body.children = rows
        score.value = ""

    def chosen(q, ctl) -> set[str]:
        if q.type == "single":
            return {ctl.value} if ctl.value else set()
        return {oid for oid, cb in zip(ctl.option_ids, ctl.children) if cb.value}

    def save() -> None:
        if not state["restoring"]:
            learner_record.save_state(module, key, {"attempt": state["attempt"], "checked": state["checked"],
                                                    "answers": {q.id: sorted(chosen(q, c)) for q, c, _f in inputs}})

    def restore() -> None:
        saved = learner_record.load_state(module, key)
        if not saved:
            return
        state["restoring"] = True
        try:
            state["attempt"] = int(saved.get("attempt", 0))
            build()
            for q, ctl, _fb in inputs:
                picked = set(saved.get("answers", {}).get(q.id, []))
                if q.type == "single":
                    ctl.value = next(iter(picked)) if len(picked) == 1 and picked <= {v for _label, v in ctl.options} else None
                else:
                    for oid, cb in zip(ctl.option_ids, ctl.children):
                        cb.value = oid in picked
            if saved.get("checked"):
                on_check(None, report=False)
        finally:
            state["restoring"] = False

    def on_check(_b, report: bool = True) -> None:
        answers = []
        for q, ctl, fb in inputs:
            a = quiz.grade(q, chosen(q, ctl))
            answers.append(a)
            lines = []
            for o, picked, right in a.option_feedback():
                if picked or right:
                    mark = "✔" if right else "✘"
                    why = f" – {o.why}" if o.why else ""
                    state_txt = "riktig" if right else "feil"
                    lines.append(f"{mark} {o.id} er {state_txt}{' (ditt valg)' if picked else ''}{why}")
            fb.value = verdict(a.correct, q.explanation) + bullet_list(lines)
        got, most = quiz.total(answers)
        answered = sum(1 for a in answers if a.chosen)
        rest = "" if answered == len(answers) else f" Du har svart på {answered} av {len(answers)}: svar på alle for å bli ferdig."
        score.value = f"<p role='status'><strong>Poeng: {got} av {most}.</strong>{rest}</p>"
        state["checked"] = True
        if report:
            save()
            record(module, "quiz", topic or "utvalg", got, most, answered=answered, items=len(answers),
                   missed=[a.question.id for a in answers if a.chosen and not a.correct],
                   right=[a.question.id for a in answers if a.correct])

    def on_retry(_b) -> None:
        state["attempt"] += 1
        state["checked"] = False
        build()
        save()

    inputs: list = []
    check.on_click(on_check)
    retry.on_click(on_retry)
    build()
    learner_record.on_ready(restore)
    return box([body, w.HBox([check, retry]), score], title="Test deg selv")
