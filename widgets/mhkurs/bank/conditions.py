"""Evaluate the duty conditions written in the bank (``all`` / ``any`` / ``not`` over facts)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

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


def applicable_duties(duties: Iterable[m.Duty], facts_asked: Iterable[m.Fact], role_id: str,
                      answers: Mapping[str, bool | None]) -> list[m.Duty]:
    """The duties and actions that bind ``role_id`` when the facts are as answered: the navigator's rule.

    Only the facts asked of the role count. A duty applies when it names the role and its condition
    holds; confidentiality advice is kept only when it fits ('holds' when no applicable duty overrides
    confidentiality, 'yields' when one does). The duty navigator and the scenario checks both use this.
    """
    asked = {f.id for f in facts_asked if not f.roles or role_id in f.roles}
    given = {k: bool(v) for k, v in answers.items() if k in asked and v is not None}
    out = sorted((d for d in duties if role_id in d.roles and evaluate(d.applies_when, given)),
                 key=lambda d: d.order)
    overriding = any(d.kind == "plikt" and d.overrides_confidentiality for d in out)
    return [d for d in out if d.confidentiality is None or (d.confidentiality == "yields") == overriding]
