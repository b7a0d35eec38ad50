"""Item analysis of an autograded assignment: what the class did not understand.

Reads the gradebook (scores, manual grades) and the autograded notebooks (what
each learner answered) and writes, in Norwegian, an HTML report with embedded
plots (no CDN) and a CSV with one row per question:

* per question: bank item id, module objective, share correct (difficulty),
  discrimination as the point-biserial correlation of the item with the rest
  of the automatic part and as upper-minus-lower 27 % (D), and for choice
  questions how many chose each option, overall and in the upper and lower
  27 %, so a distractor nobody picks or a key strong learners reject stands out;
* per objective: the class mean;
* the free-text tasks with their manual grades.

Which item and objective a cell belongs to comes from the ``mhkurs`` cell
metadata of the instructor's source notebook (contract 4); without it, from
the cell id and the question bank. Only submissions with an autograded
notebook count: a missing one is not a score of zero.
"""

from __future__ import annotations

import re
import base64
import csv
import html
import io
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..assess.answers import answer_in_cell, read_answer as _read, submission_answers
from ..assess.build import _choices
from ..bank import Bank
from ..bank.loader import get_bank

MIN_ANSWERS = 5  # fewer readable answers than this: too few to judge a question
GROUP_SHARE = 0.27  # upper and lower group: 27 % of the class each


class NothingToReport(Exception):
    pass


@dataclass
class Option:
    letter: str
    option_id: str
    text: str
    key: bool
    count: int = 0
    upper: int = 0
    lower: int = 0


@dataclass
class Item:
    number: int
    qid: str
    kind: str  # choice | free_text
    objective: str
    objective_text: str
    points: float
    grade_id: str
    scores: dict[str, float] = field(default_factory=dict)  # student -> points (graded only)
    answers: dict[str, list[str] | None] = field(default_factory=dict)  # letters; None: unreadable/code
    options: list[Option] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # free text not graded yet
    p: float | None = None
    rpb: float | None = None
    d: float | None = None
    answered: int = 0
    blank: int = 0
    unreadable: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def too_few(self) -> bool:
        return self.answered < MIN_ANSWERS


@dataclass
class Analysis:
    assignment: str
    title: str
    students: list[str]
    items: list[Item]
    totals: dict[str, float]  # automatic part
    max_auto: float
    objectives: list[tuple[str, str, float | None, int]]  # id, text, class mean share, items
    not_autograded: list[str]


# --- statistics (plain functions, tested without a kernel) ------------------------------------


def point_biserial(item: list[float], rest: list[float]) -> float | None:
    """Pearson correlation of an item's scores with the rest of the test; None when undefined."""
    if len(item) < 2 or len(set(item)) < 2 or len(set(rest)) < 2:
        return None
    return statistics.correlation(item, rest)


def groups(totals: dict[str, float], share: float = GROUP_SHARE) -> tuple[list[str], list[str]]:
    """(upper, lower): the best and weakest ``share`` of the class by total (ties: by id)."""
    order = sorted(totals, key=lambda s: (-totals[s], s))
    k = max(1, math.ceil(len(order) * share)) if len(order) >= 2 else 0
    return order[:k], order[len(order) - k:] if k else []


def letters_of(value) -> list[str]:
    """How the hidden test reads a typed value (``mhkurs.assess.answers.read_answer``); [] if unreadable."""
    return _read(value, "ABCDEFGH", True)[0] or []


def read_answer(source: str) -> list[str] | None:
    """Letters typed in an answer cell; [] for blank; None when it cannot be read."""
    match = re.search(r"^\s*(svar_\d+)\s*=", source, re.M)
    if not match:
        return []
    return _read(answer_in_cell(source, match.group(1)), "ABCDEFGH", True)[0]


# --- reading the course -----------------------------------------------------------------------


def _item_cells(nb) -> list[tuple[int, dict]]:
    def graded(c) -> bool:
        meta = c.get("metadata", {}).get("nbgrader", {})
        return bool(meta.get("grade") or meta.get("task"))

    return [(i, c) for i, c in enumerate(nb.cells) if graded(c)]


