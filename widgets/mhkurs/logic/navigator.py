"""Duty navigator: which duties and actions bind a role in a situation, by the rules in the bank.

The learner first says who they are (a role from the bank), then answers the yes/no facts asked of
that role. A duty applies when it names the role in ``roles`` and its ``applies_when`` condition holds.
Confidentiality advice follows from the duties: the ``holds`` advice is given only when no applicable
duty overrides confidentiality, the ``yields`` advice only when one does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..bank import Bank
from ..bank import models as m
from ..bank.conditions import applicable_duties


@dataclass(frozen=True)
class Advice:
    role: m.Role
    duties: list[m.Duty]  # kind == "plikt"
    actions: list[m.Duty]  # kind == "tiltak"
    contacts: list[m.Contact]
    overriding: list[m.Duty]  # the duties that go before confidentiality here

    @property
    def ids(self) -> set[str]:
        return {d.id for d in self.duties + self.actions}


def roles(bank: Bank) -> list[m.Role]:
    return sorted(bank.all("roles"), key=lambda r: r.order)


def role(bank: Bank, role_id: str) -> m.Role:
    if role_id not in bank.sections.get("roles", {}):
        raise ValueError(f"unknown navigator role '{role_id}' (known: {', '.join(r.id for r in roles(bank))})")
    return bank.get("roles", role_id)


def facts(bank: Bank, role_id: str | None = None) -> list[m.Fact]:
    """The facts asked of a role (every fact when no role is given)."""
    return [f for f in bank.all("facts") if role_id is None or not f.roles or role_id in f.roles]


def duties(bank: Bank) -> list[m.Duty]:
    """Every duty (kind plikt) in the navigator's order: the list a learner predicts from."""
    return [d for d in sorted(bank.all("duties"), key=lambda d: d.order) if d.kind == "plikt"]


def situations(bank: Bank) -> list[m.Situation]:
    return sorted(bank.all("situations"), key=lambda s: s.order)


def unanswered(bank: Bank, role_id: str, answers: Mapping[str, bool | None]) -> list[m.Fact]:
    """The facts asked of this role that have no yes/no answer yet."""
    return [f for f in facts(bank, role_id) if answers.get(f.id) is None]


def advise(bank: Bank, role_id: str, answers: Mapping[str, bool | None]) -> Advice:
    """The duties and actions that bind ``role_id`` when the facts are as answered."""
    who = role(bank, role_id)
    unknown = set(answers) - set(bank.sections["facts"])
    if unknown:
        raise ValueError(f"unknown navigator question(s): {sorted(unknown)}")
    applicable = applicable_duties(bank.all("duties"), bank.all("facts"), role_id, answers)
    overriding = [d for d in applicable if d.kind == "plikt" and d.overrides_confidentiality]
    contact_ids = list(dict.fromkeys(c for d in applicable for c in d.contacts))
    return Advice(
        role=who,
        duties=[d for d in applicable if d.kind == "plikt"],
        actions=[d for d in applicable if d.kind == "tiltak"],
        contacts=[bank.contact(c) for c in contact_ids],
        overriding=overriding,
    )


@dataclass(frozen=True)
class Comparison:
    right: set[str]
    missed: set[str]
    extra: set[str]

    @property
    def correct(self) -> bool:
        return not self.missed and not self.extra


def compare(bank: Bank, role_id: str, answers: Mapping[str, bool | None], predicted: set[str]) -> Comparison:
    """Compare the duties a learner predicted with those that bind the role (learning mode)."""
    actual = {d.id for d in advise(bank, role_id, answers).duties}
    predicted = set(predicted)
    return Comparison(right=actual & predicted, missed=actual - predicted, extra=predicted - actual)


# --- a situation from the bank: facts and duties scored together -------------------------


@dataclass(frozen=True)
class FactCheck:
    fact: m.Fact
    given: bool | None
    expected: bool | None  # None: depends on more than the situation tells; not scored
    why: m.Text

    @property
    def scored(self) -> bool:
        return self.expected is not None

    @property
    def correct(self) -> bool:
        return self.scored and self.given == self.expected


@dataclass(frozen=True)
class DutyCheck:
    duty: m.Duty
    predicted: bool
    applies: bool

    @property
    def correct(self) -> bool:
        return self.predicted == self.applies


@dataclass(frozen=True)
class Verdict:
    facts: list[FactCheck]
    duties: list[DutyCheck]
    advice: Advice  # what applies with the situation's right answers

    @property
    def right(self) -> int:
        return sum(f.correct for f in self.facts) + sum(d.correct for d in self.duties)

    @property
    def total(self) -> int:
        return sum(f.scored for f in self.facts) + len(self.duties)

    @property
    def all_right(self) -> bool:
        return self.right == self.total


def situation(bank: Bank, situation_id: str) -> m.Situation:
    return bank.get("situations", situation_id)


def grade(bank: Bank, situation_id: str, role_id: str, answers: Mapping[str, bool | None],
          predicted: set[str]) -> Verdict:
    """Score a learner's fact answers and predicted duties for a situation of the bank.

    The duties are judged against the situation's right answers; where the bank leaves a fact open
    (``answer: null``) the learner's own answer counts.
    """
    sit = situation(bank, situation_id)
    checks = []
    key: dict[str, bool | None] = {}
    for f in facts(bank, role_id):
        sf = sit.facts.get(f.id)
        expected = sf.answer if sf else None
        why = sf.why if sf else m.Text(nb="Situasjonen sier ikke noe om dette; svaret ditt blir brukt.")
        checks.append(FactCheck(f, answers.get(f.id), expected, why))
        key[f.id] = expected if expected is not None else answers.get(f.id)
    advice = advise(bank, role_id, key)
    applies = {d.id for d in advice.duties}
    return Verdict(
        facts=checks,
        duties=[DutyCheck(d, d.id in predicted, d.id in applies) for d in duties(bank)],
        advice=advice,
    )
