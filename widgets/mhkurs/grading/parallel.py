"""Autograde several students at once.

nbgrader grades one submission after another, and most of the time goes to
starting a kernel per submission. Here the students are split over ``jobs``
workers. Each worker is one ordinary ``nbgrader autograde`` process (so it
uses the course's ``nbgrader_config.py``, with its sandbox) that grades only
its share of the students (``--CourseDirectory.student_id_exclude``) into its
own copy of the gradebook; SQLite does not take concurrent writers well. When
all workers are done, each student's submission (timestamp, grades, comments,
flags) is copied into the course gradebook, replacing an earlier one. The
autograded notebooks are written by the workers directly to ``autograded/``.
The scores are the ones the serial ``nbgrader autograde`` gives: the same
nbgrader code grades each submission, only in another process.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Run:
    students: list[str]
    jobs: int
    returncode: int  # 0: every submission graded; 1: some could not be (see log)
    seconds: float
    log: str
    failed: list[str] = field(default_factory=list)  # students nbgrader could not grade
    merge_seconds: float = 0.0  # copying the workers' results into the course gradebook


def nbgrader_bin() -> str:
    here = Path(sys.executable).parent / "nbgrader"
    return str(here) if here.exists() else (shutil.which("nbgrader") or "nbgrader")


def _env() -> dict[str, str]:
    return dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


def submitted_students(course: Path, assignment: str) -> list[str]:
    return sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())


def _failed(log: str, assignment: str) -> list[str]:
    marker = f"There was an error processing assignment '{assignment}' for student '"
    out = []
    for line in log.splitlines():
        if marker in line:
            out.append(line.split(marker, 1)[1].split("'", 1)[0])
    return sorted(set(out))


def _copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite gradebook (the backup API, not a file copy)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def merge_submissions(main_db: Path, worker_db: Path, assignment: str, students: list[str]) -> list[str]:
    """Copy ``students``' submissions of ``assignment`` from a worker's gradebook into the main one.

    Returns the students merged (a student the worker has no submission for is skipped).
    """
    from nbgrader.api import Gradebook, MissingEntry

    from .quiet import filter_warnings

    filter_warnings()  # nbgrader's add_submission warns about SQLAlchemy autoflush every time
    merged = []
    with Gradebook(f"sqlite:///{worker_db}") as wgb, Gradebook(f"sqlite:///{main_db}") as gb:
        for student in students:
            try:
                sub = wgb.find_submission(assignment, student)
            except MissingEntry:
                continue
            s = sub.student
            gb.update_or_create_student(student, first_name=s.first_name, last_name=s.last_name,
                                        email=s.email, lms_user_id=s.lms_user_id)
            try:
                gb.find_submission(assignment, student)
            except MissingEntry:
                pass
            else:
                gb.remove_submission(assignment, student)
            new = gb.add_submission(assignment, student, timestamp=sub.timestamp, extension=sub.extension)
            for wnb in sub.notebooks:
                nb = gb.find_submission_notebook(wnb.name, assignment, student)
                nb.flagged = wnb.flagged
                nb.late_submission_penalty = wnb.late_submission_penalty
                for wg in wnb.grades:
                    g = gb.find_grade(wg.name, wnb.name, assignment, student)
                    g.auto_score, g.manual_score = wg.auto_score, wg.manual_score
                    g.extra_credit, g.needs_manual_grade = wg.extra_credit, wg.needs_manual_grade
                for wc in wnb.comments:
                    c = gb.find_comment(wc.name, wnb.name, assignment, student)
                    c.auto_comment, c.manual_comment = wc.auto_comment, wc.manual_comment
            gb.db.commit()
            assert new.student_id is not None
            merged.append(student)
    return merged


def autograde(course: str | os.PathLike, assignment: str, jobs: int = 2, force: bool = False,
              students: list[str] | None = None) -> Run:
    """Autograde every submitted student of ``assignment`` with ``jobs`` workers (1: nbgrader as is)."""
    course = Path(course).resolve()
    main_db = course / "gradebook.db"
    everyone = submitted_students(course, assignment)
    chosen = everyone if students is None else [s for s in everyone if s in set(students)]
    if not chosen:
        raise FileNotFoundError(f"no submissions in {course / 'submitted'}/*/{assignment}: collect them first "
                                f"(`nbgrader collect {assignment}` or `nbgrader zip_collect {assignment}`)")
    if not main_db.exists():
        raise FileNotFoundError(f"{main_db} does not exist: run `nbgrader generate_assignment {assignment}` first")
    base = [nbgrader_bin(), "autograde", assignment] + (["--force"] if force else [])
    t0 = time.perf_counter()
    jobs = max(1, min(jobs, len(chosen)))
    if jobs == 1:
        others = [s for s in everyone if s not in set(chosen)]
        cmd = base + ([f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else [])
        proc = subprocess.run(cmd, cwd=course, env=_env(), capture_output=True, text=True)
        log = proc.stdout + proc.stderr
        return Run(chosen, 1, proc.returncode, time.perf_counter() - t0, log, _failed(log, assignment))

    shares = [chosen[k::jobs] for k in range(jobs)]
    with tempfile.TemporaryDirectory(prefix="mhkurs-autograde-") as tmp:
        procs = []
        for k, share in enumerate(shares):
            db = Path(tmp) / f"worker-{k}.db"
            _copy_db(main_db, db)
            exclude = [s for s in everyone if s not in set(share)]
            cmd = base + [f"--CourseDirectory.db_url=sqlite:///{db}"]
            if exclude:
                cmd.append(f"--CourseDirectory.student_id_exclude={','.join(exclude)}")
            out = open(Path(tmp) / f"worker-{k}.log", "w+", encoding="utf-8")
            procs.append((db, share, out, subprocess.Popen(cmd, cwd=course, env=_env(), stdout=out,
                                                             stderr=subprocess.STDOUT, text=True)))
        logs, codes = [], []
        for db, share, out, proc in procs:
            codes.append(proc.wait())
            out.seek(0)
            logs.append(out.read())
            out.close()
        t_merge = time.perf_counter()
        for db, share, _, _ in procs:  # merge in a fixed order, after every worker has finished
            merge_submissions(main_db, db, assignment, share)
        t_merge = time.perf_counter() - t_merge
    log = "\n".join(logs)
    code = 0 if all(c == 0 for c in codes) else (1 if all(c in (0, 1) for c in codes) else 2)
    return Run(chosen, jobs, code, time.perf_counter() - t0, log, _failed(log, assignment), t_merge)
