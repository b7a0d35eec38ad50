"""The course pre-test and post-test (bank section ``course_tests``): scoring per objective.

A test names its questions (pretest / posttest pools); every question names the module objective it
tests. The learner sees, per objective, what they got before the course and after it. The post-test
passes when the share of points reaches ``pass_mark`` and every ``pass_rules`` minimum holds.

Counterbalancing: when both tests name a ``form`` (their questions are the parallel forms A and B),
each learner meets the forms in an order drawn at random the first time a test page is opened
(``ensure_order``) and kept in the record (``states["course"]["test-forms"]``): «AB» takes form A
before the course and form B after it, «BA» the other way round. ``for_learner`` gives the test a
learner takes on each occasion; every result says which form it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..logic import quiz

ORDERS = {"AB": {"pre": "A", "post": "B"}, "BA": {"pre": "B", "post": "A"}}
"""The two orders a learner may meet the forms in: occasion (pre/post) -> form."""

ORDER_KEY = ("course", "test-forms")
"""Where the record keeps the learner's order (module, key of ``Record.save_state``)."""

def course_tests(bank) -> dict[str, object]:
    """kind (``pre``/``post``) -> the bank's course test of that kind."""
    return {t.kind: t for t in bank.all("course_tests")}


def forms(bank) -> dict[str, object]:
    """Form label (``A``/``B``) -> the course test whose questions make it up; empty when the tests are
    not counterbalanced (one of them names no form)."""
    tests = list(course_tests(bank).values())
    labels = {getattr(t, "form", None): t for t in tests}
    return labels if len(tests) == 2 and set(labels) == {"A", "B"} else {}


def order(data: dict) -> str | None:
    """The learner's order of the forms (``AB``/``BA``), or None while none is drawn."""
    module, key = ORDER_KEY
    got = ((data.get("states") or {}).get(module) or {}).get(key) or {}
    return got.get("order") if got.get("order") in ORDERS else None


def draw_order(bank, data: dict, rng: random.Random | None = None) -> str | None:
    """The order for a learner who has none yet: at random, except that a learner who has already taken
    a test before forms were counterbalanced keeps the forms as the bank lists them («AB»)."""
    if not forms(bank):
        return None
    tests = course_tests(bank)
    if any(data.get("tests", {}).get(t.id) for t in tests.values()):
        return "AB"
    return (rng or random.SystemRandom()).choice(sorted(ORDERS))


def ensure_order(bank, rec, rng: random.Random | None = None) -> str | None:
    """The learner's order, drawn and saved in the record the first time it is needed."""
    data = rec.data()
    have = order(data)
    if have or not forms(bank):
        return have
    chosen = draw_order(bank, data, rng)
    rec.save_state(*ORDER_KEY, {"order": chosen})
    return chosen


def for_learner(bank, kind: str, learner_order: str | None):
    """The course test of ``kind`` as this learner takes it: its own id, title, intro and pass rules, with
    the questions of the form their order gives (the bank's own test when not counterbalanced)."""
    test = course_tests(bank).get(kind)
    by_form = forms(bank)
    if test is None or not by_form or learner_order not in ORDERS:
        return test
    form = ORDERS[learner_order][kind]
    return test.model_copy(update={"questions": list(by_form[form].questions), "form": form})


def form_label(res: dict | None) -> str:
    """«form A», or empty for a result from before the forms were counterbalanced."""
    return f"form {res['form']}" if res and res.get("form") else ""


def objectives(bank) -> dict[str, tuple[object, object]]:
    """objective id -> (module, objective)."""
    return {o.id: (mod, o) for mod in bank.all("modules") for o in mod.objectives}


@dataclass(frozen=True)
class ObjectiveScore:
    objective: str
    got: int
    most: int

    @property
    def percent(self) -> int:
        return round(100 * self.got / self.most) if self.most else 0


def percent(got: int, most: int) -> int:
    return int(100 * got // most) if most else 0  # rounded down: 79.9 % does not pass an 80 % mark


def score(bank, test, answers: dict[str, list[str] | set[str]]) -> dict:
    """Grade a whole test (``logic.quiz.score_course_test``). Every question must be answered; the result
    is plain JSON for the record."""
    missing = [q for q in test.questions if not answers.get(q)]
    if missing:
        raise ValueError(f"unanswered questions: {missing}")
    r = quiz.score_course_test(bank, test, answers)
    right = [q for q in test.questions if quiz.grade(bank.question(q), set(answers[q])).correct]
    result = {"test": test.id, "kind": test.kind, "form": getattr(test, "form", None), "got": r.points, "most": r.max_points,
              "percent": percent(r.points, r.max_points), "per_objective": {k: list(v) for k, v in r.by_objective.items()},
              "right": right, "wrong": [q for q in test.questions if q not in right],
              "answers": {k: sorted(v) for k, v in answers.items() if k in test.questions}}
    if test.kind == "post":
        result["failed_rules"] = list(r.failed_rules)
        result["passed"] = bool(r.passed)
    return result


def better(a: dict, b: dict) -> bool:
    return (bool(a.get("passed")), a["percent"]) > (bool(b.get("passed")), b["percent"])


def compare(bank, pre: dict | None, post: dict | None) -> list[tuple[str, str, ObjectiveScore | None, ObjectiveScore | None]]:
    """Per objective (in course order): (module title, objective text, before, after)."""
    rows = []
    objs = objectives(bank)
    ids = set((pre or {}).get("per_objective", {})) | set((post or {}).get("per_objective", {}))
    order = sorted(ids, key=lambda o: (objs[o][0].number, [x.id for x in objs[o][0].objectives].index(o))
                   if o in objs else (99, 0))
    for oid in order:
        mod, obj = objs.get(oid, (None, oid))

        def one(res):
            v = (res or {}).get("per_objective", {}).get(oid)
            return ObjectiveScore(oid, v[0], v[1]) if v else None

        rows.append((f"Modul {mod.number}" if mod else "", str(obj), one(pre), one(post)))
    return rows
