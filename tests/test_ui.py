"""Widgets driven in plain pytest (no browser): clicks change state and show feedback in words."""

from __future__ import annotations

import re
import shutil

import ipywidgets as w
import pytest
import yaml

from mhkurs import record
from mhkurs.bank import UnknownItem
from mhkurs.bank import loader
from mhkurs.ui import (show_case, show_classifier, show_conversation, show_example_questions, show_landing, show_myths,
                       show_navigator, show_question_choice, show_quiz, show_spotter)


@pytest.fixture(autouse=True)
def no_progress_file(monkeypatch, tmp_path):
    monkeypatch.setenv("MHKURS_PROGRESS_FILE", str(tmp_path / "progress.json"))
    record.reset()  # a fresh record (file store in tmp_path) for every test
    yield
    record.reset()


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def buttons(widget, label=None):
    return [b for b in walk(widget) if isinstance(b, w.Button) and (label is None or b.description == label)]


def text(widget) -> str:
    return " ".join(x.value for x in walk(widget) if isinstance(x, w.HTML))


def test_scenario_player_clicks_through_to_debrief_and_restarts():
    view = show_case("jaeren-2008", module="m03-arbeidsliv")
    first = "Be om å snakke med hver arbeider for seg, uten formannen."
    buttons(view, first)[0].click()
    page = text(view)
    assert "✔ God handling." in page
    # a story: step 1 stays, with the choice and its feedback under it, before step 2 and its question
    assert page.index("Steg 1") < page.index(first) < page.index("✔ God handling.") < page.index("Steg 2")
    assert page.count("Hva gjør du?") == 1 and page.index("Steg 2") < page.index("Hva gjør du?")
    assert not buttons(view, first)  # a step taken cannot be taken again
    buttons(view, "Mulig tvangsarbeid: falskt pass, trusler og ingen reell vei ut.")[0].click()
    buttons(view, "Gi ham informasjon og ROSAs nummer, og be politiet følge opp.")[0].click()
    page = text(view)
    assert "Oppsummering" in page and "Klassifisering:</strong> Menneskehandel" in page
    assert "Gjennomgang av valgene dine" in page and "Godt valg:" in page
    assert "straffeloven 1902 § 224" in page and "Sett voksne i kontakt med hjelpeapparatet" in page
    assert "Valgene dine påvirker hva som skjer videre." in page and "konstruert for øvelsen" in page
    assert page.index("Steg 3") < page.index("Oppsummering")  # the last feedback comes before the debrief
    buttons(view, "Spill saken på nytt")[0].click()
    page = text(view)
    assert "Oppsummering" not in page and "Steg 2" not in page and "Steg 1" in page


def test_scenario_debrief_names_the_better_choice_for_a_weak_one():
    view = show_case("bergen-2010")
    buttons(view, "Behandle saken som dokumentfalsk, og forbered bortvisning.")[0].click()
    while not buttons(view, "Spill saken på nytt"):
        buttons(view)[0].click()
    page = text(view)
    review = page[page.index("Gjennomgang av valgene dine"):]
    assert "✘ Svakt valg:" in review and "Bedre valg:" in review
    assert "Ta henne med til et eget rom, og be om en kvalifisert tolk." in review


def test_every_control_is_labelled():
    for view in [show_case("mottak-fikser"), show_spotter("neglesalong"), show_classifier(), show_myths(),
                 show_navigator(), show_quiz("plikter"), show_question_choice()]:
        for x in walk(view):
            if isinstance(x, (w.Button, w.Checkbox, w.RadioButtons, w.ToggleButtons, w.Dropdown)):
                assert x.description.strip(), x
            if isinstance(x, w.Button):
                assert x.tooltip


def radios(widget):
    return {x.description: x for x in walk(widget) if isinstance(x, w.RadioButtons)}


def test_navigator_starts_unanswered_and_asks_who_you_are():
    view = show_navigator()
    assert all(r.value is None for r in radios(view).values())
    buttons(view, "Vis pliktene")[0].click()
    assert "Velg hvem du er først" in text(view)
    radios(view)["Hvem er du?"].value = "politi"
    assert len(radios(view)) == 7  # role + six facts; the reception-centre question is for staff only
    buttons(view, "Vis pliktene")[0].click()
    assert "Svar ja eller nei på alle spørsmålene først" in text(view)


