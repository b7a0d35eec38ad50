"""Benchmark (not a test): time from navigation to the first interactive widget on every course page,
cold and with Voila's preheated kernel pool, memory per live kernel, and a load run of N concurrent
learner sessions (loopback only, at most 30).

    .venv/bin/python benchmarks/voila_tti.py [--runs 5] [--load 30] [--mode both|cold|pool]

"cold" starts Voila with --no-preheat (every visit starts and runs a fresh kernel); "pool" uses
voila.json as shipped (one preheated kernel per module page; the landing page is never preheated
because it shows the learner's progress as of the moment it is opened). With the pool, visits to a
page are spaced by --gap seconds so the pool can refill, as it would between learners.
"""

from __future__ import annotations

import argparse
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

READY = ".mh-content, .mh-exercise, .mh-landing"
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


def start_server(site: Path, preheat: bool):
    port = free_port()
    env = voila_env()
    env["MHKURS_PROGRESS_FILE"] = ""
    proc = subprocess.Popen(voila_command("127.0.0.1", port, site, preheat=preheat), cwd=REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/voila/render/"
    for _ in range(360):
        try:
            urllib.request.urlopen(base + LANDING, timeout=30)
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--load", type=int, default=0, help="concurrent sessions for the load run (max 30)")
    ap.add_argument("--mode", choices=["both", "cold", "pool"], default="both")
    ap.add_argument("--gap", type=float, default=4.0, help="seconds between visits with the pool")
    args = ap.parse_args()
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
