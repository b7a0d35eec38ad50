"""The duty navigator: which duties apply in a situation. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import navigator
from .common import box, bullet_list, button, contact_line, record, t, verdict


def show_navigator(learning: bool = True, module: str | None = None) -> w.VBox:
    bank = get_bank()
    qs = {}
    rows = []
    for f in navigator.facts(bank):
        tb = w.ToggleButtons(options=[("Nei", False), ("Ja", True)], value=False, description=str(f.question),
                             style={"description_width": "initial"}, tooltips=["Nei", "Ja"])
        qs[f.id] = tb
        rows.append(w.VBox([tb, w.HTML(f"<p class='mh-help'><small>{t(f.help)}</small></p>")]))
    duties = [d for d in sorted(bank.all("duties"), key=lambda d: d.order) if d.kind == "plikt"]
    guesses = {d.id: w.Checkbox(description=str(d.title), indent=False, layout=w.Layout(width="auto")) for d in duties}
    out = w.HTML()
    go = button("Vis pliktene", "Vis hvilke plikter og tiltak som gjelder", "primary")

    def on_go(_b) -> None:
        answers = {k: tb.value for k, tb in qs.items()}
        adv = navigator.advise(bank, answers)
        html = []
        if learning:
            cmp = navigator.compare(bank, answers, {k for k, cb in guesses.items() if cb.value})
            html.append(verdict(cmp.correct, "Du traff alle pliktene." if cmp.correct else ""))
            if cmp.missed:
                html.append("<p>✘ Du glemte: " + t(", ".join(str(bank.duty(d).title) for d in sorted(cmp.missed))) + "</p>")
            if cmp.extra:
                html.append("<p>✘ Gjelder ikke her: " + t(", ".join(str(bank.duty(d).title) for d in sorted(cmp.extra))) + "</p>")
            record(module, "navigator", "*", int(cmp.correct), 1)
        if not adv.duties and not adv.actions:
            html.append("<p>Ingen av pliktene utløses av svarene dine. Er du bekymret, søk råd.</p>")
        for d in adv.duties + adv.actions:
            kind = "Plikt" if d.kind == "plikt" else "Tiltak"
            html.append(f"<h4>{kind}: {t(d.title)}</h4><p><em>{t(d.legal_basis)}</em>. {t(d.summary)}</p>"
                        + bullet_list(d.actions))
            if d.overrides_confidentiality:
                html.append("<p><strong>Går foran taushetsplikten.</strong></p>")
        if adv.contacts:
            html.append("<h4>Hvem du kontakter</h4><ul>" + "".join(f"<li>{contact_line(c)}</li>" for c in adv.contacts) + "</ul>")
        out.value = "".join(html)

    go.on_click(on_go)
    parts = [w.HTML("<p>Svar på spørsmålene om situasjonen.</p>")] + rows
    if learning:
        parts += [w.HTML("<p><strong>Hvilke plikter tror du gjelder?</strong></p>")] + list(guesses.values())
    return box(parts + [go, out], title="Pliktnavigator")
