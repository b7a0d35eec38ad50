"""Command line: ``mhkurs check``, ``serve``, ``assessments``, ``audit`` and ``hub``."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .bank.loader import DEFAULT_CONTENT_DIR, REPO_ROOT, BankError, load_bank

LANDING = "course/index.ipynb"
RECORD_PAGES = ["course/forhandstest.ipynb", "course/sluttest.ipynb", "course/kursbevis.ipynb",
                "course/feltkort.ipynb", "course/repetisjon.ipynb"]  # the learner's record: tests, certificate, ...
LOOPBACK = ("127.0.0.1", "localhost", "::1")
STATEMENT = "course/tilgjengelighet.ipynb"  # the accessibility statement (tilgjengelighetserklæring)


def local_course() -> Path | None:
    """The copy of the course a command is run in (its root or its assessments/ folder), if any."""
    for base in (Path.cwd(), Path.cwd().parent):
        if (base / "course" / "content").is_dir() and (base / "assessments" / "nbgrader_config.py").is_file():
            return base
    return None


def content_here(content: str | None) -> str | None:
    """--content, else $MHKURS_CONTENT, else the content bank of the course copy the command is run in."""
    base = local_course()
    return content or os.environ.get("MHKURS_CONTENT") or (str(base / "course" / "content") if base else None)


def cmd_check(args: argparse.Namespace) -> int:
    args.content = content_here(args.content)
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
    return ([LANDING] + [m.notebook for m in sorted(bank.all("modules"), key=lambda m: m.number)]
            + RECORD_PAGES + [STATEMENT])


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


def voila_command(host: str, port: int, site: Path, preheat: bool = True, base_url: str = "/",
                  limits: list[str] | None = None) -> list[str]:
    """The command line that serves the course pages in ``site`` (config: voila.json).

    It runs Voila with the course's kernel caps (``mhkurs.serving``). Run it with the repository root
    as working directory, where Voila finds voila.json. ``preheat=False`` turns the kernel pool off
    (cold kernels), for measurements; ``limits`` are ``--CourseVoila.*`` options (see serve_limits).
    """
    cmd = [
        sys.executable, "-m", "mhkurs.serving",
        str(site),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={host}",
    ]
    if url_prefix(base_url) != "/":
        cmd.append(f"--Voila.base_url={url_prefix(base_url)}")
    if not preheat:
        cmd.append("--VoilaConfiguration.preheat_kernel=False")
    return cmd + list(limits or [])


def serve_limits(args: argparse.Namespace) -> list[str]:
    """``--CourseVoila.*`` options from the serve command's kernel-cap arguments."""
    options = {"max_kernels": args.max_kernels, "memory_mib": args.memory_mib,
               "max_kernels_per_client": args.max_per_client, "unconnected_timeout": args.unconnected_timeout}
    out = [f"--CourseVoila.{name}={value}" for name, value in options.items() if value is not None]
    if args.behind_proxy:
        out.append("--CourseVoila.trust_forwarded_for=True")
    for origin in getattr(args, "lms_origin", None) or []:
        out.append(f"--CourseVoila.lms_origins={origin}")
    if getattr(args, "frame_ancestors", None):
        out.append(f"--CourseVoila.frame_ancestors={args.frame_ancestors}")
    return out


def lms_origin(value: str) -> str:
    """An ``--lms-origin``: scheme, host and optional port of a learning platform (a CSP frame-ancestors source)."""
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username or not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]+", parts.netloc):
        raise argparse.ArgumentTypeError(f"not an origin (https://host or https://host:port, no path): {value!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def record_store(host: str, choice: str = "auto", behind_proxy: bool = False) -> str:
    """Where learners' records are kept: ``browser`` when the server is reachable by several people
    (bound to a non-loopback address, or behind a proxy), ``file`` (the home folder) for one local learner."""
    if choice != "auto":
        return choice
    return "file" if host in LOOPBACK and not behind_proxy else "browser"


def voila_env(record: str | None = None) -> dict[str, str]:
    """Environment for Voila: finds the course's own template in share/jupyter."""
    env = dict(os.environ)
    if record:
        env["MHKURS_RECORD"] = record
    extra = str(REPO_ROOT / "share" / "jupyter")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in [extra, env.get("JUPYTER_PATH", "")] if p)
    return env


