"""Exercise logic, tested without widgets or a kernel."""

from __future__ import annotations

import itertools

import pytest

from mhkurs.bank import UnknownItem, get_bank
from mhkurs.logic import classifier, conversation, myths, navigator, quiz, spotter
from mhkurs.logic.scenario import ScenarioRun, all_paths, branches, step_sequences


@pytest.fixture(scope="module")
def bank():
    return get_bank()


# --- scenarios -----------------------------------------------------------------------


def scenario_cases(bank):
    return [c for c in bank.all("cases") if c.scenario]


def test_at_least_five_scenarios_including_court_cases(bank):
    cases = scenario_cases(bank)
    assert len(cases) >= 5
    assert {c.kind for c in cases} == {"dom", "konstruert"}


def test_every_path_of_every_scenario_reaches_a_debrief(bank):
    n_paths = 0
    for case in scenario_cases(bank):
        for path in all_paths(case):
            run = ScenarioRun.start(bank, case.id)
            for choice in path:
                assert not run.finished
                assert run.choose(choice.id) == choice
            assert run.finished
            brief = run.debrief()
            assert brief["classification"].id == case.classification
            assert brief["case"].debrief.nb
            got, most = brief["score"]
            assert 0 <= got <= most
            n_paths += 1
    assert n_paths >= 20


def test_review_follows_the_learners_own_path(bank):
    n_better = 0
    for case in scenario_cases(bank):
        for path in all_paths(case):
            run = ScenarioRun.start(bank, case.id)
            for choice in path:
                run.choose(choice.id)
            assert [c for _step, c in run.path] == path
            review = run.debrief()["review"]
            assert [r.choice for r in review] == path
            for (step, choice), r in zip(run.path, review):
                assert r.step == step and r.quality == choice.quality and r.feedback == choice.feedback
                if choice.quality == "god":
                    assert r.better is None and r.better_why is None
                else:
                    assert r.better in step.choices and r.better.quality == "god"
                    assert r.better_why == r.better.feedback
                    n_better += 1
    assert n_better > 0


def test_every_scenario_branches_into_different_steps(bank):
    for case in scenario_cases(bank):
        assert branches(case), case.id
        assert len(step_sequences(case)) >= 2, case.id


def test_no_surface_cue_gives_the_good_choice_away(bank):
    """Across the bank, the good choice is the longest (or the shortest) label of its step about as often as
    chance would have it (1/k for k choices, plus a margin of 0.12), and it sits in every position."""
    steps = [s for case in scenario_cases(bank) for s in case.scenario.steps]
    longest = shortest = 0
    chance = 0.0
    positions: dict[int, int] = {}
    for step in steps:
        lengths = [len(c.label.nb) for c in step.choices]
        good = next(i for i, c in enumerate(step.choices) if c.quality == "god")
        longest += lengths[good] == max(lengths)
        shortest += lengths[good] == min(lengths)
        chance += 1 / len(lengths)
        positions[good] = positions.get(good, 0) + 1
    n = len(steps)
    assert longest / n <= chance / n + 0.12, (longest, n)
    assert shortest / n <= chance / n + 0.12, (shortest, n)
    for pos in (0, 1, 2):  # every step has at least three choices
        assert 0.2 <= positions.get(pos, 0) / n <= 0.45, positions


def test_every_scenario_has_a_best_path_and_a_poor_choice(bank):
    for case in scenario_cases(bank):
        qualities = [[c.quality for c in p] for p in all_paths(case)]
        assert any(all(q == "god" for q in path) for path in qualities), case.id
        assert any("svak" in path for path in qualities), case.id


def test_choices_change_what_happens_next(bank):
    run = ScenarioRun.start(bank, "jaeren-2008")
    run.choose("med-formann")
    assert run.step.id == "formann-svarer"
    run.restart()
    run.choose("alene")
    assert run.step.id == "samtale"
    assert run.taken[0].choice.quality == "god"


