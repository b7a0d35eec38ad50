"""Generate nbgrader source notebooks from the bank's assignments.

One notebook per assignment, ``assessments/source/<id>/<id>.ipynb``:

* a read-only introduction (title, intro, points, how to answer);
* a read-only, collapsed helper cell: the reading functions of ``answers`` and the kernel code of
  ``notebook_helper`` (copied verbatim, so no course package is needed), and the table of
  questions;
* per choice or classification question: a read-only question cell, an answer
  cell ``svar_N = ""`` + ``answer_buttons(N)`` (click to answer; the solution region holds the
  bank's answer) and a locked test cell worth the question's points whose visible part calls
  ``check_answer(N)`` and whose hidden part grades ``graded_answer(N)`` (clicked, else typed);
* per free-text question: a manually graded *task* cell with the prompt and a
  mark scheme (the bank's rubric, stripped from the release, shown to the
  instructor in formgrader) followed by a plain cell for the learner's text;
* a read-only list of sources, and a last cell with the completeness check and the hand-in file.

Options are shuffled and their letters re-assigned per assignment (``arrangement``), so the
right answer's position is balanced; every graded, solution and task cell carries
``metadata["mhkurs"]`` = {item, objective, options: {letter shown: bank option id}} for item
statistics (contract 4).

The output is deterministic (fixed cell ids, no outputs), so a test can tell
when a committed source notebook no longer matches the bank.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from ..bank import Bank
from ..bank import models as m
from ..bank.loader import REPO_ROOT
from ..logic.quiz import LETTERS, arrange
from . import answers, notebook_helper

SOURCE_DIR = REPO_ROOT / "assessments" / "source"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

HELPER_HEAD = """\
# Hjelpefunksjoner for prøven: knappene du svarer med, lagring av svarene og sjekken før innlevering.
# Kjør denne cellen først (klikk i den og trykk Shift+Enter). Du skal ikke endre den.
import ast, json, re
"""


def _embedded_source() -> str:
    """The reading functions of ``answers`` and the kernel code of ``notebook_helper``, verbatim."""
    parts = [inspect.getsource(getattr(answers, name)) for name in answers.EMBEDDED]
    helper = inspect.getsource(notebook_helper).split("# --- embedded from here ", 1)[1].split("\n", 1)[1]
    return "\n\n".join(p.rstrip() for p in parts) + "\n\n\n" + helper.strip() + "\n"


def helper_source(assignment_id: str = "prove", questions: dict | None = None, tasks: dict | None = None) -> str:
    """The helper cell: reading, buttons, answer file, completeness, hand-in copy, and the table."""
    table = ["", "", f"ASSIGNMENT = {assignment_id!r}", "QUESTIONS = {"]
    for n, (item, letters, many, texts) in sorted((questions or {}).items()):
        table.append(f"    {n}: ({item!r}, {letters!r}, {many!r}, (")
        table.extend(f"        {t!r}," for t in texts)
        table.append("    )),")
    table.append("}")
    table.append(f"TASKS = {dict(sorted((tasks or {}).items()))!r}")
    table.append("LETTERS_ALL = " + repr(LETTERS))
    table.append("_start()")
    table.append('print("✔ Klar. Gå videre til spørsmål 1.")')
    return HELPER_HEAD + "\n\n" + _embedded_source() + "\n".join(table) + "\n"


@dataclass(frozen=True)
class Choice:
    letter: str
    text: str
    ref: str  # bank option id, or class id for a classification question


def arrangement(bank: Bank, assignment: m.Assignment) -> dict[str, list[str]]:
    """Option order per choice question of an assignment: shuffled, answer positions balanced,
    deterministic per assignment (so the committed source notebooks are reproducible)."""
    qs = [bank.question(q) for q in assignment.questions]
    return arrange([q for q in qs if q.type in ("single", "multiple")], seed=assignment.id)


def _choices(bank: Bank, q: m.Question, order: dict[str, list[str]] | None = None) -> list[Choice]:
    """The options as shown: letters A, B, C ... re-assigned after shuffling."""
    if q.type == "classification":
        classes = bank.all("classes")
        if len(classes) > len(LETTERS):
            raise ValueError(f"too many classes for lettered answers in question '{q.id}'")
        return [Choice(LETTERS[i], str(c.label), c.id) for i, c in enumerate(classes)]
    by_id = {o.id: o for o in q.options}
    ids = (order or {}).get(q.id) or [o.id for o in q.options]
    return [Choice(LETTERS[i], str(by_id[oid].text), oid) for i, oid in enumerate(ids)]


def _answer_letters(bank: Bank, q: m.Question, order: dict[str, list[str]] | None = None) -> list[str]:
    return sorted(c.letter for c in _choices(bank, q, order) if c.ref in q.answer)


def _item_meta(q: m.Question, choices: list[Choice] | None = None) -> dict:
    """Contract 4: the bank item, its objective and (choice questions) letter -> bank option id."""
    meta: dict = {"item": q.id, "objective": q.objective}
    if choices is not None:
        meta["options"] = {c.letter: c.ref for c in choices}
    return {"mhkurs": meta}


def _meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
          task: bool = False, points: int | None = None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": task,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _md(cell_id: str, text: str, **meta) -> NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text, id=cell_id)
    if meta:
        cell.metadata = _meta(cell_id, **meta)
    return cell


def _code(cell_id: str, text: str, **meta) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(text, id=cell_id)
    cell.metadata = _meta(cell_id, **meta)
    return cell


# The menu path as the class hub's JupyterLab shows it in bokmål (widgets/mhkurs_lab_nb), and in English for a
# JupyterLab in English (at home, or Notebook 7); tests/test_hub_language.py checks both against the pack.
RUN_ALL = "Kjør → Kjør alle celler"
RUN_ALL_EN = "Run → Run All Cells"
HELPER_FIRST = f"✘ Kjør først alle cellene: velg {RUN_ALL} i menyen (på engelsk: {RUN_ALL_EN})."


def _guarded(call: str) -> str:
    """``call`` when the helper cell has run; otherwise a Norwegian hint instead of a NameError."""
    name = call.split("(")[0]
    return f'{call} if "{name}" in dir() else print("{HELPER_FIRST}")'


def how_to(assignment_id: str) -> str:
    """How to answer and how to hand in, both ways, with the file names (Norwegian)."""
    return (
        "## Slik svarer du\n\n"
        f"1. Kjør alle cellene én gang: velg **{RUN_ALL}** i menyen øverst (er menyene på engelsk: "
        f"**{RUN_ALL_EN}**). Da kommer det "
        "svarknapper under hvert spørsmål. Gjør det samme hvis du åpner prøven igjen senere: svarene du "
        "har klikket, kommer tilbake.\n"
        "2. Klikk på svaret ditt under hvert spørsmål. Svaret lagres med én gang (i fila "
        f"`{answers.ANSWER_FILE.format(assignment=assignment_id)}` ved siden av prøven), og du kan ombestemme deg. "
        "Under spørsmålet står det hva som er registrert, men ikke om det er riktig.\n"
        "3. Oppgaver med fritekst: dobbeltklikk i tekstcellen under oppgaven, skriv, og trykk **Shift+Enter**.\n"
        "4. Nederst i prøven: klikk **Sjekk besvarelsen** for å se om du har svart på alt. Lagre (**Ctrl+S**).\n\n"
        "Ser du ingen knapper? Skriv bokstaven mellom anførselstegnene i svarcellen (linjen som begynner med "
        "`svar_`), og kjør cellen med **Shift+Enter**. Store eller små bokstaver, «B og D» og «A, C» går fint.\n\n"
        "## Slik leverer du\n\n"
        "- **På kurs-huben:** lagre (Ctrl+S), velg **Nbgrader → Assignment List** i menyen, og klikk "
        f"**Submit** ved `{assignment_id}`. Svarene du har klikket, følger med automatisk. Ikke gi prøven "
        "eller mappen et nytt navn.\n"
        "- **Som fil (e-post eller læringsplattform):** lagre (Ctrl+S), skriv deltaker-ID-en din nederst i "
        "prøven og klikk **Klargjør innlevering som fil**. Da lages fila "
        f"`<deltaker-id>_{assignment_id}.ipynb` (for eksempel `ola.nordmann_{assignment_id}.ipynb`) med alle "
        "svarene dine. Last ned og send akkurat den fila. Sender du prøven uten å klargjøre den, kommer de "
        "klikkede svarene ikke med.\n"
    )


def _case_box(case: m.Case) -> str:
    label = f"{case.court}, {case.date}" if case.kind == "dom" else "konstruert eksempel"
    return f"> **Saken: {case.title}** ({label})\n>\n> {str(case.summary).strip()}\n\n"


def build_notebook(bank: Bank, assignment: m.Assignment) -> NotebookNode:
    """The nbgrader source notebook for one assignment (deterministic)."""
    qs = [bank.question(qid) for qid in assignment.questions]
    order = arrangement(bank, assignment)
    auto = sum(q.points for q in qs if q.type != "free_text")
    manual = sum(q.points for q in qs if q.type == "free_text")
    cells: list[NotebookNode] = []

    intro = (
        f"# {assignment.title}\n\n{str(assignment.intro).strip()}\n\n"
        f"**{len(qs)} spørsmål, {auto + manual} poeng:** {auto} poeng rettes automatisk"
        + (f", {manual} poeng vurderes av sensor." if manual else ".")
        + "\n\n" + how_to(assignment.id)
    )
    cells.append(_md("innledning", intro, locked=True))
    table: dict[int, tuple] = {}
    tasks: dict[int, str] = {}
    for n, q in enumerate(qs, start=1):
        if q.type == "free_text":
            tasks[n] = f"{q.id}-besvarelse"
        else:
            choices = _choices(bank, q, order)
            table[n] = (q.id, "".join(c.letter for c in choices), q.type == "multiple",
                        tuple(c.text for c in choices))
    helper = _code("hjelpefunksjon", helper_source(assignment.id, table, tasks), locked=True)
    helper.metadata["jupyter"] = {"source_hidden": True}
    cells.append(helper)

    shown_cases: set[str] = set()
    for n, q in enumerate(qs, start=1):
        head = f"### {'Oppgave' if q.type == 'free_text' else 'Spørsmål'} {n} ({q.points} poeng)\n\n"
        case_text = ""
        if q.case and q.case not in shown_cases and bank.case(q.case).kind == "dom":
            case_text = _case_box(bank.case(q.case))
            shown_cases.add(q.case)
        prompt = str(q.prompt).strip()

        if q.type == "free_text":
            rubric = "\n".join(f"- {str(r).strip()}" for r in q.rubric)
            text = (
                f"{head}{case_text}{prompt}\n\n"
                "*Skriv svaret ditt med egne ord i tekstcellen under. Oppgaven vurderes av sensor.*\n\n"
                "<!-- BEGIN MARK SCHEME -->\n"
                "**Vurderingskriterier (vises bare for sensor):**\n\n"
                f"{rubric}\n\n"
                f"**Kort fasit:** {str(q.explanation).strip()}\n"
                "<!-- END MARK SCHEME -->"
            )
            task = _md(f"{q.id}-oppgave", text, task=True, locked=True, points=q.points)
            task.metadata.update(_item_meta(q))
            cells.append(task)
            cells.append(nbformat.v4.new_markdown_cell("*Skriv svaret ditt her.*", id=f"{q.id}-besvarelse"))
            continue

        choices = _choices(bank, q, order)
        many = q.type == "multiple"
        if many:
            how = ("*Én eller flere kan være riktige: kryss av for alle du mener er riktige. Hvert riktig kryss gir "
                   "poeng, hvert galt kryss trekker like mye, men aldri under 0.*")
        elif q.type == "classification":
            how = "*Velg den kategorien som passer best.*"
        else:
            how = "*Velg ett alternativ.*"
        option_lines = "\n".join(f"- **{c.letter}** – {c.text}" for c in choices)
        cells.append(_md(f"{q.id}-sporsmal", f"{head}{case_text}{prompt}\n\n{option_lines}\n\n{how}", locked=True))

        var = f"svar_{n}"
        right = _answer_letters(bank, q, order)
        answer = (
            f"# Spørsmål {n}: klikk på svaret ditt under. Uten knapper: skriv "
            f"{'bokstavene' if many else 'bokstaven'} mellom anførselstegnene og kjør cellen.\n"
            f'{var} = ""\n'
            "### BEGIN SOLUTION\n"
            f'{var} = "{"".join(right)}"\n'
            "### END SOLUTION\n"
            + _guarded(f"answer_buttons({n})")
        )
        meta = _item_meta(q, choices)
        meta["mhkurs"].update(number=n, many=many)
        answer_cell = _code(f"{q.id}-svar", answer, solution=True)
        answer_cell.metadata.update(meta)
        cells.append(answer_cell)
        test = (
            f"# Viser om spørsmål {n} er besvart slik at svaret kan leses (ikke om det er riktig). "
            "Poengene settes når prøven rettes.\n"
            + _guarded(f"check_answer({n})") + "\n"
            "### BEGIN HIDDEN TESTS\n"
            + (f"partial_credit(graded_answer({n}), {''.join(right)!r}, {q.points})\n" if many else
               f"assert graded_answer({n}) == {right!r}\n")
            + "### END HIDDEN TESTS"
        )
        test_cell = _code(f"{q.id}-test", test, grade=True, locked=True, points=q.points)
        test_cell.metadata.update(meta)
        test_cell.metadata["tags"] = ["raises-exception"]  # «Run All» goes on past an unreadable answer
        cells.append(test_cell)


    docs = {d.id: d for d in bank.all("documents")}
    used = []
    for q in qs:
        for src in q.source:
            if src.file not in used:
                used.append(src.file)
    sources = "\n".join(f"- {docs[f].title} ({docs[f].publisher}, {docs[f].year})" for f in used)
    cells.append(_md("kilder", f"### Kilder\n\nSpørsmålene bygger på:\n\n{sources}", locked=True))
    cells.append(_md("for-innlevering", (
        "## Før du leverer\n\n"
        "Kjør cellen under (Shift+Enter) og klikk **Sjekk besvarelsen**: du ser hvor mange spørsmål du har "
        "svart på, og hvilke som mangler, men ikke hva som er riktig. Leverer du som fil, lagrer du først "
        "(Ctrl+S), skriver deltaker-ID-en din og klikker **Klargjør innlevering som fil**."), locked=True))
    cells.append(_code("innlevering", _guarded("hand_in_panel()"), locked=True))

    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        "title": str(assignment.title),
    }
    nbformat.validate(nb)
    return nb


def notebook_text(nb: NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def build_all(bank: Bank) -> dict[str, str]:
    """``{relative path under source/: notebook text}`` for every assignment."""
    out = {}
    for a in sorted(bank.all("assignments"), key=lambda a: a.number):
        out[f"{a.id}/{a.id}.ipynb"] = notebook_text(build_notebook(bank, a))
    return out


def check_sources(bank: Bank, source_dir: Path = SOURCE_DIR) -> list[str]:
    """Differences between the committed source notebooks and what the bank generates."""
    wanted = build_all(bank)
    problems = []
    for rel, text in wanted.items():
        path = source_dir / rel
        if not path.exists():
            problems.append(f"{path}: missing (run `mhkurs assessments`)")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: differs from what the question bank generates (run `mhkurs assessments`)")
    if source_dir.is_dir():
        for path in sorted(source_dir.glob("*/*.ipynb")):
            if path.relative_to(source_dir).as_posix() not in wanted:
                problems.append(f"{path}: not generated from any assignment in the bank (remove it)")
    return problems


def write_sources(bank: Bank, source_dir: Path = SOURCE_DIR) -> list[Path]:
    """Write every assignment's source notebook; return the paths written or changed."""
    changed = []
    for rel, text in build_all(bank).items():
        path = source_dir / rel
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed
