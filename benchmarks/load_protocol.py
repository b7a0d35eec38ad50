"""Benchmark (not a test): many learners on one course server, simulated at the protocol level.

Each simulated learner does what a browser does, without a browser: fetches the rendered page, opens
the kernel websocket, asks for the widget states (ipywidgets' control comm, as the page's widget manager
does) and then clicks buttons (the ``custom``/``click`` comm message a button sends), with a pause to
read between clicks. It times each click to the first widget update from the kernel (the feedback a
learner sees) and to the kernel going idle. One machine can simulate many learners this way; the
server is started by this script on loopback with the course's own settings and stopped at the end.

    .venv/bin/python benchmarks/load_protocol.py [--learners 10,25,50] [--clicks 5] [--think 2]
                                                [--over 40 --over-cap 30]

Per level it prints: learners held at once with 0 errors, p50/p95 click-to-feedback and click-to-idle,
memory per learner (kernel RSS, and the server's growth), refusals. ``--over`` runs a last level with
more learners than a server capped at ``--over-cap`` kernels holds: what happens past the cap.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import free_port  # noqa: E402

from mhkurs.bank.loader import REPO_ROOT  # noqa: E402
from mhkurs.cli import LANDING, build_site, voila_command, voila_env  # noqa: E402

PAGE = "modules/01-hva-er-menneskehandel.ipynb"
POOL = 9


@dataclass
class Learner:
    n: int
    clicks_done: int = 0
    feedback_ms: list[float] = field(default_factory=list)
    idle_ms: list[float] = field(default_factory=list)
    status: int = 0
    error: str = ""


def _msg(msg_type: str, content: dict, session: str, metadata: dict | None = None) -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "username": "load", "session": session, "msg_type": msg_type,
                       "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": "shell", "buffers": []}


def _decode(raw: str | bytes) -> dict:
    """A message from the kernel websocket: JSON text, or Jupyter's binary frame (JSON part + buffers)."""
    if isinstance(raw, str):
        return json.loads(raw)
    n = struct.unpack("!I", raw[:4])[0]
    offsets = struct.unpack("!" + "I" * n, raw[4:4 + 4 * n])
    return json.loads(raw[offsets[0]:offsets[1]] if n > 1 else raw[offsets[0]:])


class Session:
    """One learner's page: the kernel websocket and the widget models it knows."""

    def __init__(self, ws, session: str) -> None:
        self.ws, self.session = ws, session
        self.models: dict[str, dict] = {}
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                await self.inbox.put(None)
                return
            msg = _decode(raw)
            self._track(msg)
            await self.inbox.put(msg)

    def _track(self, msg: dict) -> None:
        content = msg.get("content", {})
        if msg["header"]["msg_type"] == "comm_open":
            state = content.get("data", {}).get("state", {})
            self.models[content["comm_id"]] = dict(state)
        elif msg["header"]["msg_type"] == "comm_msg":
            data = content.get("data", {})
            if data.get("method") == "update" and content.get("comm_id") in self.models:
                self.models[content["comm_id"]].update(data.get("state", {}))
            if data.get("method") == "update_states":  # the control comm's reply: every widget's state
                for model_id, st in data.get("states", {}).items():
                    self.models[model_id] = dict(st.get("state", {}))
        elif msg["header"]["msg_type"] == "comm_close":
            self.models.pop(content.get("comm_id"), None)

    async def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        msg = _msg(msg_type, content, self.session, metadata)
        await self.ws.write_message(json.dumps(msg))
        return msg["header"]["msg_id"]

    async def wait(self, pred, timeout: float) -> dict:
        deadline = time.perf_counter() + timeout
        while True:
            msg = await asyncio.wait_for(self.inbox.get(), max(0.01, deadline - time.perf_counter()))
            if msg is None:
                raise ConnectionError("websocket closed")
            if pred(msg):
                return msg

    def buttons(self) -> list[str]:
        return [m for m, st in self.models.items()
                if st.get("_model_name") == "ButtonModel" and st.get("description") and not st.get("disabled")]

    async def close(self) -> None:
        self.reader.cancel()
        self.ws.close()


