"""Benchmark (not a test): time from navigation to the first interactive widget on every course page,
and memory per live kernel. Optionally opens N concurrent learner sessions (loopback only, bounded).

    .venv/bin/python benchmarks/voila_tti.py [--runs 3] [--load 30]

Prints p50/p95 per page (cold: every visit starts a fresh kernel, as Voila does without a pool).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

from mhkurs.bank import get_bank  # noqa: E402
from mhkurs.bank.loader import REPO_ROOT  # noqa: E402
from mhkurs.cli import LANDING, voila_command, voila_env  # noqa: E402

READY = ".mh-content, .mh-exercise, .mh-landing"


def rss_of_kernels() -> list[float]:
    out = subprocess.run(["ps", "-eo", "rss,args"], capture_output=True, text=True).stdout
    return [int(line.split()[0]) / 1024 for line in out.splitlines() if "ipykernel_launcher" in line]


def time_page(browser, url: str) -> float:
    ctx = browser.new_context()
    page = ctx.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(READY, state="visible", timeout=120_000)
    took = time.perf_counter() - start
    ctx.close()
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--load", type=int, default=0, help="concurrent sessions for the load run (max 30)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = voila_env()
    env["MHKURS_PROGRESS_FILE"] = ""
    proc = subprocess.Popen(voila_command("127.0.0.1", port), cwd=REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/voila/render/"
    import urllib.request
    for _ in range(180):
        try:
            urllib.request.urlopen(base + LANDING, timeout=30)
            break
        except OSError:
            time.sleep(0.5)
    pages = [LANDING] + [m.notebook for m in sorted(get_bank().all("modules"), key=lambda m: m.number)]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            time_page(browser, base + LANDING)  # warm-up: server start, first imports
            print(f"{'page':45} {'p50 s':>7} {'p95 s':>7}")
            for nb in pages:
                times = sorted(time_page(browser, base + nb) for _ in range(args.runs))
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                print(f"{nb:45} {statistics.median(times):7.2f} {p95:7.2f}")
            if args.load:
                n = min(args.load, 30)
                ctxs = [browser.new_context() for _ in range(n)]
                pgs = [c.new_page() for c in ctxs]
                start = time.perf_counter()
                errors = 0
                for p, nb in zip(pgs, (pages[1:] * n)[:n]):
                    p.goto(base + nb, wait_until="commit")
                for p in pgs:
                    try:
                        p.wait_for_selector(READY, state="visible", timeout=180_000)
                    except Exception:
                        errors += 1
                took = time.perf_counter() - start
                mem = rss_of_kernels()
                print(f"load: {n} concurrent sessions, {errors} errors, all interactive after {took:.1f} s")
                if mem:
                    print(f"memory per live kernel: median {statistics.median(mem):.0f} MiB over {len(mem)} kernels")
                for c in ctxs:
                    c.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
