"""The identification conversation: teaching points in order, and «velg det beste spørsmålet»."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..bank import Bank
from ..bank import models as m

TOPIC_TITLES: dict[str, str] = {
    "formaal": "Hva samtalen skal oppnå",
    "minimum": "Når det ikke blir en samtale",
    "akutt": "Trenger personen hjelp med en gang?",
    "gjennomfoering": "Praktiske råd",
    "formulering": "Slik kan du spørre",
    "unngaa-ord": "Ord du bør unngå",
    "tolk": "Tolk",
    "mindreaarige": "Når personen kan være et barn",
}


def points(bank: Bank, topic: str) -> list[m.ConversationPoint]:
    if topic not in TOPIC_TITLES:
        raise ValueError(f"unknown conversation topic '{topic}' (known: {', '.join(TOPIC_TITLES)})")
    return sorted((p for p in bank.all("conversation") if p.topic == topic), key=lambda p: p.order)


def example_questions(bank: Bank) -> list[m.ExampleQuestion]:
    return sorted(bank.all("example_questions"), key=lambda q: q.order)


def tasks(bank: Bank, ids: Iterable[str] | None = None) -> list[m.QuestionChoiceTask]:
    """The tasks of «velg det beste spørsmålet», in bank order (or the order of ``ids``)."""
    if ids is None:
        return bank.all("question_choices")
    return [bank.get("question_choices", i) for i in ids]


@dataclass(frozen=True)
class Judgement:
    task: m.QuestionChoiceTask
    chosen: m.QuestionOption | None
    better: m.QuestionOption

    @property
    def correct(self) -> bool:
        return self.chosen is not None and self.chosen.id == self.better.id


def judge(task: m.QuestionChoiceTask, option_id: str | None) -> Judgement:
    better = next(o for o in task.options if o.better)
    if option_id is None:
        return Judgement(task, None, better)
    chosen = next((o for o in task.options if o.id == option_id), None)
    if chosen is None:
        raise ValueError(f"task '{task.id}' has no option '{option_id}'")
    return Judgement(task, chosen, better)


def judge_all(bank: Bank, answers: Mapping[str, str | None], ids: Iterable[str] | None = None) -> list[Judgement]:
    return [judge(t, answers.get(t.id)) for t in tasks(bank, ids)]


def score(judgements: list[Judgement]) -> tuple[int, int]:
    return sum(j.correct for j in judgements), len(judgements)
