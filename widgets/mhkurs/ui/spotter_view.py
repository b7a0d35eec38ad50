"""The indicator spotter: mark what a case shows, then check. The marks are locked once the feedback is
shown («Prøv igjen» starts over); the marks and the feedback come back when the page is reopened (the
learner's record). Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from .. import record as learner_record
from ..bank import get_bank
from ..logic import spotter
from .common import box, bullet_list, button, case_title, checkbox, hbox, html, para, record, t, vbox, verdict

GRADE = {"all": True, "some": "delvis", "none": False}  # the verdict keys of common.verdict


def result_html(res: spotter.SpotResult) -> str:
    _got, most = res.score
    html = [verdict(GRADE[res.grade], f"Du fant {len(res.hits)} av {most} indikatorer og markerte "
                                      f"{len(res.false_alarms)} som ikke passer.")]
    for label, items in (("✔ Funnet", res.hits), ("✘ Oversett", res.misses), ("✘ Passer ikke her", res.false_alarms)):
        if items:
            html.append(f"<p><strong>{label}:</strong></p>" + bullet_list(f"{i.text} – {i.why}" for i in items))
    return "".join(html)


def show_spotter(case_id: str, module: str | None = None) -> w.VBox:
    bank = get_bank()
    case = bank.case(case_id)
    opts = spotter.options(bank, case_id)
    key = learner_record.state_key(module, "spotter", case_id)
    boxes: dict[str, w.Checkbox] = {}
    groups = []
    for cat in sorted(bank.all("categories"), key=lambda c: c.order):
        members = [i for i in opts if i.category == cat.id]
        if not members:
            continue
        cbs = []
        for ind in members:
            cb = checkbox(str(ind.text))
            boxes[ind.id] = cb
            cbs.append(cb)
        groups.append(vbox([html(f"<h4>{t(cat.title)}</h4>")] + cbs))
    result = html()
    check = button("Sjekk svarene", "Se hvilke indikatorer du fant. Markeringene låses.", "primary")
    retry = button("Prøv igjen", "Nytt forsøk: fjerner alle markeringene")
    retry.disabled = True
    quiet = [False]  # while the saved state is put back: nothing is saved or recorded again

    def marked() -> set[str]:
        return {k for k, cb in boxes.items() if cb.value}

    def save(checked: bool) -> None:
        if not quiet[0]:
            learner_record.save_state(module, key, spotter.state(marked(), checked))

    def lock(locked: bool) -> None:
        for cb in boxes.values():
            cb.disabled = locked
        check.disabled = locked
        retry.disabled = not locked

    def show_result() -> spotter.SpotResult:
        res = spotter.check(bank, case_id, marked())
        # focus moves to the result (mhkurs.js: data-mh-focus): the pressed «Sjekk svarene» is now disabled
        result.value = f"<div tabindex='-1' data-mh-focus>{result_html(res)}</div>"
        lock(True)
        return res

    def on_check(_b) -> None:
        if not marked():
            result.value = ("<p role='status'><strong>Du har ikke markert noe ennå.</strong> Kryss av for "
                            "indikatorene du ser i saken, og trykk «Sjekk svarene».</p>")
            return
        res = show_result()
        got, most = res.score
        save(True)
        record(module, "spotter", case_id, got, most)

    def on_retry(_b) -> None:
        quiet[0] = True
        try:
            for cb in boxes.values():
                cb.value = False
        finally:
            quiet[0] = False
        result.value = ""
        lock(False)
        save(False)

    def resume() -> None:
        marks, checked = spotter.restore(bank, case_id, learner_record.load_state(module, key))
        quiet[0] = True
        try:
            for k, cb in boxes.items():
                cb.value = k in marks
            if checked:
                show_result()
        finally:
            quiet[0] = False

    for cb in boxes.values():
        cb.observe(lambda _ch: save(False), names="value")
    check.on_click(on_check)
    retry.on_click(on_retry)
    if module:
        learner_record.on_ready(resume)
    return box([para(case.summary), html("<p>Marker indikatorene du ser i saken.</p>")] + groups
               + [hbox([check, retry]), result], title=case_title(case))
