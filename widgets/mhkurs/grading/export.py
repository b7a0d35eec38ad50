"""``mhkurs export``: the class list an instructor files, from nbgrader's gradebook.

One row per learner in the gradebook (the imported class list, and everyone who
handed in): student id, last and first name, e-mail, then per assignment the
hand-in time (Norwegian time), whether it was late, the points (after any late
penalty), the maximum and a status, and at the end the total. Column headings
are Norwegian; the file is semicolon-separated with decimal commas and UTF-8
with a byte-order mark, so Excel and LibreOffice in Norwegian open it as a table.

It is an nbgrader export plugin, so it reads the gradebook the course is
configured with (SQLite ``gradebook.db`` or the hub's PostgreSQL):
``nbgrader export --exporter=mhkurs.grading.export.ClassListExport``, which is
what ``mhkurs export`` runs.
"""

from __future__ import annotations

import csv
from datetime import timezone
from zoneinfo import ZoneInfo

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

DEFAULT_FILE = "karakterer.csv"
LOCAL = ZoneInfo("Europe/Oslo")


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _time(ts) -> str:
    return ts.replace(tzinfo=timezone.utc).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def table(gradebook: Gradebook, assignments: list[str] | None = None,
          students: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """(headings, rows) of the class list; see the module."""
    chosen = sorted((a for a in gradebook.assignments if not assignments or a.name in assignments),
                    key=lambda a: a.name)
    head = ["Student-ID", "Etternavn", "Fornavn", "E-post"]
    for a in chosen:
        head += [f"{a.name} levert", f"{a.name} for sent", f"{a.name} poeng", f"{a.name} maks", f"{a.name} status"]
    head += ["Sum poeng", "Sum maks"]
    rows = []
    for student in sorted(gradebook.students, key=lambda s: s.id):
        if students and student.id not in students:
            continue
        row = [student.id, student.last_name or "", student.first_name or "", student.email or ""]
        total = maximum = 0.0
        for a in chosen:
            maximum += a.max_score
            try:
                sub = gradebook.find_submission(a.name, student.id)
            except MissingEntry:
                row += ["ikke levert", "", _num(0), _num(a.max_score), "ikke levert"]
                continue
            score = max(0.0, sub.score - (sub.late_submission_penalty or 0.0))
            total += score
            if a.duedate is None or sub.timestamp is None:
                late = "ingen frist" if a.duedate is None else ""
            else:
                late = "ja" if sub.total_seconds_late > 0 else "nei"
            status = "venter på manuell vurdering" if sub.needs_manual_grade else "ferdig"
            row += [_time(sub.timestamp) if sub.timestamp else "", late, _num(score), _num(a.max_score), status]
        rows.append(row + [_num(total), _num(maximum)])
    return head, rows


def write(path, head: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(head)
        w.writerows(rows)


class ClassListExport(ExportPlugin):
    """nbgrader export plugin writing the class list (see the module)."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or DEFAULT_FILE
        head, rows = table(gradebook, [str(a) for a in self.assignment], [str(s) for s in self.student])
        write(dest, head, rows)
        self.log.info("Wrote %s: %d learner(s), %d column(s)", dest, len(rows), len(head))
