"""Test-wide settings: no test writes the learner's real progress file (a temporary one, removed at exit); one
course server shared by the browser test modules (``course_server``)."""

import atexit
import os
import shutil
import tempfile
import time

import pytest

from mhkurs.bank.loader import DEFAULT_CONTENT_DIR

_TMP = tempfile.mkdtemp(prefix="mhkurs-test-")
atexit.register(shutil.rmtree, _TMP, True)
os.environ.setdefault("MHKURS_PROGRESS_FILE", os.path.join(_TMP, "progress.json"))


# --- one course server for the browser test modules ----------------------------------------------------------

class CourseServer:
    """A running Voila server (``base`` URL, ``log`` file) and a wait for its kernel pool."""

    def __init__(self, base: str, log, modules: int):
        self.base, self.log, self.modules = base, log, modules

    def wait_for_full_pool(self, timeout: float = 300) -> None:
        """Wait until every module page has a pooled kernel that has finished running its notebook: a page
        opened while its pooled kernel is still running the notebook may come without its exercise widgets
        (seen with Voila 0.5's pool). Voila logs each use of a pooled kernel and each refill that is done."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.log.read_text()
            if text.count("is filled with") >= self.modules + text.count("Using pre-heated kernel"):
                return
            time.sleep(0.5)
        pytest.fail(f"the kernel pool was not full after {timeout:.0f} s; see {self.log}")


@pytest.fixture(scope="session")
def course_server(tmp_path_factory):
    """The course served as `mhkurs serve --host 0.0.0.0` serves it (kernel pool, records in the browser), started
    once for the browser test modules that only open pages (test_browser, test_first_view, test_record_browser)
    and stopped at the end of the session: filling its pool (module pages and landing page) is the slow part of a start.
    Each browser context is a new learner with its own record, so no test sees another module's learners.

    Voila's idle culling is off here (``cull_idle_timeout=0``): over a whole session a pooled kernel can sit
    unused longer than the cull timeout, and Voila culls such a kernel in the moment between handing it to a
    page and the page connecting (the page then never gets its widgets). Kernels of pages the tests closed
    therefore stay until the session ends (35 live kernels at most, pool included, measured over the three modules).
    test_a11y keeps its own server: its last test kills a page's kernel."""
    from test_browser import TEST_LIMITS, start_voila, stop

    from mhkurs.cli import site_pages

    import json  # noqa: PLC0415

    from mhkurs.bank.loader import REPO_ROOT  # noqa: PLC0415

    denied = set(json.loads((REPO_ROOT / "voila.json").read_text())["VoilaKernelManager"]["preheat_denylist"])
    modules = sum(p not in denied for p in site_pages())  # the preheated pages: modules and landing (voila.json)
    no_cull = ["--MappingKernelManager.cull_idle_timeout=0"]
    no_cull.append("--CourseVoila.lms_origins=http://localhost:*")  # the test LMS of test_scorm_browser frames the course
    proc, base, log = start_voila(tmp_path_factory, limits=TEST_LIMITS + no_cull, MHKURS_RECORD="browser")
    server = CourseServer(base, log, modules)
    try:
        server.wait_for_full_pool()
        yield server
    finally:
        stop(proc)


# --- a writable copy of the content bank (tests that break it on purpose; helpers in bank_copy.py) --------------

@pytest.fixture
def content(tmp_path):
    """A writable copy of the real bank."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target
