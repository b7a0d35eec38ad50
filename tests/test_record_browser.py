"""The learner's record in a real browser: a hosted server (browser store) used by two learners,
resume after reload, «Slett mine data», and the printable field card and certificate."""

from __future__ import annotations

import io
import json

import pytest

from mhkurs.bank import get_bank
from test_browser import CHROMIUM, CHROMIUM_ARGS, start_voila, stop, wait_for_widgets  # the shared harness

pytestmark = pytest.mark.browser

M1 = "modules/01-hva-er-menneskehandel.ipynb"


def bergen_choices() -> tuple[str, str]:
    """The labels of the best first choice in the Bergen case and of the best choice at the step it leads to."""
    from mhkurs.logic.scenario import best_choice

    case = get_bank().case("bergen-2010")
    steps = {s.id: s for s in case.scenario.steps}
    first = best_choice(steps[case.scenario.start])
    return str(first.label), str(best_choice(steps[first.next]).label)


FIRST_CHOICE, SECOND_CHOICE = bergen_choices()


@pytest.fixture(scope="module")
def hosted(course_server):
    """Voila as `mhkurs serve --host 0.0.0.0` runs it: every learner's record in their own browser (the
    session's course server, tests/conftest.py)."""
    course_server.wait_for_full_pool()
    return course_server.base, course_server.log


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(context, url):
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    wait_for_widgets(page)
    page.locator(".mh-waiting").first.wait_for(state="detached")  # the record has arrived from the browser
    return page


def answer_quiz(page) -> None:
    quiz = page.locator(".mh-quiz")
    for group in quiz.locator(".widget-radio-box").all():
        group.locator("input").first.check()
    for group in quiz.locator(".widget-vbox:has(> .widget-checkbox)").all():
        group.locator("input").first.check()
    quiz.get_by_role("button", name="Sjekk svarene").click()
    quiz.get_by_text("Poeng:").wait_for()


def test_two_learners_on_one_hosted_server_keep_their_own_record(hosted, chromium):
    base, _log = hosted
    anna = chromium.new_context(accept_downloads=True)
    page = open_page(anna, f"{base}/voila/render/{M1}")
    page.get_by_role("button", name=FIRST_CHOICE).click()
    page.get_by_text("✔ God handling.").first.wait_for()
    answer_quiz(page)
    progress = page.locator(".mh-progress")
    progress.get_by_text("Test deg selv: ✔ ferdig").wait_for()  # live: no button, no reload

    page.reload()
    wait_for_widgets(page)
    page.locator(".mh-progress").get_by_text("Test deg selv: ✔ ferdig").wait_for()
    scenario = page.locator(".mh-scenario").filter(has=page.get_by_role("heading", name="Sak: En annen kvinnes pass ved innreise"))
    scenario.locator(".mh-chosen", has_text=FIRST_CHOICE).wait_for()  # the case resumes with the path so far
    assert scenario.get_by_role("button", name=SECOND_CHOICE).is_visible()
    assert "Poeng:" in page.locator(".mh-quiz").inner_text()

    landing = open_page(anna, f"{base}/voila/render/course/index.ipynb")
    text = landing.locator(".mh-landing").inner_text()
    n = len(get_bank().module("m01-hva-er-menneskehandel").exercises)
    assert f"Fremdrift: 1 av {n} øvelser gjort." in text
    assert "Fortsett: Modul 1 – Sak: En annen kvinnes pass ved innreise" in text
    stored = json.loads(landing.evaluate("localStorage.getItem('mhkurs-record-v1')"))
    assert stored["exercises"]["m01-hva-er-menneskehandel"]["quiz:begreper"]["done"]

    bob = chromium.new_context()  # another learner: another browser profile on the same server
    other = open_page(bob, f"{base}/voila/render/course/index.ipynb")
    assert "Fremdrift: 1 av" not in other.locator(".mh-landing").inner_text()
    assert other.evaluate("localStorage.getItem('mhkurs-record-v1')") is None
    page_b = open_page(bob, f"{base}/voila/render/{M1}")
    assert page_b.get_by_role("button", name=FIRST_CHOICE).is_visible()
    assert "○ ikke gjort ennå" in page_b.locator(".mh-progress").inner_text()
    bob.close()

    with landing.expect_download() as dl:
        landing.get_by_role("button", name="Last ned").click()
    assert dl.value.suggested_filename == "mhkurs-mine-data.json"
    exported = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert exported["exercises"] == stored["exercises"]

    landing.get_by_role("button", name="Slett mine data").click()
    landing.get_by_text("Vil du slette alt?").wait_for()
    landing.get_by_role("button", name="Ja, slett alt").click()
    landing.get_by_text("Dataene dine er slettet.").wait_for()
    assert "Fremdrift: 1 av" not in landing.locator(".mh-landing").inner_text()
    assert landing.evaluate("localStorage.getItem('mhkurs-record-v1')") is None
    page.reload()
    wait_for_widgets(page)
    page.locator(".mh-waiting").first.wait_for(state="detached")
    assert page.get_by_role("button", name=FIRST_CHOICE).is_visible()
    anna.close()


def pdf_text(pdf: bytes) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def test_the_field_card_prints_on_one_page_with_the_numbers(hosted, chromium):
    base, _log = hosted
    ctx = chromium.new_context()
    page = open_page(ctx, f"{base}/voila/render/course/feltkort.ipynb")
    text, pages = pdf_text(page.pdf(format="A4"))
    ctx.close()
    assert pages == 1
    assert "Feltkort" in text and "Skriv ut" not in text and "Tilbake til kursets forside" not in text
    bank = get_bank()
    for c in bank.all("contacts"):
        if c.phone:
            assert c.phone in text, c.phone
    assert "Feltkort: mulig menneskehandel – Politiet" in text  # the first role is chosen; each sees their own
    for d in bank.all("duties"):
        assert (str(d.title)[:25] in text.replace("\n", " ")) == ("politi" in d.roles), d.title


