"""Learner experience in Debian's chromium: every page at 1280 and 390 px (no clipped or overlapping control
text, nothing wider than the screen), axe-core with zero violations of any impact before and after
interacting, every exercise type done with the keyboard alone, feedback announced in the live region, the
scenario read as a story, and a clear message when the connection to the server is lost.

One Voila server for the module (the fixtures of test_browser.py); one page load per page and test."""

from __future__ import annotations

import json
import time

import pytest
from test_browser import browser, page, start_voila, stop  # noqa: F401 (fixtures)

from mhkurs.bank.loader import REPO_ROOT
from mhkurs.cli import site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()
WIDE, PHONE, NARROW = 1280, 390, 360  # the theme must work from 360 px

# Buttons a keyboard user presses to get feedback (not the ones that start an exercise over).
SKIP_BUTTONS = ("Prøv igjen", "Ta testen på nytt", "Spill saken på nytt", "Oppdater fremdrift", "Last siden på nytt")

MEASURE = """() => {
  const sel = '.jupyter-button, .widget-label, .widget-radio-box label, .widget-checkbox label, '
            + '.widget-toggle-button, .mh-pager a, details.mh-menu summary, .mh-next-button';
  const els = [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length && !e.closest('[hidden]'));
  const name = e => e.textContent.trim().slice(0, 70);
  const clipped = els.filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 2)
                     .map(e => name(e));
  const offscreen = els.filter(e => { const r = e.getBoundingClientRect(); return r.right > innerWidth + 1 || r.left < -1; })
                       .map(e => name(e));
  const boxes = els.map(e => [e, e.getBoundingClientRect()]);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (w > 1 && h > 1) overlaps.push(name(a) + ' <> ' + name(b));
  }
  return {count: els.length, clipped, offscreen, overlaps,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Voila as for test_browser.py, once its kernel pool is full: a page opened while its pooled kernel
    is still running the notebook may come without its exercise widgets (seen with Voila 0.5's pool)."""
    # Each test's browser context is a new learner: records in the browser, so no test sees another's.
    proc, base, log = start_voila(tmp_path_factory, MHKURS_RECORD="browser")
    denied = set(json.loads((REPO_ROOT / "voila.json").read_text())["VoilaKernelManager"]["preheat_denylist"])
    modules = sum(p not in denied for p in site_pages())  # the preheated pages: modules and landing (voila.json)
    deadline = time.time() + 300
    while log.read_text().count("is filled with") < modules and time.time() < deadline:
        time.sleep(1)
    yield base
    stop(proc)


# Exercise cards whose visible title repeats the heading just above it (a card titled like its section: «Test deg
# selv» twice). The printable field card keeps its own title for paper.
SAID_TWICE = """() => {
  const norm = t => t.toLowerCase().replace(/[?:.!¶\\s]+/g, ' ').trim();
  const hs = [...document.querySelectorAll('main h1, main h2, main h3, main h4')].filter(h => h.getClientRects().length);
  return hs.slice(1).filter((h, i) => { const a = norm(hs[i].textContent), b = norm(h.textContent);
                                        return h.closest('.mh-exercise') && !h.closest('.mh-print') && a && b
                                               && (a.startsWith(b) || b.startsWith(a)); })
           .map(h => h.textContent);
}"""


def axe_violations(pg) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(pg)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


def assert_layout(pg, width: int) -> None:
    pg.set_viewport_size({"width": width, "height": 900})
    pg.wait_for_timeout(150)
    m = pg.evaluate(MEASURE)
    where = f"at {width} px"
    assert m["overflow"] <= 0, f"the page is wider than the screen {where} by {m['overflow']} px"
    assert not m["clipped"], f"control text cut off {where}: {m['clipped']}"
    assert not m["offscreen"], f"controls outside the screen {where}: {m['offscreen']}"
    assert not m["overlaps"], f"controls drawn over each other {where}: {m['overlaps'][:5]}"


