#!/usr/bin/env python3
"""Autograde benchmark: seconds per submission, serial and parallel (not part of the tests).

Copies the course's nbgrader folder twice to temporary directories, generates one assignment,
hands in the same N simulated submissions to both (a realistic mix: mostly right, partly right,
wrong, untidy and empty; the looping and unreadable kinds only if asked for), then times

* the serial path: ``nbgrader autograde <assignment>`` (one kernel after another), and
* the parallel path: ``mhkurs autograde <assignment> --jobs J`` (J nbgrader workers with their
  own gradebooks, merged into the course gradebook),

both with the course's sandbox (bubblewrap), and checks that both give the same scores. To show
what dominates, it also times a bare kernel start with and without the sandbox.

    .venv/bin/python benchmarks/autograde_bench.py --students 100
    .venv/bin/python benchmarks/autograde_bench.py --students 20 --assignment a1-begreper --with-bad
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from mhkurs.assess.simulate import simulate
from mhkurs.bank.loader import REPO_ROOT, get_bank
from mhkurs.grading import parallel
from mhkurs.grading.sandbox import SandboxKernelManager, missing_tools

BIN = Path(sys.executable).parent
MIX = ["correct", "partial", "partial", "wrong", "format", "correct", "partial", "empty", "format", "correct"]


def run(course: Path, *args: str) -> float:
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    t0 = time.perf_counter()
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"nbgrader {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return took


def kernel_start_seconds(cls, cwd: Path, runs: int = 5) -> list[float]:
    """Start a kernel, wait until it answers, stop it; seconds to ready, per run."""

    async def once() -> float:
        km = cls(kernel_name="python3")
        t0 = time.perf_counter()
        await km.start_kernel(cwd=str(cwd))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            return time.perf_counter() - t0
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    return [asyncio.run(once()) for _ in range(runs)]


def scores(course: Path, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student_id: s.score for s in gb.assignment_submissions(assignment)}


def make_course(bank, a: str, kinds: list[str]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="mhkurs-autograde-bench-"))
    shutil.copy(REPO_ROOT / "assessments" / "nbgrader_config.py", root)
    shutil.copytree(REPO_ROOT / "assessments" / "source", root / "source")
    run(root, "generate_assignment", a)
    release = (root / "release" / a / f"{a}.ipynb").read_text(encoding="utf-8")
    for i, kind in enumerate(kinds, start=1):
        sub = simulate(bank, release, f"s{i:03d}", kind)
        folder = root / "submitted" / sub.student / a
        folder.mkdir(parents=True)
        (folder / f"{a}.ipynb").write_text(sub.text, encoding="utf-8")
        for name, text in sub.files.items():  # the answer file of learners who clicked
            (folder / name).write_text(text, encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    return root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=100)
    ap.add_argument("--assignment", default="a4-avsluttende")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="workers for the parallel path")
    ap.add_argument("--with-bad", action="store_true", help="add one looping and one unreadable submission")
    ap.add_argument("--keep", action="store_true", help="keep the temporary course folders")
    args = ap.parse_args()
    if missing_tools():
        sys.exit(f"the sandbox needs {', '.join(missing_tools())}: install bubblewrap (apt-get install bubblewrap)")

    bank = get_bank()
    a = args.assignment
    n = args.students
    kinds = [MIX[i % len(MIX)] for i in range(n)]
    if args.with_bad:
        kinds[-2:] = ["loops", "invalid_json"]
    serial_course = make_course(bank, a, kinds)
    parallel_course = make_course(bank, a, kinds)

    work = serial_course / "submitted" / "s001" / a
    plain = kernel_start_seconds(AsyncKernelManager, work)
    boxed = kernel_start_seconds(SandboxKernelManager, work)

    serial = run(serial_course, "autograde", a)
    par = parallel.autograde(parallel_course, a, jobs=args.jobs)
    same = scores(serial_course, a) == scores(parallel_course, a)

    graded = len(list((serial_course / "autograded").glob(f"*/{a}/{a}.ipynb")))
    k_plain, k_boxed = statistics.median(plain), statistics.median(boxed)
    s_per, p_per = serial / n, par.seconds / n
    print(f"assignment {a}: {n} submissions ({graded} graded); cpus {os.cpu_count()}; "
          f"load average before: {os.getloadavg()[0]:.1f}")
    print(f"kernel start to ready: plain {k_plain:.2f} s, sandboxed {k_boxed:.2f} s "
          f"(sandbox overhead {k_boxed - k_plain:+.2f} s per kernel; medians of {len(plain)})")
    print(f"serial   (nbgrader autograde, sandboxed):          {serial:7.1f} s = {s_per:.2f} s per submission")
    print(f"parallel (mhkurs autograde --jobs {par.jobs}, sandboxed): {par.seconds:7.1f} s = {p_per:.2f} s per submission")
    print(f"ratio parallel/serial per submission: {p_per / s_per:.2f}  (goal: at most 0.60)")
    print(f"same scores in both gradebooks: {'yes' if same else 'NO'}")
    print(f"what dominates: serial – kernel start-up, about {min(1.0, n * k_boxed / serial):.0%} of the time "
          f"({n} kernels x {k_boxed:.2f} s); the rest is nbgrader's own work per notebook and its start. "
          f"parallel – the same kernel start-ups, {par.jobs} at a time on {os.cpu_count()} cores (CPU-bound), "
          f"plus one nbgrader start per worker and merging the gradebooks ({par.merge_seconds:.1f} s).")
    if args.keep:
        print(f"course folders kept: {serial_course} (serial), {parallel_course} (parallel)")
    else:
        shutil.rmtree(serial_course, ignore_errors=True)
        shutil.rmtree(parallel_course, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
