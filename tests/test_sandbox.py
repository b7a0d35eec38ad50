"""Sandboxed and parallel autograde, tried with a class that includes attackers.

The e2e test runs nbgrader's real commands on two temporary copies of the course folder:
the honest learners alone, serially and without the sandbox (``MHKURS_SANDBOX=off``, which
is logged), and the whole class with attackers through ``mhkurs autograde --jobs 2``
(sandboxed, two workers). Honest learners must get exactly the same grades; every attacker
gets nothing it did not answer for, is reported, and changes nothing outside its folder.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

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


# --- the sandbox's layout and clean-up, with real kernels ----------------------------------------

needs_bwrap = pytest.mark.skipif(bool(sandbox.missing_tools()), reason="bubblewrap is not installed")
SANDBOX_UIDS = range(2_000_000, 3_000_000)  # the ids a kernel runs as when grading as root


def _private_folders(pid: int | None = None) -> list[str]:
    """Private folders of the grading process ``pid`` (this one by default: other gradings may run meanwhile)."""
    prefix = f"{sandbox.PRIVATE_PREFIX}{pid or os.getpid()}-"
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob(prefix + "*"))


def _grading_pid(name: str) -> int | None:
    """The grading process a private folder belongs to (None: a folder not named by this code)."""
    pid = name[len(sandbox.PRIVATE_PREFIX):].split("-", 1)[0]
    return int(pid) if pid.isdigit() and "-" in name[len(sandbox.PRIVATE_PREFIX):] else None


def _sandbox_processes() -> list[str]:
    """Processes of a sandbox: the sandbox's user ids (as root), or a bwrap started by this test process."""
    out = []
    for proc in psutil.process_iter(["name", "uids", "cmdline"]):
        try:
            uid = proc.info["uids"].real if proc.info["uids"] else -1
            mine_bwrap = proc.info["name"] == "bwrap" and os.getpid() in [a.pid for a in proc.parents()]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if uid in SANDBOX_UIDS or mine_bwrap:
            out.append(f"{proc.pid} {proc.info['name']}")
    return out


def test_the_private_tmp_and_home_are_mounted_before_the_python_folders(tmp_path, monkeypatch):
    """A venv under /tmp must not be hidden by the sandbox's fresh /tmp (bwrap mounts in order)."""
    if sandbox.missing_tools():
        pytest.skip("bubblewrap is not installed")
    venv = "/tmp/kurs-klone/.venv"
    monkeypatch.setattr(sandbox, "_python_dirs", lambda: ["/opt/python3.11", venv])
    cmd = sandbox.bwrap_command(["python", "-m", "ipykernel_launcher"], str(tmp_path), str(tmp_path / "privat"),
                                uid=None, cpu_seconds=10, memory_mb=512, max_processes=8, tmp_mb=8, file_mb=1)
    tmpfs = [i for i, a in enumerate(cmd) if a == "--tmpfs"]
    binds = [i for i, a in enumerate(cmd) if a == "--ro-bind" and cmd[i + 1] in ("/opt/python3.11", venv)]
    assert len(tmpfs) == 2 and len(binds) == 2 and max(tmpfs) < min(binds), cmd
    assert ["--perms", "0755", "--dir", "/tmp/kurs-klone"] == cmd[cmd.index("/tmp/kurs-klone") - 3:
                                                                 cmd.index("/tmp/kurs-klone") + 1]
    assert "/tmp" not in [cmd[i + 1] for i, a in enumerate(cmd) if a == "--dir"]  # the private /tmp stays as made


@pytest.mark.parametrize("python_dir, place", [("/home/deltaker/.venv", "/home/deltaker"), ("/home", "/home/deltaker"),
                                               ("/tmp", "/tmp"), ("/", "/tmp")])
def test_a_python_folder_where_the_sandbox_puts_its_own_is_refused(python_dir, place, monkeypatch):
    problem = sandbox.layout_problem([python_dir])
    assert problem and problem.startswith("Autograde refused") and f"({place})" in problem
    assert "Create the virtual environment somewhere else" in problem
    assert sandbox.layout_problem(["/tmp/kurs/.venv", "/root/.pyenv/versions/3.11.7", "/opt/venv"]) is None
    monkeypatch.setattr(sandbox, "_python_dirs", lambda: [python_dir])
    with pytest.raises(sandbox.SandboxUnavailable, match="Autograde refused"):
        sandbox.bwrap_command(["python"], "/srv/kurs/a1", "/tmp/p", uid=None, cpu_seconds=1, memory_mb=64,
                              max_processes=1, tmp_mb=1, file_mb=1)