def _objectives(bank: Bank) -> dict[str, str]:
    out = {}
    for m in bank.all("modules"):
        for o in getattr(m, "objectives", []) or []:
            out[o.id] = str(o.text)
    return out


def analyse(course: str | Path, assignment: str, bank: Bank | None = None) -> Analysis:
    from nbgrader.api import Gradebook, MissingEntry

    bank = bank or get_bank()
    root = Path(course)
    sources = sorted((root / "source" / assignment).glob("*.ipynb"))
    if not sources:
        raise NothingToReport(f"Fant ikke oppgaven {assignment} i {root / 'source'}.")
    submitted = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{assignment}") if p.is_dir())
    students = [s for s in submitted if all((root / "autograded" / s / assignment / p.name).exists() for p in sources)]
    if not students:
        raise NothingToReport(
            f"Ingen autorettede besvarelser av {assignment} ennå i {root}. Samle inn besvarelsene og kjør "
            f"`mhkurs autograde {assignment}` først; deretter `mhkurs report {assignment}`.")
    objectives = _objectives(bank)
    try:
        title = str(bank.assignment(assignment).title)
    except Exception:  # noqa: BLE001 - an assignment no longer in the bank still has a report
        title = assignment

    items: list[Item] = []
    for src in sources:
        nb = nbformat.read(str(src), as_version=4)
        # What each learner answered (clicked, else typed), read as the hidden tests read it.
        graded_answers = {s: {a.item: a.letters for a in submission_answers(root / "autograded" / s / assignment / src.name)}
                          for s in students}
        for idx, cell in _item_cells(nb):
            meta = cell.metadata.get("mhkurs", {})
            gid = cell.metadata["nbgrader"]["grade_id"]
            task = cell.metadata["nbgrader"].get("task") or cell.cell_type == "markdown"
            qid = meta.get("item") or gid.rsplit("-", 1)[0]
            try:
                q = bank.question(qid)
            except Exception:  # noqa: BLE001
                q = None
            obj = meta.get("objective") or (getattr(q, "objective", None) if q is not None else None) or "–"
            item = Item(len(items) + 1, qid, "free_text" if task else "choice", obj, objectives.get(obj, ""),
                        float(cell.metadata["nbgrader"].get("points", 0)), gid)
            if not task:
                answer_idx = max(j for j in range(idx) if nb.cells[j].get("metadata", {}).get("nbgrader", {}).get("solution"))
                answer_id = nb.cells[answer_idx].metadata["nbgrader"]["grade_id"]
                key = read_answer(nb.cells[answer_idx].source.split("### BEGIN SOLUTION")[-1].split("### END SOLUTION")[0]) or []
                letter_map = meta.get("options")  # letter shown -> bank option id (contract 4)
                text_of: dict[str, str] = {}
                if q is not None:
                    text_of = ({c.id: str(c.label) for c in bank.all("classes")} if q.type == "classification"
                               else {o.id: str(o.text) for o in q.options})
                    if not letter_map:  # an older notebook without the metadata: the bank's order
                        letter_map = {c.letter: getattr(c, "ref", c.letter) for c in _choices(bank, q)}
                letter_map = letter_map or {}
                item.options = [Option(letter, str(oid), text_of.get(str(oid), ""), letter in key)
                                for letter, oid in letter_map.items()]
                for s in students:
                    given = graded_answers[s].get(qid)
                    if given is not None and any(g not in letter_map for g in given):
                        given = None
                    item.answers[s] = given
            items.append(item)

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for s in students:
            try:
                sub = gb.find_submission(assignment, s)
            except MissingEntry:
                continue
            grades = {g.name: g for nb_ in sub.notebooks for g in nb_.grades}
            for item in items:
                g = grades.get(item.grade_id)
                if g is None:
                    continue
                if item.kind == "free_text":
                    if g.manual_score is None:
                        item.waiting.append(s)
                    else:
                        item.scores[s] = float(g.manual_score)
                else:
                    item.scores[s] = float(g.score)

    auto = [i for i in items if i.kind == "choice"]
    totals = {s: sum(i.scores.get(s, 0.0) for i in auto) for s in students}
    upper, lower = groups(totals)
    for item in items:
        _stats(item, totals, upper, lower, item.kind == "choice")

    obj_rows = []
    for oid in dict.fromkeys(i.objective for i in items):
        its = [i for i in items if i.objective == oid]
        earned = sum(sum(i.scores.values()) for i in its)
        possible = sum(i.points * len(i.scores) for i in its)
        obj_rows.append((oid, objectives.get(oid, ""), earned / possible if possible else None, len(its)))
    obj_rows.sort(key=lambda r: (r[2] is None, r[2] if r[2] is not None else 0, r[0]))
    return Analysis(assignment, title, students, items, totals, sum(i.points for i in auto), obj_rows,
                    [s for s in submitted if s not in students])


