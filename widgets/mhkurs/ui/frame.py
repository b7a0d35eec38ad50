"""The course frame on every module page: the module menu with each module's state, previous/next module,
and at the end of a module a summary of how it went and the way on. Small rendering functions, so the
landing page (and the learner record) can reuse them; states come from the progress functions."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w

from ..bank import get_bank
from .. import record
from ..logic import progress as rules
from .common import html, on_record, progress_bar, t
from .progress_view import progress_rows

LANDING_HREF = "../course/index.ipynb"


@dataclass(frozen=True)
class ModuleState:
    done: int
    total: int
    score: int
    max_score: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def label(self) -> str:
        """Symbol and words, never colour alone."""
        if self.complete:
            return "✔ Fullført"
        if self.done:
            return f"◐ Påbegynt: {self.done} av {self.total} øvelser"
        return "○ Ikke startet"


def modules() -> list:
    return sorted(get_bank().all("modules"), key=lambda m: m.number)


def module_state(module_id: str, data: dict | None = None) -> ModuleState:
    """A module's state in the learner's record (``data``; default: this kernel's record as it is now)."""
    data = record.current().data() if data is None else data
    return ModuleState(*rules.module_summary(get_bank(), data, module_id))


def href(mod) -> str:
    """Link to a module page from another page one folder deep (modules/ or course/)."""
    return "../" + t(mod.notebook)


def module_name(mod) -> str:
    return f"Modul {mod.number}: {t(mod.title)}"


def module_menu(current_id: str | None = None, data: dict | None = None) -> str:
    """The module menu: a <nav> with every module, its state in the learner's record ``data`` (none shown
    while the record has not been read), and previous/next around the current one."""
    mods = modules()
    ids = [m.id for m in mods]
    items = []
    for mod in mods:
        if mod.id == current_id:
            link = f"<a href='{href(mod)}' aria-current='page' class='mh-current'>{module_name(mod)}</a>"
        else:
            link = f"<a href='{href(mod)}'>{module_name(mod)}</a>"
        state = f" <span class='mh-state'>{module_state(mod.id, data).label}</span>" if data is not None else ""
        items.append(f"<li>{link}{state}</li>")
    where = ""
    if current_id in ids:
        where = f" (du er i modul {ids.index(current_id) + 1} av {len(ids)})"
    # the count of finished modules is inside the menu, not in its summary line: the summary is the same before
    # and after the record is read, so the page does not move when the states arrive
    count = (f"<p class='mh-menu-count'>{sum(module_state(m, data).complete for m in ids)} av {len(ids)} moduler "
             "fullført</p>") if data is not None and current_id in ids else ""
    menu = (f"<details class='mh-menu'><summary>Alle moduler{where}</summary>"
            f"{count}<ol>{''.join(items)}</ol></details>")
    return f"<nav class='mh-frame-nav' aria-label='Kursets moduler'>{menu}{pager(current_id)}</nav>"


def pager(current_id: str | None) -> str:
    mods = modules()
    ids = [m.id for m in mods]
    if current_id not in ids:
        return ""
    i = ids.index(current_id)
    parts = []
    if i > 0:
        prev = mods[i - 1]
        parts.append(f"<li><a rel='prev' href='{href(prev)}'>← Forrige: {module_name(prev)}</a></li>")
    else:
        parts.append(f"<li><a href='{LANDING_HREF}'>← Kursets forside</a></li>")
    if i + 1 < len(mods):
        nxt = mods[i + 1]
        parts.append(f"<li><a rel='next' href='{href(nxt)}'>Neste: {module_name(nxt)} →</a></li>")
    return f"<ul class='mh-pager'>{''.join(parts)}</ul>"


def module_end_html(module_id: str) -> str:
    """How the module went and the way on: the next module, or at the end the course's completion state."""
    mods = modules()
    ids = [m.id for m in mods]
    i = ids.index(module_id)
    state = module_state(module_id)
    rows = progress_rows(module_id)
    html = ["<h2>Slik gikk det, og veien videre</h2>"]
    if state.complete:
        pts = f" Du fikk {state.score} av {state.max_score} poeng." if state.max_score else ""
        html.append(f"<p><strong>✔ Du har gjort alle de {state.total} øvelsene i modulen.</strong>{pts}</p>")
    else:
        html.append(f"<p><strong>{state.label}.</strong> Øvelser du ikke har gjort ennå:</p><ul>"
                    + "".join(f"<li>{t(name)}</li>" for name, status in rows if not status.startswith("✔"))
                    + "</ul>")
    html.append(progress_bar(state.done, state.total))
    if i + 1 < len(mods):
        nxt = mods[i + 1]
        html.append(f"<p>Neste modul: <a class='mh-next-button' href='{href(nxt)}'>{module_name(nxt)} →</a></p>")
    else:
        states = [module_state(m.id) for m in mods]
        finished = sum(s.complete for s in states)
        if finished == len(mods):
            html.append("<p><strong>✔ Du har fullført alle modulene i kurset.</strong></p>")
        else:
            left = [module_name(m) for m, s in zip(mods, states) if not s.complete]
            html.append(f"<p><strong>Kurset: {finished} av {len(mods)} moduler fullført.</strong> "
                        "Disse gjenstår:</p><ul>" + "".join(f"<li>{x}</li>" for x in left) + "</ul>")
        html.append(f"<p><a href='{LANDING_HREF}'>Til kursets forside</a></p>")
    return "".join(html)


def show_module_end(module_id: str) -> w.HTML:
    """The end of a module page; it updates itself when the learner finishes an exercise on the page."""
    get_bank().module(module_id)  # a clear error for an unknown module id
    out = html(module_end_html(module_id))
    out.add_class("mh-module-end")

    def refresh(module) -> None:
        if module == module_id:
            out.value = module_end_html(module_id)

    on_record(refresh)
    return out
