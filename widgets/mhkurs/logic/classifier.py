"""Classifier: sort situations into trafficking, smuggling, social dumping, pimping, prostitution
domestic violence or 'needs more information', with the distinguishing element explained."""

from __future__ import annotations

from dataclasses import dataclass

from ..bank import Bank
from ..bank import models as m


@dataclass(frozen=True)
class ClassResult:
    correct: bool
    chosen: m.ClassLabel
    right: m.ClassLabel
    explanation: m.Text
    distinction: m.Text | None


def situations(bank: Bank, pool: str = "practice") -> list[m.Question]:
    """The classification items of a pool (the classifier in the modules uses practice items only)."""
    return [q for q in bank.all("questions") if q.type == "classification" and q.pool == pool]


def classes(bank: Bank) -> list[m.ClassLabel]:
    return bank.all("classes")


def _distinction(bank: Bank, chosen: m.ClassLabel, right: m.ClassLabel) -> m.Text | None:
    """The border text between the two concepts involved; else a border of the right concept."""
    borders = bank.all("borders")
    pair = {chosen.concept, right.concept}
    for border in borders:
        if {border.a, border.b} == pair:
            return border.distinction
    for concept in (right.concept, chosen.concept):
        for border in borders:
            if concept and concept != "menneskehandel" and concept in (border.a, border.b):
                return border.distinction
    return None


def check(bank: Bank, question_id: str, class_id: str) -> ClassResult:
    q = bank.question(question_id)
    if q.type != "classification":
        raise ValueError(f"question '{question_id}' is not a classification question")
    chosen, right = bank.class_label(class_id), bank.class_label(q.answer[0])
    return ClassResult(
        correct=chosen.id == right.id,
        chosen=chosen,
        right=right,
        explanation=q.explanation,
        distinction=_distinction(bank, chosen, right),
    )


def restore(bank: Bank, question_ids: list[str], state: dict | None) -> dict[str, str]:
    """The answers given (question id -> class id) from a saved state (``{"answers": {...}}``), in the
    order of ``question_ids``; answers to questions not asked or with unknown classes are dropped."""
    answers = state.get("answers") if isinstance(state, dict) else None
    if not isinstance(answers, dict):
        return {}
    known = {c.id for c in classes(bank)}
    return {q: answers[q] for q in question_ids if answers.get(q) in known}
