"""The notebooks are thin, output-free and match the course manifest (nbval executes them)."""

from __future__ import annotations

import json
import re

from mhkurs.bank import get_bank
from mhkurs.bank.loader import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "modules").glob("*.ipynb")) + [REPO_ROOT / "course" / "index.ipynb"]


def test_manifest_and_modules_folder_agree():
    listed = {m.notebook for m in get_bank().all("modules")}
    on_disk = {str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "modules").glob("*.ipynb")}
    assert listed == on_disk


def test_notebooks_carry_no_outputs_and_stay_thin():
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            assert cell.get("id"), f"{path.name}: every cell has an id (nbformat 4.5)"
            if cell["cell_type"] != "code":
                continue
            assert not cell.get("outputs") and cell.get("execution_count") is None, path
            src = "".join(cell["source"])
            assert len(src.splitlines()) <= 3, f"{path.name}: code cells call the package, they hold no logic"
            assert re.match(r"^(from mhkurs\.ui import \*|show_\w+\()", src), f"{path.name}: {src!r}"


def test_notebooks_type_no_phone_numbers_or_paragraphs():
    """Course facts live in the bank: no phone numbers or statute sections typed in notebook prose."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        prose = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        assert not re.search(r"\b\d{2} \d{2} \d{2} \d{2}\b|\b(112|113|02800)\b|§", prose), path.name


def test_the_grey_zones_are_taught_in_a_module():
    """Vold i nære relasjoner and moderne slaveri are shown to learners, each with its border to trafficking."""
    calls = " ".join("".join(c["source"]) for path in NOTEBOOKS
                     for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code")
    for concept, border in (("vold-i-naere-relasjoner", "grense-vold-naere"), ("moderne-slaveri", "grense-moderne-slaveri")):
        assert re.search(rf'show_concept\([^)]*"{concept}"', calls), concept
        assert f'show_border("{border}")' in calls, border


def test_the_landing_page_does_not_repeat_the_site_header():
    """The template's site header names the course and its audience on every page; the landing page's own h1 and
    first line, right under it, say something else (welcome, what the learner will learn)."""
    template = (REPO_ROOT / "share/jupyter/voila/templates/mhkurs/index.html.j2").read_text(encoding="utf-8")
    header = re.search(r'<header class="mh-site-header">(.*?)</header>', template, re.S).group(1)
    said = {re.sub(r"[\s.]+", " ", x).strip().lower() for x in re.findall(r">([^<>{}]+)<", header) if x.strip()}
    nb = json.loads((REPO_ROOT / "course" / "index.ipynb").read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"]).splitlines()
    assert first[0].startswith("# ") and len(first) >= 2
    for line in (first[0][2:], *first[1:]):
        assert re.sub(r"[\s.]+", " ", line).strip().lower() not in said, line
