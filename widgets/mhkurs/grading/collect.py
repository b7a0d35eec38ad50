"""``mhkurs collect``: file hand-ins into nbgrader's ``submitted/`` folder, checked first.

Learners who hand in by e-mail or a learning platform return the notebook named
``<student id>_<notebook>.ipynb``. nbgrader's own ``zip_collect`` takes whatever
matches its pattern (``Kari Nordmann_a1-begreper.ipynb`` becomes a student
«Kari Nordmann») and skips what does not (``karia1-begreper.ipynb``) with a
warning among its log lines and exit status 0. This command checks *every* file
first and collects nothing until all of them are right: it names each file that
does not match and the name it expected, student ids with capitals, spaces or
other characters, ids not in the class list (when one was imported), and
learners who handed in two different files. A learner already collected is never
overwritten silently: an unchanged file is left alone, a different one is only
taken with ``--replace``, and the earlier hand-in (with its autograded copy, so the
new file is graded next time) is then moved aside, not deleted.

The hand-in time written to ``timestamp.txt`` is the latest modification time of the
learner's files for the assignment (the notebook and the answer file beside it; for a file
inside a zip file, the time stored in the zip file): a hand-in is complete when its last file
arrived, so a learner who sends the answer file after the notebook handed in then.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..assess.answers import ANSWER_FILE
from ..assess.classlist import roster

ID_RULE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's (Exchange.timestamp_format), in UTC
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


class CollectError(Exception):
    """Something an instructor must fix before anything is collected (the message says what)."""


@dataclass(frozen=True)
class HandIn:
    source: str  # the file as the instructor sees it: "kari_a1.ipynb" or "klasse.zip: kari_a1.ipynb"
    student: str
    notebook: str
    data: bytes
    time: datetime  # UTC


@dataclass(frozen=True)
class Problem:
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass
class Result:
    collected: list[str] = field(default_factory=list)  # student ids
    unchanged: list[str] = field(default_factory=list)
    replaced: list[tuple[str, Path]] = field(default_factory=list)  # (student, where the earlier hand-in went)
    kept: list[str] = field(default_factory=list)  # a different file than the one collected, not taken


def suggest_id(raw: str) -> str:
    """A student id following the rule, made from what a learner wrote (``Kari Nordmann`` -> ``kari.nordmann``)."""
    text = raw.strip().lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[\s_]+", ".", text)
    text = re.sub(r"[^a-z0-9.-]", "", text).strip(".-")
    return text or "ola.nordmann"


def id_problem(student: str) -> str | None:
    """Why ``student`` cannot be a student id, or None."""
    if ID_RULE.match(student):
        return None
    what = []
    if student != student.lower():
        what.append("capital letters")
    if re.search(r"\s", student):
        what.append("a space")
    if re.search(r"[æøåÆØÅ]", student):
        what.append("æ, ø or å")
    rest = set(re.sub(r"[A-Za-z0-9.\sæøåÆØÅ-]", "", student))
    if rest:
        what.append("the character(s) " + " ".join(sorted(rest)))
    if not what:
        what.append("it must start with a letter or digit")
    return (f"the student id «{student}» has {' and '.join(what)}; ids are lower-case letters a–z, digits, "
            f"'.' and '-' (here perhaps {suggest_id(student)})")


def notebooks_of(course: Path, assignment: str) -> list[str]:
    """The files a learner hands in for an assignment: its notebook(s) (from source/, else release/), then the
    file the notebook's answer buttons save the clicked answers in."""
    for kind in ("source", "release"):
        names = sorted(p.name for p in (course / kind / assignment).glob("*.ipynb"))
        if names:
            return names + [ANSWER_FILE.format(assignment=assignment)]
    raise CollectError(f"the assignment {assignment} has no notebook in source/{assignment}/ or "
                       f"release/{assignment}/: check the name (`ls source`)")


def _files(archive: Path) -> list[tuple[str, bytes, datetime]]:
    """(display name, bytes, time) of every file in the archive folder, zip files opened."""
    out = []
    for path in sorted(p for p in archive.rglob("*") if p.is_file()):
        rel = path.relative_to(archive).as_posix()
        if any(j in rel for j in _JUNK) or path.name.startswith("."):
            continue
        mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        if path.suffix.lower() != ".zip":
            out.append((rel, path.read_bytes(), mtime))
            continue
        try:
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    name = info.filename
                    if info.is_dir() or any(j in name for j in _JUNK) or Path(name).name.startswith("."):
                        continue
                    when = datetime(*info.date_time).astimezone(timezone.utc)  # zip times are local times
                    out.append((f"{rel}: {name}", zf.read(info), when))
        except zipfile.BadZipFile:
            out.append((rel, b"", mtime))  # reported below as not a notebook
    return out


