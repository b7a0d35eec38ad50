#!/usr/bin/env python3
"""Autograde benchmark: seconds per submission for a simulated class (not part of the tests).

Copies the course's nbgrader folder to a temporary directory, generates one
assignment, hands in N simulated submissions (a realistic mix: mostly right,
partly right, wrong, untidy and empty; the looping and unreadable kinds only if
asked for) and times ``nbgrader autograde``. To show what dominates, it also
times a bare kernel start and one notebook execution without nbgrader.

    .venv/bin/python benchmarks/autograde_bench.py --students 100
    .venv/bin/python benchmarks/autograde_bench.py --students 20 --assignment a1-begreper --with-bad
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from mhkurs.assess.simulate import simulate
from mhkurs.bank.loader import REPO_ROOT, get_bank

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


def kernel_start_seconds(runs: int = 5) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        out.append(time.perf_counter() - t0)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return out


def execute_seconds(path: Path, runs: int = 3) -> list[float]:
    out = []
    for _ in range(runs):
        nb = nbformat.read(str(path), as_version=4)
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=30, kernel_name="python3", allow_errors=True).execute()
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=100)
    ap.add_argument("--assignment", default="a4-avsluttende")
    ap.add_argument("--with-bad", action="store_true", help="add one looping and one unreadable submission")
    ap.add_argument("--keep", action="store_true", help="keep the temporary course folder")
    args = ap.parse_args()

    bank = get_bank()
    a = args.assignment
    root = Path(tempfile.mkdtemp(prefix="mhkurs-autograde-"))
    shutil.copy(REPO_ROOT / "assessments" / "nbgrader_config.py", root)
    shutil.copytree(REPO_ROOT / "assessments" / "source", root / "source")
    gen = run(root, "generate_assignment", a)
    release = (root / "release" / a / f"{a}.ipynb").read_text(encoding="utf-8")

    kinds = [MIX[i % len(MIX)] for i in range(args.students)]
    if args.with_bad:
        kinds[-2:] = ["loops", "invalid_json"]
    for i, kind in enumerate(kinds, start=1):
        sub = simulate(bank, release, f"s{i:03d}", kind)
        folder = root / "submitted" / sub.student / a
        folder.mkdir(parents=True)
        (folder / f"{a}.ipynb").write_text(sub.text, encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")

    one = root / "submitted" / "s001" / a / f"{a}.ipynb"
    kstart = kernel_start_seconds()
    execute = execute_seconds(one)
    total = run(root, "autograde", a)
    graded = len(list((root / "autograded").glob(f"*/{a}/{a}.ipynb")))

    cells = len(nbformat.read(str(one), as_version=4).cells)
    print(f"assignment {a}: {cells} cells; {args.students} submissions ({graded} graded); cpus {os.cpu_count()}")
    print(f"generate_assignment: {gen:.1f} s")
    print(f"autograde total: {total:.1f} s = {total / args.students:.2f} s per submission")
    print(f"  bare python3 kernel start: median {statistics.median(kstart):.2f} s (of {len(kstart)})")
    print(f"  start + execute one submission (nbclient, no nbgrader): median {statistics.median(execute):.2f} s")
    print(f"  nbgrader's own share (read, sanitize, restore cells, gradebook, write): "
          f"about {total / args.students - statistics.median(execute):.2f} s per submission")
    if args.keep:
        print(f"course folder kept: {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
