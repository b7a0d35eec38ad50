"""Command line: ``mhkurs check``, ``serve``, ``assessments`` and ``audit``."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .bank.loader import DEFAULT_CONTENT_DIR, REPO_ROOT, BankError, load_bank

LANDING = "course/index.ipynb"


def cmd_check(args: argparse.Namespace) -> int:
    try:
        bank = load_bank(args.content)
    except BankError as exc:
        print(f"mhkurs check: FAILED – {len(exc.problems)} problem(s) in {args.content or DEFAULT_CONTENT_DIR}:",
              file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{len(items)} {name}" for name, items in sorted(bank.sections.items()))
    print(f"mhkurs check: OK – {counts}")
    return 0


def site_pages(bank=None) -> list[str]:
    """The notebooks learners may open: the landing page and the modules in the bank's manifest."""
    bank = bank or load_bank()
    return [LANDING] + [m.notebook for m in sorted(bank.all("modules"), key=lambda m: m.number)]


def build_site(target: Path, bank=None) -> Path:
    """A folder holding only the course pages (symlinks, or copies where links are not possible).

    Voila renders any notebook under the folder it serves and lists its tree, so it must not serve
    the repository: the nbgrader sources in assessments/ hold solutions and rubrics.
    """
    target.mkdir(parents=True, exist_ok=True)
    for rel in site_pages(bank):
        src, dst = REPO_ROOT / rel, target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_symlink() or dst.exists():
            dst.unlink()
        try:
            dst.symlink_to(src)
        except OSError:
            shutil.copy2(src, dst)
    return target


def url_prefix(base_url: str) -> str:
    """``/`` or ``/some/path/``: the path prefix Voila is served under."""
    path = base_url.strip("/")
    return f"/{path}/" if path else "/"


def voila_command(host: str, port: int, site: Path, preheat: bool = True, base_url: str = "/") -> list[str]:
    """The Voila command line that serves the course pages in ``site`` (config: voila.json).

    Run it with the repository root as working directory, where Voila finds voila.json.
    ``preheat=False`` turns the kernel pool off (cold kernels), for measurements.
    """
    voila = shutil.which("voila", path=os.path.dirname(sys.executable)) or shutil.which("voila") or "voila"
    cmd = [
        voila,
        str(site),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={host}",
    ]
    if url_prefix(base_url) != "/":
        cmd.append(f"--Voila.base_url={url_prefix(base_url)}")
    if not preheat:
        cmd.append("--VoilaConfiguration.preheat_kernel=False")
    return cmd


def voila_env() -> dict[str, str]:
    """Environment for Voila: finds the course's own template in share/jupyter."""
    env = dict(os.environ)
    extra = str(REPO_ROOT / "share" / "jupyter")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in [extra, env.get("JUPYTER_PATH", "")] if p)
    return env


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        bank = load_bank()
    except BankError as exc:
        print(f"mhkurs serve: the content bank is invalid, not serving.\n{exc}", file=sys.stderr)
        return 1
    url = (f"http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{args.port}"
           f"{url_prefix(args.base_url)}voila/render/{LANDING}")
    print(f"Kurset startes. Åpne {url} i nettleseren (Ctrl+C stopper).", flush=True)
    print(f"Serving the course at {url}", flush=True)
    with tempfile.TemporaryDirectory(prefix="mhkurs-site-") as tmp:
        site = build_site(Path(tmp) / "site", bank)
        cmd = voila_command(args.host, args.port, site, preheat=not args.no_preheat, base_url=args.base_url)
        try:
            return subprocess.call(cmd, cwd=REPO_ROOT, env=voila_env())
        except KeyboardInterrupt:
            return 0


def cmd_assessments(args: argparse.Namespace) -> int:
    from .assess import build as assess

    try:
        bank = load_bank(args.content)
    except BankError as exc:
        print(f"mhkurs assessments: the content bank is invalid.\n{exc}", file=sys.stderr)
        return 1
    target = Path(args.out) if args.out else assess.SOURCE_DIR
    if args.check:
        problems = assess.check_sources(bank, target)
        if problems:
            print("mhkurs assessments: the source notebooks do not match the question bank:", file=sys.stderr)
            for p in problems:
                print(f"  - {p}", file=sys.stderr)
            return 1
        print(f"mhkurs assessments: OK – {len(bank.all('assignments'))} source notebooks match the bank")
        return 0
    changed = assess.write_sources(bank, target)
    for path in changed:
        print(f"wrote {path}")
    print(f"mhkurs assessments: {len(bank.all('assignments'))} assignments, {len(changed)} notebook(s) written to {target}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from .assess.audit import audit

    try:
        students, findings = audit(args.course, args.assignment)
    except FileNotFoundError as exc:
        print(f"mhkurs audit: {exc}", file=sys.stderr)
        return 2
    from .grading.findings import check_assignment  # code in answer cells, what the sandbox stopped

    findings = [*findings, *(f for f in check_assignment(args.course, args.assignment) if f.problem != "not-autograded")]
    flagged = sorted({f.student for f in findings})
    for f in findings:
        print(f"  - {f}")
    print(f"mhkurs audit: {args.assignment}: {len(students)} submission(s), "
          f"{len(students) - len(flagged)} clean, {len(flagged)} with findings"
          + (f" ({', '.join(flagged)})" if flagged else ""))
    return 1 if findings else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mhkurs", description="Kurs i identifisering av mulige ofre for menneskehandel")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate the content bank and list every problem")
    check.add_argument("--content", help="content folder (default: course/content)")
    check.set_defaults(func=cmd_check)

    serve = sub.add_parser("serve", help="serve the course with Voila")
    serve.add_argument("--host", default=os.environ.get("MHKURS_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("MHKURS_PORT", "8866")))
    serve.add_argument("--base-url", default=os.environ.get("MHKURS_BASE_URL", "/"),
                       help="path prefix when served behind a reverse proxy, e.g. /menneskehandel/")
    serve.add_argument("--no-preheat", action="store_true",
                       help="no pool of preheated kernels (saves memory, pages open slower)")
    serve.set_defaults(func=cmd_serve)

    assessments = sub.add_parser(
        "assessments", help="generate the nbgrader source notebooks in assessments/source from the question bank")
    assessments.add_argument("--check", action="store_true",
                             help="write nothing; exit 1 if a committed notebook differs from what the bank generates")
    assessments.add_argument("--content", help="content folder (default: course/content)")
    assessments.add_argument("--out", help="source folder (default: assessments/source)")
    assessments.set_defaults(func=cmd_assessments)

    aud = sub.add_parser("audit", help="report unreadable, missing and tampered submissions of an nbgrader assignment")
    aud.add_argument("assignment")
    aud.add_argument("--course", default=str(REPO_ROOT / "assessments"), help="nbgrader course folder")
    aud.set_defaults(func=cmd_audit)

    from .grading.commands import add_commands  # autograde (sandboxed, parallel) and report

    add_commands(sub)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
