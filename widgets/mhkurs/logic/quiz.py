"""Self-check quiz: choice questions shown with shuffled, relabelled options; answers locked once
submitted; a new attempt reshuffles. The state is a plain dataclass that round-trips through a dict
(the learner record saves and restores it).

``arrange`` is also what the nbgrader generator uses: the right option's position is spread evenly
over the positions (a shuffled deck per option count), so no position is a cue.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from ..bank import Bank
from ..bank import models as m

LETTERS = "ABCDEFGH"
RIGHT, WRONG, UNANSWERED = "riktig", "ikke riktig", "ikke besvart"


def questions(bank: Bank, topic: str | None = None, ids: list[str] | None = None,
              pool: str = "practice") -> list[m.Question]:
    """The choice questions of a self-check: by ids, or every ``pool`` item of a topic."""
    if ids:
        qs = [bank.question(i) for i in ids]
    else:
        qs = [q for q in bank.all("questions")
              if q.type in ("single", "multiple") and q.pool == pool and (topic is None or q.topic == topic)]
    bad = [q.id for q in qs if q.type not in ("single", "multiple")]
    if bad:
        raise ValueError(f"the self-check quiz takes single/multiple choice questions only, not {bad}")
    wrong_pool = [q.id for q in qs if q.pool != pool]
    if wrong_pool:
        raise ValueError(f"a self-check uses '{pool}' items only, not {wrong_pool}")
    if not qs:
        raise ValueError(f"no self-check questions for topic '{topic}'")
    return qs


def seed_for(module: str | None, topic: str | None, ids: list[str] | None) -> str:
    """The seed of a module's self-check: the same page shows the same first attempt."""
    return f"{module or ''}:{topic or ','.join(ids or [])}"


def arrange(qs: list[m.Question], seed: str) -> dict[str, list[str]]:
    """Option order (bank option ids) per question, deterministic for ``seed``.

    Single choice: the right option goes to a position drawn from a shuffled deck of all positions
    (one deck per option count, refilled when empty), the wrong options are shuffled around it; so
    over a quiz or an assignment every position holds the answer about equally often. Multiple
    choice: a plain seeded shuffle.
    """
    rng = random.Random(seed)
    decks: dict[int, list[int]] = {}
    out: dict[str, list[str]] = {}
    for q in qs:
        ids = [o.id for o in q.options]
        if q.type == "single":
            k = len(ids)
            if not decks.get(k):
                decks[k] = list(range(k))
                rng.shuffle(decks[k])
            slot = decks[k].pop()
            others = [i for i in ids if i not in q.answer]
            rng.shuffle(others)
            others.insert(slot, q.answer[0])
            out[q.id] = others
        else:
            rng.shuffle(ids)
            out[q.id] = ids
    return out


@dataclass
class QuizState:
    """One learner's quiz: which attempt, the order shown, the answers given (locked once submitted)."""

    questions: list[str]
    seed: str = ""
    attempt: int = 0
    orders: dict[str, list[str]] = field(default_factory=dict)  # question id -> bank option ids as shown
    answers: dict[str, list[str]] = field(default_factory=dict)  # question id -> bank option ids chosen
    submitted: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "QuizState":
        return cls(
            questions=list(data["questions"]), seed=str(data.get("seed", "")), attempt=int(data.get("attempt", 0)),
            orders={k: list(v) for k, v in data.get("orders", {}).items()},
            answers={k: list(v) for k, v in data.get("answers", {}).items()},
            submitted=bool(data.get("submitted", False)),
        )


def start(bank: Bank, qs: list[m.Question], seed: str = "", attempt: int = 0) -> QuizState:
    state = QuizState([q.id for q in qs], seed=seed, attempt=attempt)
    state.orders = arrange(qs, f"{seed}:{attempt}")
    return state


def restore(bank: Bank, data: dict) -> QuizState:
    """A saved state, checked against the bank (an item removed or changed since: a fresh attempt)."""
    state = QuizState.from_dict(data)
    qs = [bank.question(q) for q in state.questions]
    for q in qs:
        if sorted(state.orders.get(q.id, [])) != sorted(o.id for o in q.options):
            return start(bank, qs, state.seed, state.attempt)
    return state


def shown(bank: Bank, state: QuizState, qid: str) -> list[tuple[str, m.Option]]:
    """(letter shown, option) in the order of this attempt: letters are re-assigned A, B, C ..."""
    q = bank.question(qid)
    by_id = {o.id: o for o in q.options}
    return [(LETTERS[i], by_id[oid]) for i, oid in enumerate(state.orders[qid])]