async def learner_run(base: str, lr: Learner, clicks: int, think: float, rng: random.Random) -> None:
    http = AsyncHTTPClient()
    try:
        resp = await http.fetch(f"{base}/voila/render/{PAGE}", request_timeout=180,
                                headers={"X-Real-IP": f"10.77.{lr.n // 250}.{lr.n % 250 + 1}"})
    except HTTPClientError as exc:
        lr.status = exc.code
        if exc.code not in (429, 503):
            lr.error = f"HTTP {exc.code}: {exc}"
        return
    except Exception as exc:  # noqa: BLE001 (a refused or broken connection is this learner's error)
        lr.status, lr.error = -1, f"{type(exc).__name__}: {exc}"
        return
    lr.status = resp.code
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', resp.body.decode()).group(1)
    session = uuid.uuid4().hex
    ws_url = base.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?session_id={session}"
    try:
        s = Session(await websocket_connect(ws_url, max_message_size=64 * 2**20), session)
        await s.send("kernel_info_request", {})
        await s.wait(lambda m: m["header"]["msg_type"] == "kernel_info_reply", 60)
        control = uuid.uuid4().hex
        await s.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                     {"version": "1.0.0"})  # ipywidgets' control protocol
        await s.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        await s.wait(lambda m: m["header"]["msg_type"] == "comm_msg"
                     and m["content"].get("data", {}).get("method") == "update_states", 60)
        for _ in range(clicks):
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
            buttons = s.buttons()
            if not buttons:
                raise RuntimeError("no button to click")
            t0 = time.perf_counter()
            msg_id = await s.send("comm_msg", {"comm_id": rng.choice(buttons),
                                               "data": {"method": "custom", "content": {"event": "click"}}})
            first = None
            while True:
                m = await s.wait(lambda m: m.get("parent_header", {}).get("msg_id") == msg_id, 60)
                kind = m["header"]["msg_type"]
                if first is None and kind in ("comm_msg", "comm_open"):
                    first = time.perf_counter()
                if kind == "status" and m["content"].get("execution_state") == "idle":
                    break
            t1 = time.perf_counter()
            lr.feedback_ms.append(((first or t1) - t0) * 1000)
            lr.idle_ms.append((t1 - t0) * 1000)
            lr.clicks_done += 1
        await s.close()
    except Exception as exc:  # noqa: BLE001 (every failure counts as this learner's error)
        lr.error = f"{type(exc).__name__}: {exc}"


def kernels_rss_mib(proc) -> list[float]:
    out = subprocess.run(["ps", "-o", "rss=,args=", "--ppid", str(proc.pid)], capture_output=True, text=True).stdout
    return [int(line.split()[0]) / 1024 for line in out.splitlines() if "ipykernel_launcher" in line]


def rss_mib(pid: int) -> float:
    out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return int(out or 0) / 1024


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(q * (len(v) - 1)))] if v else float("nan")


