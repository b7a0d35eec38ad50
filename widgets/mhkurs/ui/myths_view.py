"""Myth or fact. Logic (order, locked answers, attempts) lives in ``mhkurs.logic.myths``.

The full list of myths is shown only once every statement is answered, so the exercise never
shows the answers before the learner has given them.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from .. import record as learner_record
from ..bank import get_bank
from ..logic import myths
from .common import box, bullet_list, button, html, para, record, shared, verdict, vbox


def show_myths(seed: int = 0, module: str | None = None, state: dict | None = None,
               on_change: Callable[[dict], None] | None = None) -> w.VBox:
    """``state``/``on_change``: restore and save the exercise (``MythRun.to_dict``) for the learner record."""
    if module and state is None and on_change is None:  # resume from the learner's record (mhkurs.record)
        return learner_record.resumable(module, learner_record.state_key(module, "myths", "*"),
                                        lambda st, save: show_myths(seed, module, st, save))
    bank = get_bank()
    fresh = myths.start(bank, seed=seed)
    fits = bool(state) and sorted(state.get("keys", [])) == sorted(fresh.keys)  # else the myths changed since
    current = {"run": myths.MythRun.from_dict(state) if fits else fresh}
    body = vbox()
    summary = html()
    retry = button("Prøv igjen", "Nytt forsøk: påstandene kommer i ny rekkefølge")

    def feedback(s: myths.Statement, said: bool) -> str:
        j = myths.judge(s, said)
        truth = "Dette er fakta." if s.is_true else "Dette er en myte."
        mine = "Du svarte «fakta»." if said else "Du svarte «myte»."
        # focus moves to the feedback (mhkurs.js: data-mh-focus): the pressed button is now disabled, and focus on
        # a disabled button drops to the page body; Tab goes on to the next statement from here
        return (f"<div class='mh-myth-feedback' tabindex='-1' data-mh-focus>"
                f"{verdict(j.correct, f'{mine} {truth} {j.correction} {j.why}')}</div>")

    def show_summary() -> None:
        run = current["run"]
        right, total = myths.score(bank, run)
        if not run.done:
            summary.value = f"<p role='status'>Besvart: {len(run.answers)} av {total}.</p>"
            retry.disabled = not run.answers
            return
        summary.value = (
            f"<p role='status'><strong>Du hadde {right} av {total} riktige.</strong> "
            "Trykk «Prøv igjen» for et nytt forsøk.</p>"
            "<p>Hele listen over myter fra KOMs veileder:</p>"
            + bullet_list(m.statement for m in bank.all("myths"))
        )
        retry.disabled = False

    layout = shared("myth_button", lambda: w.Layout(width="auto"))
    style = shared("myth_button_style", w.ButtonStyle)

    def build() -> None:
        run = current["run"]
        stmts = myths.by_key(bank, run)
        rows = []
        for key in run.keys:
            s = stmts[key]
            # One layout and style shared by the 24 pairs of buttons, no row of their own (the statement's box
            # wraps them, theme CSS .mh-myth), and the feedback made when the statement is answered: 4 widget
            # models per statement instead of 8, a faster page.
            yes = w.Button(description="Fakta", tooltip=f"Påstanden er riktig: {s.text}", layout=layout, style=style)
            no = w.Button(description="Myte", tooltip=f"Påstanden er en myte: {s.text}", layout=layout, style=style)
            row = w.Box([para(f"«{s.text}»"), yes, no], layout=shared("layout", w.Layout))
            row.add_class("mh-question")
            row.add_class("mh-myth")

            def answer(says_true: bool, s=s, row=row, yes=yes, no=no) -> None:
                run = current["run"]
                if s.key in run.answers:
                    return  # locked: the feedback is already shown
                myths.answer(bank, run, s.key, says_true)
                yes.disabled = no.disabled = True
                row.children = [*row.children, html(feedback(s, says_true))]
                show_summary()
                if run.done:
                    right, total = myths.score(bank, run)
                    record(module, "myths", "*", right, total)
                if on_change:
                    on_change(run.to_dict())

            if key in run.answers:
                yes.disabled = no.disabled = True
                row.children = [*row.children, html(feedback(s, run.answers[key]))]
            yes.on_click(lambda _b, a=answer: a(True))
            no.on_click(lambda _b, a=answer: a(False))
            rows.append(row)
        body.children = rows
        show_summary()

    def on_retry(_b) -> None:
        current["run"] = myths.retry(bank, current["run"])
        build()
        if on_change:
            on_change(current["run"].to_dict())

    retry.on_click(on_retry)
    build()
    view = box([body, summary, retry], title="Myte eller fakta?")
    view.myth_state = lambda: current["run"]
    return view
