"""Duty navigator: which duties and actions apply to a situation, by the rules in the bank."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..bank import Bank
from ..bank import models as m
from ..bank.conditions import evaluate


@dataclass(frozen=True)
class Advice:
    duties: list[m.Duty]  # kind == "plikt"
    actions: list[m.Duty]  # kind == "tiltak"
    contacts: list[m.Contact]

    @property
    def ids(self) -> set[str]:
        return {d.id for d in self.duties + self.actions}


def facts(bank: Bank) -> list[m.Fact]:
    return bank.all("facts")


def advise(bank: Bank, answers: Mapping[str, bool]) -> Advice:
    unknown = set(answers) - set(bank.sections["facts"])
    if unknown:
        raise ValueError(f"unknown navigator question(s): {sorted(unknown)}")
    applicable = sorted((d for d in bank.all("duties") if evaluate(d.applies_when, answers)), key=lambda d: d.order)
    contact_ids = list(dict.fromkeys(c for d in applicable for c in d.contacts))
    return Advice(
        duties=[d for d in applicable if d.kind == "plikt"],
        actions=[d for d in applicable if d.kind == "tiltak"],
        contacts=[bank.contact(c) for c in contact_ids],
    )


@dataclass(frozen=True)
class Comparison:
    right: set[str]
    missed: set[str]
    extra: set[str]

    @property
    def correct(self) -> bool:
        return not self.missed and not self.extra


def compare(bank: Bank, answers: Mapping[str, bool], predicted: set[str]) -> Comparison:
    """Compare the duties a learner predicted with those that apply (learning mode)."""
    actual = {d.id for d in advise(bank, answers).duties}
    predicted = set(predicted)
    return Comparison(right=actual & predicted, missed=actual - predicted, extra=predicted - actual)
