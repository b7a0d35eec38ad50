"""``mhkurs autograde``, ``report``, ``collect`` and ``export`` (registered by ``mhkurs.cli``)."""

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


def cmd_collect(args: argparse.Namespace) -> int:
    from . import collect as col

    course = Path(args.course or default_course()).resolve()
    try:
        result, problems = col.collect(course, args.assignment, replace=args.replace)
    except col.CollectError as exc:
        print(f"mhkurs collect: {exc}", file=sys.stderr)
        return 2
    archive = course / "downloaded" / args.assignment / "archive"
    if problems:
        print(f"mhkurs collect: {args.assignment}: nothing was collected; {len(problems)} file(s) in {archive} "
              "must be renamed or removed first:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        print(f"Rename them (or ask the learners to hand in again) and run `mhkurs collect {args.assignment}` again.",
              file=sys.stderr)
        return 1
    print(f"mhkurs collect: {args.assignment}: {len(result.collected)} collected, {len(result.unchanged)} unchanged, "
          f"{len(result.replaced)} replaced, {len(result.kept)} not replaced (into {course / 'submitted'})")
    for student, aside in result.replaced:
        print(f"  - {student}: replaced by the new file; the earlier hand-in was moved to {aside}")
    if result.kept:
        print(f"  - handed in a different file than the one collected earlier (not replaced): {', '.join(result.kept)}")
        print(f"    To take the new files: `mhkurs collect {args.assignment} --replace` (the earlier hand-ins are "
              "moved aside, not deleted); to keep the earlier ones, remove the new files from the archive folder.")
        return 1
    print(f"  next: `mhkurs autograde {args.assignment}`")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import subprocess

    from .export import DEFAULT_FILE
    from .parallel import _env, nbgrader_bin

    course = Path(args.course or default_course()).resolve()
    out = Path(args.to or course / DEFAULT_FILE).resolve()
    cmd = [nbgrader_bin(), "export", "--exporter=mhkurs.grading.export.ClassListExport", f"--to={out}",
           "--log-level=WARN"]
    cmd += [f"--assignment={a}" for a in args.assignment or []]
    proc = subprocess.run(cmd, cwd=course, env=_env(), capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        print(f"mhkurs export: nbgrader could not export the gradebook of {course}:\n{proc.stdout}{proc.stderr}",
              file=sys.stderr)
        return 1
    with open(out, encoding="utf-8-sig") as fh:
        learners = sum(1 for _ in fh) - 1
    print(f"mhkurs export: wrote {out} ({learners} learner(s); semicolon-separated, Norwegian headings)")
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

    co = sub.add_parser("collect", help="collect file hand-ins from downloaded/<assignment>/archive/ (checks every "
                                        "file name first; never overwrites a collected hand-in silently)")
    co.add_argument("assignment")
    co.add_argument("--replace", action="store_true",
                    help="take new files of learners already collected (the earlier hand-ins are moved aside)")
    co.add_argument("--course", default=None, help="nbgrader course folder (default: the current folder if it holds nbgrader_config.py, else assessments/)")
    co.set_defaults(func=cmd_collect)

    ex = sub.add_parser("export", help="the class list to file: id, name, hand-in time, late, points per assignment, total")
    ex.add_argument("--assignment", action="append", help="only this assignment (repeat for several; default: all)")
    ex.add_argument("--to", help="the file to write (default: <course>/karakterer.csv)")
    ex.add_argument("--course", default=None, help="nbgrader course folder (default: the current folder if it holds nbgrader_config.py, else assessments/)")
    ex.set_defaults(func=cmd_export)
