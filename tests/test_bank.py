"""The content bank: the real bank is complete and valid; broken banks fail clearly."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mhkurs.bank import BankError, load_bank
from mhkurs.bank.loader import REPO_ROOT

from bank_copy import edit, problems_of

SEEDS = REPO_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def bank():
    return load_bank()


# --- the real bank -------------------------------------------------------------------


def test_real_bank_is_valid_and_complete(bank):
    assert len(bank.all("cases")) >= 12
    assert len(bank.all("questions")) >= 40
    assert len(bank.all("myths")) == 12, "every item of the KOM guide's myths list"
    kinds = {q.type for q in bank.all("questions")}
    assert kinds == {"single", "multiple", "classification", "free_text"}


def test_every_item_cites_an_existing_seed_file(bank):
    documents = {d.id for d in bank.all("documents")}
    seeds = {d.id for d in bank.all("documents") if d.kind == "seed"}
    if SEEDS.is_dir():
        on_disk = {p.name for p in SEEDS.glob("*.txt")}
        assert seeds <= on_disk, f"sources.yaml names missing seed files: {seeds - on_disk}"
    for section, items in bank.sections.items():
        if section == "documents":
            continue
        for item in items.values():
            assert item.source, f"{item.id} has no source"
            assert {s.file for s in item.source} <= documents


def test_court_cases_state_the_law_applied_then_and_now(bank):
    court = {c.id: c for c in bank.all("cases") if c.kind == "dom"}
    assert {"jaeren-2008", "bergen-2010", "gulating-2009", "hr-2006", "hr-2010", "sverige-tigging-2009"} <= set(court)
    for case in court.values():
        assert case.court and case.date
        if not case.id.startswith("sverige"):
            assert "1902 § 224" in case.law_applied, case.id
        assert "2005" in case.law_today, case.id


def test_constructed_cases_are_marked_and_cover_the_settings(bank):
    constructed = [c for c in bank.all("cases") if c.kind == "konstruert"]
    assert all(c.title.nb.startswith("Konstruert") for c in constructed)
    settings = " ".join(c.setting.nb.lower() for c in constructed)
    for place in ["bygg", "renhold", "neglesalong", "restaurant", "au pair", "fiskemottak", "bilpleie",
                  "tigging", "narkotika", "asylmottak", "veikontroll"]:
        assert place in settings, place


def test_indicator_categories_and_lists(bank):
    cats = {c.id for c in bank.all("categories")}
    assert {"kat-bakgrunn", "kat-sted", "kat-opptreden", "kat-kontroll", "kat-prostitusjon",
            "kat-tvangsarbeid", "kat-asylmottak"} == cats
    by_cat = {c: [i for i in bank.all("indicators") if i.category == c] for c in cats}
    assert all(by_cat[c] for c in cats)
    assert any(i.applies_to == "mindreaarig" for i in by_cat["kat-asylmottak"])
    assert sum(i.applies_to == "mindreaarig" for i in bank.all("indicators")) >= 15


def test_contacts_hold_the_numbers_of_the_sources(bank):
    phones = {c.phone for c in bank.all("contacts") if c.phone}
    for number in ["112", "02800", "113", "116 117", "22 33 11 60", "116 111", "466 15 000",
                   "99 47 02 79", "800 40 008", "23 35 16 00", "23 10 53 20"]:
        assert number in phones, number


def test_glossary_has_the_concepts_and_borders(bank):
    concepts = set(bank.sections["concepts"])
    for needed in ["menneskehandel", "grov-menneskehandel", "formaalene", "mindreaarige-regelen", "samtykke",
                   "menneskesmugling", "sosial-dumping", "arbeidslivskriminalitet", "tvangsarbeid", "prostitusjon",
                   "hallikvirksomhet", "kjop-av-seksuelle-tjenester", "moderne-slaveri", "vold-i-naere-relasjoner"]:
        assert needed in concepts, needed
    pairs = {(b.a, b.b) for b in bank.all("borders")}
    assert {("menneskehandel", x) for x in ["menneskesmugling", "sosial-dumping", "hallikvirksomhet",
                                            "vold-i-naere-relasjoner", "moderne-slaveri"]} <= pairs


def test_learner_text_is_plain_text_not_markup(bank):
    """Bank strings are shown as text; keep them free of HTML so nothing depends on rendering it."""
    tag = re.compile(r"<[a-zA-Z/][^>]*>")
    for items in bank.sections.values():
        for item in items.values():
            dumped = item.model_dump_json()
            assert not tag.search(dumped), item


# --- broken banks --------------------------------------------------------------------


def test_invalid_yaml_names_the_file_and_line(content):
    (content / "myths.yaml").write_text("myths:\n  - id: x\n    statement: [unclosed\n", encoding="utf-8")
    problems = problems_of(content)
    assert any(p.file == "myths.yaml" and "not valid YAML" in p.message and "line" in p.message for p in problems)


def test_missing_field_names_file_item_and_field(content):
    edit(content / "myths.yaml", lambda d: d["myths"][0].pop("correction"))
    problems = problems_of(content)
    assert [(p.file, p.item, p.field) for p in problems] == [("myths.yaml", "myte-samtykket", "correction")]
    assert "Field required" in problems[0].message


def test_duplicate_id_is_reported(content):
    def dup(d):
        d["myths"].append(dict(d["myths"][0]))
    edit(content / "myths.yaml", dup)
    problems = problems_of(content)
    assert any(p.item == "myte-samtykket" and p.field == "id" and "duplicate" in p.message for p in problems)


def test_dangling_reference_is_reported(content):
    def dangle(d):
        d["cases"][0]["indicators"].append("ind-finnes-ikke")
    edit(content / "cases.yaml", dangle)
    problems = problems_of(content)
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.item) == ("cases.yaml", "jaeren-2008")
    assert p.field.startswith("indicators[") and "ind-finnes-ikke" in p.message


def test_wrong_type_is_reported(content):
    edit(content / "questions.yaml", lambda d: d["questions"][0].__setitem__("points", "mange"))
    problems = problems_of(content)
    assert [(p.item, p.field) for p in problems] == [("q-tre-elementer", "points")]


def test_unknown_source_file_is_reported(content):
    edit(content / "rights.yaml", lambda d: d["rights"][1]["source"][0].__setitem__("file", "999_nope.txt"))
    problems = problems_of(content)
    assert any(p.item == "rett-juridisk" and p.field == "source[0].file" for p in problems)


def test_answer_must_name_an_existing_option(content):
    edit(content / "questions.yaml", lambda d: d["questions"][0].__setitem__("answer", ["H"]))
    problems = problems_of(content)
    assert problems[0].item == "q-tre-elementer" and "do not exist" in problems[0].message


def test_scenario_dead_end_fails_validation(content):
    def dead_end(d):
        d["cases"][0]["scenario"]["steps"][0]["choices"][0]["next"] = "finnes-ikke"
    edit(content / "cases.yaml", dead_end)
    problems = problems_of(content)
    assert any(p.item == "jaeren-2008" and "dead end" in p.message for p in problems)


def test_scenario_loop_fails_validation(content):
    def loop(d):
        steps = d["cases"][0]["scenario"]["steps"]
        steps[-1]["choices"][0]["next"] = steps[0]["id"]
    edit(content / "cases.yaml", loop)
    problems = problems_of(content)
    assert any(p.item == "jaeren-2008" and "loops back" in p.message for p in problems)


def test_unreachable_step_fails_validation(content):
    def orphan(d):
        steps = d["cases"][0]["scenario"]["steps"]
        steps.append({"id": "foreldet", "text": "x", "choices": [
            {"id": "a", "label": "a", "feedback": "f", "quality": "god", "next": "debrief"},
            {"id": "b", "label": "b", "feedback": "f", "quality": "svak", "next": "debrief"}]})
    edit(content / "cases.yaml", orphan)
    problems = problems_of(content)
    assert any("cannot be reached" in p.message for p in problems)


ACTION_OF = {"god": "snakk-alene", "delvis": "dokumenter-forst", "svak": "godta-og-avslutt"}
"""An action from the bank's rule table that allows each quality (for a police officer, in any situation)."""