def open_page(pg, server, notebook: str) -> None:
    """Open a course page and wait until all of it is drawn (a module's last cell is its end summary)."""
    pg.goto(f"{server}/voila/render/{notebook}")
    pg.wait_for_function("() => !document.querySelector('#loading')")
    if notebook.startswith("modules/"):
        pg.wait_for_selector(".mh-module-end", state="attached")
        pg.wait_for_selector(".mh-exercise", state="attached")
    elif notebook == PAGES[0]:
        pg.wait_for_selector(".mh-landing", state="attached")
    pg.wait_for_timeout(300)


@pytest.mark.parametrize("notebook", PAGES)
def test_every_page_fits_both_widths_and_axe_finds_nothing(page, server, notebook):
    page.set_viewport_size({"width": PHONE, "height": 900})
    open_page(page, server, notebook)
    # landmarks and one h1, headings without skipped levels
    assert page.locator("header.mh-site-header").count() == 1 and page.locator("footer.mh-site-footer").count() == 1
    assert page.locator("main").count() == 1 and page.locator("main .jp-Cell").count() > 0
    levels = page.evaluate("[...document.querySelectorAll('main h1, main h2, main h3, main h4')]"
                           ".filter(h => h.getClientRects().length).map(h => +h.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    assert not page.evaluate(SAID_TWICE), "a heading repeats the one just above it"
    assert_layout(page, PHONE)
    assert axe_violations(page) == []
    assert_layout(page, NARROW)
    assert_layout(page, WIDE)


# Installed before the page's own scripts: follows the page's kernel websocket, so a test can wait until the
# kernel has answered every message the page sent (its «idle» status for each) and the page has then stayed
# unchanged for a moment (the answer drawn, focus moved). Reads JSON frames and the v1 binary protocol.
KERNEL_WATCH = r"""(() => {
  const pending = new Set();
  let last = performance.now();
  const touch = () => { last = performance.now(); };
  const dec = new TextDecoder();
  function parse(data) {
    try {
      if (typeof data === 'string') { const m = JSON.parse(data); return [m.channel, m.header, m.parent_header, m.content]; }
      const buf = data instanceof ArrayBuffer ? data : (ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : null);
      if (!buf) return null;
      const v = new DataView(buf), n = Number(v.getBigUint64(0, true));
      if (n < 6 || n > 64) return null;
      const off = []; for (let i = 0; i < n; i++) off.push(Number(v.getBigUint64(8 * (i + 1), true)));
      const seg = k => dec.decode(new Uint8Array(buf, off[k], off[k + 1] - off[k]));
      return [seg(0), JSON.parse(seg(1)), JSON.parse(seg(2)), JSON.parse(seg(4))];
    } catch (e) { return null; }
  }
  const Native = window.WebSocket;
  function Watched(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (/\/api\/kernels\/[^/]+\/channels/.test(String(url))) {
      const send = ws.send.bind(ws);
      ws.send = data => { const m = parse(data); if (m && m[0] !== 'iopub' && m[1]) pending.add(m[1].msg_id); touch(); return send(data); };
      ws.addEventListener('message', ev => {
        touch();
        const m = parse(ev.data);
        if (m && m[1] && m[1].msg_type === 'status' && m[3] && m[3].execution_state === 'idle' && m[2]) pending.delete(m[2].msg_id);
      });
      ws.addEventListener('close', () => pending.clear());
    }
    return ws;
  }
  Watched.prototype = Native.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(k => { Watched[k] = Native[k]; });
  window.WebSocket = Watched;
  document.addEventListener('keydown', touch, true);
  new MutationObserver(touch).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  window.mhTestSettled = quietMs => pending.size === 0 && performance.now() - last >= quietMs;
})();"""


def settle(pg, quiet_ms: int = 200) -> None:
    """Wait until the kernel has answered the last key (idle for every message the page sent) and the page has
    not changed for quiet_ms since: the new widgets are drawn and focus has moved. No fixed sleep: on a busy
    machine the answer can take seconds (the navigator's questions after the role is chosen)."""
    pg.wait_for_function("q => window.mhTestSettled(q)", arg=quiet_ms, polling=50, timeout=60_000)


def keyboard_pass(pg, seen_groups: set, max_tabs: int = 600) -> list[str]:
    """One pass from the top of the page with the keyboard alone: tick the first option of every radio group
    not seen before and every unticked checkbox, press every button that gives feedback."""
    pressed = []
    focus_after = pg.__dict__.setdefault("mh_focus_after", [])  # (button pressed, text of what has focus then)
    pg.locator("body").focus()
    for _ in range(max_tabs):
        pg.keyboard.press("Tab")
        el = pg.evaluate("""() => { const e = document.activeElement; if (!e) return null;
            const g = e.closest('[role=radiogroup]');
            return {tag: e.tagName, type: e.type || '', text: (e.innerText || '').trim(),
                    footer: !!e.closest('footer'), group: g ? (g.getAttribute('aria-labelledby') || g.innerText.slice(0, 40)) : '',
                    checked: !!e.checked, disabled: !!e.disabled}; }""")
        if el is None or el["disabled"]:
            continue
        if el["footer"]:
            break
        if el["type"] == "radio" and el["group"] not in seen_groups:
            seen_groups.add(el["group"])
            pg.keyboard.press("Space")
            settle(pg)
        elif el["type"] == "checkbox" and not el["checked"]:
            pg.keyboard.press("Space")
            settle(pg)
        elif el["tag"] == "BUTTON" and el["text"] and el["text"] not in SKIP_BUTTONS:
            pg.keyboard.press("Enter")
            pressed.append(el["text"])
            settle(pg)
            focus_after.append((el["text"], pg.evaluate("(document.activeElement.innerText || '').trim()")))
    else:
        pytest.fail("the keyboard never reached the end of the page")
    return pressed


FEEDBACK_MISSING = """() => [...document.querySelectorAll('.mh-exercise')]
  .filter(c => !c.querySelector('.mh-progress, .mh-landing-progress') && !c.closest('.mh-landing'))
  .filter(c => !c.querySelector('.mh-verdict, [data-mh-announce]'))
  .map(c => { const h = c.querySelector('h3'); return h ? h.textContent : c.innerText.slice(0, 60); })"""


def keyboard_run(pg, passes: int = 3) -> list[str]:
    """Work through the page with the keyboard alone, as a trainee would: a pass from the top, and when an
    exercise answers «you are missing …» (questions that appeared after an earlier answer), another pass
    from the top, at most ``passes``. Returns the labels of the buttons pressed."""
    pressed, seen_groups = [], set()
    for _ in range(passes):
        pressed += keyboard_pass(pg, seen_groups)
        if not pg.evaluate(FEEDBACK_MISSING):
            break
    return pressed


# Every exercise type: scenario, quiz (modules 1, 2, 5-9), classifier (2, 3, 4), spotter (3, 6), myths (5),
# navigator (7), «velg det beste spørsmålet» (8), and the course tests (the pre-test; the post-test is the same view).
# One page for each exercise type, so the suite stays short: scenario + quiz (01), classifier + spotter (03),
# myths (05), duty navigator (07), «velg det beste spørsmålet» (08), the course test (pre-test). Modules 02, 04,
# 06 and 09 hold only these types.
KEYBOARD_PAGES = ["modules/01-hva-er-menneskehandel.ipynb", "modules/03-arbeidsliv.ipynb", "modules/05-myter.ipynb",
                  "modules/07-plikter.ipynb", "modules/08-samtalen.ipynb", "course/forhandstest.ipynb"]
assert all(p in PAGES for p in KEYBOARD_PAGES)


@pytest.mark.parametrize("notebook", KEYBOARD_PAGES)
def test_every_exercise_by_keyboard_alone_then_layout_and_axe_again(page, server, notebook):
    page.add_init_script(KERNEL_WATCH)
    page.set_viewport_size({"width": WIDE, "height": 900})
    open_page(page, server, notebook)
    page.locator(".mh-waiting").first.wait_for(state="detached")  # the record has been read (resume is done)
    settle(page)
    pressed = keyboard_run(page)
    assert pressed, "no button could be pressed with the keyboard"
    missing = page.evaluate(FEEDBACK_MISSING)
    assert not missing, f"no feedback after the keyboard run in {missing}"
    live = page.evaluate("document.getElementById('mh-live').textContent")
    assert live and any(x in live for x in ("✔", "✘", "◐", "Resultat:")), live
    assert page.evaluate("document.activeElement !== document.body")
    if notebook == "course/forhandstest.ipynb":  # «Lever testen» hides itself: focus goes to the result
        after = [f for b, f in page.mh_focus_after if b == "Lever testen"]
        assert after and after[-1].startswith("Resultat:"), page.mh_focus_after
    assert axe_violations(page) == []
    for width in (PHONE, NARROW):
        assert_layout(page, width)


def test_scenario_reads_as_a_story_with_focus_and_announcement(page, server):
    page.set_viewport_size({"width": PHONE, "height": 800})
    open_page(page, server, "modules/01-hva-er-menneskehandel.ipynb")
    case = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    weak = "Behandle saken som dokumentfalsk, og forbered bortvisning."
    case.get_by_role("button", name=weak).click()
    step2 = case.get_by_role("heading", name="Steg 2")
    step2.wait_for()
    page.wait_for_function("() => document.activeElement && document.activeElement.textContent === 'Steg 2'")
    page.wait_for_function("() => document.getElementById('mh-live').textContent.includes('Svak handling')")
    text = case.inner_text()
    # step 1, the choice made, its feedback, then step 2 and its question, in that order
    order = [text.index(x) for x in ("Steg 1", weak, "✘ Svak handling.", "Steg 2", "Hva gjør du?")]
    assert order == sorted(order), order
    assert case.get_by_role("button", name=weak).count() == 0
    play_to_the_end(page, case)
    page.wait_for_function("() => document.activeElement && document.activeElement.textContent === 'Oppsummering'")
    text = case.inner_text()
    assert text.index("Steg 2") < text.index("Oppsummering") < text.index("Gjennomgang av valgene dine")
    assert "Bedre valg:" in text
    # the announcement follows the focus move: wait for it (under load it can come a moment later)
    page.wait_for_function("() => document.getElementById('mh-live').textContent.includes('Saken er ferdig')")
    assert_layout(page, PHONE)


def test_radio_groups_are_named_by_their_question(page, server):
    """The navigator's yes/no questions are radio groups (they replaced toggle buttons), each named by its
    question, so a screen reader says which question a «Ja» belongs to."""
    open_page(page, server, "modules/07-plikter.ipynb")
    nav = page.locator(".mh-navigator")
    assert nav.locator(".widget-toggle-button").count() == 0
    nav.get_by_role("radio", name="Politiet", exact=True).check()
    nav.get_by_role("radio", name="Ja", exact=True).nth(1).wait_for()
    page.wait_for_function("() => document.querySelectorAll('.widget-radio-box:not([role=radiogroup])').length === 0")
    names = nav.get_by_role("radiogroup").evaluate_all(
        "gs => gs.map(g => g.getAttribute('aria-labelledby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' '))")
    assert len(names) >= 3 and all("?" in n for n in names[1:]), names  # the role, then one group per question


# The smallest computed font size of any text in the field card, in px.
CARD_TEXT_PX = """() => {
  const card = document.querySelector('.mh-fieldcard');
  const els = [card, ...card.querySelectorAll('*')].filter(e => [...e.childNodes].some(
    n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()));
  return Math.min(...els.map(e => parseFloat(getComputedStyle(e).fontSize)));
}"""


def test_toggle_buttons_say_which_is_pressed(page, server):
    """The field card's role picker is the one set of toggle buttons left: each says whether it is pressed,
    and pressing another with the keyboard moves the pressed state and changes the card. The card itself
    reads on a phone (no text under 16 px on screen) and keeps its compact sizes for print."""
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto(f"{server}/voila/render/course/feltkort.ipynb")
    toggles = page.locator(".widget-toggle-button")
    toggles.nth(1).wait_for()
    page.locator(".mh-fieldcard li").first.wait_for()
    assert page.evaluate(CARD_TEXT_PX) >= 16
    page.emulate_media(media="print")
    assert page.evaluate(CARD_TEXT_PX) < 12  # the printed card fits one A4 page
    page.emulate_media(media="screen")
    page.wait_for_function("() => [...document.querySelectorAll('.widget-toggle-button')]"
                           ".every(b => b.hasAttribute('aria-pressed'))")
    pressed = toggles.evaluate_all("bs => bs.map(b => b.getAttribute('aria-pressed'))")
    assert pressed.count("true") == 1 and pressed[0] == "true", pressed
    group = page.locator(".widget-toggle-buttons[role=group]")
    assert group.get_attribute("aria-labelledby")
    second = toggles.nth(1)
    name = second.inner_text().strip()
    second.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.widget-toggle-button')[1]"
                           ".getAttribute('aria-pressed') === 'true'")
    assert toggles.first.get_attribute("aria-pressed") == "false"
    page.locator(".mh-fieldcard h2", has_text=name).wait_for()


