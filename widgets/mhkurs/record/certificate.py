"""The course certificate (kursbevis): what it states, and whether the learner has earned it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..logic import progress as rules
from . import course_test

MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember"]


def norwegian_date(d: date | datetime) -> str:
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def course_version(bank) -> str:
    """A short hash of the content bank's files: two certificates with the same version were earned
    on the same course content."""
    h = hashlib.sha256()
    for path in sorted(Path(bank.content_dir).glob("*.yaml")):
        h.update(path.name.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:12]


@dataclass(frozen=True)
class Standing:
    modules_done: list  # modules with every exercise done
    modules_left: list
    post: dict | None  # the best post-test result
    post_test: object | None  # the bank's post-test (None while the bank has none)
    pre: dict | None = None  # the best pre-test result (says which form was taken, and when)

    @property
    def earned(self) -> bool:
        return not self.modules_left and bool(self.post and self.post.get("passed"))


def standing(bank, data: dict) -> Standing:
    mods = rules.modules_in_order(bank)
    done = [m for m in mods if rules.module_done(bank, data, m.id)]
    left = [m for m in mods if m not in done]
    tests = course_test.course_tests(bank)
    post_test, pre_test = tests.get("post"), tests.get("pre")
    post = (data["tests"].get(post_test.id) or {}).get("best") if post_test else None
    pre = (data["tests"].get(pre_test.id) or {}).get("best") if pre_test else None
    return Standing(done, left, post, post_test, pre)
