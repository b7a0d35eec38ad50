"""Printable pages: the course certificate (kursbevis) and the field card (feltkort).

On paper only the ``.mh-print`` block is printed (print CSS in the template's mhkurs.css): no menus, buttons or other cells.
"""

from __future__ import annotations

from datetime import datetime

import ipywidgets as w

from .. import record
from ..bank import get_bank
from ..record import certificate, course_test, fieldcard
from .common import box, button, html, t
from .progress_view import course_href, live, module_href

def _print_button(what: str) -> w.Button:
    b = button("Skriv ut", f"Skriv ut {what} eller lagre som PDF", "primary")
    b.on_click(lambda _b: record.bridge().print_page())
    return b


def form(res: dict | None) -> str:
    return f" ({course_test.form_label(res)})" if res and res.get("form") else ""


def on(res: dict | None) -> str:
    return f", levert {certificate.norwegian_date(datetime.fromisoformat(res['at']))}" if res and res.get("at") else ""


def pre_line(pre: dict | None) -> str:
    """Which form the learner took before the course, and when (the two forms are parallel)."""
    if not pre or not pre.get("form"):
        return ""
    return (f"<p><strong>Forhåndstest{form(pre)}:</strong> {pre['got']} av {pre['most']} poeng{on(pre)}. "
            "Forhåndstesten og sluttesten er to likeverdige utgaver om de samme læringsmålene.</p>")


def certificate_html(bank, data: dict, name: str) -> str:
    stand = certificate.standing(bank, data)
    post, test = stand.post, stand.post_test
    when = max(x for x in (data.get("completed_at"), post.get("at")) if x)
    mods = "".join(f"<li>Modul {m.number}: {t(m.title)}</li>" for m in stand.modules_done)
    shown = t(name.strip()) or "&nbsp;"
    return (
        "<div class='mh-print mh-certificate' role='document' aria-label='Kursbevis'>"
        "<h2>KURSBEVIS</h2><p>Menneskehandel – kurs i identifisering av mulige ofre<br>for politi og Arbeidstilsynet</p>"
        f"<p class='mh-name'>{shown}</p>"
        f"<p>har fullført alle kursets {len(stand.modules_done)} moduler og bestått sluttesten.</p>"
        f"<ul>{mods}</ul>"
        f"<p><strong>Sluttest{form(post)}:</strong> {post['got']} av {post['most']} poeng ({post['percent']} %){on(post)}. "
        f"Kravet for å bestå er {test.pass_mark} %.</p>"
        f"{pre_line(stand.pre)}"
        f"<p><strong>Dato:</strong> {certificate.norwegian_date(datetime.fromisoformat(when))}</p>"
        f"<p class='mh-version'>Kursversjon {certificate.course_version(bank)} "
        "(kontrollsum for kursinnholdet slik det var da kurset ble tatt)</p></div>")


def missing_html(bank, data: dict) -> str:
    stand = certificate.standing(bank, data)
    parts = ["<div class='mh-links'><p>Du får kursbeviset når du har fullført alle modulene og bestått sluttesten. Dette mangler:</p><ul>"]
    for m in stand.modules_left:
        parts.append(f"<li><a href='{t(module_href(m))}'>Modul {m.number}: {t(m.title)}</a> er ikke fullført.</li>")
    if stand.post_test is None:
        parts.append("<li>Sluttesten er ikke lagt inn i kursinnholdet ennå.</li>")
    elif not (stand.post and stand.post.get("passed")):
        parts.append(f"<li><a href='{course_href('post')}'>Sluttesten</a> er ikke bestått ennå "
                     f"(kravet er {stand.post_test.pass_mark} %).</li>")
    return "".join(parts) + "</ul></div>"


