"""``mhkurs autograde`` and ``mhkurs report`` (registered by ``mhkurs.cli``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..bank.loader import REPO_ROOT



def default_course() -> str:
    """The folder the command is run from when it holds nbgrader_config.py, else the repository's."""
    return "." if Path("nbgrader_config.py").exists() else str(REPO_ROOT / "assessments")


def cmd_autograde(args: argparse.Namespace) -> int:
    from . import findings as fnd
    from . import parallel, sandbox

    course = Path(args.course or default_course()).resolve()
    if sandbox.opted_out():
        sandbox.log_opt_out(course, ["mhkurs", "autograde", args.assignment])
    elif sandbox.missing_tools():
        print(f"mhkurs autograde: {sandbox.refusal(sandbox.missing_tools())}", file=sys.stderr)
        return 2
    try:
        run = parallel.autograde(course, args.assignment, jobs=args.jobs, force=args.force)
    except FileNotFoundError as exc:
        print(f"mhkurs autograde: {exc}", file=sys.stderr)
        return 2
    if args.verbose:
        print(run.log)
    n = len(run.students)
    print(f"mhkurs autograde: {args.assignment}: {n} submission(s), {run.jobs} worker{'s' if run.jobs > 1 else ''}, "
          f"{run.seconds:.1f} s ({run.seconds / n:.2f} s per submission)")
    if run.failed:
        print(f"  could not be graded (not a readable notebook, or the kernel failed): {', '.join(run.failed)}")
    found = fnd.check_assignment(course, args.assignment)
    if found:
        path = fnd.write_csv(found, course / "reports" / f"{args.assignment}-findings.csv")
        print(f"  {len(found)} finding(s) for {len({f.student for f in found})} student(s) (also in {path}):")
        for f in found:
            print(f"  - {f}")
    print("  next: `mhkurs audit " + args.assignment + "`, then formgrader for the free-text tasks")
    return 0 if run.returncode == 0 and not found else 1


def cmd_report(args: argparse.Namespace) -> int:
    from . import report

    try:
        html, csv_path = report.write_report(Path(args.course or default_course()), args.assignment, Path(args.out) if args.out else None)
    except report.NothingToReport as exc:
        print(f"mhkurs report: {exc}", file=sys.stderr)
        return 2
    print(f"mhkurs report: {args.assignment}: wrote {html} and {csv_path}")
    return 0


def add_commands(sub) -> None:
    ag = sub.add_parser("autograde", help="autograde an nbgrader assignment in the sandbox, several students at once")
    ag.add_argument("assignment")
    ag.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="students graded at once (default: cores)")
    ag.add_argument("--force", action="store_true", help="grade again submissions that were already autograded")
    ag.add_argument("--course", default=None, help="nbgrader course folder (default: the current folder if it holds nbgrader_config.py, else assessments/)")
    ag.add_argument("--verbose", action="store_true", help="print nbgrader's log")
    ag.set_defaults(func=cmd_autograde)

    rp = sub.add_parser("report", help="item analysis of an autograded assignment (HTML and CSV, in Norwegian)")
    rp.add_argument("assignment")
    rp.add_argument("--course", default=None, help="nbgrader course folder (default: the current folder if it holds nbgrader_config.py, else assessments/)")
    rp.add_argument("--out", help="folder for the report (default: <course>/reports)")
    rp.set_defaults(func=cmd_report)