def finished_record(bank) -> dict:
    """A record as the browser keeps it after the whole course and a passed post-test."""
    from datetime import datetime, timezone

    from mhkurs.logic import progress as rules
    from mhkurs.record import course_test

    now = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    data = rules.empty()
    for mod in rules.modules_in_order(bank):
        for st in rules.module_status(bank, data, mod.id):
            rules.add_result(data, mod.id, st.key, 2, 2, 1, 1, now)
    rules.mark_completion(data, bank, now)
    post = course_test.course_tests(bank)["post"]
    res = course_test.score(bank, post, {q: list(bank.question(q).answer) for q in post.questions})
    res["at"] = now.isoformat(timespec="seconds")
    data["tests"][post.id] = {"best": res, "latest": res}
    return data


def test_the_certificate_shows_the_name_typed_and_prints(hosted, chromium):
    bank = get_bank()
    if "post" not in {t.kind for t in bank.all("course_tests")}:
        pytest.skip("the content bank has no post-test yet (course_tests, contract 3)")
    base, _log = hosted
    ctx = chromium.new_context()
    seed = json.dumps(finished_record(bank))
    ctx.add_init_script(f"if (!localStorage.getItem('mhkurs-record-v1')) localStorage.setItem('mhkurs-record-v1', {seed!r});")
    page = open_page(ctx, f"{base}/voila/render/course/kursbevis.ipynb")
    page.get_by_role("textbox", name="Navnet ditt:").fill("Kari Nordmann")
    page.locator(".mh-certificate").get_by_text("Kari Nordmann").wait_for()
    text, pages = pdf_text(page.pdf(format="A4"))
    ctx.close()
    post = {t.kind: t for t in bank.all("course_tests")}["post"]
    most = sum(bank.question(q).points for q in post.questions)
    assert pages == 1
    assert "KURSBEVIS" in text and "Kari Nordmann" in text and "20. november 2026" in text
    assert f"{most} av {most} poeng (100 %)" in text
    for mod in bank.all("modules"):
        assert f"Modul {mod.number}:" in text
    from mhkurs.record.certificate import course_version

    assert course_version(bank) in text
    assert "Skriv ut" not in text and "Navnet ditt" not in text


M3 = "modules/03-arbeidsliv.ipynb"


def start_local(tmp_path_factory, home):
    """Voila as `scripts/serve` runs it on 127.0.0.1: the record in the home folder (HOME is a temporary one).
    Without the kernel pool, to start quickly (the record is read when the page connects either way)."""
    from test_browser import TEST_LIMITS

    return start_voila(tmp_path_factory, limits=TEST_LIMITS + ["--VoilaConfiguration.preheat_kernel=False"],
                       MHKURS_RECORD="file", MHKURS_PROGRESS_FILE=None, MHKURS_RECORD_FILE=None, HOME=str(home))


def test_at_home_the_record_is_in_the_home_folder_and_classifier_and_spotter_resume(tmp_path_factory, chromium):
    home = tmp_path_factory.mktemp("home")
    proc, base, _log = start_local(tmp_path_factory, home)
    try:
        ctx = chromium.new_context()
        page = open_page(ctx, f"{base}/voila/render/{M3}")
        classifier = page.locator(".mh-exercise").filter(
            has=page.get_by_role("heading", name="Hva slags sak er dette?", exact=True))
        groups = classifier.get_by_role("radiogroup")
        for i in range(groups.count()):
            groups.nth(i).get_by_role("radio").first.check()
            classifier.locator(".mh-verdict").nth(i).wait_for()
        spotter = page.locator(".mh-exercise").filter(has_text="Marker indikatorene")
        spotter.get_by_role("checkbox").first.check()
        spotter.get_by_role("button", name="Sjekk svarene").click()
        spotter.locator(".mh-verdict").wait_for()
        menu = page.get_by_role("navigation", name="Kursets moduler")
        menu.locator("li", has_text="Modul 3:").get_by_text("◐ Påbegynt: 2 av 5 øvelser").wait_for(state="attached")

        saved = json.loads((home / ".mhkurs" / "record.json").read_text(encoding="utf-8"))
        assert {"classifier:*", "spotter:bygg-container"} <= set(saved["exercises"]["m03-arbeidsliv"])

        page.reload()
        wait_for_widgets(page)
        page.locator(".mh-waiting").first.wait_for(state="detached")
        classifier.locator(".mh-verdict").nth(groups.count() - 1).wait_for()  # every answer is back with its feedback
        assert groups.evaluate_all("gs => gs.map(g => !!g.querySelector('input:checked'))") == [True] * groups.count()
        spotter.locator(".mh-verdict").wait_for()
        assert spotter.get_by_role("checkbox").first.is_checked() and spotter.get_by_role("checkbox").first.is_disabled()
        ctx.close()
    finally:
        stop(proc)

    proc, base, _log = start_local(tmp_path_factory, home)  # served again another day: the record is still there
    try:
        ctx = chromium.new_context()  # even another browser: at home the record is in the home folder
        landing = open_page(ctx, f"{base}/voila/render/course/index.ipynb")
        landing.get_by_text("Fremdrift: 2 av 5 øvelser gjort.").wait_for()
        assert str(home / ".mhkurs" / "record.json") in landing.locator(".mh-my-data").inner_text()
        ctx.close()
    finally:
        stop(proc)
