"""Graded assessments: generated from the bank, and nbgrader's real workflow end to end.

The fast tests check the generator without a kernel. The ``nbgrader`` tests run
nbgrader's own commands on a temporary copy of the course folder: generate,
validate both ways, a simulated class through autograde, manual grading of the
free-text tasks (as formgrader would store it), generate_feedback and export.
"""

from __future__ import annotations

import csv
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from mhkurs.assess import answers, build_all, check_sources
from mhkurs.assess.audit import audit
from mhkurs.assess.build import HELPER_FIRST, SOURCE_DIR, _answer_letters, arrangement
from mhkurs.assess.simulate import KINDS, simulate_class
from mhkurs.grading.findings import code_in_answer
from mhkurs.bank.loader import DEFAULT_CONTENT_DIR, REPO_ROOT, BankError, get_bank, load_bank

COURSE = REPO_ROOT / "assessments"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
E2E_ASSIGNMENT = "a4-avsluttende"  # the mixed final test, with court cases and a free-text task


def _cells(nb, suffix):
    return [c for c in nb.cells if c.get("id", "").endswith(suffix)]


# --- generator (no kernel) ------------------------------------------------------------------


def test_committed_source_notebooks_match_the_bank():
    assert check_sources(get_bank()) == []


def test_a_changed_bank_is_caught(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    data = yaml.safe_load((content / "questions-graded.yaml").read_text(encoding="utf-8"))
    assert data["questions"][0]["id"] == "g-elementer-handling"  # in a1-begreper
    data["questions"][0]["points"] = 7
    (content / "questions-graded.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = check_sources(load_bank(content))
    assert len(problems) == 1 and "a1-begreper.ipynb: differs" in problems[0]


def test_stray_and_missing_notebooks_are_reported(tmp_path):
    src = tmp_path / "source"
    shutil.copytree(SOURCE_DIR, src)
    (src / "a2-indikatorer" / "a2-indikatorer.ipynb").unlink()
    (src / "old").mkdir()
    (src / "old" / "old.ipynb").write_text("{}")
    problems = "\n".join(check_sources(get_bank(), src))
    assert "a2-indikatorer.ipynb: missing" in problems
    assert "old.ipynb: not generated" in problems


def test_the_four_assignments_cover_what_instructors_asked_for():
    bank = get_bank()
    by_id = {a.id: a for a in bank.all("assignments")}
    assert list(by_id) == ["a1-begreper", "a2-indikatorer", "a3-plikter", "a4-avsluttende"]
    classes = {bank.question(q).answer[0] for q in by_id["a1-begreper"].questions
               if bank.question(q).type == "classification"}
    assert {"klasse-menneskehandel", "klasse-smugling", "klasse-sosial-dumping", "klasse-hallik",
            "klasse-prostitusjon", "klasse-mer-info", "klasse-vold-naere"} <= classes
    final = [bank.question(q) for q in by_id["a4-avsluttende"].questions]
    assert any(q.case and bank.case(q.case).kind == "dom" for q in final)
    assert {q.topic for q in final} >= {"begreper", "myter", "plikter", "case"}
    for a in by_id.values():
        assert any(bank.question(q).type != "free_text" for q in a.questions)


def _problems_after_edit(tmp_path, old: str, new: str) -> list[str]:
    """The bank's problems after replacing ``old`` by ``new`` once in a copy of assessments.yaml."""
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    path = content / "assessments.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BankError) as err:
        load_bank(content)
    return [str(p) for p in err.value.problems]


def test_unknown_question_in_an_assignment_names_file_item_and_field(tmp_path):
    assert _problems_after_edit(tmp_path, "- g-innlasing\n", "- q-finnes-ikke\n") == [
        "assessments.yaml: item 'a2-indikatorer', field 'questions[5]': unknown question 'q-finnes-ikke'"
    ]


def test_a_practice_item_in_an_assignment_is_reported(tmp_path):
    assert _problems_after_edit(tmp_path, "- g-innlasing\n", "- q-fikser\n") == [
        "assessments.yaml: item 'a2-indikatorer', field 'questions[5]': question 'q-fikser' is in pool "
        "'practice', but only 'graded' items may be used here"
    ]


def test_duplicate_assignment_numbers_are_reported(tmp_path):
    assert _problems_after_edit(tmp_path, "number: 2\n", "number: 1\n") == [
        "assessments.yaml: item 'a2-indikatorer', field 'number': assignment number 1 also used by 'a1-begreper'"
    ]


@pytest.mark.parametrize("rel", sorted(build_all(get_bank())))
def test_source_notebook_structure_follows_the_bank(rel):
    bank = get_bank()
    assignment = bank.assignment(rel.split("/")[0])
    nb = nbformat.reads(build_all(bank)[rel], as_version=4)
    nbformat.validate(nb)
    assert all(c.cell_type != "code" or not c.outputs for c in nb.cells)
    text = "\n".join(c.source for c in nb.cells)
    imports = {m.split(".")[0] for m in re.findall(r"^\s*(?:import|from)\s+([\w.]+)", text, re.M)}
    assert imports <= {"ast", "json", "os", "re", "tempfile", "ipywidgets", "IPython"}, \
        f"assignments must not need the course package: {imports}"
    (helper,) = [c for c in nb.cells if c.id == "hjelpefunksjon"]
    assert helper.metadata["nbgrader"]["locked"] and helper.metadata["jupyter"]["source_hidden"]
    for name in answers.EMBEDDED:  # the notebook reads answers with the very code the audit uses
        assert inspect.getsource(getattr(answers, name)).rstrip() in helper.source
    assert nb.cells[-1].id == "innlevering" and nb.cells[-1].source.startswith("hand_in_panel() if ")
    intro = nb.cells[0].source
    assert f"`<deltaker-id>_{assignment.id}.ipynb`" in intro and "Submit" in intro and "Run All Cells" in intro
    for n, qid in enumerate(assignment.questions, start=1):
        q = bank.question(qid)
        if q.type == "free_text":
            (task,) = [c for c in nb.cells if c.id == f"{qid}-oppgave"]
            meta = task.metadata["nbgrader"]
            assert meta["task"] and meta["points"] == q.points
            assert task.metadata["mhkurs"] == {"item": qid, "objective": q.objective}
            scheme = task.source.split("BEGIN MARK SCHEME")[1].split("END MARK SCHEME")[0]
            for line in q.rubric:
                assert str(line) in scheme
            continue
        (answer,) = [c for c in nb.cells if c.id == f"{qid}-svar"]
        (test,) = [c for c in nb.cells if c.id == f"{qid}-test"]
        assert f'svar_{n} = ""' in answer.source and answer.metadata["nbgrader"]["solution"]
        assert answer.source.endswith(f'answer_buttons({n}) if "answer_buttons" in dir() else print("{HELPER_FIRST}")')
        assert code_in_answer(answer.source.split("### END SOLUTION")[1]) is None  # the audit sees no code
        assert test.metadata["nbgrader"] == {
            "grade": True, "grade_id": f"{qid}-test", "locked": True, "points": q.points,
            "schema_version": 3, "solution": False, "task": False,
        }
        assert test.metadata["tags"] == ["raises-exception"]
        # Contract 4: item, objective and the letters as shown, mapped to bank option (or class) ids.
        order = arrangement(bank, assignment)
        meta = test.metadata["mhkurs"]
        assert meta["item"] == qid and meta["objective"] == q.objective
        assert meta["number"] == n and meta["many"] == (q.type == "multiple")
        refs = [o.id for o in q.options] if q.type != "classification" else [c.id for c in bank.all("classes")]
        assert sorted(meta["options"].values()) == sorted(refs)
        assert answer.metadata["mhkurs"] == meta
        right = _answer_letters(bank, q, order)
        assert right == sorted(k for k, v in meta["options"].items() if v in q.answer)
        hidden = test.source.split("### BEGIN HIDDEN TESTS")[1]
        if q.type == "multiple":  # partial credit by the stated rule: the cell shows the score (docs/ASSESSMENT.md)
            assert f"partial_credit(graded_answer({n}), {''.join(right)!r}, {q.points})" in hidden
        else:
            assert f"assert graded_answer({n}) == {right!r}" in hidden
        assert f'svar_{n} = "{"".join(right)}"' in answer.source.split("### BEGIN SOLUTION")[1]


# --- nbgrader end to end --------------------------------------------------------------------


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    proc = subprocess.run([NBGRADER, *args], cwd=course, env=env, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the course folder with every assignment generated (released as files)."""
    root = tmp_path_factory.mktemp("nbgrader-course")
    shutil.copy(COURSE / "nbgrader_config.py", root)
    shutil.copytree(COURSE / "source", root / "source")
    for a in get_bank().all("assignments"):
        nbgrader(root, "generate_assignment", a.id)
    return root


def _kind(subs, kind):
    return next(s for s in subs if s.kind == kind)


def _num(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _nb(letters: list[str]) -> str:
    return letters[0] if len(letters) == 1 else ", ".join(letters[:-1]) + " og " + letters[-1]


def html_text(text) -> str:
    import html

    return html.escape(str(text).strip())


def maximum_points(bank, a: str) -> float:
    return sum(bank.question(q).points for q in bank.assignment(a).questions)


def _notebooks(root: Path, kind: str) -> list[Path]:
    return sorted((root / kind).glob("*/*.ipynb"))


@pytest.mark.nbgrader
def test_release_notebooks_hold_no_solutions_hidden_tests_or_rubrics(course):
    bank = get_bank()
    released = _notebooks(course, "release")
    assert [p.parent.name for p in released] == [a.id for a in bank.all("assignments")]
    for path in released:
        text = path.read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "MARK SCHEME", "Vurderingskriterier", "Kort fasit", "== ["):
            assert marker not in text, f"{path.name} leaks {marker!r}"
        for qid in bank.assignment(path.parent.name).questions:
            q = bank.question(qid)
            for line in q.rubric:
                assert str(line) not in text
        for cell in _cells(nb, "-svar"):
            assert re.search(r'^svar_\d+ = ""$', cell.source, re.M) and "BEGIN" not in cell.source, cell.source
        for cell in _cells(nb, "-test") + _cells(nb, "-oppgave"):  # contract 4 survives the release
            assert cell.metadata["mhkurs"]["item"] == cell.id.rsplit("-", 1)[0]


@pytest.mark.nbgrader
def test_validate_both_ways(course):
    sources = [str(p) for p in _notebooks(course, "source")]
    releases = [str(p) for p in _notebooks(course, "release")]
    out = nbgrader(course, "validate", *sources).stdout
    assert out.count("Success! Your notebook passes all the tests.") == len(sources), out
    out = nbgrader(course, "validate", "--invert", *releases).stdout
    assert out.count("Success! The notebook does not pass any tests.") == len(releases), out
    out = nbgrader(course, "validate", *releases).stdout
    assert "Success" not in out and out.count("VALIDATION FAILED") == len(releases), out


@pytest.mark.nbgrader
def test_a_simulated_class_from_autograde_to_exported_grades(course):
    bank = get_bank()
    a = E2E_ASSIGNMENT
    release_text = (course / "release" / a / f"{a}.ipynb").read_text(encoding="utf-8")
    subs = simulate_class(bank, release_text)
    assert [s.kind for s in subs] == list(KINDS)
    # Handed in as files (e-mail, LMS), collected with nbgrader's zip_collect.
    archive = course / "downloaded" / a / "archive"
    archive.mkdir(parents=True)
    for s in subs:
        if not s.files:
            (archive / f"{s.student}_{a}.ipynb").write_text(s.text, encoding="utf-8")
    nbgrader(course, "zip_collect", a)
    for s in subs:  # with an answer file: collected from the hub's exchange, the whole folder
        if s.files:
            folder = course / "submitted" / s.student / a
            folder.mkdir(parents=True)
            (folder / f"{a}.ipynb").write_text(s.text, encoding="utf-8")
            for name, text in s.files.items():
                (folder / name).write_text(text, encoding="utf-8")
    assert sorted(p.parent.parent.name for p in (course / "submitted").glob(f"*/{a}/{a}.ipynb")) == [
        s.student for s in subs]

    auto = nbgrader(course, "autograde", a, check=False)
    log = auto.stdout + auto.stderr
    bad = next(s.student for s in subs if s.kind == "invalid_json")
    # nbgrader names the unreadable submission, exits non-zero, and grades everybody else.
    assert auto.returncode == 1
    assert f"There was an error processing assignment '{a}' for student '{bad}'" in log
    assert "Timeout waiting for execute reply (10s)" in log  # the looping submission was cut off
    # Quiet for what is expected: no checksum warning per test cell, no SQLAlchemy warnings.
    assert "checksum" not in log and "SAWarning" not in log, log
    graded = {p.parent.parent.name for p in (course / "autograded").glob(f"*/{a}/{a}.ipynb")}
    assert graded == {s.student for s in subs} - {bad}

    # Formgrader shows the autograded notebook: there the task cells carry their rubric again.
    autograded = nbformat.read(str(course / "autograded" / subs[0].student / a / f"{a}.ipynb"), as_version=4)
    for cell in _cells(autograded, "-test"):  # item statistics can be read from the graded notebooks
        assert cell.metadata["mhkurs"]["objective"] == bank.question(cell.id[: -len("-test")]).objective
    for cell in _cells(autograded, "-oppgave"):
        qid = cell.id[: -len("-oppgave")]
        assert "Vurderingskriterier" in cell.source
        assert all(str(r) in cell.source for r in bank.question(qid).rubric)

    # The audit reports the tampering and the unreadable notebook, for those students only.
    students, findings = audit(course, a)
    assert students == sorted(s.student for s in subs)
    tampered = next(s for s in subs if s.kind == "tampered")
    assert {(f.student, f.cell) for f in findings if f.problem == "edited"} == {
        (tampered.student, c) for c in tampered.tampered_cells}
    deleted = next(s for s in subs if s.kind == "deleted")
    assert [(f.student, f.problem) for f in findings if f.problem not in ("edited", "unreadable-answer")] == [
        (tampered.student, "points"), (bad, "unreadable"), (bad, "not-autograded"),
        (deleted.student, "deleted"), (deleted.student, "deleted")]
    assert {f.cell for f in findings if f.problem == "deleted"} == set(deleted.tampered_cells)
    # Answers that cannot be read are named per question, with the learner's Norwegian reason.
    fmt = next(s for s in subs if s.kind == "format")
    unreadable = [f for f in findings if f.problem == "unreadable-answer"]
    assert {f.student for f in unreadable} == {fmt.student} and len(unreadable) >= 3
    assert any("«Bergen» kan ikke leses" in f.detail for f in unreadable)

    # Autograded scores: exactly what each simulated learner earned.
    from nbgrader.api import Gradebook

    task_ids = [f"{q}-oppgave" for q in bank.assignment(a).questions if bank.question(q).type == "free_text"]
    task_points = sum(bank.question(q).points for q in bank.assignment(a).questions
                      if bank.question(q).type == "free_text")
    manual_points = {"correct": float(task_points), "partial": task_points / 2}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for s in subs:
            if s.expected_auto is None:
                continue
            sub = gb.find_submission(a, s.student)
            assert sub.score == pytest.approx(s.expected_auto), s.student
            assert sub.needs_manual_grade  # the free-text task waits for the instructor
        # The instructor grades the free-text task (what formgrader stores).
        for s in subs:
            if s.expected_auto is None:
                continue
            for tid in task_ids:
                grade = gb.find_grade(tid, a, a, s.student)
                grade.manual_score = manual_points.get(s.kind, 0.0) * bank.question(tid[: -len("-oppgave")]).points / task_points
                if s.kind == "correct":
                    gb.find_comment(tid, a, a, s.student).manual_comment = "Godt begrunnet, men nevn også gjelden."
        gb.db.commit()

    nbgrader(course, "generate_feedback", a)
    feedback = sorted((course / "feedback").glob(f"*/{a}/{a}.html"))
    assert {p.parent.parent.name for p in feedback} == graded
    for path in feedback:
        html = path.read_text(encoding="utf-8")
        for marker in ("HIDDEN TESTS", "MARK SCHEME", "Vurderingskriterier", "Kort fasit", "AssertionError", "== ["):
            assert marker not in html, f"feedback for {path.parent.parent.name} leaks {marker!r}"
    # Feedback that teaches: per question what was answered, what was right and why, the points.
    def page(student):
        return (course / "feedback" / student / a / f"{a}.html").read_text(encoding="utf-8")

    right, wrong, clicked = page(subs[0].student), page(subs[1].student), page(_kind(subs, "clicked").student)
    released = nbformat.reads(release_text, as_version=4)
    for html in (right, wrong, clicked):
        for marker in ("svar_", "graded_answer", "check_answer", "def ", "<script", "http:", "https:", "Score",
                       "Comments", "mathjax"):
            assert marker not in html, marker
    assert 'class="feil"' not in right and right.count("<section") == len(bank.assignment(a).questions)
    assert f"Poeng: {_num(subs[0].expected_auto + manual_points['correct'])} av {_num(maximum_points(bank, a))}" in right
    assert "Godt begrunnet, men nevn også gjelden." in right  # the instructor's comment on free text
    for cell in _cells(released, "-test"):
        meta = cell.metadata["mhkurs"]
        q = bank.question(meta["item"])
        block = right.split(f'id="q{meta["number"]}"')[1].split("</section>")[0]
        assert "Riktig</span>" in block and html_text(q.explanation) in block and "Repeter: " in block
        for o in q.options:
            assert not o.why or html_text(o.why) in block
        letters = sorted(k for k, v in meta["options"].items() if v in q.answer)
        assert f"<dt>Ditt svar</dt><dd>{_nb(letters)}</dd>" in block
        wrong_block = wrong.split(f'id="q{meta["number"]}"')[1].split("</section>")[0]
        assert "Ikke riktig</span>" in wrong_block and f"<dt>Riktig svar</dt><dd>{_nb(letters)}</dd>" in wrong_block
    # The clicked answers (the answer file), also where the answer cell was lost by accident.
    first = _cells(released, "-test")[0].metadata["mhkurs"]
    block = clicked.split(f'id="q{first["number"]}"')[1].split("</section>")[0]
    assert "Riktig</span>" in block

    nbgrader(course, "export")
    with open(course / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {s.student for s in subs}  # the gradebook keeps every learner
    maximum = sum(bank.question(q).points for q in bank.assignment(a).questions)
    for s in subs:
        row = rows[s.student]
        assert float(row["max_score"]) == maximum
        expected = 0.0 if s.expected_auto is None else s.expected_auto + manual_points.get(s.kind, 0.0)
        assert float(row["score"]) == pytest.approx(expected), (s.student, row)
    assert float(rows[subs[0].student]["score"]) == maximum  # the fully correct learner



# --- answering by clicking, in a real kernel, through nbgrader --------------------------------


class Kernel:
    """A Python kernel in a trainee's assignment folder, as JupyterLab starts it (with a session)."""

    def __init__(self, folder: Path):
        from jupyter_client.manager import start_new_kernel

        os.environ["JPY_SESSION_NAME"] = str(folder / "notebook.ipynb")  # copied into the kernel's env
        try:
            self.km, self.kc = start_new_kernel(cwd=str(folder))
        finally:
            del os.environ["JPY_SESSION_NAME"]

    def run(self, code: str) -> list[dict]:
        msg_id = self.kc.execute(code)
        outputs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return outputs
            if kind in ("stream", "error", "display_data", "update_display_data", "execute_result"):
                outputs.append({"type": kind, **content})

    def text(self, code: str) -> str:
        return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") or "".join(o.get("traceback", []))
                       for o in self.run(code))

    def run_notebook(self, path: Path) -> None:
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type == "code":
                self.run(cell.source)

    def restart(self) -> None:
        self.km.restart_kernel(now=True)
        self.kc.wait_for_ready(timeout=60)

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


CLICK_ASSIGNMENT = "a1-begreper"  # classification, single and multiple choice, free text


@pytest.mark.nbgrader
def test_clicked_answers_survive_restart_accidents_and_both_hand_ins(course, tmp_path):
    """A trainee clicks (the widget values change in the kernel, as a click does), restarts the
    kernel, loses answer cells by accident, checks completeness and hands in on the hub (folder
    with the answer file) and as a file (prepared copy): autograde gives exactly the points chosen."""
    bank = get_bank()
    a = CLICK_ASSIGNMENT
    folder = tmp_path / a
    shutil.copytree(course / "release" / a, folder)
    nb_path = folder / f"{a}.ipynb"
    released = nbformat.read(str(nb_path), as_version=4)
    qs = {c.metadata["mhkurs"]["number"]: c.metadata["mhkurs"] for c in _cells(released, "-test")}
    n_all = len(bank.assignment(a).questions)
    plan, expected = {}, 0.0  # question -> letters clicked: right for odd numbers, wrong for even
    for n, meta in qs.items():
        q = bank.question(meta["item"])
        right = sorted(k for k, v in meta["options"].items() if v in q.answer)
        wrong = next(k for k in meta["options"] if [k] != right)
        plan[n] = right if n % 2 else [wrong]
        expected += q.points if n % 2 else 0
    first, second, third = sorted(qs)[:3]

    k = Kernel(folder)
    try:
        k.run_notebook(nb_path)
        assert "er ikke besvart ennå" in k.text(f"check_answer({first})")  # says so, does not stop
        # Typed without quotes, in a form that cannot be read: one Norwegian line, no traceback.
        (err,) = [o for o in k.run(f"svar_{third} = Bergen\ncheck_answer({third})") if o["type"] == "error"]
        assert err["traceback"] == [f"✘ Spørsmål {third}: «Bergen» kan ikke leses som et svar. Svar bare med "
                                    f"bokstavene for alternativene ({_nb(list(qs[third]['options']))})."]
        for n, letters in plan.items():
            if qs[n]["many"]:
                for i, letter in enumerate(qs[n]["options"]):
                    k.run(f"BUTTONS[{n}].children[{i}].value = {letter in letters}")
            else:
                k.run(f"BUTTONS[{n}].value = {letters[0]!r}")
        answer_file = folder / answers.ANSWER_FILE.format(assignment=a)
        saved = json.loads(answer_file.read_text(encoding="utf-8"))
        assert answer_file.stat().st_mode & 0o044 == 0o044  # readable by the grader's sandbox user
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no temporary files left
        assert saved["svar"] == {qs[n]["item"]: plan[n] for n in plan}
        status = k.text(f"check_answer({first})")
        assert status.startswith(f"✔ Spørsmål {first}: svaret ditt er registrert") and "riktig" not in status.lower()
        # Typed, the way people type: no quotes, and a form that cannot be read (a clear message, no traceback).
        k.run(f"svar_{second} = b og d")
        out = k.run(f"check_answer({second})")
        assert [o["type"] for o in out] == ["display_data"]  # the clicked answer counts; typed is the fallback
        k.restart()  # a restarted kernel: the clicks come back from the answer file
        k.run_notebook(nb_path)
        for n, letters in plan.items():
            got = k.text(f"print(graded_answer({n}))").strip()
            assert got == repr(letters), (n, got)
        if not qs[first]["many"]:
            assert k.text(f"print(BUTTONS[{first}].value)").strip() == plan[first][0]
        summary = k.text("print(completeness()[0])").strip()
        missing = [n for n in range(1, n_all + 1) if n not in qs]  # the free-text tasks, not written
        assert summary == f"{len(qs)} av {n_all} besvart; spørsmål {_nb([str(n) for n in missing])} mangler."
        # Accidents on disk: a stray key turns an answer cell into Markdown, another is deleted.
        nb = nbformat.read(str(nb_path), as_version=4)
        ids = [f"{qs[first]['item']}-svar", f"{qs[second]['item']}-svar"]
        for cell in nb.cells:
            if cell.get("id") == ids[0]:
                cell.cell_type = "markdown"
                cell.pop("outputs"), cell.pop("execution_count")
        nb.cells = [c for c in nb.cells if c.get("id") != ids[1]]
        nbformat.write(nb, str(nb_path))
        msg = k.text('print(prepare_file("Ola Nordmann")[1]); print(prepare_file("ola.nordmann")[1])')
        assert "uten mellomrom" in msg and f"«ola.nordmann_{a}.ipynb» er klar" in msg
    finally:
        k.stop()
    copy = nbformat.read(str(folder / f"ola.nordmann_{a}.ipynb"), as_version=4)
    nbformat.validate(copy)
    assert [c.cell_type for c in copy.cells if c.get("id") in ids] == ["code", "code"]

    # Hub: the whole folder (notebook with the accidents + answer file). File: only the prepared copy.
    hub = course / "submitted" / "kari" / a
    shutil.copytree(folder, hub, ignore=shutil.ignore_patterns("ola.nordmann_*"))
    archive = course / "downloaded" / a / "archive"
    archive.mkdir(parents=True)
    shutil.copy(folder / f"ola.nordmann_{a}.ipynb", archive)
    nbgrader(course, "zip_collect", a)
    assert sorted(p.name for p in (course / "submitted" / "ola.nordmann" / a).iterdir()) == [f"{a}.ipynb"]
    log = nbgrader(course, "autograde", a)  # in the sandbox, as another user, the folder read-only
    from nbgrader.api import Gradebook

    assert "Missing" not in log.stdout + log.stderr
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ("kari", "ola.nordmann"):
            assert gb.find_submission(a, student).score == pytest.approx(expected), student
    # What the audit and the report read: the same answers, none unreadable.
    for student in ("kari", "ola.nordmann"):
        got = {x.number: x.letters for x in answers.submission_answers(course / "autograded" / student / a / f"{a}.ipynb")}
        assert got == plan, student