def _choice(cid: str, quality: str, nxt: str) -> dict:
    return {"id": cid, "label": f"Valg {cid}", "feedback": f"Fordi {cid}.", "quality": quality,
            "action": ACTION_OF[quality], "next": nxt}


def _small_case() -> dict:
    """A valid branching scenario: two steps, three choices each, two different step sequences."""
    return {
        "id": "test-sak", "kind": "konstruert", "title": "Test", "law_applied": "x", "law_today": "x",
        "setting": "x", "audience": ["politi"], "summary": "x", "indicators": ["ind-gjeld"],
        "classification": "klasse-menneskehandel", "debrief": "x",
        "source": [{"file": "000_191d6c1486ff16a1.txt", "ref": "Del 4"}],
        "scenario": {"start": "a", "role": "politi", "steps": [
            {"id": "a", "text": "Du er polititjenestemann. A", "choices": [_choice("a1", "god", "b"), _choice("a2", "svak", "debrief"),
                                                  _choice("a3", "delvis", "b")]},
            {"id": "b", "text": "B", "choices": [_choice("b1", "svak", "debrief"), _choice("b2", "god", "debrief"),
                                                  _choice("b3", "delvis", "debrief")]},
        ]},
    }


def scenario_problems_after(content: Path, change) -> list:
    """Add the small scenario case to a copy of the bank, change it, and return its problems."""
    def add(d):
        case = _small_case()
        change(case)
        d["cases"].append(case)
    edit(content / "cases.yaml", add)
    try:
        load_bank(content)
    except BankError as exc:
        return [p for p in exc.problems if p.item == "test-sak"]
    return []


