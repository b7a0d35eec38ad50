"""The learner's record: done rules, best and latest, stores, resume, course tests, refreshers,
certificate and field card, in plain pytest (no kernel, no browser)."""

from __future__ import annotations

from html import escape
import ast
import json
import re
import shutil
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import ipywidgets as w
import pytest

from mhkurs import record
from mhkurs import ui
from mhkurs.bank import get_bank, load_bank
from mhkurs.bank.loader import DEFAULT_CONTENT_DIR, REPO_ROOT
from mhkurs.logic import progress as rules
from mhkurs.record import BrowserStore, FileStore, Record, certificate, course_test, fieldcard, refresher

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def bank():
    return get_bank()


@pytest.fixture
def rec(tmp_path, bank):
    r = Record(FileStore(tmp_path / "record.json"), clock=Clock(), bank=bank)
    r.connect()
    return r


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def html(widget) -> str:
    return " ".join(x.value for x in walk(widget) if isinstance(x, w.HTML))


def buttons(widget, label):
    return [b for b in walk(widget) if isinstance(b, w.Button) and b.description == label]


# --- done rules, best and latest ----------------------------------------------------------------


def test_an_exercise_is_done_only_when_all_its_items_are_answered(rec):
    mod = "m01-hva-er-menneskehandel"
    assert rec.result(mod, "quiz", "begreper", 1, 6, answered=1, items=6) is not None
    st = {s.key: s for s in rules.module_status(rec.bank, rec.data(), mod)}["quiz:begreper"]
    assert not st.done and st.latest.answered == 1
    rec.result(mod, "quiz", "begreper", 4, 6, answered=6, items=6)
    st = {s.key: s for s in rules.module_status(rec.bank, rec.data(), mod)}["quiz:begreper"]
    assert st.done and st.attempts == 2


def test_an_empty_submission_is_not_recorded(rec):
    mod = "m01-hva-er-menneskehandel"
    assert rec.result(mod, "quiz", "begreper", 0, 6, answered=0, items=6) is None
    assert rec.data()["exercises"] == {}


def test_best_and_latest_are_both_kept(rec):
    mod = "m03-arbeidsliv"
    rec.result(mod, "spotter", "bygg-container", 5, 6)
    rec.result(mod, "spotter", "bygg-container", 2, 6)
    entry = rec.data()["exercises"][mod]["spotter:bygg-container"]
    assert entry["best"]["score"] == 5 and entry["latest"]["score"] == 2 and entry["done"]
    rec.result(mod, "spotter", "bygg-container", 6, 6)
    assert rec.data()["exercises"][mod]["spotter:bygg-container"]["best"]["score"] == 6


def test_a_complete_submission_beats_a_better_share_of_an_incomplete_one(rec):
    mod = "m05-myter"
    rec.result(mod, "myths", "*", 2, 20, answered=2, items=20)  # 2 of 2 answered right so far
    rec.result(mod, "myths", "*", 15, 20, answered=20, items=20)
    best = rec.data()["exercises"][mod]["myths:*"]["best"]
    assert best["answered"] == 20 and best["score"] == 15


def call_views(notebook):
    """The exercise calls of a module notebook, as (function name, call source)."""
    nb = json.loads((REPO_ROOT / notebook).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Call) and any(k.arg == "module" for k in node.keywords):
                yield node.func.id, ast.unparse(node)


def finish(name, view):
    """Answer every item of a view, the way a learner would (not necessarily rightly)."""
    if name == "show_case":
        for _ in range(20):
            if "Oppsummering" in html(view):
                return
            choice = [b for b in walk(view) if isinstance(b, w.Button) and b.description != "Start på nytt"]
            choice[0].click()
        raise AssertionError("the scenario never reached its debrief")
    if name == "show_myths":
        for b in buttons(view, "Myte"):
            b.click()
        return
    if name == "show_spotter":
        next(x for x in walk(view) if isinstance(x, w.Checkbox)).value = True
    for _ in range(3):  # answering one control may show more (the navigator asks by role)
        for x in list(walk(view)):
            if isinstance(x, w.RadioButtons) and x.value is None:
                x.value = x.options[0][1]
            if isinstance(x, (w.VBox)) and x.children and all(isinstance(c, w.Checkbox) for c in x.children):
                x.children[0].value = True
    for label in ("Sjekk svarene", "Vis pliktene"):
        for b in buttons(view, label):
            b.click()


