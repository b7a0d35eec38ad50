"""Audit a class's submissions against the released assignment.

nbgrader restores every locked cell from the gradebook before grading, so an
edited question, helper or test cell cannot change a score. But its log warns
about the hidden-test cells of *every* submission (their released text differs
from the source by design), which hides the real edits. This audit compares
each submitted notebook with the notebook the learners were given and reports,
per student: notebooks that cannot be read, notebooks missing, and locked
cells (question, helper, test and task cells) that were edited, deleted or had
their points changed. It also says which submissions have no autograded
version, so a failed autograde is never mistaken for a score of zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils


@dataclass(frozen=True)
class Finding:
    student: str
    notebook: str
    problem: str  # unreadable | missing-notebook | edited | deleted | points | not-autograded
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


def audit_notebook(student: str, name: str, released: NotebookNode, path: Path) -> list[Finding]:
    """Findings for one submitted notebook compared with its released version."""
    try:
        submitted = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # any unreadable file is reported, never raised
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Finding(student, name, "unreadable", None, f"not a readable notebook ({type(exc).__name__}: {first[:120]})")]
    found = []
    cells = _by_grade_id(submitted)
    for gid, ref in _locked_cells(released).items():
        cell = cells.get(gid)
        if cell is None:
            found.append(Finding(student, name, "deleted", gid, "a locked cell was deleted (nbgrader restores it)"))
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


def audit(course_dir: str | Path, assignment: str) -> tuple[list[str], list[Finding]]:
    """(students audited, findings) for one assignment of an nbgrader course folder."""
    root = Path(course_dir)
    release = root / "release" / assignment
    if not release.is_dir():
        raise FileNotFoundError(f"{release} does not exist: run `nbgrader generate_assignment {assignment}` first")
    released = {p.name: nbformat.read(str(p), as_version=4) for p in sorted(release.glob("*.ipynb"))}
    students = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{assignment}") if p.is_dir())
    findings: list[Finding] = []
    for student in students:
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
    return students, findings
