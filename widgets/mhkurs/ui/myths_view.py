"""Myth or fact. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import myths
from .common import box, button, para, record, verdict


def show_myths(seed: int = 0, module: str | None = None) -> w.VBox:
    bank = get_bank()
    stmts = myths.statements(bank, seed=seed)
    rows, results = [], {}
    for s in stmts:
        fb = w.HTML()
        yes, no = button("Fakta", f"Påstanden er riktig: {s.text}"), button("Myte", f"Påstanden er en myte: {s.text}")

        def answer(says_true: bool, s=s, fb=fb) -> None:
            j = myths.judge(s, says_true)
            results[s.key] = j.correct
            truth = "Dette er fakta." if s.is_true else "Dette er en myte."
            fb.value = verdict(j.correct, f"{truth} {j.correction} {j.why}")
            record(module, "myths", "*", sum(results.values()), len(stmts), answered=len(results), items=len(stmts))

        yes.on_click(lambda _b, a=answer: a(True))
        no.on_click(lambda _b, a=answer: a(False))
        rows.append(w.VBox([para(f"«{s.text}»"), w.HBox([yes, no]), fb]))
    return box(rows, title="Myte eller fakta?")
