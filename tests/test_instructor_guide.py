"""docs/INSTRUCTOR.md is true: its command blocks, run in order on a copy of the course.

The guide's ```sh blocks are run as written, one bash process per block (the
working folder and exported variables carry over, as in one terminal), on a
temporary copy of the course (content bank and nbgrader course folder), with a
simulated class of twenty from :mod:`mhkurs.assess.simulate`: three hand in
through the nbgrader exchange, seventeen as files (three of them misnamed), and
one learner on the class list hands in nothing. Between blocks the test plays
what is not a command: the learners (fetch, answer, submit; files e-mailed), the
instructor's edits (a bank change, renaming the files ``mhkurs collect`` named,
the manual grades formgrader stores). A block the test cannot run carries a
visible ``<!-- not run by the test: reason -->`` note; the test checks that the
skipped blocks are exactly the ones listed here.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import pytest

from mhkurs.assess.simulate import simulate
from mhkurs.bank.loader import REPO_ROOT, load_bank

GUIDE = REPO_ROOT / "docs" / "INSTRUCTOR.md"
A = "a1-begreper"
EDIT_MARK = "(rettet av instruktøren)"  # what the instructor adds to a graded question in section 1


def edited_option(text: str) -> str:
    """An option of a question in assignment A that stands once, on one line, in questions-graded.yaml: the text
    the instructor edits (taken from the bank, so that the test does not hang on one item's wording)."""
    from mhkurs.bank.loader import get_bank

    bank = get_bank()
    for qid in bank.assignment(A).questions:
        for option in bank.question(qid).options or []:
            label = str(option.text if hasattr(option, "text") else option.label)
            if text.count(label) == 1 and all(label not in str(o) for other in bank.all("questions")
                                                if other.id != qid for o in (other.options or [])):
                return label
    raise AssertionError(f"no option of {A} stands once in questions-graded.yaml")
OSLO = ZoneInfo("Europe/Oslo")
SKIP_NOTE = re.compile(r"^<!-- not run by the test: (.+) -->$")

# The only blocks the test does not run (first line of each), and why they cannot run here.
EXPECTED_SKIPS = {
    "scripts/setup-env": "the suite runs it first",
    "sudo apt-get install bubblewrap": "root",
    "sudo mkdir -p /usr/local/share/nbgrader/exchange": "root",
    "MHKURS_SANDBOX=off nbgrader autograde a1-begreper": "grades without the sandbox",
    "jupyter lab": "interactive",
    "sudo rm -rf /usr/local/share/nbgrader/exchange/menneskehandel/inbound/\"$STUDENT\"+*": "root, hub",
    ".venv/bin/mhkurs hub": "starts a server until stopped",
}

# The class: (student id, first name, last name, kind of hand-in, how it is handed in).
# "exchange": nbgrader exchange; "file": the right file name; any other text: the misnamed file it sends.
CLASS = [
    ("ali.hassan", "Ali", "Hassan", "correct", "exchange"),
    ("berit.lie", "Berit", "Lie", "partial", "exchange"),
    ("chen.wei", "Chen", "Wei", "format", "exchange"),
    ("dag.olsen", "Dag", "Olsen", "correct", "file"),
    ("eva.moe", "Eva", "Moe", "wrong", "file"),
    ("finn.aas", "Finn", "Aas", "partial", "file"),
    ("gro.dahl", "Gro", "Dahl", "empty", "file"),
    ("hilde.vik", "Hilde", "Vik", "format", "file"),
    ("ivar.lund", "Ivar", "Lund", "tampered", "file"),
    ("jon.berg", "Jon", "Berg", "invalid_json", "file"),
    ("kari.nordmann", "Kari", "Nordmann", "correct", f"Kari Nordmann_{A}.ipynb"),
    ("lars.holm", "Lars", "Holm", "raises", "file"),
    ("mona.strand", "Mona", "Strand", "correct", f"mona.strand{A}.ipynb"),
    ("nils.bakke", "Nils", "Bakke", "partial", f"nils.bakke_{A} (1).ipynb"),
    ("ola.nordmann", "Ola", "Nordmann", "correct", "file"),
    ("pia.sand", "Pia", "Sand", "wrong", "file"),
    ("rune.foss", "Rune", "Foss", "partial", "file"),
    ("siri.haug", "Siri", "Haug", "deleted", "file"),
    ("tor.eng", "Tor", "Eng", "format", "file"),
    ("unni.li", "Unni", "Li", "correct", "file"),
]
ABSENT = ("vera.ask", "Vera", "Ask")  # on the class list, hands in nothing
LATE = {"pia.sand", "unni.li"}  # their files are dated after the due date
UNGRADED = "rune.foss"  # the instructor has not yet graded this learner's free-text tasks
DUE = datetime(2026, 12, 4, 16, 0, tzinfo=OSLO)  # the due date the guide sets
ON_TIME, AFTER = datetime(2026, 12, 3, 12, 0, tzinfo=OSLO), datetime(2026, 12, 5, 9, 30, tzinfo=OSLO)


@dataclass
class Block:
    text: str
    line: int
    skip: str | None

    @property
    def first(self) -> str:
        return self.text.strip().splitlines()[0].split("  #")[0].strip()


def guide_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            end = lines.index("```", i + 1)
            prev = next((lines[k].strip() for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            note = SKIP_NOTE.match(prev)
            out.append(Block("\n".join(lines[i + 1:end]), i + 1, note.group(1) if note else None))
            i = end
        i += 1
    return out


def test_every_command_of_the_guide_is_in_a_block_the_test_sees():
    text = GUIDE.read_text(encoding="utf-8")
    fenced = re.sub(r"```.*?```", "", text, flags=re.S)
    indented = [ln for ln in fenced.splitlines() if re.match(r"^ {4,}(nbgrader|mhkurs|sudo|jupyter|scripts|\.venv|rm) ", ln)]
    assert indented == [], "commands outside ```sh blocks are not tested"
    blocks = guide_blocks(text)
    assert {b.first for b in blocks if b.skip} == set(EXPECTED_SKIPS)
    assert len([b for b in blocks if not b.skip]) >= 12


class Guide:
    """The temporary course, the shell state between blocks, and the simulated learners."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.repo = tmp / "repo"
        (self.repo / "course").mkdir(parents=True)
        shutil.copytree(REPO_ROOT / "course" / "content", self.repo / "course" / "content")
        (self.repo / "assessments").mkdir()
        shutil.copy(REPO_ROOT / "assessments" / "nbgrader_config.py", self.repo / "assessments")
        shutil.copytree(REPO_ROOT / "assessments" / "source", self.repo / "assessments" / "source")
        (self.repo / ".venv").symlink_to(REPO_ROOT / ".venv")
        self.course = self.repo / "assessments"
        self.exchange = tmp / "exchange"
        self.cwd = self.repo
        self.state = tmp / "state.sh"
        self.outputs: dict[str, list[str]] = {}
        self.seconds: dict[str, float] = {}
        self.subs = {}

    def run(self, block: Block) -> tuple[list[int], str]:
        """Run one block; the exit status of each command line, and what it printed."""
        status = self.tmp / "status"
        status.unlink(missing_ok=True)
        body = []
        for line in block.text.splitlines():
            body.append(line)
            if line.strip() and not line.strip().startswith("#") and not re.match(r"^\w+=\S*$", line.strip()):
                body.append(f'echo $? >> {shlex.quote(str(status))}')
        script = "\n".join([
            f"[ -f {shlex.quote(str(self.state))} ] && source {shlex.quote(str(self.state))}",
            f"cd {shlex.quote(str(self.cwd))}",
            *body,
            f"pwd > {shlex.quote(str(self.tmp / 'cwd'))}",
            f"export -p > {shlex.quote(str(self.state))}",
        ])
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV",)}
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                      if not p.startswith(str(REPO_ROOT / ".venv")))
        start = time.monotonic()
        proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=900)
        self.seconds[block.first] = self.seconds.get(block.first, 0.0) + time.monotonic() - start
        self.cwd = Path((self.tmp / "cwd").read_text().strip())
        codes = [int(x) for x in status.read_text().split()] if status.exists() else []
        out = proc.stdout + proc.stderr
        self.outputs.setdefault(block.first, []).append(out)
        return codes, out

    # --- the learners ------------------------------------------------------------------------

    def make_class(self) -> None:
        bank = load_bank(self.repo / "course" / "content")
        release = (self.course / "release" / A / f"{A}.ipynb").read_text(encoding="utf-8")
        self.subs = {sid: simulate(bank, release, sid, kind) for sid, _, _, kind, _ in CLASS}

    def exchange_hand_ins(self) -> None:
        """The exchange learners: Assignment List -> Fetch, answer, Submit (nbgrader's own exchange code)."""
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
        from traitlets.config import Config

        self.make_class()
        for sid, *_, how in CLASS:
            if how != "exchange":
                continue
            home = self.tmp / "homes" / sid
            home.mkdir(parents=True)
            cfg = Config()
            cfg.Exchange.root = str(self.exchange)
            cfg.Exchange.assignment_dir = str(home)
            cfg.Exchange.cache = str(home / ".cache")
            cfg.CourseDirectory.course_id = "menneskehandel"
            cfg.CourseDirectory.assignment_id = A
            cfg.CourseDirectory.student_id = sid
            coursedir = CourseDirectory(config=cfg)
            auth = Authenticator(config=cfg)
            ExchangeFetchAssignment(coursedir=coursedir, authenticator=auth, config=cfg).start()
            (home / A / f"{A}.ipynb").write_text(self.subs[sid].text, encoding="utf-8")
            ExchangeSubmit(coursedir=coursedir, authenticator=auth, config=cfg).start()

    def file_hand_ins(self) -> None:
        """The other learners e-mail their notebooks; the instructor saves them in the archive folder."""
        if not self.subs:
            self.make_class()
        archive = self.course / "downloaded" / A / "archive"
        archive.mkdir(parents=True)
        for sid, *_, how in CLASS:
            if how == "exchange":
                continue
            path = archive / (f"{sid}_{A}.ipynb" if how == "file" else how)
            path.write_text(self.subs[sid].text, encoding="utf-8")
            when = (AFTER if sid in LATE else ON_TIME).timestamp()
            os.utime(path, (when, when))


@pytest.mark.nbgrader
def test_the_instructor_guide_works_as_written(tmp_path):
    g = Guide(tmp_path)
    blocks = guide_blocks(GUIDE.read_text(encoding="utf-8"))
    ran: list[str] = []
    try:
        run_guide(g, blocks, ran)
    finally:
        print("\nseconds per guide block:", {k: round(v, 1) for k, v in g.seconds.items()})
    expected = [b.first for b in blocks if not b.skip]
    assert ran == expected


def run_guide(g: Guide, blocks: list[Block], ran: list[str]) -> None:
    for block in blocks:
        if block.skip:
            continue
        first = block.first
        # ----- before the block: what the learners and the instructor do that is not a command
        if first.startswith("nbgrader db student import"):
            with open(g.course / "klasseliste.csv", "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["id", "first_name", "last_name", "email"])
                for sid, fn, ln, *_ in [*CLASS, ABSENT]:
                    w.writerow([sid, fn, ln, f"{sid}@example.no"])
        if first == f"nbgrader generate_assignment {A} --force":
            # The instructor edits a graded question (section 1), regenerates the sources ...
            bank_file = g.repo / "course" / "content" / "questions-graded.yaml"
            text = bank_file.read_text(encoding="utf-8")
            before = edited_option(text)
            bank_file.write_text(text.replace(before, before + " " + EDIT_MARK), encoding="utf-8")
            codes, out = g.run(Block("mhkurs assessments", 0, None))
            assert codes == [0] and "1 notebook(s) written" in out, out
            # ... and without --force nbgrader keeps the old release, as the guide says.
            codes, out = g.run(Block(f"nbgrader generate_assignment {A}", 0, None))
            assert codes == [0] and "Skipping existing assignment" in out, out
            assert EDIT_MARK not in (g.course / "release" / A / f"{A}.ipynb").read_text(encoding="utf-8")
        if first == f"nbgrader release_assignment {A}":
            # IT made the exchange (the skipped sudo block); this course names it in nbgrader_config.py.
            g.exchange.mkdir(mode=0o777)
            g.exchange.chmod(0o777)
            with open(g.course / "nbgrader_config.py", "a", encoding="utf-8") as fh:
                fh.write(f"c.Exchange.root = {str(g.exchange)!r}\n")
        if first == f"nbgrader collect {A}":
            g.exchange_hand_ins()
        if first == f"mhkurs collect {A}":
            g.file_hand_ins()
        if first == f"nbgrader generate_feedback {A}":
            formgrader_grades(g)

        codes, out = g.run(block)
        ran.append(first)

        # ----- after the block: what it must have done
        if first == f"mhkurs collect {A}":
            # The three misnamed files are named with what was expected, and nothing was collected.
            assert codes == [1], out
            for name, expected in [(f"Kari Nordmann_{A}.ipynb", f"kari.nordmann_{A}.ipynb"),
                                   (f"mona.strand{A}.ipynb", f"mona.strand_{A}.ipynb"),
                                   (f"nils.bakke_{A} (1).ipynb", f"nils.bakke_{A}.ipynb")]:
                assert re.search(re.escape(name) + r": .*" + re.escape(expected), out), out
            assert "capital letters and a space" in out
            assert len(list((g.course / "submitted").glob(f"*/{A}/{A}.ipynb"))) == 3  # the exchange learners
            # The instructor renames them as told and runs the command again.
            archive = g.course / "downloaded" / A / "archive"
            for sid, *_, how in CLASS:
                if how not in ("file", "exchange"):
                    (archive / how).rename(archive / f"{sid}_{A}.ipynb")
            codes, out = g.run(block)
            assert "17 collected, 0 unchanged, 0 replaced" in out, out
            handed_in = sorted(p.parent.parent.name for p in (g.course / "submitted").glob(f"*/{A}/{A}.ipynb"))
            assert handed_in == sorted(sid for sid, *_ in CLASS)
        elif first == f"nbgrader collect {A}":
            assert codes == [0], out
            assert sorted(p.parent.parent.name for p in (g.course / "submitted").glob(f"*/{A}/timestamp.txt")) == [
                sid for sid, *_, how in CLASS if how == "exchange"]
        elif first == f"mhkurs autograde {A} --jobs 2":
            # Both exit 1: there is something to look at (an unreadable notebook, tampering, ...).
            assert codes == [1, 1], out
            check_audit(g, out)
            assert "checksum" not in out and "SAWarning" not in out
        elif first == f"nbgrader generate_assignment {A} --force":
            assert codes == [0], out
            assert EDIT_MARK in (g.course / "release" / A / f"{A}.ipynb").read_text(encoding="utf-8")
        elif first == "mhkurs export":
            assert codes == [0], out
            check_export(g)
        elif first.startswith("STUDENT="):
            assert codes == [0] * len(codes), out
            check_deleted(g, "kari.nordmann")
        else:
            assert codes and all(c == 0 for c in codes), f"{first!r} (guide line {block.line}): {codes}\n{out}"
        assert "Traceback" not in out, out
        assert "SAWarning" not in out, out


def formgrader_grades(g: Guide) -> None:
    """What formgrader stores when the instructor grades the free-text tasks: full points for the
    'correct' learners, 0 for the others; one learner is left for later."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{g.course / 'gradebook.db'}") as gb:
        for sid, *_, kind, _how in CLASS:
            if sid == UNGRADED or kind == "invalid_json":
                continue
            sub = gb.find_submission(A, sid)
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.needs_manual_grade:
                        grade.manual_score = grade.max_score if kind == "correct" else 0.0
                        grade.needs_manual_grade = False
        gb.db.commit()


def check_audit(g: Guide, out: str) -> None:
    """The audit names, per student and question, what the simulated class did."""
    lines = out.splitlines()

    def block_of(student: str) -> str:
        i = lines.index(student)
        rest = []
        for ln in lines[i + 1:]:
            if not ln.startswith("  "):
                break
            rest.append(ln)
        return "\n".join(rest)

    assert "not handed in: vera.ask" in out
    assert "not-handed-in" in block_of("vera.ask")
    assert "unreadable –" in block_of("jon.berg")
    for sid in ("chen.wei", "hilde.vik", "tor.eng"):  # the format learners' unreadable answers, per question
        assert block_of(sid).count("unreadable-answer") >= 2, block_of(sid)
        assert "«Bergen» kan ikke leses" in block_of(sid)
    tampered = block_of("ivar.lund")
    for cell in g.subs["ivar.lund"].tampered_cells:
        assert f"/ {cell}: edited" in tampered or f"{cell}: edited" in tampered, tampered
    assert "points" in tampered
    deleted = block_of("siri.haug")
    assert deleted.count(": deleted") == 2, deleted
    clean = {sid for sid, *_, kind, _ in CLASS if kind in ("correct", "wrong", "partial", "empty")}
    for sid in clean:
        assert sid not in lines, f"{sid} has findings:\n{out}"


def check_export(g: Guide) -> None:
    with open(g.course / "karakterer.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["Student-ID"]: r for r in csv.DictReader(fh, delimiter=";")}
    assert set(rows) == {sid for sid, *_ in [*CLASS, ABSENT]}
    bank = load_bank(g.repo / "course" / "content")
    auto_max = sum(bank.question(q).points for q in bank.assignment(A).questions if bank.question(q).type != "free_text")
    task_max = sum(bank.question(q).points for q in bank.assignment(A).questions if bank.question(q).type == "free_text")
    for sid, first, last, kind, how in CLASS:
        row = rows[sid]
        assert (row["Fornavn"], row["Etternavn"], row["E-post"]) == (first, last, f"{sid}@example.no")
        auto = g.subs[sid].expected_auto or 0.0
        manual = task_max if kind == "correct" and sid != UNGRADED else 0.0
        points = float(row[f"{A} poeng"].replace(",", "."))
        assert points == pytest.approx(auto + manual), (sid, row)
        assert row["Sum poeng"] == row[f"{A} poeng"]
        assert float(row[f"{A} maks"].replace(",", ".")) == auto_max + task_max
        late = sid in LATE if how != "exchange" else datetime.now(OSLO) > DUE  # exchange: handed in just now
        assert row[f"{A} for sent"] == ("ja" if late else "nei"), (sid, row)
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[f"{A} levert"]), row
        if how not in ("exchange",):
            when = AFTER if sid in LATE else ON_TIME
            assert row[f"{A} levert"] == when.strftime("%Y-%m-%d %H:%M"), (sid, row)
        expected_status = "venter på manuell vurdering" if sid == UNGRADED else "ferdig"
        if kind != "invalid_json":
            assert row[f"{A} status"] == expected_status, (sid, row)
    absent = rows[ABSENT[0]]
    assert (absent[f"{A} levert"], absent[f"{A} poeng"], absent["Fornavn"]) == ("ikke levert", "0", "Vera")


def check_deleted(g: Guide, sid: str) -> None:
    """After the guide's deletion steps nothing in the course folder names or holds the learner."""
    from nbgrader.api import Gradebook, MissingEntry

    leftovers = [p for p in g.course.rglob("*") if sid in p.name]
    assert leftovers == [], leftovers
    with Gradebook(f"sqlite:///{g.course / 'gradebook.db'}") as gb:
        with pytest.raises(MissingEntry):
            gb.find_student(sid)
        assert gb.find_student("ola.nordmann")  # the others are kept
    assert sid not in (g.course / "karakterer.csv").read_text(encoding="utf-8-sig")
    assert sid in (g.course / "klasseliste.csv").read_text(encoding="utf-8")  # the guide says: remove the line by hand
