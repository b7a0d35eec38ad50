"""Module pages: a section heading directly above a case card says something the card's title does not
(«Sak: sveiserne på verftet» over «Konstruert sak: Sveiserne på verftet» said the same thing twice)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest

from mhkurs.bank.loader import REPO_ROOT, load_bank
from mhkurs.ui.common import case_title

MODULES = sorted((REPO_ROOT / "modules").glob("*.ipynb"))
# words that name the kind of card or the reader, not the case
GENERIC = {"sak", "konstruert", "case", "øvelse", "politiet", "arbeidstilsynet"}


bank = functools.lru_cache(maxsize=1)(load_bank)


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 3 and w not in GENERIC}


def headings_over_cases(path: Path) -> list[tuple[str, str]]:
    """(last heading of a Markdown cell, case id) for every case card in the code cell right after it."""
    out, heading = [], None
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            found = [line.lstrip("#").strip() for line in src.splitlines() if line.startswith("#")]
            heading = found[-1] if found else heading
            continue
        out += [(heading, case_id) for case_id in re.findall(r'show_case(?:_summary)?\("([^"]+)"', src) if heading]
        heading = None
    return out


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_section_heading_does_not_repeat_the_case_card(path):
    pairs = headings_over_cases(path)
    repeated = [(h, case_title(bank().case(c)), sorted(words(h) & words(case_title(bank().case(c)))))
                for h, c in pairs if words(h) & words(case_title(bank().case(c)))]
    assert not repeated, f"{path.name}: section heading says what the card below says: {repeated}"
    english = [h for h, _ in pairs if re.match(r"(?i)case\b", h)]
    assert not english, f"{path.name}: heading in English: {english}"


def test_the_check_finds_a_repetition():
    title = case_title(bank().case("verft-sveisere"))
    assert words("Sak: sveiserne på verftet") & words(title)
    assert not words("Øvelse: tilsyn hos en underleverandør") & words(title)


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_no_section_heading_repeats_the_module_title(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    module_id = re.search(r'show_module_header\("([^"]+)"', "".join("".join(c["source"]) for c in cells)).group(1)
    title = str(bank().module(module_id).title).lower()
    headings = [line.lstrip("#").strip().lower() for c in cells if c["cell_type"] == "markdown"
                for line in "".join(c["source"]).splitlines() if line.startswith("##")]
    assert title not in headings, f"{path.name}: a section heading repeats the module title «{title}»"
