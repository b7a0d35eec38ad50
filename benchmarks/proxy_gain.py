"""Benchmark (not a test): what nginx's compression and caching (mhkurs.serving.proxy) give a learner.

Opens a module page in Debian's chromium, directly from a course server and through nginx, on an
emulated phone network (default 1.6 Mbit/s down, 150 ms round trip, as Lighthouse's mobile profile),
twice each: a first visit (empty cache) and a returning visit (reload with the cache kept). Prints,
per way and visit, the bytes that crossed the network and the time to the first course widget.

    .venv/bin/python benchmarks/proxy_gain.py [--page modules/01-hva-er-menneskehandel.ipynb]
                                              [--down-mbit 1.6] [--rtt 150] [--runs 2]
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
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

from mhkurs.bank.loader import REPO_ROOT  # noqa: E402
from mhkurs.cli import build_site, voila_command, voila_env  # noqa: E402
from mhkurs.serving.proxy import nginx_conf  # noqa: E402

# a widget drawn by Voila's front end (reading text is in the HTML from the start: it does not count)
READY = ".jupyter-widgets.mh-content, .mh-exercise, .mh-landing, .mh-slot .jupyter-widgets"


def wait_http(url: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def visit(context, url: str, conditions: dict, reload: bool) -> tuple[float, float]:
    """(MB over the network, seconds to the first widget) for one visit; reload keeps the cache."""
    page = context.pages[0] if reload else context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", conditions)
    received: list[float] = []
    cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
    t0 = time.perf_counter()
    if reload:
        page.reload(wait_until="commit")
    else:
        page.goto(url, wait_until="commit")
    page.wait_for_selector(READY, state="visible", timeout=300_000)
    seconds = time.perf_counter() - t0
    page.wait_for_load_state("load")
    cdp.detach()
    return sum(received) / 2**20, seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--page", default="modules/01-hva-er-menneskehandel.ipynb")
    ap.add_argument("--down-mbit", type=float, default=1.6)
    ap.add_argument("--rtt", type=float, default=150)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    conditions = {"offline": False, "latency": args.rtt, "downloadThroughput": args.down_mbit * 1e6 / 8,
                  "uploadThroughput": 0.75e6 / 8}
    tmp = Path(tempfile.mkdtemp(prefix="mhkurs-proxy-"))
    site = build_site(tmp / "site")
    port, listen = free_port(), free_port()
    server = subprocess.Popen(voila_command("127.0.0.1", port, site, preheat=False), cwd=REPO_ROOT,
                              env=voila_env(), stdout=open(tmp / "voila.log", "w"), stderr=subprocess.STDOUT)
    (tmp / "nginx").mkdir()
    conf = tmp / "nginx" / "nginx.conf"
    conf.write_text(nginx_conf({"a": f"127.0.0.1:{port}"}, f"127.0.0.1:{listen}", tmp / "nginx",
                               user="root" if os.geteuid() == 0 else None))
    nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(conf), "-p", str(tmp / "nginx"),
                              "-g", "daemon off;"])
    from playwright.sync_api import sync_playwright

    try:
        ways = {"direct (Voila alone)": f"http://127.0.0.1:{port}/voila/render/{args.page}",
                "through nginx (gzip + cache headers)": f"http://127.0.0.1:{listen}/voila/render/{args.page}"}
        for url in ways.values():
            wait_http(url)
        print(f"{args.page} on an emulated network of {args.down_mbit} Mbit/s, {args.rtt:.0f} ms round trip; "
              f"median of {args.runs} runs")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for name, url in ways.items():
                first, again = [], []
                for _ in range(args.runs):
                    context = browser.new_context()
                    first.append(visit(context, url, conditions, reload=False))
                    again.append(visit(context, url, conditions, reload=True))
                    context.close()
                for label, rows in (("first visit", first), ("returning visit", again)):
                    mb = statistics.median(r[0] for r in rows)
                    s = statistics.median(r[1] for r in rows)
                    print(f"  {name:38s} {label:16s} {mb:6.2f} MB over the network, first widget after {s:5.1f} s",
                          flush=True)
            browser.close()
    finally:
        for proc in (nginx, server):
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