def test_every_module_can_be_completed_through_its_own_page(tmp_path, bank, monkeypatch):
    """Drive every exercise call in every module notebook: each module then counts as done (the
    quizzes given by question ids count for the manifest's quiz exercise)."""
    monkeypatch.setenv("MHKURS_PROGRESS_FILE", str(tmp_path / "record.json"))
    record.reset()
    try:
        rec = record.current()
        rec.connect()
        namespace = {n: getattr(ui, n) for n in ui.__all__}
        for mod in rules.modules_in_order(bank):
            assert not rules.module_done(bank, rec.data(), mod.id)
            for name, call in call_views(mod.notebook):
                finish(name, eval(call, namespace))  # noqa: S307 (the repository's own notebook source)
            missing = [s.key for s in rules.module_status(bank, rec.data(), mod.id) if not s.done]
            assert not missing, f"{mod.id}: {missing} cannot be completed from {mod.notebook}"
        assert rules.course_done(bank, rec.data())
        assert rec.data()["completed_at"] == T0.isoformat(timespec="seconds") or rec.data()["completed_at"]
    finally:
        record.reset()


# --- stores ---------------------------------------------------------------------------------------


def test_file_store_round_trip_damage_and_delete(tmp_path, bank):
    path = tmp_path / "home" / ".mhkurs" / "record.json"
    r = Record(FileStore(path), clock=Clock(), bank=bank)
    r.connect()
    r.result("m03-arbeidsliv", "scenario", "jaeren-2008", 6, 6)
    r.save_state("m03-arbeidsliv", "scenario:jaeren-2008", {"path": [["s1", "a"]]})
    again = Record(FileStore(path), bank=bank)
    again.connect()
    assert again.data() == r.data()
    assert again.load_state("m03-arbeidsliv", "scenario:jaeren-2008") == {"path": [["s1", "a"]]}
    path.write_text("{ not json")
    assert FileStore(path).load() == rules.empty()
    again.clear()
    assert not path.exists() and again.data() == rules.empty()


