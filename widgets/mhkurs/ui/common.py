"""Shared view helpers: bank text is always escaped and shown as text, never as markup;
right/wrong is told with a symbol and a word, not by colour alone."""

from __future__ import annotations

from html import escape

import ipywidgets as w
from ipywidgets.widgets.widget import _instances
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from ..bank import get_bank
from ..bank import models as m
from ..logic.progress import exercise_key  # noqa: F401 (views import it from here)

VERDICT_CLASS = {True: "mh-good", False: "mh-bad", "god": "mh-good", "delvis": "mh-part", "svak": "mh-bad"}

VERDICT = {
    True: ("✔", "Riktig"),
    False: ("✘", "Ikke riktig"),
    "god": ("✔", "God handling"),
    "delvis": ("◐", "Delvis riktig"),
    "svak": ("✘", "Svak handling"),
}


def t(text: m.Text | str | None) -> str:
    """Escaped bokmål text of a bank string."""
    return escape(str(text)) if text is not None else ""


def para(text, tag: str = "p", cls: str = "") -> w.HTML:
    klass = f' class="{cls}"' if cls else ""
    return html(f"<{tag}{klass}>{t(text)}</{tag}>")


def verdict(key, text: m.Text | str = "") -> str:
    """Feedback: symbol + word + colour (the colour comes from the theme, never alone). The page's live
    region (template) announces every new verdict, so it carries no role of its own."""
    symbol, word = VERDICT[key]
    rest = f" {t(text)}" if text else ""
    return f'<p class="mh-verdict {VERDICT_CLASS[key]}"><strong>{symbol} {word}.</strong>{rest}</p>'


def case_name(case: m.Case) -> str:
    """A case's title without the bank's «Konstruert:» mark."""
    title = str(case.title)
    return title.split(":", 1)[1].strip() if title.startswith("Konstruert:") else title


def case_title(case: m.Case) -> str:
    """How a case is titled on its card: «Sak: …» for a court case, «Konstruert sak: …» for a constructed one."""
    constructed = str(case.title).startswith("Konstruert:")
    return f"{'Konstruert sak' if constructed else 'Sak'}: {case_name(case)}"


def bullet_list(items) -> str:
    return "<ul>" + "".join(f"<li>{t(i)}</li>" for i in items) + "</ul>"


_SHARED: dict = {}


def _refuse_change(model, proposal) -> None:
    raise RuntimeError(f"a shared {type(model).__name__} cannot change ({proposal['trait'].name}): give the "
                       "widget a layout or style of its own (e.g. button(..., own_layout=True))")


def shared(key: str, make):
    """One Layout or Style model per kernel for every widget that looks the same: the page's widget state, which
    the browser fetches and turns into models before the first exercise shows, has one model instead of one per
    widget. Shared models are frozen: changing one (which would change every widget using it) raises."""
    model = _SHARED.get(key)
    if model is None or getattr(model, "comm", None) is None:  # none yet, or closed (Widget.close_all)
        model = _SHARED[key] = make()
        model._register_validator(_refuse_change, [n for n in model.keys if not n.startswith("_")])
    return model


def _unorphaned(make):
    """``make()``'s widget, without the default Layout and Style models ipywidgets creates (and would send to
    the browser with the page's widget state) before it takes the layout and style given to the constructor."""
    before = set(_instances)
    widget = make()
    used = {widget.model_id, widget.layout.model_id, getattr(getattr(widget, "style", None), "model_id", None)}
    for model_id in set(_instances) - before - used:
        orphan = _instances.get(model_id)
        if isinstance(orphan, (w.Layout, w.Style)):
            orphan.close()
    return widget


def html(value: str = "", **kw) -> w.HTML:
    """An HTML widget. Plain ones (no layout or style of their own) share one Layout and one HTMLStyle model per
    kernel (they are never changed after creation), so a page's widget state, sent to the browser before the
    first exercise shows, has fewer models (module 5: 428 before, see benchmarks/RESULTS.md)."""
    kw.setdefault("layout", shared("layout", w.Layout))
    kw.setdefault("style", shared("html", HTMLStyle))
    return _unorphaned(lambda: w.HTML(value, **kw))