def test_best_path_scores_full_marks_and_names_duties(bank):
    run = ScenarioRun.start(bank, "mottak-fikser")
    for choice in ["som-barn", "kvalifisert-tolk", "meld-alle"]:
        run.choose(choice)
    brief = run.debrief()
    assert brief["score"] == (6, 6)
    assert {d.id for d in brief["duties"]} >= {"meldeplikt-barnevern", "udi-regional-enhet"}
    assert any(i.id == "ind-a-m-fikser" for i in brief["indicators_noticed"])


def test_scenario_bad_input(bank):
    with pytest.raises(UnknownItem, match="no item 'finnes-ikke' in section 'cases'"):
        ScenarioRun.start(bank, "finnes-ikke")
    with pytest.raises(UnknownItem, match="has no scenario"):
        ScenarioRun.start(bank, "hr-2006")
    run = ScenarioRun.start(bank, "jaeren-2008")
    with pytest.raises(ValueError, match="no choice 'zzz'"):
        run.choose("zzz")
    with pytest.raises(RuntimeError):
        run.debrief()


# --- spotter -------------------------------------------------------------------------


def test_spotter_scores_hits_misses_and_false_alarms(bank):
    case = bank.case("neglesalong")
    opts = spotter.options(bank, "neglesalong")
    ids = [o.id for o in opts]
    assert set(case.indicators) <= set(ids)
    assert len(ids) == 2 * len(case.indicators)
    distractor = next(i for i in ids if i not in case.indicators)
    marked = set(case.indicators[:3]) | {distractor}
    result = spotter.check(bank, "neglesalong", marked)
    assert [i.id for i in result.hits] == case.indicators[:3]
    assert [i.id for i in result.misses] == case.indicators[3:]
    assert [i.id for i in result.false_alarms] == [distractor]
    assert result.score == (2, len(case.indicators))


def test_spotter_all_right_and_nothing_marked(bank):
    case = bank.case("bygg-container")
    assert spotter.check(bank, case.id, case.indicators).score == (len(case.indicators),) * 2
    assert spotter.check(bank, case.id, []).score == (0, len(case.indicators))


def test_spotter_rejects_cases_without_indicators(bank):
    with pytest.raises(ValueError, match="links no indicators"):
        spotter.options(bank, "hr-2006")


# --- classifier ----------------------------------------------------------------------


def test_classifier_every_situation_right_and_wrong(bank):
    sits = classifier.situations(bank)
    assert len(sits) >= 8 and all(q.pool == "practice" for q in sits)
    labels = [c.id for c in classifier.classes(bank)]
    assert {"klasse-mer-info", "klasse-sosial-dumping", "klasse-hallik", "klasse-vold-naere"} <= set(labels)
    for q in sits:
        for label in labels:
            result = classifier.check(bank, q.id, label)
            assert result.correct == (label == q.answer[0])
            assert result.explanation.nb


def test_classifier_explains_the_distinguishing_element(bank):
    result = classifier.check(bank, "k-smugling", "klasse-menneskehandel")
    assert not result.correct
    assert "Formålet" in result.distinction.nb
    result = classifier.check(bank, "k-vold-naere", "klasse-menneskehandel")
    assert "utnyttelsen sentralt" in " ".join(result.distinction.nb.split())


# --- myths ---------------------------------------------------------------------------


def test_myth_or_fact_has_both_sides_of_every_myth(bank):
    stmts = myths.statements(bank, seed=1)
    assert len(stmts) == 2 * len(bank.all("myths"))
    for s in stmts:
        assert myths.judge(s, s.is_true).correct
        wrong = myths.judge(s, not s.is_true)
        assert not wrong.correct and wrong.correction.nb
    assert [s.key for s in stmts] != [s.key for s in myths.statements(bank, seed=2)]


def test_a_myth_answer_is_locked_and_a_new_attempt_reshuffles(bank):
    run = myths.start(bank)
    first = run.keys[0]
    myths.answer(bank, run, first, True)
    with pytest.raises(ValueError, match="already answered"):
        myths.answer(bank, run, first, False)
    assert myths.MythRun.from_dict(run.to_dict()) == run  # saved and restored for resume
    for key in run.keys[1:]:
        myths.answer(bank, run, key, key.endswith(":fakta"))
    right, total = myths.score(bank, run)
    assert run.done and total == len(run.keys) and right == total - (0 if first.endswith(":fakta") else 1)
    again = myths.retry(bank, run)
    assert again.attempt == 1 and not again.answers and again.keys != run.keys
    assert sorted(again.keys) == sorted(run.keys)