def start_server(limits: list[str]) -> tuple[subprocess.Popen, str, Path, Path]:
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="mhkurs-load-"))
    site = build_site(tmp / "site")
    log = tmp / "voila.log"
    env = voila_env()
    env["MHKURS_PROGRESS_FILE"] = ""
    proc = subprocess.Popen(voila_command("127.0.0.1", port, site, limits=limits), cwd=REPO_ROOT, env=env,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while len(kernels_rss_mib(proc)) < POOL:
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit(f"server did not start; see {log}")
        time.sleep(0.5)
    time.sleep(3)  # let the pool finish running its pages
    return proc, base, log, tmp


def stop_server(proc: subprocess.Popen, tmp: Path) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    subprocess.run(["rm", "-rf", str(tmp)], check=False)


async def level(base: str, proc, n: int, clicks: int, think: float, seed: int) -> dict:
    rng = random.Random(seed)
    idle_kernels = kernels_rss_mib(proc)
    server_before = rss_mib(proc.pid)
    learners = [Learner(i) for i in range(n)]
    t0 = time.perf_counter()
    tasks = []
    for lr in learners:  # arrivals spread over about a second per 10 learners, as a class logging in
        tasks.append(asyncio.ensure_future(learner_run(base, lr, clicks, think, random.Random(rng.random()))))
        await asyncio.sleep(0.1)
    peak_kernels: list[float] = []
    while not all(t.done() for t in tasks):
        k = kernels_rss_mib(proc)
        if len(k) > len(peak_kernels):
            peak_kernels = k
        await asyncio.sleep(0.5)
    wall = time.perf_counter() - t0
    admitted = [lr for lr in learners if lr.status == 200]
    ok = [lr for lr in admitted if not lr.error and lr.clicks_done == clicks]
    fb = [x for lr in ok for x in lr.feedback_ms]
    idle = [x for lr in ok for x in lr.idle_ms]
    new_kernels = max(0, len(peak_kernels) - len(idle_kernels))
    return {
        "learners": n, "admitted": len(admitted), "ok": len(ok),
        "errors": [lr.error for lr in learners if lr.error][:3], "n_errors": sum(1 for lr in learners if lr.error),
        "refused": {s: sum(1 for lr in learners if lr.status == s) for s in (429, 503)},
        "p50_feedback": pct(fb, 0.5), "p95_feedback": pct(fb, 0.95), "p50_idle": pct(idle, 0.5),
        "p95_idle": pct(idle, 0.95), "clicks": len(fb), "wall": wall,
        "kernel_mib": statistics.median(peak_kernels) if peak_kernels else float("nan"),
        "server_growth_mib_per_learner": (rss_mib(proc.pid) - server_before) / max(1, len(admitted)),
        "peak_kernels": len(peak_kernels), "new_kernels": new_kernels,
    }


def report(r: dict) -> None:
    print(f"  {r['learners']:4d} learners: admitted {r['admitted']}, completed {r['ok']} with 0 errors, "
          f"errors {r['n_errors']}, refused 429×{r['refused'][429]} 503×{r['refused'][503]}; "
          f"{r['clicks']} clicks in {r['wall']:.0f} s", flush=True)
    print(f"        click→feedback p50 {r['p50_feedback']:.0f} ms, p95 {r['p95_feedback']:.0f} ms; "
          f"click→idle p50 {r['p50_idle']:.0f} ms, p95 {r['p95_idle']:.0f} ms", flush=True)
    print(f"        memory: {r['kernel_mib']:.0f} MiB per kernel (median RSS), server +"
          f"{r['server_growth_mib_per_learner']:.1f} MiB per learner; peak {r['peak_kernels']} kernels", flush=True)
    if r["errors"]:
        print(f"        first errors: {r['errors']}", flush=True)


async def run_levels(limits: list[str], levels: list[int], clicks: int, think: float) -> list[dict]:
    proc, base, log, tmp = start_server(limits)
    results = []
    try:
        for i, n in enumerate(levels):
            r = await level(base, proc, n, clicks, think, seed=i)
            report(r)
            results.append(r)
            # let the finished learners' kernels go (unconnected timeout) before the next level
            deadline = time.time() + 90
            while len(kernels_rss_mib(proc)) > POOL + 1 and time.time() < deadline:
                await asyncio.sleep(1)
        refusals = sum(1 for line in open(log) if "mhkurs: refused a page" in line)
        print(f"  server log: {refusals} refusals logged", flush=True)
    finally:
        stop_server(proc, tmp)
    return results


def main() -> None:
    AsyncHTTPClient.configure(None, max_clients=10_000)  # one connection per learner, as browsers have
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", default="10,25,50", help="comma-separated numbers of simultaneous learners")
    ap.add_argument("--clicks", type=int, default=5)
    ap.add_argument("--think", type=float, default=2.0, help="mean seconds between a learner's clicks")
    ap.add_argument("--over", type=int, default=40, help="learners in the past-the-cap run (0: skip)")
    ap.add_argument("--over-cap", type=int, default=30, help="kernel cap of the server in the past-the-cap run")
    args = ap.parse_args()
    levels = [int(x) for x in args.learners.split(",") if x]
    common = ["--CourseVoila.trust_forwarded_for=True", "--CourseVoila.unconnected_timeout=10"]
    print(f"Protocol-level load on {PAGE}: {args.clicks} clicks per learner, ~{args.think} s apart "
          f"(pool of {POOL} preheated kernels, loopback, this machine's {__import__('os').cpu_count()} cores)")
    print("Server with the default caps (3/4 of memory / 80 MiB per kernel):", flush=True)
    asyncio.run(run_levels(common, levels, args.clicks, args.think))
    if args.over:
        print(f"Past the cap: {args.over} learners, server capped at {args.over_cap} kernels (pool included):",
              flush=True)
        asyncio.run(run_levels(common + [f"--CourseVoila.max_kernels={args.over_cap}"], [args.over],
                               args.clicks, args.think))


if __name__ == "__main__":
    main()
