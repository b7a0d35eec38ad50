"""The course pre-test and post-test (bank section ``course_tests``): scoring per objective.

A test names its questions (pretest / posttest pools); every question names the module objective it
tests. The learner sees, per objective, what they got before the course and after it. The post-test
passes when the share of points reaches ``pass_mark`` and every ``pass_rules`` minimum holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..logic import quiz

def course_tests(bank) -> dict[str, object]:
    """kind (``pre``/``post``) -> the bank's course test of that kind."""
    return {t.kind: t for t in bank.all("course_tests")}


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
    result = {"test": test.id, "kind": test.kind, "got": r.points, "most": r.max_points,
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
