"""Tolerant reading of graded answers (mhkurs.assess.answers): what people type is read, and what
cannot be read gets a Norwegian reason instead of a silent 0."""

from __future__ import annotations

import pytest

from mhkurs.assess.answers import answer_in_cell, choose, read_answer, read_answer_file


@pytest.mark.parametrize("value, letters", [
    ("B", ["B"]), ("b", ["B"]), (" b ", ["B"]), ("B.", ["B"]), ('"B".', ["B"]), ("«B»", ["B"]),
    ("svaret er c", ["C"]), ("B og D", ["B", "D"]), ("A, C", ["A", "C"]), ("ac", ["A", "C"]),
    (["A", "C"], ["A", "C"]), (("d", "b"), ["B", "D"]), ("A;C / D", ["A", "C", "D"]), ("B eller B", ["B"]),
    (None, []), ("", []), ("  ", []), ([], []),
])
def test_what_people_type_is_read(value, letters):
    assert read_answer(value, "ABCD", many=True) == (letters, None)


@pytest.mark.parametrize("value, says", [
    ("Bergen", "«Bergen» kan ikke leses"), ("2", "«2» kan ikke leses"), (2, "«2» kan ikke leses"),
    ("E", "E er ikke blant alternativene (A, B, C og D)"), (["A", 3], "«3» kan ikke leses"), (True, "«True»"),
])
def test_what_cannot_be_read_gets_a_norwegian_reason(value, says):
    letters, problem = read_answer(value, "ABCD", many=True)
    assert letters is None and says in problem


def test_one_letter_questions_say_so_without_telling_what_is_right():
    assert read_answer("B og D", "ABCD", many=False) == (None, "Velg bare ett alternativ her. Du har valgt B og D.")
    assert read_answer("B", "ABCD", many=False) == (["B"], None)


def test_answer_cell_is_read_as_the_kernel_reads_it():
    cell = "# Svar på spørsmål 1\nsvar_1 = \"\"\nvis_valg(1)\n"
    assert answer_in_cell(cell, "svar_1") == ""
    assert answer_in_cell(cell.replace('""', "B"), "svar_1") == "B"  # no quotes: text, not a NameError
    assert answer_in_cell(cell.replace('""', "B og D"), "svar_1") == "B og D"
    assert answer_in_cell(cell.replace('""', '["A", "C"]'), "svar_1") == ["A", "C"]
    assert answer_in_cell("svar_12 = 'A'\nsvar_1 == 'B'", "svar_1") is None


def test_answer_file_tolerates_tampering():
    assert read_answer_file("{")[0] == {} and "kan ikke leses" in read_answer_file("{")[1]
    assert read_answer_file("[1, 2]")[0] == {}
    assert read_answer_file('{"svar": {"q1": ["B"], "q2": {"x": 1}, "q3": "c"}}') == ({"q1": ["B"], "q3": "c"}, None)


def test_clicked_answer_wins_and_typed_is_the_fallback():
    assert choose(["B"], "C", "ABCD", False) == (["B"], None, "klikket")
    assert choose(None, "c", "ABCD", False) == (["C"], None, "skrevet")
    assert choose(["Z"], "c", "ABCD", False) == (["C"], None, "skrevet")  # a tampered file does not block
    assert choose(None, "Bergen", "ABCD", False)[0:1] == (None,)
    assert choose(None, "", "ABCD", False) == ([], None, None)
