"""The course page on a phone's network (issue 26): a relay on loopback between Chromium and the session's course
server drops every connection for some seconds, as a train's tunnel or a switch from wifi to mobile data does.
A drop is waited out with a quiet notice and nothing is lost; a kernel the server no longer has gives one clear
Norwegian message, and the trainee's record is intact after the reload. Comm messages the kernel sends before
their widget's model exists are not lost either."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, wait_for_widgets, watch_csp
from test_record_browser import FIRST_CHOICE, M1, SECOND_CHOICE

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "mhkurs-screenshots"  # each new state, to look at (not compared)
RECORD_KEY = "mhkurs-record-v1"


class Relay:
    """A TCP relay on 127.0.0.1 in a thread of its own: ``drop(seconds)`` closes every open connection (as a lost
    network does to a phone's websocket) and refuses new ones for that long."""

    def __init__(self, target: str):
        u = urlparse(target)
        self.target = (u.hostname, u.port)
        self.loop = asyncio.new_event_loop()
        self.down_until = 0.0
        self.writers: set[asyncio.StreamWriter] = set()
        self.connections = 0
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(10)
        self.base = f"http://127.0.0.1:{self.port}"

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if time.monotonic() < self.down_until:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        self.writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers.discard(writer)
        self.writers.discard(up_writer)

    def drop(self, seconds: float) -> None:
        def cut() -> None:
            self.down_until = time.monotonic() + seconds
            for w in list(self.writers):
                w.transport.abort()
            self.writers.clear()

        self.loop.call_soon_threadsafe(cut)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def relay(course_server):
    course_server.wait_for_full_pool()
    r = Relay(course_server.base)
    yield r
    r.close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright starts Chromium with its back/forward cache off: these pages are tested with it on
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                               ignore_default_args=["--disable-back-forward-cache"])
        yield b
        b.close()