def vbox(children=(), cls: str = "") -> w.VBox:
    """A column of widgets with the shared plain Layout (never hidden or resized: use ``w.VBox`` for that)."""
    out = _unorphaned(lambda: w.VBox(list(children), layout=shared("layout", w.Layout)))
    if cls:
        out.add_class(cls)
    return out


def hbox(children=(), cls: str = "") -> w.HBox:
    """A row of widgets with the shared plain Layout (never hidden or resized: use ``w.HBox`` for that)."""
    out = _unorphaned(lambda: w.HBox(list(children), layout=shared("layout", w.Layout)))
    if cls:
        out.add_class(cls)
    return out


def radio(options, description: str = "", value=None, tooltip: str | None = None) -> w.RadioButtons:
    """Radio buttons as wide as their text, the label as wide as it needs (shared Layout and style)."""
    kw = {"tooltip": tooltip} if tooltip else {}
    return _unorphaned(lambda: w.RadioButtons(
        options=options, value=value, description=description, layout=shared("auto", lambda: w.Layout(width="auto")),
        style=shared("radio", lambda: DescriptionStyle(description_width="initial")),
        **kw))


def checkbox(description: str, value: bool = False) -> w.Checkbox:
    """A checkbox as wide as its text, not indented (shared Layout and style)."""
    return _unorphaned(lambda: w.Checkbox(value=value, description=description, indent=False,
                                          layout=shared("auto", lambda: w.Layout(width="auto")),
                                          style=shared("check", CheckboxStyle)))


def button(label: str, tooltip: str | None = None, style: str = "", own_layout: bool = False) -> w.Button:
    """A button whose text wraps (theme CSS .mh-button; ipywidgets' own buttons cut long text). Buttons share one
    Layout and one ButtonStyle model; ``own_layout``: one of its own, for a button that is hidden or shown later."""
    layout = (w.Layout(width="auto", height="auto") if own_layout
              else shared("button", lambda: w.Layout(width="auto", height="auto")))
    b = _unorphaned(lambda: w.Button(description=label, tooltip=tooltip or label, button_style=style,
                                     layout=layout, style=shared("button_style", w.ButtonStyle)))
    b.add_class("mh-button")
    return b


def box(children, title: str | None = None, cls: str = "mh-exercise") -> w.VBox:
    """An exercise card (theme CSS: .mh-exercise). Its title is an h3 under the notebook's h2 section."""
    kids = ([html(f"<h3>{t(title)}</h3>")] if title else []) + list(children)
    return vbox(kids, cls)


def on_record(fn) -> None:
    """Call ``fn(module)`` for every module when the learner's record has been read and after every change
    (views that show progress stay current without a button)."""
    from .. import record as learner_record

    def each() -> None:
        for mod in get_bank().all("modules"):
            fn(mod.id)

    learner_record.on_ready(each)
    learner_record.on_change(each)


def record(module: str | None, kind: str, ref: str, score: int, max_score: int, *, answered: int = 1,
           items: int = 1, missed=(), right=()) -> None:
    """Report a result to the learner's record (``mhkurs.record``). ``answered``/``items``: how many of
    the exercise's items the submission answered (done when all are; nothing answered is not recorded);
    ``missed``/``right``: question ids answered wrongly/rightly (refreshers draw on the missed ones)."""
    if module:
        get_bank().module(module)  # a clear error for an unknown module id
        from ..record import current

        current().result(module, kind, ref, score, max_score, answered, items, missed, right)


def contact_line(c: m.Contact) -> str:
    parts = [f"<strong>{t(c.name)}</strong>"]
    if c.phone:
        parts.append(f"tlf. {t(c.phone)}")
    if c.email:
        parts.append(t(c.email))
    if c.web:
        parts.append(t(c.web))
    return " – ".join(parts) + f": {t(c.purpose)}"


def progress_bar(done: int, total: int) -> str:
    """A bar of ``done`` out of ``total`` exercises (a picture with its words for screen readers)."""
    pct = round(100 * done / total) if total else 0
    return (f"<span class='mh-bar' role='img' aria-label='{done} av {total} øvelser gjort'>"
            f"<span style='width:{pct}%'></span></span>")
