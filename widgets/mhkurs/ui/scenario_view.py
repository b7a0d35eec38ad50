"""The case scenario player: a story that branches on the learner's choices. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic.scenario import ScenarioRun, branches
from ..logic.sources import cite
from .common import box, bullet_list, button, para, record, t, verdict


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
    if case.scenario.note:
        head.append(para(case.scenario.note, "p", "mh-scenario-note"))
    if branches(case):
        head.append(para("Valgene dine påvirker hva som skjer videre.", "p", "mh-branches"))
    if case.kind == "dom":
        head.append(para(f"{case.court}, {case.date}. Anvendt lov: {case.law_applied}. Gjeldende lov i dag: {case.law_today}."))
    render()
    out = box(head + [story, choices, feedback], title=f"Sak: {case.title}")
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
    html.append(review_html(d["review"]))
    if d["duties"]:
        html.append("<p><strong>Plikter:</strong></p>" + bullet_list(f"{x.title} ({x.legal_basis})" for x in d["duties"]))
    if d["indicators"]:
        html.append("<p><strong>Indikatorer i saken:</strong></p>" + bullet_list(i.text for i in d["indicators"]))
    html.append("<p class='mh-source'><em>Kilde: " + t(cite(get_bank(), case.source)) + "</em></p>")
    return w.HTML("".join(html))


QUALITY_LABEL = {"god": "Godt valg", "delvis": "Delvis riktig", "svak": "Svakt valg"}


def review_html(review) -> str:
    """The learner's own path, choice by choice, with the better choice where one was not good."""
    items = []
    for r in review:
        line = (f"<li class='mh-review-{r.quality}'><strong>{QUALITY_LABEL[r.quality]}:</strong> "
                f"«{t(r.choice.label)}» – {t(r.feedback)}")
        if r.better is not None:
            line += f"<br><em>Bedre valg:</em> «{t(r.better.label)}» – {t(r.better_why)}"
        items.append(line + "</li>")
    return "<p><strong>Gjennomgang av valgene dine:</strong></p><ol class='mh-review'>" + "".join(items) + "</ol>"
