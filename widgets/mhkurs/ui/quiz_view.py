"""The self-check quiz. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import quiz
from .common import box, bullet_list, button, record, t, verdict


def show_quiz(topic: str | None = None, ids: list[str] | None = None, module: str | None = None) -> w.VBox:
    bank = get_bank()
    qs = quiz.questions(bank, topic=topic, ids=ids)
    state = {"attempt": 0}
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
            inputs.append((q, ctl, fb))
            hint = " (velg ett)" if q.type == "single" else " (velg alle som passer)"
            rows.append(w.VBox([w.HTML(f"<p><strong>{n}. {t(q.prompt)}</strong>{hint}</p>"), ctl, fb]))
        body.children = rows
        score.value = ""

    def chosen(q, ctl) -> set[str]:
        if q.type == "single":
            return {ctl.value} if ctl.value else set()
        return {oid for oid, cb in zip(ctl.option_ids, ctl.children) if cb.value}

    def on_check(_b) -> None:
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
        score.value = f"<p role='status'><strong>Poeng: {got} av {most}.</strong></p>"
        record(module, "quiz", topic or "utvalg", got, most)

    def on_retry(_b) -> None:
        state["attempt"] += 1
        build()

    inputs: list = []
    check.on_click(on_check)
    retry.on_click(on_retry)
    build()
    return box([body, w.HBox([check, retry]), score], title="Test deg selv")