def test_browser_store_keeps_nothing_on_the_server_and_waits_for_the_browser(tmp_path, bank, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    sent = []
    store = BrowserStore(push=sent.append)
    r = Record(store, clock=Clock(), bank=bank)
    seen = []
    r.on_ready(lambda: seen.append("ready"))
    r.on_change(lambda: seen.append("change"))
    assert not r.ready and r.load_state("m01-hva-er-menneskehandel", "quiz:begreper") is None
    r.result("m01-hva-er-menneskehandel", "quiz", "utvalg", 6, 6, answered=6, items=6)  # before the browser spoke
    assert sent == [] and seen == []
    earlier = rules.empty()
    rules.add_result(earlier, "m02-smugling", "classifier:*", 4, 4, 4, 4, T0)
    r.connect(json.dumps(earlier))  # the browser's hello with what localStorage held
    assert seen[:1] == ["ready"] and "change" in seen
    data = json.loads(sent[-1])
    assert data["exercises"]["m02-smugling"]["classifier:*"]["done"]
    assert data["exercises"]["m01-hva-er-menneskehandel"]["quiz:begreper"]["done"]
    r.clear()
    assert sent[-1] is None and r.data() == rules.empty()
    assert list(tmp_path.rglob("*")) == []  # nothing was written on the server


def test_store_from_env(monkeypatch, tmp_path):
    from mhkurs.record.stores import store_from_env

    monkeypatch.setenv("MHKURS_PROGRESS_FILE", str(tmp_path / "r.json"))
    monkeypatch.delenv("MHKURS_RECORD", raising=False)
    assert isinstance(store_from_env(), FileStore)
    monkeypatch.setenv("MHKURS_RECORD", "browser")
    assert isinstance(store_from_env(), BrowserStore)
    monkeypatch.delenv("MHKURS_RECORD")
    monkeypatch.setenv("MHKURS_PROGRESS_FILE", "")  # the older «no file» setting
    assert isinstance(store_from_env(), BrowserStore)


# --- live views and resume --------------------------------------------------------------------------


@pytest.fixture
def live(tmp_path, monkeypatch):
    """This kernel's record, as a view sees it, with a file store in tmp_path."""
    monkeypatch.setenv("MHKURS_PROGRESS_FILE", str(tmp_path / "record.json"))
    record.reset()
    yield record
    record.reset()


def test_progress_box_waits_for_the_page_then_updates_live(live, bank):
    mod = bank.module("m08-samtalen")
    box = ui.show_progress(mod.id)
    assert "Henter fremdriften din" in html(box)  # a preheated kernel shows nothing stale
    live.current().connect()
    assert f"0 av {len(mod.exercises)} øvelser er ferdige" in html(box)
    namespace = {n: getattr(ui, n) for n in ui.__all__}
    for name, call in call_views(mod.notebook):
        finish(name, eval(call, namespace))  # noqa: S307 (the repository's own notebook source)
    assert "Du har fullført denne modulen" in html(box)
    assert "Neste: <a href='../modules/09-avsluttende-case.ipynb'>Modul 9:" in html(box)


def test_quiz_resumes_with_the_answers_given(live):
    live.current().connect()
    ids = ["q-tre-elementer", "q-formaal"]
    first = ui.show_quiz(ids=ids, module="m01-hva-er-menneskehandel")
    radios = [x for x in walk(first) if isinstance(x, w.RadioButtons)]
    radios[0].value = radios[0].options[1][1]
    again = ui.show_quiz(ids=ids, module="m01-hva-er-menneskehandel")  # the page reloaded
    radios2 = [x for x in walk(again) if isinstance(x, w.RadioButtons)]
    assert radios2[0].value == radios[0].value is not None
    assert "Poeng" not in html(again)
    finish("show_quiz", again)
    third = ui.show_quiz(ids=ids, module="m01-hva-er-menneskehandel")
    assert "Poeng:" in html(third)  # checked answers come back checked, with their feedback
    entry = live.current().data()["exercises"]["m01-hva-er-menneskehandel"]["quiz:begreper"]
    assert entry["attempts"] == 1  # restoring does not count as another attempt


def test_scenario_resumes_at_its_step_with_the_path_so_far(live, bank):
    live.current().connect()
    case = bank.case("jaeren-2008")
    steps = {s.id: s for s in case.scenario.steps}
    first = steps[case.scenario.start].choices[0]
    view = ui.show_case(case.id, module="m03-arbeidsliv")
    buttons(view, str(first.label))[0].click()
    again = ui.show_case(case.id, module="m03-arbeidsliv")
    assert "mh-step-done" in html(again) and escape(str(first.label)) in html(again)  # the path so far
    assert buttons(again, str(steps[first.next].choices[0].label))  # at the step the learner reached
    assert "m03-arbeidsliv" not in live.current().data()["exercises"]  # not done before the debrief


def test_landing_offers_to_continue_at_the_next_unfinished_exercise(live, bank):
    view = ui.show_landing()
    rec = live.current()
    rec.connect()
    first = html(view)
    assert "Modul 1: Hva er menneskehandel?" in first
    if course_test.course_tests(rec.bank):
        assert "Start med forhåndstesten" in first
    else:
        assert "Fortsett: Modul 1 – Sak: En annen kvinnes pass ved innreise" in first
    rec.result("m01-hva-er-menneskehandel", "scenario", "bergen-2010", 6, 6)
    second = bank.module("m01-hva-er-menneskehandel").exercises[1]
    assert f"Fortsett: Modul 1 – {ui.progress_view.exercise_name(bank, second.kind, second.ref)}" in html(view)
    n = len(bank.module("m01-hva-er-menneskehandel").exercises)
    assert f"Fremdrift: 1 av {n} øvelser gjort." in html(view)


def test_delete_my_data_asks_first_then_empties_the_record(live):
    view = ui.show_landing()
    rec = live.current()
    rec.connect()
    rec.result("m01-hva-er-menneskehandel", "scenario", "bergen-2010", 6, 6)
    buttons(view, "Slett mine data")[0].click()
    assert "Vil du slette alt?" in html(view) and rec.data()["exercises"]
    buttons(view, "Avbryt")[0].click()
    assert rec.data()["exercises"]
    buttons(view, "Slett mine data")[0].click()
    buttons(view, "Ja, slett alt")[0].click()
    assert rec.data() == rules.empty() and not rec.store.path.exists()
    assert "Dataene dine er slettet" in html(view) and "Fremdrift: 1 av" not in html(view)


# --- refreshers ---------------------------------------------------------------------------------------


def test_refreshers_fall_due_after_a_week_and_a_month():
    assert refresher.schedule(None, []) == []
    assert refresher.due_now(T0, [], T0 + timedelta(days=6, hours=23)) is None
    due = refresher.due_now(T0, [], T0 + timedelta(days=7))
    assert due.number == 1
    taken = [T0 + timedelta(days=8)]
    assert refresher.due_now(T0, taken, T0 + timedelta(days=20)) is None
    assert refresher.upcoming(T0, taken).at == T0 + timedelta(days=30)
    assert refresher.due_now(T0, taken, T0 + timedelta(days=30)).number == 2
    late = [T0 + timedelta(days=27)]  # the first one taken late: a week before the next
    assert refresher.upcoming(T0, late).at == late[0] + timedelta(days=7)
    both = taken + [T0 + timedelta(days=31)]
    assert refresher.due_now(T0, both, T0 + timedelta(days=400)) is None and refresher.upcoming(T0, both) is None


def test_refreshers_draw_first_on_missed_practice_items(bank):
    practice = [q.id for q in refresher.practice_items(bank)]
    missed = {practice[3]: 1, practice[5]: 3, "not-a-question": 9}
    items = refresher.pick_items(bank, missed, seed="x")
    assert items[:2] == [practice[5], practice[3]] and len(items) == refresher.SIZE
    assert len(set(items)) == len(items) and set(items) <= set(practice)
    assert all(getattr(bank.question(q), "pool", "practice") == "practice" for q in items)


def test_completion_and_refresher_through_the_record(rec, bank):
    clock = rec.clock
    for mod in rules.modules_in_order(bank):
        for st in rules.module_status(bank, rec.data(), mod.id):
            rec.result(mod.id, st.kind, st.ref, 1, 1)
    assert rec.data()["completed_at"] == T0.isoformat(timespec="seconds")
    clock.now = T0 + timedelta(days=7, hours=1)
    data = rec.data()
    assert refresher.due_now(data["completed_at"], data["refreshers"], clock.now).number == 1
    rec.refresher_done(missed=["q-x"])
    data = rec.data()
    assert refresher.due_now(data["completed_at"], data["refreshers"], clock.now) is None
    assert data["missed"] == {"q-x": 1}


# --- course tests (fixtures until the bank has its own course_tests) -----------------------------------


def fake_tests(bank):
    qs = [q for q in bank.all("questions") if q.type in ("single", "multiple")][:6]
    objs = [o.id for m in rules.modules_in_order(bank) for o in m.objectives]
    questions = {q.id: SimpleNamespace(**{**q.__dict__, "objective": objs[i % 3]}) for i, q in enumerate(qs)}
    fake = SimpleNamespace(all=lambda s: [pre, post] if s == "course_tests" else bank.all(s),
                           question=lambda i: questions[i], module=bank.module, content_dir=bank.content_dir)
    pre = SimpleNamespace(id="forhandstest", kind="pre", title="F", intro="I", questions=list(questions)[:3],
                          pass_mark=None, pass_rules=[])
    rule = SimpleNamespace(label="Pliktene", objectives=[objs[0]], min_percent=100)
    post = SimpleNamespace(id="sluttest", kind="post", title="S", intro="I", questions=list(questions)[3:],
                           pass_mark=60, pass_rules=[rule])
    return fake, pre, post, questions


def test_course_test_scores_per_objective_and_applies_the_pass_mark_and_rules(bank):
    fake, pre, post, questions = fake_tests(bank)
    right = {q: list(questions[q].answer) for q in questions}
    wrong = {q: [o.id for o in questions[q].options if o.id not in questions[q].answer][:1] for q in questions}
    with pytest.raises(ValueError, match="unanswered"):
        course_test.score(fake, post, {})
    res = course_test.score(fake, post, {q: right[q] for q in post.questions})
    assert res["passed"] and res["percent"] == 100 and sum(v[1] for v in res["per_objective"].values()) == res["most"]
    first = post.questions[0]  # the objective the pass rule demands
    answers = {q: right[q] for q in post.questions} | {first: wrong[first]}
    res = course_test.score(fake, post, answers)
    assert res["percent"] >= 60 and not res["passed"] and res["failed_rules"] == ["Pliktene"]
    pre_res = course_test.score(fake, pre, {q: wrong[q] for q in pre.questions})
    assert "passed" not in pre_res and pre_res["got"] == 0
    rows = course_test.compare(bank, pre_res, res)
    assert len(rows) == 3 and all(before and after for _m, _o, before, after in rows)
    assert rows[0][0] == "Modul 1"


def test_certificate_needs_every_module_and_a_passed_post_test(bank, rec):
    fake, _pre, post, questions = fake_tests(bank)
    data = rec.data()
    assert not certificate.standing(fake, data).earned
    for mod in rules.modules_in_order(bank):
        for st in rules.module_status(bank, data, mod.id):
            rules.add_result(data, mod.id, st.key, 1, 1, 1, 1, T0)
    assert not certificate.standing(fake, data).earned
    res = course_test.score(fake, post, {q: list(questions[q].answer) for q in post.questions})
    data["tests"]["sluttest"] = {"best": res, "latest": res}
    assert certificate.standing(fake, data).earned
    assert certificate.norwegian_date(T0) == "2. mars 2026"


def test_course_version_is_a_hash_of_the_bank(tmp_path, bank):
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    v1 = certificate.course_version(load_bank(content))
    assert v1 == certificate.course_version(bank) and len(v1) == 12
    path = content / "rights.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# endret\n", encoding="utf-8")
    assert certificate.course_version(load_bank(content)) != v1


