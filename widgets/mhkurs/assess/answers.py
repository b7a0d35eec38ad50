"""Reading a trainee's answer to a graded choice question: tolerant, and never silently 0.

Contract (used by the generated assignment notebooks, their hidden tests, ``mhkurs audit`` and
``mhkurs report``):

``read_answer(value, options="ABCD", many=True) -> (letters, problem)``
    ``value`` is what the trainee gave: a string (``"B"``, ``"b."``, ``"B og D"``, ``"A, C"``,
    ``"svaret er c"``), a list/tuple/set of such strings, or ``None``.

    * blank (``None``, ``""``, only spaces or punctuation): ``([], None)``;
    * readable: ``(letters, None)``: the distinct upper-case letters, sorted (``["B", "D"]``);
    * not readable, or more letters than the question allows: ``(None, reason)``, where ``reason``
      is one Norwegian sentence that names what was given and says what to do. It never says
      whether an answer is right.

    Separators between letters may be spaces, commas, semicolons, slashes, dots, brackets, quotes
    and the words «og», «eller», «and», «or»; «svar», «svaret», «er» are ignored; letters may be
    run together (``"AC"``). A number or any other word is not readable.

``answer_in_cell(source, var) -> value | None``
    What the answer cell assigns to ``var`` (``svar_N``) *without running it*, read the way the
    notebook's kernel reads it: a Python literal when the right-hand side is one, otherwise the
    right-hand side as text (so ``svar_1 = B`` is ``"B"``, not a NameError). ``None`` when the cell
    does not assign ``var``.

``read_answer_file(text) -> (answers, problem)``
    The clicked answers saved beside the notebook (``<assignment>-svar.json``, written by the
    notebook's choice buttons): ``{bank item id: value}``; a file that is not valid JSON or not of
    the expected shape gives ``({}, reason)`` (the reason is Norwegian), never an exception.

``choose(saved, typed, options, many) -> (letters, problem, origin)``
    The answer that is graded for one question: the clicked one (``origin == "klikket"``) when the
    answer file holds a readable, non-blank answer; otherwise the typed one (``"skrevet"``);
    ``([], None, None)`` when neither holds anything.

``submission_answers(notebook_path) -> list[Answer]`` (and ``notebook_answers(nb, folder, assignment)``)
    Every choice question of a submitted (or autograded) notebook, read as the hidden tests read
    it, from the answer file beside the notebook and the answer cells. ``Answer.problem`` set means
    the answer could not be read (the audit names these per student and question);
    ``Answer.letters == []`` with no problem means not answered.

The functions listed in :data:`EMBEDDED` use only the standard library and are copied verbatim
into every generated notebook's helper cell (``build.py``), so a trainee's plain Jupyter never
needs the course package, and the notebook, the hidden tests and the audit read answers the same
way.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

ANSWER_FILE = "{assignment}-svar.json"
"""The clicked answers, in the assignment folder beside the notebook."""

ANSWER_FILE_FORMAT = 1


def _list_nb(items):
    """«A», «A og B», «A, B og C» (Norwegian list)."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def read_answer(value, options="ABCD", many=True):
    """``(letters, None)``, ``([], None)`` for blank, or ``(None, Norwegian reason)``; see the module."""
    ignored = {"OG", "ELLER", "AND", "OR", "SVAR", "SVARET", "ER"}
    opts = _list_nb(options)
    parts = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
    if isinstance(value, (set, frozenset)):
        parts = sorted(parts, key=str)
    letters = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, bool) or not isinstance(part, str):
            return None, (f"«{part}» kan ikke leses som et svar. Svar med bokstaven for alternativet "
                          f"({opts}).")
        for word in re.split(r"[^0-9A-ZÆØÅ]+", part.upper()):
            if not word or word in ignored:
                continue
            unknown = [ch for ch in word if ch not in options]
            if unknown:
                if len(word) == 1 and word.isalpha():
                    return None, f"{word} er ikke blant alternativene ({opts})."
                return None, (f"«{part.strip()}» kan ikke leses som et svar. Svar bare med bokstavene "
                              f"for alternativene ({opts}).")
            letters.extend(ch for ch in word if ch not in letters)
    letters.sort()
    if len(letters) > 1 and not many:
        return None, f"Velg bare ett alternativ her. Du har valgt {_list_nb(letters)}."
    return letters, None


def answer_in_cell(source, var):
    """What the cell assigns to ``var`` (last assignment wins), read without running it; see the module."""
    found = None
    pattern = re.compile(r"^\s*" + re.escape(var) + r"\s*=(?!=)\s*(.*?)\s*$")
    for line in str(source).splitlines():
        match = pattern.match(line)
        if not match:
            continue
        rhs = match.group(1)
        try:
            found = ast.literal_eval(rhs) if rhs else ""
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            found = rhs
    return found


def read_answer_file(text):
    """``({item id: value}, None)`` or ``({}, Norwegian reason)``; never raises; see the module."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return {}, "Svarfila kan ikke leses (den er ikke en gyldig svarfil)."
    answers = data.get("svar") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        return {}, "Svarfila kan ikke leses (den mangler svarene)."
    clean = {}
    for key, val in answers.items():
        if isinstance(key, str) and (val is None or isinstance(val, str)
                                     or (isinstance(val, list) and all(isinstance(v, str) for v in val))):
            clean[key] = val
    return clean, None


def choose(saved, typed, options="ABCD", many=True):
    """``(letters, problem, origin)`` of the answer that is graded; see the module."""
    letters, problem = read_answer(saved, options, many)
    if problem is None and letters:
        return letters, None, "klikket"
    typed_letters, typed_problem = read_answer(typed, options, many)
    if typed_problem is None and typed_letters:
        return typed_letters, None, "skrevet"
    if problem is not None:
        return None, problem, "klikket"
    if typed_problem is not None:
        return None, typed_problem, "skrevet"
    return [], None, None


EMBEDDED = ("_list_nb", "read_answer", "answer_in_cell", "read_answer_file", "choose")
"""The functions copied verbatim into each generated notebook's helper cell."""


@dataclass(frozen=True)
class Answer:
    """One choice question of a submission, as the hidden test reads it."""

    item: str  # bank item id
    number: int  # N in svar_N
    letters: list[str] | None  # None: not readable
    problem: str | None  # Norwegian reason when not readable
    origin: str | None  # "klikket" (answer file), "skrevet" (answer cell), None (not answered)
    raw: object  # what was clicked or typed


def notebook_answers(nb, folder, assignment) -> list[Answer]:
    """Every choice question of a notebook (an nbformat node or dict), with the answer file
    ``<assignment>-svar.json`` in ``folder`` when there is one; see the module docstring."""
    questions: dict[str, dict] = {}
    typed: dict[str, object] = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("mhkurs", {})
        if "options" not in meta or "number" not in meta:
            continue
        questions.setdefault(meta["item"], meta)
        grade = cell.get("metadata", {}).get("nbgrader", {})
        if grade.get("solution"):  # the answer cell, whatever its type now
            source = cell.get("source", "")
            value = answer_in_cell("".join(source) if isinstance(source, list) else source, f"svar_{meta['number']}")
            if value is not None:
                typed[meta["item"]] = value
    saved: dict = {}
    sidecar = Path(folder) / ANSWER_FILE.format(assignment=assignment)
    if assignment and sidecar.is_file():
        saved, _ = read_answer_file(sidecar.read_text(encoding="utf-8", errors="replace"))
    out = []
    for item, meta in questions.items():
        options = "".join(meta["options"])
        many = bool(meta.get("many", True))
        letters, problem, origin = choose(saved.get(item), typed.get(item), options, many)
        raw = saved.get(item) if origin == "klikket" else typed.get(item)
        out.append(Answer(item, int(meta["number"]), letters, problem, origin, raw))
    return sorted(out, key=lambda a: a.number)


def submission_answers(notebook_path) -> list[Answer]:
    """Every choice question of a submitted (or autograded) notebook ``<folder>/<assignment>.ipynb``
    (or a file hand-in ``<student>_<assignment>.ipynb``) with its answer; see the module docstring."""
    import nbformat

    path = Path(notebook_path)
    nb = nbformat.read(str(path), as_version=4)
    return notebook_answers(nb, path.parent, path.stem.split("_")[-1])
