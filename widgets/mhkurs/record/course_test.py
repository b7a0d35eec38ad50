"""The course pre-test and post-test (bank section ``course_tests``): scoring per objective.

A test names its questions (pretest / posttest pools); every question names the module objective it
tests. The learner sees, per objective, what they got before the course and after it. The post-test
passes when the share of points reaches ``pass_mark`` and every ``pass_rules`` minimum holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..logic import quiz

KIND_ID = {"pre": "forhandstest", "post": "sluttest"}


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
    """Grade a whole test. Every question must be answered; the result is plain JSON for the record."""
    missing = [q for q in test.questions if not answers.get(q)]
    if missing:
        raise ValueError(f"unanswered questions: {missing}")
    per: dict[str, list[int]] = {}
    got = most = 0
    right, wrong = [], []
    for qid in test.questions:
        q = bank.question(qid)
        a = quiz.grade(q, set(answers[qid]))
        obj = per.setdefault(q.objective, [0, 0])
        obj[0] += a.points
        obj[1] += q.points
        got += a.points
        most += q.points
        (right if a.correct else wrong).append(qid)
    result = {"test": test.id, "kind": test.kind, "got": got, "most": most, "percent": percent(got, most),
              "per_objective": per, "right": right, "wrong": wrong,
              "answers": {k: sorted(v) for k, v in answers.items() if k in test.questions}}
    if test.kind == "post":
        failed = []
        for rule in getattr(test, "pass_rules", []) or []:
            g = sum(per.get(o, [0, 0])[0] for o in rule.objectives)
            m = sum(per.get(o, [0, 0])[1] for o in rule.objectives)
            if m and percent(g, m) < rule.min_percent:
                failed.append(str(rule.label))
        result["failed_rules"] = failed
        result["passed"] = result["percent"] >= test.pass_mark and not failed
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
