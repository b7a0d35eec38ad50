"""Figures for the class platform (docs/HOSTING.md, benchmarks/RESULTS.md): hub start, login to course page, memory and
CPU per trainee. Not part of the tests.

    .venv/bin/python benchmarks/hub_bench.py --trainees 3

Starts JupyterHub with the proxy on loopback (SQLite gradebook; the gradebook is not used here),
with a fresh state folder, twice (first start creates the hub's database). Then, one trainee after
another: logs in through the login form, starts their server, opens the course's landing page
(Voila, executed on the server) and then the first module page, as a browser would. Memory is
measured over every process of the trainee (their Jupyter server and its kernels): resident (RSS)
and unique (USS: what the trainee alone costs; shared libraries counted once). Baseline measured
in the same run: the hub and the proxy with nobody logged in.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "widgets"))

from mhkurs import hub  # noqa: E402
from mhkurs.bank.loader import get_bank  # noqa: E402

MIB = 1024 * 1024


def user_processes(name: str) -> list[psutil.Process]:
    """The trainee's Jupyter server and kernels: every process started with their JUPYTERHUB_USER."""
    out = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("JUPYTERHUB_USER") == name:
                out.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return out


def memory(procs: list[psutil.Process]) -> tuple[float, float]:
    rss = uss = 0
    for p in procs:
        try:
            info = p.memory_full_info()
            rss, uss = rss + info.rss, uss + info.uss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return rss / MIB, uss / MIB


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def start(settings: hub.HubSettings, log) -> tuple[object, float, float]:
    """Start the hub; wall seconds until it answers through the proxy, and CPU seconds it used."""
    t0 = time.monotonic()
    proc = hub.start_hub(settings, log)
    hub.wait_for_hub(settings, proc)
    wall = time.monotonic() - t0
    procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    return proc, wall, cpu_seconds(procs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trainees", type=int, default=3)
    args = ap.parse_args()
    names = tuple(f"deltaker{i}" for i in range(1, args.trainees + 1))
    module_page = "voila/render/" + sorted(get_bank().all("modules"), key=lambda m: m.number)[0].notebook

    with tempfile.TemporaryDirectory(prefix="mhkurs-hub-bench-") as tmp:
        settings = hub.HubSettings(state=Path(tmp) / "state", port=hub.free_port(), hub_port=hub.free_port(),
                                   proxy_api_port=hub.free_port(), learners=names)
        log = open(Path(tmp) / "hub.log", "w")  # noqa: SIM115
        hub.ensure_proxy()
        print(f"load average before: {' '.join(f'{x:.1f}' for x in psutil.getloadavg())} "
              f"({psutil.cpu_count()} cores; wall times grow with the load, CPU seconds do not)")
        proc, first, first_cpu = start(settings, log)
        hub.stop_hub(proc, state=settings.state)
        proc, second, second_cpu = start(settings, log)
        try:
            base_procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            base_rss, base_uss = memory(base_procs)
            print(f"hub start: {first:.1f} s (new state folder), {second:.1f} s (restart); "
                  f"CPU {first_cpu:.1f} s and {second_cpu:.1f} s")
            print(f"baseline: hub + proxy with nobody logged in: RSS {base_rss:.0f} MiB, USS {base_uss:.0f} MiB")
            accts = hub.accounts(settings.state, names, hub.TRIAL_INSTRUCTORS)["learners"]
            rows = []
            for name in names:
                u = hub.HubUser(settings.url, name, accts[name])
                t0 = time.monotonic()
                u.login()
                u.make_token()
                u.start_server()
                t_server = time.monotonic() - t0
                mem_server = memory(user_processes(name))
                page = u.http.get(settings.url + f"user/{name}/", timeout=300)
                page.raise_for_status()
                assert page.url.endswith(hub.LANDING_URL), page.url
                t_landing = time.monotonic() - t0
                procs = user_processes(name)
                cpu0 = cpu_seconds(procs)
                mem_landing = memory(procs)
                t1 = time.monotonic()
                u.http.get(settings.url + f"user/{name}/{module_page}", timeout=300).raise_for_status()
                t_module = time.monotonic() - t1
                procs = user_processes(name)
                mem_module = memory(procs)
                cpu_module = cpu_seconds(procs) - cpu0
                cpu_total = cpu_seconds(procs)
                rows.append((name, t_server, t_landing, t_module, mem_landing, mem_module, len(procs), cpu_module,
                             cpu_total))
                print(f"{name}: server ready {t_server:.1f} s, login→course page {t_landing:.1f} s, "
                      f"module page {t_module:.1f} s; memory: server alone RSS {mem_server[0]:.0f} / "
                      f"USS {mem_server[1]:.0f} MiB, with course page RSS {mem_landing[0]:.0f} / "
                      f"USS {mem_landing[1]:.0f} MiB, with course + module page RSS {mem_module[0]:.0f} / "
                      f"USS {mem_module[1]:.0f} MiB ({len(procs)} processes); CPU: module page {cpu_module:.1f} s, "
                      f"everything so far {cpu_total:.1f} s", flush=True)
            med = statistics.median
            landing = med(r[2] for r in rows)
            rss = med(r[5][0] for r in rows)
            uss = med(r[5][1] for r in rows)
            cpu_total = med(r[8] for r in rows)
            print(f"median: login→course page {landing:.1f} s; per trainee with two pages open RSS {rss:.0f} MiB, "
                  f"USS {uss:.0f} MiB; CPU to log in and open both pages {cpu_total:.1f} s")
            usable = 24 * 1024 - 2 * 1024 - base_rss  # 2 GiB for the system, then the hub and proxy
            print(f"24 GiB machine, 2 GiB kept for the system: {usable / uss:.0f} trainees by USS, "
                  f"{usable / rss:.0f} by RSS (an upper bound on what they share)")
            print(f"2 cores: {2 * 60 / cpu_total:.0f} trainees can log in and open their first pages per minute")
            print(f"load average after: {' '.join(f'{x:.1f}' for x in psutil.getloadavg())}")
        finally:
            hub.stop_hub(proc, state=settings.state)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
