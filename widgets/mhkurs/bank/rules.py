"""Scenario rules: each choice's action graded by the bank's rule table, duties agreeing with the navigator.

A scenario names the learner's role; each step may state the navigator facts known there; each choice
names the action the learner takes. This module checks, for every choice, that

- the action exists and fits the role (a police officer does not «tip the police»);
- every duty the choice names is one the navigator gives that role with the step's facts;
- its quality is one the matching rules of ``action_rules`` allow;
- the same action for the same role, under the same rules, has the same quality in every scenario.

It returns problems as (item id, field, message); the loader turns them into :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import models as m
from .conditions import applicable_duties, condition_facts, evaluate

DEBRIEF = "debrief"


def step_facts(sc: m.Scenario, step: m.Step) -> dict[str, bool]:
    """The navigator facts known at a step: the scenario's facts, overridden by the step's own."""
    return {**sc.facts, **step.facts}


def navigator_ids(bank, role_id: str, facts: dict[str, bool]) -> set[str]:
    """The duties and actions (ids) the navigator gives ``role_id`` with these facts."""
    return {d.id for d in applicable_duties(bank.all("duties"), bank.all("facts"), role_id, facts)}


def matching_rules(bank, action: str, role_id: str, facts: dict[str, bool]) -> list[m.ActionRule]:
    """The rules of the table that grade ``action`` for this role with these facts."""
    out = []
    duty_ids = None
    for rule in bank.all("action_rules"):
        if rule.action != action or (rule.roles and role_id not in rule.roles):
            continue
        if rule.when is not None and not evaluate(rule.when, facts):
            continue
        if rule.when_duty or rule.unless_duty:
            duty_ids = navigator_ids(bank, role_id, facts) if duty_ids is None else duty_ids
            if rule.when_duty and rule.when_duty not in duty_ids:
                continue
            if rule.unless_duty and rule.unless_duty in duty_ids:
                continue
        out.append(rule)
    return out


def _rule_table_problems(bank) -> Iterator[tuple[str, str, str]]:
    actions = bank.sections.get("actions", {})
    roles = bank.sections.get("roles", {})
    facts = bank.sections.get("facts", {})
    duties = bank.sections.get("duties", {})
    graded = {rule.action for rule in bank.all("action_rules")}
    for action in actions.values():
        for i, r in enumerate(action.roles):
            if r not in roles:
                yield action.id, f"roles[{i}]", f"unknown role '{r}'"
        if action.id not in graded:
            yield action.id, "id", "no rule in 'action_rules' grades this action: add one with its source"
    for rule in bank.all("action_rules"):
        if rule.action not in actions:
            yield rule.id, "action", f"unknown action '{rule.action}'"
        for i, r in enumerate(rule.roles):
            if r not in roles:
                yield rule.id, f"roles[{i}]", f"unknown role '{r}'"
        if rule.when is not None:
            for f in condition_facts(rule.when):
                if f not in facts:
                    yield rule.id, "when", f"unknown navigator fact '{f}'"
        for fld in ("when_duty", "unless_duty"):
            d = getattr(rule, fld)
            if d and d not in duties:
                yield rule.id, fld, f"unknown duty '{d}'"
        if len(set(rule.allowed)) != len(rule.allowed):
            yield rule.id, "allowed", "a quality is listed twice"


def scenario_rule_problems(bank) -> list[tuple[str, str, str]]:
    """Every problem of the rule table and of the scenarios measured against it (see the module doc)."""
    out = list(_rule_table_problems(bank))
    if not bank.sections.get("actions"):
        return out  # a bank without an action list (a small test bank) is not held to the table
    actions = bank.sections["actions"]
    roles = bank.sections.get("roles", {})
    known_facts = bank.sections.get("facts", {})
    seen: dict[tuple, tuple[str, str, str, str]] = {}  # (action, role, rules) -> (case, step, choice, quality)
    for case in bank.all("cases"):
        sc = case.scenario
        if sc is None:
            continue
        if sc.role is None:
            out.append((case.id, "scenario.role", "a scenario must name the learner's role (a navigator role id)"))
            continue
        if sc.role not in roles:
            out.append((case.id, "scenario.role", f"unknown role '{sc.role}' (known: {', '.join(roles)})"))
            continue
        role = roles[sc.role]
        if "alle" not in case.audience and sc.role not in case.audience:
            out.append((case.id, "scenario.role", f"role '{sc.role}' is not in the case's audience {case.audience}"))
        for fld, fs in [("scenario.facts", sc.facts)] + [
                (f"scenario.steps[{i}].facts", s.facts) for i, s in enumerate(sc.steps)]:
            for f in fs:
                if f not in known_facts:
                    out.append((case.id, f"{fld}.{f}", f"unknown navigator fact '{f}'"))
        starts = [i for i, s in enumerate(sc.steps) if s.id == sc.start]
        if starts and role.scenario_words:
            first = sc.steps[starts[0]].text.nb.lower()
            if not any(w.lower() in first for w in role.scenario_words):
                out.append((case.id, f"scenario.steps[{starts[0]}].text",
                            f"the first step must tell the learner the role '{sc.role}' (use one of: "
                            f"{', '.join(role.scenario_words)})"))
        for i, step in enumerate(sc.steps):
            facts = step_facts(sc, step)
            given = navigator_ids(bank, sc.role, facts)
            for c, choice in enumerate(step.choices):
                base = f"scenario.steps[{i}].choices[{c}]"
                where = f"step '{step.id}', choice '{choice.id}'"
                for k, d in enumerate(choice.duties):
                    if d not in given:
                        out.append((case.id, f"{base}.duties[{k}]",
                                    f"{where}: the feedback names duty '{d}', but the navigator does not give it to "
                                    f"role '{sc.role}' with this step's facts {_facts(facts)}"))
                if choice.action is None:
                    out.append((case.id, f"{base}.action", f"{where}: every choice needs an action from the bank"))
                    continue
                action = actions.get(choice.action)
                if action is None:
                    out.append((case.id, f"{base}.action", f"{where}: unknown action '{choice.action}'"))
                    continue
                if action.roles and sc.role not in action.roles:
                    out.append((case.id, f"{base}.action",
                                f"{where}: action '{action.id}' is not one role '{sc.role}' takes "
                                f"(only {', '.join(action.roles)})"))
                rules = matching_rules(bank, action.id, sc.role, facts)
                for rule in rules:
                    if choice.quality not in rule.allowed:
                        out.append((case.id, f"{base}.quality",
                                    f"{where}: action '{action.id}' is graded '{choice.quality}', but rule "
                                    f"'{rule.id}' allows only {rule.allowed} for role '{sc.role}' here"))
                key = (action.id, sc.role, tuple(sorted(r.id for r in rules)))
                first = seen.setdefault(key, (case.id, step.id, choice.id, choice.quality))
                if first[0] != case.id and first[3] != choice.quality:
                    out.append((case.id, f"{base}.quality",
                                f"{where}: action '{action.id}' for role '{sc.role}' is graded '{choice.quality}' "
                                f"here but '{first[3]}' in case '{first[0]}', step '{first[1]}', choice "
                                f"'{first[2]}' (the same rules apply to both)"))
        out += [(case.id, fld, msg) for fld, msg in _delay_problems(bank, sc)]
    return out


def _delay_problems(bank, sc: m.Scenario) -> list[tuple[str, str]]:
    """A duty that allows no delay (``without_delay``) must be met by the 'god' choice of the step where it
    first applies on a path, or by every 'god' choice of the step that choice leads to (room to secure the
    person first); otherwise only an earlier choice on the path may have met it (its action ``fulfils`` it)."""
    urgent = [d.id for d in bank.all("duties") if d.without_delay]
    actions = bank.sections.get("actions", {})
    steps = {s.id: (i, s) for i, s in enumerate(sc.steps)}
    if not urgent or sc.start not in steps:
        return []
    found: dict[tuple[int, int, str], tuple[str, str]] = {}

    def fulfils(choice: m.Choice) -> set[str]:
        a = actions.get(choice.action or "")
        return set(a.fulfils) if a else set()

    def walk(step_id: str, met: frozenset[str], depth: int) -> None:
        if step_id not in steps or depth > len(steps):
            return  # structural problems are reported elsewhere
        i, step = steps[step_id]
        applies = navigator_ids(bank, sc.role, step_facts(sc, step))
        for c, choice in enumerate(step.choices):
            nxt = steps.get(choice.next, (None, None))[1]
            then = [x for x in nxt.choices if x.quality == "god"] if nxt else []
            for duty in urgent:
                if duty not in applies or duty in met or choice.quality != "god" or duty in fulfils(choice):
                    continue
                if then and all(duty in fulfils(x) for x in then):
                    continue  # the very next step's 'god' choices all meet it (secure the person first)
                found.setdefault((i, c, duty), (
                    f"scenario.steps[{i}].choices[{c}].quality",
                    f"step '{step.id}', choice '{choice.id}': graded 'god', but duty '{duty}' applies here for "
                    f"role '{sc.role}', allows no delay and has not been met on the way here; a 'god' choice must "
                    f"meet it, or lead to a step whose 'god' choices all do (an action whose 'fulfils' names it)"))
            if choice.next != DEBRIEF:
                walk(choice.next, met | (fulfils(choice) & set(urgent)), depth + 1)

    walk(sc.start, frozenset(), 0)
    return list(found.values())


def _facts(facts: dict[str, bool]) -> str:
    true = sorted(k for k, v in facts.items() if v)
    return "{" + ", ".join(true) + "}" if true else "{no facts true}"
