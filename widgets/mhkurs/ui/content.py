"""Read-only views of bank items for the teaching notebooks (so notebooks type no course facts)."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from .common import bullet_list, contact_line, t
from .frame import module_menu
from .progress_view import show_landing  # noqa: F401 (the landing page lives with the progress views)


def _html(parts: list[str], cls: str = "mh-content") -> w.HTML:
    out = w.HTML("".join(parts))
    out.add_class(cls)
    return out


def show_concept(*concept_ids: str) -> w.HTML:
    bank = get_bank()
    parts = []
    for cid in concept_ids:
        c = bank.get("concepts", cid)
        basis = f" <em>({t(c.legal_basis)})</em>" if c.legal_basis else ""
        parts.append(f"<h3>{t(c.term)}{basis}</h3><p>{t(c.definition)}</p>")
        if c.key_points:
            parts.append(bullet_list(c.key_points))
    return _html(parts)


def show_border(border_id: str) -> w.HTML:
    bank = get_bank()
    b = bank.get("borders", border_id)
    a, c = bank.get("concepts", b.a), bank.get("concepts", b.b)
    parts = [f"<h3>{t(a.term)} eller {t(c.term).lower()}?</h3><p>{t(b.distinction)}</p>"]
    if b.example:
        parts.append(f"<p><em>Eksempel:</em> {t(b.example)}</p>")
    return _html(parts)


def show_indicators(*category_ids: str) -> w.HTML:
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


def show_myth_list() -> w.HTML:
    bank = get_bank()
    return _html(["<p>Disse påstandene er myter:</p>", bullet_list(m.statement for m in bank.all("myths"))])


def show_duty(*duty_ids: str) -> w.HTML:
    bank = get_bank()
    parts = []
    for did in duty_ids:
        d = bank.duty(did)
        parts.append(f"<h3>{t(d.title)}</h3><p><em>{t(d.legal_basis)}</em></p>"
                     f"<p><strong>Hvem:</strong> {t(d.who)}</p><p>{t(d.summary)}</p>" + bullet_list(d.actions))
        if d.overrides_confidentiality:
            parts.append("<p><strong>Plikten går foran taushetsplikten.</strong></p>")
    return _html(parts)


def show_contacts(*contact_ids: str) -> w.HTML:
    bank = get_bank()
    contacts = [bank.contact(c) for c in contact_ids] if contact_ids else bank.all("contacts")
    return _html(["<ul>" + "".join(f"<li>{contact_line(c)}</li>" for c in contacts) + "</ul>"])


def show_rights(minors: bool = True) -> w.HTML:
    bank = get_bank()
    rights = [r for r in bank.all("rights") if minors or not r.minors_only]
    return _html(["<ul>" + "".join(f"<li><strong>{t(r.title)}:</strong> {t(r.description)}</li>" for r in rights) + "</ul>"])


def show_case_summary(case_id: str) -> w.HTML:
    c = get_bank().case(case_id)
    head = f"{t(c.court)}, {t(c.date)}" if c.kind == "dom" else "Konstruert eksempel"
    return _html([f"<h3>{t(c.title)}</h3><p><em>{head}. Anvendt lov: {t(c.law_applied)}. "
                  f"Gjeldende lov: {t(c.law_today)}.</em></p><p>{t(c.summary)}</p>"])


def show_module_header(module_id: str) -> w.HTML:
    """Top of a module page: the module menu (previous/next, and each module's state, kept current from the
    learner's record) and the module's title and objectives."""
    from .. import record

    mod = get_bank().module(module_id)
    rest = [f"<h1>Modul {mod.number}: {t(mod.title)}</h1>", f"<p><strong>Beregnet tid:</strong> {mod.minutes} minutter</p>",
            "<p><strong>Etter modulen skal du kunne:</strong></p>", bullet_list(o.text for o in mod.objectives)]
    out = _html([module_menu(module_id)] + rest)
    rec = record.current()

    def update() -> None:
        if rec.ready:
            out.value = "".join([module_menu(module_id, rec.data())] + rest)

    rec.on_ready(update)
    rec.on_change(update)
    return out


def show_sources(module_id: str) -> w.HTML:
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
