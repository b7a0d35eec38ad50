"""Indicator spotter: the learner marks which indicators a case shows."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..bank import Bank
from ..bank import models as m


@dataclass(frozen=True)
class SpotResult:
    hits: list[m.Indicator]
    misses: list[m.Indicator]
    false_alarms: list[m.Indicator]

    @property
    def score(self) -> tuple[int, int]:
        """Hits minus false alarms (not below zero), out of the number present."""
        total = len(self.hits) + len(self.misses)
        return max(0, len(self.hits) - len(self.false_alarms)), total

    @property
    def grade(self) -> str:
        """``all``: every indicator found and nothing wrong marked; ``none``: nothing found; else ``some``."""
        if self.hits and not self.misses and not self.false_alarms:
            return "all"
        return "some" if self.hits else "none"


def options(bank: Bank, case_id: str, distractors: int | None = None, seed: int = 0) -> list[m.Indicator]:
    """The indicators offered for a case: those present plus as many others from the same categories
    (or from the four main ones), sorted by category so the widget can group them."""
    case = bank.case(case_id)
    present = [bank.indicator(i) for i in case.indicators]
    if not present:
        raise ValueError(f"case '{case_id}' links no indicators; it cannot be used in the spotter")
    cats = {i.category for i in present} | {"kat-bakgrunn", "kat-kontroll"}
    pool = [i for i in bank.all("indicators") if i.category in cats and i.id not in case.indicators]
    rng = random.Random(f"{case_id}:{seed}")
    extra = rng.sample(pool, min(len(pool), distractors if distractors is not None else len(present)))
    order = {c.id: c.order for c in bank.all("categories")}
    return sorted(present + extra, key=lambda i: (order[i.category], i.id))


def check(bank: Bank, case_id: str, marked: set[str] | list[str]) -> SpotResult:
    case = bank.case(case_id)
    marked = set(marked)
    present = set(case.indicators)
    return SpotResult(
        hits=[bank.indicator(i) for i in case.indicators if i in marked],
        misses=[bank.indicator(i) for i in case.indicators if i not in marked],
        false_alarms=[bank.indicator(i) for i in sorted(marked - present)],
    )


def restore(bank: Bank, case_id: str, state: dict | None) -> tuple[set[str], bool]:
    """The marks and whether they were checked, from a saved state (``{"marked": [...], "checked": bool}``).
    Marks of indicators the spotter no longer offers are dropped; nothing marked is nothing checked."""
    state = state if isinstance(state, dict) else {}
    offered = {i.id for i in options(bank, case_id)}
    marked = {i for i in state.get("marked") or [] if isinstance(i, str) and i in offered}
    return marked, bool(state.get("checked")) and bool(marked)


def state(marked, checked: bool) -> dict:
    """The spotter's state as the learner's record keeps it."""
    return {"marked": sorted(marked), "checked": bool(checked)}