def test_module_frame_menu_states_and_the_way_on(page, server):
    open_page(page, server, "modules/02-menneskehandel-eller-smugling.ipynb")
    nav = page.get_by_role("navigation", name="Kursets moduler")
    assert nav.get_by_role("link", name="Neste: Modul 3", exact=False).count() == 1
    assert nav.get_by_role("link", name="← Forrige: Modul 1", exact=False).count() == 1
    nav.locator("summary").click()
    assert nav.locator("[aria-current=page]").inner_text().startswith("Modul 2:")
    assert nav.locator("li").filter(has_text="Modul 9:").locator(".mh-state").inner_text() == "○ Ikke startet"
    end = page.locator(".mh-module-end")
    assert "Øvelser du ikke har gjort ennå" in end.inner_text()
    end.get_by_role("link", name="Modul 3:", exact=False).wait_for()


def play_to_the_end(pg, case) -> None:
    """Choose the first option at every step until the case is over; after each click wait until the kernel has
    replaced the step (the clicked button leaves the page), not a fixed time."""
    while case.get_by_role("button", name="Spill saken på nytt").count() == 0:
        button = case.locator(".mh-choice-list button").first.element_handle()
        button.click()
        button.wait_for_element_state("hidden")


def test_finishing_an_exercise_updates_the_end_of_the_module(page, server):
    open_page(page, server, "modules/09-avsluttende-case.ipynb")  # no other test plays its cases
    end = page.locator(".mh-module-end")
    case = page.locator(".mh-scenario").first
    title = case.locator("h3").first.inner_text().split(": ", 1)[1]
    assert title in end.inner_text()  # listed as not done yet
    play_to_the_end(page, case)
    page.wait_for_function("t => !document.querySelector('.mh-module-end').textContent.includes(t)", arg=title)


