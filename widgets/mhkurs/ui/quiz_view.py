"""The self-check quiz. Logic (order, locking, attempts, grading) lives in ``mhkurs.logic.quiz``."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from .. import record as learner_record
from ..bank import get_bank
from ..logic import quiz
from .common import box, button, checkbox, hbox, html, radio, record, t, vbox

STATUS = {  # symbol and word: never colour alone
    quiz.RIGHT: ("✔", "Riktig"),
    quiz.WRONG: ("✘", "Ikke riktig"),
    quiz.UNANSWERED: ("○", "Ikke besvart"),
}


def _status_html(status: str, text) -> str:
    symbol, word = STATUS[status]
    return f'<p class="mh-verdict"><strong>{symbol} {word}.</strong> {t(text)}</p>'


def _option_lines(a: quiz.Answer, shown: list[tuple[str, object]]) -> str:
    """Every option explains itself, in the order and with the letters the learner saw."""
    items = []
    for letter, o in shown:
        right = o.id in a.question.answer
        mark = "✔ riktig alternativ" if right else "✘ galt alternativ"
        mine = " – ditt valg" if o.id in a.chosen else ""
        items.append(f"<li><strong>{letter}</strong> ({mark}{mine}): {t(o.text)}. <em>{t(o.why)}</em></li>")
    return "<ul>" + "".join(items) + "</ul>"


def show_quiz(topic: str | None = None, ids: list[str] | None = None, module: str | None = None,
              state: dict | None = None, on_change: Callable[[dict], None] | None = None) -> w.VBox:
    """A self-check over practice items. ``state``/``on_change``: restore and save the quiz's state
    (a plain dict from ``QuizState.to_dict``) for the learner record."""
    if module and state is None and on_change is None:  # resume from the learner's record (mhkurs.record)
        return learner_record.resumable(module, learner_record.state_key(module, "quiz", topic or "utvalg"),
                                        lambda st, save: show_quiz(topic, ids, module, st, save))
    bank = get_bank()
    qs = quiz.questions(bank, topic=topic, ids=ids)
    seed = quiz.seed_for(module, topic, ids)
    fits = bool(state) and list(state.get("questions", [])) == [q.id for q in qs]  # else the quiz changed since
    current = {"state": quiz.restore(bank, state) if fits else quiz.start(bank, qs, seed=seed)}
    body = vbox()
    score = html()
    check = button("Sjekk svarene", "Lever svarene og få forklaring. Svarene kan ikke endres etterpå.", "primary")
    retry = button("Prøv igjen", "Nytt forsøk: svaralternativene kommer i ny rekkefølge")
    inputs: list = []

    def changed() -> None:
        if on_change:
            on_change(current["state"].to_dict())

    def chosen(q, ctl) -> list[str]:
        if q.type == "single":
            return [ctl.value] if ctl.value else []
        return [oid for oid, cb in zip(ctl.option_ids, ctl.children) if cb.value]

    def build() -> None:
        st = current["state"]
        inputs.clear()
        rows = []
        for n, qid in enumerate(st.questions, 1):
            q = bank.question(qid)
            shown = quiz.shown(bank, st, qid)
            given = st.answers.get(qid, [])
            hint = "velg ett svar" if q.type == "single" else "velg alle som passer"
            said = any(x in str(q.prompt).lower() for x in ("velg alle", "velg ett", "velg én", "velg ett svar"))
            hint = "" if said else f" <em>({hint})</em>"  # the prompt may say it already
            head = html(f"<p><strong>Spørsmål {n} av {len(st.questions)}.</strong> {t(q.prompt)}{hint}</p>")
            if q.type == "single":
                ctl = radio([(f"{letter}. {o.text}", o.id) for letter, o in shown], f"Svar på spørsmål {n}:",
                            value=given[0] if given else None, tooltip=str(q.prompt))
            else:
                ctl = vbox([checkbox(f"{letter}. {o.text}", o.id in given) for letter, o in shown])
                ctl.option_ids = [o.id for _, o in shown]
            for c in ([ctl] if q.type == "single" else ctl.children):
                c.observe(lambda _ch, q=q, ctl=ctl: draft(q, ctl), names="value")
            # the feedback under a question is made when the quiz is checked (one model less per question
            # in the page's widget state until then)
            group = vbox([head, ctl], "mh-question")
            inputs.append((q, ctl, group))
            rows.append(group)
        body.children = rows
        show_results()

    def draft(q, ctl) -> None:
        """Answers given but not yet submitted are kept too, so a reloaded page shows them."""
        st = current["state"]
        if not st.submitted:
            st.answers[q.id] = chosen(q, ctl)
            changed()

    def lock(locked: bool) -> None:
        for _q, ctl, _fb in inputs:
            for x in ([ctl] if isinstance(ctl, w.RadioButtons) else ctl.children):
                x.disabled = locked
        check.disabled = locked
        retry.disabled = not locked

    def show_results() -> None:
        st = current["state"]
        if not st.submitted:
            score.value = ""
            lock(False)
            return
        answers = quiz.results(bank, st)
        for a, (q, _ctl, group) in zip(answers, inputs):
            value = _status_html(a.status, q.explanation) + _option_lines(a, quiz.shown(bank, st, q.id))
            if len(group.children) > 2:
                group.children[2].value = value
            else:
                group.children = [*group.children, html(value)]
        got, most = quiz.total(answers)
        missing = sum(1 for a in answers if not a.answered)
        rest = f" {missing} spørsmål er ikke besvart." if missing else ""
        if missing and module:  # recorded as started, not done (mhkurs.logic.progress): say so here too
            rest = f" {missing} spørsmål er ikke besvart, så testen teller ikke som ferdig i fremdriften din ennå."
        # focus moves to the score (mhkurs.js: data-mh-focus): the pressed «Sjekk svarene» is now disabled, and
        # focus on a disabled button would drop to the page body (found in Chromium's accessibility tree)
        score.value = (f"<p role='status' tabindex='-1' data-mh-focus><strong>Poeng: {got} av {most}.</strong>{rest} "
                       "Svarene er låst. Trykk «Prøv igjen» for et nytt forsøk med alternativene i ny rekkefølge.</p>")
        lock(True)

    def on_check(_b) -> None:
        st = current["state"]
        if st.submitted:
            return
        quiz.submit(st, {q.id: chosen(q, ctl) for q, ctl, _fb in inputs})
        show_results()
        answers = quiz.results(bank, st)
        if any(a.answered for a in answers):  # an empty submission is not a result
            got, most = quiz.total(answers)
            record(module, "quiz", topic or "utvalg", got, most, answered=sum(a.answered for a in answers),
                   items=len(answers), missed=[a.question.id for a in answers if a.answered and not a.correct],
                   right=[a.question.id for a in answers if a.correct])
        changed()

    def on_retry(_b) -> None:
        current["state"] = quiz.retry(bank, current["state"])
        build()
        changed()

    check.on_click(on_check)
    retry.on_click(on_retry)
    build()
    view = box([body, hbox([check, retry]), score], title="Test deg selv")
    view.add_class("mh-quiz")
    view.quiz_state = lambda: current["state"]  # for the learner record (resume)
    return view