def _stats(item: Item, totals: dict[str, float], upper: list[str], lower: list[str], choice: bool) -> None:
    graded = sorted(item.scores)
    if choice:
        item.blank = sum(1 for a in item.answers.values() if a == [])
        item.unreadable = sum(1 for a in item.answers.values() if a is None)
        item.answered = sum(1 for a in item.answers.values() if a)
        for o in item.options:
            o.count = sum(1 for a in item.answers.values() if a and o.letter in a)
            o.upper = sum(1 for s in upper if item.answers.get(s) and o.letter in item.answers[s])
            o.lower = sum(1 for s in lower if item.answers.get(s) and o.letter in item.answers[s])
    else:
        item.answered = len(graded)
    if not graded or not item.points:
        item.notes.append("Ingen vurderte svar ennå." if not choice else "Ingen poeng å analysere.")
        return
    shares = [item.scores[s] / item.points for s in graded]
    item.p = sum(shares) / len(shares)
    if item.too_few:
        item.notes.append(f"For få svar til å vurdere spørsmålet (færre enn {MIN_ANSWERS}).")
        return
    rest = [totals[s] - (item.scores[s] if choice else 0.0) for s in graded]
    item.rpb = point_biserial(shares, rest)
    up = [item.scores[s] / item.points for s in upper if s in item.scores]
    lo = [item.scores[s] / item.points for s in lower if s in item.scores]
    if up and lo:
        item.d = sum(up) / len(up) - sum(lo) / len(lo)
    if item.p < 0.3:
        item.notes.append("Svært vanskelig: under 30 % riktig.")
    elif item.p > 0.9:
        item.notes.append("Svært lett: over 90 % riktig.")
    if item.rpb is not None and item.rpb < 0:
        item.notes.append("Negativ diskriminering: de svake svarer oftere riktig enn de sterke. Sjekk fasit og formulering.")
    elif item.rpb is not None and item.rpb < 0.2:
        item.notes.append("Svak diskriminering: skiller lite mellom sterke og svake.")
    for o in item.options:
        if not o.key and o.count == 0:
            item.notes.append(f"Distraktor {o.letter} ble ikke valgt av noen.")
        if o.key and upper and lower and o.upper / len(upper) < o.lower / len(lower):
            item.notes.append(f"Nøkkelen {o.letter} velges sjeldnere av de sterkeste enn av de svakeste.")


