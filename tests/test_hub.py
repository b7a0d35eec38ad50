"""The class platform end to end, with real components on loopback.

PostgreSQL (Debian's server, a cluster of its own in a temporary folder) holds nbgrader's
gradebook; JupyterHub with configurable-http-proxy (npm) runs hub/jupyterhub_config.py. Three
trainees and one instructor log in through the login form; everything after that goes over HTTP
as JupyterLab and formgrader would do it: the hub's REST API, each user's server (contents API,
kernels over websocket, nbgrader's assignment list handlers, formgrader's API).
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from mhkurs import hub
from mhkurs.assess.simulate import simulate
from mhkurs.bank.loader import REPO_ROOT, get_bank

pytestmark = pytest.mark.hub

KINDS = ("correct", "partial", "empty")  # one right, one partly, one blank
TRAINEES = tuple(f"deltaker{i}" for i in range(1, len(KINDS) + 1))
INSTRUCTOR = "instruktor"
COURSE = hub.COURSE_ID
# Jupyter's own folders in a home: not where the course keeps a learner's record
JUPYTER_DIRS = {".ipython", ".local", ".jupyter", ".cache", "course", "modules", COURSE}


# --- PostgreSQL: a cluster of our own ---------------------------------------------------------------


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    if shutil.which("initdb"):
        return Path(shutil.which("initdb")).parent
    pytest.fail("PostgreSQL's server is missing: scripts/test installs Debian's postgresql")


class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1, run as a non-root user (PostgreSQL refuses root)."""

    def __init__(self):
        self.bin = _pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="mhkurs-pg-"))
        self.data = self.dir / "data"
        self.port = hub.free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            user = "postgres" if _user_exists("postgres") else "nobody"
            os.chown(self.dir, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
            self.prefix = ["runuser", "-u", user, "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "mhkurs", "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="mhkurs", dbname="postgres",
                             autocommit=True) as con:
            con.execute("CREATE DATABASE gradebook")
        return f"postgresql+psycopg://mhkurs@127.0.0.1:{self.port}/gradebook"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _leftovers(*marks: str) -> list[str]:
    """Processes whose command line or environment mentions one of ``marks`` (our folders)."""
    found = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            text = " ".join(p.info["cmdline"] or [])
            try:
                text += " " + " ".join(p.environ().values())
            except (psutil.AccessDenied, psutil.ZombieProcess):
                pass
            if p.status() != psutil.STATUS_ZOMBIE and any(m in text for m in marks):
                found.append(f"{p.pid} {text[:120]}")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


# --- the class ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """PostgreSQL, the hub and the proxy running; the class logged in with their servers started."""
    state = tmp_path_factory.mktemp("hub-state")
    pg = Postgres()
    proc = None
    try:
        db_url = pg.start()
        for attempt in range(3):  # a port may be taken between choosing it and the hub binding it
            settings = hub.HubSettings(state=state, port=hub.free_port(), hub_port=hub.free_port(),
                                       proxy_api_port=hub.free_port(), gradebook_url=db_url,
                                       learners=TRAINEES, instructors=(INSTRUCTOR,))
            log = open(state / "hub.log", "a")  # noqa: SIM115 - closed with the process
            proc = hub.start_hub(settings, log)
            try:
                hub.wait_for_hub(settings, proc)
                break
            except RuntimeError:
                hub.stop_hub(proc, state=state)
                text = (state / "hub.log").read_text()
                if attempt == 2 or not ("Address already in use" in text or "EADDRINUSE" in text):
                    raise
        accts = hub.accounts(state, TRAINEES, (INSTRUCTOR,))
        passwords = {**accts["learners"], **accts["instructors"]}
        users = {name: hub.HubUser(settings.url, name, passwords[name]) for name in (*TRAINEES, INSTRUCTOR)}
        for u in users.values():
            u.login()
            u.make_token()
            u.api("POST", f"hub/api/users/{u.name}/server").raise_for_status()  # all four start at once
        for u in users.values():
            u.start_server()
        yield {"state": state, "settings": settings, "db_url": db_url, "users": users, "passwords": passwords}
    finally:
        if proc is not None:
            hub.stop_hub(proc)  # as an operator would: the hub stops the servers and the proxy itself
        pg.stop()
        time.sleep(0.5)
        left = _leftovers(str(state), str(pg.dir))
        if proc is not None:
            hub.stop_hub(proc, state=state)  # whatever is left must not outlive the test run
        assert not left, "still running after the test:\n" + "\n".join(left)


def _course_title() -> str:
    nb = nbformat.read(str(REPO_ROOT / hub.LANDING_URL.split("render/", 1)[1]), as_version=4)
    first = next(c.source for c in nb.cells if c.cell_type == "markdown")
    return first.splitlines()[0].lstrip("# ").strip()


def _record_files(home: Path, text: str) -> list[Path]:
    """Files in a home, outside Jupyter's own folders, that mention ``text``."""
    out = []
    for path in home.rglob("*"):
        rel = path.relative_to(home)
        if rel.parts[0] in JUPYTER_DIRS or not path.is_file():
            continue
        if text.encode() in path.read_bytes():
            out.append(path)
    return out


def test_trainees_open_the_course_page_and_keep_their_own_record(klass):
    users, state = klass["users"], klass["state"]
    title = _course_title()
    modules = sorted(get_bank().all("modules"), key=lambda m: m.number)
    for i, name in enumerate(TRAINEES):
        u = users[name]
        # As a browser: the server's address leads (via the hub's OAuth) to the Voila landing page.
        page = u.http.get(klass["settings"].url + f"user/{name}/", timeout=300)
        assert page.status_code == 200 and page.url.endswith(f"/user/{name}/{hub.LANDING_URL}")
        html = page.content.decode("utf-8")
        assert title in html
        assert "show_landing" not in html  # Voila shows no code
        # An exercise: each trainee finishes a different module's first exercise in a kernel of
        # their own server, through the course's own call that records a result.
        m = modules[i]
        ex = m.exercises[0]
        u.run_code(
            "import importlib.util\n"
            "if importlib.util.find_spec('mhkurs.record'):\n"  # the record package reads the record
            "    from mhkurs import record as learner_record\n"  # when the learner's page connects:
            "    learner_record.current().connect()\n"  # do what the page does
            "from mhkurs.ui.common import record\n"
            f"record({m.id!r}, {ex.kind!r}, {ex.ref!r}, {i + 1}, 4)")
    homes = {name: state / "home" / name for name in TRAINEES}
    for i, name in enumerate(TRAINEES):
        mid = modules[i].id
        assert _record_files(homes[name], mid), f"{name}'s record is not in their home"
        for other in TRAINEES:
            if other != name:
                assert not _record_files(homes[other], mid), f"{name}'s result landed in {other}'s home"


def test_trainees_cannot_open_formgrader_or_each_others_servers(klass):
    users = klass["users"]
    a, b = users[TRAINEES[0]], users[TRAINEES[1]]
    assert users[INSTRUCTOR].server("GET", "formgrader").status_code == 200
    assert a.server("GET", "formgrader").status_code == 404  # not in a learner's server
    assert a.server("GET", "formgrader/api/assignments").status_code == 404
    assert a.api("GET", f"user/{INSTRUCTOR}/formgrader", allow_redirects=False).status_code == 403
    assert a.api("GET", f"user/{b.name}/api/contents", allow_redirects=False).status_code == 403
    # with the browser's cookies too: the hub refuses to hand out access to someone else's server
    page = a.http.get(klass["settings"].url + f"user/{b.name}/api/contents", timeout=120)
    assert page.status_code in (403, 404)
    assert a.api("GET", f"hub/api/users/{b.name}").status_code in (403, 404)
    # the hub's home page links learners to JupyterLab (their assignments) in their own server
    lab = a.http.get(klass["settings"].url + "hub/user-redirect/lab", timeout=120)
    assert lab.status_code == 200 and lab.url.endswith(f"/user/{a.name}/lab")


def test_the_hub_and_jupyterlab_speak_bokmal(klass):
    """The hub's own pages come from hub/templates (Norwegian), and every server's JupyterLab starts with the
    bokmål language pack (which labels it translates is checked in test_hub_language.py)."""
    import requests

    base, users = klass["settings"].url, klass["users"]
    login = requests.get(base + "hub/login", timeout=60)
    assert login.status_code == 200 and "Logg inn" in login.text and "Brukernavn" in login.text
    assert 'documentElement.lang = "nb"' in login.text and "Sign in" not in login.text
    trainee = users[TRAINEES[0]]
    missing = trainee.http.get(base + "hub/finnes-ikke", timeout=60)
    assert missing.status_code == 404 and "Siden finnes ikke" in missing.text
    for u in (trainee, users[INSTRUCTOR]):
        plugin = u.server("GET", "lab/api/settings/@jupyterlab/translation-extension:plugin")
        assert plugin.json()["schema"]["properties"]["locale"]["default"] == "nb_NO", u.name
        pack = u.server("GET", "lab/api/translations/nb_NO").json()["data"]
        assert pack["jupyterlab"][""]["language"] == "nb-NO", u.name
        assert pack["jupyterlab"]["Run All Cells"] == ["Kjør alle celler"], u.name


def _pick_assignment(bank) -> str:
    """The smallest assignment with both autograded questions and a free-text task."""
    def kinds(a):
        return {bank.question(q).type == "free_text" for q in a.questions}
    both = [a for a in bank.all("assignments") if kinds(a) == {True, False}]
    return min(both or bank.all("assignments"), key=lambda a: len(a.questions)).id


def _ok(resp) -> dict:
    resp.raise_for_status()
    data = resp.json()
    assert data.get("success", True), data
    return data


def test_an_assignment_from_release_to_feedback(klass):
    from nbgrader.api import Gradebook

    bank = get_bank()
    users, state = klass["users"], klass["state"]
    teacher = users[INSTRUCTOR]
    a = _pick_assignment(bank)
    nb_path = f"{COURSE}/{a}/{a}.ipynb"  # where a learner finds the fetched notebook

    # The instructor generates and releases the assignment (formgrader's buttons).
    _ok(teacher.server("POST", f"formgrader/api/assignment/{a}/assign"))
    _ok(teacher.server("POST", f"formgrader/api/assignment/{a}/release"))
    listed = teacher.server("GET", "formgrader/api/assignments").json()  # formgrader's Manage Assignments
    assert {x["name"]: x["status"] for x in listed}[a] == "released"

    # Each trainee sees it in the Assignments tab, fetches it, answers in JupyterLab, submits.
    expected = {}
    for name, kind in zip(TRAINEES, KINDS):
        u = users[name]
        listed = _ok(u.server("GET", f"assignments?course_id={COURSE}"))["value"]
        assert [(x["assignment_id"], x["status"]) for x in listed] == [(a, "released")]
        _ok(u.server("POST", "assignments/fetch", json={"course_id": COURSE, "assignment_id": a}))
        model = u.server("GET", f"api/contents/{nb_path}?content=1").json()
        release_text = nbformat.writes(nbformat.from_dict(model["content"]))
        sub = simulate(bank, release_text, name, kind)
        expected[name] = sub.expected_auto
        put = u.server("PUT", f"api/contents/{nb_path}",
                       json={"type": "notebook", "format": "json", "content": json.loads(sub.text)})
        assert put.status_code == 200, put.text
        _ok(u.server("POST", "assignments/submit", json={"course_id": COURSE, "assignment_id": a}))

    # The instructor collects and autogrades.
    _ok(teacher.server("POST", f"formgrader/api/assignment/{a}/collect"))
    for name in TRAINEES:
        _ok(teacher.server("POST", f"formgrader/api/submission/{a}/{name}/autograde"))

    # Manual grading of the free-text tasks in formgrader: full, half and no points.
    tasks = [q for q in bank.assignment(a).questions if bank.question(q).type == "free_text"]
    share = {"correct": 1.0, "partial": 0.5, "empty": 0.0}
    subs = teacher.server("GET", f"formgrader/api/submitted_notebooks/{a}/{a}").json()
    assert sorted(s["student"] for s in subs) == sorted(TRAINEES)
    for s in subs:
        kind = KINDS[TRAINEES.index(s["student"])]
        grades = teacher.server("GET", f"formgrader/api/grades?submission_id={s['id']}").json()
        for g in grades:
            if g["name"].removesuffix("-oppgave") in tasks:
                points = bank.question(g["name"].removesuffix("-oppgave")).points * share[kind]
                r = teacher.server("PUT", f"formgrader/api/grade/{g['id']}", json={"manual_score": points})
                assert r.status_code == 200, r.text
                expected[s["student"]] += points

    # The grades are in PostgreSQL, exactly what each answer earned.
    assert not (state / "courses" / COURSE / "gradebook.db").exists()
    maximum = sum(bank.question(q).points for q in bank.assignment(a).questions)
    with Gradebook(klass["db_url"]) as gb:
        for name in TRAINEES:
            sub = gb.find_submission(a, name)
            assert sub.score == pytest.approx(expected[name]), name
            assert sub.max_score == maximum and not sub.needs_manual_grade
    assert expected[TRAINEES[0]] == maximum and expected[TRAINEES[2]] == 0
    assert 0 < expected[TRAINEES[1]] < maximum

    # In the instructor's JupyterLab terminal (the course folder): the course's tools, same gradebook.
    out = teacher.run_terminal("nbgrader export && mhkurs audit " + a + " --course . ; cat grades.csv")
    rows = {line.split(",")[3]: line for line in out.splitlines() if line.startswith(a + ",")}
    assert set(rows) == set(TRAINEES), out
    assert "3 submission(s), 3 clean" in out, out

    # Feedback: generated and released by the instructor, fetched by each trainee: their own only.
    _ok(teacher.server("POST", f"formgrader/api/assignment/{a}/generate_feedback"))
    _ok(teacher.server("POST", f"formgrader/api/assignment/{a}/release_feedback"))
    for name in TRAINEES:
        u = users[name]
        _ok(u.server("POST", "assignments/fetch_feedback", json={"course_id": COURSE, "assignment_id": a}))
        folders = u.server("GET", f"api/contents/{COURSE}/{a}/feedback").json()["content"]
        assert len(folders) == 1, folders  # one hand-in, one feedback
        files = u.server("GET", f"api/contents/{folders[0]['path']}").json()["content"]
        (html_file,) = [f for f in files if f["name"].endswith(".html")]
        html = u.server("GET", f"files/{html_file['path']}").content.decode("utf-8")
        score = re.search(r"Poeng: ([\d,]+) av ([\d,]+)", html)  # the course's feedback page (Norwegian)
        assert score, html[:500]
        assert float(score.group(1).replace(",", ".")) == pytest.approx(expected[name])
        assert float(score.group(2).replace(",", ".")) == maximum
        for marker in ("HIDDEN TESTS", "MARK SCHEME", "Vurderingskriterier", "AssertionError"):
            assert marker not in html


def test_a_trainee_finds_the_menu_items_the_assignment_names(klass):
    """In Debian's chromium: a trainee logs in through the hub's (Norwegian) login page, opens the assignment
    fetched above in JupyterLab (bokmål locale), and finds the menu path its instructions name, in bokmål."""
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS
    from test_hub_language import MENU_PATH, main_menus, shown

    name = TRAINEES[0]
    fetched = [x["assignment_id"] for x in _ok(klass["users"][name].server(
        "GET", f"assignments?course_id={COURSE}"))["value"] if x["status"] != "released"]
    if not fetched:
        pytest.skip("needs the assignment fetched by test_an_assignment_from_release_to_feedback")
    a = fetched[0]
    base = klass["settings"].url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "hub/login")
            page.get_by_label("Brukernavn").fill(name)
            page.get_by_label("Passord").fill(klass["passwords"][name])
            page.get_by_role("button", name="Logg inn").click()
            page.wait_for_url(f"**/user/{name}/**", timeout=180_000)
            page.goto(base + f"user/{name}/lab/tree/{COURSE}/{a}/{a}.ipynb")
            first = page.locator(".jp-Notebook .jp-MarkdownOutput").first
            first.wait_for(timeout=180_000)
            deadline = time.time() + 60
            while True:  # JupyterLab fills the markdown cells' text after their boxes are on the page
                text = " ".join(page.locator(".jp-Notebook .jp-MarkdownOutput").all_inner_texts())
                paths = [p.split(" → ") for p in MENU_PATH.findall(" ".join(text.split()))]
                paths = [p for p in paths if p[0] in main_menus()]
                if paths or time.time() > deadline:
                    break
                page.wait_for_timeout(250)
            assert paths, text[:500]
            for path in [shown(p) for p in paths]:  # as the bokmål pack shows them: «Kjør → Kjør alle celler»
                assert " → ".join(path) in " ".join(text.split()), path  # named in the instructions
                page.locator(".lm-MenuBar-itemLabel", has_text=path[0]).first.click()
                for label in path[1:]:
                    page.locator(".lm-Menu-itemLabel").get_by_text(label, exact=True).first.wait_for(timeout=30_000)
                page.keyboard.press("Escape")
        finally:
            browser.close()
