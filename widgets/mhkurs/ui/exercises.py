"""The interactive exercises. Each ``show_*`` returns a widget box; logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic import classifier, myths, navigator, quiz, spotter
from ..logic.scenario import ScenarioRun
from .common import Progress, box, bullet_list, button, contact_line, exercise_key, para, record, t, verdict


# --- 1 case scenario player -----------------------------------------------------------
def show_case(case_id: str, module: str | None = None) -> w.VBox:
    bank = get_bank()
    run = ScenarioRun.start(bank, case_id)
    story = w.VBox()
    feedback = w.HTML()
    choices = w.VBox()

    def render() -> None:
        if run.finished:
            choices.children = [debrief_view(run), restart]
            got, most = run.score()
            record(module, "scenario", case_id, got, most)
            return
        step = run.step
        btns = []
        for choice in step.choices:
            b = button(str(choice.label), tooltip=str(choice.label))
            b.on_click(lambda _b, c=choice.id: pick(c))
            btns.append(b)
        choices.children = [para(step.text), w.HTML("<p><strong>Hva gjør du?</strong></p>"),
                            w.VBox(btns, layout=w.Layout(align_items="flex-start"))]

    def pick(choice_id: str) -> None:
        choice = run.choose(choice_id)
        extra = []
        if choice.indicators:
            extra.append("Indikatorer: " + ", ".join(str(bank.indicator(i).text) for i in choice.indicators))
        if choice.duties:
            extra.append("Plikter: " + ", ".join(str(bank.duty(d).title) for d in choice.duties))
        feedback.value = (verdict(choice.quality, f"Du valgte: «{choice.label}». {choice.feedback}")
                          + bullet_list(extra))
        story.children = list(story.children) + [w.HTML(f"<p class='mh-history'>→ {t(choice.label)}</p>")]
        render()

    def do_restart(_b=None) -> None:
        run.restart()
        feedback.value = ""
        story.children = []
        render()

    restart = button("Start på nytt", "Spill scenarioet fra begynnelsen")
    restart.on_click(do_restart)
    case = run.case
    head = [para(case.setting, "p", "mh-setting")]
    if case.kind == "dom":
        head.append(para(f"{case.court}, {case.date}. Anvendt lov: {case.law_applied}. Gjeldende lov i dag: {case.law_today}."))
    render()
    out = box(head + [story, choices, feedback], title=f"Case: {case.title}")
    out.add_class("mh-scenario")
    return out


def debrief_view(run: ScenarioRun) -> w.HTML:
    d = run.debrief()
    case = d["case"]
    got, most = d["score"]
    html = [
        "<h4>Oppsummering</h4>",
        f"<p class='mh-debrief'>{t(case.debrief)}</p>",
        f"<p><strong>Klassifisering:</strong> {t(d['classification'].label)}</p>",
        f"<p><strong>Dine valg:</strong> {got} av {most} poeng.</p>",
    ]
    if d["duties"]:
        html.append("<p><strong>Plikter:</strong></p>" + bullet_list(f"{x.title} ({x.legal_basis})" for x in d["duties"]))
    if d["indicators"]:
        html.append("<p><strong>Indikatorer i saken:</strong></p>" + bullet_list(i.text for i in d["indicators"]))
    html.append("<p class='mh-source'><em>Kilde: " + t("; ".join(f"{s.file}, {s.ref}" for s in case.source)) + "</em></p>")
    return w.HTML("".join(html))


# --- 2 indicator spotter ---------------------------------------------------------------
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
        record(module, "spotter", case_id, got, most)

    check.on_click(on_check)
    return box([para(case.summary), w.HTML("<p>Marker indikatorene du ser i saken.</p>")] + groups + [check, result],
               title=f"Finn indikatorene: {case.title}")


# --- 3 classifier ----------------------------------------------------------------------
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
            record(module, "classifier", "*", sum(results.values()), len(sits))

        pick.observe(on_pick, names="value")
        rows.append(w.VBox([para(q.prompt), pick, fb]))
    return box(rows, title="Hva slags sak er dette?")


# --- 4 myth or fact --------------------------------------------------------------------
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
            record(module, "myths", "*", sum(results.values()), len(stmts))

        yes.on_click(lambda _b, a=answer: a(True))
        no.on_click(lambda _b, a=answer: a(False))
        rows.append(w.VBox([para(f"«{s.text}»"), w.HBox([yes, no]), fb]))
    return box(rows, title="Myte eller fakta?")


# --- 5 duty navigator ------------------------------------------------------------------
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


# --- 6 self-check quiz -----------------------------------------------------------------
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


# --- 7 progress ------------------------------------------------------------------------
EXERCISE_NAMES = {"scenario": "Case", "spotter": "Finn indikatorene", "classifier": "Klassifisering",
                  "myths": "Myte eller fakta", "navigator": "Pliktnavigator", "quiz": "Test deg selv"}


def progress_rows(module_id: str) -> list[tuple[str, str]]:
    bank = get_bank()
    mod = bank.module(module_id)
    done = Progress().module(module_id)
    rows = []
    for ex in mod.exercises:
        name = EXERCISE_NAMES[ex.kind]
        if ex.kind in ("scenario", "spotter"):
            name += f": {bank.case(ex.ref).title}"
        res = done.get(exercise_key(ex.kind, ex.ref))
        rows.append((name, f"✔ ferdig – {res['score']} av {res['max']} poeng" if res else "○ ikke gjort ennå"))
    return rows


def show_progress(module_id: str) -> w.VBox:
    out = w.HTML()
    refresh = button("Oppdater fremdrift", "Vis hvilke øvelser du har gjort")

    def render(_b=None) -> None:
        out.value = bullet_list(f"{name}: {status}" for name, status in progress_rows(module_id))

    refresh.on_click(render)
    render()
    return box([out, refresh], title="Din fremdrift i denne modulen")
