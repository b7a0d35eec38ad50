"""Myth or fact: each myth in the bank gives a false statement and its true counterpart."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from ..bank import Bank
from ..bank import models as m


@dataclass(frozen=True)
class Statement:
    key: str  # "<myth id>:myte" or "<myth id>:fakta"
    text: m.Text
    is_true: bool
    myth: m.Myth


@dataclass(frozen=True)
class Judgement:
    correct: bool
    statement: Statement

    @property
    def correction(self) -> m.Text:
        return self.statement.myth.correction

    @property
    def why(self) -> m.Text:
        return self.statement.myth.why_it_matters


def statements(bank: Bank, seed: int = 0, myth_ids: list[str] | None = None) -> list[Statement]:
    myths = [bank.get("myths", i) for i in myth_ids] if myth_ids else bank.all("myths")
    out = []
    for myth in myths:
        out.append(Statement(f"{myth.id}:myte", myth.statement, False, myth))
        out.append(Statement(f"{myth.id}:fakta", myth.fact, True, myth))
    random.Random(seed).shuffle(out)
    return out


def judge(statement: Statement, says_true: bool) -> Judgement:
    return Judgement(correct=(says_true == statement.is_true), statement=statement)


@dataclass
class MythRun:
    """One attempt at the myth-or-fact exercise: the order shown and the answers given.

    An answer is final once given (the feedback tells the truth, so changing it would only copy the
    feedback); a new attempt reshuffles and starts empty. Round-trips through a dict for resume.
    """

    keys: list[str]
    seed: int = 0
    attempt: int = 0
    answers: dict[str, bool] = field(default_factory=dict)  # statement key -> learner said "true"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "MythRun":
        return cls(keys=list(data["keys"]), seed=int(data.get("seed", 0)), attempt=int(data.get("attempt", 0)),
                   answers={str(k): bool(v) for k, v in data.get("answers", {}).items()})

    @property
    def done(self) -> bool:
        return all(k in self.answers for k in self.keys)


def start(bank: Bank, seed: int = 0, attempt: int = 0, myth_ids: list[str] | None = None) -> MythRun:
    return MythRun([s.key for s in statements(bank, seed=seed * 1000 + attempt, myth_ids=myth_ids)],
                   seed=seed, attempt=attempt)


def by_key(bank: Bank, run: MythRun) -> dict[str, Statement]:
    wanted = set(run.keys)
    return {s.key: s for s in statements(bank) if s.key in wanted}


def answer(bank: Bank, run: MythRun, key: str, says_true: bool) -> Judgement:
    """Record an answer; an answered statement cannot be answered again in this attempt."""
    if key not in run.keys:
        raise ValueError(f"statement '{key}' is not in this exercise")
    if key in run.answers:
        raise ValueError("this statement is already answered; start a new attempt to answer again")
    run.answers[key] = says_true
    return judge(by_key(bank, run)[key], says_true)


def score(bank: Bank, run: MythRun) -> tuple[int, int]:
    stmts = by_key(bank, run)
    right = sum(1 for k, said in run.answers.items() if stmts[k].is_true == said)
    return right, len(run.keys)


def retry(bank: Bank, run: MythRun) -> MythRun:
    myth_ids = sorted({k.split(":")[0] for k in run.keys})
    return start(bank, seed=run.seed, attempt=run.attempt + 1, myth_ids=myth_ids)