def phone(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.csp = watch_csp(page)
    return context, page


def close(context, page) -> None:
    context.close()
    assert page.csp == [], f"the page broke its Content-Security-Policy: {page.csp}"


def open_module(page, url: str) -> None:
    page.goto(url)
    wait_for_widgets(page)
    page.locator(".mh-waiting").first.wait_for(state="detached")  # the record has come from the browser
    page.wait_for_function("() => document.documentElement.dataset.mhFrontEnd === 'ready'")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def case_steps(page) -> dict:
    """Module 1's resume states in the browser's record (a case's path so far)."""
    record = json.loads(page.evaluate(f"localStorage.getItem({RECORD_KEY!r})") or "{}")
    return record.get("states", {}).get("m01-hva-er-menneskehandel", {})


def test_a_ten_second_drop_goes_by_with_a_quiet_notice_and_nothing_lost(relay, chromium):
    context, page = phone(chromium)
    open_module(page, f"{relay.base}/voila/render/{M1}")
    scenario = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    scenario.get_by_role("button", name=FIRST_CHOICE).click()
    scenario.locator(".mh-chosen", has_text=FIRST_CHOICE).wait_for()
    before = case_steps(page)
    assert before, "the first answer is in the record"

    notice = page.locator("#mh-reconnecting")
    assert notice.is_hidden()
    dropped_at = time.monotonic()
    relay.drop(10)
    notice.wait_for(state="visible", timeout=15_000)
    assert "Forbindelsen er borte et øyeblikk" in notice.inner_text()
    assert notice.get_attribute("role") == "status"
    assert page.locator("#mh-conn").is_hidden()  # no «reload» banner for a drop the page waits out
    shot(page, "reconnecting-390")
    # the trainee goes on while the network is gone: the answer is sent once the connection is back
    scenario.get_by_role("button", name=SECOND_CHOICE).click()
    notice.wait_for(state="hidden", timeout=60_000)
    back_after = time.monotonic() - dropped_at
    scenario.locator(".mh-chosen", has_text=SECOND_CHOICE).wait_for(timeout=30_000)
    assert page.locator("#mh-conn").is_hidden()
    # both answers on the page and in the record; the page was not reloaded
    assert scenario.locator(".mh-chosen", has_text=FIRST_CHOICE).count() == 1
    page.wait_for_function("([key, before]) => JSON.stringify(JSON.parse(localStorage.getItem(key)).states"
                           "['m01-hva-er-menneskehandel']) !== before", arg=[RECORD_KEY, json.dumps(before)])
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.evaluate("window.mhFrontEnd.failures") == []
    print(f"connection back {back_after:.1f} s after a 10 s drop")
    assert back_after < 30, back_after

    page.reload()
    open_module(page, f"{relay.base}/voila/render/{M1}")
    scenario = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    scenario.locator(".mh-chosen", has_text=FIRST_CHOICE).wait_for()
    scenario.locator(".mh-chosen", has_text=SECOND_CHOICE).wait_for()
    close(context, page)


def test_a_kernel_the_server_no_longer_has_gives_one_message_and_the_record_is_kept(relay, chromium):
    """The page's kernel is shut down under it (culled after the phone slept, or the server restarted) while the
    network is gone: when it is back, one Norwegian message with the next step; the reload keeps the record."""
    context, page = phone(chromium)
    open_module(page, f"{relay.base}/voila/render/{M1}")
    scenario = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    scenario.get_by_role("button", name=FIRST_CHOICE).click()
    scenario.locator(".mh-chosen", has_text=FIRST_CHOICE).wait_for()
    kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    relay.drop(4)
    page.locator("#mh-reconnecting").wait_for(state="visible", timeout=15_000)
    # the server shuts the kernel down (what its culler does), directly, not through the relay
    shut_down_kernel(f"http://{relay.target[0]}:{relay.target[1]}", kernel_id)
    alert = page.locator("#mh-conn")
    alert.wait_for(state="visible", timeout=30_000)
    text = alert.inner_text()
    assert "Forbindelsen til kurset er brutt" in text and "Last siden på nytt" in text
    assert "Kurstjeneren har avsluttet øvelsene" in text
    assert page.locator("#mh-reconnecting").is_hidden()
    shot(page, "connection-lost-390")
    alert.get_by_role("button", name="Last siden på nytt").click()
    page.wait_for_load_state()
    open_module(page, f"{relay.base}/voila/render/{M1}")
    scenario = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    scenario.locator(".mh-chosen", has_text=FIRST_CHOICE).wait_for()  # the record survived
    close(context, page)


def shut_down_kernel(server: str, kernel_id: str) -> None:
    """What the server's culler does to a kernel: shut down (Voila's shutdown endpoint, as the page's beacon)."""
    import urllib.request

    xsrf = "mhkurs-test"
    req = urllib.request.Request(f"{server}/voila/api/shutdown/{kernel_id}", data=f"_xsrf={xsrf}".encode(),
                                 headers={"Cookie": f"_xsrf={xsrf}"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status in (200, 204)


def test_a_kernel_shut_down_under_a_connected_page_gives_the_same_message(course_server, chromium):
    context, page = phone(chromium)
    open_module(page, f"{course_server.base}/voila/render/{M1}")
    kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    shut_down_kernel(course_server.base, kernel_id)
    started = time.monotonic()
    # the server leaves the socket open: the page learns it when the trainee taps an exercise
    scenario = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    scenario.get_by_role("button", name=FIRST_CHOICE).click()
    alert = page.locator("#mh-conn")
    alert.wait_for(state="visible", timeout=30_000)
    print(f"message {time.monotonic() - started:.1f} s after the tap on a page whose kernel was shut down")
    assert "Kurstjeneren har avsluttet øvelsene" in alert.inner_text()
    close(context, page)


def test_comm_messages_sent_before_their_model_exists_are_not_lost(relay, chromium):
    """On purpose: every widget model but the record bridge's (and the layout and style models it refers to) is
    made 2 s after the bridge's, so the kernel's answer to the
    bridge's «hello» (the learner's progress, into widgets whose models are not made yet) arrives early."""
    context, page = phone(chromium)
    context.add_init_script("""(() => {
      let bridge; const bridgeMade = new Promise(r => { bridge = r; });
      window.mhTestHooks = {beforeClass(name) {
        if (name === 'AnyModel') { bridge(); return; }
        if (/^(Any|Layout)|Style/.test(name)) return;  // the bridge and what it refers to
        return bridgeMade.then(() => new Promise(r => setTimeout(r, 2000)));
      }};
    })();""")
    page.goto(f"{relay.base}/voila/render/{M1}")
    wait_for_widgets(page)
    page.locator(".mh-waiting").first.wait_for(state="detached", timeout=30_000)
    page.wait_for_function("() => document.documentElement.dataset.mhFrontEnd === 'ready'")
    assert page.evaluate("window.mhFrontEnd.failures") == []
    assert page.evaluate("window.mhFrontEnd.early") > 0, "no message came early: the test did not test anything"
    close(context, page)


# --- failures are visible and Norwegian ----------------------------------------------------------------------

STACK = re.compile(r"(?i:javascript|error)|\n\s*at \S+ \(|\.js:\d+")  # words of an error, a stack frame


def test_a_start_up_that_fails_says_so_and_marks_the_page_failed(course_server, chromium):
    """A part of the front end that does not load (a lost chunk): no blank exercise slots and no «ready»."""
    context, page = phone(chromium)
    page.route("**/mhkurs/static/chunks/controls-*.js", lambda route: route.abort())
    page.goto(f"{course_server.base}/voila/render/{M1}")
    page.wait_for_function("() => document.documentElement.dataset.mhFrontEnd === 'failed'")
    alert = page.locator("#mh-conn")
    alert.wait_for(state="visible")
    text = alert.inner_text()
    assert "Øvelsene på siden kunne ikke lastes" in text and "Last siden på nytt" in text
    assert page.locator("#loading").count() == 0 or page.locator("#loading").is_hidden()
    slots = page.locator(".mh-slot:not(.mh-slot-hidden)")
    assert slots.count() > 0
    assert page.locator(".mh-slot-failed").count() == slots.count()
    assert not STACK.search(page.inner_text("body"))
    page.locator(".mh-slot-failed").first.scroll_into_view_if_needed()
    shot(page, "start-up-failed-390")
    close(context, page)


def test_a_widget_that_cannot_be_drawn_shows_the_courses_note_not_a_stack_trace(course_server, chromium):
    """A widget class the front end does not have (here: the button's view, refused on purpose)."""
    context, page = phone(chromium)
    context.add_init_script("""window.mhTestHooks = {beforeClass(name) {
      if (name === 'ButtonView') throw new Error('not in this front end: ' + name);
    }};""")
    page.goto(f"{course_server.base}/voila/render/{M1}")
    page.wait_for_function("() => document.documentElement.dataset.mhFrontEnd === 'ready'")
    notes = page.locator(".mh-widget-failed")
    notes.first.wait_for()
    assert "Denne delen av siden kunne ikke vises" in notes.first.inner_text()
    notes.first.click()  # upstream's error widget showed its stack on a click
    body = page.inner_text("body")
    assert "Click to show" not in body and not STACK.search(body)
    failures = page.evaluate("window.mhFrontEnd.failures")
    assert failures and all("ButtonView" in f for f in failures), failures
    notes.first.scroll_into_view_if_needed()
    shot(page, "widget-failed-390")
    close(context, page)


# --- back/forward cache ---------------------------------------------------------------------------------------

def test_a_page_restored_from_the_back_forward_cache_goes_on(course_server, chromium):
    """Leave a module page for another page and come back with «Back»: the page comes from the browser's
    back/forward cache (Playwright turns that cache off unless told not to, see the fixture), its kernel was
    not shut down on the way out, and the next answer gets its feedback."""
    context, page = phone(chromium)
    cdp = context.new_cdp_session(page)
    cdp.send("Page.enable")
    not_cached = []
    cdp.on("Page.backForwardCacheNotUsed", lambda e: not_cached.append(e))
    open_module(page, f"{course_server.base}/voila/render/{M1}")
    scenario = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    scenario.get_by_role("button", name=FIRST_CHOICE).click()
    scenario.locator(".mh-chosen", has_text=FIRST_CHOICE).wait_for()
    # a mailto: link fires "beforeunload" and the page stays: it must not shut its kernel down then
    page.evaluate("window.dispatchEvent(new Event('beforeunload'))")
    page.evaluate("window.__mhSamePage = true")
    page.goto(f"{course_server.base}/voila/templates/mhkurs/static/mhkurs-widgets.LICENSES.txt")
    page.go_back(wait_until="commit")  # a page from the cache fires no "load"
    page.wait_for_timeout(1000)
    assert not not_cached, json.dumps(not_cached)[:3000]
    page.wait_for_function("() => document.documentElement.dataset.mhRestored !== undefined", timeout=15_000)
    assert page.evaluate("window.__mhSamePage === true")  # the same document, not a new load
    # Playwright's own (utility) world may not come back with a page from the cache: the steps from here run in the
    # page's world (evaluate, wait_for_function), as the trainee's tap would
    clicked = page.evaluate("""label => {
      const b = [...document.querySelectorAll('.mh-scenario button')].find(b => b.textContent.trim() === label);
      if (b) b.click();
      return !!b;
    }""", SECOND_CHOICE)
    assert clicked
    page.wait_for_function("""label => [...document.querySelectorAll('.mh-scenario .mh-chosen')]
      .some(c => c.textContent.includes(label))""", arg=SECOND_CHOICE, timeout=30_000)
    assert page.evaluate("() => document.getElementById('mh-conn').hidden")
    close(context, page)


# --- the sanitiser ----------------------------------------------------------------------------------------------

XSS_VECTORS = [
    "<script>window.__xss = 1</script>",
    "<img src=x onerror=window.__xss=1>",
    "<svg onload=window.__xss=1>",
    "<svg><style><img src=x onerror=window.__xss=1></style></svg>",
    '<a href="javascript:window.__xss=1">lenke</a>',
    '<a href=" &#14;javascript:window.__xss=1">lenke</a>',
    '<iframe srcdoc="<script>window.__xss=1</script>"></iframe>',
    '<math><mi xlink:href="javascript:window.__xss=1">x</mi></math>',
    '"><img src=x onerror=window.__xss=1>',
    "<body onload=window.__xss=1>",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    "<details open ontoggle=window.__xss=1>",
    '<object data="javascript:window.__xss=1"></object>',
    "<form><button formaction=javascript:window.__xss=1>x</button></form>",
    "<style>@import 'javascript:window.__xss=1';</style>",
    "&lt;img src=x onerror=window.__xss=1&gt;",
    "$<img src=x onerror=window.__xss=1>$",
    "$$<svg onload=window.__xss=1>$$",
    "\\(<img src=x onerror=window.__xss=1>\\)",
    "<<script>script>window.__xss=1<</script>/script>",
]


def test_the_sanitiser_lets_no_known_xss_vector_through(course_server, chromium):
    """ipywidgets' inline_sanitize (descriptions with description_allow_html) in the course's front end: every
    vector comes out as text, no element, nothing run; and the text reads as given."""
    context, page = phone(chromium)
    open_module(page, f"{course_server.base}/voila/render/{M1}")
    results = page.evaluate("""vectors => vectors.map(v => {
      const out = window.mhWidgetManager.inline_sanitize(v);
      const div = document.createElement('div');
      div.innerHTML = out;
      document.body.appendChild(div);
      const r = {v, out, elements: div.querySelectorAll('*').length, text: div.textContent};
      div.remove();
      return r;
    })""", XSS_VECTORS)
    page.wait_for_timeout(200)  # an onerror/onload would have run by now
    assert page.evaluate("() => window.__xss") is None
    for r in results:
        assert r["elements"] == 0, r
        assert r["text"] == r["v"], r
    close(context, page)
