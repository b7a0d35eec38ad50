"""The duty navigator: who you are and what you know decide which duties you have.

Starts from a concrete situation of the bank (or the learner's own, as a reference tool). Nothing is
answered until the learner answers it. Behaviour lives in ``mhkurs.logic.navigator``.
"""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import navigator
from .common import box, bullet_list, button, checkbox, contact_line, html, radio, record, t, vbox, verdict

OWN = "__egen__"
YES_NO = [("Ja", True), ("Nei", False)]


def _radio(options, description: str) -> w.RadioButtons:
    return radio(options, description)


def advice_html(bank, advice: navigator.Advice) -> str:
    html = [f"<h3>Dette gjelder for deg – {t(advice.role.label)}</h3>"]
    if not advice.duties and not advice.actions:
        html.append("<p>Ingen av pliktene utløses av svarene. Er du likevel bekymret, søk råd – "
                    "personen kan ha behov for hjelp fra andre instanser.</p>")
    for d in advice.duties + advice.actions:
        kind = "Plikt" if d.kind == "plikt" else "Tiltak"
        html.append(f"<p class='mh-duty'><strong>{kind}: {t(d.title)}</strong></p><p><em>{t(d.legal_basis)}</em>. {t(d.summary)}</p>"
                    + bullet_list(d.actions))
        if d in advice.overriding:
            html.append("<p><strong>Denne plikten går foran taushetsplikten.</strong></p>")
    if advice.contacts:
        html.append("<p><strong>Hvem du kontakter</strong></p><ul>"
                    + "".join(f"<li>{contact_line(c)}</li>" for c in advice.contacts) + "</ul>")
    return "".join(html)


def verdict_html(bank, v: navigator.Verdict) -> str:
    yes_no = {True: "ja", False: "nei", None: "ikke svart"}
    head = verdict(v.all_right, f"Du har {v.right} av {v.total} riktig.")
    facts = []
    for c in v.facts:
        if c.scored:
            mark = "✔" if c.correct else "✘"
            facts.append(f"{mark} {c.fact.question} Du svarte {yes_no[c.given]}, riktig er {yes_no[c.expected]}. {c.why}")
        else:
            facts.append(f"○ {c.fact.question} Her kommer det an på mer enn situasjonen forteller, så svaret ditt "
                         f"({yes_no[c.given]}) er brukt. {c.why}")
    duties = []
    for d in v.duties:
        mark = "✔" if d.correct else "✘"
        applies = "gjelder for deg" if d.applies else "gjelder ikke for deg"
        picked = "du krysset av for den" if d.predicted else "du krysset ikke av for den"
        duties.append(f"{mark} {d.duty.title}: {applies} her, og {picked}.")
    return (head + "<h3>Fakta om situasjonen</h3>" + bullet_list(facts)
            + "<h3>Pliktene dine</h3>" + bullet_list(duties) + advice_html(bank, v.advice))


