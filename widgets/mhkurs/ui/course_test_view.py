"""The course pre-test and post-test pages: answer all, hand in, see the result per objective and
what you knew before and after. Scoring lives in ``mhkurs.record.course_test``."""

from __future__ import annotations

from datetime import datetime

import ipywidgets as w

from .. import record
from ..bank import get_bank
from ..record import certificate, course_test
from .common import box, button, checkbox, hbox, html, radio, t, vbox, verdict
from .progress_view import module_href

NAMES = {"pre": "forhåndstesten", "post": "sluttesten"}


def comparison_html(bank, pre: dict | None, post: dict | None) -> str:
    """What the learner knew before and after, per objective."""
    rows = course_test.compare(bank, pre, post)
    if not rows:
        return ""

    def cell(s) -> str:
        return f"{s.got} av {s.most}" if s else "–"

    def head(label: str, res: dict | None) -> str:
        form = course_test.form_label(res)
        return f"{label}<br><span class='mh-form'>({t(form)})</span>" if form else label

    body = "".join(f"<tr><td>{t(mod)}</td><td>{t(obj)}</td><td>{cell(a)}</td><td>{cell(b)}</td></tr>"
                   for mod, obj, a, b in rows)
    total = (f"<p><strong>Totalt:</strong> før kurset {pre['got']} av {pre['most']} poeng" if pre else
             "<p><strong>Totalt:</strong> forhåndstesten er ikke tatt")
    total += (f", etter kurset {post['got']} av {post['most']} poeng.</p>" if post else
              "; sluttesten er ikke tatt ennå.</p>")
    return ("<h4>Hva du kunne før og etter kurset</h4><table class='mh-compare'>"
            "<caption>Riktige poeng per læringsmål</caption>"
            f"<thead><tr><th scope='col'>Modul</th><th scope='col'>Læringsmål</th><th scope='col'>{head('Før kurset', pre)}</th>"
            f"<th scope='col'>{head('Etter kurset', post)}</th></tr></thead><tbody>{body}</tbody></table>{total}{forms_note(pre, post)}")


def forms_note(pre: dict | None, post: dict | None) -> str:
    """Says that the two tests were parallel forms, and which the learner took when."""
    if not (pre or {}).get("form") and not (post or {}).get("form"):
        return ""
    def when(r: dict) -> str:
        return f" ({certificate.norwegian_date(datetime.fromisoformat(r['at']))})" if r.get("at") else ""

    taken = [f"{course_test.form_label(r)} {what}{when(r)}" for what, r in (("før kurset", pre), ("etter kurset", post))
             if r and r.get("form")]
    return ("<p>Forhåndstesten og sluttesten er to likeverdige utgaver (form A og form B) med ulike saker om de "
            f"samme læringsmålene. Du tok {t(' og '.join(taken))}.</p>")


def result_html(bank, test, res: dict, data: dict) -> str:
    tests = course_test.course_tests(bank)
    other = {k: (data["tests"].get(v.id) or {}).get("best") for k, v in tests.items()}
    other[test.kind] = res
    said = f"Resultat: {res['got']} av {res['most']} poeng ({res['percent']} %)."
    # focus moves to the result (mhkurs.js: data-mh-focus): «Lever testen» is hidden once pressed, and focus on a
    # hidden button would drop to the page body; the live region reads the result (data-mh-announce)
    parts = [f"<p role='status' tabindex='-1' data-mh-focus data-mh-announce='{t(said)}'><strong>{t(said)}</strong></p>"]
    if test.kind == "post":
        if res.get("passed"):
            parts.append(verdict(True, f"Du har bestått sluttesten (kravet er {test.pass_mark} %)."))
            parts.append("<p>Neste steg: <a href='kursbevis.ipynb'>hent kursbeviset ditt</a>.</p>")
        else:
            why = [f"kravet er {test.pass_mark} % riktig"] + [f"{r}: ikke nok riktige" for r in res.get("failed_rules", [])]
            parts.append(verdict(False, f"Du har ikke bestått ennå ({'; '.join(why)})."))
            weak = weak_modules(bank, res)
            if weak:
                parts.append("<p>Gå gjennom disse modulene igjen, og ta så testen på nytt:</p><ul>" + "".join(
                    f"<li><a href='{t(module_href(m))}'>Modul {m.number}: {t(m.title)}</a></li>" for m in weak) + "</ul>")
    else:
        parts.append("<p>Forhåndstesten har ingen grense for å bestå: den viser hva du kunne før kurset. "
                     "Neste steg: <a href='../modules/01-hva-er-menneskehandel.ipynb'>begynn på modul 1</a>.</p>")
    parts.append(comparison_html(bank, other.get("pre"), other.get("post")))
    return "<div class='mh-links'>" + "".join(parts) + "</div>"


def weak_modules(bank, res: dict) -> list:
    objs = course_test.objectives(bank)
    weak = {objs[o][0].id: objs[o][0] for o, (g, m) in res["per_objective"].items() if o in objs and g < m}
    return sorted(weak.values(), key=lambda m: m.number)


