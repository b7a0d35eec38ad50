"""The classifier: which concept fits a situation. Logic lives in ``mhkurs.logic``.

A choice is final once the feedback is shown; «Prøv igjen» clears every answer for a new attempt. The
answers and their feedback come back when the page is reopened (the learner's record).
"""

from __future__ import annotations

import ipywidgets as w

from .. import record as learner_record
from ..bank import get_bank
from ..logic import classifier
from .common import box, button, html, para, radio, record, t, vbox, verdict


def show_classifier(question_ids: list[str] | None = None, module: str | None = None) -> w.VBox:
    bank = get_bank()
    sits = [bank.question(i) for i in question_ids] if question_ids else classifier.situations(bank)
    labels = [(str(c.label), c.id) for c in classifier.classes(bank)]
    rows, results, picks = [], {}, []
    answers: dict[str, str] = {}
    key = learner_record.state_key(module, "classifier", "*")
    quiet = [False]  # while the saved answers are put back: nothing is saved or recorded again
    retry = button("Prøv igjen", "Nytt forsøk: fjerner alle svarene")
    retry.disabled = True
    for n, q in enumerate(sits, 1):
        pick = radio(labels, f"Situasjon {n}:", tooltip=str(q.prompt))
        fb = html()

        def on_pick(change, q=q, fb=fb, pick=pick) -> None:
            if change["new"] is None or q.id in results:
                return
            res = classifier.check(bank, q.id, change["new"])
            results[q.id] = res.correct
            answers[q.id] = change["new"]
            pick.disabled = True  # locked: the feedback gives the answer away
            msg = f"Du valgte {res.chosen.label}. Riktig svar er {res.right.label}. {res.explanation}"
            # focus moves to the feedback (mhkurs.js: data-mh-focus): the answered radio group is now disabled
            fb.value = (f"<div tabindex='-1' data-mh-focus>{verdict(res.correct, msg)}"
                        + (f"<p><em>Skillet:</em> {t(res.distinction)}</p>" if res.distinction else "") + "</div>")
            retry.disabled = False
            if not quiet[0]:
                learner_record.save_state(module, key, {"answers": dict(answers)})
                record(module, "classifier", "*", sum(results.values()), len(sits), answered=len(results),
                       items=len(sits))

        pick.observe(on_pick, names="value")
        picks.append((pick, fb))
        row = vbox([para(f"{n}. {q.prompt}"), pick, fb], "mh-question")
        rows.append(row)

    def on_retry(_b) -> None:
        results.clear()
        answers.clear()
        for pick, fb in picks:
            pick.value = None
            pick.disabled = False
            fb.value = ""
        retry.disabled = True
        learner_record.save_state(module, key, {"answers": {}})

    def resume() -> None:
        saved = classifier.restore(bank, [q.id for q in sits], learner_record.load_state(module, key))
        quiet[0] = True
        try:
            for q, (pick, _fb) in zip(sits, picks):
                if q.id in saved and q.id not in results:
                    pick.value = saved[q.id]
        finally:
            quiet[0] = False

    retry.on_click(on_retry)
    if module:
        learner_record.on_ready(resume)
    return box(rows + [retry], title="Hva slags sak er dette?")
