"""The SCORM 1.2 package from `mhkurs scorm` under a real SCORM 1.2 runtime in Chromium: scorm-again's Scorm12API
(npm, pinned in tests/scorm/package.json) as window.API in a test LMS page on one origin (http://localhost:…),
which frames the package's launch page as Moodle and Canvas do; the launch page frames the course served on
another origin (the session's course server, http://127.0.0.1:…). A learner launches, plays, takes the
post-test and closes; relaunched in a fresh browser profile, the progress comes back from the suspend_data the
LMS kept, and the LMS has the completion and the score."""

from __future__ import annotations

import json
import re
import threading
import time
import zipfile
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mhkurs.bank import get_bank
from mhkurs.bank.loader import REPO_ROOT
from mhkurs.record import course_test
from mhkurs.scorm import build
from test_browser import wait_for_widgets
from test_record_browser import FIRST_CHOICE, answer_quiz, chromium  # noqa: F401  (chromium: the shared fixture)

pytestmark = pytest.mark.browser

LMS_DIR = REPO_ROOT / "tests" / "scorm"
RUNTIME = LMS_DIR / "node_modules" / "scorm-again" / "dist" / "scorm12.min.js"


class FakeLMS:
    """The LMS's server side: serves the LMS page, scorm-again and the unpacked package, and keeps each learner's
    SCORM data (what the LMS page sends after LMSCommit and LMSFinish)."""

    def __init__(self, package: Path):
        self.package = package
        self.kept: dict[str, dict] = {}
        self.commits: list[dict] = []
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, body: bytes, kind: str, status: int = 200) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                files = {"/lms.html": LMS_DIR / "lms.html", "/scorm12.min.js": RUNTIME}
                if url.path == "/state":
                    learner = parse_qs(url.query).get("learner", [""])[0]
                    return self.reply(json.dumps(lms.kept.get(learner, {})).encode(), "application/json")
                if url.path.startswith("/package/"):
                    path = (lms.package / url.path[len("/package/"):]).resolve()
                    if path.is_file() and lms.package in path.parents:
                        files[url.path] = path
                path = files.get(url.path)
                if path is None:
                    return self.reply(b"not found", "text/plain", 404)
                kind = {".html": "text/html; charset=utf-8", ".js": "text/javascript"}.get(path.suffix, "text/plain")
                self.reply(path.read_bytes(), kind)

            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                lms.commits.append(data)
                lms.kept[data["learner"]] = data
                self.reply(b"{}", "application/json")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://localhost:{self.httpd.server_address[1]}"  # another origin (and site) than the course
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for(self, learner: str, check, timeout: float = 30) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            kept = self.kept.get(learner)
            if kept and check(kept):
                return kept
            time.sleep(0.1)
        pytest.fail(f"the LMS did not get what was expected for {learner}: {self.kept.get(learner)}")


@pytest.fixture(scope="module")
def lms(course_server, tmp_path_factory):
    if not RUNTIME.exists():
        pytest.fail("scorm-again is not installed: run `npm ci` in tests/scorm (scripts/test does)")
    course_server.wait_for_full_pool()
    folder = tmp_path_factory.mktemp("scorm")
    package = build(course_server.base + "/", folder / "mhkurs-scorm.zip")
    unpacked = folder / "package"
    with zipfile.ZipFile(package) as z:
        z.extractall(unpacked)
    server = FakeLMS(unpacked.resolve())
    yield server
    server.httpd.shutdown()


def launch(context, lms: FakeLMS, learner: str):
    """The LMS page with the package launched; returns (page, the course's frame) once the record is read."""
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{lms.base}/lms.html?learner={learner}")
    page.wait_for_function("() => { const f = document.getElementById('sco'); const d = f && f.contentDocument;"
                           " return d && d.getElementById('mh-course') && d.getElementById('mh-course').src; }")
    course = page.frame_locator("#sco").frame_locator("#mh-course").locator("body")
    course.wait_for(state="attached")
    deadline = time.time() + 60
    while not (found := [f for f in page.frames if f.url.startswith("http://127.0.0.1")]):
        assert time.time() < deadline, [f.url for f in page.frames]
        page.wait_for_timeout(100)  # the course frame is attached before it has its address
    frame = found[0]
    settle(frame)
    return page, frame


def browser_record(frame):
    """The record as the browser keeps it outside an LMS (localStorage); a private window of Chromium allows no
    storage at all in a frame of another site."""
    return frame.evaluate("() => { try { return localStorage.getItem('mhkurs-record-v1'); } catch (e) { return 'no storage'; } }")


