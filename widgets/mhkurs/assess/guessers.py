"""Guessing trainees: learners who answer by surface cues instead of knowledge.

Each strategy sees an item exactly as a learner does (prompt, options in the order and with the
letters shown) and picks by a cue: the longest option, always «B», the most hedged/qualified
wording, never an option with a restrictive word (bare, ingen, kun, først når, …), the option that
breaks the others' pattern, the statements with «ikke» in a multi-select, or the option whose words
echo the stem. A strategy that narrows the options down to several equally good ones picks among them
at random: it answers with a list of equally likely answers, and ``score`` counts the expected points.
An item bank is valid when they score about chance on the module self-checks, on each graded
assignment and on each course test, while a learner who knows the answers scores full marks.

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
from ..logic import quiz
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


RESTRICTIVE = re.compile(r"\b(bare|kun|ingen|ingenting|ikke noe|neppe|beviser|aldri|alltid|først når|"
                         r"kan ikke|før det|uten å)\b", re.IGNORECASE)
"""Words a test-wise trainee avoids: restrictive and absolute wording, which item writers tend to put
in distractors (Haladyna's guideline 28)."""

STOPWORDS = frozenset("""at av de deg den der det du eller en er et etter for fra har han hans henne hennes hun
i ikke kan med meg men må noe når og om på seg sin sine skal som så til ved vil være var ble blir hva hvem
hvilken hvilke hvordan dette disse dem din ditt dine jeg vi oss""".split())


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


Guess = frozenset[str] | list[frozenset[str]]
"""One answer, or a list of equally likely answers (the trainee picks one of them at random)."""


def _random_among(item: Shown, letters: list[str]) -> list[frozenset[str]]:
    """A random pick among ``letters``; for a multi-select, a random non-empty subset of them."""
    if not letters:
        letters = [letter for letter, _, _ in item.options]
    if not item.many:
        return [frozenset({x}) for x in letters]
    subsets = []
    for mask in range(1, 2 ** len(letters)):
        subsets.append(frozenset(x for i, x in enumerate(letters) if mask >> i & 1))
    return subsets


def avoids_restrictive(item: Shown) -> Guess:
    """Never picks an option with a restrictive word; picks at random among the options with fewest."""
    counts = {letter: len(RESTRICTIVE.findall(text)) for letter, _, text in item.options}
    least = min(counts.values())
    return _random_among(item, [letter for letter, c in counts.items() if c == least])


def _shape(text: str) -> tuple[str, ...]:
    """What an option looks like at a glance: its first word and first two words, and whether it quotes or
    uses : or ;."""
    words = re.findall(r"[\wæøåÆØÅ§]+", text.lower())
    return (words[0] if words else "", " ".join(words[:2]), "«" in text, ":" in text, ";" in text)


def odd_one_out(item: Shown) -> Guess:
    """Picks the option that breaks the pattern the others share (on any feature of ``_shape``):
    one option differs where all the others agree. No such option: a random pick."""
    shapes = {letter: _shape(text) for letter, _, text in item.options}
    odd: set[str] = set()
    for k in range(5):
        values = [shape[k] for shape in shapes.values()]
        for letter, shape in shapes.items():
            others = [v for other, v in zip(shapes, values) if other != letter]
            if len(set(others)) == 1 and shape[k] != others[0]:
                odd.add(letter)
    if item.many:
        return frozenset(odd) if odd else _random_among(item, [])
    return _random_among(item, sorted(odd))


def ticks_ikke(item: Shown) -> Guess:
    """In a multi-select, ticks every statement with «ikke» (myths are often negated); elsewhere the
    cue says nothing and the pick is random."""
    if not item.many:
        return _random_among(item, [])
    picked = frozenset(letter for letter, _, text in item.options if re.search(r"\bikke\b", text, re.I))
    return picked or _random_among(item, [])


def _content_words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"[a-zæøå]+", text.lower()) if len(w) >= 4 and w not in STOPWORDS}


def echoes_stem(item: Shown) -> Guess:
    """Picks the option that shares most content words with the stem (word stems of six letters);
    for a multi-select, the options sharing more than the others do."""
    stem = _content_words(str(item.question.prompt))
    shared = {letter: len(_content_words(text) & stem) for letter, _, text in item.options}
    best = max(shared.values())
    top = [letter for letter, n in shared.items() if n == best]
    if item.many:
        above = [letter for letter, n in shared.items() if n > min(shared.values())]
        return frozenset(above) if above else _random_among(item, [])
    return _random_among(item, top)


STRATEGIES: dict[str, Callable[[Shown], Guess]] = {
    "lengste": longest,
    "alltid B": position_b,
    "mest forbeholden": most_qualified,
    "unngår bastante ord": avoids_restrictive,
    "bryter mønsteret": odd_one_out,
    "krysser av «ikke»": ticks_ikke,
    "ekko av spørsmålet": echoes_stem,
    "kan svarene": knows,
}


def expected(item: Shown, guess: Guess, partial: bool = False) -> float:
    """The points a guess earns on average: all or nothing per answer, as in the self-checks; with
    ``partial``, a multi-select scores by the graded rule (``logic.quiz.partial_credit``), as in nbgrader."""
    answers = [guess] if isinstance(guess, frozenset) else guess
    if partial and item.many:
        ref = {letter: option for letter, option, _ in item.options}
        return sum(quiz.partial_credit(item.question, {ref[x] for x in a}) for a in answers) / len(answers)
    return item.question.points * sum(a == item.right for a in answers) / len(answers)


def score(items: list[Shown], strategy: Callable[[Shown], Guess], partial: bool = False) -> tuple[float, float]:
    """(points earned, points possible): expected points over the strategy's equally likely answers
    (``partial``: multi-selects score by the graded rule, as in the nbgrader assignments)."""
    got = sum(expected(i, strategy(i), partial) for i in items)
    return float(got), float(sum(i.question.points for i in items))


def chance(items: list[Shown], partial: bool = False) -> float:
    """Expected points of a learner who picks at random: one option, or a random non-empty subset
    (``partial``: multi-selects score by the graded rule)."""
    total = 0.0
    for i in items:
        n = len(i.options)
        if i.many and partial:
            total += expected(i, _random_among(i, []), partial=True)
        else:
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
