"""Benchmark (not a test): Lighthouse's mobile and desktop presets on every course page, and a floor page.

Starts the course as the README does (``mhkurs serve``, what ``scripts/serve`` runs: the kernel pool,
the course template, the course's server app), and, in the same run, a floor page: a notebook with one
button served by stock Voila with its stock ``lab`` template (no course, no course server). Then runs
Lighthouse (pinned in ``benchmarks/package.json``; installed into ``benchmarks/node_modules`` with
``npm ci`` on the first run) in Debian's chromium on every page, once with the mobile preset (Moto G
Power, slow 4G, simulated throttling) and once with the desktop preset, and prints one table: LCP,
CLS, TBT and performance score per preset, the accessibility score, the bytes of a first visit
(Lighthouse's total byte weight) and the bytes of a returning visit (Chromium with the cache of a
first visit, measured over the DevTools protocol: every byte that crossed the network).

    .venv/bin/python benchmarks/page_speed.py [--pages landing,01,05] [--runs 1] [--gap 8] [--ref GIT-REF]
                                              [--before GIT-REF]

``--pages``: ``landing``, ``floor``, module numbers (``01`` … ``09``) or notebook paths, comma-separated
(default: the landing page and every module). ``--ref``: serve the course as it was at a git commit
(``git archive`` into a temporary folder, its own package, template and voila.json; for a before/after
table). ``--before``: also serve the course as it was at a git commit, in the same run, and measure each page
there right before the same page of the course measured (the "before" rows, under the same machine load).
``--runs``: Lighthouse runs per page and preset (the
median is printed). Reports are kept in ``bench-out/page_speed/`` (JSON, one per run).
Pages are warmed (rendered once) before they are measured, and visits are spaced by ``--gap`` seconds
so that the preheated pool refills between them, as between two learners.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

from mhkurs.bank import get_bank  # noqa: E402
from mhkurs.bank.loader import REPO_ROOT  # noqa: E402
from mhkurs.cli import LANDING  # noqa: E402

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
OUT = REPO_ROOT / "bench-out" / "page_speed"

FLOOR_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "f0", "metadata": {}, "outputs": [],
               "source": ["import ipywidgets as w\n", "w.Button(description='Klikk')"]}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5}


def setup_lighthouse() -> None:
    """Install the pinned Lighthouse with npm ci (once; again when package-lock.json changes)."""
    stamp = HERE / "node_modules" / ".package-lock.json"
    lock = HERE / "package-lock.json"
    if LIGHTHOUSE.exists() and stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    if not shutil.which("npm"):
        raise SystemExit("page_speed: npm is missing (Debian: apt-get install nodejs npm)")
    print("Installing Lighthouse (benchmarks/package.json) with npm ci …", flush=True)
    env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, env=env, check=True)


def wait_http(url: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                if r.status == 200:
                    r.read()
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"page_speed: {url} did not answer")


class Server:
    """A server process started in its own session; stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, cmd: list[str], cwd: Path, env: dict, ready: re.Pattern | None = None) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1, start_new_session=True)
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True)
        self.reader.start()

    def wait_for_line(self, pattern: str, timeout: float = 240) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in list(self.lines):
                m = re.search(pattern, line)
                if m:
                    return m.group(0)
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise SystemExit("page_speed: the server did not start:\n" + "".join(self.lines[-40:]))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)


