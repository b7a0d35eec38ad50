"""Collecting file hand-ins (``mhkurs collect``): every bad file named, nothing overwritten silently.

Why the course has its own command: nbgrader's ``zip_collect`` takes a file named
``Kari Nordmann_a1-begreper.ipynb`` as a student called «Kari Nordmann» and skips
``karia1-begreper.ipynb`` with exit status 0 (the ``nbgrader`` test below shows it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mhkurs.bank.loader import REPO_ROOT
from mhkurs.cli import main
from mhkurs.grading.collect import collect, id_problem, scan, suggest_id

A = "a1-begreper"
NB = f"{A}.ipynb"


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    (root / "source" / A).mkdir(parents=True)
    shutil.copy(REPO_ROOT / "assessments" / "source" / A / NB, root / "source" / A / NB)
    (root / "downloaded" / A / "archive").mkdir(parents=True)
    return root


# Fixed file times (UTC), so that no result depends on the day the tests run: one long past,
# one in the future of any run of these tests.
PAST = 978_350_400  # 2001-01-01 12:00:00
LATER = 1_796_400_000  # 2026-12-04 16:00:00
FUTURE = 2_208_988_800  # 2040-01-01 00:00:00


def hand_in(course: Path, name: str, text: str = '{"cells": []}', when: float = PAST) -> Path:
    path = course / "downloaded" / A / "archive" / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when, when))
    return path


def test_ids_follow_one_rule_and_a_suggestion_is_offered():
    assert id_problem("kari.nordmann") is None and id_problem("per-2") is None
    why = id_problem("Kari Nordmann")
    assert "capital letters and a space" in why and "kari.nordmann" in why
    assert "æ, ø or å" in id_problem("bjørn")
    assert suggest_id("Bjørn Ås") == "bjorn.as"


def test_every_bad_file_is_named_with_the_name_expected_and_nothing_is_collected(course, capsys):
    for name in ("ola.nordmann_a1-begreper.ipynb", f"Kari Nordmann_{NB}", f"karia1-begreper.ipynb",
                 f"per_{A} (1).ipynb", "svar.pdf", f"lise_{A}.ipynb"):
        hand_in(course, name)
    with zipfile.ZipFile(course / "downloaded" / A / "archive" / "klasse.zip", "w") as zf:
        zf.writestr(f"innleveringer/lise_{NB}", '{"cells": [1]}')  # lise twice, different contents
        zf.writestr(f"innleveringer/ola.nordmann_{NB}", '{"cells": []}')  # the same file again: fine
        zf.writestr("__MACOSX/._x", "junk")
    code = main(["collect", A, "--course", str(course)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"Kari Nordmann_{NB}: the student id «Kari Nordmann» has capital letters and a space" in err
    assert f"expected kari.nordmann_{NB}" in err
    assert f"karia1-begreper.ipynb: no '_' between the student id and the notebook name; expected <student id>_{NB}" in err
    assert f"per_{A} (1).ipynb: «{A} (1).ipynb» is not the notebook of {A}; expected per_{NB}" in err
    assert "svar.pdf: not a notebook" in err
    assert f"lise handed in {NB} twice, with different contents" in err
    assert "ola.nordmann" not in err and "__MACOSX" not in err
    assert "nothing was collected; 5 file(s)" in err
    assert not (course / "submitted").exists()


def test_ids_not_on_the_class_list_are_named(course):
    with sqlite3.connect(course / "gradebook.db") as con:
        con.execute("CREATE TABLE student (id VARCHAR(128) PRIMARY KEY)")
        con.executemany("INSERT INTO student VALUES (?)", [("kari.nordmann",), ("ola.nordmann",)])
    hand_in(course, f"kari.nordmann_{NB}")
    hand_in(course, f"kari.nordman_{NB}")
    _, problems = scan(course, A)
    assert [str(p) for p in problems] == [
        f"kari.nordman_{NB}: «kari.nordman» is not in the class list (nbgrader db student list): correct the "
        "spelling, or add the learner to the class list"]


def test_collecting_again_never_overwrites_silently(course, capsys):
    first = hand_in(course, f"kari_{NB}", '{"v": 1}', when=LATER)
    hand_in(course, f"ola_{NB}")
    hand_in(course, f"kari_{A}-svar.json", '{"svar": {}}')  # the clicked answers beside the notebook, earlier
    assert main(["collect", A, "--course", str(course)]) == 0
    assert "2 collected, 0 unchanged" in capsys.readouterr().out
    dest = course / "submitted" / "kari" / A
    assert (dest / NB).read_text() == '{"v": 1}' and (dest / f"{A}-svar.json").exists()
    assert (dest / "timestamp.txt").read_text().startswith("2026-12-04 ")  # the file's time, in UTC

    assert main(["collect", A, "--course", str(course)]) == 0
    assert "0 collected, 2 unchanged" in capsys.readouterr().out

    first.write_text('{"v": 2}')  # kari sends a new version
    os.utime(first, (LATER + 3600, LATER + 3600))
    assert main(["collect", A, "--course", str(course)]) == 1
    out = capsys.readouterr().out
    assert "not replaced): kari" in out and "--replace" in out
    assert (dest / NB).read_text() == '{"v": 1}'

    graded = course / "autograded" / "kari" / A
    graded.mkdir(parents=True)
    (graded / NB).write_text('{"graded": 1}')
    assert main(["collect", A, "--course", str(course), "--replace"]) == 0
    out = capsys.readouterr().out
    assert "1 replaced" in out and "earlier hand-in was moved to" in out
    assert (dest / NB).read_text() == '{"v": 2}'
    (aside,) = (course / "downloaded" / A / "replaced").iterdir()
    assert aside.name.startswith("kari-") and (aside / NB).read_text() == '{"v": 1}'
    assert not graded.exists() and (aside / "autograded" / NB).exists()  # the new file will be graded


@pytest.mark.parametrize("notebook_time, answers_time", [(PAST, FUTURE), (FUTURE, PAST), (PAST, LATER)])
def test_the_hand_in_time_is_the_latest_of_the_learners_files(course, notebook_time, answers_time):
    """The guide's rule, whatever the day the test runs: one time long past, one in the future of the run."""
    hand_in(course, f"kari_{NB}", when=notebook_time)
    hand_in(course, f"kari_{A}-svar.json", '{"svar": {}}', when=answers_time)
    result, problems = collect(course, A)
    assert problems == [] and result.collected == ["kari"]
    stamp = (course / "submitted" / "kari" / A / "timestamp.txt").read_text()
    latest = datetime.fromtimestamp(max(notebook_time, answers_time), tz=timezone.utc)
    assert stamp == latest.strftime("%Y-%m-%d %H:%M:%S.%f UTC") + "\n"


