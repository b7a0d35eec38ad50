"""The learner's progress in a module. Logic lives in ``mhkurs.logic``."""

from __future__ import annotations

import ipywidgets as w

from ..bank import get_bank
from .common import Progress, box, bullet_list, button, exercise_key

EXERCISE_NAMES = {"scenario": "Case", "spotter": "Finn indikatorene", "classifier": "Klassifisering",
                  "myths": "Myte eller fakta", "navigator": "Pliktnavigator", "quiz": "Test deg selv",
                  "question_choice": "Velg det beste spørsmålet"}


def progress_rows(module_id: str) -> list[tuple[str, str]]:
    bank = get_bank()
    mod = bank.module(module_id)
    done = Progress().module(module_id)
    rows = []
    for ex in mod.exercises:
        name = EXERCISE_NAMES[ex.kind]
        if ex.kind in ("scenario", "spotter"):
            name += f": {bank.case(ex.ref).title}"
        res = done.get(exercise_key(ex.kind, ex.ref))
        rows.append((name, f"✔ ferdig – {res['score']} av {res['max']} poeng" if res else "○ ikke gjort ennå"))
    return rows


def show_progress(module_id: str) -> w.VBox:
    out = w.HTML()
    refresh = button("Oppdater fremdrift", "Vis hvilke øvelser du har gjort")

    def render(_b=None) -> None:
        out.value = bullet_list(f"{name}: {status}" for name, status in progress_rows(module_id))

    refresh.on_click(render)
    render()
    return box([out, refresh], title="Din fremdrift i denne modulen")
