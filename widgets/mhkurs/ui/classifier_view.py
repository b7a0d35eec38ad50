"""The classifier: which concept fits a situation. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import classifier
from .common import box, para, record, t, verdict


def show_classifier(question_ids: list[str] | None = None, module: str | None = None) -> w.VBox:
    bank = get_bank()
    sits = [bank.question(i) for i in question_ids] if question_ids else classifier.situations(bank)
    labels = [(str(c.label), c.id) for c in classifier.classes(bank)]
    rows, results = [], {}
    for q in sits:
        pick = w.RadioButtons(options=labels, value=None, description="Klassifiser:",
                              layout=w.Layout(width="auto"), style={"description_width": "initial"})
        fb = w.HTML()

        def on_pick(change, q=q, fb=fb) -> None:
            if change["new"] is None:
                return
            res = classifier.check(bank, q.id, change["new"])
            results[q.id] = res.correct
            msg = f"Riktig svar er {res.right.label}. {res.explanation}"
            fb.value = verdict(res.correct, msg) + (f"<p><em>Skillet:</em> {t(res.distinction)}</p>" if res.distinction else "")
            record(module, "classifier", "*", sum(results.values()), len(sits), answered=len(results), items=len(sits))

        pick.observe(on_pick, names="value")
        rows.append(w.VBox([para(q.prompt), pick, fb]))
    return box(rows, title="Hva slags sak er dette?")
