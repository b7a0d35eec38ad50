"""Guessing trainees: learners who answer by surface cues instead of knowledge.

Each strategy sees an item exactly as a learner does (prompt, options in the order and with the
letters shown) and picks by a cue: the longest option, always «B», or the most hedged/qualified
wording. An item bank is valid when they score about chance on the module self-checks and on each
graded assignment, while a learner who knows the answers scores full marks.

``module_exercises`` reads the module notebooks to find the self-checks exactly as the pages call
them, so the figures follow the course as taught.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..bank import Bank
from ..bank import models as m
from ..bank.loader import REPO_ROOT
from ..logic import classifier, quiz
from .build import _choices, arrangement

MODULES_DIR = REPO_ROOT / "modules"


@dataclass(frozen=True)
class Shown:
    """One item as presented: (letter, bank ref, text) per option, in the order shown."""

    question: m.Question
    options: tuple[tuple[str, str, str], ...]

    @property
    def right(self) -> frozenset[str]:
        return frozenset(letter for letter, ref, _ in self.options if ref in self.question.answer)

    @property
    def many(self) -> bool:
        return self.question.type == "multiple"


def shown_in_assignment(bank: Bank, assignment: m.Assignment) -> list[Shown]:
    order = arrangement(bank, assignment)
    out = []
    for qid in assignment.questions:
        q = bank.question(qid)
        if q.type != "free_text":
            out.append(Shown(q, tuple((c.letter, c.ref, c.text) for c in _choices(bank, q, order))))
    return out


def shown_in_quiz(bank: Bank, qids: list[str], seed: str) -> list[Shown]:
    state = quiz.start(bank, [bank.question(q) for q in qids], seed=seed)
    return [Shown(bank.question(q), tuple((letter, o.id, str(o.text)) for letter, o in quiz.shown(bank, state, q)))
            for q in qids]


def shown_in_classifier(bank: Bank, qids: list[str]) -> list[Shown]:
    return [Shown(bank.question(q), tuple((c.letter, c.ref, c.text) for c in _choices(bank, bank.question(q))))
            for q in qids]


# --- strategies ---------------------------------------------------------------------------

HEDGES = re.compile(r"\b(kan|ofte|normalt|vanligvis|mulig\w*|sjelden|som regel|helhet\w*|vurder\w*|blant annet|"
                    r"kanskje|særlig|sammenheng|mer)\b", re.IGNORECASE)
ABSOLUTES = re.compile(r"\b(alltid|aldri|bare|kun|ingen|ingenting|alle|må|straks|automatisk\w*|garanti\w*|"
                       r"først|beviser)\b", re.IGNORECASE)


def qualified(text: str) -> int:
    """How hedged an option sounds: qualifiers count up, absolutes count down."""
    return len(HEDGES.findall(text)) - len(ABSOLUTES.findall(text))


def _top(item: Shown, key: Callable[[tuple[str, str, str]], tuple]) -> frozenset[str]:
    """The single best option by ``key``; for multiple choice, every option in the top half."""
    ranked = sorted(item.options, key=key, reverse=True)
    if not item.many:
        return frozenset({ranked[0][0]})
    return frozenset(letter for letter, _, _ in ranked[: (len(ranked) + 1) // 2])


def longest(item: Shown) -> frozenset[str]:
    return _top(item, lambda o: (len(o[2]),))


def position_b(item: Shown) -> frozenset[str]:
    return frozenset({"B"})


def most_qualified(item: Shown) -> frozenset[str]:
    return _top(item, lambda o: (qualified(o[2]), len(o[2])))


def knows(item: Shown) -> frozenset[str]:
    return item.right


STRATEGIES: dict[str, Callable[[Shown], frozenset[str]]] = {
    "lengste": longest,
    "alltid B": position_b,
    "mest forbeholden": most_qualified,
    "kan svarene": knows,
}


def score(items: list[Shown], strategy: Callable[[Shown], frozenset[str]]) -> tuple[float, float]:
    """(points earned, points possible): all or nothing per item, as in the quiz and nbgrader."""
    got = sum(i.question.points for i in items if strategy(i) == i.right)
    return float(got), float(sum(i.question.points for i in items))


def chance(items: list[Shown]) -> float:
    """Expected points of a learner who picks at random: one option, or a random non-empty subset."""
    total = 0.0
    for i in items:
        n = len(i.options)
        total += i.question.points / ((2 ** n - 1) if i.many else n)
    return total


# --- the self-checks as the module pages call them -----------------------------------------


@dataclass(frozen=True)
class Exercise:
    notebook: str
    kind: str  # "quiz" or "classifier"
    module: str | None
    qids: tuple[str, ...]
    seed: str


def _literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def module_exercises(bank: Bank, modules_dir: Path = MODULES_DIR) -> list[Exercise]:
    """Every ``show_quiz`` and ``show_classifier`` call in the module notebooks, resolved to items."""
    out = []
    for path in sorted(modules_dir.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                kw = {k.arg: _literal(k.value) for k in node.keywords}
                args = [_literal(a) for a in node.args]
                if node.func.id == "show_quiz":
                    topic = kw.get("topic", args[0] if args else None)
                    ids = kw.get("ids", args[1] if len(args) > 1 else None)
                    qs = quiz.questions(bank, topic=topic, ids=ids)
                    out.append(Exercise(path.name, "quiz", kw.get("module"), tuple(q.id for q in qs),
                                        quiz.seed_for(kw.get("module"), topic, ids)))
                elif node.func.id == "show_classifier":
                    from ..logic import classifier  # noqa: PLC0415 (keeps the import list short)

                    ids = kw.get("question_ids", args[0] if args else None)
                    qids = ids or [q.id for q in classifier.situations(bank)]
                    out.append(Exercise(path.name, "classifier", kw.get("module"), tuple(qids), ""))
    return out


def shown_in_exercise(bank: Bank, ex: Exercise) -> list[Shown]:
    if ex.kind == "quiz":
        return shown_in_quiz(bank, list(ex.qids), ex.seed)
    return shown_in_classifier(bank, list(ex.qids))