def test_navigator_grades_a_situation_with_a_summary_first():
    view = show_navigator(module="m07-plikter")
    dropdown = next(x for x in walk(view) if isinstance(x, w.Dropdown))
    dropdown.value = "sit-fikser"
    radios(view)["Hvem er du?"].value = "mottak"
    for question, rb in radios(view).items():
        if question != "Hvem er du?":
            rb.value = not question.startswith(("Er det akutt", "Er det sikkert"))
    for cb in walk(view):
        if isinstance(cb, w.Checkbox) and cb.description == "Plikt til å legge til rette for identifisering":
            cb.value = True
    buttons(view, "Vis pliktene")[0].click()
    result = next(x for x in walk(view) if isinstance(x, w.HTML) and "mh-navigator-result" in x._dom_classes).value
    assert result.index("Du har") < result.index("Fakta om situasjonen") < result.index("Dette gjelder for deg")
    assert "✘ Ikke riktig." in result and "Meldeplikt til barnevernet: gjelder for deg her" in result
    assert "Informere UDIs regionale enhet" in result and "116 111" in result
    assert all(r.disabled for r in radios(view).values())  # checked answers cannot be changed for a better score
    dropdown.value = "sit-renhold"  # a new situation starts unanswered
    assert not any(r.disabled for r in radios(view).values())
    assert all(r.value is None for q, r in radios(view).items() if q != "Hvem er du?")
    assert not any(cb.value for cb in walk(view) if isinstance(cb, w.Checkbox))


def test_navigator_as_reference_tool_has_no_answer_key():
    view = show_navigator(learning=False)
    assert not any(isinstance(x, w.Dropdown) for x in walk(view))
    radios(view)["Hvem er du?"].value = "privatperson"
    for question, rb in radios(view).items():
        if question != "Hvem er du?":
            rb.value = question.startswith(("Er det rimelig", "Er det sikkert"))
    buttons(view, "Vis pliktene")[0].click()
    page = text(view)
    assert "Du har" not in page and "Plikt: Avvergingsplikt" in page and "Melde fra som privatperson" in page
    assert "Meldeplikt til barnevernet" not in page.split("Dette gjelder for deg")[1]


def test_quiz_scores_locks_and_retry_reshuffles():
    saved = []
    view = show_quiz(ids=["q-tre-elementer", "q-formaal", "q-grov"], on_change=saved.append)
    radio = next(x for x in walk(view) if isinstance(x, w.RadioButtons))
    radio.value = "B"  # the bank id of the right option, wherever it is shown
    buttons(view, "Sjekk svarene")[0].click()
    page = text(view)
    assert "Poeng: 1 av 5." in page and "2 spørsmål er ikke besvart" in page
    assert page.count("✔ Riktig.") == 1 and page.count("○ Ikke besvart.") == 2 and "✘ Ikke riktig." not in page
    assert "ditt valg" in page
    # Locked: the answer cannot be changed and the quiz cannot be checked again.
    assert radio.disabled and buttons(view, "Sjekk svarene")[0].disabled
    assert all(cb.disabled for cb in walk(view) if isinstance(cb, w.Checkbox))
    assert saved[-1]["submitted"] and saved[-1]["answers"] == {"q-tre-elementer": ["B"]}
    before = radio.options
    buttons(view, "Prøv igjen")[0].click()
    after = next(x for x in walk(view) if isinstance(x, w.RadioButtons))
    assert not after.disabled and after.value is None and "Poeng" not in text(view)
    assert sorted(v for _, v in before) == sorted(v for _, v in after.options)
    assert [label[:2] for label, _ in after.options] == ["A.", "B.", "C.", "D."]  # relabelled
    assert saved[-1]["attempt"] == 1 and not saved[-1]["answers"]
    # Resume: a saved state shows the same order and the locked answers.
    restored = show_quiz(ids=["q-tre-elementer", "q-formaal", "q-grov"], state=saved[-1])  # the state after the retry
    assert next(x for x in walk(restored) if isinstance(x, w.RadioButtons)).options == after.options
    # A state saved for another set of questions (the page changed since) starts a fresh quiz.
    other = show_quiz(ids=["q-tre-elementer", "q-formaal"], state=saved[0])
    assert not next(x for x in walk(other) if isinstance(x, w.RadioButtons)).disabled