# --- duty navigator ------------------------------------------------------------------


ROLES = ["politi", "arbeidstilsyn", "mottak", "offentlig", "privatperson"]
PUBLIC = {"politi", "arbeidstilsyn", "mottak", "offentlig"}


def expected_duties(role: str, f: dict) -> set[str]:
    """The rules of the sources per role, written independently of the bank's conditions."""
    out = set()
    public = role in PUBLIC
    if f["mistanke"] and public:
        out.add("plikt-identifisere")  # Europarådskonvensjonen: public bodies and those doing public tasks
    if f["grov-sannsynlig"]:
        out.add("avvergingsplikt")  # strl. § 196: everyone, at all times
    if f["grunn-barn"] and public:
        out.add("meldeplikt-barnevern")  # bvl. § 13-2 e: public employees, «grunn til å tro» about any child
    if role == "mottak" and f["asylmottak"] and f["mistanke"]:
        out.add("udi-regional-enhet")  # UDI action card 4.4: reception-centre staff only
    if role == "politi" and f["mistanke"]:
        out.add("politi-etterforske")  # the police investigate (strpl. § 224); verification under straffeloven
    if f["akutt-fare"]:
        out.add("akutt-hjelp")  # 112 / 113
    if f["trenger-helsehjelp"]:
        out.add("helsehjelp")  # legevakten 116 117, apart from 112/113
    if f["mistanke"] and not f["mulig-mindreaarig"]:
        out.add("henvis-voksen")
    overriding = f["grov-sannsynlig"] or (public and f["grunn-barn"])
    if public and overriding:
        out.add("taushetsplikt-viker")  # never next to "taushetsplikten gjelder"
    elif public and f["mistanke"]:
        out.add("taushetsplikt")
    if role == "privatperson" and f["mistanke"]:
        out.add("privatperson-melde")
    return out


def every_combination(bank):
    for role in ROLES:
        names = [f.id for f in navigator.facts(bank, role)]
        for values in itertools.product([False, True], repeat=len(names)):
            answers = dict(zip(names, values))
            yield role, answers, {**dict.fromkeys(["asylmottak", "grunn-barn"], False), **answers}


def test_navigator_roles_and_the_facts_each_is_asked(bank):
    assert [r.id for r in navigator.roles(bank)] == ROLES
    assert {r.id for r in navigator.roles(bank) if r.public} == PUBLIC
    for role in ROLES:
        asked = [f.id for f in navigator.facts(bank, role)]
        child = ["grunn-barn"] if role in PUBLIC else []  # the meldeplikt threshold, asked of public roles
        assert asked == ["mistanke", "mulig-mindreaarig", *child, "akutt-fare", "trenger-helsehjelp", "grov-sannsynlig"] + (
            ["asylmottak"] if role == "mottak" else []), role


def test_navigator_matches_the_rules_for_every_role_and_combination(bank):
    seen = 0
    for role, answers, full in every_combination(bank):
        advice = navigator.advise(bank, role, answers)
        assert advice.ids == expected_duties(role, full), (role, answers)
        assert all(d.kind == "plikt" for d in advice.duties)
        assert all(role in d.roles for d in advice.duties + advice.actions)
        for duty in advice.duties + advice.actions:
            assert duty.legal_basis
            assert {c.id for c in advice.contacts} >= set(duty.contacts)
        seen += 1
    assert seen == 3 * 64 + 128 + 32  # politi/arbeidstilsyn/offentlig, mottak, privatperson


