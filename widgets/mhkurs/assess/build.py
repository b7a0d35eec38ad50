"""Generate nbgrader source notebooks from the bank's assignments.

One notebook per assignment, ``assessments/source/<id>/<id>.ipynb``:

* a read-only introduction (title, intro, points, how to answer);
* a read-only helper cell defining ``sjekk``: it tells the learner whether an
  answer is *well-formed* (letters among the options), never whether it is right;
* per choice or classification question: a read-only question cell, an answer
  cell ``svar_N = ""`` (solution region holds the bank's answer) and a locked
  test cell worth the question's points whose visible part calls ``sjekk`` and
  whose hidden part grades;
* per free-text question: a manually graded *task* cell with the prompt and a
  mark scheme (the bank's rubric, stripped from the release, shown to the
  instructor in formgrader) followed by a plain cell for the learner's text;
* a read-only list of sources.

Options are shuffled and their letters re-assigned per assignment (``arrangement``), so the
right answer's position is balanced; every graded, solution and task cell carries
``metadata["mhkurs"]`` = {item, objective, options: {letter shown: bank option id}} for item
statistics (contract 4).

The output is deterministic (fixed cell ids, no outputs), so a test can tell
when a committed source notebook no longer matches the bank.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from ..bank import Bank
from ..bank import models as m
from ..bank.loader import REPO_ROOT
from ..logic.quiz import LETTERS, arrange

SOURCE_DIR = REPO_ROOT / "assessments" / "source"

ASSIGNMENT_LETTERS_EXPR = (
    'sorted(set(({v} if isinstance({v}, str) else "".join(map(str, {v})) '
    'if isinstance({v}, (list, tuple, set)) else str({v})).upper()) - set(" ,;/"))'
)
"""How an answer is read, as a Python expression over the variable ``{v}``.

The same expression is used by the learner's format check and by the hidden
tests, so the check and the grading never disagree about what was answered:
the letters of a string (or of a list of strings), upper-cased, with spaces,
commas, semicolons and slashes ignored.
"""

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

HELPER = '''\
# Hjelpefunksjon for prøven. Kjør denne cellen først (Shift+Enter). Du skal ikke endre den.
# Den sjekker bare at svaret ditt er skrevet slik at det kan leses, ikke om det er riktig.


def bokstaver(svar):
    return {expr}


def sjekk(svar, alternativer, flere):
    valgt = bokstaver(svar)
    ukjente = [b for b in valgt if b not in alternativer]
    if not valgt:
        print("✘ Ikke besvart ennå: skriv bokstaven mellom anførselstegnene, for eksempel \\"B\\", "
              "og kjør cellen på nytt.")
    elif ukjente:
        print("✘ Svaret kan ikke leses: " + ", ".join(ukjente) + " er ikke blant alternativene "
              + ", ".join(alternativer) + ".")
    elif len(valgt) > 1 and not flere:
        print("✘ Velg bare én bokstav. Du skrev: " + ", ".join(valgt) + ".")
    else:
        print("✔ Svaret kan leses: " + ", ".join(valgt)
              + ". (Her sjekkes bare at svaret kan leses, ikke om det er riktig.)")
        return True
    return False
'''


def helper_source() -> str:
    return HELPER.format(expr=ASSIGNMENT_LETTERS_EXPR.format(v="svar"))


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


HOW_TO = (
    "## Slik svarer du\n\n"
    "1. Kjør cellen med hjelpefunksjonen først: klikk i den og trykk **Shift+Enter**.\n"
    "2. For hvert spørsmål skriver du bokstaven mellom anførselstegnene i svarcellen, "
    "for eksempel `svar_1 = \"B\"`. Der flere svar kan være riktige, skriver du alle "
    "bokstavene, for eksempel `\"AC\"`.\n"
    "3. Kjør svarcellen og cellen under den. Du får straks beskjed: ✔ betyr at svaret kan leses; "
    "✘ sier hva du må rette, og cellen stopper med en kort feilmelding. Du får ikke vite her om "
    "svaret er riktig. Knappen «Validate» sjekker alle svarene på én gang.\n"
    "4. Oppgaver med fritekst besvarer du i tekstcellen under oppgaven: dobbeltklikk, skriv, og "
    "trykk Shift+Enter.\n"
    "5. Endre ikke de andre cellene. Lagre (Ctrl+S) og lever prøven når du er ferdig.\n"
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
        + "\n\n" + HOW_TO
    )
    cells.append(_md("innledning", intro, locked=True))
    cells.append(_code("hjelpefunksjon", helper_source(), locked=True))

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
        letters = "".join(c.letter for c in choices)
        many = q.type == "multiple"
        if many:
            how = "*Én eller flere kan være riktige: skriv alle bokstavene du mener er riktige.*"
        elif q.type == "classification":
            how = "*Velg den kategorien som passer best, og skriv én bokstav.*"
        else:
            how = "*Skriv én bokstav.*"
        option_lines = "\n".join(f"- **{c.letter}** – {c.text}" for c in choices)
        cells.append(_md(f"{q.id}-sporsmal", f"{head}{case_text}{prompt}\n\n{option_lines}\n\n{how}", locked=True))

        var = f"svar_{n}"
        right = _answer_letters(bank, q, order)
        answer = (
            f"# Svar på spørsmål {n}: skriv {'bokstavene' if many else 'bokstaven'} mellom "
            f"anførselstegnene og kjør cellen.\n"
            f'{var} = ""\n'
            "### BEGIN SOLUTION\n"
            f'{var} = "{"".join(right)}"\n'
            "### END SOLUTION"
        )
        answer_cell = _code(f"{q.id}-svar", answer, solution=True)
        answer_cell.metadata.update(_item_meta(q, choices))
        cells.append(answer_cell)
        test = (
            f"# Sjekker at svaret på spørsmål {n} kan leses. Poengene settes når prøven rettes.\n"
            f'assert sjekk({var}, "{letters}", flere={many}), "Svaret kan ikke leses ennå – se meldingen over."\n'
            "### BEGIN HIDDEN TESTS\n"
            f"assert {ASSIGNMENT_LETTERS_EXPR.format(v=var)} == {right!r}\n"
            "### END HIDDEN TESTS"
        )
        test_cell = _code(f"{q.id}-test", test, grade=True, locked=True, points=q.points)
        test_cell.metadata.update(_item_meta(q, choices))
        cells.append(test_cell)

    docs = {d.id: d for d in bank.all("documents")}
    used = []
    for q in qs:
        for src in q.source:
            if src.file not in used:
                used.append(src.file)
    sources = "\n".join(f"- {docs[f].title} ({docs[f].publisher}, {docs[f].year})" for f in used)
    cells.append(_md("kilder", f"### Kilder\n\nSpørsmålene bygger på:\n\n{sources}", locked=True))

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
