"""Breaking a copy of the real content bank on purpose (test_bank, test_scenario_rules; the copy is the
``content`` fixture in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mhkurs.bank import BankError, load_bank


def edit(path: Path, fn) -> None:
    """Change a YAML file of the copy: ``fn`` edits its data in place."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_of(content_dir: Path) -> list:
    """The problems the loader reports for a broken bank (it must refuse it)."""
    with pytest.raises(BankError) as info:
        load_bank(content_dir)
    return info.value.problems