# --- output -----------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)} %"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}".replace(".", ",")


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _plots(an: Analysis) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    items = [i for i in an.items if i.p is not None]
    if items:
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(items) + 1.2))
        labels = [f"{i.number}. {i.qid}" for i in items][::-1]
        vals = [100 * i.p for i in items][::-1]
        colors = ["#b0b0b0" if i.too_few else ("#c0392b" if (i.rpb is not None and i.rpb < 0.2) else "#2e6da4")
                  for i in items][::-1]
        ax.barh(labels, vals, color=colors)
        ax.set_xlim(0, 100)
        ax.set_xlabel("Andel riktig (%)")
        ax.set_title("Vanskegrad per spørsmål (rødt: svak eller negativ diskriminering, grått: for få svar)")
        out.append(("Vanskegrad per spørsmål", _png(fig)))
        plt.close(fig)
    objs = [o for o in an.objectives if o[2] is not None]
    if objs:
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(objs) + 1.2))
        ax.barh([o[0] for o in objs][::-1], [100 * o[2] for o in objs][::-1], color="#5b8c3a")
        ax.set_xlim(0, 100)
        ax.set_xlabel("Klassens gjennomsnitt (%)")
        ax.set_title("Læringsmål: klassens gjennomsnitt")
        out.append(("Læringsmål", _png(fig)))
        plt.close(fig)
    if an.totals:
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.hist(list(an.totals.values()), bins=min(20, max(5, int(an.max_auto) + 1)), range=(0, max(an.max_auto, 1)),
                color="#7a5ea8")
        ax.set_xlabel(f"Poeng på den automatisk rettede delen (av {an.max_auto:g})")
        ax.set_ylabel("Antall deltakere")
        ax.set_title("Fordeling av poeng")
        out.append(("Fordeling av poeng", _png(fig)))
        plt.close(fig)
    return out


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2rem auto;
padding:0 1rem;color:#1d1d1d;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#f0f3f7}
td.num{text-align:right;white-space:nowrap}
.key{font-weight:bold}
.note{color:#8a3b00}
.few{color:#666;font-style:italic}
section.item{border-top:2px solid #dde3ea;padding-top:.5rem;margin-top:1rem}
img{max-width:100%}
.lead{font-size:1.05rem}
"""


def render_html(an: Analysis) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='nb'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>Itemanalyse – {e(an.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>Itemanalyse: {e(an.title)}</h1>",
             f"<p class='lead'>{len(an.students)} autorettede besvarelser av <code>{e(an.assignment)}</code>."
             + (f" Uten autorettet versjon (ikke tatt med): {e(', '.join(an.not_autograded))}." if an.not_autograded else "")
             + "</p>",
             "<p><b>Slik leser du tallene.</b> <i>Andel riktig</i> er vanskegraden: andelen av klassen som fikk "
             "full uttelling. <i>Diskriminering</i> er korrelasjonen (punkt-biserial) mellom spørsmålet og resten "
             "av den automatisk rettede delen: over 0,3 skiller spørsmålet godt mellom sterke og svake, under 0,2 "
             "lite, og under 0 bør fasit og formulering sjekkes. <i>D</i> er andel riktig blant de beste "
             f"{round(GROUP_SHARE * 100)} % av klassen minus andel riktig blant de svakeste {round(GROUP_SHARE * 100)} %. Spørsmål med færre enn "
             f"{MIN_ANSWERS} svar får ingen diskriminering: de er besvart av for få til å vurderes.</p>"]
    parts.append("<h2>Læringsmål</h2><table><tr><th>Læringsmål</th><th>Beskrivelse</th><th>Spørsmål</th>"
                 "<th>Klassens gjennomsnitt</th></tr>")
    for oid, text, mean, n in an.objectives:
        parts.append(f"<tr><td>{e(oid)}</td><td>{e(text)}</td><td class='num'>{n}</td><td class='num'>{_pct(mean)}</td></tr>")
    parts.append("</table>")
    for title, uri in _plots(an):
        parts.append(f"<figure><img src='{uri}' alt='{e(title)}'><figcaption>{e(title)}</figcaption></figure>")
    parts.append("<h2>Oversikt over spørsmålene</h2><table><tr><th>Nr.</th><th>Spørsmål (bank-id)</th>"
                 "<th>Læringsmål</th><th>Poeng</th><th>Svar</th><th>Andel riktig</th><th>Diskriminering</th>"
                 "<th>D</th><th>Merknader</th></tr>")
    for i in an.items:
        cls = " class='few'" if i.too_few else ""
        parts.append(
            f"<tr{cls}><td class='num'>{i.number}</td><td><a href='#q{i.number}'>{e(i.qid)}</a>"
            + (" (fritekst)" if i.kind == "free_text" else "") + f"</td><td>{e(i.objective)}</td>"
            f"<td class='num'>{i.points:g}</td><td class='num'>{i.answered}</td><td class='num'>{_pct(i.p)}</td>"
            f"<td class='num'>{_num(i.rpb)}</td><td class='num'>{_num(i.d)}</td>"
            f"<td class='note'>{'<br>'.join(e(n) for n in i.notes)}</td></tr>")
    parts.append("</table><h2>Spørsmål for spørsmål</h2>")
    for i in an.items:
        parts.append(f"<section class='item' id='q{i.number}'><h3>{i.number}. {e(i.qid)}</h3>"
                     f"<p>Læringsmål: <b>{e(i.objective)}</b> {e(i.objective_text)}</p>")
        if i.kind == "choice":
            parts.append(f"<p>Andel riktig: {_pct(i.p)} · diskriminering: {_num(i.rpb)} · D: {_num(i.d)} · "
                         f"ikke besvart: {i.blank} · kunne ikke leses: {i.unreadable}</p>"
                         "<table><tr><th>Alternativ</th><th>Tekst</th><th>Valgt av</th>"
                         f"<th>Valgt av de beste {round(GROUP_SHARE * 100)} %</th>"
                         f"<th>Valgt av de svakeste {round(GROUP_SHARE * 100)} %</th></tr>")
            for o in i.options:
                mark = " ✔ (riktig)" if o.key else ""
                parts.append(f"<tr><td class='{'key' if o.key else ''}'>{e(o.letter)}{mark}</td><td>{e(o.text)}</td>"
                             f"<td class='num'>{o.count}</td><td class='num'>{o.upper}</td><td class='num'>{o.lower}</td></tr>")
            parts.append("</table>")
        else:
            parts.append(f"<p>Fritekst, vurdert av sensor: {len(i.scores)} vurdert, {len(i.waiting)} venter på "
                         f"vurdering. Gjennomsnitt: {_num(sum(i.scores.values()) / len(i.scores)) if i.scores else '–'} "
                         f"av {i.points:g} poeng.</p><details><summary>Poeng per deltaker</summary><table>"
                         "<tr><th>Deltaker</th><th>Poeng</th></tr>")
            for s in sorted(i.scores):
                parts.append(f"<tr><td>{e(s)}</td><td class='num'>{i.scores[s]:g}</td></tr>")
            for s in i.waiting:
                parts.append(f"<tr><td>{e(s)}</td><td>ikke vurdert ennå</td></tr>")
            parts.append("</table></details>")
        if i.notes:
            parts.append("<ul class='note'>" + "".join(f"<li>{e(n)}</li>" for n in i.notes) + "</ul>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


CSV_FIELDS = ["nr", "spørsmål", "type", "læringsmål", "poeng", "svar", "ikke_besvart", "kunne_ikke_leses",
              "andel_riktig", "punkt_biserial", "D", "alternativer", "for_få_svar", "merknader"]


def write_csv(an: Analysis, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_FIELDS)
        for i in an.items:
            opts = "; ".join(f"{o.letter}{'*' if o.key else ''}={o.count}" for o in i.options)
            w.writerow([i.number, i.qid, "fritekst" if i.kind == "free_text" else "valg", i.objective, f"{i.points:g}",
                        i.answered, i.blank, i.unreadable,
                        "" if i.p is None else f"{i.p:.4f}", "" if i.rpb is None else f"{i.rpb:.4f}",
                        "" if i.d is None else f"{i.d:.4f}", opts, "ja" if i.too_few else "nei", " | ".join(i.notes)])


def write_report(course: Path, assignment: str, out: Path | None = None) -> tuple[Path, Path]:
    an = analyse(course, assignment)
    out = out or Path(course) / "reports"
    out.mkdir(parents=True, exist_ok=True)
    html_path, csv_path = out / f"{assignment}-rapport.html", out / f"{assignment}-rapport.csv"
    html_path.write_text(render_html(an), encoding="utf-8")
    write_csv(an, csv_path)
    return html_path, csv_path