# --- field card ---------------------------------------------------------------------------------------


def test_field_card_comes_from_the_bank_and_shows_only_the_duties_of_the_role(bank):
    duties, contacts = fieldcard.card(bank, "politi")
    mine = [d for d in sorted(bank.all("duties"), key=lambda d: (d.kind != "plikt", d.order)) if "politi" in d.roles]
    assert [d.title for d in duties] == [str(d.title) for d in mine]
    assert not any("privatperson" in d.title for d in duties)
    private = [d.title for d in fieldcard.card(bank, "privatperson")[0]]
    assert "Melde fra som privatperson" in private and "Meldeplikt til barnevernet" not in private
    avverg = next(d for d in duties if d.title == "Avvergingsplikt")
    assert "straffeloven (2005) § 196" in avverg.legal_basis and avverg.overrides_confidentiality
    assert avverg.trigger.startswith("Ja til «Er det sikkert eller mest sannsynlig at grov menneskehandel")
    assert avverg.first == [str(a) for a in bank.duty("avvergingsplikt").actions[:2]]
    phones = {c.phone for c in contacts}
    assert {"112", "02800", "22 33 11 60", "116 111"} <= phones
    holds = [d for d in bank.all("duties") if getattr(d, "confidentiality", None) == "holds"]
    assert all("så lenge ingen plikt som går foran taushetsplikten gjelder" in d.trigger
               for d in duties if d.title in {str(h.title) for h in holds})


