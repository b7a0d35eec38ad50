"""The indicator spotter: mark what a case shows. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import spotter
from .common import box, bullet_list, button, para, record, t


def show_spotter(case_id: str, module: str | None = None) -> w.VBox:
    bank = get_bank()
    case = bank.case(case_id)
    opts = spotter.options(bank, case_id)
    boxes = {}
    groups = []
    for cat in sorted(bank.all("categories"), key=lambda c: c.order):
        members = [i for i in opts if i.category == cat.id]
        if not members:
            continue
        cbs = []
        for ind in members:
            cb = w.Checkbox(value=False, description=str(ind.text), indent=False, layout=w.Layout(width="auto"))
            boxes[ind.id] = cb
            cbs.append(cb)
        groups.append(w.VBox([w.HTML(f"<h4>{t(cat.title)}</h4>")] + cbs))
    result = w.HTML()
    check = button("Sjekk svarene", "Se hvilke indikatorer du fant", "primary")

    def on_check(_b) -> None:
        res = spotter.check(bank, case_id, {k for k, cb in boxes.items() if cb.value})
        got, most = res.score
        html = [f"<p role='status'><strong>Du fant {len(res.hits)} av {most} indikatorer"
                f" og markerte {len(res.false_alarms)} som ikke passer.</strong></p>"]
        for label, items in (("✔ Funnet", res.hits), ("✘ Oversett", res.misses), ("✘ Passer ikke her", res.false_alarms)):
            if items:
                html.append(f"<p><strong>{label}:</strong></p>" + bullet_list(f"{i.text} – {i.why}" for i in items))
        result.value = "".join(html)
        record(module, "spotter", case_id, got, most, answered=int(any(cb.value for cb in boxes.values())))

    check.on_click(on_check)
    return box([para(case.summary), w.HTML("<p>Marker indikatorene du ser i saken.</p>")] + groups + [check, result],
               title=f"Finn indikatorene: {case.title}")
