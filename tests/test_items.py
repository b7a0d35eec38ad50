"""Item quality: no surface cue gives an answer away; practice, graded and course-test items apart.

Bounds (stated here, checked below):
* Position: in each pool, the share of single-choice answers at any one position is within
  ``POSITION_BOUND`` (0.15) of chance for the items' option counts; in every form a learner sees
  (a module self-check's first attempt, each nbgrader assignment) the positions are spread by a
  shuffled deck, so no position holds more than chance + ``POSITION_BOUND``.
* Length: the share of single-choice items whose answer is the longest option is at most chance
  + 0.15 and at least chance - 0.20 (an answer that is never the longest is a cue too).
* Guessing trainees (longest option / always «B» / most hedged wording / avoids restrictive words /
  picks the odd one out / ticks the «ikke» statements / follows the stem's words) score at most
  chance + 0.15 of the points on the module self-checks, the classifiers, each graded assignment (with
  the partial credit nbgrader gives on multi-selects) and each course test, while a trainee who knows the
  answers scores everything.
* Judgement (issue 25): at least 80 % of the graded points and of each course test are application
  items; application stems name no threshold; the two course-test forms are built pair by pair; no item
  or key is a near-copy of another pool's; every objective has two graded and two practice items.
* Classes: no answer class holds more than 30 % of a pool's classification items, or more than
  half of one module's classifier.
* Separation: no graded or course-test prompt shares half or more of its five-word sequences with
  a module page (its markdown, the cases it plays, and every practice item shown in it).
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter

import pytest
import yaml

from mhkurs.assess import guessers as g
from mhkurs.bank import BankError, load_bank
from mhkurs.bank.loader import DEFAULT_CONTENT_DIR, REPO_ROOT, objective_ids

POSITION_BOUND = 0.15
LONGEST_ABOVE, LONGEST_BELOW = 0.15, 0.20
GUESS_BOUND = 0.15
CLASS_SHARE = 0.30
COPY_SHARE = 0.5
POOLS = ("practice", "graded", "pretest", "posttest")


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def singles(bank, pool):
    return [q for q in bank.all("questions") if q.pool == pool and q.type == "single"]


# --- the bank as written -----------------------------------------------------------------------


@pytest.mark.parametrize("pool", POOLS)
def test_answer_position_is_balanced_in_the_bank(bank, pool):
    qs = singles(bank, pool)
    assert len(qs) >= 8
    width = max(len(q.options) for q in qs)
    at = Counter([o.id for o in q.options].index(q.answer[0]) for q in qs)
    for pos in range(width):
        expected = sum(1 / len(q.options) for q in qs if pos < len(q.options)) / len(qs)
        assert abs(at[pos] / len(qs) - expected) <= POSITION_BOUND, (pool, pos, dict(at))


@pytest.mark.parametrize("pool", POOLS)
def test_the_answer_is_not_systematically_the_longest_option(bank, pool):
    qs = singles(bank, pool)
    longest = [q.id for q in qs if max(len(str(o.text)) for o in q.options)
               == len(str(next(o.text for o in q.options if o.id == q.answer[0])))]
    chance = sum(1 / len(q.options) for q in qs) / len(qs)
    share = len(longest) / len(qs)
    assert chance - LONGEST_BELOW <= share <= chance + LONGEST_ABOVE, (pool, share, longest)


def test_choice_items_have_plausible_distractors_and_explain_every_option(bank):
    for q in bank.all("questions"):
        if q.type not in ("single", "multiple"):
            continue
        assert 3 <= len(q.options) <= 5, q.id
        assert len(q.options) - len(q.answer) >= 2, q.id  # at least two wrong options
        assert all(o.why and str(o.why).strip() for o in q.options), q.id
        assert len({str(o.why) for o in q.options}) == len(q.options), f"{q.id}: each option explains itself"
        assert not any(re.search(r"alle (de )?(ovennevnte|alternativene)", str(o.text), re.I) for o in q.options)


@pytest.mark.parametrize("pool", ["practice", "graded"])
def test_classification_items_are_balanced_over_the_classes(bank, pool):
    answers = Counter(q.answer[0] for q in bank.all("questions") if q.pool == pool and q.type == "classification")
    assert set(answers) == {c.id for c in bank.all("classes")}, "every class is practised and graded"
    assert max(answers.values()) / sum(answers.values()) <= CLASS_SHARE, answers


def test_every_objective_is_practised_and_graded(bank):
    objectives = objective_ids(bank)
    for pool in ("practice", "graded"):
        tested = {q.objective for q in bank.all("questions") if q.pool == pool}
        assert set(objectives) <= tested, (pool, sorted(set(objectives) - tested))


def test_course_tests_are_parallel_forms_with_a_pass_mark(bank):
    tests = {t.kind: t for t in bank.all("course_tests")}
    pre, post = tests["pre"], tests["post"]
    assert pre.id == "forhandstest" and post.id == "sluttest"
    pre_items = [bank.question(q) for q in pre.questions]
    post_items = [bank.question(q) for q in post.questions]
    assert {q.pool for q in pre_items} == {"pretest"} and {q.pool for q in post_items} == {"posttest"}
    assert not set(pre.questions) & set(post.questions)
    assert Counter(q.objective for q in pre_items) == Counter(q.objective for q in post_items)
    modules = {objective_ids(bank)[q.objective] for q in post_items}
    assert len(modules) >= 7, "the tests cover the course, not one module"
    assert post.pass_mark and 50 <= post.pass_mark <= 100 and pre.pass_mark is None
    for rule in post.pass_rules:
        assert any(q.objective in rule.objectives for q in post_items), "a pass rule must have items to judge"


# --- the forms learners see ----------------------------------------------------------------------


def _position_shares(items):
    at = Counter(next(i for i, (letter, _, _) in enumerate(s.options) if letter in s.right)
                 for s in items if s.question.type == "single")
    n = sum(at.values())
    return {p: c / n for p, c in at.items()}, n


def test_every_generated_form_spreads_the_answer_positions(bank):
    forms = {a.id: g.shown_in_assignment(bank, a) for a in bank.all("assignments")}
    forms["self-checks"] = [s for ex in g.module_exercises(bank) if ex.kind == "quiz"
                            for s in g.shown_in_exercise(bank, ex)]
    for name, items in forms.items():
        shares, n = _position_shares(items)
        chance = sum(1 / len(s.options) for s in items if s.question.type == "single") / n
        assert max(shares.values()) <= chance + POSITION_BOUND, (name, shares)


def _forms(bank):
    exs = g.module_exercises(bank)
    out = {
        "self-checks": [s for ex in exs if ex.kind == "quiz" for s in g.shown_in_exercise(bank, ex)],
        "classifiers": [s for ex in exs if ex.kind == "classifier" for s in g.shown_in_exercise(bank, ex)],
    }
    out.update({a.id: g.shown_in_assignment(bank, a) for a in bank.all("assignments")})
    out.update({t.id: g.shown_in_quiz(bank, t.questions, t.id) for t in bank.all("course_tests")})
    return out


def test_guessing_trainees_score_about_chance_and_a_knowing_one_scores_full(bank):
    assignments = {a.id for a in bank.all("assignments")}
    for name, items in _forms(bank).items():
        assert items, name
        partial = name in assignments  # nbgrader gives partial credit on multi-selects; the self-checks do not
        _, most = g.score(items, g.knows)
        assert g.score(items, g.knows, partial) == (most, most), name
        chance = g.chance(items, partial) / most
        for strategy, pick in g.STRATEGIES.items():
            if pick is g.knows:
                continue
            got, _ = g.score(items, pick, partial)
            assert got / most <= chance + GUESS_BOUND, (name, strategy, round(got / most, 2), round(chance, 2))


def test_the_always_trafficking_guesser_fails_the_classifiers(bank):
    for ex in g.module_exercises(bank):
        if ex.kind != "classifier":
            continue
        answers = Counter(bank.question(q).answer[0] for q in ex.qids)
        assert max(answers.values()) <= len(ex.qids) / 2, (ex.notebook, answers)


def test_module_pages_use_practice_items_only(bank):
    exs = g.module_exercises(bank)
    assert {ex.notebook for ex in exs if ex.kind == "quiz"} >= {"01-hva-er-menneskehandel.ipynb", "05-myter.ipynb"}
    for ex in exs:
        for qid in ex.qids:
            assert bank.question(qid).pool == "practice", (ex.notebook, qid)
    for a in bank.all("assignments"):
        assert {bank.question(q).pool for q in a.questions} == {"graded"}, a.id


# --- practice and graded text apart --------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zæøå0-9§]+", str(text).lower())


def _grams(text: str, n: int = 5) -> set[tuple[str, ...]]:
    w = _words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def _copied_share(prompt: str, corpus: set) -> float:
    grams = _grams(prompt)
    return len(grams & corpus) / len(grams) if grams else 0.0


def _module_page_grams(bank) -> set:
    texts = []
    cases = set()
    for path in sorted((REPO_ROOT / "modules").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                texts.append(source)
            cases |= set(re.findall(r'show_(?:case|spotter|case_summary)\("([a-z0-9-]+)"', source))
    for cid in cases:
        case = bank.case(cid)
        texts += [case.summary, case.debrief, case.setting]
        for step in (case.scenario.steps if case.scenario else []):
            texts.append(step.text)
            texts += [c.label for c in step.choices] + [c.feedback for c in step.choices]
    for q in bank.all("questions"):
        if q.pool == "practice":
            texts += [q.prompt, q.explanation] + [o.text for o in q.options] + [o.why for o in q.options]
    out: set = set()
    for text in texts:
        out |= _grams(text)
    return out


def test_no_graded_or_course_test_prompt_appears_in_a_module_page(bank):
    page = _module_page_grams(bank)
    practice = next(q for q in bank.all("questions") if q.pool == "practice" and q.type == "single")
    assert _copied_share(str(practice.prompt), page) == 1.0  # the detector finds a copy
    copies = {q.id: round(_copied_share(str(q.prompt), page), 2) for q in bank.all("questions")
              if q.pool != "practice" and _copied_share(str(q.prompt), page) >= COPY_SHARE}
    assert not copies, copies


def test_pre_and_post_test_prompts_are_not_near_copies(bank):
    by_pool = {p: [q for q in bank.all("questions") if q.pool == p] for p in POOLS}
    for pool, others in (("pretest", ("posttest", "graded")), ("posttest", ("pretest", "graded"))):
        corpus: set = set()
        for other in others:
            for q in by_pool[other]:
                corpus |= _grams(q.prompt)
        copies = [q.id for q in by_pool[pool] if _copied_share(str(q.prompt), corpus) >= COPY_SHARE]
        assert not copies, (pool, copies)


# --- validation names file, item and field --------------------------------------------------------


def _problems_after(tmp_path, fn):
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    path = content / "questions-graded.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data["questions"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(BankError) as err:
        load_bank(content)
    return [str(p) for p in err.value.problems]


def test_validation_rejects_cues_and_missing_explanations(tmp_path):
    def giveaway(qs):
        qs[0]["options"][0]["text"] = "Alle alternativene over"
    def no_why(qs):
        del qs[0]["options"][2]["why"]
    def one_distractor(qs):
        qs[0]["options"] = qs[0]["options"][:2]
    def unknown_objective(qs):
        qs[0]["objective"] = "m99-mal-1"
    def no_pool(qs):
        del qs[0]["pool"]
    cases = [(giveaway, "all/none of the above"), (no_why, "own 'why' (missing for ['C'])"),
             (one_distractor, "3 to 5 options"), (unknown_objective, "unknown module objective 'm99-mal-1'"),
             (no_pool, "Field required")]
    for fn, says in cases:
        problems = _problems_after(tmp_path / fn.__name__, fn)
        assert len(problems) == 1 and says in problems[0], problems
        assert problems[0].startswith("questions-graded.yaml: item 'g-elementer-handling'"), problems


# --- issue 25: judgement, parallel forms, no near-copies, coverage ---------------------------------

APPLICATION_SHARE = 0.80


def _points(bank, qids, level=None):
    qs = [bank.question(q) for q in qids]
    return sum(q.points for q in qs if level is None or q.level == level)


def test_graded_and_course_test_items_state_their_level(bank):
    missing = [q.id for q in bank.all("questions") if q.pool != "practice" and q.level is None]
    assert not missing, f"graded and course-test items say whether they test application: {missing}"


def test_application_items_carry_the_graded_points_and_both_course_tests(bank):
    graded = [q for a in bank.all("assignments") for q in a.questions]
    assert _points(bank, graded, "anvendelse") >= APPLICATION_SHARE * _points(bank, graded)
    for t in bank.all("course_tests"):
        assert _points(bank, t.questions, "anvendelse") >= APPLICATION_SHARE * _points(bank, t.questions), t.id


def test_application_stems_give_facts_not_the_legal_thresholds(bank):
    """A stem that names the threshold («grunn til å tro», «mest sannsynlig») tests vocabulary: the
    facts go in the stem, the thresholds in the options."""
    trigger = re.compile(r"grunn til å tro|mest sannsynlig|sannsynligvis|sikkert eller", re.I)
    named = [q.id for q in bank.all("questions") if q.level == "anvendelse" and trigger.search(str(q.prompt))]
    assert not named, named


def test_no_item_is_graded_in_two_assignments(bank):
    seen = Counter(q for a in bank.all("assignments") for q in a.questions)
    assert not [q for q, n in seen.items() if n > 1]


def test_multi_selects_give_partial_credit_by_the_stated_rule(bank):
    """Graded multi-selects score by the rule in docs/ASSESSMENT.md, the same in the bank's logic and in the
    nbgrader notebook; the course tests have none (their pass rules count whole items)."""
    from mhkurs.assess import build, notebook_helper
    from mhkurs.logic import quiz

    q = bank.question("g-prostitusjon-lov")
    assert q.type == "multiple" and q.points == 2 and sorted(q.answer) == ["B", "C"]
    cases = {("B", "C"): 2, ("B",): 1, ("B", "C", "D"): 1, ("A", "B"): 0, ("A", "D"): 0, ("A", "B", "C", "D"): 0}
    for ticked, points in cases.items():
        assert quiz.partial_credit(q, set(ticked)) == points, ticked
        assert notebook_helper.partial_credit(list(ticked), "BC", 2) == points, ticked
    graded = [x for x in bank.all("questions") if x.pool == "graded" and x.type == "multiple"]
    a = next(a for a in bank.all("assignments") if q.id in a.questions)
    cell = next(c for c in build.build_notebook(bank, a).cells if c.get("id") == f"{q.id}-test")
    assert "partial_credit(graded_answer(" in cell.source and "assert" not in cell.source.split("BEGIN HIDDEN")[1]
    assert graded and not [x.id for x in bank.all("questions") if x.pool in ("pretest", "posttest")
                           and x.type == "multiple"]


def _pairs(bank):
    forms = {t.form: t for t in bank.all("course_tests")}
    assert set(forms) == {"A", "B"}, "both course tests name their form"
    by_pair: dict = {}
    for form, t in forms.items():
        for qid in t.questions:
            q = bank.question(qid)
            assert q.pair, f"{qid}: a course-test item names its pair"
            by_pair.setdefault(q.pair, {})[form] = q
    return forms, by_pair


def test_the_two_forms_are_built_pair_by_pair(bank):
    forms, by_pair = _pairs(bank)
    for pair, items in by_pair.items():
        assert set(items) == {"A", "B"}, f"{pair}: one item in each form"
        a, b = items["A"], items["B"]
        for field in ("objective", "level", "situation", "type", "points", "topic"):
            assert getattr(a, field) == getattr(b, field), (pair, field, getattr(a, field), getattr(b, field))
        assert len(a.options) == len(b.options), pair
    assert len(forms["A"].questions) == len(forms["B"].questions) == len(by_pair)


def test_each_form_tests_every_must_pass_objective_at_least_twice(bank):
    forms, _ = _pairs(bank)
    post = next(t for t in bank.all("course_tests") if t.kind == "post")
    for form, t in forms.items():
        count = Counter(bank.question(q).objective for q in t.questions)
        for rule in post.pass_rules:
            for obj in rule.objectives:
                assert count[obj] >= 2, (form, obj, count[obj])


def _item_text(q) -> str:
    return " ".join([str(q.prompt)] + [str(o.text) for o in q.options])


def test_no_near_copies_between_pools_options_included(bank):
    """No item shares half or more of its five-word sequences (prompt and options) with another pool's
    items, and no key repeats, nearly word for word, an option of another pool."""
    qs = bank.all("questions")
    texts = {p: set().union(*[_grams(_item_text(q)) for q in qs if q.pool == p] or [set()]) for p in POOLS}
    options = {p: [_grams(str(o.text), 4) for q in qs if q.pool == p for o in q.options] for p in POOLS}
    copies, keys = {}, {}
    for q in qs:
        others = set().union(*[texts[p] for p in POOLS if p != q.pool])
        share = _copied_share(_item_text(q), others)
        if share >= COPY_SHARE:
            copies[q.id] = round(share, 2)
        other_options = [grams for p in POOLS if p != q.pool for grams in options[p]]
        for o in q.options:
            grams = _grams(str(o.text), 4)
            if o.id in q.answer and grams and max(len(grams & x) for x in other_options) / len(grams) >= COPY_SHARE:
                keys[q.id] = str(o.text)
    assert not copies, copies
    assert not keys, keys


def test_every_objective_has_two_graded_and_two_practice_items(bank):
    for pool in ("practice", "graded"):
        count = Counter(q.objective for q in bank.all("questions") if q.pool == pool)
        thin = {o: count[o] for o in objective_ids(bank) if count[o] < 2}
        assert not thin, (pool, thin)


def test_every_myth_and_section_309_are_tested(bank):
    tested = {t for q in bank.all("questions") for t in q.tests}
    assert not [m.id for m in bank.all("myths") if m.id not in tested]
    assert any("§ 309" in s.ref for q in bank.all("questions") for s in q.source), "§ 309 is tested somewhere"


def test_free_text_rubrics_score_what_the_prompt_asks(bank):
    """Every free-text prompt names the parts its rubric scores (a sentence per part), and the rubric has
    no more lines than points."""
    for q in bank.all("questions"):
        if q.type != "free_text":
            continue
        assert len(q.rubric) <= q.points, q.id
        asks = len(re.findall(r"\b(forklar|begrunn|beskriv|si|hva|hvilke|hvem|hvordan)\b", str(q.prompt), re.I))
        assert asks >= 2, f"{q.id}: the prompt asks for each part the rubric scores"


def test_new_guessers_find_the_cues_they_are_named_for():
    """Each guesser is checked on an item built with its cue, so a pass above is not an empty one."""
    from types import SimpleNamespace

    def item(prompt, options, right, many=False):
        q = SimpleNamespace(prompt=prompt, type="multiple" if many else "single", points=1,
                            answer=[r for r in right])
        return g.Shown(q, tuple((chr(65 + i), chr(65 + i), t) for i, t in enumerate(options)))

    restrictive = item("?", ["Bare når han ber om det", "Når det er grunn til det", "Aldri uten dom"], "B")
    assert g.expected(restrictive, g.avoids_restrictive(restrictive)) == 1
    odd = item("?", ["Det stemmer; a", "Det stemmer; b", "Det er en myte; c", "Det stemmer; d"], "C")
    assert g.expected(odd, g.odd_one_out(odd)) == 1
    ikke = item("?", ["Hun er ikke et offer", "Alle kan bli utsatt", "Han kan ikke være tvunget"], "AC", many=True)
    assert g.expected(ikke, g.ticks_ikke(ikke)) == 1
    echo = item("En sveiser har gjeld til byrået", ["Gjelden til byrået binder sveiseren", "Lav lønn", "Ingenting"], "A")
    assert g.expected(echo, g.echoes_stem(echo)) == 1