def test_the_hand_in_time_in_a_zip_file_is_the_time_stored_in_it(course):
    archive = course / "downloaded" / A / "archive" / "klasse.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo(f"kari_{NB}", date_time=(2001, 1, 1, 12, 0, 0)), '{"cells": []}')
    os.utime(archive, (FUTURE, FUTURE))  # the zip file's own time does not count
    result, problems = collect(course, A)
    assert problems == [] and result.collected == ["kari"]
    stamp = (course / "submitted" / "kari" / A / "timestamp.txt").read_text()
    local = datetime(2001, 1, 1, 12, 0, 0).astimezone(timezone.utc)  # zip times are the machine's local time
    assert stamp.startswith(local.strftime("%Y-%m-%d %H:%M:%S"))


def test_a_missing_archive_folder_or_assignment_says_what_to_do(course, capsys):
    shutil.rmtree(course / "downloaded")
    assert main(["collect", A, "--course", str(course)]) == 2
    assert "put the returned files" in capsys.readouterr().err
    assert main(["collect", "a9-finnes-ikke", "--course", str(course)]) == 2
    assert "has no notebook in source/a9-finnes-ikke/" in capsys.readouterr().err


def test_learner_data_is_git_ignored():
    paths = ["downloaded/a1-begreper/archive/kari_a1-begreper.ipynb", "submitted/kari/a1-begreper/a1-begreper.ipynb",
             "autograded/kari/a1-begreper/a1-begreper.ipynb", "feedback/kari/a1-begreper/a1-begreper.html",
             "gradebook.db", "grades.csv", "karakterer.csv", "klasseliste.csv", "reports/a1-begreper-findings.csv",
             "exchange/menneskehandel/inbound/x"]
    proc = subprocess.run(["git", "check-ignore", "--no-index", *[f"assessments/{p}" for p in paths]],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert sorted(proc.stdout.split()) == sorted(f"assessments/{p}" for p in paths)


@pytest.mark.nbgrader
def test_nbgrader_zip_collect_takes_a_name_with_a_space_as_an_id_and_skips_a_misnamed_file(course):
    shutil.copy(REPO_ROOT / "assessments" / "nbgrader_config.py", course)
    release = course / "release" / A
    release.mkdir(parents=True)
    shutil.copy(course / "source" / A / NB, release / NB)
    hand_in(course, f"Kari Nordmann_{NB}")
    hand_in(course, f"karia1-begreper.ipynb")
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "zip_collect", A], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["Kari Nordmann"]
    assert "karia1-begreper.ipynb" in proc.stdout + proc.stderr  # only a warning among the log lines
