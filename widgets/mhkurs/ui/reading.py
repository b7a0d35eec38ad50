"""Reading text as HTML display output, not as widgets: Voila sends it inside the page's HTML.

A module's reading text (concepts, borders, indicators, duties, the module header with its menu and
pager, sources) and the landing page's map of the course are rendered from the bank here, in the
kernel, once. The course template writes HTML outputs straight into the page, so the text is there
before any script runs, with JavaScript switched off too, and the widget manager has less to do.
Only what the learner acts on stays an ipywidget.
"""

from __future__ import annotations

from html import escape

from ..bank import get_bank
from .common import t


class Reading:
    """HTML from the bank, displayed as a ``text/html`` output inside a ``<div class="…">``.

    ``value`` is the inner HTML (as ``ipywidgets.HTML.value``), so code that reads a view's text works
    for reading text and widgets alike.
    """

    def __init__(self, html: str, cls: str = "mh-content") -> None:
        self.value = html
        self.cls = cls

    def _repr_html_(self) -> str:
        return f'<div class="{escape(self.cls)}">{self.value}</div>'

    def __repr__(self) -> str:  # what a plain-text front end shows
        return f"<Reading {self.cls}: {len(self.value)} characters of HTML>"


def reading(parts: list[str] | str, cls: str = "mh-content") -> Reading:
    return Reading(parts if isinstance(parts, str) else "".join(parts), cls)


def show_course_map() -> Reading:
    """The landing page's way into the course, as plain links: the modules in order (time and
    objectives) and the course's other pages. The learner's progress comes with the page's widgets and
    takes this map's place when it has been read (the template's script swaps them)."""
    from .progress_view import PAGES  # noqa: PLC0415 (the progress views import this module's siblings)

    bank = get_bank()
    mods = sorted(bank.all("modules"), key=lambda m: m.number)
    total = sum(m.minutes for m in mods)
    parts = [f"<h2>Modulene</h2><p>Kurset har {len(mods)} moduler, til sammen omtrent {total} minutter. "
             "Ta dem i rekkefølge.</p><ol class='mh-modules'>"]
    for mod in mods:
        parts.append(f"<li><h3><a href='../{t(mod.notebook)}'>Modul {mod.number}: {t(mod.title)}</a></h3>"
                     f"<p class='mh-meta'>{mod.minutes} min</p><p>Etter modulen skal du kunne:</p><ul>"
                     + "".join(f"<li>{t(o.text)}</li>" for o in mod.objectives) + "</ul></li>")
    parts.append("</ol><h2>Tester, kursbevis og feltkort</h2><ul class='mh-course-pages'>"
                 f"<li><a href='{PAGES['pre']}'>Forhåndstest (før modul 1)</a></li>"
                 f"<li><a href='{PAGES['post']}'>Sluttest (etter modul 9)</a></li>"
                 f"<li><a href='{PAGES['certificate']}'>Kursbevis</a> – når alle modulene er fullført og "
                 "sluttesten er bestått</li>"
                 f"<li><a href='{PAGES['refresher']}'>Repetisjon</a> – om en uke og om en måned etter "
                 "fullført kurs</li>"
                 f"<li><a href='{PAGES['fieldcard']}'>Feltkort</a> – plikter og telefonnumre på én side, "
                 "til utskrift</li></ul>")
    return reading(parts, "mh-content mh-course-map")
