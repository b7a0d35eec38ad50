"""Two course servers behind a real nginx: sticky sessions, a replica that stops, compression and caching."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request

import pytest

from mhkurs.bank.loader import REPO_ROOT
from mhkurs.cli import build_site, voila_command, voila_env
from mhkurs.serving.proxy import COOKIE, nginx_conf
from test_browser import browser, free_port, stop, wait_for_widgets  # noqa: F401 (browser is a fixture)

pytestmark = pytest.mark.browser
MODULE = "voila/render/modules/01-hva-er-menneskehandel.ipynb"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def wait_http(url: str, proc, what: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            pytest.fail(f"{what} did not start")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.fail("Debian's nginx is missing: scripts/test installs it (apt-get install nginx-light)")
    site = build_site(tmp_path_factory.mktemp("site"))
    procs: dict[str, subprocess.Popen] = {}
    ports = {}
    logs = tmp_path_factory.mktemp("logs")
    for name in ("a", "b"):
        ports[name] = free_port()
        with open(logs / f"{name}.log", "w") as log:
            procs[name] = subprocess.Popen(
                voila_command("127.0.0.1", ports[name], site, preheat=False,
                              limits=["--CourseVoila.trust_forwarded_for=True"]),
                cwd=REPO_ROOT, env=voila_env(), stdout=log, stderr=log)
    prefix = tmp_path_factory.mktemp("nginx")
    listen = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf({n: f"127.0.0.1:{p}" for n, p in ports.items()}, f"127.0.0.1:{listen}", prefix,
                               user="root" if os.geteuid() == 0 else None))
    with open(logs / "nginx.log", "w") as log:
        procs["nginx"] = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
                                          stdout=log, stderr=log)
    try:
        for name in ("a", "b"):
            wait_http(f"http://127.0.0.1:{ports[name]}/{MODULE}", procs[name], f"course server {name}")
        wait_http(f"http://127.0.0.1:{listen}/{MODULE}", procs["nginx"], "nginx")
        yield procs, f"http://127.0.0.1:{listen}"
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                stop(proc)
    assert all(p.poll() is not None for p in procs.values())


def click_and_wait_for_feedback(page) -> None:
    """Click the first exercise's first button until its text changes. Once in the full suite (busy machine) a
    click right after a reload onto the other server was never answered; a trainee clicks again, and so does
    the test (at most three clicks, a minute each), so a server that never answers still fails it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    exercise = page.locator(".mh-exercise").first
    before = exercise.inner_text()
    for attempt in range(3):
        exercise.locator("button").first.click()
        try:
            page.wait_for_function("([el, before]) => el.innerText !== before", arg=[exercise.element_handle(), before],
                                   timeout=60_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def replica_of(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == COOKIE)


def test_learners_stay_on_their_server_and_one_server_stopping_leaves_the_others_working(replicas, browser):
    procs, base = replicas
    learners: dict[str, tuple] = {}
    contexts = []
    for _ in range(8):  # new visitors are spread over the servers; keep one learner on each
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(f"{base}/{MODULE}")
        wait_for_widgets(page)
        learners.setdefault(replica_of(context), (context, page))
        if len(learners) == 2:
            break
    assert set(learners) == {"a", "b"}
    for context, page in learners.values():
        click_and_wait_for_feedback(page)  # the websocket reached the server that holds the kernel
        assert replica_of(context) in ("a", "b")

    stop(procs["a"])
    context_b, page_b = learners["b"]
    click_and_wait_for_feedback(page_b)  # the learner on the other server does not notice
    assert replica_of(context_b) == "b"
    context_a, page_a = learners["a"]
    page_a.reload()  # the learner whose server stopped reloads and goes on, on the other server
    wait_for_widgets(page_a)
    click_and_wait_for_feedback(page_a)
    assert replica_of(context_a) == "b"
    for context in contexts:
        context.close()


def test_the_proxy_compresses_the_front_end_and_lets_browsers_cache_hashed_files(replicas):
    _procs, base = replicas
    with urllib.request.urlopen(f"{base}/{MODULE}") as r:
        html = r.read().decode()
    css = next(part.split('"')[0] for part in html.split('href="')[1:] if "/static/index.css?v=" in part)
    req = urllib.request.Request(f"{base}{css}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        assert "immutable" in r.headers["Cache-Control"]
    req = urllib.request.Request(f"{base}/voila/static/voila.js", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        assert r.headers["Cache-Control"] == "public, max-age=600"  # not hashed: revalidated after 10 min
