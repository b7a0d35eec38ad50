"""Simulated class submissions, for trying the nbgrader workflow and for its end-to-end test.

Each simulated student starts from the *released* notebook (what a learner gets),
fills it in the way a kind of learner would, and comes with the score the
autograder should give: the sum of the bank points of the questions answered
right in a readable form. Free-text tasks are graded by hand, so they are not in
the expected autograde score.

Kinds: ``correct``, ``wrong``, ``partial``, ``empty``, ``format`` (odd but readable
answers and unreadable ones), ``tampered`` (edits a read-only cell and a test
cell and the points), ``invalid_json`` (not a notebook at all), ``raises``
(answer cells that raise), ``loops`` (an answer cell that never ends), ``clicked``
(answers clicked: the answer file beside the notebook holds them, half right, while the
answer cells hold other letters typed earlier; one answer cell turned into Markdown by a
stray key and one deleted), ``bad_file`` (typed answers right, and a broken answer file),
``deleted`` (every answer typed right, then the test cell of the first question and
the answer cell of the second deleted: nbgrader puts the test cell back, so only
the second question is lost).
"""

from __future__ import annotations

import json
import re

from .answers import ANSWER_FILE
from dataclasses import dataclass, field

import nbformat
from nbformat.notebooknode import NotebookNode

from ..bank import Bank

KINDS = ("correct", "wrong", "partial", "empty", "format", "tampered", "invalid_json", "raises", "loops",
         "clicked", "bad_file", "deleted")

_ANSWER = re.compile(r'^(svar_\d+) = ""$', re.M)


@dataclass
class Question:
    """One autograded question as it appears in a released notebook."""

    qid: str
    var: str
    points: int
    right: list[str]
    letters: str
    answer_cell: int
    test_cell: int


@dataclass
class Submission:
    student: str
    kind: str
    text: str  # the notebook file as the student hands it in
    expected_auto: float | None  # None: the notebook cannot be graded at all
    tampered_cells: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # other files handed in (the answer file)


def questions_in(bank: Bank, nb: NotebookNode) -> list[Question]:
    """The autograded questions of a released notebook, in order."""
    out = []
    for i, cell in enumerate(nb.cells):
        cid = cell.get("id", "")
        if cell.cell_type != "code" or not cid.endswith("-svar"):
            continue
        qid = cid[: -len("-svar")]
        q = bank.question(qid)
        var = _ANSWER.search(cell.source).group(1)
        test = next(j for j in range(i + 1, len(nb.cells)) if nb.cells[j].get("id") == f"{qid}-test")
        # The letters as this notebook shows them (contract 4 metadata): shuffled per assignment.
        shown = cell.metadata["mhkurs"]["options"]
        right = sorted(letter for letter, ref in shown.items() if ref in q.answer)
        out.append(Question(qid, var, q.points, right, "".join(shown), i, test))
    return out


def _wrong(q: Question) -> str:
    """A readable answer that is not the right one."""
    for letter in q.letters:
        if [letter] != q.right:
            return letter
    raise AssertionError("a question with one option")  # pragma: no cover


def _set_answer(nb: NotebookNode, q: Question, value_source: str) -> None:
    cell = nb.cells[q.answer_cell]
    cell.source = _ANSWER.sub(f"{q.var} = {value_source}", cell.source)


def _free_text(nb: NotebookNode, text: str) -> None:
    for cell in nb.cells:
        if cell.get("id", "").endswith("-besvarelse"):
            cell.source = text


def _half_right(nb: NotebookNode, qs: list[Question]) -> float:
    """Every other question right (the first, third, ...), the rest wrong; the points earned."""
    earned = 0.0
    for i, q in enumerate(qs):
        if i % 2 == 0:
            _set_answer(nb, q, json.dumps("".join(q.right)))
            earned += q.points
        else:
            _set_answer(nb, q, json.dumps(_wrong(q)))
    return earned