def scan(course: Path, assignment: str, archive: Path | None = None) -> tuple[list[HandIn], list[Problem]]:
    """Every hand-in in ``downloaded/<assignment>/archive`` and every problem with the files."""
    notebooks = notebooks_of(course, assignment)
    archive = archive or course / "downloaded" / assignment / "archive"
    if not archive.is_dir():
        raise CollectError(f"{archive} does not exist: put the returned files (or zip files of them) there")
    example = f"<student id>_{notebooks[0]}"
    known = roster(course)
    handins: list[HandIn] = []
    problems: list[Problem] = []
    for source, data, when in _files(archive):
        name = Path(source.split(": ")[-1]).name
        if not name.lower().endswith((".ipynb", ".json")):
            problems.append(Problem(source, f"not a notebook (.ipynb); expected {example}"))
            continue
        match = next((nb for nb in notebooks if name.endswith("_" + nb) and len(name) > len(nb) + 1), None)
        if match is None:
            nb_hint = notebooks[0]
            if any(name.endswith(nb) for nb in notebooks):
                nb_hint = next(nb for nb in notebooks if name.endswith(nb))
                guess = suggest_id(name[: -len(nb_hint)]) if name[: -len(nb_hint)] else "ola.nordmann"
                problems.append(Problem(source, f"no '_' between the student id and the notebook name; "
                                                f"expected <student id>_{nb_hint} (here perhaps {guess}_{nb_hint})"))
            elif "_" in name:
                student = name.split("_", 1)[0]
                problems.append(Problem(source, f"«{name.split('_', 1)[1]}» is not the notebook of {assignment}; "
                                                f"expected {suggest_id(student)}_{nb_hint}"))
            else:
                problems.append(Problem(source, f"the name does not match; expected {example}"))
            continue
        student = name[: -len(match) - 1]
        why = id_problem(student)
        if why:
            problems.append(Problem(source, f"{why}; expected {suggest_id(student)}_{match}"))
            continue
        if known is not None and student not in known:
            problems.append(Problem(source, f"«{student}» is not in the class list (nbgrader db student list): "
                                            "correct the spelling, or add the learner to the class list"))
            continue
        handins.append(HandIn(source, student, match, data, when))
    # The same learner and notebook twice: identical copies are one hand-in, different ones must be resolved.
    unique: dict[tuple[str, str], HandIn] = {}
    for h in handins:
        first = unique.setdefault((h.student, h.notebook), h)
        if first is not h and first.data != h.data:
            problems.append(Problem(h.source, f"{h.student} handed in {h.notebook} twice, with different contents "
                                              f"(also {first.source}): keep one of them in the archive folder"))
    return list(unique.values()), problems


def handin_time(files: list[HandIn]) -> datetime:
    """When a learner handed in: the latest time of their files (see the module docstring)."""
    return max(h.time for h in files)


def _stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)


def collect(course: Path, assignment: str, replace: bool = False) -> tuple[Result, list[Problem]]:
    """Check every file, then (only if all are right) copy them into submitted/<id>/<assignment>/."""
    course = Path(course)
    handins, problems = scan(course, assignment)
    result = Result()
    if problems:
        return result, problems
    now = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    for student in sorted({h.student for h in handins}):
        mine = [h for h in handins if h.student == student]
        dest = course / "submitted" / student / assignment
        if dest.is_dir():
            same = all((dest / h.notebook).exists() and (dest / h.notebook).read_bytes() == h.data for h in mine)
            if same:
                result.unchanged.append(student)
                continue
            if not replace:
                result.kept.append(student)
                continue
            aside = course / "downloaded" / assignment / "replaced" / f"{student}-{now}"
            aside.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(dest), str(aside))
            graded = course / "autograded" / student / assignment
            if graded.is_dir():  # so that autograde grades the new hand-in, whatever its file time
                shutil.move(str(graded), str(aside / "autograded"))
            result.replaced.append((student, aside))
        else:
            result.collected.append(student)
        dest.mkdir(parents=True, exist_ok=True)
        for h in mine:
            (dest / h.notebook).write_bytes(h.data)
        (dest / "timestamp.txt").write_text(_stamp(handin_time(mine)) + "\n", encoding="utf-8")
    return result, problems
