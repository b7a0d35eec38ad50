"""The feedback page a trainee gets after grading: one that teaches.

``nbgrader generate_feedback`` turns each *autograded* notebook into HTML. The course's
``nbgrader_config.py`` runs :class:`TeachingFeedback` after nbgrader's ``GetGrades`` and renders
the result with the template ``mhkurs-tilbakemelding`` (``share/nbgrader/templates``), which
prints only what this preprocessor built. Per question the page shows, in Norwegian:

* choice questions: what the trainee answered (clicked or typed, read as the hidden test read
  it: :func:`mhkurs.assess.answers.notebook_answers`), the right answer, every option with the
  bank's explanation of why it is right or wrong, the question's explanation, and the points;
* free-text tasks: the trainee's text, the instructor's comment and points, and what a good
  answer covers (the bank's explanation, without the rubric);
* the module and learning objective to review, linked when ``module_url`` is set.

No code, no hidden tests, no tracebacks, no scripts, no style sheets or fonts from another host:
the page is one self-contained HTML file that reads well at 390 px.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

from .answers import notebook_answers

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "mhkurs-tilbakemelding"


class TeachingFeedbackExporter(HTMLExporter):
    """nbgrader's feedback exporter with the course's template (configured in nbgrader_config.py)."""


@dataclass
class Entry:
    number: int
    kind: str  # "choice" | "free_text"
    title: str
    prompt: str
    score: float | None
    points: float
    given: str = ""  # what the trainee answered, as shown
    right: str = ""
    correct: bool = False
    options: list[tuple[str, str, str, bool, bool]] = field(default_factory=list)  # letter, text, why, right, chosen
    explanation: str = ""
    comment: str = ""
    module: str = ""
    module_href: str = ""
    objective: str = ""


def _fmt(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:g}".replace(".", ",")


def _list_nb(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


class TeachingFeedback(Preprocessor):
    """Build the teaching feedback page from a graded notebook (after ``GetGrades``)."""

    enabled = Bool(True).tag(config=True)
    module_url = Unicode(
        "/hub/user-redirect/voila/render/{notebook}",
        help="Address of a module page, with {notebook} (e.g. modules/03-arbeidsliv.ipynb); empty: no link.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        from ..bank.loader import get_bank

        bank = get_bank()
        folder = Path((resources.get("metadata") or {}).get("path") or ".")
        assignment = (resources.get("nbgrader") or {}).get("assignment") or ""
        answered = {a.item: a for a in notebook_answers(nb, folder, assignment)}
        modules = {o.id: (mod, o) for mod in bank.all("modules") for o in mod.objectives}
        entries: list[Entry] = []
        number = 0
        for i, cell in enumerate(nb.cells):
            grade = cell.get("metadata", {}).get("nbgrader", {})
            meta = cell.get("metadata", {}).get("mhkurs", {})
            is_test = grade.get("grade") and not grade.get("solution") and cell.cell_type == "code"
            is_task = grade.get("task")
            if not (meta.get("item") and (is_test or is_task)):
                continue
            number += 1
            try:
                q = bank.question(meta["item"])
            except Exception:  # noqa: BLE001 - an item no longer in the bank: points only
                q = None
            e = Entry(number=int(meta.get("number", number)), kind="free_text" if is_task else "choice",
                      title=f"{'Oppgave' if is_task else 'Spørsmål'} {meta.get('number', number)}",
                      prompt=str(q.prompt).strip() if q else "", score=grade.get("score"),
                      points=float(grade.get("points") or 0), explanation=str(q.explanation).strip() if q else "",
                      comment=str(grade.get("comment") or "").strip())
            objective = meta.get("objective") or (q.objective if q else "")
            if objective in modules:
                mod, obj = modules[objective]
                e.module = f"Modul {mod.number}: {mod.title}"
                e.objective = str(obj.text).strip().rstrip(".")
                if self.module_url:
                    e.module_href = self.module_url.format(notebook=mod.notebook)
            if is_task:
                e.given = _free_text_after(nb, i)
            else:
                shown = meta.get("options") or {}
                a = answered.get(meta["item"])
                right = [letter for letter, ref in shown.items() if q is not None and ref in q.answer]
                chosen = (a.letters or []) if a else []
                if a is None or (not a.letters and not a.problem):
                    e.given = "Ikke besvart."
                elif a.problem:
                    e.given = f"Svaret kunne ikke leses: {a.problem}"
                else:
                    e.given = _list_nb(chosen)
                e.right = _list_nb(right) if right else ""
                e.correct = e.score is not None and e.score >= e.points > 0
                texts, whys = _option_texts(bank, q)
                e.options = [(letter, texts.get(ref, ""), whys.get(ref, ""), letter in right, letter in chosen)
                             for letter, ref in shown.items()]
            entries.append(e)
        info = resources.get("nbgrader") or {}
        resources["mhkurs_feedback"] = render_page(
            title=str(nb.metadata.get("title") or assignment), entries=entries,
            score=info.get("score"), max_score=info.get("max_score"))
        return nb, resources


def _option_texts(bank, q) -> tuple[dict[str, str], dict[str, str]]:
    if q is None:
        return {}, {}
    if q.type == "classification":
        return {c.id: str(c.label) for c in bank.all("classes")}, {}
    return ({o.id: str(o.text) for o in q.options},
            {o.id: str(o.why).strip() for o in q.options if o.why})


def _free_text_after(nb, index: int) -> str:
    """The trainee's text: the cells after a task cell, up to the next graded or locked cell."""
    parts = []
    for cell in nb.cells[index + 1:]:
        grade = cell.get("metadata", {}).get("nbgrader", {})
        if grade.get("grade") or grade.get("locked") or grade.get("task") or grade.get("solution"):
            break
        text = cell.source.strip()
        if text and text != "*Skriv svaret ditt her.*":
            parts.append(text)
    return "\n\n".join(parts)