def show_certificate() -> w.VBox:
    """The course certificate page: the learner types their name, then prints."""
    bank = get_bank()
    rec = record.current()
    name = w.Text(description="Navnet ditt:", placeholder="Fornavn og etternavn",
                  style={"description_width": "initial"}, layout=w.Layout(width="min(100%, 420px)"))
    name.continuous_update = True
    hint = html("<p>Skriv navnet ditt slik det skal stå på kursbeviset. Trykk så «Skriv ut» "
                  "(eller lagre som PDF i utskriftsvinduet).</p>")
    controls = w.VBox([hint, w.HBox([name, _print_button("kursbeviset")], layout=w.Layout(flex_flow="row wrap"))])
    controls.add_class("mh-noprint")
    controls.layout.display = "none"

    def render(data: dict) -> str:
        earned = certificate.standing(bank, data).earned
        controls.layout.display = "flex" if earned else "none"
        return certificate_html(bank, data, name.value) if earned else missing_html(bank, data)

    body = live(render)

    def on_name(change) -> None:
        if rec.ready:
            body.value = render(rec.data())
            rec.save_state("course", "kursbevis", {"name": change["new"]})

    def restore() -> None:
        saved = rec.load_state("course", "kursbevis") or {}
        if saved.get("name") and not name.value:
            name.value = saved["name"]

    rec.on_ready(restore)
    name.observe(on_name, names="value")
    return box([controls, body, record.bridge()])


def field_card_html(bank, role: str | None = None) -> str:
    duties, contacts = fieldcard.card(bank, role)
    who = {r.id: r for r in fieldcard.roles(bank)}.get(role)

    def duty(d) -> str:
        label = "Plikt" if d.kind == "plikt" else "Tiltak"
        conf = " <strong>Går foran taushetsplikten.</strong>" if d.overrides_confidentiality else ""
        calls = f"<p><em>Kontakt:</em> {t(', '.join(d.contacts))}</p>" if d.contacts else ""
        return (f"<div class='mh-duty'><p><strong>{label}: {t(d.title)}</strong> <em>({t(d.legal_basis)})</em></p>"
                f"<p><em>Hvem:</em> {t(d.who)}</p><p><em>Gjelder når:</em> {t(d.trigger)}.{conf}</p>"
                "<p><em>Gjør først:</em></p><ul>" + "".join(f"<li>{t(a)}</li>" for a in d.first) + f"</ul>{calls}</div>")

    named = fieldcard.in_duties(bank, role)
    main = "".join(f"<p class='mh-num'><span class='mh-phone'>{t(c.phone)}</span> {t(c.name)}"
                   + (f" <em>({t(c.hours)})</em>" if c.hours else "") + "</p>" for c in contacts if c.id in named)
    more = "; ".join(f"<span class='mh-phone'>{t(c.phone)}</span> {t(c.name)}" for c in contacts if c.id not in named)
    docs = {d.id: d for d in bank.all("documents")}
    used = list(dict.fromkeys(s.file for d in bank.all("duties") for s in d.source))
    sources = "; ".join(f"{docs[f].title} ({docs[f].publisher}, {docs[f].year})" for f in used if f in docs)
    return ("<div class='mh-print mh-fieldcard' role='document' aria-label='Feltkort'>"
            "<h2>Feltkort: mulig menneskehandel" + (f" – {t(who.label)}" if who else "") + "</h2>"
            "<p>Plikter og tiltak med hva som utløser dem, hva du gjør først, og hvem du ringer. "
            "«Gjelder når» viser til spørsmålene i kursets pliktnavigator.</p>"
            "<h3>Plikter og tiltak</h3><div class='mh-duties'>" + "".join(duty(d) for d in duties) + "</div>"
            f"<h3>Numre</h3><div class='mh-numbers'>{main}</div>"
            + (f"<p><strong>Andre hjelpetilbud:</strong> {more}.</p>" if more else "") +
            f"<p><small>Kilder: {t(sources)}. Kursversjon {certificate.course_version(bank)}.</small></p></div>")


def show_field_card() -> w.VBox:
    """The field card page: generated from the bank, ready to print on one page."""
    bank = get_bank()
    roles = fieldcard.roles(bank)
    pick = w.ToggleButtons(options=[(str(r.label), r.id) for r in roles], value=roles[0].id if roles else None,
                           description="Kortet gjelder for:", style={"description_width": "initial"},
                           tooltips=[str(r.help) for r in roles])
    card = html(field_card_html(bank, pick.value))
    pick.observe(lambda ch: setattr(card, "value", field_card_html(bank, ch["new"])), names="value")
    controls = w.VBox([html("<p>Velg hvem du er, skriv ut kortet og ha det med på jobb. Kortet viser pliktene og "
                              "tiltakene som gjelder for deg. Det lages fra kursinnholdet, så det sier det samme "
                              "som kurset.</p>"), pick, w.HBox([_print_button("feltkortet")])])
    controls.add_class("mh-noprint")
    return box([controls, card, record.bridge()])