# --- the course test pages (a fixture bank until the real course_tests are in) -----------------------


def answer_all(view, questions, right: bool) -> None:
    groups = [x for x in walk(view) if isinstance(x, w.RadioButtons)
              or (isinstance(x, w.VBox) and x.children and all(isinstance(c, w.Checkbox) for c in x.children))]
    for (qid, q), ctl in zip(questions.items(), groups):
        pick = list(q.answer) if right else [o.id for o in q.options if o.id not in q.answer][:1]
        if isinstance(ctl, w.RadioButtons):
            ctl.value = pick[0]
        else:
            for oid, cb in zip(ctl.option_ids, ctl.children):
                cb.value = oid in pick


def test_pre_and_post_test_pages_score_per_objective_and_compare(live, bank, monkeypatch):
    from mhkurs.ui import course_test_view

    fake, pre, post, questions = fake_tests(bank)
    monkeypatch.setattr(course_test_view, "get_bank", lambda: fake)
    live.current().connect()
    view = course_test_view.show_course_test("post")
    assert "For å bestå må du ha minst 60 % riktig." in html(view)  # stated before the test
    assert "Pliktene (minst 100 % riktig på spørsmålene om dette)" in html(view)
    buttons(view, "Lever testen")[0].click()
    assert "Du har ikke svart på spørsmål 1, 2, 3." in html(view)
    assert "sluttest" not in live.current().data()["tests"]

    pre_view = course_test_view.show_course_test("pre")
    answer_all(pre_view, {q: questions[q] for q in pre.questions}, right=False)
    buttons(pre_view, "Lever testen")[0].click()
    assert "ingen grense for å bestå" in html(pre_view)

    answer_all(view, {q: questions[q] for q in post.questions}, right=True)
    buttons(view, "Lever testen")[0].click()
    text = html(view)
    assert "Du har bestått sluttesten" in text and "Hva du kunne før og etter kurset" in text
    # «Lever testen» is hidden now: focus goes to the result, which the live region reads out
    assert re.search(r"<p role='status' tabindex='-1' data-mh-focus data-mh-announce='Resultat: \d+ av \d+ poeng", text)
    assert not any(b.layout.display != "none" for b in buttons(view, "Lever testen"))
    assert "<td>0 av 1</td><td>1 av 1</td>" in text.replace("\n", "")  # before and after, per objective
    best = live.current().data()["tests"]["sluttest"]["best"]
    assert best["passed"] and best["percent"] == 100

    again = course_test_view.show_course_test("post")  # the page reloaded: the result is shown again
    assert "Du har bestått sluttesten" in html(again)
    buttons(again, "Ta testen på nytt")[0].click()
    assert "Du har bestått" not in html(again)
    assert live.current().data()["tests"]["sluttest"]["best"]["passed"]  # the best result stays


