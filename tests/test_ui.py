"""Widgets driven in plain pytest (no browser): clicks change state and show feedback in words."""

from __future__ import annotations

import shutil

import ipywidgets as w
import pytest
import yaml

from mhkurs.bank import UnknownItem
from mhkurs.bank import loader
from mhkurs.ui import show_case, show_classifier, show_landing, show_myths, show_navigator, show_quiz, show_spotter


@pytest.fixture(autouse=True)
def no_progress_file(monkeypatch, tmp_path):
    monkeypatch.setenv("MHKURS_PROGRESS_FILE", str(tmp_path / "progress.json"))


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
    first = "Be om å få snakke med hver arbeider alene, uten formannen."
    buttons(view, first)[0].click()
    page = text(view)
    assert "✔ God handling." in page
    # a story: step 1 stays, with the choice and its feedback under it, before step 2 and its question
    assert page.index("Steg 1") < page.index(first) < page.index("✔ God handling.") < page.index("Steg 2")
    assert page.count("Hva gjør du?") == 1 and page.index("Steg 2") < page.index("Hva gjør du?")
    assert not buttons(view, first)  # a step taken cannot be taken again
    buttons(view, "Flere indikatorer peker mot tvangsarbeid og mulig menneskehandel.")[0].click()
    buttons(view, "Gi informasjon om rettigheter og hjelp, kontakt politiets menneskehandelsgruppe "
                  "og vurder avvergingsplikten.")[0].click()
    page = text(view)
    assert "Oppsummering" in page and "Klassifisering:</strong> Menneskehandel" in page
    assert "straffeloven 1902 § 224" in page and "Avvergingsplikt" in page
    assert page.index("Steg 3") < page.index("Oppsummering")  # the last feedback comes before the debrief
    assert "Veien du valgte" in page and page.count("✔ God handling.") == 6  # 3 steps + 3 in the review
    buttons(view, "Spill saken på nytt")[0].click()
    page = text(view)
    assert "Oppsummering" not in page and "Steg 2" not in page and "Steg 1" in page


def test_scenario_debrief_names_the_better_choice_for_a_weak_one():
    view = show_case("bergen-2010")
    buttons(view, "Behandle saken som dokumentfalsk og forbered bortvisning.")[0].click()
    while not buttons(view, "Spill saken på nytt"):
        buttons(view)[0].click()
    page = text(view)
    review = page[page.index("Veien du valgte"):]
    assert "Bedre valg:" in review
    assert "Snakk med henne alene, med kvalifisert tolk" in review


def test_every_control_is_labelled():
    for view in [show_case("mottak-fikser"), show_spotter("neglesalong"), show_classifier(), show_myths(),
                 show_navigator(), show_quiz("plikter")]:
        for x in walk(view):
            if isinstance(x, (w.Button, w.Checkbox, w.RadioButtons, w.ToggleButtons)):
                assert x.description.strip(), x
            if isinstance(x, w.Button):
                assert x.tooltip


def test_navigator_shows_duties_with_numbers():
    view = show_navigator()
    toggles = {x.description: x for x in walk(view) if isinstance(x, w.ToggleButtons)}
    for question, tb in toggles.items():
        if question.startswith(("Kan personen være under 18", "Er det rimelig grunn", "Arbeider du")):
            tb.value = True
    buttons(view, "Vis pliktene")[0].click()
    page = text(view)
    assert "Meldeplikt til barnevernet" in page and "barnevernsloven § 13-2 bokstav e" in page
    assert "✘ Ikke riktig." in page and "Du glemte" in page
    assert "116 111" in page


def test_quiz_scores_and_retry_reshuffles():
    view = show_quiz(ids=["q-tre-elementer", "q-formaal"])
    radio = next(x for x in walk(view) if isinstance(x, w.RadioButtons))
    radio.value = "B"
    buttons(view, "Sjekk svarene")[0].click()
    assert "Poeng: 1 av 3." in text(view)
    before = [o for o in next(x for x in walk(view) if isinstance(x, w.RadioButtons)).options]
    for _ in range(3):
        buttons(view, "Prøv igjen")[0].click()
    after = next(x for x in walk(view) if isinstance(x, w.RadioButtons)).options
    assert sorted(before) == sorted(after)


def test_spotter_reports_hits_and_misses_in_words():
    view = show_spotter("bygg-container")
    first = next(x for x in walk(view) if isinstance(x, w.Checkbox) and x.description.startswith("Bor og arbeider"))
    first.value = True
    buttons(view, "Sjekk svarene")[0].click()
    page = text(view)
    assert "✔ Funnet" in page and "✘ Oversett" in page


def test_unknown_ids_give_clear_errors():
    with pytest.raises(UnknownItem, match="no item 'nope' in section 'cases'"):
        show_case("nope")
    with pytest.raises(UnknownItem, match="no item 'nope' in section 'cases'"):
        show_spotter("nope")


def test_landing_lists_every_module_with_a_link():
    page = show_landing().value
    for n in range(1, 10):
        assert f"Modul {n}:" in page
    assert "href='../modules/01-hva-er-menneskehandel.ipynb'" in page


def test_bank_markup_is_shown_as_literal_text(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(loader.DEFAULT_CONTENT_DIR, content)
    path = content / "cases.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["cases"][0]["scenario"]["steps"][0]["text"] = "<script>alert(1)</script><b>fet</b>"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("MHKURS_CONTENT", str(content))
    view = show_case("jaeren-2008")
    page = text(view)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;fet&lt;/b&gt;" in page
    assert "<script>" not in page