def show_course_test(kind: str) -> w.VBox:
    """The pre-test (``"pre"``) or post-test (``"post"``) page."""
    bank = get_bank()
    test = course_test.course_tests(bank).get(kind)
    if test is None:
        return box([html("<p>Denne testen er ikke lagt inn i kursinnholdet ennå. Gå videre med modulene fra "
                           "<a href='index.ipynb'>kursets forside</a>.</p>"), record.bridge()],
                   title="Testen er ikke klar")
    rec = record.current()
    intro = [f"<p>{t(test.intro)}</p>", f"<p>Testen har {len(test.questions)} spørsmål. Svar på alle, og trykk «Lever testen».</p>"]
    if kind == "post":
        intro.append(f"<p><strong>For å bestå må du ha minst {test.pass_mark} % riktig.</strong></p>")
        rules_ = [f"{r.label} (minst {r.min_percent} % riktig på spørsmålene om dette)" for r in test.pass_rules]
        if rules_:
            intro.append("<p>I tillegg:</p><ul>" + "".join(f"<li>{t(r)}</li>" for r in rules_) + "</ul>")
    key = f"course-test:{test.id}"
    controls: list = []
    questions = w.VBox([])
    busy = [False]
    shown_form = [None]

    def build(form_test) -> None:
        """The question rows of the form this learner takes (the bank's own list until the record is read)."""
        rows = []
        controls.clear()
        for n, q in enumerate((bank.question(q) for q in form_test.questions), 1):
            if q.type == "single":
                ctl = radio([(f"{o.id}. {o.text}", o.id) for o in q.options])
            else:
                ctl = vbox([checkbox(f"{o.id}. {o.text}") for o in q.options])
            ctl.option_ids = [o.id for o in q.options]
            hint = " (velg ett)" if q.type == "single" else " (velg alle som passer)"
            controls.append((q, ctl))
            rows.append(vbox([html(f"<p><strong>{n}. {t(q.prompt)}</strong>{hint}</p>"), ctl], "mh-question"))
            for c in ([ctl] if q.type == "single" else ctl.children):
                c.observe(save, names="value")
        questions.children = rows
        shown_form[0] = form_test

    def chosen(q, ctl) -> list[str]:
        if q.type == "single":
            return [ctl.value] if ctl.value else []
        return [oid for oid, cb in zip(ctl.option_ids, ctl.children) if cb.value]

    def answers() -> dict[str, list[str]]:
        return {q.id: chosen(q, c) for q, c in controls}

    def save(_change=None) -> None:
        if not busy[0]:
            rec.save_state("course", key, {"answers": answers()})

    build(test)
    result = html()
    hand_in = button("Lever testen", f"Lever {NAMES[kind]} og se resultatet", "primary", own_layout=True)
    again = button("Ta testen på nytt", "Blank ut svarene og ta testen igjen", own_layout=True)
    again.layout.display = "none"

    def on_hand_in(_b) -> None:
        given = answers()
        left = [n for n, (q, _c) in enumerate(controls, 1) if not given[q.id]]
        if left:
            result.value = (f"<p role='alert'>Du har ikke svart på spørsmål {', '.join(map(str, left))}. "
                            "Svar på alle før du leverer.</p>")
            return
        res = course_test.score(bank, shown_form[0], given)
        res["at"] = rec.clock().isoformat(timespec="seconds")
        rec.save_test(test.id, res, course_test.better)
        show_result(res)

    def show_result(res: dict) -> None:
        questions.layout.display = "none"
        hand_in.layout.display = "none"
        again.layout.display = "flex"
        when = certificate.norwegian_date(datetime.fromisoformat(res["at"])) if res.get("at") else ""
        form = f" ({course_test.form_label(res)})" if res.get("form") else ""
        result.value = ((f"<p>Du leverte {NAMES[kind]}{form} {when}.</p>" if when else "")
                        + result_html(bank, test, res, rec.data()))

    def on_again(_b) -> None:
        busy[0] = True
        for q, ctl in controls:
            if q.type == "single":
                ctl.value = None
            else:
                for cb in ctl.children:
                    cb.value = False
        busy[0] = False
        save()
        questions.layout.display = "flex"
        hand_in.layout.display = "flex"
        again.layout.display = "none"
        result.value = ""

    def restore() -> None:
        mine = course_test.for_learner(bank, kind, course_test.ensure_order(bank, rec))
        if list(mine.questions) != list(shown_form[0].questions) or getattr(mine, "form", None) != getattr(
                shown_form[0], "form", None):
            busy[0] = True
            build(mine)
            busy[0] = False
        latest = (rec.data()["tests"].get(test.id) or {}).get("latest")
        saved = rec.load_state("course", key) or {}
        busy[0] = True
        for q, ctl in controls:
            picked = set(saved.get("answers", {}).get(q.id, []))
            if q.type == "single":
                ctl.value = next(iter(picked)) if len(picked) == 1 and picked <= set(ctl.option_ids) else None
            else:
                for oid, cb in zip(ctl.option_ids, ctl.children):
                    cb.value = oid in picked
        busy[0] = False
        if latest and (not saved.get("answers") or saved.get("answers") == latest.get("answers")):
            show_result(latest)  # the test was handed in (a retake under way shows its answers instead)

    hand_in.on_click(on_hand_in)
    again.on_click(on_again)
    rec.on_ready(restore)
    out = box([html("".join(intro)), questions, hbox([hand_in, again]), result, record.bridge()],
              title=str(test.title))
    out.add_class("mh-course-test")
    return out