def show_navigator(learning: bool = True, module: str | None = None) -> w.VBox:
    """``learning=True``: start from a situation, predict, then see the verdict. ``False``: reference tool."""
    bank = get_bank()
    situations = navigator.situations(bank) if learning else []
    sit_options = [(str(s.title), s.id) for s in situations] + [("Min egen situasjon (oppslag, uten fasit)", OWN)]
    pick_sit = w.Dropdown(options=sit_options, value=sit_options[0][1], description="Situasjon:",
                          style={"description_width": "initial"}, layout=w.Layout(width="auto", max_width="100%"))
    sit_text = html()
    pick_role = _radio([(str(r.label), r.id) for r in navigator.roles(bank)], "Hvem er du?")
    role_help = html()
    facts_box = w.VBox()
    fact_inputs: dict[str, w.RadioButtons] = {}
    all_duties = navigator.duties(bank)
    guesses = {d.id: checkbox(str(d.title))
               for d in all_duties}
    guess_box = w.VBox([html("<p><strong>3. Hvilke plikter har du her?</strong> Kryss av for dem du mener gjelder "
                               "for deg – ingen, én eller flere.</p>")] + list(guesses.values()))
    out = html()
    out.add_class("mh-navigator-result")
    go = button("Vis pliktene", "Sjekk svarene og vis hvilke plikter og tiltak som gjelder", "primary")

    def own() -> bool:
        return pick_sit.value == OWN

    def build_facts(_change=None) -> None:
        old = {k: rb.value for k, rb in fact_inputs.items()}
        fact_inputs.clear()
        rows = []
        role_id = pick_role.value
        if role_id is None:
            facts_box.children = [html("<p><em>Velg først hvem du er, så kommer spørsmålene om situasjonen.</em></p>")]
            role_help.value = ""
            return
        role_help.value = f"<p class='mh-help'><small>{t(bank.get('roles', role_id).help)}</small></p>"
        for f in navigator.facts(bank, role_id):
            rb = _radio(YES_NO, str(f.question))
            rb.value = old.get(f.id)
            fact_inputs[f.id] = rb
            rows.append(vbox([rb, html(f"<p class='mh-help'><small>{t(f.help)}</small></p>")]))
        facts_box.children = rows

    def lock(locked: bool) -> None:
        for x in [pick_role, *fact_inputs.values(), *guesses.values()]:
            x.disabled = locked

    def show_situation(_change=None) -> None:
        lock(False)
        for rb in fact_inputs.values():  # a new situation starts unanswered
            rb.value = None
        for cb in guesses.values():
            cb.value = False
        if own():
            sit_text.value = ("<p>Tenk på en situasjon du står i. Svar på spørsmålene, så viser navigatoren hvilke "
                              "plikter og tiltak som gjelder for deg. Her er det ingen fasit.</p>")
            guess_box.layout.display = "none"
        else:
            s = navigator.situation(bank, pick_sit.value)
            sit_text.value = f"<p class='mh-situation'>{t(s.text)}</p>"
            guess_box.layout.display = None
        out.value = ""

    def on_go(_b) -> None:
        role_id = pick_role.value
        if role_id is None:
            out.value = "<p role='status'><strong>Velg hvem du er først</strong> (spørsmål 1), så svarer du på spørsmålene.</p>"
            return
        answers = {k: rb.value for k, rb in fact_inputs.items()}
        missing = navigator.unanswered(bank, role_id, answers)
        if missing:
            out.value = ("<p role='status'><strong>Svar ja eller nei på alle spørsmålene først.</strong> Du mangler:</p>"
                         + bullet_list(f.question for f in missing))
            return
        if own():
            out.value = advice_html(bank, navigator.advise(bank, role_id, answers))
            return
        v = navigator.grade(bank, pick_sit.value, role_id, answers, {k for k, cb in guesses.items() if cb.value})
        lock(True)  # the answers that were checked stay as they were; a new situation starts afresh
        out.value = verdict_html(bank, v) + ("<p><em>Velg en annen situasjon øverst for å øve mer, eller «Min egen "
                                             "situasjon» for å slå opp pliktene dine.</em></p>")
        record(module, "navigator", "*", v.right, v.total)

    pick_role.observe(build_facts, names="value")
    pick_sit.observe(show_situation, names="value")
    go.on_click(on_go)
    build_facts()
    show_situation()
    parts = []
    if learning:
        parts += [html("<p>Velg en situasjon. Si hvem du er, svar på spørsmålene og kryss av for pliktene du mener "
                         "du har. Du kan også velge din egen situasjon og bruke navigatoren som oppslag.</p>"),
                  pick_sit]
    else:
        pick_sit.value = OWN
    parts += [sit_text, html("<p><strong>1. Din rolle</strong></p>"), pick_role, role_help,
              html("<p><strong>2. Hva vet du om situasjonen?</strong></p>"), facts_box, guess_box, go, out]
    out_box = box(parts)  # the module's section heading («Pliktnavigatoren») names it; the verdict's headings are h3
    out_box.add_class("mh-navigator")
    out_box.add_class("mh-wrap-label")
    return out_box
