"""The classifier: which concept fits a situation. Logic lives in ``mhkurs.logic``.

A choice is final once the feedback is shown; «Prøv igjen» clears every answer for a new attempt.
"""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import classifier
from .common import box, button, para, record, t, verdict
from .quiz_view import QUESTION_STYLE


def show_classifier(question_ids: list[str] | None = None, module: str | None = None) -> w.VBox:
    bank = get_bank()
    sits = [bank.question(i) for i in question_ids] if question_ids else classifier.situations(bank)
    labels = [(str(c.label), c.id) for c in classifier.classes(bank)]
    rows, results, picks = [], {}, []
    retry = button("Prøv igjen", "Nytt forsøk: fjerner alle svarene")
    retry.disabled = True
    for n, q in enumerate(sits, 1):
        pick = w.RadioButtons(options=labels, value=None, description=f"Situasjon {n}:", tooltip=str(q.prompt),
                              layout=w.Layout(width="auto"), style={"description_width": "initial"})
        fb = w.HTML()

        def on_pick(change, q=q, fb=fb, pick=pick) -> None:
            if change["new"] is None or q.id in results:
                return
            res = classifier.check(bank, q.id, change["new"])
            results[q.id] = res.correct
            pick.disabled = True  # locked: the feedback gives the answer away
            msg = f"Du valgte {res.chosen.label}. Riktig svar er {res.right.label}. {res.explanation}"
            fb.value = verdict(res.correct, msg) + (f"<p><em>Skillet:</em> {t(res.distinction)}</p>" if res.distinction else "")
            retry.disabled = False
            record(module, "classifier", "*", sum(results.values()), len(sits))

        pick.observe(on_pick, names="value")
        picks.append((pick, fb))
        row = w.VBox([para(f"{n}. {q.prompt}"), pick, fb])
        row.add_class("mh-question")
        rows.append(row)

    def on_retry(_b) -> None:
        results.clear()
        for pick, fb in picks:
            pick.value = None
            pick.disabled = False
            fb.value = ""
        retry.disabled = True

    retry.on_click(on_retry)
    return box([w.HTML(QUESTION_STYLE)] + rows + [retry], title="Hva slags sak er dette?")
