"""Myth or fact: each myth in the bank gives a false statement and its true counterpart."""

from __future__ import annotations

import random
from dataclasses import dataclass

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
