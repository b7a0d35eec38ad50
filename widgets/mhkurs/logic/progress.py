"""The learner's record as plain data, and the rules that read it. No widgets, no storage.

A record is a JSON-able dict (see :func:`empty`). An exercise is *done* when one submission
answered all its items; a submission that answered nothing is not recorded at all. For every
exercise both the best and the latest result are kept. Where the record is stored is decided in
:mod:`mhkurs.record`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

RECORD_VERSION = 1


def exercise_key(kind: str, ref: str) -> str:
    return f"{kind}:{ref}"


def empty() -> dict:
    """A record with nothing in it."""
    return {"version": RECORD_VERSION, "exercises": {}, "states": {}, "tests": {}, "missed": {},
            "refreshers": [], "completed_at": None}


def normalise(data: object) -> dict:
    """A usable record from whatever a store held (damaged or foreign data gives an empty record)."""
    out = empty()
    if not isinstance(data, dict):
        return out
    for name, default in out.items():
        value = data.get(name, default)
        if isinstance(default, dict) and isinstance(value, dict):
            out[name] = value
        elif isinstance(default, list) and isinstance(value, list):
            out[name] = value
        elif name == "completed_at" and isinstance(value, str):
            out[name] = value
    out["exercises"] = {m: {k: e for k, e in ex.items() if _valid_entry(e)}
                        for m, ex in out["exercises"].items() if isinstance(ex, dict)}
    out["missed"] = {k: v for k, v in out["missed"].items() if isinstance(v, int)}
    out["tests"] = {k: v for k, v in out["tests"].items() if _valid_test(v)}
    out["states"] = {k: v for k, v in out["states"].items() if isinstance(v, dict)}
    out["refreshers"] = [r for r in out["refreshers"] if _valid_time(r)]
    if out["completed_at"] and not _valid_time(out["completed_at"]):
        out["completed_at"] = None
    return out


def _valid_entry(e: object) -> bool:
    """An exercise entry a browser or file may hold: damaged ones are dropped, never crash a page."""
    if not isinstance(e, dict):
        return False
    try:
        for part in ("best", "latest"):
            Result.of(e[part])
            if not _valid_time(e[part]["at"]):
                return False
    except (KeyError, TypeError, ValueError):
        return False
    return True


def _valid_test(e: object) -> bool:
    if not isinstance(e, dict):
        return False
    for part in ("best", "latest"):
        res = e.get(part)
        if not isinstance(res, dict) or not all(isinstance(res.get(k), int) for k in ("got", "most", "percent")):
            return False
        if not isinstance(res.get("per_objective", {}), dict):
            return False
    return True


def _valid_time(value: object) -> bool:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


@dataclass(frozen=True)
class Result:
    score: int
    max: int
    answered: int
    items: int
    at: str

    @property
    def complete(self) -> bool:
        return self.answered >= self.items

    @property
    def share(self) -> float:
        return self.score / self.max if self.max else 0.0

    @classmethod
    def of(cls, d: dict) -> "Result":
        return cls(int(d["score"]), int(d["max"]), int(d["answered"]), int(d["items"]), str(d["at"]))

    def as_dict(self) -> dict:
        return {"score": self.score, "max": self.max, "answered": self.answered, "items": self.items, "at": self.at}


def better(a: Result, b: Result) -> bool:
    """Is ``a`` a better result than ``b``? A complete submission beats an incomplete one, then the share."""
    return (a.complete, a.share) > (b.complete, b.share)


def add_result(data: dict, module: str, key: str, score: int, max_score: int, answered: int, items: int,
               now: datetime, missed=(), right=()) -> Result | None:
    """Record one submission in ``data`` (changed in place). An empty submission is not recorded.

    ``missed``/``right``: ids of questions answered wrongly/rightly, kept so refreshers can draw on
    what the learner missed.
    """
    if answered <= 0:
        return None
    if items <= 0 or max_score < 0 or not 0 <= score <= max(max_score, 0):
        raise ValueError(f"impossible result {score}/{max_score} with {answered}/{items} answered")
    res = Result(score, max_score, min(answered, items), items, now.isoformat(timespec="seconds"))
    entry = data["exercises"].setdefault(module, {}).setdefault(key, {})
    entry["latest"] = res.as_dict()
    best = entry.get("best")
    if best is None or better(res, Result.of(best)):
        entry["best"] = res.as_dict()
    entry["done"] = bool(entry.get("done")) or res.complete
    entry["attempts"] = int(entry.get("attempts", 0)) + 1
    note_answers(data, missed, right)
    return res


def note_answers(data: dict, missed=(), right=()) -> None:
    """Count the questions a learner got wrong; a right answer later takes one off."""
    counts = data["missed"]
    for qid in missed:
        counts[qid] = int(counts.get(qid, 0)) + 1
    for qid in right:
        if qid in counts:
            counts[qid] = int(counts[qid]) - 1
            if counts[qid] <= 0:
                del counts[qid]


# --- reading the record against the module manifest -------------------------------------------


def resolve_ref(bank, module_id: str, kind: str, ref: str) -> str:
    """The manifest's ref for an exercise a view reports.

    A view that does not name its exercise (a quiz given by question ids reports ``utvalg``) counts
    for the module's one exercise of that kind in ``modules.yaml``.
    """
    mod = bank.module(module_id)
    refs = [ex.ref for ex in mod.exercises if ex.kind == kind]
    if ref in refs or len(refs) != 1:
        return ref
    return refs[0]


@dataclass(frozen=True)
class ExerciseStatus:
    kind: str
    ref: str
    key: str
    done: bool
    best: Result | None
    latest: Result | None
    attempts: int


def module_status(bank, data: dict, module_id: str) -> list[ExerciseStatus]:
    mod = bank.module(module_id)
    got = data["exercises"].get(module_id, {})
    out = []
    for ex in mod.exercises:
        key = exercise_key(ex.kind, ex.ref)
        e = got.get(key) or {}
        out.append(ExerciseStatus(ex.kind, ex.ref, key, bool(e.get("done")),
                                  Result.of(e["best"]) if e.get("best") else None,
                                  Result.of(e["latest"]) if e.get("latest") else None, int(e.get("attempts", 0))))
    return out


def module_done(bank, data: dict, module_id: str) -> bool:
    return all(s.done for s in module_status(bank, data, module_id))


def modules_in_order(bank) -> list:
    return sorted(bank.all("modules"), key=lambda m: m.number)


def course_done(bank, data: dict) -> bool:
    """All exercises of all modules done."""
    return all(module_done(bank, data, m.id) for m in modules_in_order(bank))


def next_exercise(bank, data: dict) -> tuple | None:
    """(module, status) of the first unfinished exercise in course order, or None when all are done."""
    for mod in modules_in_order(bank):
        for st in module_status(bank, data, mod.id):
            if not st.done:
                return mod, st
    return None


def mark_completion(data: dict, bank, now: datetime) -> bool:
    """Note when the course was first completed (all modules done); True when that happened now."""
    if data.get("completed_at") or not course_done(bank, data):
        return False
    data["completed_at"] = now.isoformat(timespec="seconds")
    return True


def module_summary(bank, data: dict, module_id: str) -> tuple[int, int, int, int]:
    """(exercises done, exercises in the module, points, most points) of a module; points are the best
    results of the exercises done."""
    status = module_status(bank, data, module_id)
    done = [s for s in status if s.done and s.best]
    return len(done), len(status), sum(s.best.score for s in done), sum(s.best.max for s in done)
