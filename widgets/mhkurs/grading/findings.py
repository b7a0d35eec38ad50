"""What a submission tried that it should not have: a report per student.

Two sources, both read after autograde:

* the *submitted* notebook: an answer cell should hold nothing but
  ``svar_N = <letters>``. Any other code is reported with what it uses
  (files, network, processes, loops), because nbgrader grades it as it runs;
* the *autograded* notebook: errors the sandbox causes (a file or folder that
  does not exist in the sandbox or may not be written, no network, the memory,
  process or CPU limit, a cell cut off at the time limit, a kernel that died).
"""

from __future__ import annotations

import ast
import csv
from dataclasses import dataclass
from pathlib import Path

import nbformat

LIMITS = {
    "MemoryError": ("memory-limit", "ran into the memory limit"),
    "BlockingIOError": ("process-limit", "ran into the process limit (fork)"),
    "PermissionError": ("blocked-file", "tried to write or read a file it may not"),
    "FileNotFoundError": ("blocked-file", "tried to open a file that is not in the sandbox"),
    "IsADirectoryError": ("blocked-file", "tried to open a folder as a file"),
    "OperationalError": ("blocked-file", "tried to open a database that is not in the sandbox"),
    "gaierror": ("network", "tried to reach the network (no network in the sandbox)"),
    "ConnectionRefusedError": ("network", "tried to reach the network (no network in the sandbox)"),
    "CellTimeoutError": ("time-limit", "a cell was stopped at the time limit"),
    "DeadKernelError": ("kernel-died", "the kernel died (CPU, memory or process limit)"),
}

_RISKY = {
    "open": "files", "sqlite3": "files", "os": "files/processes", "pathlib": "files", "shutil": "files",
    "glob": "files", "io": "files", "socket": "network", "urllib": "network", "http": "network",
    "requests": "network", "subprocess": "processes", "multiprocessing": "processes", "fork": "processes",
    "exec": "code", "eval": "code", "__import__": "code", "importlib": "code",
}


@dataclass(frozen=True)
class Finding:
    student: str
    cell: str
    problem: str
    detail: str

    def __str__(self) -> str:
        return f"{self.student} / {self.cell}: {self.problem} – {self.detail}"


def _is_answer(node: ast.stmt) -> bool:
    """``svar_N = <literal>`` (a string, number, or list/tuple of them), ``svar_N = B`` (bare letters,
    read as text by the notebook), or the cell's own ``answer_buttons(N)``."""
    if isinstance(node, ast.Expr):
        value = node.value
        if isinstance(value, ast.IfExp):  # answer_buttons(N) if "answer_buttons" in dir() else print("...")
            hint = value.orelse
            if not (isinstance(hint, ast.Call) and isinstance(hint.func, ast.Name) and hint.func.id == "print"
                    and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in hint.args)
                    and isinstance(value.test, ast.Compare) and isinstance(value.test.left, ast.Constant)
                    and value.test.left.value == "answer_buttons"):
                return False
            value = value.body
        return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "answer_buttons"
                and not value.keywords
                and all(isinstance(a, ast.Constant) and isinstance(a.value, int) for a in value.args))
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
        return False
    if isinstance(node.value, ast.Name) and node.value.id.isalpha() and len(node.value.id) <= 8:
        return True
    try:
        ast.literal_eval(node.value)
    except ValueError:
        return False
    return True


def code_in_answer(source: str) -> str | None:
    """None for a plain answer cell; otherwise a short description of the code in it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None  # a syntax error stops the cell before anything runs
    if all(_is_answer(n) for n in tree.body):
        return None
    uses: set[str] = set()
    loops = False
    for node in ast.walk(tree):
        if isinstance(node, (ast.While, ast.For)):
            loops = True
        elif isinstance(node, ast.Import):
            uses.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            uses.add(node.module.split(".")[0])
        elif isinstance(node, ast.Name) and node.id in _RISKY:
            uses.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in _RISKY:
            uses.add(node.attr)
    kinds = sorted({_RISKY[u] for u in uses if u in _RISKY})
    what = ", ".join(sorted(uses)) or "expressions"
    return (f"code instead of an answer (uses {what}" + (f"; {', '.join(kinds)}" if kinds else "")
            + ("; loops" if loops else "") + ")")


def check_submission(student: str, submitted: Path, autograded: Path | None) -> list[Finding]:
    found: list[Finding] = []
    try:
        nb = nbformat.read(str(submitted), as_version=4)
    except Exception:  # noqa: BLE001 - unreadable notebooks are `mhkurs audit`'s finding
        return found
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            what = code_in_answer(cell.source)
            if what:
                found.append(Finding(student, meta.get("grade_id", cell.get("id", "?")), "code", what))
    if autograded is None or not autograded.exists():
        found.append(Finding(student, submitted.name, "not-autograded",
                             "nbgrader could not grade it (a cell ran out of time, memory or processes, or the "
                             "kernel died): the 0 in the gradebook is not a real result"))
        return found
    graded = nbformat.read(str(autograded), as_version=4)
    for cell in graded.cells:
        if cell.cell_type != "code":
            continue
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", cell.get("id", "?"))
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error" or out.get("ename") not in LIMITS:
                continue
            problem, detail = LIMITS[out["ename"]]
            if problem == "blocked-file" and gid.endswith("-test"):
                continue  # a test failing on a missing answer is not an attempt
            found.append(Finding(student, gid, problem, f"{detail} ({out['ename']}: {str(out.get('evalue', ''))[:80]})"))
    return found


def check_assignment(course: str | Path, assignment: str) -> list[Finding]:
    """Findings for every submitted student of an assignment, in student order."""
    root = Path(course)
    out: list[Finding] = []
    for folder in sorted(p for p in (root / "submitted").glob(f"*/{assignment}") if p.is_dir()):
        student = folder.parent.name
        for path in sorted(folder.glob("*.ipynb")):
            graded = root / "autograded" / student / assignment / path.name
            out.extend(check_submission(student, path, graded if graded.exists() else None))
    return out


def write_csv(findings: list[Finding], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "cell", "problem", "detail"])
        for f in findings:
            w.writerow([f.student, f.cell, f.problem, f.detail])
    return path