CSS = """
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;
 color:#1b1f24;background:#f4f6f8}
main{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 .25rem}
h2{font-size:1.15rem;margin:0 0 .5rem;display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
.total{font-size:1.1rem;margin:.25rem 0 1rem}
.lead{color:#3d4752}
section{background:#fff;border:1px solid #d5dbe1;border-left:6px solid #8a96a3;border-radius:6px;
 padding:1rem;margin:1rem 0}
section.riktig{border-left-color:#1e7d45}
section.feil{border-left-color:#b3261e}
.poeng{font-weight:600;white-space:nowrap}
.merke{font-size:.9rem;font-weight:600;padding:.1rem .5rem;border-radius:999px;background:#eef1f4}
.riktig .merke{background:#e3f3e8;color:#14532d}
.feil .merke{background:#fbe6e4;color:#7f1d1d}
.sporsmal{margin:.25rem 0 .75rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:.5rem 0}
dt{font-weight:600}
dd{margin:0}
ul.alternativer{list-style:none;padding:0;margin:.75rem 0}
ul.alternativer li{border:1px solid #e1e6eb;border-radius:4px;padding:.5rem .75rem;margin:.4rem 0}
ul.alternativer li.fasit{border-color:#1e7d45;background:#f2faf5}
ul.alternativer li.feilvalg{border-color:#b3261e;background:#fdf3f2}
.hvorfor{display:block;color:#3d4752;font-size:.95rem;margin-top:.2rem}
.etikett{font-size:.85rem;font-weight:600;margin-left:.35rem}
.forklaring,.kommentar,.svartekst{background:#f7f9fa;border-radius:4px;padding:.6rem .75rem;margin:.25rem 0 .75rem;
 white-space:pre-wrap}
.etikettlinje{margin:.75rem 0 0}
.repeter{margin:.75rem 0 0;font-size:.95rem}
a{color:#0b5cad}
@media (max-width:30rem){main{padding:.75rem .6rem 2rem}section{padding:.8rem .7rem}
}
"""


def render_page(*, title: str, entries: list[Entry], score, max_score) -> str:
    """The whole feedback page (self-contained HTML)."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="nb">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Tilbakemelding: {e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>",
           f"<h1>Tilbakemelding: {e(title)}</h1>"]
    if score is not None and max_score:
        out.append(f'<p class="total"><strong>Poeng: {_fmt(float(score))} av {_fmt(float(max_score))}</strong></p>')
    out.append('<p class="lead">Her ser du hva du svarte, hva som var riktig og hvorfor. Under hvert spørsmål står '
               "modulen du kan repetere.</p>")
    for en in entries:
        full = en.score is not None and en.points > 0 and en.score >= en.points
        none = en.score is not None and en.score <= 0
        if en.kind == "choice":
            cls, badge = ("riktig", "Riktig") if full else ("feil", "Ikke riktig")
        elif en.score is None:
            cls, badge = "", "Ikke vurdert ennå"
        else:
            cls, badge = ("riktig" if full else "feil" if none else ""), "Vurdert av sensor"
        out.append(f'<section class="{cls}" aria-labelledby="q{en.number}">')
        out.append(f'<h2 id="q{en.number}"><span>{e(en.title)}</span> <span class="merke">{badge}</span> '
                   f'<span class="poeng">{_fmt(en.score)} av {_fmt(en.points)} poeng</span></h2>')
        if en.prompt:
            out.append(f'<p class="sporsmal">{e(en.prompt)}</p>')
        if en.kind == "choice":
            out.append("<dl>")
            out.append(f"<dt>Ditt svar</dt><dd>{e(en.given)}</dd>")
            if en.right:
                out.append(f"<dt>Riktig svar</dt><dd>{e(en.right)}</dd>")
            out.append("</dl>")
            if en.options:
                out.append('<ul class="alternativer">')
                for letter, text, why, right, chosen in en.options:
                    marks = []
                    if right:
                        marks.append("riktig")
                    if chosen:
                        marks.append("ditt valg")
                    label = f'<span class="etikett">({", ".join(marks)})</span>' if marks else ""
                    why_html = f'<span class="hvorfor">{e(why)}</span>' if why else ""
                    out.append(f'<li class="{"fasit" if right else "feilvalg" if chosen else ""}"><strong>{e(letter)}</strong> – {e(text)}'
                               f"{label}{why_html}</li>")
                out.append("</ul>")
            if en.explanation:
                out.append(f'<p class="etikettlinje"><strong>Forklaring:</strong></p><p class="forklaring">{e(en.explanation)}</p>')
        else:
            out.append('<p class="etikettlinje"><strong>Ditt svar:</strong></p>')
            out.append(f'<p class="svartekst">{e(en.given) if en.given else "Ikke besvart."}</p>')
            if en.comment:
                out.append(f'<p class="etikettlinje"><strong>Kommentar fra sensor:</strong></p><p class="kommentar">{e(en.comment)}</p>')
            if en.explanation:
                out.append(f'<p class="etikettlinje"><strong>Et godt svar får med seg:</strong></p><p class="forklaring">{e(en.explanation)}</p>')
        if en.module:
            name = e(en.module)
            link = f'<a href="{e(en.module_href)}">{name}</a>' if en.module_href else name
            goal = f" – læringsmålet «{e(en.objective)}»" if en.objective else ""
            out.append(f'<p class="repeter">Repeter: {link}{goal}.</p>')
        out.append("</section>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)
