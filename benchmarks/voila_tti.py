"""Benchmark (not a test): time from navigation to the first interactive widget on every course page,
cold and with Voila's preheated kernel pool, memory per live kernel, and a load run of N concurrent
learner sessions (loopback only, at most 30).

    .venv/bin/python benchmarks/voila_tti.py [--runs 5] [--load 30] [--mode both|cold|pool]
    .venv/bin/python benchmarks/voila_tti.py --compare [--before REF[,REF]] [--runs 5] [--gap 1] [--pages 3 | --only 05,index]

``--compare`` measures, in one run and with the pool: the course as it is now ("after"), the course at git
ref(s) ``--before`` ("before", exported with ``git archive``, served with its own template and package; by
plain Voila when it predates ``mhkurs.serving``), and a notebook with one button served the same way ("floor":
Voila, the course's template and voila.json, nothing of the course). All servers run at once and are visited
in turn, page by page, so the shared machine's load falls on every variant alike. It prints p50/p95 per page
and the ratio of each page's p95 to the floor's p95 (goal: 1.2). A visit that never becomes ready is named
(variant, page, what the page showed) and left out; the run goes on.

"Ready" is the first widget control a learner can use (button, radio, checkbox, text field) that is on screen
and enabled, found by watching the page (MARK_READY); reading text is in the HTML from the start and does not
count. A page whose widgets have no control at all is reported as such.

"cold" starts Voila with --no-preheat (every visit starts and runs a fresh kernel); "pool" uses
voila.json as shipped (one preheated kernel per module page and one for the landing page, which reads the
learner's progress when the page loads). With the pool, visits to a
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
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

from mhkurs.bank.loader import REPO_ROOT  # noqa: E402
from mhkurs.cli import LANDING, build_site, site_pages, voila_command, voila_env  # noqa: E402

# Ready = the first widget control (a button, radio, checkbox, text field or list drawn by Voila's front end
# from the kernel's widget state) that is on screen and enabled: the first thing a learner can use. Reading
# text and links are in the HTML from the start and do not count; neither does a widget kept hidden (the
# module menu's feed, .mh-menu-live) or the page's own lost-connection button. The page is watched, not its
# scripts (DOM changes, and every 100 ms as a backstop), so this works however and whenever the template
# loads Voila's front end, and works the same for the floor, the course before and the course after.
MARK_READY = r"""
(() => {
  if (window.__mhWatch) return;
  window.__mhWatch = true;
  const SEL = ['button', 'input', 'select', 'textarea'].map(t => `${t}.jupyter-widgets, .jupyter-widgets ${t}`).join(', ');
  const usable = el => {
    if (el.disabled || el.closest('[hidden], [aria-hidden=true], [inert]')) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    const s = getComputedStyle(el);
    return s.visibility === 'visible' && s.pointerEvents !== 'none' && +s.opacity > 0;
  };
  let queued = false, timer = null, obs = null;
  const check = () => {
    queued = false;
    if (window.__mhReady !== undefined) return;
    if (window.__mhWidget === undefined
        && [...document.querySelectorAll('.jupyter-widgets')].some(el => !el.closest('[hidden]') && el.getClientRects().length))
      window.__mhWidget = performance.now();
    for (const el of document.querySelectorAll(SEL)) {
      if (!usable(el)) continue;
      window.__mhReady = performance.now();
      const box = el.closest('.mh-exercise, .mh-landing, .mh-floor, .widget-box, .jupyter-widgets');
      window.__mhReadyWhat = (box ? box.className.split(' ').filter(c => c.startsWith('mh-')).join('.') + ' ' : '')
                             + el.tagName.toLowerCase() + ' «' + (el.textContent || el.value || '').trim().slice(0, 40) + '»';
      if (obs) obs.disconnect();
      clearInterval(timer);
      return;
    }
  };
  const soon = () => { if (!queued) { queued = true; requestAnimationFrame(check); } };
  const start = () => {
    obs = new MutationObserver(soon);
    obs.observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                           attributeFilter: ['class', 'style', 'hidden', 'disabled']});
    timer = setInterval(check, 100);
    check();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
"""

# What a failed visit looked like (to tell a page that never drew its widgets from one whose kernel failed).
WHY_NOT_READY = """() => ({
  widgets: document.querySelectorAll('.jupyter-widgets').length,
  slots: document.querySelectorAll('.mh-slot').length,
  loading: !!document.getElementById('loading') && !document.getElementById('loading').hidden,
  loading_text: (document.getElementById('loading_text') || {}).textContent || '',
  errors: document.querySelectorAll('.mh-page-error, .jp-OutputArea-output[data-mime-type*=error]').length,
  lost: !!document.getElementById('mh-conn') && !document.getElementById('mh-conn').hidden,
})"""


class NotReady(Exception):
    """A visit whose page never showed a usable widget in time; says which variant and page, and what it saw."""

    def __init__(self, text: str, no_control: bool = False):
        super().__init__(text)
        self.no_control = no_control  # the page drew widgets but none a learner can use (nothing to wait for)


def rss_of_kernels() -> list[float]:
    out = subprocess.run(["ps", "-eo", "rss,args"], capture_output=True, text=True).stdout
    return [int(line.split()[0]) / 1024 for line in out.splitlines() if "ipykernel_launcher" in line]


def p95(values: list[float]) -> float:
    """The 95th percentile, linearly interpolated between the two nearest visits (the usual definition: numpy's
    default, ``statistics.quantiles(method="inclusive")``). The nearest-rank rounding used before made the p95 of
    up to 11 visits simply the slowest one, so one slow visit decided a page's figure."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def open_page(browser, url: str):
    ctx = browser.new_context()
    ctx.add_init_script(MARK_READY)
    page = ctx.new_page()
    page.goto(url, wait_until="commit")
    return ctx, page


NO_CONTROL_AFTER = 30.0  # seconds after the first widget without any usable one: the page has none
# A page that has loaded, 10 s ago, without a single widget output in it (a text-only page such as the
# accessibility statement): nothing will come.
NO_WIDGETS = """() => document.readyState === 'complete' && performance.now() > 10000
  && !document.querySelector('.jupyter-widgets, .mh-slot')
  && ![...document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]')]
       .some(s => s.textContent.includes('application/vnd.jupyter.widget-view+json'))"""


def ready_seconds(page, timeout_s: float = 90, where: str = "") -> float:
    """Seconds from navigation to the first usable widget; NotReady (naming ``where``) when there is none."""
    until = time.monotonic() + timeout_s
    why = "TimeoutError"
    while time.monotonic() < until:
        try:
            got = page.evaluate("[window.__mhReady, window.__mhWidget]")
        except Exception as e:  # navigating (the context is replaced), or the page/browser gone
            got, why = [None, None], type(e).__name__
            if page.is_closed():
                break
        if got[0] is not None:
            return got[0] / 1000
        if got[1] is None and page.evaluate(NO_WIDGETS):
            raise NotReady(f"{where or page.url}: the page has no widgets at all (loaded, nothing to wait for)",
                           no_control=True)
        if got[1] is not None and got[1] / 1000 + NO_CONTROL_AFTER < page.evaluate("performance.now()") / 1000:
            raise NotReady(f"{where or page.url}: widgets drawn ({got[1] / 1000:.1f} s) but none a learner can use "
                           f"after {NO_CONTROL_AFTER:.0f} s more", no_control=True)
        time.sleep(0.1)
    try:
        seen = page.evaluate(WHY_NOT_READY)
    except Exception:
        seen = "(page not readable)"
    raise NotReady(f"{where or page.url}: no usable widget after {timeout_s:.0f} s ({why}); page state: {seen}")


def start_server(site: Path, preheat: bool, root: Path = REPO_ROOT, log: Path | None = None, extra=()):
    """Voila as ``mhkurs serve`` starts it; ``root`` is the checkout whose voila.json, template and package serve
    (a checkout from before ``mhkurs.serving`` existed is served by plain Voila, as it was then)."""
    port = free_port()
    env = voila_env()
    env["MHKURS_PROGRESS_FILE"] = ""
    cmd = voila_command("127.0.0.1", port, site, preheat=preheat,
                        # one benchmark client opens far more pages than the per-learner kernel cap allows
                        limits=["--CourseVoila.max_kernels_per_client=1000"])
    if root != REPO_ROOT:
        env["JUPYTER_PATH"] = os.pathsep.join([str(root / "share" / "jupyter"), env.get("JUPYTER_PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join([str(root / "widgets"), env.get("PYTHONPATH", "")])
        if not (root / "widgets" / "mhkurs" / "serving").is_dir():
            cmd = [sys.executable, "-m", "voila"] + [c for c in cmd[3:] if not c.startswith("--CourseVoila.")]
    cmd += list(extra)
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(240):  # Voila's own pages answer without starting a kernel
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/tree", timeout=10)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"Voila for {root} ended at start (rc {proc.returncode}); log: {log}")
            time.sleep(0.5)
    return proc, f"http://127.0.0.1:{port}/voila/render/"


def measure(browser, base: str, pages: list[str], runs: int, gap: float, label: str) -> None:
    """Per page: a first visit with an empty browser cache, and a returning learner (cached JS/CSS)."""
    print(f"\n[{label}] time to first interactive widget, {runs} visits per page")
    print(f"{'page':45} {'new p50':>8} {'new p95':>8} {'cached p50':>11} {'cached p95':>7}")
    learner = browser.new_context()  # one learner who has opened the course before
    learner.add_init_script(MARK_READY)
    warm = learner.new_page()
    warm.goto(base + LANDING, wait_until="commit")
    try:
        ready_seconds(warm, where=f"[{label}] warm-up {LANDING}")
    except NotReady as e:
        print(f"  (warm-up) {e}", flush=True)
    warm.close()
    for nb in pages:
        fresh, cached = [], []
        for i in range(runs):
            ctx, page = open_page(browser, base + nb)
            try:
                fresh.append(ready_seconds(page, where=f"[{label}] {nb} new visit {i + 1}"))
            except NotReady as e:
                print(f"  FAILED {e}", flush=True)
            ctx.close()
            time.sleep(gap)
            page = learner.new_page()
            page.goto(base + nb, wait_until="commit")
            try:
                cached.append(ready_seconds(page, where=f"[{label}] {nb} cached visit {i + 1}"))
            except NotReady as e:
                print(f"  FAILED {e}", flush=True)
            page.close()
            time.sleep(gap)
        print(f"{nb:45} {fmt(fresh):>17} {fmt(cached):>19}", flush=True)
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
            ttis.append(ready_seconds(page, where=f"[{label}] load {page.url}"))
        except NotReady as e:
            print(f"  FAILED {e}", flush=True)
            errors += 1
    took = time.perf_counter() - start
    mem = rss_of_kernels()
    if not ttis:
        print(f"\n[{label}] load: {n} concurrent sessions: every one failed")
        return
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


def visit(browser, base: str, nb: str, where: str) -> float:
    """One first visit (new browser context: empty cache, new learner)."""
    ctx, page = open_page(browser, base + nb)
    try:
        return ready_seconds(page, where=where)
    finally:
        ctx.close()


def export_ref(ref: str, target: Path) -> Path:
    """The repository at ``ref`` (git archive), to serve the course as it was."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def pool_fill_wait(pages: int) -> None:
    time.sleep(max(10.0, 3.0 * pages))


def compare(args) -> None:
    """All variants served at once and visited in turn (page by page, the order rotating), so a change in the
    shared machine's load falls on every variant alike."""
    from playwright.sync_api import sync_playwright

    pages = site_pages()[: args.pages] if args.pages else site_pages()
    if args.only:
        pages = [p for p in pages if any(o in p for o in args.only.split(","))]
    befores = [r for r in args.before.split(",") if r and r != "none"]
    results: dict[str, dict[str, list[float]]] = {}
    beside: dict[str, list[float]] = {nb: [] for nb in pages}  # the floor's visits made in each course page's turns
    failures: list[str] = []
    skip: set[tuple[str, str]] = set()  # (variant, page) without any control: not visited again
    loads = [os.getloadavg()[0]]
    servers = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        floor_site = tmp / "floor"
        floor_site.mkdir()
        (floor_site / "floor.ipynb").write_text(json.dumps(FLOOR_NOTEBOOK), encoding="utf-8")
        variants = [("floor", floor_site, REPO_ROOT, ["floor.ipynb"])]
        for ref in befores:
            old = export_ref(ref, tmp / f"before-{ref}")
            old_site = tmp / f"before-{ref}-site"
            for rel in pages:
                if (old / rel).exists():
                    (old_site / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(old / rel, old_site / rel)
            variants.append((f"before {ref}", old_site, old, [p for p in pages if (old / p).exists()]))
        variants.append(("after", build_site(tmp / "site"), REPO_ROOT, pages))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, site, root, nbs in variants:
                log = Path(args.logs) / f"voila-{name.replace(' ', '-')}.log" if args.logs else None
                print(f"[{name}] serving {len(nbs)} page(s) from {root}", flush=True)
                # the floor is visited once per course page: a pool of 3 keeps it preheated at that pace
                extra = ["--VoilaConfiguration.default_pool_size=3"] if name == "floor" else []
                proc, base = start_server(site, preheat=True, root=root, log=log, extra=extra)
                servers.append(proc)
                results[name] = {nb: [] for nb in nbs}
                variants[variants.index((name, site, root, nbs))] = (name, base, nbs)
            pool_fill_wait(len(pages) * len(variants))
            for name, base, nbs in variants:  # warm-up: first imports, caches
                try:
                    visit(browser, base, nbs[0], f"[{name}] warm-up {nbs[0]}")
                except NotReady as e:
                    print(f"  (warm-up) {e}", flush=True)
            time.sleep(args.gap)
            turn = 0
            for run in range(args.runs):
                for nb in pages:
                    turn += 1
                    order = variants[turn % len(variants):] + variants[:turn % len(variants)]
                    line = []
                    for name, base, nbs in order:
                        page_nb = "floor.ipynb" if name == "floor" else nb
                        if page_nb not in nbs or (name, page_nb) in skip:
                            continue
                        where = f"[{name}] {page_nb} visit {run + 1}"
                        try:
                            t = visit(browser, base, page_nb, where)
                            results[name][page_nb].append(t)
                            if name == "floor":
                                beside[nb].append(t)
                            line.append(f"{name} {t:.2f}")
                        except NotReady as e:
                            failures.append(str(e))
                            line.append(f"{name} FAILED")
                            print(f"  FAILED {e}", flush=True)
                            if e.no_control:
                                skip.add((name, page_nb))
                        time.sleep(args.gap)
                    print(f"  run {run + 1} {nb}: " + ", ".join(line), flush=True)
                loads.append(os.getloadavg()[0])
        finally:
            browser.close()
            for proc in servers:
                proc.terminate()
            for proc in servers:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    report(results, pages, [v[0] for v in variants if v[0] != "floor"], args.runs, loads, failures, beside)


def fmt(values: list[float] | None) -> str:
    if not values:
        return f"{'-':>6} {'-':>6}"
    return f"{statistics.median(values):6.2f} {p95(values):6.2f}"


def report(results, pages, names, runs, loads, failures, beside=None) -> None:
    """Per page: p50 and p95 of each variant, and each variant's p95 over the p95 of the floor visits made in the
    same turns (as many visits as the page has, at the same moments of the machine's load); over all pages: the
    p95 of every visit over the floor's p95 (as many visits again), and the same for p50."""
    floor = results.get("floor", {}).get("floor.ipynb") or []
    beside = beside or {}
    print(f"\nTime from navigation to the first usable widget (seconds), preheated pool, first visits (empty browser "
          f"cache), {runs} per page. Load average (1 min) at the start and after each run: {', '.join(f'{x:.1f}' for x in loads)} "
          f"on {os.cpu_count()} cores; the machine is shared, so compare within this run. p95: linear interpolation "
          f"between visits; 'p95/floor': over the p95 of the floor visits made in the same turns as the page's.")
    head = "".join(f" {n[:13]:>13}" for n in names)
    print(f"{'page':45} {'floor beside':>13}{head}   (p50 p95 each)" + "".join(f" {'p95/floor ' + n[:6]:>17}" for n in names))
    print(f"{'floor: one button, same server and template':45} {fmt(floor):>13}   ({len(floor)} visits)")
    for nb in pages:
        fl = beside.get(nb) or floor
        cells = "".join(f" {fmt(results.get(n, {}).get(nb)):>13}" for n in names)
        ratios = ""
        for n in names:
            v = results.get(n, {}).get(nb)
            ratios += f" {p95(v) / p95(fl):17.2f}" if v and fl else f" {'-':>17}"
        print(f"{nb:45} {fmt(fl):>13}{cells}{' ' * 17}{ratios}")
    for n in names:
        every = [x for nb in pages for x in results.get(n, {}).get(nb, [])]
        if every and floor:
            print(f"all pages, {n} ({len(every)} visits): p50 {statistics.median(every):.2f} s, p95 {p95(every):.2f} s, "
                  f"p95/floor p95 {p95(every) / p95(floor):.2f}, p50/floor p50 "
                  f"{statistics.median(every) / statistics.median(floor):.2f} (floor, {len(floor)} visits: "
                  f"p50 {statistics.median(floor):.2f}, p95 {p95(floor):.2f})")
    if failures:
        print(f"\n{len(failures)} visit(s) never showed a usable widget:")
        for f in failures:
            print("  " + f)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--load", type=int, default=0, help="concurrent sessions for the load run (max 30)")
    ap.add_argument("--mode", choices=["both", "cold", "pool"], default="both")
    ap.add_argument("--gap", type=float, default=4.0, help="seconds between visits with the pool (--compare: between any two visits)")
    ap.add_argument("--compare", action="store_true", help="before/after/floor with the pool (see above)")
    ap.add_argument("--before", default="main", help="git ref(s) of the 'before' course, comma-separated, or 'none'")
    ap.add_argument("--pages", type=int, default=0, help="only the first N course pages (0: all)")
    ap.add_argument("--only", default="", help="only pages whose path contains one of these (comma-separated)")
    ap.add_argument("--logs", default="", help="folder for each variant's Voila log")
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
                try:
                    ready_seconds(page, where=f"[{mode}] warm-up {LANDING}")
                except NotReady as e:
                    print(f"  (warm-up) {e}", flush=True)
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
