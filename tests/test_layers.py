"""The package's floors: bank -> logic -> record/assess -> ui/grading -> cli. A module imports only from its
own floor or the floors below it (function-level imports included), and no two modules import each other."""

from __future__ import annotations

import ast
from pathlib import Path

from mhkurs.bank.loader import REPO_ROOT

PACKAGE = REPO_ROOT / "widgets" / "mhkurs"
FLOORS = {"bank": 0, "logic": 1, "record": 2, "assess": 2, "ui": 3, "grading": 3,
          "serving": 4, "hub": 4, "cli": 4, "scorm": 4, "__init__": 4, "__main__": 4}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """The mhkurs modules ``path`` imports, as dotted names."""
    here = _module(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    modules = {_module(p) for p in PACKAGE.rglob("*.py")}
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:  # `from .. import record` imports the module mhkurs.record
                name = f"{target}.{alias.name}"
                out.add(name if name in modules else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("mhkurs"))
    return {n for n in out if n in modules and n != _module(path)}


def _floor(module: str) -> int:
    parts = module.split(".")
    return FLOORS[parts[1]] if len(parts) > 1 else 4


def test_no_module_imports_from_a_higher_floor():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        mod = _module(path)
        for target in sorted(_imports(path)):
            if _floor(target) > _floor(mod):
                wrong.append(f"{mod} imports {target}")
    assert wrong == []


def test_no_two_modules_import_each_other():
    graph = {_module(p): _imports(p) for p in PACKAGE.rglob("*.py")}
    pairs = sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets
                    if a in graph.get(b, ()) and not (a.startswith(b + ".") or b.startswith(a + "."))})  # a package's __init__
    assert pairs == []
