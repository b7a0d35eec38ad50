"""``mhkurs export``'s class list, from a gradebook built in the test (the full run is in the guide test)."""

from __future__ import annotations

import csv
import os
import sys
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook

from mhkurs.grading.export import table, write
from mhkurs.grading.quiet import filter_warnings


def _gradebook(path):
    filter_warnings()  # nbgrader's add_submission: SQLAlchemy autoflush warnings
    gb = Gradebook(f"sqlite:///{path}")
    gb.add_assignment("a1", duedate=datetime(2026, 12, 4, 15, 0))  # UTC, as nbgrader stores it
    gb.add_assignment("a2")  # no due date
    for a in ("a1", "a2"):
        gb.add_notebook(a, a)
        gb.add_grade_cell("q1", a, a, max_score=3, cell_type="code")
        gb.add_grade_cell("t1", a, a, max_score=2, cell_type="markdown")
    gb.add_student("kari", first_name="Kari", last_name="Nordmann, jr.", email="kari@example.no")
    gb.add_student("ola", first_name="Ola", last_name="Nordmann")
    gb.add_submission("a1", "kari", timestamp=datetime(2026, 12, 5, 8, 30))  # late
    gb.add_submission("a2", "kari", timestamp=datetime(2026, 12, 1, 10, 0))
    gb.add_submission("a1", "ola", timestamp=datetime(2026, 12, 4, 14, 59))
    for student, a, auto, manual in [("kari", "a1", 3, 1.5), ("kari", "a2", 0, None), ("ola", "a1", 3, 2)]:
        auto_grade = gb.find_grade("q1", a, a, student)
        auto_grade.auto_score, auto_grade.needs_manual_grade = auto, False
        grade = gb.find_grade("t1", a, a, student)
        grade.manual_score = manual
        grade.needs_manual_grade = manual is None
    gb.db.commit()
    return gb


def test_class_list_has_names_times_late_points_and_total(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    with _gradebook(tmp_path / "gradebook.db") as gb:
        head, rows = table(gb)
    assert head == ["Student-ID", "Etternavn", "Fornavn", "E-post",
                    "a1 levert", "a1 for sent", "a1 poeng", "a1 maks", "a1 status",
                    "a2 levert", "a2 for sent", "a2 poeng", "a2 maks", "a2 status", "Sum poeng", "Sum maks"]
    kari, ola = rows
    assert kari == ["kari", "Nordmann, jr.", "Kari", "kari@example.no",
                    "2026-12-05 09:30", "ja", "4,5", "5", "ferdig",
                    "2026-12-01 11:00", "ingen frist", "0", "5", "venter på manuell vurdering", "4,5", "10"]
    assert ola[4:9] == ["2026-12-04 15:59", "nei", "5", "5", "ferdig"]
    assert ola[9:] == ["ikke levert", "", "0", "5", "ikke levert", "5", "10"]
    write(tmp_path / "karakterer.csv", head, rows)
    with open(tmp_path / "karakterer.csv", encoding="utf-8-sig", newline="") as fh:
        back = list(csv.reader(fh, delimiter=";"))
    assert back == [head, *rows]  # a comma in a name stays in its column