# Lines Voila and its kernels print that a person serving the course cannot act on.
SERVE_NOISE = (
    "is not trusted",                       # notebook trust: learners never run code, Voila strips sources
    "running over TCP without encryption",  # kernels on loopback
    "to store connection files", "Storing connection files",
    "Starting buffering for", "Voilà is running at", "Voila is running at",
    "Jupyter is migrating its paths", "platformdirs", "DeprecationWarning", "warnings.warn(",
    "Kernel started:", "Kernel shutdown:", "Starting kernel", "Culling kernel", "Handle signal",
    "Serving static files from", "Use Control-C to stop",
    "MissingIDFieldWarning", "will stop doing so in the future", "_validate(nbdict",  # nbformat on old notebooks
)


def serve_line_is_noise(line: str) -> bool:
    """True for a Voila log line nobody serving the course can act on; errors always pass."""
    import re

    text = line.strip()
    if not text:
        return True
    if re.search(r"\b(ERROR|CRITICAL)\b|Traceback", text):
        return False
    if any(noise in text for noise in SERVE_NOISE):
        return True
    level = re.match(r"\[[A-Za-z]+\] (?:(WARNING|ERROR|CRITICAL) \| )?", text)
    if level:
        return level.group(1) is None  # Voila's info lines carry no level
    return text.startswith(("http://", "https://"))


