"""Audit a class's submissions against the released assignment, per student and question.

nbgrader restores every locked cell from the gradebook before grading, so an
edited question, helper or test cell cannot change a score. But its log warns
about the hidden-test cells of *every* submission (their released text differs
from the source by design), which hides the real edits, and it grades an answer
it cannot read as a plain 0. This audit reports, per student:

* learners in the class list (the gradebook's students) who handed nothing in;
* notebooks that cannot be read, and notebooks missing from a hand-in;
* per question, answers that cannot be read (with the Norwegian reason the
  learner's notebook gives, from :mod:`mhkurs.assess.answers`, which the hidden
  tests use too);
* locked cells (question, helper, test and task cells) that were edited,
  deleted or had their points changed;
* submissions without an autograded version, so a failed autograde is never
  mistaken for a score of zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils

from . import answers as ans
from .classlist import roster

PROBLEMS = {
    "not-handed-in": "handed nothing in",
    "missing-notebook": "notebook missing",
    "unreadable": "not a readable notebook",
    "unreadable-answer": "answer cannot be read",
    "edited": "locked cell edited",
    "deleted": "locked cell deleted",
    "points": "points changed",
    "not-autograded": "not autograded",
}


@dataclass(frozen=True)
class Finding:
    student: str
    notebook: str
    problem: str  # a key of PROBLEMS
    cell: str | None
    detail: str

    def __str__(self) -> str:
        where = f"{self.student} / {self.notebook}" + (f" / {self.cell}" if self.cell else "")
        return f"{where}: {self.problem} – {self.detail}"


def _locked_cells(nb: NotebookNode) -> dict[str, NotebookNode]:
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if gid and (utils.is_locked(cell) or (utils.is_grade(cell) and not utils.is_solution(cell))):
            out[gid] = cell
    return out


def _by_grade_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    out = {}
    for cell in nb.get("cells", []):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid:
            out[gid] = cell
    return out


_VAR = re.compile(r"^\s*(svar_\d+)\s*=", re.M)


def _typed_answers(nb: NotebookNode) -> list[tuple[str, object, str | None]]:
    """(item, what was typed, Norwegian reason or None) for answer cells without the newer metadata."""
    out = []
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        info = meta.get("mhkurs", {})
        if not meta.get("nbgrader", {}).get("solution") or "options" not in info:
            continue
        var = _VAR.search(cell.get("source", ""))
        if not var:
            continue
        value = ans.answer_in_cell(cell.source, var.group(1))
        _, problem = ans.read_answer(value, "".join(info["options"]), bool(info.get("many", True)))
        out.append((info["item"], value, problem))
    return out


def read_answers(path: Path, nb: NotebookNode) -> list[tuple[str, object, str | None]]:
    """(item, what was clicked or typed, Norwegian reason when it cannot be read) per choice question."""
    read = [(a.item, a.raw, a.problem) for a in ans.submission_answers(path)]
    return read or _typed_answers(nb)  # notebooks generated before the answers carried their number


def answer_problems(student: str, name: str, read: list[tuple[str, object, str | None]]) -> list[Finding]:
    """One finding per question whose answer cannot be read, with the reason the learner sees."""
    return [Finding(student, name, "unreadable-answer", item, f"{raw!r}: {problem}")
            for item, raw, problem in read if problem]


def audit_notebook(student: str, name: str, released: NotebookNode, path: Path) -> list[Finding]:
    """Findings for one submitted notebook compared with its released version."""
    try:
        submitted = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # any unreadable file is reported, never raised
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Finding(student, name, "unreadable", None,
                        f"not a readable notebook ({type(exc).__name__}: {first[:120]}); it gets no points: "
                        "ask the learner to hand it in again")]
    read = read_answers(path, submitted)
    found = answer_problems(student, name, read)
    answered = {item for item, raw, problem in read if raw not in (None, "", [])}
    cells = _by_grade_id(submitted)
    for gid, ref in _by_grade_id(released).items():
        item = gid.rsplit("-", 1)[0]
        if utils.is_solution(ref) and not utils.is_grade(ref) and gid not in cells and item not in answered:
            found.append(Finding(student, name, "deleted", gid,
                                 "the answer cell was deleted and no clicked answer was saved: this question has "
                                 "no answer (nbgrader does not restore answer cells)"))
    for gid, ref in _locked_cells(released).items():
        cell = cells.get(gid)
        if cell is None:
            found.append(Finding(student, name, "deleted", gid,
                                 "a locked cell was deleted (nbgrader puts test and task cells back before grading)"))
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if utils.is_grade(ref) and float(meta.get("points", -1)) != float(ref.metadata.nbgrader["points"]):
            found.append(Finding(student, name, "points", gid,
                                 f"points changed from {ref.metadata.nbgrader['points']} to {meta.get('points')} "
                                 "(nbgrader uses the original)"))
        if cell.get("cell_type") != ref.cell_type or cell.get("source") != ref.source:
            found.append(Finding(student, name, "edited", gid,
                                 "a locked cell was edited (nbgrader grades with the original)"))
    return found


def class_list(course: Path) -> set[str]:
    """The gradebook's students (an imported class list, and everyone graded before); empty without one."""
    return roster(course) or set()


def audit(course_dir: str | Path, assignment: str) -> tuple[list[str], list[Finding]]:
    """(students audited, findings) for one assignment of an nbgrader course folder."""
    root = Path(course_dir)
    release = root / "release" / assignment
    if not release.is_dir():
        raise FileNotFoundError(f"{release} does not exist: run `nbgrader generate_assignment {assignment}` first "
                                "(or run this command in the course folder, or give it with --course)")
    released = {p.name: nbformat.read(str(p), as_version=4) for p in sorted(release.glob("*.ipynb"))}
    handed_in = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{assignment}") if p.is_dir())
    findings: list[Finding] = []
    for student in sorted(class_list(root) - set(handed_in)):
        findings.append(Finding(student, assignment, "not-handed-in", None,
                                "in the class list, but nothing was handed in (collected)"))
    for student in handed_in:
        folder = root / "submitted" / student / assignment
        for name, nb in released.items():
            path = folder / name
            if not path.exists():
                findings.append(Finding(student, name, "missing-notebook", None, "the notebook was not handed in"))
                continue
            findings.extend(audit_notebook(student, name, nb, path))
            graded = root / "autograded" / student / assignment / name
            if not graded.exists():
                findings.append(Finding(student, name, "not-autograded", None,
                                        "no autograded version: the score in the gradebook is not a real result"))
    findings.sort(key=lambda f: f.student)
    return handed_in, findings