def test_quiz_marks_a_wrong_answer_in_words():
    view = show_quiz(ids=["q-tre-elementer"])
    radio = next(x for x in walk(view) if isinstance(x, w.RadioButtons))
    radio.value = "A"
    buttons(view, "Sjekk svarene")[0].click()
    page = text(view)
    assert "✘ Ikke riktig." in page and "Poeng: 0 av 1." in page
    assert "(✘ galt alternativ – ditt valg)" in page and "(✔ riktig alternativ)" in page


def test_myths_hide_the_list_until_answered_and_lock_answers():
    view = show_myths()
    assert "Hele listen" not in text(view)
    first_yes, first_no = buttons(view, "Fakta")[0], buttons(view, "Myte")[0]
    first_no.click()
    assert first_yes.disabled and first_no.disabled and "Du svarte «myte»" in text(view)
    # the pressed button is disabled: the feedback, right after it, takes the focus (mhkurs.js: data-mh-focus)
    assert re.search(r"<div class='mh-myth-feedback' tabindex='-1' data-mh-focus><p class=\"mh-verdict", text(view))
    before = text(view)
    first_yes.click()  # a disabled button in the browser; clicking in Python must not change the answer
    assert text(view) == before
    for yes in buttons(view, "Fakta")[1:]:
        yes.click()
    page = text(view)
    assert "Hele listen over myter" in page and "riktige" in page
    buttons(view, "Prøv igjen")[0].click()
    assert "Hele listen" not in text(view) and not buttons(view, "Fakta")[0].disabled


def test_classifier_locks_an_answer_until_a_new_attempt():
    view = show_classifier(["k-smugling", "k-renhold"])
    radios = [x for x in walk(view) if isinstance(x, w.RadioButtons)]
    radios[0].value = "klasse-menneskehandel"
    assert radios[0].disabled and "✘ Ikke riktig." in text(view)
    assert "<div tabindex='-1' data-mh-focus>" in text(view)  # focus goes to the feedback, not the page body
    buttons(view, "Prøv igjen")[0].click()
    assert not radios[0].disabled and radios[0].value is None and "Ikke riktig" not in text(view)


def test_spotter_reports_hits_and_misses_in_words():
    view = show_spotter("bygg-container")
    first = next(x for x in walk(view) if isinstance(x, w.Checkbox) and x.description.startswith("Bor og arbeider"))
    first.value = True
    buttons(view, "Sjekk svarene")[0].click()
    page = text(view)
    assert "✔ Funnet" in page and "✘ Oversett" in page
    assert buttons(view, "Sjekk svarene")[0].disabled and "<div tabindex='-1' data-mh-focus>" in page  # focus: result


def test_unknown_ids_give_clear_errors():
    with pytest.raises(UnknownItem, match="no item 'nope' in section 'cases'"):
        show_case("nope")
    with pytest.raises(UnknownItem, match="no item 'nope' in section 'cases'"):
        show_spotter("nope")


def test_landing_lists_every_module_with_a_link():
    view = show_landing()
    record.current().connect()  # what the learner's browser does when the page has loaded
    page = text(view)
    for n in range(1, 10):
        assert f"Modul {n}:" in page
    assert "href='../modules/01-hva-er-menneskehandel.ipynb'" in page


