"""The learner's progress: the box at the bottom of each module and the landing page's overview.

Both are filled when the learner's page has connected (``record.on_ready``) and redrawn whenever a
result is recorded (``record.on_change``): no button, and never what a preheated kernel saw before
the learner arrived. Logic lives in ``mhkurs.logic.progress`` and ``mhkurs.record``.
"""

from __future__ import annotations

from datetime import datetime

import ipywidgets as w

from .. import record
from ..bank import get_bank
from ..logic import progress as rules
from ..record import certificate, course_test, refresher
from .common import box, button, case_name, case_title, hbox, html, progress_bar, t, vbox

EXERCISE_NAMES = {"scenario": "Sak", "spotter": "Finn indikatorene", "classifier": "Klassifisering",
                  "myths": "Myte eller fakta", "navigator": "Pliktnavigator", "quiz": "Test deg selv",
                  "question_choice": "Velg det beste spørsmålet"}
WAITING = "<p class='mh-waiting'>Henter fremdriften din …</p>"

# The learner record's pages, in course/ next to the landing page.
PAGES = {"pre": "forhandstest.ipynb", "post": "sluttest.ipynb", "certificate": "kursbevis.ipynb",
         "fieldcard": "feltkort.ipynb", "refresher": "repetisjon.ipynb", "landing": "index.ipynb"}


def course_href(page: str) -> str:
    return PAGES[page]  # the record's pages sit next to the landing page in course/


def module_href(mod) -> str:
    return "../" + mod.notebook  # the landing page and the modules are both one folder deep


def exercise_name(bank, kind: str, ref: str) -> str:
    if kind == "scenario":
        return case_title(bank.case(ref))
    if kind == "spotter":
        return f"{EXERCISE_NAMES[kind]}: {case_name(bank.case(ref))}"
    return EXERCISE_NAMES[kind]


def status_text(st: rules.ExerciseStatus) -> str:
    if st.done:
        best, last = st.best, st.latest
        text = f"✔ ferdig – beste resultat {best.score} av {best.max} poeng"
        if last and last != best:
            text += f", siste forsøk {last.score} av {last.max}"
        return text
    if st.latest:
        how = ("Trykk «Prøv igjen» og svar på alle spørsmålene for å bli ferdig" if st.kind == "quiz"
               else "Svar på alle for å bli ferdig")  # a checked quiz is locked: only a new attempt can finish it
        return f"◐ påbegynt, ikke ferdig – {st.latest.answered} av {st.latest.items} besvart. {how}"
    return "○ ikke gjort ennå"


def progress_rows(module_id: str, data: dict | None = None) -> list[tuple[str, str]]:
    bank = get_bank()
    data = data if data is not None else record.current().data()
    return [(exercise_name(bank, st.kind, st.ref), status_text(st))
            for st in rules.module_status(bank, data, module_id)]


def module_progress_html(module_id: str, data: dict) -> str:
    bank = get_bank()
    rows = progress_rows(module_id, data)
    done = rules.module_done(bank, data, module_id)
    items = "".join(f"<li>{t(name)}: {t(status)}</li>" for name, status in rows)
    started = sum(s.startswith("◐") for _n, s in rows)
    # an exercise handed in with items left unanswered is started, not done: say so, or «0 av 3 ferdige» after a
    # checked quiz reads like a fault
    begun = (f" {started} er påbegynt, men ikke ferdig: en øvelse er ferdig når alt i den er besvart." if started
             else "")
    head = ("<p><strong>✔ Du har fullført denne modulen.</strong> " + next_link(bank, module_id) + "</p>" if done else
            f"<p>{sum(s.startswith('✔') for _n, s in rows)} av {len(rows)} øvelser er ferdige.{begun}</p>")
    return f"<div class='mh-progress' role='status' aria-live='polite'>{head}<ul>{items}</ul></div>"


def next_link(bank, module_id: str) -> str:
    """Where to go after a finished module (from a page in modules/): the next module, or the post-test."""
    mods = rules.modules_in_order(bank)
    i = [m.id for m in mods].index(module_id)
    if i + 1 < len(mods):
        nxt = mods[i + 1]
        return f"Neste: <a href='{t(module_href(nxt))}'>Modul {nxt.number}: {t(nxt.title)}</a>."
    if "post" in course_test.course_tests(bank):
        return f"Neste: <a href='../course/{course_href('post')}'>sluttesten</a>."
    return "<a href='../course/index.ipynb'>Tilbake til kursets forside</a>."


