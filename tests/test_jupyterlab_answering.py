"""A graded assignment answered by clicking in a real JupyterLab page (Debian's chromium).

The released notebook is opened in JupyterLab (and once in Notebook 7, 390 px wide) as a trainee
opens it: Run All Cells shows the buttons, a click on an option and on a checkbox writes the answer
file beside the notebook, a stray «d d» does not delete an answer cell, and after saving and
reloading the page the buttons show what was clicked. The grading of clicked answers is tested in ``test_assessments.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_assessments import nbgrader
from test_browser import CHROMIUM, CHROMIUM_ARGS

from mhkurs.assess.answers import ANSWER_FILE
from mhkurs.bank.loader import REPO_ROOT

A = "a1-begreper"
pytestmark = [pytest.mark.browser, pytest.mark.nbgrader]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a trainee's folder with the released assignment."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(REPO_ROOT / "assessments" / "nbgrader_config.py", course)
    shutil.copytree(REPO_ROOT / "assessments" / "source" / A, course / "source" / A)
    nbgrader(course, "generate_assignment", A)
    home = tmp_path_factory.mktemp("trainee")
    shutil.copytree(course / "release" / A, home / A)
    port = _free_port()
    bindir = Path(sys.executable).parent
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_RUNTIME_DIR=str(home / ".runtime"),
               PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    log = open(home / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(bindir / "jupyter-lab"), "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={home}",
         f"--LabApp.workspaces_dir={home / '.workspaces'}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError((home / "lab.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/{A}/{A}.ipynb", "folder": home / A}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _run_all(page, lab_ui: bool = True) -> None:
    """Run → Run All Cells, until the helper cell has run (a busy machine may need a second try:
    JupyterLab can take the first click before its kernel session is ready, or ask for a kernel)."""
    if lab_ui:  # Notebook 7 has no execution indicator; cells run all the same once queued
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    ran = "[...document.querySelectorAll('.jp-OutputArea-output')].some(e => e.textContent.includes('Klar. Gå videre'))"
    for attempt in range(3):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_selector(".jp-Dialog button.jp-mod-accept", timeout=5_000)
            page.locator(".jp-Dialog button.jp-mod-accept").click()  # «Select Kernel»: Python 3 is chosen
        except Exception:  # noqa: BLE001 - no dialog: nothing to accept
            pass
        try:
            page.wait_for_function(ran, timeout=60_000)
            break
        except Exception:  # noqa: BLE001 - not started: try the menu again
            if attempt == 2:
                page.screenshot(path=os.environ.get("MHKURS_SHOT", "/tmp/mhkurs-lab-failure.png"))
                raise
    page.wait_for_function("document.querySelectorAll('.mhkurs-valg').length >= 12", timeout=180_000)


def _answer_file(folder: Path, wanted: dict) -> dict:
    """The answer file once it holds ``wanted`` (written by the kernel after the click)."""
    path = folder / ANSWER_FILE.format(assignment=A)
    deadline = time.monotonic() + 60
    while True:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if all(data.get("svar", {}).get(k) == v for k, v in wanted.items()) or time.monotonic() > deadline:
            return data
        time.sleep(0.2)


def test_clicking_in_jupyterlab_saves_the_answer_and_shows_it_after_a_reload(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(lab["url"])
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            _run_all(page)
            single = page.locator(".mhkurs-valg").first  # question 1: one option
            single.scroll_into_view_if_needed()
            single.locator("label", has_text="B –").click()
            page.wait_for_function(
                "[...document.querySelectorAll('.widget-html-content')].some(e => e.textContent.includes('Lagret: B.'))",
                timeout=60_000)
            multi = page.locator(".mhkurs-valg-alternativ")  # the first multiple-choice question
            multi.nth(0).locator("input").check()
            multi.nth(2).locator("input").check()
            clicked = {"g-elementer-handling": ["B"], "g-prostitusjon-lov": ["A", "C"]}  # questions 1 and 5
            assert _answer_file(lab["folder"], clicked)["svar"] == clicked

            # A stray «d d» in command mode on an answer cell does not delete it (nbgrader marks it).
            cells = page.locator(".jp-Notebook .jp-Cell").count()
            answer_cell = page.locator(".jp-Notebook .jp-Cell").nth(3)
            answer_cell.locator(".jp-InputPrompt").click()
            page.keyboard.press("Escape")
            page.keyboard.press("d")
            page.keyboard.press("d")
            assert page.locator(".jp-Notebook .jp-Cell").count() == cells

            page.keyboard.press("Control+s")
            page.wait_for_selector(".jp-mod-dirty", state="detached", timeout=30_000)
            page.reload()
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            _run_all(page)
            checked = page.evaluate(
                "document.querySelector('.mhkurs-valg input:checked')?.closest('label')?.textContent")
            assert checked.strip().startswith("B –")
        finally:
            browser.close()


def test_clicking_in_notebook_7_saves_the_answer(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # Notebook 7 on a phone
            page.goto(lab["url"].replace("/lab/tree/", "/notebooks/"))
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            _run_all(page, lab_ui=False)
            second = page.locator(".mhkurs-valg").nth(1)  # question 2
            second.scroll_into_view_if_needed()
            second.locator("label", has_text="C –").click()
            assert _answer_file(lab["folder"], {"g-smugling-ankomst": ["C"]})["svar"]["g-smugling-ankomst"] == ["C"]
        finally:
            browser.close()
