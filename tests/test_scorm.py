"""`mhkurs scorm`: the SCORM 1.2 package (content-packaging rules, no learner data, no secret) and the learner's
record in cmi.suspend_data (compact, under SCORM 1.2's 4,096 characters for a whole course), lesson status and
score. The package under a real SCORM 1.2 runtime in Chromium is tests/test_scorm_browser.py."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from mhkurs.bank import get_bank
from mhkurs.cli import main
from mhkurs.logic import progress as rules
from mhkurs.record import course_test, lms
from mhkurs.scorm import PackageError, build, check, course_url

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def full_record(bank) -> dict:
    """A record as big as a whole course makes it: every exercise done after several attempts (best and latest
    differ), the state of every view that keeps one (answers, paths, marks), both course tests taken twice with
    every answer, refreshers, missed questions and the name on the certificate."""
    from mhkurs.logic import myths, quiz, spotter
    from mhkurs.logic.scenario import ScenarioRun, best_choice

    data = rules.empty()
    t = T0
    situations = [q.id for q in bank.all("questions") if q.type == "classification"]
    for mod in rules.modules_in_order(bank):
        states = data["states"].setdefault(mod.id, {})
        for ex in mod.exercises:
            key = rules.exercise_key(ex.kind, ex.ref)
            for score in (1, 3, 2):
                t += timedelta(minutes=7, seconds=13)
                rules.add_result(data, mod.id, key, score, 3, 3, 3, t, missed=[f"q-{mod.number}-{score}"])
            if ex.kind == "quiz":
                qs = quiz.questions(bank, topic=ex.ref)
                st = quiz.start(bank, qs, seed=f"{mod.id}:{ex.ref}").to_dict()
                st["answers"] = {q.id: [o.id for o in q.options] for q in qs}
                states[key] = st
            elif ex.kind == "myths":
                run = myths.start(bank, seed=3)
                states[key] = {**run.to_dict(), "answers": {k: True for k in run.keys}}
            elif ex.kind == "scenario":
                run = ScenarioRun.start(bank, ex.ref)
                path = []
                while not run.finished:
                    choice = best_choice(run.step)
                    path.append([run.current, choice.id])
                    run.choose(choice.id)
                states[key] = {"path": path}
            elif ex.kind == "classifier":
                states[key] = {"answers": {q: "menneskehandel" for q in situations}}
            elif ex.kind == "spotter":
                states[key] = {"marked": sorted(i.id for i in spotter.options(bank, ex.ref)), "checked": True}
    data["states"]["course"] = {"kursbevis": {"name": "Kari Marie Nordmann-Bakketeig"}}
    for kind, test in course_test.course_tests(bank).items():
        wrong = {q: [bank.question(q).options[-1].id] for q in test.questions}
        right = {q: list(bank.question(q).answer) for q in test.questions}
        for answers in (wrong, right):
            t += timedelta(minutes=20)
            res = course_test.score(bank, test, answers)
            res["at"] = t.isoformat(timespec="seconds")
            entry = data["tests"].setdefault(test.id, {})
            entry["latest"] = res
            if not entry.get("best") or course_test.better(res, entry["best"]):
                entry["best"] = res
        data["states"]["course"][f"course-test:{test.id}"] = {"answers": right}
    data["refreshers"] = [(t + timedelta(days=d)).isoformat(timespec="seconds") for d in (7, 30)]
    rules.mark_completion(data, bank, t)
    return rules.normalise(data)


def test_a_whole_courses_record_fits_in_suspend_data_and_comes_back_whole():
    bank = get_bank()
    data = full_record(bank)
    assert rules.course_done(bank, data) and data["completed_at"]
    text = lms.pack(data)
    plain = json.dumps(data, ensure_ascii=False)
    print(f"\nsuspend_data for a whole course: {len(text)} characters (the record as JSON: {len(plain)})")
    assert len(text) <= lms.LIMIT
    assert re.fullmatch(r"mh1:[A-Za-z0-9+/=]+", text)  # plain ASCII: safe in every LMS's database
    back = lms.unpack(text)
    for part in ("exercises", "tests", "missed", "refreshers", "completed_at"):
        assert back[part] == data[part], part  # results, tests with every answer, completion: all of it
    assert back["states"]["course"] == data["states"]["course"]  # the tests' answers and the certificate's name
    kept = [(m, k) for m, s in data["states"].items() for k in s if k in back["states"].get(m, {})]
    total = sum(len(s) for s in data["states"].values())
    print(f"view states kept: {len(kept)} of {total} (all of them: {len(lms._encode(lms._compact(data)))} characters)")
    assert len(kept) >= 0.75 * total  # only the answers of some finished exercises give way
    for m, k in kept:
        assert back["states"][m][k] == data["states"][m][k]
    part = rules.empty()  # halfway through, everything fits, nothing given up
    for mod in rules.modules_in_order(bank)[:5]:
        part["exercises"][mod.id] = data["exercises"][mod.id]
        part["states"][mod.id] = data["states"][mod.id]
    assert lms.unpack(lms.pack(part)) == rules.normalise(part)


def test_a_record_too_big_for_suspend_data_keeps_results_tests_and_completion():
    bank = get_bank()
    data = full_record(bank)
    import random

    rnd = random.Random(4)
    for mod in data["states"]:  # states no course makes: random text that does not compress
        for n in range(5):
            data["states"][mod][f"x{n}"] = {"noise": "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(400))}
    text = lms.pack(data)
    assert len(text) <= lms.LIMIT
    back = lms.unpack(text)
    for mod, entries in data["exercises"].items():
        for key, e in entries.items():
            assert back["exercises"][mod][key]["done"] and back["exercises"][mod][key]["best"] == e["best"]
    post = course_test.course_tests(bank)["post"].id
    assert back["tests"][post]["best"]["percent"] == data["tests"][post]["best"]["percent"]
    assert back["completed_at"] == data["completed_at"]
    assert lms.status(bank, back) == lms.status(bank, data) == ("passed", 100)


@pytest.mark.parametrize("junk", [None, "", "abc", "mh1:@@@", "mh1:" + "A" * 40, '{"exercises": 1}'])
def test_damaged_or_foreign_suspend_data_gives_an_empty_record(junk):
    assert lms.unpack(junk) == rules.empty()


def test_lesson_status_and_score_follow_the_course_and_the_post_test():
    bank = get_bank()
    data = rules.empty()
    assert lms.status(bank, data) == ("incomplete", None)
    post = course_test.course_tests(bank)["post"]
    right = course_test.score(bank, post, {q: list(bank.question(q).answer) for q in post.questions})
    early = {**rules.empty(), "tests": {post.id: {"best": right, "latest": right}}}
    assert lms.status(bank, early) == ("incomplete", 100)  # passed only with the modules done, as the certificate
    for mod in rules.modules_in_order(bank):
        for st in rules.module_status(bank, data, mod.id):
            rules.add_result(data, mod.id, st.key, 1, 1, 1, 1, T0)
    assert lms.status(bank, data) == ("completed", None)
    wrong = course_test.score(bank, post, {q: [bank.question(q).options[-1].id] for q in post.questions})
    if wrong["passed"]:  # the last option of every question happens to be right
        pytest.skip("no failing answers found")
    data["tests"][post.id] = {"best": wrong, "latest": wrong}
    assert lms.status(bank, data) == ("failed", wrong["percent"])
    data["tests"][post.id] = {"best": right, "latest": wrong}
    assert lms.status(bank, data) == ("passed", 100)
    pay = lms.payload(bank, data)
    assert pay["lesson_status"] == "passed" and pay["score"] == 100 and lms.unpack(pay["suspend_data"]) == data


def test_the_package_follows_the_scorm_12_packaging_rules_and_holds_no_learner_data(tmp_path, capsys):
    out = tmp_path / "kurs.zip"
    assert main(["scorm", "--course-url", "https://kurs.example.no/menneskehandel/", "--out", str(out)]) == 0
    assert "SCORM 1.2" in capsys.readouterr().out
    assert check(out) == []
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["imsmanifest.xml", "index.html", "mhkurs-scorm.js"]
        manifest = z.read("imsmanifest.xml").decode()
        page = z.read("index.html").decode()
        text = "".join(z.read(n).decode() for n in z.namelist())
    print(f"\npackage: {out.stat().st_size} bytes")
    assert 'adlcp:scormtype="sco"' in manifest and "<schemaversion>1.2</schemaversion>" in manifest
    assert 'data-course-url="https://kurs.example.no/menneskehandel/voila/render/course/index.ipynb"' in page
    assert not re.search(r"token|password|passord|secret|Bearer|suspend_data\s*[:=]\s*['\"][^'\"]", text, re.I)
    assert "localStorage" not in text  # the launch page keeps nothing in the browser
    again = tmp_path / "again.zip"
    build("https://kurs.example.no/menneskehandel/", again, version=re.search(r'<manifest [^>]*version="([^"]+)"', manifest)[1])
    assert again.read_bytes() == out.read_bytes()  # the same course gives the same package


def test_the_packaging_rules_find_a_broken_manifest(tmp_path):
    good = build("https://kurs.example.no/", tmp_path / "good.zip")
    with zipfile.ZipFile(good) as z:
        manifest = z.read("imsmanifest.xml").decode()
        files = {n: z.read(n) for n in z.namelist() if n != "imsmanifest.xml"}

    def broken(text: str, drop: str | None = None) -> list[str]:
        path = tmp_path / "broken.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("imsmanifest.xml", text)
            for n, b in files.items():
                if n != drop:
                    z.writestr(n, b)
        return check(path)

    assert any("schemaversion" in p for p in broken(manifest.replace(">1.2<", ">1.3<")))
    assert any("refers to no resource" in p for p in broken(manifest.replace('identifierref="mhkurs-sco"', 'identifierref="x"')))
    assert any("names no organization" in p for p in broken(manifest.replace('default="mhkurs-org"', 'default="y"')))
    assert any("scormtype" in p for p in broken(manifest.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="lesson"')))
    assert any("names no file" in p for p in broken(manifest, drop="mhkurs-scorm.js"))
    assert any("leaves the package" in p for p in broken(manifest.replace('<file href="index.html"/>', '<file href="../x.html"/>')))
    assert any("used twice" in p for p in broken(manifest.replace('identifier="mhkurs-item"', 'identifier="mhkurs-org"')))


@pytest.mark.parametrize("url, message", [
    ("kurs.example.no", "web address"),
    ("http://kurs.example.no/", "https"),
    ("https://bruker:hemmelig@kurs.example.no/", "password"),
])
def test_a_course_address_the_lms_cannot_open_is_refused(url, message, tmp_path, capsys):
    with pytest.raises(PackageError, match=message):
        course_url(url)
    assert main(["scorm", "--course-url", url, "--out", str(tmp_path / "x.zip")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_a_page_address_is_kept_and_loopback_may_use_http():
    assert course_url("https://kurs.example.no/voila/render/course/index.ipynb") == \
        "https://kurs.example.no/voila/render/course/index.ipynb"
    assert course_url("http://127.0.0.1:8866") == "http://127.0.0.1:8866/voila/render/course/index.ipynb"


def test_the_record_bridge_takes_the_record_from_the_lms_and_reports_every_change():
    """The kernel side of the bridge (mhkurs.record.sync) without a browser: the page's hello from the LMS frame
    brings suspend_data; every change goes back as compact record, status and score."""
    from mhkurs import record
    from mhkurs.record import BrowserStore, Record
    from mhkurs.record.sync import RecordBridge

    bank = get_bank()
    earlier = rules.empty()
    rules.add_result(earlier, "m02-smugling", "quiz:begreper", 2, 3, 3, 3, T0)
    rec = Record(BrowserStore(), clock=lambda: T0 + timedelta(days=1), bank=bank)
    record.reset(rec)
    try:
        bridge = RecordBridge(rec)
        sent: list[dict] = []
        bridge.send = sent.append
        bridge._on_msg(bridge, {"type": "hello", "data": None, "lms": lms.pack(earlier)}, [])
        assert rec.ready and rec.data()["exercises"] == earlier["exercises"]
        assert "læringsplattformen" in rec.store.where
        assert sent[-1]["type"] == "lms" and sent[-1]["lesson_status"] == "incomplete" and sent[-1]["score"] is None
        rec.result("m01-hva-er-menneskehandel", "quiz", "begreper", 3, 3)
        back = lms.unpack(sent[-1]["suspend_data"])
        assert set(back["exercises"]) == {"m01-hva-er-menneskehandel", "m02-smugling"}
        rec.clear()  # «Slett mine data» empties the record in the LMS too
        assert lms.unpack(sent[-1]["suspend_data"]) == rules.empty()
    finally:
        record.reset()


@pytest.mark.parametrize("value, origin", [
    ("https://moodle.example.no", "https://moodle.example.no"),
    ("https://Moodle.Example.no:8443/", "https://moodle.example.no:8443"),
])
def test_serve_takes_lms_origins_for_the_frame_ancestors(value, origin):
    from mhkurs.cli import build_parser, serve_limits

    args = build_parser().parse_args(["serve", "--lms-origin", value, "--lms-origin", "https://canvas.example.no"])
    assert serve_limits(args)[-2:] == [f"--CourseVoila.lms_origins={origin}", "--CourseVoila.lms_origins=https://canvas.example.no"]


@pytest.mark.parametrize("value", ["moodle.example.no", "https://moodle.example.no/course/view.php", "ftp://x.no",
                                   "https://a.no; script-src *"])
def test_serve_refuses_an_lms_origin_that_is_not_one(value, capsys):
    from mhkurs.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--lms-origin", value])
    assert "not an origin" in capsys.readouterr().err
