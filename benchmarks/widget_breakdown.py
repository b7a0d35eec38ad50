"""Benchmark (not a test): where a page's time to the first usable widget goes, against the one-button floor.

    .venv/bin/python benchmarks/widget_breakdown.py [--only 05-,07-] [--runs 4] [--before REF]

Serves the floor (voila_tti.py's one-button notebook, same server and template), the course as it is ("after")
and, with ``--before``, the course at a git ref, each with its preheated pool, and visits them in turn with a
new browser context each time (empty cache). Per visit it records, in seconds from navigation:

- ``ws``: the kernel's websocket opened (Voila's front end has loaded and connected);
- ``state``: the widget state arrived (the kernel's ``update_states`` reply; its size in KB);
- ``drawn``: the first widget on screen; ``ready``: the first usable control (voila_tti.py's MARK_READY);
- main-thread time until ready (Chromium's Performance.getMetrics): script, style recalculation, layout;
- ``mh``: time spent in mhkurs.js's page work (its MutationObserver callback and its deferred ARIA pass).

It prints the median of each per page, so the difference to the floor shows what the course adds and where.
It also counts the widget models each page's kernel holds (what the browser fetches as the widget state).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from voila_tti import (CHROMIUM, CHROMIUM_ARGS, FLOOR_NOTEBOOK, MARK_READY, NotReady, export_ref,  # noqa: E402
                       ready_seconds, start_server)

from mhkurs.bank.loader import REPO_ROOT  # noqa: E402
from mhkurs.cli import build_site, site_pages  # noqa: E402

# Time spent in mhkurs.js's page work: its MutationObserver callback (calls onMutations) and the deferred
# ARIA pass it schedules (calls fixAria); summed in window.__mhWork (ms).
MEASURE_MH = r"""
(() => {
  window.__mhWork = 0;
  const ours = fn => typeof fn === 'function' && /onMutations|fixAria\(/.test(String(fn));
  const NativeMO = window.MutationObserver;
  window.MutationObserver = function (cb) {
    if (!ours(cb)) return new NativeMO(cb);
    return new NativeMO(function (m, o) { const t = performance.now(); try { return cb(m, o); } finally { window.__mhWork += performance.now() - t; } });
  };
  window.MutationObserver.prototype = NativeMO.prototype;
  // the kernel's websocket: when it opened and when the widget state arrived (page clock, ms)
  const NativeWS = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const ws = new NativeWS(url, protocols);
    if (/channels/.test(url)) {
      ws.addEventListener('open', () => { if (window.__mhWsOpen === undefined) window.__mhWsOpen = performance.now(); });
      ws.addEventListener('message', ev => {
        if (window.__mhState !== undefined) return;
        const d = ev.data;
        const size = typeof d === 'string' ? d.length : d.byteLength || 0;
        if (size < 200) return;
        const text = typeof d === 'string' ? d : new TextDecoder().decode(d);
        if (text.includes('update_states')) { window.__mhState = performance.now(); window.__mhStateKB = size / 1024; }
      });
    }
    return ws;
  };
  Object.assign(window.WebSocket, NativeWS);
  window.WebSocket.prototype = NativeWS.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(k => { window.WebSocket[k] = NativeWS[k]; });
  const nativeTimeout = window.setTimeout;
  window.setTimeout = function (fn, ms, ...rest) {
    if (!ours(fn)) return nativeTimeout(fn, ms, ...rest);
    return nativeTimeout(function () { const t = performance.now(); try { return fn(); } finally { window.__mhWork += performance.now() - t; } }, ms, ...rest);
  };
})();
"""

FIELDS = ["ws", "state", "kb", "drawn", "ready", "script", "style", "layout", "mh"]


def one_visit(browser, url: str, where: str) -> dict:
    ctx = browser.new_context()
    ctx.add_init_script(MEASURE_MH)
    ctx.add_init_script(MARK_READY)
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    got: dict = {}
    try:
        page.goto(url, wait_until="commit")
        got["ready"] = ready_seconds(page, where=where)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        got["script"] = metrics.get("ScriptDuration", 0.0)
        got["style"] = metrics.get("RecalcStyleDuration", 0.0)
        got["layout"] = metrics.get("LayoutDuration", 0.0)
        drawn, mh, ws, state, kb = page.evaluate(
            "[window.__mhWidget, window.__mhWork, window.__mhWsOpen, window.__mhState, window.__mhStateKB]")
        got.update(drawn=(drawn or 0) / 1000, mh=(mh or 0) / 1000)
        if ws is not None:
            got["ws"] = ws / 1000
        if state is not None:
            got.update(state=state / 1000, kb=kb)
        return got
    finally:
        ctx.close()


def count_models(site: Path, nb: str) -> str:
    """Widget models a page's kernel holds after running it (as the browser fetches them), by kind."""
    import subprocess

    code = r"""
import collections, contextlib, io, json, sys
import ipywidgets as w
nb = json.load(open(sys.argv[1], encoding='utf-8'))
g = {}
with contextlib.redirect_stdout(io.StringIO()):
    for c in nb['cells']:
        if c['cell_type'] == 'code':
            exec(''.join(c['source']), g)
st = w.Widget.get_manager_state(drop_defaults=False)['state']
kinds = collections.Counter(v['model_name'].replace('Model', '') for v in st.values())
print(f"{len(st)} models, {len(json.dumps(st)) / 1024:.0f} KB: " + ', '.join(f'{k} {n}' for k, n in kinds.most_common()))
"""
    out = subprocess.run([sys.executable, "-c", code, str(site / nb)], capture_output=True, text=True, cwd=site)
    return (out.stdout.strip() or out.stderr.strip().splitlines()[-1]) if out.returncode == 0 or out.stdout else "?"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--only", default="05-,07-", help="pages whose path contains one of these (comma-separated)")
    ap.add_argument("--before", default="", help="git ref of a 'before' course (optional)")
    ap.add_argument("--gap", type=float, default=1.0)
    ap.add_argument("--count", action="store_true", help="only count each page's widget models (no browser)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    pages = [p for p in site_pages() if not args.only or any(o in p for o in args.only.split(","))]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = build_site(tmp / "site")
        if args.count:
            for nb in pages:
                print(f"{nb:45} {count_models(site, nb)}", flush=True)
            return
        floor_site = tmp / "floor"
        floor_site.mkdir()
        import json
        (floor_site / "floor.ipynb").write_text(json.dumps(FLOOR_NOTEBOOK), encoding="utf-8")
        variants = [("floor", floor_site, REPO_ROOT, ["floor.ipynb"]), ("after", site, REPO_ROOT, pages)]
        if args.before:
            old = export_ref(args.before, tmp / "before")
            variants.insert(1, (f"before {args.before}", old, old, [p for p in pages if (old / p).exists()]))
        servers, bases = [], {}
        results: dict = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name, s, root, nbs in variants:
                    extra = ["--VoilaConfiguration.default_pool_size=3"] if name == "floor" else []
                    proc, base = start_server(s, preheat=True, root=root, extra=extra)
                    servers.append(proc)
                    bases[name] = base
                time.sleep(max(10.0, 3.0 * len(pages) * len(variants)))
                for name, _s, _r, nbs in variants:  # warm-up
                    try:
                        one_visit(browser, bases[name] + nbs[0], f"[{name}] warm-up")
                    except NotReady as e:
                        print(f"  (warm-up) {e}")
                for run in range(args.runs):
                    for nb in pages:
                        for name, _s, _r, nbs in variants:
                            page_nb = "floor.ipynb" if name == "floor" else nb
                            if page_nb not in nbs:
                                continue
                            try:
                                v = one_visit(browser, bases[name] + page_nb, f"[{name}] {page_nb}")
                            except NotReady as e:
                                print(f"  FAILED {e}", flush=True)
                                continue
                            results.setdefault((name, page_nb), []).append(v)
                            print(f"  run {run + 1} [{name}] {page_nb}: "
                                  + " ".join(f"{k} {v.get(k, float('nan')):.2f}" for k in FIELDS), flush=True)
                            time.sleep(args.gap)
            finally:
                browser.close()
                for proc in servers:
                    proc.terminate()
                for proc in servers:
                    proc.wait(30)
    print(f"\nMedians over {args.runs} first visits, seconds (of each visit's own intervals): ws = navigation to the "
          "kernel's websocket open; ws→state = to the widget state's arrival (kb: its size); state→drawn = to the "
          "first widget drawn; ws→ready = websocket open to the first usable control; ready = from navigation; "
          "script/style/layout = main-thread time until ready; mh = mhkurs.js's page work until ready.")
    cols = {"ws": lambda v: v["ws"], "ws→state": lambda v: v["state"] - v["ws"], "kb": lambda v: v["kb"],
            "state→drawn": lambda v: v["drawn"] - v["state"], "ws→ready": lambda v: v["ready"] - v["ws"],
            "ready": lambda v: v["ready"], "script": lambda v: v["script"], "style": lambda v: v["style"],
            "layout": lambda v: v["layout"], "mh": lambda v: v["mh"]}
    print(f"{'variant page':50}" + "".join(f"{k:>12}" for k in cols))
    for (name, nb), vs in results.items():
        whole = [v for v in vs if all(k in v for k in ("ws", "state", "kb", "drawn"))]
        cells = "".join(f"{statistics.median([f(v) for v in whole]):12.2f}" if whole else f"{'-':>12}"
                        for f in cols.values())
        print(f"{(name + ' ' + nb)[:50]:50}{cells}   ({len(whole)} of {len(vs)} visits)")


if __name__ == "__main__":
    main()