def _stop_tree(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop Voila (it shuts its kernels down on SIGTERM); kill whatever of its process tree is left."""
    try:
        import psutil

        tree = [psutil.Process(proc.pid)]
        tree += tree[0].children(recursive=True)
    except Exception:  # psutil missing or Voila already gone
        tree = []
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for p in tree[1:]:
        try:
            p.terminate()
            p.wait(3)
        except Exception:
            try:
                p.kill()
            except Exception:
                pass


def cmd_serve(args: argparse.Namespace) -> int:
    import re
    import signal
    import threading

    try:
        bank = load_bank()
    except BankError as exc:
        print(f"mhkurs serve: the content bank is invalid, not serving.\n{exc}", file=sys.stderr)
        return 1
    host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host
    print("Kurset startes … (det tar noen sekunder)", flush=True)
    store = record_store(args.host, args.record, args.behind_proxy)
    print("Fremdriften lagres i " + ("hver deltakers egen nettleser (ingenting om deltakerne på serveren)."
                                     if store == "browser" else "hjemmemappen (~/.mhkurs/record.json)."), flush=True)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    env = voila_env(store)
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    env["PYTHONUNBUFFERED"] = "1"
    try:
        with tempfile.TemporaryDirectory(prefix="mhkurs-site-") as tmp:
            site = build_site(Path(tmp) / "site", bank)
            cmd = voila_command(args.host, args.port, site, preheat=not args.no_preheat, base_url=args.base_url,
                                limits=serve_limits(args))
            # Its own session: Ctrl+C reaches only this process, which then stops Voila and its kernels in order.
            proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, bufsize=1, start_new_session=True)

            def relay() -> None:
                ready_next = False
                for line in proc.stdout:
                    if ready_next:
                        ready_next = False
                        port = re.search(r":(\d+)/", line)
                        url = (f"http://{host}:{port.group(1) if port else args.port}"
                               f"{url_prefix(args.base_url)}voila/render/{LANDING}")
                        print(f"Kurset er klart. Stopp det med Ctrl+C. Åpne denne adressen i nettleseren:\n\n"
                              f"    {url}\n", flush=True)
                        continue
                    if "is running at" in line:
                        ready_next = True
                    if args.verbose or not serve_line_is_noise(line):
                        print(line.rstrip(), file=sys.stderr, flush=True)

            reader = threading.Thread(target=relay, daemon=True)
            reader.start()
            while proc.poll() is None and not stop.wait(0.5):
                pass
            if proc.poll() is None:
                print("Kurset stoppes …", flush=True)
            _stop_tree(proc)
            reader.join(5)
            code = proc.returncode
        if stop.is_set():
            print("Kurset er stoppet.", flush=True)
            return 0
        print(f"mhkurs serve: Voila stoppet uventet (kode {code}). Se meldingene over.", file=sys.stderr)
        return code or 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def cmd_assessments(args: argparse.Namespace) -> int:
    from .assess import build as assess

    try:
        bank = load_bank(content_here(args.content))
    except BankError as exc:
        print(f"mhkurs assessments: the content bank is invalid.\n{exc}", file=sys.stderr)
        return 1
    here = local_course()
    target = Path(args.out) if args.out else (here / "assessments" / "source" if here else assess.SOURCE_DIR)
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
    from .grading.commands import default_course

    args.course = args.course or default_course()
    try:
        students, findings = audit(args.course, args.assignment)
    except FileNotFoundError as exc:
        print(f"mhkurs audit: {exc}", file=sys.stderr)
        return 2
    from .grading.findings import check_assignment  # code in answer cells, what the sandbox stopped

    findings = [*findings, *(f for f in check_assignment(args.course, args.assignment) if f.problem != "not-autograded")]
    findings.sort(key=lambda f: f.student)  # per student, in the order found
    flagged = sorted({f.student for f in findings} & set(students))
    absent = sorted({f.student for f in findings} - set(students))
    for student in sorted({f.student for f in findings}):
        print(student)
        for f in findings:
            if f.student == student:
                print(f"  - {str(f).split(' / ', 1)[-1] if ' / ' in str(f) else f}")
    print(f"mhkurs audit: {args.assignment} in {Path(args.course).resolve()}: {len(students)} submission(s), "
          f"{len(students) - len(flagged)} clean, {len(flagged)} with findings"
          + (f" ({', '.join(flagged)})" if flagged else "")
          + (f"; not handed in: {', '.join(absent)}" if absent else ""))
    return 1 if findings else 0


def cmd_hub(args: argparse.Namespace) -> int:
    from . import hub

    settings = hub.HubSettings(
        state=Path(args.state).expanduser().resolve(), ip=args.host, port=args.port,
        hub_port=args.port + 81,
        proxy_api_port=args.port + 1, gradebook_url=args.gradebook,
        learners=tuple(n.strip() for n in args.learners.split(",") if n.strip()),
        instructors=tuple(n.strip() for n in args.instructors.split(",") if n.strip()))
    try:
        load_bank()
    except BankError as exc:
        print(f"mhkurs hub: the content bank is invalid, not starting.\n{exc}", file=sys.stderr)
        return 1
    print("Starter kursplattformen (JupyterHub) ...", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped by a service manager: stop the hub too
    proc = hub.start_hub(settings, log=None if args.quiet else sys.stderr)
    try:
        hub.wait_for_hub(settings, proc)
        hub.print_trial(settings, hub.accounts(settings.state, settings.learners, settings.instructors))
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        hub.stop_hub(proc, state=settings.state)


def cmd_nginx_conf(args: argparse.Namespace) -> int:
    from .serving.proxy import nginx_conf

    replicas = dict(r.split("=", 1) for r in args.replica)
    print(nginx_conf(replicas, args.listen, Path(args.prefix), user=args.user, frame_ancestors=args.frame_ancestors),
          end="")
    return 0


def cmd_scorm(args: argparse.Namespace) -> int:
    from .bank import get_bank
    from .record.certificate import course_version
    from .scorm import PackageError, build, course_url

    try:
        out = build(args.course_url, args.out, version=course_version(get_bank()))
    except PackageError as exc:
        print(f"mhkurs scorm: {exc}", file=sys.stderr)
        return 1
    print(f"mhkurs scorm: wrote {out} ({out.stat().st_size} bytes), a SCORM 1.2 package that opens "
          f"{course_url(args.course_url)}\nUpload it as a SCORM package in Moodle or Canvas (docs/HOSTING.md).")
    return 0


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
    serve.add_argument("--record", choices=["auto", "browser", "file"], default=os.environ.get("MHKURS_RECORD", "auto"),
                       help="where learners' progress is kept: browser (each learner's own browser; for a server "
                            "several people use), file (~/.mhkurs in the home folder; one learner, or JupyterHub); "
                            "auto: browser when --host is not a loopback address or with --behind-proxy")
    serve.add_argument("--lms-origin", action="append", metavar="URL", default=[], type=lms_origin,
                       help="a learning platform that may show the course in a frame, e.g. https://moodle.example.no "
                            "(the origin the SCORM package from `mhkurs scorm` runs on); repeat for several")
    serve.add_argument("--verbose", action="store_true", help="show every line Voila logs")
    caps = serve.add_argument_group("kernel caps (docs/HOSTING.md)")
    caps.add_argument("--memory-mib", type=int, help="memory for kernels in MiB (default: 3/4 of the machine's)")
    caps.add_argument("--max-kernels", type=int, help="live kernels, pool included (default: memory / 80 MiB)")
    caps.add_argument("--max-per-client", type=int, help="live kernels per client address (default: 12)")
    caps.add_argument("--unconnected-timeout", type=float,
                      help="seconds before a page's kernel is shut down if no browser connected (default: 60)")
    caps.add_argument("--behind-proxy", action="store_true",
                      help="take the client address from X-Real-IP / X-Forwarded-For (only behind your own proxy)")
    serve.add_argument("--frame-ancestors", default=None, metavar="SOURCES",
                       help="who may show the pages in a frame (Content-Security-Policy frame-ancestors; default "
                            "'self'), e.g. \"'self' https://lms.example.no\" for a learning platform")
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
    aud.add_argument("--course", default=None, help="nbgrader course folder (default: the current folder if it holds nbgrader_config.py, else assessments/)")
    aud.set_defaults(func=cmd_audit)

    hb = sub.add_parser("hub", help="start JupyterHub locally for a trial class (prints the address and trial accounts)")
    hb.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: reachable from other machines)")
    hb.add_argument("--port", type=int, default=8000)
    hb.add_argument("--state", default="~/mhkurs-hub", help="folder for homes, exchange, course folder and hub database")
    hb.add_argument("--learners", default="deltaker1,deltaker2,deltaker3", help="trial learner user names")
    hb.add_argument("--instructors", default="instruktor", help="trial instructor user names")
    hb.add_argument("--gradebook", default="",
                    help="nbgrader db_url, e.g. postgresql+psycopg://user:pw@host/db (default: SQLite in the course folder)")
    hb.add_argument("--quiet", action="store_true", help="do not show the hub's log")
    hb.set_defaults(func=cmd_hub)

    proxy = sub.add_parser("nginx-conf", help="print an nginx.conf for several course servers (sticky, gzip, cache)")
    proxy.add_argument("--replica", action="append", required=True, metavar="NAME=HOST:PORT",
                       help="a course server started with `mhkurs serve --behind-proxy`; repeat for each")
    proxy.add_argument("--listen", default="80", help="address nginx listens on (default: 80)")
    proxy.add_argument("--prefix", default="/var/lib/mhkurs-nginx", help="folder for nginx's pid, logs and temp files")
    proxy.add_argument("--user", default="www-data", help="user nginx's workers run as")
    proxy.add_argument("--frame-ancestors", default="'self'", metavar="SOURCES",
                       help="who may show the pages in a frame (Content-Security-Policy frame-ancestors; default "
                            "'self'), e.g. \"'self' https://lms.example.no\" for a learning platform")
    proxy.set_defaults(func=cmd_nginx_conf)

    sc = sub.add_parser("scorm", help="build a SCORM 1.2 package that opens the hosted course in Moodle or Canvas "
                                      "and keeps each learner's progress, status and post-test score in the LMS")
    sc.add_argument("--course-url", required=True,
                    help="the hosted course's address (https://…/ where `mhkurs serve` answers, or its front page)")
    sc.add_argument("--out", default="mhkurs-scorm.zip", help="the package file to write (default: mhkurs-scorm.zip)")
    sc.set_defaults(func=cmd_scorm)

    from .grading.commands import add_commands  # autograde (sandboxed, parallel) and report

    add_commands(sub)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
