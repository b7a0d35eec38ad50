"""Voila started as a real server, driven by Debian's chromium through Playwright."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from mhkurs.bank import get_bank
from mhkurs.bank.loader import REPO_ROOT
from mhkurs.cli import LANDING, RECORD_PAGES, build_site, voila_command, voila_env

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One test client opens more course pages than one learner may hold at once (the kernel caps).
TEST_LIMITS = ["--CourseVoila.max_kernels_per_client=200"]


def start_voila(tmp_path_factory, limits: list[str] | None = None, **env_extra):
    """Start Voila as ``mhkurs serve`` does (site folder, voila.json, template); yield its base URL."""
    port = free_port()
    env = voila_env()
    env["MHKURS_PROGRESS_FILE"] = str(tmp_path_factory.mktemp("progress") / "progress.json")
    env.update(env_extra)
    for name in [k for k, v in env_extra.items() if v is None]:  # None: not set at all
        del env[name]
    site = build_site(tmp_path_factory.mktemp("site"))
    log = open(tmp_path_factory.mktemp("log") / "voila.log", "w")
    proc = subprocess.Popen(voila_command("127.0.0.1", port, site, limits=TEST_LIMITS if limits is None else limits),
                            cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/voila/render/{LANDING}", timeout=30) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"Voila did not start; see {log.name}")
        time.sleep(0.5)
    return proc, base, Path(log.name)


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server(course_server):
    """The session's course server (tests/conftest.py), its pool full: each browser context is a new learner."""
    course_server.wait_for_full_pool()
    return course_server.base


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: scripts/test installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# Every violation of the pages' Content-Security-Policy (mhkurs.serving.security), as the page sees it: the event,
# written to the console, where Chromium also reports what it refused.
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => console.error(
  "Content Security Policy violation: " + e.violatedDirective + " " + (e.blockedURI || "inline")));"""


def watch_csp(pg) -> list[str]:
    """The page's Content-Security-Policy violations, collected from now on (the list grows)."""
    seen: list[str] = []
    pg.add_init_script(CSP_WATCH)
    pg.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    return seen


@pytest.fixture
def page(browser, server):
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.requested = []
    pg.on("request", lambda req: pg.requested.append(req.url))
    violations = watch_csp(pg)
    yield pg
    context.close()
    assert violations == [], f"the page broke its Content-Security-Policy: {violations}"


def wait_for_widgets(page) -> None:
    page.wait_for_selector(".mh-content, .mh-exercise, .mh-landing", state="attached")
    page.wait_for_function("() => !document.querySelector('#loading') || "
                           "getComputedStyle(document.querySelector('#loading')).display === 'none'")
    # every widget output has its widget drawn (reading text is in the HTML from the start), and on the landing
    # page the learner's progress (read from their record) has taken the plain course map's place
    page.wait_for_function("() => [...document.querySelectorAll('.mh-slot')].every(s => s.querySelector('.jupyter-widgets'))"
                           " && (!document.querySelector('.mh-course-map') || document.querySelector('.mh-course-map').hidden)")


def test_landing_to_module_and_play_a_court_case_to_its_debrief(page, server):
    page.goto(f"{server}/voila/render/{LANDING}")
    wait_for_widgets(page)
    assert page.evaluate("document.documentElement.lang") == "nb"
    assert "Menneskehandel" in page.title()
    page.get_by_role("link", name="Modul 1: Hva er menneskehandel?").click()
    page.wait_for_url("**/modules/01-hva-er-menneskehandel.ipynb")
    page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise").wait_for()
    page.get_by_role("button", name="Ta henne med til et eget rom, og be om en kvalifisert tolk.").click()
    page.get_by_text("✔ God handling.").first.wait_for()
    page.get_by_role("button", name="Mulig menneskehandel: en annen styrer reisen, og hun er redd.").click()
    page.get_by_role("button", name="Fortell om hjelp og ROSA, og gi saken til menneskehandelsgruppa.").click()
    debrief = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    debrief.get_by_text("Oppsummering").wait_for()
    text = debrief.inner_text()
    assert "Klassifisering: Menneskehandel" in text
    assert "Dine valg: 6 av 6 poeng." in text
    assert "straffeloven 1902 § 224" in text
    assert "Gjennomgang av valgene dine" in text and "også om hun ikke vil anmelde nå" in text


def test_duty_navigator_by_clicking(page, server):
    page.goto(f"{server}/voila/render/modules/07-plikter.ipynb")
    wait_for_widgets(page)
    nav = page.locator(".mh-navigator")
    nav.get_by_text("I en veikontroll stopper du en minibuss").wait_for()  # the first situation
    nav.get_by_role("radio", name="Politiet", exact=True).check()
    yes = nav.get_by_role("radio", name="Ja", exact=True)
    no = nav.get_by_role("radio", name="Nei", exact=True)
    yes.nth(5).wait_for()
    assert yes.count() == 6  # nothing is answered for the learner, and no reception-centre question for police
    for radio in (yes.nth(0), no.nth(1), no.nth(2), no.nth(3), yes.nth(4), no.nth(5)):
        radio.check()  # mistanke, mindreårig, barn, akutt fare, helsehjelp (legevakten), grov
    nav.get_by_role("checkbox", name="Plikt til å legge til rette for identifisering").check()
    nav.get_by_role("button", name="Vis pliktene").click()
    nav.get_by_text("Du har 10 av 11 riktig.").wait_for()
    text = nav.inner_text()
    assert "Politiet: vurdere etterforsking: gjelder for deg her" in text
    assert "Informere UDIs regionale enhet (asylmottak): gjelder ikke for deg" in text
    assert "116 117" in text and "22 33 11 60" in text


