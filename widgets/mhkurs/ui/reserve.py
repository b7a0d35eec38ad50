"""The room a page keeps for each widget before Voila's front end has drawn it (issue 18).

The page's text is sent as HTML and painted at once; a widget (an exercise, the progress box) arrives later,
in a slot of the template. The slot keeps the height the widget takes once drawn, so the text below does not
move when it arrives. The heights are measured per kind of widget, for a learner who has not started it, in
Chromium at 1280 px («wide») and 390 px («narrow»; first-view.css uses it up to 30rem) on every page that has
one, and the smallest of those is kept: a widget is never smaller than its room, so no blank space is left
under it; where one instance is taller than another, the text below moves by the difference only.

The heights go to the template as output metadata (``{"mhkurs": {"reserve": {"wide": …, "narrow": …}}}``),
which the template writes as CSS custom properties on the slot (first-view.css picks one by screen width).
"""

from __future__ import annotations

from functools import wraps

# show_* function → (wide, narrow) height in rem: nine tenths of the smallest instance measured as the module
# docstring says (1 rem = 16 px; the tenth leaves room for a font that wraps less than Chromium's on Debian).
# Measured 2026-11-23 on modules 1–9 (in rem, wide / narrow, smallest … largest instance):
#   case 31.3–54.2 / 43.0–76.0; quiz 48.2–263.1 / 71.3–362.1; classifier 159.4–161.1 / 183.8–185.5;
#   spotter 61.5–102.3 / 86.0–143.5; myths 206.2 / 258.5 (184.6 / 237 since a statement has no empty feedback
#   widget); navigator 71.1 / 85.2; question choice 113.7 / 153.6;
#   progress 13.3–19.0 / 14.6–27.2; end of module 19.4–40.4 / 22.2–60.3.
# The landing page's overview is left out: it stays out of the layout until it takes the course map's place.
RESERVE: dict[str, tuple[float, float]] = {
    "show_case": (28, 38.5),
    "show_quiz": (43, 64),
    "show_classifier": (143, 165),
    "show_spotter": (55, 77),
    "show_myths": (166, 213),
    "show_navigator": (64, 76),
    "show_question_choice": (102, 138),
    "show_progress": (12, 13),
    "show_module_end": (17.5, 20),
}


def reserve_metadata(kind: str) -> dict:
    """The output metadata that keeps a ``kind`` widget's room, or {} for a kind that was not measured."""
    if kind not in RESERVE:
        return {}
    wide, narrow = RESERVE[kind]
    return {"mhkurs": {"reserve": {"wide": f"{wide:g}rem", "narrow": f"{narrow:g}rem"}}}


def with_reserve(widget, kind: str):
    """``widget``, shown (as a cell's result) with the metadata that keeps its room."""
    metadata = reserve_metadata(kind)
    bundle = getattr(widget, "_repr_mimebundle_", None)
    if not metadata or bundle is None:
        return widget

    def _repr_mimebundle_(**kwargs):
        data = bundle(**kwargs)
        return (data, metadata) if data else data

    widget._repr_mimebundle_ = _repr_mimebundle_
    return widget


def reserving(show):
    """A ``show_*`` view whose widget keeps its room on the page (by the view's name in RESERVE)."""

    @wraps(show)
    def wrapper(*args, **kwargs):
        return with_reserve(show(*args, **kwargs), show.__name__)

    return wrapper
