"""Benchmark (not a test): time from navigation to the first interactive widget on every course page,
cold and with Voila's preheated kernel pool, memory per live kernel, and a load run of N concurrent
learner sessions (loopback only, at most 30).

    .venv/bin/python benchmarks/voila_tti.py [--runs 5] [--load 30] [--mode both|cold|pool]
    .venv/bin/python benchmarks/voila_tti.py --compare [--before main] [--runs 5] [--pages 3]

``--compare`` measures, in one run and with the pool: the course as it is now ("after"), the course at git
ref ``--before`` ("before", exported with ``git archive``, served with its own template and package), and a
notebook with one button served the same way ("floor": Voila, the course's template and voila.json, nothing
of the course). It prints p50/p95 per page and the ratio of each page's p95 to the floor's p95 (goal: 1.2).

"cold" starts Voila with --no-preheat (every visit starts and runs a fresh kernel); "pool" uses
voila.json as shipped (one preheated kernel per module page; the landing page is never preheated
because it shows the learner's progress as of the moment it is opened). With the pool, visits to a
page are spaced by --gap seconds so the pool can refill, as it would between learners.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

from mhkurs.bank.loader import REPO_ROOT  # noqa: E402
from mhkurs.cli import LANDING, build_site, site_pages, voila_command, voila_env  # noqa: E402

# a widget drawn by Voila's front end (reading text is in the HTML from the start: it does not count)
READY = ".jupyter-widgets.mh-content, .mh-exercise, .mh-landing, .mh-floor, .mh-slot .jupyter-widgets"
# Records, in the page itself, when the first course widget became visible (ms since navigation).
MARK_READY = """
(() => {
  const sel = %r;
  const ready = () => { const el = document.querySelector(sel);
    if (el && el.offsetParent !== null) { window.__mhReady = performance.now(); return true; } return false; };
  const obs = new MutationObserver(() => { if (ready()) obs.disconnect(); });
  const start = () => { if (!ready()) obs.observe(document.documentElement, {childList: true, subtree: true, attributes: true}); };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
""" % READY


def rss_of_kernels() -> list[float]:
    out = subprocess.run(["ps", "-eo", "rss,args"], capture_output=True, text=True).stdout
    return [int(line.split()[0]) / 1024 for line in out.splitlines() if "ipykernel_launcher" in line]


def p95(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]


def open_page(browser, url: str):
    ctx = browser.new_context()
    ctx.add_init_script(MARK_READY)
    page = ctx.new_page()
    page.goto(url, wait_until="commit")
    return ctx, page


def ready_seconds(page, timeout_s: float = 180) -> float:
    page.wait_for_function("() => window.__mhReady !== undefined", timeout=timeout_s * 1000)
    return page.evaluate("window.__mhReady") / 1000


def start_server(site: Path, preheat: bool, root: Path = REPO_ROOT, probe: str = LANDING):
    """Voila as ``mhkurs serve`` starts it; ``root`` is the checkout whose voila.json, template and package serve."""
    port = free_port()
    env = voila_env()
    env["MHKURS_PROGRESS_FILE"] = ""
    if root != REPO_ROOT:
        env["JUPYTER_PATH"] = os.pathsep.join([str(root / "share" / "jupyter"), env.get("JUPYTER_PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join([str(root / "widgets"), env.get("PYTHONPATH", "")])
    # one benchmark client opens far more pages than the per-learner kernel cap allows
    limits = ["--CourseVoila.max_kernels_per_client=1000"]
    proc = subprocess.Popen(voila_command("127.0.0.1", port, site, preheat=preheat, limits=limits), cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/voila/render/"
    for _ in range(360):
        try:
            urllib.request.urlopen(base + probe, timeout=30)
            break
        except OSError:
            time.sleep(0.5)
    return proc, base


def measure(browser, base: str, pages: list[str], runs: int, gap: float, label: str) -> None:
    """Per page: a first visit with an empty browser cache, and a returning learner (cached JS/CSS)."""
    print(f"\n[{label}] time to first interactive widget, {runs} visits per page")
    print(f"{'page':45} {'new p50':>8} {'new p95':>8} {'cached p50':>11} {'cached p95':>11}")
    learner = browser.new_context()  # one learner who has opened the course before
    learner.add_init_script(MARK_READY)
    warm = learner.new_page()
    warm.goto(base + LANDING, wait_until="commit")
    ready_seconds(warm)
    warm.close()
    for nb in pages:
        fresh, cached = [], []
        for _ in range(runs):
            ctx, page = open_page(browser, base + nb)
            fresh.append(ready_seconds(page))
            ctx.close()
            time.sleep(gap)
            page = learner.new_page()
            page.goto(base + nb, wait_until="commit")
            cached.append(ready_seconds(page))
            page.close()
            time.sleep(gap)
        print(f"{nb:45} {statistics.median(fresh):8.2f} {p95(fresh):8.2f} "
              f"{statistics.median(cached):11.2f} {p95(cached):11.2f}")
    learner.close()


def load(browser, base: str, pages: list[str], n: int, label: str) -> None:
    n = min(n, 30)
    modules = pages[1:]
    opened = []
    start = time.perf_counter()
    for nb in (modules * n)[:n]:
        opened.append(open_page(browser, base + nb))
    errors, ttis = 0, []
    for _ctx, page in opened:
        try:
            ttis.append(ready_seconds(page))
        except Exception:
            errors += 1
    took = time.perf_counter() - start
    mem = rss_of_kernels()
    print(f"\n[{label}] load: {n} concurrent sessions over {len(modules)} module pages: {errors} errors; "
          f"time to interactive p50 {statistics.median(ttis):.2f} s, p95 {p95(ttis):.2f} s, max {max(ttis):.2f} s; "
          f"all interactive after {took:.1f} s")
    if mem:
        print(f"[{label}] live kernels: {len(mem)}, RSS median {statistics.median(mem):.0f} MiB, "
              f"total {sum(mem):.0f} MiB")
    for ctx, _page in opened:
        ctx.close()


FLOOR_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "f0", "metadata": {}, "outputs": [],
               "source": ["import ipywidgets as w\n", "b = w.Button(description='Klikk')\n", "b.add_class('mh-floor')\n", "b"]}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}, "title": "Gulv"},
    "nbformat": 4, "nbformat_minor": 5}


def tti(browser, base: str, nb: str, runs: int, gap: float) -> list[float]:
    """First visits (empty browser cache) to one page, spaced so the pool can refill."""
    out = []
    for _ in range(runs):
        ctx, page = open_page(browser, base + nb)
        out.append(ready_seconds(page))
        ctx.close()
        time.sleep(gap)
    return out


def export_ref(ref: str, target: Path) -> Path:
    """The repository at ``ref`` (git archive), to serve the course as it was."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def pool_fill_wait(pages: int) -> None:
    time.sleep(max(10.0, 3.0 * pages))


def compare(args) -> None:
    from playwright.sync_api import sync_playwright

    pages = site_pages()[: args.pages] if args.pages else site_pages()
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        floor_site = tmp / "floor"
        floor_site.mkdir()
        (floor_site / "floor.ipynb").write_text(json.dumps(FLOOR_NOTEBOOK), encoding="utf-8")
        variants = [("floor", floor_site, REPO_ROOT, ["floor.ipynb"]), ("after", build_site(tmp / "site"), REPO_ROOT, pages)]
        if args.before != "none":
            old = export_ref(args.before, tmp / "before")
            old_site = tmp / "before-site"
            for rel in pages:
                if (old / rel).exists():
                    (old_site / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(old / rel, old_site / rel)
            variants.insert(1, ("before", old_site, old, [p for p in pages if (old / p).exists()]))
        for name, site, root, nbs in variants:
            proc, base = start_server(site, preheat=True, root=root, probe=nbs[0])
            try:
                pool_fill_wait(len(nbs))
                ctx, page = open_page(browser, base + nbs[0])  # warm-up: first imports, caches
                ready_seconds(page)
                ctx.close()
                time.sleep(args.gap)
                results[name] = {nb: tti(browser, base, nb, args.runs, args.gap) for nb in nbs}
            finally:
                proc.terminate()
                proc.wait(30)
        browser.close()
    floor = results["floor"]["floor.ipynb"]
    load = os.getloadavg()[0]
    print(f"\nTime to first interactive widget with the preheated pool, first visits, {args.runs} per page "
          f"(load average at the end {load:.1f} on {os.cpu_count()} cores: the machine is shared, compare within this run)")
    print(f"{'page':45} {'before p50':>10} {'p95':>6} {'after p50':>10} {'p95':>6} {'p95/floor':>10}")
    print(f"{'floor (one button, same server setup)':45} {'':>10} {'':>6} {statistics.median(floor):10.2f} {p95(floor):6.2f} {1.0:10.2f}")
    for nb in pages:
        after = results["after"][nb]
        before = results.get("before", {}).get(nb)
        b50, b95 = (f"{statistics.median(before):10.2f}", f"{p95(before):6.2f}") if before else (f"{'-':>10}", f"{'-':>6}")
        print(f"{nb:45} {b50} {b95} {statistics.median(after):10.2f} {p95(after):6.2f} {p95(after) / p95(floor):10.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--load", type=int, default=0, help="concurrent sessions for the load run (max 30)")
    ap.add_argument("--mode", choices=["both", "cold", "pool"], default="both")
    ap.add_argument("--gap", type=float, default=4.0, help="seconds between visits with the pool")
    ap.add_argument("--compare", action="store_true", help="before/after/floor with the pool (see above)")
    ap.add_argument("--before", default="main", help="git ref of the 'before' course, or 'none'")
    ap.add_argument("--pages", type=int, default=0, help="only the first N course pages (0: all)")
    args = ap.parse_args()
    if args.compare:
        compare(args)
        return
    from playwright.sync_api import sync_playwright

    pages = site_pages()
    modes = ["cold", "pool"] if args.mode == "both" else [args.mode]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        site = build_site(Path(tmp) / "site")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for mode in modes:
            proc, base = start_server(site, preheat=(mode == "pool"))
            try:
                if mode == "pool":
                    time.sleep(max(10.0, 3.0 * len(pages)))  # let the pool fill (one kernel per module)
                    mem = rss_of_kernels()
                    print(f"\n[pool] idle server: {len(mem)} preheated kernels, RSS total {sum(mem):.0f} MiB")
                ctx, page = open_page(browser, base + LANDING)  # warm-up: first imports, caches
                ready_seconds(page)
                ctx.close()
                measure(browser, base, pages, args.runs, args.gap if mode == "pool" else 0.0, mode)
                if args.load:
                    time.sleep(args.gap)
                    load(browser, base, pages, args.load, mode)
            finally:
                proc.terminate()
                proc.wait(30)
        browser.close()


if __name__ == "__main__":
    main()