def test_small_branching_scenario_is_valid(content):
    assert scenario_problems_after(content, lambda case: None) == []


def test_scenario_with_one_path_of_steps_fails_validation(content):
    def linear(case):  # different feedback, but every choice leads to the same next step
        case["scenario"]["steps"][0]["choices"][1]["next"] = "b"
    [problem] = scenario_problems_after(content, linear)
    assert (problem.file, problem.field) == ("cases.yaml", "scenario")
    assert "only 1 distinct path(s)" in problem.message


def test_step_with_two_choices_fails_validation(content):
    [problem] = scenario_problems_after(content, lambda case: case["scenario"]["steps"][1]["choices"].pop())
    assert (problem.file, problem.field) == ("cases.yaml", "scenario.steps[1].choices")
    assert "step 'b' has 2 choice(s); a step needs at least 3" in problem.message


def test_choice_without_feedback_fails_validation(content):
    def blank(case):
        case["scenario"]["steps"][0]["choices"][2]["feedback"] = "  "
    def missing(case):
        del case["scenario"]["steps"][0]["choices"][2]["feedback"]
    [problem] = scenario_problems_after(content, blank)
    assert problem.field == "scenario.steps[0].choices[2].feedback" and "no feedback" in problem.message
    edit(content / "cases.yaml", lambda d: d["cases"].pop())
    [problem] = scenario_problems_after(content, missing)
    assert problem.field == "scenario.steps[0].choices[2].feedback" and "required" in problem.message


def test_step_without_a_good_choice_fails_validation(content):
    def no_good(case):
        case["scenario"]["steps"][1]["choices"][1].update(quality="delvis", action=ACTION_OF["delvis"])
    [problem] = scenario_problems_after(content, no_good)
    assert problem.field == "scenario.steps[1].choices"
    assert "step 'b' has no choice of quality 'god'" in problem.message


