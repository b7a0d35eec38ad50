"""JupyterLab on the class hub speaks bokmål, and the instructions name what the screen shows.

The hub's learner and instructor servers default to the course's own bokmål language pack (locale ``nb_NO``,
``widgets/mhkurs_lab_nb``, set in hub/jupyter/*/labconfig): PyPI's Norwegian pack translates none of the
menus. Wherever the assignments, the hub's home page or the instructor's guide name a JupyterLab menu path
(in English, for a JupyterLab that is not in bokmål), the Norwegian labels the pack shows stand there too.
nbgrader's screens have no translation and keep their names.
Fast: reads files, starts nothing (tests/test_hub.py checks the running hub and its menus in chromium).
"""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from mhkurs.bank.loader import REPO_ROOT

LOCALE = "nb_NO"
ROLES = ("learner", "instructor")
# Where menu paths are named for trainees and instructors: the assignments (generated from the bank),
# the hub's home page text and the instructor's guide.
SOURCES = [*sorted((REPO_ROOT / "assessments" / "source").glob("*/*.ipynb")),
           REPO_ROOT / "hub" / "jupyterhub_config.py", REPO_ROOT / "docs" / "INSTRUCTOR.md"]
LABEL = r"[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*"
MENU_PATH = re.compile(rf"{LABEL}(?: → {LABEL})+")


def pack_dir() -> Path:
    found = {ep.name: ep for ep in entry_points(group="jupyterlab.languagepack")}
    assert LOCALE in found, f"the language pack for {LOCALE} is not installed (pyproject.toml dependencies)"
    return Path(found[LOCALE].load().__file__).parent / "locale" / LOCALE / "LC_MESSAGES"


def catalogue(domain: str) -> dict:
    path = pack_dir() / f"{domain}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def main_menus() -> set[str]:
    """The titles of JupyterLab's main menu (File, Edit, Run, ...), from its settings schema."""
    schema = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / "@jupyterlab" / "mainmenu-extension" / "plugin.json"
    assert schema.exists(), "JupyterLab's main menu schema not found"
    menus = json.loads(schema.read_text(encoding="utf-8"))["jupyter.lab.menus"]["main"]
    return {m["label"] for m in menus}


def shown(path: list[str]) -> list[str]:
    """What JupyterLab shows for a menu path in the pack's language: a main menu's title is translated with
    the context «menu» (jupyterlab_server's schema selectors), a command's label without context."""
    lab = catalogue("jupyterlab")
    out = []
    for i, label in enumerate(path):
        key = f"menu\x04{label}" if i == 0 else label
        out.append(lab.get(key, [label])[0].replace("&", ""))
    return out


def test_the_hub_servers_start_jupyterlab_in_bokmal():
    for role in ROLES:
        overrides = json.loads((REPO_ROOT / "hub" / "jupyter" / role / "labconfig" /
                                "default_setting_overrides.json").read_text(encoding="utf-8"))
        assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == LOCALE, role
    lab = catalogue("jupyterlab")
    assert lab[""]["language"] == "nb-NO"
    assert found_pack() == "mhkurs_lab_nb"  # the course's own pack


def found_pack() -> str:
    return next(ep.value for ep in entry_points(group="jupyterlab.languagepack") if ep.name == LOCALE)


def test_every_main_menu_and_every_item_of_the_trainees_menus_is_in_bokmal():
    """The titles of the main menu, and what a trainee uses in File, Edit, Run and Kernel."""
    lab = catalogue("jupyterlab")
    for menu in main_menus():
        assert f"menu\x04{menu}" in lab, menu
    for label in ("Run All Cells", "Restart Kernel…", "Interrupt Kernel", "Save All", "Close Tab", "Log Out",
                  "Undo", "Clear Outputs of All Cells", "Save %1", "%1 and %2"):
        assert lab[label][0] and lab[label][0] != label, label
    for singular, plural in (("Cut Cell", "Cut Cells"), ("Run Selected Cell", "Run Selected Cells")):
        assert len(lab[singular]) == 2, singular  # JupyterLab asks for these with a count (ngettext)
    ellipsis = [k for k, v in lab.items() if k and k.endswith("…") != v[0].endswith("…")]
    assert ellipsis == []  # a label that opens a dialog says so in both languages


def test_instructions_name_jupyterlab_menus_as_the_language_pack_shows_them():
    menus = main_menus()
    checked, wrong = [], []
    for source in SOURCES:
        text = " ".join(source.read_text(encoding="utf-8").split())  # a path may wrap in the guide
        for match in sorted(set(MENU_PATH.findall(text))):
            path = match.split(" → ")
            if path[0] not in menus:
                continue  # not JupyterLab's menu (nbgrader's screens, a learning platform's pages)
            checked.append(match)
            norwegian = " → ".join(shown(path))
            if norwegian == match or norwegian not in text:
                wrong.append(f"{source.relative_to(REPO_ROOT)}: «{match}» without «{norwegian}» beside it")
    assert "Run → Run All Cells" in checked, checked  # what the assignments tell trainees to choose
    assert not wrong, "name the menu items as the hub's JupyterLab shows them, in bokmål:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", ["page", "login", "home", "spawn_pending", "spawn", "not_running", "error", "404"])
def test_the_hub_pages_are_norwegian_templates_extending_jupyterhubs_own(name):
    text = (REPO_ROOT / "hub" / "templates" / f"{name}.html").read_text(encoding="utf-8")
    assert re.search(r'{% extends "(templates/)?' + ("error" if name == "404" else name) + r'\.html" %}', text)
    visible = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}|<script>.*?</script>|<[^>]+>", " ", text, flags=re.S)
    english = re.findall(r"\b(Sign in|Username|Password|Your server|Launch|Home|Logout|Start My Server|Server)\b",
                         visible)
    assert not english, f"{name}.html: {english}"


def test_the_hub_templates_compile_with_jupyterhubs_loader():
    """As JupyterHub loads them: this folder first, JupyterHub's own templates also under «templates/»."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader

    own = Path(sys.prefix) / "share" / "jupyterhub" / "templates"
    env = Environment(loader=ChoiceLoader([FileSystemLoader(REPO_ROOT / "hub" / "templates"),
                                           PrefixLoader({"templates": FileSystemLoader(own)}), FileSystemLoader(own)]))
    for path in sorted((REPO_ROOT / "hub" / "templates").glob("*.html")):
        env.get_template(path.name)  # raises TemplateSyntaxError or TemplateNotFound