def test_lost_connection_shows_a_clear_message_and_clicks_are_not_ignored(page, server):
    """The page's kernel dies under it (server restarted, kernel culled after sleep): the page says so."""
    import psutil

    open_page(page, server, "modules/05-myter.ipynb")
    alert = page.locator("#mh-conn")
    assert alert.is_hidden()
    kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    kernels = [p for p in psutil.process_iter(["cmdline"]) if any(kernel_id in a for a in p.info["cmdline"] or [])]
    assert kernels, "the page's kernel process was not found"
    for proc in kernels:
        proc.kill()
    alert.wait_for(state="visible", timeout=30_000)
    assert alert.get_attribute("role") == "alert"
    text = alert.inner_text()
    assert "Forbindelsen til kurset er brutt" in text and "Last siden på nytt" in text
    page.locator(".mh-exercise .jupyter-button").first.click()  # a dead button says why instead of nothing
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('#mh-conn') !== null")
    assert axe_violations(page) == []
    assert_layout(page, PHONE)


# What a screen reader reads: Chromium's accessibility tree (CDP), not the DOM. There is no screen reader on the
# test machine; this checks the tree it would read (names, roles, heading levels, focus, live region).
def ax_tree(pg) -> tuple[list[dict], dict]:
    """The page's accessibility tree in reading order (ignored nodes left out, their children kept), and the
    live region's node (#mh-live) with the text a screen reader would announce from it."""
    cdp = pg.context.new_cdp_session(pg)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
        doc = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        live_dom = cdp.send("DOM.querySelector", {"nodeId": doc, "selector": "#mh-live"})["nodeId"]
        live_backend = cdp.send("DOM.describeNode", {"nodeId": live_dom})["node"]["backendNodeId"]
    finally:
        cdp.detach()
    by_id = {n["nodeId"]: n for n in nodes}

    def value(n, key):
        return (n.get(key) or {}).get("value")

    def prop(n, key):
        return next((p["value"].get("value") for p in n.get("properties", []) if p["name"] == key), None)

    def text(n) -> str:
        own = value(n, "name") if value(n, "role") in ("StaticText", "InlineTextBox") else ""
        return (own or "") + "".join(text(by_id[c]) for c in n.get("childIds", []) if c in by_id)

    out, live = [], None

    def walk(n):
        nonlocal live
        if n.get("backendDOMNodeId") == live_backend:
            live = {"live": prop(n, "live"), "atomic": prop(n, "atomic"), "text": text(n)}
        if not n.get("ignored"):
            out.append({"role": value(n, "role"), "name": (value(n, "name") or "").strip(),
                        "level": prop(n, "level"), "focused": bool(prop(n, "focused")),
                        "disabled": bool(prop(n, "disabled"))})
        for c in n.get("childIds", []):
            if c in by_id:
                walk(by_id[c])

    walk(nodes[0])
    return out, live or {}


