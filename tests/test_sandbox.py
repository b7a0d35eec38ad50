"""Sandboxed and parallel autograde, tried with a class that includes attackers.

The e2e test runs nbgrader's real commands on two temporary copies of the course folder:
the honest learners alone, serially and without the sandbox (``MHKURS_SANDBOX=off``, which
is logged), and the whole class with attackers through ``mhkurs autograde --jobs 2``
(sandboxed, two workers). Honest learners must get exactly the same grades; every attacker
gets nothing it did not answer for, is reported, and changes nothing outside its folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mhkurs.assess.simulate import simulate
from mhkurs.bank.loader import REPO_ROOT, get_bank
from mhkurs.grading import sandbox
from mhkurs.grading.attackers import ATTACKS, attack
from mhkurs.grading.findings import check_assignment, code_in_answer

COURSE = REPO_ROOT / "assessments"
BIN = Path(sys.executable).parent
HONEST = ("correct", "partial", "wrong", "format")


def _assignment() -> str:
    ids = [a.id for a in get_bank().all("assignments")]
    return "a4-avsluttende" if "a4-avsluttende" in ids else ids[-1]


def run(course: Path, *args: str, env: dict | None = None, tool: str = "nbgrader") -> subprocess.CompletedProcess:
    base = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    return subprocess.run([str(BIN / tool), *args], cwd=course, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=900)


def _new_course(root: Path, assignment: str) -> Path:
    root.mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", root)
    shutil.copytree(COURSE / "source", root / "source")
    proc = run(root, "generate_assignment", assignment)
    assert proc.returncode == 0, proc.stderr
    return root


def _hand_in(root: Path, assignment: str, subs) -> None:
    for s in subs:
        folder = root / "submitted" / s.student / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text(s.text, encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")


def _grades(root: Path, assignment: str, students) -> dict:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for s in students:
            sub = gb.find_submission(assignment, s)
            out[s] = (sub.score, sub.needs_manual_grade,
                      sorted((g.name, g.auto_score, g.needs_manual_grade) for nb in sub.notebooks for g in nb.grades))
    return out


def _fingerprint(root: Path, skip: tuple[str, ...]) -> dict[str, str]:
    """Hash of every file in the course folder outside the given top-level folders and files."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and not rel.startswith(skip):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# --- without a kernel -------------------------------------------------------------------------


def test_answer_cells_with_code_are_described():
    assert code_in_answer('# Svar\nsvar_1 = "B"') is None
    assert code_in_answer('svar_2 = ["A", "C"]') is None
    assert "files" in code_in_answer('svar_1 = open("../../../source/a/a.ipynb").read()[:1]')
    assert "network" in code_in_answer("import socket\nsvar_1 = 'B'")
    assert "loops" in code_in_answer("while True:\n    pass\nsvar_1 = 'B'")