def test_check_command_lists_all_problems_at_once(content):
    edit(content / "myths.yaml", lambda d: d["myths"][0].pop("correction"))
    edit(content / "cases.yaml", lambda d: d["cases"][0]["indicators"].append("ind-finnes-ikke"))
    edit(content / "questions.yaml", lambda d: d["questions"][0].__setitem__("points", "mange"))
    result = subprocess.run([sys.executable, "-m", "mhkurs.cli", "check", "--content", str(content)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "3 problem(s)" in result.stderr
    assert "myths.yaml: item 'myte-samtykket', field 'correction'" in result.stderr
    assert "cases.yaml: item 'jaeren-2008', field 'indicators[10]'" in result.stderr
    assert "questions.yaml: item 'q-tre-elementer', field 'points'" in result.stderr


def test_check_command_passes_on_the_real_bank():
    result = subprocess.run([sys.executable, "-m", "mhkurs.cli", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mhkurs check: OK")


# --- duties by role and the conversation (module 8) -----------------------------------------


def test_duty_without_a_role_names_file_item_and_field(content):
    def strip(d):
        d["duties"][0].pop("roles")
        d["duties"][1]["roles"] = []
        d["duties"][2]["roles"] = ["sjef"]
    edit(content / "duties.yaml", strip)
    found = {(p.file, p.item, p.field) for p in problems_of(content)}
    assert {("duties.yaml", "plikt-identifisere", "roles"), ("duties.yaml", "avvergingsplikt", "roles"),
            ("duties.yaml", "meldeplikt-barnevern", "roles[0]")} <= found


def test_role_without_duties_fails(content):
    def add_role(d):
        d["roles"].append({"id": "tolk", "order": 6, "label": "Tolk", "help": "Du tolker samtalen.", "public": False,
                           "source": d["roles"][0]["source"]})
    edit(content / "duties.yaml", add_role)
    problems = problems_of(content)
    assert [(p.file, p.item, p.field) for p in problems] == [("duties.yaml", "tolk", "id")]
    assert "no duty" in problems[0].message


def test_situation_must_name_known_facts(content):
    edit(content / "duties.yaml", lambda d: d["situations"][0]["facts"].__setitem__("er-sjef", {"answer": True, "why": "x"}))
    problems = problems_of(content)
    assert [(p.item, p.field) for p in problems] == [("sit-veikontroll", "facts.er-sjef")]


def test_conversation_items_need_a_source_and_feedback(content):
    def strip(d):
        d["conversation"][0].pop("source")
        d["question_choices"][0]["options"][1].pop("feedback")
        d["question_choices"][1]["options"][0]["better"] = True
        d["example_questions"][0]["source"] = []
    edit(content / "conversation.yaml", strip)
    found = {(p.file, p.item, p.field): p.message for p in problems_of(content)}
    assert ("conversation.yaml", "formaal-fortelle", "source") in found
    assert ("conversation.yaml", "qc-arbeid", "options[1].feedback") in found
    assert ("conversation.yaml", "eks-arbeid", "source") in found
    assert any(item == "qc-offer" and "exactly one option" in msg for (_f, item, _fld), msg in found.items())


def test_every_case_is_shown_to_learners_somewhere(bank):
    """A case appears in a module notebook (scenario or summary) or in a question built on it."""
    notebooks = " ".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "modules").glob("*.ipynb"))
    in_questions = {q.case for q in bank.all("questions")} | {t for q in bank.all("questions") for t in q.tests}
    unshown = [c.id for c in bank.all("cases") if f'\\"{c.id}\\"' not in notebooks and c.id not in in_questions]
    assert unshown == []
    for case in bank.all("cases"):
        if case.scenario and f'show_case(\\"{case.id}\\"' in notebooks:
            assert any(ex.kind == "scenario" and ex.ref == case.id for m in bank.all("modules") for ex in m.exercises), case.id