def settle(frame) -> None:
    wait_for_widgets(frame)
    frame.locator(".mh-waiting").first.wait_for(state="detached")  # the record has come from the LMS


def shown_post_test(frame):
    """The post-test as this learner meets it: forms A and B are counterbalanced per learner, so the form is
    the one whose first question the page shows."""
    bank = get_bank()
    post = course_test.course_tests(bank)["post"]
    first = " ".join(frame.locator(".mh-question").first.inner_text().split())
    for form in course_test.forms(bank).values() or [post]:
        prompt = " ".join(str(bank.question(form.questions[0]).prompt).split())
        if prompt[:60] in first:
            return post.model_copy(update={"questions": list(form.questions)})
    raise AssertionError(f"the page shows neither form of the post-test: {first[:200]}")


def take_post_test(frame, right: bool):
    bank = get_bank()
    post = shown_post_test(frame)
    rows = frame.locator(".mh-question")
    for n, qid in enumerate(post.questions):
        q = bank.question(qid)
        ids = [o.id for o in q.options]
        picks = [ids.index(a) for a in q.answer] if right else [len(ids) - 1]
        for i in picks:
            rows.nth(n).locator("input").nth(i).check()
    frame.get_by_role("button", name="Lever testen").click()
    return post


def test_the_package_in_an_lms_keeps_progress_status_and_score_and_brings_them_to_another_browser(lms, chromium, tmp_path):
    bank = get_bank()
    first = chromium.new_context(viewport={"width": 1280, "height": 900})
    page, frame = launch(first, lms, "anna")
    assert page.evaluate("API.cmi.core.lesson_status") == "incomplete"  # the launch page said it has begun
    frame.get_by_text("Fremdriften din lagres i læringsplattformen").wait_for()
    page.screenshot(path=str(tmp_path / "lms-landing-1280.png"))

    frame.get_by_role("link", name="Modul 1: Hva er menneskehandel?").first.click()
    settle(frame)
    frame.get_by_role("button", name=FIRST_CHOICE).click()
    frame.get_by_text("✔ God handling.").first.wait_for()
    answer_quiz(frame)
    frame.locator(".mh-progress").get_by_text("Test deg selv: ✔ ferdig").wait_for()
    kept = lms.wait_for("anna", lambda k: k["suspend_data"].startswith("mh1:") and len(lms.commits) >= 3)
    assert kept["lesson_status"] == "incomplete" and kept["score_raw"] == ""
    assert browser_record(frame) in (None, "no storage")  # in the LMS, the LMS keeps the record

    frame.evaluate("location.href = new URL('../course/sluttest.ipynb', location.href).href")
    frame.wait_for_url(re.compile(r".*/course/sluttest\.ipynb"))
    settle(frame)
    post = take_post_test(frame, right=False)
    frame.get_by_text("Du har ikke bestått").first.wait_for()
    failed = lms.wait_for("anna", lambda k: k["lesson_status"] == "failed")
    wrong = course_test.score(bank, post, {q: [bank.question(q).options[-1].id] for q in post.questions})
    assert failed["score_raw"] == str(wrong["percent"])
    frame.get_by_role("button", name="Ta testen på nytt").click()
    take_post_test(frame, right=True)
    frame.get_by_text("Du har bestått sluttesten").first.wait_for()
    # the post-test passed, but modules are left: not yet passed in the LMS (as for the certificate), best score kept
    kept = lms.wait_for("anna", lambda k: k["score_raw"] == "100")
    assert kept["lesson_status"] == "incomplete" and len(kept["suspend_data"]) <= 4096

    # a message from anything but the course's frame and origin is ignored by the launch page
    page.evaluate("document.getElementById('sco').contentWindow.postMessage("
                  "{mhkurs: 'save', suspend_data: '', lesson_status: 'failed', score: 0}, '*')")
    page.wait_for_timeout(300)
    assert page.evaluate("API.cmi.core.lesson_status") == "incomplete"
    assert page.evaluate("API.cmi.suspend_data") == kept["suspend_data"]

    page.goto("about:blank")  # the learner leaves the LMS page: the launch page finishes the session
    done = lms.wait_for("anna", lambda k: k["finished"])
    assert done["exit"] == "suspend" and re.fullmatch(r"\d{2,4}:\d\d:\d\d(\.\d\d?)?", done["session_time"])
    assert done["lesson_status"] == "incomplete" and done["score_raw"] == "100"
    first.close()

    again = chromium.new_context(viewport={"width": 390, "height": 844})  # another browser: nothing of anna's in it
    page, frame = launch(again, lms, "anna")
    assert page.evaluate("API.cmi.core.entry") == "resume"
    text = frame.locator(".mh-landing").inner_text()
    assert "Fremdrift: 1 av" in text and "bestått" in text
    page.screenshot(path=str(tmp_path / "lms-landing-390.png"))
    frame.locator(".mh-my-data").screenshot(path=str(tmp_path / "lms-my-data-390.png"))
    frame.get_by_role("link", name="Modul 1: Hva er menneskehandel?").first.click()
    settle(frame)
    frame.locator(".mh-progress").get_by_text("Test deg selv: ✔ ferdig").wait_for()
    scenario = frame.locator(".mh-scenario").filter(has=frame.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    scenario.locator(".mh-chosen", has_text=FIRST_CHOICE).wait_for()  # the case resumes where anna left it
    assert "Poeng:" in frame.locator(".mh-quiz").inner_text()
    assert browser_record(frame) in (None, "no storage")
    page.screenshot(path=str(tmp_path / "lms-module-390.png"), full_page=False)
    print(f"\nscreenshots in {tmp_path}; suspend_data {len(kept['suspend_data'])} characters")
    again.close()


def test_only_the_lms_origins_named_may_frame_the_course_and_the_package_alone_opens_it(lms, course_server, chromium):
    ctx = chromium.new_context()
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    policies = []
    page.on("response", lambda r: policies.append(r.headers.get("content-security-policy"))
            if r.url.startswith(f"{course_server.base}/voila/render/") else None)
    other = lms.base.replace("localhost", "127.0.0.1")  # the same test LMS on an origin the server does not name
    page.goto(f"{other}/lms.html?learner=mallory")
    page.wait_for_function("() => { const f = document.getElementById('sco'); const d = f && f.contentDocument;"
                           " return d && d.getElementById('mh-course') && d.getElementById('mh-course').src; }")
    deadline = time.time() + 10
    while time.time() < deadline:  # the course's frame ends on the browser's error page, not on the course
        course = [f for f in page.frames if f.parent_frame and f.parent_frame.parent_frame]
        if course and course[0].url.startswith("chrome-error:"):
            break
        page.wait_for_timeout(100)  # (lets Playwright take in the frame's navigation)
    assert course and course[0].url.startswith("chrome-error:"), [f.url for f in page.frames]
    assert lms.kept.get("mallory") is None
    assert policies and policies[0].endswith("; frame-ancestors 'self' http://localhost:*")  # --lms-origin (conftest)

    page.goto(f"{lms.base}/package/index.html")  # no LMS around: the launch page gives way to the course itself
    page.wait_for_url(f"{course_server.base}/voila/render/course/index.ipynb")
    ctx.close()


def test_with_every_module_done_the_lms_has_completed_and_then_passed(lms, chromium):
    """A learner whose LMS kept a record with every module done (as after playing them all): the LMS gets
    «completed» at launch, and «passed» with the score once the post-test is passed."""
    from mhkurs.logic import progress as rules
    from mhkurs.record import lms as lms_record

    bank = get_bank()
    data = rules.empty()
    for mod in rules.modules_in_order(bank):
        for st in rules.module_status(bank, data, mod.id):
            rules.add_result(data, mod.id, st.key, 1, 1, 1, 1, datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc))
    lms.kept["berit"] = {"learner": "berit", "suspend_data": lms_record.pack(data), "lesson_status": "incomplete",
                         "score_raw": "", "finished": True}
    ctx = chromium.new_context()
    page, frame = launch(ctx, lms, "berit")
    lms.wait_for("berit", lambda k: k["lesson_status"] == "completed" and not k["finished"])
    frame.evaluate("location.href = new URL('sluttest.ipynb', location.href).href")
    frame.wait_for_url(re.compile(r".*/course/sluttest\.ipynb"))
    settle(frame)
    take_post_test(frame, right=True)
    frame.get_by_text("Du har bestått sluttesten").first.wait_for()
    kept = lms.wait_for("berit", lambda k: k["lesson_status"] == "passed")
    assert kept["score_raw"] == "100"
    assert lms_record.unpack(kept["suspend_data"])["exercises"] == data["exercises"]
    ctx.close()
