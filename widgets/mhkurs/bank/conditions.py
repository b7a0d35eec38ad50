"""Evaluate the duty conditions written in the bank (``all`` / ``any`` / ``not`` over facts)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from . import models as m


def evaluate(condition: m.Condition, facts: Mapping[str, bool]) -> bool:
    """True when ``condition`` holds for the yes/no answers in ``facts`` (missing = no)."""
    if isinstance(condition, str):
        return bool(facts.get(condition, False))
    if isinstance(condition, m.AllOf):
        return all(evaluate(c, facts) for c in condition.all)
    if isinstance(condition, m.AnyOf):
        return any(evaluate(c, facts) for c in condition.any)
    if isinstance(condition, m.NotOf):
        return not evaluate(condition.not_, facts)
    raise TypeError(f"not a condition: {condition!r}")


def condition_facts(condition: m.Condition) -> Iterator[str]:
    """Every fact id a condition mentions."""
    if isinstance(condition, str):
        yield condition
    elif isinstance(condition, m.AllOf):
        for c in condition.all:
            yield from condition_facts(c)
    elif isinstance(condition, m.AnyOf):
        for c in condition.any:
            yield from condition_facts(c)
    elif isinstance(condition, m.NotOf):
        yield from condition_facts(condition.not_)
