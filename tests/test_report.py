"""`mhkurs report`: item analysis of an autograded assignment, in Norwegian.

The statistics are checked without a kernel; the e2e test grades a small simulated class
with `mhkurs autograde`, enters manual grades as formgrader would, and checks the report's
figures for the first question against what the simulated learners answered.
"""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mhkurs.assess.simulate import _wrong, questions_in, simulate
from mhkurs.bank.loader import REPO_ROOT, get_bank
from mhkurs.grading import report

COURSE = REPO_ROOT / "assessments"
BIN = Path(sys.executable).parent
KINDS = ("correct", "correct", "partial", "wrong", "empty", "format")


def _assignment() -> str:
    ids = [a.id for a in get_bank().all("assignments")]
    return "a4-avsluttende" if "a4-avsluttende" in ids else ids[-1]


def run(course: Path, tool: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    return subprocess.run([str(BIN / tool), *args], cwd=course, env=env, capture_output=True, text=True, timeout=900)


# --- without a kernel -------------------------------------------------------------------------


def test_answers_are_read_as_the_hidden_tests_read_them():
    assert report.read_answer('# Svar\nsvar_1 = ""') == []
    assert report.read_answer('svar_1 = " a , c "') == ["A", "C"]
    assert report.read_answer('svar_2 = ["B"]') == ["B"]
    assert report.read_answer("svar_1 = open('x').read()") is None
    assert report.read_answer("svar_1 = B") == ["B"]  # no quotes: read as the notebook reads it


def test_upper_and_lower_groups_and_discrimination():
    totals = {"a": 9, "b": 7, "c": 7, "d": 3, "e": 1, "f": 0}
    upper, lower = report.groups(totals)
    assert upper == ["a", "b"] and lower == ["e", "f"]
    assert report.point_biserial([1, 1, 0, 0], [5, 4, 1, 0]) == pytest.approx(statistics.correlation([1, 1, 0, 0], [5, 4, 1, 0]))
    assert report.point_biserial([1, 1, 1], [5, 4, 1]) is None  # everybody right: nothing to correlate


def test_a_question_answered_by_too_few_is_marked_and_not_judged():
    item = report.Item(1, "q-x", "choice", "m01-mal-1", "", 1.0, "q-x-test")
    item.options = [report.Option("A", "A", "", True), report.Option("B", "B", "", False)]
    for s, ans in {"s1": ["A"], "s2": ["B"], "s3": [], "s4": [], "s5": []}.items():
        item.answers[s] = ans
        item.scores[s] = 1.0 if ans == ["A"] else 0.0
    report._stats(item, {s: item.scores[s] for s in item.scores}, ["s1"], ["s5"], True)
    assert item.too_few and item.answered == 2 and item.p == pytest.approx(0.2)
    assert item.rpb is None and item.d is None
    assert any("For få svar" in n for n in item.notes)


def test_no_autograded_submission_is_a_clear_refusal(tmp_path):
    a = _assignment()
    course = tmp_path / "course"
    shutil.copytree(COURSE / "source", course / "source")
    (course / "submitted" / "ola" / a).mkdir(parents=True)  # handed in, never autograded
    with pytest.raises(report.NothingToReport, match="Ingen autorettede besvarelser"):
        report.analyse(course, a)
    proc = run(course, "mhkurs", "report", a, "--course", str(course))
    assert proc.returncode == 2 and f"mhkurs autograde {a}" in proc.stderr


# --- on a simulated class ---------------------------------------------------------------------


@pytest.mark.nbgrader
def test_report_on_a_simulated_class(tmp_path):
    bank = get_bank()
    a = _assignment()
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source", course / "source")
    assert run(course, "nbgrader", "generate_assignment", a).returncode == 0
    release = (course / "release" / a / f"{a}.ipynb").read_text(encoding="utf-8")
    subs = [simulate(bank, release, f"s{i}-{k}", k) for i, k in enumerate(KINDS, start=1)]
    for s in subs:
        folder = course / "submitted" / s.student / a
        folder.mkdir(parents=True)
        (folder / f"{a}.ipynb").write_text(s.text, encoding="utf-8")
    proc = run(course, "mhkurs", "autograde", a, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # The instructor grades the free-text tasks of three learners (what formgrader stores).
    from nbgrader.api import Gradebook

    tasks = [q for q in bank.assignment(a).questions if bank.question(q).type == "free_text"]
    manual = {subs[0].student: 1.0, subs[1].student: 1.0, subs[2].student: 0.5}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student, share in manual.items():
            for t in tasks:
                gb.find_grade(f"{t}-oppgave", a, a, student).manual_score = share * bank.question(t).points
        gb.db.commit()

    proc = run(course, "mhkurs", "report", a)  # from the course folder, as in docs/INSTRUCTOR.md
    assert proc.returncode == 0, proc.stderr
    html = (course / "reports" / f"{a}-rapport.html").read_text(encoding="utf-8")
    rows = list(csv.DictReader(open(course / "reports" / f"{a}-rapport.csv", encoding="utf-8")))

    # The first question, figure by figure, from what each simulated learner answered.
    q = questions_in(bank, nbformat.reads(release, as_version=4))[0]
    right = {s.student for s in subs if s.kind in ("correct", "partial", "format")}
    item01 = [1.0 if s.student in right else 0.0 for s in subs]
    rest = [s.expected_auto - q.points * x for s, x in zip(subs, item01)]
    row = rows[0]
    assert row["spørsmål"] == q.qid and row["type"] == "valg"
    assert row["svar"] == "5" and row["ikke_besvart"] == "1" and row["kunne_ikke_leses"] == "0"
    assert float(row["andel_riktig"]) == pytest.approx(4 / 6, abs=1e-4)
    assert float(row["punkt_biserial"]) == pytest.approx(statistics.correlation(item01, rest), abs=1e-4)
    counts = dict(part.split("=") for part in row["alternativer"].split("; "))
    key = "".join(q.right)
    assert counts.pop(f"{key}*") == "4" and counts.pop(_wrong(q)) == "1"
    assert set(counts.values()) == {"0"}  # the other distractors: nobody
    for letter in counts:
        assert f"Distraktor {letter} ble ikke valgt av noen." in row["merknader"]
    objective = getattr(bank.question(q.qid), "objective", None)
    if objective:
        assert row["læringsmål"] == objective

    # Free-text tasks: the manual grades alongside, the rest waiting.
    for t in tasks:
        trow = next(r for r in rows if r["spørsmål"] == t)
        assert trow["type"] == "fritekst" and trow["svar"] == "3"
        assert float(trow["andel_riktig"]) == pytest.approx(2.5 / 3, abs=1e-4)
    assert "3 vurdert, 3 venter på vurdering" in html

    # Norwegian, self-contained: plots embedded, nothing fetched from elsewhere.
    assert "<html lang='nb'>" in html and "Læringsmål" in html and "Andel riktig" in html
    assert html.count("data:image/png;base64,") == 3
    assert "http://" not in html and "https://" not in html and "<script" not in html