def test_refresher_page_and_landing_follow_the_clock(tmp_path, bank):
    clock = Clock()
    rec = Record(FileStore(tmp_path / "record.json"), clock=clock, bank=bank)
    record.reset(rec)
    try:
        rec.connect()
        missed = refresher.practice_items(bank)[-1]
        rec.result("m01-hva-er-menneskehandel", "quiz", "begreper", 1, 2, answered=2, items=2, missed=[missed.id])
        for mod in rules.modules_in_order(bank):
            for st in rules.module_status(bank, rec.data(), mod.id):
                rec.result(mod.id, st.kind, st.ref, 1, 1)
        page = ui.show_refresher()
        assert "Neste repetisjon: <strong>9. mars 2026</strong>" in html(page)
        clock.now = T0 + timedelta(days=7)
        landing = ui.show_landing()
        assert "Repetisjon 1 venter på deg." in html(landing)
        page = ui.show_refresher()
        assert "Repetisjon 1 av 2." in html(page)
        from html import escape

        assert "<strong>1. " + escape(str(missed.prompt)) in html(page)  # the item missed comes first
        buttons(page, "Sjekk svarene")[0].click()
        assert "Du har ikke svart på spørsmål 1, 2, 3, 4, 5." in html(page) and rec.data()["refreshers"] == []
        finish("show_quiz", page)
        assert "Repetisjonen er registrert" in html(page)
        assert rec.data()["refreshers"] == [clock.now.isoformat(timespec="seconds")]
        assert "Neste repetisjon: 1. april 2026." in html(landing)
    finally:
        record.reset()


def test_damaged_records_are_cleaned_not_fatal(bank):
    raw = {"exercises": {"m01-hva-er-menneskehandel": {"quiz:begreper": {"best": {"score": "x"}},
                                                       "scenario:bergen-2010": {"done": True, "best": None}},
                         "m02-smugling": "oops"},
           "tests": {"sluttest": {"best": {"got": 1}}}, "missed": {"q": "many"}, "refreshers": ["yesterday"],
           "completed_at": "soon", "states": {"m01": []}}
    data = rules.normalise(raw)
    assert data["exercises"] == {"m01-hva-er-menneskehandel": {}}
    assert data["tests"] == {} and data["missed"] == {} and data["refreshers"] == [] and data["completed_at"] is None
    assert data["states"] == {}
    assert not any(s.done for s in rules.module_status(bank, data, "m01-hva-er-menneskehandel"))
    assert rules.normalise("not a record") == rules.empty()


def test_resumable_views_are_rebuilt_from_the_saved_state(live):
    built = []

    def build(state, save):
        built.append(state)
        view = w.HTML(f"step {(state or {}).get('step', 0)}")
        view.save = save
        return view

    holder = live.resumable("m01-hva-er-menneskehandel", "quiz:begreper", build)
    holder.children[0].save({"step": 3})  # before the page connected: kept until the record is read
    live.current().connect()
    again = live.resumable("m01-hva-er-menneskehandel", "quiz:begreper", build)
    assert again.children[0].value == "step 3" and built[-1] == {"step": 3}


def test_views_can_follow_the_record_by_module(live):
    from mhkurs.ui.common import on_record
    from mhkurs.ui.frame import module_state

    seen = []
    on_record(seen.append)
    assert seen == [] and module_state("m02-smugling").done == 0
    live.current().connect()
    assert "m02-smugling" in seen
    seen.clear()
    live.current().result("m02-smugling", "classifier", "*", 3, 4, answered=4, items=4)
    assert "m02-smugling" in seen
    state = module_state("m02-smugling")
    assert (state.done, state.score, state.max_score) == (1, 3, 4) and state.label.startswith("◐ Påbegynt: 1 av")


def test_the_module_menu_shows_each_module_state_from_the_record_live(live, bank):
    page_header = ui.show_module_header("m02-smugling")
    assert "mh-state" not in page_header.value  # the header sent with the page has links, no states
    header = page_header.live  # the hidden widget the page's script copies the menu from
    assert "mh-state" not in header.value  # no states before the learner's record is read (never stale ones)
    rec = live.current()
    rec.connect()
    assert header.value.count("○ Ikke startet") == len(bank.all("modules"))
    for st in rules.module_status(bank, rec.data(), "m01-hva-er-menneskehandel"):
        rec.result("m01-hva-er-menneskehandel", st.kind, st.ref, 1, 1)
    rec.result("m02-smugling", "classifier", "*", 3, 4, answered=4, items=4)
    assert "Modul 1: Hva er menneskehandel?</a> <span class='mh-state'>✔ Fullført" in header.value
    assert "◐ Påbegynt: 1 av 3 øvelser" in header.value and "(du er i modul 2 av 9)</summary><p class='mh-menu-count'>1 av 9 moduler fullført" in header.value