def submit(state: QuizState, chosen: dict[str, list[str] | set[str]]) -> QuizState:
    """Lock the answers of this attempt. A submitted attempt cannot be changed: start a new one."""
    if state.submitted:
        raise ValueError("this attempt is already submitted; start a new attempt to answer again")
    for qid, picked in chosen.items():
        if qid not in state.orders:
            raise ValueError(f"question '{qid}' is not in this quiz")
        unknown = set(picked) - set(state.orders[qid])
        if unknown:
            raise ValueError(f"question '{qid}' has no option(s) {sorted(unknown)}")
    state.answers = {qid: sorted(picked) for qid, picked in chosen.items() if picked}
    state.submitted = True
    return state


def retry(bank: Bank, state: QuizState) -> QuizState:
    """A new attempt: answers cleared, options reshuffled and relabelled."""
    qs = [bank.question(q) for q in state.questions]
    return start(bank, qs, state.seed, state.attempt + 1)


@dataclass(frozen=True)
class Answer:
    question: m.Question
    chosen: frozenset[str]

    @property
    def answered(self) -> bool:
        return bool(self.chosen)

    @property
    def correct(self) -> bool:
        return self.chosen == frozenset(self.question.answer)

    @property
    def status(self) -> str:
        if not self.answered:
            return UNANSWERED
        return RIGHT if self.correct else WRONG

    @property
    def points(self) -> int:
        return self.question.points if self.correct else 0

    def option_feedback(self, order: list[str] | None = None) -> list[tuple[m.Option, bool, bool]]:
        """(option, chosen, is right) for every option, in ``order`` (default: the bank's)."""
        right = set(self.question.answer)
        by_id = {o.id: o for o in self.question.options}
        ids = order or [o.id for o in self.question.options]
        return [(by_id[i], i in self.chosen, i in right) for i in ids]


def grade(question: m.Question, chosen: set[str] | list[str]) -> Answer:
    unknown = set(chosen) - {o.id for o in question.options}
    if unknown:
        raise ValueError(f"question '{question.id}' has no option(s) {sorted(unknown)}")
    return Answer(question, frozenset(chosen))


def partial_credit(question: m.Question, chosen: set[str] | list[str]) -> float:
    """The graded score of a multi-select (docs/ASSESSMENT.md): each right option ticked earns
    points / (number of right options), each wrong option ticked takes as much away, never below 0.
    A single-answer item scores all or nothing. The nbgrader notebooks apply the same rule
    (``assess.notebook_helper.partial_credit``)."""
    right, ticked = set(question.answer), set(chosen)
    if question.type != "multiple":
        return float(question.points) if ticked == right else 0.0
    share = (len(ticked & right) - len(ticked - right)) / len(right)
    return round(max(0.0, share) * question.points, 2)


def results(bank: Bank, state: QuizState) -> list[Answer]:
    """The graded answers of a submitted attempt, in the quiz's order (unanswered ones included)."""
    return [grade(bank.question(q), state.answers.get(q, [])) for q in state.questions]


def total(answers: list[Answer]) -> tuple[int, int]:
    return sum(a.points for a in answers), sum(a.question.points for a in answers)


def all_answered(answers: list[Answer]) -> bool:
    return all(a.answered for a in answers)


# --- course pre-test and post-test (contract 3) --------------------------------------------------


@dataclass(frozen=True)
class CourseTestResult:
    """A course test scored per objective; ``passed`` is None for the (diagnostic) pre-test."""

    points: int
    max_points: int
    by_objective: dict[str, tuple[int, int]]  # objective id -> (points, max)
    failed_rules: list[str]  # labels of the pass rules not met
    passed: bool | None

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.max_points if self.max_points else 0.0


def score_course_test(bank: Bank, test: m.CourseTest, answers: dict[str, list[str] | set[str]]) -> CourseTestResult:
    """Score ``answers`` (question id -> chosen bank option ids) against the test's pass mark and rules."""
    graded = [grade(bank.question(q), answers.get(q, [])) for q in test.questions]
    by_obj: dict[str, tuple[int, int]] = {}
    for a in graded:
        got, most = by_obj.get(a.question.objective, (0, 0))
        by_obj[a.question.objective] = (got + a.points, most + a.question.points)
    points, most = total(graded)
    failed = []
    for rule in test.pass_rules:
        got = sum(by_obj.get(o, (0, 0))[0] for o in rule.objectives)
        top = sum(by_obj.get(o, (0, 0))[1] for o in rule.objectives)
        if top and 100 * got < rule.min_percent * top:
            failed.append(str(rule.label))
    passed = None
    if test.pass_mark is not None:
        passed = 100 * points >= test.pass_mark * most and not failed
    return CourseTestResult(points, most, by_obj, failed, passed)