def start_course(tmp: Path, ref: str | None = None) -> tuple[Server, str]:
    """``mhkurs serve`` as the README starts it (scripts/serve runs it after setting up .venv); with ``ref``,
    the course as it was at that git commit."""
    port = free_port()
    env = dict(os.environ, MHKURS_RECORD_FILE=str(tmp / "record.json"), MHKURS_PROGRESS_FILE="", TMPDIR=str(tmp))
    root = REPO_ROOT
    if ref:
        root = tmp / "ref"
        root.mkdir()
        archive = subprocess.run(["git", "archive", ref], cwd=REPO_ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        env["PYTHONPATH"] = os.pathsep.join(p for p in [str(root / "widgets"), env.get("PYTHONPATH", "")] if p)
    # every Lighthouse run is a new visitor from 127.0.0.1: more pages than one learner may hold
    cmd = [sys.executable, "-m", "mhkurs.cli", "serve", f"--port={port}", "--max-per-client=1000"]
    server = Server(cmd, root, env)
    url = server.wait_for_line(r"http://\S+/voila/render/course/index\.ipynb")
    return server, url.replace("localhost", "127.0.0.1").rsplit("course/index.ipynb", 1)[0]


def start_floor(tmp: Path) -> tuple[Server, str]:
    """Stock Voila (no course server app, no voila.json, no course template) with the lab template."""
    site = tmp / "floor"
    site.mkdir()
    (site / "floor.ipynb").write_text(json.dumps(FLOOR_NOTEBOOK), encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_PATH"}
    cmd = [sys.executable, "-m", "voila", str(site), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           "--template=lab", "--theme=light"]
    server = Server(cmd, site, env)
    base = f"http://127.0.0.1:{port}/voila/render/"
    wait_http(base + "floor.ipynb")
    return server, base


def lighthouse(url: str, preset: str, report: Path) -> dict:
    """One Lighthouse run; the figures this benchmark prints."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
           "--only-categories=performance,accessibility", f"--chrome-flags={flags}", "--max-wait-for-load=90000"]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    for attempt in range(3):  # on a busy machine a DevTools call can time out: try that page again
        report.unlink(missing_ok=True)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
        if done.returncode == 0 and data and not data.get("runtimeError"):
            break
        print(f"page_speed: lighthouse failed on {url} ({preset}), attempt {attempt + 1}: "
              f"{(data.get('runtimeError') or {}).get('message') or done.stderr[-500:]}", file=sys.stderr, flush=True)
        time.sleep(10)
    else:
        raise SystemExit(f"page_speed: lighthouse failed three times on {url} ({preset})")
    audits, cats = data["audits"], data["categories"]

    def num(audit: str) -> float:
        value = audits[audit].get("numericValue")
        return float("nan") if value is None else float(value)

    return {"lcp": num("largest-contentful-paint") / 1000, "cls": num("cumulative-layout-shift"),
            "tbt": num("total-blocking-time"), "fcp": num("first-contentful-paint") / 1000,
            "bytes": num("total-byte-weight"), "requests": len(audits["network-requests"]["details"]["items"]),
            "score": round(100 * (cats["performance"]["score"] or 0)),
            "a11y": round(100 * (cats["accessibility"]["score"] or 0))}


def visit_bytes(browser, url: str, profile: Path) -> tuple[float, float]:
    """(first visit, returning visit) bytes that crossed the network, in a browser profile kept on disk
    between the two visits (closed and opened again, as a learner coming back the next day)."""
    out = []
    for _ in range(2):
        context = browser.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                    headless=True)
        page = context.pages[0] if context.pages else context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        got: list[float] = []
        cdp.on("Network.loadingFinished", lambda e: got.append(e["encodedDataLength"]))
        page.goto(url, wait_until="load", timeout=300_000)
        page.wait_for_load_state("networkidle", timeout=300_000)
        time.sleep(1)
        out.append(sum(got))
        context.close()
    return out[0], out[1]


def page_list(spec: str | None) -> list[str]:
    mods = sorted(get_bank().all("modules"), key=lambda m: m.number)
    if not spec:
        return [LANDING] + [m.notebook for m in mods]
    out = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        if part == "landing":
            out.append(LANDING)
        elif part == "floor":
            continue
        elif part.isdigit():
            out.append(next(m.notebook for m in mods if m.number == int(part)))
        else:
            out.append(part)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", help="landing, module numbers or notebook paths, comma-separated (default: all)")
    ap.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and preset (median printed)")
    ap.add_argument("--gap", type=float, default=8.0, help="seconds between visits (the pool refills)")
    ap.add_argument("--no-floor", action="store_true", help="leave the floor page out")
    ap.add_argument("--ref", help="serve the course as it was at this git commit (default: the working tree)")
    ap.add_argument("--before", help="also serve the course at this git commit and measure each page there first, "
                                     "in the same run")
    args = ap.parse_args()
    setup_lighthouse()
    from playwright.sync_api import sync_playwright

    pages = page_list(args.pages)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    rows: list[tuple[str, dict[str, dict], tuple[float, float]]] = []
    with tempfile.TemporaryDirectory(prefix="page-speed-") as tmp_name, sync_playwright() as pw:
        tmp = Path(tmp_name)
        targets: list[tuple[str, str]] = []
        servers: list[Server] = []
        try:
            if not args.no_floor:
                floor, floor_base = start_floor(tmp)
                servers.append(floor)
                targets.append(("floor (stock Voila, lab template)", floor_base + "floor.ipynb"))
            before_base = None
            if args.before:
                (tmp / "before").mkdir()
                before, before_base = start_course(tmp / "before", args.before)
                servers.append(before)
            course, base = start_course(tmp, args.ref)
            servers.append(course)
            for nb in pages:
                wait_http(base + nb)  # warm: first render of each page (imports, templates)
                if before_base:
                    wait_http(before_base + nb)
            time.sleep(max(10.0, 3.0 * len(pages)))  # the pool refills after the warm-up renders
            for nb in pages:
                if before_base:
                    targets.append((f"{nb} (before: {args.before})"[:42], before_base + nb))
                targets.append((nb, base + nb))
            for n, (name, url) in enumerate(targets):
                figures: dict[str, dict] = {}
                for preset in ("mobile", "desktop"):
                    runs = []
                    for r in range(args.runs):
                        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
                        runs.append(lighthouse(url, preset, OUT / f"{stamp}-{slug}-{preset}-{r}.json"))
                        time.sleep(args.gap)
                    figures[preset] = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
                visits = visit_bytes(pw.chromium, url, tmp / f"profile-{n}")
                time.sleep(args.gap)
                rows.append((name, figures, visits))
                print(f"measured {name}", file=sys.stderr, flush=True)
        finally:
            for server in servers:
                server.stop()
    load = os.getloadavg()[0]
    what = f"the course at {args.ref}" if args.ref else "the course (working tree)"
    if args.before:
        what += f", each page after the same page of the course at {args.before} (before)"
    print(f"\n{what}: Lighthouse 12.8 in Debian's chromium, simulated throttling, median of {args.runs} run(s) per page "
          f"and preset; load average {load:.1f} on {os.cpu_count()} cores at the end (compare within this run).")
    print("Goals: mobile LCP <= 2.5 s, CLS <= 0.1, TBT <= 600 ms; desktop LCP <= 1.5 s, TBT <= 300 ms, "
          "score >= 90; accessibility 100; first visit <= 1.6 MB, returning visit <= 150 KB.\n")
    head = (f"{'page':42} | {'mob LCP':>7} {'CLS':>5} {'TBT':>6} {'score':>5} | {'desk LCP':>8} {'CLS':>5} "
            f"{'TBT':>6} {'score':>5} | {'a11y':>4} | {'first KB':>8} {'reqs':>4} {'return KB':>9}")
    print(head)
    print("-" * len(head))
    for name, f, (first, again) in rows:
        m, d = f["mobile"], f["desktop"]
        print(f"{name:42} | {m['lcp']:6.1f}s {m['cls']:5.2f} {m['tbt']:4.0f}ms {m['score']:5.0f} | "
              f"{d['lcp']:7.1f}s {d['cls']:5.2f} {d['tbt']:4.0f}ms {d['score']:5.0f} | {min(m['a11y'], d['a11y']):4.0f} | "
              f"{m['bytes'] / 1024:8.0f} {m['requests']:4.0f} {again / 1024:9.1f}")
    print(f"\nfirst KB: Lighthouse's total byte weight (mobile run); return KB: a second visit with the first "
          f"visit's browser cache (profile closed and reopened). Reports: {OUT}/{stamp}-*.json")


if __name__ == "__main__":
    main()