def test_what_a_screen_reader_meets_on_a_scenario_and_a_quiz(page, server):
    """Module 1 has a scenario and a quiz: every button and radio has a name, every quiz radio group is named
    by its question, headings come in order from one h1; after a choice made with the keyboard, focus is on
    the new step's heading and the live region holds the feedback; after checking the quiz, the live region
    holds the verdicts and the score is there to read."""
    page.set_viewport_size({"width": WIDE, "height": 900})
    open_page(page, server, "modules/01-hva-er-menneskehandel.ipynb")
    page.wait_for_function("() => document.querySelectorAll('.mh-quiz [role=radiogroup]').length > 0")
    tree, live = ax_tree(page)
    assert live.get("live") == "polite" and live.get("atomic") is True, live

    levels = [n["level"] for n in tree if n["role"] == "heading"]
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"heading levels skip: {levels}"
    unnamed = [n for n in tree if n["role"] in ("button", "radio", "checkbox", "link", "textbox", "combobox")
               and not n["name"]]
    assert not unnamed, f"controls without a name: {unnamed[:5]}"

    prompts = page.locator(".mh-quiz .mh-question").evaluate_all(
        "qs => qs.filter(q => q.querySelector('.widget-radio')).map(q => q.querySelector('.widget-html').textContent.trim())")
    groups = [n["name"] for n in tree if n["role"] == "radiogroup"]
    assert prompts and all(any(p in g for g in groups) for p in prompts), (prompts, groups)

    # the scenario, with the keyboard: the first choice of «En annen kvinnes pass ved innreise»
    case = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    case.locator(".mh-choice-list button").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.textContent === 'Steg 2'")
    verdict = case.locator(".mh-verdict strong").first.inner_text().strip()  # «✔ God handling.» or the like
    page.wait_for_function("v => document.getElementById('mh-live').textContent.includes(v)", arg=verdict)
    tree, live = ax_tree(page)
    focused = [n for n in tree if n["focused"] and n["role"] != "RootWebArea"]  # the document has focus too
    assert [(n["role"], n["name"]) for n in focused] == [("heading", "Steg 2")], focused
    assert verdict in live["text"], live

    # the quiz: first option of every single-choice question, then «Sjekk svarene» with the keyboard
    quiz = page.locator(".mh-quiz")
    for group in quiz.get_by_role("radiogroup").all():
        group.get_by_role("radio").first.check()
    quiz.get_by_role("button", name="Sjekk svarene").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => /Riktig|Ikke riktig/.test(document.getElementById('mh-live').textContent)")
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('.mh-quiz [role=status]')")
    tree, live = ax_tree(page)
    assert "riktig" in live["text"].lower(), live
    assert any(n["role"] == "status" for n in tree), "the score is not exposed as a status"
    assert any("Poeng:" in n["name"] for n in tree if n["role"] == "StaticText"), "the score is not in the tree"
    assert all(n["disabled"] for n in tree if n["role"] == "radio"), "answered radios should read as unavailable"
    focused = [n for n in tree if n["focused"] and n["role"] != "RootWebArea"]
    assert [n["role"] for n in focused] == ["status"], f"focus is not on the score after checking: {focused}"