def live(render) -> w.HTML:
    """An HTML widget filled by ``render(data)`` when the record is read and after every change."""
    out = html(WAITING)
    rec = record.current()

    def update() -> None:
        if rec.ready:
            out.value = render(rec.data())

    rec.on_ready(update)
    rec.on_change(update)
    return out


def show_progress(module_id: str) -> w.VBox:
    get_bank().module(module_id)  # a clear error for an unknown module id
    out = live(lambda data: module_progress_html(module_id, data))
    out_box = box([out, record.bridge()])  # the module's «Din fremdrift» heading names it: no second title
    out_box.add_class("mh-progress-box")
    return out_box


# --- the landing page ---------------------------------------------------------------------------


def next_step(bank, data: dict, now: datetime) -> tuple[str, str, str]:
    """(label, href, why) of the one thing the landing page offers under «Fortsett»."""
    tests = course_test.course_tests(bank)
    nothing_yet = not any(data["exercises"].values()) and not data["tests"]
    if nothing_yet and "pre" in tests:
        return ("Start med forhåndstesten", course_href("pre"),
                "Den viser hva du kan før kurset. Etterpå begynner du på modul 1.")
    nxt = rules.next_exercise(bank, data)
    if nxt:
        mod, st = nxt
        return (f"Fortsett: Modul {mod.number} – {exercise_name(bank, st.kind, st.ref)}", module_href(mod),
                f"Modul {mod.number} av {len(bank.all('modules'))}: «{mod.title}»")
    stand = certificate.standing(bank, data)
    if stand.post_test and not stand.earned:
        return ("Ta sluttesten", course_href("post"),
                f"Du har fullført alle modulene. Sluttesten er bestått med minst {stand.post_test.pass_mark} %.")
    due = refresher.due_now(data.get("completed_at"), data["refreshers"], now)
    if due:
        return ("Ta repetisjonen", course_href("refresher"), "En kort repetisjon venter på deg.")
    if stand.earned:
        return ("Skriv ut kursbeviset", course_href("certificate"), "Du har fullført kurset og bestått sluttesten.")
    return ("Se kursbeviset", course_href("certificate"), "Du har fullført alle modulene.")


def landing_html(data: dict, now: datetime) -> str:
    bank = get_bank()
    mods = rules.modules_in_order(bank)
    label, href, why = next_step(bank, data, now)
    parts = ["<div class='mh-continue'><h2>Fortsett der du slapp</h2>",
             f"<p><a class='mh-continue-link' href='{t(href)}'>{t(label)} →</a></p><p>{t(why)}</p></div>"]
    due = refresher.due_now(data.get("completed_at"), data["refreshers"], now)
    nxt = refresher.upcoming(data.get("completed_at"), data["refreshers"])
    if due:
        parts.append(f"<p class='mh-refresher' role='status'><strong>Repetisjon {due.number} venter på deg.</strong> "
                     f"<a href='{course_href('refresher')}'>Ta repetisjonen nå</a> (fem spørsmål).</p>")
    elif nxt:
        parts.append(f"<p class='mh-refresher'>Neste repetisjon: {certificate.norwegian_date(nxt.at)}.</p>")
    total = sum(m.minutes for m in mods)
    parts.append(f"<h2>Modulene</h2><p>Kurset har {len(mods)} moduler, til sammen omtrent {total} minutter.</p>"
                 "<ol class='mh-modules'>")
    tests = course_test.course_tests(bank)
    for mod in mods:
        status = rules.module_status(bank, data, mod.id)
        done = sum(s.done for s in status)
        mark = "✔ " if done == len(status) else ("◐ " if done else "○ ")
        parts.append(f"<li><h3><a href='{t(module_href(mod))}'>Modul {mod.number}: {t(mod.title)}</a></h3>"
                     f"<p class='mh-meta'>{mod.minutes} min · <span class='mh-progress'>{mark}Fremdrift: {done} av "
                     f"{len(status)} øvelser gjort.</span></p>" + progress_bar(done, len(status))
                     + "<p>Etter modulen skal du kunne:</p><ul>"
                     + "".join(f"<li>{t(o.text)}</li>" for o in mod.objectives) + "</ul></li>")
    parts.append("</ol>")
    extra = []
    for kind, name in (("pre", "Forhåndstest (før modul 1)"), ("post", "Sluttest (etter modul 9)")):
        if kind in tests:
            best = (data["tests"].get(tests[kind].id) or {}).get("best")
            state = f" – tatt: {best['got']} av {best['most']} poeng" if best else " – ikke tatt ennå"
            if best and kind == "post":
                state += ", bestått" if best.get("passed") else ", ikke bestått ennå"
            extra.append(f"<li><a href='{course_href(kind)}'>{name}</a>{t(state)}</li>")
    extra.append(f"<li><a href='{course_href('certificate')}'>Kursbevis</a> – når alle modulene er fullført "
                 "og sluttesten er bestått</li>")
    extra.append(f"<li><a href='{course_href('refresher')}'>Repetisjon</a> – om en uke og om en måned etter "
                 "fullført kurs</li>")
    extra.append(f"<li><a href='{course_href('fieldcard')}'>Feltkort</a> – plikter og telefonnumre på én side, "
                 "til utskrift</li>")
    parts.append("<h2>Tester, kursbevis og feltkort</h2><ul class='mh-course-pages'>" + "".join(extra) + "</ul>")
    return "<div class='mh-landing-progress'>" + "".join(parts) + "</div>"