@pytest.mark.parametrize("notebook", [m.notebook for m in sorted(get_bank().all("modules"), key=lambda m: m.number)]
                         + [LANDING] + RECORD_PAGES)
def test_pages_show_no_code_no_traceback_and_fetch_only_from_the_course_server(page, server, notebook):
    page.goto(f"{server}/voila/render/{notebook}")
    wait_for_widgets(page)
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    # no traceback, no upstream error widget («Click to show javascript error»), in any case of the words
    assert not re.search(r"traceback|error|javascript", body, re.I), body[:300]
    # every widget of the page is one the course's front end has (a class it lacks would be listed here)
    assert page.evaluate("window.mhFrontEnd.failures") == []
    assert page.evaluate("document.documentElement.dataset.mhFrontEnd") == "ready"
    assert page.locator(".mh-widget-failed, .mh-slot-failed").count() == 0
    assert "from mhkurs" not in body and "show_" not in body
    assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor").count() == 0
    hosts = {urlparse(u).hostname for u in page.requested if u.startswith("http")}
    assert hosts == {"127.0.0.1"}, hosts
    assert page.evaluate("document.documentElement.lang") == "nb"


def test_voila_refuses_code_sent_over_the_kernel_websocket(server, tmp_path):
    """A learner's browser may only talk widgets to the kernel: an execute_request is not run."""
    import asyncio
    import json
    import re
    import uuid

    from tornado.websocket import websocket_connect

    with urllib.request.urlopen(f"{server}/voila/render/{LANDING}", timeout=60) as r:
        html = r.read().decode()
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', html).group(1)
    marker = tmp_path / "executed"
    session = uuid.uuid4().hex

    def message(msg_type, content, channel="shell"):
        return json.dumps({
            "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "test", "session": session,
                       "date": "2026-01-01T00:00:00Z", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []})

    async def attack() -> list[str]:
        ws_url = server.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?session_id={session}"
        conn = await websocket_connect(ws_url)
        code = f"open({str(marker)!r}, 'w').write('x')"
        await conn.write_message(message("execute_request", {"code": code, "silent": False, "store_history": False,
                                                             "user_expressions": {}, "allow_stdin": False}))
        await conn.write_message(message("kernel_info_request", {}))
        seen = []
        deadline = asyncio.get_event_loop().time() + 15
        while asyncio.get_event_loop().time() < deadline:
            try:
                raw = await asyncio.wait_for(conn.read_message(), timeout=2)
            except asyncio.TimeoutError:
                continue
            if raw is None:
                break
            if isinstance(raw, str):
                msg = json.loads(raw)
                seen.append(msg["header"]["msg_type"])
                if msg["header"]["msg_type"] == "kernel_info_reply":
                    await asyncio.sleep(2)  # give a (wrongly) accepted execute_request time to run
                    break
        conn.close()
        return seen

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps an event loop in this thread
        seen = pool.submit(lambda: asyncio.run(attack())).result()
    assert not marker.exists(), "the kernel ran code sent from the browser"
    assert "kernel_info_reply" in seen, f"the websocket never reached the kernel: {seen}"
    assert "execute_reply" not in seen


def test_only_course_pages_are_served(server):
    """The nbgrader sources (solutions, rubrics) and the rest of the repository are not reachable."""
    for path in ("assessments/source/a1-begreper/a1-begreper.ipynb", "README.md", "course/content/questions.yaml"):
        for prefix in ("/voila/render/", "/voila/files/", "/voila/tree/"):
            try:
                with urllib.request.urlopen(f"{server}{prefix}{path}", timeout=30) as r:
                    status, body = r.status, r.read().decode(errors="replace")
            except urllib.error.HTTPError as err:
                status, body = err.code, ""
            assert status in (403, 404), (prefix + path, status)
            assert "Vurderingskriterier" not in body
    with urllib.request.urlopen(f"{server}/voila/tree", timeout=30) as r:
        tree = r.read().decode()
    assert "assessments" not in tree


def test_a_failing_page_shows_a_friendly_message_not_a_traceback(browser, tmp_path_factory):
    broken = tmp_path_factory.mktemp("broken") / "content"
    shutil.copytree(REPO_ROOT / "course" / "content", broken)
    (broken / "myths.yaml").write_text("myths:\n  - id: [oops\n", encoding="utf-8")
    # Only the page opened here gets a pooled kernel (as every module page does when served): a full pool of
    # failing module pages would only make the start slow.
    only_05 = ["--VoilaKernelManager.preheat_denylist=^(?!.*05-myter)"]
    proc, base, log = start_voila(tmp_path_factory, limits=TEST_LIMITS + only_05, MHKURS_CONTENT=str(broken))
    try:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{base}/voila/render/modules/05-myter.ipynb")
        alert = page.get_by_role("alert").first
        alert.wait_for()
        assert "Siden kunne ikke vises helt" in alert.inner_text()
        body = page.inner_text("body")
        for leak in ("Traceback", "Error", "BankError", "There was an error", "show_tracebacks", "myths.yaml"):
            assert leak not in body, leak
        alert.get_by_role("link", name="kursets forside").click()
        page.wait_for_url("**/voila/render/course/index.ipynb")
        context.close()
    finally:
        stop(proc)
    assert "myths.yaml" in log.read_text()  # the operator finds the real problem in the server log


def test_a_scenario_can_be_played_with_the_keyboard_alone(page, server):
    page.goto(f"{server}/voila/render/modules/01-hva-er-menneskehandel.ipynb")
    wait_for_widgets(page)
    target = "Ta henne med til et eget rom, og be om en kvalifisert tolk."
    page.get_by_role("button", name=target).wait_for()
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.innerText") == target:
            break
    else:
        pytest.fail("the scenario's choice cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    page.get_by_text("✔ God handling.").first.wait_for()