_RUN_IN_SANDBOX = """
import json, sys
import nbformat
from nbclient import NotebookClient
from mhkurs.grading.sandbox import SandboxKernelManager

nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.prefix); print(6 * 7)")])
NotebookClient(nb, kernel_manager_class=SandboxKernelManager, timeout=120, startup_timeout=120).execute(cwd=sys.argv[1])
import os
print(json.dumps({"host_prefix": sys.prefix, "kernel_out": nb.cells[0].outputs[0]["text"], "pid": os.getpid()}))
"""


@needs_bwrap
def test_the_sandbox_runs_with_the_python_environment_under_tmp(tmp_path):
    """A clone in a temporary folder: its venv lies under /tmp, which the sandbox replaces by a fresh /tmp."""
    root = Path(tempfile.mkdtemp(prefix="mhkurs-venv-i-tmp-", dir="/tmp"))
    try:
        venv = root / ".venv"
        # The project's own venv, hard-linked (the same files; a copy where /tmp is another file system).
        done = subprocess.run(["cp", "-al", sys.prefix, str(venv)], capture_output=True)
        if done.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run(["cp", "-a", sys.prefix, str(venv)], check=True)
        work = tmp_path / "a1-begreper"
        work.mkdir()
        proc = subprocess.run([str(venv / "bin" / "python"), "-c", _RUN_IN_SANDBOX, str(work)],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr[-3000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        assert result["host_prefix"] == str(venv)
        assert result["kernel_out"].split() == [str(venv), "42"]  # the kernel ran the /tmp venv's Python
        assert _private_folders(result["pid"]) == []
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _execute_in_sandbox(tmp_path, code: str, **limits):
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    # As nbgrader's Execute does: the client makes (and so cleans up) its own kernel manager.
    client = NotebookClient(nb, kernel_manager_class=sandbox.SandboxKernelManager, timeout=6, startup_timeout=15,
                            config=Config({"SandboxKernelManager": limits}))
    try:
        client.execute(cwd=str(tmp_path))
    except Exception as exc:  # noqa: BLE001 - the kernel is meant to die or fail here
        return exc
    finally:
        atexit.unregister(client._cleanup_kernel)  # cleaned up already; nbclient's exit hook would fail
    return None


@needs_bwrap
@pytest.mark.parametrize("case, code, limits", [
    ("never starts", "print(1)", {"memory_mb": 8}),  # Python cannot even start in 8 MiB
    ("dies", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", {}),
    ("times out", "import time\nwhile True:\n    time.sleep(1)", {}),
    ("fork bomb", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
     {"max_processes": 16, "cpu_seconds": 5}),
    ("fills its folder", "import os\nfor d in ['/tmp', os.path.expanduser('~'), os.path.dirname("
     "__import__('ipykernel').connect.get_connection_file())]:\n"
     "    os.makedirs(d + '/x/y', exist_ok=True)\n    open(d + '/x/y/f', 'w').write('angrep')\n"
     "    os.chmod(d + '/x/y', 0)\n    os.chmod(d + '/x', 0o500)\nimport os, signal\nos.kill(os.getpid(), 9)", {}),
])
def test_a_kernel_that_dies_leaves_no_private_folder_and_no_process(tmp_path, case, code, limits):
    error = _execute_in_sandbox(tmp_path, code, **limits)
    assert error is not None, case  # the kernel did die or time out
    deadline = time.time() + 10
    while _sandbox_processes() and time.time() < deadline:
        time.sleep(0.2)
    assert _sandbox_processes() == [], case
    assert _private_folders() == [], case


def test_private_folders_of_a_grading_that_was_killed_are_swept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f"{sandbox.PRIVATE_PREFIX}{dead}-abc123"
    (stale / "locked").mkdir(parents=True)
    os.chmod(stale / "locked", 0)
    alive = tmp_path / f"{sandbox.PRIVATE_PREFIX}{os.getppid()}-def456"  # a grading still running
    alive.mkdir()
    assert sandbox.sweep_stale(str(tmp_path)) == [str(stale)]
    assert not stale.exists() and alive.exists()


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
    tmp_before = set(Path(tempfile.gettempdir()).glob(sandbox.PRIVATE_PREFIX + "*"))
    proc = run(course, "autograde", a, "--jobs", "2", tool="mhkurs")
    log = proc.stdout + proc.stderr
    stop.set()
    listener.close()

    # Nothing of the sandbox is left (issue 30): no private folder of this grading, no sandbox process.
    # The workers have ended, so a new folder of a process that is gone is this grading's.
    new = set(Path(tempfile.gettempdir()).glob(sandbox.PRIVATE_PREFIX + "*")) - tmp_before
    left = [p.name for p in new if (pid := _grading_pid(p.name)) is not None and not sandbox._pid_alive(pid)]
    assert left == []
    assert _sandbox_processes() == []

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
