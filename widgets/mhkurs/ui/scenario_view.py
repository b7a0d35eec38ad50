"""The case scenario player, laid out as a story: every step taken stays on the page with the choice made
and its feedback right under it; the next step follows below and takes the keyboard focus (the template
moves focus to ``[data-mh-focus]`` and announces new feedback in its live region). The debrief reviews
the learner's own path. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from ..logic.scenario import ScenarioRun, branches
from ..logic.sources import cite
from .. import record as learner_record
from .common import box, bullet_list, button, case_title, html, para, record, t, vbox, verdict


def step_now_html(number: int, text) -> str:
    return (f"<div class='mh-step mh-step-now'><h4 tabindex='-1' data-mh-focus>Steg {number}</h4>"
            f"<p>{t(text)}</p><p><strong>Hva gjør du?</strong></p></div>")


def step_done_html(bank, number: int, step, choice) -> str:
    """A step already taken: its text, the choice made, and the feedback directly under it."""
    extra = []
    if choice.indicators:
        extra.append("Indikatorer: " + ", ".join(str(bank.indicator(i).text) for i in choice.indicators))
    if choice.duties:
        extra.append("Plikter: " + ", ".join(str(bank.duty(d).title) for d in choice.duties))
    return (f"<div class='mh-step mh-step-done'><h4>Steg {number}</h4><p>{t(step.text)}</p>"
            f"<p class='mh-chosen'>{t(choice.label)}</p>"
            + verdict(choice.quality, choice.feedback) + (bullet_list(extra) if extra else "") + "</div>")


def show_case(case_id: str, module: str | None = None) -> w.VBox:
    bank = get_bank()
    run = ScenarioRun.start(bank, case_id)
    story = vbox((), "mh-story")      # steps already taken, oldest first
    current = vbox()    # the step to decide now, or the debrief
    key = learner_record.state_key(module, "scenario", case_id)
    resuming = [False]

    def save() -> None:
        if not resuming[0]:
            learner_record.save_state(module, key, {"path": [[x.step.id, x.choice.id] for x in run.taken]})

    def render_current() -> None:
        if run.finished:
            got, most = run.score()
            if not resuming[0]:
                record(module, "scenario", case_id, got, most)
            current.children = [debrief_view(run), restart]
            return
        btns = []
        for choice in run.step.choices:
            b = button(str(choice.label))
            b.on_click(lambda _b, c=choice.id: pick(c))
            btns.append(b)
        choices = vbox(btns, "mh-choice-list")
        current.children = [html(step_now_html(len(run.taken) + 1, run.step.text)), choices]

    def pick(choice_id: str) -> None:
        if run.finished:
            return
        step = run.step
        choice = run.choose(choice_id)
        done = html(step_done_html(bank, len(run.taken), step, choice))
        story.children = list(story.children) + [done]
        save()
        render_current()

    def do_restart(_b=None) -> None:
        run.restart()
        story.children = []
        save()
        render_current()

    def resume() -> None:
        """Back to where the learner was: replay the saved path (the record is read by now)."""
        path = (learner_record.load_state(module, key) or {}).get("path") or []
        resuming[0] = True
        try:
            for step_id, choice_id in path:
                if run.finished or run.current != step_id:
                    break
                pick(choice_id)
        except ValueError:
            pass  # the case changed since: keep what still fits
        finally:
            resuming[0] = False

    restart = button("Spill saken på nytt", "Start scenarioet fra begynnelsen")
    restart.on_click(do_restart)
    case = run.case
    head = [para(case.setting, "p", "mh-setting")]
    if case.scenario.note:
        head.append(para(case.scenario.note, "p", "mh-scenario-note"))
    if case.kind == "dom":
        head.append(para(f"{case.court}, {case.date}. Anvendt lov: {case.law_applied}. "
                         f"Gjeldende lov i dag: {case.law_today}."))
    note = ("Valgene dine påvirker hva som skjer videre." if branches(case)
            else "Saken går videre steg for steg; hvert valg du tar, får en vurdering.")
    head.append(para(note, "p", "mh-story-note"))
    render_current()
    learner_record.on_ready(resume)
    out = box(head + [story, current], title=case_title(case))
    out.add_class("mh-scenario")
    return out


def debrief_view(run: ScenarioRun) -> w.HTML:
    d = run.debrief()
    case = d["case"]
    got, most = d["score"]
    parts = [
        "<div class='mh-debrief-box'><h4 tabindex='-1' data-mh-focus>Oppsummering</h4>",
        f"<p data-mh-announce='Saken er ferdig. Dine valg: {got} av {most} poeng.'>"
        f"<strong>Dine valg:</strong> {got} av {most} poeng.</p>",
        review_html(d["review"]),
        f"<p class='mh-debrief'>{t(case.debrief)}</p>",
        f"<p><strong>Klassifisering:</strong> {t(d['classification'].label)}</p>",
    ]
    if d["duties"]:
        parts.append("<p><strong>Plikter:</strong></p>" + bullet_list(f"{x.title} ({x.legal_basis})" for x in d["duties"]))
    if d["indicators"]:
        parts.append("<p><strong>Indikatorer i saken:</strong></p>" + bullet_list(i.text for i in d["indicators"]))
    parts.append("<p class='mh-source'><em>Kilde: " + t(cite(get_bank(), case.source)) + "</em></p></div>")
    return html("".join(parts))


QUALITY_LABEL = {"god": "✔ Godt valg", "delvis": "◐ Delvis riktig", "svak": "✘ Svakt valg"}  # symbol + word


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
