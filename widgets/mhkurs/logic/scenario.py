"""Branching case scenarios: walk a case's steps, collect feedback, end in a debrief."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from ..bank import Bank, UnknownItem
from ..bank import models as m
from ..bank.loader import DEBRIEF, _step_sequences

QUALITY_POINTS = {"god": 2, "delvis": 1, "svak": 0}


class Taken(NamedTuple):
    """One step of the learner's path: the step shown and the choice taken (unpacks as a pair)."""

    step: m.Step
    choice: m.Choice


@dataclass(frozen=True)
class Reviewed:
    """The debrief's look back at one choice on the learner's path."""

    step: m.Step
    choice: m.Choice
    better: m.Choice | None  # the step's best choice, when the one taken was not "god"

    @property
    def quality(self) -> str:
        return self.choice.quality

    @property
    def feedback(self) -> m.Text:
        return self.choice.feedback

    @property
    def better_why(self) -> m.Text | None:
        return self.better.feedback if self.better else None


def best_choice(step: m.Step) -> m.Choice:
    """The step's best choice: the first ``god`` one (the loader requires one), else the best there is."""
    return max(step.choices, key=lambda c: QUALITY_POINTS[c.quality])


@dataclass
class ScenarioRun:
    """State of one play-through of a case's scenario."""

    bank: Bank
    case: m.Case
    current: str = ""
    taken: list[Taken] = field(default_factory=list)

    @classmethod
    def start(cls, bank: Bank, case_id: str) -> "ScenarioRun":
        case = bank.case(case_id)
        if case.scenario is None:
            raise UnknownItem(f"case '{case_id}' has no scenario to play (it can be used in the indicator spotter)")
        return cls(bank=bank, case=case, current=case.scenario.start)

    @property
    def steps(self) -> dict[str, m.Step]:
        return {s.id: s for s in self.case.scenario.steps}

    @property
    def finished(self) -> bool:
        return self.current == DEBRIEF

    @property
    def step(self) -> m.Step:
        if self.finished:
            raise RuntimeError("the scenario is finished; see debrief()")
        return self.steps[self.current]

    def choose(self, choice_id: str) -> m.Choice:
        step = self.step
        for choice in step.choices:
            if choice.id == choice_id:
                self.taken.append(Taken(step, choice))
                self.current = choice.next
                return choice
        raise ValueError(f"step '{step.id}' has no choice '{choice_id}'")

    @property
    def path(self) -> list[Taken]:
        """The learner's path so far: each step shown and the choice taken there, in order."""
        return list(self.taken)

    def review(self) -> list[Reviewed]:
        """For each choice on the path: its quality and feedback, and the better choice where it was not ``god``."""
        out = []
        for step, choice in self.taken:
            better = None if choice.quality == "god" else best_choice(step)
            out.append(Reviewed(step, choice, better))
        return out

    def restart(self) -> None:
        self.current = self.case.scenario.start
        self.taken = []

    def score(self) -> tuple[int, int]:
        got = sum(QUALITY_POINTS[t.choice.quality] for t in self.taken)
        return got, 2 * len(self.taken)

    def debrief(self) -> dict:
        """What the learner sees at the end: the verdict, classification, duties and source."""
        if not self.finished:
            raise RuntimeError("the scenario is not finished yet")
        seen_ind = _unique(i for t in self.taken for i in t.choice.indicators)
        return {
            "case": self.case,
            "classification": self.bank.class_label(self.case.classification),
            "duties": [self.bank.duty(d) for d in self.case.duties],
            "indicators": [self.bank.indicator(i) for i in self.case.indicators],
            "indicators_noticed": [self.bank.indicator(i) for i in seen_ind],
            "choices": list(self.taken),
            "review": self.review(),
            "score": self.score(),
        }


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def all_paths(case: m.Case) -> Iterator[list[m.Choice]]:
    """Every path of choices from the start to the debrief (used by tests)."""
    steps = {s.id: s for s in case.scenario.steps}

    def walk(step_id: str, path: list[m.Choice]) -> Iterator[list[m.Choice]]:
        for choice in steps[step_id].choices:
            if choice.next == DEBRIEF:
                yield path + [choice]
            else:
                yield from walk(choice.next, path + [choice])

    yield from walk(case.scenario.start, [])


def step_sequences(case: m.Case) -> set[tuple[str, ...]]:
    """The distinct sequences of steps a learner can pass through on the way to the debrief."""
    if case.scenario is None:
        return set()
    return _step_sequences(case.scenario, {s.id: s for s in case.scenario.steps})


def branches(case: m.Case) -> bool:
    """True when the learner's choices change which steps follow (not only the feedback)."""
    return len(step_sequences(case)) >= 2
