"""The course uses what the bank holds: every indicator is exercised, and every module has a scenario.

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
