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
    buttons(view, "Be om å få snakke med hver arbeider alene, uten formannen.")[0].click()
    assert "✔ God handling." in text(view)
    buttons(view, "Flere indikatorer peker mot tvangsarbeid og mulig menneskehandel.")[0].click()
    buttons(view, "Gi informasjon om rettigheter og hjelp, kontakt politiets menneskehandelsgruppe "
                  "og vurder avvergingsplikten.")[0].click()
    page = text(view)
    assert "Oppsummering" in page and "Klassifisering:</strong> Menneskehandel" in page
    assert "straffeloven 1902 § 224" in page and "Avvergingsplikt" in page
    buttons(view, "Start på nytt")[0].click()
    assert "Oppsummering" not in text(view)


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
    restored = show_quiz(ids=["q-tre-elementer", "q-formaal", "q-grov"], state=saved[1] if len(saved) > 1 else saved[0])
    assert next(x for x in walk(restored) if isinstance(x, w.RadioButtons)).options == after.options


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
    buttons(view, "Prøv igjen")[0].click()
    assert not radios[0].disabled and radios[0].value is None and "Ikke riktig" not in text(view)


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
