"""Shared view helpers: bank text is always escaped and shown as text, never as markup;
right/wrong is told with a symbol and a word, not by colour alone."""

from __future__ import annotations

from html import escape

import ipywidgets as w

from ..bank import get_bank
from ..bank import models as m
from ..logic.progress import Progress, exercise_key

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
    return w.HTML(f"<{tag}{klass}>{t(text)}</{tag}>")


def verdict(key, text: m.Text | str = "") -> str:
    """Feedback: symbol + word + colour (the colour comes from the theme, never alone). The page's live
    region (template) announces every new verdict, so it carries no role of its own."""
    symbol, word = VERDICT[key]
    rest = f" {t(text)}" if text else ""
    return f'<p class="mh-verdict {VERDICT_CLASS[key]}"><strong>{symbol} {word}.</strong>{rest}</p>'


def bullet_list(items) -> str:
    return "<ul>" + "".join(f"<li>{t(i)}</li>" for i in items) + "</ul>"


def button(label: str, tooltip: str | None = None, style: str = "") -> w.Button:
    """A button whose text wraps (theme CSS .mh-button; ipywidgets' own buttons cut long text)."""
    b = w.Button(description=label, tooltip=tooltip or label, button_style=style,
                 layout=w.Layout(width="auto", height="auto"))
    b.add_class("mh-button")
    return b


def box(children, title: str | None = None, cls: str = "mh-exercise") -> w.VBox:
    """An exercise card (theme CSS: .mh-exercise). Its title is an h3 under the notebook's h2 section."""
    kids = ([w.HTML(f"<h3>{t(title)}</h3>")] if title else []) + list(children)
    out = w.VBox(kids)
    out.add_class(cls)
    return out


_LISTENERS: list = []


def on_record(fn) -> None:
    """Call ``fn(module)`` after every recorded result (the end-of-module summary updates itself)."""
    _LISTENERS.append(fn)


def record(module: str | None, kind: str, ref: str, score: int, max_score: int) -> None:
    if module:
        get_bank().module(module)  # a clear error for an unknown module id
        Progress().record(module, exercise_key(kind, ref), score, max_score)
        for fn in list(_LISTENERS):
            fn(module)


def contact_line(c: m.Contact) -> str:
    parts = [f"<strong>{t(c.name)}</strong>"]
    if c.phone:
        parts.append(f"tlf. {t(c.phone)}")
    if c.email:
        parts.append(t(c.email))
    if c.web:
        parts.append(t(c.web))
    return " – ".join(parts) + f": {t(c.purpose)}"