def test_no_one_is_told_a_duty_that_is_not_theirs(bank):
    everything = {k: True for k in ["mistanke", "mulig-mindreaarig", "grunn-barn", "akutt-fare", "trenger-helsehjelp",
                                    "grov-sannsynlig"]}
    police = navigator.advise(bank, "politi", everything).ids
    assert "udi-regional-enhet" not in police and "privatperson-melde" not in police
    private = navigator.advise(bank, "privatperson", everything)
    assert {d.id for d in private.duties} == {"avvergingsplikt"}
    assert not {"taushetsplikt", "taushetsplikt-viker", "meldeplikt-barnevern"} & private.ids
    staff = navigator.advise(bank, "mottak", {**everything, "asylmottak": True}).ids
    assert "udi-regional-enhet" in staff and "politi-etterforske" not in staff


def test_confidentiality_advice_follows_from_the_duties(bank):
    for role, answers, _full in every_combination(bank):
        advice = navigator.advise(bank, role, answers)
        texts = " ".join(str(d.summary) for d in advice.duties + advice.actions)
        assert not ("taushetsplikt" in advice.ids and "taushetsplikt-viker" in advice.ids)
        if advice.overriding:
            assert "taushetsplikt" not in advice.ids and "skal holdes" not in texts, (role, answers)
        else:
            assert "taushetsplikt-viker" not in advice.ids, (role, answers)
    child = navigator.advise(bank, "offentlig", {"mistanke": True, "mulig-mindreaarig": True, "grunn-barn": True})
    assert [d.id for d in child.overriding] == ["meldeplikt-barnevern"] and "taushetsplikt-viker" in child.ids


def test_navigator_contacts_carry_phone_numbers(bank):
    advice = navigator.advise(bank, "arbeidstilsyn", {"mistanke": True, "mulig-mindreaarig": True, "grunn-barn": True, "akutt-fare": True})
    phones = {c.phone for c in advice.contacts}
    assert {"112", "116 111", "466 15 000"} <= phones


def test_navigator_learning_mode_compares_predictions(bank):
    answers = {"mistanke": True, "mulig-mindreaarig": True, "grunn-barn": True}
    cmp = navigator.compare(bank, "politi", answers, {"plikt-identifisere", "avvergingsplikt", "udi-regional-enhet"})
    assert cmp.missed == {"meldeplikt-barnevern", "politi-etterforske"}
    assert cmp.extra == {"avvergingsplikt", "udi-regional-enhet"}
    assert not cmp.correct
    with pytest.raises(ValueError, match="unknown navigator question"):
        navigator.advise(bank, "politi", {"er-sjef": True})
    with pytest.raises(ValueError, match="unknown navigator role"):
        navigator.advise(bank, "sjef", {})


def test_unanswered_facts_are_not_taken_as_no(bank):
    missing = navigator.unanswered(bank, "mottak", {"mistanke": True, "akutt-fare": False, "grov-sannsynlig": None})
    assert [f.id for f in missing] == ["mulig-mindreaarig", "grunn-barn", "trenger-helsehjelp", "grov-sannsynlig",
                                       "asylmottak"]
    assert navigator.unanswered(bank, "politi", dict.fromkeys(
        ["mistanke", "mulig-mindreaarig", "grunn-barn", "akutt-fare", "trenger-helsehjelp", "grov-sannsynlig"],
        False)) == []


def test_situation_grading_counts_facts_and_duties(bank):
    sit = navigator.situation(bank, "sit-fikser")
    right = {k: v.answer for k, v in sit.facts.items()}
    right["grov-sannsynlig"] = False  # open in the bank: the learner's own answer counts
    perfect = navigator.grade(bank, "sit-fikser", "mottak", right,
                              {"plikt-identifisere", "meldeplikt-barnevern", "udi-regional-enhet"})
    assert perfect.all_right and perfect.total == 6 + len(navigator.duties(bank))
    police = navigator.grade(bank, "sit-fikser", "politi", {**right, "mistanke": False},
                             {"plikt-identifisere", "meldeplikt-barnevern", "udi-regional-enhet"})
    wrong = {c.fact.id for c in police.facts if c.scored and not c.correct}
    assert wrong == {"mistanke"}
    assert {d.duty.id for d in police.duties if not d.correct} == {"udi-regional-enhet", "politi-etterforske"}
    assert police.right == police.total - 3
    assert "politi-etterforske" in {d.id for d in police.advice.duties}  # judged on the right facts