def my_data_box() -> w.VBox:
    """«Dine data»: where the record is, export it («Last ned»), delete it («Slett mine data»)."""
    rec = record.current()
    where = html()

    def say_where() -> None:
        if getattr(rec.store, "lms", False):
            where.value = (f"<p>Fremdriften din lagres {t(rec.store.where)}. Læringsplattformen viser også om du har "
                           "fullført kurset og hvor mange prosent du fikk på sluttesten.</p>")
        else:
            where.value = f"<p>Fremdriften din lagres {t(rec.store.where)}. Ingen andre ser den.</p>"

    say_where()
    record.on_ready(say_where)
    msg = html()
    download = button("Last ned", "Last ned det som er lagret om deg (en JSON-fil)")
    delete = button("Slett mine data", "Slett fremdrift, svar og testresultater", "danger")
    confirm = button("Ja, slett alt", "Slett alt som er lagret om deg nå", "danger")
    cancel = button("Avbryt", "Ikke slett")
    ask = w.HBox([confirm, cancel], layout=w.Layout(display="none"))

    def on_download(_b) -> None:
        record.bridge().download("mhkurs-mine-data.json")
        msg.value = ("<p role='status'>Filen <strong>mhkurs-mine-data.json</strong> lastes ned. Den inneholder "
                     "resultatene dine, svarene du har gitt og testene du har tatt.</p>")

    def on_delete(_b) -> None:
        ask.layout.display = "flex"
        msg.value = ("<p role='status'><strong>Vil du slette alt?</strong> Fremdrift, svar og testresultater "
                     "slettes for godt og kan ikke hentes tilbake. Last ned først hvis du vil ta vare på dem.</p>")

    def on_confirm(_b) -> None:
        rec.clear()
        ask.layout.display = "none"
        msg.value = ("<p role='status'><strong>Dataene dine er slettet.</strong> Kurset starter på nytt for deg: "
                     "begynn med forhåndstesten eller modul 1. Sider du har åpne i andre faner, viser de "
                     "gamle svarene til du laster dem på nytt.</p>")

    def on_cancel(_b) -> None:
        ask.layout.display = "none"
        msg.value = "<p role='status'>Ingenting er slettet.</p>"

    download.on_click(on_download)
    delete.on_click(on_delete)
    confirm.on_click(on_confirm)
    cancel.on_click(on_cancel)
    return box([where, hbox([download, delete]), ask, msg], title="Dine data", cls="mh-my-data")


def show_landing() -> w.VBox:
    """The course's front page: «Fortsett», the modules with progress, tests, certificate, field card."""
    rec = record.current()
    overview = live(lambda data: landing_html(data, rec.clock()))
    overview.add_class("mh-content")
    return vbox([overview, my_data_box(), record.bridge()], "mh-landing")