def test_classifier_and_spotter_resume_with_the_answers_given(live, bank):
    from mhkurs.logic import classifier, spotter

    live.current().connect()
    ids = ["k-smugling", "k-vold-naere"]
    view = ui.show_classifier(ids, module="m02-smugling")
    first = next(x for x in walk(view) if isinstance(x, w.RadioButtons))
    first.value = first.options[2][1]
    again = ui.show_classifier(ids, module="m02-smugling")  # the page reloaded
    picks = [x for x in walk(again) if isinstance(x, w.RadioButtons)]
    assert picks[0].value == first.value and picks[0].disabled and picks[1].value is None
    assert html(again).count("mh-verdict") == 1  # the feedback is back, for the answered situation only
    entry = live.current().data()["exercises"]["m02-smugling"]["classifier:*"]
    assert entry["attempts"] == 1 and not entry["done"]  # restoring is not another attempt
    buttons(again, "Prøv igjen")[0].click()
    assert all(p.value is None for p in picks)
    assert ui.show_classifier(ids, module="m02-smugling") and classifier.restore(bank, ids, live.load_state(
        "m02-smugling", "classifier:*")) == {}

    case = "bygg-container"
    view = ui.show_spotter(case, module="m03-arbeidsliv")
    boxes = [x for x in walk(view) if isinstance(x, w.Checkbox)]
    boxes[0].value = True
    mid = ui.show_spotter(case, module="m03-arbeidsliv")  # marked, not yet checked
    assert [x.value for x in walk(mid) if isinstance(x, w.Checkbox)][:2] == [True, False] and "mh-verdict" not in html(mid)
    buttons(mid, "Sjekk svarene")[0].click()
    done = ui.show_spotter(case, module="m03-arbeidsliv")
    marks = [x for x in walk(done) if isinstance(x, w.Checkbox)]
    assert marks[0].value and all(x.disabled for x in marks) and "mh-verdict" in html(done)
    assert live.current().data()["exercises"]["m03-arbeidsliv"]["spotter:bygg-container"]["attempts"] == 1


def test_saved_states_that_no_longer_fit_are_dropped(bank):
    from mhkurs.logic import classifier, spotter

    ids = ["k-smugling", "k-vold-naere"]
    cls = classifier.classes(bank)[0].id
    assert classifier.restore(bank, ids, {"answers": {"k-smugling": cls, "k-vold-naere": "no-such-class",
                                                      "k-removed": cls}}) == {"k-smugling": cls}
    assert classifier.restore(bank, ids, None) == {} and classifier.restore(bank, ids, {"answers": []}) == {}
    offered = [i.id for i in spotter.options(bank, "bygg-container")]
    marks, checked = spotter.restore(bank, "bygg-container", {"marked": [offered[0], "gone", 3], "checked": True})
    assert marks == {offered[0]} and checked
    assert spotter.restore(bank, "bygg-container", {"marked": ["gone"], "checked": True}) == (set(), False)
    assert spotter.restore(bank, "bygg-container", spotter.state({offered[1]}, False)) == ({offered[1]}, False)


def test_spotter_grades_all_some_none(bank):
    from mhkurs.logic import spotter

    case = bank.case("bygg-container")
    present = list(case.indicators)
    other = next(i.id for i in spotter.options(bank, case.id) if i.id not in present)
    assert spotter.check(bank, case.id, present).grade == "all"
    assert spotter.check(bank, case.id, present + [other]).grade == "some"
    assert spotter.check(bank, case.id, present[:1]).grade == "some"
    assert spotter.check(bank, case.id, [other]).grade == "none"