# --- quiz ----------------------------------------------------------------------------


def test_quiz_grades_and_explains(bank):
    q = bank.question("q-formaal")
    right = quiz.grade(q, q.answer)
    assert right.correct and right.points == q.points and right.status == quiz.RIGHT
    partly = quiz.grade(q, q.answer[:2])
    assert not partly.correct and partly.points == 0 and partly.status == quiz.WRONG
    fb = {o.id: (chosen, is_right) for o, chosen, is_right in partly.option_feedback()}
    assert fb["A"] == (True, True) and fb["E"] == (False, True) and fb["B"] == (False, False)
    assert all(o.why for o, _, _ in partly.option_feedback())
    assert quiz.grade(q, []).status == quiz.UNANSWERED
    assert quiz.total([right, partly]) == (q.points, 2 * q.points)


def test_quiz_submit_locks_and_retry_reshuffles_and_relabels(bank):
    qs = quiz.questions(bank, topic="plikter")
    state = quiz.start(bank, qs, seed="m07")
    single = next(q for q in qs if q.type == "single")
    quiz.submit(state, {single.id: list(single.answer)})
    with pytest.raises(ValueError, match="already submitted"):
        quiz.submit(state, {single.id: []})
    results = {a.question.id: a for a in quiz.results(bank, state)}
    assert results[single.id].correct
    assert all(a.status == quiz.UNANSWERED for qid, a in results.items() if qid != single.id)
    # Saved and restored as a plain dict (the learner record).
    assert quiz.restore(bank, state.to_dict()) == state
    again = quiz.retry(bank, state)
    assert again.attempt == 1 and not again.answers and not again.submitted
    assert any(again.orders[q.id] != state.orders[q.id] for q in qs)
    for q in qs:
        assert sorted(again.orders[q.id]) == sorted(o.id for o in q.options)
        letters = [letter for letter, _ in quiz.shown(bank, again, q.id)]
        assert letters == list("ABCDEFGH"[: len(q.options)])  # letters re-assigned in the new order


def test_arrange_spreads_the_answer_over_the_positions(bank):
    qs = [q for q in bank.all("questions") if q.type == "single" and len(q.options) == 4]
    for seed in ("a", "b", "c"):
        order = quiz.arrange(qs, seed)
        positions = [order[q.id].index(q.answer[0]) for q in qs]
        counts = [positions.count(p) for p in range(4)]
        assert max(counts) - min(counts) <= 1, counts  # a shuffled deck per option count
        assert quiz.arrange(qs, seed) == order  # deterministic


def test_a_restored_state_that_no_longer_fits_the_bank_starts_fresh(bank):
    qs = quiz.questions(bank, topic="myter")
    data = quiz.start(bank, qs, seed="x").to_dict()
    data["orders"][qs[0].id] = ["A", "B"]  # an item changed since the state was saved
    fresh = quiz.restore(bank, data)
    assert sorted(fresh.orders[qs[0].id]) == sorted(o.id for o in qs[0].options)


def test_quiz_bad_input(bank):
    with pytest.raises(ValueError, match="no option"):
        quiz.grade(bank.question("q-formaal"), ["Z"])
    with pytest.raises(ValueError, match="single/multiple"):
        quiz.questions(bank, ids=["f-smugling-vs-handel"])
    with pytest.raises(ValueError, match="'practice' items only"):
        quiz.questions(bank, ids=["g-grov"])
    with pytest.raises(ValueError, match="no self-check questions"):
        quiz.questions(bank, topic="finnes-ikke")
    assert all(q.topic == "myter" and q.pool == "practice" for q in quiz.questions(bank, topic="myter"))


# --- the identification conversation (module 8) -------------------------------------------


