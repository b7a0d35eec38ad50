"""The course uses what the bank holds, and each case speaks to its roles: every indicator is exercised,
every module has a scenario, and a case gives only duties of the roles it is written for.

(That every case is shown somewhere is tested in test_bank.py.)
"""

from __future__ import annotations

import json
import re

import pytest

from mhkurs.bank import get_bank
from mhkurs.bank.loader import REPO_ROOT

CALL = re.compile(r"show_(case|spotter|case_summary)\(\s*\"([a-z0-9-]+)\"")


@pytest.fixture(scope="module")
def bank():
    return get_bank()


def notebook_calls(bank) -> dict[str, list[tuple[str, str]]]:
    """Per module id: the (view, case id) pairs its notebook's code cells call."""
    out = {}
    for mod in bank.all("modules"):
        nb = json.loads((REPO_ROOT / mod.notebook).read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        out[mod.id] = CALL.findall(code)
    return out


def exercised_indicators(bank) -> set[str]:
    used = set()
    for case in bank.all("cases"):
        used |= set(case.indicators)
        if case.scenario:
            for step in case.scenario.steps:
                for choice in step.choices:
                    used |= set(choice.indicators)
    for q in bank.all("questions"):
        used |= set(q.tests)
    return used


def test_every_indicator_is_exercised_somewhere(bank):
    unused = sorted(i.id for i in bank.all("indicators") if i.id not in exercised_indicators(bank))
    assert not unused, f"indicators no case, scenario choice or question uses: {unused}"


def test_every_module_has_a_scenario_that_its_notebook_plays(bank):
    calls = notebook_calls(bank)
    missing = []
    for mod in bank.all("modules"):
        scenarios = [ex.ref for ex in mod.exercises if ex.kind == "scenario" and bank.case(ex.ref).scenario]
        played = [ref for ref in scenarios if ("case", ref) in calls[mod.id]]
        if not played:
            missing.append(mod.id)
    assert not missing, f"modules without a scenario exercise played in their notebook: {missing}"


# Cases whose audience still names a role the case's duties are not for (owner: B1, cases.yaml).
KNOWN_ROLE_GAPS: dict[str, str] = {}


def case_duties(case) -> set[str]:
    duties = set(case.duties)
    if case.scenario:
        duties |= {d for step in case.scenario.steps for choice in step.choices for d in choice.duties}
    return duties


@pytest.mark.parametrize("case_id", [
    pytest.param(c.id, marks=pytest.mark.xfail(reason=KNOWN_ROLE_GAPS[c.id])) if c.id in KNOWN_ROLE_GAPS else c.id
    for c in get_bank().all("cases")])
def test_a_case_gives_only_duties_of_the_roles_it_is_written_for(bank, case_id):
    """A learner is never told a duty that is not theirs: every duty fits every role in the case's audience."""
    case = bank.case(case_id)
    audience = set(case.audience) - {"alle"}
    wrong = {d: sorted(audience - set(bank.duty(d).roles)) for d in case_duties(case) if audience - set(bank.duty(d).roles)}
    assert not wrong, f"duties given to roles they do not bind: {wrong}"