def simulate(bank: Bank, release_text: str, student: str, kind: str) -> Submission:
    """One simulated submission of ``kind`` made from the released notebook text."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    if kind == "invalid_json":
        return Submission(student, kind, release_text[: len(release_text) // 2], None)
    nb = nbformat.reads(release_text, as_version=4)
    qs = questions_in(bank, nb)
    expected = 0.0
    tampered: list[str] = []

    if kind == "correct":
        for q in qs:
            _set_answer(nb, q, json.dumps("".join(q.right)))
            expected += q.points
        _free_text(nb, "Formålet er utnyttelse, og personen kan ikke slutte fordi hun trues og holdes i gjeld.")
    elif kind == "wrong":
        for q in qs:
            _set_answer(nb, q, json.dumps(_wrong(q)))
    elif kind == "partial":
        expected = _half_right(nb, qs)
    elif kind == "empty":
        pass
    elif kind == "format":
        # Readable though untidy: lower case, spaces, commas, a Python list. These earn points.
        forms = [
            lambda r: json.dumps(" , ".join(x.lower() for x in r)),
            lambda r: json.dumps(list(r)),
            lambda r: json.dumps(" " + "".join(r) + " "),
        ]
        # Unreadable: a word, a number, words that are not letters. These earn nothing.
        bad = [json.dumps("Bergen"), "2", json.dumps("vet ikke")]
        for i, q in enumerate(qs):
            if i % 2 == 0:
                _set_answer(nb, q, forms[(i // 2) % len(forms)](q.right))
                expected += q.points
            else:
                _set_answer(nb, q, bad[(i // 2) % len(bad)])
    elif kind == "tampered":
        # Answers half right, then tries to cheat: rewrites a question, replaces a test with code
        # that sets the right answer, and raises a test's points. None of it may change the score.
        expected = _half_right(nb, qs)
        target = qs[1]
        test = nb.cells[target.test_cell]
        test.source = f'{target.var} = {json.dumps("".join(target.right))}\nprint("ok")'
        test.metadata["nbgrader"]["points"] = 99
        tampered.append(test.id)
        question = nb.cells[target.answer_cell - 1]
        question.source += "\n\n(Endret av studenten.)"
        tampered.append(question.id)
        helper = next(c for c in nb.cells if c.get("id") == "hjelpefunksjon")
        helper.source = "def sjekk(*args, **kwargs):\n    return True\n"
        tampered.append(helper.id)
    elif kind == "raises":
        for i, q in enumerate(qs):
            if i == 0:
                _set_answer(nb, q, "B")  # no quotes: read as the letter B, not a NameError
                expected += q.points if q.right == ["B"] else 0
            elif i == 1:
                _set_answer(nb, q, json.dumps("".join(q.right)))
                nb.cells[q.answer_cell].source += "\n1 / 0"  # answered, then the cell raises
                expected += q.points
            else:
                _set_answer(nb, q, json.dumps("".join(q.right)))
                expected += q.points
    elif kind == "loops":
        for i, q in enumerate(qs):
            _set_answer(nb, q, json.dumps("".join(q.right)))
            if i == 0:
                cell = nb.cells[q.answer_cell]
                cell.source = "while True:\n    pass\n" + cell.source  # never reaches the answer
            else:
                expected += q.points
    elif kind == "deleted":
        for q in qs:
            _set_answer(nb, q, json.dumps("".join(q.right)))
            expected += q.points
        gone = {nb.cells[qs[0].test_cell].id, nb.cells[qs[1].answer_cell].id}
        expected -= qs[1].points
        tampered.extend(sorted(gone))
        nb.cells = [c for c in nb.cells if c.get("id") not in gone]
    elif kind in ("clicked", "bad_file"):
        assignment = nb.metadata.get("mhkurs", {}).get("assignment") or _assignment_of(nb)
        name = ANSWER_FILE.format(assignment=assignment)
        if kind == "bad_file":
            for q in qs:
                _set_answer(nb, q, json.dumps("".join(q.right)))
                expected += q.points
            return Submission(student, kind, nbformat.writes(nb), expected, files={name: '{"svar": {"x": ['})
        clicked = {}
        for i, q in enumerate(qs):
            _set_answer(nb, q, json.dumps(_wrong(q)))  # typed earlier; the click below counts
            if i % 2 == 0:
                clicked[q.qid] = list(q.right)
                expected += q.points
            else:
                clicked[q.qid] = [_wrong(q)]
        # Accidents: a stray key turns the first answer cell into Markdown, the second is deleted.
        first = nb.cells[qs[0].answer_cell]
        first.cell_type = "markdown"
        first.pop("outputs", None)
        first.pop("execution_count", None)
        del nb.cells[qs[1].answer_cell]
        files = {name: json.dumps({"format": 1, "oppgave": assignment, "svar": clicked}, ensure_ascii=False)}
        return Submission(student, kind, nbformat.writes(nb), expected, files=files)
    return Submission(student, kind, nbformat.writes(nb), expected, tampered)


def _assignment_of(nb: NotebookNode) -> str:
    """The assignment id, as the helper cell names it (``ASSIGNMENT = '...'``)."""
    for cell in nb.cells:
        match = re.search(r"^ASSIGNMENT = '([^']+)'$", cell.source, re.M)
        if match:
            return match.group(1)
    raise ValueError("not a generated assignment notebook (no ASSIGNMENT in its helper cell)")


def simulate_class(bank: Bank, release_text: str, kinds: list[str] | tuple[str, ...] = KINDS,
                   prefix: str = "student") -> list[Submission]:
    """One submission per kind, students named ``<prefix>-<nn>-<kind>``."""
    return [
        simulate(bank, release_text, f"{prefix}-{i:02d}-{kind.replace('_', '-')}", kind)
        for i, kind in enumerate(kinds, start=1)
    ]