def test_conversation_teaches_what_module_8_promises(bank):
    every = " ".join(str(p.text) for topic in conversation.TOPIC_TITLES for p in conversation.points(bank, topic))
    for needed in ["Nasjonalt tolkeregister", "som et minimum", "«Trenger du hjelp med en gang?»", "«menneskehandel»",
                   "åpne spørsmål", "taushetsplikt", "lov aldri noe"]:
        assert needed in every, needed
    assert len(conversation.points(bank, "formaal")) == 4  # the four purposes of KOM Del 5
    assert len(conversation.points(bank, "mindreaarige")) >= 5
    assert len(conversation.example_questions(bank)) >= 12
    with pytest.raises(ValueError, match="unknown conversation topic"):
        conversation.points(bank, "smalltalk")


def test_question_choice_judges_and_explains_every_option(bank):
    answers = {t.id: next(o.id for o in t.options if o.better) for t in conversation.tasks(bank)}
    answers["qc-akutt"] = "a"
    answers["qc-pass"] = None
    judgements = conversation.judge_all(bank, answers)
    assert conversation.score(judgements) == (len(judgements) - 2, len(judgements))
    akutt = next(j for j in judgements if j.task.id == "qc-akutt")
    assert not akutt.correct and akutt.chosen.id == "a" and akutt.better.text.nb == "Trenger du hjelp med en gang?"
    unanswered = next(j for j in judgements if j.task.id == "qc-pass")
    assert unanswered.chosen is None and not unanswered.correct
    with pytest.raises(ValueError, match="has no option"):
        conversation.judge(akutt.task, "z")


def test_question_choice_gives_no_position_or_length_cue(bank):
    tasks = conversation.tasks(bank)
    assert len(tasks) >= 8
    first = sum(t.options[0].better for t in tasks)
    assert abs(first - (len(tasks) - first)) <= 1, "the better question must not sit mostly in one position"
    longer = shorter = 0
    for t in tasks:
        better = next(len(o.text.nb) for o in t.options if o.better)
        others = [len(o.text.nb) for o in t.options if not o.better]
        lengths = [better] + others
        assert min(lengths) / max(lengths) >= 0.6, t.id
        longer += better > max(others)
        shorter += better < min(others)
        assert all(o.feedback.nb for o in t.options)
    assert abs(longer - shorter) <= 2, (longer, shorter)


def test_a_linear_scenario_does_not_count_as_branching(bank):
    """Different feedback but the same next step is no branch: the player then hides «Valgene dine påvirker …»."""
    case = bank.case("bergen-2010")
    first = case.scenario.steps[0]
    linear_steps = [first.model_copy(update={"choices": [c.model_copy(update={"next": "debrief"})
                                                         for c in first.choices]})]
    linear = case.model_copy(update={"scenario": case.scenario.model_copy(update={"steps": linear_steps})})
    assert step_sequences(linear) == {(first.id,)}
    assert not branches(linear)
    assert branches(case) and len(step_sequences(case)) >= 2


def test_course_test_scoring_applies_pass_mark_and_duty_rule(bank):
    post = bank.get("course_tests", "sluttest")
    qs = [bank.question(q) for q in post.questions]
    right = {q.id: list(q.answer) for q in qs}
    full = quiz.score_course_test(bank, post, right)
    assert full.passed and full.percent == 100 and not full.failed_rules
    duty = next(q for q in qs if q.objective == "m07-mal-1")
    other = next(q for q in qs if not q.objective.startswith("m07"))
    wrong = lambda q: [next(o.id for o in q.options if o.id not in q.answer)]  # noqa: E731
    one_duty_wrong = quiz.score_course_test(bank, post, {**right, duty.id: wrong(duty)})
    assert one_duty_wrong.percent >= post.pass_mark and one_duty_wrong.passed is False
    assert one_duty_wrong.failed_rules == ["Pliktene må være riktige"]
    one_other_wrong = quiz.score_course_test(bank, post, {**right, other.id: wrong(other)})
    assert one_other_wrong.passed is (100 * (len(qs) - 1) >= post.pass_mark * len(qs))
    assert one_other_wrong.by_objective[other.objective][0] < one_other_wrong.by_objective[other.objective][1]
    pre = bank.get("course_tests", "forhandstest")
    assert quiz.score_course_test(bank, pre, {}).passed is None