def test_autograde_refuses_without_bubblewrap_and_says_how_to_install(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    # No bwrap or prlimit on PATH: the instructor's machine without bubblewrap.
    proc = run(course, "autograde", "a1-begreper", env={"PATH": str(BIN)})
    assert proc.returncode == 2
    assert "Autograde refused" in proc.stderr and "apt-get install bubblewrap" in proc.stderr
    assert "MHKURS_SANDBOX=off" in proc.stderr
    assert not (course / "autograded").exists()
    proc = run(course, "autograde", "a1-begreper", env={"PATH": str(BIN)}, tool="mhkurs")
    assert proc.returncode == 2 and "Autograde refused" in proc.stderr


def test_opting_out_is_logged(tmp_path, monkeypatch, capsys):
    from traitlets.config import Config

    monkeypatch.setenv("MHKURS_SANDBOX", "off")
    c = Config()
    assert sandbox.configure(c, tmp_path, ["nbgrader", "autograde", "a1"]) == "opted-out"
    assert "Autograde" not in c  # nbgrader's own Execute, unsandboxed
    line = (tmp_path / "sandbox-optout.log").read_text(encoding="utf-8")
    assert "MHKURS_SANDBOX=off\tnbgrader autograde a1" in line
    assert "WITHOUT a sandbox" in capsys.readouterr().err


# --- nbgrader end to end ----------------------------------------------------------------------


@pytest.mark.nbgrader
def test_attackers_get_nothing_and_honest_learners_are_graded_as_without_sandbox(tmp_path):
    bank = get_bank()
    a = _assignment()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    reached: list = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                reached.append(listener.accept())
            except OSError:
                pass

    threading.Thread(target=accept, daemon=True).start()
    host_file = Path("/tmp/mhkurs-angrep.txt")
    host_file.unlink(missing_ok=True)

    # A: the honest learners alone, serially, without sandbox (the reference).
    ref = _new_course(tmp_path / "ref", a)
    course = tmp_path / "class"  # the same generated course for B (nbgrader_config.py roots it where it lies)
    shutil.copytree(ref, course)
    release = (ref / "release" / a / f"{a}.ipynb").read_text(encoding="utf-8")
    honest = [simulate(bank, release, f"s{i:02d}-{k}", k) for i, k in enumerate(HONEST, start=1)]
    _hand_in(ref, a, honest)
    proc = run(ref, "autograde", a, env={"MHKURS_SANDBOX": "off"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "nbgrader autograde" in (ref / "sandbox-optout.log").read_text(encoding="utf-8")
    reference = _grades(ref, a, [s.student for s in honest])

    # B: the whole class with attackers, sandboxed, two workers.
    victim = honest[0].student  # the fully correct learner
    attackers = [attack(bank, release, f"x{i:02d}-{k}", k, a, victim, port) for i, k in enumerate(ATTACKS, start=1)]
    _hand_in(course, a, honest + attackers)
    before = _fingerprint(course, ("autograded", "gradebook.db", "submitted", "reports"))
    submitted_before = _fingerprint(course / "submitted", ())
    proc = run(course, "autograde", a, "--jobs", "2", tool="mhkurs")
    log = proc.stdout + proc.stderr
    stop.set()
    listener.close()

    assert "2 workers" in log, log[-3000:]
    graded = _grades(course, a, [s.student for s in honest + attackers])
    for s in honest:  # exactly as the serial run without sandbox, grade by grade
        assert graded[s.student] == reference[s.student], s.student
        assert graded[s.student][0] == pytest.approx(s.expected_auto)
    for s in attackers:  # nothing it did not answer for
        assert graded[s.student][0] <= s.expected_auto, (s.kind, graded[s.student][0])
    for s in attackers:
        if s.kind in ("copies-source", "reads-other", "reads-gradebook"):
            assert graded[s.student][0] == 0, s.kind
        if s.kind in ("writes-outside", "network", "memory"):  # the sandbox stops the attack; the rest counts
            assert graded[s.student][0] == pytest.approx(s.expected_auto), s.kind

    # Nothing changed outside the attackers' own folders; nothing reached the host.
    assert _fingerprint(course, ("autograded", "gradebook.db", "submitted", "reports")) == before
    assert _fingerprint(course / "submitted", ()) == submitted_before
    assert not list(course.rglob("angrep.txt")) and not host_file.exists()
    assert reached == []

    # Every attacker is reported, no honest learner is.
    findings = check_assignment(course, a)
    flagged = {f.student for f in findings}
    assert flagged == {s.student for s in attackers}, findings
    by = {s.kind: {f.problem for f in findings if f.student == s.student} for s in attackers}
    assert "memory-limit" in by["memory"]
    # A fork bomb hits the process limit and the cell's time limit; nbgrader may then give up on
    # the whole notebook (no autograded version, 0 points), which is reported too.
    assert {"process-limit", "time-limit", "not-autograded"} & by["forkbomb"], by["forkbomb"]
    assert all("code" in problems for problems in by.values())
    details = {s.kind: " ".join(f.detail for f in findings if f.student == s.student) for s in attackers}
    assert "network" in details["network"]  # it caught its own errors: the code itself is the finding
    for kind in ("writes-outside", "copies-source", "reads-other", "reads-gradebook"):
        assert "files" in details[kind], details[kind]
    for s in attackers:
        assert s.student in log  # `mhkurs autograde` names them
    audit = run(course, "audit", a, "--course", str(course), tool="mhkurs")
    assert audit.returncode == 1
    assert all(s.student in audit.stdout for s in attackers)
    # Honest learners are never named as attackers; the format learner only for answers that cannot be read.
    assert [s.kind for s in honest if s.student in audit.stdout] == ["format"]
    fmt = next(s.student for s in honest if s.kind == "format")
    lines = audit.stdout.splitlines()
    mine = lines[lines.index(fmt) + 1:]
    mine = mine[: next((i for i, ln in enumerate(mine) if not ln.startswith("  ")), len(mine))]
    assert mine and all("unreadable-answer" in ln for ln in mine), mine
