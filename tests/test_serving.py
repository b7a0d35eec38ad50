"""Kernel caps and the overload page: the gate's rules in plain pytest, then a flood against a real server."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from mhkurs.bank.loader import REPO_ROOT
from mhkurs.cli import LANDING, build_site, voila_command, voila_env
from mhkurs.serving.gate import KernelGate, Limits
from test_browser import browser, free_port, stop, wait_for_widgets  # noqa: F401 (browser is a fixture)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def gate(max_kernels=5, per_client=2, timeout=60.0) -> tuple[KernelGate, Clock]:
    clock = Clock()
    return KernelGate(Limits(max_kernels=max_kernels, per_client=per_client, unconnected_timeout=timeout),
                      clock=clock), clock


def test_limits_from_memory_use_the_planned_kernel_size():
    assert Limits.from_memory(8000).max_kernels == 100
    assert Limits.from_memory(50).max_kernels == 1


def test_one_client_gets_429_past_its_share_and_others_still_get_in():
    g, _ = gate(max_kernels=10, per_client=2)
    live: set[str] = set()
    for n in range(2):
        assert g.admit("10.0.0.1", live) is None
        g.done("10.0.0.1", f"k{n}")
        live.add(f"k{n}")
    refusal = g.admit("10.0.0.1", live)
    assert refusal is not None and refusal.status == 429 and refusal.retry_after == 30
    assert g.admit("10.0.0.2", live) is None


def test_renders_still_starting_count_against_the_caps():
    g, _ = gate(max_kernels=3, per_client=5)
    assert g.admit("a", {"pool"}) is None
    assert g.admit("b", {"pool"}) is None
    refusal = g.admit("c", {"pool"})  # 1 live + 2 starting = the cap
    assert refusal is not None and refusal.status == 503
    g.done("a", None)  # a render that failed gives its place back
    assert g.admit("c", {"pool"}) is None


def test_a_full_server_answers_503_until_a_kernel_goes():
    g, _ = gate(max_kernels=2, per_client=5)
    assert g.admit("a", set()) is None
    g.done("a", "k1")
    assert g.admit("b", {"k1"}) is None
    g.done("b", "k2")
    assert g.admit("c", {"k1", "k2"}).status == 503
    assert g.admit("c", {"k2"}) is None  # k1 shut down: room again
    assert g.refused == 1


def test_only_kernels_no_browser_connected_to_are_culled_after_the_timeout():
    g, clock = gate(timeout=60)
    for client, kernel in [("a", "open"), ("b", "abandoned")]:
        g.admit(client, set())
        g.done(client, kernel)
    live = {"open", "abandoned", "pool-kernel"}
    g.saw_connection("open")
    clock.now += 59
    assert g.unused(live) == []
    clock.now += 1
    assert g.unused(live) == ["abandoned"]  # never the pool's kernel, never an open page
    g.forget_dead({"open", "pool-kernel"})
    assert "abandoned" not in g.owners


def test_a_learners_closed_page_makes_room_for_their_next_page():
    g, clock = gate(max_kernels=10, per_client=2)
    live: set[str] = set()
    for kernel in ("first", "second"):
        g.admit("a", live)
        g.done("a", kernel)
        live.add(kernel)
        clock.now += 1
    g.saw_connection("first")
    g.saw_connection("second")
    assert g.closed_page_of("a", connected_now={"first", "second"}) is None  # both pages still open
    assert g.closed_page_of("a", connected_now={"second"}) == "first"
    assert g.closed_page_of("b", connected_now=set()) is None
    g.admit("c", live)
    g.done("c", "never-opened")
    assert g.closed_page_of("c", connected_now=set()) is None  # only pages a browser had open and closed


# --- a real server under a flood -------------------------------------------------------------

POOL = 10  # one preheated kernel per module page and the landing page (voila.json)
CAP = POOL + 6


def kernels_of(proc) -> int:
    out = subprocess.run(["ps", "-o", "args=", "--ppid", str(proc.pid)], capture_output=True, text=True).stdout
    return sum("ipykernel_launcher" in line for line in out.splitlines())


def children(proc) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def get(url: str, client: str | None = None) -> tuple[int, dict, str]:
    req = urllib.request.Request(url, headers={"X-Real-IP": client} if client else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory):
    port = free_port()
    site = build_site(tmp_path_factory.mktemp("site"))
    log_path = tmp_path_factory.mktemp("log") / "voila.log"
    limits = [f"--CourseVoila.max_kernels={CAP}", "--CourseVoila.max_kernels_per_client=3",
              "--CourseVoila.unconnected_timeout=6", "--CourseVoila.trust_forwarded_for=True"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(voila_command("127.0.0.1", port, site, limits=limits), cwd=REPO_ROOT,
                                env=voila_env(), stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while kernels_of(proc) < POOL or get(f"{base}/voila/render/{LANDING}")[0] != 200:
        if time.time() > deadline or proc.poll() is not None:
            stop(proc)
            pytest.fail(f"the capped server did not start; see {log_path}")
        time.sleep(1)
    while kernels_of(proc) > POOL and time.time() < deadline:  # the probes' own pages, never opened, go
        time.sleep(1)
    yield proc, base, log_path
    kernels = children(proc)
    stop(proc)
    assert proc.poll() is not None
    deadline = time.time() + 20
    while any(alive(pid) for pid in kernels) and time.time() < deadline:
        time.sleep(0.5)
    assert not [pid for pid in kernels if alive(pid)], "kernels outlived their server"


@pytest.mark.browser
def test_a_flood_stays_within_the_cap_and_a_learner_on_a_page_keeps_working(capped_server, browser):
    proc, base, log_path = capped_server
    module = f"{base}/voila/render/modules/01-hva-er-menneskehandel.ipynb"
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto(module)
    wait_for_widgets(page)

    # One client asking for page after page: 3 pages, then 429.
    one_client = [get(module, "10.9.9.9") for _ in range(6)]
    assert [s for s, _h, _b in one_client] == [200, 200, 200, 429, 429, 429]
    # Many clients at once: the server fills up to its cap, then answers 503.
    with ThreadPoolExecutor(8) as pool:
        flood = list(pool.map(lambda n: get(module, f"10.0.{n}.1"), range(24)))
    statuses = [s for s, _h, _b in flood]
    assert statuses.count(503) >= 24 - CAP and set(statuses) <= {200, 503}
    status, headers, body = next(r for r in flood if r[0] == 503)
    assert headers["Retry-After"] == "30"
    assert "Kurset har mange besøkende akkurat nå – prøv igjen om litt" in body and "Traceback" not in body
    assert kernels_of(proc) <= CAP

    # The learner who was already on the page clicks and gets an answer from the kernel.
    exercise = page.locator(".mh-exercise").first
    before = exercise.inner_text()
    exercise.locator("button").first.click()
    page.wait_for_function("([el, before]) => el.innerText !== before", arg=[exercise.element_handle(), before])

    # Kernels of the flood's pages, which no browser opened, are shut down after the short timeout.
    deadline = time.time() + 40
    while kernels_of(proc) > POOL + 1 and time.time() < deadline:
        time.sleep(1)
    assert kernels_of(proc) == POOL + 1  # the pool and the learner's page
    assert get(module, "10.9.9.9")[0] == 200  # room again
    # A learner who moves on from tab to tab past the per-client cap is not refused, even when the closed tabs
    # never told the server (a crash, a lost connection; the page's "pagehide" beacon, which Chromium sends when
    # Playwright closes a tab, is silenced here to be such a page): the kernels of the pages they left make room.
    for n in ("02-menneskehandel-eller-smugling", "03-arbeidsliv", "04-prostitusjon"):
        tab = context.new_page()
        tab.set_default_timeout(180_000)
        response = tab.goto(f"{base}/voila/render/modules/{n}.ipynb")
        assert response.status == 200, n
        wait_for_widgets(tab)
        page.evaluate("() => { navigator.sendBeacon = () => true; }")
        page.close()
        page = tab
    log = log_path.read_text()
    assert "of a closed page to make room for 127.0.0.1" in log
    # A page left the normal way tells the server, which shuts its kernel down at once, not at the idle cull.
    kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    assert get(f"{base}/api/kernels/{kernel_id}")[0] == 200
    page.goto(f"{base}/voila/render/modules/05-myter.ipynb")
    deadline = time.time() + 30
    while get(f"{base}/api/kernels/{kernel_id}")[0] == 200 and time.time() < deadline:
        time.sleep(0.5)
    assert get(f"{base}/api/kernels/{kernel_id}")[0] == 404
    assert "_xsrf' argument missing" not in log_path.read_text()
    assert "refused a page for 10.9.9.9 with 429" in log and "with 503" in log
    assert "no browser connected within 6 s" in log
    context.close()