def test_bank_markup_is_shown_as_literal_text(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(loader.DEFAULT_CONTENT_DIR, content)
    path = content / "cases.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["cases"][0]["scenario"]["steps"][0]["text"] = "Du er inspektør i Arbeidstilsynet.<script>alert(1)</script><b>fet</b>"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("MHKURS_CONTENT", str(content))
    view = show_case("jaeren-2008")
    page = text(view)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;fet&lt;/b&gt;" in page
    assert "<script>" not in page


SEED_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def test_learners_never_see_a_seed_file_name():
    """Every view shows a source by the document's title and part, never by its file name."""
    from mhkurs import ui
    from mhkurs.bank import get_bank
    from mhkurs.logic import conversation
    from mhkurs.logic.scenario import ScenarioRun
    from mhkurs.ui.scenario_view import debrief_view

    bank = get_bank()
    seeds = [d.id for d in bank.all("documents") if d.kind == "seed"]
    landing = ui.show_landing()
    record.current().connect()
    pages = [text(landing), text(ui.show_field_card())]
    for mod in bank.all("modules"):
        pages += [ui.show_sources(mod.id).value, ui.show_module_header(mod.id).value]
    pages.append(ui.show_concept(*bank.sections["concepts"]).value)
    pages += [ui.show_border(b).value for b in bank.sections["borders"]]
    pages.append(ui.show_duty(*bank.sections["duties"]).value)
    for case in bank.all("cases"):
        pages.append(ui.show_case_summary(case.id).value)
        if case.scenario:
            run = ScenarioRun.start(bank, case.id)
            while not run.finished:
                run.choose(run.step.choices[-1].id)
            pages.append(debrief_view(run).value)
            pages.append(text(show_case(case.id)))
    pages += [show_conversation(*conversation.TOPIC_TITLES).value, show_example_questions().value]
    for view in (show_navigator(), show_navigator(learning=False), show_myths(), show_classifier(),
                 show_question_choice()):
        pages.append(text(view))
    assert len(pages) > 40
    for page in pages:
        assert not SEED_NAME.search(page), SEED_NAME.search(page).group(0)
        assert not any(s in page for s in seeds)
    assert any("Veileder – identifisering av mulige ofre for menneskehandel" in p for p in pages)


def test_question_choice_shows_a_summary_and_explains_both_options():
    view = show_question_choice(ids=["qc-arbeid", "qc-akutt"], module="m08-samtalen")
    radios = [x for x in walk(view) if isinstance(x, w.RadioButtons)]
    assert all(r.value is None for r in radios)
    radios[0].value = "a"
    buttons(view, "Sjekk svarene")[0].click()
    page = text(view)
    assert "Du har 1 av 2 riktig." in page and "✔ Riktig." in page and "○ Ikke svart." in page
    assert page.count("✔ Best") == 1 and page.count("✘ Svakere") == 1  # the unanswered task gives nothing away
    assert radios[0].disabled and not radios[1].disabled
    radios[1].value = "b"
    buttons(view, "Sjekk svarene")[0].click()
    page = text(view)
    assert "Du har 2 av 2 riktig." in page and page.count("✔ Best") == 2 and page.count("✘ Svakere") == 2


def test_myths_resume_from_a_saved_state():
    saved = []
    view = show_myths(on_change=saved.append)
    buttons(view, "Fakta")[2].click()
    again = show_myths(state=saved[-1])
    assert buttons(again, "Fakta")[2].disabled and not buttons(again, "Fakta")[0].disabled
    assert "Besvart: 1 av" in text(again)


def test_a_quiz_question_says_how_to_answer_once():
    view = show_quiz(ids=["q-formaal", "q-tre-elementer"])
    said = text(view).lower()
    assert said.count("velg alle som passer") == 1  # the prompt says it; the view adds no second hint
    assert "(velg ett svar)" in said


def test_widgets_share_their_layout_and_style_models_and_a_shared_one_cannot_change():
    """The page's widget state holds one Layout/Style model per look, not one per widget (fewer models for the
    browser to fetch and build before the first exercise shows); changing a shared one would change every widget
    that uses it, so it raises, and a widget that is hidden later has a layout of its own."""
    from mhkurs.ui.common import button

    view = show_quiz(ids=["q-tre-elementer", "q-formaal", "q-grov"])
    kids = list(walk(view))
    layouts = {x.layout.model_id for x in kids}
    assert len(layouts) <= 4 < len(kids) // 3, (len(layouts), len(kids))
    assert len({x.style.model_id for x in kids if isinstance(x, w.Button)}) == 1
    with pytest.raises(RuntimeError, match="shared Layout cannot change"):
        buttons(view, "Sjekk svarene")[0].layout.display = "none"
    assert buttons(view, "Prøv igjen")[0].layout.display is None  # refused before it was set
    own = button("Lever testen", own_layout=True)
    own.layout.display = "none"
    assert own.layout.display == "none" and buttons(view, "Prøv igjen")[0].layout.display is None
