"""Read-only views of bank items for the teaching notebooks (so notebooks type no course facts).

They are reading text, not widgets: each returns a :class:`~mhkurs.ui.reading.Reading`, an HTML output
that Voila sends inside the page (see ``reading``)."""

from __future__ import annotations

from ..bank import get_bank
from .common import bullet_list, contact_line, html, t
from .frame import module_menu
from .progress_view import show_landing  # noqa: F401 (the landing page lives with the progress views)
from .reading import Reading, reading


def _html(parts: list[str], cls: str = "mh-content") -> Reading:
    return reading(parts, cls)


def show_concept(*concept_ids: str) -> Reading:
    bank = get_bank()
    parts = []
    for cid in concept_ids:
        c = bank.get("concepts", cid)
        basis = f" <em>({t(c.legal_basis)})</em>" if c.legal_basis else ""
        parts.append(f"<h3>{t(c.term)}{basis}</h3><p>{t(c.definition)}</p>")
        if c.key_points:
            parts.append(bullet_list(c.key_points))
    return _html(parts)


def show_border(border_id: str) -> Reading:
    bank = get_bank()
    b = bank.get("borders", border_id)
    a, c = bank.get("concepts", b.a), bank.get("concepts", b.b)
    parts = [f"<h3>{t(a.term)} eller {t(c.term).lower()}?</h3><p>{t(b.distinction)}</p>"]
    if b.example:
        parts.append(f"<p><em>Eksempel:</em> {t(b.example)}</p>")
    return _html(parts)


def show_indicators(*category_ids: str) -> Reading:
    bank = get_bank()
    parts = []
    for cid in category_ids:
        cat = bank.get("categories", cid)
        inds = [i for i in bank.all("indicators") if i.category == cid]
        parts.append(f"<h3>{t(cat.title)}</h3><p>{t(cat.description)}</p>")
        adults = [i.text for i in inds if i.applies_to == "alle"]
        minors = [i.text for i in inds if i.applies_to == "mindreaarig"]
        if adults:
            parts.append("<p>Personen …</p>" + bullet_list(adults))
        if minors:
            parts.append("<p><strong>I tillegg for mindreårige:</strong></p>" + bullet_list(minors))
    return _html(parts)


def show_myth_list() -> Reading:
    bank = get_bank()
    return _html(["<p>Disse påstandene er myter:</p>", bullet_list(m.statement for m in bank.all("myths"))])


def show_duty(*duty_ids: str) -> Reading:
    bank = get_bank()
    parts = []
    for did in duty_ids:
        d = bank.duty(did)
        parts.append(f"<h3>{t(d.title)}</h3><p><em>{t(d.legal_basis)}</em></p>"
                     f"<p><strong>Hvem:</strong> {t(d.who)}</p><p>{t(d.summary)}</p>" + bullet_list(d.actions))
        if d.overrides_confidentiality:
            parts.append("<p><strong>Plikten går foran taushetsplikten.</strong></p>")
    return _html(parts)


def show_contacts(*contact_ids: str) -> Reading:
    bank = get_bank()
    contacts = [bank.contact(c) for c in contact_ids] if contact_ids else bank.all("contacts")
    return _html(["<ul>" + "".join(f"<li>{contact_line(c)}</li>" for c in contacts) + "</ul>"])


def show_rights(minors: bool = True) -> Reading:
    bank = get_bank()
    rights = [r for r in bank.all("rights") if minors or not r.minors_only]
    return _html(["<ul>" + "".join(f"<li><strong>{t(r.title)}:</strong> {t(r.description)}</li>" for r in rights) + "</ul>"])


def show_case_summary(case_id: str) -> Reading:
    c = get_bank().case(case_id)
    head = f"{t(c.court)}, {t(c.date)}" if c.kind == "dom" else "Konstruert eksempel"
    return _html([f"<h3>{t(c.title)}</h3><p><em>{head}. Anvendt lov: {t(c.law_applied)}. "
                  f"Gjeldende lov: {t(c.law_today)}.</em></p><p>{t(c.summary)}</p>"])


class ModuleHeader(Reading):
    """The module header as reading text (sent with the page, readable without JavaScript), plus ``live``: a
    hidden HTML widget holding the same menu with each module's state, kept current from the learner's
    record. The template's script copies the live menu into the header's (mhkurs.js: syncModuleMenu)."""

    def __init__(self, html: str, live) -> None:
        super().__init__(html)
        self.live = live

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(self.live, metadata={"mhkurs": {"hidden": True}})
        display(HTML(self._repr_html_()))


def show_module_header(module_id: str) -> ModuleHeader:
    """Top of a module page: the module menu (previous/next; each module's state once the learner's record
    has been read, never stale ones) and the module's title and objectives."""
    import ipywidgets as w

    from .. import record

    mod = get_bank().module(module_id)
    rest = [f"<h1>Modul {mod.number}: {t(mod.title)}</h1>", f"<p><strong>Beregnet tid:</strong> {mod.minutes} minutter</p>",
            "<p><strong>Etter modulen skal du kunne:</strong></p>", bullet_list(o.text for o in mod.objectives)]
    live = html()
    live.add_class("mh-menu-live")
    rec = record.current()

    def update() -> None:
        if rec.ready:
            live.value = module_menu(module_id, rec.data())

    rec.on_ready(update)
    rec.on_change(update)
    return ModuleHeader("".join([module_menu(module_id)] + rest), live)


def show_sources(module_id: str) -> Reading:
    """The seed documents that the items this module shows rest on."""
    bank = get_bank()
    mod = bank.module(module_id)
    docs = {d.id: d for d in bank.all("documents")}
    used = [s.file for s in mod.source]
    for ex in mod.exercises:
        if ex.kind in ("scenario", "spotter"):
            used += [s.file for s in bank.case(ex.ref).source]
    used = list(dict.fromkeys(used))
    return _html(["<h3>Kilder</h3>", bullet_list(f"{docs[f].title}. {docs[f].publisher}, {docs[f].year}." for f in used)])
