"""Self-check quiz: single and multiple choice with elaborative feedback, score and shuffled retry."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..bank import Bank
from ..bank import models as m


@dataclass(frozen=True)
class Answer:
    question: m.Question
    chosen: frozenset[str]

    @property
    def correct(self) -> bool:
        return self.chosen == frozenset(self.question.answer)

    @property
    def points(self) -> int:
        return self.question.points if self.correct else 0

    def option_feedback(self) -> list[tuple[m.Option, bool, bool]]:
        """(option, chosen, is right) for every option, in the question's order."""
        right = set(self.question.answer)
        return [(o, o.id in self.chosen, o.id in right) for o in self.question.options]


def questions(bank: Bank, topic: str | None = None, ids: list[str] | None = None) -> list[m.Question]:
    if ids:
        qs = [bank.question(i) for i in ids]
    else:
        qs = [q for q in bank.all("questions") if q.type in ("single", "multiple") and (topic is None or q.topic == topic)]
    bad = [q.id for q in qs if q.type not in ("single", "multiple")]
    if bad:
        raise ValueError(f"the self-check quiz takes single/multiple choice questions only, not {bad}")
    if not qs:
        raise ValueError(f"no self-check questions for topic '{topic}'")
    return qs


def shuffled_options(question: m.Question, attempt: int) -> list[m.Option]:
    """The options in a new order for each attempt (attempt 0 keeps the bank's order)."""
    opts = list(question.options)
    if attempt:
        random.Random(f"{question.id}:{attempt}").shuffle(opts)
    return opts


def grade(question: m.Question, chosen: set[str] | list[str]) -> Answer:
    unknown = set(chosen) - {o.id for o in question.options}
    if unknown:
        raise ValueError(f"question '{question.id}' has no option(s) {sorted(unknown)}")
    return Answer(question, frozenset(chosen))


def total(answers: list[Answer]) -> tuple[int, int]:
    return sum(a.points for a in answers), sum(a.question.points for a in answers)