def test_a_quiz_checked_with_questions_left_reads_as_started_not_done(live, bank):
    """A quiz handed in with questions unanswered does not count as done (mhkurs.logic.progress); the quiz and the
    module's progress box both say so and what to do, so «0 av 3 øvelser er ferdige» after it is not a riddle."""
    live.current().connect()
    mod = "m01-hva-er-menneskehandel"
    box = ui.show_progress(mod)
    quiz = ui.show_quiz(ids=["q-tre-elementer", "q-formaal", "q-grov"], module=mod)
    radio = next(x for x in walk(quiz) if isinstance(x, w.RadioButtons))
    radio.value = radio.options[0][1]
    buttons(quiz, "Sjekk svarene")[0].click()
    assert "spørsmål er ikke besvart, så testen teller ikke som ferdig i fremdriften din ennå." in html(quiz)
    progress = html(box)
    assert "0 av 3 øvelser er ferdige. 1 er påbegynt, men ikke ferdig" in progress
    assert "Test deg selv: ◐ påbegynt, ikke ferdig – " in progress and "Trykk «Prøv igjen» og svar på alle" in progress
    buttons(quiz, "Prøv igjen")[0].click()  # a full new attempt finishes it
    quiz_now = [x for x in walk(quiz) if isinstance(x, (w.RadioButtons, w.Checkbox))]
    for x in quiz_now:
        if isinstance(x, w.RadioButtons):
            x.value = x.options[0][1]
        else:
            x.value = True
    buttons(quiz, "Sjekk svarene")[0].click()
    assert "1 av 3 øvelser er ferdige." in html(box) and "påbegynt" not in html(box)


# --- counterbalanced parallel forms (issue 25) -----------------------------------------------------------


def test_each_learner_meets_the_two_forms_in_a_random_order_kept_in_the_record(bank, rec):
    import random

    forms = course_test.forms(bank)
    tests = course_test.course_tests(bank)
    assert forms == {"A": tests["pre"], "B": tests["post"]}
    draws = [course_test.draw_order(bank, rules.empty(), random.Random(seed)) for seed in range(400)]
    assert set(draws) == {"AB", "BA"} and 0.4 <= draws.count("BA") / len(draws) <= 0.6  # counterbalanced
    rec.connect()
    first = course_test.ensure_order(bank, rec, random.Random(3))
    assert course_test.ensure_order(bank, rec, random.Random(4)) == first  # drawn once, then kept
    assert rec.data()["states"]["course"]["test-forms"] == {"order": first}
    assert course_test.order(rec.data()) == first

    pre, post = (course_test.for_learner(bank, kind, "BA") for kind in ("pre", "post"))
    assert pre.id == "forhandstest" and pre.form == "B" and pre.questions == tests["post"].questions
    assert post.id == "sluttest" and post.form == "A" and post.questions == tests["pre"].questions
    assert post.pass_mark == tests["post"].pass_mark and post.pass_rules == tests["post"].pass_rules
    res = course_test.score(bank, post, {q: list(bank.question(q).answer) for q in post.questions})
    assert res["form"] == "A" and res["passed"]
    assert course_test.for_learner(bank, "pre", "AB").questions == tests["pre"].questions

    # a learner who took the pre-test before the forms were counterbalanced keeps the order they started
    old = rules.empty()
    old["tests"]["forhandstest"] = {"best": {"got": 1}, "latest": {"got": 1}}
    assert course_test.draw_order(bank, old, random.Random(0)) == "AB"


def test_pages_show_the_learners_form_and_say_which_form_was_taken_when(live, bank):
    from mhkurs.ui import course_test_view, print_views

    rec = live.current()
    rec.connect()
    rec.save_state(*course_test.ORDER_KEY, {"order": "BA"})
    tests = course_test.course_tests(bank)
    view = course_test_view.show_course_test("pre")
    shown = html(view)
    first_b, first_a = (bank.question(tests[k].questions[0]) for k in ("post", "pre"))
    assert escape(str(first_b.prompt), quote=False)[:60] in shown.replace("&#x27;", "'")
    assert escape(str(first_a.prompt), quote=False)[:60] not in shown.replace("&#x27;", "'")
    answer_all(view, {q: bank.question(q) for q in tests["post"].questions}, right=False)
    buttons(view, "Lever testen")[0].click()
    text = html(view)
    assert "(form B)" in text and "Før kurset<br><span class='mh-form'>(form B)" in text
    assert re.search(r"Du tok form B før kurset \([0-9]+\. [a-z]+ [0-9]{4}\)\.", text)
    pre_res = rec.data()["tests"]["forhandstest"]["best"]
    assert pre_res["form"] == "B"

    post = course_test.for_learner(bank, "post", "BA")
    res = course_test.score(bank, post, {q: list(bank.question(q).answer) for q in post.questions})
    res["at"] = T0.isoformat()
    data = rec.data()
    data["tests"]["sluttest"] = {"best": res, "latest": res}
    data["completed_at"] = T0.isoformat()
    paper = print_views.certificate_html(bank, data, "Kari Nordmann")
    assert "Sluttest (form A):" in paper and "levert 2. mars 2026" in paper
    assert "Forhåndstest (form B):" in paper
